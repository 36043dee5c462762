//! `dockwise.toml` / `.dockwise.toml`: reading one, finding the one that governs a file, and
//! caching what was read.
//!
//! Which file governs: walking up from the checked file's folder, the first folder holding a
//! `dockwise.toml`, `.dockwise.toml`, `.hadolint.yaml` or `.hadolint.yml` decides, and that
//! one file is used alone (files are never merged, and nothing above it is read):
//! - in that folder a dockwise file wins over a hadolint one, which is then not even read;
//! - a hadolint file is read through [`super::hadolint`]: its codes become our rules and its
//!   settings ours; codes with no equivalent are skipped (kept as warnings);
//! - so a dockwise file in the same folder as a `.hadolint.yaml`, or nearer the checked
//!   file, wins; a `.hadolint.yaml` nearer the file than a `dockwise.toml` hides it;
//! - both dockwise names in one folder is an error, and so are both hadolint names.
//!
//! The walk never leaves the file's ancestors: no `XDG_CONFIG_HOME`, nothing from the
//! environment. hadolint files are looked for only up to the root of the repository holding
//! the file (the first folder with `.git`), and never in a user's home directory (as the
//! system's user list gives it), so a user-wide `~/.hadolint.yaml`, which hadolint reads,
//! does not apply to the projects below it.
//!
//! ```toml
//! select = ["DF"]                 # replaces the default rule set
//! extend-select = ["DF049"]       # adds to it
//! ignore = ["DF036"]              # removes from it
//! failure-threshold = "warning"   # for `dockwise check`
//! trusted-registries = ["docker.io", "ghcr.io"]
//!
//! [severity]
//! DF070 = "error"
//!
//! [per-file-ignores]
//! "legacy/**" = ["DF070", "DF080"]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use super::{Config, RuleOptions, Selection};
use crate::diagnostics::Severity;

/// The names a configuration file may have, in the order they are looked for.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["dockwise.toml", ".dockwise.toml"];

/// The rule that `trusted-registries` turns on.
const UNTRUSTED_REGISTRY: &str = "DF033";

/// The largest configuration file read.
const MAX_CONFIG_FILE: u64 = 1 << 20;

/// The settings a `dockwise.toml` or `.dockwise.toml` holds: which rules run, at what
/// severity, and the options some rules read. Every key is optional; an unknown key is an
/// error.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    /// The rules to run instead of the built-in default set: codes (`DF047`), code prefixes
    /// (`DF04`, `DF`), rule names (`apt-cleanup`) or `ALL`.
    pub select: Option<Vec<String>>,
    /// Rules to run as well as the selected ones, typically rules that are off by default.
    pub extend_select: Vec<String>,
    /// Rules not to run. Where `select` and `ignore` both name a rule, the more specific
    /// selector decides (`select = ["DF070"]` beats `ignore = ["DF"]`).
    pub ignore: Vec<String>,
    /// A severity per rule, overriding the rule's own: the key is a code, prefix or name, the
    /// value `error`, `warning`, `info` or `style`.
    pub severity: BTreeMap<String, Severity>,
    /// Rules not to run in some files: the key is a glob relative to the folder of this
    /// configuration file (a glob without `/` also matches file names anywhere below it),
    /// the value a list of rule selectors.
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// The lowest severity of a finding that makes `dockwise check` exit with status 1.
    pub failure_threshold: Option<FailureThreshold>,
    /// Registries base images may come from (`docker.io`, `ghcr.io`, `*.gcr.io`). Listing
    /// any turns on DF033 (untrusted-registry), which reports images from other registries.
    pub trusted_registries: Vec<String>,
    /// Image tags that move to new images over time and so pin nothing (DF031). Empty: the
    /// built-in list (`latest` and the like).
    pub prohibited_tags: Vec<String>,
    /// More words that make a variable name look like it holds a secret (DF074), beside the
    /// built-in ones such as `password` and `token`.
    pub secret_patterns: Vec<String>,
    /// Globs of compose files that describe production deployments, beside files whose
    /// name contains `prod`.
    pub production_files: Vec<String>,
    /// Labels every image must carry, each with the format its value must have (DF090).
    pub label_schema: BTreeMap<String, super::LabelFormat>,
    /// With a label schema: also report labels the schema does not name (DF090).
    pub strict_labels: bool,
    /// How `${VAR}` interpolation in compose files is checked.
    pub interpolation: Interpolation,
}

