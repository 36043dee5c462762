//! The `dockwise` command line. The only part of the library that touches the file system
//! and the terminal; everything it reports comes from [`crate::analysis`].

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod discover;
mod migrate;
mod output;
mod parse_cmd;
mod paths;
mod rules_cmd;

pub use check::CheckArgs;
pub use migrate::MigrateArgs;
pub use parse_cmd::ParseArgs;
pub use rules_cmd::{ExplainArgs, RulesArgs};

/// Files larger than this are not analysed (a Dockerfile or compose file is a few KiB; a
/// huge one is a mistake or an attack on the editor).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Exit codes: 0 = nothing at or above the failure threshold, 1 = findings,
/// 2 = the tool could not run (bad arguments, unreadable paths).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const TOOL_ERROR: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "dockwise",
    version,
    about = "A fast language server and linter for Dockerfiles and Docker Compose files",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint Dockerfiles (for CI): prints findings, exits 1 when any reaches the threshold.
    Check(CheckArgs),
    /// Print a Dockerfile's syntax: the tree, JSON, or BuildKit's dump format.
    Parse(ParseArgs),
    /// Run the language server over stdio (for editors).
    Lsp(crate::lsp::LspArgs),
    /// List every rule: code, name, default severity, whether it has a fix, default on/off.
    Rules(RulesArgs),
    /// Show one rule's documentation: what it finds, why, examples, fix safety.
    Explain(ExplainArgs),
    /// Print (or write) the dockwise.toml equivalent to another linter's configuration.
    Migrate(MigrateArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Parse(args) => parse_cmd::run(&args),
        Command::Lsp(args) => crate::lsp::run(&args),
        Command::Rules(args) => rules_cmd::run_rules(&args),
        Command::Explain(args) => rules_cmd::run_explain(&args),
        Command::Migrate(args) => migrate::run(&args),
    };
    ExitCode::from(code)
}

/// Writes to stdout, treating a closed pipe (`dockwise check | head`) as success.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// An error the user must act on: printed to stderr, exit code 2.
pub(crate) fn tool_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("dockwise: error: {message}");
    exit::TOOL_ERROR
}
