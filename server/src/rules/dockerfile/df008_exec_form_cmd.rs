use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::dockerfile::instructions::{is_trigger, walk_stages};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Instruction, ShellCommand};

declare_rule! {
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` written in shell form (`CMD node server.js`) rather than
    /// exec form (`CMD ["node", "server.js"]`). As in BuildKit, a stage that chose its shell
    /// with `SHELL` (itself or through the stage it is built from) is left alone.
    ///
    /// ## Why is this bad?
    /// The shell form runs the command through `/bin/sh -c`, so the shell is the container's
    /// PID 1 and the application its child. `docker stop` sends SIGTERM to the shell, which
    /// does not pass it on: the application gets no chance to shut down cleanly and is killed
    /// after the stop timeout. An `ENTRYPOINT` in shell form also ignores `CMD` and the
    /// arguments given to `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// CMD node src/server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// CMD ["node", "src/server.js"]
    /// ```
    ///
    /// A command that needs a shell (`&&`, pipes, `$VARIABLES`) is better moved into a
    /// script that ends with `exec`, run in exec form.
    ///
    /// ## Fix safety
    /// When every word is plain (no quotes, variables, globs, operators, redirections or
    /// escapes), the fix rewrites the command as a JSON array; a leading `exec` is dropped.
    /// It is unsafe: the process now receives signals itself, and nothing expands
    /// environment variables or sets up the shell's environment any more. Commands that
    /// need a shell get no fix.
    ///
    /// ## References
    /// - practices.md §2.1 (a basic image starts with the exec form)
    /// - Docker build checks, JSONArgsRecommended: <https://docs.docker.com/reference/build-checks/json-args-recommended/>
    pub const EXEC_FORM_CMD = {
        code: "DF008",
        name: "exec-form-cmd",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    // The state: whether the stage has chosen its shell so far (inherited through
    // `FROM <stage>`).
    walk_stages(
        ctx,
        |_| false,
        |parent_set| *parent_set,
        |shell_set, stage, instruction| match instruction.kind() {
            InstructionKind::Shell => *shell_set = true,
            InstructionKind::Cmd | InstructionKind::Entrypoint
                if !*shell_set && ctx.should_check(instruction.range().start) =>
            {
                let has_cmd = stage
                    .instructions
                    .iter()
                    .any(|i| i.kind == InstructionKind::Cmd);
                check_instruction(ctx, out, &instruction, has_cmd);
            }
            _ => {}
        },
    );
    // Triggers run in the images built from this one, whose shell is unknown.
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let is_command = matches!(
            instruction.kind(),
            InstructionKind::Cmd | InstructionKind::Entrypoint
        );
        if is_command && is_trigger(&instruction) {
            check_instruction(ctx, out, &instruction, false);
        }
    }
}

fn check_instruction(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    instruction: &Instruction<'_>,
    stage_has_cmd: bool,
) {
    let Some(shell) = instruction.shell() else {
        return;
    };
    let name = instruction.name();
    let starts_with_exec = shell.words().next().is_some_and(|w| w.text() == "exec");
    let mut message = if starts_with_exec {
        format!(
            "{name} in shell form needs `/bin/sh` in the image only to `exec` the command; \
             the JSON form runs it directly"
        )
    } else {
        format!(
            "{name} in shell form runs through `/bin/sh -c`, so SIGTERM from `docker stop` \
             may reach the shell instead of the application; use the JSON form"
        )
    };
    if instruction.kind() == InstructionKind::Entrypoint {
        message.push_str(if stage_has_cmd {
            " (in shell form, ENTRYPOINT also ignores this stage's CMD and `docker run` arguments)"
        } else {
            " (in shell form, ENTRYPOINT also ignores CMD and `docker run` arguments)"
        });
    }
    let keyword = instruction.keyword().range;
    let range = keyword.cover(shell.range());
    let fix = exec_form(ctx, &shell).map(|json| Fix {
        title: format!("Rewrite as {name} {json}"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: shell.range(),
            new_text: json,
        }],
    });
    out.push(match fix {
        Some(fix) => EXEC_FORM_CMD.diagnostic_with_fix(range, message, fix),
        None => EXEC_FORM_CMD.diagnostic(range, message),
    });
}

