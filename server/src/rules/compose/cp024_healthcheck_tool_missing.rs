use super::compose_health::{ServiceImage, service_image, test_of};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::rules::dockerfile::health::{is_url, json_array, probe_args};
use crate::rules::dockerfile::images::{Family, ImageFacts, Tool};
use crate::syntax::TextRange;
use crate::syntax::compose::NodeId;
use crate::syntax::shell::{ShellScript, ShellSource};

declare_rule! {
    /// ## What it does
    /// Reports a `healthcheck.test` that runs `curl` or `wget` in an image known not to have
    /// that program, or a `CMD-SHELL` test (a string test is one too) in an image without a
    /// shell. Debian `-slim` images have neither `curl` nor `wget`, Alpine has busybox
    /// `wget` but no `curl`, distroless images have neither and no shell. For a service
    /// built from a Dockerfile, the base image of the stage it builds counts when it is a
    /// distroless one (on other bases the Dockerfile may install the tool). Images dockwise
    /// knows nothing about are not judged.
    ///
    /// ## Why is this bad?
    /// A probe whose program is missing fails every time, however well the service runs:
    /// the container is reported unhealthy, dependants waiting with `condition:
    /// service_healthy` never start, and orchestrators restart it again and again.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-slim
    ///     command: ["node", "server.js"]
    ///     healthcheck:
    ///       test: ["CMD", "curl", "-f", "http://localhost:3000/health"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-slim
    ///     command: ["node", "server.js"]
    ///     healthcheck:
    ///       test: ["CMD", "node", "-e", "require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the probe fetches a URL, the fix rewrites `test` in exec form with what
    /// the image is known to have: its language runtime (`node -e ...`, `python -c ...`),
    /// else the other of curl and wget. The new probe fetches the same URL but judges the
    /// answer its own way (any status below 400 is healthy), and a runtime's path may differ
    /// in an image built on top. Without a URL (or with nothing known to fetch it), there is
    /// no fix.
    ///
    /// ## References
    /// - healthcheck in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#healthcheck>
    /// - HEALTHCHECK: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub const HEALTHCHECK_TOOL_MISSING = {
        code: "CP024",
        name: "healthcheck-tool-missing",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

/// The probe programs this rule knows images by.
const PROBES: [(&str, Tool); 2] = [("curl", Tool::Curl), ("wget", Tool::Wget)];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let Some(healthcheck) = ctx.get(body, "healthcheck") else {
            continue;
        };
        if ctx
            .str_of(healthcheck, "disable")
            .is_some_and(|v| matches!(v, "true" | "True" | "TRUE"))
        {
            continue;
        }
        let Some(test) = test_of(ctx, healthcheck) else {
            continue;
        };
        let image = service_image(ctx, service);
        let Some(facts) = image.facts() else { continue };
        let (whose, built) = match image {
            ServiceImage::Named(name) => (format!("its image `{name}`"), false),
            ServiceImage::Built(_) => (
                format!(
                    "the base image `{}` of its Dockerfile",
                    image.base_name().unwrap_or_default()
                ),
                true,
            ),
            ServiceImage::UnknownBuild | ServiceImage::None => continue,
        };
        // On another base, the Dockerfile may install the tool.
        if built && !matches!(facts.family, Family::Distroless | Family::Scratch) {
            continue;
        }
        let fails = "the check fails every time and the container is reported unhealthy";
        let missing = |program: &str| {
            format!(
                "the healthcheck of `{}` runs `{program}`, which {whose} does not have: {fails}",
                service.name
            )
        };
        let Some(&(first, first_node)) = test.args.first() else {
            continue;
        };
        // What is wrong, where, and the URL the probe fetches (for the fix).
        let finding = match test.kind {
            "CMD" => {
                let program = first.rsplit('/').next().unwrap_or(first);
                PROBES
                    .iter()
                    .find(|(name, tool)| *name == program && facts.ships(*tool) == Some(false))
                    .map(|(name, _)| {
                        let message = missing(name);
                        let url = test.args[1..]
                            .iter()
                            .map(|(a, _)| *a)
                            .find(|a| is_url(a))
                            .map(str::to_owned);
                        (ctx.range(first_node), message, url)
                    })
            }
            "CMD-SHELL" => {
                let script: Vec<&str> = test.args.iter().map(|(s, _)| *s).collect();
                let script = script.join(" ");
                let parsed = ShellScript::parse(&ShellSource::plain(&script));
                // A probe and perhaps `|| exit 1`: replacing it replaces the whole test.
                let simple = parsed.commands.len() <= 2;
                let url_of = |command: &crate::syntax::shell::SimpleCommand| {
                    command
                        .args
                        .iter()
                        .find(|a| a.literal && is_url(&a.text))
                        .map(|a| a.text.to_string())
                };
                if facts.ships(Tool::Shell) == Some(false) {
                    let message = format!(
                        "the healthcheck of `{}` runs a shell command, but {whose} has no shell: \
                         {fails}",
                        service.name
                    );
                    let url = parsed
                        .commands
                        .first()
                        .filter(|c| simple && PROBES.iter().any(|(n, _)| *n == c.base_name()))
                        .and_then(url_of);
                    Some((ctx.range(first_node), message, url))
                } else {
                    parsed.commands.iter().find_map(|command| {
                        let (name, tool) = PROBES
                            .iter()
                            .find(|(name, _)| *name == command.base_name())?;
                        if facts.ships(*tool) != Some(false) {
                            return None;
                        }
                        // The program's own span when the string is written as it reads.
                        let at = match ctx.inner_range(first_node, first) {
                            Some(inner) if test.args.len() == 1 => TextRange::new(
                                inner.start + command.name.range.start,
                                inner.start + command.name.range.end,
                            ),
                            _ => ctx.range(first_node),
                        };
                        Some((at, missing(name), url_of(command).filter(|_| simple)))
                    })
                }
            }
            _ => None,
        };
        let Some((range, message, url)) = finding else {
            continue;
        };
        let fix = url.and_then(|url| runtime_probe(ctx, healthcheck, &facts, &url));
        out.push(match fix {
            Some(fix) => HEALTHCHECK_TOOL_MISSING.diagnostic_with_fix(range, message, fix),
            None => HEALTHCHECK_TOOL_MISSING.diagnostic(range, message),
        });
    }
}

