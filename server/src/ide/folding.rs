//! Folding ranges: stages, continued instructions, heredocs, comment blocks.
//!
//! - A stage folds from its `FROM` to its last instruction.
//! - An instruction continued over several lines folds from its keyword to the end of its
//!   last logical line (its heredoc bodies fold on their own).
//! - A heredoc folds from the line its body starts after (the marker's line, or the previous
//!   heredoc's terminator) to its terminator, so the collapsed view keeps the marker visible.
//! - Two or more consecutive top-level comment lines fold together.
//!
//! Only ranges spanning two lines or more are reported, and at most one per start line (the
//! longest), since editors keep only one fold per line.

use super::{DockerfileAnalysis, FoldKind, FoldingRange};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{SyntaxElement, SyntaxKind, SyntaxNode};
use crate::text::LineIndex;

pub fn folding_ranges(analysis: &DockerfileAnalysis) -> Vec<FoldingRange> {
    let text = analysis.text();
    let lines = LineIndex::new(text);
    let mut folds = Vec::new();
    for stage in &analysis.model.stages {
        folds.push(region(stage.range));
    }
    let mut comments = CommentRun::default();
    for child in analysis.parse.tree.root().children_with_tokens() {
        match child {
            SyntaxElement::Token(token) => match token.kind() {
                SyntaxKind::Comment => {
                    let line = lines.line_of(token.range().start);
                    if let Some(done) = comments.add(token.range(), line) {
                        folds.push(done);
                    }
                }
                // Blank lines and indentation do not end a run on their own: the line numbers
                // tell whether the next comment follows directly.
                SyntaxKind::Newline | SyntaxKind::Indent | SyntaxKind::Whitespace => {}
                _ => folds.extend(comments.finish()),
            },
            SyntaxElement::Node(node) => {
                folds.extend(comments.finish());
                if matches!(node.kind(), SyntaxKind::Instruction(_)) {
                    instruction_folds(node, &mut folds);
                }
            }
        }
    }
    folds.extend(comments.finish());
    keep_multiline_one_per_line(folds, &lines)
}

fn region(range: TextRange) -> FoldingRange {
    FoldingRange {
        range,
        kind: FoldKind::Region,
    }
}

/// The logical part of an instruction, and each of its heredocs.
fn instruction_folds(instruction: SyntaxNode<'_>, folds: &mut Vec<FoldingRange>) {
    let mut logical: Option<TextRange> = None;
    let mut previous_end = instruction.range().start;
    for child in instruction.children_with_tokens() {
        let range = child.range();
        match child {
            SyntaxElement::Node(node) if node.kind() == SyntaxKind::Heredoc => {
                // Start at the line break before the body: the fold's first line is then the
                // line with the marker (or the previous terminator).
                folds.push(region(TextRange::new(previous_end, range.end)));
            }
            SyntaxElement::Node(node) => {
                logical = Some(logical.map_or(range, |l| l.cover(range)));
                // An ONBUILD trigger's heredocs sit in the ONBUILD node, not in the trigger.
                if matches!(node.kind(), SyntaxKind::Instruction(_)) {
                    instruction_folds(node, folds);
                }
            }
            SyntaxElement::Token(token) if !token.kind().is_line_trivia() => {
                logical = Some(logical.map_or(range, |l| l.cover(range)));
            }
            SyntaxElement::Token(_) => {}
        }
        if child.kind() != SyntaxKind::Newline {
            previous_end = range.end;
        }
    }
    if let Some(logical) = logical {
        folds.push(region(logical));
    }
}

/// Consecutive comment lines.
#[derive(Default)]
struct CommentRun {
    range: Option<TextRange>,
    first_line: usize,
    last_line: usize,
}

impl CommentRun {
    /// Adds a comment on `line`; returns the previous run when this one does not continue it.
    fn add(&mut self, range: TextRange, line: usize) -> Option<FoldingRange> {
        let continues = self.range.is_some() && line == self.last_line + 1;
        let done = if continues { None } else { self.finish() };
        match &mut self.range {
            Some(run) if continues => *run = run.cover(range),
            _ => {
                self.range = Some(range);
                self.first_line = line;
            }
        }
        self.last_line = line;
        done
    }

