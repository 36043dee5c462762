//! Definition, references, document highlight and rename for stages, ARG/ENV variables and heredoc delimiters.
//!
//! **Stages.** A stage is declared by `AS name` and used by `FROM name`, `COPY --from=name`
//! and `RUN --mount=...,from=name`, as resolved by the semantic model (case-insensitive, the
//! last stage of a repeated name wins). Numeric references (`--from=0`) are references, but
//! rename leaves them alone: the index stays right when the name changes. A reference spelled
//! through a variable (`--from=$SRC`, `FROM ${BASE}`) or split by a line continuation is a
//! reference too, but rename refuses to run rather than leave it pointing at a name that no
//! longer exists.
//!
//! **Variables.** Declarations are the keys of top-level `ARG` and `ENV` instructions; uses are
//! `$NAME` and `${NAME...}` in any instruction's words, flag values, keys and values, JSON
//! strings, `FROM` lines and the bodies of heredocs with an unquoted delimiter. Uses inside
//! single quotes or after the escape character are not uses. Scoping follows BuildKit:
//! `FROM` lines see the global `ARG`s; a stage sees its own declarations and, when built
//! `FROM` another stage, that stage's. Everything one name means inside one scope is one
//! variable: re-declarations (`ENV PATH=/x:$PATH`) are the same variable, and so are a global
//! `ARG` and its bare re-declarations (`ARG NAME`) in stages. Go-to-definition answers the
//! declaration visible at the use. Variables BuildKit or the base image provide (`PATH`,
//! `TARGETARCH`, proxies, undeclared names) can be highlighted but not renamed.
//!
//! **Heredoc delimiters.** The delimiter in `<<EOF` (quotes and `-` kept) is the declaration,
//! its terminator line the one use.
//!
//! A name split by a line continuation (`$NA\` + newline + `ME`) is not recognized.

use std::collections::{HashMap, HashSet};

use super::{DockerfileAnalysis, NavigationTarget, Reference, TextEdit};
use crate::semantic::scope::{MAX_INHERITANCE_DEPTH, PLATFORM_ARGS, PROXY_ARGS};
use crate::semantic::{ReferenceTarget, StageReference};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::{Dockerfile, Heredoc, Instruction, Spanned};
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind, SyntaxNode, SyntaxToken, SyntaxTree};

/// Where the declaration of the symbol at `offset` is.
pub fn definition(analysis: &DockerfileAnalysis, offset: u32) -> Option<NavigationTarget> {
    match symbol_at(analysis, offset).ok()? {
        Symbol::Stage(index) => stage_target(analysis, index),
        Symbol::Variable(index, at) => {
            let declaration = &index.occurrences[index.occurrences[at].definition?];
            Some(NavigationTarget {
                full: declaration.instruction,
                focus: declaration.name,
            })
        }
        Symbol::Heredoc(heredoc) => Some(NavigationTarget {
            full: heredoc.full,
            focus: heredoc.marker,
        }),
    }
}

/// Every occurrence of the symbol at `offset`, in source order.
pub fn references(
    analysis: &DockerfileAnalysis,
    offset: u32,
    include_declaration: bool,
) -> Vec<Reference> {
    let Ok(symbol) = symbol_at(analysis, offset) else {
        return Vec::new();
    };
    let mut found: Vec<Reference> = occurrences(analysis, &symbol)
        .into_iter()
        .filter(|o| include_declaration || !o.is_declaration)
        .map(|o| Reference {
            range: o.range,
            is_declaration: o.is_declaration,
        })
        .collect();
    found.sort_by_key(|r| (r.range.start, r.range.end));
    found.dedup_by_key(|r| r.range);
    found
}

/// The occurrences of the symbol at `offset` to highlight: declarations and uses.
pub fn highlights(analysis: &DockerfileAnalysis, offset: u32) -> Vec<Reference> {
    references(analysis, offset, true)
}

/// The range of the name at `offset`, if it can be renamed; else why not.
pub fn prepare_rename(analysis: &DockerfileAnalysis, offset: u32) -> Result<TextRange, String> {
    let symbol = symbol_at(analysis, offset)?;
    renamable(analysis, &symbol)?;
    match &symbol {
        // The cursor may be on the `$` of `$NAME`: the name is what gets renamed.
        Symbol::Variable(index, at) => Ok(index.occurrences[*at].name),
        Symbol::Heredoc(heredoc) if heredoc.at_terminator => {
            Ok(heredoc.terminator.unwrap_or(heredoc.marker))
        }
        Symbol::Heredoc(heredoc) => Ok(heredoc.marker),
        Symbol::Stage(_) => {
            let under_cursor = occurrences(analysis, &symbol)
                .into_iter()
                .filter(|o| o.range.touches(offset))
                .min_by_key(|o| touch_rank(o.range, offset));
            match under_cursor.map(|o| (o.edit, o.range)) {
                Some((Edit::Rename, range)) => Ok(range),
                Some((Edit::ByIndex, _)) => Err(RENAME_BY_INDEX.to_owned()),
                _ => Err(RENAME_INDIRECT.to_owned()),
            }
        }
    }
}

const RENAME_BY_INDEX: &str =
    "this refers to the stage by its index; rename the stage at its `AS` name";
const RENAME_INDIRECT: &str = "this reference goes through a variable or a line continuation; \
                               rename the stage at its `AS` name";

/// Orders ranges touching `offset`: the cursor inside first, then just after, then before.
pub(crate) fn touch_rank(range: TextRange, offset: u32) -> u8 {
    if range.start < offset && offset < range.end {
        0
    } else if range.end == offset {
        1
    } else {
        2
    }
}

/// The edits that rename the symbol at `offset` to `new_name` everywhere.
pub fn rename(
    analysis: &DockerfileAnalysis,
    offset: u32,
    new_name: &str,
) -> Result<Vec<TextEdit>, String> {
    let symbol = symbol_at(analysis, offset)?;
    let old_name = renamable(analysis, &symbol)?;
    if new_name == old_name {
        return Ok(Vec::new());
    }
    match &symbol {
        Symbol::Stage(index) => check_stage_name(analysis, *index, new_name)?,
        Symbol::Variable(index, at) => check_variable_name(analysis, index, *at, new_name)?,
        Symbol::Heredoc(heredoc) => check_heredoc_name(heredoc, new_name)?,
    }
    let text = analysis.text();
    let mut edits = Vec::new();
    for occurrence in occurrences(analysis, &symbol) {
        match occurrence.edit {
            Edit::Rename => edits.push(TextEdit {
                range: occurrence.range,
                new_text: new_name.to_owned(),
            }),
            Edit::ByIndex => {}
            Edit::Blocked => {
                return Err(format!(
                    "`{old_name}` is also referenced as `{}` on line {}, through a variable or \
                     across a line continuation; change that reference by hand first",
                    slice(text, occurrence.range),
                    line_number(text, occurrence.range.start)
                ));
            }
        }
    }
    edits.sort_by_key(|e| e.range.start);
    edits.dedup_by_key(|e| e.range);
    Ok(edits)
}

// ---- The symbol at the cursor ----

/// Something with declarations and uses.
enum Symbol<'t> {
    Stage(usize),
    /// A variable: the index of the file and the occurrence at the cursor.
    Variable(VariableIndex, usize),
    Heredoc(HeredocSymbol<'t>),
}

