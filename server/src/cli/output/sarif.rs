//! `--format sarif`: a SARIF 2.1.0 log, which GitHub code scanning reads (as do other SARIF
//! viewers, such as editor extensions).
//!
//! References: the OASIS SARIF 2.1.0 standard, and GitHub's "SARIF support for code
//! scanning" page for the subset GitHub reads (rules with short and full descriptions and
//! help text; results with `ruleId`, `ruleIndex`, `level`, `message.text` and a physical
//! location whose `startLine` is at least 1).
//!
//! Decisions:
//! - Levels: error → `error`, warning → `warning`, info and style → `note`.
//! - Paths relative to the current directory are written as relative URIs with
//!   `uriBaseId` `%SRCROOT%`, and `originalUriBaseIds` gives `%SRCROOT%` as the current
//!   directory's `file://` URI (ending in `/`), for viewers that open the files. GitHub
//!   ignores it and reads relative paths from the repository's root, so run `check` from
//!   there. Absolute paths (files outside the current directory) are written as `file://`
//!   URIs with no base; paths typed with `..` stay relative references.
//! - `columnKind` is `unicodeCodePoints`: our columns count characters (SARIF's default
//!   unit is UTF-16 code units). `endColumn` is the column after the last flagged one.
//! - No `partialFingerprints`: GitHub's upload action computes its own from the file when
//!   they are missing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::FileReport;
use crate::diagnostics::Severity;
use crate::rules::RuleMeta;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json";
const SRC_ROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, BaseUri>>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// The log for `reports`. `src_root` is the `file://` URI of the directory relative paths
/// start from (see [`directory_uri`]); without it `originalUriBaseIds` is left out and
/// readers resolve `%SRCROOT%` themselves (GitHub uses the repository's root).
pub(crate) fn render(reports: &[FileReport], src_root: Option<&str>) -> String {
    // Rules that have findings, in code order; `ruleIndex` points into this list.
    let mut codes: Vec<&'static str> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Rule> = codes.iter().map(|&code| rule(code)).collect();

    let mut results = Vec::new();
    for report in reports {
        let artifact = artifact_location(&report.path);
        for found in report.located() {
            let d = found.diagnostic;
            results.push(SarifResult {
                rule_id: d.code,
                rule_index: codes.binary_search(&d.code).expect("every code is listed"),
                level: level(d.severity),
                message: Message {
                    text: d.message.clone(),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: artifact.uri.clone(),
                            uri_base_id: artifact.uri_base_id,
                        },
                        region: Region {
                            start_line: found.start.line,
                            start_column: found.start.column,
                            end_line: found.end.line,
                            end_column: found.end.column,
                        },
                    },
                }],
            });
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "dockwise",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            original_uri_base_ids: src_root.map(|uri| {
                BTreeMap::from([(
                    SRC_ROOT,
                    BaseUri {
                        uri: uri.to_owned(),
                    },
                )])
            }),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("serialising plain data cannot fail");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// A rule's metadata from the registry (codes are unique across both families).
fn rule(code: &'static str) -> Rule {
    let Some(meta) = crate::rules::find_rule(code) else {
        // Not a registered rule (cannot happen for analysis findings): the code alone.
        return Rule {
            id: code,
            name: code,
            short_description: Message {
                text: code.to_owned(),
            },
            full_description: Message {
                text: code.to_owned(),
            },
            help: Help {
                text: code.to_owned(),
                markdown: code.to_owned(),
            },
            help_uri: crate::rules::docs_url(code),
            default_configuration: Configuration { level: "warning" },
        };
    };
    rule_of(meta)
}

fn rule_of(meta: &'static RuleMeta) -> Rule {
    let or_name = |text: String| {
        if text.is_empty() {
            meta.name.to_owned()
        } else {
            text
        }
    };
    let docs = meta.docs_text().trim().to_owned();
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Message {
            text: or_name(meta.short_summary()),
        },
        full_description: Message {
            text: or_name(meta.summary()),
        },
        help: Help {
            text: or_name(docs.clone()),
            markdown: or_name(docs),
        },
        help_uri: crate::rules::docs_url(meta.code),
        default_configuration: Configuration {
            level: level(meta.severity),
        },
    }
}

/// Where a shown path points: relative paths against `%SRCROOT%`, absolute ones as
/// `file://` URIs.
fn artifact_location(path: &str) -> ArtifactLocation {
    if is_absolute(path) {
        ArtifactLocation {
            uri: file_uri(path),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: percent_encode(path),
            uri_base_id: Some(SRC_ROOT),
        }
    }
}

