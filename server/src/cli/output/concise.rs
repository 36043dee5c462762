//! `--format concise`: one line per finding, `path:line:col: CODE message`, then the summary
//! the full format ends with.
//!
//! For people skimming many findings and for terminals and editors that open a
//! `path:line:col` prefix as a link (the convention compilers' messages follow). The line
//! is 1-based and the column counts characters, both starting at the finding's first one.

use std::fmt::Write as _;

use super::FileReport;

/// The findings, then the summary of `files_checked` files when given.
pub(crate) fn render(reports: &[FileReport], files_checked: Option<usize>) -> String {
    let mut out = String::new();
    for report in reports {
        for found in report.located() {
            let d = found.diagnostic;
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {}",
                report.path, found.start.line, found.start.column, d.code, d.message
            );
        }
    }
    if let Some(files_checked) = files_checked {
        out.push_str(&super::full::summary(reports, files_checked));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample_reports;

    #[test]
    fn concise() {
        let reports = sample_reports();
        insta::assert_snapshot!(super::render(&reports, Some(reports.len())));
    }

    #[test]
    fn no_findings_is_the_summary_alone() {
        let reports: Vec<_> = sample_reports()
            .into_iter()
            .filter(|r| r.diagnostics.is_empty())
            .collect();
        assert_eq!(
            super::render(&reports, Some(reports.len())),
            "Checked 1 file: no problems found.\n"
        );
    }
}