/// Settings for `${VAR}` interpolation in compose files (CP025, CP026).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Interpolation {
    /// Let variables come from the environment of the process running dockwise as well as
    /// from `.env` files. Off by default, so every machine gives the same answer.
    pub use_environment: bool,
}

/// The lowest severity that fails `dockwise check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FailureThreshold {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on information, warnings and errors.
    Info,
    /// Fail on any finding.
    Style,
    /// Never fail because of findings.
    None,
}

impl FailureThreshold {
    /// The name as written in a configuration file.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureThreshold::Error => "error",
            FailureThreshold::Warning => "warning",
            FailureThreshold::Info => "info",
            FailureThreshold::Style => "style",
            FailureThreshold::None => "none",
        }
    }
}

/// A configuration file that could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What kind of file a configuration was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigOrigin {
    /// `dockwise.toml` or `.dockwise.toml`.
    Dockwise,
    /// `.hadolint.yaml` or `.hadolint.yml`, mapped onto our rules.
    Hadolint,
}

/// A configuration file read from disk, ready to resolve per file.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub file: ConfigFile,
    pub origin: ConfigOrigin,
    /// What did not carry over from a hadolint file (codes with no equivalent, settings we
    /// have no use for); empty for a dockwise file.
    pub warnings: Vec<String>,
    per_file: Vec<PerFileIgnore>,
}

/// One `per-file-ignores` entry, compiled.
#[derive(Clone, Debug)]
struct PerFileIgnore {
    /// As written, to show which entries apply to a file.
    glob: String,
    matcher: GlobMatcher,
    /// The glob has no `/`: it also matches a file's name wherever the file is.
    name_only: bool,
    selectors: Vec<String>,
}

impl ConfigFile {
    /// Parses and validates the text of a configuration file.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
        file.selection().validate().map_err(|e| e.to_string())?;
        for (glob, selectors) in &file.per_file_ignores {
            Glob::new(glob).map_err(|e| format!("per-file-ignores: `{glob}`: {e}"))?;
            for s in selectors {
                super::check_selector(s).map_err(|e| format!("per-file-ignores: {e}"))?;
            }
        }
        Ok(file)
    }

    /// The rule options this file sets.
    pub fn options(&self) -> RuleOptions {
        RuleOptions {
            trusted_registries: self.trusted_registries.clone(),
            prohibited_tags: self.prohibited_tags.clone(),
            secret_patterns: self.secret_patterns.clone(),
            production_files: self.production_files.clone(),
            label_schema: self.label_schema.clone(),
            strict_labels: self.strict_labels,
            use_environment: self.interpolation.use_environment,
            in_editor: false,
        }
    }

    /// The rule selection this file writes. Listing trusted registries turns DF033
    /// (untrusted-registry) on, unless `ignore` names it.
    pub fn selection(&self) -> Selection {
        let mut extend_select = self.extend_select.clone();
        if !self.trusted_registries.is_empty()
            && !self
                .ignore
                .iter()
                .any(|s| super::selector_names_code(s, UNTRUSTED_REGISTRY))
        {
            extend_select.push(UNTRUSTED_REGISTRY.to_owned());
        }
        Selection {
            select: self.select.clone(),
            extend_select,
            ignore: self.ignore.clone(),
            severity: self.severity.clone(),
        }
    }
}

impl LoadedConfig {
    pub fn new(path: PathBuf, file: ConfigFile) -> Self {
        let per_file = file
            .per_file_ignores
            .iter()
            .filter_map(|(glob, selectors)| {
                Some(PerFileIgnore {
                    glob: glob.clone(),
                    matcher: Glob::new(glob).ok()?.compile_matcher(),
                    name_only: !glob.contains('/'),
                    selectors: selectors.clone(),
                })
            })
            .collect();
        LoadedConfig {
            path,
            file,
            origin: ConfigOrigin::Dockwise,
            warnings: Vec::new(),
            per_file,
        }
    }

