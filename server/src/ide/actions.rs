//! Code actions beside each finding's own fix: silencing a rule for one instruction, and
//! fixing everything safe at once (the editor's fix-on-save).

use super::TextEdit;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::{ComposeFacts, DockerfileFacts};
use crate::fix::{FixMode, fix_compose, fix_dockerfile};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::Parse;
use crate::syntax::dockerfile::ast::Dockerfile;

/// The edit that silences `diagnostic`'s rule on the instruction it is in: a
/// `# dockwise: ignore=CODE` comment line above it, or the code added to such a comment
/// that is already there. `None` for findings outside any instruction.
pub fn suppress_for_instruction(parse: &Parse, diagnostic: &Diagnostic) -> Option<TextEdit> {
    let text = parse.tree.text();
    let file = Dockerfile::new(&parse.tree);
    let instruction = file.instructions().find(|i| {
        i.range().start <= diagnostic.range.start
            && diagnostic.range.start < i.range().end.max(i.range().start + 1)
    })?;
    let start = instruction.range().start as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    ignore_comment_edit(text, line_start, indent, diagnostic.code)
}

/// Every safe fix applied until the file is stable, as one edit covering what changed.
/// `None` when there is nothing to fix.
pub fn fix_all(text: &str, facts: &DockerfileFacts, config: &Config) -> Option<TextEdit> {
    let outcome = fix_dockerfile(text, facts, config, FixMode::Safe);
    if outcome.text == text {
        return None;
    }
    Some(minimal_edit(text, &outcome.text))
}

