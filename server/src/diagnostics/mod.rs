//! What analysis reports: diagnostics with a severity, a rule code and optional fixes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::syntax::TextRange;

/// How serious a finding is. Ordered: `Style < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A matter of style or consistency.
    Style,
    /// Worth knowing, often harmless.
    Info,
    /// Probably a mistake, or a practice that costs later.
    Warning,
    /// Wrong: to be fixed.
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "style" => Ok(Severity::Style),
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}`: use error, warning, info or style"
            )),
        }
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the file's meaning; applied by `check --fix`.
    Safe,
    /// Probably right but may change behaviour; needs `--unsafe-fixes`.
    Unsafe,
    /// Shown as a suggestion only, never applied automatically.
    DisplayOnly,
}

/// Replace `range` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// A set of edits that resolves a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// One finding in one document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable rule code: `DF003`.
    pub code: &'static str,
    /// The rule's kebab-case name: `copy-from-unknown-stage`.
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the document.
    pub range: TextRange,
    pub fix: Option<Fix>,
    /// A file the fix creates beside the document (for DF053, the build context's
    /// `.dockerignore`); applied with the fix, never over an existing file.
    pub new_file: Option<NewFile>,
}

/// A file a fix creates (or adds lines to), relative to the folder of the document that
/// was checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NewFile {
    /// File name relative to the document's folder (`.dockerignore`).
    pub path: String,
    pub content: String,
    /// Whether `content`'s lines are added at the end of the file (created when missing),
    /// leaving out those it already has; otherwise the file is created only when absent.
    pub append: bool,
}

impl NewFile {
    /// The file's text once this is applied to its current text (`None`: no file yet);
    /// `None` when nothing changes.
    pub fn applied_to(&self, current: Option<&str>) -> Option<String> {
        match (current, self.append) {
            (None, _) => Some(self.content.clone()),
            (Some(_), false) => None,
            (Some(text), true) => {
                let have: std::collections::HashSet<&str> =
                    text.lines().map(str::trim_end).collect();
                let missing: Vec<&str> = self
                    .content
                    .lines()
                    .filter(|l| !have.contains(l.trim_end()))
                    .collect();
                if missing.is_empty() {
                    return None;
                }
                let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
                let mut out = text.to_owned();
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push_str(nl);
                }
                for line in missing {
                    out.push_str(line);
                    out.push_str(nl);
                }
                Some(out)
            }
        }
    }
}

impl Serialize for TextRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TextRange", 2)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::NewFile;

    #[test]
    fn new_files_are_created_or_get_the_lines_they_lack() {
        let create = NewFile {
            path: ".dockerignore".to_owned(),
            content: ".git\n".to_owned(),
            append: false,
        };
        assert_eq!(create.applied_to(None).as_deref(), Some(".git\n"));
        assert_eq!(create.applied_to(Some("mine\n")), None);
        let append = NewFile {
            path: ".gitignore".to_owned(),
            content: "/.env\n/api/.env\n".to_owned(),
            append: true,
        };
        assert_eq!(
            append.applied_to(None).as_deref(),
            Some("/.env\n/api/.env\n")
        );
        // A last line without its line break gets one; CRLF files stay CRLF.
        assert_eq!(
            append.applied_to(Some("node_modules")).as_deref(),
            Some("node_modules\n/.env\n/api/.env\n")
        );
        assert_eq!(
            append.applied_to(Some("/.env\r\nlogs\r\n")).as_deref(),
            Some("/.env\r\nlogs\r\n/api/.env\r\n")
        );
        assert_eq!(append.applied_to(Some("/api/.env\n/.env\n")), None);
    }
}
