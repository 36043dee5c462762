use crate::diagnostics::Diagnostic;
use crate::rules::suppression::{SuppressionComment, check_directive_skips, suppression_comment};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::ast::Dockerfile;

declare_rule! {
    /// ## What it does
    /// Reports comments that silence findings (`# dockwise: ignore=`, `# hadolint ignore=`,
    /// `# check=skip=`).
    ///
    /// All of them count: `# dockwise: ignore=...` and `ignore-file=...`, hadolint's
    /// `# hadolint ignore=...` and `# hadolint global ignore=...`, and BuildKit's
    /// `# check=skip=...` directive. Off by default: turn it on where findings must be fixed
    /// or configured centrally, not waved through in the file.
    ///
    /// ## Why is this bad?
    /// An inline suppression is invisible to whoever reviews the configuration, outlives the
    /// reason it was written for, and hides the next, different problem on the same line.
    /// Teams that gate builds on the linter often want every exception in one reviewed place
    /// (`ignore` and `per-file-ignores` in `dockwise.toml`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// # dockwise: ignore=DF070
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead: fix the finding, or record the exception in `dockwise.toml`.
    /// ```dockerfile
    /// FROM node:22-alpine
    /// USER node
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: removing the comment brings the silenced findings back.
    ///
    /// ## References
    /// - hadolint DL1001: <https://github.com/hadolint/hadolint/wiki/DL1001>
    pub const INLINE_IGNORE_POLICY = {
        code: "DF091",
        name: "inline-ignore-policy",
        severity: Warning,
        fixable: false,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let file = Dockerfile::new(&ctx.parse.tree);
    if let Some(check) = file.directive("check")
        && !check_directive_skips(check.value()).is_empty()
    {
        out.push(INLINE_IGNORE_POLICY.diagnostic(
            check.value_range(),
            "the `check=skip` directive turns off checks for the whole file: configure them \
             centrally instead",
        ));
    }
    for comment in file.comments() {
        let Some(suppression) = suppression_comment(comment.text()) else {
            continue;
        };
        let (codes, scope) = match &suppression {
            SuppressionComment::NextInstruction(codes) => (codes, "the next instruction"),
            SuppressionComment::File(codes) => (codes, "the whole file"),
        };
        let what = if codes.is_empty() {
            "findings".to_owned()
        } else {
            codes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(INLINE_IGNORE_POLICY.diagnostic(
            comment.range(),
            format!(
                "this comment silences {what} for {scope}: fix the finding or record the \
                 exception in the configuration"
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
            .filter(|d| d.code == "DF091")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn every_kind_of_suppression() {
        let src = "# check=skip=JSONArgsRecommended\nFROM a\n# dockwise: ignore=DF070 -- legacy\n\
                   MAINTAINER x\n# hadolint ignore=DL3008\nRUN x\n# hadolint global ignore=DL9999\n\
                   # dockwise: ignore-file=maintainer-deprecated\n";
        assert_eq!(
            flagged(src),
            [
                "skip=JSONArgsRecommended",
                "# dockwise: ignore=DF070 -- legacy",
                "# hadolint ignore=DL3008",
                "# hadolint global ignore=DL9999",
                "# dockwise: ignore-file=maintainer-deprecated",
            ]
        );
    }

    #[test]
    fn the_rule_cannot_silence_itself_per_instruction() {
        let src = "FROM a\n# dockwise: ignore=DF091\nRUN x\n";
        assert_eq!(flagged(src).len(), 1);
    }

    #[test]
    fn ordinary_comments_pass() {
        let src = "# syntax=docker/dockerfile:1\nFROM a\n# install deps (ignore=nothing)\nRUN x\n# hadolint\n";
        assert!(flagged(src).is_empty());
    }
}