fn symbol_at(analysis: &DockerfileAnalysis, offset: u32) -> Result<Symbol<'_>, String> {
    let tree = &analysis.parse.tree;
    let mut why_not = None;
    // Built on the first token that may hold a variable.
    let mut variables: Option<VariableIndex> = None;
    for token in tokens_at(tree, offset) {
        match token.kind() {
            SyntaxKind::HeredocMarker | SyntaxKind::HeredocEnd => {
                if let Some(heredoc) = heredoc_at(token) {
                    return Ok(Symbol::Heredoc(heredoc));
                }
            }
            SyntaxKind::StageName => {
                if let Some(stage) = analysis
                    .model
                    .stages
                    .iter()
                    .find(|s| s.name.as_ref().is_some_and(|n| n.range.touches(offset)))
                {
                    return Ok(Symbol::Stage(stage.index));
                }
            }
            SyntaxKind::Keyword | SyntaxKind::AsKeyword => {
                why_not.get_or_insert_with(|| {
                    format!(
                        "`{}` is an instruction keyword; only stage names, ARG/ENV variables \
                         and heredoc delimiters can be renamed",
                        token.text()
                    )
                });
            }
            _ => {}
        }
        if may_hold_variable(token) {
            let index = variables.get_or_insert_with(|| VariableIndex::build(analysis));
            if let Some(at) = index.occurrence_at(offset)
                && let Some(index) = variables.take()
            {
                return Ok(Symbol::Variable(index, at));
            }
        }
        if let Some(reference) = stage_reference_at(analysis, token, offset) {
            match reference.target {
                ReferenceTarget::Stage(index) => return Ok(Symbol::Stage(index)),
                _ => {
                    why_not.get_or_insert_with(|| {
                        format!(
                            "`{}` names no stage of this Dockerfile",
                            reference.expanded.text
                        )
                    });
                }
            }
        }
        if is_image_part(token.kind()) {
            why_not.get_or_insert_with(|| {
                let image = token.parent().logical_text();
                format!("`{image}` is an image, not a stage of this Dockerfile")
            });
        }
    }
    Err(why_not.unwrap_or_else(|| {
        "nothing to rename here: put the cursor on a stage name, an ARG/ENV variable or a \
         heredoc delimiter"
            .to_owned()
    }))
}

/// The stage reference touching `offset` whose value overlaps `token`.
fn stage_reference_at<'a>(
    analysis: &'a DockerfileAnalysis,
    token: SyntaxToken<'_>,
    offset: u32,
) -> Option<&'a StageReference> {
    analysis.model.references.iter().map(|r| &**r).find(|r| {
        let token = token.range();
        r.range.touches(offset) && r.range.start <= token.end && token.start <= r.range.end
    })
}

fn is_image_part(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::ImageRegistry
            | SyntaxKind::ImageName
            | SyntaxKind::ImageSeparator
            | SyntaxKind::ImageTag
            | SyntaxKind::ImageDigest
    )
}

/// Tokens that may hold a `$NAME` use or an ARG/ENV declaration key.
fn may_hold_variable(token: SyntaxToken<'_>) -> bool {
    match token.kind() {
        SyntaxKind::Key => true,
        SyntaxKind::Text
        | SyntaxKind::FlagValue
        | SyntaxKind::Value
        | SyntaxKind::JsonString
        | SyntaxKind::HeredocBody => token.text().contains('$'),
        kind => is_image_part(kind) && token.text().contains('$'),
    }
}

/// The tokens touching `offset` that mean something (not whitespace, line breaks or line
/// continuations), best first: the one the cursor is inside, else the one it is just after,
/// then the one it is just before. At most two.
pub(crate) fn tokens_at(tree: &SyntaxTree, offset: u32) -> Vec<SyntaxToken<'_>> {
    let significant = |t: &SyntaxToken<'_>| {
        !matches!(
            t.kind(),
            SyntaxKind::Whitespace
                | SyntaxKind::Newline
                | SyntaxKind::Indent
                | SyntaxKind::LineContinuation
                | SyntaxKind::Bom
        )
    };
    let at = tree.token_at_offset(offset);
    if let Some(inside) = at.filter(|t| t.range().start < offset) {
        return [inside].into_iter().filter(significant).collect();
    }
    let before = offset
        .checked_sub(1)
        .and_then(|o| tree.token_at_offset(o))
        .filter(|t| t.range().end == offset);
    before.into_iter().chain(at).filter(significant).collect()
}

// ---- Occurrences and what rename does with each ----

/// How rename treats an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    /// Replace the range with the new name.
    Rename,
    /// A stage referenced by number: stays valid, left alone.
    ByIndex,
    /// Cannot be rewritten safely (a variable, a name split by a continuation).
    Blocked,
}

#[derive(Clone, Copy, Debug)]
struct Occurrence {
    range: TextRange,
    is_declaration: bool,
    edit: Edit,
}

fn occurrences(analysis: &DockerfileAnalysis, symbol: &Symbol<'_>) -> Vec<Occurrence> {
    match symbol {
        Symbol::Stage(index) => stage_occurrences(analysis, *index),
        Symbol::Variable(index, at) => index
            .members(*at)
            .map(|o| Occurrence {
                range: o.name,
                is_declaration: o.is_declaration,
                edit: Edit::Rename,
            })
            .collect(),
        Symbol::Heredoc(heredoc) => std::iter::once(Occurrence {
            range: heredoc.marker,
            is_declaration: true,
            edit: Edit::Rename,
        })
        .chain(heredoc.terminator.map(|range| Occurrence {
            range,
            is_declaration: false,
            edit: Edit::Rename,
        }))
        .collect(),
    }
}

/// The current name of a symbol that may be renamed; else why it may not.
fn renamable(analysis: &DockerfileAnalysis, symbol: &Symbol<'_>) -> Result<String, String> {
    match symbol {
        Symbol::Stage(index) => analysis
            .model
            .stage(*index)
            .and_then(|s| s.name.as_ref())
            .map(|n| n.text.clone())
            .ok_or_else(|| {
                format!("stage {index} has no name to rename; add one with `AS <name>`")
            }),
        Symbol::Variable(index, at) => {
            let name = slice(analysis.text(), index.occurrences[*at].name).to_owned();
            let group = index.group(*at);
            if index.automatic[group] {
                return Err(format!(
                    "`{name}` is set by BuildKit or the base image and cannot be renamed"
                ));
            }
            if !index.members(*at).any(|o| o.is_declaration) {
                return Err(format!(
                    "`{name}` is not declared in this Dockerfile (it may come from the base \
                     image or the shell)"
                ));
            }
            Ok(name)
        }
        Symbol::Heredoc(heredoc) => Ok(slice(analysis.text(), heredoc.marker).to_owned()),
    }
}

// ---- Stages ----

fn stage_target(analysis: &DockerfileAnalysis, index: usize) -> Option<NavigationTarget> {
    let stage = analysis.model.stage(index)?;
    let focus = match (&stage.name, &stage.base) {
        (Some(name), _) => name.range,
        (None, Some(base)) => base.range,
        (None, None) => stage.from_range,
    };
    Some(NavigationTarget {
        full: stage.range,
        focus,
    })
}

fn stage_occurrences(analysis: &DockerfileAnalysis, index: usize) -> Vec<Occurrence> {
    let text = analysis.text();
    let mut found = Vec::new();
    if let Some(name) = analysis.model.stage(index).and_then(|s| s.name.as_ref()) {
        let written_plainly = slice(text, name.range) == name.text;
        found.push(Occurrence {
            range: name.range,
            is_declaration: true,
            edit: if written_plainly {
                Edit::Rename
            } else {
                Edit::Blocked
            },
        });
    }
    for reference in analysis.model.references_to(index) {
        let located = (!reference.uses_variables && !reference.by_index)
            .then(|| locate_stage_name(text, reference))
            .flatten();
        found.push(match located {
            Some(range) => Occurrence {
                range,
                is_declaration: false,
                edit: Edit::Rename,
            },
            None => Occurrence {
                range: reference.range,
                is_declaration: false,
                edit: if reference.by_index {
                    Edit::ByIndex
                } else {
                    Edit::Blocked
                },
            },
        });
    }
    found
}

/// The range of the stage name inside a reference's value: the whole value, the inside of its
/// quotes, or the value of a `from=` field when the model located the whole flag value.
fn locate_stage_name(text: &str, reference: &StageReference) -> Option<TextRange> {
    let range = reference.range;
    let written = slice(text, range);
    let name = reference.written.as_str();
    if name.is_empty() {
        return None;
    }
    if written == name {
        return Some(range);
    }
    let unquoted = ['"', '\''].iter().find_map(|&q| {
        written
            .strip_prefix(q)
            .and_then(|s| s.strip_suffix(q))
            .filter(|inner| *inner == name)
    });
    if unquoted.is_some() {
        return Some(TextRange::new(range.start + 1, range.end - 1));
    }
    // A mount value such as `"type=bind,from=deps"`: the name right after `from=`.
    written.match_indices(name).find_map(|(at, _)| {
        let before = written.get(at.checked_sub(5)?..at)?;
        let after = written[at + name.len()..].chars().next();
        (before.eq_ignore_ascii_case("from=") && matches!(after, None | Some(',' | '"'))).then(
            || {
                TextRange::new(
                    range.start + at as u32,
                    range.start + (at + name.len()) as u32,
                )
            },
        )
    })
}

