use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::SyntaxKind;

declare_rule! {
    /// ## What it does
    /// Reports blank lines inside an instruction continued with `\` (or the escape
    /// character the file chose), one finding per instruction.
    ///
    /// ## Why is this bad?
    /// The builder skips the blank line and goes on with the instruction, so a line that
    /// looks like the start of a new instruction is really more arguments of the previous
    /// one. A `\` left at the end of a command, followed by a blank line and `RUN ...`,
    /// makes that `RUN` part of the previous command. BuildKit warns about it and plans to
    /// make it an error.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && \
    ///     apt-get install -y --no-install-recommends curl \
    ///
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && \
    ///     apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix deletes the blank lines, which the builder skips anyway.
    ///
    /// ## References
    /// - Docker build checks, NoEmptyContinuation: <https://docs.docker.com/reference/build-checks/no-empty-continuation/>
    pub const EMPTY_CONTINUATION = {
        code: "DF015",
        name: "empty-continuation",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let blank = blank_lines(instruction.syntax());
        let Some(first) = blank.first() else {
            continue;
        };
        let message = format!(
            "{} inside this {}'s line continuation: the builder skips {}, so the \
             instruction goes on below",
            if blank.len() == 1 {
                "a blank line".to_owned()
            } else {
                format!("{} blank lines", blank.len())
            },
            instruction.name(),
            if blank.len() == 1 { "it" } else { "them" },
        );
        let fix = Fix {
            title: if blank.len() == 1 {
                "Delete the blank line".to_owned()
            } else {
                "Delete the blank lines".to_owned()
            },
            applicability: Applicability::Safe,
            edits: blank
                .iter()
                .map(|&range| Edit {
                    range,
                    new_text: String::new(),
                })
                .collect(),
        };
        out.push(EMPTY_CONTINUATION.diagnostic_with_fix(*first, message, fix));
    }
}

/// The blank (or whitespace-only) lines inside an instruction, each with its line break.
/// Heredoc bodies are single tokens, so their blank lines (which are content) never show.
fn blank_lines(node: crate::syntax::dockerfile::SyntaxNode<'_>) -> Vec<TextRange> {
    let mut out = Vec::new();
    // The start of the current line, once a line break inside the instruction was seen,
    // and whether the line holds only whitespace so far.
    let mut line_start: Option<u32> = None;
    let mut only_whitespace = false;
    for token in node.tokens() {
        match token.kind() {
            SyntaxKind::Newline => {
                if let Some(start) = line_start
                    && only_whitespace
                {
                    out.push(TextRange::new(start, token.range().end));
                }
                line_start = Some(token.range().end);
                only_whitespace = true;
            }
            SyntaxKind::Indent | SyntaxKind::Whitespace => {}
            _ => only_whitespace = false,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF015", src)
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        let out = testing::fixed(src, &found[0]);
        assert!(findings(&out).is_empty(), "{out}");
        out
    }

    #[test]
    fn blank_and_whitespace_lines_in_continuations() {
        assert_eq!(
            fixed("FROM a\nRUN a \\\n\n  && b \\\n  \t\n  && c\n"),
            "FROM a\nRUN a \\\n  && b \\\n  && c\n"
        );
        assert!(
            findings("FROM a\nRUN a \\\n\n  && b \\\n  \t\n  && c\n")[0]
                .message
                .starts_with("2 blank lines inside this RUN")
        );
        assert_eq!(
            fixed("FROM a\r\nCOPY a \\\r\n\r\n  /b\r\n"),
            "FROM a\r\nCOPY a \\\r\n  /b\r\n"
        );
        assert_eq!(
            fixed("# escape=`\nFROM a\nRUN a `\n\n  b\n"),
            "# escape=`\nFROM a\nRUN a `\n  b\n"
        );
    }

    #[test]
    fn comment_lines_and_blank_lines_elsewhere_pass() {
        let src =
            "FROM a\n\nRUN a \\\n  # note\n  && b\n\n\nRUN <<EOF\necho\n\necho\nEOF\n\nCMD x\n";
        assert!(findings(src).is_empty(), "{:?}", findings(src));
    }
}
