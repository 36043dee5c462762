//! `--format gitlab`: a GitLab Code Quality report, which GitLab reads from a CI job's
//! `artifacts:reports:codequality` file and shows in merge requests and pipelines.
//!
//! Reference: GitLab's "Code Quality" documentation, section "Implement a custom tool" (a
//! JSON array of issues with `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` with `location.lines.begin`), a subset of the Code Climate spec.
//!
//! Severities, in order: error → `critical`, warning → `major`, info → `minor`, style →
//! `info`. GitLab has five levels and we have four; `blocker` is not used, as an error
//! (a file that will not build or run as written) is the most serious thing we report.
//!
//! GitLab matches issues between the base and head pipelines by fingerprint, so ours leaves
//! out the line: it is the xxh3-128 of the path, the rule code, the message, the flagged
//! text and how many identical findings came earlier in the file. A line added above a
//! finding keeps it the same issue; editing the flagged text makes it a new one. (xxh3's
//! output is fixed by its specification, so fingerprints stay the same across builds.)

use std::collections::HashMap;

use serde::Serialize;

use super::FileReport;
use crate::diagnostics::{Diagnostic, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(crate) fn render(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    for report in reports {
        // How many times each first-occurrence fingerprint came up so far in this file, to
        // number identical findings.
        let mut seen: HashMap<u128, usize> = HashMap::new();
        for found in report.located() {
            let d = found.diagnostic;
            let base = fingerprint(report, d, 0);
            let count = seen.entry(base).or_insert(0);
            let occurrence = *count;
            *count += 1;
            let fingerprint = if occurrence == 0 {
                base
            } else {
                fingerprint(report, d, occurrence)
            };
            issues.push(Issue {
                description: format!("{}: {}", d.code, d.message),
                check_name: d.code,
                fingerprint: format!("{fingerprint:032x}"),
                severity: severity(d.severity),
                location: Location {
                    path: &report.path,
                    lines: Lines {
                        begin: found.start.line,
                        end: found.end.line,
                    },
                },
            });
        }
    }
    let mut text =
        serde_json::to_string_pretty(&issues).expect("serialising plain data cannot fail");
    text.push('\n');
    text
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Style => "info",
    }
}

/// See the module docs. Each part is length-prefixed so no two lists of parts hash the
/// same bytes.
fn fingerprint(report: &FileReport, d: &Diagnostic, occurrence: usize) -> u128 {
    let mut bytes = Vec::new();
    for part in [
        report.path.as_bytes(),
        d.code.as_bytes(),
        d.message.as_bytes(),
        report.flagged_text(d).as_bytes(),
        &(occurrence as u64).to_le_bytes(),
    ] {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part);
    }
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

#[cfg(test)]
mod tests {
    use super::super::{FileReport, sample_reports};
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::syntax::TextRange;

    #[test]
    fn gitlab() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    fn fingerprints(report: FileReport) -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&super::render(&[report])).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    }

    fn report(text: &str, flagged: &[&str]) -> FileReport {
        let diagnostics = flagged
            .iter()
            .map(|word| {
                let start = text.find(word).unwrap() as u32;
                Diagnostic {
                    code: "DF031",
                    name: "image-latest",
                    severity: Severity::Warning,
                    message: "pin the tag".to_owned(),
                    range: TextRange::new(start, start + word.len() as u32),
                    fix: None,
                    new_file: None,
                }
            })
            .collect();
        FileReport {
            path: "Dockerfile".to_owned(),
            text: text.to_owned(),
            diagnostics,
        }
    }

    #[test]
    fn fingerprints_survive_line_shifts_and_tell_identical_findings_apart() {
        let before = report("FROM a:latest\nFROM b:latest\n", &["a:latest", "b:latest"]);
        let after = report(
            "# a new first line\nFROM a:latest\nFROM b:latest\n",
            &["a:latest", "b:latest"],
        );
        let (before, after) = (fingerprints(before), fingerprints(after));
        assert_eq!(before, after);
        assert_ne!(before[0], before[1]);

        // The same text flagged twice: two issues, told apart by their order.
        let mut twice = report("FROM a:latest\nFROM a:latest\n", &["a:latest"]);
        let mut second = twice.diagnostics[0].clone();
        second.range = TextRange::new(19, 27);
        twice.diagnostics.push(second);
        let twice = fingerprints(twice);
        assert_ne!(twice[0], twice[1]);
        assert_eq!(twice[0].len(), 32);
    }
}