/// Refuses stage names BuildKit rejects or that would change what another name means.
fn check_stage_name(
    analysis: &DockerfileAnalysis,
    index: usize,
    new_name: &str,
) -> Result<(), String> {
    let mut chars = new_name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !valid {
        return Err(format!(
            "`{new_name}` is not a valid stage name: use a lowercase letter followed by \
             lowercase letters, digits, `.`, `_` or `-`"
        ));
    }
    if new_name == "scratch" {
        return Err("`scratch` is reserved for the empty image".to_owned());
    }
    let model = &analysis.model;
    if let Some(other) = model
        .stages
        .iter()
        .find(|s| s.index != index && s.name.as_ref().is_some_and(|n| n.lowercase == new_name))
    {
        return Err(format!(
            "stage {} is already named `{new_name}`",
            other.index
        ));
    }
    let names_image = |written: &str| written.eq_ignore_ascii_case(new_name);
    let image_use = model
        .stages
        .iter()
        .filter_map(|s| s.base.as_ref())
        .any(|b| b.stage().is_none() && names_image(&b.written))
        || model
            .references
            .iter()
            .any(|r| r.target_stage().is_none() && names_image(&r.written));
    if image_use {
        return Err(format!(
            "`{new_name}` is already used as an image in this Dockerfile; renaming the stage \
             would change what that refers to"
        ));
    }
    Ok(())
}

// ---- Heredoc delimiters ----

struct HeredocSymbol<'t> {
    /// The delimiter inside the marker (`EOF` in `<<-"EOF"`).
    marker: TextRange,
    /// The delimiter on the terminator line (leading tabs excluded).
    terminator: Option<TextRange>,
    /// From the marker to the end of the terminator.
    full: TextRange,
    body: Option<SyntaxToken<'t>>,
    strips_tabs: bool,
    /// The cursor is on the terminator rather than the marker.
    at_terminator: bool,
    /// The delimiters of the instruction's other heredocs.
    siblings: Vec<String>,
}

/// The heredoc whose marker or terminator is `token`.
fn heredoc_at(token: SyntaxToken<'_>) -> Option<HeredocSymbol<'_>> {
    let instruction = token.ancestors().find_map(Instruction::cast)?;
    let heredocs = instruction.heredocs();
    let position = heredocs.iter().position(|h| match token.kind() {
        SyntaxKind::HeredocEnd => h.terminator() == Some(token),
        _ => h.marker_range().contains_range(token.range()),
    })?;
    let heredoc = &heredocs[position];
    let marker = marker_delimiter_range(heredoc)?;
    let terminator = terminator_delimiter_range(heredoc);
    let end = heredoc
        .range()
        .map_or(heredoc.marker_range().end, |r| r.end);
    Some(HeredocSymbol {
        marker,
        terminator,
        full: TextRange::new(heredoc.marker_range().start, end),
        body: heredoc.body(),
        strips_tabs: heredoc.strips_tabs(),
        at_terminator: token.kind() == SyntaxKind::HeredocEnd,
        siblings: heredocs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != position)
            .map(|(_, h)| h.delimiter())
            .collect(),
    })
}

/// The delimiter's range in the marker, without `<<`, `-`, a file descriptor or quotes.
/// `None` when a line continuation splits the marker or quotes only part of it.
fn marker_delimiter_range(heredoc: &Heredoc<'_>) -> Option<TextRange> {
    let token = heredoc.marker();
    if token.range() != heredoc.marker_range() {
        return None;
    }
    let text = token.text();
    let mut start = text.bytes().take_while(u8::is_ascii_digit).count() + 2;
    if text.get(start..)?.starts_with('-') {
        start += 1;
    }
    start += text
        .get(start..)?
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    let mut end = text.len();
    let rest = text.get(start..end)?;
    if rest.len() >= 2
        && (rest.starts_with('"') || rest.starts_with('\''))
        && rest.ends_with(&rest[..1])
    {
        start += 1;
        end -= 1;
    }
    (text.get(start..end)? == heredoc.delimiter()).then(|| {
        let base = token.range().start;
        TextRange::new(base + start as u32, base + end as u32)
    })
}

fn terminator_delimiter_range(heredoc: &Heredoc<'_>) -> Option<TextRange> {
    let token = heredoc.terminator()?;
    let text = token.text();
    let tabs = text.len() - text.trim_start_matches('\t').len();
    (text[tabs..] == heredoc.delimiter()).then(|| {
        let range = token.range();
        TextRange::new(range.start + tabs as u32, range.end)
    })
}

fn check_heredoc_name(heredoc: &HeredocSymbol<'_>, new_name: &str) -> Result<(), String> {
    let mut chars = new_name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(format!(
            "`{new_name}` is not a plain word: use letters, digits, `_`, `-` or `.`"
        ));
    }
    if heredoc.siblings.iter().any(|s| s == new_name) {
        return Err(format!(
            "another heredoc of this instruction already ends with `{new_name}`"
        ));
    }
    let body = heredoc.body.map_or("", |t| t.text());
    let ends_early = body.lines().any(|line| {
        let line = line.trim_end_matches('\r');
        let line = if heredoc.strips_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        line == new_name
    });
    if ends_early {
        return Err(format!(
            "the heredoc's body has a line `{new_name}`, which would end it early"
        ));
    }
    Ok(())
}

// ---- Variables: finding `$NAME` in text ----

/// A variable use in the source: `$NAME` or `${NAME...}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VariableRef {
    /// From the `$` through the end of the name: `$NAME` or `${NAME`.
    pub(crate) head: TextRange,
    /// The name alone.
    pub(crate) name: TextRange,
    /// Written with braces.
    pub(crate) braced: bool,
}

/// How a token's text is read for variables.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ScanMode {
    /// Shell-like quoting: nothing expands inside single quotes.
    Quoted,
    /// A JSON string: its outer quotes are JSON's, the inside is read with shell quoting.
    Json,
    /// A heredoc body: quotes are literal text.
    Unquoted,
}

/// Finds variable uses in tokens fed in source order. Quote state carries across the tokens of
/// one word or value (a line continuation can split a quoted string) and restarts at the next.
pub(crate) struct VariableScanner {
    escape: char,
    /// The parent node and kind class of the previous token scanned.
    unit: Option<(u32, u8)>,
    in_single: bool,
    in_double: bool,
}

impl VariableScanner {
    pub(crate) fn new(escape: char) -> Self {
        VariableScanner {
            escape,
            unit: None,
            in_single: false,
            in_double: false,
        }
    }

    /// Appends the uses in `token` to `out`. Tokens that hold none (keywords, declaration
    /// keys, quoted-delimiter heredoc bodies, ...) add nothing.
    pub(crate) fn scan(&mut self, token: SyntaxToken<'_>, out: &mut Vec<VariableRef>) {
        if is_line_break_trivia(token.kind()) {
            return;
        }
        let Some(mode) = scan_mode(token) else {
            self.unit = None;
            return;
        };
        let unit = (token.parent().index(), unit_class(token.kind()));
        let starts_json_string = mode == ScanMode::Json && token.text().starts_with('"');
        if self.unit != Some(unit) || starts_json_string {
            self.unit = Some(unit);
            self.in_single = false;
            self.in_double = false;
        }
        let mut text = token.text();
        let mut base = token.range().start;
        if mode == ScanMode::Json {
            if let Some(rest) = text.strip_prefix('"') {
                text = rest;
                base += 1;
            }
            text = text.strip_suffix('"').unwrap_or(text);
        }
        let before = out.len();
        self.scan_text(text, base, mode != ScanMode::Unquoted, out);
        // A name running to the end of the token may go on after a line continuation: the
        // part seen here is not the name, so it is no use.
        let token_end = base + text.len() as u32;
        if out.len() > before
            && out.last().is_some_and(|r| r.name.end == token_end)
            && continues_name(token)
        {
            out.pop();
        }
    }

