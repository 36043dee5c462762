//! Selection ranges: token, word, argument, instruction, stage.
//!
//! From the cursor outwards: a variable's name, its `${...}` expression, a quoted value's
//! inside, a `key=value` field of a flag such as `--mount`, the token, then the syntax nodes
//! holding it (word, flag, key/value pair, image reference, JSON array, heredoc), the
//! instruction's arguments, the instruction, its stage, and the file. In a heredoc body the
//! cursor's line comes before the whole body. Each range strictly contains the previous one.

use super::DockerfileAnalysis;
use super::navigation::{VariableRef, tokens_at, touch_rank, variable_refs};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};

pub fn selection_ranges(analysis: &DockerfileAnalysis, offset: u32) -> Vec<TextRange> {
    let tree = &analysis.parse.tree;
    if offset as usize > tree.text().len() {
        return Vec::new();
    }
    let mut chain = Chain {
        offset,
        ranges: Vec::new(),
    };
    // On whitespace between words the innermost range is the node around it.
    let start_node = match tokens_at(tree, offset).first() {
        Some(&token) => {
            for range in inside_token(token, offset, analysis.model.escape) {
                chain.push(range);
            }
            chain.push(token.range());
            token.parent()
        }
        None => match tree.token_at_offset(offset).or_else(|| {
            offset
                .checked_sub(1)
                .and_then(|before| tree.token_at_offset(before))
        }) {
            Some(token) => token.parent(),
            None => tree.root(),
        },
    };
    let mut node = Some(start_node);
    while let Some(current) = node {
        if matches!(current.kind(), SyntaxKind::Instruction(_))
            && let Some(arguments) = arguments_range(current)
        {
            chain.push(arguments);
        }
        if current.kind() == SyntaxKind::File {
            let stage = analysis
                .model
                .stage_at(chain.last().map_or(offset, |r| r.start));
            if let Some(stage) = stage {
                chain.push(stage.range);
            }
        }
        chain.push(current.range());
        node = current.parent();
    }
    chain.ranges
}

/// Ranges around the cursor that each strictly contain the previous one.
struct Chain {
    offset: u32,
    ranges: Vec<TextRange>,
}

impl Chain {
    /// Adds `range` if it grows the selection; ranges that are empty, miss the cursor, do not
    /// contain the last one or equal it are skipped.
    fn push(&mut self, range: TextRange) {
        match self.ranges.last() {
            _ if range.is_empty() || !range.touches(self.offset) => {}
            Some(&last) if range == last || !range.contains_range(last) => {}
            _ => self.ranges.push(range),
        }
    }

    fn last(&self) -> Option<&TextRange> {
        self.ranges.last()
    }
}

/// Parts of `token` around the cursor, innermost first.
fn inside_token(token: SyntaxToken<'_>, offset: u32, escape: char) -> Vec<TextRange> {
    let mut ranges = Vec::new();
    if let Some(reference) = variable_at(token, offset, escape) {
        ranges.push(reference.name);
        ranges.push(reference.head);
        if let Some(expression) = braced_expression(token, &reference) {
            ranges.push(expression);
        }
    }
    match token.kind() {
        SyntaxKind::FlagValue => ranges.extend(flag_field(token, offset)),
        SyntaxKind::HeredocBody => ranges.extend(line_around(token, offset)),
        _ => {}
    }
    ranges.extend(inside_quotes(token));
    ranges
}

/// The variable use at the cursor, looked for in the whole word or value the token is part of
/// (quotes opened before a line continuation matter).
fn variable_at(token: SyntaxToken<'_>, offset: u32, escape: char) -> Option<VariableRef> {
    if !token.text().contains('$') {
        return None;
    }
    variable_refs(token.parent(), escape)
        .into_iter()
        .filter(|r| token.range().contains_range(r.head) && r.head.touches(offset))
        .min_by_key(|r| touch_rank(r.head, offset))
}

/// `${NAME...}` up to its closing brace, if that is in the same token.
fn braced_expression(token: SyntaxToken<'_>, reference: &VariableRef) -> Option<TextRange> {
    if !reference.braced {
        return None;
    }
    let base = token.range().start;
    let text = token.text();
    let from = (reference.name.end - base) as usize;
    let mut depth = 1usize;
    for (i, b) in text.get(from..)?.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    let end = base + (from + i + 1) as u32;
                    return Some(TextRange::new(reference.head.start, end));
                }
            }
            _ => {}
        }
    }
    None
}

