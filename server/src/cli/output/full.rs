//! `--format full`: rustc-style snippets with carets, then a summary.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{Counts, FileReport};
use crate::diagnostics::Severity;

/// The findings, then the summary of `files_checked` files when given.
pub(crate) fn render(reports: &[FileReport], files_checked: Option<usize>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for report in reports {
        for d in &report.diagnostics {
            let level = match d.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
                Severity::Style => Level::NOTE.with_name(Some("style")),
            };
            let len = report.text.len();
            let start = (d.range.start as usize).min(len);
            let end = (d.range.end as usize).clamp(start, len);
            let title = format!("{} [{}]", d.message, d.name);
            let mut group = level.primary_title(title).id(d.code).element(
                Snippet::source(report.text.as_str())
                    .path(report.path.as_str())
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
            if let Some(fix) = &d.fix {
                group = group.element(Level::HELP.message(fix.title.as_str()));
            }
            out.push_str(&renderer.render(&[group]));
            out.push_str("\n\n");
        }
    }
    if let Some(files_checked) = files_checked {
        out.push_str(&summary(reports, files_checked));
    }
    out
}

/// The closing line: files checked, findings by severity, how many have a fix. The concise
/// format ends with it too.
pub(super) fn summary(reports: &[FileReport], files_checked: usize) -> String {
    let counts = Counts::of(reports);
    let files = plural(files_checked, "file", "files");
    if counts.total() == 0 {
        return format!("Checked {files}: no problems found.\n");
    }
    let mut parts = Vec::new();
    for (n, one, many) in [
        (counts.error, "error", "errors"),
        (counts.warning, "warning", "warnings"),
        (counts.info, "info", "info"),
        (counts.style, "style note", "style notes"),
    ] {
        if n > 0 {
            parts.push(plural(n, one, many));
        }
    }
    let mut line = format!("Checked {files}: {}", parts.join(", "));
    if counts.fixable > 0 {
        line.push_str(&format!(" ({} with a fix available)", counts.fixable));
    }
    line.push_str(".\n");
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::super::sample_reports;

    #[test]
    fn full() {
        let reports = sample_reports();
        insta::assert_snapshot!(super::render(&reports, Some(reports.len()), false));
    }
}
