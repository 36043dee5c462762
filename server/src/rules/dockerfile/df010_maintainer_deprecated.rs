use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated for years. Image metadata belongs in labels, where
    /// registries and tools look for it: `org.opencontainers.image.authors` is the standard
    /// key for who maintains an image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the label records the same text, and nothing reads `MAINTAINER` any more.
    ///
    /// ## References
    /// - OCI image annotations: <https://github.com/opencontainers/image-spec/blob/main/annotations.md>
    pub const MAINTAINER_DEPRECATED = {
        code: "DF010",
        name: "maintainer-deprecated",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        tag: Deprecated,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        if instruction.kind() != InstructionKind::Maintainer {
            continue;
        }
        let keyword = instruction.keyword();
        let message = "MAINTAINER is deprecated: record the author in a label";
        let Some(author) = instruction.words().next() else {
            out.push(MAINTAINER_DEPRECATED.diagnostic(keyword.range, message));
            continue;
        };
        let text = author.text();
        // A value with its own quotes or line continuations is left for a person to move.
        let fix =
            (!text.contains(['"', '\\', '\n']) && !text.contains(ctx.parse.escape)).then(|| Fix {
                title: "Replace with LABEL org.opencontainers.image.authors".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range: instruction.range(),
                    new_text: format!("LABEL org.opencontainers.image.authors=\"{text}\""),
                }],
            });
        out.push(match fix {
            Some(fix) => MAINTAINER_DEPRECATED.diagnostic_with_fix(keyword.range, message, fix),
            None => MAINTAINER_DEPRECATED.diagnostic(keyword.range, message),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    #[test]
    fn flags_maintainer_with_a_safe_fix() {
        let src = "FROM alpine:3.20\nmaintainer Jane Doe <jane@example.com>\n";
        let found: Vec<_> = testing::findings("DF010", src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "maintainer");
        let fix = found[0].fix.as_ref().expect("fix");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            fix.edits[0].new_text,
            "LABEL org.opencontainers.image.authors=\"Jane Doe <jane@example.com>\""
        );
        assert_eq!(
            &src[fix.edits[0].range.as_usize()],
            "maintainer Jane Doe <jane@example.com>"
        );
    }

    #[test]
    fn quoted_values_get_no_fix_and_labels_pass() {
        let found = check_dockerfile("FROM a\nMAINTAINER \"Jane\"\n");
        assert!(found.iter().any(|d| d.code == "DF010" && d.fix.is_none()));
        let clean = check_dockerfile("FROM a\nLABEL org.opencontainers.image.authors=\"Jane\"\n");
        assert!(clean.iter().all(|d| d.code != "DF010"));
    }
}
