use super::stages::image_bases;
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image with neither a tag nor a digest (`FROM node`). Stages,
    /// `scratch` and images named through a variable without a value are not reported; a
    /// variable with a default is expanded first.
    ///
    /// ## Why is this bad?
    /// Without a tag Docker pulls `:latest`, which moves to each new release: the same
    /// Dockerfile builds on Node 20 today and Node 24 next month, and a rebuild can break with
    /// no change in the repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version to pin is for a person to decide.
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile), §11 (practical tips)
    pub const IMAGE_UNTAGGED = {
        code: "DF030",
        name: "image-untagged",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, base, image) in image_bases(ctx) {
        if !ctx.should_check(base.range.start) {
            continue;
        }
        if image.tag.is_some() || image.digest.is_some() || image.repository.is_empty() {
            continue;
        }
        out.push(IMAGE_UNTAGGED.diagnostic(
            base.range,
            format!(
                "`{}` has no tag, so it means `{}:latest`, which moves to every new release",
                base.expanded.text, base.expanded.text
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF030", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn untagged_images() {
        let src = "FROM node AS build\nFROM ghcr.io/org/base\nFROM localhost:5000/app\n";
        assert_eq!(
            flagged(src),
            ["node", "ghcr.io/org/base", "localhost:5000/app"]
        );
        let src = "ARG IMAGE=python\nFROM $IMAGE\n";
        assert_eq!(flagged(src), ["$IMAGE"]);
    }

    #[test]
    fn tags_digests_stages_scratch_and_unknowns_pass() {
        let src = "ARG TAG\nFROM node:22 AS build\nFROM build\nFROM scratch\n\
                   FROM alpine@sha256:0123456789abcdef0123456789abcdef\nFROM python:$TAG\nFROM $UNDEFINED\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
        let src = "ARG IMAGE\nFROM $IMAGE\nFROM ${REGISTRY}/app\n";
        assert!(flagged(src).is_empty());
        // A FROM that names a later stage is another rule's business.
        let src = "FROM later\nFROM alpine:3 AS later\n";
        assert!(flagged(src).is_empty());
    }
}
