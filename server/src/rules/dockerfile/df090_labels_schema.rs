use std::collections::HashMap;

use super::stages::{from_instructions, lineage_instructions, stage_anchor};
use crate::config::LabelFormat;
use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Dockerfile, Instruction};

declare_rule! {
    /// ## What it does
    /// Reports invalid label keys, and labels a configured schema requires that are missing,
    /// empty or malformed.
    ///
    /// Always: label keys must be lowercase letters, digits, `.` and `-`,
    /// start with a letter, end with a letter or digit, have no `..` or `--`, and stay out of
    /// the namespaces Docker reserves (`com.docker.`, `io.docker.`, `org.dockerproject.`).
    /// With a `label-schema` in the configuration: each label it names must be set in the
    /// final image (by the final stage or a stage it is built from), not be empty, and match
    /// its format (`text`, `url`, `semver`, `rfc3339`, `spdx`, `hash`, `email`); with
    /// `strict-labels`, labels the schema does not name are reported too. Values built from
    /// variables without a known value are not format-checked. Off by default.
    ///
    /// Severities follow hadolint: a malformed or empty value is a warning, a missing or
    /// unexpected label information, an invalid key a style note.
    ///
    /// ## Why is this bad?
    /// Registries, scanners and deployment tools read labels such as
    /// `org.opencontainers.image.source` and `.version` to link an image to its code and
    /// release. A missing or malformed label breaks that link silently.
    ///
    /// ## Example
    /// With this configuration:
    /// ```toml
    /// [label-schema]
    /// "org.opencontainers.image.source" = "url"
    /// "org.opencontainers.image.version" = "semver"
    /// ```
    /// the source label is missing and the version is not a semantic version:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version="v1.2"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [label-schema]
    /// "org.opencontainers.image.source" = "url"
    /// "org.opencontainers.image.version" = "semver"
    /// ```
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="https://github.com/example/app" \
    ///       org.opencontainers.image.version="1.2.0"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: label values come from the project.
    ///
    /// ## References
    /// - OCI image annotations: <https://github.com/opencontainers/image-spec/blob/main/annotations.md>
    /// - Docker object labels: <https://docs.docker.com/engine/manage-resources/labels/>
    pub const LABELS_SCHEMA = {
        code: "DF090",
        name: "labels-schema",
        severity: Warning,
        fixable: false,
        default_enabled: false,
    };
}

/// One `LABEL` pair: key and value after expansion (`None` when not known).
struct Label {
    key: String,
    key_range: TextRange,
    value: Option<String>,
    value_range: TextRange,
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let schema = &ctx.config.options.label_schema;
    let strict = ctx.config.options.strict_labels;
    let all: Vec<Instruction<'_>> = Dockerfile::new(&ctx.parse.tree)
        .instructions()
        .filter(|i| i.kind() == InstructionKind::Label)
        .collect();
    for instruction in &all {
        for label in labels(ctx, instruction) {
            if !is_valid_key(&label.key) {
                out.push(with_severity(
                    label.key_range,
                    format!(
                        "`{}` is not a valid label key: use lowercase letters, digits, `.` and \
                         `-`, in a namespace of your own (`org.example.key`)",
                        label.key
                    ),
                    Severity::Style,
                ));
            } else if strict && !schema.is_empty() && !schema.contains_key(&label.key) {
                out.push(with_severity(
                    label.key_range,
                    format!("the label `{}` is not in the label schema", label.key),
                    Severity::Info,
                ));
            }
        }
    }
    if schema.is_empty() {
        return;
    }
    let Some(last) = ctx.model.final_stage() else {
        return;
    };
    // The final image's labels: later ones win.
    let mut image: HashMap<String, Label> = HashMap::new();
    for (_, instruction) in lineage_instructions(ctx, last.index) {
        if instruction.kind() == InstructionKind::Label {
            for label in labels(ctx, &instruction) {
                image.insert(label.key.clone(), label);
            }
        }
    }
    let anchor = stage_anchor(from_instructions(ctx).get(last.index), last);
    for (key, format) in schema {
        let Some(label) = image.get(key) else {
            out.push(with_severity(
                anchor,
                format!("the final image has no `{key}` label, which the label schema requires"),
                Severity::Info,
            ));
            continue;
        };
        let Some(value) = &label.value else { continue };
        if value.trim().is_empty() {
            out.push(with_severity(
                label.value_range,
                format!("the label `{key}` is empty"),
                Severity::Warning,
            ));
        } else if !matches_format(value, *format) {
            out.push(with_severity(
                label.value_range,
                format!("the label `{key}` is not {}", describe(*format)),
                Severity::Warning,
            ));
        }
    }
}

