//! Hover: docs for keywords, flags and directives; resolved variable values; stage summaries.
//!
//! Values are resolved with BuildKit's scoping as the semantic model applies it: a `$NAME`
//! in a FROM line sees the global ARGs, one inside a stage sees what the stage declared (a
//! bare `ARG NAME` importing the global default). Unknown values are said to be unknown,
//! never guessed.

use std::fmt::Write as _;

use super::completion::{segment, shorten};
use super::docs;
use super::signature_help::{Cursor, instruction_kind};
use super::{DockerfileAnalysis, Hover};
use crate::semantic::scope::PLATFORM_ARGS;
use crate::semantic::{
    BaseKind, ReferenceKind, ReferenceTarget, Stage, StageReference, Variable, VariableKind,
};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind, SyntaxNode, SyntaxToken};

/// Hover content at `offset`.
pub fn hover(analysis: &DockerfileAnalysis, offset: u32) -> Option<Hover> {
    if offset as usize > analysis.text().len() {
        return None;
    }
    let cursor = Cursor::new(&analysis.parse.tree, offset);
    let token = cursor.word_token()?;
    if let Some(hover) = suppressed_rule(token, offset) {
        return Some(hover);
    }
    let hovering = Hovering {
        analysis,
        offset: cursor.offset,
    };
    // The cursor may sit right before a `$` that starts the next token (`node:|${TAG}`).
    let next = cursor
        .at
        .filter(|at| *at != token && at.range().start == cursor.offset);
    hovering
        .variable(token)
        .or_else(|| next.and_then(|at| hovering.variable(at)))
        .or_else(|| hovering.token(token))
}

/// A rule named in a suppression comment (`# dockwise: ignore=DF070`, `# hadolint
/// ignore=DL3008`) or in BuildKit's `# check=skip=` directive: that rule's documentation.
fn suppressed_rule(token: SyntaxToken<'_>, offset: u32) -> Option<Hover> {
    let is_comment = token.kind() == SyntaxKind::Comment;
    let in_check = token.kind() == SyntaxKind::DirectiveValue
        && token
            .parent()
            .child_token(SyntaxKind::DirectiveName)
            .is_some_and(|n| n.text().eq_ignore_ascii_case("check"));
    if !is_comment && !in_check {
        return None;
    }
    let text = token.text();
    let lower = text.to_ascii_lowercase();
    if is_comment && !(lower.contains("dockwise:") || lower.contains("hadolint")) {
        return None;
    }
    let at = (offset - token.range().start) as usize;
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let start = text[..at.min(text.len())]
        .rfind(|c: char| !is_word(c))
        .map_or(0, |i| i + 1);
    let end = text[start..]
        .find(|c: char| !is_word(c))
        .map_or(text.len(), |i| start + i);
    let word = text.get(start..end).filter(|w| !w.is_empty())?;
    let code = crate::rules::find_rule(word)
        .map(|r| r.code)
        .or_else(|| crate::rules::equivalents::from_hadolint(word))
        .or_else(|| crate::rules::equivalents::from_buildkit(word))?;
    let rule = crate::rules::find_rule(code)?;
    let base = token.range().start;
    Some(Hover {
        range: TextRange::new(base + start as u32, base + end as u32),
        markdown: rule.docs_page(),
    })
}

struct Hovering<'a> {
    analysis: &'a DockerfileAnalysis,
    offset: u32,
}

