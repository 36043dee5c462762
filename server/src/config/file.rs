//! `dockwise.toml` / `.dockwise.toml`: reading one, finding the one that governs a file, and
//! caching what was read.
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

/// A configuration file's contents, as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    /// Rules to run instead of the defaults (codes, prefixes, names or `ALL`).
    pub select: Option<Vec<String>>,
    /// Rules to run beside the selected ones.
    pub extend_select: Vec<String>,
    /// Rules not to run.
    pub ignore: Vec<String>,
    /// Severity per rule (code, prefix or name).
    pub severity: BTreeMap<String, Severity>,
    /// Rules not to run for files matching a glob (relative to the configuration file).
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// The lowest severity that makes `dockwise check` fail.
    pub failure_threshold: Option<FailureThreshold>,
    /// See [`RuleOptions::trusted_registries`].
    pub trusted_registries: Vec<String>,
    /// See [`RuleOptions::prohibited_tags`].
    pub prohibited_tags: Vec<String>,
    /// See [`RuleOptions::secret_patterns`].
    pub secret_patterns: Vec<String>,
    /// See [`RuleOptions::production_files`].
    pub production_files: Vec<String>,
    /// See [`RuleOptions::label_schema`].
    pub label_schema: BTreeMap<String, super::LabelFormat>,
    /// See [`RuleOptions::strict_labels`].
    pub strict_labels: bool,
    /// How compose files' `${VAR}` interpolation is checked.
    pub interpolation: Interpolation,
}

/// The `[interpolation]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Interpolation {
    /// See [`RuleOptions::use_environment`].
    pub use_environment: bool,
}

/// `failure-threshold` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureThreshold {
    Error,
    Warning,
    Info,
    Style,
    None,
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

/// A configuration file read from disk, ready to resolve per file.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub file: ConfigFile,
    per_file: Vec<(GlobMatcher, bool, Vec<String>)>,
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
                let matcher = Glob::new(glob).ok()?.compile_matcher();
                Some((matcher, !glob.contains('/'), selectors.clone()))
            })
            .collect();
        LoadedConfig {
            path,
            file,
            per_file,
        }
    }

    /// Reads and parses a configuration file.
    pub fn read(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let error = |message: String| ConfigError {
            path: path.to_path_buf(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| error(e.to_string()))?;
        if meta.len() > MAX_CONFIG_FILE {
            return Err(error("the file is too large".to_owned()));
        }
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let file = ConfigFile::parse(&text).map_err(error)?;
        Ok(LoadedConfig::new(path.to_path_buf(), file))
    }

    /// The configuration for the file at `target` (per-file ignores applied).
    pub fn config_for(&self, target: &Path) -> Config {
        let mut config = Config::default().with_selection(&self.file.selection());
        config.options = self.file.options();
        let dir = self.path.parent().unwrap_or(Path::new(""));
        let relative = target.strip_prefix(dir).unwrap_or(target);
        let name = target.file_name().map(Path::new);
        for (matcher, name_only, selectors) in &self.per_file {
            let matched = matcher.is_match(relative)
                || (*name_only && name.is_some_and(|n| matcher.is_match(n)));
            if matched {
                config = config.without(selectors);
            }
        }
        config
    }
}

/// Configuration files by folder, each read once until told it changed.
#[derive(Debug, Default)]
pub struct ConfigCache {
    /// The configuration file governing each folder looked at (`None`: none up to the root).
    by_dir: HashMap<PathBuf, Result<Option<Arc<LoadedConfig>>, ConfigError>>,
}

impl ConfigCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The configuration file that governs `file`: the nearest `dockwise.toml` or
    /// `.dockwise.toml` in its folder or a folder above. Both names in one folder is an
    /// error, as is a file that does not parse.
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

    fn for_dir(&mut self, dir: &Path) -> Result<Option<Arc<LoadedConfig>>, ConfigError> {
        if let Some(found) = self.by_dir.get(dir) {
            return found.clone();
        }
        let found = match in_dir(dir) {
            Err(e) => Err(e),
            Ok(Some(path)) => LoadedConfig::read(&path).map(|c| Some(Arc::new(c))),
            Ok(None) => match dir.parent() {
                Some(parent) if parent != dir => self.for_dir(parent),
                _ => Ok(None),
            },
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Forgets everything (a configuration file changed, appeared or went away; folders
    /// below it may have cached it).
    pub fn clear(&mut self) {
        self.by_dir.clear();
    }
}

/// The configuration file in `dir` itself, if any.
fn in_dir(dir: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let found: Vec<PathBuf> = CONFIG_FILE_NAMES
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
                CONFIG_FILE_NAMES[0],
                CONFIG_FILE_NAMES[1],
                dir.display()
            ),
        }),
    }
}

/// Whether a path names a configuration file (for watched-file changes).
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_FILE_NAMES.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
