//! Reading a `.hadolint.yaml` as written: hadolint's keys and codes, nothing mapped yet.
//!
//! The YAML goes through our own tree ([`crate::syntax::compose::parse`]), the one compose
//! files use, so no second YAML library is needed for a file of a dozen lines. Wrong shapes
//! (a list where a mapping belongs, a severity hadolint does not have) are errors with a
//! line number; keys hadolint would not read are kept by name for the caller to report.

use std::collections::BTreeMap;

use crate::config::LabelFormat;
use crate::diagnostics::Severity;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind, YamlTree, parse};
use crate::text::LineIndex;

/// What a `.hadolint.yaml` says, in hadolint's terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HadolintFile {
    /// `ignored`: codes not to report.
    pub ignored: Vec<String>,
    /// `override`: the codes to report at each severity, in the order written.
    pub overrides: Vec<(Severity, Vec<String>)>,
    /// `trustedRegistries` (older hadolint) and `trusted-registries` (newer), together.
    pub trusted_registries: Vec<String>,
    pub failure_threshold: Option<HadolintThreshold>,
    /// `no-fail`: never exit with a failure.
    pub no_fail: Option<bool>,
    pub label_schema: BTreeMap<String, LabelFormat>,
    pub strict_labels: Option<bool>,
    /// `disable-ignore-pragma`: ignore `# hadolint ignore=` comments.
    pub disable_ignore_pragma: Option<bool>,
    /// Other top-level keys, in the order written: output settings (`format`, `no-color`,
    /// `verbose`) and keys hadolint does not know.
    pub other_keys: Vec<String>,
}

/// hadolint's `failure-threshold` values. `ignore` and `none` are hadolint's lowest levels:
/// with them any finding fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HadolintThreshold {
    Error,
    Warning,
    Info,
    Style,
    Ignore,
    None,
}

/// Parses the text of a `.hadolint.yaml`. An empty file (or one holding only comments)
/// says nothing, like an empty mapping.
pub fn parse_hadolint(text: &str) -> Result<HadolintFile, String> {
    let parsed = parse(text);
    let lines = LineIndex::new(text);
    if let Some(error) = parsed.errors.first() {
        let (line, col) = lines.line_col_chars(text, error.range.start);
        return Err(format!(
            "not valid YAML: line {}, column {}: {}",
            line + 1,
            col + 1,
            error.message
        ));
    }
    let reader = Reader {
        tree: &parsed.tree,
        text,
        lines,
    };
    let mut file = HadolintFile::default();
    let Some(root) = parsed.tree.root else {
        return Ok(file);
    };
    if reader.is_null(root) {
        return Ok(file);
    }
    for (key, value) in reader.mapping(root, "the file")? {
        match key.as_str() {
            "ignored" => file.ignored.extend(reader.strings(value, "ignored")?),
            "override" => {
                for (level, codes) in reader.mapping(value, "override")? {
                    let severity = level.parse::<Severity>().map_err(|_| {
                        reader.error(
                            value,
                            &format!(
                                "override: `{level}` is no severity (error, warning, info or style)"
                            ),
                        )
                    })?;
                    let codes = reader.strings(codes, &format!("override.{level}"))?;
                    file.overrides.push((severity, codes));
                }
            }
            "trustedRegistries" | "trusted-registries" => file
                .trusted_registries
                .extend(reader.strings(value, &key)?),
            "failure-threshold" => {
                file.failure_threshold = match reader.optional_string(value, &key)? {
                    None => None,
                    Some(level) => Some(threshold(&level).ok_or_else(|| {
                        reader.error(
                            value,
                            &format!(
                                "failure-threshold: `{level}` is none of error, warning, info, style, ignore, none"
                            ),
                        )
                    })?),
                }
            }
            "no-fail" => file.no_fail = reader.boolean(value, &key)?,
            "strict-labels" => file.strict_labels = reader.boolean(value, &key)?,
            "disable-ignore-pragma" => file.disable_ignore_pragma = reader.boolean(value, &key)?,
            "label-schema" => {
                for (label, format) in reader.mapping(value, "label-schema")? {
                    let what = format!("label-schema.{label}");
                    let name = reader.optional_string(format, &what)?.unwrap_or_default();
                    let format = label_format(&name).ok_or_else(|| {
                        reader.error(
                            format,
                            &format!(
                                "{what}: `{name}` is none of text, url, semver, rfc3339, spdx, hash, email"
                            ),
                        )
                    })?;
                    file.label_schema.insert(label, format);
                }
            }
            _ => file.other_keys.push(key),
        }
    }
    Ok(file)
}

