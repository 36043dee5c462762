//! The Dockerfile model: build stages, the references between them, and variable scopes.
//!
//! [`analyze`] walks a parsed file once and returns an owned [`DockerfileModel`]: plain data
//! with byte ranges into the source, so it can be kept next to the [`Parse`] it came from.
//!
//! How BuildKit resolves names, which this follows:
//! - Stage names are case-insensitive: BuildKit lowercases the name after `AS`, and
//!   `COPY --from=` and `RUN --mount=from=` look names up lowercased.
//! - `FROM x` is a stage only when `x` (after expanding global `ARG`s) names an *earlier*
//!   stage, compared with the lowercased name as written: `FROM Builder` does not find
//!   `AS builder` in BuildKit (it then fails as an invalid image name). This model still links
//!   it to the stage and sets [`StageReference::case_mismatch`]. A `FROM` naming its own or a
//!   later stage is an image pull in BuildKit; it is recorded as a reference with
//!   [`StageOrder::Itself`] or [`StageOrder::Later`] and the base stays an image.
//! - `COPY --from=` names any stage of the file, earlier or *later* (BuildKit resolves them
//!   after reading every stage and only rejects cycles; the classic builder needed earlier
//!   stages), or a stage by number (`--from=0`), or else an image. When names repeat, the last
//!   stage with the name wins.
//! - `RUN --mount=...,from=` names a stage or an image; it has no numeric form.
//! - BuildKit does not expand variables in `--from` (an error) or in a mount's `from=` (an
//!   error). This model expands them with the scope at that point anyway, to resolve what the
//!   author meant, and sets [`StageReference::uses_variables`].

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

// Stage names are hashed on every keystroke: foldhash is faster than SipHash on short keys.
use foldhash::fast::RandomState as FastHash;

use super::expand::{ExpandOptions, Expanded, Lookup, expand};
use super::scope::{Declaration, Scope, Variable, declare_args, declare_env};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{Dockerfile, Flag, Instruction};
use crate::syntax::dockerfile::{
    ImageRefParts, InstructionKind, Parse, SyntaxTree, split_image_ref,
};

/// The semantic model of one Dockerfile.
#[derive(Clone, Debug)]
pub struct DockerfileModel {
    /// The escape character of the file.
    pub escape: char,
    /// The `ARG`s before the first `FROM`, in order (with their expanded defaults).
    pub global_args: Vec<Variable>,
    /// The build stages, in order; `stages[i].index == i`. Shared (behind an [`Arc`]) with
    /// the models of later versions of the document that keep them (see
    /// [`analyze_after_edit`]).
    pub stages: Vec<Arc<Stage>>,
    /// Every stage reference: `FROM <stage>`, `COPY/ADD --from=`, `RUN --mount=...,from=`,
    /// in file order.
    pub references: Vec<Arc<StageReference>>,
    /// How the file writes instruction keywords (ONBUILD triggers included): a file-wide
    /// fact that stage-by-stage checks of keyword case compare against.
    pub keyword_case: KeywordCase,
    global_declarations: Vec<Declaration>,
    global_scope: Scope,
    stage_scopes: Vec<Arc<StageScope>>,
    /// Each stage's scope after its last instruction: what a stage built from it starts with.
    final_scopes: Vec<Arc<Scope>>,
    /// Each stage's share of [`DockerfileModel::keyword_case`], so a stage reused after an
    /// edit need not be counted again.
    stage_keyword_cases: Vec<KeywordCase>,
}

/// How many known instruction keywords are written all in upper and all in lower case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeywordCase {
    pub upper: u32,
    pub lower: u32,
}

impl KeywordCase {
    /// Whether the file writes its keywords mostly in lower case (ties go to upper case,
    /// the convention of the Dockerfile reference).
    pub fn mostly_lower(&self) -> bool {
        self.lower > self.upper
    }

    fn plus(self, other: KeywordCase) -> KeywordCase {
        KeywordCase {
            upper: self.upper + other.upper,
            lower: self.lower + other.lower,
        }
    }

    /// Counts an instruction and its `ONBUILD` trigger.
    fn count_with_trigger(&mut self, instruction: &Instruction<'_>) {
        self.count(instruction);
        if let Some(trigger) = instruction.trigger() {
            self.count(&trigger);
        }
    }

    fn count(&mut self, instruction: &Instruction<'_>) {
        if instruction.kind() == InstructionKind::Unknown {
            return;
        }
        let keyword = instruction.keyword();
        let bytes = keyword.text.as_bytes();
        let has_lower = bytes.iter().any(u8::is_ascii_lowercase);
        let has_upper = bytes.iter().any(u8::is_ascii_uppercase);
        match (has_lower, has_upper) {
            (true, false) => self.lower += 1,
            (false, _) if !bytes.is_empty() => self.upper += 1,
            _ => {}
        }
    }
}

/// What a stage's scope starts with and what it declares.
#[derive(Clone, Debug)]
struct StageScope {
    start: Scope,
    declarations: Vec<Declaration>,
}

/// A build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`.
    pub name: Option<StageName>,
    /// The `FROM` instruction.
    pub from_range: TextRange,
    /// From the `FROM` through the stage's last instruction.
    pub range: TextRange,
    /// What the stage starts from; `None` when `FROM` has no image.
    pub base: Option<StageBase>,
    /// `FROM --platform=...`.
    pub platform: Option<StagePlatform>,
    /// True when the stage (or the stage it is built from) starts from an external image,
    /// whose `ENV` is not visible here: a name this model finds undeclared may still be set.
    pub env_from_image: bool,
    /// The instructions after `FROM`, in order.
    pub instructions: Vec<InstructionInfo>,
}

/// A stage name as written after `AS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageName {
    pub text: String,
    /// The name BuildKit matches against (lowercased).
    pub lowercase: String,
    pub range: TextRange,
}

/// The image reference of a `FROM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageBase {
    /// As written.
    pub written: String,
    pub range: TextRange,
    /// Expanded with the global scope.
    pub expanded: Expanded,
    pub kind: BaseKind,
}

/// What a stage is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseKind {
    /// An earlier stage of this file.
    Stage(usize),
    /// `scratch`: an empty filesystem.
    Scratch,
    /// An image; the parts are byte ranges into [`StageBase::expanded`]'s text.
    Image(ImageRefParts),
}

impl StageBase {
    /// The earlier stage this stage is built from.
    pub fn stage(&self) -> Option<usize> {
        match self.kind {
            BaseKind::Stage(index) => Some(index),
            _ => None,
        }
    }

    fn image_part(
        &self,
        pick: impl Fn(&ImageRefParts) -> Option<std::ops::Range<usize>>,
    ) -> Option<&str> {
        match &self.kind {
            BaseKind::Image(parts) => self.expanded.text.get(pick(parts)?),
            _ => None,
        }
    }

    /// The registry of an image base (`ghcr.io`).
    pub fn registry(&self) -> Option<&str> {
        self.image_part(|p| p.registry.clone())
    }

    /// The repository of an image base (`library/node`, `node`).
    pub fn image_name(&self) -> Option<&str> {
        self.image_part(|p| Some(p.name.clone()))
    }

    /// The tag of an image base, without `:`.
    pub fn tag(&self) -> Option<&str> {
        self.image_part(|p| p.tag.clone())
    }

    /// The digest of an image base, without `@`.
    pub fn digest(&self) -> Option<&str> {
        self.image_part(|p| p.digest.clone())
    }
}

/// `FROM --platform=...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagePlatform {
    /// The flag value, quotes removed.
    pub written: String,
    /// The flag value's range.
    pub range: TextRange,
    /// Expanded with the global scope (`$BUILDPLATFORM` stays unknown).
    pub expanded: Expanded,
}

/// An instruction's kind and range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstructionInfo {
    pub kind: InstructionKind,
    pub range: TextRange,
}

/// Where a stage reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// `FROM <stage>`.
    From,
    /// `COPY --from=`.
    CopyFrom,
    /// `ADD --from=` (BuildKit has no such flag for ADD and rejects it).
    AddFrom,
    /// `RUN --mount=...,from=`.
    RunMount,
}