/// `/x`, `//server/share` or `C:/x` (shown paths use `/` on every platform).
fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || has_drive(path)
}

fn has_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// The `file://` URI of an absolute path with `/` separators.
fn file_uri(path: &str) -> String {
    if has_drive(path) {
        // `file:///C:/x`: the drive's colon stays as it is.
        format!("file:///{}{}", &path[..2], percent_encode(&path[2..]))
    } else if path.starts_with("//") {
        // A UNC path `//server/share/x`: the server is the URI's authority.
        format!("file:{}", percent_encode(path))
    } else {
        format!("file://{}", percent_encode(path))
    }
}

/// The `file://` URI of a directory, ending in `/` as a base URI must; `None` when the
/// directory is not absolute.
pub(crate) fn directory_uri(dir: &Path) -> Option<String> {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !is_absolute(&path) {
        return None;
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    Some(file_uri(&path))
}

/// Every byte but `/` and URI-unreserved ones as `%XX`: spaces, commas, `%`, `#`, `?` and
/// non-ASCII characters then cannot be read as something else (a `:` in a relative
/// reference's first segment would be read as a scheme).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::sample_reports;

    const ROOT: &str = "file:///work/repo/";

    fn rendered() -> String {
        // The version changes with each release; the snapshot should not.
        render(&sample_reports(), Some(ROOT)).replace(
            &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"[version]\"",
        )
    }

    #[test]
    fn sarif() {
        insta::assert_snapshot!(rendered());
    }

    /// What GitHub code scanning checks on upload, and what its pages rely on.
    #[test]
    fn github_code_scanning_can_read_it() {
        let log: serde_json::Value = serde_json::from_str(&rendered()).unwrap();
        assert_eq!(log["version"], "2.1.0");
        assert!(log["$schema"].as_str().unwrap().starts_with("https://"));
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["tool"]["driver"]["name"], "dockwise");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str(),
            Some(ROOT)
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        for rule in rules {
            for key in ["shortDescription", "fullDescription", "help"] {
                assert!(
                    !rule[key]["text"].as_str().unwrap().is_empty(),
                    "{key} of {rule}"
                );
            }
            assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
            let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level), "{level}");
        }
        let results = run["results"].as_array().unwrap();
        let findings: usize = sample_reports().iter().map(|r| r.diagnostics.len()).sum();
        assert_eq!(results.len(), findings);
        for result in results {
            let id = result["ruleId"].as_str().unwrap();
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], id, "ruleIndex of {result}");
            let level = result["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level), "{level}");
            assert!(!result["message"]["text"].as_str().unwrap().is_empty());
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with("./") && !uri.starts_with('/') && !uri.contains(':'),
                "{uri}"
            );
            assert!(!uri.contains(' ') && !uri.contains(','), "{uri}");
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &location["region"];
            let number = |key: &str| region[key].as_u64().unwrap();
            assert!(number("startLine") >= 1 && number("startColumn") >= 1);
            assert!(
                (number("endLine"), number("endColumn"))
                    >= (number("startLine"), number("startColumn"))
            );
        }
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact_location("my dir/a,b.Dockerfile").uri,
            "my%20dir/a%2Cb.Dockerfile"
        );
        assert_eq!(artifact_location("app/Dockerfile").uri, "app/Dockerfile");
        let outside = artifact_location("/elsewhere/é/Dockerfile");
        assert_eq!(outside.uri, "file:///elsewhere/%C3%A9/Dockerfile");
        assert_eq!(outside.uri_base_id, None);
        assert_eq!(
            artifact_location("C:/x y/Dockerfile").uri,
            "file:///C:/x%20y/Dockerfile"
        );
        assert_eq!(
            directory_uri(Path::new("/work/my repo")).as_deref(),
            Some("file:///work/my%20repo/")
        );
        assert_eq!(directory_uri(Path::new("/")).as_deref(), Some("file:///"));
        assert_eq!(directory_uri(Path::new("relative")), None);
    }

    #[test]
    fn without_a_base_there_is_no_original_uri_base_ids() {
        let log: serde_json::Value =
            serde_json::from_str(&render(&sample_reports(), None)).unwrap();
        assert!(log["runs"][0].get("originalUriBaseIds").is_none());
    }
}
