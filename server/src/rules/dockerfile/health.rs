//! Health probes that work in a given image: its language runtime, else curl or wget when
//! the image has them (shipped or installed by the Dockerfile).

use super::images::{ImageFacts, Runtime, Tool};
use super::stages::installs;
use crate::rules::DockerfileContext;

/// The conventional health endpoint on a local port.
pub(crate) fn health_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/health")
}

/// The exec-form JSON array that fetches `url` with what the final image of `stage` has:
/// the runtime itself (node, python), else curl, else wget. `None` when nothing is known to
/// be there.
pub(crate) fn probe(
    ctx: &DockerfileContext<'_>,
    stage: usize,
    facts: &ImageFacts,
    url: &str,
) -> Option<String> {
    let has =
        |tool: Tool, name: &str| facts.ships(tool) == Some(true) || installs(ctx, stage, name);
    probe_args(facts, url, has).map(|args| json_array(&args))
}

/// The program and arguments that fetch `url` in an image with `facts`: its runtime (node,
/// python), else curl, else wget, when `has` says the image has it.
pub(crate) fn probe_args(
    facts: &ImageFacts,
    url: &str,
    has: impl Fn(Tool, &str) -> bool,
) -> Option<Vec<String>> {
    Some(match facts.runtime {
        Some((Runtime::Node, node)) => vec![
            node.to_owned(),
            "-e".to_owned(),
            format!(
                "require('http').get('{url}', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"
            ),
        ],
        Some((Runtime::Python, python)) => vec![
            python.to_owned(),
            "-c".to_owned(),
            format!("import urllib.request; urllib.request.urlopen('{url}', timeout=4)"),
        ],
        None if has(Tool::Curl, "curl") => ["curl", "-fsS", "-o", "/dev/null", url]
            .map(str::to_owned)
            .to_vec(),
        None if has(Tool::Wget, "wget") => {
            ["wget", "-q", "--spider", url].map(str::to_owned).to_vec()
        }
        None => return None,
    })
}

/// Whether a probe's argument is the URL it fetches.
pub(crate) fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

/// Strings as a JSON array, for exec form.
pub(crate) fn json_array(args: &[String]) -> String {
    let strings: Vec<String> = args
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    format!("[{}]", strings.join(", "))
}
