use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::{RunForm, RunScript};
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a RUN that directly follows another RUN with the same flags when both are
    /// short (one or two commands each), such as `RUN addgroup ...` followed by
    /// `RUN adduser ...`.
    ///
    /// ## Why is this bad?
    /// Each RUN makes a layer. Short steps that belong together cost layers and rebuild
    /// time for nothing, and split what a reader should see as one step. Joining them with
    /// `&&` keeps one layer; long RUNs are left alone, since separate layers can help the
    /// cache there.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN addgroup -g 1001 -S app
    /// RUN adduser -S app -u 1001 -G app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN addgroup -g 1001 -S app && \
    ///     adduser -S app -u 1001 -G app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the commands run in the same order in the same shell, and the build still
    /// stops at the first that fails. Offered when both RUNs are in shell form without
    /// heredocs and nothing but blank space lies between them.
    ///
    /// ## References
    /// - practices.md §2.2 and §10.1 (`RUN addgroup` and `RUN adduser` as two steps)
    pub const CONSECUTIVE_RUN = {
        code: "DF051",
        name: "consecutive-run",
        severity: Info,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// At most this many top-level commands per RUN count as "short".
const SHORT: usize = 2;

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let runs: Vec<&RunScript> = ctx.checked_runs().collect();
    for pair in runs.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if first.in_onbuild || second.in_onbuild || first.stage != second.stage {
            continue;
        }
        if !adjacent(ctx, first.instruction, second.instruction) {
            continue;
        }
        if !short(first) || !short(second) || flags(ctx, first) != flags(ctx, second) {
            continue;
        }
        let keyword = TextRange::new(
            second.instruction.start,
            (second.instruction.start + 3).min(second.instruction.end),
        );
        let message = format!(
            "this RUN follows the RUN on line {} with the same flags: join short steps into one layer with `&&`",
            ctx.line_number(first.instruction.start)
        );
        out.push(match join_fix(ctx, first, second) {
            Some(fix) => CONSECUTIVE_RUN.diagnostic_with_fix(keyword, message, fix),
            None => CONSECUTIVE_RUN.diagnostic(keyword, message),
        });
    }
}

/// Only comments, blank lines and line breaks between the two instructions, and no other
/// instruction (the shell index has RUNs only).
fn adjacent(ctx: &DockerfileContext<'_>, a: TextRange, b: TextRange) -> bool {
    let between = ctx
        .text
        .get(a.end as usize..b.start as usize)
        .unwrap_or("x");
    between
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

fn short(run: &RunScript) -> bool {
    let top = run.script.commands.iter().filter(|c| c.depth == 0).count();
    run.shell.posix && !run.script.has_errors && (1..=SHORT).contains(&top)
}

/// The RUN's flags as written, for comparison.
fn flags(ctx: &DockerfileContext<'_>, run: &RunScript) -> Vec<String> {
    ctx.instruction(run.instruction)
        .map(|i| i.flags().map(|f| f.syntax().text().to_owned()).collect())
        .unwrap_or_default()
}

/// Joins the second RUN's command onto the first with ` && <continuation>`.
fn join_fix(ctx: &DockerfileContext<'_>, first: &RunScript, second: &RunScript) -> Option<Fix> {
    if first.form != RunForm::Shell || second.form != RunForm::Shell {
        return None;
    }
    let between = ctx
        .text
        .get(first.instruction.end as usize..second.instruction.start as usize)?;
    if between.contains('#') {
        return None;
    }
    let second_instruction = ctx.instruction(second.instruction)?;
    let command = second_instruction.shell()?;
    if !second_instruction.heredocs().is_empty() {
        return None;
    }
    let first_text = ctx.text.get(first.instruction.as_usize())?;
    if first_text.contains("<<") || first_text.trim_end().ends_with(ctx.parse.escape) {
        return None;
    }
    Some(Fix {
        title: "Join with the RUN above".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range: TextRange::new(first.instruction.end, command.range().start),
            new_text: format!(" && {}{}    ", ctx.parse.escape, ctx.line_ending()),
        }],
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::apply_fixes;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<crate::diagnostics::Diagnostic> {
        testing::findings("DF051", src)
    }

    #[test]
    fn joins_the_guides_user_creation() {
        let src = "FROM node:20-alpine\nRUN addgroup -g 1001 -S nodejs\nRUN adduser -S nextjs -u 1001\nUSER nextjs\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let fixed = apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert_eq!(
            fixed,
            "FROM node:20-alpine\nRUN addgroup -g 1001 -S nodejs && \\\n    adduser -S nextjs -u 1001\nUSER nextjs\n"
        );
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn three_in_a_row_and_comments_between() {
        let src = "FROM a\nRUN a\n\n# b next\nRUN b\nRUN c\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert!(found[0].fix.is_none(), "a comment between: no fix");
        assert!(found[1].fix.is_some());
    }

    #[test]
    fn long_different_or_separated_runs_pass() {
        for src in [
            "FROM a\nRUN a && b && c\nRUN d\n",
            "FROM a\nRUN --mount=type=cache,target=/c a\nRUN b\n",
            "FROM a\nRUN a\nCOPY x y\nRUN b\n",
            "FROM a\nRUN a\nFROM b\nRUN b\n",
            "FROM a\nRUN a\nONBUILD RUN b\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
