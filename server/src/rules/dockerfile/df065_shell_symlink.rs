use super::shell_args::{Args, OptionSpec};
use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ln` replacing `/bin/sh` (`ln -sf /bin/bash /bin/sh`) to change the shell
    /// RUN instructions use.
    ///
    /// ## Why is this bad?
    /// The link changes the shell of everything in the image that runs `/bin/sh`: system
    /// scripts, package maintainer scripts and the application's own `sh -c` calls, which
    /// were written for the distribution's shell. The `SHELL` instruction changes the shell
    /// of the Dockerfile's own instructions only, and says so where readers look for it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether anything in the image relied on the new `/bin/sh` is for a person to
    /// check.
    ///
    /// ## References
    /// - Dockerfile reference, SHELL: <https://docs.docker.com/reference/dockerfile/#shell>
    pub const SHELL_SYMLINK = {
        code: "DF065",
        name: "shell-symlink",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

const LN: OptionSpec = OptionSpec {
    short_values: "St",
    long_values: &["suffix", "target-directory"],
};

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands_named("ln") {
            let args = Args::parse(command, &LN);
            let operands: Vec<_> = args.operands().collect();
            // The link is the last operand (`ln target link`); with `-t dir` all operands are
            // targets.
            if operands.len() < 2 || args.value_of(Some('t'), "target-directory").is_some() {
                continue;
            }
            let Some(link) = operands.last() else {
                continue;
            };
            if !matches!(link.text.as_str(), "/bin/sh" | "/usr/bin/sh") {
                continue;
            }
            out.push(SHELL_SYMLINK.diagnostic(
                run.word_range(link),
                format!(
                    "replacing `{}` changes the shell of every script in the image: use a SHELL \
                     instruction to change the shell of RUN",
                    link.text
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<String> {
        testing::findings("DF065", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn links_over_bin_sh() {
        let src = "FROM debian\nRUN ln -sf /bin/bash /bin/sh && ln -s -f bash /usr/bin/sh\n\
                   RUN ln -fs --backup /bin/dash \"/bin/sh\"\n";
        assert_eq!(findings(src), ["/bin/sh", "/usr/bin/sh", "\"/bin/sh\""]);
    }

    #[test]
    fn other_links_pass() {
        for src in [
            "FROM debian\nRUN ln -s /bin/sh /usr/local/bin/sh\n",
            "FROM debian\nRUN ln -s /usr/bin/python3 /usr/bin/python\n",
            "FROM debian\nRUN ln -s -t /bin /bin/sh\n",
            "FROM debian\nRUN ls -l /bin/sh\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