/// What a reference resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceTarget {
    /// A stage of this file, by name or by index.
    Stage(usize),
    /// `scratch`.
    Scratch,
    /// An image: the value has `/`, `:` or `@`.
    Image,
    /// A bare word that names no stage: a typo, or an image such as `alpine`.
    Unknown,
    /// A number that is no stage index (`--from=7` with three stages, `--from=-1`).
    InvalidIndex,
    /// The value depends on variables whose values are unknown.
    Unresolved,
}

/// Where a referenced stage is relative to the stage that refers to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StageOrder {
    Earlier,
    /// The stage refers to itself: a circular dependency.
    Itself,
    /// A later stage: BuildKit accepts it in `COPY --from` (not in `FROM`), the classic
    /// builder does not.
    Later,
}

/// A reference to a stage (or something that may be one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageReference {
    pub kind: ReferenceKind,
    /// The stage the reference is in (for `FROM`, the stage it starts); `None` before the
    /// first `FROM`.
    pub stage: Option<usize>,
    /// The instruction holding the reference.
    pub instruction: TextRange,
    /// The value as written (flag quotes removed).
    pub written: String,
    /// The value's range (for a mount, the `from=` field's value when it can be located).
    pub range: TextRange,
    /// The value after variable expansion; its text is the name that was resolved.
    pub expanded: Expanded,
    pub target: ReferenceTarget,
    /// Where the target stage is, for stage targets inside a stage.
    pub order: Option<StageOrder>,
    /// Resolved by a numeric index (`--from=0`).
    pub by_index: bool,
    /// The name matches the stage only ignoring case, where BuildKit compares exactly
    /// (`FROM Builder` for `AS builder`).
    pub case_mismatch: bool,
    /// The value contains a variable expansion. BuildKit rejects that in `--from` (any value
    /// that expanding would change) and in a mount's `from=` (any `$` followed by a
    /// character); it is fine in `FROM`.
    pub uses_variables: bool,
}

impl StageReference {
    /// The referenced stage, if the target is one.
    pub fn target_stage(&self) -> Option<usize> {
        match self.target {
            ReferenceTarget::Stage(index) => Some(index),
            _ => None,
        }
    }
}

/// The scope the preamble starts with (platform and proxy arguments), for
/// [`DockerfileModel::lookup_at`].
static PREAMBLE_START: std::sync::LazyLock<Scope> = std::sync::LazyLock::new(Scope::global);

/// Where an offset is, for scoping.
enum Place {
    /// Before the first `FROM`.
    Preamble,
    /// On a `FROM` line: the global scope applies.
    FromLine,
    Stage(usize),
}

impl DockerfileModel {
    /// The stage with this index.
    pub fn stage(&self, index: usize) -> Option<&Stage> {
        self.stages.get(index).map(|s| &**s)
    }

    /// The last stage: what a build without `--target` produces.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last().map(|s| &**s)
    }

    /// The stage with this name, ignoring case; the last one if names repeat (as BuildKit
    /// resolves `COPY --from`).
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        let lowercase = name.to_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_ref().is_some_and(|n| n.lowercase == lowercase))
            .map(|s| &**s)
    }

    /// The stage an offset belongs to: the last stage whose `FROM` starts at or before it (so
    /// comments and blank lines after a stage belong to it). `None` before the first `FROM`.
    pub fn stage_at(&self, offset: u32) -> Option<&Stage> {
        let after = self
            .stages
            .partition_point(|s| s.from_range.start <= offset);
        self.stages.get(after.checked_sub(1)?).map(|s| &**s)
    }

    fn place(&self, offset: u32) -> Place {
        match self.stage_at(offset) {
            None => Place::Preamble,
            Some(stage) if stage.from_range.touches(offset) => Place::FromLine,
            Some(stage) => Place::Stage(stage.index),
        }
    }

    /// The global scope, as `FROM` lines see it: platform and proxy arguments and every
    /// global `ARG`.
    pub fn global_scope(&self) -> &Scope {
        &self.global_scope
    }

    /// The variables visible at `offset`, as a scope.
    pub fn scope_at(&self, offset: u32) -> Scope {
        let (mut scope, declarations) = match self.place(offset) {
            Place::FromLine => return self.global_scope.clone(),
            Place::Preamble => (Scope::global(), &self.global_declarations),
            Place::Stage(index) => match self.stage_scopes.get(index) {
                Some(s) => (s.start.clone(), &s.declarations),
                None => return Scope::new(),
            },
        };
        for declaration in declarations {
            if declaration.visible_after < offset {
                scope.declare(declaration.variable.clone());
            }
        }
        scope
    }

    /// The variables visible at `offset`, in order of first declaration.
    pub fn visible_vars(&self, offset: u32) -> Vec<Variable> {
        self.scope_at(offset).variables()
    }

    /// The variable `name` as visible at `offset`.
    pub fn variable_at(&self, name: &str, offset: u32) -> Option<Variable> {
        self.scope_at(offset).get(name)
    }

    /// What `name` means at `offset`, as [`Scope::lookup`] on [`DockerfileModel::scope_at`]
    /// answers, without building that scope: the latest declaration before `offset` wins,
    /// else the scope the stage starts with. For expanding a few words with
    /// [`expand`](super::expand::expand) where building a scope per word would cost more.
    pub fn lookup_at(&self, name: &str, offset: u32) -> Lookup<'_> {
        let (start, declarations) = match self.place(offset) {
            Place::FromLine => return self.global_scope.lookup(name),
            Place::Preamble => (None, self.global_declarations.as_slice()),
            Place::Stage(index) => match self.stage_scopes.get(index) {
                Some(s) => (Some(&s.start), s.declarations.as_slice()),
                None => return Lookup::Unset,
            },
        };
        let declared = declarations
            .iter()
            .rev()
            .filter(|d| d.visible_after < offset)
            .find(|d| d.variable.name == name);
        match declared {
            Some(d) => match &d.variable.value {
                Some(value) => Lookup::Set(Cow::Borrowed(value)),
                None => Lookup::Unknown,
            },
            None => match start {
                Some(scope) => scope.lookup(name),
                None => PREAMBLE_START.lookup(name),
            },
        }
    }

    /// Expands `text` with the variables visible at `offset`. Ranges in the result are
    /// relative to `text`.
    pub fn expand(&self, text: &str, offset: u32) -> Expanded {
        if !text.contains('$') {
            // Nothing to look up: skip building the scope at `offset`.
            return expand(text, ExpandOptions::new(self.escape), &|_| Lookup::Unset);
        }
        self.scope_at(offset).expand(text, self.escape)
    }

    /// The references that resolve to stage `index`.
    pub fn references_to(&self, index: usize) -> impl Iterator<Item = &StageReference> + '_ {
        self.references
            .iter()
            .map(|r| &**r)
            .filter(move |r| r.target == ReferenceTarget::Stage(index))
    }

    /// The reference whose value touches `offset`.
    pub fn reference_at(&self, offset: u32) -> Option<&StageReference> {
        self.references
            .iter()
            .map(|r| &**r)
            .find(|r| r.range.touches(offset))
    }
}

impl Stage {
    /// The stage as it reads after its text moved by `delta` bytes.
    fn moved(&self, delta: i64) -> Stage {
        let moved = |r: TextRange| r.moved(delta);
        Stage {
            from_range: moved(self.from_range),
            range: moved(self.range),
            name: self.name.as_ref().map(|n| StageName {
                range: moved(n.range),
                ..n.clone()
            }),
            base: self.base.as_ref().map(|b| StageBase {
                range: moved(b.range),
                ..b.clone()
            }),
            platform: self.platform.as_ref().map(|p| StagePlatform {
                range: moved(p.range),
                ..p.clone()
            }),
            instructions: self
                .instructions
                .iter()
                .map(|i| InstructionInfo {
                    range: moved(i.range),
                    ..*i
                })
                .collect(),
            ..self.clone()
        }
    }

    /// The typed views of the stage's instructions after `FROM`, from the tree it was
    /// analyzed from.
    pub fn syntax_instructions<'t>(
        &self,
        tree: &'t SyntaxTree,
    ) -> impl Iterator<Item = Instruction<'t>> + 't {
        let (after, end) = (self.from_range.end, self.range.end);
        // `children_with_tokens` returns an owned iterator (`children` and
        // `Dockerfile::instructions` would borrow a temporary view here).
        let children = tree.root().children_with_tokens();
        children
            .filter_map(|element| element.as_node())
            .filter_map(Instruction::cast)
            .filter(move |i| {
                let range = i.range();
                range.start >= after && range.end <= end && !range.is_empty()
            })
    }
}