    /// Reads and parses a configuration file: a dockwise one, or a hadolint one mapped onto
    /// our rules (by its name).
    pub fn read(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let error = |message: String| ConfigError {
            path: path.to_path_buf(),
            message,
        };
        let text = read_limited(path).map_err(error)?;
        if is_hadolint_file(path) {
            let migration = super::hadolint::read(&text).map_err(error)?;
            let mut loaded = LoadedConfig::new(path.to_path_buf(), migration.config);
            loaded.origin = ConfigOrigin::Hadolint;
            loaded.warnings = migration.warnings;
            return Ok(loaded);
        }
        let file = ConfigFile::parse(&text).map_err(error)?;
        Ok(LoadedConfig::new(path.to_path_buf(), file))
    }

    /// The configuration for the file at `target` (per-file ignores applied).
    pub fn config_for(&self, target: &Path) -> Config {
        let mut config = Config::default().with_selection(&self.file.selection());
        config.options = self.file.options();
        for ignore in self.per_file_matches(target) {
            config = config.without(&ignore.selectors);
        }
        config
    }

    /// The globs of `per-file-ignores` that match `target`.
    pub fn per_file_globs(&self, target: &Path) -> Vec<&str> {
        self.per_file_matches(target)
            .into_iter()
            .map(|ignore| ignore.glob.as_str())
            .collect()
    }

    fn per_file_matches(&self, target: &Path) -> Vec<&PerFileIgnore> {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        let relative = target.strip_prefix(dir).unwrap_or(target);
        let name = target.file_name().map(Path::new);
        self.per_file
            .iter()
            .filter(|ignore| {
                ignore.matcher.is_match(relative)
                    || (ignore.name_only && name.is_some_and(|n| ignore.matcher.is_match(n)))
            })
            .collect()
    }
}

/// The text of a configuration file, refusing huge ones.
pub(crate) fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_CONFIG_FILE {
        return Err("the file is too large".to_owned());
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// What governs a folder: a configuration file, none up to the root, or an error.
type Governing = Result<Option<Arc<LoadedConfig>>, ConfigError>;

/// Configuration files by folder, each read once until told it changed.
#[derive(Debug, Default)]
pub struct ConfigCache {
    /// The configuration file governing each folder looked at (`None`: none up to the root),
    /// by folder and whether hadolint files may still be read there.
    by_dir: HashMap<(PathBuf, bool), Governing>,
}

impl ConfigCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The configuration file that governs `file`: the nearest folder, from the file's own
    /// upward, with a `dockwise.toml`, `.dockwise.toml`, `.hadolint.yaml` or `.hadolint.yml`
    /// decides, a dockwise file winning over a hadolint one in the same folder (see the
    /// module's documentation). Both names of one tool in one folder is an error, as is a
    /// file that does not parse.
    pub fn governing(&mut self, file: &Path) -> Result<Option<Arc<LoadedConfig>>, ConfigError> {
        match file.parent() {
            Some(dir) => self.for_dir(dir),
            None => Ok(None),
        }
    }

    /// The resolved configuration for `file`: defaults when no configuration file governs it.
    pub fn config_for(&mut self, file: &Path) -> Result<Config, ConfigError> {
        Ok(match self.governing(file)? {
            Some(loaded) => loaded.config_for(file),
            None => Config::default(),
        })
    }

    fn for_dir(&mut self, dir: &Path) -> Governing {
        self.for_dir_with(dir, true)
    }

    /// The configuration governing `dir`; `hadolint`: hadolint files may still be read here
    /// (false once the walk has left a repository, see [`in_dir`]).
    fn for_dir_with(&mut self, dir: &Path, hadolint: bool) -> Governing {
        let key = (dir.to_path_buf(), hadolint);
        if let Some(found) = self.by_dir.get(&key) {
            return found.clone();
        }
        let found = match in_dir(dir, hadolint) {
            Err(e) => Err(e),
            Ok(Some(path)) => LoadedConfig::read(&path).map(|c| Some(Arc::new(c))),
            Ok(None) => match dir.parent() {
                Some(parent) if parent != dir => {
                    let hadolint = hadolint && !is_repository_root(dir);
                    self.for_dir_with(parent, hadolint)
                }
                _ => Ok(None),
            },
        };
        self.by_dir.insert(key, found.clone());
        found
    }

    /// Forgets everything (a configuration file changed, appeared or went away; folders
    /// below it may have cached it).
    pub fn clear(&mut self) {
        self.by_dir.clear();
    }
}

