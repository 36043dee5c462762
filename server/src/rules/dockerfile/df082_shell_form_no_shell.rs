use super::images::{ImageFacts, Tool};
use super::stages::{lineage, root_base};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Instruction, ShellCommand};

declare_rule! {
    /// ## What it does
    /// Reports a shell-form `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD` in a stage whose
    /// image has no shell.
    ///
    /// Those are stages built (directly or through earlier stages) on `scratch`, a distroless
    /// image other than its `:debug` tags, or a Chainguard image other than its `-dev` tags.
    /// A stage that brings a
    /// shell in first (a `SHELL` instruction, or a `COPY`/`ADD` into `/`, `/bin` or
    /// `/usr/bin`, as images built from a root filesystem archive do) is not reported.
    ///
    /// ## Why is this bad?
    /// The shell form runs `/bin/sh -c "<command>"`, and these images have no `/bin/sh`. A
    /// `RUN` fails the build; a `CMD` or `ENTRYPOINT` builds fine and the container fails to
    /// start with "executable file not found"; a `HEALTHCHECK` marks the container unhealthy
    /// forever.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/server .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/server /server
    /// CMD /server --port 8080
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/server .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/server /server
    /// CMD ["/server", "--port", "8080"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and offered only when the command is plain words on one line (no variables,
    /// quotes, globs, pipes or redirections): the exec form then runs the same program with
    /// the same arguments, but no longer through a shell.
    ///
    /// ## References
    /// - practices.md §11 (minimal images: scratch and distroless), §7 (health checks)
    /// - Distroless images: <https://github.com/GoogleContainerTools/distroless>
    pub const SHELL_FORM_NO_SHELL = {
        code: "DF082",
        name: "shell-form-no-shell",
        severity: Error,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let stages = &ctx.model.stages;
    // The image each stage is finally built on, when that image has no shell. Most files
    // have none: then nothing else is looked at.
    let shell_less: Vec<Option<String>> = stages
        .iter()
        .map(|stage| {
            let base = root_base(ctx.model, stage.index)?;
            let facts = ImageFacts::of_base(base)?;
            (facts.ships(Tool::Shell) == Some(false)).then(|| base.expanded.text.clone())
        })
        .collect();
    if shell_less.iter().all(Option::is_none) {
        return;
    }
    let instructions: Vec<(usize, Instruction<'_>)> = ctx
        .checked_instructions()
        .filter_map(|i| {
            let stage = ctx.model.stage_at(i.range().start)?;
            shell_less[stage.index]
                .is_some()
                .then_some((stage.index, i))
        })
        .collect();
    // Where each stage first brings in a shell of its own.
    let mut shell_from: Vec<Option<u32>> = vec![None; stages.len()];
    for (stage, instruction) in &instructions {
        if shell_from[*stage].is_none() && provides_shell(ctx, instruction) {
            shell_from[*stage] = Some(instruction.range().start);
        }
    }
    for (stage, instruction) in &instructions {
        let kind = instruction.kind();
        if !matches!(
            kind,
            InstructionKind::Run
                | InstructionKind::Cmd
                | InstructionKind::Entrypoint
                | InstructionKind::Healthcheck
        ) {
            continue;
        }
        let Some(shell) = instruction.shell() else {
            continue;
        };
        let start = instruction.range().start;
        let Some(base) = &shell_less[*stage] else {
            continue;
        };
        let brought_in = shell_from[*stage].is_some_and(|at| at < start)
            || lineage(ctx.model, *stage)
                .skip(1)
                .any(|s| shell_from[s.index].is_some());
        if brought_in {
            continue;
        }
        let keyword = if kind == InstructionKind::Healthcheck {
            "HEALTHCHECK CMD"
        } else {
            kind.name().unwrap_or("RUN")
        };
        let consequence = match kind {
            InstructionKind::Run => "the build fails",
            InstructionKind::Healthcheck => "the check always fails",
            _ => "the container cannot start",
        };
        let message = format!(
            "shell-form `{keyword}` runs `/bin/sh -c`, but this stage is built on `{base}`, \
             which has no shell, so {consequence}: use the exec form (a JSON array)"
        );
        let range = shell.range();
        out.push(match exec_form(ctx, &shell) {
            Some(json) => SHELL_FORM_NO_SHELL.diagnostic_with_fix(
                range,
                message,
                Fix {
                    title: format!("Use the exec form `{json}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range,
                        new_text: json,
                    }],
                },
            ),
            None => SHELL_FORM_NO_SHELL.diagnostic(range, message),
        });
    }
}

/// `SHELL [...]`, or a `COPY`/`ADD` whose destination may put a shell in place.
fn provides_shell(ctx: &DockerfileContext<'_>, instruction: &Instruction<'_>) -> bool {
    match instruction.kind() {
        InstructionKind::Shell => true,
        InstructionKind::Copy | InstructionKind::Add => {
            let Some(dest) = instruction.as_copy().and_then(|c| c.destination()) else {
                return false;
            };
            let expanded = ctx.model.expand(&dest.text, dest.range.start);
            let Some(path) = expanded.exact_text() else {
                // Unknown destination: it might be anywhere.
                return true;
            };
            let path = path.trim_end_matches('/');
            path.is_empty()
                || ["/bin", "/usr/bin", "/usr", "/busybox", "/usr/local/bin"]
                    .iter()
                    .any(|dir| path == *dir || path.starts_with(&format!("{dir}/")))
        }
        _ => false,
    }
}

/// The exec form of a one-line shell command made of plain words.
fn exec_form(ctx: &DockerfileContext<'_>, shell: &ShellCommand<'_>) -> Option<String> {
    let text = shell.text();
    if ctx.text.get(shell.range().as_usize()) != Some(text.as_ref()) {
        return None;
    }
    let special =
        |c: char| c.is_control() || c == ctx.parse.escape || "$`\\\"'|&;<>()*?[]#~{}!".contains(c);
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.first()?;
    if first.contains('=') || words.iter().any(|w| w.contains(special)) {
        return None;
    }
    let strings: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    Some(format!("[{}]", strings.join(", ")))
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF082", src)
    }

    fn flagged(src: &str) -> Vec<String> {
        findings(src)
            .iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    /// practices.md §11.3: exec form on scratch is fine.
    #[test]
    fn guide_minimal_images() {
        let src = "# Alpine\nFROM node:20-alpine\n\n# distroless\nFROM gcr.io/distroless/nodejs20-debian12\n\n\
                   # Scratch\nFROM scratch\nCOPY --from=builder /app/dist /app\nCMD [\"/app/server\"]\n";
        assert!(findings(src).is_empty());
    }

    #[test]
    fn shell_forms_on_shell_less_bases() {
        let src = "FROM scratch\nRUN echo hi\nCMD /app/server --port 8080\n\
                   HEALTHCHECK --interval=5s CMD /app/health\nENTRYPOINT exec /app/server \"$@\"\n";
        assert_eq!(
            flagged(src),
            [
                "echo hi",
                "/app/server --port 8080",
                "/app/health",
                "exec /app/server \"$@\""
            ]
        );
        let found = findings(src);
        assert_eq!(
            found[1].fix.as_ref().unwrap().edits[0].new_text,
            "[\"/app/server\", \"--port\", \"8080\"]"
        );
        assert_eq!(
            found[2].fix.as_ref().unwrap().edits[0].new_text,
            "[\"/app/health\"]"
        );
        assert!(found[3].fix.is_none());
        assert!(found[0].message.contains("the build fails"));
        assert!(found[1].message.contains("`scratch`"));
    }

    #[test]
    fn distroless_chainguard_and_parents() {
        let src = "FROM gcr.io/distroless/static-debian12 AS base\nFROM base\nCMD /server\n";
        assert_eq!(flagged(src), ["/server"]);
        let src = "FROM cgr.dev/chainguard/python:latest\nENTRYPOINT python app.py\n";
        assert_eq!(flagged(src), ["python app.py"]);
        // Fixed, the finding goes away.
        let src = "FROM scratch\nCMD /server\n";
        let out = testing::fixed(src, &findings(src)[0]);
        assert_eq!(out, "FROM scratch\nCMD [\"/server\"]\n");
        assert!(findings(&out).is_empty());
    }

    #[test]
    fn shells_brought_in_and_other_bases_pass() {
        for src in [
            "FROM gcr.io/distroless/base:debug\nRUN echo hi\n",
            "FROM cgr.dev/chainguard/node:latest-dev\nRUN echo hi\n",
            "FROM scratch\nADD alpine-minirootfs.tar.gz /\nCMD /bin/sh\n",
            "FROM scratch\nCOPY --from=busybox:1.36 /bin/busybox /bin/sh\nRUN echo hi\n",
            "FROM gcr.io/distroless/base:debug AS d\nFROM scratch\nSHELL [\"/busybox/sh\", \"-c\"]\nRUN echo\n",
            "FROM scratch AS root\nADD rootfs.tar /\nFROM root\nRUN echo hi\n",
            "FROM alpine\nRUN echo hi\nCMD /app\n",
            "FROM mycompany/base:1\nCMD /app\n",
            "ARG BASE\nFROM $BASE\nCMD /app\n",
            "FROM scratch\nONBUILD RUN echo later\nHEALTHCHECK NONE\n",
        ] {
            assert!(findings(src).is_empty(), "{src}: {:?}", flagged(src));
        }
    }

    #[test]
    fn no_fix_for_multi_line_or_special_commands() {
        let src =
            "FROM scratch\nCMD /a \\\n  --b\nRUN <<EOF\necho\nEOF\nCMD A=1 /a\nCMD /a *.txt\n";
        let found = findings(src);
        assert_eq!(found.len(), 4);
        assert!(found.iter().all(|d| d.fix.is_none()));
    }
}