    fn scan_text(&mut self, text: &str, base: u32, quotes: bool, out: &mut Vec<VariableRef>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if self.in_single {
                self.in_single = c != b'\'';
                i += 1;
                continue;
            }
            if self.escape.is_ascii() && c == self.escape as u8 {
                // The escaped character is literal, whatever it is.
                i += 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            match c {
                b'\'' if quotes && !self.in_double => self.in_single = true,
                b'"' if quotes => self.in_double = !self.in_double,
                b'$' => {
                    let (reference, next) = read_dollar(text, i, base);
                    out.extend(reference);
                    i = next;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// Reads `$...` at byte `at` of `text`: the use, if it names a declarable variable, and where
/// scanning goes on. Special parameters (`$$`, `$1`, `$@`) are skipped whole.
fn read_dollar(text: &str, at: usize, base: u32) -> (Option<VariableRef>, usize) {
    let braced = text[at + 1..].starts_with('{');
    let start = at + 1 + usize::from(braced);
    let rest = &text[start..];
    let Some(first) = rest.chars().next() else {
        return (None, start);
    };
    if first.is_ascii_digit() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        return (None, start + digits);
    }
    if matches!(first, '@' | '*' | '#' | '?' | '-' | '$' | '!') {
        return (None, start + 1);
    }
    let len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return (None, start);
    }
    let end = start + len;
    let offset = |i: usize| base + i as u32;
    let reference = VariableRef {
        head: TextRange::new(offset(at), offset(end)),
        name: TextRange::new(offset(start), offset(end)),
        braced,
    };
    (Some(reference), end)
}

fn is_line_break_trivia(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::Bom
            | SyntaxKind::Newline
            | SyntaxKind::Indent
            | SyntaxKind::LineContinuation
            | SyntaxKind::Comment
    )
}

/// Image parts read as one unit; every other kind is its own.
fn unit_class(kind: SyntaxKind) -> u8 {
    if is_image_part(kind) { 0 } else { 1 }
}

fn scan_mode(token: SyntaxToken<'_>) -> Option<ScanMode> {
    match token.kind() {
        SyntaxKind::Text | SyntaxKind::FlagValue | SyntaxKind::Value => Some(ScanMode::Quoted),
        kind if is_image_part(kind) => Some(ScanMode::Quoted),
        SyntaxKind::JsonString => Some(ScanMode::Json),
        SyntaxKind::Key => match owner_kind(token) {
            Some(InstructionKind::Label) => Some(ScanMode::Quoted),
            Some(InstructionKind::Env) if !is_plain_name(token.text()) => Some(ScanMode::Quoted),
            _ => None,
        },
        SyntaxKind::HeredocBody => heredoc_body_expands(token).then_some(ScanMode::Unquoted),
        _ => None,
    }
}

/// The instruction a key belongs to (its parent is a `KeyValue`).
fn owner_kind(token: SyntaxToken<'_>) -> Option<InstructionKind> {
    let instruction = token.parent().parent()?;
    Instruction::cast(instruction).map(|i| i.kind())
}

/// Whether a heredoc body is expanded: its delimiter is unquoted.
fn heredoc_body_expands(body: SyntaxToken<'_>) -> bool {
    body.ancestors()
        .find_map(Instruction::cast)
        .is_some_and(|instruction| {
            instruction
                .heredocs()
                .iter()
                .any(|h| h.body() == Some(body) && h.expands())
        })
}

/// True when the token after `token` (past a line continuation) goes on with name characters.
fn continues_name(token: SyntaxToken<'_>) -> bool {
    let mut next = token.next_token();
    while let Some(t) = next.filter(|t| is_line_break_trivia(t.kind())) {
        next = t.next_token();
    }
    next.is_some_and(|n| {
        n.kind() == token.kind()
            && n.parent() == token.parent()
            && n.text()
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// A name as ARG and ENV declare it and `$NAME` uses it.
fn is_plain_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The variable uses in the tokens under `node`.
pub(crate) fn variable_refs(node: SyntaxNode<'_>, escape: char) -> Vec<VariableRef> {
    let mut scanner = VariableScanner::new(escape);
    let mut out = Vec::new();
    for token in node.tokens() {
        scanner.scan(token, &mut out);
    }
    out
}

// ---- Variables: resolving uses to declarations ----

/// Where a name is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Context {
    /// Before the first `FROM`, and `FROM` lines.
    Global,
    Stage(usize),
}

/// One declaration or use of a variable.
#[derive(Clone, Copy, Debug)]
struct VariableOccurrence {
    name: TextRange,
    /// What the cursor must touch: `$NAME` / `${NAME` for a use, the name for a declaration.
    hit: TextRange,
    is_declaration: bool,
    /// The variable (a union-find node; see [`VariableIndex::group`]).
    variable: usize,
    /// The declaration the occurrence resolves to (an index into the occurrences).
    definition: Option<usize>,
    /// The instruction holding it.
    instruction: TextRange,
    context: Context,
}

/// Every variable occurrence of a file, grouped into variables.
struct VariableIndex {
    occurrences: Vec<VariableOccurrence>,
    /// Union-find parents of the variables; flattened once built.
    parents: Vec<usize>,
    /// Per variable root: provided by BuildKit or the image rather than declared.
    automatic: Vec<bool>,
    /// Per stage, the stage it is built from.
    stage_parents: Vec<Option<usize>>,
}

impl VariableIndex {
    fn build(analysis: &DockerfileAnalysis) -> VariableIndex {
        let tree = &analysis.parse.tree;
        let mut builder = IndexBuilder::new(tree.text(), analysis.model.escape);
        let mut context = Context::Global;
        for instruction in Dockerfile::new(tree).instructions() {
            let range = instruction.range();
            match instruction.kind() {
                InstructionKind::From => {
                    builder.uses(instruction.syntax(), Context::Global, range);
                    let index = builder.stages.len();
                    let parent = analysis
                        .model
                        .stage(index)
                        .and_then(|s| s.base.as_ref())
                        .and_then(|b| b.stage())
                        .filter(|&p| p < index);
                    builder.stages.push(StageBindings {
                        own: HashMap::new(),
                        parent,
                    });
                    context = Context::Stage(index);
                }
                // ARG names are visible from the next name on.
                InstructionKind::Arg => {
                    for pair in instruction.key_values() {
                        builder.uses(pair.syntax(), context, range);
                        builder.declare(&pair.key(), context, !pair.has_equals(), range);
                    }
                }
                // ENV values see the scope from before the instruction; BuildKit ignores ENV
                // before the first FROM.
                InstructionKind::Env => {
                    builder.uses(instruction.syntax(), context, range);
                    if context != Context::Global {
                        for pair in instruction.key_values() {
                            builder.declare(&pair.key(), context, false, range);
                        }
                    }
                }
                _ => builder.uses(instruction.syntax(), context, range),
            }
        }
        builder.finish()
    }

    fn group(&self, occurrence: usize) -> usize {
        self.parents[self.occurrences[occurrence].variable]
    }

    /// The occurrence touching `offset`, preferring one the cursor is inside, then after.
    fn occurrence_at(&self, offset: u32) -> Option<usize> {
        self.occurrences
            .iter()
            .enumerate()
            .filter(|(_, o)| o.hit.touches(offset))
            .min_by_key(|(_, o)| touch_rank(o.hit, offset))
            .map(|(i, _)| i)
    }

    /// The occurrences of the variable of occurrence `at`.
    fn members(&self, at: usize) -> impl Iterator<Item = &VariableOccurrence> + '_ {
        let group = self.group(at);
        self.occurrences
            .iter()
            .filter(move |o| self.parents[o.variable] == group)
    }

    /// The contexts where the variable of occurrence `at` is visible: where it occurs, and
    /// the stages built from those.
    fn visible_contexts(&self, at: usize) -> HashSet<Context> {
        let mut contexts: HashSet<Context> = self.members(at).map(|o| o.context).collect();
        let seen_in = |stage: usize, contexts: &HashSet<Context>| {
            let mut current = self.stage_parents.get(stage).copied().flatten();
            for _ in 0..MAX_INHERITANCE_DEPTH {
                match current {
                    Some(p) if contexts.contains(&Context::Stage(p)) => return true,
                    Some(p) => current = self.stage_parents.get(p).copied().flatten(),
                    None => return false,
                }
            }
            false
        };
        let inheriting: Vec<Context> = (0..self.stage_parents.len())
            .filter(|&s| seen_in(s, &contexts))
            .map(Context::Stage)
            .collect();
        contexts.extend(inheriting);
        contexts
    }
}

/// What a name means at some point: its variable and the declaration that is visible.
#[derive(Clone, Copy, Debug)]
struct Binding {
    variable: usize,
    declaration: Option<usize>,
}

struct StageBindings<'a> {
    own: HashMap<&'a str, Binding>,
    parent: Option<usize>,
}

struct IndexBuilder<'a> {
    text: &'a str,
    escape: char,
    occurrences: Vec<VariableOccurrence>,
    parents: Vec<usize>,
    automatic: Vec<bool>,
    globals: HashMap<&'a str, Binding>,
    stages: Vec<StageBindings<'a>>,
    /// Names used without a declaration, per context (a stage chain's first stage).
    undeclared: HashMap<(Context, &'a str), usize>,
}

impl<'a> IndexBuilder<'a> {
    fn new(text: &'a str, escape: char) -> Self {
        IndexBuilder {
            text,
            escape,
            occurrences: Vec::new(),
            parents: Vec::new(),
            automatic: Vec::new(),
            globals: HashMap::new(),
            stages: Vec::new(),
            undeclared: HashMap::new(),
        }
    }

    fn new_variable(&mut self, automatic: bool) -> usize {
        self.parents.push(self.parents.len());
        self.automatic.push(automatic);
        self.parents.len() - 1
    }

    fn root(&mut self, mut variable: usize) -> usize {
        while self.parents[variable] != variable {
            let grandparent = self.parents[self.parents[variable]];
            self.parents[variable] = grandparent;
            variable = grandparent;
        }
        variable
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.parents[b] = a;
            self.automatic[a] |= self.automatic[b];
        }
        a
    }

    /// What `name` means in `context`; `Err` with the context that owns it when undeclared.
    fn lookup(&mut self, name: &'a str, context: Context) -> Result<Binding, Context> {
        match context {
            Context::Global => {
                if let Some(binding) = self.globals.get(name) {
                    return Ok(*binding);
                }
                if !(PLATFORM_ARGS.contains(&name) || PROXY_ARGS.contains(&name)) {
                    return Err(Context::Global);
                }
                let binding = Binding {
                    variable: self.new_variable(true),
                    declaration: None,
                };
                self.globals.insert(name, binding);
                Ok(binding)
            }
            Context::Stage(index) => {
                let mut stage = index;
                for _ in 0..=MAX_INHERITANCE_DEPTH {
                    let Some(bindings) = self.stages.get(stage) else {
                        return Err(Context::Stage(index));
                    };
                    if let Some(binding) = bindings.own.get(name) {
                        return Ok(*binding);
                    }
                    match bindings.parent {
                        Some(parent) if parent < stage => stage = parent,
                        _ => break,
                    }
                }
                // `stage` is where the chain starts: what the base image provides lives there,
                // so every stage built from it shares it.
                if !(PROXY_ARGS.contains(&name) || name == "PATH") {
                    return Err(Context::Stage(stage));
                }
                let binding = Binding {
                    variable: self.new_variable(true),
                    declaration: None,
                };
                if let Some(bindings) = self.stages.get_mut(stage) {
                    bindings.own.insert(name, binding);
                }
                Ok(binding)
            }
        }
    }

    /// Records the uses under `node`.
    fn uses(&mut self, node: SyntaxNode<'_>, context: Context, instruction: TextRange) {
        for reference in variable_refs(node, self.escape) {
            let name = slice(self.text, reference.name);
            let binding = match self.lookup(name, context) {
                Ok(binding) => binding,
                Err(owner) => {
                    let next = self.parents.len();
                    let variable = *self.undeclared.entry((owner, name)).or_insert(next);
                    if variable == next {
                        self.new_variable(false);
                    }
                    Binding {
                        variable,
                        declaration: None,
                    }
                }
            };
            self.occurrences.push(VariableOccurrence {
                name: reference.name,
                hit: reference.head,
                is_declaration: false,
                variable: binding.variable,
                definition: binding.declaration,
                instruction,
                context,
            });
        }
    }

    /// Records a declaration. `bare` is an `ARG NAME` without a value, which in a stage
    /// brings in the global `ARG` of that name.
    fn declare(&mut self, key: &Spanned<'_>, context: Context, bare: bool, instruction: TextRange) {
        let name = slice(self.text, key.range);
        if name != key.text || !is_plain_name(name) {
            return;
        }
        let here = self.occurrences.len();
        let visible = self.lookup(name, context).ok();
        let global = match context {
            Context::Stage(_) if bare => self.lookup(name, Context::Global).ok(),
            _ => None,
        };
        let variable = match (visible, global) {
            (Some(v), Some(g)) => self.union(v.variable, g.variable),
            (Some(b), None) | (None, Some(b)) => b.variable,
            (None, None) => self.new_variable(false),
        };
        let definition = global.and_then(|g| g.declaration).unwrap_or(here);
        self.occurrences.push(VariableOccurrence {
            name: key.range,
            hit: key.range,
            is_declaration: true,
            variable,
            definition: Some(definition),
            instruction,
            context,
        });
        let binding = Binding {
            variable,
            declaration: Some(here),
        };
        match context {
            Context::Global => {
                self.globals.insert(name, binding);
            }
            Context::Stage(index) => {
                if let Some(stage) = self.stages.get_mut(index) {
                    stage.own.insert(name, binding);
                }
            }
        }
    }

    fn finish(mut self) -> VariableIndex {
        for variable in 0..self.parents.len() {
            let root = self.root(variable);
            self.parents[variable] = root;
        }
        VariableIndex {
            occurrences: self.occurrences,
            parents: self.parents,
            automatic: self.automatic,
            stage_parents: self.stages.iter().map(|s| s.parent).collect(),
        }
    }
}

/// Refuses variable names that are invalid or already mean something where the variable is.
fn check_variable_name(
    analysis: &DockerfileAnalysis,
    index: &VariableIndex,
    at: usize,
    new_name: &str,
) -> Result<(), String> {
    let mut chars = new_name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{new_name}` is not a valid variable name: use letters, digits and `_`, not \
             starting with a digit"
        ));
    }
    if PLATFORM_ARGS.contains(&new_name) || PROXY_ARGS.contains(&new_name) || new_name == "PATH" {
        return Err(format!(
            "`{new_name}` is a variable BuildKit or the image provides"
        ));
    }
    let text = analysis.text();
    let contexts = index.visible_contexts(at);
    let clash = index.occurrences.iter().find(|o| {
        slice(text, o.name) == new_name && (o.is_declaration || contexts.contains(&o.context))
    });
    match clash {
        Some(o) if o.is_declaration => Err(format!(
            "a variable `{new_name}` is already declared on line {}",
            line_number(text, o.name.start)
        )),
        Some(o) => Err(format!(
            "`${new_name}` is already used on line {}, where the renamed variable is visible",
            line_number(text, o.name.start)
        )),
        None => Ok(()),
    }
}

// ---- Small helpers ----

fn slice(text: &str, range: TextRange) -> &str {
    text.get(range.as_usize()).unwrap_or("")
}

/// The 1-based line of `offset`, for messages.
fn line_number(text: &str, offset: u32) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::{slice as text_of, with_cursor};

    /// The texts and declaration flags of the references at the cursor.
    fn refs(fixture: &str) -> Vec<(String, bool)> {
        let (analysis, offset) = with_cursor(fixture);
        references(&analysis, offset, true)
            .into_iter()
            .map(|r| (text_of(&analysis, r.range).to_owned(), r.is_declaration))
            .collect()
    }

    /// Lines of the references at the cursor (1-based), declarations marked with `*`.
    fn ref_lines(fixture: &str) -> Vec<String> {
        let (analysis, offset) = with_cursor(fixture);
        references(&analysis, offset, true)
            .into_iter()
            .map(|r| {
                let line = line_number(analysis.text(), r.range.start);
                if r.is_declaration {
                    format!("{line}*")
                } else {
                    line.to_string()
                }
            })
            .collect()
    }

    fn renamed(fixture: &str, new_name: &str) -> Result<String, String> {
        let (analysis, offset) = with_cursor(fixture);
        let edits = rename(&analysis, offset, new_name)?;
        let mut text = analysis.text().to_owned();
        for edit in edits.iter().rev() {
            text.replace_range(edit.range.as_usize(), &edit.new_text);
        }
        Ok(text)
    }

    fn definition_text(fixture: &str) -> Option<(String, usize)> {
        let (analysis, offset) = with_cursor(fixture);
        let target = definition(&analysis, offset)?;
        assert!(target.full.contains_range(target.focus));
        Some((
            text_of(&analysis, target.focus).to_owned(),
            line_number(analysis.text(), target.focus.start),
        ))
    }

    // ---- stages ----

    #[test]
    fn stage_definition_from_every_kind_of_reference() {
        let src = "FROM alpine AS build\nRUN make\nFROM build\nCOPY --from=build /a /a\n\
                   RUN --mount=type=bind,from=build,target=/t true\n";
        for needle in ["FROM bu", "from=bu", "om=bui"] {
            let at = src.rfind(needle).unwrap() + needle.len();
            let fixture = format!("{}$0{}", &src[..at], &src[at..]);
            assert_eq!(
                definition_text(&fixture),
                Some(("build".to_owned(), 1)),
                "{needle}"
            );
        }
        let (analysis, offset) = with_cursor("FROM alpine AS build\nRUN make\nFROM b$0uild\n");
        let target = definition(&analysis, offset).unwrap();
        assert_eq!(
            text_of(&analysis, target.full),
            "FROM alpine AS build\nRUN make"
        );
    }

    #[test]
    fn stage_references_include_every_spelling() {
        let got = refs(
            "FROM alpine AS b$0uild\nFROM build\nCOPY --from=build /a /a\nCOPY --from=\"build\" /b /b\n\
             COPY --from=0 /c /c\nRUN --mount=type=bind,from=build,target=/t true\n\
             RUN --mount=\"type=bind,from=build\" true\nFROM Build AS other\n",
        );
        assert_eq!(
            got,
            [
                ("build".to_owned(), true),
                ("build".to_owned(), false),
                ("build".to_owned(), false),
                ("build".to_owned(), false),
                ("0".to_owned(), false),
                ("build".to_owned(), false),
                ("build".to_owned(), false),
                ("Build".to_owned(), false),
            ]
        );
        let (analysis, offset) = with_cursor("FROM a AS b$0\nCOPY --from=b / /\n");
        let uses = references(&analysis, offset, false);
        assert_eq!(uses.len(), 1);
        assert!(!uses[0].is_declaration);
    }

    #[test]
    fn references_from_a_numeric_reference() {
        let got = ref_lines("FROM alpine AS build\nFROM scratch\nCOPY --from=$00 / /\n");
        assert_eq!(got, ["1*", "3"]);
        let (analysis, offset) = with_cursor("FROM alpine\nFROM scratch\nCOPY --from=$00 / /\n");
        let target = definition(&analysis, offset).unwrap();
        assert_eq!(text_of(&analysis, target.focus), "alpine");
        assert_eq!(
            prepare_rename(&analysis, offset),
            Err("stage 0 has no name to rename; add one with `AS <name>`".to_owned())
        );
    }

    #[test]
    fn rename_stage_everywhere_but_indexes() {
        let src = "FROM alpine AS b$0uild\nFROM build\nCOPY --from=build /a /a\n\
                   COPY --from=\"build\" /b /b\nCOPY --from=0 /c /c\n\
                   RUN --mount=type=bind,from=build,target=/t true\n\
                   RUN --mount=\"type=bind,from=build\" true\nFROM Build AS other\n";
        assert_eq!(
            renamed(src, "compile").unwrap(),
            "FROM alpine AS compile\nFROM compile\nCOPY --from=compile /a /a\n\
             COPY --from=\"compile\" /b /b\nCOPY --from=0 /c /c\n\
             RUN --mount=type=bind,from=compile,target=/t true\n\
             RUN --mount=\"type=bind,from=compile\" true\nFROM compile AS other\n"
        );
        // From a use, too.
        assert_eq!(
            renamed("FROM a AS x\nFROM b\nCOPY --from=x$0 / /\n", "y").unwrap(),
            "FROM a AS y\nFROM b\nCOPY --from=y / /\n"
        );
    }

    #[test]
    fn rename_stage_validates_the_new_name() {
        let src = "FROM alpine AS b$0uild\nFROM node AS test\nFROM debian\nCOPY --from=build / /\n";
        for bad in ["Build", "1x", "", "a b", "-x", "é"] {
            assert!(
                renamed(src, bad)
                    .unwrap_err()
                    .contains("not a valid stage name"),
                "{bad}"
            );
        }
        assert_eq!(
            renamed(src, "test").unwrap_err(),
            "stage 1 is already named `test`"
        );
        assert!(
            renamed(src, "debian")
                .unwrap_err()
                .contains("used as an image")
        );
        assert!(renamed(src, "scratch").unwrap_err().contains("reserved"));
        assert!(renamed(src, "a.b_c-1").is_ok());
        assert_eq!(renamed(src, "build").unwrap(), src.replace("$0", ""));
    }

    #[test]
    fn rename_stage_refuses_references_through_variables() {
        let src = "FROM alpine AS b$0uild\nFROM scratch\nARG SRC=build\nCOPY --from=$SRC / /\n";
        let err = renamed(src, "other").unwrap_err();
        assert!(err.contains("`$SRC` on line 4"), "{err}");
        // Still a reference.
        assert_eq!(ref_lines(src), ["1*", "4"]);
    }

    #[test]
    fn stage_split_by_a_continuation() {
        let src = "FROM alpine \\\n  AS b$0\nFROM scratch\nCOPY --from=\\\nb / /\n";
        assert_eq!(
            renamed(src, "c").unwrap(),
            "FROM alpine \\\n  AS c\nFROM scratch\nCOPY --from=\\\nc / /\n"
        );
    }

    #[test]
    fn prepare_rename_explains_what_cannot_be_renamed() {
        let cases = [
            ("FR$0OM alpine\n", "`FROM` is an instruction keyword"),
            ("FROM alpine A$0S x\n", "`AS` is an instruction keyword"),
            ("FROM alp$0ine:3\n", "`alpine:3` is an image"),
            (
                "FROM a\nCOPY --from=node:2$00 / /\n",
                "`node:20` names no stage",
            ),
            ("FROM a\nRUN ec$0ho\n", "nothing to rename here"),
            ("$0", "nothing to rename here"),
            ("FROM a\nRUN echo $HO$0ME\n", "`HOME` is not declared"),
            ("FROM a\nENV PA$0TH=/x:$PATH\n", "`PATH` is set by BuildKit"),
            (
                "FROM --platform=$BUILDPL$0ATFORM a\n",
                "`BUILDPLATFORM` is set by BuildKit",
            ),
        ];
        for (fixture, message) in cases {
            let (analysis, offset) = with_cursor(fixture);
            let err = prepare_rename(&analysis, offset).unwrap_err();
            assert!(err.contains(message), "{fixture:?}: {err}");
            assert!(rename(&analysis, offset, "x").is_err(), "{fixture:?}");
        }
        let (analysis, offset) = with_cursor("FROM a AS bu$0ild\n");
        let range = prepare_rename(&analysis, offset).unwrap();
        assert_eq!(text_of(&analysis, range), "build");
    }

    // ---- variables ----

    #[test]
    fn variable_definition_is_the_visible_declaration() {
        let src = "FROM scratch\nENV A=1\nRUN echo $A\nENV A=2\nRUN echo ${A$0}\n";
        assert_eq!(definition_text(src), Some(("A".to_owned(), 4)));
        let src = "FROM scratch\nENV A=1\nRUN echo $A$0\nENV A=2\n";
        assert_eq!(definition_text(src), Some(("A".to_owned(), 2)));
        let (analysis, offset) = with_cursor("FROM scratch\nARG V=1\nRUN echo $V$0\n");
        let target = definition(&analysis, offset).unwrap();
        assert_eq!(text_of(&analysis, target.full), "ARG V=1");
        // ENV values see the scope from before the line; ARG names one after the other.
        assert_eq!(
            definition_text("FROM s\nENV A=1\nENV A=2 B=$A$0\n"),
            Some(("A".to_owned(), 2))
        );
        assert_eq!(
            definition_text("FROM s\nARG A=1\nARG A=2 B=$A$0\n"),
            Some(("A".to_owned(), 3))
        );
    }

    #[test]
    fn global_args_and_their_bare_redeclarations_are_one_variable() {
        let src = "ARG VERSION=1\nFROM alpine:${VERSION}\nARG VERSION\nRUN echo $VERSION\n\
                   FROM debian:$VERSION\nARG VERSION\nRUN echo $VER$0SION\nFROM busybox\nRUN echo $VERSION\n";
        assert_eq!(ref_lines(src), ["1*", "2", "3*", "4", "5", "6*", "7"]);
        // A use in a stage resolves to the stage's ARG, which resolves to the global one.
        assert_eq!(definition_text(src), Some(("VERSION".to_owned(), 6)));
        assert_eq!(
            definition_text("ARG V=1\nFROM a\nARG V$0\n"),
            Some(("V".to_owned(), 1))
        );
        assert_eq!(
            renamed(src, "V").unwrap(),
            "ARG V=1\nFROM alpine:${V}\nARG V\nRUN echo $V\n\
             FROM debian:$V\nARG V\nRUN echo $V\nFROM busybox\nRUN echo $VERSION\n"
        );
    }

    #[test]
    fn stage_args_with_a_value_are_their_own_variable() {
        let src = "ARG V=1\nFROM a:$V\nARG V=2\nRUN echo $V$0\n";
        assert_eq!(ref_lines(src), ["3*", "4"]);
    }

    #[test]
    fn global_uses_before_the_declaration_are_not_it() {
        let src = "ARG A=$B\nARG B$0=1\nFROM x:$B\n";
        assert_eq!(ref_lines(src), ["2*", "3"]);
    }

    #[test]
    fn redeclarations_in_a_stage_are_the_same_variable() {
        let src = "FROM scratch\nENV P=/a\nENV P=/b:$P\nARG P=c\nRUN echo $P$0\n";
        assert_eq!(ref_lines(src), ["2*", "3*", "3", "4*", "5"]);
    }

    #[test]
    fn stages_are_separate_scopes_unless_built_from_each_other() {
        let src = "FROM alpine AS base\nENV A$0=1\nFROM base AS child\nRUN echo $A\n\
                   FROM child\nRUN echo $A\nFROM alpine\nENV A=2\nRUN echo $A\n";
        assert_eq!(ref_lines(src), ["2*", "4", "6"]);
        assert_eq!(
            definition_text("FROM alpine AS base\nENV A=1\nFROM base\nRUN echo $A$0\n"),
            Some(("A".to_owned(), 2))
        );
    }

    #[test]
    fn uses_everywhere_variables_expand() {
        let src = "FROM scratch\nARG V$0=1\nENV E=$V\nLABEL \"$V\"=x k=\"${V:-d}\"\nCOPY --chown=$V a b\n\
                   RUN --mount=type=cache,id=${V} echo \"$V\" '$V' \\$V $$V ${V%%x}\n\
                   CMD [\"sh\", \"-c\", \"echo $V\"]\nRUN <<EOF\necho $V\nEOF\nRUN <<'EOF'\necho $V\nEOF\n\
                   ONBUILD RUN echo $V\n# $V\n";
        let lines = ref_lines(src);
        assert_eq!(
            lines,
            ["2*", "3", "4", "4", "5", "6", "6", "6", "7", "9", "14"]
        );
    }

    #[test]
    fn nested_and_special_expansions() {
        let src = "FROM s\nARG A=1 B=2\nRUN echo ${A:-${B$0}} $1 $@ ${#} $A$B\n";
        assert_eq!(ref_lines(src), ["2*", "3", "3"]);
        let (analysis, offset) = with_cursor("FROM s\nARG A=1 B=2\nRUN echo $A$0$B\n");
        let r = references(&analysis, offset, true);
        // The cursor is after `$A` and before `$B`: `$A` wins.
        assert_eq!(text_of(&analysis, r[0].range), "A");
    }

    #[test]
    fn backtick_escape_files() {
        let src = "# escape=`\nFROM s\nARG A=1\nRUN echo `$A \\$A$0\n";
        assert_eq!(ref_lines(src), ["3*", "4"]);
    }

    #[test]
    fn rename_variable() {
        let src = "ARG V$0=1\nFROM a:$V\nARG V\nENV X=\"${V}\" Y=$V\nRUN echo ${V:-x} '$V'\n";
        assert_eq!(
            renamed(src, "NEW_1").unwrap(),
            "ARG NEW_1=1\nFROM a:$NEW_1\nARG NEW_1\nENV X=\"${NEW_1}\" Y=$NEW_1\nRUN echo ${NEW_1:-x} '$V'\n"
        );
        let (analysis, offset) = with_cursor(src);
        assert_eq!(
            text_of(&analysis, prepare_rename(&analysis, offset).unwrap()),
            "V"
        );
    }

    #[test]
    fn rename_variable_refuses_collisions_and_bad_names() {
        let src = "ARG G=1\nFROM a\nARG V$0=1\nRUN echo $V $f\nFROM b\nRUN echo $other\n";
        for bad in ["1A", "A-B", "", "a b", "é"] {
            assert!(
                renamed(src, bad)
                    .unwrap_err()
                    .contains("not a valid variable name"),
                "{bad}"
            );
        }
        assert!(
            renamed(src, "G")
                .unwrap_err()
                .contains("already declared on line 1")
        );
        assert!(
            renamed(src, "f")
                .unwrap_err()
                .contains("already used on line 4")
        );
        assert!(renamed(src, "PATH").unwrap_err().contains("provides"));
        assert!(renamed(src, "TARGETARCH").unwrap_err().contains("provides"));
        // A name only used in an unrelated stage is fine.
        assert!(renamed(src, "other").is_ok());
    }

    #[test]
    fn rename_variable_sees_inheriting_stages() {
        let src = "FROM a AS base\nARG V$0=1\nFROM base\nRUN echo $W\n";
        assert!(
            renamed(src, "W")
                .unwrap_err()
                .contains("already used on line 4")
        );
    }

    #[test]
    fn automatic_variables_are_shared_but_not_renamed() {
        let src =
            "FROM --platform=$BUILDPLATFORM a\nARG BUILDPLATFORM\nRUN echo $BUILDPLATFORM$0\n";
        assert_eq!(ref_lines(src), ["1", "2*", "3"]);
        assert!(renamed(src, "X").unwrap_err().contains("set by BuildKit"));
        let src = "FROM a\nENV PATH=/x:$PATH\nRUN echo $PA$0TH\n";
        assert_eq!(ref_lines(src), ["2*", "2", "3"]);
    }

    #[test]
    fn undeclared_names_are_grouped_per_stage() {
        let src = "FROM a\nRUN echo $HOME\nRUN echo $HO$0ME\nFROM b\nRUN echo $HOME\n";
        assert_eq!(ref_lines(src), ["2", "3"]);
        assert_eq!(definition_text(src), None);
    }

    #[test]
    fn names_split_by_continuations_are_not_uses() {
        let src = "FROM s\nARG HO=1\nRUN echo $HO\\\nME $H$0O\n";
        assert_eq!(ref_lines(src), ["2*", "4"]);
    }

    // ---- heredocs ----

    #[test]
    fn heredoc_delimiters() {
        let src = "FROM a\nRUN <<E$0OF cat <<-\"END\"\necho\nEOF\n\tEND\n";
        assert_eq!(
            refs(src),
            [("EOF".to_owned(), true), ("EOF".to_owned(), false)]
        );
        assert_eq!(
            refs("FROM a\nRUN <<EOF cat <<-\"END\"\necho\nEOF\n\tE$0ND\n"),
            [("END".to_owned(), true), ("END".to_owned(), false)]
        );
        assert_eq!(
            definition_text("FROM a\nRUN <<EOF\necho\nEO$0F\n"),
            Some(("EOF".to_owned(), 2))
        );
        assert_eq!(
            renamed(src, "SCRIPT").unwrap(),
            "FROM a\nRUN <<SCRIPT cat <<-\"END\"\necho\nSCRIPT\n\tEND\n"
        );
        assert_eq!(
            renamed("FROM a\nRUN cat <<-\"END\"\n\tx\n\tE$0ND\n", "DONE").unwrap(),
            "FROM a\nRUN cat <<-\"DONE\"\n\tx\n\tDONE\n"
        );
        assert_eq!(
            renamed("FROM a\nONBUILD RUN 3<<E$0OF\nx\nEOF\n", "X").unwrap(),
            "FROM a\nONBUILD RUN 3<<X\nx\nX\n"
        );
    }

    #[test]
    fn heredoc_rename_refuses_lines_that_would_end_it() {
        let src = "FROM a\nRUN <<E$0OF cat <<END\necho\nDONE\nEOF\nEND\n";
        assert!(renamed(src, "DONE").unwrap_err().contains("end it early"));
        assert!(renamed(src, "END").unwrap_err().contains("already ends"));
        assert!(renamed(src, "a b").unwrap_err().contains("plain word"));
        assert!(renamed(src, "$X").unwrap_err().contains("plain word"));
        assert!(renamed(src, "ok-1.x").is_ok());
    }

    #[test]
    fn unterminated_heredoc() {
        let src = "FROM a\nCOPY <<E$0OF /x\nhello\n";
        assert_eq!(refs(src), [("EOF".to_owned(), true)]);
        assert_eq!(renamed(src, "X").unwrap(), "FROM a\nCOPY <<X /x\nhello\n");
    }

    #[test]
    fn prepare_rename_ranges() {
        let range_at = |fixture: &str| {
            let (analysis, offset) = with_cursor(fixture);
            prepare_rename(&analysis, offset).map(|r| text_of(&analysis, r).to_owned())
        };
        // On the `$` or `{` of a use: the name.
        assert_eq!(
            range_at("FROM a\nARG V=1\nRUN echo $0${V}\n"),
            Ok("V".to_owned())
        );
        assert_eq!(
            range_at("FROM a\nARG V=1\nRUN echo $$0{V}\n"),
            Ok("V".to_owned())
        );
        // On a heredoc's `<<` or its terminator.
        assert_eq!(
            range_at("FROM a\nRUN <$0<-EOF\nx\n\tEOF\n"),
            Ok("EOF".to_owned())
        );
        assert_eq!(
            range_at("FROM a\nRUN <<-EOF\nx\n\tEOF$0\n"),
            Ok("EOF".to_owned())
        );
        // On a quoted reference: inside the quotes.
        assert_eq!(
            range_at("FROM a AS b\nFROM c\nCOPY --from=\"b$0\" / /\n"),
            Ok("b".to_owned())
        );
        // A numeric reference names no name to edit, though rename from it works.
        let by_index = "FROM a AS b\nFROM c\nCOPY --from=$00 / /\n";
        assert_eq!(range_at(by_index), Err(RENAME_BY_INDEX.to_owned()));
        assert_eq!(
            renamed(by_index, "x").unwrap(),
            "FROM a AS x\nFROM c\nCOPY --from=0 / /\n"
        );
        let through_variable = "FROM a AS b\nFROM c\nARG S=b\nCOPY --from=$S / /\nFROM $0b\n";
        assert!(
            renamed(through_variable, "x")
                .unwrap_err()
                .contains("line 4")
        );
    }

    #[test]
    fn exec_form_quotes_and_onbuild_declarations() {
        // `sh -c 'echo $V'` inside a JSON string: the shell sees single quotes.
        let src = "FROM s\nARG V$0=1\nCMD [\"sh\", \"-c\", \"echo '$V' $V\"]\n";
        assert_eq!(ref_lines(src), ["2*", "3"]);
        let (analysis, offset) = with_cursor(src);
        let uses = references(&analysis, offset, false);
        assert_eq!(uses.len(), 1);
        let around = TextRange::new(uses[0].range.start - 1, uses[0].range.end + 1);
        assert_eq!(text_of(&analysis, around), "$V\"");
        // An ONBUILD ENV declares nothing in this build.
        let src = "FROM s\nONBUILD ENV W=1\nRUN echo $W$0\n";
        assert_eq!(ref_lines(src), ["3"]);
        assert_eq!(definition_text(src), None);
    }

    #[test]
    fn definition_on_declarations() {
        assert_eq!(
            definition_text("FROM a\nENV A$0=1\n"),
            Some(("A".to_owned(), 2))
        );
        // A bare platform ARG has no declaration to go to but itself.
        assert_eq!(
            definition_text("FROM a\nARG TARGETARCH$0\n"),
            Some(("TARGETARCH".to_owned(), 2))
        );
        assert_eq!(
            definition_text("FROM a AS b$0\n"),
            Some(("b".to_owned(), 1))
        );
        assert_eq!(definition_text("FROM alp$0ine\n"), None);
        assert_eq!(definition_text("FR$0OM alpine\n"), None);
    }

    // ---- robustness ----

    #[test]
    fn any_offset_of_odd_files_is_safe() {
        let inputs = [
            "",
            "\n",
            "FROM",
            "FROM a AS\n",
            "ARG\nFROM ${\n",
            "FROM a\nRUN <<EOF\n${\nEOF\n",
            "FROM a\nRUN <<\\\nEOF\nx\nEOF\n",
            "FROM a\nCOPY --from=\nRUN --mount=from=\n",
            "FROM a\nENV $=1 ${}=2 \"=3\nARG =\n",
            "\u{feff}FROM é AS ü\nCOPY --from=Ü / /\nRUN echo $é ${ü\n",
            "FROM a\nRUN echo '$A\nRUN echo \"$B\\\n$C\"\n",
            "# escape=`\nFROM a\nRUN echo `\n",
            "FROM a\nCMD [\"$A\", \"\\\"$B\"\nCMD [\"unterminated\n",
            "FROM a AS b\nFROM b AS a\nFROM a\nCOPY --from=a / /\n",
            "ONBUILD COPY --from=x a b\nFROM x\n",
            "FROM a\nRUN echo $\nRUN echo ${\nRUN echo $$\n",
        ];
        for src in inputs {
            let analysis = DockerfileAnalysis::new(src);
            for offset in 0..=src.len() as u32 + 2 {
                let _ = definition(&analysis, offset);
                let _ = references(&analysis, offset, false);
                let _ = highlights(&analysis, offset);
                let _ = prepare_rename(&analysis, offset);
                if let Ok(edits) = rename(&analysis, offset, "new") {
                    for edit in edits {
                        assert!(edit.range.end as usize <= src.len());
                    }
                }
            }
        }
    }

    #[test]
    fn every_reference_finds_the_same_set() {
        let src = "ARG V=1\nFROM a:$V AS build\nARG V\nRUN echo $V\nFROM b\nCOPY --from=build / /\n\
                   RUN <<EOF\n$V\nEOF\n";
        let analysis = DockerfileAnalysis::new(src);
        for offset in 0..=src.len() as u32 {
            let found = references(&analysis, offset, true);
            for r in &found {
                let again = references(&analysis, r.range.start, true);
                assert_eq!(again, found, "at {offset} then {}", r.range.start);
            }
        }
    }

    #[test]
    fn large_files_stay_linear() {
        let mut src = String::from("ARG V=1\n");
        for i in 0..700 {
            src.push_str(&format!(
                "FROM a:$V AS s{i}\nARG V\nRUN echo $V ${{V}} \"$V\"\n"
            ));
        }
        let analysis = DockerfileAnalysis::new(&src);
        let offset = src.len() as u32 - 3;
        let started = std::time::Instant::now();
        let found = references(&analysis, offset, true);
        assert_eq!(found.len(), 1 + 700 * 5);
        assert_eq!(rename(&analysis, offset, "W").unwrap().len(), 1 + 700 * 5);
        // Generous: a debug build does this in milliseconds.
        assert!(started.elapsed().as_secs() < 5);
    }
}
