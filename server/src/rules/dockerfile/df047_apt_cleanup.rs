use super::package_managers::APT_GET;
use super::run_edits::{append_command, insert_after, replace_word};
use super::shell_args::{Arg, Args, is_rm_of, path_within};
use super::shell_images::{ToolConfig, shipping_stages};
use crate::diagnostics::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::RunScript;
use crate::syntax::TextRange;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports apt usage that makes images larger or builds fragile.
    ///
    /// - a RUN that runs `apt-get update` and installs, but leaves the downloaded package
    ///   lists in its layer (no `rm -rf /var/lib/apt/lists/*` after it in the same RUN, and
    ///   no cache mount on `/var/lib/apt/lists`) (info);
    /// - `apt-get install` without `--no-install-recommends` (info);
    /// - `apt-get install` (or `remove`, `upgrade` ...) without `-y` (warning);
    /// - `apt` instead of `apt-get` (warning).
    ///
    /// The package lists are only checked in stages whose layers ship: the final stage, a
    /// stage nothing refers to (another `--target`), and the stages those are built from.
    /// A builder stage that is only copied from keeps its lists to itself. Triggers
    /// (`ONBUILD RUN`) are checked, since they run in the images built from this one.
    /// Recommends and confirmations configured for apt as a whole (a file in
    /// `/etc/apt/apt.conf.d` written or copied earlier in the stage) are honoured.
    ///
    /// ## Why is this bad?
    /// The package lists take tens of megabytes and are useless once the packages are in;
    /// removed in a later RUN they still weigh on the image, because the earlier layer keeps
    /// them. Recommended packages are rarely needed in a container and can double what gets
    /// installed. Without `-y`, apt-get asks for confirmation, gets no answer in a build, and
    /// aborts. `apt` is the interactive front end: its output and behaviour may change
    /// between releases, and it warns that it is not meant for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appending `rm -rf /var/lib/apt/lists/*`, inserting `-y`, and renaming `apt` to
    /// `apt-get` for subcommands that behave the same in both. Unsafe: inserting
    /// `--no-install-recommends`, since software may rely on a package it only recommended.
    /// `apt upgrade` and `apt full-upgrade` are not renamed: apt-get's `upgrade` holds back
    /// what needs new packages, apt's does not. (After the rename, downloaded `.deb` files
    /// are kept where `apt` deleted them; Debian and Ubuntu images remove them anyway through
    /// `/etc/apt/apt.conf.d/docker-clean`.)
    ///
    /// ## References
    /// - practices.md §2.3 (`--no-install-recommends`, lists removed in the same RUN)
    /// - Dockerfile best practices, apt-get:
    ///   <https://docs.docker.com/build/building/best-practices/#apt-get>
    pub const APT_CLEANUP = {
        code: "DF047",
        name: "apt-cleanup",
        severity: Info,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// Subcommands that ask for confirmation before changing packages.
const CONFIRMING: &[&str] = &[
    "install",
    "remove",
    "purge",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "autoremove",
    "autopurge",
    "build-dep",
    "reinstall",
    "satisfy",
];

/// `apt` subcommands that `apt-get` runs the same way.
const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "remove",
    "purge",
    "update",
    "autoremove",
    "autoclean",
    "clean",
    "build-dep",
    "source",
    "download",
    "satisfy",
    "dist-upgrade",
];