/// Builds the semantic model of a parsed Dockerfile. Never fails: broken instructions are
/// skipped or give partial information.
pub fn analyze(parse: &Parse) -> DockerfileModel {
    analyze_after_edit(parse, None)
}

/// [`analyze`], reusing the stages of `previous` (the model of an earlier version of the same
/// document, with its text) that the edit cannot have changed: on a keystroke near the end of
/// a long file, only the last stages are analysed again. The result equals `analyze(parse)`.
///
/// A stage is reused when the text through the `FROM` of the stage after it is unchanged
/// (that `FROM` starting at the same offset in both versions, so no instruction moved into
/// or out of the stage) and every stage name of the file is the same: a stage's model
/// depends only on its own text, the global `ARG`s before it, its parent stage's scope and
/// the names of all stages (`COPY --from` may name a later stage).
pub fn analyze_after_edit(
    parse: &Parse,
    previous: Option<(&str, &DockerfileModel)>,
) -> DockerfileModel {
    let escape = parse.escape;
    let instructions: Vec<Instruction<'_>> = Dockerfile::new(&parse.tree).instructions().collect();
    let from_positions: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind() == InstructionKind::From)
        .map(|(at, _)| at)
        .collect();
    let first_from = from_positions
        .first()
        .copied()
        .unwrap_or(instructions.len());

    // Global ARGs. Other instructions before the first FROM belong to no stage.
    let mut global_scope = Scope::global();
    let mut global_declarations = Vec::new();
    let mut preamble_keyword_case = KeywordCase::default();
    for instruction in &instructions[..first_from] {
        preamble_keyword_case.count_with_trigger(instruction);
        if let Some(arg) = instruction.as_arg() {
            declare_args(
                &mut global_scope,
                &arg,
                None,
                escape,
                &mut global_declarations,
            );
        }
    }
    let global_args = global_declarations
        .iter()
        .map(|d| d.variable.clone())
        .collect();

    // Stage names first: COPY --from may name a later stage.
    let names: Vec<Option<StageName>> = from_positions
        .iter()
        .map(|&at| {
            let name = instructions[at].as_from()?.stage_name()?;
            Some(StageName {
                lowercase: name.text.to_lowercase(),
                text: name.text.into_owned(),
                range: name.range,
            })
        })
        .collect();
    let mut stages_by_name: HashMap<&str, Vec<usize>, FastHash> = HashMap::default();
    for (index, name) in names.iter().enumerate() {
        if let Some(name) = name {
            stages_by_name
                .entry(name.lowercase.as_str())
                .or_default()
                .push(index);
        }
    }

    let Reuse {
        prefix: reusable,
        suffix_from,
        delta,
    } = previous.map_or(Reuse::NONE, |(old_text, old)| {
        reusable_stages(parse, &instructions, &from_positions, &names, old_text, old)
    });
    let mut analyzer = Analyzer {
        escape,
        stage_count: names.len(),
        stages_by_name,
        references: Vec::new(),
    };
    let mut stages: Vec<Arc<Stage>> = Vec::with_capacity(from_positions.len());
    let mut stage_scopes: Vec<Arc<StageScope>> = Vec::with_capacity(from_positions.len());
    let mut final_scopes: Vec<Arc<Scope>> = Vec::with_capacity(from_positions.len());
    let mut stage_keyword_cases: Vec<KeywordCase> = Vec::with_capacity(from_positions.len());
    // Whether each stage so far was kept from the old model (as it was, or moved): a stage
    // built from a stage analysed again is analysed again too.
    let mut kept: Vec<bool> = vec![true; reusable.min(from_positions.len())];
    match previous {
        Some((_, old)) if reusable > 0 => {
            // The preamble is unchanged too (it comes before the first reused stage).
            analyzer.references.extend(
                old.references
                    .iter()
                    .take_while(|r| r.stage.is_none_or(|s| s < reusable))
                    .cloned(),
            );
            stages.extend_from_slice(&old.stages[..reusable]);
            stage_scopes.extend_from_slice(&old.stage_scopes[..reusable]);
            final_scopes.extend_from_slice(&old.final_scopes[..reusable]);
            stage_keyword_cases.extend_from_slice(&old.stage_keyword_cases[..reusable]);
        }
        _ => {
            // References in instructions before the first FROM (invalid, but still
            // references).
            for instruction in &instructions[..first_from] {
                analyzer.instruction_references(instruction, None, &global_scope);
            }
        }
    }

    for (index, &at) in from_positions.iter().enumerate().skip(stages.len()) {
        // A stage after the edit, moved but unchanged, whose parent stage (if any) is
        // unchanged too: its model is the old one moved by `delta`.
        if let Some((_, old)) = previous
            && index >= suffix_from
            && let Some(old_stage) = old.stages.get(index)
            && old_stage
                .base
                .as_ref()
                .and_then(StageBase::stage)
                .is_none_or(|parent| kept.get(parent).copied().unwrap_or(false))
        {
            let parent_scope = old_stage
                .base
                .as_ref()
                .and_then(StageBase::stage)
                .and_then(|p| final_scopes.get(p));
            let moved = |r: TextRange| r.moved(delta);
            let from = old.references.partition_point(|r| r.stage < Some(index));
            let to = old.references.partition_point(|r| r.stage <= Some(index));
            analyzer
                .references
                .extend(old.references[from..to].iter().map(|r| {
                    Arc::new(StageReference {
                        instruction: moved(r.instruction),
                        range: moved(r.range),
                        ..StageReference::clone(r)
                    })
                }));
            stages.push(Arc::new(old_stage.moved(delta)));
            let old_scope = &old.stage_scopes[index];
            stage_scopes.push(Arc::new(StageScope {
                start: old_scope.start.moved(parent_scope, delta),
                declarations: old_scope
                    .declarations
                    .iter()
                    .map(|d| d.moved(delta))
                    .collect(),
            }));
            final_scopes.push(Arc::new(old.final_scopes[index].moved(parent_scope, delta)));
            stage_keyword_cases.push(old.stage_keyword_cases[index]);
            kept.push(true);
            continue;
        }
        kept.push(false);
        let end = from_positions
            .get(index + 1)
            .copied()
            .unwrap_or(instructions.len());
        let from = instructions[at];
        let body = &instructions[at + 1..end];
        let mut keyword_case = KeywordCase::default();
        keyword_case.count_with_trigger(&from);

        let base = analyzer.base(index, &from, &global_scope);
        let platform = from.as_from().and_then(|f| f.platform()).and_then(|flag| {
            let written = flag.value()?;
            let range = flag.raw_value().map_or(flag.range(), |v| v.range);
            let expanded = global_scope.expand(&written, escape);
            Some(StagePlatform {
                written,
                range,
                expanded,
            })
        });

        let start = match base.as_ref().map(|b| &b.kind) {
            Some(BaseKind::Stage(parent)) => match final_scopes.get(*parent) {
                Some(parent_scope) => Scope::inherited(parent_scope, *parent),
                None => Scope::stage_start(true),
            },
            Some(BaseKind::Scratch) => Scope::stage_start(false),
            Some(BaseKind::Image(_)) | None => Scope::stage_start(true),
        };
        let env_from_image = start.env_from_image();

        let mut scope = start.clone();
        let mut declarations = Vec::new();
        for instruction in body {
            keyword_case.count_with_trigger(instruction);
            analyzer.instruction_references(instruction, Some(index), &scope);
            match instruction.kind() {
                InstructionKind::Arg => {
                    if let Some(arg) = instruction.as_arg() {
                        declare_args(
                            &mut scope,
                            &arg,
                            Some(&global_scope),
                            escape,
                            &mut declarations,
                        );
                    }
                }
                InstructionKind::Env => {
                    if let Some(env) = instruction.as_env() {
                        declare_env(&mut scope, &env, escape, &mut declarations);
                    }
                }
                _ => {}
            }
        }

        let from_range = from.range();
        let last_end = body.last().map_or(from_range.end, |i| i.range().end);
        stages.push(Arc::new(Stage {
            index,
            name: names.get(index).cloned().flatten(),
            from_range,
            range: TextRange::new(from_range.start, last_end.max(from_range.end)),
            base,
            platform,
            env_from_image,
            instructions: body
                .iter()
                .map(|i| InstructionInfo {
                    kind: i.kind(),
                    range: i.range(),
                })
                .collect(),
        }));
        stage_scopes.push(Arc::new(StageScope {
            start,
            declarations,
        }));
        final_scopes.push(Arc::new(scope));
        stage_keyword_cases.push(keyword_case);
    }

    let keyword_case = stage_keyword_cases
        .iter()
        .fold(preamble_keyword_case, |sum, stage| sum.plus(*stage));
    DockerfileModel {
        escape,
        global_args,
        stages,
        references: analyzer.references,
        keyword_case,
        global_declarations,
        global_scope,
        stage_scopes,
        final_scopes,
        stage_keyword_cases,
    }
}

