//! `dockwise migrate hadolint [PATH] [--write]`: the `dockwise.toml` that says what a
//! `.hadolint.yaml` says, printed for review or written beside it.
//!
//! The mapping is the one `check` applies when a `.hadolint.yaml` governs a file
//! ([`crate::config::hadolint`]); this command only makes it visible and permanent. What
//! does not carry over is warned about on stderr and named in the written file's comments;
//! it never fails the command.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::paths::display_path;
use super::{exit, print_stdout, tool_error};
use crate::config::file::{CONFIG_FILE_NAMES, read_limited};
use crate::config::hadolint::{self, HADOLINT_FILE_NAMES};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    from: MigrateFrom,
}

#[derive(Debug, Subcommand)]
enum MigrateFrom {
    /// From hadolint's configuration: ignored codes, severity overrides, trusted registries,
    /// failure threshold and label schema, through the equivalence of its codes and ours.
    Hadolint(HadolintArgs),
}

#[derive(Debug, Args)]
struct HadolintArgs {
    /// The hadolint configuration file, or a folder holding one (default: `.hadolint.yaml`
    /// or `.hadolint.yml` in the current folder).
    path: Option<PathBuf>,

    /// Write `dockwise.toml` beside the hadolint file instead of printing it. An existing
    /// `dockwise.toml` or `.dockwise.toml` there is never overwritten (exit code 2).
    #[arg(long)]
    write: bool,
}

pub(super) fn run(args: &MigrateArgs) -> u8 {
    match &args.from {
        MigrateFrom::Hadolint(args) => from_hadolint(args),
    }
}

fn from_hadolint(args: &HadolintArgs) -> u8 {
    let cwd = std::env::current_dir().ok();
    let source = match hadolint_file(args.path.as_deref().unwrap_or(Path::new("."))) {
        Ok(source) => source,
        Err(message) => return tool_error(message),
    };
    let shown = display_path(&source, cwd.as_deref());
    let migration = match read_limited(&source).and_then(|text| hadolint::read(&text)) {
        Ok(migration) => migration,
        Err(message) => return tool_error(format!("{shown}: {message}")),
    };
    for warning in &migration.warnings {
        eprintln!("dockwise: warning: {shown}: {warning}");
    }
    let name = source
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let text = hadolint::to_toml(&migration, &name);
    if !args.write {
        return match print_stdout(&text) {
            Ok(()) => exit::OK,
            Err(e) => tool_error(format!("writing output: {e}")),
        };
    }

    let dir = source.parent().unwrap_or(Path::new(""));
    // Either name would govern the folder (and both together are an error), so neither may
    // be there already.
    if let Some(existing) = CONFIG_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.exists())
    {
        return tool_error(format!(
            "{} already exists: not overwritten (run without --write to see the migrated settings and merge them by hand)",
            display_path(&existing, cwd.as_deref())
        ));
    }
    let target = dir.join(CONFIG_FILE_NAMES[0]);
    let shown_target = display_path(&target, cwd.as_deref());
    // `create_new`: if a file appears between the check above and here, it is kept too.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    match written {
        Ok(()) => {
            eprintln!("dockwise: wrote {shown_target}");
            exit::OK
        }
        Err(e) => tool_error(format!("{shown_target}: {e}")),
    }
}

/// The hadolint file `path` names: the file itself, or the one in the folder it names.
fn hadolint_file(path: &Path) -> Result<PathBuf, String> {
    if !path.is_dir() {
        return if path.exists() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("{}: no such file", path.display()))
        };
    }
    let found: Vec<PathBuf> = HADOLINT_FILE_NAMES
        .iter()
        .map(|name| path.join(name))
        .filter(|p| p.is_file())
        .collect();
    let folder = if path == Path::new(".") {
        "the current folder".to_owned()
    } else {
        path.display().to_string()
    };
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no {} or {} in {folder}: name the file to migrate",
            HADOLINT_FILE_NAMES[0], HADOLINT_FILE_NAMES[1]
        )),
        _ => Err(format!(
            "both {} and {} are in {folder}: name the one to migrate",
            HADOLINT_FILE_NAMES[0], HADOLINT_FILE_NAMES[1]
        )),
    }
}
