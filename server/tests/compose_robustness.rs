//! Every compose rule (and the schema) on broken and half-typed compose files: the compose
//! fixtures cut at many points, with LF and CRLF line endings, and randomly edited with
//! snippets of YAML syntax. Nothing may panic; every range (of a finding and of its fix's
//! edits) must lie on character boundaries inside the text; applying a fix must not add a
//! YAML syntax error. Hostile inputs (an alias bomb, 100,000-deep nesting) give a finding,
//! with the values built from them capped.

use std::path::{Path, PathBuf};

use dockwise::analysis::check_compose_with;
use dockwise::config::Config;
use dockwise::diagnostics::Applicability;
use dockwise::facts::ComposeFacts;
use dockwise::syntax::TextRange;
use dockwise::syntax::compose::parse;
use proptest::prelude::*;

#[path = "support/findings.rs"]
mod findings;

use findings::{apply, assert_range, cut_points};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    for dir in ["rules", "compose", "guide"] {
        yaml_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 100, "only {} compose fixtures", files.len());
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("UTF-8 fixture"))
        .collect()
}

fn check_rules(doc: &str) {
    let findings = check_compose_with(doc, &ComposeFacts::default(), &Config::all_enabled());
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
            "{}'s fix `{}` adds a YAML error:\n{doc}\n---\n{fixed}",
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

/// Found by the typing property test: a syntax error left a list item's range ending inside
/// a Korean comment, and reading the item's quotes sliced a character in two.
#[test]
fn a_cut_range_ending_in_a_multi_byte_character() {
    let base = "version: '3.8'\n\nservices:\n  backend:\n    # ...\n\n  worker:\n    build: ./worker\n    environment:\n      - BACKEND_URL=http://backend:3000  # 서비스 이름으로 통신\n\n  # 사용자 정의 네트워크\nnetworks:\n  default:\n    name: my-network\n";
    let mut at = 1182020524499103938usize % (base.len() + 1);
    while !base.is_char_boundary(at) {
        at -= 1;
    }
    let mut text = base.to_owned();
    for (i, c) in "\n      - \"80:80\"".char_indices() {
        text.insert(at + i, c);
        check_rules(&text);
    }
}

#[test]
fn an_alias_bomb_is_reported_not_expanded() {
    let mut text = String::from(
        "x-a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let list = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("x-{name}: &{name} [{list}]\n"));
    }
    text.push_str("services:\n  web:\n    image: nginx:1.27\n    command: *i\n");
    let found = check_compose_with(&text, &ComposeFacts::default(), &Config::all_enabled());
    assert!(
        found
            .iter()
            .any(|d| d.code == "CP001" && d.message.contains("aliases expand")),
        "{found:#?}"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for text in [
        "a: ".to_owned() + &"[".repeat(100_000),
        "services:\n".to_owned()
            + &(0..100_000)
                .map(|i| format!("{}k:\n", " ".repeat(i % 2000)))
                .collect::<String>(),
    ] {
        let found = check_compose_with(&text, &ComposeFacts::default(), &Config::all_enabled());
        assert!(found.iter().any(|d| d.code == "CP001"), "no CP001");
    }
}

/// Snippets of YAML and compose syntax for random edits.
const SNIPPETS: &[&str] = &[
    "\n",
    "\r\n",
    "  ",
    "    ",
    "\t",
    "- ",
    ":",
    ": ",
    "#",
    " # c\n",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "<<: *a\n",
    "!reset ",
    "!override ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "?",
    "%YAML 1.2\n",
    "${",
    "}",
    "$$",
    "${VAR:-x}",
    "services:\n",
    "  web:\n",
    "    image: nginx\n",
    "    ports:\n      - 80:80\n",
    "    depends_on: [db]\n",
    "    healthcheck:\n      test: [\"CMD\", \"true\"]\n",
    "environment:\n  A: 1\n",
    "volumes:\n  - x\n",
    "restart: no\n",
    "22:22",
    "0755",
    "yes",
    "~",
    "null",
    "한",
    "😀",
    "\u{feff}",
    "\u{0}",
];

#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, &'static str),
    Delete(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), prop::sample::select(SNIPPETS)).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_owned();
    let boundary = |s: &str, mut at: usize| {
        at %= s.len() + 1;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    for edit in edits {
        match edit {
            Edit::Insert(at, snippet) => {
                let at = boundary(&out, *at);
                out.insert_str(at, snippet);
            }
            Edit::Delete(at, len) => {
                let start = boundary(&out, *at);
                let mut end = (start + len).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(start..end, "");
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn rules_survive_edited_fixtures(
        base in prop::sample::select(fixture_texts()),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        check_rules(&apply_edits(&base, &edits));
    }
}

/// Reads the tree and errors in a comparable form.
fn reading(
    parse: &dockwise::syntax::compose::YamlParse,
) -> (String, Vec<(String, TextRange)>, bool) {
    (
        parse.tree.debug_dump(),
        parse
            .errors
            .iter()
            .map(|e| (e.message.clone(), e.range))
            .collect(),
        parse.by_entries,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// Re-reading only the edited entry gives what reading the whole text gives.
    #[test]
    fn reparsing_an_entry_equals_parsing_everything(
        base in prop::sample::select(fixture_texts()),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let old = parse(&base);
        let new_text = apply_edits(&base, &edits);
        if let Some(again) = dockwise::syntax::compose::reparse(&old, &base, &new_text) {
            prop_assert_eq!(reading(&again), reading(&parse(&new_text)), "{:?}", new_text);
        }
    }

    /// The same while typing one character at a time, each reparse starting from the last.
    #[test]
    fn typing_character_by_character_keeps_the_reading(
        base in prop::sample::select(fixture_texts()),
        at in any::<usize>(),
        typed in prop::sample::select(&["\n    lab", "\n  new-service:\n    image: x\n    ports:\n      - 80", "x: [a,\n  b: 1", "\n    command: \"sh -c", "\n  :", "\n- x", "\n    labels:\n      team: core", "\n  extra:\n    image: x", " # note", "\n      - \"80:80\"", "\n    healthcheck:\n      test: [\"CMD\", \"true\"]"][..]),
    ) {
        let mut at = at % (base.len() + 1);
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let mut text = base.clone();
        let mut current = parse(&text);
        // As an editor opens it.
        current.keep_layout(&text);
        for (i, c) in typed.char_indices() {
            let next = {
                let mut t = text.clone();
                t.insert(at + i, c);
                t
            };
            let full = parse(&next);
            // Each keystroke starts from the last one's reading, as in the server.
            current = match dockwise::syntax::compose::reparse(&current, &text, &next) {
                Some(again) => {
                    prop_assert_eq!(reading(&again), reading(&full), "{:?}", next);
                    again
                }
                None => full,
            };
            text = next;
        }
    }
}

/// Checks `first` and then each of `versions` in turn, reusing the findings kept from the
/// version before, and compares each answer with a check of the whole file.
fn kept_findings_equal_whole_checks(
    first: &str,
    versions: impl Iterator<Item = String>,
) -> Result<(), TestCaseError> {
    use dockwise::analysis::{check_parsed_compose, check_parsed_compose_cached};
    let facts = ComposeFacts::default();
    let config = Config::default();
    let mut text = first.to_owned();
    let (_, mut cache) = check_parsed_compose_cached(&text, &parse(&text), &facts, &config, None);
    for next in versions {
        let parsed = parse(&next);
        let previous = cache.take().map(|c| (text.as_str(), c));
        let (found, next_cache) =
            check_parsed_compose_cached(&next, &parsed, &facts, &config, previous);
        prop_assert_eq!(
            &found,
            &check_parsed_compose(&next, &parsed, &facts, &config),
            "{:?}",
            next
        );
        text = next;
        cache = next_cache;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// Findings kept per service between keystrokes equal checking the whole file.
    #[test]
    fn findings_kept_per_service_equal_a_whole_check(
        base in prop::sample::select(fixture_texts()),
        edits in prop::collection::vec(prop::collection::vec(edit(), 1..3), 1..4),
    ) {
        let mut text = base.clone();
        let versions = edits.iter().map(|step| {
            text = apply_edits(&text, step);
            text.clone()
        });
        kept_findings_equal_whole_checks(&base, versions)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    /// The same while typing one character at a time, as the server does.
    #[test]
    fn typing_keeps_findings_per_service_equal_to_a_whole_check(
        base in prop::sample::select(fixture_texts()),
        at in any::<usize>(),
        typed in prop::sample::select(&["\n    lab", "\n    restart: always", "\n  extra:\n    image: x\n    depends_on: [db]", "\n      - \"80:80\"", "\n    healthcheck:\n      test: [\"CMD\", \"true\"]", "\n    environment:\n      NODE_ENV: production", " # dockwise: ignore=CP020"][..]),
    ) {
        let mut at = at % (base.len() + 1);
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let mut text = base.clone();
        let versions = typed.char_indices().map(|(i, c)| {
            text.insert(at + i, c);
            text.clone()
        });
        kept_findings_equal_whole_checks(&base, versions)?;
    }
}
