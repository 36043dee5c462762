//! Typed views over the syntax tree: `FromInstr`, `RunInstr`, `CopyInstr`, `EnvInstr`, ...
//!
//! A view is a node plus methods that find its parts. Views never allocate unless a value has
//! to be joined across line continuations or unquoted.

use std::borrow::Cow;
use std::ops::Deref;

use super::kind::{InstructionKind, SyntaxKind};
use super::lexing::{unquote_flag_word, unquote_word};
use super::tree::{SyntaxElement, SyntaxNode, SyntaxToken, SyntaxTree, logical_text_of};
use crate::syntax::TextRange;

/// The root of a Dockerfile tree.
#[derive(Clone, Copy, Debug)]
pub struct Dockerfile<'t>(SyntaxNode<'t>);

impl<'t> Dockerfile<'t> {
    pub fn new(tree: &'t SyntaxTree) -> Self {
        Dockerfile(tree.root())
    }

    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }

    /// Top-level instructions in order (ONBUILD triggers are inside theirs).
    pub fn instructions(&self) -> impl Iterator<Item = Instruction<'t>> + use<'t> {
        self.0.children().filter_map(Instruction::cast)
    }

    /// Parser directives (`# syntax=`, `# escape=`, `# check=`).
    pub fn directives(&self) -> impl Iterator<Item = Directive<'t>> + use<'t> {
        // Directives only come first (before any comment or instruction): stop there rather
        // than walk the whole file.
        self.0
            .children_with_tokens()
            .take_while(|e| {
                matches!(
                    e.kind(),
                    SyntaxKind::Directive
                        | SyntaxKind::Bom
                        | SyntaxKind::Indent
                        | SyntaxKind::Newline
                        | SyntaxKind::Whitespace
                )
            })
            .filter_map(|e| e.as_node())
            .filter(|n| n.kind() == SyntaxKind::Directive)
            .map(Directive)
    }

    /// The directive with this name, if present (names compare without case).
    pub fn directive(&self, name: &str) -> Option<Directive<'t>> {
        self.directives()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }

    /// Comment tokens at the top level (not those inside continuations).
    pub fn comments(&self) -> impl Iterator<Item = SyntaxToken<'t>> + use<'t> {
        self.0
            .child_tokens()
            .filter(|t| t.kind() == SyntaxKind::Comment)
    }
}

/// `# name=value` at the top of the file.
#[derive(Clone, Copy, Debug)]
pub struct Directive<'t>(SyntaxNode<'t>);

impl<'t> Directive<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    pub fn name(&self) -> &'t str {
        self.0
            .child_token(SyntaxKind::DirectiveName)
            .map_or("", |t| t.text())
    }
    pub fn value(&self) -> &'t str {
        self.0
            .child_token(SyntaxKind::DirectiveValue)
            .map_or("", |t| t.text())
    }
    pub fn value_range(&self) -> TextRange {
        self.0
            .child_token(SyntaxKind::DirectiveValue)
            .map_or(self.0.range(), |t| t.range())
    }
}

/// A piece of text from the file with where it came from: a word, a JSON string (decoded),
/// a key or a value. `text` is the logical text (continuations removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<'t> {
    pub text: Cow<'t, str>,
    pub range: TextRange,
}

impl Spanned<'_> {
    /// An empty value at `offset`, for a part that is missing.
    pub fn missing_at(offset: u32) -> Self {
        Spanned {
            text: Cow::Borrowed(""),
            range: TextRange::empty(offset),
        }
    }
}

/// Joins consecutive tokens of one kind (split only by line trivia) into one value.
fn joined<'t>(tokens: &[SyntaxToken<'t>]) -> Option<Spanned<'t>> {
    let first = tokens.first()?;
    let last = tokens.last()?;
    Some(Spanned {
        text: logical_text_of(tokens.iter().copied()),
        range: first.range().cover(last.range()),
    })
}

