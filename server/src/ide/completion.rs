//! Completion: instructions, directives, flags and their values, stage names, variables, base images.
//!
//! Each request looks at the token around the cursor and the instruction it belongs to, then
//! offers what may be written there. Every item's edit replaces the word being typed, so
//! editors filter and replace correctly on half-typed and broken lines. The work per request
//! is bounded by the current line, the current instruction and the model's per-stage data:
//! nothing scans the whole file.

use memchr::memrchr;

use super::docs::{self, DirectiveDoc, FlagDoc, InstructionDoc, ValueDoc};
use super::signature_help::{ArgKind, ArgLayout, ArgPosition, Cursor, instruction_kind};
use super::{CompletionItem, CompletionKind, DockerfileAnalysis, TextEdit};
use crate::semantic::scope::PLATFORM_ARGS;
use crate::semantic::{Stage, Variable, VariableKind};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind, SyntaxNode, SyntaxToken};

/// Characters after which editors should ask for completions.
pub const TRIGGER_CHARACTERS: &[&str] = &["$", "{", "-", "=", " ", ",", ":", "#"];

/// Completions at `offset`.
pub fn completions(analysis: &DockerfileAnalysis, offset: u32) -> Vec<CompletionItem> {
    let mut completer = Completer {
        analysis,
        cursor: Cursor::new(&analysis.parse.tree, offset),
        items: Vec::new(),
    };
    completer.complete();
    completer.items
}

struct Completer<'a> {
    analysis: &'a DockerfileAnalysis,
    cursor: Cursor<'a>,
    items: Vec<CompletionItem>,
}

/// How a list of items should rank against other lists in the same answer.
#[derive(Clone, Copy)]
enum Rank {
    First = 0,
    Second = 1,
    Third = 2,
    Last = 3,
}

