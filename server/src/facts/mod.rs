//! Facts from other files that a document's analysis needs: the `.dockerignore` of a
//! Dockerfile's build context today; compose files and configuration later.
//!
//! [`FactsCache`] reads each file at most once and keeps what it found (including "there is
//! no such file") until told that the file changed ([`FactsCache::invalidate`]): the language
//! server calls that on `workspace/didChangeWatchedFiles`, so a keystroke never touches the
//! disk. Analysis itself only sees the plain [`DockerfileFacts`] value, so it stays a pure
//! function and tests build facts by hand.

pub mod compose;
pub mod dockerignore;
mod project;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use compose::ComposeFacts;
pub use dockerignore::DockerIgnore;
pub use project::{parse_env_file, summarise_dockerfile};

/// The largest `.dockerignore` read; a bigger file counts as unreadable.
const MAX_IGNORE_FILE: u64 = 1 << 20;

/// What is known about the `.dockerignore` of a Dockerfile's build context.
#[derive(Clone, Debug, Default, Hash)]
pub enum DockerignoreFact {
    /// Not known: the document is not a file on disk (unsaved, `untitled:`), or facts were
    /// not looked up. Rules that need the file stay quiet.
    #[default]
    Unknown,
    /// The context has no ignore file.
    Missing,
    /// The ignore file in force and where it is.
    Present {
        path: PathBuf,
        ignore: Arc<DockerIgnore>,
    },
}

/// Whether a compose service that builds a Dockerfile gives the container a healthcheck.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ComposeHealthcheck {
    /// No compose file was looked at, or none builds this Dockerfile.
    #[default]
    Unknown,
    /// A service builds this Dockerfile and sets `healthcheck:` (not `disable: true`).
    Defined,
    /// Services build this Dockerfile and none sets a healthcheck.
    Missing,
}

/// The facts one Dockerfile's analysis gets.
#[derive(Clone, Debug, Default, Hash)]
pub struct DockerfileFacts {
    pub dockerignore: DockerignoreFact,
    /// Set by the compose support; DF080 stays quiet when compose defines the healthcheck.
    pub compose_healthcheck: ComposeHealthcheck,
}

/// Files read for facts, each once, by path.
#[derive(Debug, Default)]
pub struct FactsCache {
    ignore_files: HashMap<PathBuf, Option<Arc<DockerIgnore>>>,
    /// `.env` and `env_file`s, parsed.
    env_files: HashMap<PathBuf, Option<Arc<compose::EnvVars>>>,
    /// Dockerfiles that compose services build, summarised.
    dockerfiles: HashMap<PathBuf, Option<Arc<compose::DockerfileSummary>>>,
    /// git's ignore rules in force in a folder, by folder.
    gitignores: HashMap<PathBuf, Arc<Vec<ignore::gitignore::Gitignore>>>,
}

impl FactsCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The facts for the Dockerfile at `path`, whose build context is taken to be its folder.
    /// BuildKit prefers `<Dockerfile name>.dockerignore` beside the Dockerfile over the
    /// context's `.dockerignore`.
    pub fn dockerfile_facts(&mut self, path: &Path) -> DockerfileFacts {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return DockerfileFacts::default();
        };
        let mut specific = name.to_os_string();
        specific.push(".dockerignore");
        let candidates = [dir.join(specific), dir.join(".dockerignore")];
        let dockerignore = candidates
            .into_iter()
            .find_map(|candidate| {
                let ignore = self.ignore_file(&candidate)?;
                Some(DockerignoreFact::Present {
                    path: candidate,
                    ignore,
                })
            })
            .unwrap_or(DockerignoreFact::Missing);
        DockerfileFacts {
            dockerignore,
            ..DockerfileFacts::default()
        }
    }

    /// Forgets what was read from `path` (it changed, appeared or went away).
    pub fn invalidate(&mut self, path: &Path) {
        self.ignore_files.remove(path);
        self.env_files.remove(path);
        self.dockerfiles.remove(path);
        if path.file_name().is_some_and(|n| n == ".gitignore") {
            self.gitignores.clear();
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.ignore_files.clear();
        self.env_files.clear();
        self.dockerfiles.clear();
        self.gitignores.clear();
    }

    /// How many files have been looked up (read or found missing).
    pub fn len(&self) -> usize {
        self.ignore_files.len() + self.env_files.len() + self.dockerfiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn ignore_file(&mut self, path: &Path) -> Option<Arc<DockerIgnore>> {
        self.ignore_files
            .entry(path.to_path_buf())
            .or_insert_with(|| read_small(path).map(|text| Arc::new(DockerIgnore::parse(&text))))
            .clone()
    }
}

/// A file's text when it exists, is a regular file and is not absurdly large (invalid UTF-8
/// replaced).
fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_IGNORE_FILE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dockwise-facts-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn ignore_path(facts: &DockerfileFacts) -> Option<PathBuf> {
        match &facts.dockerignore {
            DockerignoreFact::Present { path, .. } => Some(path.clone()),
            _ => None,
        }
    }

    #[test]
    fn reads_once_until_invalidated() {
        let dir = scratch();
        let dockerfile = dir.join("Dockerfile");
        let mut cache = FactsCache::new();
        assert!(matches!(
            cache.dockerfile_facts(&dockerfile).dockerignore,
            DockerignoreFact::Missing
        ));
        // Created behind the cache's back: still missing until invalidated.
        std::fs::write(dir.join(".dockerignore"), ".env\n").unwrap();
        assert!(ignore_path(&cache.dockerfile_facts(&dockerfile)).is_none());
        cache.invalidate(&dir.join(".dockerignore"));
        assert_eq!(
            ignore_path(&cache.dockerfile_facts(&dockerfile)),
            Some(dir.join(".dockerignore"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_dockerfile_specific_ignore_file_wins() {
        let dir = scratch();
        std::fs::write(dir.join(".dockerignore"), "a\n").unwrap();
        std::fs::write(dir.join("Dockerfile.dev.dockerignore"), "b\n").unwrap();
        let mut cache = FactsCache::new();
        assert_eq!(
            ignore_path(&cache.dockerfile_facts(&dir.join("Dockerfile.dev"))),
            Some(dir.join("Dockerfile.dev.dockerignore"))
        );
        assert_eq!(
            ignore_path(&cache.dockerfile_facts(&dir.join("Dockerfile"))),
            Some(dir.join(".dockerignore"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_named_like_the_file_is_not_an_ignore_file() {
        let dir = scratch();
        std::fs::create_dir(dir.join(".dockerignore")).unwrap();
        let mut cache = FactsCache::new();
        assert!(matches!(
            cache.dockerfile_facts(&dir.join("Dockerfile")).dockerignore,
            DockerignoreFact::Missing
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
