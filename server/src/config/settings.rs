//! The settings one file is checked with, resolved and written out (`check --show-settings`):
//! which configuration file decided them (a `.hadolint.yaml` too, read through the
//! migration), which rules run at what severity, and the options the rules read.
//!
//! The same [`ConfigCache`] lookup `check` uses produces them, so what is shown is what a
//! check of that file would use, flags of the command line aside.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::RuleOptions;
use super::file::{ConfigCache, ConfigError, ConfigOrigin, FailureThreshold};
use crate::config::Config;
use crate::diagnostics::Severity;
use crate::rules::{compose, dockerfile, find_rule};
use crate::text::FileKind;

/// How [`show_settings`] writes the settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsFormat {
    Toml,
    Json,
}

/// The resolved settings of one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    /// The file the settings are for, made absolute.
    pub file: String,
    /// What kind of file its name says it is; unknown: the rules of both kinds are listed.
    pub kind: Option<&'static str>,
    /// The configuration file that governs it; none: the built-in defaults.
    pub config_file: Option<String>,
    /// What kind of file `config_file` is.
    pub config_kind: Option<ConfigOrigin>,
    /// What did not carry over from a hadolint file (codes with no equivalent, ...).
    pub config_warnings: Vec<String>,
    /// The configuration file's `failure-threshold`, if it sets one.
    pub failure_threshold: Option<FailureThreshold>,
    /// The `per-file-ignores` globs that match the file.
    pub per_file_ignores: Vec<String>,
    /// The options the rules read.
    pub options: RuleOptions,
    /// Every rule that runs, with the severity it reports at.
    pub rules: BTreeMap<&'static str, Severity>,
}

