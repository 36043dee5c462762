//! `--format junit`: a JUnit XML report, which CI systems (GitLab's test reports, Jenkins,
//! Azure Pipelines, CircleCI) show as test results.
//!
//! Reference: the de facto JUnit XML shape those systems read (`<testsuites>` of
//! `<testsuite>`s of `<testcase>`s, a failing case holding a `<failure>`). Each checked
//! file is a test suite; each finding is a failing test case named after its rule and
//! position; a file without findings is one passing test case, so it still shows up.

use std::fmt::Write as _;

use super::{FileReport, xml};

pub(crate) fn render(reports: &[FileReport]) -> String {
    let findings: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let tests: usize = reports.iter().map(|r| r.diagnostics.len().max(1)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"dockwise\" tests=\"{tests}\" failures=\"{findings}\">"
    );
    for report in reports {
        let path = xml::attr(&report.path);
        let found = report.located();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\">",
            found.len().max(1),
            found.len()
        );
        if found.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"no findings\" classname=\"{path}\"/>"
            );
        }
        for f in found {
            let d = f.diagnostic;
            let (line, column) = (f.start.line, f.start.column);
            let _ = writeln!(
                out,
                "    <testcase name=\"{} at {line}:{column}\" classname=\"{path}\">",
                d.code
            );
            // The body repeats the message with where and what, for viewers that show only
            // the failure's text.
            let body = format!(
                "{}:{line}:{column}: {} {} ({}): {}\n{}",
                report.path,
                d.severity,
                d.code,
                d.name,
                d.message,
                crate::rules::docs_url(d.code)
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml::attr(&d.message),
                d.code,
                xml::text(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::{FileReport, sample_reports};
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::syntax::TextRange;

    #[test]
    fn junit() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    #[test]
    fn paths_and_messages_are_escaped() {
        let report = FileReport {
            path: "a&b/<x>.Dockerfile".to_owned(),
            text: "FROM x\n".to_owned(),
            diagnostics: vec![Diagnostic {
                code: "DF020",
                name: "instruction-syntax",
                severity: Severity::Error,
                message: "use <&>\"' here".to_owned(),
                range: TextRange::new(0, 4),
                fix: None,
                new_file: None,
            }],
        };
        let out = super::render(&[report]);
        assert!(
            out.contains(
                "<testcase name=\"DF020 at 1:1\" classname=\"a&amp;b/&lt;x&gt;.Dockerfile\">"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "<failure message=\"use &lt;&amp;&gt;&quot;&apos; here\" type=\"DF020\">\
                 a&amp;b/&lt;x&gt;.Dockerfile:1:1: error DF020 (instruction-syntax): use &lt;&amp;&gt;\"' here\n"
            ),
            "{out}"
        );
    }
}
