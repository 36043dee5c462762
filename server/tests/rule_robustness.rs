//! Every rule on broken and half-typed Dockerfiles: each rule fixture cut short at many
//! points (line ends, just after a line start, mid-line) with LF and CRLF line endings, and
//! randomly edited (the edits of the parser's property tests). No rule may panic; every
//! range (of a finding and of its fix's edits) must lie on character boundaries inside the
//! text; and applying a fix must not add a syntax error.

#[path = "support/edits.rs"]
mod edits;
#[path = "support/findings.rs"]
mod findings;

use findings::{apply, assert_range, cut_points};

use std::path::Path;

use dockwise::analysis::check_dockerfile_with;
use dockwise::config::Config;
use dockwise::diagnostics::Applicability;
use dockwise::facts::DockerfileFacts;
use dockwise::syntax::dockerfile::parse;
use proptest::prelude::*;

fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut texts = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixture dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
            .collect();
        files.sort();
        for file in files {
            texts.push(std::fs::read_to_string(file).expect("UTF-8 fixture"));
        }
    }
    texts
}

/// Runs every rule on `doc` and checks the findings and their fixes.
fn check_rules(doc: &str) {
    let findings = check_dockerfile_with(doc, &DockerfileFacts::default(), &Config::all_enabled());
    let errors_before = parse(doc).errors.len();
    for d in &findings {
        assert_range(doc, d.range, "finding", d);
        let Some(fix) = &d.fix else { continue };
        for edit in &fix.edits {
            assert_range(doc, edit.range, "edit", d);
        }
        if fix.applicability == Applicability::DisplayOnly {
            continue;
        }
        let fixed = apply(doc, d).unwrap();
        let errors_after = parse(&fixed).errors.len();
        assert!(
            errors_after <= errors_before,
            "{}'s fix `{}` adds a syntax error:\n{doc}\n---\n{fixed}",
            d.code,
            fix.title
        );
    }
}

#[test]
fn rules_survive_cut_fixtures() {
    for full in fixture_texts() {
        for text in [full.clone(), full.replace('\n', "\r\n")] {
            for at in cut_points(&text) {
                check_rules(&text[..at]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn rules_survive_edited_fixtures(
        base in prop::sample::select(fixture_texts()),
        edits in prop::collection::vec(edits::edit(), 1..6),
    ) {
        check_rules(&edits::apply(&base, &edits));
    }
}
