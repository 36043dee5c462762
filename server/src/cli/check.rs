//! `dockwise check [PATHS]...`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::discover::{Target, describe_io_error, discover};
use super::output::{self, FileReport};
use super::paths::display_path;
use super::{MAX_FILE_SIZE, exit, print_stdout, tool_error};
use crate::analysis::check_dockerfile_with;
use crate::config::ConfigCache;
use crate::diagnostics::Severity;
use crate::facts::FactsCache;
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style snippets and a summary.
    Full,
    /// One JSON document with every finding.
    Json,
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
            "dockwise: warning: no Dockerfiles found in {}",
            dir.display()
        );
    }

    let cwd = std::env::current_dir().ok();
    let mut reports = Vec::new();
    let mut files_checked = 0;
    // Each `.dockerignore` is read once however many Dockerfiles share it.
    let mut facts = FactsCache::new();
    // Each configuration file is read once for every file it governs.
    let mut configs = ConfigCache::new();
    for target in &found.targets {
        let shown = display_path(&target.path, cwd.as_deref());
        let text = match read_target(target) {
            Ok(text) => text,
            Err(message) => return tool_error(format!("{shown}: {message}")),
        };
        let kind = match args.kind {
            Some(KindArg::Dockerfile) => FileKind::Dockerfile,
            Some(KindArg::Compose) => FileKind::Compose,
            None => {
                FileKind::from_path(&target.path).unwrap_or_else(|| FileKind::from_content(&text))
            }
        };
        if kind == FileKind::Compose {
            eprintln!(
                "dockwise: note: skipping {shown}: compose files are not checked by this version yet"
            );
            continue;
        }
        let config = match configs.config_for(&absolute(&target.path)) {
            Ok(config) => config,
            Err(e) => return tool_error(format!("invalid configuration: {e}")),
        };
        files_checked += 1;
        let diagnostics =
            check_dockerfile_with(&text, &facts.dockerfile_facts(&target.path), &config);
        reports.push(FileReport {
            path: shown,
            text,
            diagnostics,
        });
    }

    let rendered = match args.format {
        Format::Json => output::json::render(&reports),
        Format::Full => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let with_findings: Vec<FileReport> = reports
                .into_iter()
                .filter(|r| !r.diagnostics.is_empty())
                .collect();
            let text = output::full::render(&with_findings, files_checked, color);
            reports = with_findings;
            text
        }
    };
    if let Err(e) = print_stdout(&rendered) {
        return tool_error(format!("writing output: {e}"));
    }
    let failed = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| args.failure_threshold.fails(d.severity));
    if failed { exit::FINDINGS } else { exit::OK }
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
