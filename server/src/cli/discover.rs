//! Finding the files to check: named files always, directories walked for Dockerfiles and
//! compose files (respecting `.gitignore` unless told not to), and glob patterns expanded.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

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

/// How directories are walked.
#[derive(Debug, Default)]
pub(crate) struct WalkOptions {
    /// Skip what `.gitignore`, `.ignore` and git's exclude files leave out.
    pub respect_ignore_files: bool,
    /// Files and folders left out of walks and glob matches (matched against the path
    /// below the walked folder and against the name alone).
    pub exclude: GlobSet,
}

impl WalkOptions {
    /// Options from `--exclude` patterns; an invalid pattern is an error to report.
    pub(crate) fn new(respect_ignore_files: bool, exclude: &[String]) -> Result<Self, String> {
        let mut set = GlobSetBuilder::new();
        for pattern in exclude {
            let glob = Glob::new(pattern).map_err(|e| format!("--exclude `{pattern}`: {e}"))?;
            set.add(glob);
        }
        let exclude = set
            .build()
            .map_err(|e| format!("--exclude patterns: {e}"))?;
        Ok(WalkOptions {
            respect_ignore_files,
            exclude,
        })
    }

    fn excluded(&self, path: &Path, root: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let below = path.strip_prefix(root).unwrap_or(path);
        self.exclude.is_match(below)
            || path
                .file_name()
                .is_some_and(|name| self.exclude.is_match(Path::new(name)))
    }
}

/// Whether a path as typed is a glob pattern rather than a file name.
fn is_pattern(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '[', '{'])
}

pub(crate) fn discover(paths: &[PathBuf], options: &WalkOptions) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(_) if is_pattern(path) => expand(path, options, &mut found),
            Err(e) => found
                .errors
                .push(format!("{}: {}", path.display(), describe_io_error(&e))),
            Ok(meta) if meta.is_dir() => {
                let before = found.targets.len();
                walk(path, options, &mut found);
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
    // A file named twice (or matched by two patterns) is checked once.
    let mut seen = std::collections::HashSet::new();
    found.targets.retain(|t| seen.insert(t.path.clone()));
    found
}

/// The files a glob pattern (`services/*/Dockerfile`, `**/compose*.yaml`) matches, walked
/// from the folder its literal part names. They count as named: checked whatever their name.
fn expand(pattern: &Path, options: &WalkOptions, found: &mut Discovery) {
    let text = pattern.to_string_lossy().replace('\\', "/");
    let matcher = match Glob::new(&text) {
        Ok(glob) => glob.compile_matcher(),
        Err(e) => {
            found
                .errors
                .push(format!("{text}: not a valid pattern: {e}"));
            return;
        }
    };
    // The folders before the first component with a wildcard.
    let literal: PathBuf = Path::new(&text)
        .components()
        .take_while(|c| !is_pattern(Path::new(c.as_os_str())))
        .collect();
    let root = if literal.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        literal
    };
    let mut files = Vec::new();
    for entry in walker(&root, options).flatten() {
        let path = entry.path();
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        // `./x` walked from `.` is matched as `x`, the way the pattern is written.
        let as_written = path.strip_prefix("./").unwrap_or(path);
        if is_file && matcher.is_match(as_written) && !options.excluded(path, &root) {
            files.push(path.to_path_buf());
        }
    }
    if files.is_empty() {
        found.errors.push(format!("{text}: no files match"));
        return;
    }
    files.sort();
    found.targets.extend(files.into_iter().map(|path| Target {
        path,
        explicit: true,
    }));
}

fn walker(root: &Path, options: &WalkOptions) -> ignore::Walk {
    let exclude = options.exclude.clone();
    let root_owned = root.to_path_buf();
    ignore::WalkBuilder::new(root)
        // Docker files often live in hidden folders (`.devcontainer/`, `.github/`).
        .hidden(false)
        .git_ignore(options.respect_ignore_files)
        .git_exclude(options.respect_ignore_files)
        .git_global(false)
        .ignore(options.respect_ignore_files)
        .parents(options.respect_ignore_files)
        // CI checkouts and exported trees may lack `.git`; a `.gitignore` still means it.
        .require_git(false)
        .filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            // Excluded folders are not entered.
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && e.depth() > 0 && {
                let below = e.path().strip_prefix(&root_owned).unwrap_or(e.path());
                exclude.is_match(below) || exclude.is_match(Path::new(e.file_name()))
            })
        })
        .build()
}

fn walk(dir: &Path, options: &WalkOptions, found: &mut Discovery) {
    let walker = walker(dir, options);
    let mut files = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file
                    && FileKind::from_path(entry.path()).is_some()
                    && !options.excluded(entry.path(), dir)
                {
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
