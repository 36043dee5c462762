use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::dockerfile::instructions::full_lines;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one of the same kind in
    /// the same stage replaces. The finding is a warning, and an error for `ENTRYPOINT`.
    ///
    /// ## Why is this bad?
    /// Each of these sets one value of the image's configuration, so only the last one of a
    /// stage counts and the earlier ones do nothing. Usually one of them is a leftover, and a
    /// reader cannot tell which command the container really runs; with two `ENTRYPOINT`s
    /// the wrong process is easily assumed to be PID 1.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// CMD ["npm", "start"]
    /// EXPOSE 3000
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// EXPOSE 3000
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix deletes the earlier instruction. The image's configuration stays the same,
    /// but the fix is unsafe because the earlier line may be the one the author meant to
    /// keep.
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile)
    /// - Docker build checks, MultipleInstructionsDisallowed: <https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/>
    pub const SINGLE_CMD_ENTRYPOINT_HEALTHCHECK = {
        code: "DF007",
        name: "single-cmd-entrypoint-healthcheck",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        tag: Unnecessary,
        scope: Segment,
    };
}

const KINDS: [InstructionKind; 3] = [
    InstructionKind::Cmd,
    InstructionKind::Entrypoint,
    InstructionKind::Healthcheck,
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        for kind in KINDS {
            let mut of_kind = stage.instructions.iter().filter(|i| i.kind == kind);
            let Some(mut earlier) = of_kind.next() else {
                continue;
            };
            for later in of_kind {
                let name = kind.name().unwrap_or_default();
                let message = format!(
                    "this {name} has no effect: the {name} on line {} replaces it, as only \
                     the last one of a stage counts",
                    ctx.line_number(later.range.start)
                );
                let fix = Fix {
                    title: format!("Delete this {name}"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range: full_lines(ctx, earlier.range),
                        new_text: String::new(),
                    }],
                };
                let mut d = SINGLE_CMD_ENTRYPOINT_HEALTHCHECK.diagnostic_with_fix(
                    earlier.range,
                    message,
                    fix,
                );
                if kind == InstructionKind::Entrypoint {
                    d.severity = Severity::Error;
                }
                out.push(d);
                earlier = later;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic, Severity};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF007", src)
    }

    fn apply_all(src: &str) -> String {
        testing::fixed_all(src, &findings(src))
    }

    #[test]
    fn every_earlier_one_per_stage_and_kind() {
        let src = "FROM a\nCMD one\nENTRYPOINT [\"x\"]\nCMD two\nENTRYPOINT [\"y\"]\n\
                   HEALTHCHECK CMD true\nHEALTHCHECK NONE\nCMD three\n\
                   FROM b\nCMD four\n";
        let found = findings(src);
        let lines: Vec<(&str, Severity)> = found
            .iter()
            .map(|d| (&src[d.range.as_usize()], d.severity))
            .collect();
        assert_eq!(
            lines,
            [
                ("CMD one", Severity::Warning),
                ("ENTRYPOINT [\"x\"]", Severity::Error),
                ("CMD two", Severity::Warning),
                ("HEALTHCHECK CMD true", Severity::Warning),
            ]
        );
        assert!(found[0].message.contains("line 4"), "{}", found[0].message);
        assert_eq!(
            found[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
        let after = apply_all(src);
        assert_eq!(
            after,
            "FROM a\nENTRYPOINT [\"y\"]\nHEALTHCHECK NONE\nCMD three\nFROM b\nCMD four\n"
        );
        assert!(findings(&after).is_empty());
    }

    #[test]
    fn continuations_and_crlf_lines_are_deleted_whole() {
        let src = "FROM a\r\nCMD echo \\\r\n  one\r\nCMD two\r\n";
        assert_eq!(apply_all(src), "FROM a\r\nCMD two\r\n");
    }

    #[test]
    fn onbuild_and_single_instructions_pass() {
        let src = "FROM a\nONBUILD CMD x\nCMD y\nENTRYPOINT z\nHEALTHCHECK NONE\n\
                   FROM a\nCMD y\n";
        assert!(findings(src).is_empty());
    }
}
