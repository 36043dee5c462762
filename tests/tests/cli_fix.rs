//! `dockwise check --fix`, `--unsafe-fixes` and `--diff` end to end.

use std::os::unix::fs::PermissionsExt;

use dockwise_e2e::{run_in, scratch, stderr, stdout};

const MAINTAINERS: &str =
    "FROM alpine:3.20\nMAINTAINER Jane\nMAINTAINER Joe\nUSER nobody\nHEALTHCHECK NONE\n";
const FIXED: &str = "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"Jane\"\nLABEL org.opencontainers.image.authors=\"Joe\"\nUSER nobody\nHEALTHCHECK NONE\n";

#[test]
fn fix_applies_safe_fixes_and_exits_on_what_remains() {
    let dir = scratch(&[("Dockerfile", MAINTAINERS)]);
    let out = run_in(dir.path(), &["check", "--fix", "--color", "never"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(text, FIXED);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("Fixed 2 findings in 1 file; 0 remain."),
        "{}",
        stderr(&out)
    );
    // Nothing left to do the second time.
    let out = run_in(dir.path(), &["check", "--fix"]);
    assert!(
        stderr(&out).contains("Fixed 0 findings in 0 files"),
        "{}",
        stderr(&out)
    );
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Dockerfile"]);
}

#[test]
fn diff_prints_and_changes_nothing() {
    let dir = scratch(&[("Dockerfile", MAINTAINERS)]);
    let out = run_in(dir.path(), &["check", "--diff"]);
    let diff = stdout(&out);
    assert!(diff.contains("--- a/Dockerfile"), "{diff}");
    assert!(diff.contains("-MAINTAINER Jane"), "{diff}");
    assert!(
        diff.contains("+LABEL org.opencontainers.image.authors=\"Jane\""),
        "{diff}"
    );
    assert!(
        stderr(&out).contains("Would fix 2 findings"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(text, MAINTAINERS);
}

#[test]
fn crlf_and_permissions_are_kept() {
    let crlf = MAINTAINERS.replace('\n', "\r\n");
    let dir = scratch(&[("Dockerfile", crlf.as_str())]);
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run_in(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, FIXED.replace('\n', "\r\n"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn a_byte_order_mark_is_kept() {
    for text in [MAINTAINERS.to_owned(), MAINTAINERS.replace('\n', "\r\n")] {
        let with_bom = format!("\u{feff}{text}");
        let dir = scratch(&[("Dockerfile", with_bom.as_str())]);
        let out = run_in(dir.path(), &["check", "--fix"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        let expected = if text.contains('\r') {
            FIXED.replace('\n', "\r\n")
        } else {
            FIXED.to_owned()
        };
        assert_eq!(fixed, format!("\u{feff}{expected}"));
    }
}

#[test]
fn a_read_only_file_is_an_error_and_is_left_alone() {
    let dir = scratch(&[("Dockerfile", MAINTAINERS)]);
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run_in(dir.path(), &["check", "--fix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MAINTAINERS);
}

#[test]
fn unsafe_fixes_insert_lines_with_the_files_line_ending() {
    let crlf = "FROM alpine:3.20\r\nRUN apk add --no-cache curl\r\nCMD [\"sh\"]\r\n";
    let dir = scratch(&[("Dockerfile", crlf)]);
    let out = run_in(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("USER app\r\n"), "{text:?}\n{}", stderr(&out));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a bare LF was inserted: {text:?}"
    );
    // Safe fixes alone leave the unsafe ones for a person.
    let dir = scratch(&[("Dockerfile", crlf)]);
    run_in(dir.path(), &["check", "--fix"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(!text.contains("USER"), "{text:?}");
}

#[test]
fn unsafe_fixes_create_the_missing_dockerignore_but_never_replace_one() {
    let src = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nHEALTHCHECK NONE\nCMD [\"node\", \"s.js\"]\n";
    let dir = scratch(&[("Dockerfile", src)]);
    let out = run_in(dir.path(), &["check", "--diff", "--unsafe-fixes"]);
    assert!(
        stdout(&out).contains("+++ b/.dockerignore"),
        "{}",
        stdout(&out)
    );
    assert!(!dir.path().join(".dockerignore").exists());
    let out = run_in(dir.path(), &["check", "--fix"]);
    assert!(
        !dir.path().join(".dockerignore").exists(),
        "safe fixes create no file"
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run_in(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    let created = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(created.contains("node_modules"), "{created}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // An ignore file written by a person is left alone.
    let dir = scratch(&[("Dockerfile", src), (".dockerignore", "mine\n")]);
    run_in(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        "mine\n"
    );
}

/// CP012's fix adds the env file to the `.gitignore` beside the compose file and to the
/// build context's `.dockerignore`, creating them or adding a line (once) to what is there.
#[test]
fn unsafe_fixes_add_an_exposed_env_file_to_the_ignore_files() {
    let compose = "name: shop\nservices:\n  api:\n    build: ./api\n    env_file: ./api/.env\n";
    let dir = scratch(&[
        ("compose.yaml", compose),
        ("api/.env", "TOKEN=x\n"),
        ("api/Dockerfile", "FROM node:22-alpine\n"),
        ("api/.dockerignore", "node_modules"),
    ]);
    let codes = |dir: &std::path::Path| -> Vec<String> {
        let out = run_in(dir, &["check", "--format", "json", "compose.yaml"]);
        dockwise_e2e::json(&out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        codes(dir.path()).iter().filter(|c| *c == "CP012").count(),
        2
    );
    let out = run_in(
        dir.path(),
        &["check", "--diff", "--unsafe-fixes", "compose.yaml"],
    );
    assert!(stdout(&out).contains("+/api/.env"), "{}", stdout(&out));
    assert!(!dir.path().join(".gitignore").exists());
    run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "compose.yaml"],
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read(".gitignore"), "/api/.env\n");
    assert_eq!(read("api/.dockerignore"), "node_modules\n.env\n");
    assert!(!codes(dir.path()).contains(&"CP012".to_owned()));
    // Fixing again adds nothing.
    run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "compose.yaml"],
    );
    assert_eq!(read(".gitignore"), "/api/.env\n");
    assert_eq!(read("api/.dockerignore"), "node_modules\n.env\n");
}