impl<'a> Completer<'a> {
    fn text(&self) -> &'a str {
        self.analysis.text()
    }

    fn offset(&self) -> u32 {
        self.cursor.offset
    }

    fn complete(&mut self) {
        if self.cursor.in_comment() {
            self.comment();
            return;
        }
        if let Some(directive) = self.cursor.directive() {
            self.directive(directive);
            return;
        }
        if self.variables() || self.cursor.in_heredoc_body() {
            return;
        }
        match self.cursor.instruction() {
            Some(instruction) => self.instruction(instruction),
            None => self.line_start(),
        }
    }

    // ---- Line starts: instructions and directives ----

    fn line_start(&mut self) {
        let empty = TextRange::empty(self.offset());
        if self.line_is_blank() && self.directives_allowed() {
            self.directive_names(empty, Rank::Second);
        }
        self.keywords(empty, self.offset(), KeywordSite::Line, false);
    }

    fn line_start_offset(&self) -> u32 {
        let before = &self.text().as_bytes()[..self.offset() as usize];
        memrchr(b'\n', before).map_or(0, |i| i as u32 + 1)
    }

    fn line_is_blank(&self) -> bool {
        let start = self.line_start_offset() as usize;
        let rest = &self.text()[start..];
        let line = rest.split('\n').next().unwrap_or("");
        line.trim_start_matches('\u{feff}').trim().is_empty()
    }

    /// True when every line before the cursor's line is a parser directive: BuildKit stops
    /// reading directives at the first other line, blank lines and comments included.
    fn directives_allowed(&self) -> bool {
        let line_start = self.line_start_offset();
        let mut line_has_directive = false;
        for element in self.analysis.parse.tree.root().children_with_tokens() {
            if element.range().start >= line_start {
                return true;
            }
            match element.kind() {
                SyntaxKind::Directive => line_has_directive = true,
                SyntaxKind::Newline if line_has_directive => line_has_directive = false,
                SyntaxKind::Bom | SyntaxKind::Indent => {}
                _ => return false,
            }
        }
        true
    }

    /// Instruction keywords replacing `range`. `instruction_start` is where the instruction
    /// being written starts: before the first FROM only FROM and ARG may go there.
    fn keywords(
        &mut self,
        range: TextRange,
        instruction_start: u32,
        site: KeywordSite,
        has_args: bool,
    ) {
        let preamble = self
            .analysis
            .model
            .stages
            .first()
            .is_none_or(|s| s.from_range.start >= instruction_start);
        for doc in docs::INSTRUCTIONS {
            let allowed = match site {
                KeywordSite::OnbuildTrigger => !matches!(
                    doc.kind,
                    InstructionKind::From | InstructionKind::Maintainer | InstructionKind::Onbuild
                ),
                KeywordSite::Line if preamble => {
                    matches!(doc.kind, InstructionKind::From | InstructionKind::Arg)
                }
                KeywordSite::Line => true,
            };
            if allowed {
                self.keyword_items(doc, range, preamble, has_args);
            }
        }
    }

    fn keyword_items(
        &mut self,
        doc: &InstructionDoc,
        range: TextRange,
        preamble: bool,
        has_args: bool,
    ) {
        let rank = match (
            doc.deprecated,
            preamble && doc.kind == InstructionKind::From,
        ) {
            (true, _) => Rank::Last,
            (_, true) => Rank::First,
            _ => Rank::Second,
        };
        // With arguments already written, only the keyword is replaced.
        let snippets: &[docs::Snippet] = if has_args { &[] } else { doc.snippets };
        if snippets.is_empty() {
            let mut item = item(doc.name, CompletionKind::Keyword, range, doc.name);
            describe_instruction(&mut item, doc, rank);
            self.items.push(item);
        }
        for (i, snippet) in snippets.iter().enumerate() {
            let kind = if i == 0 {
                CompletionKind::Keyword
            } else {
                CompletionKind::Snippet
            };
            let mut item = item(snippet.label, kind, range, snippet.body);
            item.is_snippet = true;
            describe_instruction(&mut item, doc, rank);
            if snippet.label != doc.name {
                item.filter_text = Some(doc.name.to_owned());
            }
            self.items.push(item);
        }
    }

    // ---- Directives ----

    /// In a comment: only a directive being typed (`# sy`, `# check=`) gets completions.
    fn comment(&mut self) {
        let Some(comment) = self.cursor.before else {
            return;
        };
        if comment.parent().kind() != SyntaxKind::File || !self.directives_allowed() {
            return;
        }
        let typed = &self.text()[comment.range().start as usize..self.offset() as usize];
        let Some(after_hash) = typed.strip_prefix('#') else {
            return;
        };
        match after_hash.split_once('=') {
            None if is_directive_prefix(after_hash) => {
                self.directive_names(comment.range(), Rank::First);
            }
            Some((name, value)) => {
                if let Some(doc) = docs::directive(name.trim()) {
                    let start = self.offset() - value.trim_start().len() as u32;
                    self.directive_values(doc, TextRange::new(start, comment.range().end));
                }
            }
            None => {}
        }
    }

    fn directive_names(&mut self, range: TextRange, rank: Rank) {
        let written = self.written_directives();
        for (i, doc) in docs::DIRECTIVES.iter().enumerate() {
            if written.iter().any(|w| w.eq_ignore_ascii_case(doc.name)) {
                continue;
            }
            let mut item = item(doc.name, CompletionKind::Keyword, range, doc.snippet);
            item.is_snippet = true;
            item.detail = Some(doc.summary.to_owned());
            item.documentation = Some(doc.markdown());
            item.filter_text = Some(format!("# {}", doc.name));
            item.sort_text = Some(sort_key(rank, i, doc.name));
            self.items.push(item);
        }
    }

    /// The names of the directives at the top of the file (a bounded scan: directives end at
    /// the first other line).
    fn written_directives(&self) -> Vec<&'a str> {
        let root = self.analysis.parse.tree.root();
        root.children_with_tokens()
            .take_while(|e| {
                matches!(
                    e.kind(),
                    SyntaxKind::Directive
                        | SyntaxKind::Newline
                        | SyntaxKind::Bom
                        | SyntaxKind::Indent
                )
            })
            .filter_map(|e| e.as_node())
            .filter_map(|directive| directive.child_token(SyntaxKind::DirectiveName))
            .map(|name| name.text())
            .collect()
    }

    /// Inside a directive: its name, or its value.
    fn directive(&mut self, directive: SyntaxNode<'a>) {
        let offset = self.offset();
        let name = directive.child_token(SyntaxKind::DirectiveName);
        let equals = directive.child_token(SyntaxKind::Equals);
        if equals.is_none_or(|eq| offset <= eq.range().start) {
            if let Some(name) = name.filter(|n| n.range().touches(offset)) {
                for doc in docs::DIRECTIVES {
                    let mut item = item(doc.name, CompletionKind::Keyword, name.range(), doc.name);
                    item.detail = Some(doc.summary.to_owned());
                    self.items.push(item);
                }
            }
            return;
        }
        let Some(doc) = name.and_then(|n| docs::directive(n.text())) else {
            return;
        };
        let range = directive
            .child_token(SyntaxKind::DirectiveValue)
            .map_or(TextRange::empty(offset), |v| v.range());
        self.directive_values(doc, range);
    }

    /// Values of a directive; `range` is the whole value.
    fn directive_values(&mut self, doc: &DirectiveDoc, range: TextRange) {
        if doc.name == "check" {
            self.check_values(range);
            return;
        }
        for (i, value) in doc.values.iter().enumerate() {
            self.value_item(value, range, Rank::First, i);
        }
    }

    /// `# check=skip=A,B;error=true`: options separated by `;`, skip lists by `,`.
    fn check_values(&mut self, value: TextRange) {
        let offset = self.offset().clamp(value.start, value.end);
        let text = &self.text()[value.as_usize()];
        let rel = (offset - value.start) as usize;
        let option = segment(text, rel, b';');
        let typed = &text[option.start..rel];
        let at = |r: std::ops::Range<usize>| {
            TextRange::new(value.start + r.start as u32, value.start + r.end as u32)
        };
        match typed.split_once('=') {
            None => {
                let options = docs::directive("check").map_or(&[][..], |d| d.values);
                for (i, option_doc) in options.iter().enumerate() {
                    self.value_item(option_doc, at(option.clone()), Rank::First, i);
                }
            }
            Some((key, _)) => {
                let value_start = option.start + key.len() + 1;
                let list = segment(text, rel, b',');
                let list = list.start.max(value_start)..list.end.min(option.end);
                let names: &[&str] = match key.trim() {
                    "skip" => docs::BUILD_CHECKS,
                    "experimental" => &["CopyIgnoredFile", "InvalidDefinitionDescription"],
                    "error" => &["true", "false"],
                    _ => &[],
                };
                let range = at(list);
                let all = ["all"];
                let extra: &[&str] = if key.trim() == "error" { &[] } else { &all };
                for (i, name) in extra.iter().chain(names).enumerate() {
                    let mut item = item(name, CompletionKind::EnumMember, range, name);
                    item.sort_text = Some(sort_key(Rank::First, i, name));
                    self.items.push(item);
                }
            }
        }
    }

    // ---- Variables ----

    /// After `$` or `${`: the variables visible here. Returns true when the cursor is on a
    /// variable name (then nothing else applies).
    fn variables(&mut self) -> bool {
        let Some(prefix) = variable_prefix(self.text(), self.offset(), self.analysis.model.escape)
        else {
            return false;
        };
        let model = &self.analysis.model;
        let offset = self.offset();
        let visible = model.visible_vars(offset);
        for variable in &visible {
            let mut item = self.variable_item(&variable.name, &prefix);
            item.detail = Some(variable_detail(variable));
            item.documentation = Some(variable_documentation(variable));
            item.sort_text = Some(sort_key(variable_rank(variable.kind), 0, &variable.name));
            self.items.push(item);
        }
        let in_stage = model
            .stage_at(offset)
            .is_some_and(|s| !s.from_range.touches(offset));
        if in_stage {
            self.undeclared_platform_args(&visible, &prefix);
        }
        true
    }

    /// Inside a stage, BuildKit's platform ARGs exist only once declared: offer the others
    /// with a note, so picking one teaches the `ARG NAME` it needs.
    fn undeclared_platform_args(&mut self, visible: &[Variable], prefix: &VariablePrefix) {
        for name in PLATFORM_ARGS {
            if visible.iter().any(|v| v.name == name) {
                continue;
            }
            let mut item = self.variable_item(name, prefix);
            item.detail = Some(format!(
                "automatic platform ARG: needs `ARG {name}` in this stage"
            ));
            item.documentation = Some(format!(
                "{}\n\nBuildKit sets it, but a stage sees it only after `ARG {name}`; \
                 without that it expands to nothing here.",
                docs::platform_arg_summary(name).unwrap_or_default()
            ));
            item.sort_text = Some(sort_key(Rank::Third, 0, name));
            self.items.push(item);
        }
    }

    fn variable_item(&self, name: &str, prefix: &VariablePrefix) -> CompletionItem {
        let next = self.text()[prefix.name.end as usize..].bytes().next();
        // Close `${` unless the expression already goes on (`}` or a modifier follows).
        let close = prefix.braced
            && !matches!(
                next,
                Some(b'}' | b':' | b'-' | b'+' | b'?' | b'#' | b'%' | b'/')
            );
        let new_text = if close {
            format!("{name}}}")
        } else {
            name.to_owned()
        };
        item(name, CompletionKind::Variable, prefix.name, &new_text)
    }

    // ---- Instructions' arguments ----

    fn instruction(&mut self, instruction: SyntaxNode<'a>) {
        let layout = ArgLayout::new(instruction, self.offset());
        let kind = instruction_kind(instruction);
        if self.offset() <= layout.keyword_end {
            let keyword = instruction.child_token(SyntaxKind::Keyword);
            let range = keyword.map_or(TextRange::empty(self.offset()), |k| k.range());
            let site = KeywordSite::of(instruction);
            let has_args = !layout.elements.is_empty();
            self.keywords(range, instruction.range().start, site, has_args);
            return;
        }
        let position = layout.position();
        if kind == InstructionKind::Onbuild {
            // No trigger yet (else the cursor would be in it).
            if position.positional == 0 {
                let range = position
                    .touching
                    .map_or(TextRange::empty(self.offset()), |e| e.range);
                self.keywords(
                    range,
                    instruction.range().start,
                    KeywordSite::OnbuildTrigger,
                    false,
                );
            }
            return;
        }
        if self.flag(kind, &layout, &position) {
            return;
        }
        if position.in_flag_region && position.touching.is_none() {
            self.flag_names(kind, &layout, None, TextRange::empty(self.offset()), false);
        }
        self.positional(instruction, kind, &position);
    }

    /// On a flag: its name or its value. Returns true when the cursor is on one.
    fn flag(
        &mut self,
        kind: InstructionKind,
        layout: &ArgLayout<'a>,
        position: &ArgPosition<'a>,
    ) -> bool {
        let Some(element) = position.touching else {
            return false;
        };
        let flag_node = element.node.filter(|n| n.kind() == SyntaxKind::Flag);
        let Some(flag) = flag_node else {
            let dash_word = element.kind == ArgKind::Positional
                && position.in_flag_region
                && self.text()[element.range.as_usize()].starts_with('-');
            if element.kind == ArgKind::FlagTerminator || dash_word {
                self.flag_names(kind, layout, None, element.range, false);
                return true;
            }
            return false;
        };
        let equals = flag.child_token(SyntaxKind::Equals);
        match equals {
            Some(eq) if self.offset() >= eq.range().end => {
                self.flag_value(kind, flag, eq);
            }
            _ => {
                let name = flag.child_token(SyntaxKind::FlagName);
                let range = name.map_or(element.range, |n| n.range());
                self.flag_names(kind, layout, Some(element.range), range, equals.is_some());
            }
        }
        true
    }

    /// The flags of `kind` not written yet (repeatable ones always). `current` is the flag
    /// being edited, which does not count as written; with `has_value`, only the name is
    /// replaced.
    fn flag_names(
        &mut self,
        kind: InstructionKind,
        layout: &ArgLayout<'a>,
        current: Option<TextRange>,
        range: TextRange,
        has_value: bool,
    ) {
        let Some(doc) = docs::instruction(kind) else {
            return;
        };
        let written: Vec<&str> = layout
            .elements
            .iter()
            .filter(|e| e.kind == ArgKind::Flag && Some(e.range) != current)
            .filter_map(|e| e.node?.child_token(SyntaxKind::FlagName))
            .map(|t| t.text().trim_start_matches('-'))
            .collect();
        for (i, flag) in doc.flags.iter().enumerate() {
            if !flag.repeatable && written.contains(&flag.name) {
                continue;
            }
            let label = format!("--{}", flag.name);
            let (new_text, snippet) = if has_value {
                (label.clone(), false)
            } else {
                (flag.snippet.to_owned(), true)
            };
            let mut item = item(&label, CompletionKind::Property, range, &new_text);
            item.is_snippet = snippet;
            item.detail = Some(flag.summary.to_owned());
            item.documentation = Some(flag.markdown(doc.name));
            item.sort_text = Some(sort_key(Rank::First, i, flag.name));
            self.items.push(item);
            if flag.name == "mount" && !has_value {
                self.mount_snippets(range, i);
            }
        }
    }

    /// Whole `--mount=type=...` templates, one per type.
    fn mount_snippets(&mut self, range: TextRange, flag_index: usize) {
        for (i, mount) in docs::MOUNT_TYPES.iter().enumerate() {
            let label = format!("--mount=type={}", mount.name);
            let mut item = item(&label, CompletionKind::Snippet, range, mount.snippet);
            item.is_snippet = true;
            item.detail = Some(mount.summary.to_owned());
            item.documentation = Some(mount.markdown());
            item.sort_text = Some(sort_key(Rank::First, flag_index, &format!("{i}")));
            self.items.push(item);
        }
    }

    /// After `--flag=`.
    fn flag_value(&mut self, kind: InstructionKind, flag: SyntaxNode<'a>, equals: SyntaxToken<'a>) {
        let value_range = flag
            .children_with_tokens()
            .filter(|e| e.kind() == SyntaxKind::FlagValue)
            .map(|e| e.range())
            .reduce(TextRange::cover)
            .unwrap_or(TextRange::empty(equals.range().end));
        let name = flag
            .child_token(SyntaxKind::FlagName)
            .map_or("", |t| t.text().trim_start_matches('-'));
        match (kind, name) {
            (InstructionKind::Copy | InstructionKind::Add, "from") => {
                self.stages(value_range, StageUse::CopyFrom);
            }
            (InstructionKind::Run, "mount") => self.mount_value(value_range),
            _ => {
                if let Some(doc) = docs::flag(kind, name) {
                    self.flag_doc_values(doc, value_range);
                }
            }
        }
    }

    fn flag_doc_values(&mut self, doc: &FlagDoc, range: TextRange) {
        for (i, value) in doc.values.iter().enumerate() {
            self.value_item(value, range, Rank::First, i);
        }
    }

    fn value_item(&mut self, value: &ValueDoc, range: TextRange, rank: Rank, index: usize) {
        let mut item = item(value.value, CompletionKind::EnumMember, range, value.value);
        item.detail = Some(value.summary.to_owned());
        item.sort_text = Some(sort_key(rank, index, value.value));
        self.items.push(item);
    }

    // ---- RUN --mount values ----

    /// Inside `--mount=...`: a key, or the value of the key at the cursor.
    fn mount_value(&mut self, value: TextRange) {
        let offset = self.offset().clamp(value.start, value.end);
        let text = &self.text()[value.as_usize()];
        let rel = (offset - value.start) as usize;
        let field = segment(text, rel, b',');
        let at = |r: std::ops::Range<usize>| {
            TextRange::new(value.start + r.start as u32, value.start + r.end as u32)
        };
        let mount_type = mount_type_of(text, field.clone());
        let typed = &text[field.start..rel];
        if let Some((key, _)) = typed.split_once('=') {
            let range = at(field.start + key.len() + 1..field.end);
            self.mount_key_values(key, mount_type, range);
            return;
        }
        let written = written_mount_keys(text, field.clone());
        if mount_type.is_none() {
            let mut item = item(
                "type=",
                CompletionKind::Property,
                at(field.clone()),
                "type=",
            );
            item.detail = docs::mount_key("type").map(|k| k.summary.to_owned());
            item.sort_text = Some(sort_key(Rank::First, 0, "type"));
            self.items.push(item);
        }
        let Some(mount) = docs::mount_type(mount_type.unwrap_or("bind")) else {
            return;
        };
        for (i, key) in mount.keys.iter().enumerate() {
            let Some(doc) = docs::mount_key(key) else {
                continue;
            };
            if written.contains(&doc.name) {
                continue;
            }
            let boolean = matches!(doc.name, "readonly" | "rw" | "required");
            let new_text = if boolean {
                doc.name.to_owned()
            } else {
                format!("{}=", doc.name)
            };
            let mut item = item(
                &new_text,
                CompletionKind::Property,
                at(field.clone()),
                &new_text,
            );
            item.detail = Some(doc.summary.to_owned());
            item.documentation = Some(doc.markdown());
            item.sort_text = Some(sort_key(Rank::Second, i, doc.name));
            self.items.push(item);
        }
    }

    fn mount_key_values(&mut self, key: &str, mount_type: Option<&str>, range: TextRange) {
        let Some(doc) = docs::mount_key(key.trim()) else {
            return;
        };
        match doc.name {
            "type" => {
                for (i, value) in docs::mount_type_values().enumerate() {
                    self.value_item(&value, range, Rank::First, i);
                }
            }
            "from" => self.stages(range, StageUse::MountFrom),
            // Only cache mounts have well-known targets.
            "target" if !mount_type.is_some_and(|t| t.eq_ignore_ascii_case("cache")) => {}
            _ => {
                for (i, value) in doc.values.iter().enumerate() {
                    self.value_item(value, range, Rank::First, i);
                }
            }
        }
    }

    // ---- Positional arguments ----

    fn positional(
        &mut self,
        instruction: SyntaxNode<'a>,
        kind: InstructionKind,
        position: &ArgPosition<'a>,
    ) {
        let touching = position.touching.filter(|e| e.kind == ArgKind::Positional);
        let range = touching.map_or(TextRange::empty(self.offset()), |e| e.range);
        let index = position.positional;
        match kind {
            InstructionKind::From if index == 0 => self.images(range),
            InstructionKind::From if index == 1 => self.stage_alias(instruction, range),
            InstructionKind::Healthcheck if index == 0 => self.healthcheck_types(range),
            InstructionKind::Stopsignal if index == 0 => {
                for (i, signal) in docs::SIGNALS.iter().enumerate() {
                    self.value_item(signal, range, Rank::First, i);
                }
            }
            InstructionKind::Arg => self.arg_names(touching.and_then(|e| e.node)),
            InstructionKind::Label => self.label_keys(touching.and_then(|e| e.node)),
            InstructionKind::Copy | InstructionKind::Add
                if index >= 1 && index + 1 == position.positional_count =>
            {
                self.workdir_destinations(range);
            }
            _ => {}
        }
    }

    /// After `FROM`: earlier stages, `scratch` and common images; after `image:`, its tags.
    fn images(&mut self, range: TextRange) {
        let typed = &self.text()[range.start as usize..self.offset() as usize];
        if let Some((name, _)) = typed.split_once(':') {
            if let Some(image) = docs::base_image(name) {
                for (i, tag) in image.tags.iter().enumerate() {
                    let label = format!("{name}:{tag}");
                    let mut item = item(&label, CompletionKind::Module, range, &label);
                    item.detail = Some(image.summary.to_owned());
                    item.sort_text = Some(sort_key(Rank::First, i, tag));
                    self.items.push(item);
                }
            }
            return;
        }
        if typed.contains('@') {
            return;
        }
        self.stages(range, StageUse::From);
        let images = std::iter::once(&docs::SCRATCH).chain(docs::BASE_IMAGES);
        for (i, image) in images.enumerate() {
            let mut item = item(image.name, CompletionKind::Module, range, image.name);
            item.detail = Some(image.summary.to_owned());
            if !image.tags.is_empty() {
                item.documentation = Some(format!(
                    "{}\n\nTags: {}",
                    image.summary,
                    image
                        .tags
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            item.sort_text = Some(sort_key(Rank::Second, i, image.name));
            self.items.push(item);
        }
    }

    /// `AS name` after a FROM image, unless the stage is already named.
    fn stage_alias(&mut self, instruction: SyntaxNode<'a>, range: TextRange) {
        if instruction.child_node(SyntaxKind::StageAlias).is_some() {
            return;
        }
        let mut item = item("AS", CompletionKind::Keyword, range, "AS ${1:name}");
        item.is_snippet = true;
        item.detail = Some("Names this build stage".to_owned());
        item.documentation = Some(
            "Names the stage, so `COPY --from=<name>`, `FROM <name>` and \
             `docker build --target <name>` can refer to it. BuildKit lowercases the name."
                .to_owned(),
        );
        self.items.push(item);
    }

    fn healthcheck_types(&mut self, range: TextRange) {
        let mut cmd = item("CMD", CompletionKind::Keyword, range, "CMD ${1:command}");
        cmd.is_snippet = true;
        cmd.detail = Some("The command that checks the container's health".to_owned());
        cmd.sort_text = Some(sort_key(Rank::Second, 0, "CMD"));
        self.items.push(cmd);
        let mut none = item("NONE", CompletionKind::Keyword, range, "NONE");
        none.detail = Some("Disables the health check inherited from the base image".to_owned());
        none.sort_text = Some(sort_key(Rank::Second, 1, "NONE"));
        self.items.push(none);
    }

    /// `ARG` in a stage: the global ARGs and platform ARGs it may import by name.
    fn arg_names(&mut self, touched: Option<SyntaxNode<'a>>) {
        let offset = self.offset();
        let Some(KeyBeingTyped { range: replace, .. }) = key_being_typed(touched, offset) else {
            return;
        };
        let model = &self.analysis.model;
        if model.stage_at(offset).is_none() {
            return; // Global ARGs declare new names.
        }
        let globals = model.global_args.iter().map(|v| {
            let detail = match &v.value {
                Some(value) => format!("global ARG = {}", shorten(value)),
                None => "global ARG without a default".to_owned(),
            };
            (v.name.as_str(), detail)
        });
        let platform = PLATFORM_ARGS
            .iter()
            .map(|name| (*name, "automatic platform ARG".to_owned()));
        let candidates: Vec<(&str, String)> = globals.chain(platform).collect();
        let scope = model.scope_at(offset);
        for (i, (name, detail)) in candidates.into_iter().enumerate() {
            let already = scope.get(name).is_some_and(|v| v.kind == VariableKind::Arg);
            if already {
                continue;
            }
            let mut item = item(name, CompletionKind::Variable, replace, name);
            item.detail = Some(detail);
            item.documentation = docs::platform_arg_summary(name).map(str::to_owned);
            item.sort_text = Some(sort_key(Rank::First, i, name));
            self.items.push(item);
        }
    }

    /// LABEL keys: the OCI image annotations.
    fn label_keys(&mut self, touched: Option<SyntaxNode<'a>>) {
        let Some(KeyBeingTyped { range, has_equals }) = key_being_typed(touched, self.offset())
        else {
            return;
        };
        let with_value = !has_equals;
        for (i, label) in docs::OCI_LABELS.iter().enumerate() {
            let new_text = if with_value {
                format!("{}=\"$1\"", label.key)
            } else {
                label.key.to_owned()
            };
            let mut item = item(label.key, CompletionKind::Property, range, &new_text);
            item.is_snippet = with_value;
            item.detail = Some(label.summary.to_owned());
            item.sort_text = Some(sort_key(Rank::First, i, label.key));
            self.items.push(item);
        }
    }

    /// COPY/ADD destinations: the stage's WORKDIRs before the cursor.
    fn workdir_destinations(&mut self, range: TextRange) {
        let offset = self.offset();
        let model = &self.analysis.model;
        let Some(stage) = model.stage_at(offset) else {
            return;
        };
        let tree = &self.analysis.parse.tree;
        let mut current = String::new();
        let mut seen: Vec<String> = Vec::new();
        for info in &stage.instructions {
            if info.range.end >= offset {
                break;
            }
            if info.kind != InstructionKind::Workdir {
                continue;
            }
            let Some(path) = workdir_path(tree, info.range.start) else {
                continue;
            };
            // Expanding needs the scope at the instruction: only worth it with a variable.
            let path = if path.contains('$') {
                let expanded = model.expand(&path, info.range.start);
                expanded.exact_text().unwrap_or(&path).to_owned()
            } else {
                path
            };
            current = join_path(&current, &path);
            if !seen.contains(&current) {
                seen.push(current.clone());
            }
        }
        for (i, path) in seen.iter().rev().enumerate() {
            let dir = if path.ends_with('/') {
                path.clone()
            } else {
                format!("{path}/")
            };
            let mut item = item(&dir, CompletionKind::EnumMember, range, &dir);
            item.detail = Some("a WORKDIR of this stage".to_owned());
            item.sort_text = Some(sort_key(Rank::First, i, &dir));
            self.items.push(item);
        }
    }

    // ---- Stages ----

    /// Stage names (and, for `COPY --from`, indexes) that may be referred to here.
    fn stages(&mut self, range: TextRange, usage: StageUse) {
        let model = &self.analysis.model;
        let current = model.stage_at(self.offset()).map(|s| s.index);
        for stage in &model.stages {
            let earlier = current.is_none_or(|c| stage.index < c);
            let allowed = match usage {
                StageUse::From => earlier,
                // BuildKit resolves later stages too; the stage itself would be a cycle.
                StageUse::CopyFrom | StageUse::MountFrom => Some(stage.index) != current,
            };
            if !allowed {
                continue;
            }
            if let Some(name) = &stage.name {
                let mut item = item(&name.text, CompletionKind::Reference, range, &name.text);
                item.detail = Some(stage_detail(stage, earlier));
                let rank = if earlier { Rank::First } else { Rank::Third };
                item.sort_text = Some(sort_key(rank, stage.index, &name.text));
                self.items.push(item);
            }
            if usage == StageUse::CopyFrom && earlier {
                let index = stage.index.to_string();
                let mut item = item(&index, CompletionKind::Reference, range, &index);
                item.detail = Some(stage_detail(stage, true));
                item.documentation = Some(
                    "A stage by position: prefer naming stages, indexes break when stages \
                     move."
                        .to_owned(),
                );
                item.sort_text = Some(sort_key(Rank::Last, stage.index, &index));
                self.items.push(item);
            }
        }
    }
}

/// The key of a `KEY=value` argument at the cursor.
struct KeyBeingTyped {
    /// The key written so far, or an empty range for a new argument.
    range: TextRange,
    has_equals: bool,
}

/// The key the cursor is on, given the argument it touches (none for a new argument);
/// `None` when the cursor is in a value or on something else.
fn key_being_typed(touched: Option<SyntaxNode<'_>>, offset: u32) -> Option<KeyBeingTyped> {
    let Some(key_value) = touched else {
        return Some(KeyBeingTyped {
            range: TextRange::empty(offset),
            has_equals: false,
        });
    };
    if key_value.kind() != SyntaxKind::KeyValue {
        return None;
    }
    let key = key_value.child_token(SyntaxKind::Key)?;
    (offset <= key.range().end).then(|| KeyBeingTyped {
        range: key.range(),
        has_equals: key_value.child_token(SyntaxKind::Equals).is_some(),
    })
}

/// Where stage names are being offered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StageUse {
    /// `FROM <stage>`: earlier stages only.
    From,
    /// `COPY --from=`: any other stage, and indexes.
    CopyFrom,
    /// `RUN --mount=...,from=`: any other stage, no indexes.
    MountFrom,
}

/// Where an instruction keyword is being written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeywordSite {
    /// At the start of a line.
    Line,
    /// After `ONBUILD`, which takes any instruction but FROM, MAINTAINER and ONBUILD.
    OnbuildTrigger,
}

