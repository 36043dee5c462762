use super::shell_args::{Args, OptionSpec};
use super::shell_images::{ImageFamily, stage_family};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{RunForm, RunScript};
use crate::syntax::TextRange;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports a RUN with a pipe (`a | b`) whose shell does not run with `-o pipefail`: the
    /// stage's `SHELL` lacks it, and the RUN does not `set -o pipefail` before the pipe.
    ///
    /// Not reported: pipes fed only by `echo`, `printf` or `yes` (they cannot fail in a way
    /// that matters, and `yes` is always killed by the end of the pipe, which `pipefail`
    /// would turn into a failure); RUNs in a PowerShell or cmd stage; `ONBUILD` triggers,
    /// whose shell is the one of the image built from this one.
    ///
    /// ## Why is this bad?
    /// A pipeline's status is the status of its last command. In
    /// `RUN curl -fsSL https://example.com/install.sh | sh`, a failed download hands `sh` an
    /// empty script, `sh` succeeds, and the build goes on without what it was meant to
    /// install. With `pipefail`, the failure stops the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix inserts a `SHELL` instruction before the RUN, which changes the shell
    /// of every later RUN of the stage (and of stages built from it): `bash` reads some
    /// commands differently from `/bin/sh` (`echo` and escapes, for one), and `pipefail` makes
    /// failures that were ignored fail the build. It uses `/bin/bash` on images known to
    /// have it, and busybox's `/bin/ash` (which supports `pipefail`) on Alpine and busybox;
    /// on an image of unknown family it still offers bash. No fix when the stage already
    /// sets a `SHELL` (add `-o pipefail` to it), for an exec-form RUN, or on images without
    /// a shell.
    ///
    /// ## References
    /// - Dockerfile best practices, using pipes:
    ///   <https://docs.docker.com/build/building/best-practices/#using-pipes>
    pub const SHELL_PIPEFAIL = {
        code: "DF060",
        name: "shell-pipefail",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

const SET: OptionSpec = OptionSpec {
    short_values: "o",
    long_values: &[],
};

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        if run.in_onbuild || !run.shell.posix || run.script.pipes.is_empty() {
            continue;
        }
        // An exec-form `["sh", "-c", "..."]` does not go through SHELL.
        if run.shell.pipefail && run.form != RunForm::Exec {
            continue;
        }
        let commands = run.commands();
        let pipefail_from = commands
            .iter()
            .filter(|c| c.depth == 0 && sets_pipefail(c))
            .map(|c| c.range.end)
            .min();
        let Some(pipe) = run.script.pipes.iter().find(|pipe| {
            pipefail_from.is_none_or(|from| pipe.start < from) && !harmless_pipe(commands, **pipe)
        }) else {
            continue;
        };
        let range = run.abs(*pipe);
        let message = "this pipeline's status is its last command's, so a failure before the \
                       `|` goes unnoticed: run the shell with `-o pipefail`"
            .to_owned();
        out.push(match shell_fix(ctx, run) {
            Some(fix) => SHELL_PIPEFAIL.diagnostic_with_fix(range, message, fix),
            None => SHELL_PIPEFAIL.diagnostic(range, message),
        });
    }
}

/// `set -o pipefail`, `set -euo pipefail`, `set -eopipefail`.
fn sets_pipefail(command: &SimpleCommand) -> bool {
    command.base_name() == "set"
        && Args::parse(command, &SET)
            .values_of(Some('o'), "")
            .any(|v| v == "pipefail")
}

/// Whether every command feeding the pipe's pipeline is `echo`, `printf` or `yes`.
fn harmless_pipe(commands: &[SimpleCommand], pipe: TextRange) -> bool {
    // The pipeline is the one whose commands sit on both sides of the pipe.
    let Some(pipeline) = commands
        .iter()
        .find(|c| c.pipeline.is_some() && c.range.start >= pipe.end)
        .and_then(|c| c.pipeline)
    else {
        return false;
    };
    let members: Vec<&SimpleCommand> = commands
        .iter()
        .filter(|c| c.pipeline == Some(pipeline))
        .collect();
    let Some((_, producers)) = members.split_last() else {
        return false;
    };
    // A pipeline element that is not a simple command (`{ a; b; } | c`) has no member
    // before the pipe.
    let fed = producers.iter().any(|c| c.range.end <= pipe.start);
    fed && producers
        .iter()
        .all(|c| matches!(c.base_name(), "echo" | "printf" | "yes"))
}

