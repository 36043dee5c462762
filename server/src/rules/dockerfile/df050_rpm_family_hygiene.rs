use super::package_managers::{YUM, ZYPPER};
use super::run_edits::{append_command, insert_after};
use super::shell_args::{Args, is_rm_of, path_within};
use super::shell_images::{ToolConfig, shipping_stages};
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::TextRange;
use crate::syntax::shell::{ShellWord, SimpleCommand};

declare_rule! {
    /// ## What it does
    /// Reports yum, dnf, microdnf and zypper usage that breaks builds or bloats images.
    ///
    /// - `yum`/`dnf install` (or `remove`, `upgrade` ...) without `-y`, and `zypper install`
    ///   (or `remove`, `update` ...) without `-y`/`--non-interactive`;
    /// - an install in a RUN that does not end with `yum clean all` / `dnf clean all` /
    ///   `microdnf clean all` / `zypper clean` (or remove the cache directory, or mount a
    ///   cache on it);
    /// - `zypper dist-upgrade` (`dup`).
    ///
    /// `microdnf` is not asked for `-y`: it does not prompt. The clean-up is only checked in
    /// stages whose layers ship (the final stage, other `--target`s and the stages they are
    /// built from), and in `ONBUILD` triggers.
    ///
    /// ## Why is this bad?
    /// Without `-y` the tool asks for confirmation, a build cannot answer, and the install
    /// aborts. The metadata and package caches left behind weigh tens of megabytes, and
    /// cleaning them in a later RUN does not shrink the image. `dist-upgrade` moves the image
    /// to whatever the repositories hold on the day of the build; a newer base image does the
    /// same reproducibly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM rockylinux:9
    /// RUN dnf install httpd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM rockylinux:9
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix safety
    /// Safe: inserting `-y`, and appending the clean-up at the end of the RUN. No fix for
    /// `dist-upgrade`.
    ///
    /// ## References
    /// - Dockerfile best practices: <https://docs.docker.com/build/building/best-practices/>
    pub const RPM_FAMILY_HYGIENE = {
        code: "DF050",
        name: "rpm-family-hygiene",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// yum/dnf subcommands that ask for confirmation.
const DNF_CONFIRMING: &[&str] = &[
    "install",
    "groupinstall",
    "localinstall",
    "reinstall",
    "remove",
    "erase",
    "update",
    "upgrade",
    "downgrade",
    "distro-sync",
    "autoremove",
    "group",
    "module",
    "swap",
];

/// yum/dnf subcommands that download packages (and fill the caches).
const DNF_DOWNLOADING: &[&str] = &[
    "install",
    "groupinstall",
    "localinstall",
    "reinstall",
    "update",
    "upgrade",
    "distro-sync",
];

const ZYPPER_CONFIRMING: &[&str] = &[
    "install",
    "in",
    "remove",
    "rm",
    "source-install",
    "si",
    "patch",
    "update",
    "up",
    "dist-upgrade",
    "dup",
];

const ZYPPER_DOWNLOADING: &[&str] = &[
    "install",
    "in",
    "patch",
    "update",
    "up",
    "dist-upgrade",
    "dup",
    "source-install",
    "si",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let shipping = shipping_stages(ctx.model);
    // Looked up on first need only.
    let mut assume_yes: Option<[ToolConfig; 2]> = None;
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        let commands = run.commands();
        let ships = run.in_onbuild || shipping.contains(run.stage);
        let mut clean_reported = false;
        for (i, command) in commands.iter().enumerate() {
            let tool = command.base_name();
            let zypper = tool == "zypper";
            if !(zypper || matches!(tool, "yum" | "dnf" | "microdnf")) {
                continue;
            }
            let args = Args::parse(command, if zypper { &ZYPPER } else { &YUM });
            let Some(subcommand) = args.subcommand() else {
                continue;
            };
            let sub = subcommand.text.as_str();
            let range = run
                .word_range(&command.name)
                .cover(run.word_range(subcommand));
            let shown = format!("{tool} {sub}");

            let (confirming, downloading) = if zypper {
                (ZYPPER_CONFIRMING, ZYPPER_DOWNLOADING)
            } else {
                (DNF_CONFIRMING, DNF_DOWNLOADING)
            };
            let answers = if zypper {
                args.has_short('y')
                    || args.has_short('n')
                    || args.has_long("no-confirm")
                    || args.has_long("non-interactive")
            } else {
                args.has_short('y')
                    || args.has_long("assumeyes")
                    || args.values_of(None, "setopt").any(|v| {
                        v.to_ascii_lowercase().starts_with("assumeyes=1")
                            || v.to_ascii_lowercase().starts_with("assumeyes=true")
                    })
            };
            if tool != "microdnf"
                && confirming.contains(&sub)
                && !answers
                && !stdin_piped(commands, command)
                && (zypper
                    || !assume_yes
                        .get_or_insert_with(|| {
                            [
                                ToolConfig::new(ctx, "assumeyes=", "/etc/dnf"),
                                ToolConfig::new(ctx, "assumeyes=", "/etc/yum"),
                            ]
                        })
                        .iter()
                        .any(|c| c.applies_to(ctx, run)))
            {
                let fix = insert_after(run, subcommand, " -y").map(|edit| Fix {
                    title: "Add `-y`".to_owned(),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
                let message = format!(
                    "`{shown}` asks for confirmation, which a build cannot give, so it aborts: \
                     add `-y`"
                );
                push(out, range, message, fix);
            }
            if zypper && matches!(sub, "dist-upgrade" | "dup") {
                push(
                    out,
                    range,
                    format!(
                        "`{shown}` upgrades the whole distribution to whatever the repositories \
                         hold on the day of the build: use a newer base image instead"
                    ),
                    None,
                );
            }
            if ships
                && !clean_reported
                && downloading.contains(&sub)
                && !cleaned(run, &commands[i + 1..], zypper)
            {
                clean_reported = true;
                let clean = if zypper {
                    "zypper clean --all".to_owned()
                } else {
                    format!("{tool} clean all")
                };
                let fix = append_command(ctx, run, &clean).map(|edit| Fix {
                    title: format!("Append `{clean}`"),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
                let message = format!(
                    "`{shown}` leaves its package caches in this layer: end the RUN with \
                     `{clean}`"
                );
                push(out, range, message, fix);
            }
        }
    }
}

fn push(out: &mut Vec<Diagnostic>, range: TextRange, message: String, fix: Option<Fix>) {
    out.push(match fix {
        Some(fix) => RPM_FAMILY_HYGIENE.diagnostic_with_fix(range, message, fix),
        None => RPM_FAMILY_HYGIENE.diagnostic(range, message),
    });
}

/// Whether the caches are cleaned later in the RUN, or never written to the layer.
fn cleaned(run: &RunScript, later: &[SimpleCommand], zypper: bool) -> bool {
    let caches: &[&str] = if zypper {
        &["/var/cache/zypp"]
    } else {
        &["/var/cache/dnf", "/var/cache/yum"]
    };
    let mounted = run
        .cache_mounts
        .iter()
        .any(|m| caches.iter().any(|cache| path_within(cache, m)));
    mounted
        || later.iter().any(|c| {
            caches.iter().any(|cache| is_rm_of(c, cache))
                || match c.base_name() {
                    "zypper" if zypper => first_operand_is(c, &["clean", "cc"]),
                    "yum" | "dnf" | "microdnf" if !zypper => {
                        first_operand_is(c, &["clean"]) && c.args.iter().any(|a| a.text == "all")
                    }
                    _ => false,
                }
        })
}

fn first_operand_is(command: &SimpleCommand, names: &[&str]) -> bool {
    let spec = if command.base_name() == "zypper" {
        &ZYPPER
    } else {
        &YUM
    };
    Args::parse(command, spec)
        .subcommand()
        .is_some_and(|s: &ShellWord| names.contains(&s.text.as_str()))
}

/// Whether another command feeds the command's standard input (`yes | yum install x`).
fn stdin_piped(commands: &[SimpleCommand], command: &SimpleCommand) -> bool {
    command.pipeline.is_some_and(|pipeline| {
        commands
            .iter()
            .any(|c| c.pipeline == Some(pipeline) && c.range.start < command.range.start)
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, Option<(Applicability, String)>)> {
        testing::findings("DF050", src)
            .into_iter()
            .map(|d| {
                let fix = d
                    .fix
                    .map(|f| (f.applicability, f.edits[0].new_text.clone()));
                (src[d.range.as_usize()].to_owned(), fix)
            })
            .collect()
    }

    #[test]
    fn yes_and_clean_for_each_tool() {
        let src = "FROM rockylinux:9\nRUN dnf install httpd\nRUN yum -y install git\n\
                   RUN microdnf install -y tar\nRUN zypper in curl && zypper clean\n\
                   RUN zypper --non-interactive dup\n";
        let found = findings(src);
        let fix = |s: &str| Some((Applicability::Safe, s.to_owned()));
        assert_eq!(
            found,
            [
                ("dnf install".to_owned(), fix(" -y")),
                ("dnf install".to_owned(), fix(" && dnf clean all")),
                ("yum -y install".to_owned(), fix(" && yum clean all")),
                ("microdnf install".to_owned(), fix(" && microdnf clean all")),
                ("zypper in".to_owned(), fix(" -y")),
                ("zypper --non-interactive dup".to_owned(), None),
                (
                    "zypper --non-interactive dup".to_owned(),
                    fix(" && zypper clean --all")
                ),
            ]
        );
    }

    #[test]
    fn clean_images_pass() {
        for src in [
            "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
            "FROM fedora:40\nRUN dnf --assumeyes install httpd && rm -rf /var/cache/dnf\n",
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd\n",
            "FROM centos:7\nRUN yum install -y httpd && yum clean all && rm -rf /var/cache/yum\n",
            "FROM centos:7\nRUN yes | yum install httpd && yum clean all\n",
            "FROM ubi9/ubi-minimal\nRUN microdnf install tar && microdnf clean all\n",
            "FROM opensuse/leap\nRUN zypper -n in curl && zypper cc -a\n",
            "FROM opensuse/leap\nRUN zypper refresh && zypper search curl\n",
            "FROM fedora:40\nRUN dnf makecache && dnf info httpd\n",
            "FROM fedora:40 AS build\nRUN dnf install -y gcc\nFROM scratch\nCOPY --from=build /out /\n",
            "FROM fedora:40 AS base\nRUN echo assumeyes=True >> /etc/dnf/dnf.conf\nFROM base\nRUN dnf install gcc && dnf clean all\n",
            "FROM fedora:40\nRUN dnf install --setopt=assumeyes=1 gcc && dnf clean all\n",
        ] {
            assert!(findings(src).is_empty(), "{src}: {:?}", findings(src));
        }
    }

    #[test]
    fn options_of_other_commands_configure_nothing() {
        let src = "FROM fedora:40\nRUN dnf --assumeyes install gcc && dnf install make && dnf clean all\n";
        assert_eq!(findings(src).len(), 1);
    }

    #[test]
    fn heredoc_and_onbuild() {
        let src =
            "FROM fedora:40\nRUN <<EOF\ndnf install -y httpd\nEOF\nONBUILD RUN dnf install -y x\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].1.as_ref().unwrap().1,
            "\ndnf clean all",
            "a new line in a heredoc script"
        );
    }
}