/// The configuration file in `dir` itself, if any: a dockwise one, else (when `hadolint`)
/// a hadolint one.
///
/// hadolint files are not read above the root of the repository holding the checked file:
/// hadolint itself reads a user-wide `.hadolint.yaml` from the home directory, which must not
/// apply to the projects below it, and the home directory cannot be known without reading
/// the environment. Our own files have no user-wide place, so their walk goes on to `/`.
fn in_dir(dir: &Path, hadolint: bool) -> Result<Option<PathBuf>, ConfigError> {
    match one_of(dir, &CONFIG_FILE_NAMES)? {
        Some(path) => Ok(Some(path)),
        None if hadolint && !is_home_directory(dir) => {
            one_of(dir, &super::hadolint::HADOLINT_FILE_NAMES)
        }
        None => Ok(None),
    }
}

/// Whether `dir` is a user's home directory, where hadolint keeps a user-wide
/// `.hadolint.yaml` that must not change what dockwise finds in a project outside any
/// repository. Known from the system's user list, not from `HOME`: nothing here reads the
/// environment.
fn is_home_directory(dir: &Path) -> bool {
    static HOMES: std::sync::LazyLock<Vec<PathBuf>> = std::sync::LazyLock::new(|| {
        std::fs::read_to_string("/etc/passwd")
            .map(|text| home_directories(&text))
            .unwrap_or_default()
    });
    HOMES.iter().any(|home| home == dir)
}

/// The home directories of a `passwd` file's users (the sixth field), `/` left out (the
/// home of system accounts, and every path's ancestor).
fn home_directories(passwd: &str) -> Vec<PathBuf> {
    passwd
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split(':').nth(5))
        .filter(|home| home.starts_with('/') && *home != "/")
        .map(PathBuf::from)
        .collect()
}

/// A folder holding `.git` (a folder, or a file in a worktree or submodule) is the root of
/// a repository.
fn is_repository_root(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// The file in `dir` with one of two names that mean the same; both is an error.
fn one_of(dir: &Path, names: &[&str; 2]) -> Result<Option<PathBuf>, ConfigError> {
    let found: Vec<PathBuf> = names
        .iter()
        .map(|name| dir.join(name))
        .filter(|p| p.is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, ..] => Err(ConfigError {
            path: first.clone(),
            message: format!(
                "both {} and {} are in {}: keep one",
                names[0],
                names[1],
                dir.display()
            ),
        }),
    }
}

fn is_hadolint_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| super::hadolint::HADOLINT_FILE_NAMES.contains(&n))
}

