//! A migration written as a `dockwise.toml`, with comments saying where each rule came from
//! and what was left out, for a person to review before committing it.

use std::fmt::Write;

use super::map::Migration;

/// The `dockwise.toml` text of a migration. `source` names the hadolint file in the header.
/// The text parses back to `migration.config` (a test checks it).
pub fn to_toml(migration: &Migration, source: &str) -> String {
    let config = &migration.config;
    let mut out = String::new();
    // Writing to a String cannot fail: the results of `writeln!` are ignored below.
    let _ = writeln!(
        out,
        "# dockwise.toml carried over from {source} by `dockwise migrate hadolint`.\n\
         # The comment beside each rule names the hadolint code(s) it stands for."
    );

    if !config.ignore.is_empty() {
        out.push_str("\n# From hadolint's `ignored`.\n");
        rule_list(&mut out, "ignore", &config.ignore, |rule| {
            migration.ignored_from.get(rule)
        });
        for note in &migration.notes {
            let _ = writeln!(out, "# {note}.");
        }
    }
    if !config.extend_select.is_empty() {
        out.push_str("\n# Off by default in dockwise; hadolint's `override` names them.\n");
        rule_list(&mut out, "extend-select", &config.extend_select, |rule| {
            migration.severity_from.get(rule)
        });
    }

    let mut settings = String::new();
    if let Some(threshold) = config.failure_threshold {
        let _ = writeln!(
            settings,
            "failure-threshold = {}",
            quoted(threshold.as_str())
        );
    }
    if !config.trusted_registries.is_empty() {
        let _ = writeln!(
            settings,
            "trusted-registries = {}",
            inline_array(&config.trusted_registries)
        );
    }
    if config.strict_labels {
        settings.push_str("strict-labels = true\n");
    }
    if !settings.is_empty() {
        out.push('\n');
        out.push_str(&settings);
    }

    if !migration.unmapped.is_empty() {
        let _ = writeln!(
            out,
            "\n# No dockwise rule stands for these hadolint codes, left out: {}.",
            migration.unmapped.join(", ")
        );
    }

    if !config.severity.is_empty() {
        out.push_str("\n# From hadolint's `override`.\n[severity]\n");
        for (rule, severity) in &config.severity {
            let _ = write!(out, "{} = {}", key(rule), quoted(severity.as_str()));
            let from = migration.severity_from.get(rule.as_str());
            let _ = writeln!(out, "{}", origin_comment(from));
        }
    }
    if !config.label_schema.is_empty() {
        out.push_str("\n[label-schema]\n");
        for (label, format) in &config.label_schema {
            let _ = writeln!(out, "{} = {}", key(label), quoted(format.as_str()));
        }
    }
    out
}

/// `name = [` one rule a line, each with the codes it came from `]`.
fn rule_list<'a>(
    out: &mut String,
    name: &str,
    rules: &[String],
    from: impl Fn(&str) -> Option<&'a Vec<String>>,
) {
    let _ = writeln!(out, "{name} = [");
    for rule in rules {
        let _ = writeln!(out, "    {},{}", quoted(rule), origin_comment(from(rule)));
    }
    out.push_str("]\n");
}

fn origin_comment(codes: Option<&Vec<String>>) -> String {
    match codes {
        Some(codes) if !codes.is_empty() => format!(" # {}", codes.join(", ")),
        _ => String::new(),
    }
}

/// A TOML string, escaped by the toml crate's own writer.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A key: bare when TOML allows it, quoted otherwise (label names hold dots).
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { text.to_owned() } else { quoted(text) }
}

fn inline_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::config::hadolint::{map::migrate, read::parse_hadolint};

    fn round_trip(yaml: &str) -> (Migration, String) {
        let migration = migrate(&parse_hadolint(yaml).unwrap());
        let text = to_toml(&migration, ".hadolint.yaml");
        let parsed = ConfigFile::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed, migration.config, "{text}");
        (migration, text)
    }

    #[test]
    fn the_written_file_parses_back_and_names_its_sources() {
        let (_, text) = round_trip(
            "ignored: [DL3008, DL4000, SC2086]\n\
             override:\n  error: [DL3006]\n  warning: [DL3013]\n\
             trustedRegistries: [docker.io, \"my \\\"registry\\\"\"]\n\
             failure-threshold: warning\nstrict-labels: true\n\
             label-schema:\n  org.opencontainers.image.source: url\n  team: text\n",
        );
        assert!(text.contains("\"DF049\", # DL3008\n"), "{text}");
        assert!(text.contains("\"DF010\", # DL4000\n"), "{text}");
        assert!(text.contains("DF030 = \"error\" # DL3006\n"), "{text}");
        assert!(text.contains("left out: SC2086."), "{text}");
        assert!(text.contains("# DF049 also stands for"), "{text}");
        assert!(
            text.contains("\"org.opencontainers.image.source\" = \"url\""),
            "{text}"
        );
        assert!(text.contains("team = \"text\""), "{text}");
    }

    #[test]
    fn empty_and_settings_only_files() {
        let (_, text) = round_trip("");
        assert!(text.lines().all(|l| l.starts_with('#')), "{text}");
        round_trip("no-fail: true\n");
        // An override of a rule that is off by default turns it on: the written list says
        // which code asked for it.
        let (m, text) = round_trip("override:\n  error: [DL3008]\n");
        if m.config.extend_select.contains(&"DF049".to_owned()) {
            assert!(
                text.contains("extend-select = [\n    \"DF049\", # DL3008\n]"),
                "{text}"
            );
        }
    }
}
