//! Finding the files to check: named files always, directories walked for Dockerfiles and
//! compose files
//! (respecting `.gitignore`).

use std::path::{Path, PathBuf};

use crate::text::FileKind;

/// A file to check and whether the user named it (named files are checked whatever their
/// name and never filtered by ignore files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: PathBuf,
    pub explicit: bool,
}

/// What discovery found, plus problems to report.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub targets: Vec<Target>,
    /// Paths that do not exist or cannot be walked: the run fails with exit code 2.
    pub errors: Vec<String>,
    /// Directories in which nothing was found.
    pub empty_dirs: Vec<PathBuf>,
}

pub(crate) fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => found
                .errors
                .push(format!("{}: {}", path.display(), describe_io_error(&e))),
            Ok(meta) if meta.is_dir() => {
                let before = found.targets.len();
                walk(path, &mut found);
                if found.targets.len() == before {
                    found.empty_dirs.push(path.clone());
                }
            }
            Ok(_) => found.targets.push(Target {
                path: path.clone(),
                explicit: true,
            }),
        }
    }
    found
}

fn walk(dir: &Path, found: &mut Discovery) {
    let walker = ignore::WalkBuilder::new(dir)
        // Docker files often live in hidden folders (`.devcontainer/`, `.github/`).
        .hidden(false)
        // CI checkouts and exported trees may lack `.git`; a `.gitignore` still means it.
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    let mut files = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && FileKind::from_path(entry.path()).is_some() {
                    files.push(entry.into_path());
                }
            }
            Err(e) => found.errors.push(e.to_string()),
        }
    }
    files.sort();
    found.targets.extend(files.into_iter().map(|path| Target {
        path,
        explicit: false,
    }));
}

pub(crate) fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}
