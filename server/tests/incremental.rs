//! The language server re-checks only the stages an edit touched and reuses the findings of
//! the others (`analysis::incremental`), and keeps the semantic model of the stages before
//! the edit (`semantic::analyze_after_edit`). These tests check that this never changes what
//! is reported: after every edit of random edit sequences on the rule and guide fixtures (and
//! a larger multi-stage file), the incremental findings and model equal those of a full
//! analysis.

#[path = "support/edits.rs"]
mod edits;

use std::path::Path;

use std::cell::RefCell;
use std::fmt::Write;
use std::sync::Arc;

use dockwise::analysis::{RuleCache, check_dockerfile_with};
use dockwise::config::Config;
use dockwise::diagnostics::Diagnostic;
use dockwise::facts::{DockerIgnore, DockerfileFacts, DockerignoreFact};
use dockwise::ide::DockerfileAnalysis;
use dockwise::semantic::{DockerfileModel, ShellCache, analyze};
use dockwise::syntax::dockerfile::parse;
use proptest::prelude::*;

fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts = Vec::new();
    let mut stack = vec![root.join("rules"), root.join("guide")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "Dockerfile")
                || path.file_name().is_some_and(|n| n == "Dockerfile")
            {
                texts.push(std::fs::read_to_string(path).expect("UTF-8 fixture"));
            }
        }
    }
    // Several fixtures joined: many stages, references between them, findings everywhere.
    let joined = texts
        .iter()
        .take(40)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    texts.push(joined);
    texts
}

/// Every rule but ShellCheck (an external program, off by default).
fn config() -> Config {
    Config::all_enabled().without(&["DF067".to_owned()])
}

fn full(text: &str, facts: &DockerfileFacts) -> Vec<Diagnostic> {
    check_dockerfile_with(text, facts, &config())
}

/// What one document keeps between versions in the language server: RUN parses, findings
/// by stage, and the previous analysis (its parse and model).
#[derive(Default)]
struct Document {
    shells: ShellCache,
    rules: RuleCache,
    previous: RefCell<Option<Arc<DockerfileAnalysis>>>,
    /// What the rules know of other files (no `.dockerignore` known by default).
    facts: DockerfileFacts,
}

impl Document {
    fn new() -> Self {
        Document::default()
    }

    /// A document whose build context has (`Some`) or lacks (`None`) a `.dockerignore`.
    fn with_dockerignore(ignore: Option<&str>) -> Self {
        let dockerignore = match ignore {
            Some(text) => DockerignoreFact::Present {
                path: "/w/.dockerignore".into(),
                ignore: DockerIgnore::parse(text).into(),
            },
            None => DockerignoreFact::Missing,
        };
        Document {
            facts: DockerfileFacts {
                dockerignore,
                ..DockerfileFacts::default()
            },
            ..Document::default()
        }
    }
}

/// The analysis of a new version of `doc`, as the language server computes it.
fn incremental(text: &str, doc: &Document) -> Vec<Diagnostic> {
    let previous = doc.previous.borrow_mut().take();
    let analysis = DockerfileAnalysis::compute(
        text,
        &doc.facts,
        &config(),
        Some(&doc.shells),
        Some(&doc.rules),
        previous.as_deref(),
    );
    let expected = model_summary(&analyze(&parse(text)), text);
    let got = model_summary(&analysis.model, text);
    assert!(
        got == expected,
        "the model kept across the edit differs on:\n{text}\nwant:\n{expected}\ngot:\n{got}"
    );
    let diagnostics = analysis.diagnostics.clone();
    *doc.previous.borrow_mut() = Some(analysis);
    diagnostics
}

/// Everything the model tells: its stages and references, and the variables visible at each
/// instruction and at the end (scopes hold hash maps, so they are compared through what they
/// answer).
fn model_summary(model: &DockerfileModel, text: &str) -> String {
    let mut out = format!(
        "escape {:?} keywords {:?}\nglobals {:?}\n",
        model.escape, model.keyword_case, model.global_args
    );
    for stage in &model.stages {
        writeln!(out, "{stage:?}").unwrap();
        for offset in stage.instructions.iter().map(|i| i.range.start) {
            writeln!(out, "  at {offset}: {:?}", model.visible_vars(offset)).unwrap();
        }
    }
    for reference in &model.references {
        writeln!(out, "{reference:?}").unwrap();
    }
    let end = text.len() as u32;
    writeln!(out, "at end: {:?}", model.visible_vars(end)).unwrap();
    out
}

fn assert_same(text: &str, doc: &Document) {
    let expected = full(text, &doc.facts);
    let got = incremental(text, doc);
    if got != expected {
        let missing: Vec<_> = expected.iter().filter(|d| !got.contains(d)).collect();
        let extra: Vec<_> = got.iter().filter(|d| !expected.contains(d)).collect();
        panic!("incremental findings differ on:\n{text}\nmissing: {missing:#?}\nextra: {extra:#?}");
    }
}