/// The tokens of `kind` among `node`'s direct children, as one value (a token split by a
/// line continuation comes back whole).
fn child_value<'t>(node: SyntaxNode<'t>, kind: SyntaxKind) -> Option<Spanned<'t>> {
    let mut of_kind = node.child_tokens().filter(|t| t.kind() == kind);
    let first = of_kind.next()?;
    let Some(second) = of_kind.next() else {
        // The common case: one token, no allocation.
        return Some(Spanned {
            text: Cow::Borrowed(first.text()),
            range: first.range(),
        });
    };
    let mut tokens = vec![first, second];
    tokens.extend(of_kind);
    joined(&tokens)
}

/// Any instruction. Specific views (`FromInstr`, `RunInstr`, ...) deref to this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instruction<'t>(SyntaxNode<'t>);

impl<'t> Instruction<'t> {
    pub fn cast(node: SyntaxNode<'t>) -> Option<Self> {
        matches!(node.kind(), SyntaxKind::Instruction(_)).then_some(Instruction(node))
    }

    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }

    pub fn kind(&self) -> InstructionKind {
        match self.0.kind() {
            SyntaxKind::Instruction(k) => k,
            _ => InstructionKind::Unknown,
        }
    }

    pub fn range(&self) -> TextRange {
        self.0.range()
    }

    /// The keyword as written (case kept) and its range.
    pub fn keyword(&self) -> Spanned<'t> {
        // The keyword is the first token and, unless a line continuation splits it (`RU\⏎N`),
        // the only keyword token: a known keyword spelled whole needs no look further.
        if let Some(name) = self.kind().name()
            && let Some(token) = self.0.child_token(SyntaxKind::Keyword)
            && token.text().eq_ignore_ascii_case(name)
        {
            return Spanned {
                text: Cow::Borrowed(token.text()),
                range: token.range(),
            };
        }
        child_value(self.0, SyntaxKind::Keyword)
            .unwrap_or_else(|| Spanned::missing_at(self.0.range().start))
    }

    /// The keyword in upper case (`RUN`), or the word as written for unknown instructions.
    pub fn name(&self) -> Cow<'t, str> {
        match self.kind().name() {
            Some(n) => Cow::Borrowed(n),
            None => self.keyword().text,
        }
    }

    /// The `--flags` before the arguments.
    pub fn flags(&self) -> impl Iterator<Item = Flag<'t>> + use<'t> {
        self.0.children_of_kind(SyntaxKind::Flag).map(Flag)
    }

    /// The first flag with this name (without dashes: `flag("from")`).
    pub fn flag(&self, name: &str) -> Option<Flag<'t>> {
        self.flags().find(|f| f.name() == name)
    }

    /// The instruction ONBUILD wraps.
    pub fn trigger(&self) -> Option<Instruction<'t>> {
        if self.kind() != InstructionKind::Onbuild {
            return None;
        }
        self.0.children().find_map(Instruction::cast)
    }

    /// The exec-form arguments, if written as a JSON array.
    pub fn json(&self) -> Option<JsonArray<'t>> {
        self.0.child_node(SyntaxKind::JsonArray).map(JsonArray)
    }

    /// The shell-form command of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK.
    pub fn shell(&self) -> Option<ShellCommand<'t>> {
        self.0
            .child_node(SyntaxKind::ShellCommand)
            .map(ShellCommand)
    }

    /// The command, in whichever form it was written.
    pub fn command(&self) -> Option<Command<'t>> {
        self.json()
            .map(Command::Exec)
            .or_else(|| self.shell().map(Command::Shell))
    }

    /// `Word` arguments directly under the instruction (COPY/ADD sources and destination,
    /// EXPOSE ports, VOLUME paths, USER's value, ...).
    pub fn words(&self) -> impl Iterator<Item = Word<'t>> + use<'t> {
        self.0.children_of_kind(SyntaxKind::Word).map(Word)
    }

    /// Arguments as plain values, whatever the form: JSON strings decoded, or words.
    pub fn arguments(&self) -> Vec<Spanned<'t>> {
        if let Some(json) = self.json() {
            return json.strings();
        }
        if let Some(shell) = self.shell() {
            return shell.words().map(|w| w.spanned()).collect();
        }
        self.words().map(|w| w.spanned()).collect()
    }

    /// `KEY=value` pairs (ENV, LABEL) and declarations (ARG).
    pub fn key_values(&self) -> impl Iterator<Item = KeyValue<'t>> + use<'t> {
        self.0.children_of_kind(SyntaxKind::KeyValue).map(KeyValue)
    }

    /// The heredocs of this instruction: markers on the line paired with their bodies.
    pub fn heredocs(&self) -> Vec<Heredoc<'t>> {
        // One marker per word: a line continuation can split a marker (`<<\` then `EOF`)
        // into several `HeredocMarker` tokens of one `Word`.
        let markers = self.0.descendants().filter_map(|word| {
            let first = word.child_token(SyntaxKind::HeredocMarker)?;
            Some((word, first))
        });
        // The bodies of an ONBUILD trigger's heredocs follow the whole ONBUILD line, so they
        // sit in the ONBUILD node, not in the trigger's.
        let owner = match self.0.parent() {
            Some(parent) if parent.kind() == SyntaxKind::Instruction(InstructionKind::Onbuild) => {
                parent
            }
            _ => self.0,
        };
        let mut bodies = owner
            .descendants()
            .filter(|n| n.kind() == SyntaxKind::Heredoc);
        markers
            .map(|(word, marker)| Heredoc {
                word,
                marker,
                body: bodies.next(),
            })
            .collect()
    }

    /// The logical text after the keyword and flags (trimmed), as BuildKit hands it to the
    /// instruction's argument parser.
    pub fn args_text(&self) -> Cow<'t, str> {
        let mut past_head = false;
        let tokens = self.0.children_with_tokens().flat_map(move |child| {
            let head = match child {
                SyntaxElement::Token(t) => {
                    matches!(t.kind(), SyntaxKind::Keyword | SyntaxKind::FlagTerminator)
                        || (!past_head && t.kind() == SyntaxKind::Whitespace)
                        || t.kind().is_line_trivia()
                }
                SyntaxElement::Node(n) => {
                    n.kind() == SyntaxKind::Flag || n.kind() == SyntaxKind::Heredoc
                }
            };
            if !head {
                past_head = true;
            }
            let tokens: Vec<SyntaxToken<'t>> = if head {
                Vec::new()
            } else {
                match child {
                    SyntaxElement::Token(t) => vec![t],
                    SyntaxElement::Node(n) => n.tokens().collect(),
                }
            };
            tokens
        });
        match logical_text_of(tokens) {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim_end_matches(is_ws_char)),
            Cow::Owned(s) => Cow::Owned(s.trim_end_matches(is_ws_char).to_owned()),
        }
    }

    pub fn as_from(&self) -> Option<FromInstr<'t>> {
        (self.kind() == InstructionKind::From).then_some(FromInstr(*self))
    }
    pub fn as_run(&self) -> Option<RunInstr<'t>> {
        (self.kind() == InstructionKind::Run).then_some(RunInstr(*self))
    }
    /// COPY or ADD.
    pub fn as_copy(&self) -> Option<CopyInstr<'t>> {
        matches!(self.kind(), InstructionKind::Copy | InstructionKind::Add)
            .then_some(CopyInstr(*self))
    }
    /// ENV or LABEL.
    pub fn as_env(&self) -> Option<EnvInstr<'t>> {
        matches!(self.kind(), InstructionKind::Env | InstructionKind::Label)
            .then_some(EnvInstr(*self))
    }
    pub fn as_arg(&self) -> Option<ArgInstr<'t>> {
        (self.kind() == InstructionKind::Arg).then_some(ArgInstr(*self))
    }
    pub fn as_healthcheck(&self) -> Option<HealthcheckInstr<'t>> {
        (self.kind() == InstructionKind::Healthcheck).then_some(HealthcheckInstr(*self))
    }
}