fn with_severity(range: TextRange, message: String, severity: Severity) -> Diagnostic {
    let mut d = LABELS_SCHEMA.diagnostic(range, message);
    d.severity = severity;
    d
}

fn labels(ctx: &DockerfileContext<'_>, instruction: &Instruction<'_>) -> Vec<Label> {
    instruction
        .key_values()
        .filter_map(|pair| {
            let key = pair.key();
            let expanded_key = ctx.model.expand(&key.text, key.range.start);
            let key_text = expanded_key.exact_text()?.to_owned();
            let (value, value_range) = match pair.value() {
                Some(v) => (
                    ctx.model
                        .expand(&v.text, v.range.start)
                        .exact_text()
                        .map(str::to_owned),
                    v.range,
                ),
                None => (Some(String::new()), key.range),
            };
            Some(Label {
                key: key_text,
                key_range: key.range,
                value,
                value_range,
            })
        })
        .collect()
}

/// hadolint's label key rule (DL3048).
fn is_valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    let allowed = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-';
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter().all(allowed)
        && !key.contains("..")
        && !key.contains("--")
        && !["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|ns| key.starts_with(ns))
}

fn describe(format: LabelFormat) -> &'static str {
    match format {
        LabelFormat::Text => "text",
        LabelFormat::Url => "a URL",
        LabelFormat::Semver => "a semantic version (`1.2.3`)",
        LabelFormat::Rfc3339 => "an RFC 3339 timestamp (`2024-05-01T12:00:00Z`)",
        LabelFormat::Spdx => "an SPDX license expression (`MIT`, `Apache-2.0 OR MIT`)",
        LabelFormat::Hash => "a git commit hash",
        LabelFormat::Email => "an email address",
    }
}

fn matches_format(value: &str, format: LabelFormat) -> bool {
    let value = value.trim();
    match format {
        LabelFormat::Text => !value.is_empty(),
        LabelFormat::Url => is_url(value),
        LabelFormat::Semver => is_semver(value),
        LabelFormat::Rfc3339 => is_rfc3339(value),
        LabelFormat::Spdx => is_spdx_expression(value),
        LabelFormat::Hash => {
            matches!(value.len(), 7..=40 | 64)
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        LabelFormat::Email => is_email(value),
    }
}

fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'));
    if !scheme_ok || rest.is_empty() || value.contains(char::is_whitespace) {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" | "git" | "ssh" | "ftp" => rest
            .strip_prefix("//")
            .and_then(|r| r.split(['/', '?', '#']).next())
            .is_some_and(|host| !host.is_empty()),
        _ => true,
    }
}

fn is_semver(value: &str) -> bool {
    let (core, build) = match value.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (value, None),
    };
    let (version, pre) = match core.split_once('-') {
        Some((version, pre)) => (version, Some(pre)),
        None => (core, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let identifier =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.').all(|id| {
                identifier(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id))
            })
        })
        && build.is_none_or(|b| b.split('.').all(identifier))
}

