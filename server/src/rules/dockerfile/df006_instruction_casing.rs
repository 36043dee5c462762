use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind};

declare_rule! {
    /// ## What it does
    /// Reports instruction keywords whose case differs from the rest of the file, and an
    /// `AS` in `FROM image AS name` whose case differs from the keywords'. Most files write
    /// keywords in upper case; a file written mostly in lower case is held to lower case.
    /// Keywords mixing cases (`Run`) are always reported.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, so this is only about reading: uniform keywords stand
    /// out from their arguments, and a stray lower-case `run` or `From ... as` looks like a
    /// typo or a paste from elsewhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim as base
    /// WORKDIR /app
    /// copy requirements.txt ./
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim AS base
    /// WORKDIR /app
    /// COPY requirements.txt ./
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix rewrites the keyword in the file's case (upper case unless most
    /// keywords are lower case), which does not change what it means.
    ///
    /// ## References
    /// - Docker build checks, ConsistentInstructionCasing: <https://docs.docker.com/reference/build-checks/consistent-instruction-casing/>
    /// - Docker build checks, FromAsCasing: <https://docs.docker.com/reference/build-checks/from-as-casing/>
    pub const INSTRUCTION_CASING = {
        code: "DF006",
        name: "instruction-casing",
        severity: Style,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Mixed,
}

fn case_of(word: &str) -> Case {
    if !word.bytes().any(|b| b.is_ascii_lowercase()) {
        Case::Upper
    } else if !word.bytes().any(|b| b.is_ascii_uppercase()) {
        Case::Lower
    } else {
        Case::Mixed
    }
}

fn in_case(word: &str, case: Case) -> String {
    match case {
        Case::Lower => word.to_ascii_lowercase(),
        _ => word.to_ascii_uppercase(),
    }
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // The file's case is counted by the model, so this rule only reads the stages being
    // checked (and the incremental analysis redoes every stage when that case flips).
    let file_case = if ctx.model.keyword_case.mostly_lower() {
        Case::Lower
    } else {
        Case::Upper
    };
    let keyword_tokens = || {
        ctx.checked_instructions_with_triggers()
            .filter(|i| i.kind() != InstructionKind::Unknown)
            .map(|i| (i.keyword(), i))
            .filter(|(keyword, _)| !keyword.text.is_empty())
    };
    for (keyword, instruction) in keyword_tokens() {
        let text = &*keyword.text;
        let case = case_of(text);
        if case != file_case {
            let message = match case {
                Case::Mixed => format!("`{text}` mixes upper and lower case"),
                Case::Lower => format!(
                    "`{text}` is in lower case while the other instructions are in upper case"
                ),
                Case::Upper => format!(
                    "`{text}` is in upper case while the other instructions are in lower case"
                ),
            };
            push(ctx, out, keyword.range, text, file_case, message);
        }
        if instruction.kind() == InstructionKind::From {
            check_as(ctx, out, instruction.syntax(), file_case);
        }
    }
}

/// `AS` is written in the case the keywords should have (its `FROM`'s, once that one is
/// right).
fn check_as(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    from: crate::syntax::dockerfile::SyntaxNode<'_>,
    file_case: Case,
) {
    let Some(as_token) = from
        .child_node(SyntaxKind::StageAlias)
        .and_then(|alias| alias.child_token(SyntaxKind::AsKeyword))
    else {
        return;
    };
    if case_of(as_token.text()) == file_case {
        return;
    }
    let message = format!(
        "`{}` is not in the case of the keywords around it: write `{}`",
        as_token.text(),
        in_case(as_token.text(), file_case)
    );
    push(
        ctx,
        out,
        as_token.range(),
        as_token.text(),
        file_case,
        message,
    );
}

fn push(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    range: TextRange,
    written: &str,
    case: Case,
    message: String,
) {
    let replacement = in_case(written, case);
    // A keyword split by a line continuation is left for a person.
    let fix = (ctx.text.get(range.as_usize()) == Some(written)).then(|| Fix {
        title: format!("Write `{replacement}`"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range,
            new_text: replacement.clone(),
        }],
    });
    out.push(match fix {
        Some(fix) => INSTRUCTION_CASING.diagnostic_with_fix(range, message, fix),
        None => INSTRUCTION_CASING.diagnostic(range, message),
    });
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF006", src)
    }

    fn flagged(src: &str) -> Vec<(String, String)> {
        findings(src)
            .into_iter()
            .map(|d| {
                let fix = d
                    .fix
                    .map(|f| f.edits[0].new_text.clone())
                    .unwrap_or_default();
                (src[d.range.as_usize()].to_owned(), fix)
            })
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn minority_and_mixed_keywords_in_an_upper_case_file() {
        let src = "FROM alpine\nrun a\nCopy b c\nRUN d\nCMD e\n";
        assert_eq!(flagged(src), [pair("run", "RUN"), pair("Copy", "COPY")]);
    }

    #[test]
    fn a_lower_case_file_is_held_to_lower_case() {
        let src = "from alpine\nrun a\nRUN b\nworkdir /x\n";
        assert_eq!(flagged(src), [pair("RUN", "run")]);
        let msg = &findings(src)[0].message;
        assert!(msg.contains("upper case while the other instructions are in lower"));
    }

    #[test]
    fn ties_go_to_upper_case() {
        assert_eq!(flagged("from a\nRUN b\n"), [pair("from", "FROM")]);
    }

    #[test]
    fn as_follows_from() {
        assert_eq!(
            flagged("FROM a as b\nfrom c AS d\nFROM e As f\nRUN x\n"),
            [pair("as", "AS"), pair("from", "FROM"), pair("As", "AS")]
        );
        assert_eq!(
            flagged("from a as b\nFROM c as d\nrun x\n"),
            [pair("FROM", "from")]
        );
        assert!(flagged("FROM a AS b\nFROM c\nRUN x\n").is_empty());
        assert!(flagged("from a as b\nrun x\n").is_empty());
    }

    #[test]
    fn onbuild_triggers_count_and_unknown_words_do_not() {
        assert_eq!(
            flagged("FROM a\nONBUILD run x\nFOO bar\nRUN y\n"),
            [pair("run", "RUN")]
        );
    }

    #[test]
    fn fixes_converge() {
        let src = "FROM a as b\nrun x\nCmd y\n";
        let mut text = src.to_owned();
        for _ in 0..3 {
            text = testing::fixed_all(&text, &findings(&text));
        }
        assert_eq!(text, "FROM a AS b\nRUN x\nCMD y\n");
        assert!(findings(&text).is_empty());
    }
}
