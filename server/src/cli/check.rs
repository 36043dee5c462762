//! `dockwise check [PATHS]...`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::discover::{Target, describe_io_error, discover};
use super::output::{self, FileReport, Format, RenderOptions};
use super::paths::display_path;
use super::{MAX_FILE_SIZE, exit, print_stdout, tool_error};
use crate::analysis::{check_compose_with, check_dockerfile_with};
use crate::config::ConfigCache;
use crate::diagnostics::{NewFile, Severity};
use crate::facts::FactsCache;
use crate::fix::{FixMode, fix_compose, fix_dockerfile};
use crate::text::FileKind;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check (default: the current directory). Directories are
    /// searched for Dockerfiles, respecting .gitignore; files named here are always checked.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Full)]
    pub format: Format,

    /// Treat named files as this kind instead of guessing from the name and content.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Exit with 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value_t = Threshold::Warning)]
    pub failure_threshold: Threshold,

    /// When to use colour in the full format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Apply safe fixes to the files, repeatedly until nothing more changes, then report
    /// what remains. Files are replaced atomically and keep their permissions.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff: apply unsafe fixes too (they may change how the image builds).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; report what would remain.
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Dockerfile,
    Compose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Error,
    Warning,
    Info,
    Style,
    /// Never fail on findings.
    None,
}

impl Threshold {
    fn fails(self, severity: Severity) -> bool {
        let min = match self {
            Threshold::Error => Severity::Error,
            Threshold::Warning => Severity::Warning,
            Threshold::Info => Severity::Info,
            Threshold::Style => Severity::Style,
            Threshold::None => return false,
        };
        severity >= min
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub(super) fn run(args: &CheckArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover(&paths);
    if !found.errors.is_empty() {
        for e in &found.errors {
            eprintln!("dockwise: error: {e}");
        }
        return exit::TOOL_ERROR;
    }
    for dir in &found.empty_dirs {
        eprintln!(
            "dockwise: warning: no Dockerfiles or compose files found in {}",
            dir.display()
        );
    }

    let cwd = std::env::current_dir().ok();
    // Configuration and `.dockerignore` files are looked up here, each read once however
    // many Dockerfiles share it; the files themselves are then checked in parallel.
    let mut facts = FactsCache::new();
    let mut configs = ConfigCache::new();
    let mut jobs = Vec::with_capacity(found.targets.len());
    for target in &found.targets {
        let config = match configs.config_for(&absolute(&target.path)) {
            Ok(config) => config,
            Err(e) => return tool_error(format!("invalid configuration: {e}")),
        };
        jobs.push(Job {
            target,
            shown: display_path(&target.path, cwd.as_deref()),
            facts: facts.dockerfile_facts(&target.path),
            config,
        });
    }
    let outcomes: Vec<Outcome> = jobs.par_iter().map(|job| check_one(args, job)).collect();

    let mut reports = Vec::new();
    let mut files_checked = 0;
    let (mut fixed_files, mut fixes_applied) = (0usize, 0usize);
    let mut diffs = String::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Outcome::Failed(message) => return tool_error(format!("{}: {message}", job.shown)),
            Outcome::Checked { report, fixed } => {
                files_checked += 1;
                if let Some(fixed) = fixed {
                    fixed_files += 1;
                    fixes_applied += fixed.applied;
                    diffs.push_str(&fixed.diff);
                }
                reports.push(report);
            }
        }
    }
    if args.diff
        && let Err(e) = print_stdout(&diffs)
    {
        return tool_error(format!("writing output: {e}"));
    }
    if args.fix || args.diff {
        let verb = if args.diff { "Would fix" } else { "Fixed" };
        let remaining: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        eprintln!(
            "dockwise: {verb} {fixes_applied} finding{} in {fixed_files} file{}; {remaining} remain{}.",
            if fixes_applied == 1 { "" } else { "s" },
            if fixed_files == 1 { "" } else { "s" },
            if remaining == 1 { "s" } else { "" },
        );
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let rendered = output::render(
        args.format,
        &reports,
        &RenderOptions {
            files_checked,
            color,
        },
    );
    if let Err(e) = print_stdout(&rendered) {
        return tool_error(format!("writing output: {e}"));
    }
    let failed = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| args.failure_threshold.fails(d.severity));
    if failed { exit::FINDINGS } else { exit::OK }
}