/// Shell builtins and keywords: in exec form there is no program of that name to run.
const SHELL_BUILTINS: &[&str] = &[
    ".", ":", "alias", "break", "case", "cd", "continue", "declare", "do", "done", "eval", "exit",
    "export", "fi", "for", "function", "hash", "if", "local", "read", "readonly", "return", "set",
    "shift", "source", "then", "time", "trap", "type", "ulimit", "umask", "unset", "until", "wait",
    "while",
];

/// The command as a JSON array, when the shell would only have split it into words.
fn exec_form(ctx: &DockerfileContext<'_>, shell: &ShellCommand<'_>) -> Option<String> {
    // A comment line inside a continuation would be lost.
    if ctx.text.get(shell.range().as_usize())?.contains('#') {
        return None;
    }
    let words: Vec<_> = shell.words().map(|w| w.text()).collect();
    let mut words = words.iter().map(|w| w.as_ref()).peekable();
    if words.peek() == Some(&"exec") {
        words.next();
    }
    let words: Vec<&str> = words.collect();
    let first = *words.first()?;
    // `NAME=value cmd` sets a variable for the command in a shell.
    if first.contains('=') || SHELL_BUILTINS.contains(&first) {
        return None;
    }
    if !words.iter().all(|w| is_plain(w)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

/// Only characters the shell takes literally, and none that JSON would need to escape.
fn is_plain(word: &str) -> bool {
    !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'+' | b'@' | b'%' | b'^'
                )
        })
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF008", src)
    }

    fn fix_of(src: &str) -> Option<String> {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}: {found:?}");
        found[0].fix.as_ref().map(|f| {
            assert_eq!(f.applicability, Applicability::Unsafe);
            testing::fixed(src, &found[0])
        })
    }

    #[test]
    fn plain_commands_get_the_json_form() {
        assert_eq!(
            fix_of("FROM a\nCMD node src/server.js --port=8080\n").as_deref(),
            Some("FROM a\nCMD [\"node\", \"src/server.js\", \"--port=8080\"]\n")
        );
        assert_eq!(
            fix_of("FROM a\nentrypoint exec \\\n  gunicorn app:app\n").as_deref(),
            Some("FROM a\nentrypoint [\"gunicorn\", \"app:app\"]\n")
        );
    }

    #[test]
    fn commands_that_need_a_shell_are_reported_without_a_fix() {
        for cmd in [
            "npm run migrate && npm start",
            "node app.js | tee log",
            "python -m http.server $PORT",
            "nginx -g 'daemon off;'",
            "echo \"hi\"",
            "run *.sh",
            "app > /tmp/log",
            "NODE_ENV=production node app.js",
            "cd /app",
            "app \\\n  # comment\n  --flag",
            "java ~/app.jar",
        ] {
            let src = format!("FROM a\nCMD {cmd}\n");
            assert_eq!(fix_of(&src), None, "{cmd}");
        }
    }

    #[test]
    fn entrypoint_mentions_the_ignored_cmd() {
        let found = findings("FROM a\nENTRYPOINT app serve\nCMD [\"--port\", \"80\"]\n");
        assert!(found[0].message.contains("ignores this stage's CMD"));
        let found = findings("FROM a\nENTRYPOINT app serve\n");
        assert!(
            found[0]
                .message
                .contains("ignores CMD and `docker run` arguments")
        );
        let found = findings("FROM a\nCMD exec app serve\n");
        assert!(
            found[0].message.contains("only to `exec`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_chosen_shell_exempts_the_stage_and_its_children() {
        let src = "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\n\
                   SHELL [\"powershell\", \"-Command\"]\nCMD Write-Host hi\n\
                   FROM base\nCMD Get-Date\n\
                   FROM alpine\nCMD echo hi\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "CMD echo hi");
        // A SHELL after the CMD does not count.
        assert_eq!(
            findings("FROM a\nCMD x\nSHELL [\"bash\", \"-c\"]\n").len(),
            1
        );
    }

    #[test]
    fn exec_form_and_empty_commands_pass_and_triggers_are_checked() {
        assert!(
            findings("FROM a\nCMD [\"node\", \"app.js\"]\nENTRYPOINT [\"tini\", \"--\"]\n")
                .is_empty()
        );
        assert!(findings("FROM a\nCMD\n").is_empty());
        assert_eq!(findings("FROM a\nONBUILD CMD app\n").len(), 1);
        assert!(findings("FROM a\nRUN echo hi\nHEALTHCHECK CMD curl -f localhost\n").is_empty());
    }
}
