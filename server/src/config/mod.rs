//! Which rules run, at what severity, with which options.
//!
//! [`Config`] is what analysis gets: a resolved rule selection plus the options some rules
//! read (trusted registries, label schema, ...). It comes from, in order of precedence:
//! 1. the built-in defaults (each rule's default on/off and severity, see the catalogue);
//! 2. a `dockwise.toml` or `.dockwise.toml` found by walking up from the checked file
//!    ([`file::ConfigFile`], cached by [`ConfigCache`]);
//! 3. for the language server, the editor's settings; for `check`, command-line flags.
//!
//! Rules are named by selectors: a code (`DF047`), a code prefix (`DF04`, `DF`), a rule name
//! (`apt-cleanup`) or `ALL`. As in ruff, `select` replaces the default set, `extend-select`
//! adds to it and `ignore` removes from it; the most specific selector wins when `select` and
//! `ignore` name the same rule at different precision.
//!
//! Nothing here reads the home directory or the process environment.

pub mod file;
pub mod hadolint;
#[cfg(test)]
mod schema;
pub mod settings;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::{RuleMeta, all_rules};

pub use file::{ConfigCache, ConfigError, ConfigFile, ConfigOrigin, LoadedConfig};
pub use settings::{Settings, SettingsFormat, resolved_settings, show_settings};

/// The resolved configuration for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Codes of the rules that run, sorted: every analysis asks for each rule.
    enabled: Vec<&'static str>,
    /// Severity per code, where it differs from the rule's default.
    severity: HashMap<&'static str, Severity>,
    /// Options some rules read.
    pub options: RuleOptions,
}

/// Everything that changes what the rules find, for fingerprints of the configuration an
/// analysis ran with (severity overrides in code order: the map has none).
impl std::hash::Hash for Config {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.enabled.hash(state);
        let mut severity: Vec<_> = self.severity.iter().collect();
        severity.sort_unstable();
        severity.hash(state);
        self.options.hash(state);
    }
}

impl Default for Config {
    /// The built-in defaults: each rule on or off and at the severity of the catalogue.
    fn default() -> Self {
        Config {
            enabled: sorted(all_rules().filter(|r| r.default_enabled).map(|r| r.code)),
            severity: HashMap::new(),
            options: RuleOptions::default(),
        }
    }
}

/// Options that change what some rules find.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RuleOptions {
    /// Registries images may come from (`docker.io`, `ghcr.io`, `*.gcr.io`). When set, DF033
    /// (untrusted-registry) runs and reports images from anywhere else.
    pub trusted_registries: Vec<String>,
    /// Tags that float (move to new images) and so do not pin an image (`latest`, `edge`, ...).
    /// Empty means the built-in list.
    pub prohibited_tags: Vec<String>,
    /// Extra variable-name words that mark a secret (`pin`, `otp`), beside the built-in ones.
    pub secret_patterns: Vec<String>,
    /// Globs of compose files that describe production (beside names containing `prod`).
    pub production_files: Vec<String>,
    /// Labels every image must carry and the format of their values (DF090).
    pub label_schema: BTreeMap<String, LabelFormat>,
    /// With a label schema: report labels the schema does not name (DF090).
    pub strict_labels: bool,
    /// Compose interpolation may take values from the process environment (CP025, CP026).
    /// Off by default, so every machine and CI run gives the same answer.
    pub use_environment: bool,
    /// Set by the language server, never by a file: a few findings are milder while a file
    /// is being written than in `dockwise check` (a missing `env_file` is information in
    /// the editor, where it may not be written yet, and an error in CI, CP013).
    #[serde(skip)]
    pub in_editor: bool,
}

/// The format a label's value must have (DF090).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum LabelFormat {
    /// Any non-empty text.
    Text,
    /// An absolute URL (`https://...`).
    Url,
    /// A semantic version (`1.4.2`, `2.0.0-rc.1`).
    Semver,
    /// An RFC 3339 timestamp (`2024-05-01T12:00:00Z`).
    Rfc3339,
    /// An SPDX license expression (`MIT OR Apache-2.0`).
    Spdx,
    /// A git commit hash.
    Hash,
    /// An email address.
    Email,
}

impl LabelFormat {
    /// The name as written in a configuration file.
    pub const fn as_str(self) -> &'static str {
        match self {
            LabelFormat::Text => "text",
            LabelFormat::Url => "url",
            LabelFormat::Semver => "semver",
            LabelFormat::Rfc3339 => "rfc3339",
            LabelFormat::Spdx => "spdx",
            LabelFormat::Hash => "hash",
            LabelFormat::Email => "email",
        }
    }
}

/// A rule selection as written: selectors to select, add and remove, and severity overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Replaces the default set when present.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Severity per selector.
    pub severity: BTreeMap<String, Severity>,
}

/// A selector that names nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` names no rule: use a code (DF047), a code prefix (DF04), a rule name (apt-cleanup) or ALL",
            self.0
        )
    }
}

/// How precisely a selector names a rule; a more specific selector wins.
fn specificity(selector: &str, rule: &RuleMeta) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(0);
    }
    if selector == rule.name {
        return Some(usize::MAX);
    }
    let code = rule.code;
    (selector.len() <= code.len() && code[..selector.len()].eq_ignore_ascii_case(selector))
        .then_some(selector.len())
}

/// Whether a selector names at least one rule.
pub fn check_selector(selector: &str) -> Result<(), UnknownSelector> {
    if all_rules().any(|r| specificity(selector, r).is_some()) {
        Ok(())
    } else {
        Err(UnknownSelector(selector.to_owned()))
    }
}

