use std::borrow::Cow;

use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;

declare_rule! {
    /// ## What it does
    /// Reports arguments written like a JSON array but with single quotes, such as
    /// `CMD ['node', 'app.js']`.
    ///
    /// ## Why is this bad?
    /// JSON strings take double quotes only. Docker does not reject the line: it silently
    /// falls back to the shell form, so `CMD ['node', 'app.js']` runs
    /// `/bin/sh -c "['node', 'app.js']"`, which fails when the container starts. In `COPY`,
    /// `ADD` and `VOLUME` the brackets and quotes become part of the paths.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ['python', '/app/app.py']
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
    /// Safe: the fix swaps the single quotes for double quotes, giving the exec form the line
    /// was meant to have. There is no fix when a string holds a `"` or a backslash, or when
    /// the array spans several lines.
    ///
    /// ## References
    /// - Dockerfile reference, shell and exec form: <https://docs.docker.com/reference/dockerfile/#shell-and-exec-form>
    pub const JSON_SINGLE_QUOTES = {
        code: "DF009",
        name: "json-single-quotes",
        severity: Error,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        if instruction.json().is_some() {
            continue;
        }
        let Some((text, range)) = arguments(&instruction) else {
            continue;
        };
        let Some(elements) = single_quoted_array(&text) else {
            continue;
        };
        let runs_in_shell = !matches!(
            instruction.kind(),
            InstructionKind::Copy | InstructionKind::Add | InstructionKind::Volume
        );
        let message = if runs_in_shell {
            "JSON needs double quotes: with single quotes this is not the exec form but a \
             shell command, which fails when it runs"
        } else {
            "JSON needs double quotes: with single quotes the brackets, quotes and commas \
             become part of the paths"
        };
        let written_on_one_line = ctx.text.get(range.as_usize()) == Some(text.as_ref());
        // COPY and ADD need a source and a destination in the JSON form too.
        let enough = match instruction.kind() {
            InstructionKind::Copy | InstructionKind::Add => elements.len() >= 2,
            _ => !elements.is_empty(),
        };
        let fix = (written_on_one_line && enough)
            .then(|| json_array(&elements))
            .flatten()
            .map(|json| Fix {
                title: format!("Use double quotes: {json}"),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    range,
                    new_text: json,
                }],
            });
        out.push(match fix {
            Some(fix) => JSON_SINGLE_QUOTES.diagnostic_with_fix(range, message, fix),
            None => JSON_SINGLE_QUOTES.diagnostic(range, message),
        });
    }
}

/// The arguments of an instruction that has an exec form, as the builder reads them, and
/// their range.
fn arguments<'t>(instruction: &Instruction<'t>) -> Option<(Cow<'t, str>, TextRange)> {
    match instruction.kind() {
        InstructionKind::Run
        | InstructionKind::Cmd
        | InstructionKind::Entrypoint
        | InstructionKind::Shell
        | InstructionKind::Healthcheck => {
            let shell = instruction.shell()?;
            Some((shell.text(), shell.range()))
        }
        InstructionKind::Copy | InstructionKind::Add | InstructionKind::Volume => {
            let mut words = instruction.words();
            let first = words.next()?;
            let last = words.last().unwrap_or(first);
            Some((instruction.args_text(), first.range().cover(last.range())))
        }
        _ => None,
    }
}

/// One string of a bracketed list: its text between the quotes and its quote character.
struct Element<'a> {
    text: &'a str,
    quote: u8,
}

/// The strings of `['a', "b", ...]` when the text is such a list with at least one
/// single-quoted string (a list with double quotes only would be valid JSON).
fn single_quoted_array(text: &str) -> Option<Vec<Element<'_>>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    let bytes = inner.as_bytes();
    let mut elements = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *bytes.get(i)?;
        if quote != b'\'' && quote != b'"' {
            return None;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end] != quote {
            // Inside double quotes a backslash takes the next character along.
            end += if quote == b'"' && bytes[end] == b'\\' {
                2
            } else {
                1
            };
        }
        if end >= bytes.len() {
            return None;
        }
        elements.push(Element {
            text: &inner[start..end],
            quote,
        });
        i = end + 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return None,
        }
    }
    elements
        .iter()
        .any(|e| e.quote == b'\'')
        .then_some(elements)
}

/// The list as JSON, unless a single-quoted string would need escaping.
fn json_array(elements: &[Element<'_>]) -> Option<String> {
    let mut parts = Vec::with_capacity(elements.len());
    for element in elements {
        let needs_escaping =
            element.text.contains(['"', '\\']) || element.text.chars().any(char::is_control);
        if element.quote == b'\'' && needs_escaping {
            return None;
        }
        parts.push(format!("\"{}\"", element.text));
    }
    Some(format!("[{}]", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF009", src)
    }

    fn fixed(src: &str) -> Option<String> {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        found[0].fix.as_ref()?;
        Some(testing::fixed(src, &found[0]))
    }

    #[test]
    fn single_quoted_arrays_in_every_form() {
        assert_eq!(
            fixed("FROM a\nCMD ['node', 'app.js']\n").as_deref(),
            Some("FROM a\nCMD [\"node\", \"app.js\"]\n")
        );
        assert_eq!(
            fixed("FROM a\nHEALTHCHECK --interval=5s CMD ['curl','-f', \"http://x\"]\n").as_deref(),
            Some("FROM a\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://x\"]\n")
        );
        assert_eq!(
            fixed("FROM a\nCOPY ['a b.txt', '/dst/']\n").as_deref(),
            Some("FROM a\nCOPY [\"a b.txt\", \"/dst/\"]\n")
        );
        assert_eq!(
            fixed("FROM a\nONBUILD RUN ['make']\n").as_deref(),
            Some("FROM a\nONBUILD RUN [\"make\"]\n")
        );
        let found = findings("FROM a\nVOLUME ['/data']\n");
        assert!(found[0].message.contains("part of the paths"));
    }

    #[test]
    fn no_fix_when_escaping_or_lines_are_involved() {
        assert_eq!(fixed("FROM a\nCMD ['echo', 'say \"hi\"']\n"), None);
        assert_eq!(fixed("FROM a\nCMD ['echo', \\\n  'hi']\n"), None);
        assert_eq!(fixed("FROM a\nCOPY ['only one']\n"), None);
        assert_eq!(fixed("FROM a\nCMD ['a\tb']\n"), None);
    }

    #[test]
    fn shell_tests_and_valid_json_pass() {
        for line in [
            "RUN [ -f /etc/os-release ] && cat /etc/os-release",
            "RUN [ 'a' = 'b' ]",
            "RUN [ -n \"$X\" ]",
            "CMD [\"node\", \"app.js\"]",
            "CMD []",
            "RUN echo ['a', 'b']",
            "COPY a b",
            "HEALTHCHECK NONE",
        ] {
            let src = format!("FROM a\n{line}\n");
            assert!(findings(&src).is_empty(), "{line}");
        }
    }
}
