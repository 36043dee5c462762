//! `dockwise check` options for CI: exit codes and thresholds, rule selection from the
//! command line, `--config`, inputs (patterns, `--exclude`, `--no-ignore`, standard input),
//! `--output-file` and `--quiet`.

use dockwise_e2e::{json, run_in, run_with_stdin, scratch, stderr, stdout};

/// One warning (DF040, an unpinned base image) and nothing else at warning or above.
const ONE_WARNING: &str = "FROM alpine\nUSER nobody\nHEALTHCHECK NONE\n";
/// An error (DF020, an unknown instruction).
const AN_ERROR: &str = "FROM alpine:3.20\nRUNN echo hi\nUSER nobody\nHEALTHCHECK NONE\n";

fn codes(out: &std::process::Output) -> Vec<String> {
    let v = json(out);
    let mut codes: Vec<String> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn thresholds_and_exit_codes() {
    let dir = scratch(&[("Dockerfile", ONE_WARNING)]);
    let severities: Vec<String> =
        json(&run_in(dir.path(), &["check", "--format", "json"]))["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["severity"].as_str().unwrap().to_owned())
            .collect();
    assert!(severities.contains(&"warning".to_owned()), "{severities:?}");
    assert!(!severities.contains(&"error".to_owned()), "{severities:?}");
    let code = |args: &[&str]| run_in(dir.path(), args).status.code();
    assert_eq!(code(&["check", "-q"]), Some(1));
    assert_eq!(
        code(&["check", "-q", "--failure-threshold", "error"]),
        Some(0)
    );
    assert_eq!(code(&["check", "-q", "--exit-zero"]), Some(0));
    assert_eq!(code(&["check", "-q", "--no-fail"]), Some(0));
    // More warnings than allowed fails even when warnings do not reach the threshold.
    let warnings = severities.iter().filter(|s| *s == "warning").count();
    let allowing = |max: usize| {
        let max = max.to_string();
        code(&[
            "check",
            "-q",
            "--failure-threshold",
            "error",
            "--max-warnings",
            &max,
        ])
    };
    assert_eq!(allowing(warnings - 1), Some(1));
    assert_eq!(allowing(warnings), Some(0));
    // The configuration's threshold counts when no flag is given; the flag wins over it.
    std::fs::write(
        dir.path().join("dockwise.toml"),
        "failure-threshold = \"error\"\n",
    )
    .unwrap();
    assert_eq!(code(&["check", "-q"]), Some(0));
    assert_eq!(
        code(&["check", "-q", "--failure-threshold", "warning"]),
        Some(1)
    );
    // Tool errors are 2, whatever --exit-zero says.
    assert_eq!(
        code(&["check", "--exit-zero", "missing/Dockerfile"]),
        Some(2)
    );
    assert_eq!(code(&["check", "--select", "NOPE1"]), Some(2));
    assert_eq!(code(&["check", "--no-such-flag"]), Some(2));
}

#[test]
fn rules_selected_on_the_command_line_apply_over_the_configuration() {
    let dir = scratch(&[
        ("Dockerfile", AN_ERROR),
        ("dockwise.toml", "ignore = [\"DF020\"]\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "json", "--exit-zero"]);
    let found = codes(&out);
    assert!(!found.contains(&"Dockerfile:DF020".to_owned()), "{found:?}");
    // --select replaces the set; --extend-select adds; --ignore removes.
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "--select", "DF020"],
    );
    assert_eq!(codes(&out), ["Dockerfile:DF020"]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--extend-select",
            "DF020",
            "--exit-zero",
        ],
    );
    assert!(codes(&out).contains(&"Dockerfile:DF020".to_owned()));
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--ignore",
            "DF,CP",
            "--exit-zero",
        ],
    );
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    // --config replaces the file found above: here, one that selects only DF020.
    std::fs::write(
        dir.path().join("only.toml"),
        "select = [\"instruction-syntax\"]\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "--config", "only.toml"],
    );
    assert_eq!(codes(&out), ["Dockerfile:DF020"]);
    let out = run_in(dir.path(), &["check", "--config", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));
}