    /// The run so far, if it spans two lines or more; starts a new one.
    fn finish(&mut self) -> Option<FoldingRange> {
        let run = self.range.take()?;
        (self.last_line > self.first_line).then_some(FoldingRange {
            range: run,
            kind: FoldKind::Comment,
        })
    }
}

/// Drops single-line ranges, keeps the longest range per start line, sorts by start.
fn keep_multiline_one_per_line(
    mut folds: Vec<FoldingRange>,
    lines: &LineIndex,
) -> Vec<FoldingRange> {
    let line_span = |f: &FoldingRange| (lines.line_of(f.range.start), lines.line_of(f.range.end));
    folds.retain(|f| {
        let (start, end) = line_span(f);
        end > start
    });
    folds.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<FoldingRange> = Vec::with_capacity(folds.len());
    for fold in folds {
        let start_line = lines.line_of(fold.range.start);
        match kept.last_mut() {
            Some(last) if lines.line_of(last.range.start) == start_line => {
                if fold.range.end > last.range.end {
                    *last = fold;
                }
            }
            _ => kept.push(fold),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each fold as `first-last kind` with 1-based lines.
    fn folds(src: &str) -> Vec<String> {
        let analysis = DockerfileAnalysis::new(src);
        let lines = LineIndex::new(src);
        folding_ranges(&analysis)
            .iter()
            .map(|f| {
                assert!(f.range.end as usize <= src.len());
                format!(
                    "{}-{} {:?}",
                    lines.line_of(f.range.start) + 1,
                    lines.line_of(f.range.end) + 1,
                    f.kind
                )
            })
            .collect()
    }

    #[test]
    fn stages_instructions_heredocs_and_comments() {
        let src = "# syntax=docker/dockerfile:1\n\
                   # one\n\
                   # two\n\
                   FROM alpine AS build\n\
                   RUN apk add \\\n\
                   \x20   curl \\\n\
                   \x20   git\n\
                   # lone\n\
                   \n\
                   COPY <<EOF <<END /\n\
                   a\n\
                   EOF\n\
                   b\n\
                   END\n\
                   FROM scratch\n";
        assert_eq!(
            folds(src),
            [
                "2-3 Comment",
                "4-14 Region",
                "5-7 Region",
                "10-12 Region",
                "12-14 Region",
            ]
        );
    }

    #[test]
    fn comment_runs_break_at_blank_lines_and_instructions() {
        let src = "# a\n# b\n\n# c\n# d\n  # e\nFROM x\n# f\nRUN y\n# g\n# h";
        assert_eq!(
            folds(src),
            ["1-2 Comment", "4-6 Comment", "7-9 Region", "10-11 Comment"]
        );
    }

    #[test]
    fn continued_heredoc_instruction_and_onbuild() {
        let src = "FROM a\nRUN --mount=type=cache,target=/c \\\n  sh <<EOF\nx\nEOF\nONBUILD RUN <<EOF\ny\nEOF\n";
        assert_eq!(
            folds(src),
            ["1-8 Region", "2-3 Region", "3-5 Region", "6-8 Region"]
        );
    }

    #[test]
    fn a_multiline_from_gives_way_to_its_stage() {
        let src = "FROM alpine \\\n  AS b\nRUN x\n";
        assert_eq!(folds(src), ["1-3 Region"]);
    }

    #[test]
    fn broken_files_do_not_panic() {
        for src in [
            "",
            "#",
            "# a\n# b",
            "FROM a\nRUN <<EOF\nunterminated\n",
            "FROM a\nRUN x \\\n",
            "\r\n# a\r\n# b\r\nFROM a\r\nRUN b \\\r\n c\r\n",
        ] {
            let _ = folds(src);
        }
        assert_eq!(folds("# a\r\n# b\r\n"), ["1-2 Comment"]);
    }
}