/// The resolved settings for the file at `path` (relative paths are taken from the current
/// folder). Fails as `check` would: on a configuration file that cannot be used.
pub fn resolved_settings(path: &Path, cache: &mut ConfigCache) -> Result<Settings, ConfigError> {
    let file = std::path::absolute(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let governing = cache.governing(&file)?;
    let config = match &governing {
        Some(loaded) => loaded.config_for(&file),
        None => Config::default(),
    };
    let kind = FileKind::from_path(&file);
    // A Dockerfile is checked by the Dockerfile rules only, a compose file by the compose
    // rules only: list those that can report on this file.
    let applies = |code: &str| match kind {
        Some(FileKind::Dockerfile) => dockerfile::RULES.iter().any(|r| r.meta.code == code),
        Some(FileKind::Compose) => compose::RULES.iter().any(|r| r.meta.code == code),
        None => true,
    };
    let rules = config
        .enabled_codes()
        .iter()
        .filter(|code| applies(code))
        .filter_map(|code| find_rule(code))
        .map(|rule| (rule.code, config.severity_of(rule)))
        .collect();
    Ok(Settings {
        file: file.display().to_string(),
        kind: kind.map(FileKind::as_str),
        config_file: governing.as_ref().map(|l| l.path.display().to_string()),
        config_kind: governing.as_ref().map(|l| l.origin),
        config_warnings: governing
            .as_ref()
            .map_or_else(Vec::new, |l| l.warnings.clone()),
        failure_threshold: governing.as_ref().and_then(|l| l.file.failure_threshold),
        per_file_ignores: governing.as_ref().map_or_else(Vec::new, |l| {
            l.per_file_globs(&file)
                .into_iter()
                .map(str::to_owned)
                .collect()
        }),
        options: config.options,
        rules,
    })
}

/// The resolved settings for the file at `path`, as TOML or pretty JSON text.
pub fn show_settings(
    path: &Path,
    cache: &mut ConfigCache,
    format: SettingsFormat,
) -> Result<String, ConfigError> {
    let settings = resolved_settings(path, cache)?;
    let written = match format {
        SettingsFormat::Toml => toml::to_string(&settings).map_err(|e| e.to_string()),
        SettingsFormat::Json => serde_json::to_string_pretty(&settings)
            .map(|mut text| {
                text.push('\n');
                text
            })
            .map_err(|e| e.to_string()),
    };
    written.map_err(|message| ConfigError {
        path: path.to_path_buf(),
        message: format!("could not write the settings: {message}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    #[test]
    fn defaults_when_nothing_governs() {
        let dir = scratch(&[("Dockerfile", "FROM a\n")]);
        let target = dir.path().join("Dockerfile");
        let mut cache = ConfigCache::new();
        let settings = resolved_settings(&target, &mut cache).unwrap();
        // Unset values are left out of the TOML (it has no null) and null in the JSON.
        let toml_text = show_settings(&target, &mut cache, SettingsFormat::Toml).unwrap();
        let back: toml::Table = toml::from_str(&toml_text).unwrap();
        assert_eq!(
            back.contains_key("config-file"),
            settings.config_file.is_some()
        );
        assert_eq!(
            back["rules"].as_table().unwrap().len(),
            settings.rules.len()
        );
        let json_text = show_settings(&target, &mut cache, SettingsFormat::Json).unwrap();
        let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
        assert_eq!(
            json["config-file"].is_null(),
            settings.config_file.is_none()
        );
        // A temporary folder may sit under a folder with a configuration file; only check
        // the defaults when none does.
        if settings.config_file.is_none() {
            let defaults: Vec<&str> = dockerfile::RULES
                .iter()
                .map(|r| r.meta)
                .filter(|r| r.default_enabled)
                .map(|r| r.code)
                .collect();
            let shown: Vec<&str> = settings.rules.keys().copied().collect();
            assert_eq!(shown, sorted(defaults));
            for (code, severity) in &settings.rules {
                assert_eq!(*severity, find_rule(code).unwrap().severity);
            }
        }
    }

    #[test]
    fn a_compose_file_lists_the_compose_rules() {
        let dir = scratch(&[("compose.yaml", "services: {}\n")]);
        let settings =
            resolved_settings(&dir.path().join("compose.yaml"), &mut ConfigCache::new()).unwrap();
        assert_eq!(settings.kind, Some("compose"));
        assert!(!settings.rules.is_empty());
        for code in settings.rules.keys() {
            assert!(
                compose::RULES.iter().any(|r| r.meta.code == *code),
                "{code}"
            );
        }
    }

    fn sorted(mut codes: Vec<&'static str>) -> Vec<&'static str> {
        codes.sort_unstable();
        codes
    }

    #[test]
    fn a_hadolint_file_shows_as_the_source_in_toml_and_json() {
        let dir = scratch(&[
            (
                ".hadolint.yaml",
                "ignored: [DL4000, SC2086]\noverride:\n  error: [DL3006]\ntrustedRegistries: [ghcr.io]\n",
            ),
            ("app/Dockerfile", "FROM a\n"),
        ]);
        let target = dir.path().join("app/Dockerfile");
        let mut cache = ConfigCache::new();
        let settings = resolved_settings(&target, &mut cache).unwrap();
        assert_eq!(
            settings.config_file.as_deref(),
            Some(
                dir.path()
                    .join(".hadolint.yaml")
                    .display()
                    .to_string()
                    .as_str()
            )
        );
        assert_eq!(settings.config_kind, Some(ConfigOrigin::Hadolint));
        assert!(!settings.rules.contains_key("DF010"), "DL4000 is DF010");
        assert_eq!(settings.rules.get("DF030"), Some(&Severity::Error));
        assert!(settings.rules.contains_key("DF033"), "trusted registries");
        assert!(
            settings
                .config_warnings
                .iter()
                .any(|w| w.contains("SC2086"))
        );

        let toml_text = show_settings(&target, &mut cache, SettingsFormat::Toml).unwrap();
        let back: toml::Table = toml::from_str(&toml_text).unwrap();
        assert_eq!(back["config-kind"].as_str(), Some("hadolint"));
        assert_eq!(back["kind"].as_str(), Some("dockerfile"));
        assert_eq!(back["rules"]["DF030"].as_str(), Some("error"));
        assert_eq!(
            back["options"]["trusted-registries"].as_array().unwrap()[0].as_str(),
            Some("ghcr.io")
        );
        let json_text = show_settings(&target, &mut cache, SettingsFormat::Json).unwrap();
        let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
        assert_eq!(json["config-kind"], "hadolint");
        assert_eq!(json["rules"]["DF030"], "error");
        assert_eq!(json["failure-threshold"], serde_json::Value::Null);
    }

    #[test]
    fn a_dockwise_file_with_per_file_ignores() {
        let dir = scratch(&[
            (
                "dockwise.toml",
                "failure-threshold = \"error\"\n[severity]\nDF002 = \"info\"\n[per-file-ignores]\n\"legacy/**\" = [\"DF010\"]\n",
            ),
            (".hadolint.yaml", "ignored: [DL3006]\n"),
            ("legacy/Dockerfile", "FROM a\n"),
        ]);
        let settings = resolved_settings(
            &dir.path().join("legacy/Dockerfile"),
            &mut ConfigCache::new(),
        )
        .unwrap();
        assert_eq!(settings.config_kind, Some(ConfigOrigin::Dockwise));
        assert_eq!(settings.failure_threshold, Some(FailureThreshold::Error));
        assert_eq!(settings.per_file_ignores, ["legacy/**"]);
        assert!(!settings.rules.contains_key("DF010"));
        assert_eq!(settings.rules.get("DF002"), Some(&Severity::Info));
        // The hadolint file beside it is not read: DF030 (DL3006) still runs.
        assert_eq!(
            settings.rules.contains_key("DF030"),
            find_rule("DF030").unwrap().default_enabled
        );
    }
}
