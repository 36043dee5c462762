//! Every rule's fixture folder, `tests/fixtures/rules/<CODE>/`: files named `bad*` must draw
//! at least one finding of that rule, files named `good*` none. Each file's findings of the
//! rule, with the source line and the unified diff of each fix, are snapshotted
//! (`snapshots/rule_fixtures__<CODE>__<file>.snap`); review changes with `cargo insta review`.
//!
//! A compose fixture may be a folder (`bad-xyz/compose.yaml` with the files beside it). Files
//! its own `.gitignore` ignores must be added with `git add -f`, or a clean clone lacks them.
//!
//! Facts come from the folder as the language server and `check` read them: the file's
//! `<name>.dockerignore`, else the folder's `.dockerignore`, else none. A `dockwise.toml` in
//! the folder gives the rule options (trusted registries, label schema, ...); every rule runs
//! whatever it selects.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockwise::analysis::{check_compose_with, check_dockerfile_with};
use dockwise::config::{Config, LoadedConfig};
use dockwise::diagnostics::{Diagnostic, Edit};
use dockwise::facts::FactsCache;
use dockwise::rules::all_rules;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The Dockerfiles of one rule's folder, sorted.
fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        // A compose fixture with files beside it is a folder holding `compose.yaml`.
        let file = p.is_file() || p.join("compose.yaml").is_file();
        file && (name.starts_with("bad") || name.starts_with("good"))
            && !name.ends_with(".dockerignore")
    });
    files.sort();
    files
}

fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let before = &text[..(offset as usize).min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_owned();
    for edit in edits {
        out.replace_range(edit.range.as_usize(), &edit.new_text);
    }
    out
}

fn render(text: &str, findings: &[Diagnostic]) -> String {
    let mut out = String::new();
    if findings.is_empty() {
        out.push_str("(no findings)\n");
    }
    for d in findings {
        let (line, col) = line_col(text, d.range.start);
        let _ = writeln!(out, "{line}:{col} {} {}: {}", d.severity, d.code, d.message);
        let source = text.lines().nth(line - 1).unwrap_or("");
        let width = text[d.range.as_usize()]
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .count()
            .max(1);
        let _ = writeln!(out, "  | {source}");
        let _ = writeln!(out, "  | {}{}", " ".repeat(col - 1), "^".repeat(width));
        if let Some(fix) = &d.fix {
            let _ = writeln!(out, "  fix ({:?}): {}", fix.applicability, fix.title);
            let fixed = apply(text, &fix.edits);
            let diff = similar::TextDiff::from_lines(text, &fixed);
            for line in diff.unified_diff().context_radius(1).to_string().lines() {
                let _ = writeln!(out, "    {line}");
            }
            if let Some(file) = &d.new_file {
                let verb = if file.append { "adds to" } else { "creates" };
                let _ = writeln!(out, "    {verb} {}:", file.path);
                for line in file.content.lines() {
                    let _ = writeln!(out, "    + {line}");
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn rule_fixtures() {
    let root = fixtures_root();
    let mut facts = FactsCache::new();
    for rule in all_rules() {
        let dir = root.join(rule.code);
        // Every rule runs, those off by default too.
        let mut config = Config::all_enabled();
        let options = dir.join("dockwise.toml");
        if options.is_file() {
            config.options = LoadedConfig::read(&options)
                .expect("fixture dockwise.toml")
                .file
                .options();
        }
        let files = fixture_files(&dir);
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad"))
                && names.iter().any(|n| n.starts_with("good")),
            "{} needs a fixture folder {} with bad* and good* files",
            rule.code,
            dir.display()
        );
        if !dockwise::rules::dockerfile::rule_is_available(rule.code) {
            eprintln!(
                "skipped {}: its external program is not installed",
                rule.code
            );
            continue;
        }
        for (path, name) in files.iter().zip(&names) {
            let compose = rule.code.starts_with("CP");
            let path = if path.is_dir() {
                path.join("compose.yaml")
            } else {
                path.clone()
            };
            let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
            let findings = if compose {
                check_compose_with(&text, &facts.compose_facts(&path, &text), &config)
            } else {
                check_dockerfile_with(&text, &facts.dockerfile_facts(&path), &config)
            };
            let findings: Vec<Diagnostic> = findings
                .into_iter()
                .filter(|d| d.code == rule.code)
                .collect();
            if name.starts_with("bad") {
                assert!(
                    !findings.is_empty(),
                    "{}/{name} draws no {}",
                    rule.code,
                    rule.code
                );
            } else {
                assert!(
                    findings.is_empty(),
                    "{}/{name} should pass but draws:\n{}",
                    rule.code,
                    render(&text, &findings)
                );
            }
            insta::assert_snapshot!(format!("{}__{name}", rule.code), render(&text, &findings));
        }
    }
}