/// One file to check, with what was looked up for it.
struct Job<'a> {
    target: &'a Target,
    shown: String,
    facts: crate::facts::DockerfileFacts,
    config: crate::config::Config,
}

/// What checking one file gave.
enum Outcome {
    Checked {
        report: FileReport,
        fixed: Option<Fixed>,
    },
    /// The file could not be read or written.
    Failed(String),
}

/// Fixes applied (or, with `--diff`, shown) to one file.
struct Fixed {
    applied: usize,
    /// The unified diff (`--diff` only).
    diff: String,
}

/// Reads, checks and (with `--fix`) fixes one file. Runs on a worker thread.
fn check_one(args: &CheckArgs, job: &Job<'_>) -> Outcome {
    let text = match read_target(job.target) {
        Ok(text) => text,
        Err(message) => return Outcome::Failed(message),
    };
    let kind = match args.kind {
        Some(KindArg::Dockerfile) => FileKind::Dockerfile,
        Some(KindArg::Compose) => FileKind::Compose,
        None => {
            FileKind::from_path(&job.target.path).unwrap_or_else(|| FileKind::from_content(&text))
        }
    };
    let compose_facts = match kind {
        FileKind::Compose => FactsCache::new()
            .compose_facts(&job.target.path, &text)
            .with_environment(job.config.options.use_environment),
        FileKind::Dockerfile => crate::facts::ComposeFacts::default(),
    };
    let check = |text: &str| match kind {
        FileKind::Compose => check_compose_with(text, &compose_facts, &job.config),
        FileKind::Dockerfile => check_dockerfile_with(text, &job.facts, &job.config),
    };
    if !(args.fix || args.diff) {
        let diagnostics = check(&text);
        return Outcome::Checked {
            report: FileReport {
                path: job.shown.clone(),
                text,
                diagnostics,
            },
            fixed: None,
        };
    }
    let mode = if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    };
    let outcome = match kind {
        FileKind::Compose => fix_compose(&text, &compose_facts, &job.config, mode),
        FileKind::Dockerfile => fix_dockerfile(&text, &job.facts, &job.config, mode),
    };
    let mut remaining = outcome.remaining;
    let mut applied = outcome.applied;
    let mut diff = String::new();
    if outcome.text != text {
        if args.diff {
            diff = unified_diff(&job.shown, &text, &outcome.text);
        } else if let Err(message) = write_fixed(&job.target.path, &text, &outcome.text) {
            return Outcome::Failed(message);
        }
    }
    // Files that fixes create or add lines to beside the checked file (DF053's
    // `.dockerignore`, CP012's `.gitignore`).
    let new_files: Vec<NewFile> = remaining
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| mode.wants(f)))
        .filter_map(|d| d.new_file.clone())
        .collect();
    let dir = job.target.path.parent().unwrap_or(std::path::Path::new(""));
    let mut wrote = false;
    for file in dedup(new_files) {
        let path = dir.join(&file.path);
        let current = match std::fs::read(&path) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Outcome::Failed(format!(
                    "reading {}: {}",
                    path.display(),
                    describe_io_error(&e)
                ));
            }
        };
        let Some(content) = file.applied_to(current.as_deref()) else {
            continue;
        };
        applied += 1;
        if args.diff {
            let shown = display_path(&path, std::env::current_dir().ok().as_deref());
            diff.push_str(&match &current {
                Some(old) => unified_diff(&shown, old, &content),
                None => unified_diff_new(&shown, &content),
            });
            continue;
        }
        let written = match &current {
            Some(old) => {
                write_fixed(&path, old, &content).map_err(|m| format!("{}: {m}", path.display()))
            }
            None => std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, content.as_bytes()))
                .map_err(|e| format!("creating {}: {}", path.display(), describe_io_error(&e))),
        };
        if let Err(message) = written {
            return Outcome::Failed(message);
        }
        wrote = true;
    }
    if wrote {
        // The files written are facts the findings depend on: check again with them.
        remaining = match kind {
            FileKind::Compose => {
                let facts = FactsCache::new()
                    .compose_facts(&job.target.path, &outcome.text)
                    .with_environment(job.config.options.use_environment);
                check_compose_with(&outcome.text, &facts, &job.config)
            }
            FileKind::Dockerfile => {
                let facts = FactsCache::new().dockerfile_facts(&job.target.path);
                check_dockerfile_with(&outcome.text, &facts, &job.config)
            }
        };
    }
    let fixed = (applied > 0).then_some(Fixed { applied, diff });
    Outcome::Checked {
        report: FileReport {
            path: job.shown.clone(),
            text: outcome.text,
            diagnostics: remaining,
        },
        fixed,
    }
}