fn threshold(name: &str) -> Option<HadolintThreshold> {
    Some(match name.to_ascii_lowercase().as_str() {
        "error" => HadolintThreshold::Error,
        "warning" => HadolintThreshold::Warning,
        "info" => HadolintThreshold::Info,
        "style" => HadolintThreshold::Style,
        "ignore" => HadolintThreshold::Ignore,
        "none" => HadolintThreshold::None,
        _ => return None,
    })
}

/// hadolint's label types are the formats DF090 knows, under the same names.
fn label_format(name: &str) -> Option<LabelFormat> {
    Some(match name.to_ascii_lowercase().as_str() {
        "text" => LabelFormat::Text,
        "url" => LabelFormat::Url,
        "semver" => LabelFormat::Semver,
        "rfc3339" => LabelFormat::Rfc3339,
        "spdx" => LabelFormat::Spdx,
        "hash" => LabelFormat::Hash,
        "email" => LabelFormat::Email,
        _ => return None,
    })
}

/// Reads values out of the tree, with errors that say where.
struct Reader<'a> {
    tree: &'a YamlTree,
    text: &'a str,
    lines: LineIndex,
}

impl Reader<'_> {
    fn kind(&self, id: NodeId) -> Option<&NodeKind> {
        self.tree.node(self.tree.resolve(id)).map(|n| &n.kind)
    }

    fn error(&self, id: NodeId, message: &str) -> String {
        let start = self.tree.node(id).map_or(0, |n| n.range.start);
        let (line, _) = self.lines.line_col_chars(self.text, start);
        format!("line {}: {message}", line + 1)
    }

    /// `key:` with nothing after it, or `~` / `null`: YAML's null, read as "not set".
    fn is_null(&self, id: NodeId) -> bool {
        matches!(
            self.kind(id),
            Some(NodeKind::Scalar { value, style: ScalarKind::Plain })
                if matches!(&**value, "" | "~" | "null" | "Null" | "NULL")
        )
    }

    /// The entries of a mapping (null: none), keys as text.
    fn mapping(&self, id: NodeId, what: &str) -> Result<Vec<(String, NodeId)>, String> {
        if self.is_null(id) {
            return Ok(Vec::new());
        }
        if !matches!(self.kind(id), Some(NodeKind::Mapping(_))) {
            return Err(self.error(id, &format!("{what} must be a mapping of keys to values")));
        }
        self.tree
            .entries(self.tree.resolve(id))
            .into_iter()
            .map(|(key, value)| {
                let name = self
                    .scalar(key)
                    .ok_or_else(|| self.error(key, &format!("{what}: a key must be text")))?;
                let value = value.ok_or_else(|| self.error(key, "a value is missing"))?;
                Ok((name.to_owned(), value))
            })
            .collect()
    }

    /// A list of text values (null: empty).
    fn strings(&self, id: NodeId, what: &str) -> Result<Vec<String>, String> {
        if self.is_null(id) {
            return Ok(Vec::new());
        }
        let Some(NodeKind::Sequence(items)) = self.kind(id) else {
            return Err(self.error(id, &format!("{what} must be a list")));
        };
        items
            .iter()
            .map(|&item| {
                self.scalar(item)
                    .filter(|_| !self.is_null(item))
                    .map(|s| s.trim().to_owned())
                    .ok_or_else(|| self.error(item, &format!("{what}: each item must be text")))
            })
            .collect()
    }

    /// A text value (null: not set).
    fn optional_string(&self, id: NodeId, what: &str) -> Result<Option<String>, String> {
        if self.is_null(id) {
            return Ok(None);
        }
        self.scalar(id)
            .map(|s| Some(s.trim().to_owned()))
            .ok_or_else(|| self.error(id, &format!("{what} must be text")))
    }

    /// `true` or `false`, as YAML 1.2 writes them (null: not set).
    fn boolean(&self, id: NodeId, what: &str) -> Result<Option<bool>, String> {
        if self.is_null(id) {
            return Ok(None);
        }
        match self.kind(id) {
            Some(NodeKind::Scalar {
                value,
                style: ScalarKind::Plain,
            }) => match &**value {
                "true" | "True" | "TRUE" => Ok(Some(true)),
                "false" | "False" | "FALSE" => Ok(Some(false)),
                _ => Err(self.error(id, &format!("{what} must be true or false"))),
            },
            _ => Err(self.error(id, &format!("{what} must be true or false"))),
        }
    }

    fn scalar(&self, id: NodeId) -> Option<&str> {
        self.tree.scalar(self.tree.resolve(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let file = parse_hadolint(
            "# a comment\n\
             ignored: [DL3008, SC2086]\n\
             override:\n  error:\n    - DL3006\n  style: [DL3059]\n\
             trustedRegistries:\n  - docker.io\n\
             trusted-registries: ['ghcr.io']\n\
             failure-threshold: warning\n\
             no-fail: false\n\
             strict-labels: true\n\
             disable-ignore-pragma: FALSE\n\
             label-schema:\n  org.opencontainers.image.source: url\n\
             format: json\n\
             colour: never\n",
        )
        .unwrap();
        assert_eq!(file.ignored, ["DL3008", "SC2086"]);
        assert_eq!(
            file.overrides,
            [
                (Severity::Error, vec!["DL3006".to_owned()]),
                (Severity::Style, vec!["DL3059".to_owned()])
            ]
        );
        assert_eq!(file.trusted_registries, ["docker.io", "ghcr.io"]);
        assert_eq!(file.failure_threshold, Some(HadolintThreshold::Warning));
        assert_eq!(file.no_fail, Some(false));
        assert_eq!(file.strict_labels, Some(true));
        assert_eq!(file.disable_ignore_pragma, Some(false));
        assert_eq!(
            file.label_schema.get("org.opencontainers.image.source"),
            Some(&LabelFormat::Url)
        );
        assert_eq!(file.other_keys, ["format", "colour"]);
    }

    #[test]
    fn empty_and_null_say_nothing() {
        assert_eq!(parse_hadolint("").unwrap(), HadolintFile::default());
        assert_eq!(
            parse_hadolint("# nothing\n").unwrap(),
            HadolintFile::default()
        );
        assert_eq!(
            parse_hadolint("ignored:\noverride: ~\n").unwrap(),
            HadolintFile::default()
        );
    }

    #[test]
    fn wrong_shapes_are_errors_with_a_line() {
        let cases = [
            ("ignored: DL3008\n", "line 1: ignored must be a list"),
            (
                "a: 1\noverride: [DL3008]\n",
                "line 2: override must be a mapping",
            ),
            ("override:\n  fatal: [DL3008]\n", "`fatal` is no severity"),
            ("ignored: [[DL3008]]\n", "ignored: each item must be text"),
            ("failure-threshold: loud\n", "`loud` is none of"),
            (
                "strict-labels: yes\n",
                "strict-labels must be true or false",
            ),
            ("label-schema:\n  a: colour\n", "label-schema.a: `colour`"),
            ("- DL3008\n", "the file must be a mapping"),
            ("ignored: [DL3008\n", "not valid YAML: line"),
        ];
        for (text, expected) in cases {
            let err = parse_hadolint(text).unwrap_err();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }
}
