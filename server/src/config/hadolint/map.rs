//! From hadolint's settings to ours: codes through the equivalence table
//! ([`crate::rules::equivalents::HADOLINT`]), settings by meaning.
//!
//! The table is many-to-one (DL3008, DL3013, DL3016... all become DF049, which checks
//! version pins for every package manager), so a mapping can be wider than what was written:
//! ignoring DL3008 ignores DF049 and with it the pins of pip, npm and apk. Such widenings are
//! kept as notes for the migrated file's comments. Codes with no equivalent are left out
//! and warned about, never an error: a `.hadolint.yaml` full of ShellCheck codes must still
//! be usable.

use std::collections::BTreeMap;

use super::read::{HadolintFile, HadolintThreshold};
use crate::config::file::{ConfigFile, FailureThreshold};
use crate::diagnostics::Severity;
use crate::rules::{equivalents, find_rule};

/// A hadolint configuration carried over to ours, with what did not carry over exactly.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Migration {
    pub config: ConfigFile,
    /// For each rule in `config.ignore`, the hadolint codes it came from.
    pub ignored_from: BTreeMap<&'static str, Vec<String>>,
    /// For each rule in `config.severity` (and `config.extend_select`), the hadolint codes
    /// whose override it came from.
    pub severity_from: BTreeMap<&'static str, Vec<String>>,
    /// hadolint codes that name no rule of ours, in the order first written.
    pub unmapped: Vec<String>,
    /// For the user: codes left out, settings not carried over, conflicts resolved.
    pub warnings: Vec<String>,
    /// For the migrated file's comments: where the result is wider than what was written.
    pub notes: Vec<String>,
}

/// Maps a hadolint configuration onto ours.
pub fn migrate(file: &HadolintFile) -> Migration {
    let mut out = Migration::default();
    let lookup = |code: &str, out: &mut Migration| {
        let found = equivalents::from_hadolint(code);
        if found.is_none() && !out.unmapped.iter().any(|c| c.eq_ignore_ascii_case(code)) {
            out.unmapped.push(code.to_owned());
        }
        found
    };

    for code in &file.ignored {
        if let Some(rule) = lookup(code, &mut out) {
            push_unique(out.ignored_from.entry(rule).or_default(), code);
        }
    }
    for (rule, written) in &out.ignored_from {
        let others: Vec<&str> = hadolint_codes_of(rule)
            .filter(|dl| !written.iter().any(|w| w.eq_ignore_ascii_case(dl)))
            .collect();
        if !others.is_empty() {
            out.notes.push(format!(
                "{rule} also stands for {}: ignoring it silences those too",
                others.join(", ")
            ));
        }
    }
    out.config.ignore = out.ignored_from.keys().map(|r| (*r).to_owned()).collect();

    let mut severity: BTreeMap<&'static str, Severity> = BTreeMap::new();
    // Overrides lost because their rule is ignored on behalf of another code.
    let mut dropped: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (level, codes) in &file.overrides {
        for code in codes {
            let Some(rule) = lookup(code, &mut out) else {
                continue;
            };
            // hadolint drops an ignored rule whatever its override says; so do we. When the
            // code itself was not ignored, only the table's widening lost it: say so.
            if let Some(ignored_by) = out.ignored_from.get(rule) {
                if !ignored_by.iter().any(|c| c.eq_ignore_ascii_case(code)) {
                    push_unique(dropped.entry(rule).or_default(), code);
                }
                continue;
            }
            push_unique(out.severity_from.entry(rule).or_default(), code);
            match severity.get(rule) {
                Some(previous) if previous != level => {
                    let kept = (*previous).max(*level);
                    out.warnings.push(format!(
                        "override: {} name {rule} at different severities; it gets {kept}, the highest",
                        out.severity_from[rule].join(" and ")
                    ));
                    severity.insert(rule, kept);
                }
                _ => {
                    severity.insert(rule, *level);
                }
            }
        }
    }
    for (rule, codes) in &dropped {
        out.warnings.push(format!(
            "override of {} is dropped: its dockwise rule, {rule}, is turned off by `ignored` through {}",
            codes.join(", "),
            out.ignored_from[rule].join(", ")
        ));
    }
    out.config.severity = severity
        .iter()
        .map(|(rule, level)| ((*rule).to_owned(), *level))
        .collect();
    // hadolint runs nearly every rule; an override says the user wants that one reported, so
    // a rule of ours that is off by default is turned on.
    out.config.extend_select = severity
        .keys()
        .filter(|rule| find_rule(rule).is_some_and(|r| !r.default_enabled))
        .map(|rule| (*rule).to_owned())
        .collect();

    if !out.unmapped.is_empty() {
        // ShellCheck's codes have no rule each here: DF067 runs ShellCheck as a whole.
        let shellcheck = out
            .unmapped
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with("SC"));
        out.warnings.push(format!(
            "no dockwise rule stands for {}: left out{}",
            out.unmapped.join(", "),
            if shellcheck {
                " (ShellCheck's SC codes are reported together by DF067, shellcheck)"
            } else {
                ""
            }
        ));
    }

    out.config.trusted_registries = dedup(&file.trusted_registries);
    out.config.label_schema = file.label_schema.clone();
    out.config.strict_labels = file.strict_labels.unwrap_or(false);
    out.config.failure_threshold = failure_threshold(file, &mut out.warnings);
    if file.disable_ignore_pragma == Some(true) {
        out.warnings.push(
            "disable-ignore-pragma is not carried over: dockwise always honours `# hadolint ignore=` comments (DF091, inline-ignore-policy, can report them)"
                .to_owned(),
        );
    }
    for key in &file.other_keys {
        out.warnings.push(match key.as_str() {
            "format" | "output-format" | "no-color" | "verbose" => format!(
                "`{key}` only changes hadolint's output: not carried over (`dockwise check` has its own flags)"
            ),
            _ => format!("`{key}` is no hadolint setting: skipped"),
        });
    }
    out
}

