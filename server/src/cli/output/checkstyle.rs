//! `--format checkstyle`: a Checkstyle XML report, read by CI plugins and review bots that
//! know Checkstyle's output (Jenkins' warnings plugin, reviewdog, many code-review tools).
//!
//! Reference: the report Checkstyle's own XML logger writes, `<checkstyle version="4.3">`
//! with a `<file name>` per checked file and an `<error line column severity message
//! source>` per finding. Like Checkstyle, every checked file is listed, those without
//! findings as an empty `<file>`: readers then know which files were looked at.
//! Checkstyle's levels are error, warning and info: style findings are `info`.

use std::fmt::Write as _;

use super::{FileReport, xml};
use crate::diagnostics::Severity;

pub(crate) fn render(reports: &[FileReport]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for report in reports {
        let _ = writeln!(out, "  <file name=\"{}\">", xml::attr(&report.path));
        for found in report.located() {
            let d = found.diagnostic;
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"dockwise.{}\"/>",
                found.start.line,
                found.start.column,
                xml::attr(&d.message),
                d.code,
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::{FileReport, sample_reports};
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::syntax::TextRange;

    #[test]
    fn checkstyle() {
        insta::assert_snapshot!(super::render(&sample_reports()));
    }

    #[test]
    fn paths_and_messages_are_escaped() {
        let report = FileReport {
            path: "a&b/\"x\".Dockerfile".to_owned(),
            text: "FROM x\n".to_owned(),
            diagnostics: vec![Diagnostic {
                code: "DF020",
                name: "instruction-syntax",
                severity: Severity::Style,
                message: "use <&>\"' here\nplease".to_owned(),
                range: TextRange::new(0, 4),
                fix: None,
                new_file: None,
            }],
        };
        let out = super::render(&[report]);
        assert!(
            out.contains("<file name=\"a&amp;b/&quot;x&quot;.Dockerfile\">"),
            "{out}"
        );
        assert!(
            out.contains(
                "<error line=\"1\" column=\"1\" severity=\"info\" \
                 message=\"use &lt;&amp;&gt;&quot;&apos; here&#10;please\" source=\"dockwise.DF020\"/>"
            ),
            "{out}"
        );
    }
}
