//! Reproduces BuildKit's own parser test cases from `../shared/corpus` (when present):
//! our tree rendered in BuildKit's dump format must equal each case's `result`, the negative
//! cases must give errors, and the line numbers of `testfile-line` must match.
//! The corpus is not part of the repository; without it these tests skip with a message.

use std::fs;
use std::path::{Path, PathBuf};

use dockwise::syntax::dockerfile::{ast::Dockerfile, buildkit_dump, parse};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: {} not found (the shared corpus is optional)",
            dir.display()
        );
        None
    }
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn read_text(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

#[test]
fn positive_cases_match_buildkit_dump() {
    let Some(corpus) = corpus_dir() else { return };
    let cases = case_dirs(&corpus.join("buildkit-parser"));
    assert!(
        cases.len() >= 30,
        "expected the BuildKit cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let source = read_text(&case.join("Dockerfile"));
        let expected = read_text(&case.join("result"));
        let parsed = parse(&source);
        assert_eq!(
            parsed.tree.text(),
            source,
            "{}: not lossless",
            case.display()
        );
        let ours = buildkit_dump(&parsed.tree);
        if ours != expected {
            failures.push(format!(
                "== {}\n-- expected\n{expected}-- ours\n{ours}",
                case.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_cases_give_errors() {
    let Some(corpus) = corpus_dir() else { return };
    let cases = case_dirs(&corpus.join("buildkit-parser-negative"));
    assert_eq!(cases.len(), 4);
    for case in &cases {
        let source = read_text(&case.join("Dockerfile"));
        let parsed = parse(&source);
        assert_eq!(parsed.tree.text(), source);
        assert!(
            !parsed.errors.is_empty(),
            "{}: expected a syntax error, got none",
            case.display()
        );
    }
}

#[test]
fn instruction_line_numbers_match() {
    let Some(corpus) = corpus_dir() else { return };
    let case = corpus.join("buildkit-parser-extra/testfile-line");
    let source = read_text(&case.join("Dockerfile"));
    let expected: serde_json::Value =
        serde_json::from_str(&read_text(&case.join("expected-lines.json"))).expect("json");
    let parsed = parse(&source);
    let index = dockwise::text::LineIndex::new(&source);
    let ours: Vec<(usize, usize)> = Dockerfile::new(&parsed.tree)
        .instructions()
        .map(|i| {
            let r = i.range();
            (
                index.line_of(r.start) + 1,
                index.line_of(r.end.saturating_sub(1).max(r.start)) + 1,
            )
        })
        .collect();
    let want: Vec<(usize, usize)> = expected_lines(&expected);
    assert_eq!(ours, want);
}

/// Reads `[[start, end], ...]` or `[{"start": .., "end": ..}, ...]` from the expectation file.
fn expected_lines(v: &serde_json::Value) -> Vec<(usize, usize)> {
    let list = v
        .get("children")
        .and_then(|x| x.as_array())
        .unwrap_or_else(|| panic!("unexpected expected-lines.json shape: {v}"));
    list.iter()
        .map(|item| {
            if let Some(pair) = item.as_array() {
                (
                    pair[0].as_u64().unwrap() as usize,
                    pair[1].as_u64().unwrap() as usize,
                )
            } else {
                let get = |k: &str| {
                    item.get(k)
                        .and_then(|x| x.as_u64())
                        .unwrap_or_else(|| panic!("missing {k} in {item}"))
                        as usize
                };
                (get("start"), get("end"))
            }
        })
        .collect()
}
