use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `sudo` run as a command in a RUN.
    ///
    /// ## Why is this bad?
    /// A RUN already runs as the stage's `USER`, root unless set otherwise, so `sudo` adds
    /// nothing but a package to install and configure. Where the stage runs as another user,
    /// `sudo` needs a password-less rule that then stays in the image, where anyone who gets
    /// a shell in the container can use it to become root. Switch users with `USER` around
    /// the steps that need root instead. `sudo -u <user>` (running one step as another
    /// user) is reported as a warning: it is deliberate, but `USER` does the same without
    /// sudo in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// USER app
    /// RUN sudo apt-get update
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// USER root
    /// RUN apt-get update
    /// USER app
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the command should run as root, and where the stage goes back to its
    /// user, is for a person to decide.
    ///
    /// ## References
    /// - practices.md §10.1 (non-root user)
    /// - Dockerfile best practices, USER:
    ///   <https://docs.docker.com/build/building/best-practices/#user>
    pub const RUN_SUDO = {
        code: "DF062",
        name: "run-sudo",
        severity: Error,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands_named("sudo") {
            // `sudo -u app cmd` drops privileges for one step: a deliberate pattern that
            // builds, so a warning; `USER app` (or `su`/`setpriv`) does it without sudo.
            let as_other_user = command
                .args
                .iter()
                .take_while(|a| a.text.starts_with('-'))
                .any(|a| {
                    matches!(a.text.as_str(), "-u" | "-g" | "--user" | "--group")
                        || a.text.starts_with("--user=")
                        || a.text.starts_with("-u")
                });
            if as_other_user {
                let mut d = RUN_SUDO.diagnostic(
                    run.word_range(&command.name),
                    "`sudo -u` in a RUN: run these steps under `USER <name>` instead of \
                     keeping sudo in the image",
                );
                d.severity = crate::diagnostics::Severity::Warning;
                out.push(d);
                continue;
            }
            out.push(RUN_SUDO.diagnostic(
                run.word_range(&command.name),
                "`sudo` in a RUN: the RUN already runs as the stage's USER; switch to root with \
                 `USER root` for these steps instead of keeping sudo in the image",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<String> {
        testing::findings("DF062", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn sudo_as_a_command() {
        let src = "FROM debian\nRUN sudo apt-get update && /usr/bin/sudo -u app make\n\
                   RUN [\"sudo\", \"make\"]\nONBUILD RUN x=$(sudo id -u)\n";
        assert_eq!(findings(src), ["sudo", "/usr/bin/sudo", "\"sudo\"", "sudo"]);
    }

    #[test]
    fn running_a_step_as_another_user_is_a_warning() {
        let src = "FROM debian\nRUN sudo -u app make && sudo make install\n";
        let severities: Vec<_> = testing::findings("DF062", src)
            .into_iter()
            .map(|d| d.severity)
            .collect();
        use crate::diagnostics::Severity::{Error, Warning};
        assert_eq!(severities, [Warning, Error]);
    }

    #[test]
    fn sudo_as_a_word_passes() {
        for src in [
            "FROM debian\nRUN apt-get install -y sudo\n",
            "FROM debian\nRUN echo 'app ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/app\n",
            "FROM debian\nRUN usermod -aG sudo app\n",
            "FROM debian\nCMD sudo -E app\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