impl KeywordSite {
    fn of(instruction: SyntaxNode<'_>) -> Self {
        let parent_is_onbuild = instruction
            .parent()
            .is_some_and(|p| p.kind() == SyntaxKind::Instruction(InstructionKind::Onbuild));
        if parent_is_onbuild {
            KeywordSite::OnbuildTrigger
        } else {
            KeywordSite::Line
        }
    }
}

fn item(label: &str, kind: CompletionKind, range: TextRange, new_text: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind,
        detail: None,
        documentation: None,
        edit: TextEdit {
            range,
            new_text: new_text.to_owned(),
        },
        is_snippet: false,
        filter_text: None,
        sort_text: None,
        deprecated: false,
    }
}

fn describe_instruction(item: &mut CompletionItem, doc: &InstructionDoc, rank: Rank) {
    item.detail = Some(doc.summary.to_owned());
    item.documentation = Some(doc.markdown());
    item.deprecated = doc.deprecated;
    item.sort_text = Some(sort_key(rank, 0, item.label.as_str()));
}

/// Orders by rank, then by position in the source list, then by label.
fn sort_key(rank: Rank, index: usize, label: &str) -> String {
    format!("{}{index:03}{label}", rank as u8)
}

/// `#`, optional blanks and letters: a directive name being typed.
fn is_directive_prefix(after_hash: &str) -> bool {
    after_hash
        .trim_start()
        .bytes()
        .all(|b| b.is_ascii_alphabetic())
}

