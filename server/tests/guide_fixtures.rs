//! The guide's Dockerfile and compose examples (`tests/fixtures/guide/`, see its README):
//! each draws
//! the findings `shared/docs/rules.md` §6.4 lists for it, none it says must stay silent, and
//! no other finding at warning or above unless `expect.toml` justifies it. Every finding is
//! snapshotted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use dockwise::analysis::{check_compose_with, check_dockerfile_with};
use dockwise::config::Config;
use dockwise::diagnostics::Severity;
use dockwise::facts::FactsCache;

#[derive(serde::Deserialize)]
struct Expect {
    fires: Vec<String>,
    silent: Vec<String>,
    justified: BTreeMap<String, String>,
}

#[test]
fn guide_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guide");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15);
    let mut facts = FactsCache::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let compose = dir.join("docker-compose.yml");
        let path = if compose.is_file() {
            compose
        } else {
            dir.join("Dockerfile")
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let expect: Expect =
            toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).unwrap())
                .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
        let found = if path.ends_with("docker-compose.yml") {
            check_compose_with(
                &text,
                &facts.compose_facts(&path, &text),
                &Config::default(),
            )
        } else {
            check_dockerfile_with(&text, &facts.dockerfile_facts(&path), &Config::default())
        };
        for code in &expect.fires {
            assert!(
                found.iter().any(|d| d.code == code),
                "{name}: {code} does not fire"
            );
        }
        for code in &expect.silent {
            assert!(found.iter().all(|d| d.code != code), "{name}: {code} fires");
        }
        for d in &found {
            let known =
                expect.fires.iter().any(|c| c == d.code) || expect.justified.contains_key(d.code);
            assert!(
                d.severity < Severity::Warning || known,
                "{name}: {} {} at {} is neither expected nor justified: {}",
                d.severity,
                d.code,
                line_of(&text, d.range.start),
                d.message
            );
        }
        let mut report = String::new();
        for d in &found {
            let _ = writeln!(
                report,
                "{}: {} {} {}",
                line_of(&text, d.range.start),
                d.severity,
                d.code,
                d.message
            );
        }
        insta::assert_snapshot!(format!("guide__{name}"), report);
    }
}

fn line_of(text: &str, offset: u32) -> usize {
    text[..offset as usize].matches('\n').count() + 1
}
