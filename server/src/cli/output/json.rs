//! `--format json`: every finding with 1-based positions, for tools (our own shape).
//!
//! The top-level `version` names the shape: it stays 1 while fields are only added, and
//! goes up when a field is renamed, removed or changes meaning.

use serde::Serialize;

use super::{FileReport, Position};
use crate::diagnostics::{Applicability, Severity};
use crate::text::LineIndex;

/// The version of the shape written; see the module docs.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    range: Range,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: Range,
    content: &'a str,
}

pub(crate) fn render(reports: &[FileReport]) -> String {
    let mut diagnostics = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let range = |r: crate::syntax::TextRange| Range {
            start: report.position(&index, r.start),
            end: report.position(&index, r.end),
        };
        for d in &report.diagnostics {
            diagnostics.push(JsonDiagnostic {
                path: &report.path,
                code: d.code,
                name: d.name,
                severity: d.severity,
                message: &d.message,
                range: range(d.range),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    message: &f.title,
                    applicability: f.applicability,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            range: range(e.range),
                            content: &e.new_text,
                        })
                        .collect(),
                }),
            });
        }
    }
    let mut text = serde_json::to_string_pretty(&Output {
        version: VERSION,
        diagnostics,
    })
    .expect("serialising plain data cannot fail");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::sample_reports;

    #[test]
    fn json() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    #[test]
    fn the_version_comes_first() {
        assert!(super::render(&[]).starts_with("{\n  \"version\": 1,\n"));
    }
}
