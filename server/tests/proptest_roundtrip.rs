//! Property tests: random edits of real Dockerfiles never break the parser.
//!
//! Starting from our fixtures and a few embedded realistic Dockerfiles, random byte ranges
//! are inserted, deleted or replaced with Dockerfile-ish snippets (line continuations,
//! heredoc markers and terminators, quotes, brackets, flags, the escape directive, CRLF,
//! tabs, multibyte characters, keywords), always on character boundaries. For every result:
//! no panic; the tree spells the input exactly; tokens are contiguous, non-empty and in
//! bounds; nodes nest; the BuildKit dump and every typed-view accessor run (see
//! `support/mod.rs`, shared with the fuzz target).
//!
//! 256 cases per property by default; `PROPTEST_CASES=10000 cargo test --test
//! proptest_roundtrip` runs more. A failure is shrunk and its seed saved in
//! `tests/proptest_roundtrip.proptest-regressions` (commit that file: it is replayed first
//! on every run).

#[path = "support/edits.rs"]
mod edits;
mod support;

use proptest::prelude::*;

/// The documents the edits start from: the embedded ones and every fixture.
fn bases() -> Vec<String> {
    support::edit_bases()
}

proptest! {
    // The default config: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn edited_dockerfiles_keep_the_invariants(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edits::edit(), 1..8),
    ) {
        let text = edits::apply(&base, &edits);
        support::check_all(&text);
    }

    #[test]
    fn snippet_soup_keeps_the_invariants(pieces in prop::collection::vec(edits::snippet(), 0..64)) {
        support::check_all(&pieces.concat());
    }
}

/// The unedited documents pass too (and the edited ones start from valid files).
#[test]
fn bases_keep_the_invariants() {
    for base in bases() {
        support::check_all(&base);
    }
}
