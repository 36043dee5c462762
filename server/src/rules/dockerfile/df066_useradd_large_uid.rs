use super::run_edits::insert_after;
use super::shell_args::{Args, OptionSpec};
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `useradd -u <uid>` (or `--uid`) with a UID of more than five digits and
    /// without `-l` (`--no-log-init`).
    ///
    /// ## Why is this bad?
    /// `useradd` reserves the user's entry in `/var/log/lastlog` and `/var/log/faillog`,
    /// files indexed by UID. They are sparse on disk, but image layers do not keep sparse
    /// files: a UID such as 1000000 turns them into hundreds of megabytes of zeros in the
    /// layer. `-l` skips those files, which a container has no use for.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -u 1000001 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -l -u 1000001 app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `-l` only leaves the user out of the login records.
    ///
    /// ## References
    /// - practices.md §10.1 (a user with a fixed UID)
    /// - Dockerfile best practices, USER:
    ///   <https://docs.docker.com/build/building/best-practices/#user>
    pub const USERADD_LARGE_UID = {
        code: "DF066",
        name: "useradd-large-uid",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// useradd's short options that take a value.
const USERADD: OptionSpec = OptionSpec {
    short_values: "bcdefgGkKpsuRPZ",
    long_values: &[
        "base-dir",
        "comment",
        "home-dir",
        "expiredate",
        "inactive",
        "gid",
        "groups",
        "skel",
        "key",
        "password",
        "shell",
        "uid",
        "root",
        "prefix",
        "selinux-user",
        "selinux-range",
        "btrfs-subvolume-home",
    ],
};

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        for command in run.commands_named("useradd") {
            let args = Args::parse(command, &USERADD);
            if args.has_short('l') || args.has_long("no-log-init") {
                continue;
            }
            let Some(uid) = args
                .values_of(Some('u'), "uid")
                .find(|uid| uid.len() > 5 && uid.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let fix = insert_after(run, &command.name, " -l").map(|edit| Fix {
                title: "Add `-l`".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
            let range = run.abs(command.range);
            let message = format!(
                "`useradd` with UID {uid} and without `-l` fills the layer with a lastlog file \
                 sized for that UID: add `-l`"
            );
            out.push(match fix {
                Some(fix) => USERADD_LARGE_UID.diagnostic_with_fix(range, message, fix),
                None => USERADD_LARGE_UID.diagnostic(range, message),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, bool)> {
        testing::findings("DF066", src)
            .into_iter()
            .map(|d| (src[d.range.as_usize()].to_owned(), d.fix.is_some()))
            .collect()
    }

    #[test]
    fn large_uids_without_l() {
        let src = "FROM debian\nRUN useradd -u 1000001 app && useradd --uid=2000000 -m b \\\n    && useradd -mu123456 c\n\
                   RUN [\"useradd\", \"-u\", \"999999\", \"d\"]\n";
        assert_eq!(
            findings(src),
            [
                ("useradd -u 1000001 app".to_owned(), true),
                ("useradd --uid=2000000 -m b".to_owned(), true),
                ("useradd -mu123456 c".to_owned(), true),
                ("\"useradd\", \"-u\", \"999999\", \"d\"".to_owned(), false),
            ]
        );
    }

    #[test]
    fn small_uids_and_l_pass() {
        for src in [
            "FROM debian\nRUN useradd -u 10001 app\n",
            "FROM debian\nRUN useradd -l -u 1000001 app\n",
            "FROM debian\nRUN useradd -ml -u 1000001 app\n",
            "FROM debian\nRUN useradd --no-log-init --uid 1000001 app\n",
            "FROM debian\nRUN useradd -u $UID app\n",
            "FROM debian\nRUN useradd -c 1234567 app\n",
            "FROM alpine\nRUN adduser -D -u 1000001 app\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