/// Whether a path names a configuration file, ours or hadolint's (for watched-file changes).
pub fn is_config_file(path: &Path) -> bool {
    is_hadolint_file(path)
        || path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| CONFIG_FILE_NAMES.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_directories_come_from_the_user_list() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n# a comment\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nsys:x:3:3:sys:/:/bin/false\nbroken line\nana:x:1000:1000:Ana,,,:/home/ana:/bin/zsh\n";
        assert_eq!(
            home_directories(passwd),
            [
                PathBuf::from("/root"),
                PathBuf::from("/nonexistent"),
                PathBuf::from("/home/ana")
            ]
        );
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dockwise-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/legacy")).unwrap();
        dir
    }

    #[test]
    fn parses_every_key_and_rejects_unknown_ones() {
        let file = ConfigFile::parse(
            r#"
            select = ["DF"]
            extend-select = ["DF010"]
            ignore = ["copy-from-unknown-stage"]
            failure-threshold = "error"
            trusted-registries = ["ghcr.io"]
            [severity]
            DF002 = "error"
            [per-file-ignores]
            "legacy/**" = ["DF002"]
            [label-schema]
            "org.opencontainers.image.source" = "url"
            "#,
        )
        .unwrap();
        assert_eq!(file.options().trusted_registries, ["ghcr.io"]);
        assert_eq!(file.failure_threshold, Some(FailureThreshold::Error));
        let err = ConfigFile::parse("selct = [\"DF\"]\n").unwrap_err();
        assert!(err.contains("selct"), "{err}");
        let err = ConfigFile::parse("ignore = [\"DF999\"]\n").unwrap_err();
        assert!(err.contains("DF999"), "{err}");
        let err = ConfigFile::parse("[severity]\nDF002 = \"loud\"\n").unwrap_err();
        assert!(err.contains("loud"), "{err}");
    }

    #[test]
    fn trusted_registries_turn_on_df033() {
        let on = ConfigFile::parse("trusted-registries = [\"ghcr.io\"]\n").unwrap();
        let config = Config::default().with_selection(&on.selection());
        assert!(config.is_enabled("DF033"));
        let off =
            ConfigFile::parse("trusted-registries = [\"ghcr.io\"]\nignore = [\"DF03\"]\n").unwrap();
        assert!(
            !Config::default()
                .with_selection(&off.selection())
                .is_enabled("DF033")
        );
        let none = ConfigFile::parse("").unwrap();
        assert!(
            !Config::default()
                .with_selection(&none.selection())
                .is_enabled("DF033")
        );
    }

    #[test]
    fn found_upward_with_per_file_ignores() {
        let dir = scratch("upward");
        std::fs::write(
            dir.join("dockwise.toml"),
            "extend-select = [\"DF010\"]\n[per-file-ignores]\n\"sub/legacy/**\" = [\"DF010\"]\n\"*.dev\" = [\"DF002\"]\n",
        )
        .unwrap();
        let mut cache = ConfigCache::new();
        let top = cache.config_for(&dir.join("sub/Dockerfile")).unwrap();
        assert!(top.is_enabled("DF010") && top.is_enabled("DF002"));
        let legacy = cache
            .config_for(&dir.join("sub/legacy/Dockerfile"))
            .unwrap();
        assert!(!legacy.is_enabled("DF010"));
        let dev = cache.config_for(&dir.join("sub/Dockerfile.dev")).unwrap();
        assert!(!dev.is_enabled("DF002"));
        // A nearer file wins; two in one folder is an error.
        std::fs::write(dir.join("sub/.dockwise.toml"), "ignore = [\"DF002\"]\n").unwrap();
        cache.clear();
        let sub = cache.config_for(&dir.join("sub/Dockerfile")).unwrap();
        assert!(!sub.is_enabled("DF002"));
        std::fs::write(dir.join("sub/dockwise.toml"), "").unwrap();
        cache.clear();
        let err = cache.config_for(&dir.join("sub/Dockerfile")).unwrap_err();
        assert!(err.message.contains("keep one"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hadolint_files_by_nearness_dockwise_first_in_a_folder() {
        let dir = scratch("hadolint");
        let file = dir.join("sub/Dockerfile");
        let defaults = Config::default();
        let governing = |cache: &mut ConfigCache, path: &Path| {
            let loaded = cache.governing(path).unwrap().expect("a configuration");
            (loaded.origin, loaded.path.clone())
        };

        // Alone, a .hadolint.yaml above the file governs it, mapped onto our rules.
        std::fs::write(
            dir.join(".hadolint.yaml"),
            "ignored: [DL4000, SC2086]
",
        )
        .unwrap();
        let mut cache = ConfigCache::new();
        let config = cache.config_for(&file).unwrap();
        assert!(!config.is_enabled("DF010"), "DL4000 is DF010");
        assert_eq!(
            governing(&mut cache, &file),
            (ConfigOrigin::Hadolint, dir.join(".hadolint.yaml"))
        );
        let loaded = cache.governing(&file).unwrap().unwrap();
        assert!(loaded.warnings.iter().any(|w| w.contains("SC2086")));

        // A dockwise file in the same folder wins; the hadolint file is not read.
        std::fs::write(dir.join("dockwise.toml"), "").unwrap();
        cache.clear();
        assert_eq!(cache.config_for(&file).unwrap(), defaults);
        assert_eq!(governing(&mut cache, &file).0, ConfigOrigin::Dockwise);

        // A nearer hadolint file hides the dockwise file above it (no merging).
        std::fs::write(
            dir.join("sub/.hadolint.yml"),
            "ignored: [DL3006]
",
        )
        .unwrap();
        cache.clear();
        let config = cache.config_for(&file).unwrap();
        assert!(!config.is_enabled("DF030"), "DL3006 is DF030");
        assert_eq!(config.is_enabled("DF010"), defaults.is_enabled("DF010"));
        // ... and a nearer dockwise file hides it in turn.
        std::fs::write(dir.join("sub/legacy/.dockwise.toml"), "").unwrap();
        cache.clear();
        let legacy = dir.join("sub/legacy/Dockerfile");
        assert_eq!(governing(&mut cache, &legacy).0, ConfigOrigin::Dockwise);

        // Both hadolint names in one folder is an error, as for ours.
        std::fs::write(dir.join("sub/.hadolint.yaml"), "").unwrap();
        cache.clear();
        let err = cache.config_for(&file).unwrap_err();
        assert!(err.message.contains("keep one"), "{err}");

        // A malformed hadolint file is an error that names it.
        std::fs::remove_file(dir.join("sub/.hadolint.yaml")).unwrap();
        std::fs::write(
            dir.join("sub/.hadolint.yml"),
            "ignored: DL3006
",
        )
        .unwrap();
        cache.clear();
        let err = cache.config_for(&file).unwrap_err();
        assert_eq!(err.path, dir.join("sub/.hadolint.yml"));
        assert!(err.to_string().contains(".hadolint.yml: line 1"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hadolint_files_above_the_repository_are_not_read() {
        let dir = scratch("repository");
        // Where hadolint's user-wide file would be: above the repository.
        std::fs::write(dir.join(".hadolint.yaml"), "ignored: [DL4000]\n").unwrap();
        std::fs::create_dir_all(dir.join("sub/.git")).unwrap();
        let file = dir.join("sub/legacy/Dockerfile");
        let mut cache = ConfigCache::new();
        let found = cache.governing(&file).unwrap();
        assert!(
            found
                .as_ref()
                .is_none_or(|l| l.path != dir.join(".hadolint.yaml")),
            "{found:?}"
        );
        // The repository's own hadolint file is read, at its root or below it.
        std::fs::write(dir.join("sub/.hadolint.yml"), "ignored: [DL4000]\n").unwrap();
        cache.clear();
        let loaded = cache.governing(&file).unwrap().unwrap();
        assert_eq!(loaded.path, dir.join("sub/.hadolint.yml"));
        // Our own files are found above it as before.
        std::fs::remove_file(dir.join("sub/.hadolint.yml")).unwrap();
        std::fs::write(dir.join("dockwise.toml"), "").unwrap();
        cache.clear();
        let loaded = cache.governing(&file).unwrap().unwrap();
        assert_eq!(loaded.path, dir.join("dockwise.toml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn config_file_names_for_watchers() {
        for name in [
            "dockwise.toml",
            ".dockwise.toml",
            ".hadolint.yaml",
            ".hadolint.yml",
        ] {
            assert!(is_config_file(&Path::new("/p").join(name)), "{name}");
        }
        assert!(!is_config_file(Path::new("/p/hadolint.yaml")));
        assert!(!is_config_file(Path::new("/p/compose.yaml")));
    }
}