/// One edit turning `before` into `after`: the changed middle, common prefix and suffix
/// kept (so the editor keeps the cursor and folds outside it).
fn minimal_edit(before: &str, after: &str) -> TextEdit {
    let prefix = before
        .char_indices()
        .zip(after.chars())
        .find(|((_, a), b)| a != b)
        .map_or(before.len().min(after.len()), |((i, _), _)| i);
    let max_suffix = (before.len() - prefix).min(after.len() - prefix);
    let suffix = before[prefix..]
        .chars()
        .rev()
        .zip(after[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0usize, |sum, len| {
            *sum += len;
            Some(*sum)
        })
        .take_while(|&sum| sum <= max_suffix)
        .last()
        .unwrap_or(0);
    TextEdit {
        range: TextRange::new(prefix as u32, (before.len() - suffix) as u32),
        new_text: after[prefix..after.len() - suffix].to_owned(),
    }
}

/// Every safe fix of a compose file applied until it is stable, as one edit.
pub fn fix_all_compose(text: &str, facts: &ComposeFacts, config: &Config) -> Option<TextEdit> {
    let outcome = fix_compose(text, facts, config, FixMode::Safe);
    if outcome.text == text {
        return None;
    }
    Some(minimal_edit(text, &outcome.text))
}

/// The edit that silences `diagnostic`'s rule in a compose file: a `# dockwise: ignore=CODE`
/// comment on its own line above the line the finding starts on, indented like that line
/// (it then covers the YAML entry starting there), or the code added to such a comment
/// already there.
pub fn suppress_in_compose(text: &str, diagnostic: &Diagnostic) -> Option<TextEdit> {
    let start = (diagnostic.range.start as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    // The line's indentation; for a list item (`- x`), the dash's column.
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let indent = " ".repeat(spaces);
    ignore_comment_edit(text, line_start, &indent, diagnostic.code)
}

/// A `# dockwise: ignore=CODE` comment line, indented by `indent`, inserted at
/// `line_start`; or `code` added to such a comment on the line right above.
fn ignore_comment_edit(
    text: &str,
    line_start: usize,
    indent: &str,
    code: &str,
) -> Option<TextEdit> {
    // An ignore comment on the line right above: add the code to its list.
    if line_start > 0 {
        let above_end = line_start - 1;
        let above_end = if text[..above_end].ends_with('\r') {
            above_end - 1
        } else {
            above_end
        };
        let above_start = text[..above_end].rfind('\n').map_or(0, |i| i + 1);
        let above = &text[above_start..above_end];
        let trimmed = above.trim_start();
        if let Some(rest) = trimmed.strip_prefix("# dockwise: ignore=") {
            let list_len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
            let list = &rest[..list_len];
            if list.split(',').any(|c| c.eq_ignore_ascii_case(code)) {
                return None;
            }
            let at = (above_start
                + (above.len() - trimmed.len())
                + "# dockwise: ignore=".len()
                + list_len) as u32;
            return Some(TextEdit {
                range: TextRange::empty(at),
                new_text: format!(",{}", code),
            });
        }
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(TextEdit {
        range: TextRange::empty(line_start as u32),
        new_text: format!("{indent}# dockwise: ignore={}{newline}", code),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check_dockerfile;
    use crate::syntax::dockerfile::parse;

    fn apply(text: &str, edit: &TextEdit) -> String {
        let mut out = text.to_owned();
        out.replace_range(edit.range.as_usize(), &edit.new_text);
        out
    }

    #[test]
    fn suppression_comment_silences_the_finding() {
        let src = "FROM alpine:3.20\n  MAINTAINER x\nMAINTAINER y\n";
        let parse = parse(src);
        let diagnostics = check_dockerfile(src);
        let first = diagnostics.iter().find(|d| d.code == "DF010").unwrap();
        let edit = suppress_for_instruction(&parse, first).unwrap();
        let fixed = apply(src, &edit);
        assert_eq!(
            fixed,
            "FROM alpine:3.20\n  # dockwise: ignore=DF010\n  MAINTAINER x\nMAINTAINER y\n"
        );
        let left: Vec<_> = check_dockerfile(&fixed)
            .into_iter()
            .filter(|d| d.code == "DF010")
            .collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn an_existing_comment_is_extended_and_crlf_kept() {
        let src = "FROM alpine:3.20\r\n# dockwise: ignore=DF002 -- why\r\nMAINTAINER x\r\n";
        let parsed = parse(src);
        let d = check_dockerfile(src)
            .into_iter()
            .find(|d| d.code == "DF010")
            .unwrap();
        let fixed = apply(src, &suppress_for_instruction(&parsed, &d).unwrap());
        assert_eq!(
            fixed,
            "FROM alpine:3.20\r\n# dockwise: ignore=DF002,DF010 -- why\r\nMAINTAINER x\r\n"
        );
        assert!(check_dockerfile(&fixed).iter().all(|d| d.code != "DF010"));
        let src = "FROM alpine:3.20\r\nMAINTAINER x\r\n";
        let d = check_dockerfile(src)
            .into_iter()
            .find(|d| d.code == "DF010")
            .unwrap();
        let fixed = apply(src, &suppress_for_instruction(&parse(src), &d).unwrap());
        assert_eq!(
            fixed,
            "FROM alpine:3.20\r\n# dockwise: ignore=DF010\r\nMAINTAINER x\r\n"
        );
    }

    #[test]
    fn fix_all_is_one_minimal_edit() {
        let src = "FROM alpine:3.20\nMAINTAINER Jane\nRUN echo ok\nMAINTAINER Joe\n";
        let edit = fix_all(src, &DockerfileFacts::default(), &Config::default()).unwrap();
        let fixed = apply(src, &edit);
        assert!(!fixed.contains("MAINTAINER"), "{fixed}");
        assert!(edit.range.start >= "FROM alpine:3.20\n".len() as u32);
        assert!(fix_all(&fixed, &DockerfileFacts::default(), &Config::default()).is_none());
    }

    #[test]
    fn minimal_edits_respect_char_boundaries() {
        for (a, b) in [
            ("aé", "aè"),
            ("abc", "abc!"),
            ("xyz", "z"),
            ("한국어", "한어"),
            ("", "x"),
        ] {
            let edit = minimal_edit(a, b);
            assert_eq!(apply(a, &edit), b, "{a} -> {b}");
        }
    }
}
