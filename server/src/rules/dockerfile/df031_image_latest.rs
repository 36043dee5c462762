use super::stages::{from_instructions, image_bases};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image with the `latest` tag, or with one of the tags the
    /// `prohibited-tags` option lists (which then replaces `latest`).
    ///
    /// ## Why is this bad?
    /// `latest` is not a version: it moves to each new release, so rebuilding the same
    /// Dockerfile gives a different image, and nobody can tell from the file which version a
    /// running container has.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// WORKDIR /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version to pin is for a person to decide.
    ///
    /// ## References
    /// - practices.md §3.2 (explicit image tags), §9 (deployment)
    pub const IMAGE_LATEST = {
        code: "DF031",
        name: "image-latest",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let prohibited = &ctx.config.options.prohibited_tags;
    let is_prohibited = |tag: &str| {
        if prohibited.is_empty() {
            tag == "latest"
        } else {
            prohibited.iter().any(|p| p == tag)
        }
    };
    let mut froms = None;
    for (stage, base, image) in image_bases(ctx) {
        if !ctx.should_check(base.range.start) {
            continue;
        }
        let Some(tag) = image.tag.filter(|t| is_prohibited(t)) else {
            continue;
        };
        // Point at the tag when it is written as it is read.
        let froms = froms.get_or_insert_with(|| from_instructions(ctx));
        let range = froms
            .get(stage.index)
            .and_then(|f| f.image()?.tag())
            .filter(|t| t.text == tag && ctx.text.get(t.range.as_usize()) == Some(tag))
            .map_or(base.range, |t| t.range);
        let message = if tag == "latest" {
            format!(
                "`{}` uses the `latest` tag, which moves to every new release: pin a version",
                base.expanded.text
            )
        } else {
            format!(
                "`{}` uses the tag `{tag}`, which the configuration lists as floating: pin a version",
                base.expanded.text
            )
        };
        out.push(IMAGE_LATEST.diagnostic(range, message));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;

    fn flagged_with(src: &str, config: &Config) -> Vec<String> {
        check_dockerfile_with(src, &DockerfileFacts::default(), config)
            .into_iter()
            .filter(|d| d.code == "DF031")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    fn flagged(src: &str) -> Vec<String> {
        flagged_with(src, &Config::default())
    }

    #[test]
    fn latest_tags() {
        let src = "ARG TAG=latest\nFROM node:latest AS a\n\
                   FROM ghcr.io/org/app:latest@sha256:0123456789abcdef0123456789abcdef\n\
                   FROM python:${TAG}\n";
        assert_eq!(flagged(src), ["latest", "latest", "python:${TAG}"]);
    }

    #[test]
    fn other_tags_pass_unless_configured() {
        let src = "FROM node:22\nFROM nginx:alpine\nFROM alpine:LATEST\nFROM node\n";
        assert!(flagged(src).is_empty());
        let mut config = Config::default();
        config.options.prohibited_tags = vec!["alpine".into(), "edge".into()];
        assert_eq!(
            flagged_with("FROM nginx:alpine\nFROM node:latest\n", &config),
            ["alpine"]
        );
    }
}