impl<'a> Hovering<'a> {
    fn text(&self) -> &'a str {
        self.analysis.text()
    }

    fn token(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        match token.kind() {
            SyntaxKind::Keyword => keyword(token),
            SyntaxKind::FlagName => self.flag_name(token),
            SyntaxKind::Equals | SyntaxKind::FlagValue
                if token.parent().kind() == SyntaxKind::Flag =>
            {
                self.flag_value(token.parent())
            }
            SyntaxKind::DirectiveHash
            | SyntaxKind::DirectiveName
            | SyntaxKind::Equals
            | SyntaxKind::DirectiveValue
                if token.parent().kind() == SyntaxKind::Directive =>
            {
                directive(token.parent())
            }
            SyntaxKind::StageName => self.stage_declaration(token),
            SyntaxKind::AsKeyword => Some(Hover {
                range: token.range(),
                markdown: "`AS <name>` names this build stage, so `COPY --from=<name>`, \
                           `FROM <name>` and `docker build --target <name>` can refer to it."
                    .to_owned(),
            }),
            SyntaxKind::ImageRegistry
            | SyntaxKind::ImageName
            | SyntaxKind::ImageSeparator
            | SyntaxKind::ImageTag
            | SyntaxKind::ImageDigest => self.image(token),
            SyntaxKind::Key => self.key(token),
            SyntaxKind::Text => self.healthcheck_type(token),
            _ => None,
        }
    }

    // ---- Flags ----

    fn flag_name(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        let instruction = token.parent().parent()?;
        let kind = instruction_kind(instruction);
        let name = token.text().trim_start_matches('-');
        let markdown = match docs::flag(kind, name) {
            Some(doc) => doc.markdown(kind.name().unwrap_or_default()),
            None => {
                let instruction = kind.name()?;
                format!("`--{name}` is not a flag of {instruction}: BuildKit rejects it.")
            }
        };
        Some(Hover {
            range: token.range(),
            markdown,
        })
    }

    fn flag_value(&self, flag: SyntaxNode<'a>) -> Option<Hover> {
        let instruction = flag.parent()?;
        let kind = instruction_kind(instruction);
        let name = flag
            .child_token(SyntaxKind::FlagName)?
            .text()
            .trim_start_matches('-');
        let value = flag
            .children_with_tokens()
            .filter(|e| e.kind() == SyntaxKind::FlagValue)
            .map(|e| e.range())
            .reduce(TextRange::cover)?;
        match (kind, name) {
            (InstructionKind::Copy | InstructionKind::Add, "from") => self.stage_reference(),
            (InstructionKind::Run, "mount") => self.mount_field(value),
            (InstructionKind::From, "platform") => self.platform(instruction, value),
            _ => {
                let doc = docs::flag(kind, name)?;
                let written = &self.text()[value.as_usize()];
                let mut markdown = String::new();
                if let Some(known) = doc.values.iter().find(|v| v.value == written) {
                    let _ = write!(markdown, "`{}`: {}\n\n---\n\n", known.value, known.summary);
                }
                markdown.push_str(&doc.markdown(kind.name().unwrap_or_default()));
                Some(Hover {
                    range: value,
                    markdown,
                })
            }
        }
    }

    /// A `key=value` field of `--mount`: the key's docs, or what its value means.
    fn mount_field(&self, value: TextRange) -> Option<Hover> {
        let text = &self.text()[value.as_usize()];
        let rel = (self.offset.clamp(value.start, value.end) - value.start) as usize;
        let field = segment(text, rel, b',');
        let field_text = &text[field.clone()];
        let at = |r: std::ops::Range<usize>| {
            TextRange::new(value.start + r.start as u32, value.start + r.end as u32)
        };
        let (key, field_value) = match field_text.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field_text, None),
        };
        let key_doc = docs::mount_key(key.trim())?;
        let value_start = field.start + key.len() + 1;
        let on_value = field_value.is_some_and(|v| !v.is_empty()) && rel >= value_start;
        if !on_value {
            return Some(Hover {
                range: at(field.start..field.start + key.len()),
                markdown: key_doc.markdown(),
            });
        }
        let written = field_value.unwrap_or_default();
        let range = at(value_start..field.end);
        match key_doc.name {
            "type" => docs::mount_type(written).map(|t| Hover {
                range,
                markdown: t.markdown(),
            }),
            "from" => self.stage_reference(),
            _ => {
                let mut markdown = String::new();
                if let Some(known) = key_doc.values.iter().find(|v| v.value == written) {
                    let _ = write!(markdown, "`{}`: {}\n\n---\n\n", known.value, known.summary);
                }
                markdown.push_str(&key_doc.markdown());
                Some(Hover { range, markdown })
            }
        }
    }

    /// `FROM --platform=...`: the value as written and expanded.
    fn platform(&self, instruction: SyntaxNode<'a>, value: TextRange) -> Option<Hover> {
        let model = &self.analysis.model;
        let stage = model
            .stages
            .iter()
            .find(|s| s.from_range == instruction.range())?;
        let platform = stage.platform.as_ref()?;
        let mut markdown = String::from("**Platform** of the base image\n\n");
        describe_expansion(&mut markdown, &platform.written, &platform.expanded);
        if let Some(doc) = docs::PLATFORM_VALUES
            .iter()
            .find(|v| v.value == platform.written)
        {
            let _ = write!(markdown, "\n\n`{}`: {}", doc.value, doc.summary);
        }
        Some(Hover {
            range: value,
            markdown,
        })
    }

    // ---- Stages ----

    /// The stage declared by `AS name`.
    fn stage_declaration(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        let stage = self.analysis.model.stages.iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.range.touches(self.offset))
        })?;
        Some(Hover {
            range: token.range(),
            markdown: self.stage_markdown(stage),
        })
    }

    /// A `--from=`, mount `from=` or `FROM <stage>` reference at the cursor.
    fn stage_reference(&self) -> Option<Hover> {
        let model = &self.analysis.model;
        let reference = model.reference_at(self.offset)?;
        let markdown = match reference.target {
            ReferenceTarget::Stage(index) => self.stage_markdown(model.stage(index)?),
            _ => unresolved_reference(reference, model.stages.len()),
        };
        Some(Hover {
            range: reference.range,
            markdown,
        })
    }

    fn stage_markdown(&self, stage: &Stage) -> String {
        let model = &self.analysis.model;
        let references: Vec<&StageReference> = model.references_to(stage.index).collect();
        let mut offsets: Vec<u32> = vec![stage.from_range.start];
        offsets.extend(references.iter().map(|r| r.range.start));
        let lines = line_numbers(self.text(), &offsets);

        let mut out = String::new();
        match &stage.name {
            Some(name) => {
                let _ = write!(out, "**Stage `{}`**", name.text);
            }
            None => out.push_str("**Unnamed stage**"),
        }
        let _ = writeln!(out, " (stage {}, line {})\n", stage.index, lines[0]);
        match &stage.base {
            Some(base) => match &base.kind {
                BaseKind::Stage(parent) => {
                    let parent_name = model
                        .stage(*parent)
                        .and_then(|p| p.name.as_ref())
                        .map_or_else(|| format!("{parent}"), |n| n.text.clone());
                    let _ = writeln!(out, "Built from stage `{parent_name}`.");
                }
                BaseKind::Scratch => out.push_str("Built from `scratch` (an empty filesystem).\n"),
                BaseKind::Image(_) => {
                    out.push_str("Base image: ");
                    describe_expansion(&mut out, &base.written, &base.expanded);
                    out.push('\n');
                }
            },
            None => out.push_str("No base image yet.\n"),
        }
        if let Some(platform) = &stage.platform {
            let _ = writeln!(out, "\nPlatform: `{}`", platform.expanded.text);
        }
        if Some(stage.index) == model.final_stage().map(|s| s.index) {
            out.push_str("\nThe final stage: what the build produces without `--target`.\n");
        }
        if references.is_empty() {
            out.push_str("\nNot used by any other stage.");
        } else {
            let uses: Vec<String> = references
                .iter()
                .zip(&lines[1..])
                .map(|(r, line)| format!("line {line} (`{}`)", reference_label(r.kind)))
                .collect();
            let _ = write!(out, "\nUsed by: {}.", uses.join(", "));
        }
        out
    }

    // ---- Images ----

    /// A FROM image: its stage when it names one, else its parts.
    fn image(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        let image_ref = token.parent();
        if self
            .analysis
            .model
            .reference_at(self.offset)
            .is_some_and(|r| r.kind == ReferenceKind::From)
        {
            return self.stage_reference();
        }
        let instruction = image_ref.parent()?;
        let stage = self
            .analysis
            .model
            .stages
            .iter()
            .find(|s| s.from_range == instruction.range())?;
        let base = stage.base.as_ref()?;
        let mut out = String::new();
        match &base.kind {
            BaseKind::Scratch => {
                out.push_str("**`scratch`**: an empty filesystem, with no shell or libraries. ");
                out.push_str("Copy a static binary into it from a build stage.");
            }
            BaseKind::Stage(_) => return self.stage_reference(),
            BaseKind::Image(_) => image_markdown(&mut out, base),
        }
        Some(Hover {
            range: image_ref.range(),
            markdown: out,
        })
    }

    // ---- Declarations ----

    /// An ARG or ENV name where it is declared, or a LABEL key.
    fn key(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        let key_value = token.parent();
        let instruction = key_value.parent()?;
        let markdown = match instruction_kind(instruction) {
            InstructionKind::Arg => self.arg_declaration(token, key_value)?,
            InstructionKind::Env => self.env_declaration(token, key_value, instruction)?,
            InstructionKind::Label => label(token, key_value)?,
            _ => return None,
        };
        Some(Hover {
            range: token.range(),
            markdown,
        })
    }

    fn arg_declaration(&self, key: SyntaxToken<'a>, key_value: SyntaxNode<'a>) -> Option<String> {
        let model = &self.analysis.model;
        let name = key.text();
        let in_stage = model.stage_at(key.range().start).is_some();
        let scope = if in_stage {
            "in this stage"
        } else {
            "global: FROM lines can use it"
        };
        let mut out = format!("**`{name}`**: build argument ({scope})\n\n");
        match key_value.child_token(SyntaxKind::Equals) {
            Some(_) => {
                let written = key_value
                    .child_token(SyntaxKind::Value)
                    .map_or("", |v| v.text());
                let expanded = model.expand(written, key_value.range().start);
                out.push_str("Default: ");
                describe_expansion(&mut out, written, &expanded);
                let _ = write!(
                    out,
                    "\n\nA build can override it: `docker build --build-arg {name}=...`."
                );
            }
            None if in_stage => self.imported_arg(&mut out, name),
            None => {
                let _ = write!(
                    out,
                    "No default: empty unless the build passes `--build-arg {name}=...`."
                );
            }
        }
        Some(out)
    }

    /// A bare `ARG NAME` in a stage takes the global ARG's value, or BuildKit's.
    fn imported_arg(&self, out: &mut String, name: &str) {
        let model = &self.analysis.model;
        if let Some(global) = model.global_args.iter().rev().find(|v| v.name == name) {
            let line = global
                .declared_at
                .map(|r| line_numbers(self.text(), &[r.start])[0]);
            let at = line.map_or(String::new(), |l| format!(" (line {l})"));
            match &global.value {
                Some(value) => {
                    let _ = write!(out, "Imports the global ARG{at}, default `{value}`.");
                }
                None => {
                    let _ = write!(out, "Imports the global ARG{at}, which has no default.");
                }
            }
            let _ = write!(
                out,
                " A build can override it with `--build-arg {name}=...`."
            );
        } else if let Some(summary) = docs::platform_arg_summary(name) {
            let _ = write!(out, "Imports BuildKit's automatic value. {summary}");
        } else {
            let _ = write!(
                out,
                "No default: empty unless the build passes `--build-arg {name}=...`."
            );
        }
    }

    fn env_declaration(
        &self,
        key: SyntaxToken<'a>,
        key_value: SyntaxNode<'a>,
        instruction: SyntaxNode<'a>,
    ) -> Option<String> {
        let written = key_value
            .child_token(SyntaxKind::Value)
            .map_or("", |v| v.text());
        // ENV values see the variables from before their line.
        let expanded = self
            .analysis
            .model
            .expand(written, instruction.range().start);
        let mut out = format!("**`{}`**: environment variable\n\nValue: ", key.text());
        describe_expansion(&mut out, written, &expanded);
        out.push_str(
            "\n\nSet for the following instructions, for containers, and for stages built \
             from this one.",
        );
        Some(out)
    }

    /// `HEALTHCHECK CMD` and `HEALTHCHECK NONE`.
    fn healthcheck_type(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        let word = token.parent();
        let instruction = word.parent()?;
        if instruction_kind(instruction) != InstructionKind::Healthcheck
            || word.kind() != SyntaxKind::Word
        {
            return None;
        }
        let markdown = match token.text().to_ascii_uppercase().as_str() {
            "CMD" => {
                "`CMD <command>`: the check, run inside the container. Exit code 0 means \
                      healthy, 1 unhealthy."
            }
            "NONE" => "`NONE`: disables any health check inherited from the base image.",
            _ => return None,
        };
        Some(Hover {
            range: token.range(),
            markdown: markdown.to_owned(),
        })
    }

    // ---- Variables ----

    /// A `$NAME` or `${NAME...}` reference under the cursor, in any instruction or heredoc.
    fn variable(&self, token: SyntaxToken<'a>) -> Option<Hover> {
        if !matches!(
            token.kind(),
            SyntaxKind::Text
                | SyntaxKind::FlagValue
                | SyntaxKind::Value
                | SyntaxKind::Key
                | SyntaxKind::ImageRegistry
                | SyntaxKind::ImageName
                | SyntaxKind::ImageTag
                | SyntaxKind::ImageDigest
                | SyntaxKind::JsonString
                | SyntaxKind::HeredocBody
        ) {
            return None;
        }
        let (range, name) = variable_reference_at(
            self.text(),
            token.range(),
            self.offset,
            self.analysis.model.escape,
        )?;
        let markdown = self.variable_markdown(name);
        Some(Hover { range, markdown })
    }

    fn variable_markdown(&self, name: &str) -> String {
        let model = &self.analysis.model;
        match model.variable_at(name, self.offset) {
            Some(variable) => self.known_variable(&variable),
            None => self.undeclared_variable(name),
        }
    }

    fn known_variable(&self, variable: &Variable) -> String {
        let model = &self.analysis.model;
        let name = &variable.name;
        let what = match variable.kind {
            VariableKind::Arg => "build argument (ARG)",
            VariableKind::Env => "environment variable (ENV)",
            VariableKind::Platform => "automatic platform ARG",
            VariableKind::Proxy => "predefined proxy ARG",
            VariableKind::Builtin => "set without an instruction",
        };
        let mut out = format!("**`{name}`**: {what}\n\n");
        match &variable.value {
            Some(value) => {
                let _ = write!(out, "Value: `{value}`");
            }
            None => {
                let _ = write!(out, "Value: unknown, {}", unknown_reason(variable));
            }
        }
        // One pass over the text for every line number shown.
        let global = (variable.kind == VariableKind::Arg && variable.written.is_none())
            .then(|| model.global_args.iter().rev().find(|g| &g.name == name))
            .flatten()
            .filter(|_| model.stage_at(self.offset).is_some());
        let inherited = variable.inherited_from.and_then(|i| model.stage(i));
        let mut offsets = Vec::new();
        offsets.extend(variable.declared_at.map(|r| r.start));
        offsets.extend(global.and_then(|g| g.declared_at).map(|r| r.start));
        offsets.extend(inherited.map(|s| s.from_range.start));
        let lines = line_numbers(self.text(), &offsets);
        let mut lines = lines.into_iter();
        if let Some(declared) = variable.declared_at {
            let line = lines.next().unwrap_or_default();
            let declaration = &self.text()[declared.as_usize()];
            let keyword = match variable.kind {
                VariableKind::Env => "ENV",
                _ => "ARG",
            };
            let _ = write!(
                out,
                "\n\nDeclared on line {line}: `{keyword} {declaration}`"
            );
            if let Some(written) = &variable.written {
                let _ = write!(out, " = `{}`", shorten(written));
            }
        }
        if let Some(global) = global {
            let at = global.declared_at.map_or(String::new(), |_| {
                format!(" (line {})", lines.next().unwrap_or_default())
            });
            let _ = write!(out, "\n\nImported from the global `ARG {name}`{at}.");
        }
        if let Some(stage) = inherited {
            let label = stage
                .name
                .as_ref()
                .map_or_else(|| format!("{}", stage.index), |n| n.text.clone());
            let line = lines.next().unwrap_or_default();
            let _ = write!(out, "\n\nInherited from stage `{label}` (line {line}).");
        }
        match variable.kind {
            VariableKind::Platform => {
                if let Some(summary) = docs::platform_arg_summary(name) {
                    let _ = write!(out, "\n\n{summary}");
                }
            }
            VariableKind::Proxy => {
                let _ = write!(out, "\n\n{}", docs::PROXY_ARG_SUMMARY);
            }
            VariableKind::Arg => {
                let _ = write!(
                    out,
                    "\n\nA build can override it: `--build-arg {name}=...`."
                );
            }
            _ => {}
        }
        out
    }

    fn undeclared_variable(&self, name: &str) -> String {
        let model = &self.analysis.model;
        let stage = model
            .stage_at(self.offset)
            .filter(|s| !s.from_range.touches(self.offset));
        let mut out = format!("**`{name}`**: not declared here\n\n");
        if stage.is_some() && PLATFORM_ARGS.contains(&name) {
            let _ = write!(
                out,
                "BuildKit sets `{name}` automatically, but a stage sees it only after \
                 `ARG {name}`: add that line before using it. Here it expands to nothing."
            );
            return out;
        }
        if stage.is_some() && model.global_args.iter().any(|g| g.name == name) {
            let _ = write!(
                out,
                "A global ARG has this name, but stages do not see global ARGs: add \
                 `ARG {name}` in this stage to import its value."
            );
            return out;
        }
        match stage {
            Some(stage) if stage.env_from_image => out.push_str(
                "The base image may set it, and in a RUN command so may the shell; \
                 BuildKit itself would expand it to nothing.",
            ),
            _ => out.push_str("Expands to an empty string."),
        }
        out
    }
}