fn is_ws_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r')
}

macro_rules! instruction_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name<'t>(Instruction<'t>);

        impl<'t> Deref for $name<'t> {
            type Target = Instruction<'t>;
            fn deref(&self) -> &Instruction<'t> {
                &self.0
            }
        }
    };
}

instruction_view!(
    /// `FROM [--platform=...] image [AS name]`
    FromInstr
);
instruction_view!(
    /// `RUN [--mount=...] command`
    RunInstr
);
instruction_view!(
    /// `COPY`/`ADD [--from=...] src... dest`
    CopyInstr
);
instruction_view!(
    /// `ENV` and `LABEL`: key/value pairs.
    EnvInstr
);
instruction_view!(
    /// `ARG name[=default] ...`
    ArgInstr
);
instruction_view!(
    /// `HEALTHCHECK [flags] CMD command | NONE`
    HealthcheckInstr
);

impl<'t> FromInstr<'t> {
    pub fn image(&self) -> Option<ImageRef<'t>> {
        self.syntax().child_node(SyntaxKind::ImageRef).map(ImageRef)
    }
    /// The stage name after `AS`.
    pub fn stage_name(&self) -> Option<Spanned<'t>> {
        let alias = self.syntax().child_node(SyntaxKind::StageAlias)?;
        child_value(alias, SyntaxKind::StageName)
    }
    pub fn platform(&self) -> Option<Flag<'t>> {
        self.flag("platform")
    }
}

