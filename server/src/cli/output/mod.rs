//! Renderers for `dockwise check`: one file per format.

use crate::diagnostics::{Diagnostic, Severity};
use crate::text::LineIndex;

pub(crate) mod checkstyle;
pub(crate) mod concise;
pub(crate) mod full;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;
pub(crate) mod statistics;
mod xml;

/// `--format`: how `dockwise check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets and a summary.
    Full,
    /// One line per finding (path:line:col: CODE message) and a summary.
    Concise,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands, shown as annotations on the run and pull request.
    Github,
    /// GitLab Code Quality report (JSON), for merge request widgets.
    #[value(alias = "gitlab_codeclimate")]
    Gitlab,
    /// Checkstyle XML, for CI plugins that read Checkstyle reports.
    Checkstyle,
    /// JUnit XML: one failing test case per finding, one passing case per clean file.
    Junit,
}

/// What a renderer may need besides the reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RenderOptions {
    /// How many files were checked (reports may leave out files without findings).
    pub files_checked: usize,
    /// Whether to colour the output (human formats only).
    pub color: bool,
    /// Findings only: human formats leave out their summary (`--quiet`).
    pub quiet: bool,
}

/// The whole output of `check` in `format`, for every checked file's report (files without
/// findings included, in a stable order).
pub(crate) fn render(format: Format, reports: &[FileReport], options: &RenderOptions) -> String {
    // The summary's count of files, unless quiet.
    let summary = (!options.quiet).then_some(options.files_checked);
    match format {
        Format::Full => full::render(reports, summary, options.color),
        Format::Concise => concise::render(reports, summary),
        Format::Json => json::render(reports),
        Format::Sarif => {
            // Paths are shown relative to the current directory, so that is their base.
            let src_root = std::env::current_dir()
                .ok()
                .and_then(|dir| sarif::directory_uri(&dir));
            sarif::render(reports, src_root.as_deref())
        }
        Format::Github => github::render(reports),
        Format::Gitlab => gitlab::render(reports),
        Format::Checkstyle => checkstyle::render(reports),
        Format::Junit => junit::render(reports),
    }
}

/// One checked file with its findings, ready to render.
pub(crate) struct FileReport {
    /// The path as the user would type it.
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A 1-based line and column (the column counts characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

/// A finding with where it starts and ends.
pub(crate) struct Located<'a> {
    pub diagnostic: &'a Diagnostic,
    pub start: Position,
    /// Where the flagged text stops (the position just after its last character).
    pub end: Position,
}

impl FileReport {
    pub(crate) fn position(&self, index: &LineIndex, offset: u32) -> Position {
        let (line, col) = index.line_col_chars(&self.text, offset);
        Position {
            line: line + 1,
            column: col + 1,
        }
    }

    /// The file's findings with their positions, in the report's order.
    pub(crate) fn located(&self) -> Vec<Located<'_>> {
        if self.diagnostics.is_empty() {
            // Most checked files have no findings: no line index for them.
            return Vec::new();
        }
        let index = LineIndex::new(&self.text);
        self.diagnostics
            .iter()
            .map(|d| Located {
                diagnostic: d,
                start: self.position(&index, d.range.start),
                end: self.position(&index, d.range.end),
            })
            .collect()
    }

    /// The text a finding flags (empty when its range is not on character boundaries).
    pub(crate) fn flagged_text(&self, d: &Diagnostic) -> &str {
        self.text
            .get(d.range.start as usize..d.range.end as usize)
            .unwrap_or("")
    }
}

/// Counts by severity, for summaries.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub style: usize,
    pub fixable: usize,
}

impl Counts {
    pub(crate) fn of(reports: &[FileReport]) -> Counts {
        let mut c = Counts::default();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match d.severity {
                Severity::Error => c.error += 1,
                Severity::Warning => c.warning += 1,
                Severity::Info => c.info += 1,
                Severity::Style => c.style += 1,
            }
            if d.fix.is_some() {
                c.fixable += 1;
            }
        }
        c
    }

    pub(crate) fn total(&self) -> usize {
        self.error + self.warning + self.info + self.style
    }
}

/// Reports every renderer's tests share, from really checking a few files: a Dockerfile and
/// a compose file with findings (some with fixes), a clean Dockerfile, and a path with a
/// space and a comma whose file has a finding after a non-ASCII character on its line.
#[cfg(test)]
pub(crate) fn sample_reports() -> Vec<FileReport> {
    use crate::analysis::{check_compose_with, check_dockerfile_with};
    use crate::config::Config;
    use crate::facts::{ComposeFacts, DockerfileFacts};

    let config = Config::default();
    let dockerfile = |path: &str, text: &str| FileReport {
        path: path.to_owned(),
        text: text.to_owned(),
        diagnostics: check_dockerfile_with(text, &DockerfileFacts::default(), &config),
    };
    let compose = |path: &str, text: &str| FileReport {
        path: path.to_owned(),
        text: text.to_owned(),
        diagnostics: check_compose_with(text, &ComposeFacts::default(), &config),
    };
    vec![
        dockerfile(
            "app/Dockerfile",
            "FROM alpine:3.20\nMAINTAINER Zoë <z@example.com>\nRUNN echo hi\nCOPY only-one\nUSER nobody\nHEALTHCHECK NONE\n",
        ),
        dockerfile(
            "clean/Dockerfile",
            "FROM alpine:3.20\nRUN echo hi\nUSER nobody\nHEALTHCHECK NONE\n",
        ),
        compose(
            "compose.yaml",
            "version: \"3.8\"\nservices:\n  web:\n    image: nginx:latest\n    ports:\n      - 8080:80\n",
        ),
        dockerfile(
            "my dir/a,b.Dockerfile",
            "FROM ubuntu\nRUN echo \"héllo\" && cd /app && make\nUSER nobody\nHEALTHCHECK NONE\n",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::Format;

    #[test]
    fn format_names_and_the_gitlab_alias() {
        let names: Vec<_> = Format::value_variants()
            .iter()
            .map(|f| f.to_possible_value().unwrap().get_name().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "full",
                "concise",
                "json",
                "sarif",
                "github",
                "gitlab",
                "checkstyle",
                "junit"
            ]
        );
        assert_eq!(
            Format::from_str("gitlab_codeclimate", false),
            Ok(Format::Gitlab)
        );
    }
}