fn is_rfc3339(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 {
        value
            .get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or(u32::MAX)
    };
    if b.len() < 20
        || !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        || !matches!(b[10], b'T' | b't' | b' ')
        || !(digits(11..13) && b[13] == b':' && digits(14..16) && b[16] == b':' && digits(17..19))
    {
        return false;
    }
    if !(1..=12).contains(&number(5..7))
        || !(1..=31).contains(&number(8..10))
        || number(11..13) > 23
        || number(14..16) > 59
        || number(17..19) > 60
    {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return false;
        }
        rest = &fraction[len..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// `MIT`, `Apache-2.0 OR MIT`, `(GPL-2.0-only WITH Classpath-exception-2.0)`: identifiers
/// joined by `AND`, `OR` and `WITH`. Identifiers are checked for shape, not against the SPDX
/// list.
fn is_spdx_expression(value: &str) -> bool {
    let spaced = value.replace('(', " ( ").replace(')', " ) ");
    let mut depth = 0i32;
    let mut expect_id = true;
    for token in spaced.split_whitespace() {
        match token {
            "(" if expect_id => depth += 1,
            ")" if !expect_id => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" if !expect_id => expect_id = true,
            id if expect_id => {
                let id = id.strip_suffix('+').unwrap_or(id);
                if id.is_empty()
                    || !id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
                {
                    return false;
                }
                expect_id = false;
            }
            _ => return false,
        }
    }
    depth == 0 && !expect_id
}

fn is_email(value: &str) -> bool {
    // `Jane Doe <jane@example.com>` names the address too.
    let address = match (value.rfind('<'), value.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => value,
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;

    fn findings(
        src: &str,
        schema: &[(&str, LabelFormat)],
        strict: bool,
    ) -> Vec<(String, Severity)> {
        let mut config = Config::all_enabled();
        config.options.label_schema = schema.iter().map(|(k, f)| (k.to_string(), *f)).collect();
        config.options.strict_labels = strict;
        check_dockerfile_with(src, &DockerfileFacts::default(), &config)
            .into_iter()
            .filter(|d| d.code == "DF090")
            .map(|d| (src[d.range.as_usize()].to_owned(), d.severity))
            .collect()
    }

    #[test]
    fn invalid_keys_without_a_schema() {
        let src = "FROM a\nLABEL Maintainer=x build_date=y com.docker.x=1 org.example.ok=1 a..b=1 \"quoted.key\"=1\n";
        let texts: Vec<String> = findings(src, &[], false)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(texts, ["Maintainer", "build_date", "com.docker.x", "a..b"]);
    }

    #[test]
    fn schema_labels() {
        let schema = [
            ("org.opencontainers.image.source", LabelFormat::Url),
            ("org.opencontainers.image.version", LabelFormat::Semver),
            ("org.opencontainers.image.created", LabelFormat::Rfc3339),
            ("org.opencontainers.image.revision", LabelFormat::Hash),
            ("org.opencontainers.image.licenses", LabelFormat::Spdx),
            ("org.opencontainers.image.authors", LabelFormat::Email),
        ];
        let src = "ARG REV\nFROM alpine:3.20 AS base\nLABEL org.opencontainers.image.licenses=\"MIT or\"\n\
                   FROM base\nARG REV\nLABEL org.opencontainers.image.version=v1.2 \\\n  \
                   org.opencontainers.image.created=\"\" \\\n  org.opencontainers.image.revision=$REV \\\n  \
                   org.opencontainers.image.authors=\"Jane <jane@example.com>\" other=1\n";
        let found = findings(src, &schema, true);
        let got: Vec<(&str, Severity)> = found.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        assert_eq!(
            got,
            [
                ("\"MIT or\"", Severity::Warning),
                ("base", Severity::Info),
                ("v1.2", Severity::Warning),
                ("\"\"", Severity::Warning),
                ("other", Severity::Info),
            ]
        );
    }

    #[test]
    fn formats() {
        assert!(
            is_semver("1.2.3")
                && is_semver("1.0.0-rc.1+build.5")
                && !is_semver("1.2")
                && !is_semver("01.2.3")
        );
        assert!(is_rfc3339("2024-05-01T12:00:00Z") && is_rfc3339("2024-05-01T12:00:00.5+02:00"));
        assert!(!is_rfc3339("2024-05-01") && !is_rfc3339("2024-13-01T12:00:00Z"));
        assert!(
            is_url("https://github.com/a/b")
                && is_url("mailto:x@y.z")
                && !is_url("github.com/a")
                && !is_url("https://")
        );
        assert!(
            is_spdx_expression("MIT") && is_spdx_expression("(Apache-2.0 OR MIT) AND BSD-3-Clause")
        );
        assert!(is_spdx_expression("GPL-2.0+ WITH Classpath-exception-2.0"));
        assert!(
            !is_spdx_expression("MIT OR")
                && !is_spdx_expression("MIT Apache")
                && !is_spdx_expression("(MIT")
        );
        assert!(
            is_email("a@b.io")
                && is_email("Jane <jane@example.com>")
                && !is_email("jane")
                && !is_email("a@b")
        );
        assert!(
            matches_format("0123abc", LabelFormat::Hash)
                && !matches_format("XYZ1234", LabelFormat::Hash)
        );
    }

    #[test]
    fn off_by_default() {
        let found = crate::analysis::check_dockerfile("FROM a\nLABEL Bad_Key=1\n");
        assert!(found.iter().all(|d| d.code != "DF090"));
    }
}
