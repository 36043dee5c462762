//! Snapshot tests of the Dockerfile parser on our own small inputs in
//! `tests/fixtures/parser/*.Dockerfile` (one theme per file: heredocs, directives, line
//! continuations, CRLF, BOM, broken JSON, half-typed lines, ...).
//!
//! Each snapshot holds, for one fixture: the escape character in effect, the syntax errors
//! with `line:col` positions (1-based; columns count characters), BuildKit's AST dump of our
//! tree, the heredocs as the typed view reports them, and the tree itself. The tree must also be lossless and well formed.
//!
//! Review a changed snapshot by eye before accepting it (`cargo insta review`): a snapshot
//! that records a bug is worse than none. The fixtures' bytes matter (CRLF, BOM, tabs), so
//! `fixtures/parser/.gitattributes` keeps git from touching line endings.

mod support;

use std::fmt::Write as _;

use dockwise::syntax::dockerfile::ast::{Dockerfile, Instruction};
use dockwise::syntax::dockerfile::{SyntaxTree, buildkit_dump, parse};

/// The heredocs as the typed view reports them (BuildKit's dump does not show them), for
/// every instruction and ONBUILD trigger that has any.
fn heredocs_section(out: &mut String, text: &str, tree: &SyntaxTree) {
    let mut instructions: Vec<Instruction<'_>> = Vec::new();
    for instruction in Dockerfile::new(tree).instructions() {
        instructions.push(instruction);
        instructions.extend(instruction.trigger());
    }
    let mut header = false;
    for instruction in instructions {
        for heredoc in instruction.heredocs() {
            if !header {
                let _ = writeln!(out, "-- heredocs");
                header = true;
            }
            let (line, _) = support::line_col(text, instruction.range().start);
            let _ = writeln!(
                out,
                "{line} {}: {:?} name={:?} fd={:?} strip_tabs={} expands={} terminated={} body={:?}",
                instruction.name(),
                heredoc.marker_text(),
                heredoc.delimiter(),
                heredoc.file_descriptor(),
                heredoc.strips_tabs(),
                heredoc.expands(),
                heredoc.terminator().is_some(),
                heredoc.body_text(),
            );
        }
    }
}

#[test]
fn parser_fixtures() {
    insta::glob!("fixtures/parser/*.Dockerfile", |path| {
        let bytes = std::fs::read(path).expect("read fixture");
        let text = String::from_utf8(bytes).expect("fixtures are UTF-8");
        let parsed = parse(&text);
        support::check_parse(&text, &parsed);
        support::exercise_views(&parsed.tree);

        let mut out = String::new();
        let _ = writeln!(out, "escape: {:?}", parsed.escape);
        let _ = writeln!(out, "-- errors ({})", parsed.errors.len());
        for error in &parsed.errors {
            let (l1, c1) = support::line_col(&text, error.range.start);
            let (l2, c2) = support::line_col(&text, error.range.end);
            let _ = writeln!(out, "{l1}:{c1}-{l2}:{c2}: {}", error.message);
        }
        let _ = writeln!(out, "-- buildkit dump");
        out.push_str(&buildkit_dump(&parsed.tree));
        heredocs_section(&mut out, &text, &parsed.tree);
        let _ = writeln!(out, "-- tree");
        out.push_str(&parsed.tree.debug_dump());
        insta::assert_snapshot!(out);
    });
}
