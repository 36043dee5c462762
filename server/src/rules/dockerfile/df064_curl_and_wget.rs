use super::shell_args::{Arg, Args, OptionSpec};
use super::shell_images::{ImageFamily, stage_family};
use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports a stage that downloads with both `curl` and `wget`, and `wget` left to fill
    /// the build log with progress lines.
    ///
    /// - a stage that uses both `curl` and `wget` (warning), once per stage, on the first
    ///   use of the tool that came second;
    /// - `wget` without `-q`, `-nv`, `--progress=...` or a log file (`-o`, `-a`) (info).
    ///
    /// `ONBUILD` triggers count for the second check only: they run in other images. The
    /// second check leaves Alpine and busybox stages alone: their busybox `wget` draws one
    /// progress meter instead of GNU wget's lines of dots (and has no `--progress`).
    ///
    /// ## Why is this bad?
    /// Each tool is a package to install, update and scan; one of them does every download
    /// a Dockerfile needs, and using one keeps the flags and error handling consistent.
    /// Without one of those options, `wget` writes a progress line every few kilobytes,
    /// which fills build logs (CI output, `docker build --progress=plain`) with thousands
    /// of lines.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSLO https://example.com/tool.tar.gz
    /// RUN wget https://example.com/tool.tar.gz.sha256
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSLO https://example.com/tool.tar.gz
    /// RUN curl -fsSLO https://example.com/tool.tar.gz.sha256
    /// ```
    ///
    /// ## Fix safety
    /// No fix.
    ///
    /// ## References
    /// - Dockerfile best practices: <https://docs.docker.com/build/building/best-practices/>
    pub const CURL_AND_WGET = {
        code: "DF064",
        name: "curl-and-wget",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

/// wget's short options that take a value (`-nv` is `-n` with `v`).
const WGET: OptionSpec = OptionSpec {
    short_values: "oaeiBtOTwQPUlARDXIYn",
    long_values: &[
        "output-file",
        "append-output",
        "output-document",
        "directory-prefix",
        "user-agent",
        "tries",
        "timeout",
        "header",
    ],
};

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    both_tools(ctx, ctx.checked_runs(), out);
    for run in ctx.checked_runs() {
        let busybox = run.stage.is_some_and(|stage| {
            matches!(
                stage_family(ctx.model, stage),
                ImageFamily::Alpine | ImageFamily::Busybox
            )
        });
        if busybox {
            continue;
        }
        for command in run.commands_named("wget") {
            if !quiet(command) {
                let mut diagnostic = CURL_AND_WGET.diagnostic(
                    run.word_range(&command.name),
                    "`wget` writes a progress line every few kilobytes into the build log: add \
                     `-q` or `-nv` (GNU wget also takes `--progress=dot:giga`)",
                );
                diagnostic.severity = Severity::Info;
                out.push(diagnostic);
            }
        }
    }
}

/// One finding per stage that runs both tools.
fn both_tools<'r>(
    ctx: &DockerfileContext<'_>,
    runs: impl Iterator<Item = &'r RunScript>,
    out: &mut Vec<Diagnostic>,
) {
    let mut stage = None;
    // The first use of each tool in the current stage: (run, command).
    let mut first: [Option<(&RunScript, &SimpleCommand)>; 2] = [None, None];
    let mut reported = false;
    // Checked segments are whole stages, so each stage's RUNs come together.
    for run in runs.filter(|r| !r.in_onbuild) {
        if run.stage != stage {
            stage = run.stage;
            first = [None, None];
            reported = false;
        }
        for command in run.commands() {
            let tool = match command.base_name() {
                "curl" => 0,
                "wget" => 1,
                _ => continue,
            };
            if first[tool].is_some() {
                continue;
            }
            first[tool] = Some((run, command));
            if let (false, Some((other_run, other))) = (reported, first[1 - tool]) {
                reported = true;
                let line = ctx.line_number(other_run.word_range(&other.name).start);
                out.push(CURL_AND_WGET.diagnostic(
                    run.word_range(&command.name),
                    format!(
                        "this stage downloads with both `{}` (line {line}) and `{}`: one tool \
                         is enough, and one less to install",
                        other.base_name(),
                        command.base_name()
                    ),
                ));
            }
        }
    }
}

/// `-q`, `--quiet`, `-nv`, `--no-verbose`, `--progress=...`, or a log file.
fn quiet(command: &SimpleCommand) -> bool {
    let args = Args::parse(command, &WGET);
    args.items.iter().any(|a| match a {
        Arg::Short { flag, value, .. } => {
            matches!(flag, 'q' | 'o' | 'a') || (*flag == 'n' && *value == Some("v"))
        }
        Arg::Long { name, .. } => matches!(
            *name,
            "quiet" | "no-verbose" | "progress" | "output-file" | "append-output"
        ),
        Arg::Operand(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Severity;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, Severity, String)> {
        testing::findings("DF064", src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.severity, d.message))
            .collect()
    }

    #[test]
    fn both_tools_once_per_stage() {
        let src = "FROM debian AS a\nRUN curl -fsSLO https://x/a\nRUN wget -q https://x/b && wget -q https://x/c\n\
                   RUN curl -fsSLO https://x/d\nFROM debian\nRUN wget -q https://x/e\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "wget");
        assert_eq!(found[0].1, Severity::Warning);
        assert!(found[0].2.contains("`curl` (line 2)"), "{}", found[0].2);
    }

    #[test]
    fn noisy_wget() {
        let src = "FROM debian\nRUN wget https://x/a && wget -nv https://x/b && wget -qO- https://x/c \\\n  && wget --progress=dot:giga https://x/d && wget -O /x -o /log https://x/e\n\
                   ONBUILD RUN wget https://x/f\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.1 == Severity::Info));
        assert!(findings("FROM debian\nRUN wget -nc https://x/a\n").len() == 1);
        // busybox wget draws a single meter.
        assert!(findings("FROM node:22-alpine AS a\nFROM a\nRUN wget https://x/a\n").is_empty());
    }

    #[test]
    fn one_tool_or_words_pass() {
        for src in [
            "FROM debian\nRUN curl -fsSL https://x | sh && curl -O https://y\n",
            "FROM debian\nRUN apt-get install -y curl wget\n",
            "FROM debian\nRUN curl -fsSLO https://x/a\nONBUILD RUN wget -q https://x/b\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