/// The keyword of an instruction (or an ONBUILD trigger).
fn keyword(token: SyntaxToken<'_>) -> Option<Hover> {
    let kind = instruction_kind(token.parent());
    let doc = docs::instruction(kind)?;
    Some(Hover {
        range: token.range(),
        markdown: doc.markdown(),
    })
}

fn directive(node: SyntaxNode<'_>) -> Option<Hover> {
    let name = node.child_token(SyntaxKind::DirectiveName)?;
    let doc = docs::directive(name.text())?;
    Some(Hover {
        range: node.range(),
        markdown: doc.markdown(),
    })
}

fn label(key: SyntaxToken<'_>, key_value: SyntaxNode<'_>) -> Option<String> {
    let value = key_value
        .child_token(SyntaxKind::Value)
        .map_or("", |v| v.text());
    let mut out = format!("**Label `{}`**", key.text());
    if !value.is_empty() {
        let _ = write!(out, " = `{}`", shorten(value));
    }
    if let Some(doc) = docs::label(key.text()) {
        let _ = write!(out, "\n\n{}", doc.summary);
    }
    Some(out)
}

/// Why a variable's value is not known before the build.
fn unknown_reason(variable: &Variable) -> &'static str {
    match variable.kind {
        VariableKind::Arg if variable.written.is_none() => "set by `--build-arg` (no default here)",
        VariableKind::Arg | VariableKind::Env => "it depends on values known only at build time",
        VariableKind::Platform => "set by BuildKit for each build",
        VariableKind::Proxy => "set by `--build-arg` when the build needs a proxy",
        VariableKind::Builtin => "set by the base image",
    }
}

