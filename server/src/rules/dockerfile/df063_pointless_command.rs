use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports commands that have no use while building an image: `ssh`, `vim`, `shutdown`,
    /// `service`, `ps`, `free`, `top`, `kill`, `mount` and `ifconfig` run in a RUN.
    /// Installing them (`apt-get install vim`) is not running them and is not reported.
    ///
    /// ## Why is this bad?
    /// A RUN starts from a fresh process with nothing else running and ends with its last
    /// command: there is no service to start or stop, no process to watch or kill, no one to
    /// type in an editor, and nothing it mounts or configures on the network outlives it.
    /// Such a command either does nothing useful or shows a step that belongs in the
    /// container's start-up (`CMD`, `ENTRYPOINT`) rather than in the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix.
    ///
    /// ## References
    /// - Dockerfile best practices: <https://docs.docker.com/build/building/best-practices/>
    pub const POINTLESS_COMMAND = {
        code: "DF063",
        name: "pointless-command",
        severity: Info,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

const POINTLESS: &[&str] = &[
    "free", "ifconfig", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands() {
            let name = command.base_name();
            if !POINTLESS.contains(&name) {
                continue;
            }
            out.push(POINTLESS_COMMAND.diagnostic(
                run.word_range(&command.name),
                format!(
                    "`{name}` has nothing to act on during a build: a RUN starts with no other \
                     process, no one at a terminal, and nothing it starts outlives it"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<String> {
        testing::findings("DF063", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn pointless_commands() {
        let src = "FROM debian\nRUN service nginx start && ps aux | grep nginx\n\
                   RUN <<EOF\nvim -c wq /etc/x\n/sbin/shutdown -h now\nEOF\n";
        assert_eq!(findings(src), ["service", "ps", "vim", "/sbin/shutdown"]);
    }

    #[test]
    fn installing_or_naming_them_passes() {
        for src in [
            "FROM debian\nRUN apt-get install -y vim procps openssh-client\n",
            "FROM debian\nRUN ssh-keyscan github.com >> /root/.ssh/known_hosts\n",
            "FROM debian\nRUN command -v ps && echo kill\n",
            "FROM debian\nCMD service nginx start\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
