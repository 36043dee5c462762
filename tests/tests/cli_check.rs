//! `dockwise check` end to end: discovery, output formats, exit codes.

use dockwise_e2e::{json, run_in, scratch, stderr, stdout};

const CLEAN: &str = "FROM alpine:3.20\nRUN echo hi\nUSER nobody\nHEALTHCHECK NONE\n";
const BROKEN: &str =
    "FROM alpine:3.20\nRUNN echo hi\nCOPY only-one\nUSER nobody\nHEALTHCHECK NONE\n";

#[test]
fn clean_directory_exits_zero_with_summary() {
    let dir = scratch(&[("Dockerfile", CLEAN)]);
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Checked 1 file: no problems found."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn findings_exit_one_with_snippets() {
    let dir = scratch(&[("Dockerfile", BROKEN)]);
    let out = run_in(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("error[DF020]: unknown instruction `RUNN` (did you mean `RUN`?)"),
        "{text}"
    );
    assert!(text.contains("--> Dockerfile:2:1"), "{text}");
    assert!(text.contains("2 | RUNN echo hi"), "{text}");
    assert!(text.contains("Checked 1 file: 2 errors."), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when asked for none");
}

#[test]
fn json_format_has_one_based_positions_and_paths_as_typed() {
    let dir = scratch(&[("app/Dockerfile", BROKEN)]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let diags = v["diagnostics"].as_array().expect("diagnostics array");
    assert_eq!(diags.len(), 2);
    let first = &diags[0];
    assert_eq!(first["path"], "app/Dockerfile");
    assert_eq!(first["code"], "DF020");
    assert_eq!(first["name"], "instruction-syntax");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["range"]["start"]["line"], 2);
    assert_eq!(first["range"]["start"]["column"], 1);
    assert_eq!(first["range"]["end"]["column"], 5);
    assert!(first["fix"].is_null());

    // An absolute path under the current directory is shown relative to it.
    let abs = dir.path().join("app/Dockerfile");
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", abs.to_str().unwrap()],
    );
    assert_eq!(json(&out)["diagnostics"][0]["path"], "app/Dockerfile");
}

#[test]
fn discovery_finds_docker_file_names_and_respects_gitignore() {
    let dir = scratch(&[
        ("Dockerfile", BROKEN),
        ("Containerfile", BROKEN),
        ("svc/Dockerfile.dev", BROKEN),
        ("svc/api.Dockerfile", BROKEN),
        ("svc/web.dockerfile", BROKEN),
        ("svc/x.containerfile", BROKEN),
        (".devcontainer/Dockerfile", BROKEN),
        ("svc/Dockerfile.dockerignore", "node_modules\n"),
        ("notes.txt", BROKEN),
        ("ignored/Dockerfile", BROKEN),
        (".gitignore", "ignored/\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let v = json(&out);
    let mut paths: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect();
    paths.dedup();
    assert_eq!(
        paths,
        [
            ".devcontainer/Dockerfile",
            "Containerfile",
            "Dockerfile",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile",
            "svc/web.dockerfile",
            "svc/x.containerfile",
        ]
    );
}

#[test]
fn named_files_are_checked_whatever_their_name_and_ignore_files() {
    let dir = scratch(&[
        ("build/recipe.txt", BROKEN),
        ("ignored/Dockerfile", BROKEN),
        (".gitignore", "ignored/\n"),
    ]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "build/recipe.txt",
            "ignored/Dockerfile",
        ],
    );
    let v = json(&out);
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"build/recipe.txt"), "{paths:?}");
    assert!(paths.contains(&"ignored/Dockerfile"), "{paths:?}");
}

#[test]
fn missing_path_is_a_tool_error() {
    let dir = scratch(&[("Dockerfile", CLEAN)]);
    let out = run_in(dir.path(), &["check", "Dockerfile", "nope/Dockerfile"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nope/Dockerfile: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_arguments_are_a_tool_error() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["check", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'yaml'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn directory_without_docker_files_warns() {
    let dir = scratch(&[("README.md", "# hi\n")]);
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("no Dockerfiles or compose files found in ."),
        "{}",
        stderr(&out)
    );
}

#[test]
fn failure_threshold_controls_the_exit_code() {
    let dir = scratch(&[("Dockerfile", BROKEN)]);
    let out = run_in(dir.path(), &["check", "--failure-threshold", "none"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run_in(dir.path(), &["check", "--failure-threshold", "error"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unparseable_content_is_still_checked() {
    // Not UTF-8, no instructions, a stray heredoc: findings, never a crash.
    let dir = scratch(&[("Dockerfile", "")]);
    std::fs::write(dir.path().join("Dockerfile"), b"\xff\xfe RUN <<EOF\n").unwrap();
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!json(&out)["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn version_flag() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("dockwise "), "{}", stdout(&out));
}

/// The example the README runs: keeps the README's sample output honest.
#[test]
fn readme_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run_in(root, &["check", "--format", "json", "fixtures/example"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let diags = v["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DF003", "DF053", "DF020"]);
    assert_eq!(diags[0]["path"], "fixtures/example/Dockerfile");
    assert_eq!(
        diags[0]["range"]["start"],
        serde_json::json!({"line": 10, "column": 13})
    );
    assert_eq!(diags[0]["fix"]["applicability"], "unsafe");
    assert_eq!(diags[0]["fix"]["edits"][0]["content"], "deps");
}

/// The `.dockerignore` beside each Dockerfile is its build context's.
#[test]
fn dockerignore_beside_the_dockerfile() {
    let dir = scratch(&[
        ("api/Dockerfile", "FROM a\nWORKDIR /app\nCOPY . .\n"),
        (
            "web/Dockerfile",
            "FROM a\nCOPY secrets/config.json dist/ /app/\n",
        ),
        ("web/.dockerignore", "# keep it small\nsecrets\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "json", "."]);
    let v = json(&out);
    // The rules about the build context (other rules find other things in these files).
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(_, code)| code == "DF053" || code == "DF055")
        .collect();
    assert_eq!(
        found,
        [
            ("api/Dockerfile".to_owned(), "DF053".to_owned()),
            ("web/Dockerfile".to_owned(), "DF055".to_owned())
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn compose_files_are_found_and_checked() {
    let compose = "services:\n  web:\n    image: nginx:1.27\n    restrat: always\n";
    let dir = scratch(&[
        ("Dockerfile", CLEAN),
        ("deploy/compose.prod.yaml", compose),
        ("values.yaml", "restrat: always\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "error[CP001]: `restrat` is not a known key in `services.web`: did you mean `restart`?"
        ),
        "{text}"
    );
    assert!(text.contains("--> deploy/compose.prod.yaml:4:5"), "{text}");
    assert!(text.contains("Checked 2 files: 1 error, "), "{text}");
    // A compose file named explicitly, whatever its name, with --kind.
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--kind",
            "compose",
            "--format",
            "json",
            "values.yaml",
        ],
    );
    let v = json(&out);
    assert_eq!(v["diagnostics"][0]["code"], "CP001");
}