/// The `sep`-separated segment of `text` containing byte `at`.
pub(crate) fn segment(text: &str, at: usize, sep: u8) -> std::ops::Range<usize> {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let start = memrchr(sep, &bytes[..at]).map_or(0, |i| i + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| b == sep)
        .map_or(bytes.len(), |i| at + i);
    start..end
}

/// The mount type set in a `--mount` value by a field other than `skip`.
fn mount_type_of(value: &str, skip: std::ops::Range<usize>) -> Option<&str> {
    mount_fields(value, skip).find_map(|(key, value)| {
        if key.eq_ignore_ascii_case("type") {
            value
        } else {
            None
        }
    })
}

/// Canonical names of the keys written in a `--mount` value, besides `skip`.
fn written_mount_keys(value: &str, skip: std::ops::Range<usize>) -> Vec<&'static str> {
    mount_fields(value, skip)
        .filter_map(|(key, _)| docs::mount_key(key).map(|k| k.name))
        .collect()
}

/// `(key, value)` of each field of a `--mount` value, except the one at `skip`.
fn mount_fields(
    value: &str,
    skip: std::ops::Range<usize>,
) -> impl Iterator<Item = (&str, Option<&str>)> {
    let mut start = 0;
    value.split(',').filter_map(move |field| {
        let field_start = start;
        start += field.len() + 1;
        if field_start == skip.start {
            return None;
        }
        let (key, v) = match field.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field, None),
        };
        Some((key.trim(), v))
    })
}