/// `` `expanded` `` and, when different, what it was written as; unknown parts are named.
fn describe_expansion(out: &mut String, written: &str, expanded: &crate::semantic::Expanded) {
    let _ = write!(out, "`{}`", expanded.text);
    if expanded.text != written {
        let _ = write!(out, " (written `{written}`)");
    }
    if !expanded.unknown.is_empty() {
        let names: Vec<String> = expanded.unknown.iter().map(|n| format!("`{n}`")).collect();
        let _ = write!(
            out,
            "; depends on {} (known only at build time)",
            names.join(", ")
        );
    }
    if !expanded.undefined.is_empty() {
        let names: Vec<String> = expanded
            .undefined
            .iter()
            .map(|u| format!("`{}`", u.name))
            .collect();
        let _ = write!(out, "; {} not declared (empty)", names.join(", "));
    }
}

fn image_markdown(out: &mut String, base: &crate::semantic::StageBase) {
    out.push_str("**Base image** ");
    describe_expansion(out, &base.written, &base.expanded);
    out.push_str("\n\n");
    match base.registry() {
        Some(registry) => {
            let _ = writeln!(out, "- Registry: `{registry}`");
        }
        None => out.push_str("- Registry: Docker Hub (`docker.io`)\n"),
    }
    if let Some(name) = base.image_name() {
        let official = base.registry().is_none() && !name.contains('/');
        let note = if official { " (an official image)" } else { "" };
        let _ = writeln!(out, "- Name: `{name}`{note}");
    }
    match (base.tag(), base.digest()) {
        (Some(tag), _) => {
            let _ = writeln!(out, "- Tag: `{tag}`");
        }
        (None, None) => out.push_str("- Tag: none, so `latest`: pin a version\n"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = base.digest() {
        let _ = writeln!(out, "- Digest: `{digest}` (pinned)");
    }
    if let Some(doc) = base.image_name().and_then(docs::base_image) {
        let _ = write!(out, "\n{}", doc.summary);
    }
}

fn unresolved_reference(reference: &StageReference, stage_count: usize) -> String {
    let value = &reference.expanded.text;
    match reference.target {
        ReferenceTarget::Image => {
            format!("`{value}` is not a stage of this file: BuildKit pulls it as an image.")
        }
        ReferenceTarget::Scratch => "`scratch`: an empty filesystem.".to_owned(),
        ReferenceTarget::Unknown => {
            format!("No stage is named `{value}`: Docker will try to pull an image of that name.")
        }
        ReferenceTarget::InvalidIndex => format!(
            "No stage has index `{value}`: this file has {stage_count} stage(s), numbered from 0."
        ),
        ReferenceTarget::Unresolved => {
            format!(
                "`{}` depends on values known only at build time.",
                reference.written
            )
        }
        ReferenceTarget::Stage(_) => String::new(),
    }
}

fn reference_label(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::From => "FROM",
        ReferenceKind::CopyFrom => "COPY --from",
        ReferenceKind::AddFrom => "ADD --from",
        ReferenceKind::RunMount => "RUN --mount from",
    }
}

/// The `$NAME` or `${NAME...}` reference touching `offset` inside `token_range`, looking only
/// at the cursor's line (a heredoc body can be long). Returns its range and name.
fn variable_reference_at(
    text: &str,
    token_range: TextRange,
    offset: u32,
    escape: char,
) -> Option<(TextRange, &str)> {
    let token = text.get(token_range.as_usize())?;
    let rel = (offset.clamp(token_range.start, token_range.end) - token_range.start) as usize;
    let line = segment(token, rel, b'\n');
    let bytes = token.as_bytes();
    let mut i = line.start;
    while i < line.end {
        if bytes[i] != b'$' || (i > 0 && escape.is_ascii() && bytes[i - 1] == escape as u8) {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let name_start = i + 1 + usize::from(braced);
        let mut name_end = name_start;
        while name_end < line.end
            && (bytes[name_end].is_ascii_alphanumeric() || bytes[name_end] == b'_')
        {
            name_end += 1;
        }
        let end = if braced {
            closing_brace(bytes, name_end, line.end)
        } else {
            name_end
        };
        if name_end > name_start && (i..=end).contains(&rel) {
            let range =
                TextRange::new(token_range.start + i as u32, token_range.start + end as u32);
            return Some((range, &token[name_start..name_end]));
        }
        i = end.max(i + 1);
    }
    None
}

/// Just past the `}` closing a `${` whose name ends at `from` (nested `${...}` allowed), or
/// `limit` when it is unterminated.
fn closing_brace(bytes: &[u8], from: usize, limit: usize) -> usize {
    let mut depth = 1;
    let mut i = from;
    while i < limit {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    limit
}

/// 1-based line numbers of `offsets`, counted in one pass over the text up to the largest.
pub(crate) fn line_numbers(text: &str, offsets: &[u32]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut lines = vec![1; offsets.len()];
    let Some(&last) = order.last() else {
        return lines;
    };
    let end = (offsets[last] as usize).min(text.len());
    let mut newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).peekable();
    let mut line = 1;
    for i in order {
        let target = offsets[i] as usize;
        while newlines.next_if(|&at| at < target).is_some() {
            line += 1;
        }
        lines[i] = line;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::{slice, with_cursor};

    /// (hovered text, markdown) at the cursor.
    fn hover_at(fixture: &str) -> Option<(String, String)> {
        let (analysis, offset) = with_cursor(fixture);
        let hover = hover(&analysis, offset)?;
        Some((slice(&analysis, hover.range).to_owned(), hover.markdown))
    }

    fn markdown(fixture: &str) -> String {
        hover_at(fixture).map(|(_, m)| m).unwrap_or_default()
    }

    fn range(fixture: &str) -> String {
        hover_at(fixture).map(|(r, _)| r).unwrap_or_default()
    }

    #[test]
    fn keywords() {
        let (range, text) = hover_at("FROM a\nR$0UN echo").unwrap();
        assert_eq!(range, "RUN");
        assert!(text.contains("RUN [OPTIONS] <command>"));
        assert_eq!(range_of_keyword_at_end(), "RUN");
        assert!(markdown("FROM a\nmaintainer$0 x").contains("**Deprecated.**"));
        assert!(markdown("FROM a\nONBUILD CO$0PY a b").starts_with("```dockerfile\nCOPY"));
        assert_eq!(hover_at("FROM a\nBOGUS$0 x"), None);
    }

    fn range_of_keyword_at_end() -> String {
        range("FROM a\nRUN$0")
    }

    #[test]
    fn flags_and_mount_keys() {
        let (range, text) = hover_at("FROM a\nCOPY --ch$0own=1:1 a b").unwrap();
        assert_eq!(range, "--chown");
        assert!(text.contains("COPY --chown=<user>[:<group>]"));
        assert!(text.contains("§10.1"));
        assert!(markdown("FROM a\nADD --fr$0om=x a b").contains("not a flag of ADD"));
        let (range, text) = hover_at("FROM a\nRUN --mount=type=cache,tar$0get=/x make").unwrap();
        assert_eq!(range, "target");
        assert!(text.contains("Where the mount appears"));
        let (range, text) = hover_at("FROM a\nRUN --mount=type=cache,dst$0=/x make").unwrap();
        assert_eq!(range, "dst");
        assert!(text.contains("RUN --mount=target=<path>"));
        let (range, text) = hover_at("FROM a\nRUN --mount=type=se$0cret,id=x make").unwrap();
        assert_eq!(range, "secret");
        assert!(text.contains("RUN --mount=type=secret"));
        let (range, text) =
            hover_at("FROM a\nRUN --mount=type=cache,target=/x,sharing=lo$0cked make").unwrap();
        assert_eq!(range, "locked");
        assert!(text.starts_with("`locked`: Builds wait"));
        let (range, _) = hover_at("FROM a\nRUN --mount=type=secret,id=npm,env=$0 make").unwrap();
        assert_eq!(range, "env", "an empty value hovers its key");
        let (range, text) = hover_at("FROM a\nRUN --network=no$0ne make").unwrap();
        assert_eq!(range, "none");
        assert!(text.starts_with("`none`: No network access"));
    }

    #[test]
    fn directives() {
        let (range, text) = hover_at("# sy$0ntax=docker/dockerfile:1\nFROM a").unwrap();
        assert_eq!(range, "# syntax=docker/dockerfile:1");
        assert!(text.contains("frontend"));
        assert!(markdown("# check=skip=Stage$0NameCasing\nFROM a").contains("build checks"));
        assert!(markdown("# escape=`$0\nFROM a").contains("backtick"));
    }

    #[test]
    fn variables_resolve_with_buildkit_scoping() {
        let src =
            "ARG VERSION=1.2\nFROM node:${VER$0SION}-alpine\nARG VERSION\nRUN echo $VERSION\n";
        let (range, text) = hover_at(src).unwrap();
        assert_eq!(range, "${VERSION}");
        assert!(text.contains("Value: `1.2`"), "{text}");
        assert!(
            text.contains("Declared on line 1: `ARG VERSION` = `1.2`"),
            "{text}"
        );

        let src = "ARG VERSION=1.2\nFROM node\nARG VERSION\nRUN echo $VER$0SION\n";
        let (range, text) = hover_at(src).unwrap();
        assert_eq!(range, "$VERSION");
        assert!(text.contains("Value: `1.2`"), "{text}");
        assert!(text.contains("Declared on line 3"), "{text}");
        assert!(
            text.contains("Imported from the global `ARG VERSION` (line 1)"),
            "{text}"
        );

        let text = markdown("ARG VERSION=1.2\nFROM node\nRUN echo $VER$0SION\n");
        assert!(
            text.contains("not declared here") && text.contains("ARG VERSION"),
            "{text}"
        );

        let text = markdown("FROM node\nARG TOKEN\nRUN echo $TOK$0EN\n");
        assert!(text.contains("unknown, set by `--build-arg`"), "{text}");

        let text = markdown("FROM node\nRUN echo $TARGET$0ARCH\n");
        assert!(text.contains("add that line"), "{text}");
        let text = markdown("FROM --platform=$BUILD$0PLATFORM node\n");
        assert!(text.contains("set by BuildKit for each build"), "{text}");
        let text = markdown("FROM node\nRUN echo $HTTP$0_PROXY\n");
        assert!(text.contains("proxy"), "{text}");
        let text = markdown("FROM node\nRUN echo $UNSET$0\n");
        assert!(text.contains("base image may set it"), "{text}");
        let text = markdown("FROM scratch\nCOPY $UNSET$0 /\n");
        assert!(text.contains("Expands to an empty string"), "{text}");
    }

    #[test]
    fn variables_everywhere() {
        let text = markdown("FROM a\nENV HOME_DIR=/srv\nWORKDIR ${HOME_DIR$0:-/tmp}/app\n");
        assert!(text.contains("Value: `/srv`"), "{text}");
        assert_eq!(
            range("FROM a\nENV D=/srv\nWORKDIR ${D:-/t$0mp}\n"),
            "${D:-/tmp}"
        );
        assert!(markdown("FROM a\nARG U=1\nCOPY --chown=$U$0 a b").contains("Value: `1`"));
        assert!(markdown("FROM a\nENV P=1\nRUN <<EOF\necho $P$0\nEOF\n").contains("Value: `1`"));
        assert!(
            markdown("FROM a AS b\nENV P=1\nFROM b\nRUN echo $P$0")
                .contains("Inherited from stage `b` (line 1)")
        );
        assert!(
            markdown("FROM a\nENV A=1 B=$A$0\n").contains("not declared"),
            "same ENV line"
        );
        assert_eq!(hover_at("FROM a\nRUN echo \\$HO$0ME"), None, "escaped");
        assert_eq!(hover_at("FROM a\n# $HO$0ME"), None, "comment");
    }

    #[test]
    fn declarations_show_their_values() {
        let (range, text) =
            hover_at("ARG BASE=alpine\nARG TAG=3.22\nARG IMAGE=$BASE:$T$0AG\n").unwrap();
        assert_eq!(range, "$TAG");
        assert!(text.contains("`3.22`"));
        let (range, text) =
            hover_at("ARG BASE=alpine\nARG TAG=3.22\nARG IM$0AGE=$BASE:$TAG\n").unwrap();
        assert_eq!(range, "IMAGE");
        assert!(
            text.contains("Default: `alpine:3.22` (written `$BASE:$TAG`)"),
            "{text}"
        );
        let text = markdown("ARG V=9\nFROM a\nARG V$0\n");
        assert!(
            text.contains("Imports the global ARG (line 1), default `9`"),
            "{text}"
        );
        let text = markdown("FROM a\nARG TARGETARCH$0\n");
        assert!(text.contains("automatic value"), "{text}");
        let text = markdown("FROM a\nARG NOPE$0\n");
        assert!(text.contains("No default"), "{text}");
        let text = markdown("FROM a\nARG V\nENV PA$0TH_X=/opt/$V\n");
        assert!(text.contains("known only at build time"), "{text}");
        let text = markdown("FROM a\nENV A=1\nENV B$0=\"$A two\"\n");
        assert!(text.contains("Value: `1 two`"), "{text}");
        let text = markdown("FROM a\nLABEL org.opencontainers.image.sou$0rce=\"https://x\"\n");
        assert!(text.contains("source code"), "{text}");
    }

    #[test]
    fn stages() {
        let src = "FROM golang:1.24 AS bu$0ild\nRUN go build\nFROM alpine\nCOPY --from=build /out /\n\
                   FROM build AS test\nRUN --mount=type=bind,from=build,target=/b true\n";
        let (range, text) = hover_at(src).unwrap();
        assert_eq!(range, "build");
        assert!(
            text.starts_with("**Stage `build`** (stage 0, line 1)"),
            "{text}"
        );
        assert!(text.contains("Base image: `golang:1.24`"), "{text}");
        assert!(
            text.contains(
                "Used by: line 4 (`COPY --from`), line 5 (`FROM`), line 6 (`RUN --mount from`)"
            ),
            "{text}"
        );
        let copy = src
            .replace("bu$0ild", "build")
            .replace("--from=build", "--from=bu$0ild");
        let (range, text) = hover_at(&copy).unwrap();
        assert_eq!(range, "build");
        assert!(text.starts_with("**Stage `build`**"));
        let from = src
            .replace("bu$0ild", "build")
            .replace("FROM build", "FROM bu$0ild");
        assert_eq!(range_and_start(&from), ("build".to_owned(), true));
        let mount = src
            .replace("bu$0ild", "build")
            .replace("from=build", "from=bu$0ild");
        assert_eq!(range_and_start(&mount), ("build".to_owned(), true));
        let last = markdown("FROM a AS one\nFROM one AS t$0wo\n");
        assert!(
            last.contains("Built from stage `one`") && last.contains("final stage"),
            "{last}"
        );
        assert!(markdown("FROM a\nCOPY --from=nginx:1$0.27 a b").contains("pulls it as an image"));
        assert!(markdown("FROM a\nCOPY --from=bui$0ld a b").contains("No stage is named `build`"));
        assert!(markdown("FROM a\nCOPY --from=7$0 a b").contains("has 1 stage(s)"));
    }

    fn range_and_start(fixture: &str) -> (String, bool) {
        let (range, text) = hover_at(fixture).unwrap();
        (range, text.starts_with("**Stage `build`**"))
    }

    #[test]
    fn images() {
        let src = "ARG REG=ghcr.io\nARG TAG=22\nFROM $REG/org/node:${TAG}-slim@sha256:abc AS x\n";
        let (range, text) = hover_at(&src.replace("org/node", "org/no$0de")).unwrap();
        assert_eq!(range, "$REG/org/node:${TAG}-slim@sha256:abc");
        assert!(
            text.contains("`ghcr.io/org/node:22-slim@sha256:abc`"),
            "{text}"
        );
        assert!(text.contains("- Registry: `ghcr.io`"));
        assert!(text.contains("- Name: `org/node`"));
        assert!(text.contains("- Tag: `22-slim`"));
        assert!(text.contains("- Digest: `sha256:abc` (pinned)"));
        let text = markdown("FROM no$0de\n");
        assert!(
            text.contains("Docker Hub") && text.contains("official image"),
            "{text}"
        );
        assert!(text.contains("pin a version"), "{text}");
        assert!(text.contains("Node.js"), "{text}");
        assert!(markdown("FROM scr$0atch\n").contains("empty filesystem"));
        let (range, _) = hover_at("ARG V=1\nFROM node:$0${V}\n").unwrap();
        assert_eq!(range, "${V}", "right before a `$`, the variable wins");
        let text = markdown("FROM alpine:$TARGET$0ARCH\n");
        assert!(
            text.contains("TARGETARCH"),
            "variable hover wins on the variable"
        );
        let text = markdown("FROM alpi$0ne:$TARGETARCH\n");
        assert!(text.contains("known only at build time"), "{text}");
        assert!(
            markdown(
                "FROM --platform=$BUILDPLATFORM alpine AS b\nFROM --platform=linux/ar$0m64 b\n"
            )
            .contains("64-bit ARM")
        );
    }

    #[test]
    fn other_words() {
        assert!(markdown("FROM a\nHEALTHCHECK NO$0NE").contains("disables"));
        assert!(markdown("FROM a\nHEALTHCHECK C$0MD curl x").contains("Exit code 0"));
        assert!(markdown("FROM a a$0s b").contains("names this build stage"));
        assert_eq!(hover_at("FROM a\nRUN ec$0ho hi"), None);
        assert_eq!(hover_at("FROM a\n\n$0\n"), None);
    }

    #[test]
    fn rules_named_in_suppression_comments() {
        let (range, text) =
            hover_at("FROM a\n# dockwise: ignore=DF002,DF0$010 -- old\nMAINTAINER x").unwrap();
        assert_eq!(range, "DF010");
        assert!(text.starts_with("# DF010 maintainer-deprecated"), "{text}");
        let (range, _) = hover_at("FROM a\n# dockwise: ignore=maintainer-dep$0recated\n").unwrap();
        assert_eq!(range, "maintainer-deprecated");
        let (range, text) = hover_at("FROM a\n# hadolint ignore=DL40$000\nMAINTAINER x").unwrap();
        assert_eq!(range, "DL4000");
        assert!(text.contains("DF010"));
        let (range, _) = hover_at("# check=skip=Maintainer$0Deprecated\nFROM a").unwrap();
        assert_eq!(range, "MaintainerDeprecated");
        // Ordinary comments and unknown codes.
        assert_eq!(hover_at("FROM a\n# see DF0$010 for why\n"), None);
        assert_eq!(hover_at("FROM a\n# dockwise: ignore=DF9$099\n"), None);
    }

    #[test]
    fn line_numbers_in_one_pass() {
        let text = "a\nb\nc\nd";
        assert_eq!(line_numbers(text, &[6, 0, 2, 99]), [4, 1, 2, 4]);
        assert_eq!(line_numbers(text, &[]), Vec::<u32>::new());
        assert_eq!(line_numbers(text, &[1, 2]), [1, 2]);
    }

    #[test]
    fn any_offset_is_safe() {
        let src = "\u{feff}# syntax=docker/dockerfile:1\nARG V=1 W\nFROM --platform=$BUILDPLATFORM node:${V} AS b\n\
                   RUN --mount=type=cache,target=/x,from=b,sharing <<EOF\n  echo é ${V:-x} ${ $\nEOF\n\
                   COPY --from=b [\"a\", \"$V\"\nONBUILD ADD --chown=1 x \\\n  y\nHEALTHCHECK --interval=1s NONE\n\
                   LABEL a=b c\nENV A B\nUSER 1:1\nRU\nCOPY --from=7 --\nRUN --mount=\nFROM b\n${";
        let analysis = DockerfileAnalysis::new(src);
        for offset in 0..=src.len() as u32 + 3 {
            if let Some(hover) = hover(&analysis, offset) {
                assert!(hover.range.end as usize <= src.len());
                assert!(
                    hover.range.touches(offset)
                        || hover.range.contains_range(TextRange::empty(offset)),
                    "{hover:?} at {offset}"
                );
            }
        }
        assert!(hover(&analysis, src.len() as u32 + 1).is_none());
    }
}
