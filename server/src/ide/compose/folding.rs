//! Folding ranges of a compose file: collections, block scalars and comment runs.
//!
//! - A mapping or sequence (block or flow) spanning several lines folds from the line of
//!   its key (or its `-`) to its last written value: a collection's own range runs on past
//!   blank lines and comments to the next token, so the end is where the last value's text
//!   ends ([`YamlTree::content_end`], block scalars trimmed).
//! - A block scalar (`|`, `>`) folds from its key to its last line.
//! - Two or more consecutive comment lines fold together (lines inside a multi-line scalar
//!   are no comments).
//!
//! The document itself does not fold, and only the longest range per start line is kept.

use super::ComposeAnalysis;
use super::navigation::written_end;
use crate::ide::{FoldKind, FoldingRange};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind, YamlTree};
use crate::text::LineIndex;

pub fn folding_ranges(analysis: &ComposeAnalysis, text: &str) -> Vec<FoldingRange> {
    let tree = &analysis.parse.tree;
    let lines = LineIndex::new(text);
    let mut folds = Vec::new();
    // Multi-line scalars: their lines are no comment lines.
    let mut scalars: Vec<TextRange> = Vec::new();
    // (node, where its fold starts); the root folds nothing itself.
    let mut stack: Vec<(NodeId, u32)> = Vec::new();
    if let Some(root) = tree.root {
        push_children(tree, root, &mut stack);
    }
    while let Some((id, start)) = stack.pop() {
        let Some(node) = tree.node(id) else {
            continue;
        };
        match &node.kind {
            NodeKind::Mapping(_) | NodeKind::Sequence(_) => {
                folds.push(region(start, written_end(tree, text, id)));
                push_children(tree, id, &mut stack);
            }
            NodeKind::Scalar { style, .. } => {
                let end = trim_end(text, node.range);
                if lines.line_of(node.range.start) != lines.line_of(end) {
                    scalars.push(node.range);
                    if *style == ScalarKind::Block {
                        folds.push(region(start, end));
                    }
                }
            }
            NodeKind::Alias(_) => {}
        }
    }
    folds.extend(comment_runs(text, &scalars));
    keep_multiline_one_per_line(folds, &lines)
}

/// Queues the values and items of a collection, each with where its fold starts: at its
/// key for a mapping's values, at itself for items.
fn push_children(tree: &YamlTree, id: NodeId, stack: &mut Vec<(NodeId, u32)>) {
    let Some(node) = tree.node(id) else {
        return;
    };
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for &(key, value) in entries {
                let Some(value) = value else {
                    continue;
                };
                let start = tree.node(key).map_or(node.range.start, |k| k.range.start);
                stack.push((value, start));
                // A collection as a key (`? [a, b]`) folds too.
                if matches!(
                    tree.node(key).map(|k| &k.kind),
                    Some(NodeKind::Mapping(_) | NodeKind::Sequence(_))
                ) {
                    stack.push((key, start));
                }
            }
        }
        NodeKind::Sequence(items) => {
            for &item in items {
                let start = tree.node(item).map_or(node.range.start, |n| n.range.start);
                stack.push((item, start));
            }
        }
        _ => {}
    }
}

fn region(start: u32, end: u32) -> FoldingRange {
    FoldingRange {
        range: TextRange::new(start, end.max(start)),
        kind: FoldKind::Region,
    }
}

/// The end of a range without the line breaks and spaces it ends with.
fn trim_end(text: &str, range: TextRange) -> u32 {
    let slice = text.get(range.as_usize()).unwrap_or_default();
    range.start + slice.trim_end().len() as u32
}

/// Runs of two or more consecutive comment lines outside multi-line scalars.
fn comment_runs(text: &str, scalars: &[TextRange]) -> Vec<FoldingRange> {
    let mut runs = Vec::new();
    // (first comment's start, last comment's end, last line)
    let mut run: Option<(u32, u32, usize)> = None;
    let mut offset = 0u32;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len() as u32;
        let content = line.trim_end();
        let indent = content.len() - content.trim_start().len();
        let at = start + indent as u32;
        let in_scalar = scalars.iter().any(|s| s.start < at && at < s.end);
        let is_comment = content.trim_start().starts_with('#') && !in_scalar;
        if !is_comment {
            runs.extend(finish(run.take()));
            continue;
        }
        let end = start + content.len() as u32;
        run = match run {
            Some((first, _, last)) if last + 1 == number => Some((first, end, number)),
            other => {
                runs.extend(finish(other));
                Some((at, end, number))
            }
        };
    }
    runs.extend(finish(run));
    runs
}

fn finish(run: Option<(u32, u32, usize)>) -> Option<FoldingRange> {
    let (start, end, _) = run?;
    Some(FoldingRange {
        range: TextRange::new(start, end),
        kind: FoldKind::Comment,
    })
}

/// Drops single-line ranges, keeps the longest range per start line, sorts by start.
fn keep_multiline_one_per_line(
    mut folds: Vec<FoldingRange>,
    lines: &LineIndex,
) -> Vec<FoldingRange> {
    folds.retain(|f| lines.line_of(f.range.end) > lines.line_of(f.range.start));
    folds.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<FoldingRange> = Vec::with_capacity(folds.len());
    for fold in folds {
        let line = lines.line_of(fold.range.start);
        match kept.last_mut() {
            Some(last) if lines.line_of(last.range.start) == line => {
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
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    /// Each fold as `first-last kind` with 1-based lines.
    fn folds(text: &str) -> Vec<String> {
        let analysis =
            ComposeAnalysis::compute(text, None, |_| ComposeFacts::default(), &Config::default());
        let lines = LineIndex::new(text);
        folding_ranges(&analysis, text)
            .iter()
            .map(|f| {
                assert!(f.range.end as usize <= text.len());
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
    fn collections_block_scalars_and_comments() {
        let text = "# one\n# two\nservices:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n      - \"443:443\"\n    command: |\n      run\n      # not a comment\n\n  # between\n  # services\n  db:\n    environment: {A: 1,\n      B: 2}\n    healthcheck:\n      - name: a\n        x: y\nvolumes:\n  data:\n";
        assert_eq!(
            folds(text),
            [
                "1-2 Comment",
                "3-20 Region",
                "4-11 Region",
                "6-8 Region",
                "9-11 Region",
                "13-14 Comment",
                "15-20 Region",
                "16-17 Region",
                "18-20 Region",
                "19-20 Region",
                "21-22 Region",
            ]
        );
    }

    #[test]
    fn trailing_blank_lines_and_comments_stay_outside() {
        let text = "services:\n  web:\n    image: nginx\n\n\n# end\nvolumes:\n  a:\n  b:\n";
        assert_eq!(folds(text), ["1-3 Region", "2-3 Region", "7-9 Region"]);
    }

    #[test]
    fn broken_files_do_not_panic() {
        let text = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"\n  db:\n    image: postgres\n    restart: always\n";
        let found = folds(text);
        assert!(found.contains(&"5-7 Region".to_owned()), "{found:?}");
        for text in [
            "",
            "#",
            "# a\n# b",
            "a:\n  - [\n",
            "\r\n# a\r\n# b\r\nx:\r\n  y: 1\r\n  z: 2\r\n",
        ] {
            let _ = folds(text);
        }
        assert_eq!(folds("# a\r\n# b\r\n"), ["1-2 Comment"]);
    }
}