/// A `SHELL` instruction with `-o pipefail` inserted before the RUN.
fn shell_fix(ctx: &DockerfileContext<'_>, run: &RunScript) -> Option<Fix> {
    if run.form == RunForm::Exec || run.shell.set_by.is_some() {
        return None;
    }
    let family = stage_family(ctx.model, run.stage?);
    let program = match family {
        ImageFamily::Alpine | ImageFamily::Busybox => "/bin/ash",
        ImageFamily::NoShell | ImageFamily::Scratch => return None,
        ImageFamily::Debian | ImageFamily::RedHat | ImageFamily::Suse | ImageFamily::Unknown => {
            "/bin/bash"
        }
    };
    let title = match family.has_bash() {
        None => format!("Run RUNs with `{program} -o pipefail` (if the image has bash)"),
        _ => format!("Run RUNs with `{program} -o pipefail`"),
    };
    let at = ctx.line_start(run.instruction.start);
    Some(Fix {
        title,
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::empty(at),
            new_text: format!(
                "SHELL [\"{program}\", \"-o\", \"pipefail\", \"-c\"]{}",
                ctx.line_ending()
            ),
        }],
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, Option<String>)> {
        testing::findings("DF060", src)
            .into_iter()
            .map(|d| {
                let fix = d.fix.as_ref().map(|f| {
                    assert_eq!(f.applicability, Applicability::Unsafe);
                    testing::fixed(src, &d)
                });
                (src[d.range.as_usize()].to_owned(), fix)
            })
            .collect()
    }

    #[test]
    fn pipes_without_pipefail_with_a_shell_per_family() {
        let src = "FROM debian:bookworm\nRUN curl -fsSL https://x | sh\n";
        assert_eq!(
            findings(src),
            [(
                "|".to_owned(),
                Some(
                    "FROM debian:bookworm\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | sh\n"
                        .to_owned()
                )
            )]
        );
        let src = "FROM node:22-alpine\r\n  RUN wget -qO- https://x | tar xz\r\n";
        assert_eq!(
            findings(src)[0].1.as_deref(),
            Some(
                "FROM node:22-alpine\r\nSHELL [\"/bin/ash\", \"-o\", \"pipefail\", \"-c\"]\r\n  RUN wget -qO- https://x | tar xz\r\n"
            )
        );
        // Unknown images get bash too; a stage already set to another shell gets no fix.
        let src =
            "FROM acme/base:1\nRUN a | b\nFROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\n";
        let found = findings(src);
        assert!(found[0].1.is_some() && found[1].1.is_none());
    }

    #[test]
    fn pipefail_set_or_pipes_harmless() {
        for src in [
            "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\n",
            "FROM debian\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b\n",
            "FROM debian AS a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM a\nRUN a | b\n",
            "FROM debian\nRUN set -euo pipefail; curl x | sh\n",
            "FROM debian\nRUN set -o pipefail && curl x | sh\n",
            "FROM debian\nRUN <<EOF\nset -eux -o pipefail\ncurl x | sh\nEOF\n",
            "FROM debian\nRUN echo 'deb http://x y main' | tee /etc/apt/sources.list.d/x.list\n",
            "FROM debian\nRUN yes | apt-get install x\n",
            "FROM debian\nRUN a || b\n",
            "FROM debian\nRUN echo \"a | b\"\n",
            "FROM debian\nONBUILD RUN a | b\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir | findstr x\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn pipefail_after_the_pipe_does_not_count() {
        let src = "FROM debian\nRUN a | b && set -o pipefail && c | d\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let second = "FROM debian\nRUN echo x | tee y && curl z | sh\n";
        let at = check_dockerfile(second)
            .into_iter()
            .find(|d| d.code == "DF060")
            .unwrap()
            .range
            .start as usize;
        assert_eq!(&second[at - 7..at], "curl z ");
    }

    #[test]
    fn exec_form_scripts_ignore_shell() {
        let src = "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN [\"sh\", \"-c\", \"curl x | sh\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.is_none());
    }
}
