//! Settings from the client (`initializationOptions`, `workspace/configuration` section
//! `dockwise`, `workspace/didChangeConfiguration`): a rule selection laid over the file's
//! `dockwise.toml`, with the same meaning as the file's keys.
//!
//! ```json
//! {"select": ["DF"], "extendSelect": ["DF049"], "ignore": ["DF003"], "severity": {"DF020": "warning"}}
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Selection;
use crate::diagnostics::Severity;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Settings {
    /// Rules to run instead of those the configuration file selects.
    pub select: Option<Vec<String>>,
    /// Rules to run beside them.
    pub extend_select: Vec<String>,
    /// Rule codes or names whose diagnostics are not shown.
    pub ignore: Vec<String>,
    /// Severity per rule code, prefix or name.
    pub severity: BTreeMap<String, Severity>,
}

/// The `dockwise` section of settings that come wrapped in one, else the settings as given.
fn section(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(mut map) if map.contains_key("dockwise") => {
            map.remove("dockwise").unwrap_or_default()
        }
        other => other,
    }
}

impl Settings {
    /// Reads settings; `null` means defaults. Selectors that name no rule, and keys that
    /// are not settings (a misspelt `ignor`), are errors. Settings wrapped in a `dockwise`
    /// section (`{"dockwise": {...}}`, as Helix sends its `config` and many editors send
    /// `didChangeConfiguration`) are read from inside it, and the other sections left to
    /// their tools.
    pub fn from_json(value: serde_json::Value) -> Result<Settings, String> {
        Settings::parse(section(value))
    }

    /// Reads the settings an editor answers or notifies: `None` when it has nothing for
    /// dockwise (`null` or `{}`, also wrapped), and then the settings of `initialize` stand
    /// (they are often the only ones an editor's set-up gives).
    pub fn from_editor(value: serde_json::Value) -> Result<Option<Settings>, String> {
        let value = section(value);
        let unset = match &value {
            serde_json::Value::Null => true,
            serde_json::Value::Object(map) => map.is_empty(),
            _ => false,
        };
        if unset {
            return Ok(None);
        }
        Settings::parse(value).map(Some)
    }

    fn parse(value: serde_json::Value) -> Result<Settings, String> {
        let settings: Settings = if value.is_null() {
            Settings::default()
        } else {
            serde_json::from_value(value).map_err(|e| e.to_string())?
        };
        settings.selection().validate().map_err(|e| e.to_string())?;
        Ok(settings)
    }

    /// The settings as a rule selection.
    pub fn selection(&self) -> Selection {
        Selection {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            severity: self.severity.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn selection_by_code_or_name() {
        let s = Settings::from_json(serde_json::json!({"ignore": ["df003"]})).unwrap();
        assert!(
            !Config::default()
                .with_selection(&s.selection())
                .is_enabled("DF003")
        );
        let s = Settings::from_json(serde_json::json!({
            "extendSelect": ["DF010"],
            "severity": {"copy-from-unknown-stage": "error"}
        }))
        .unwrap();
        let config = Config::default().with_selection(&s.selection());
        let df003 = crate::rules::find_rule("DF003").unwrap();
        assert_eq!(config.severity_of(df003), Severity::Error);
        let s = Settings::from_json(serde_json::Value::Null).unwrap();
        assert!(s.selection().is_empty());
        assert!(Settings::from_json(serde_json::json!({"severity": {"DF003": "loud"}})).is_err());
        assert!(Settings::from_json(serde_json::json!({"ignore": ["DF999"]})).is_err());
    }

    #[test]
    fn a_dockwise_section_is_read_from_inside_and_unknown_keys_are_errors() {
        let wrapped =
            serde_json::json!({"dockwise": {"ignore": ["DF003"]}, "yaml": {"validate": false}});
        assert_eq!(
            Settings::from_json(wrapped).unwrap().ignore,
            ["DF003".to_owned()]
        );
        let misspelt = Settings::from_json(serde_json::json!({"ignor": ["DF003"]}));
        assert!(misspelt.unwrap_err().contains("ignor"));
    }
}
