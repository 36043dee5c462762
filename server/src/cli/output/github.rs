//! `--format github`: GitHub Actions workflow commands, one line per finding, which the
//! Actions runner turns into annotations on the run's summary and on the pull request's
//! changed lines.
//!
//! Reference: GitHub's "Workflow commands for GitHub Actions" (`::error`, `::warning` and
//! `::notice` with `file`, `line`, `col`, `endLine`, `endColumn` and `title` parameters).
//! Actions has three levels, so info and style findings are notices.

use std::fmt::Write as _;

use super::FileReport;
use crate::diagnostics::Severity;

pub(crate) fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for found in report.located() {
            let d = found.diagnostic;
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "notice",
            };
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&report.path),
                found.start.line,
                found.start.column,
                found.end.line,
                found.end.column,
                property(&format!("{} ({})", d.code, d.name)),
                data(&d.message),
            );
        }
    }
    out
}

/// The message after `::`: the runner reads the command up to the end of the line, and
/// decodes `%XX` for these three.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A parameter's value: `,` would end it and `:` could end the parameter list.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::{FileReport, sample_reports};
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::syntax::TextRange;

    #[test]
    fn github() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    #[test]
    fn messages_and_paths_are_escaped() {
        let report = FileReport {
            path: "a,b:c/Dockerfile".to_owned(),
            text: "FROM x\n".to_owned(),
            diagnostics: vec![Diagnostic {
                code: "DF020",
                name: "instruction-syntax",
                severity: Severity::Style,
                message: "100% sure\r\nnext: line, too".to_owned(),
                range: TextRange::new(5, 6),
                fix: None,
                new_file: None,
            }],
        };
        assert_eq!(
            super::render(&[report]),
            "::notice file=a%2Cb%3Ac/Dockerfile,line=1,col=6,endLine=1,endColumn=7,\
             title=DF020 (instruction-syntax)::100%25 sure%0D%0Anext: line, too\n"
        );
    }
}