/// The name being typed after `$` or `${`.
struct VariablePrefix {
    /// The whole name around the cursor (what the completion replaces).
    name: TextRange,
    braced: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Finds `$NAME` or `${NAME` ending at the cursor (the name may be empty). A `$` escaped with
/// the escape character is literal.
fn variable_prefix(text: &str, offset: u32, escape: char) -> Option<VariablePrefix> {
    let bytes = text.as_bytes();
    let offset = offset as usize;
    let mut start = offset;
    while start > 0 && is_name_byte(bytes[start - 1]) {
        start -= 1;
    }
    let (dollar, braced) = match start.checked_sub(1).map(|i| bytes[i]) {
        Some(b'{') if start >= 2 && bytes[start - 2] == b'$' => (start - 2, true),
        Some(b'$') => (start - 1, false),
        _ => return None,
    };
    let escaped = dollar > 0 && escape.is_ascii() && bytes[dollar - 1] == escape as u8;
    if escaped {
        return None;
    }
    let mut end = offset;
    while end < bytes.len() && is_name_byte(bytes[end]) {
        end += 1;
    }
    Some(VariablePrefix {
        name: TextRange::new(start as u32, end as u32),
        braced,
    })
}

fn variable_rank(kind: VariableKind) -> Rank {
    match kind {
        VariableKind::Arg | VariableKind::Env => Rank::First,
        VariableKind::Builtin | VariableKind::Platform => Rank::Second,
        VariableKind::Proxy => Rank::Last,
    }
}

/// One line about a variable's value.
pub(crate) fn variable_detail(variable: &Variable) -> String {
    if let Some(value) = &variable.value {
        return format!("= {}", shorten(value));
    }
    match variable.kind {
        VariableKind::Arg if variable.written.is_none() => {
            "ARG without a default: set by --build-arg".to_owned()
        }
        VariableKind::Arg | VariableKind::Env => "value known only at build time".to_owned(),
        VariableKind::Platform => "set by BuildKit for the build".to_owned(),
        VariableKind::Proxy => "proxy ARG: set by --build-arg".to_owned(),
        VariableKind::Builtin => "set by the base image".to_owned(),
    }
}

fn variable_documentation(variable: &Variable) -> String {
    let what = match variable.kind {
        VariableKind::Arg => "Build argument (`ARG`).",
        VariableKind::Env => "Environment variable (`ENV`).",
        VariableKind::Platform => {
            docs::platform_arg_summary(&variable.name).unwrap_or("A platform ARG set by BuildKit.")
        }
        VariableKind::Proxy => docs::PROXY_ARG_SUMMARY,
        VariableKind::Builtin => "Set without any instruction: by the base image or BuildKit.",
    };
    let mut out = what.to_owned();
    match (&variable.value, &variable.written) {
        (Some(value), _) => out.push_str(&format!("\n\nValue: `{value}`")),
        (None, Some(written)) => out.push_str(&format!("\n\nWritten: `{written}`")),
        (None, None) => {}
    }
    if let Some(stage) = variable.inherited_from {
        out.push_str(&format!("\n\nInherited from stage {stage}."));
    }
    out
}

/// Long values cut to a readable length (on a character boundary).
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.len() <= MAX {
        return value.to_owned();
    }
    let mut end = MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

fn stage_detail(stage: &Stage, earlier: bool) -> String {
    let base = stage
        .base
        .as_ref()
        .map_or_else(|| "no base".to_owned(), |b| shorten(&b.expanded.text));
    let later = if earlier { "" } else { " (a later stage)" };
    format!("stage {}: FROM {base}{later}", stage.index)
}

/// The path of the WORKDIR instruction starting at `start`.
fn workdir_path(tree: &crate::syntax::dockerfile::SyntaxTree, start: u32) -> Option<String> {
    let keyword = tree.token_at_offset(start)?;
    let instruction = keyword.parent();
    let word = instruction.child_node(SyntaxKind::Word)?;
    Some(word.logical_text().into_owned())
}

/// `path` resolved against the directory `base`, as WORKDIR does.
fn join_path(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        return path.to_owned();
    }
    format!("{}/{}", base.trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::{slice, with_cursor};

    fn complete(fixture: &str) -> (std::sync::Arc<DockerfileAnalysis>, Vec<CompletionItem>) {
        let (analysis, offset) = with_cursor(fixture);
        let items = completions(&analysis, offset);
        (analysis, items)
    }

    fn labels(fixture: &str) -> Vec<String> {
        complete(fixture).1.into_iter().map(|i| i.label).collect()
    }

    /// Labels in the order an editor shows them (by sort text, then label).
    fn sorted_labels(fixture: &str) -> Vec<String> {
        let mut items = complete(fixture).1;
        items.sort_by(|a, b| {
            let key = |i: &CompletionItem| i.sort_text.clone().unwrap_or_else(|| i.label.clone());
            key(a).cmp(&key(b))
        });
        items.into_iter().map(|i| i.label).collect()
    }

    fn find<'i>(items: &'i [CompletionItem], label: &str) -> &'i CompletionItem {
        items.iter().find(|i| i.label == label).unwrap_or_else(|| {
            panic!(
                "no item {label:?} in {:?}",
                items.iter().map(|i| &i.label).collect::<Vec<_>>()
            )
        })
    }

    /// The text the item with `label` replaces.
    fn replaced(fixture: &str, label: &str) -> String {
        let (analysis, items) = complete(fixture);
        slice(&analysis, find(&items, label).edit.range).to_owned()
    }

    #[test]
    fn instructions_before_and_after_the_first_from() {
        let before = labels("$0");
        assert!(before.contains(&"FROM".to_owned()) && before.contains(&"ARG".to_owned()));
        assert!(!before.contains(&"RUN".to_owned()));
        assert_eq!(sorted_labels("ARG V=1\n$0")[0], "FROM", "FROM ranks first");
        let after = labels("FROM alpine\n$0");
        for keyword in [
            "RUN",
            "COPY",
            "HEALTHCHECK",
            "ONBUILD",
            "WORKDIR",
            "FROM",
            "ARG",
        ] {
            assert!(after.contains(&keyword.to_owned()), "{keyword}");
        }
        assert_eq!(
            after.iter().filter(|l| l.starts_with("ARG")).count(),
            2,
            "ARG and ARG name=default"
        );
        let (_, items) = complete("FROM alpine\n$0");
        let maintainer = find(&items, "MAINTAINER");
        assert!(maintainer.deprecated);
        let run = find(&items, "RUN");
        assert!(run.is_snippet && run.edit.new_text == "RUN ${1:command}");
        assert!(
            run.documentation
                .as_deref()
                .unwrap()
                .contains("RUN [OPTIONS] <command>")
        );
        assert_eq!(run.kind, CompletionKind::Keyword);
        let variant = find(&items, "ARG name=default");
        assert_eq!(variant.filter_text.as_deref(), Some("ARG"));
    }

    #[test]
    fn half_typed_keywords_are_replaced() {
        assert_eq!(replaced("FROM a\nRU$0", "RUN"), "RU");
        assert_eq!(replaced("FROM a\nR$0U", "RUN"), "RU");
        assert_eq!(replaced("FROM a\n  ru$0", "RUN"), "ru");
        assert_eq!(replaced("FR$0", "FROM"), "FR");
        assert!(
            !labels("FR$0").contains(&"RUN".to_owned()),
            "first instruction"
        );
        assert_eq!(replaced("FROM a\n$0RUN x", "RUN"), "RUN");
        // With arguments already there, only the keyword is inserted.
        let (_, items) = complete("FROM a\nRU$0 echo hi");
        assert_eq!(find(&items, "RUN").edit.new_text, "RUN");
        assert!(!find(&items, "RUN").is_snippet);
    }

    #[test]
    fn onbuild_offers_triggers() {
        let triggers = labels("FROM a\nONBUILD $0");
        assert!(triggers.contains(&"RUN".to_owned()));
        for banned in ["FROM", "MAINTAINER", "ONBUILD"] {
            assert!(!triggers.contains(&banned.to_owned()), "{banned}");
        }
        assert_eq!(replaced("FROM a\nONBUILD RU$0", "RUN"), "RU");
        assert!(!labels("FROM a\nONBUILD RU$0").contains(&"FROM".to_owned()));
        assert!(labels("FROM a\nONBUILD COPY --fr$0").contains(&"--from".to_owned()));
    }

    #[test]
    fn directives_only_at_the_top() {
        let top = labels("$0");
        assert!(top.contains(&"syntax".to_owned()) && top.contains(&"escape".to_owned()));
        assert!(labels("# syntax=docker/dockerfile:1\n$0").contains(&"check".to_owned()));
        assert!(
            !labels("# syntax=docker/dockerfile:1\n$0").contains(&"syntax".to_owned()),
            "already present"
        );
        assert!(!labels("FROM a\n$0").contains(&"syntax".to_owned()));
        assert!(!labels("# comment\n$0").contains(&"syntax".to_owned()));
        assert!(
            !labels("# syntax=x\n\n$0").contains(&"syntax".to_owned()),
            "blank line ends them"
        );
        let (analysis, items) = complete("# sy$0\nFROM a");
        let syntax = find(&items, "syntax");
        assert_eq!(slice(&analysis, syntax.edit.range), "# sy");
        assert_eq!(syntax.edit.new_text, "# syntax=${1:docker/dockerfile:1}");
        assert!(labels("FROM a\n# sy$0").is_empty());
    }

    #[test]
    fn directive_values() {
        assert!(labels("# syntax=$0\nFROM a").contains(&"docker/dockerfile:1".to_owned()));
        assert_eq!(
            replaced("# syntax=docker/$0\nFROM a", "docker/dockerfile:1"),
            "docker/"
        );
        assert!(labels("# escape=$0").contains(&"`".to_owned()));
        assert!(labels("# check=$0").contains(&"skip=".to_owned()));
        let skip = labels("# check=skip=Json$0");
        assert!(
            skip.contains(&"JSONArgsRecommended".to_owned()) && skip.contains(&"all".to_owned())
        );
        assert_eq!(
            replaced(
                "# check=skip=StageNameCasing,Json$0;error=true",
                "JSONArgsRecommended"
            ),
            "Json"
        );
        assert_eq!(labels("# check=skip=A;error=$0"), ["true", "false"]);
        assert_eq!(replaced("# check=skip=A;er$0", "error=true"), "er");
    }

    #[test]
    fn flags_of_the_instruction() {
        let copy = labels("FROM a\nCOPY --$0");
        for flag in [
            "--from",
            "--chown",
            "--chmod",
            "--link",
            "--parents",
            "--exclude",
        ] {
            assert!(copy.contains(&flag.to_owned()), "{flag}");
        }
        assert!(!copy.contains(&"--checksum".to_owned()));
        assert_eq!(replaced("FROM a\nCOPY --fro$0", "--from"), "--fro");
        assert_eq!(replaced("FROM a\nRUN --mo$0", "--mount"), "--mo");
        assert_eq!(replaced("FROM a\nRUN -$0", "--network"), "-");
        assert_eq!(
            replaced("FROM a\nRUN --mount=type=cache,target=/x --$0", "--network"),
            "--"
        );
        let add = labels("FROM a\nADD --$0");
        for flag in ["--checksum", "--keep-git-dir", "--unpack", "--chown"] {
            assert!(add.contains(&flag.to_owned()), "{flag}");
        }
        assert!(!add.contains(&"--from".to_owned()));
        assert_eq!(labels("FROM --$0 alpine"), ["--platform"]);
        let health = labels("FROM a\nHEALTHCHECK --$0");
        assert!(health.contains(&"--start-interval".to_owned()));
        assert!(labels("FROM a\nCMD --$0").is_empty(), "CMD has no flags");
    }

    #[test]
    fn written_flags_are_not_offered_again_unless_repeatable() {
        let copy = labels("FROM a\nCOPY --from=x --$0");
        assert!(!copy.contains(&"--from".to_owned()));
        assert!(copy.contains(&"--chown".to_owned()));
        let run = labels("FROM a\nRUN --mount=type=cache,target=/a --network=none --$0");
        assert!(run.contains(&"--mount".to_owned()), "--mount repeats");
        assert!(!run.contains(&"--network".to_owned()));
        // The flag being edited does not count as written.
        assert!(labels("FROM a\nCOPY --fro$0").contains(&"--from".to_owned()));
        // Flags come only before the arguments.
        assert!(labels("FROM a\nCOPY src --$0").is_empty());
        assert!(labels("FROM a\nRUN echo -$0").is_empty());
        // At an empty position in the flag area, flags are offered.
        assert!(labels("FROM a\nCOPY $0").contains(&"--from".to_owned()));
    }

    #[test]
    fn flag_snippets_and_names_only_when_a_value_exists() {
        let (_, items) = complete("FROM a\nRUN --net$0");
        let network = find(&items, "--network");
        assert!(network.is_snippet);
        assert_eq!(network.edit.new_text, "--network=${1|default,none,host|}");
        let (_, items) = complete("FROM a\nRUN --net$0=none echo");
        assert_eq!(find(&items, "--network").edit.new_text, "--network");
        let (_, items) = complete("FROM a\nRUN --$0");
        let cache = find(&items, "--mount=type=cache");
        assert_eq!(
            cache.edit.new_text,
            "--mount=type=cache,target=${1:/root/.cache}"
        );
    }

    #[test]
    fn flag_values() {
        assert_eq!(
            labels("FROM a\nRUN --network=$0"),
            ["default", "none", "host"]
        );
        assert_eq!(replaced("FROM a\nRUN --network=no$0", "none"), "no");
        assert_eq!(labels("FROM a\nRUN --security=$0"), ["sandbox", "insecure"]);
        let platforms = labels("FROM --platform=$0 alpine");
        assert_eq!(platforms[0], "$BUILDPLATFORM");
        assert!(platforms.contains(&"linux/arm64".to_owned()));
        assert!(labels("FROM a\nCOPY --chmod=$0").contains(&"755".to_owned()));
        assert!(labels("FROM a\nCOPY --chown=$0").contains(&"1001:1001".to_owned()));
        assert!(labels("FROM a\nCOPY --link=$0").contains(&"true".to_owned()));
        assert!(labels("FROM a\nHEALTHCHECK --interval=$0").contains(&"30s".to_owned()));
    }

    #[test]
    fn mount_keys_and_values() {
        let types = labels("FROM a\nRUN --mount=type=$0");
        assert_eq!(types, ["bind", "cache", "secret", "ssh", "tmpfs"]);
        assert_eq!(replaced("FROM a\nRUN --mount=type=ca$0", "cache"), "ca");
        let cache = labels("FROM a\nRUN --mount=type=cache,$0");
        for key in [
            "target=", "id=", "sharing=", "readonly", "mode=", "uid=", "gid=", "from=",
        ] {
            assert!(cache.contains(&key.to_owned()), "{key}");
        }
        assert!(!cache.contains(&"type=".to_owned()), "type already given");
        assert!(!cache.contains(&"env=".to_owned()), "env is for secrets");
        assert_eq!(
            replaced("FROM a\nRUN --mount=type=cache,ta$0", "target="),
            "ta"
        );
        let secret = labels("FROM a\nRUN --mount=type=secret,id=x,$0");
        assert!(secret.contains(&"env=".to_owned()) && secret.contains(&"required".to_owned()));
        assert!(!secret.contains(&"id=".to_owned()), "id already given");
        assert!(!secret.contains(&"sharing=".to_owned()));
        let untyped = labels("FROM a\nRUN --mount=$0");
        assert_eq!(untyped[0], "type=");
        assert!(untyped.contains(&"rw".to_owned()), "bind keys by default");
        assert!(
            labels("FROM a\nRUN --mount=target=/x,type=tmpfs,$0").contains(&"size=".to_owned())
        );
        // `dst` counts as `target`.
        assert!(
            !labels("FROM a\nRUN --mount=type=cache,dst=/x,$0").contains(&"target=".to_owned())
        );
        assert_eq!(
            labels("FROM a\nRUN --mount=type=cache,target=/x,sharing=$0"),
            ["shared", "private", "locked"]
        );
        assert!(
            labels("FROM a\nRUN --mount=type=cache,target=$0").contains(&"/root/.npm".to_owned())
        );
        assert!(labels("FROM a\nRUN --mount=type=bind,target=$0").is_empty());
        assert_eq!(
            replaced(
                "FROM a\nRUN --mount=type=cache,target=/ro$0,id=x",
                "/root/.npm"
            ),
            "/ro"
        );
        // Keys typed in the middle of a value replace only that field.
        assert_eq!(
            replaced("FROM a\nRUN --mount=type=cache,sh$0,target=/x", "sharing="),
            "sh"
        );
    }

    #[test]
    fn stage_names_after_copy_from() {
        let src = "FROM node:22 AS deps\nFROM deps AS build\nFROM alpine\nCOPY --from=$0\nFROM scratch AS later\n";
        let (analysis, items) = complete(src);
        let names: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert!(names.contains(&"deps") && names.contains(&"build"));
        assert!(names.contains(&"later"), "BuildKit resolves later stages");
        assert!(names.contains(&"0") && names.contains(&"1"));
        assert!(!names.contains(&"2"), "not the stage itself");
        assert_eq!(find(&items, "deps").kind, CompletionKind::Reference);
        assert!(
            find(&items, "deps")
                .detail
                .as_deref()
                .unwrap()
                .contains("node:22")
        );
        let mut sorted = items.clone();
        sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        let order: Vec<&str> = sorted.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(order, ["deps", "build", "later", "0", "1"]);
        assert!(slice(&analysis, find(&items, "deps").edit.range).is_empty());
        assert_eq!(
            replaced(
                "FROM a AS builder\nFROM b\nCOPY --from=bu$0 /a /b",
                "builder"
            ),
            "bu"
        );
        let mount = labels("FROM a AS builder\nFROM b\nRUN --mount=type=bind,from=$0");
        assert_eq!(mount, ["builder"]);
    }

    #[test]
    fn from_offers_earlier_stages_and_images() {
        let src = "FROM golang:1.24 AS build\nFROM $0\nFROM alpine AS later\n";
        let items = sorted_labels(src);
        assert_eq!(items[0], "build");
        assert!(items.contains(&"scratch".to_owned()));
        assert!(items.contains(&"node".to_owned()));
        assert!(items.contains(&"gcr.io/distroless/static-debian12".to_owned()));
        assert!(
            !items.contains(&"later".to_owned()),
            "FROM names earlier stages only"
        );
        assert_eq!(replaced("FROM nod$0", "node"), "nod");
        let tags = labels("FROM node:$0");
        assert!(tags.contains(&"node:22-alpine".to_owned()));
        assert_eq!(
            replaced("FROM python:3.12$0 AS x", "python:3.12-slim"),
            "python:3.12"
        );
        assert!(labels("FROM --platform=$BUILDPLATFORM $0").contains(&"alpine".to_owned()));
        assert!(labels("FROM unknownimage:$0").is_empty());
        let alias = labels("FROM alpine $0");
        assert_eq!(alias, ["AS"]);
        assert_eq!(replaced("FROM alpine A$0", "AS"), "A");
        assert!(labels("FROM alpine AS x $0").is_empty());
    }

    #[test]
    fn variables_after_dollar() {
        let src = "ARG GLOBAL=g\nFROM alpine\nARG GLOBAL\nARG VERSION=1.2\nENV APP_HOME=/app\nRUN echo $$0";
        let (_, items) = complete(src);
        let version = find(&items, "VERSION");
        assert_eq!(version.kind, CompletionKind::Variable);
        assert_eq!(version.detail.as_deref(), Some("= 1.2"));
        assert_eq!(find(&items, "GLOBAL").detail.as_deref(), Some("= g"));
        assert_eq!(find(&items, "APP_HOME").detail.as_deref(), Some("= /app"));
        let targetarch = find(&items, "TARGETARCH");
        assert!(
            targetarch
                .detail
                .as_deref()
                .unwrap()
                .contains("ARG TARGETARCH")
        );
        assert!(items.iter().any(|i| i.label == "HTTP_PROXY"));
        assert!(items.iter().any(|i| i.label == "PATH"));
        assert!(!items.iter().any(|i| i.label == "RUN"), "only variables");
        // Declared ones come first.
        let sorted = sorted_labels(src);
        assert!(
            sorted.iter().position(|l| l == "VERSION")
                < sorted.iter().position(|l| l == "TARGETARCH")
        );
    }

    #[test]
    fn variable_edits() {
        let (analysis, items) = complete("FROM a\nENV HOME_DIR=/h\nRUN cd ${HO$0");
        let home = find(&items, "HOME_DIR");
        assert_eq!(slice(&analysis, home.edit.range), "HO");
        assert_eq!(home.edit.new_text, "HOME_DIR}");
        let (_, items) = complete("FROM a\nENV HOME_DIR=/h\nRUN cd ${HO$0}/x");
        assert_eq!(find(&items, "HOME_DIR").edit.new_text, "HOME_DIR");
        let (_, items) = complete("FROM a\nENV HOME_DIR=/h\nRUN cd ${HO$0:-/tmp}");
        assert_eq!(find(&items, "HOME_DIR").edit.new_text, "HOME_DIR");
        assert_eq!(
            replaced("FROM a\nENV HOME_DIR=/h\nRUN cd $HO$0ME", "HOME_DIR"),
            "HOME"
        );
        assert!(
            labels("FROM a\nRUN echo \\$$0").is_empty(),
            "escaped dollar"
        );
        assert!(labels("FROM a\n# $$0").is_empty(), "not in comments");
    }

    #[test]
    fn variables_in_from_lines_use_the_global_scope() {
        let src = "ARG NODE=22\nFROM alpine\nENV INSIDE=1\nFROM node:${$0";
        let labels = labels(src);
        assert!(labels.contains(&"NODE".to_owned()));
        assert!(labels.contains(&"TARGETARCH".to_owned()));
        assert!(!labels.contains(&"INSIDE".to_owned()));
        let (_, items) = complete(src);
        assert_eq!(
            find(&items, "TARGETARCH").detail.as_deref(),
            Some("set by BuildKit for the build")
        );
    }

    #[test]
    fn variables_in_heredocs_and_flags() {
        assert!(labels("FROM a\nARG V=1\nRUN <<EOF\necho $$0\nEOF\n").contains(&"V".to_owned()));
        assert!(labels("FROM a\nRUN <<EOF\necho hi$0\nEOF\n").is_empty());
        assert!(labels("ARG P=linux/amd64\nFROM --platform=$$0 a").contains(&"P".to_owned()));
        assert!(labels("FROM a\nARG U=1\nCOPY --chown=$$0 a b").contains(&"U".to_owned()));
    }

    #[test]
    fn healthcheck_arg_and_label_positions() {
        let after_flag = sorted_labels("FROM a\nHEALTHCHECK --interval=5s $0");
        assert_eq!(after_flag[..2], ["--timeout", "--start-period"]);
        assert!(after_flag.ends_with(&["CMD".to_owned(), "NONE".to_owned()]));
        assert!(!after_flag.contains(&"--interval".to_owned()));
        let both = labels("FROM a\nHEALTHCHECK $0");
        assert!(both.contains(&"CMD".to_owned()) && both.contains(&"--interval".to_owned()));
        assert_eq!(replaced("FROM a\nHEALTHCHECK C$0", "CMD"), "C");
        assert!(labels("FROM a\nHEALTHCHECK CMD $0").is_empty());
        let args = labels("ARG VERSION=1\nFROM a\nARG $0");
        assert!(args.contains(&"VERSION".to_owned()) && args.contains(&"TARGETARCH".to_owned()));
        assert!(
            !labels("ARG VERSION=1\nFROM a\nARG VERSION\nARG $0").contains(&"VERSION".to_owned())
        );
        assert_eq!(
            replaced("ARG VERSION=1\nFROM a\nARG VER$0", "VERSION"),
            "VER"
        );
        assert!(labels("ARG VERSION=1\nFROM a\nARG X=$0").is_empty());
        assert!(
            labels("ARG $0").is_empty(),
            "global ARGs name new variables"
        );
        let label = labels("FROM a\nLABEL $0");
        assert!(label.contains(&"org.opencontainers.image.source".to_owned()));
        assert_eq!(
            replaced(
                "FROM a\nLABEL org.opencontainers.image.ver$0=1",
                "org.opencontainers.image.version"
            ),
            "org.opencontainers.image.ver"
        );
        assert!(labels("FROM a\nSTOPSIGNAL $0").contains(&"SIGQUIT".to_owned()));
    }

    #[test]
    fn copy_destinations_from_workdir() {
        let src = "FROM a\nWORKDIR /app\nWORKDIR src\nCOPY . $0";
        let labels = labels(src);
        assert_eq!(labels, ["/app/src/", "/app/"]);
        assert!(
            super::tests::labels("FROM a\nWORKDIR /app\nCOPY $0").contains(&"--from".to_owned())
        );
    }

    #[test]
    fn nothing_in_commands_and_comments() {
        assert!(labels("FROM a\nRUN echo hi $0").is_empty());
        assert!(labels("FROM a\n# just a note $0").is_empty());
        assert!(labels("FROM a\nCMD [\"a\", $0]").is_empty());
    }

    #[test]
    fn any_offset_is_safe() {
        let src = "\u{feff}# syntax=docker/dockerfile:1\n# check=skip=A;error=true\nARG V=1\n\
                   FROM --platform=$BUILDPLATFORM node:${V} AS b\n\
                   RUN --mount=type=cache,target=/x,sharing=locked <<EOF\n  echo é ${V:-x} $\nEOF\n\
                   COPY --from=b [\"a\", \"b\"\nONBUILD ADD --chown=1 x \\\n  y\nHEALTHCHECK --interval=1s NONE\n\
                   LABEL a=b c\nENV A B\nUSER 1:1\nRU\nCOPY --\nRUN --mount=\n${";
        let analysis = DockerfileAnalysis::new(src);
        for offset in 0..=src.len() as u32 + 3 {
            for item in completions(&analysis, offset) {
                let range = item.edit.range;
                assert!(range.end as usize <= src.len(), "{item:?} at {offset}");
                assert!(
                    range.start <= offset.min(src.len() as u32) || range.is_empty(),
                    "{item:?} at {offset}"
                );
                assert!(
                    src.is_char_boundary(range.start as usize)
                        && src.is_char_boundary(range.end as usize)
                );
            }
        }
    }
}