/// The `key=value` field of a CSV flag value (`type=cache,target=/x`) at the cursor: its
/// value, then the whole field.
fn flag_field(token: SyntaxToken<'_>, offset: u32) -> Vec<TextRange> {
    let text = token.text();
    let base = token.range().start;
    let cursor = (offset - base) as usize;
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ',')))
    {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                if start <= cursor && cursor <= i {
                    let field = TextRange::new(base + start as u32, base + i as u32);
                    let value = text[start..i]
                        .find('=')
                        .map(|eq| TextRange::new(field.start + eq as u32 + 1, field.end));
                    return value
                        .filter(|v| v.touches(offset))
                        .into_iter()
                        .chain([field])
                        .collect();
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The line of a heredoc body holding the cursor, without its line break.
fn line_around(token: SyntaxToken<'_>, offset: u32) -> Option<TextRange> {
    let text = token.text();
    let base = token.range().start;
    let cursor = (offset - base) as usize;
    let start = text.get(..cursor)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text
        .get(cursor..)?
        .find('\n')
        .map_or(text.len(), |i| cursor + i);
    let line = text[start..end].trim_end_matches('\r');
    Some(TextRange::new(
        base + start as u32,
        base + (start + line.len()) as u32,
    ))
}

/// The inside of a token quoted whole: `"a b"`, `'x'`, a JSON string.
fn inside_quotes(token: SyntaxToken<'_>) -> Option<TextRange> {
    let text = token.text();
    let quote = text.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let quoted = text.len() >= 2 && text.ends_with(quote);
    let range = token.range();
    quoted.then(|| TextRange::new(range.start + 1, range.end - 1))
}

/// An instruction's flags and arguments: everything after the keyword except heredoc bodies.
fn arguments_range(instruction: SyntaxNode<'_>) -> Option<TextRange> {
    instruction
        .children_with_tokens()
        .filter(|child| match child {
            SyntaxElement::Token(t) => {
                t.kind() != SyntaxKind::Keyword
                    && t.kind() != SyntaxKind::Whitespace
                    && !t.kind().is_line_trivia()
            }
            SyntaxElement::Node(n) => n.kind() != SyntaxKind::Heredoc,
        })
        .map(|child| child.range())
        .reduce(TextRange::cover)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::{slice, with_cursor};

    fn selections(fixture: &str) -> Vec<String> {
        let (analysis, offset) = with_cursor(fixture);
        let ranges = selection_ranges(&analysis, offset);
        for pair in ranges.windows(2) {
            assert!(
                pair[1].contains_range(pair[0]) && pair[1] != pair[0],
                "{ranges:?}"
            );
        }
        ranges
            .iter()
            .map(|&r| slice(&analysis, r).to_owned())
            .collect()
    }

    #[test]
    fn from_a_variable_to_the_file() {
        let src = "FROM alpine\nRUN echo ${NA$0ME:-x} done\nFROM b\n";
        assert_eq!(
            selections(src),
            [
                "NAME",
                "${NAME",
                "${NAME:-x}",
                "echo ${NAME:-x} done",
                "RUN echo ${NAME:-x} done",
                "FROM alpine\nRUN echo ${NAME:-x} done",
                "FROM alpine\nRUN echo ${NAME:-x} done\nFROM b\n",
            ]
        );
    }

    #[test]
    fn mount_fields() {
        let src = "FROM a\nRUN --mount=type=cache,target=/r$0oot true\n";
        assert_eq!(
            selections(src)[..6],
            [
                "/root",
                "target=/root",
                "type=cache,target=/root",
                "--mount=type=cache,target=/root",
                "--mount=type=cache,target=/root true",
                "RUN --mount=type=cache,target=/root true",
            ]
        );
    }

    #[test]
    fn key_values_quotes_and_images() {
        assert_eq!(
            selections("FROM a\nENV A=\"x $0y\" B=2\n")[..5],
            [
                "x y",
                "\"x y\"",
                "A=\"x y\"",
                "A=\"x y\" B=2",
                "ENV A=\"x y\" B=2"
            ]
        );
        assert_eq!(
            selections("FROM alpine:3.$020 AS b\n")[..4],
            [
                "3.20",
                "alpine:3.20",
                "alpine:3.20 AS b",
                "FROM alpine:3.20 AS b"
            ]
        );
        assert_eq!(
            selections("FROM a\nCMD [\"a\", \"b$0\"]\n")[..4],
            ["b", "\"b\"", "[\"a\", \"b\"]", "CMD [\"a\", \"b\"]"]
        );
    }

    #[test]
    fn heredoc_lines() {
        let src = "FROM a\nRUN <<EOF\nline one\nline t$0wo\nEOF\n";
        assert_eq!(
            selections(src)[..4],
            [
                "line two",
                "line one\nline two\n",
                "line one\nline two\nEOF",
                "RUN <<EOF\nline one\nline two\nEOF"
            ]
        );
    }

    #[test]
    fn whitespace_and_edges() {
        assert_eq!(
            selections("FROM a\nCOPY a $0  b\n")[..2],
            ["a   b", "COPY a   b"]
        );
        assert_eq!(selections("FROM a$0"), ["a", "FROM a"]);
        assert_eq!(selections("$0"), Vec::<String>::new());
        let (analysis, _) = with_cursor("FROM a\n$0");
        assert!(selection_ranges(&analysis, 100).is_empty());
        assert_eq!(selections("FROM a\n$0"), ["FROM a\n"]);
    }

    #[test]
    fn any_offset_is_safe_and_nested() {
        for src in [
            "",
            "# c\nFROM a AS b\nRUN x \\\n  # c\n  y\n",
            "ARG A=${B:-${C}} D\nFROM ${A}\nRUN --mount=\"type=bind,from=x\",target=/t $A \"${B\"\n",
            "FROM a\nRUN <<EOF cat <<-E2\r\nx\r\nEOF\r\n\tE2\r\n",
            "\u{feff}FROM é\nLABEL ü=\"ö\" \nONBUILD RUN ${ü}\n",
            "FROM a\nCOPY [\"a\nRUN ${\n",
        ] {
            let analysis = DockerfileAnalysis::new(src);
            for offset in 0..=src.len() as u32 + 1 {
                let ranges = selection_ranges(&analysis, offset);
                for pair in ranges.windows(2) {
                    assert!(pair[1].contains_range(pair[0]) && pair[1] != pair[0]);
                }
                if let Some(first) = ranges.first() {
                    assert!(first.touches(offset), "{src:?} {offset} {ranges:?}");
                    assert!(ranges.last().unwrap().end as usize <= src.len());
                }
            }
        }
    }
}
