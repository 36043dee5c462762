//! Our compose schema (CP001) on the corpus in `tests/fixtures/compose/`: every file in
//! `valid/` passes, and every file in `invalid/` draws exactly one CP001 finding, placed on
//! the key or value its first line names (`# expect: <JSON pointer> <keyword>`). The
//! messages are snapshotted for review.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockwise::analysis::check_compose_with;
use dockwise::config::Config;
use dockwise::diagnostics::Diagnostic;
use dockwise::facts::ComposeFacts;
use dockwise::syntax::TextRange;
use dockwise::syntax::compose::{NodeKind, YamlTree, parse};

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} holds too few files", dir.display());
    files
}

fn schema_findings(text: &str) -> Vec<Diagnostic> {
    check_compose_with(text, &ComposeFacts::default(), &Config::all_enabled())
        .into_iter()
        .filter(|d| d.code == "CP001")
        .collect()
}

/// The span of the entry a JSON pointer names: from its key (inside a mapping) through its
/// value.
fn entry_span(tree: &YamlTree, pointer: &str) -> TextRange {
    if pointer.is_empty() {
        return TextRange::new(0, u32::MAX);
    }
    let mut node = tree.root.expect("a root");
    let mut span = tree.node(node).unwrap().range;
    for segment in pointer.split('/').skip(1) {
        let here = tree.resolve(node);
        match &tree.node(here).unwrap().kind {
            NodeKind::Mapping(_) => {
                let (key, value) = tree
                    .entries(here)
                    .into_iter()
                    .rev()
                    .find(|(k, _)| tree.scalar(*k) == Some(segment))
                    .unwrap_or_else(|| panic!("no key {segment} on the way to {pointer}"));
                let key_range = tree.node(key).unwrap().range;
                let end = value.map_or(key_range.end, |v| tree.content_end(v).max(key_range.end));
                span = TextRange::new(key_range.start, end);
                node = value.unwrap_or(key);
            }
            NodeKind::Sequence(items) => {
                let item = items[segment.parse::<usize>().expect("an index")];
                span = tree.node(item).unwrap().range;
                node = item;
            }
            _ => panic!("{pointer} goes through a scalar"),
        }
    }
    span
}

#[test]
fn valid_files_draw_no_schema_error() {
    for path in corpus("valid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let found = schema_findings(&text);
        assert!(
            found.is_empty(),
            "{} is valid Compose but draws:\n{:#?}",
            path.display(),
            found
        );
    }
}

#[test]
fn each_violation_draws_one_clear_error_at_its_place() {
    let mut report = String::new();
    for path in corpus("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{name} lacks its `# expect:` line"));
        // `<pointer> <keyword>`; the root's pointer is empty.
        let pointer = expect.rsplit_once(' ').map_or("", |(p, _)| p.trim());
        let found = schema_findings(&text);
        assert_eq!(found.len(), 1, "{name} draws {found:#?}");
        let finding = &found[0];
        let tree = parse(&text).tree;
        let span = entry_span(&tree, pointer);
        assert!(
            span.contains_range(finding.range),
            "{name}: the finding at {:?} ({:?}) is not on {pointer} at {span:?}",
            finding.range,
            &text[finding.range.as_usize()]
        );
        let line = text[..finding.range.start as usize].matches('\n').count() + 1;
        let _ = writeln!(
            report,
            "{name}:{line}: {}\n    flagged: {:?}",
            finding.message,
            &text[finding.range.as_usize()].lines().next().unwrap_or("")
        );
    }
    insta::assert_snapshot!("invalid_corpus_messages", report);
}
