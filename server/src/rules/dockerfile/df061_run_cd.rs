use super::shell_args::{Args, OptionSpec, removes_path};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports `cd /dir` used in a RUN to set the directory the following commands work
    /// in, where a `WORKDIR` would say it once for the whole stage. Only the first such `cd`
    /// of a RUN is reported.
    ///
    /// Not reported, because `WORKDIR` would not do the same: a `cd` inside a subshell,
    /// condition, loop or function (`(cd /src && make)`); into a directory the same RUN
    /// removes afterwards (building from source in `/usr/src/x`, then `rm -rf /usr/src/x`);
    /// into a temporary directory (`/tmp`, `/var/tmp`); to `/` or a home directory (`~`);
    /// into a relative directory (`cd web && npm ci` works in a part of the `WORKDIR` for
    /// one step, which a `WORKDIR` would have to undo); and into a directory whose name is
    /// only known when the build runs (`cd "$(mktemp -d)"`, `cd $SRC`).
    ///
    /// ## Why is this bad?
    /// The directory a `cd` selects ends with the RUN: the next RUN, `COPY`, `CMD` and the
    /// container start from the `WORKDIR` again, which surprises readers (a `RUN cd /app` on
    /// its own does nothing at all). `WORKDIR` states where the stage works, creates the
    /// directory, and applies to every later instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY . /app
    /// RUN cd /app && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// No fix: moving the directory to a `WORKDIR` also changes where later instructions
    /// run.
    ///
    /// ## References
    /// - Dockerfile reference, WORKDIR: <https://docs.docker.com/reference/dockerfile/#workdir>
    /// - Dockerfile best practices, WORKDIR:
    ///   <https://docs.docker.com/build/building/best-practices/#workdir>
    pub const RUN_CD = {
        code: "DF061",
        name: "run-cd",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

const CD: OptionSpec = OptionSpec::NONE;

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        let commands = run.commands();
        for (i, command) in commands.iter().enumerate() {
            if command.depth != 0 || command.base_name() != "cd" {
                continue;
            }
            let Some(target) = workdir_like(command) else {
                continue;
            };
            let later = &commands[i + 1..];
            if later
                .iter()
                .any(|c| c.base_name() == "rm" && removes(c, target))
            {
                continue;
            }
            let range = run.abs(command.range);
            let message = if later.is_empty() {
                format!(
                    "`cd {target}` has no effect: the directory does not carry over to the next \
                     instruction; set it with `WORKDIR {target}`"
                )
            } else {
                format!(
                    "`cd {target}` sets the directory for this RUN only: `WORKDIR {target}` \
                     says it once for the instructions that follow"
                )
            };
            out.push(RUN_CD.diagnostic(range, message));
            break;
        }
    }
}

/// The directory of a `cd` that a `WORKDIR` could stand for.
fn workdir_like(command: &SimpleCommand) -> Option<&str> {
    let args = Args::parse(command, &CD);
    let mut operands = args.operands();
    let target = operands.next()?;
    if operands.next().is_some() || !target.literal {
        return None;
    }
    let dir = target.text.as_str();
    let temporary = ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .any(|t| removes_path(t, dir));
    (dir.starts_with('/') && dir != "/" && !temporary).then_some(dir)
}

/// Whether an `rm` removes `dir` (or a directory above it).
fn removes(rm: &SimpleCommand, dir: &str) -> bool {
    rm.args
        .iter()
        .any(|a| a.literal && !a.text.starts_with('-') && removes_path(&a.text, dir))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, String)> {
        testing::findings("DF061", src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    #[test]
    fn cd_for_the_rest_of_the_run() {
        let src = "FROM node:22\nRUN cd /app && npm ci && cd /app/client && npm ci\nRUN cd /srv\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "cd /app");
        assert!(found[0].1.contains("`WORKDIR /app`"));
        assert_eq!(found[1].0, "cd /srv");
        assert!(found[1].1.contains("has no effect"), "{}", found[1].1);
        // Heredoc scripts, ONBUILD triggers and continuation lines.
        let src = "FROM node:22\nRUN <<EOF\ncd /app\nmake\nEOF\nONBUILD RUN cd /app && make\n\
                   RUN set -e; \\\n    cd /src/web; \\\n    npm ci\n";
        let found: Vec<String> = findings(src).into_iter().map(|f| f.0).collect();
        assert_eq!(found, ["cd /app", "cd /app", "cd /src/web"]);
    }

    #[test]
    fn cd_that_workdir_would_not_replace() {
        for src in [
            "FROM debian\nRUN (cd /app && make)\n",
            "FROM debian\nRUN for d in a b; do cd $d; make; done\n",
            "FROM debian\nRUN if [ -d /x ]; then cd /x; fi\n",
            "FROM debian\nRUN cd /usr/src/nginx && ./configure && make install && cd / && rm -rf /usr/src/nginx\n",
            "FROM debian\nRUN mkdir /build && cd /build/ && cmake .. && rm -rf /build\n",
            "FROM debian\nRUN cd /tmp && curl -O https://x/y.tgz && tar xzf y.tgz\n",
            "FROM debian\nRUN cd \"$(mktemp -d)\" && make\n",
            "FROM debian\nRUN cd $SRC && make\n",
            "FROM debian\nRUN cd / && tar xzf /x.tgz\n",
            "FROM debian\nRUN cd - && make\n",
            "FROM debian\nRUN cd ~ && make\n",
            "FROM node:22\nWORKDIR /app\nRUN cd web && npm ci && npm run build\n",
            "FROM debian\nRUN cd .. && make\n",
            "FROM debian\nRUN echo cd /app\n",
            "FROM debian\nSHELL [\"pwsh\", \"-c\"]\nRUN cd C:\\\\app; dir\n",
        ] {
            assert!(findings(src).is_empty(), "{src}: {:?}", findings(src));
        }
    }
}