impl<'t> RunInstr<'t> {
    /// Every `--mount=...` flag.
    pub fn mounts(&self) -> impl Iterator<Item = Flag<'t>> + use<'t> {
        self.flags().filter(|f| f.name() == "mount")
    }
}

impl<'t> CopyInstr<'t> {
    /// Sources and destination: JSON strings or words; heredoc markers are sources too.
    fn paths(&self) -> Vec<Spanned<'t>> {
        self.arguments()
    }
    pub fn sources(&self) -> Vec<Spanned<'t>> {
        let mut paths = self.paths();
        paths.pop();
        paths
    }
    pub fn destination(&self) -> Option<Spanned<'t>> {
        let mut paths = self.paths();
        if paths.len() < 2 {
            return None;
        }
        paths.pop()
    }
    /// The `--from=` flag (a stage name, index or image).
    pub fn from(&self) -> Option<Flag<'t>> {
        self.flag("from")
    }
}

impl<'t> EnvInstr<'t> {
    pub fn pairs(&self) -> impl Iterator<Item = KeyValue<'t>> + use<'t> {
        self.key_values()
    }
}

impl<'t> ArgInstr<'t> {
    pub fn declarations(&self) -> impl Iterator<Item = KeyValue<'t>> + use<'t> {
        self.key_values()
    }
}

impl<'t> HealthcheckInstr<'t> {
    /// `CMD`, `NONE` (as written).
    pub fn check_type(&self) -> Option<Spanned<'t>> {
        self.words().next().map(|w| w.spanned())
    }
    pub fn is_none(&self) -> bool {
        self.check_type()
            .is_some_and(|t| t.text.eq_ignore_ascii_case("none"))
    }
}

/// `--name[=value]`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flag<'t>(SyntaxNode<'t>);

impl<'t> Flag<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    pub fn range(&self) -> TextRange {
        self.0.range()
    }
    /// The name without its leading dashes: `from`, `mount`.
    pub fn name(&self) -> Cow<'t, str> {
        match child_value(self.0, SyntaxKind::FlagName).map(|s| s.text) {
            Some(Cow::Borrowed(s)) => Cow::Borrowed(s.trim_start_matches('-')),
            Some(Cow::Owned(s)) => Cow::Owned(s.trim_start_matches('-').to_owned()),
            None => Cow::Borrowed(""),
        }
    }
    /// The range of the name, dashes included.
    pub fn name_range(&self) -> TextRange {
        child_value(self.0, SyntaxKind::FlagName).map_or(self.range(), |s| s.range)
    }
    /// True when written with `=` (even if the value is empty).
    pub fn has_value(&self) -> bool {
        self.0.child_token(SyntaxKind::Equals).is_some()
    }
    /// The value as written (quotes kept).
    pub fn raw_value(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::FlagValue)
    }
    /// The value with quotes removed, as BuildKit reads flags.
    pub fn value(&self) -> Option<String> {
        if !self.has_value() {
            return None;
        }
        Some(
            self.raw_value()
                .map(|v| unquote_flag_word(&v.text))
                .unwrap_or_default(),
        )
    }
    /// The whole flag as BuildKit reports it: `--mount=type=cache,target=/x`.
    pub fn buildkit_text(&self) -> String {
        unquote_flag_word(&self.0.logical_text())
    }
    /// `key=value` fields of a CSV-style value (`--mount`, `--secret`), each with the range
    /// of the field when the value sits on one line.
    pub fn fields(&self) -> Vec<FlagField<'t>> {
        let Some(raw) = self.raw_value() else {
            return Vec::new();
        };
        let single_piece = raw.range.len() as usize == raw.text.len();
        let mut out = Vec::new();
        let text = raw.text.clone();
        let mut start = 0;
        let mut in_quote = false;
        let bytes = text.as_bytes();
        for i in 0..=bytes.len() {
            let at_end = i == bytes.len();
            if !at_end && bytes[i] == b'"' {
                in_quote = !in_quote;
            }
            if at_end || (bytes[i] == b',' && !in_quote) {
                let field = &text[start..i];
                let range = if single_piece {
                    TextRange::new(raw.range.start + start as u32, raw.range.start + i as u32)
                } else {
                    raw.range
                };
                let (key, value) = match field.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), Some(v.trim_matches('"').to_owned())),
                    None => (field.trim().to_owned(), None),
                };
                if !field.is_empty() {
                    out.push(FlagField {
                        key,
                        value,
                        range,
                        _tree: std::marker::PhantomData,
                    });
                }
                start = i + 1;
            }
        }
        out
    }
}