const LISTS: &str = "/var/lib/apt/lists";

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let shipping = shipping_stages(ctx.model);
    // Looked up on first need only.
    let mut assume_yes: Option<ToolConfig> = None;
    let mut no_recommends: Option<ToolConfig> = None;
    for run in ctx.checked_runs() {
        if !ctx.should_check(run.instruction.start) {
            continue;
        }
        let commands = run.commands();
        let mut lists_reported = false;
        for (i, command) in commands.iter().enumerate() {
            let name = command.base_name();
            if name != "apt-get" && name != "apt" {
                continue;
            }
            let args = Args::parse(command, &APT_GET);
            let subcommand = args.subcommand();
            if name == "apt" {
                report_apt(run, command, subcommand.map(|s| s.text.as_str()), out);
            }
            let Some(subcommand) = subcommand else {
                continue;
            };
            let sub = subcommand.text.as_str();
            let shown = || format!("{name} {sub}");
            let range = run
                .word_range(&command.name)
                .cover(run.word_range(subcommand));
            if sub == "update" {
                if !lists_reported
                    && (run.in_onbuild || shipping.contains(run.stage))
                    && installs(commands)
                    && !lists_removed(run, &commands[i + 1..])
                {
                    lists_reported = true;
                    report_lists(ctx, run, range, &shown(), out);
                }
                continue;
            }
            if CONFIRMING.contains(&sub)
                && !answers_yes(&args, command)
                && !stdin_piped(commands, command)
                && !assume_yes
                    .get_or_insert_with(|| ToolConfig::new(ctx, "APT::Get::Assume-Yes", "/etc/apt"))
                    .applies_to(ctx, run)
            {
                let fix = insert_after(run, subcommand, " -y").map(|edit| Fix {
                    title: "Add `-y`".to_owned(),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
                let message = format!(
                    "`{}` asks for confirmation, which a build cannot give, so it aborts: add \
                     `-y`",
                    shown()
                );
                push(out, range, message, Severity::Warning, fix);
            }
            if sub == "install"
                && args.operands_after_subcommand().next().is_some()
                && !skips_recommends(&args)
                && !no_recommends
                    .get_or_insert_with(|| {
                        ToolConfig::new(ctx, "APT::Install-Recommends", "/etc/apt")
                    })
                    .applies_to(ctx, run)
            {
                let fix =
                    insert_after(run, subcommand, " --no-install-recommends").map(|edit| Fix {
                        title: "Add `--no-install-recommends`".to_owned(),
                        applicability: Applicability::Unsafe,
                        edits: vec![edit],
                    });
                let message = format!(
                    "`{}` also installs the packages yours only recommend: add \
                     `--no-install-recommends`",
                    shown()
                );
                push(out, range, message, Severity::Info, fix);
            }
        }
    }
}

fn report_apt(
    run: &RunScript,
    command: &SimpleCommand,
    subcommand: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let range = run.word_range(&command.name);
    let same = subcommand.is_some_and(|s| SAME_IN_APT_GET.contains(&s));
    let fix = if same && command.name.literal {
        replace_word(run, &command.name, &format!("{}-get", command.name.text)).map(|edit| Fix {
            title: "Use `apt-get`".to_owned(),
            applicability: Applicability::Safe,
            edits: vec![edit],
        })
    } else {
        None
    };
    let message = match subcommand {
        Some(sub @ ("list" | "search" | "show" | "policy" | "depends" | "rdepends")) => format!(
            "`apt {sub}` is meant for a terminal, and its output may change between releases: \
             use `apt-cache` in scripts"
        ),
        _ => "`apt` is meant for a terminal, and its output and behaviour may change between \
              releases: use `apt-get` in scripts"
            .to_owned(),
    };
    push(out, range, message, Severity::Warning, fix);
}

fn report_lists(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    range: TextRange,
    shown: &str,
    out: &mut Vec<Diagnostic>,
) {
    let fix = append_command(ctx, run, "rm -rf /var/lib/apt/lists/*").map(|edit| Fix {
        title: "Remove the package lists at the end of the RUN".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    });
    let message = format!(
        "the package lists `{shown}` downloads stay in this layer: end the RUN with \
         `rm -rf /var/lib/apt/lists/*`"
    );
    push(out, range, message, Severity::Info, fix);
}

fn push(
    out: &mut Vec<Diagnostic>,
    range: TextRange,
    message: String,
    severity: Severity,
    fix: Option<Fix>,
) {
    let mut diagnostic = match fix {
        Some(fix) => APT_CLEANUP.diagnostic_with_fix(range, message, fix),
        None => APT_CLEANUP.diagnostic(range, message),
    };
    diagnostic.severity = severity;
    out.push(diagnostic);
}

/// Whether the RUN does more with apt than `update` (an update alone is DF048's).
fn installs(commands: &[SimpleCommand]) -> bool {
    commands.iter().any(|c| {
        matches!(c.base_name(), "apt-get" | "apt")
            && Args::parse(c, &APT_GET)
                .subcommand()
                .is_some_and(|s| s.text != "update")
    })
}

/// Whether the lists are removed after the update, or never written to the layer.
fn lists_removed(run: &RunScript, later: &[SimpleCommand]) -> bool {
    run.cache_mounts.iter().any(|m| path_within(LISTS, m))
        || later.iter().any(|c| {
            is_rm_of(c, LISTS)
                || (matches!(c.base_name(), "apt-get" | "apt")
                    && c.args
                        .iter()
                        .any(|a| a.text == "distclean" || a.text == "dist-clean"))
        })
}

/// `-y`, `--yes`, `--assume-yes`, `-qq` (quiet level 2 implies yes), or
/// `-o APT::Get::Assume-Yes=true`.
fn answers_yes(args: &Args<'_>, command: &SimpleCommand) -> bool {
    args.has_short('y')
        || args.has_long("yes")
        || args.has_long("assume-yes")
        || args.count_short('q') >= 2
        || command.args.iter().any(|a| {
            a.text
                .strip_prefix("-q=")
                .or_else(|| a.text.strip_prefix("--quiet="))
                .is_some_and(|level| level.parse::<u32>().is_ok_and(|l| l >= 2))
        })
        || args
            .values_of(Some('o'), "option")
            .any(|v| option_is(v, "apt::get::assume-yes", true))
}

/// `--no-install-recommends`, `--install-recommends=false` or
/// `-o APT::Install-Recommends=false`.
fn skips_recommends(args: &Args<'_>) -> bool {
    args.has_long("no-install-recommends")
        || args.items.iter().any(|a| {
            matches!(a, Arg::Long { name: "install-recommends", value: Some(v), .. }
                if is_false(v))
        })
        || args
            .values_of(Some('o'), "option")
            .any(|v| option_is(v, "apt::install-recommends", false))
}

/// Whether an `-o Key=value` option sets `key` (compared without case) to true or false.
fn option_is(option: &str, key: &str, value: bool) -> bool {
    let Some((k, v)) = option.split_once('=') else {
        return false;
    };
    let v = v.trim_matches(['"', '\'']);
    k.trim().eq_ignore_ascii_case(key) && if value { !is_false(v) } else { is_false(v) }
}

fn is_false(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// Whether another command feeds the command's standard input (`yes | apt-get install x`).
fn stdin_piped(commands: &[SimpleCommand], command: &SimpleCommand) -> bool {
    command.pipeline.is_some_and(|pipeline| {
        commands
            .iter()
            .any(|c| c.pipeline == Some(pipeline) && c.range.start < command.range.start)
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_dockerfile;
    use crate::diagnostics::{Applicability, Severity};
    use crate::rules::testing;

    type Finding = (String, Severity, Option<(Applicability, String)>);

    fn findings(src: &str) -> Vec<Finding> {
        testing::findings("DF047", src)
            .into_iter()
            .map(|d| {
                let fix = d
                    .fix
                    .map(|f| (f.applicability, f.edits[0].new_text.clone()));
                (src[d.range.as_usize()].to_owned(), d.severity, fix)
            })
            .collect()
    }

    #[test]
    fn the_guides_python_image_passes() {
        let src = "FROM python:3.11-slim\nWORKDIR /app\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n    gcc \\\n    && rm -rf /var/lib/apt/lists/*\n";
        assert!(findings(src).is_empty());
    }

    #[test]
    fn every_check_with_its_fix() {
        let src = "FROM debian:bookworm\nRUN apt-get update && apt-get install curl # the client\n\
                   RUN apt install -y --no-install-recommends wget\n";
        let found = findings(src);
        assert_eq!(
            found,
            [
                (
                    "apt-get update".to_owned(),
                    Severity::Info,
                    Some((
                        Applicability::Safe,
                        " && rm -rf /var/lib/apt/lists/*".to_owned()
                    ))
                ),
                (
                    "apt-get install".to_owned(),
                    Severity::Warning,
                    Some((Applicability::Safe, " -y".to_owned()))
                ),
                (
                    "apt-get install".to_owned(),
                    Severity::Info,
                    Some((Applicability::Unsafe, " --no-install-recommends".to_owned()))
                ),
                (
                    "apt".to_owned(),
                    Severity::Warning,
                    Some((Applicability::Safe, "apt-get".to_owned()))
                ),
            ]
        );
        // The removal goes before the trailing comment.
        let d = check_dockerfile(src)
            .into_iter()
            .find(|d| d.code == "DF047")
            .unwrap();
        let edit = &d.fix.unwrap().edits[0];
        assert_eq!(
            &src[..edit.range.start as usize],
            "FROM debian:bookworm\nRUN apt-get update && apt-get install curl"
        );
    }

    #[test]
    fn ways_to_answer_yes_and_skip_recommends() {
        for src in [
            "FROM debian\nRUN apt-get -qq install --no-install-recommends curl\n",
            "FROM debian\nRUN apt-get -yq install --no-install-recommends curl\n",
            "FROM debian\nRUN apt-get --assume-yes install -o APT::Install-Recommends=false curl\n",
            "FROM debian\nRUN apt-get -q=2 install -oAPT::Install-Recommends=0 curl\n",
            "FROM debian\nRUN yes | apt-get install --no-install-recommends curl\n",
            "FROM debian\nRUN apt-get -o APT::Get::Assume-Yes=true install --no-install-recommends x\n",
            "FROM debian AS base\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/01norec \\\n    && echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/02yes\n\
             FROM base\nRUN apt-get install curl\n",
            "FROM debian\nCOPY 99local /etc/apt/apt.conf.d/\nRUN apt-get install curl\n",
            "FROM debian\nRUN cat <<EOF > /etc/apt/apt.conf.d/99local\nAPT::Install-Recommends \"0\";\nAPT::Get::Assume-Yes \"1\";\nEOF\nRUN apt-get install curl\n",
            "FROM debian\nRUN apt-get -y install -f\n",
            "FROM debian\nRUN apt-get -y clean && apt-get check\n",
        ] {
            assert!(findings(src).is_empty(), "{src}: {:?}", findings(src));
        }
    }

    #[test]
    fn options_of_other_commands_configure_nothing() {
        let src = "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n\
                   RUN apt-get install --assume-yes wget && apt-get install git\n";
        let found: Vec<(String, Severity)> =
            findings(src).into_iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(
            found,
            [
                ("apt-get install".to_owned(), Severity::Info),
                ("apt-get install".to_owned(), Severity::Warning),
                ("apt-get install".to_owned(), Severity::Info),
            ]
        );
    }

    #[test]
    fn lists_kept_out_of_the_layer() {
        for src in [
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update \\\n && apt-get install -y --no-install-recommends curl\n",
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends curl\n",
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get distclean\n",
            // A lone update is DF048's.
            "FROM debian\nRUN apt-get update\n",
            // A builder stage that is only copied from.
            "FROM debian AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nFROM debian\nCOPY --from=build /out /out\n",
        ] {
            assert!(findings(src).is_empty(), "{src}: {:?}", findings(src));
        }
        // Removing the lists before the update does not count.
        let src = "FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends x\n";
        assert_eq!(findings(src).len(), 1);
    }

    #[test]
    fn heredocs_onbuild_exec_and_apt_subcommands() {
        let src = "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nEOF\n\
                   ONBUILD RUN apt-get update && apt-get -y install --no-install-recommends x\n\
                   RUN [\"apt-get\", \"install\", \"--no-install-recommends\", \"curl\"]\n\
                   RUN apt upgrade -y && apt list --installed\n";
        let found = findings(src);
        let summary: Vec<(&str, bool)> = found
            .iter()
            .map(|f| (f.0.as_str(), f.2.is_some()))
            .collect();
        assert_eq!(
            summary,
            [
                ("apt-get update", true),
                ("apt-get update", true),
                ("\"apt-get\", \"install\"", false),
                ("apt", false),
                ("apt", false),
            ]
        );
        // In a heredoc script the removal is a new line.
        assert_eq!(
            found[0].2.as_ref().unwrap().1,
            "\nrm -rf /var/lib/apt/lists/*"
        );
    }

    /// Found by the robustness property test: after a shell syntax error the last statement
    /// of a heredoc script ends on the next line's start, and the cleanup must not be
    /// written onto the terminator's line.
    #[test]
    fn the_cleanup_keeps_the_heredoc_terminator_on_its_own_line() {
        let src = "FROM ubuntu:24.04\nRUN <<EOF\nset -eux\napt-get update\n\
                   apt-get(==J.LABEL -recommends nginx\nEOF\nCMD [\"nginx\"]\n";
        let found = testing::findings("DF047", src);
        let with_fix = found
            .iter()
            .find(|d| d.fix.is_some())
            .expect("a finding with a fix");
        let fixed = testing::fixed(src, with_fix);
        assert!(
            fixed.contains("rm -rf /var/lib/apt/lists/*\nEOF\n"),
            "{fixed}"
        );
        let errors = |text: &str| crate::syntax::dockerfile::parse(text).errors.len();
        assert_eq!(errors(&fixed), errors(src), "{fixed}");
    }
}
