//! Every fix of every rule, applied together the way `check --fix --unsafe-fixes` does it,
//! on every rule fixture and parser fixture: the result has no more syntax errors than the
//! input, fixing again changes nothing (the fixes converged), and each rule fixture that had
//! a fixable finding of its rule lost at least one of them (fixes that only create another
//! file, DF053's, are tested with the command line).

use std::path::{Path, PathBuf};

use dockwise::analysis::check_dockerfile_with;
use dockwise::config::Config;
use dockwise::facts::FactsCache;
use dockwise::fix::{FixMode, fix_dockerfile};
use dockwise::syntax::dockerfile::parse;

fn dockerfiles(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "Dockerfile")
                || path.file_name().is_some_and(|n| n == "Dockerfile")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn all_fixes_converge_without_breaking_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files = dockerfiles(&root);
    assert!(files.len() > 20, "fixtures found: {}", files.len());
    let config = Config::all_enabled();
    let mut facts = FactsCache::new();
    let mut fixed_files = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file_facts = facts.dockerfile_facts(path);
        let outcome = fix_dockerfile(&text, &file_facts, &config, FixMode::Unsafe);
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        assert!(
            parse(&outcome.text).errors.len() <= parse(&text).errors.len(),
            "{name}: fixes added a syntax error:\n{}",
            outcome.text
        );
        let again = fix_dockerfile(&outcome.text, &file_facts, &config, FixMode::Unsafe);
        assert_eq!(
            again.text, outcome.text,
            "{name}: fixing again changed the file (the fixes do not converge)"
        );
        if outcome.text != text {
            fixed_files += 1;
        }
        // A rule fixture's own fixable findings go down.
        let rule_dir = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let is_bad = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("bad"));
        if let (Some(code), true) = (rule_dir, is_bad) {
            let count = |t: &str| {
                check_dockerfile_with(t, &file_facts, &config)
                    .iter()
                    .filter(|d| {
                        d.code == code
                            && d.fix
                                .as_ref()
                                .is_some_and(|f| FixMode::Unsafe.wants(f) && !f.edits.is_empty())
                    })
                    .count()
            };
            let before = count(&text);
            if before > 0 {
                assert!(
                    count(&outcome.text) < before,
                    "{name}: fixes did not remove {code} findings"
                );
            }
        }
    }
    assert!(fixed_files > 0);
}