/// `no-fail` wins over any threshold, as in hadolint. hadolint's `ignore` and `none` make
/// any finding fail, which is our `style`.
fn failure_threshold(file: &HadolintFile, warnings: &mut Vec<String>) -> Option<FailureThreshold> {
    if file.no_fail == Some(true) {
        return Some(FailureThreshold::None);
    }
    Some(match file.failure_threshold? {
        HadolintThreshold::Error => FailureThreshold::Error,
        HadolintThreshold::Warning => FailureThreshold::Warning,
        HadolintThreshold::Info => FailureThreshold::Info,
        HadolintThreshold::Style => FailureThreshold::Style,
        level @ (HadolintThreshold::Ignore | HadolintThreshold::None) => {
            let name = if level == HadolintThreshold::Ignore {
                "ignore"
            } else {
                "none"
            };
            warnings.push(format!(
                "failure-threshold `{name}` makes hadolint fail on any finding: it becomes `style`, which does the same"
            ));
            FailureThreshold::Style
        }
    })
}

/// Every hadolint code the table maps to `rule`.
fn hadolint_codes_of(rule: &str) -> impl Iterator<Item = &'static str> + '_ {
    equivalents::HADOLINT
        .iter()
        .filter(move |(_, df)| *df == rule)
        .map(|(dl, _)| *dl)
}

fn push_unique(list: &mut Vec<String>, code: &str) {
    if !list.iter().any(|c| c.eq_ignore_ascii_case(code)) {
        list.push(code.to_owned());
    }
}

fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::hadolint::read::parse_hadolint;

    fn migrated(yaml: &str) -> Migration {
        migrate(&parse_hadolint(yaml).unwrap())
    }

    #[test]
    fn codes_become_our_rules() {
        let m = migrated(
            "ignored: [DL3008, DL3013, DL4000, SC2086, DL3008]\n\
             override:\n  error: [DL3006, SC2046]\n  info: [DL3059]\n",
        );
        // Each ignored rule once, whatever the number of codes that name it.
        assert_eq!(m.config.ignore, ["DF010", "DF049"]);
        assert_eq!(m.ignored_from["DF049"], ["DL3008", "DL3013"]);
        assert_eq!(
            m.config.severity.get("DF030"),
            Some(&Severity::Error),
            "DL3006 is DF030"
        );
        assert_eq!(m.config.severity.get("DF051"), Some(&Severity::Info));
        assert_eq!(m.unmapped, ["SC2086", "SC2046"]);
        assert!(
            m.warnings
                .iter()
                .any(|w| w.contains("SC2086, SC2046") && w.contains("left out")),
            "{:?}",
            m.warnings
        );
        // DF049 stands for more than DL3008 and DL3013: the widening is noted.
        assert!(
            m.notes
                .iter()
                .any(|n| n.starts_with("DF049 also stands for") && n.contains("DL3016")),
            "{:?}",
            m.notes
        );
        assert!(
            !m.notes.iter().any(|n| n.contains("DL3013")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn every_migrated_rule_exists_and_parses() {
        let all: Vec<&str> = equivalents::HADOLINT.iter().map(|(dl, _)| *dl).collect();
        let yaml = format!("ignored: [{}]\n", all.join(", "));
        let m = migrated(&yaml);
        assert!(m.unmapped.is_empty(), "{:?}", m.unmapped);
        assert!(m.config.selection().validate().is_ok());
    }

    #[test]
    fn overrides_conflicts_and_off_by_default_rules() {
        // DL3008 and DL3013 are both DF049: the higher severity wins, with a warning.
        let m = migrated("override:\n  warning: [DL3013]\n  error: [DL3008]\n");
        assert_eq!(m.config.severity.get("DF049"), Some(&Severity::Error));
        assert!(m.warnings.iter().any(|w| w.contains("DL3013 and DL3008")));
        // DF049 is off by default: asking for a severity turns it on.
        let df049 = find_rule("DF049").unwrap();
        assert_eq!(
            m.config.extend_select.contains(&"DF049".to_owned()),
            !df049.default_enabled
        );
        // An ignored rule's override is dropped, as hadolint drops it.
        let m = migrated("ignored: [DL3006]\noverride:\n  error: [DL3006]\n");
        assert_eq!(m.config.ignore, ["DF030"]);
        assert!(m.config.severity.is_empty() && m.severity_from.is_empty());
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
        // ... with a warning when another code of the same rule was ignored.
        let m = migrated("ignored: [DL3008]\noverride:\n  error: [DL3013]\n");
        assert!(m.config.severity.is_empty());
        assert!(
            m.warnings.iter().any(
                |w| w.contains("override of DL3013 is dropped") && w.contains("through DL3008")
            ),
            "{:?}",
            m.warnings
        );
    }

    #[test]
    fn settings_by_meaning() {
        let m = migrated(
            "trustedRegistries: [docker.io]\ntrusted-registries: [docker.io, ghcr.io]\n\
             failure-threshold: error\nstrict-labels: true\nlabel-schema:\n  team: text\n",
        );
        assert_eq!(m.config.trusted_registries, ["docker.io", "ghcr.io"]);
        assert_eq!(m.config.failure_threshold, Some(FailureThreshold::Error));
        assert!(m.config.strict_labels);
        assert_eq!(m.config.label_schema.len(), 1);
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);

        let m = migrated("failure-threshold: none\n");
        assert_eq!(m.config.failure_threshold, Some(FailureThreshold::Style));
        assert_eq!(m.warnings.len(), 1);
        let m = migrated("failure-threshold: info\nno-fail: true\n");
        assert_eq!(m.config.failure_threshold, Some(FailureThreshold::None));
        let m = migrated("format: json\nfoo: 1\ndisable-ignore-pragma: true\n");
        assert_eq!(m.warnings.len(), 3, "{:?}", m.warnings);
        assert!(m.warnings.iter().any(|w| w.contains("`foo`")));
    }
}
