//! `dockwise migrate hadolint` and `.hadolint.yaml` files read by `dockwise check`.

use dockwise_e2e::{json, run_in, scratch, stderr, stdout};

/// MAINTAINER is DL4000 for hadolint and DF010 for us; `FROM ubuntu` (no tag) is DL3006 and
/// DF030. Both rules are on by default.
const DOCKERFILE: &str = "FROM ubuntu\nMAINTAINER someone\nUSER nobody\nHEALTHCHECK NONE\n";

const HADOLINT: &str = "\
ignored:
  - DL4000
  - SC2086
  - DL9999
override:
  error:
    - DL3006
trustedRegistries:
  - docker.io
failure-threshold: warning
";

/// The codes `check --format json` reports in `dir`, with their severities.
fn findings(dir: &std::path::Path) -> (Option<i32>, Vec<(String, String)>) {
    let out = run_in(dir, &["check", "--format", "json"]);
    let report = json(&out);
    let found = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.status.code(), found)
}

fn has(found: &[(String, String)], code: &str) -> bool {
    found.iter().any(|(c, _)| c == code)
}

#[test]
fn migrate_prints_a_config_that_check_accepts() {
    let dir = scratch(&[(".hadolint.yaml", HADOLINT)]);
    let out = run_in(dir.path(), &["migrate", "hadolint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let toml = stdout(&out);
    assert!(toml.contains("\"DF010\", # DL4000"), "{toml}");
    assert!(toml.contains("DF030 = \"error\" # DL3006"), "{toml}");
    assert!(
        toml.contains("trusted-registries = [\"docker.io\"]"),
        "{toml}"
    );

    // The printed file, alone in another folder, is a valid configuration: the ignored
    // rule is not reported, the overridden one is an error.
    let checked = scratch(&[("dockwise.toml", &toml), ("Dockerfile", DOCKERFILE)]);
    let (code, found) = findings(checked.path());
    assert!(!has(&found, "DF010"), "{found:?}");
    assert!(
        found.contains(&("DF030".to_owned(), "error".to_owned())),
        "{found:?}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn unknown_codes_are_warned_about_not_fatal() {
    let dir = scratch(&[(".hadolint.yaml", HADOLINT)]);
    let out = run_in(dir.path(), &["migrate", "hadolint", ".hadolint.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    let warning = err
        .lines()
        .find(|l| l.starts_with("dockwise: warning: .hadolint.yaml:"))
        .unwrap_or_else(|| panic!("no warning in {err}"));
    assert!(
        warning.contains("SC2086") && warning.contains("DL9999"),
        "{warning}"
    );
    assert!(
        stdout(&out).contains("left out: SC2086, DL9999."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn write_creates_dockwise_toml_and_never_overwrites() {
    let dir = scratch(&[
        ("ci/.hadolint.yml", "ignored: [DL4000]\n"),
        ("ci/Dockerfile", DOCKERFILE),
    ]);
    let out = run_in(dir.path(), &["migrate", "hadolint", "ci", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("wrote ci/dockwise.toml"),
        "{}",
        stderr(&out)
    );
    let written = std::fs::read_to_string(dir.path().join("ci/dockwise.toml")).unwrap();
    assert!(written.contains("\"DF010\", # DL4000"), "{written}");

    // A second run finds it there and leaves it alone.
    std::fs::write(dir.path().join("ci/dockwise.toml"), "# mine\n").unwrap();
    let out = run_in(dir.path(), &["migrate", "hadolint", "ci", "--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ci/dockwise.toml already exists: not overwritten"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ci/dockwise.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn unreadable_or_invalid_input_exits_two() {
    let dir = scratch(&[("bad/.hadolint.yaml", "override: [DL3006]\n")]);
    let out = run_in(dir.path(), &["migrate", "hadolint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no .hadolint.yaml or .hadolint.yml in the current folder"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["migrate", "hadolint", "bad/.hadolint.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad/.hadolint.yaml: line 1: override must be a mapping"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    let out = run_in(dir.path(), &["migrate", "hadolint", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_honours_a_hadolint_file_unless_a_dockwise_file_governs() {
    let dir = scratch(&[(".hadolint.yaml", HADOLINT), ("app/Dockerfile", DOCKERFILE)]);
    let (_, found) = findings(dir.path());
    assert!(!has(&found, "DF010"), "ignored through DL4000: {found:?}");
    assert!(
        found.contains(&("DF030".to_owned(), "error".to_owned())),
        "{found:?}"
    );

    // A dockwise.toml in the same folder wins: the hadolint file is not read.
    std::fs::write(dir.path().join("dockwise.toml"), "").unwrap();
    let (_, found) = findings(dir.path());
    assert!(has(&found, "DF010"), "{found:?}");
    assert!(
        found.contains(&("DF030".to_owned(), "warning".to_owned())),
        "{found:?}"
    );

    // So does one nearer the Dockerfile, with the hadolint file alone above it.
    std::fs::remove_file(dir.path().join("dockwise.toml")).unwrap();
    std::fs::write(dir.path().join("app/.dockwise.toml"), "").unwrap();
    let (_, found) = findings(dir.path());
    assert!(has(&found, "DF010"), "{found:?}");
}

#[test]
fn check_reports_a_malformed_hadolint_file_by_name() {
    let dir = scratch(&[
        (".hadolint.yaml", "ignored: [DL4000\n"),
        ("Dockerfile", DOCKERFILE),
    ]);
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".hadolint.yaml: not valid YAML: line"),
        "{err}"
    );
}
