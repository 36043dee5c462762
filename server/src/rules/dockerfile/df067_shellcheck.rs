use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunForm;
use crate::syntax::TextRange;
use crate::syntax::shell::ShellSource;

declare_rule! {
    /// ## What it does
    /// Runs [ShellCheck](https://www.shellcheck.net/) on each shell-form `RUN` and reports
    /// what it finds, as `SC` codes, at ShellCheck's own severity. Off by default, and only
    /// active when a `shellcheck` program is on the `PATH`.
    ///
    /// ## Why is this bad?
    /// A `RUN` line is a shell script, with all of a shell script's traps: unquoted
    /// variables that split, `cd` without a check, tests that are always true. ShellCheck
    /// knows hundreds of them. Its findings are checked against the same script the
    /// builder runs (line continuations joined, comment lines removed), in the dialect of the
    /// stage's `SHELL`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN for f in $(ls /etc/*.conf); do echo $f; done
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN for f in /etc/*.conf; do echo "$f"; done
    /// ```
    ///
    /// ## Fix safety
    /// No fixes are applied from ShellCheck's suggestions.
    ///
    /// ## References
    /// - ShellCheck's wiki, one page per code: <https://www.shellcheck.net/wiki/>
    /// - Left out as in hadolint: SC2187 (ash), SC1090 and SC1091 (sourced files the build
    ///   has), and SC2154 (variables set by `ARG`/`ENV`, which ShellCheck cannot see).
    pub const SHELLCHECK = {
        code: "DF067",
        name: "shellcheck",
        severity: Warning,
        fixable: false,
        default_enabled: false,
    };
}

/// ShellCheck codes never reported.
const EXCLUDED: &str = "SC2187,SC1090,SC1091,SC2154";
/// How long one ShellCheck run may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Results kept for repeated scripts (the language server re-checks on every keystroke).
const CACHE_LIMIT: usize = 4096;

#[derive(Debug, Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(program) = shellcheck_program() else {
        return;
    };
    for run in ctx.all_runs() {
        if run.form == RunForm::Exec || !run.shell.posix {
            continue;
        }
        let Some(dialect) = dialect(&run.shell.program) else {
            continue;
        };
        let Some(instruction) = ctx.instruction(run.instruction) else {
            continue;
        };
        let Some(source) = ShellSource::from_instruction(instruction) else {
            continue;
        };
        let Some(base) = instruction.shell().map(|s| s.range().start) else {
            continue;
        };
        let Some(comments) = run_shellcheck(program, dialect, source.text()) else {
            continue;
        };
        for comment in comments.iter() {
            let start = offset_of(source.text(), comment.line, comment.column);
            let end = offset_of(source.text(), comment.end_line, comment.end_column).max(start);
            let range = source.map_range(start, end);
            let mut diagnostic = SHELLCHECK.diagnostic(
                TextRange::new(base + range.start, base + range.end),
                format!("SC{}: {}", comment.code, comment.message),
            );
            diagnostic.severity = match comment.level.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                _ => Severity::Style,
            };
            out.push(diagnostic);
        }
    }
}

/// Whether a `shellcheck` program is on the `PATH`.
pub(crate) fn is_available() -> bool {
    shellcheck_program().is_some()
}

/// ShellCheck's name for a shell, or `None` for one it does not check.
fn dialect(program: &str) -> Option<&'static str> {
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "bash" => Some("bash"),
        "sh" => Some("sh"),
        "dash" => Some("dash"),
        "ash" | "busybox" => Some("busybox"),
        "ksh" | "mksh" => Some("ksh"),
        _ => None,
    }
}

/// The `shellcheck` program on the `PATH`, looked up once.
fn shellcheck_program() -> Option<&'static PathBuf> {
    static PROGRAM: OnceLock<Option<PathBuf>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join("shellcheck"))
                .find(|p| p.is_file())
        })
        .as_ref()
}

type CacheKey = (&'static str, String);

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<Vec<Comment>>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Vec<Comment>>>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// ShellCheck's comments on a script (cached by dialect and text). `None` when it could not
/// run or its output did not parse.
fn run_shellcheck(
    program: &PathBuf,
    dialect: &'static str,
    script: &str,
) -> Option<Arc<Vec<Comment>>> {
    let key = (dialect, script.to_owned());
    if let Some(found) = cache().lock().ok()?.get(&key) {
        return Some(found.clone());
    }
    let mut child = Command::new(program)
        .args([
            "--format=json1",
            "--shell",
            dialect,
            "--exclude",
            EXCLUDED,
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Writing from another thread: a big script must not block on a full pipe while
    // ShellCheck waits for us to read its output.
    let mut stdin = child.stdin.take()?;
    let input = script.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let deadline = Instant::now() + TIMEOUT;
    let output = loop {
        match child.try_wait() {
            Ok(Some(_)) => break child.wait_with_output().ok()?,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    let _ = writer.join();
    let parsed: Output = serde_json::from_slice(&output.stdout).ok()?;
    let comments = Arc::new(parsed.comments);
    if let Ok(mut cache) = cache().lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, comments.clone());
    }
    Some(comments)
}

/// The byte offset of ShellCheck's 1-based line and column (tabs count as 8 columns).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let mut col = 1;
    for (i, c) in line_text.char_indices() {
        if col >= column || c == '\n' {
            return start + i;
        }
        col = if c == '\t' {
            (col - 1) / 8 * 8 + 9
        } else {
            col + 1
        };
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check_dockerfile_with;
    use crate::config::{Config, Selection};
    use crate::facts::DockerfileFacts;

    #[test]
    fn offsets_from_lines_and_tab_columns() {
        let text = "echo a\n\tcd x\n";
        assert_eq!(offset_of(text, 1, 6), 5);
        assert_eq!(offset_of(text, 2, 9), 8);
        assert_eq!(offset_of(text, 2, 12), 11);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }

    #[test]
    fn dialects() {
        assert_eq!(dialect("/bin/bash"), Some("bash"));
        assert_eq!(dialect("/bin/sh"), Some("sh"));
        assert_eq!(dialect("zsh"), None);
    }

    /// Runs only where ShellCheck is installed (CI installs it).
    #[test]
    fn findings_point_into_the_dockerfile() {
        if shellcheck_program().is_none() {
            eprintln!("skipped: no shellcheck on the PATH");
            return;
        }
        let config = Config::default().with_selection(&Selection {
            extend_select: vec!["DF067".to_owned()],
            ..Selection::default()
        });
        let src = "FROM debian\nRUN echo start && \\\n    # comment\n    cd $DIR && make\n";
        let found: Vec<_> = check_dockerfile_with(src, &DockerfileFacts::default(), &config)
            .into_iter()
            .filter(|d| d.code == "DF067")
            .collect();
        let texts: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert!(
            found.iter().any(|d| d.message.starts_with("SC2086")),
            "{found:?}"
        );
        assert!(texts.contains(&"$DIR"), "{texts:?}");
        // Off by default.
        assert!(
            crate::analysis::check_dockerfile(src)
                .iter()
                .all(|d| d.code != "DF067")
        );
    }
}
