//! Settings from the client (`initializationOptions`, `workspace/configuration` section
//! `dockwise`, `workspace/didChangeConfiguration`). Rule selection arrives with the rules'
//! configuration; for now: codes to ignore and severity overrides.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Severity};

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Settings {
    /// Rule codes or names whose diagnostics are not shown.
    pub ignore: Vec<String>,
    /// Severity per rule code or name.
    pub severity: HashMap<String, Severity>,
    /// Changes whenever settings are replaced, so pulled diagnostics are not reported as
    /// unchanged after a settings change.
    #[serde(skip)]
    pub version: u64,
}

static SETTINGS_VERSION: AtomicU64 = AtomicU64::new(1);

impl Settings {
    /// Reads settings; `null` means defaults.
    pub fn from_json(value: serde_json::Value) -> Result<Settings, serde_json::Error> {
        let mut settings: Settings = if value.is_null() {
            Settings::default()
        } else {
            serde_json::from_value(value)?
        };
        settings.version = SETTINGS_VERSION.fetch_add(1, Ordering::Relaxed);
        Ok(settings)
    }

    /// The diagnostic as the user wants it, or `None` when it is ignored.
    pub fn apply(&self, d: &Diagnostic) -> Option<Diagnostic> {
        let matches = |key: &String| key.eq_ignore_ascii_case(d.code) || key == d.name;
        if self.ignore.iter().any(matches) {
            return None;
        }
        let mut d = d.clone();
        if let Some((_, severity)) = self.severity.iter().find(|(k, _)| matches(k)) {
            d.severity = *severity;
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::TextRange;

    fn diag() -> Diagnostic {
        Diagnostic {
            code: "DF003",
            name: "copy-from-unknown-stage",
            severity: Severity::Warning,
            message: "m".to_owned(),
            range: TextRange::empty(0),
            fix: None,
        }
    }

    #[test]
    fn ignore_and_severity_by_code_or_name() {
        let s = Settings::from_json(serde_json::json!({"ignore": ["df003"]})).unwrap();
        assert_eq!(s.apply(&diag()), None);
        let s = Settings::from_json(
            serde_json::json!({"severity": {"copy-from-unknown-stage": "error"}}),
        )
        .unwrap();
        assert_eq!(s.apply(&diag()).unwrap().severity, Severity::Error);
        let s = Settings::from_json(serde_json::Value::Null).unwrap();
        assert_eq!(s.apply(&diag()), Some(diag()));
        assert!(Settings::from_json(serde_json::json!({"severity": {"DF003": "loud"}})).is_err());
    }
}