/// What [`analyze_after_edit`] may keep of the old model.
struct Reuse {
    /// Leading stages kept as they are.
    prefix: usize,
    /// Stages from this index on are unchanged but moved by `delta` bytes.
    suffix_from: usize,
    delta: i64,
}

impl Reuse {
    const NONE: Reuse = Reuse {
        prefix: 0,
        suffix_from: usize::MAX,
        delta: 0,
    };
}

/// Which stages of `old` (the model of `old_text`) [`analyze_after_edit`] may keep for
/// `parse`, whose instructions, `FROM` positions and stage names are given: the stages
/// before the edit, and those after it (moved) when the text before the first `FROM` (the
/// global `ARG`s) is unchanged.
fn reusable_stages(
    parse: &Parse,
    instructions: &[Instruction<'_>],
    from_positions: &[usize],
    names: &[Option<StageName>],
    old_text: &str,
    old: &DockerfileModel,
) -> Reuse {
    let same_names = names.len() == old.stages.len()
        && names.iter().zip(&old.stages).all(|(new, old)| {
            new.as_ref().map(|n| &n.lowercase) == old.name.as_ref().map(|n| &n.lowercase)
        });
    if !same_names || parse.escape != old.escape {
        return Reuse::NONE;
    }
    let new_text = parse.tree.text();
    let new_start = |stage: usize| instructions[from_positions[stage]].range().start;
    let unchanged = common_prefix_len(new_text, old_text);
    // Stage `i` is reused when stage `i + 1` starts at the same unchanged offset in both.
    let prefix = (1..from_positions.len())
        .take_while(|&next| {
            let start = old.stages[next].from_range.start;
            start as usize <= unchanged && new_start(next) == start
        })
        .count();
    // After the edit: stages whose text, from their `FROM` to the end of the file, is
    // unchanged (and found again at the moved place), when the global `ARG`s are unchanged.
    let unchanged_tail = common_suffix_len(new_text, old_text).min(new_text.len() - unchanged);
    let old_tail_start = old_text.len() - unchanged_tail.min(old_text.len());
    let delta = new_text.len() as i64 - old_text.len() as i64;
    let preamble_kept = old.stages.first().is_some_and(|first| {
        first.from_range.start as usize <= unchanged && new_start(0) == first.from_range.start
    });
    let mut suffix_from = from_positions.len();
    if preamble_kept {
        while suffix_from > prefix + 1 {
            let candidate = suffix_from - 1;
            let old_start = old.stages[candidate].from_range.start;
            let moved = i64::from(old_start) + delta;
            if (old_start as usize) < old_tail_start || i64::from(new_start(candidate)) != moved {
                break;
            }
            suffix_from = candidate;
        }
    }
    Reuse {
        prefix,
        suffix_from,
        delta,
    }
}

/// The length in bytes of the longest common suffix of `a` and `b`.
fn common_suffix_len(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length in bytes of the longest common prefix of `a` and `b`.
fn common_prefix_len(a: &str, b: &str) -> usize {
    // Compare in blocks first: a keystroke's texts share tens of kilobytes.
    const BLOCK: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut at = 0;
    while at + BLOCK <= a.len().min(b.len()) && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..]
        .iter()
        .zip(&b[at..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// State shared while walking the stages.
struct Analyzer<'n> {
    escape: char,
    stage_count: usize,
    /// The stages with each lowercased name, in order.
    stages_by_name: HashMap<&'n str, Vec<usize>, FastHash>,
    references: Vec<Arc<StageReference>>,
}

impl Analyzer<'_> {
    /// The base of stage `index` from its `FROM`, recording a reference when it names a stage.
    fn base(&mut self, index: usize, from: &Instruction<'_>, global: &Scope) -> Option<StageBase> {
        let image = from.as_from()?.image()?;
        let written = image.text().into_owned();
        let range = image.range();
        let expanded = global.expand(&written, self.escape);
        let exact = expanded.exact_text().map(str::to_owned);
        let named = exact
            .as_deref()
            .and_then(|text| self.stage_named_in_from(index, text));
        let kind = match (named, exact.as_deref()) {
            (Some((target, _)), _) if target < index => BaseKind::Stage(target),
            (_, Some("scratch")) => BaseKind::Scratch,
            _ => BaseKind::Image(split_image_ref(&expanded.text)),
        };
        if let Some((target, case_mismatch)) = named {
            let uses_variables = !expanded.used.is_empty();
            self.references.push(Arc::new(StageReference {
                kind: ReferenceKind::From,
                stage: Some(index),
                instruction: from.range(),
                written: written.clone(),
                range,
                expanded: expanded.clone(),
                target: ReferenceTarget::Stage(target),
                order: Some(order(index, target)),
                by_index: false,
                case_mismatch,
                uses_variables,
            }));
        }
        Some(StageBase {
            written,
            range,
            expanded,
            kind,
        })
    }

    /// The stage a `FROM <text>` of stage `index` names, and whether only ignoring case.
    /// BuildKit looks among earlier stages, comparing exactly with lowercased names; failing
    /// that, a case-insensitive match, or the stage itself or a later one, is what the author
    /// most likely meant (and a diagnostic can say why it does not work).
    fn stage_named_in_from(&self, index: usize, text: &str) -> Option<(usize, bool)> {
        let lowercase = lowercase(text);
        let case_mismatch = *lowercase != *text;
        let named = self.stages_by_name.get(&*lowercase)?;
        // `named` is sorted: the last one before `index`, else the first one from `index` on.
        let split = named.partition_point(|&i| i < index);
        let found = match split.checked_sub(1) {
            Some(last_earlier) => named.get(last_earlier),
            None => named.get(split),
        };
        found.map(|&found| (found, case_mismatch))
    }

    /// Records the `--from` references of one instruction.
    fn instruction_references(
        &mut self,
        instruction: &Instruction<'_>,
        stage: Option<usize>,
        scope: &Scope,
    ) {
        let kind = match instruction.kind() {
            InstructionKind::Copy => ReferenceKind::CopyFrom,
            InstructionKind::Add => ReferenceKind::AddFrom,
            InstructionKind::Run => {
                for flag in instruction.flags().filter(|f| f.name() == "mount") {
                    self.mount_reference(instruction, &flag, stage, scope);
                }
                return;
            }
            _ => return,
        };
        let Some(flag) = instruction.flag("from") else {
            return;
        };
        let Some(written) = flag.value().filter(|v| !v.is_empty()) else {
            return;
        };
        let range = flag.raw_value().map_or(flag.range(), |v| v.range);
        let uses_variables = changes_under_expansion(&written, self.escape);
        let expanded = scope.expand(&written, self.escape);
        let reference = unresolved(kind, instruction, stage, written, range, expanded);
        self.resolve_and_push(
            StageReference {
                uses_variables,
                ..reference
            },
            true,
        );
    }

    /// The `from=` field of one `--mount` flag.
    fn mount_reference(
        &mut self,
        instruction: &Instruction<'_>,
        flag: &Flag<'_>,
        stage: Option<usize>,
        scope: &Scope,
    ) {
        let Some((written, range)) = mount_from_field(flag) else {
            return;
        };
        if written.is_empty() {
            return;
        }
        // BuildKit refuses any `$` followed by a character here.
        let uses_variables = written
            .char_indices()
            .any(|(i, c)| c == '$' && i + 1 < written.len());
        let expanded = scope.expand(&written, self.escape);
        let reference = unresolved(
            ReferenceKind::RunMount,
            instruction,
            stage,
            written,
            range,
            expanded,
        );
        self.resolve_and_push(
            StageReference {
                uses_variables,
                ..reference
            },
            false,
        );
    }

    /// Resolves a `--from` or mount `from=` reference and records it. Only `--from` takes
    /// a stage index.
    fn resolve_and_push(&mut self, mut reference: StageReference, allow_index: bool) {
        let (target, by_index) = match reference.expanded.exact_text() {
            Some(text) => self.resolve(text, allow_index),
            None => (ReferenceTarget::Unresolved, false),
        };
        reference.order = match (reference.stage, target) {
            (Some(from), ReferenceTarget::Stage(to)) => Some(order(from, to)),
            _ => None,
        };
        reference.target = target;
        reference.by_index = by_index;
        self.references.push(Arc::new(reference));
    }

    /// Resolves a `--from` value: a stage name (last stage with it), a stage index, or an
    /// image, as BuildKit does.
    fn resolve(&self, text: &str, allow_index: bool) -> (ReferenceTarget, bool) {
        let lowercase = lowercase(text);
        if let Some(&found) = self
            .stages_by_name
            .get(&*lowercase)
            .and_then(|named| named.last())
        {
            return (ReferenceTarget::Stage(found), false);
        }
        if allow_index && let Some(number) = parse_index(text) {
            let target = match usize::try_from(number) {
                Ok(i) if i < self.stage_count => ReferenceTarget::Stage(i),
                _ => ReferenceTarget::InvalidIndex,
            };
            return (target, true);
        }
        let target = if text == "scratch" {
            ReferenceTarget::Scratch
        } else if text.contains(['/', ':', '@']) {
            ReferenceTarget::Image
        } else {
            ReferenceTarget::Unknown
        };
        (target, false)
    }
}

/// `text` lowercased, without allocating when it already is (stage names usually are, and
/// every reference is looked up on every keystroke).
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// A reference not resolved yet.
fn unresolved(
    kind: ReferenceKind,
    instruction: &Instruction<'_>,
    stage: Option<usize>,
    written: String,
    range: TextRange,
    expanded: Expanded,
) -> StageReference {
    StageReference {
        kind,
        stage,
        instruction: instruction.range(),
        written,
        range,
        expanded,
        target: ReferenceTarget::Unresolved,
        order: None,
        by_index: false,
        case_mismatch: false,
        uses_variables: false,
    }
}

fn order(from: usize, to: usize) -> StageOrder {
    match to.cmp(&from) {
        Ordering::Less => StageOrder::Earlier,
        Ordering::Equal => StageOrder::Itself,
        Ordering::Greater => StageOrder::Later,
    }
}

/// BuildKit's test for variables in `--from`: does expanding with no variables change it?
fn changes_under_expansion(text: &str, escape: char) -> bool {
    expand(text, ExpandOptions::new(escape), &|_| Lookup::Unset).text != text
}

/// A number as Go's `strconv.Atoi` reads it (optional sign, decimal digits).
fn parse_index(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The value of the (last) `from=` field of a `--mount` flag and its range. The flag value is
/// read as CSV, as BuildKit does: a field may be quoted, with `""` for a quote. Keys compare
/// without case. The range is the value's own when the flag value is written plainly on one
/// line, else the whole flag value's.
fn mount_from_field(flag: &Flag<'_>) -> Option<(String, TextRange)> {
    let value = flag.value()?;
    let raw = flag.raw_value();
    let whole = raw.as_ref().map_or(flag.range(), |r| r.range);
    let mappable = raw
        .as_ref()
        .is_some_and(|r| r.text == value && r.range.len() as usize == r.text.len());
    let offset = |i: usize| {
        whole
            .start
            .saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
    };

    let mut found = None;
    let mut i = 0;
    while i <= value.len() {
        let start = i;
        let rest = value.get(i..).unwrap_or("");
        let (text, end, quoted) = if let Some(inner) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut j = 0;
            loop {
                match inner.get(j..).and_then(|s| s.find('"')) {
                    None => {
                        text.push_str(inner.get(j..).unwrap_or(""));
                        j = inner.len();
                        break;
                    }
                    Some(q) => {
                        text.push_str(inner.get(j..j + q).unwrap_or(""));
                        j += q + 1;
                        if inner.get(j..).is_some_and(|s| s.starts_with('"')) {
                            text.push('"');
                            j += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            let after = inner.get(j..).unwrap_or("");
            let tail = after.find(',').unwrap_or(after.len());
            text.push_str(after.get(..tail).unwrap_or(""));
            (text, i + 1 + j + tail, true)
        } else {
            let len = rest.find(',').unwrap_or(rest.len());
            (rest.get(..len).unwrap_or("").to_owned(), i + len, false)
        };
        if let Some((key, field_value)) = text.split_once('=')
            && key.eq_ignore_ascii_case("from")
        {
            let range = if mappable && !quoted {
                TextRange::new(offset(start + key.len() + 1), offset(end))
            } else if mappable {
                TextRange::new(offset(start), offset(end))
            } else {
                whole
            };
            found = Some((field_value.to_owned(), range));
        }
        i = end + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::scope::{DEFAULT_PATH, VariableKind};
    use crate::syntax::dockerfile::parse;

    fn model(src: &str) -> DockerfileModel {
        analyze(&parse(src))
    }

    /// The offset of the `n`th occurrence (0-based) of `needle` in `src`.
    fn at(src: &str, needle: &str, n: usize) -> u32 {
        let (offset, _) = src
            .match_indices(needle)
            .nth(n)
            .unwrap_or_else(|| panic!("{needle:?} #{n} not in source"));
        offset as u32
    }

    fn slice(src: &str, range: TextRange) -> &str {
        &src[range.as_usize()]
    }

    fn value_at(m: &DockerfileModel, name: &str, offset: u32) -> Option<Option<String>> {
        m.variable_at(name, offset).map(|v| v.value)
    }

    #[test]
    fn stages_have_names_ranges_and_instructions() {
        let src = "ARG V=1\n\
                   # comment\n\
                   FROM alpine:3.20 AS Build\n\
                   RUN make\n\
                   \n\
                   COPY . /src\n\
                   FROM scratch\n\
                   COPY --from=build /out /\n";
        let m = model(src);
        assert_eq!(m.stages.len(), 2);
        let build = &m.stages[0];
        let name = build.name.as_ref().unwrap();
        assert_eq!(
            (name.text.as_str(), name.lowercase.as_str()),
            ("Build", "build")
        );
        assert_eq!(slice(src, name.range), "Build");
        assert_eq!(slice(src, build.from_range), "FROM alpine:3.20 AS Build");
        assert_eq!(
            slice(src, build.range),
            "FROM alpine:3.20 AS Build\nRUN make\n\nCOPY . /src"
        );
        let kinds: Vec<InstructionKind> = build.instructions.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [InstructionKind::Run, InstructionKind::Copy]);
        let last = &m.stages[1];
        assert_eq!(last.index, 1);
        assert!(last.name.is_none());
        assert_eq!(m.final_stage().map(|s| s.index), Some(1));
        assert_eq!(m.stage_by_name("BUILD").map(|s| s.index), Some(0));
        assert_eq!(m.stage_by_name("nope"), None);
        let parsed = parse(src);
        let views: Vec<String> = build
            .syntax_instructions(&parsed.tree)
            .map(|i| i.name().into_owned())
            .collect();
        assert_eq!(views, ["RUN", "COPY"]);
    }

    #[test]
    fn stage_at_offsets() {
        let src = "ARG A\nFROM a AS one\nRUN x\n# between\nFROM b\nRUN y\n";
        let m = model(src);
        assert_eq!(m.stage_at(0), None);
        assert_eq!(m.stage_at(at(src, "FROM a", 0)).map(|s| s.index), Some(0));
        assert_eq!(m.stage_at(at(src, "RUN x", 0)).map(|s| s.index), Some(0));
        assert_eq!(
            m.stage_at(at(src, "# between", 0)).map(|s| s.index),
            Some(0)
        );
        assert_eq!(m.stage_at(at(src, "RUN y", 0)).map(|s| s.index), Some(1));
        assert_eq!(m.stage_at(src.len() as u32 + 10).map(|s| s.index), Some(1));
    }

    #[test]
    fn instructions_before_the_first_from_belong_to_no_stage() {
        let src = "ARG A=1\nRUN echo\nCOPY --from=x a b\nFROM alpine\n";
        let m = model(src);
        assert_eq!(m.global_args.len(), 1);
        assert_eq!(m.stages[0].instructions.len(), 0);
        assert_eq!(m.references.len(), 1);
        assert_eq!(m.references[0].stage, None);
        assert_eq!(m.references[0].order, None);
    }

    #[test]
    fn base_images_are_expanded_with_global_args() {
        let src = "ARG REGISTRY=ghcr.io\nARG VERSION=20\nARG IMAGE=$REGISTRY/org/node:${VERSION}-slim\n\
                   FROM $IMAGE AS a\n\
                   FROM \"node:${VERSION:-18}\"@sha256:abc\n\
                   FROM node:${TAG}\n\
                   FROM alpine:$TARGETARCH\n";
        let m = model(src);
        let base = |i: usize| m.stages[i].base.as_ref().unwrap();
        assert_eq!(base(0).written, "$IMAGE");
        assert_eq!(slice(src, base(0).range), "$IMAGE");
        assert_eq!(base(0).expanded.text, "ghcr.io/org/node:20-slim");
        assert_eq!(base(0).registry(), Some("ghcr.io"));
        assert_eq!(base(0).image_name(), Some("org/node"));
        assert_eq!(base(0).tag(), Some("20-slim"));
        assert_eq!(base(1).expanded.text, "node:20@sha256:abc");
        assert_eq!(base(1).digest(), Some("sha256:abc"));
        // Undeclared global: BuildKit expands it to nothing.
        assert_eq!(base(2).expanded.text, "node:");
        assert_eq!(base(2).expanded.undefined[0].name, "TAG");
        // Platform arguments are unknown: kept as written.
        assert_eq!(base(3).expanded.text, "alpine:$TARGETARCH");
        assert_eq!(base(3).expanded.unknown, ["TARGETARCH"]);
        assert_eq!(base(3).tag(), Some("$TARGETARCH"));
        assert!(m.stages.iter().all(|s| s.env_from_image));
    }

    #[test]
    fn global_args_without_default_are_unknown() {
        let src = "ARG BASE\nFROM ${BASE}\n";
        let m = model(src);
        let base = m.stages[0].base.as_ref().unwrap();
        assert_eq!(base.expanded.unknown, ["BASE"]);
        assert!(matches!(base.kind, BaseKind::Image(_)));
    }

    #[test]
    fn platform_flag_is_expanded() {
        let src = "ARG P=linux/arm64\nFROM --platform=$P alpine\nFROM --platform=\"$BUILDPLATFORM\" alpine\n";
        let m = model(src);
        let p0 = m.stages[0].platform.as_ref().unwrap();
        assert_eq!(
            (p0.written.as_str(), p0.expanded.text.as_str()),
            ("$P", "linux/arm64")
        );
        assert_eq!(slice(src, p0.range), "$P");
        let p1 = m.stages[1].platform.as_ref().unwrap();
        assert_eq!(p1.written, "$BUILDPLATFORM");
        assert_eq!(p1.expanded.unknown, ["BUILDPLATFORM"]);
    }

    #[test]
    fn scratch_and_stage_bases() {
        let src = "FROM scratch AS s\nFROM s AS child\nFROM Scratch\nFROM CHILD\n";
        let m = model(src);
        let kind = |i: usize| m.stages[i].base.as_ref().unwrap().kind.clone();
        assert_eq!(kind(0), BaseKind::Scratch);
        assert!(!m.stages[0].env_from_image);
        assert_eq!(kind(1), BaseKind::Stage(0));
        assert!(!m.stages[1].env_from_image);
        assert!(
            matches!(kind(2), BaseKind::Image(_)),
            "only lowercase scratch is special"
        );
        assert_eq!(kind(3), BaseKind::Stage(1));
        let refs: Vec<(Option<usize>, ReferenceTarget, bool)> = m
            .references
            .iter()
            .map(|r| (r.stage, r.target, r.case_mismatch))
            .collect();
        assert_eq!(
            refs,
            [
                (Some(1), ReferenceTarget::Stage(0), false),
                (Some(3), ReferenceTarget::Stage(1), true),
            ]
        );
        assert_eq!(m.references[0].kind, ReferenceKind::From);
        assert_eq!(m.references[0].order, Some(StageOrder::Earlier));
        assert_eq!(slice(src, m.references[1].range), "CHILD");
    }

    #[test]
    fn from_naming_itself_or_a_later_stage_stays_an_image() {
        let src = "FROM later AS first\nFROM same AS same\nFROM alpine AS later\n";
        let m = model(src);
        assert!(matches!(
            m.stages[0].base.as_ref().unwrap().kind,
            BaseKind::Image(_)
        ));
        assert!(matches!(
            m.stages[1].base.as_ref().unwrap().kind,
            BaseKind::Image(_)
        ));
        let orders: Vec<(Option<usize>, Option<usize>, Option<StageOrder>)> = m
            .references
            .iter()
            .map(|r| (r.stage, r.target_stage(), r.order))
            .collect();
        assert_eq!(
            orders,
            [
                (Some(0), Some(2), Some(StageOrder::Later)),
                (Some(1), Some(1), Some(StageOrder::Itself)),
            ]
        );
    }

    #[test]
    fn from_through_a_global_arg_names_a_stage() {
        let src = "ARG BASE=builder\nFROM alpine AS builder\nFROM ${BASE}\nFROM \"builder\"\n";
        let m = model(src);
        assert_eq!(m.stages[1].base.as_ref().unwrap().kind, BaseKind::Stage(0));
        assert!(m.references[0].uses_variables);
        // Quotes are removed as BuildKit's lexer does; that is no variable use.
        assert_eq!(m.stages[2].base.as_ref().unwrap().kind, BaseKind::Stage(0));
        assert!(!m.references[1].uses_variables);
    }

    #[test]
    fn copy_from_references() {
        let src = "FROM alpine AS Builder\n\
                   FROM alpine AS other\n\
                   COPY --from=builder /a /a\n\
                   COPY --from=BUILDER /a /a\n\
                   COPY --from=0 /a /a\n\
                   COPY --from=7 /a /a\n\
                   COPY --from=-1 /a /a\n\
                   COPY --from=nginx:latest /a /a\n\
                   COPY --from=ghcr.io/x/y /a /a\n\
                   COPY --from=bulider /a /a\n\
                   COPY --from=other /a /a\n\
                   COPY --from=last /a /a\n\
                   COPY --from=scratch /a /a\n\
                   ADD --from=builder /a /a\n\
                   COPY --from= /a /a\n\
                   COPY /a /a\n\
                   FROM alpine AS last\n";
        let m = model(src);
        let got: Vec<(&str, ReferenceTarget, Option<StageOrder>, bool)> = m
            .references
            .iter()
            .map(|r| (slice(src, r.range), r.target, r.order, r.by_index))
            .collect();
        use ReferenceTarget as T;
        use StageOrder as O;
        assert_eq!(
            got,
            [
                ("builder", T::Stage(0), Some(O::Earlier), false),
                ("BUILDER", T::Stage(0), Some(O::Earlier), false),
                ("0", T::Stage(0), Some(O::Earlier), true),
                ("7", T::InvalidIndex, None, true),
                ("-1", T::InvalidIndex, None, true),
                ("nginx:latest", T::Image, None, false),
                ("ghcr.io/x/y", T::Image, None, false),
                ("bulider", T::Unknown, None, false),
                ("other", T::Stage(1), Some(O::Itself), false),
                ("last", T::Stage(2), Some(O::Later), false),
                ("scratch", T::Scratch, None, false),
                ("builder", T::Stage(0), Some(O::Earlier), false),
            ]
        );
        assert_eq!(m.references[11].kind, ReferenceKind::AddFrom);
        assert!(m.references.iter().all(|r| r.stage == Some(1)));
        assert_eq!(m.references_to(0).count(), 4);
        let offset = at(src, "bulider", 0) + 2;
        assert_eq!(
            m.reference_at(offset).map(|r| r.written.as_str()),
            Some("bulider")
        );
    }

    #[test]
    fn repeated_names_resolve_to_the_last_stage() {
        let src = "FROM a AS x\nFROM b AS x\nFROM c\nCOPY --from=x / /\n";
        let m = model(src);
        assert_eq!(m.references[0].target, ReferenceTarget::Stage(1));
        assert_eq!(m.stage_by_name("x").map(|s| s.index), Some(1));
    }

    #[test]
    fn from_values_with_variables_are_expanded_and_flagged() {
        let src = "FROM alpine AS build\n\
                   ARG SRC=build\n\
                   COPY --from=$SRC /a /a\n\
                   COPY --from=\"build\" /a /a\n\
                   ARG UNSET\n\
                   COPY --from=${UNSET} /a /a\n";
        let m = model(src);
        let r = &m.references;
        assert_eq!(r[0].written, "$SRC");
        assert_eq!(r[0].expanded.text, "build");
        assert_eq!(r[0].target, ReferenceTarget::Stage(0));
        assert!(r[0].uses_variables);
        assert_eq!(r[1].written, "build");
        assert!(!r[1].uses_variables);
        assert_eq!(r[2].target, ReferenceTarget::Unresolved);
        assert_eq!(r[2].expanded.unknown, ["UNSET"]);
    }

    #[test]
    fn run_mount_references() {
        let src = "FROM alpine AS deps\n\
                   FROM alpine\n\
                   RUN --mount=type=bind,from=deps,source=/x,target=/y \\\n    --mount=type=cache,target=/c \\\n    --mount=FROM=node:20,target=/n make\n\
                   RUN --mount=type=bind,from=0,target=/z --mount=\"type=bind,from=$X\" true\n";
        let m = model(src);
        let got: Vec<(&str, &str, ReferenceTarget, bool)> = m
            .references
            .iter()
            .map(|r| {
                (
                    r.written.as_str(),
                    slice(src, r.range),
                    r.target,
                    r.uses_variables,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("deps", "deps", ReferenceTarget::Stage(0), false),
                ("node:20", "node:20", ReferenceTarget::Image, false),
                ("0", "0", ReferenceTarget::Unknown, false),
                (
                    "$X",
                    "\"type=bind,from=$X\"",
                    ReferenceTarget::Unresolved,
                    true
                ),
            ]
        );
        assert!(
            m.references
                .iter()
                .all(|r| r.kind == ReferenceKind::RunMount)
        );
    }

    #[test]
    fn quoted_mount_fields() {
        let src = "FROM a AS b\nFROM c\nRUN --mount=type=bind,\"from=b\",target=/t true\n";
        let m = model(src);
        assert_eq!(m.references[0].written, "b");
        assert_eq!(m.references[0].target, ReferenceTarget::Stage(0));
    }

    #[test]
    fn global_args_are_visible_in_from_lines_only() {
        let src = "ARG VERSION=1.0\nFROM alpine:$VERSION\nRUN echo $VERSION\nARG VERSION\nRUN echo $VERSION\n";
        let m = model(src);
        let from_line = at(src, "alpine", 0);
        assert_eq!(
            value_at(&m, "VERSION", from_line),
            Some(Some("1.0".to_owned()))
        );
        assert_eq!(value_at(&m, "TARGETARCH", from_line), Some(None));
        let first_run = at(src, "RUN", 0);
        assert_eq!(value_at(&m, "VERSION", first_run), None);
        assert_eq!(value_at(&m, "TARGETARCH", first_run), None);
        let second_run = at(src, "RUN", 1);
        assert_eq!(
            value_at(&m, "VERSION", second_run),
            Some(Some("1.0".to_owned()))
        );
        assert_eq!(m.expand("v$VERSION", second_run).text, "v1.0");
        // Global ARGs later in the preamble are not visible before their declaration.
        let src = "ARG A=1\nARG B=$A C=$B\nFROM x\n";
        let m = model(src);
        assert_eq!(value_at(&m, "A", 0), None);
        assert_eq!(
            value_at(&m, "A", at(src, "ARG B", 0)),
            Some(Some("1".to_owned()))
        );
        assert_eq!(value_at(&m, "B", at(src, "ARG B", 0)), None);
        let globals: Vec<(&str, Option<&str>)> = m
            .global_args
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_deref()))
            .collect();
        assert_eq!(
            globals,
            [("A", Some("1")), ("B", Some("1")), ("C", Some("1"))]
        );
    }

    #[test]
    fn platform_args_need_declaring_inside_a_stage() {
        let src = "FROM alpine\nRUN echo $TARGETARCH\nARG TARGETARCH\nRUN echo $TARGETARCH\n";
        let m = model(src);
        let before = m.expand("$TARGETARCH", at(src, "RUN", 0));
        assert_eq!(before.undefined[0].name, "TARGETARCH");
        let after = m.expand("$TARGETARCH", at(src, "RUN", 1));
        assert!(after.undefined.is_empty());
        assert_eq!(after.unknown, ["TARGETARCH"]);
    }

    #[test]
    fn proxy_args_are_always_visible() {
        let src = "FROM alpine\nRUN curl\n";
        let m = model(src);
        let e = m.expand("$HTTPS_PROXY $no_proxy", at(src, "RUN", 0));
        assert!(e.undefined.is_empty());
        assert_eq!(e.unknown, ["HTTPS_PROXY", "no_proxy"]);
        assert_eq!(
            m.variable_at("ALL_PROXY", 0).map(|v| v.kind),
            Some(VariableKind::Proxy)
        );
    }

    #[test]
    fn declarations_are_visible_after_their_instruction() {
        let src = "FROM scratch\nENV A=1 B=$A\nARG C=2 D=$C\nRUN true\n";
        let m = model(src);
        let env_line = at(src, "B=$A", 0) + 3;
        assert_eq!(value_at(&m, "A", env_line), None);
        let arg_line = at(src, "D=$C", 0) + 3;
        assert_eq!(value_at(&m, "C", arg_line), Some(Some("2".to_owned())));
        let run = at(src, "RUN", 0);
        assert_eq!(value_at(&m, "B", run), Some(Some(String::new())));
        assert_eq!(value_at(&m, "D", run), Some(Some("2".to_owned())));
        let names: Vec<String> = m.visible_vars(run).into_iter().map(|v| v.name).collect();
        assert!(names.ends_with(&["PATH", "A", "B", "C", "D"].map(String::from)));
        let a = m.variable_at("A", run).unwrap();
        assert_eq!(slice(src, a.declared_at.unwrap()), "A");
        assert_eq!(a.kind, VariableKind::Env);
    }

    #[test]
    fn scratch_stage_has_the_default_path() {
        let src = "FROM scratch\nENV PATH=/app:$PATH\nRUN x\n";
        let m = model(src);
        assert_eq!(
            value_at(&m, "PATH", at(src, "RUN", 0)),
            Some(Some(format!("/app:{DEFAULT_PATH}")))
        );
        assert!(!m.stages[0].env_from_image);
        let src = "FROM debian\nENV PATH=/app:$PATH\nRUN x\n";
        let m = model(src);
        assert_eq!(value_at(&m, "PATH", at(src, "RUN", 0)), Some(None));
    }

    #[test]
    fn undeclared_names_in_image_stages_may_come_from_the_image() {
        let src = "FROM node:20\nRUN x\nFROM scratch\nRUN y\n";
        let m = model(src);
        let e = m.expand("$NODE_VERSION", at(src, "RUN x", 0));
        assert!(e.undefined[0].may_be_set_by_image);
        assert_eq!(e.unknown, ["NODE_VERSION"]);
        let e = m.expand("$NODE_VERSION", at(src, "RUN y", 0));
        assert!(!e.undefined[0].may_be_set_by_image);
        assert!(e.is_exact());
    }

    #[test]
    fn stages_inherit_env_and_arg_from_their_base_stage() {
        let src = "FROM scratch AS base\nARG A=1\nENV B=2\nFROM base AS child\nRUN x\nFROM scratch\nRUN y\n";
        let m = model(src);
        let run = at(src, "RUN x", 0);
        let a = m.variable_at("A", run).unwrap();
        assert_eq!((a.value.as_deref(), a.inherited_from), (Some("1"), Some(0)));
        assert_eq!(slice(src, a.declared_at.unwrap()), "A");
        assert_eq!(value_at(&m, "B", run), Some(Some("2".to_owned())));
        assert_eq!(value_at(&m, "A", at(src, "RUN y", 0)), None);
    }

    #[test]
    fn env_overrides_arg_in_order() {
        let src = "FROM scratch\nARG V=arg\nENV V=env\nRUN a\nARG V=arg2\nRUN b\n";
        let m = model(src);
        assert_eq!(
            value_at(&m, "V", at(src, "RUN a", 0)),
            Some(Some("env".to_owned()))
        );
        assert_eq!(
            value_at(&m, "V", at(src, "RUN b", 0)),
            Some(Some("arg2".to_owned()))
        );
    }

    #[test]
    fn env_values_use_the_stage_scope() {
        let src = "ARG G=global\nFROM scratch\nARG G\nARG L=local\nENV X=\"$G-$L\" Y='$G' Z=$NOPE\nRUN x\n";
        let m = model(src);
        let run = at(src, "RUN", 0);
        assert_eq!(
            value_at(&m, "X", run),
            Some(Some("global-local".to_owned()))
        );
        assert_eq!(value_at(&m, "Y", run), Some(Some("$G".to_owned())));
        assert_eq!(value_at(&m, "Z", run), Some(Some(String::new())));
    }

    #[test]
    fn backtick_escape_files() {
        let src = "# escape=`\nFROM scratch\nENV P=C:\\app` dir\nRUN x\n";
        let m = model(src);
        assert_eq!(m.escape, '`');
        assert_eq!(
            value_at(&m, "P", at(src, "RUN", 0)),
            Some(Some("C:\\app dir".to_owned()))
        );
    }

    #[test]
    fn parse_index_reads_like_atoi() {
        assert_eq!(parse_index("0"), Some(0));
        assert_eq!(parse_index("+2"), Some(2));
        assert_eq!(parse_index("-1"), Some(-1));
        assert_eq!(parse_index("007"), Some(7));
        assert_eq!(parse_index(""), None);
        assert_eq!(parse_index("-"), None);
        assert_eq!(parse_index("1a"), None);
        assert_eq!(parse_index("99999999999999999999999"), None);
    }

    /// `lookup_at` answers what looking up in `scope_at` would, everywhere.
    #[test]
    fn lookup_at_agrees_with_scope_at() {
        let files = [
            "ARG A=1\nARG B=$A C\nFROM x:$B AS one\nENV D=2 A=3\nARG C\nRUN x\nFROM one\nARG E=$D\nRUN y\n\
             FROM scratch\nENV PATH=/x:$PATH\nARG TARGETARCH\nRUN z\n",
            "FROM node:20\nARG V\nENV V=1\nARG V=2\nENV W=$V\n",
        ];
        let names = [
            "A",
            "B",
            "C",
            "D",
            "E",
            "V",
            "W",
            "PATH",
            "TARGETARCH",
            "HTTP_PROXY",
            "NOPE",
        ];
        for src in files {
            let m = model(src);
            for offset in 0..=src.len() as u32 + 1 {
                let scope = m.scope_at(offset);
                for name in names {
                    assert_eq!(
                        m.lookup_at(name, offset),
                        scope.lookup(name),
                        "{name} at {offset} in {src:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn broken_files_do_not_panic() {
        let inputs = [
            "",
            "\n\n",
            "FROM",
            "FROM \n",
            "FROM --platform= \n",
            "FROM AS x\n",
            "FROM a AS\n",
            "ARG\nFROM ${\n",
            "FROM a\nCOPY --from\nCOPY --from=\nRUN --mount\nRUN --mount=\nRUN --mount=from=\n",
            "FROM a\nRUN --mount=\"from=\"\"x\"\"\n",
            "FROM a\nRUN --mount=\"unterminated,from=a\n",
            "FROM a\nENV\nARG\nENV =\nARG =\n",
            "COPY --from=a b c\n",
            "ONBUILD COPY --from=x a b\nFROM x\n",
            "FROM a AS a\nFROM a AS a\nCOPY --from=a / /\n",
            "FROM é AS ü\nCOPY --from=Ü / /\n",
            "\u{feff}FROM a\\\n  AS b\nCOPY --from=b\\\n / /\n",
            "FROM a\nRUN <<EOF\n${\nEOF\n",
        ];
        for src in inputs {
            let m = model(src);
            for offset in 0..=src.len() as u32 + 2 {
                let _ = m.visible_vars(offset);
                let _ = m.stage_at(offset);
                let _ = m.expand("$A ${B:-x}", offset);
            }
        }
    }

    #[test]
    fn continuation_lines_keep_working() {
        let src = "FROM alpine \\\n  AS b\nFROM scratch\nCOPY --from=\\\nb / /\n";
        let m = model(src);
        assert_eq!(
            m.stages[0].name.as_ref().map(|n| n.text.as_str()),
            Some("b")
        );
        assert_eq!(m.references[0].target, ReferenceTarget::Stage(0));
    }

    #[test]
    fn many_stages_stay_fast_enough() {
        // No timing assertion: a long chain of stages and variables must simply finish.
        let mut src = String::from("ARG V=0\n");
        for i in 0..2_000 {
            src.push_str(&format!(
                "FROM {} AS s{i}\nARG A{i}=$V\nENV E{i}=${{A{i}}}x\nCOPY --from=s0 / /\n",
                if i == 0 {
                    "scratch".to_owned()
                } else {
                    format!("s{}", i - 1)
                }
            ));
        }
        let m = model(&src);
        assert_eq!(m.stages.len(), 2_000);
        let last = m.final_stage().unwrap();
        assert_eq!(last.base.as_ref().unwrap().kind, BaseKind::Stage(1_998));
        // Within the inheritance cap, variables flow down the chain.
        let tenth = m.stages[10].range.end;
        assert_eq!(value_at(&m, "E10", tenth), Some(Some("x".to_owned())));
        assert_eq!(
            m.variable_at("E0", tenth).and_then(|v| v.inherited_from),
            Some(0)
        );
        assert!(!m.stages[10].env_from_image);
        // Past it, a stage starts afresh and what it cannot see is unknown, not guessed.
        let end = src.len() as u32;
        assert!(last.env_from_image);
        assert_eq!(value_at(&m, "E1999", end), Some(None));
        assert_eq!(value_at(&m, "E0", end), None);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::syntax::dockerfile::parse;
    use proptest::prelude::*;

    fn dockerfile_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("FROM ".to_owned()),
            Just("ARG ".to_owned()),
            Just("ENV ".to_owned()),
            Just("COPY --from=".to_owned()),
            Just("RUN --mount=from=".to_owned()),
            Just(" AS ".to_owned()),
            Just("\n".to_owned()),
            Just("\\\n".to_owned()),
            Just("${".to_owned()),
            Just("}".to_owned()),
            Just(":-".to_owned()),
            Just("$".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("=".to_owned()),
            Just(",".to_owned()),
            Just("# escape=`\n".to_owned()),
            "[a-zA-Z0-9_./:@ -]{0,6}",
            "\\PC{0,3}",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn analysis_never_panics(src in dockerfile_like()) {
            let parsed = parse(&src);
            let m = analyze(&parsed);
            for offset in (0..=src.len() as u32 + 1).step_by(7) {
                let _ = m.visible_vars(offset);
                let _ = m.expand(&src, offset);
            }
            for stage in &m.stages {
                prop_assert!(stage.range.contains_range(stage.from_range));
                let _ = stage.syntax_instructions(&parsed.tree).count();
                if let Some(base) = &stage.base {
                    let _ = (base.registry(), base.image_name(), base.tag(), base.digest());
                }
            }
            for reference in &m.references {
                prop_assert!(reference.range.end as usize <= src.len());
            }
        }

        #[test]
        fn expansion_never_panics(text in "\\PC{0,64}", escape in prop_oneof![Just('\\'), Just('`')]) {
            let lookup = |name: &str| if name.len().is_multiple_of(2) { Lookup::Unset } else { Lookup::Set(name.to_owned().into()) };
            let e = expand(&text, ExpandOptions::new(escape), &lookup);
            for u in &e.undefined {
                prop_assert!(u.range.end as usize <= text.len());
            }
            for err in &e.errors {
                prop_assert!(err.range.end as usize <= text.len());
            }
        }
    }
}
