use super::df034_from_platform_constant::remove_platform_flag;
use super::stages::from_instructions;
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform unless told otherwise, so the flag changes
    /// nothing. It suggests that something platform-specific happens where nothing does, and
    /// hides the flag that usually belongs in a build stage, `--platform=$BUILDPLATFORM`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// RUN apk add --no-cache ca-certificates
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache ca-certificates
    /// ```
    ///
    /// ## Fix safety
    /// Safe: removing the flag builds exactly the same stage.
    ///
    /// ## References
    /// - practices.md §4.3 (multi-architecture builds)
    /// - BuildKit check RedundantTargetPlatform: <https://docs.docker.com/reference/build-checks/redundant-target-platform/>
    pub const REDUNDANT_TARGET_PLATFORM = {
        code: "DF035",
        name: "redundant-target-platform",
        severity: Info,
        fixable: true,
        default_enabled: true,
        tag: Unnecessary,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // A global `ARG TARGETPLATFORM=...` makes the name mean something else.
    if ctx
        .model
        .global_args
        .iter()
        .any(|a| a.name == "TARGETPLATFORM" && a.written.is_some())
    {
        return;
    }
    let mut froms = None;
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let Some(platform) = &stage.platform else {
            continue;
        };
        if !matches!(
            platform.written.trim(),
            "$TARGETPLATFORM" | "${TARGETPLATFORM}"
        ) {
            continue;
        }
        let froms = froms.get_or_insert_with(|| from_instructions(ctx));
        let fix = froms
            .get(stage.index)
            .and_then(|from| remove_platform_flag(ctx, from))
            .map(|edit| Fix {
                title: "Remove the `--platform` flag".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        let message =
            "`--platform=$TARGETPLATFORM` is what a stage gets anyway: the flag has no effect";
        out.push(match fix {
            Some(fix) => {
                REDUNDANT_TARGET_PLATFORM.diagnostic_with_fix(platform.range, message, fix)
            }
            None => REDUNDANT_TARGET_PLATFORM.diagnostic(platform.range, message),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF035", src)
    }

    #[test]
    fn flags_and_removes_the_flag() {
        let src = "FROM --platform=${TARGETPLATFORM} alpine:3.20 AS a\nfrom --platform=\"$TARGETPLATFORM\"\tnode:22\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert_eq!(&src[found[1].range.as_usize()], "\"$TARGETPLATFORM\"");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        let fixed = testing::fixed_all(src, &found);
        assert_eq!(fixed, "FROM alpine:3.20 AS a\nfrom node:22\n");
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn other_platforms_pass() {
        for src in [
            "FROM --platform=$BUILDPLATFORM golang\n",
            "FROM --platform=linux/amd64 golang\n",
            "FROM --platform=${TARGETPLATFORM:-linux/amd64}-x golang\n",
            "ARG TARGETPLATFORM=linux/arm64\nFROM --platform=$TARGETPLATFORM golang\n",
            "FROM golang\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
