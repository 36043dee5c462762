use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{ReferenceKind, ReferenceTarget, StageOrder, StageReference};
use crate::text::similar::closest;

declare_rule! {
    /// ## What it does
    /// Checks the stage named by `COPY --from=<stage>` and `RUN --mount=...,from=<stage>`.
    /// Reports a name that is no stage of the file and does not look like an image
    /// reference (it has no `/`, `:` or `@`), a stage index that does not exist, and a stage
    /// that copies from itself.
    ///
    /// ## Why is this bad?
    /// A mistyped stage name is not an error to Docker: it is taken as an image to pull, so
    /// the build fails much later with a confusing registry error, or copies from an
    /// unrelated image that happens to exist. A stage cannot read from itself: BuildKit
    /// rejects the circular dependency.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS deps
    /// RUN npm ci
    /// FROM node:22-slim
    /// COPY --from=dep /app/node_modules ./node_modules
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS deps
    /// RUN npm ci
    /// FROM node:22-slim
    /// COPY --from=deps /app/node_modules ./node_modules
    /// ```
    ///
    /// To copy from an image, name it with a tag: `COPY --from=nginx:1.27 ...`.
    ///
    /// ## Fix safety
    /// When a stage name is one or two letters away, the fix replaces the value with it.
    /// It is unsafe: the author may have meant an image of that name.
    ///
    /// ## References
    /// - practices.md §2.2 (multi-stage builds)
    pub const COPY_FROM_UNKNOWN_STAGE = {
        code: "DF003",
        name: "copy-from-unknown-stage",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let stage_names: Vec<&str> = ctx
        .model
        .stages
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.text.as_str()))
        .collect();
    for reference in &ctx.model.references {
        if !ctx.should_check(reference.range.start) {
            continue;
        }
        if matches!(reference.kind, ReferenceKind::From) {
            continue;
        }
        if let Some(d) = check_reference(ctx, reference, &stage_names) {
            out.push(d);
        }
    }
}

fn check_reference(
    ctx: &DockerfileContext<'_>,
    reference: &StageReference,
    stage_names: &[&str],
) -> Option<Diagnostic> {
    let rule = &COPY_FROM_UNKNOWN_STAGE;
    let value = reference.expanded.text.as_str();
    let how = match reference.kind {
        ReferenceKind::RunMount => "`--mount` `from=`",
        _ => "`--from`",
    };
    match reference.target {
        ReferenceTarget::Stage(_) if reference.order == Some(StageOrder::Itself) => {
            let mut d = rule.diagnostic(
                reference.range,
                format!("a stage cannot read from itself: {how} names the current stage `{value}`"),
            );
            d.severity = Severity::Error;
            Some(d)
        }
        ReferenceTarget::Unknown => {
            let mut message = format!(
                "`{value}` is not a stage of this Dockerfile, so Docker will try to pull an image named `{value}`"
            );
            let suggestion = closest(value, stage_names.iter().copied());
            match suggestion {
                Some(s) => message.push_str(&format!("; did you mean the stage `{s}`?")),
                None => message.push_str("; if you mean an image, give it a tag"),
            }
            // Only offer the replacement when the value is written literally.
            // Only when the value is written literally, and the name is one BuildKit accepts
            // (a broken `AS` line can yield any word).
            let fix = suggestion
                .filter(|s| is_valid_stage_name(s))
                .filter(|_| !reference.uses_variables && ctx.text.get(reference.range.as_usize()) == Some(value))
                .map(|s| Fix {
                    title: format!("Use the stage `{s}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range: reference.range,
                        new_text: s.to_owned(),
                    }],
                });
            Some(match fix {
                Some(fix) => rule.diagnostic_with_fix(reference.range, message, fix),
                None => rule.diagnostic(reference.range, message),
            })
        }
        ReferenceTarget::InvalidIndex => Some(rule.diagnostic(
            reference.range,
            format!(
                "there is no stage number {value}: this Dockerfile has {} stage{} (numbered from 0)",
                ctx.model.stages.len(),
                if ctx.model.stages.len() == 1 { "" } else { "s" }
            ),
        )),
        _ => None,
    }
}

/// BuildKit's rule for stage names (`[a-z][a-z0-9-_.]*` once lowercased).
fn is_valid_stage_name(name: &str) -> bool {
    let mut bytes = name.bytes().map(|b| b.to_ascii_lowercase());
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Severity};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF003", src)
    }

    #[test]
    fn typo_gets_a_warning_and_an_unsafe_fix() {
        let src = "FROM node:22 AS deps\nRUN npm ci\nFROM node:22-slim\nCOPY --from=dep /a /b\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(&src[d.range.as_usize()], "dep");
        assert!(
            d.message.contains("did you mean the stage `deps`?"),
            "{}",
            d.message
        );
        let fix = d.fix.as_ref().expect("fix");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits[0].new_text, "deps");
        assert_eq!(fix.edits[0].range, d.range);
    }

    #[test]
    fn mount_from_and_index_and_self() {
        let src = "FROM alpine:3 AS base\n\
                   RUN --mount=type=bind,from=bsae,target=/x true\n\
                   COPY --from=5 /a /b\n\
                   COPY --from=base /a /b\n";
        let found = findings(src);
        let texts: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(texts, ["bsae", "5", "base"]);
        assert_eq!(found[2].severity, Severity::Error);
        assert!(found[1].message.contains("has 1 stage (numbered from 0)"));
    }

    #[test]
    fn invalid_stage_names_are_not_offered_as_fixes() {
        let src = "FROM a AS buil\"d\nFROM b\nCOPY --from=build /a /b\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        assert!(super::is_valid_stage_name("Build-1.x_y"));
        assert!(!super::is_valid_stage_name("1build"));
    }

    #[test]
    fn images_stages_and_indexes_pass() {
        let src = "FROM golang:1.23 AS build\nRUN true\nFROM scratch\n\
                   COPY --from=build /a /b\nCOPY --from=0 /a /b\n\
                   COPY --from=nginx:1.27 /etc/nginx /etc/nginx\n\
                   COPY --from=ghcr.io/org/tool /bin/tool /bin/tool\n";
        assert!(findings(src).is_empty(), "{:?}", findings(src));
    }
}
