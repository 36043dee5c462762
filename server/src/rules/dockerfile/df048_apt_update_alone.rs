use super::package_managers::APT_GET;
use super::shell_args::Args;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{RunForm, RunScript};
use crate::syntax::TextRange;
use crate::syntax::shell::SimpleCommand;

declare_rule! {
    /// ## What it does
    /// Reports a RUN that runs `apt-get update` (or `apt update`) without installing anything
    /// in the same RUN.
    ///
    /// Only RUNs that do nothing else but refresh, print or clean are reported: one that
    /// also runs a script or `xargs apt-get ...` may well use the lists.
    ///
    /// ## Why is this bad?
    /// The build cache keeps that RUN's layer as long as its text does not change. When a
    /// later RUN's package list changes, it is rebuilt on top of the old, cached package
    /// lists: it may install outdated versions, or fail because the versions those lists
    /// name are gone from the mirrors. Updating and installing in one RUN refreshes the lists
    /// whenever the install changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
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
    /// Display-only: when the next instruction is a plain RUN, the suggestion joins the two
    /// with `&&`. Whether that is the install the update was meant for is for a person to
    /// judge.
    ///
    /// ## References
    /// - practices.md §2.3
    /// - Dockerfile best practices, apt-get:
    ///   <https://docs.docker.com/build/building/best-practices/#apt-get>
    pub const APT_UPDATE_ALONE = {
        code: "DF048",
        name: "apt-update-alone",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let runs: Vec<&RunScript> = ctx.checked_runs().collect();
    for (index, run) in runs.iter().enumerate() {
        let commands = run.commands();
        let Some((update, subcommand)) = commands.iter().find_map(|c| {
            is_apt(c)
                .then(|| Args::parse(c, &APT_GET).subcommand().cloned())
                .flatten()
                .filter(|s| s.text == "update")
                .map(|s| (c, s))
        }) else {
            continue;
        };
        if !commands.iter().all(does_not_use_the_lists) {
            continue;
        }
        let range = run
            .word_range(&update.name)
            .cover(run.word_range(&subcommand));
        let shown = format!("{} update", update.base_name());
        let message = format!(
            "`{shown}` runs alone in this RUN: its layer stays cached with the old package \
             lists while later installs change; update and install in the same RUN"
        );
        let fix = merge_with_next(ctx, run, runs.get(index + 1).copied()).map(|edit| Fix {
            title: "Merge with the next RUN".to_owned(),
            applicability: Applicability::DisplayOnly,
            edits: vec![edit],
        });
        out.push(match fix {
            Some(fix) => APT_UPDATE_ALONE.diagnostic_with_fix(range, message, fix),
            None => APT_UPDATE_ALONE.diagnostic(range, message),
        });
    }
}

fn is_apt(command: &SimpleCommand) -> bool {
    matches!(command.base_name(), "apt-get" | "apt")
}

/// Commands that can sit beside an update without using its lists.
fn does_not_use_the_lists(command: &SimpleCommand) -> bool {
    if is_apt(command) {
        return Args::parse(command, &APT_GET)
            .subcommand()
            .is_some_and(|s| matches!(s.text.as_str(), "update" | "clean" | "autoclean"));
    }
    matches!(
        command.base_name(),
        "echo" | "printf" | "set" | "true" | ":" | "rm" | "export"
    )
}

/// Joins the RUN with the next one when it directly follows in the same stage as a plain
/// shell-form RUN: `RUN a` + `RUN b` → `RUN a && \` + `    b`.
fn merge_with_next(
    ctx: &DockerfileContext<'_>,
    run: &RunScript,
    next: Option<&RunScript>,
) -> Option<Edit> {
    let next = next?;
    if run.form != RunForm::Shell
        || next.form != RunForm::Shell
        || next.stage != run.stage
        || next.in_onbuild != run.in_onbuild
    {
        return None;
    }
    let end = run.abs(TextRange::empty(run.script.append_at?)).start;
    let next_start = next.abs(next.commands().first()?.range).start;
    let gap = ctx.text.get(end as usize..next_start as usize)?;
    // Only whitespace and the next RUN's keyword in between: no comment, flag or other
    // instruction would be lost.
    let keyword = if run.in_onbuild { "ONBUILD RUN" } else { "RUN" };
    let words: Vec<&str> = gap.split_whitespace().collect();
    let expected: Vec<&str> = keyword.split(' ').collect();
    let same = words.len() == expected.len()
        && words
            .iter()
            .zip(&expected)
            .all(|(w, e)| w.eq_ignore_ascii_case(e));
    same.then(|| Edit {
        range: TextRange::new(end, next_start),
        new_text: format!(" && {}{}    ", ctx.parse.escape, ctx.line_ending()),
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<(String, Option<String>)> {
        testing::findings("DF048", src)
            .into_iter()
            .map(|d| {
                let fix = d.fix.as_ref().map(|_| testing::fixed(src, &d));
                (src[d.range.as_usize()].to_owned(), fix)
            })
            .collect()
    }

    #[test]
    fn lone_updates_with_a_merge_suggestion() {
        let src = "FROM debian\nRUN apt-get update -qq\nrun apt-get install -y curl\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "apt-get update");
        assert_eq!(
            found[0].1.as_deref(),
            Some("FROM debian\nRUN apt-get update -qq && \\\n    apt-get install -y curl\n")
        );
        // CRLF and a Windows escape character.
        let src = "# escape=`\r\nFROM debian\r\nRUN apt update\r\nRUN apt install -y curl\r\n";
        assert_eq!(
            findings(src)[0].1.as_deref(),
            Some("# escape=`\r\nFROM debian\r\nRUN apt update && `\r\n    apt install -y curl\r\n")
        );
    }

    #[test]
    fn no_merge_across_comments_flags_or_other_instructions() {
        for src in [
            "FROM debian\nRUN apt-get update\n# install\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update\nRUN --mount=type=cache,target=/x apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update\nENV A=1\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update\n",
            "FROM debian\nRUN apt-get update # refresh\nRUN apt-get install -y x\n",
        ] {
            let found = findings(src);
            assert_eq!(found.len(), 1, "{src}");
            assert!(found[0].1.is_none(), "{src}");
        }
    }

    #[test]
    fn updates_used_in_the_same_run_pass() {
        for src in [
            "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && apt-get upgrade -y\n",
            "FROM debian\nRUN apt-get update && ./install-deps.sh\n",
            "FROM debian\nRUN apt-get update && xargs apt-get install -y < packages.txt\n",
            "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
            "FROM debian\nRUN apt-cache policy\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
