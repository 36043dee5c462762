use super::stages::image_bases;
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image that is not pinned by digest (`@sha256:...`). Stages, `scratch`
    /// and images named through a variable without a value are not reported. Off by default.
    ///
    /// ## Why is this bad?
    /// A tag can be moved to another image at any time (`node:22` follows every patch
    /// release, and a registry can be told to re-point any tag). Only a digest names exactly
    /// one image, which reproducible builds and supply-chain policies need. Tools such as
    /// Renovate or Dependabot keep digests current.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine@sha256:0f4d7a1c5e1b2f3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the digest must be looked up in the registry.
    ///
    /// ## References
    /// - practices.md §9 (deployment: reproducible images in CI)
    /// - Image digests: <https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier>
    pub const IMAGE_NOT_DIGEST_PINNED = {
        code: "DF032",
        name: "image-not-digest-pinned",
        severity: Warning,
        fixable: false,
        default_enabled: false,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, base, image) in image_bases(ctx) {
        if !ctx.should_check(base.range.start) {
            continue;
        }
        if image.digest.is_some() || image.repository.is_empty() {
            continue;
        }
        out.push(IMAGE_NOT_DIGEST_PINNED.diagnostic(
            base.range,
            format!(
                "`{}` is not pinned by digest, so what it names can change between builds",
                base.expanded.text
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;

    fn flagged(src: &str) -> Vec<String> {
        check_dockerfile_with(src, &DockerfileFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "DF032")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn unpinned_images() {
        let src = "ARG V\nFROM node:22 AS a\nFROM a\nFROM scratch\n\
                   FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\
                   FROM python:$V\nFROM ghcr.io/org/app\nFROM node:$UNDEFINED\n";
        assert_eq!(flagged(src), ["node:22", "ghcr.io/org/app"]);
    }

    #[test]
    fn off_by_default() {
        let found = crate::analysis::check_dockerfile("FROM node:22\n");
        assert!(found.iter().all(|d| d.code != "DF032"));
    }
}