/// The fix rewriting the `test` of `healthcheck` to fetch `url` in exec form with what the
/// image has (see the fix safety above).
fn runtime_probe(
    ctx: &ComposeContext<'_>,
    healthcheck: NodeId,
    facts: &ImageFacts,
    url: &str,
) -> Option<Fix> {
    let args = probe_args(facts, url, |tool, _| facts.ships(tool) == Some(true))?;
    let (key, value) = ctx.entry(healthcheck, "test")?;
    let value = value?;
    // From just after `test:` to the end of its value, so a block list becomes one line.
    let key_end = ctx.range(key).end as usize;
    let colon = key_end + ctx.text[key_end..].find(':')?;
    if !ctx.text[key_end..colon].bytes().all(|b| b == b' ') {
        return None;
    }
    let start = colon as u32 + 1;
    // A flow list ends at its `]`; a block one at its last item (not the blank lines and
    // comments its range runs over).
    let range = ctx.range(value);
    let end = if ctx.text[range.as_usize()].starts_with('[') {
        range.end
    } else {
        ctx.written(value).end
    }
    .max(start);
    let program = args[0].rsplit('/').next().unwrap_or(&args[0]).to_owned();
    let mut test = vec!["CMD".to_owned()];
    test.extend(args);
    Some(Fix {
        title: format!("Probe with `{program}` in exec form"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::new(start, end),
            new_text: format!(" {}", json_array(&test)),
        }],
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;
    use crate::facts::compose::{BuildFact, BuiltImage, DockerfileSummary, ProjectFacts};

    fn findings_with(src: &str, facts: &ComposeFacts) -> Vec<Diagnostic> {
        check_compose_with(src, facts, &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP024")
            .collect()
    }

    fn findings(src: &str) -> Vec<Diagnostic> {
        findings_with(src, &ComposeFacts::default())
    }

    fn built_from(base: &str) -> ComposeFacts {
        let summary = DockerfileSummary {
            stages: vec![String::new()],
            images: vec![BuiltImage {
                base_image: Some(base.to_owned()),
                ..BuiltImage::default()
            }],
            ..DockerfileSummary::default()
        };
        let build = BuildFact {
            dockerfile: Some(Arc::new(summary)),
            ..BuildFact::default()
        };
        ComposeFacts {
            project: Some(ProjectFacts {
                builds: BTreeMap::from([("api".to_owned(), build)]),
                ..ProjectFacts::default()
            }),
            ..ComposeFacts::default()
        }
    }

    #[test]
    fn missing_programs_and_shells() {
        let src = "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test: [\"CMD\", \"/usr/bin/curl\", \"-f\", \"http://localhost/\"]\n  web:\n    image: python:3.12-alpine\n    healthcheck:\n      test: curl -fsS http://localhost/ || exit 1\n  static:\n    image: gcr.io/distroless/static-debian12\n    healthcheck:\n      test: [\"CMD-SHELL\", \"wget -q --spider http://localhost:8080/\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(&src[found[0].range.as_usize()], "\"/usr/bin/curl\"");
        assert_eq!(
            found[0].message,
            "the healthcheck of `api` runs `curl`, which its image `node:22-slim` does not have: \
             the check fails every time and the container is reported unhealthy"
        );
        assert_eq!(&src[found[1].range.as_usize()], "curl");
        assert!(found[2].message.contains("has no shell"));
    }

    fn fixed(src: &str, d: &Diagnostic) -> String {
        crate::fix::apply_fixes(src, &[d.fix.as_ref().expect("a fix")]).0
    }

    #[test]
    fn the_fix_probes_with_what_the_image_has() {
        // The runtime of a slim node image, in exec form; a block list becomes one line.
        let flow = "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:3000/health\"]\n      interval: 10s\n";
        let after_flow = fixed(flow, &findings(flow)[0]);
        let src = "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test:\n        - CMD\n        - curl\n        - -f\n        - http://localhost:3000/health\n      interval: 10s\n";
        let found = findings(src);
        assert_eq!(
            found[0].fix.as_ref().unwrap().title,
            "Probe with `node` in exec form"
        );
        let after = fixed(src, &found[0]);
        assert_eq!(
            after,
            "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test: [\"CMD\", \"node\", \"-e\", \"require('http').get('http://localhost:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))\"]\n      interval: 10s\n"
        );
        assert!(findings(&after).is_empty(), "{after}");
        assert_eq!(after_flow, after);
        // Alpine has busybox wget, not curl; a string test with `|| exit 1` is replaced whole.
        let src = "services:\n  web:\n    image: alpine:3.20\n    healthcheck:\n      test: curl -fsS http://localhost/ || exit 1\n";
        let after = fixed(src, &findings(src)[0]);
        assert!(
            after.contains(
                "test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost/\"]\n"
            ),
            "{after}"
        );
        assert!(findings(&after).is_empty(), "{after}");
        // No shell in a distroless node base: its node, by its path.
        let src = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD-SHELL\", \"curl -f http://localhost:8080/\"]\n";
        let facts = built_from("gcr.io/distroless/nodejs22-debian12");
        let found = findings_with(src, &facts);
        let after = fixed(src, &found[0]);
        assert!(
            after.contains("[\"CMD\", \"/nodejs/bin/node\", \"-e\""),
            "{after}"
        );
        assert!(findings_with(&after, &facts).is_empty(), "{after}");
        // Nothing known to fetch with (static distroless), or no URL: no fix.
        let src = "services:\n  s:\n    image: gcr.io/distroless/static-debian12\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]\n  t:\n    image: node:22-slim\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"--version\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|d| d.fix.is_none()), "{found:#?}");
    }

    #[test]
    fn built_images_count_on_distroless_bases_only() {
        let src = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]\n";
        let found = findings_with(src, &built_from("gcr.io/distroless/nodejs22-debian12"));
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("the base image `gcr.io/distroless/nodejs22-debian12` of its Dockerfile")
        );
        // A slim base may have had curl installed by the Dockerfile.
        assert!(findings_with(src, &built_from("node:22-slim")).is_empty());
        assert!(findings(src).is_empty());
    }

    #[test]
    fn what_passes() {
        for src in [
            // busybox wget on Alpine (the guide's §3.2 backend and its unknown image too).
            "services:\n  web:\n    image: nginx:alpine\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"--spider\", \"http://localhost/\"]\n",
            "services:\n  backend:\n    image: my-backend:latest\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"--quiet\", \"--tries=1\", \"--spider\", \"http://localhost:3000/health\"]\n",
            "services:\n  api:\n    image: node:22\n    healthcheck:\n      test: curl -f http://localhost/\n",
            "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test: [\"CMD\", \"node\", \"healthcheck.js\"]\n",
            "services:\n  api:\n    image: node:22-slim\n    healthcheck:\n      test: [\"NONE\"]\n",
            "services:\n  api:\n    image: ${IMAGE}\n    healthcheck:\n      test: curl -f http://localhost/\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