#[test]
fn patterns_exclude_and_ignore_files() {
    let dir = scratch(&[
        ("services/api/Dockerfile", AN_ERROR),
        ("services/web/Dockerfile", AN_ERROR),
        ("services/web/Containerfile.dev", AN_ERROR),
        ("vendor/Dockerfile", AN_ERROR),
        ("build/Dockerfile", AN_ERROR),
        (".gitignore", "build/\n"),
    ]);
    let paths = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--format", "json", "--select", "DF020"];
        all.extend_from_slice(args);
        let mut found: Vec<String> = codes(&run_in(dir.path(), &all))
            .into_iter()
            .map(|c| c.split(':').next().unwrap().to_owned())
            .collect();
        found.dedup();
        found
    };
    // A quoted pattern is expanded by dockwise, and its matches count as named.
    assert_eq!(
        paths(&["services/*/Dockerfile"]),
        ["services/api/Dockerfile", "services/web/Dockerfile"]
    );
    assert_eq!(
        paths(&["services/web/Containerfile*"]),
        ["services/web/Containerfile.dev"]
    );
    // Walks respect .gitignore unless told not to; --exclude leaves out folders and files.
    assert!(!paths(&[]).contains(&"build/Dockerfile".to_owned()));
    assert!(paths(&["--no-ignore"]).contains(&"build/Dockerfile".to_owned()));
    let kept = paths(&["--exclude", "vendor", "--exclude", "services/web/**"]);
    assert_eq!(kept, ["services/api/Dockerfile"]);
    // A named file is checked even when ignored.
    assert_eq!(paths(&["build/Dockerfile"]), ["build/Dockerfile"]);
    // A pattern that matches nothing is an error.
    let out = run_in(dir.path(), &["check", "nothing/*/Dockerfile"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no files match"), "{}", stderr(&out));
}

#[test]
fn standard_input_is_checked_under_its_name() {
    let dir = scratch(&[("app/dockwise.toml", "ignore = [\"DF040\"]\n")]);
    // The name gives the kind and the configuration (DF040 ignored there).
    let out = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "app/Dockerfile",
            "--exit-zero",
        ],
        ONE_WARNING,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = codes(&out);
    assert!(
        found.iter().all(|c| c.starts_with("app/Dockerfile:")),
        "{found:?}"
    );
    assert!(
        !found.contains(&"app/Dockerfile:DF040".to_owned()),
        "{found:?}"
    );
    // A compose file by its name.
    let out = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "compose.yaml",
            "--exit-zero",
        ],
        "version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    assert!(
        codes(&out).contains(&"compose.yaml:CP002".to_owned()),
        "{:?}",
        codes(&out)
    );
    // --fix prints the fixed text and writes no file.
    let out = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--fix",
            "--stdin-filename",
            "compose.yaml",
            "--color",
            "never",
        ],
        "version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    assert!(
        stdout(&out).starts_with("services:\n  web:\n"),
        "{}",
        stdout(&out)
    );
    assert!(!dir.path().join("compose.yaml").exists());
    // Paths and standard input together make no sense.
    let out = run_with_stdin(
        dir.path(),
        &["check", "--stdin-filename", "Dockerfile", "app"],
        ONE_WARNING,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_file_and_quiet() {
    let dir = scratch(&[("Dockerfile", ONE_WARNING), ("empty/.keep", "")]);
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "--output-file", "report.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
    // Quiet: no note about an empty folder.
    let loud = run_in(dir.path(), &["check", "empty", "Dockerfile"]);
    assert!(
        stderr(&loud).contains("no Dockerfiles"),
        "{}",
        stderr(&loud)
    );
    let quiet = run_in(dir.path(), &["check", "-q", "empty", "Dockerfile"]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn statistics_settings_and_the_quiet_summary() {
    let dir = scratch(&[
        ("Dockerfile", AN_ERROR),
        ("dockwise.toml", "failure-threshold = \"error\"\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--color", "never", "--statistics"]);
    let text = stdout(&out);
    assert!(text.contains("Checked 1 file"), "{text}");
    // After the report: `count code [*] name`.
    let counted = text.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.len() >= 3 && words[0] == "1" && words[1] == "DF020"
    });
    assert!(counted, "{text}");
    // Quiet: the findings without the summary.
    let out = run_in(dir.path(), &["check", "--color", "never", "-q"]);
    assert!(stdout(&out).contains("DF020"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("Checked 1 file"), "{}", stdout(&out));
    let out = run_in(dir.path(), &["check", "--format", "concise", "-q"]);
    assert!(
        stdout(&out).starts_with("Dockerfile:2:1: DF020 "),
        "{}",
        stdout(&out)
    );
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    // The settings of a file: its configuration file and threshold; nothing is checked.
    let out = run_in(dir.path(), &["check", "--show-settings", "Dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("dockwise.toml"), "{text}");
    assert!(text.contains("failure-threshold = \"error\""), "{text}");
    assert!(!text.contains("unknown instruction"), "{text}");
}

#[test]
fn ci_formats_are_wired() {
    let dir = scratch(&[("app/Dockerfile", AN_ERROR)]);
    let out = run_in(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("::error file=app/Dockerfile,line=2,col=1,"),
        "{}",
        stdout(&out)
    );
    let out = run_in(dir.path(), &["check", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "DF020")
        .expect("DF020 in SARIF")
        .clone();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/Dockerfile"
    );
    for format in [
        "gitlab",
        "gitlab_codeclimate",
        "checkstyle",
        "junit",
        "json",
    ] {
        let out = run_in(dir.path(), &["check", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains("DF020"), "{format}: {}", stdout(&out));
    }
    // ruff's spelling of the option.
    let out = run_in(dir.path(), &["check", "--output-format", "json"]);
    assert_eq!(codes(&out), ["app/Dockerfile:DF020"], "{}", stderr(&out));
}
