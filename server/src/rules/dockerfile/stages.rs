//! Walking build stages for the rules about what an image ends up with: the chain of stages
//! a stage is built from (`FROM <stage>`), what that chain starts from, the `FROM`
//! instruction of each stage, and where lines can be added to a stage.

use super::images::ImageName;
use crate::diagnostics::Edit;
use crate::rules::DockerfileContext;
use crate::semantic::{DockerfileModel, ReferenceKind, Stage, StageBase};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Dockerfile, FromInstr, Instruction};

/// The stage `index` and then each stage it is built from, nearest first. `FROM <stage>`
/// only names earlier stages, so the walk ends.
pub(crate) fn lineage(model: &DockerfileModel, index: usize) -> impl Iterator<Item = &Stage> {
    let mut next = model.stage(index);
    std::iter::from_fn(move || {
        let stage = next?;
        next = stage
            .base
            .as_ref()
            .and_then(StageBase::stage)
            .filter(|&parent| parent < stage.index)
            .and_then(|parent| model.stage(parent));
        Some(stage)
    })
}

/// The base of the oldest stage of `index`'s lineage: `scratch` or an image. `None` when that
/// `FROM` names nothing.
pub(crate) fn root_base(model: &DockerfileModel, index: usize) -> Option<&StageBase> {
    lineage(model, index).last()?.base.as_ref()
}

/// The stages whose `FROM` names an image whose name is fully known, with that name. Left
/// out: `scratch`, earlier stages, names with undefined variables or variables without a
/// value, and names that
/// match a stage of the file (a mistake other rules report, not an image choice).
pub(crate) fn image_bases<'m>(
    ctx: &DockerfileContext<'m>,
) -> impl Iterator<Item = (&'m Stage, &'m StageBase, ImageName<'m>)> {
    let model = ctx.model;
    model.stages.iter().map(|s| &**s).filter_map(move |stage| {
        let base = stage.base.as_ref()?;
        let name = ImageName::of_base(base)?;
        let names_a_stage = model
            .references
            .iter()
            .any(|r| r.kind == ReferenceKind::From && r.stage == Some(stage.index));
        (!names_a_stage).then_some((stage, base, name))
    })
}

/// The `FROM` instruction of each stage: element `i` is stage `i`'s.
pub(crate) fn from_instructions<'t>(ctx: &DockerfileContext<'t>) -> Vec<FromInstr<'t>> {
    Dockerfile::new(&ctx.parse.tree)
        .instructions()
        .filter_map(|i| i.as_from())
        .collect()
}

/// The instructions of `index`'s lineage after their `FROM`s, oldest stage first, each with
/// the index of its stage.
pub(crate) fn lineage_instructions<'t>(
    ctx: &DockerfileContext<'t>,
    index: usize,
) -> Vec<(usize, Instruction<'t>)> {
    let stages: Vec<&Stage> = lineage(ctx.model, index).collect();
    let mut out = Vec::new();
    for stage in stages.into_iter().rev() {
        out.extend(
            stage
                .instructions
                .iter()
                .filter_map(|info| ctx.top_level_instruction(info.range.start))
                .map(|i| (stage.index, i)),
        );
    }
    out
}

/// The last `USER` of stage `index`'s lineage: the user its image runs as. Returns the
/// value as written, where it is, and its value after expansion when known.
pub(crate) fn effective_user<'t>(
    ctx: &DockerfileContext<'t>,
    instructions: &[(usize, Instruction<'t>)],
) -> Option<(String, TextRange, Option<String>)> {
    let (_, user) = instructions
        .iter()
        .rev()
        .find(|(_, i)| i.kind() == InstructionKind::User)?;
    let word = user.words().next()?;
    let written = word.text().into_owned();
    let expanded = ctx.model.expand(&written, word.range().start);
    let value = expanded.exact_text().map(str::to_owned);
    Some((written, word.range(), value))
}

/// Whether stage `index` or a stage it is built from installs `tool` with a package
/// manager (`apk add curl`, `apt-get install -y wget=1.21*`), read from the RUN commands.
pub(crate) fn installs(ctx: &DockerfileContext<'_>, index: usize, tool: &str) -> bool {
    lineage(ctx.model, index).any(|stage| {
        ctx.stage_runs(stage.index).any(|run| {
            run.commands().iter().any(|command| {
                let sub = command.subcommand().map(|w| w.text.as_str());
                let installing = match command.base_name() {
                    "apt-get" | "apt" | "yum" | "dnf" | "microdnf" => sub == Some("install"),
                    "apk" => sub == Some("add"),
                    "zypper" => matches!(sub, Some("install" | "in")),
                    _ => false,
                };
                installing
                    && command.operands().skip(1).any(|w| {
                        let name = w.text.split(['=', ':']).next().unwrap_or("");
                        name == tool
                    })
            })
        })
    })
}

/// Where lines that set up how the container runs (`USER`, `HEALTHCHECK`) go in a stage:
/// before its first `CMD` or `ENTRYPOINT` when nothing after that builds (no `RUN`, `COPY`,
/// `ADD`), else after its last instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insertion {
    /// Before the line starting at this offset.
    BeforeLine(u32),
    /// After the instruction ending at this offset.
    After(u32),
}