/// One `key=value` field of a flag such as `--mount=type=cache,target=/root/.npm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagField<'t> {
    pub key: String,
    pub value: Option<String>,
    pub range: TextRange,
    _tree: std::marker::PhantomData<&'t ()>,
}

/// `[ "a", "b" ]`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JsonArray<'t>(SyntaxNode<'t>);

impl<'t> JsonArray<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    /// The decoded strings with their ranges (quotes included in the range).
    pub fn strings(&self) -> Vec<Spanned<'t>> {
        let mut out = Vec::new();
        let mut pieces: Vec<SyntaxToken<'t>> = Vec::new();
        let mut flush = |pieces: &mut Vec<SyntaxToken<'t>>| {
            if let Some(raw) = joined(pieces) {
                let decoded: String = serde_json::from_str(&raw.text).unwrap_or_default();
                out.push(Spanned {
                    text: Cow::Owned(decoded),
                    range: raw.range,
                });
            }
            pieces.clear();
        };
        for token in self.0.tokens() {
            match token.kind() {
                SyntaxKind::JsonString => pieces.push(token),
                k if k.is_line_trivia() => {}
                _ => flush(&mut pieces),
            }
        }
        flush(&mut pieces);
        out
    }
}

/// The shell form of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShellCommand<'t>(SyntaxNode<'t>);

impl<'t> ShellCommand<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    /// The command as the shell receives it (continuations joined, comment lines dropped).
    pub fn text(&self) -> Cow<'t, str> {
        self.0.logical_text()
    }
    pub fn range(&self) -> TextRange {
        self.0.range()
    }
    pub fn words(&self) -> impl Iterator<Item = Word<'t>> + use<'t> {
        self.0.children_of_kind(SyntaxKind::Word).map(Word)
    }
}

/// A command in exec or shell form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command<'t> {
    Exec(JsonArray<'t>),
    Shell(ShellCommand<'t>),
}

impl<'t> Command<'t> {
    pub fn range(&self) -> TextRange {
        match self {
            Command::Exec(j) => j.syntax().range(),
            Command::Shell(s) => s.range(),
        }
    }
    pub fn is_exec(&self) -> bool {
        matches!(self, Command::Exec(_))
    }
}

/// An argument word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Word<'t>(SyntaxNode<'t>);

impl<'t> Word<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    pub fn range(&self) -> TextRange {
        self.0.range()
    }
    /// The word as written (quotes kept, continuations removed).
    pub fn text(&self) -> Cow<'t, str> {
        self.0.logical_text()
    }
    pub fn spanned(&self) -> Spanned<'t> {
        Spanned {
            text: self.text(),
            range: self.range(),
        }
    }
    /// The word with shell quoting removed (no variable expansion).
    pub fn unquoted(&self, escape: char) -> String {
        unquote_word(&self.text(), escape)
    }
    pub fn is_heredoc_marker(&self) -> bool {
        self.0.child_token(SyntaxKind::HeredocMarker).is_some()
    }
}

