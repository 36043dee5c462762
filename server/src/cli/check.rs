//! `dockwise check [PATHS]...`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::discover::{Discovery, Target, WalkOptions, describe_io_error, discover};
use super::output::{self, FileReport, Format, RenderOptions};
use super::paths::display_path;
use super::{MAX_FILE_SIZE, exit, print_stdout, tool_error};
use crate::analysis::{check_compose_with, check_dockerfile_with};
use crate::config::file::FailureThreshold;
use crate::config::{Config, ConfigCache, LoadedConfig, Selection, SettingsFormat};
use crate::diagnostics::{NewFile, Severity};
use crate::facts::FactsCache;
use crate::fix::{FixMode, fix_compose, fix_dockerfile};
use crate::text::FileKind;

#[derive(Debug, Args)]
#[command(after_long_help = CHECK_HELP)]
pub struct CheckArgs {
    /// Files, directories and glob patterns to check (default: the current directory).
    /// Directories are searched for Dockerfiles and compose files, respecting .gitignore;
    /// files named here, and files a quoted pattern such as 'services/*/Dockerfile'
    /// matches, are always checked.
    pub paths: Vec<PathBuf>,

    /// Output format.
    // `--output-format` is ruff's spelling, accepted for people coming from it.
    #[arg(long, alias = "output-format", value_enum, default_value_t = Format::Full)]
    pub format: Format,

    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,

    /// Print the findings only: no summary, no notes on what was fixed or found nowhere.
    #[arg(long, short)]
    pub quiet: bool,

    /// After the findings, count them by rule (most frequent first).
    #[arg(long)]
    pub statistics: bool,

    /// Print the settings that apply to each named file (the configuration file used,
    /// rules and severities, options) as TOML, and check nothing.
    #[arg(long)]
    pub show_settings: bool,

    /// Treat named files as this kind instead of guessing from the name and content.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Exit with 1 when a finding has this severity or a higher one [default: the
    /// configuration's `failure-threshold`, else warning].
    #[arg(long, value_enum)]
    pub failure_threshold: Option<Threshold>,

    /// Exit with 0 whatever the findings (still 2 when the tool cannot run).
    #[arg(long, alias = "no-fail")]
    pub exit_zero: bool,

    /// Exit with 1 when there are more than this many warnings, whatever the threshold.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// When to use colour in the full format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Use this configuration file for every file, instead of the `dockwise.toml` or
    /// `.dockwise.toml` found above each one.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Rules to run instead of the configured set: codes, code prefixes, names or ALL
    /// (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Rules to run beside the configured set.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Leave out of directory walks and pattern matches the files and folders matching this
    /// glob (repeatable; matched against the path below the walked folder and the name).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Walk directories without reading .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Check standard input as the file with this name (its name gives its kind and its
    /// folder the configuration). With --fix, the fixed text is printed.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

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

/// The end of `dockwise check --help`.
const CHECK_HELP: &str = "\
Exit status: 0 when no finding reaches the failure threshold, 1 when one does (or there are
more warnings than --max-warnings), 2 when dockwise cannot run: bad arguments or
configuration, unreadable files, a fix that cannot be written.

Configuration: the nearest dockwise.toml or .dockwise.toml above each file; else the nearest
.hadolint.yaml. Command-line rule selection applies on top of it.

