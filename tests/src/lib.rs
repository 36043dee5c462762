//! Helpers for end-to-end tests: find (or build) the `dockwise` binary, run it, and make
//! scratch directories with files in them.

pub mod lsp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The `dockwise` binary of this build: `$DOCKWISE_BIN`, else the one next to the test
/// executable's profile directory (`target/<profile>/dockwise`), built on first use if it is
/// missing (when only this crate's tests were asked for).
pub fn dockwise_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("DOCKWISE_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/<test> -> target/<profile>/dockwise
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executable lives in target/<profile>/deps");
        let bin = profile_dir.join(format!("dockwise{}", std::env::consts::EXE_SUFFIX));
        // `cargo bench -p dockwise-e2e` does not build the server: build it (a no-op when
        // up to date) so a bench never measures a stale binary. `cargo test --workspace`
        // builds it already; there it is built only when missing.
        let release = profile_dir.ends_with("release");
        if release || !bin.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let mut args = vec!["build", "-p", "dockwise", "--bin", "dockwise"];
            if release {
                args.push("--release");
            }
            let status = Command::new(cargo)
                .args(args)
                .status()
                .expect("running cargo build");
            assert!(status.success(), "cargo build of dockwise failed");
        }
        assert!(
            bin.exists(),
            "dockwise binary not found at {}",
            bin.display()
        );
        bin
    })
}

/// Runs `dockwise ARGS` in `dir` with no standard input and a clean colour environment.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(dockwise_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("running dockwise")
}

/// Runs `dockwise ARGS` with `input` on standard input.
pub fn run_with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(dockwise_bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning dockwise");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("writing stdin");
    drop(stdin);
    child.wait_with_output().expect("waiting for dockwise")
}

/// A scratch directory with the given files (paths relative to it, parents created).
pub fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&full, content).expect("write file");
    }
    dir
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Parses stdout as JSON, with the output in the panic message if it is not.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

/// The first finding with `code` in a report with a `diagnostics` list (an LSP
/// `publishDiagnostics` or a `check --format json` answer).
pub fn finding<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    report["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {report}"))
}
