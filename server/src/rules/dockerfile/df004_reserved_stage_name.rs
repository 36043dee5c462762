use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::dockerfile::stage_rename::rename_stage;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a build stage named `scratch` or `context` (in any case).
    ///
    /// ## Why is this bad?
    /// Both words already mean something to the builder: `scratch` is the empty base image
    /// and `context` is how build contexts are named. A stage with one of these names makes
    /// `FROM scratch` or `COPY --from=context` ambiguous, and readers (and tools) may take it
    /// for the built-in meaning.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS context
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=context /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// The fix renames the stage (`context` becomes `context-stage`) and every reference to
    /// it by name. It is unsafe: a later `FROM scratch` is renamed along with the stage,
    /// though its author may have meant the empty image, and build scripts may still pass
    /// the old name to `--target`. When a reference cannot be rewritten (quoted, or built
    /// from variables), there is no fix.
    ///
    /// ## References
    /// - Docker build checks, ReservedStageName: <https://docs.docker.com/reference/build-checks/reserved-stage-name/>
    pub const RESERVED_STAGE_NAME = {
        code: "DF004",
        name: "reserved-stage-name",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

const RESERVED: [&str; 2] = ["scratch", "context"];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        let Some(name) = &stage.name else { continue };
        let Some(reserved) = RESERVED.iter().find(|r| **r == name.lowercase) else {
            continue;
        };
        let meaning = if *reserved == "scratch" {
            "the empty base image"
        } else {
            "a build context"
        };
        let message = format!(
            "`{}` is a reserved name: `{reserved}` already means {meaning}, so a stage of \
             that name is ambiguous",
            name.text
        );
        let new_name = free_name(ctx, reserved);
        let fix = rename_stage(ctx, stage.index, &new_name, true).map(|edits| Fix {
            title: format!("Rename the stage to `{new_name}`"),
            applicability: Applicability::Unsafe,
            edits,
        });
        out.push(match fix {
            Some(fix) => RESERVED_STAGE_NAME.diagnostic_with_fix(name.range, message, fix),
            None => RESERVED_STAGE_NAME.diagnostic(name.range, message),
        });
    }
}

/// `<reserved>-stage`, or with a number when a stage already has that name.
fn free_name(ctx: &DockerfileContext<'_>, reserved: &str) -> String {
    let taken = |candidate: &str| ctx.model.stage_by_name(candidate).is_some();
    let base = format!("{reserved}-stage");
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;
    use crate::rules::testing::fixed;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF004", src)
    }

    #[test]
    fn reserved_names_in_any_case() {
        let src = "FROM golang AS Context\nRUN make\nFROM alpine AS scratch\nFROM alpine\n\
                   COPY --from=context /a /b\n";
        let found = findings(src);
        let names: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(names, ["Context", "scratch"]);
        assert!(found[0].message.contains("a build context"));
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fixed(src, &found[0]),
            "FROM golang AS context-stage\nRUN make\nFROM alpine AS scratch\nFROM alpine\n\
             COPY --from=context-stage /a /b\n"
        );
    }

    #[test]
    fn the_new_name_is_free_and_the_fix_converges() {
        let src = "FROM a AS context-stage\nFROM b AS context\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let after = fixed(src, &found[0]);
        assert_eq!(
            after,
            "FROM a AS context-stage\nFROM b AS context-stage-2\n"
        );
        assert!(findings(&after).is_empty());
    }

    #[test]
    fn references_that_cannot_be_renamed_drop_the_fix() {
        let src = "FROM a AS context\nFROM b\nCOPY --from='context' /a /b\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn other_names_pass() {
        let src = "FROM scratch AS build-context\nFROM scratch\nCOPY --from=build-context / /\n";
        assert!(findings(src).is_empty());
    }
}