impl Insertion {
    /// `None` when the stage ends in an unterminated heredoc or a line continuation:
    /// anything added after it would become part of that instruction.
    pub fn for_runtime(ctx: &DockerfileContext<'_>, stage: &Stage) -> Option<Insertion> {
        // The last instruction is still open: a heredoc without its terminator, or a line
        // continuation at the end of the file.
        let open_end = stage.instructions.last().is_some_and(|last| {
            let continued = ctx.text[last.range.as_usize()]
                .trim_end()
                .ends_with(ctx.parse.escape);
            continued
                || ctx
                    .instruction(last.range)
                    .is_some_and(|i| i.heredocs().iter().any(|h| h.terminator().is_none()))
        });
        let builds_after = |at: usize| {
            stage.instructions[at..].iter().any(|i| {
                matches!(
                    i.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                )
            })
        };
        let first_start = stage
            .instructions
            .iter()
            .position(|i| matches!(i.kind, InstructionKind::Cmd | InstructionKind::Entrypoint));
        match first_start {
            Some(at) if !builds_after(at) => Some(Insertion::BeforeLine(
                ctx.line_start(stage.instructions[at].range.start),
            )),
            _ if open_end => None,
            _ => Some(Insertion::After(stage.range.end)),
        }
    }

    /// The edit that adds `lines` here, with the file's line ending.
    pub fn edit(self, lines: &[&str], eol: &str) -> Edit {
        match self {
            Insertion::BeforeLine(at) => Edit {
                range: TextRange::empty(at),
                new_text: lines.iter().map(|l| format!("{l}{eol}")).collect(),
            },
            Insertion::After(at) => Edit {
                range: TextRange::empty(at),
                new_text: lines.iter().map(|l| format!("{eol}{l}")).collect(),
            },
        }
    }
}

/// The range to point at for a finding about a whole stage: its image reference (or stage
/// name) on the `FROM` line, else the `FROM` keyword.
pub(crate) fn stage_anchor(from: Option<&FromInstr<'_>>, stage: &Stage) -> TextRange {
    if let Some(base) = &stage.base {
        return base.range;
    }
    from.map_or(stage.from_range, |f| f.keyword().range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::DockerfileFacts;
    use crate::rules::dockerfile::images::ImageFacts;
    use crate::semantic::analyze;
    use crate::syntax::dockerfile::parse;

    fn with_ctx<R>(src: &str, f: impl FnOnce(&DockerfileContext<'_>) -> R) -> R {
        let parse = parse(src);
        let model = analyze(&parse);
        let facts = DockerfileFacts::default();
        let config = Config::default();
        let ctx = DockerfileContext::new(src, &parse, &model, &facts, &config);
        f(&ctx)
    }

    #[test]
    fn lineage_follows_parent_stages() {
        let src = "FROM node:20 AS base\nFROM base AS deps\nFROM alpine AS other\nFROM deps\n";
        with_ctx(src, |ctx| {
            let chain: Vec<usize> = lineage(ctx.model, 3).map(|s| s.index).collect();
            assert_eq!(chain, [3, 1, 0]);
            assert_eq!(
                root_base(ctx.model, 3).map(|b| b.written.as_str()),
                Some("node:20")
            );
            let facts = root_base(ctx.model, 3).and_then(ImageFacts::of_base);
            assert!(facts.is_some_and(|f| f.node_user));
            assert_eq!(from_instructions(ctx).len(), 4);
        });
    }

    #[test]
    fn insertion_before_cmd_or_at_the_end() {
        let src = "FROM a\nRUN x\n  CMD [\"a\"]\nEXPOSE 1\n";
        with_ctx(src, |ctx| {
            let stage = ctx.model.final_stage().unwrap();
            let at = Insertion::for_runtime(ctx, stage).unwrap();
            assert_eq!(at, Insertion::BeforeLine(src.find("  CMD").unwrap() as u32));
            let edit = at.edit(&["USER app"], "\n");
            assert_eq!(edit.new_text, "USER app\n");
        });
        let src = "FROM a\nCMD [\"a\"]\nRUN x";
        with_ctx(src, |ctx| {
            let stage = ctx.model.final_stage().unwrap();
            let at = Insertion::for_runtime(ctx, stage).unwrap();
            assert_eq!(at, Insertion::After(src.len() as u32));
            assert_eq!(at.edit(&["A", "B"], "\r\n").new_text, "\r\nA\r\nB");
        });
        // Nothing can follow an unterminated heredoc.
        with_ctx("FROM a\nRUN <<EOF\necho\n", |ctx| {
            let stage = ctx.model.final_stage().unwrap();
            assert_eq!(Insertion::for_runtime(ctx, stage), None);
        });
    }

    #[test]
    fn effective_user_and_installed_tools() {
        let src = "ARG U=app\nFROM alpine AS base\nUSER root\nRUN apk add --no-cache curl\n\
                   FROM base\nUSER $U\nFROM base\n";
        with_ctx(src, |ctx| {
            let chain = lineage_instructions(ctx, 1);
            let (written, _, value) = effective_user(ctx, &chain).unwrap();
            // Undeclared in a stage built from an image: its value is not known.
            assert_eq!((written.as_str(), value), ("$U", None));
            let chain = lineage_instructions(ctx, 2);
            let (_, range, value) = effective_user(ctx, &chain).unwrap();
            assert_eq!(
                (&src[range.as_usize()], value.as_deref()),
                ("root", Some("root"))
            );
            assert!(installs(ctx, 2, "curl"));
            assert!(!installs(ctx, 2, "wget"));
        });
    }

    #[test]
    fn instructions_of_the_lineage_oldest_first() {
        let src = "FROM a AS one\nUSER x\nFROM b\nFROM one\nUSER y\n";
        with_ctx(src, |ctx| {
            let got: Vec<(usize, String)> = lineage_instructions(ctx, 2)
                .into_iter()
                .map(|(s, i)| (s, i.args_text().into_owned()))
                .collect();
            assert_eq!(got, [(0, "x".to_owned()), (2, "y".to_owned())]);
        });
    }
}