/// The files to write, each once: the lines several fixes add to one file are added
/// together (each once), and of files created whole the first is kept.
fn dedup(mut files: Vec<NewFile>) -> Vec<NewFile> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<NewFile> = Vec::new();
    for file in files {
        match out.last_mut() {
            Some(last) if last.path == file.path => {
                if last.append && file.append {
                    // The lines of both, each once: as if one were applied to the other.
                    if let Some(merged) = file.applied_to(Some(&last.content)) {
                        last.content = merged;
                    }
                }
            }
            _ => out.push(file),
        }
    }
    out
}

/// A unified diff that creates a file.
fn unified_diff_new(path: &str, content: &str) -> String {
    similar::TextDiff::from_lines("", content)
        .unified_diff()
        .context_radius(3)
        .header("/dev/null", &format!("b/{path}"))
        .to_string()
}

/// Reads a file as text. Invalid UTF-8 is decoded lossily (the parser then sees U+FFFD), as
/// a Dockerfile in another encoding is still worth checking.
fn read_target(target: &Target) -> Result<String, String> {
    let meta = std::fs::metadata(&target.path).map_err(|e| describe_io_error(&e))?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(format!(
            "file is too large to check ({} bytes; the limit is {MAX_FILE_SIZE})",
            meta.len()
        ));
    }
    let bytes = std::fs::read(&target.path).map_err(|e| describe_io_error(&e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// The path made absolute (against the current directory), so configuration files above the
/// current directory are found too.
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A unified diff of a file's fixes, with `a/` and `b/` paths as git prints them.
fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Replaces a file's text atomically: a temporary file in the same folder with the original
/// permissions, renamed over the original, unless the file changed since it was read (then
/// nothing is written). Read-only files are left alone.
fn write_fixed(path: &std::path::Path, read: &str, fixed: &str) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| describe_io_error(&e))?;
    if meta.permissions().readonly() {
        return Err("the file is read-only; not fixed".to_owned());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockwise-fix-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write beside the file: {}", describe_io_error(&e)))?;
    use std::io::Write as _;
    tmp.write_all(fixed.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("writing the fixed file failed: {}", describe_io_error(&e)))?;
    std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(|e| {
        format!(
            "cannot keep the file's permissions: {}",
            describe_io_error(&e)
        )
    })?;
    // Someone (an editor, another tool) may have saved the file meanwhile: keep their text.
    let now = std::fs::read(path).map_err(|e| describe_io_error(&e))?;
    if now != read.as_bytes() {
        return Err("the file changed while it was being fixed; not written".to_owned());
    }
    tmp.persist(path)
        .map_err(|e| format!("replacing the file failed: {}", describe_io_error(&e.error)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM a\nMAINTAINER x\n").unwrap();
        // Read, then someone else saves the file.
        let read = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, "FROM b\n").unwrap();
        let err = write_fixed(&path, &read, "FROM a\nLABEL x\n").unwrap_err();
        assert!(err.contains("changed"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
        // Unchanged: written.
        write_fixed(&path, "FROM b\n", "FROM c\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM c\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