proptest! {
    // 96 cases per test run; `PROPTEST_CASES=20000 cargo test --release --test incremental`
    // for a long search.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96)
    ))]

    #[test]
    fn incremental_findings_equal_full_ones(
        base in prop::sample::select(fixture_texts()),
        steps in prop::collection::vec(prop::collection::vec(edits::edit(), 1..3), 1..6),
        // The rules about the build context (DF053 to DF056) run only with a known
        // `.dockerignore` fact: unknown, missing, or one that leaves `.env` and `.git` in.
        dockerignore in prop::sample::select(vec![0, 1, 2]),
    ) {
        let doc = match dockerignore {
            0 => Document::new(),
            1 => Document::with_dockerignore(None),
            _ => Document::with_dockerignore(Some("node_modules\n")),
        };
        assert_same(&base, &doc);
        let mut text = base;
        for step in &steps {
            text = edits::apply(&text, step);
            assert_same(&text, &doc);
        }
    }
}

/// Typing a line character by character in the middle of a file, then a line break, as a
/// person does: every version agrees with a full analysis, and the cache holds entries.
#[test]
fn typing_in_the_middle_of_a_multi_stage_file() {
    let texts = fixture_texts();
    let base = texts.last().unwrap().clone();
    let at = base.len() / 2;
    let at = base[..at].rfind('\n').map_or(0, |i| i + 1);
    let doc = Document::new();
    let mut text = base.clone();
    let typed = "RUN apt-get install -y curl && cd /tmp | tee x\n";
    for (i, c) in typed.char_indices() {
        text.insert(at + i, c);
        assert_same(&text, &doc);
    }
    assert!(!doc.rules.is_empty());
}

/// A finding in one stage that depends on a later stage: the HEALTHCHECK the final stage
/// inherits runs `curl`, which its slim base lacks (DF081). Giving the final stage its own
/// probe must clear the finding in the earlier stage, whose text did not change.
#[test]
fn a_later_stage_can_clear_a_finding_in_an_earlier_one() {
    let doc = Document::new();
    let before = "FROM node:22-slim AS base\nEXPOSE 3000\n\
                  HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1\n\
                  FROM base\nCMD [\"node\", \"server.js\"]\n";
    assert_same(before, &doc);
    assert!(
        incremental(before, &doc).iter().any(|d| d.code == "DF081"),
        "the inherited probe should be reported"
    );
    let after = before.replace(
        "CMD [\"node\"",
        "HEALTHCHECK CMD [\"node\", \"-e\", \"1\"]\nCMD [\"node\"",
    );
    assert_same(&after, &doc);
    assert!(!incremental(&after, &doc).iter().any(|d| d.code == "DF081"));
}

/// The same for the user the final image runs as: `USER root` set in the stage it is built
/// from is reported there (DF071) until the final stage switches to another user.
#[test]
fn a_later_user_clears_the_root_user_finding_in_an_earlier_stage() {
    let doc = Document::new();
    let before = "FROM debian:12-slim AS base\nUSER root\n\
                  FROM base\nCMD [\"/app/run\"]\n";
    assert_same(before, &doc);
    assert!(
        incremental(before, &doc).iter().any(|d| d.code == "DF071"),
        "the inherited root user should be reported"
    );
    let after = before.replace("CMD [", "USER 10001\nCMD [");
    assert_same(&after, &doc);
    assert!(!incremental(&after, &doc).iter().any(|d| d.code == "DF071"));
}

/// DF006 checks one stage at a time against the case most keywords of the file use: when
/// edits in one stage flip that case, the findings of every other stage change too.
#[test]
fn flipping_the_files_keyword_case_rechecks_every_stage() {
    let doc = Document::new();
    let mut text = String::from("FROM alpine:3.20 AS one\nRUN true\n");
    text.push_str("FROM alpine:3.20 AS two\nrun true\nrun false\nrun true\n");
    assert_same(&text, &doc);
    let upper_first = incremental(&text, &doc);
    // Lower-casing the first stage makes lower case the majority.
    let flipped = text.replacen(
        "FROM alpine:3.20 AS one\nRUN",
        "from alpine:3.20 as one\nrun",
        1,
    );
    assert_same(&flipped, &doc);
    let lower_first = incremental(&flipped, &doc);
    let df006_lines = |found: &[Diagnostic], src: &str| -> Vec<usize> {
        found
            .iter()
            .filter(|d| d.code == "DF006")
            .map(|d| src[..d.range.start as usize].lines().count())
            .collect()
    };
    assert_ne!(
        df006_lines(&upper_first, &text),
        df006_lines(&lower_first, &flipped)
    );
}
