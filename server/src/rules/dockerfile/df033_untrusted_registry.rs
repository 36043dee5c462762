use super::images::DOCKER_HUB;
use super::stages::{from_instructions, image_bases};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image from a registry that the `trusted-registries` option does not
    /// list. Names without a registry come from `docker.io`. Entries may use `*` and `?`
    /// wildcards (`*.gcr.io`); an entry with a `/` names a repository prefix
    /// (`ghcr.io/my-org`). The rule is off by default and turns on, at error severity, when a
    /// configuration file lists trusted registries. Stages, `scratch` and images named
    /// through a variable without a value are not reported.
    ///
    /// ## Why is this bad?
    /// A base image runs with full access to the build and ends up in production. Teams that
    /// mirror or vet their images want every `FROM` to come from those registries, and a
    /// pull from anywhere else is how typosquatted or tampered images get in.
    ///
    /// ## Example
    /// With this configuration:
    /// ```toml
    /// trusted-registries = ["registry.example.com", "*.gcr.io"]
    /// ```
    /// this image comes from Docker Hub, which is not listed:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// trusted-registries = ["registry.example.com", "*.gcr.io"]
    /// ```
    /// ```dockerfile
    /// FROM registry.example.com/mirror/node:22-alpine
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the image must exist in a trusted registry first.
    ///
    /// ## References
    /// - hadolint DL3026: <https://github.com/hadolint/hadolint/wiki/DL3026>
    pub const UNTRUSTED_REGISTRY = {
        code: "DF033",
        name: "untrusted-registry",
        severity: Error,
        fixable: false,
        default_enabled: false,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let trusted = &ctx.config.options.trusted_registries;
    if trusted.is_empty() {
        return;
    }
    let mut froms = None;
    for (stage, base, image) in image_bases(ctx) {
        if !ctx.should_check(base.range.start) {
            continue;
        }
        let registry = image.registry.to_ascii_lowercase();
        let path = format!("{registry}/{}", image.repository);
        if trusted.iter().any(|t| is_trusted(t, &registry, &path)) {
            continue;
        }
        let froms = froms.get_or_insert_with(|| from_instructions(ctx));
        // Point at the registry part when it is written as it is read.
        let range = froms
            .get(stage.index)
            .and_then(|f| f.image()?.registry())
            .filter(|r| ctx.text.get(r.range.as_usize()) == Some(r.text.as_ref()))
            .filter(|r| r.text.eq_ignore_ascii_case(image.registry))
            .map_or(base.range, |r| r.range);
        let shown = if image.registry == DOCKER_HUB && !base.expanded.text.contains('/') {
            "docker.io (Docker Hub)".to_owned()
        } else {
            image.registry.to_owned()
        };
        out.push(UNTRUSTED_REGISTRY.diagnostic(
            range,
            format!(
                "`{}` comes from {shown}, which is not among the trusted registries",
                base.expanded.text
            ),
        ));
    }
}

/// Whether a `trusted-registries` entry allows an image from `registry` with the repository
/// path `path` (`registry/repository`).
fn is_trusted(entry: &str, registry: &str, path: &str) -> bool {
    let entry = entry.trim().trim_end_matches('/').to_ascii_lowercase();
    if entry.contains('/') {
        wildcard_match(&entry, path) || path.starts_with(&format!("{entry}/"))
    } else {
        let entry = if matches!(entry.as_str(), "index.docker.io" | "registry-1.docker.io") {
            DOCKER_HUB.to_owned()
        } else {
            entry
        };
        wildcard_match(&entry, registry)
    }
}

/// `*` matches any run of characters, `?` any one character.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::{is_trusted, wildcard_match};
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::diagnostics::Severity;
    use crate::facts::DockerfileFacts;

    fn findings(src: &str, trusted: &[&str]) -> Vec<(String, Severity)> {
        let mut config = Config::all_enabled();
        config.options.trusted_registries = trusted.iter().map(|s| s.to_string()).collect();
        check_dockerfile_with(src, &DockerfileFacts::default(), &config)
            .into_iter()
            .filter(|d| d.code == "DF033")
            .map(|d| (src[d.range.as_usize()].to_owned(), d.severity))
            .collect()
    }

    #[test]
    fn images_outside_the_allow_list() {
        let src = "FROM node:22 AS a\nFROM eu.gcr.io/p/x:1\nFROM gcr.io/distroless/static\n\
                   FROM ghcr.io/other/app:1\nFROM ghcr.io/my-org/app:1\nFROM scratch\nFROM a\n";
        let found = findings(src, &["*.gcr.io", "ghcr.io/my-org"]);
        let texts: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["node:22", "gcr.io", "ghcr.io"]);
        assert!(found.iter().all(|(_, s)| *s == Severity::Error));
    }

    #[test]
    fn docker_hub_names() {
        let src = "FROM node:22\nFROM docker.io/library/python:3\nFROM bitnami/redis:7\n";
        assert!(findings(src, &["docker.io"]).is_empty());
        assert!(findings(src, &["index.docker.io"]).is_empty());
        assert_eq!(findings(src, &["ghcr.io"]).len(), 3);
    }

    #[test]
    fn quiet_without_a_list() {
        assert!(findings("FROM node:22\n", &[]).is_empty());
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.gcr.io", "eu.gcr.io"));
        assert!(!wildcard_match("*.gcr.io", "gcr.io"));
        assert!(wildcard_match(
            "registry-?.example.com",
            "registry-1.example.com"
        ));
        assert!(wildcard_match("*", "anything"));
        assert!(!wildcard_match("ghcr.io", "ghcr.io.evil.com"));
        assert!(is_trusted("GHCR.IO/", "ghcr.io", "ghcr.io/x"));
        assert!(!is_trusted(
            "ghcr.io/org",
            "ghcr.io",
            "ghcr.io/organization/x"
        ));
    }
}