impl Selection {
    /// Every selector this selection names, for validation.
    fn selectors(&self) -> impl Iterator<Item = &String> {
        self.select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
            .chain(self.severity.keys())
    }

    /// Checks that every selector names a rule.
    pub fn validate(&self) -> Result<(), UnknownSelector> {
        self.selectors().try_for_each(|s| check_selector(s))
    }

    pub fn is_empty(&self) -> bool {
        self == &Selection::default()
    }
}

impl Config {
    /// Every rule on, at its default severity: for tests and `--select ALL`.
    pub fn all_enabled() -> Self {
        Config {
            enabled: sorted(all_rules().map(|r| r.code)),
            ..Config::default()
        }
    }

    /// Applies a selection on top of this configuration. Unknown selectors are skipped
    /// (validate first to report them).
    pub fn with_selection(mut self, selection: &Selection) -> Self {
        let best = |selectors: &[String], rule: &RuleMeta| {
            selectors.iter().filter_map(|s| specificity(s, rule)).max()
        };
        let mut enabled = Vec::new();
        for rule in all_rules() {
            let base = match &selection.select {
                Some(select) => best(select, rule),
                // The current set counts as selected at the lowest precision.
                None => self.is_enabled(rule.code).then_some(0),
            };
            let selected = base.max(best(&selection.extend_select, rule));
            let on = match (selected, best(&selection.ignore, rule)) {
                (Some(s), Some(i)) => s > i,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if on {
                enabled.push(rule.code);
            }
        }
        self.enabled = sorted(enabled);
        for rule in all_rules() {
            let chosen = selection
                .severity
                .iter()
                .filter_map(|(s, sev)| specificity(s, rule).map(|p| (p, *sev)))
                .max_by_key(|(p, _)| *p);
            if let Some((_, severity)) = chosen {
                self.severity.insert(rule.code, severity);
            }
        }
        self
    }

    /// Turns off the rules `selectors` name (a per-file ignore).
    pub fn without(mut self, selectors: &[String]) -> Self {
        self.enabled
            .retain(|code| !selectors.iter().any(|s| selector_names_code(s, code)));
        self
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.binary_search(&code).is_ok()
    }

    /// The codes of the rules that run, sorted.
    pub fn enabled_codes(&self) -> &[&'static str] {
        &self.enabled
    }

    /// The severity a rule reports at.
    pub fn severity_of(&self, rule: &RuleMeta) -> Severity {
        self.severity
            .get(rule.code)
            .copied()
            .unwrap_or(rule.severity)
    }

    /// Sets the severity the user chose, if any, on a finding.
    pub fn apply_severity(&self, diagnostic: &mut Diagnostic) {
        if let Some(severity) = self.severity.get(diagnostic.code) {
            diagnostic.severity = *severity;
        }
    }
}

fn sorted(codes: impl IntoIterator<Item = &'static str>) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = codes.into_iter().collect();
    codes.sort_unstable();
    codes
}

fn selector_names_code(selector: &str, code: &str) -> bool {
    crate::rules::find_rule(code).is_some_and(|rule| specificity(selector, rule).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(select: Option<&[&str]>, extend: &[&str], ignore: &[&str]) -> Selection {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Selection {
            select: select.map(owned),
            extend_select: owned(extend),
            ignore: owned(ignore),
            severity: BTreeMap::new(),
        }
    }

    #[test]
    fn defaults_follow_the_catalogue() {
        let config = Config::default();
        for rule in all_rules() {
            assert_eq!(config.is_enabled(rule.code), rule.default_enabled);
        }
    }

    #[test]
    fn select_replaces_extend_adds_ignore_removes() {
        let only = Config::default().with_selection(&sel(Some(&["DF010"]), &[], &[]));
        assert_eq!(only.enabled_codes(), ["DF010"]);
        let all_but = Config::default().with_selection(&sel(Some(&["ALL"]), &[], &["DF0"]));
        assert!(all_but.enabled_codes().iter().all(|c| c.starts_with("CP")));
        let none = Config::default().with_selection(&sel(Some(&["ALL"]), &[], &["DF0", "CP"]));
        assert!(none.enabled_codes().is_empty());
        // The more specific selector wins both ways.
        let config = Config::default().with_selection(&sel(Some(&["DF010"]), &[], &["DF"]));
        assert_eq!(config.enabled_codes(), ["DF010"]);
        let config = Config::all_enabled().with_selection(&sel(None, &[], &["DF010"]));
        assert!(!config.is_enabled("DF010") && config.is_enabled("DF002"));
        let config = Config::default().with_selection(&sel(None, &[], &["maintainer-deprecated"]));
        assert!(!config.is_enabled("DF010"));
    }

    #[test]
    fn severity_overrides_and_unknown_selectors() {
        let mut selection = Selection::default();
        selection.severity.insert("DF0".to_owned(), Severity::Error);
        selection
            .severity
            .insert("maintainer-deprecated".to_owned(), Severity::Style);
        let config = Config::default().with_selection(&selection);
        let df010 = crate::rules::find_rule("DF010").unwrap();
        let df002 = crate::rules::find_rule("DF002").unwrap();
        assert_eq!(config.severity_of(df010), Severity::Style);
        assert_eq!(config.severity_of(df002), Severity::Error);
        assert!(sel(Some(&["DF999"]), &[], &[]).validate().is_err());
        assert!(
            sel(Some(&["df01", "ALL"]), &[], &["apt"])
                .validate()
                .is_err()
        );
        assert!(sel(Some(&["df01", "ALL"]), &[], &[]).validate().is_ok());
    }
}
