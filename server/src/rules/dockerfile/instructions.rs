//! Small helpers over instructions shared by several rules: walking stages, telling ONBUILD
//! triggers apart, the lines an instruction occupies, and writing a keyword in the case of its neighbours.

use crate::rules::DockerfileContext;
use crate::semantic::{BaseKind, Stage};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::Instruction;
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind};

/// Visits the instructions of every stage, with a state per stage: a stage built `FROM` an
/// earlier stage starts from `inherit` of that stage's state at its end, any other stage
/// from `initial`. When the incremental analysis checks only some stages, only those and
/// the stages they are built from are visited (the others' findings are not wanted).
pub(crate) fn walk_stages<S>(
    ctx: &DockerfileContext<'_>,
    initial: impl Fn(&Stage) -> S,
    inherit: impl Fn(&S) -> S,
    mut visit: impl FnMut(&mut S, &Stage, Instruction<'_>),
) {
    let stages = &ctx.model.stages;
    let parent_of = |index: usize| match stages[index].base.as_ref().map(|b| &b.kind) {
        Some(BaseKind::Stage(parent)) if *parent < index => Some(*parent),
        _ => None,
    };
    // The checked stages and, up their `FROM <stage>` chains, the stages they start from.
    let mut needed: Vec<bool> = stages
        .iter()
        .map(|s| ctx.should_check(s.from_range.start))
        .collect();
    for index in (0..stages.len()).rev() {
        if needed[index]
            && let Some(parent) = parent_of(index)
        {
            needed[parent] = true;
        }
    }
    // `ends[i]`: stage i's state at its end, once visited.
    let mut ends: Vec<Option<S>> = std::iter::repeat_with(|| None).take(stages.len()).collect();
    for (index, stage) in stages.iter().enumerate() {
        if !needed[index] {
            continue;
        }
        let mut state = match parent_of(index).and_then(|p| ends[p].as_ref()) {
            Some(end) => inherit(end),
            None => initial(stage),
        };
        for &instruction in ctx.stage_instructions(index) {
            visit(&mut state, stage, instruction);
        }
        ends[index] = Some(state);
    }
}

/// True for the instruction an ONBUILD wraps.
pub(crate) fn is_trigger(instruction: &Instruction<'_>) -> bool {
    instruction
        .syntax()
        .parent()
        .is_some_and(|p| p.kind() == SyntaxKind::Instruction(InstructionKind::Onbuild))
}

/// The whole lines `range` touches, with the line break after the last one: what to delete
/// to remove an instruction without leaving a blank line.
pub(crate) fn full_lines(ctx: &DockerfileContext<'_>, range: TextRange) -> TextRange {
    let start = ctx.line_start(range.start);
    let end = (range.end as usize).min(ctx.text.len());
    let end = match ctx.text[end..].find('\n') {
        Some(i) => end + i + 1,
        None => ctx.text.len(),
    };
    TextRange::new(start, end as u32)
}

/// `keyword` (an upper-case instruction name) in lower case when `like` is written in lower
/// case, so inserted lines follow the file's style.
pub(crate) fn keyword_like(keyword: &str, like: &str) -> String {
    let is_lower = like.bytes().any(|b| b.is_ascii_alphabetic())
        && !like.bytes().any(|b| b.is_ascii_uppercase());
    if is_lower {
        keyword.to_ascii_lowercase()
    } else {
        keyword.to_owned()
    }
}

/// The spaces and tabs before `offset` on its line, when nothing else is there.
pub(crate) fn indentation_before<'a>(ctx: &DockerfileContext<'a>, offset: u32) -> &'a str {
    let start = ctx.line_start(offset) as usize;
    let before = &ctx.text[start..(offset as usize).min(ctx.text.len())];
    if before.bytes().all(|b| b == b' ' || b == b'\t') {
        before
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::ast::Dockerfile;
    use crate::syntax::dockerfile::parse;

    fn with_ctx(src: &str, f: impl FnOnce(&DockerfileContext<'_>)) {
        let parse = parse(src);
        let model = analyze(&parse);
        let facts = DockerfileFacts::default();
        let config = Config::default();
        let ctx = DockerfileContext::new(src, &parse, &model, &facts, &config);
        f(&ctx);
    }

    #[test]
    fn triggers_follow_their_onbuild() {
        let src = "FROM a\nONBUILD RUN x\nCMD y\n";
        let mut names: Vec<(String, bool)> = Vec::new();
        with_ctx(src, |ctx| {
            names = ctx
                .checked_instructions_with_triggers()
                .map(|i| (i.name().into_owned(), is_trigger(&i)))
                .collect();
        });
        assert_eq!(
            names,
            [
                ("FROM".to_owned(), false),
                ("ONBUILD".to_owned(), false),
                ("RUN".to_owned(), true),
                ("CMD".to_owned(), false)
            ]
        );
    }

    #[test]
    fn instructions_by_stage() {
        let src = "ARG A\nRUN x\nFROM a\nRUN y\nONBUILD RUN t\nFROM b\nCMD z\n";
        with_ctx(src, |ctx| {
            let names = |stage| -> Vec<String> {
                ctx.stage_instructions(stage)
                    .iter()
                    .map(|i| i.name().into_owned())
                    .collect()
            };
            assert_eq!(names(0), ["RUN", "ONBUILD"]);
            assert_eq!(names(1), ["CMD"]);
            assert!(names(2).is_empty());
        });
    }

    #[test]
    fn stage_states_are_inherited_through_from() {
        let src = "FROM a AS one\nRUN x\nRUN y\nFROM b AS two\nFROM one\nRUN z\nFROM two\nRUN w\n";
        with_ctx(src, |ctx| {
            let mut seen = Vec::new();
            // The state counts the RUNs seen in the stage and its ancestors.
            walk_stages(
                ctx,
                |_| 0,
                |parent| *parent,
                |count, stage, instruction| {
                    *count += 1;
                    seen.push((stage.index, instruction.name().into_owned(), *count));
                },
            );
            assert_eq!(
                seen,
                [
                    (0, "RUN".to_owned(), 1),
                    (0, "RUN".to_owned(), 2),
                    (2, "RUN".to_owned(), 3),
                    (3, "RUN".to_owned(), 1),
                ]
            );
        });
    }

    #[test]
    fn full_lines_take_the_line_break() {
        let src = "FROM a\r\n  CMD x \\\r\n  y\r\nRUN z";
        with_ctx(src, |ctx| {
            let cmd = Dockerfile::new(&ctx.parse.tree)
                .instructions()
                .nth(1)
                .unwrap();
            assert_eq!(
                &src[full_lines(ctx, cmd.range()).as_usize()],
                "  CMD x \\\r\n  y\r\n"
            );
            let run = Dockerfile::new(&ctx.parse.tree)
                .instructions()
                .nth(2)
                .unwrap();
            assert_eq!(&src[full_lines(ctx, run.range()).as_usize()], "RUN z");
            assert_eq!(indentation_before(ctx, cmd.keyword().range.start), "  ");
        });
    }

    #[test]
    fn keywords_follow_the_case_of_a_neighbour() {
        assert_eq!(keyword_like("WORKDIR", "copy"), "workdir");
        assert_eq!(keyword_like("WORKDIR", "COPY"), "WORKDIR");
        assert_eq!(keyword_like("WORKDIR", "Copy"), "WORKDIR");
    }
}