/// `KEY=value`, legacy `KEY value`, or a bare `NAME` (ARG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyValue<'t>(SyntaxNode<'t>);

impl<'t> KeyValue<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    pub fn range(&self) -> TextRange {
        self.0.range()
    }
    pub fn key(&self) -> Spanned<'t> {
        child_value(self.0, SyntaxKind::Key)
            .unwrap_or_else(|| Spanned::missing_at(self.0.range().start))
    }
    /// The value as written (quotes kept), if any.
    pub fn value(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::Value)
    }
    /// True for `KEY=value` (and `KEY=`), false for the legacy `KEY value` and a bare name.
    pub fn has_equals(&self) -> bool {
        self.0.child_token(SyntaxKind::Equals).is_some()
    }
    /// True for the legacy `KEY value` form.
    pub fn is_legacy(&self) -> bool {
        !self.has_equals() && self.value().is_some()
    }
}

/// A `FROM` image reference with its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef<'t>(SyntaxNode<'t>);

impl<'t> ImageRef<'t> {
    pub fn syntax(&self) -> SyntaxNode<'t> {
        self.0
    }
    pub fn range(&self) -> TextRange {
        self.0.range()
    }
    /// The whole reference as written.
    pub fn text(&self) -> Cow<'t, str> {
        self.0.logical_text()
    }
    pub fn registry(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::ImageRegistry)
    }
    pub fn name(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::ImageName)
    }
    pub fn tag(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::ImageTag)
    }
    pub fn digest(&self) -> Option<Spanned<'t>> {
        child_value(self.0, SyntaxKind::ImageDigest)
    }
}

/// A heredoc: its marker on the instruction line and its body below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Heredoc<'t> {
    /// The `Word` holding the marker.
    word: SyntaxNode<'t>,
    marker: SyntaxToken<'t>,
    body: Option<SyntaxNode<'t>>,
}

impl<'t> Heredoc<'t> {
    /// The marker's (first) token; see [`Heredoc::marker_text`] for the whole marker.
    pub fn marker(&self) -> SyntaxToken<'t> {
        self.marker
    }
    /// The marker as BuildKit reads it (`<<-EOF`), even when a line continuation splits it.
    pub fn marker_text(&self) -> Cow<'t, str> {
        self.word.logical_text()
    }
    /// The source range of the whole marker.
    pub fn marker_range(&self) -> TextRange {
        self.word.range()
    }
    /// The delimiter word, quotes removed: `EOF`.
    pub fn delimiter(&self) -> String {
        super::parser::heredoc_marker(&self.marker_text())
            .map(|(name, _)| name)
            .unwrap_or_default()
    }
    /// `<<-`: leading tabs are stripped from the body and terminator.
    pub fn strips_tabs(&self) -> bool {
        super::parser::heredoc_marker(&self.marker_text()).is_some_and(|(_, strip)| strip)
    }
    /// A quoted delimiter (`<<'EOF'`, `<<"EOF"`) turns off variable expansion in the body.
    pub fn expands(&self) -> bool {
        !self.marker_text().contains(['\'', '"'])
    }
    /// The file descriptor before `<<` (`3<<EOF`), if any.
    pub fn file_descriptor(&self) -> Option<u32> {
        let digits: String = self
            .marker_text()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
    /// The body as written (line breaks included), if the body exists.
    pub fn body(&self) -> Option<SyntaxToken<'t>> {
        self.body?.child_token(SyntaxKind::HeredocBody)
    }
    pub fn body_text(&self) -> &'t str {
        self.body().map_or("", |t| t.text())
    }
    /// The terminator line, missing when the heredoc is unterminated.
    pub fn terminator(&self) -> Option<SyntaxToken<'t>> {
        self.body?.child_token(SyntaxKind::HeredocEnd)
    }
    /// The range of the body and terminator.
    pub fn range(&self) -> Option<TextRange> {
        self.body.map(|b| b.range())
    }
}