In CI: `dockwise check --format github` annotates pull requests; `--format sarif
--output-file dockwise.sarif` feeds GitHub code scanning; `--format gitlab` feeds GitLab's
code quality widget.";

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
    /// The threshold a configuration file sets.
    fn from_config(threshold: FailureThreshold) -> Threshold {
        match threshold {
            FailureThreshold::Error => Threshold::Error,
            FailureThreshold::Warning => Threshold::Warning,
            FailureThreshold::Info => Threshold::Info,
            FailureThreshold::Style => Threshold::Style,
            FailureThreshold::None => Threshold::None,
        }
    }

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
    if args.stdin_filename.is_some() && !args.paths.is_empty() {
        return tool_error("--stdin-filename checks standard input: name no paths with it");
    }
    let selection = Selection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        ..Selection::default()
    };
    if let Err(e) = selection.validate() {
        return tool_error(e);
    }
    let explicit_config = match &args.config {
        Some(path) => match LoadedConfig::read(path) {
            Ok(loaded) => Some(std::sync::Arc::new(loaded)),
            Err(e) => return tool_error(format!("invalid configuration: {e}")),
        },
        None => None,
    };
    let walk = match WalkOptions::new(!args.no_ignore, &args.exclude) {
        Ok(walk) => walk,
        Err(e) => return tool_error(e),
    };
    let stdin_text = match &args.stdin_filename {
        Some(_) => {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                return tool_error(format!("reading standard input: {e}"));
            }
            Some(text)
        }
        None => None,
    };
    if args.show_settings {
        return show_settings(args);
    }
    let found = match &args.stdin_filename {
        Some(name) => Discovery {
            targets: vec![Target {
                path: name.clone(),
                explicit: true,
            }],
            ..Discovery::default()
        },
        None if args.paths.is_empty() => discover(&[PathBuf::from(".")], &walk),
        None => discover(&args.paths, &walk),
    };
    if !found.errors.is_empty() {
        for e in &found.errors {
            eprintln!("dockwise: error: {e}");
        }
        return exit::TOOL_ERROR;
    }
    if !args.quiet {
        for dir in &found.empty_dirs {
            eprintln!(
                "dockwise: warning: no Dockerfiles or compose files found in {}",
                dir.display()
            );
        }
    }

    let cwd = std::env::current_dir().ok();
    // Configuration and `.dockerignore` files are looked up here, each read once however
    // many Dockerfiles share it; the files themselves are then checked in parallel.
    let mut facts = FactsCache::new();
    let mut configs = ConfigCache::new();
    let mut jobs = Vec::with_capacity(found.targets.len());
    for target in &found.targets {
        let path = absolute(&target.path);
        let governing = match &explicit_config {
            Some(loaded) => Ok(Some(loaded.clone())),
            None => configs.governing(&path),
        };
        let loaded = match governing {
            Ok(loaded) => loaded,
            Err(e) => return tool_error(format!("invalid configuration: {e}")),
        };
        let mut config = loaded
            .as_ref()
            .map_or_else(Config::default, |l| l.config_for(&path));
        if !selection.is_empty() {
            config = config.with_selection(&selection);
        }
        let threshold = args
            .failure_threshold
            .or_else(|| {
                let set = loaded.as_ref()?.file.failure_threshold?;
                Some(Threshold::from_config(set))
            })
            .unwrap_or(Threshold::Warning);
        jobs.push(Job {
            target,
            shown: display_path(&target.path, cwd.as_deref()),
            facts: facts.dockerfile_facts(&target.path),
            config,
            threshold,
            stdin: stdin_text.as_deref(),
        });
    }
    let outcomes: Vec<Outcome> = jobs.par_iter().map(|job| check_one(args, job)).collect();

    let mut reports = Vec::new();
    let mut files_checked = 0;
    let (mut fixed_files, mut fixes_applied) = (0usize, 0usize);
    let mut diffs = String::new();
    let mut fixed_stdin = None;
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
                if job.stdin.is_some() && args.fix && !args.diff {
                    fixed_stdin = Some(report.text.clone());
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
    if (args.fix || args.diff) && !args.quiet {
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
        // Colour only for a terminal, and never into a file.
        ColorChoice::Auto => {
            args.output_file.is_none()
                && fixed_stdin.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut rendered = output::render(
        args.format,
        &reports,
        &RenderOptions {
            files_checked,
            color,
            quiet: args.quiet,
        },
    );
    if args.statistics {
        rendered.push_str(&output::statistics::render(&reports));
    }
    let written = match (&args.output_file, &fixed_stdin) {
        (Some(path), _) => std::fs::write(path, &rendered)
            .map_err(|e| format!("writing {}: {}", path.display(), describe_io_error(&e))),
        // Standard input fixed: the fixed text goes to standard output, the report beside it.
        (None, Some(_)) => {
            eprint!("{rendered}");
            Ok(())
        }
        (None, None) => print_stdout(&rendered).map_err(|e| format!("writing output: {e}")),
    };
    if let Err(e) = written {
        return tool_error(e);
    }
    if let Some(text) = &fixed_stdin
        && let Err(e) = print_stdout(text)
    {
        return tool_error(format!("writing output: {e}"));
    }
    if args.exit_zero {
        return exit::OK;
    }
    let over_threshold = jobs.iter().zip(&reports).any(|(job, report)| {
        report
            .diagnostics
            .iter()
            .any(|d| job.threshold.fails(d.severity))
    });
    let warnings = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let too_many_warnings = args.max_warnings.is_some_and(|max| warnings > max);
    if over_threshold || too_many_warnings {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// `--show-settings`: the resolved settings of each file named (or of standard input's
/// name), one after the other.
fn show_settings(args: &CheckArgs) -> u8 {
    let paths: Vec<PathBuf> = match &args.stdin_filename {
        Some(name) => vec![name.clone()],
        None if args.paths.is_empty() => {
            return tool_error("--show-settings needs the files to show the settings of");
        }
        None => args.paths.clone(),
    };
    let mut configs = ConfigCache::new();
    let mut out = String::new();
    for path in &paths {
        match crate::config::show_settings(&absolute(path), &mut configs, SettingsFormat::Toml) {
            Ok(text) => {
                if paths.len() > 1 {
                    out.push_str(&format!("# {}\n", path.display()));
                }
                out.push_str(&text);
            }
            Err(e) => return tool_error(format!("invalid configuration: {e}")),
        }
    }
    match print_stdout(&out) {
        Ok(()) => exit::OK,
        Err(e) => tool_error(format!("writing output: {e}")),
    }
}

/// One file to check, with what was looked up for it.
struct Job<'a> {
    target: &'a Target,
    shown: String,
    facts: crate::facts::DockerfileFacts,
    config: crate::config::Config,
    /// The lowest severity that fails the run, for this file's findings.
    threshold: Threshold,
    /// The text, when it comes from standard input.
    stdin: Option<&'a str>,
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
    let read = match job.stdin {
        Some(text) => Ok(text.to_owned()),
        None => read_target(job.target),
    };
    let text = match read {
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
        } else if job.stdin.is_some() {
            // Standard input is never written back: the fixed text is printed instead.
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
    // Files beside standard input's name are not the user's to change from a pipe.
    let new_files = if job.stdin.is_some() {
        Vec::new()
    } else {
        new_files
    };
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
