//! Property tests of the incremental reparse: after every step of random edit sequences on
//! Dockerfile-like documents, `reparse` of the previous parse equals a full `parse` of the
//! new text in every element (kind, range, parent, subtree end), error and the escape
//! character. The previous parse is itself the reparse of the step before, as in the
//! language server, so errors in reused parts would carry on and show.
//!
//! The edits insert, delete and replace random snippets of Dockerfile syntax
//! (continuations, heredoc markers and terminators, comments, directives, keywords, quotes,
//! CRLF, multi-byte text: see `support/edits.rs`) at random places. Reuse is checked
//! without the size threshold under which `reparse` just parses (so small documents
//! exercise it too) and with it.
//!
//! 256 cases by default; `PROPTEST_CASES=100000 cargo test --release --test reparse` runs
//! more. A failure is shrunk and its seed saved in `tests/reparse.proptest-regressions`
//! (commit that file: it is replayed first on every run).

#[path = "support/edits.rs"]
mod edits;
mod support;

use dockwise::syntax::dockerfile::{Parse, Reparsed, parse, reparse, reparse_explained};
use proptest::prelude::*;

/// The documents the edits start from: the embedded ones, every parser fixture, and a
/// document of several kilobytes (all of them joined) that `reparse` reuses by itself.
fn bases() -> Vec<String> {
    let mut docs = support::edit_bases();
    let mut joined = String::from("# syntax=docker/dockerfile:1\n");
    for doc in [support::NODE, support::PYTHON].iter().cycle().take(12) {
        joined.push_str(doc);
    }
    docs.push(joined);
    docs
}

/// Asserts that `got` equals the full parse of `text`, naming what differs.
fn assert_same(got: &Parse, text: &str, how: Reparsed) -> Result<(), TestCaseError> {
    let want = parse(text);
    prop_assert_eq!(got.tree.text(), text, "text ({:?})", how);
    prop_assert_eq!(
        got.tree.debug_dump(),
        want.tree.debug_dump(),
        "tree ({:?})",
        how
    );
    prop_assert!(
        got.tree.same_as(&want.tree),
        "ranges, parents or subtree ends ({:?})",
        how
    );
    prop_assert_eq!(&got.errors, &want.errors, "errors ({:?})", how);
    prop_assert_eq!(got.escape, want.escape, "escape ({:?})", how);
    Ok(())
}

proptest! {
    // The default config: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn reparse_after_each_edit_equals_a_full_parse(
        base in prop::sample::select(bases()),
        steps in prop::collection::vec(prop::collection::vec(edits::edit(), 1..3), 1..8),
    ) {
        let mut text = base;
        let mut previous = parse(&text);
        for step in &steps {
            let next = edits::apply(&text, step);
            // Without the size threshold: reuse on every document.
            let (got, how) = reparse_explained(&previous, &next, 0);
            assert_same(&got, &next, how)?;
            // `reparse` itself, from the same previous parse.
            let thresholded = reparse(&previous, &next);
            prop_assert!(thresholded.same_as(&got));
            text = next;
            previous = got;
        }
    }

    /// Single characters typed or deleted at one place, as in an editor: the common case
    /// the reparse is for, with the lines around the place changing meaning as they go.
    #[test]
    fn typing_at_one_place_equals_a_full_parse(
        base in prop::sample::select(bases()),
        at in any::<u32>(),
        typed in prop::collection::vec(
            prop_oneof![
                8 => edits::snippet(),
                1 => Just(String::new()), // a backspace
            ],
            1..12,
        ),
    ) {
        let mut chars: Vec<char> = base.chars().collect();
        let mut at = at as usize % (chars.len() + 1);
        let mut previous = parse(&base);
        for piece in &typed {
            if piece.is_empty() {
                if at == 0 {
                    continue;
                }
                at -= 1;
                chars.remove(at);
            } else {
                for c in piece.chars() {
                    chars.insert(at, c);
                    at += 1;
                }
            }
            let next: String = chars.iter().collect();
            let (got, how) = reparse_explained(&previous, &next, 0);
            assert_same(&got, &next, how)?;
            previous = got;
        }
    }
}

/// Typing a line into the middle of the large document, character by character: every
/// version equals a full parse, and only the edited lines are parsed again.
#[test]
fn typing_a_line_into_a_large_document_reuses_the_rest() {
    let base = bases().pop().unwrap();
    assert!(base.len() > 8 * 1024);
    let at = base[..base.len() / 2].rfind('\n').unwrap() + 1;
    let mut text = base.clone();
    let mut previous = parse(&text);
    let typed = "RUN apt-get install -y curl \\\n    && echo \"한국어 😀\" # done\n";
    for (i, c) in typed.char_indices() {
        text.insert(at + i, c);
        let (got, how) = reparse_explained(&previous, &text, 4096);
        let want = parse(&text);
        assert!(got.same_as(&want), "after typing {:?}", &typed[..=i]);
        match how {
            Reparsed::Incremental { start, end } => {
                assert!(
                    start >= at.saturating_sub(200) && end - start < 400,
                    "{how:?}"
                );
            }
            other => panic!("expected reuse, got {other:?}"),
        }
        previous = got;
    }
}
