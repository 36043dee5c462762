//! Signature help for the instruction at the cursor.
//!
//! The forms and their parameters come from [`docs`](super::docs); this module works out which
//! form is being written (shell or exec, `HEALTHCHECK NONE`, legacy `ENV`, numeric `USER`)
//! and which parameter the cursor is on, by counting the instruction's flags, words and JSON
//! elements. It also holds the cursor helpers completion and hover share.

use super::docs::{self, FormDoc, FormStyle, InstructionDoc, Slot};
use super::{DockerfileAnalysis, Signature, SignatureHelp, SignatureParameter};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{InstructionKind, SyntaxKind, SyntaxNode, SyntaxToken, SyntaxTree};

/// Characters after which editors should ask for signature help.
pub const SIGNATURE_TRIGGER_CHARACTERS: &[&str] = &[" ", ",", "[", "="];

/// Signature help for the instruction (or parser directive) at `offset`.
pub fn signature_help(analysis: &DockerfileAnalysis, offset: u32) -> Option<SignatureHelp> {
    let tree = &analysis.parse.tree;
    let cursor = Cursor::new(tree, offset);
    if cursor.in_heredoc_body() || cursor.in_comment() {
        return None;
    }
    if let Some(directive) = cursor.directive() {
        return directive_signature(directive, cursor.offset);
    }
    let instruction = cursor.instruction()?;
    let kind = instruction_kind(instruction);
    let doc = docs::instruction(kind)?;
    let layout = ArgLayout::new(instruction, cursor.offset);
    let text = tree.text();
    let written = WrittenForm::of(kind, &layout, text, cursor.offset);
    let active = choose_form(doc, written);
    let form = doc.forms.get(active)?;
    let active_parameter = active_parameter(form, &layout, text, cursor.offset);
    Some(SignatureHelp {
        signatures: doc.forms.iter().map(|f| signature(doc, f)).collect(),
        active_signature: active as u32,
        active_parameter,
    })
}

fn signature(doc: &InstructionDoc, form: &FormDoc) -> Signature {
    let mut from = 0usize;
    let parameters = form
        .params
        .iter()
        .map(|param| {
            // Each parameter's text follows the previous one in the label (docs tests this).
            let start = form.label[from..]
                .find(param.text)
                .map_or(from, |at| from + at);
            let end = start + param.text.len();
            from = end.min(form.label.len());
            SignatureParameter {
                label: start as u32..end.min(form.label.len()) as u32,
                documentation: Some(param.doc.to_owned()),
            }
        })
        .collect();
    Signature {
        label: form.label.to_owned(),
        documentation: Some(doc.summary.to_owned()),
        parameters,
    }
}

/// A directive's signature: its syntax, with the value as the one parameter.
fn directive_signature(directive: SyntaxNode<'_>, offset: u32) -> Option<SignatureHelp> {
    let name = directive.child_token(SyntaxKind::DirectiveName)?;
    let doc = docs::directive(name.text())?;
    let value_start = doc.syntax.find('=').map_or(doc.syntax.len(), |i| i + 1);
    let after_equals = directive
        .child_token(SyntaxKind::Equals)
        .is_some_and(|eq| eq.range().end <= offset);
    Some(SignatureHelp {
        signatures: vec![Signature {
            label: doc.syntax.to_owned(),
            documentation: Some(doc.summary.to_owned()),
            parameters: vec![SignatureParameter {
                label: value_start as u32..doc.syntax.len() as u32,
                documentation: Some(doc.body.to_owned()),
            }],
        }],
        active_signature: 0,
        active_parameter: after_equals.then_some(0),
    })
}

/// What the written instruction says about which form it uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct WrittenForm {
    exec: bool,
    none: bool,
    numeric: bool,
    legacy: bool,
}

impl WrittenForm {
    fn of(kind: InstructionKind, layout: &ArgLayout<'_>, text: &str, offset: u32) -> Self {
        let first = layout.positionals().next();
        let first_text = first.map_or("", |e| slice(text, e.range));
        let legacy = kind == InstructionKind::Env
            && first.is_some_and(|e| {
                let key_value = e.node.filter(|n| n.kind() == SyntaxKind::KeyValue);
                key_value.is_some_and(|kv| {
                    kv.child_token(SyntaxKind::Equals).is_none()
                        && (kv.child_token(SyntaxKind::Value).is_some() || e.range.end < offset)
                })
            });
        WrittenForm {
            exec: first_text.starts_with('['),
            none: first_text.eq_ignore_ascii_case("none"),
            numeric: first_text.starts_with(|c: char| c.is_ascii_digit()),
            legacy,
        }
    }
}

/// The index of the form being written.
fn choose_form(doc: &InstructionDoc, written: WrittenForm) -> usize {
    let wanted = if written.exec {
        FormStyle::Exec
    } else if written.none {
        FormStyle::None
    } else if written.numeric {
        FormStyle::Numeric
    } else if written.legacy {
        FormStyle::Legacy
    } else {
        FormStyle::Shell
    };
    let find = |style| doc.forms.iter().position(|f| f.style == style);
    find(wanted).or_else(|| find(FormStyle::Shell)).unwrap_or(0)
}

/// The parameter of `form` the cursor is on.
fn active_parameter(
    form: &FormDoc,
    layout: &ArgLayout<'_>,
    text: &str,
    offset: u32,
) -> Option<u32> {
    if offset <= layout.keyword_end {
        return None;
    }
    let position = layout.position();
    if let Some(flag) = position.flag_name(text) {
        let named = form
            .params
            .iter()
            .position(|p| matches!(p.slot, Slot::Flag(name) if name == flag));
        let any = || form.params.iter().position(|p| p.slot == Slot::Flags);
        return named.or_else(any).map(|i| i as u32);
    }
    if form.style == FormStyle::Exec
        && let Some((element, count)) = layout.json_position(text, offset)
    {
        return best_slot(form, element, count, true);
    }
    best_slot(form, position.positional, position.positional_count, false)
}

/// The parameter whose slot fits argument `index` of `count`: an exact index first, then the
/// last argument, then the variadic slot starting closest before it.
fn best_slot(form: &FormDoc, index: u32, count: u32, json: bool) -> Option<u32> {
    let mut variadic: Option<(u8, usize)> = None;
    for (i, param) in form.params.iter().enumerate() {
        match (param.slot, json) {
            (Slot::Arg(k), false) | (Slot::Json(k), true) if u32::from(k) == index => {
                return Some(i as u32);
            }
            (Slot::LastArg, false) | (Slot::JsonLast, true) if index >= 1 && index + 1 == count => {
                return Some(i as u32);
            }
            (Slot::ArgsFrom(k), false) | (Slot::JsonFrom(k), true)
                if u32::from(k) <= index && variadic.is_none_or(|(best, _)| k >= best) =>
            {
                variadic = Some((k, i));
            }
            _ => {}
        }
    }
    variadic.map(|(_, i)| i as u32)
}

fn slice(text: &str, range: TextRange) -> &str {
    text.get(range.as_usize()).unwrap_or("")
}

// ---- Cursor helpers shared with completion and hover ----

/// The kind of an instruction node (`Unknown` for anything else).
pub(crate) fn instruction_kind(node: SyntaxNode<'_>) -> InstructionKind {
    match node.kind() {
        SyntaxKind::Instruction(kind) => kind,
        _ => InstructionKind::Unknown,
    }
}

/// Where the cursor is in the tree. A cursor at `offset` sits between bytes `offset - 1` and
/// `offset`: `before` is the token it is inside or right after, `at` the one it is inside or
/// right before.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'t> {
    /// The offset, moved into the text (past the end becomes the end; inside a UTF-8
    /// character, its start).
    pub offset: u32,
    pub before: Option<SyntaxToken<'t>>,
    pub at: Option<SyntaxToken<'t>>,
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(tree: &'t SyntaxTree, offset: u32) -> Self {
        let text = tree.text();
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let offset = offset as u32;
        let before = offset.checked_sub(1).and_then(|o| tree.token_at_offset(o));
        Cursor {
            offset,
            before,
            at: tree.token_at_offset(offset),
        }
    }

    /// The token the cursor is on, ignoring whitespace and line breaks: the one it is inside
    /// or after, else the one it is right before.
    pub(crate) fn word_token(&self) -> Option<SyntaxToken<'t>> {
        let before = self.before.filter(|t| !is_blank(t.kind()));
        before.or_else(|| {
            self.at
                .filter(|t| !is_blank(t.kind()) && t.range().start == self.offset)
        })
    }

    /// The token that decides which node the cursor is in: the one before it, unless that
    /// one lies between instructions.
    fn context_token(&self) -> Option<SyntaxToken<'t>> {
        match self.before {
            Some(t) if !(is_blank(t.kind()) && t.parent().kind() == SyntaxKind::File) => Some(t),
            _ => self
                .at
                .filter(|t| t.parent().kind() != SyntaxKind::File || !is_blank(t.kind())),
        }
    }

    /// The instruction the cursor is in: an ONBUILD trigger rather than its ONBUILD once the
    /// trigger has started.
    pub(crate) fn instruction(&self) -> Option<SyntaxNode<'t>> {
        let token = self.context_token()?;
        let innermost = token
            .ancestors()
            .find(|n| matches!(n.kind(), SyntaxKind::Instruction(_)))?;
        if instruction_kind(innermost) == InstructionKind::Onbuild
            && let Some(trigger) = innermost
                .children()
                .find(|n| matches!(n.kind(), SyntaxKind::Instruction(_)))
            && trigger.range().start <= self.offset
        {
            return Some(trigger);
        }
        Some(innermost)
    }

    /// The parser directive the cursor is in.
    pub(crate) fn directive(&self) -> Option<SyntaxNode<'t>> {
        let token = self.context_token()?;
        token
            .ancestors()
            .find(|n| n.kind() == SyntaxKind::Directive)
    }

    /// True inside a heredoc's body or on its terminator line.
    pub(crate) fn in_heredoc_body(&self) -> bool {
        let is_body = |t: &SyntaxToken<'_>| {
            matches!(t.kind(), SyntaxKind::HeredocBody | SyntaxKind::HeredocEnd)
        };
        self.at.is_some_and(|t| is_body(&t))
            || self.before.is_some_and(|t| {
                is_body(&t) && (t.range().end > self.offset || t.kind() == SyntaxKind::HeredocBody)
            })
    }

    /// True inside a comment (after its `#`).
    pub(crate) fn in_comment(&self) -> bool {
        self.before.is_some_and(|t| t.kind() == SyntaxKind::Comment)
    }
}

/// Tokens that separate words rather than being part of one.
pub(crate) fn is_blank(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::Whitespace
            | SyntaxKind::Newline
            | SyntaxKind::Indent
            | SyntaxKind::LineContinuation
            | SyntaxKind::Bom
    )
}

/// One argument of an instruction: a flag, or a positional argument.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArgElement<'t> {
    pub range: TextRange,
    pub kind: ArgKind,
    /// The node it comes from (none for `AS` and the stage name, which are tokens).
    pub node: Option<SyntaxNode<'t>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgKind {
    Flag,
    /// `--`, which ends the flags.
    FlagTerminator,
    Positional,
}

/// An instruction's arguments in order, and where the cursor is among them.
#[derive(Clone, Debug)]
pub(crate) struct ArgLayout<'t> {
    pub elements: Vec<ArgElement<'t>>,
    /// Where the keyword ends: the cursor is in the arguments only after it.
    pub keyword_end: u32,
    offset: u32,
}

impl<'t> ArgLayout<'t> {
    pub(crate) fn new(instruction: SyntaxNode<'t>, offset: u32) -> Self {
        let mut elements = Vec::new();
        let mut keyword_end = instruction.range().start;
        for child in instruction.children_with_tokens() {
            if let Some(token) = child.as_token() {
                match token.kind() {
                    SyntaxKind::Keyword => keyword_end = token.range().end,
                    SyntaxKind::FlagTerminator => elements.push(ArgElement {
                        range: token.range(),
                        kind: ArgKind::FlagTerminator,
                        node: None,
                    }),
                    kind if is_blank(kind) || kind.is_line_trivia() => {}
                    _ => elements.push(positional(token.range(), None)),
                }
                continue;
            }
            let Some(node) = child.as_node() else {
                continue;
            };
            match node.kind() {
                SyntaxKind::Flag => elements.push(ArgElement {
                    range: node.range(),
                    kind: ArgKind::Flag,
                    node: Some(node),
                }),
                SyntaxKind::ShellCommand => elements.extend(
                    node.children_of_kind(SyntaxKind::Word)
                        .map(|w| positional(w.range(), Some(w))),
                ),
                SyntaxKind::StageAlias => elements.extend(
                    node.child_tokens()
                        .filter(|t| !is_blank(t.kind()) && !t.kind().is_line_trivia())
                        .map(|t| positional(t.range(), None)),
                ),
                // The legacy `KEY value` is two words; `KEY=value` is one.
                SyntaxKind::KeyValue if node.child_token(SyntaxKind::Equals).is_none() => elements
                    .extend(
                        node.child_tokens()
                            .filter(|t| !is_blank(t.kind()) && !t.kind().is_line_trivia())
                            .map(|t| positional(t.range(), Some(node))),
                    ),
                SyntaxKind::Heredoc => {}
                _ => elements.push(positional(node.range(), Some(node))),
            }
        }
        ArgLayout {
            elements,
            keyword_end,
            offset,
        }
    }

    pub(crate) fn positionals(&self) -> impl Iterator<Item = &ArgElement<'t>> + '_ {
        self.elements
            .iter()
            .filter(|e| e.kind == ArgKind::Positional)
    }

    /// The element the cursor touches (is inside, or right before or after).
    pub(crate) fn touching(&self) -> Option<&ArgElement<'t>> {
        self.elements.iter().find(|e| e.range.touches(self.offset))
    }

    /// Where the cursor is among the arguments.
    pub(crate) fn position(&self) -> ArgPosition<'t> {
        let touching = self.touching().copied();
        // A touched element ends at or after the cursor, so it is not counted as before it.
        let positional = self
            .positionals()
            .filter(|e| e.range.end < self.offset)
            .count() as u32;
        let terminated = self
            .elements
            .iter()
            .any(|e| e.kind == ArgKind::FlagTerminator && e.range.end < self.offset);
        let total = self.positionals().count() as u32;
        let on_new_word = !touching.is_some_and(|t| t.kind == ArgKind::Positional);
        ArgPosition {
            touching,
            positional,
            positional_count: total.max(positional + u32::from(on_new_word)),
            in_flag_region: positional == 0 && !terminated,
        }
    }

    /// For an exec-form (JSON) argument that starts before the cursor: the index of the JSON
    /// element at the cursor and how many elements there are. Works on broken arrays too,
    /// by counting commas outside strings.
    pub(crate) fn json_position(&self, text: &str, offset: u32) -> Option<(u32, u32)> {
        let array = self
            .positionals()
            .find(|e| slice(text, e.range).starts_with('['))?;
        if offset <= array.range.start {
            return None;
        }
        let end = self
            .elements
            .last()
            .map_or(array.range.end, |e| e.range.end);
        let before = text.get(array.range.start as usize..offset as usize)?;
        let whole = text.get(array.range.start as usize..end.max(offset) as usize)?;
        let element = commas_outside_strings(before);
        Some((
            element,
            (commas_outside_strings(whole) + 1).max(element + 1),
        ))
    }
}

fn positional<'t>(range: TextRange, node: Option<SyntaxNode<'t>>) -> ArgElement<'t> {
    ArgElement {
        range,
        kind: ArgKind::Positional,
        node,
    }
}

/// The cursor's place among an instruction's arguments.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArgPosition<'t> {
    /// The element the cursor touches, if any.
    pub touching: Option<ArgElement<'t>>,
    /// The index of the positional argument at the cursor (touched, or about to be typed).
    pub positional: u32,
    /// How many positional arguments there are, counting the one about to be typed.
    pub positional_count: u32,
    /// No positional argument comes before the cursor and no `--`: a flag may go here.
    pub in_flag_region: bool,
}

impl<'t> ArgPosition<'t> {
    /// The name (no dashes) of the flag the cursor is on: a flag, or a word starting with `-`
    /// where flags are still allowed.
    pub(crate) fn flag_name(&self, text: &'t str) -> Option<&'t str> {
        let element = self.touching?;
        let written = slice(text, element.range);
        let is_flag = match element.kind {
            ArgKind::Flag | ArgKind::FlagTerminator => true,
            ArgKind::Positional => self.in_flag_region && written.starts_with('-'),
        };
        if !is_flag {
            return None;
        }
        let name = match element.node.filter(|n| n.kind() == SyntaxKind::Flag) {
            Some(node) => node
                .child_token(SyntaxKind::FlagName)
                .map_or("", |t| t.text()),
            None => written,
        };
        Some(name.trim_start_matches('-'))
    }
}

/// Counts `,` outside JSON strings.
fn commas_outside_strings(text: &str) -> u32 {
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b',' if !in_string => count += 1,
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::with_cursor;

    /// (active signature label, active parameter text) at the cursor.
    fn active(fixture: &str) -> Option<(String, Option<String>)> {
        let (analysis, offset) = with_cursor(fixture);
        let help = signature_help(&analysis, offset)?;
        let signature = &help.signatures[help.active_signature as usize];
        let parameter = help.active_parameter.map(|i| {
            let range = signature.parameters[i as usize].label.clone();
            signature.label[range.start as usize..range.end as usize].to_owned()
        });
        Some((signature.label.clone(), parameter))
    }

    fn param(fixture: &str) -> Option<String> {
        active(fixture).and_then(|(_, p)| p)
    }

    fn label(fixture: &str) -> String {
        active(fixture).map(|(l, _)| l).unwrap_or_default()
    }

    #[test]
    fn run_shell_and_exec_forms() {
        assert_eq!(label("FROM a\nRUN echo $0hi"), "RUN [OPTIONS] <command>");
        assert_eq!(param("FROM a\nRUN echo $0hi").as_deref(), Some("<command>"));
        assert_eq!(param("FROM a\nRUN $0").as_deref(), Some("<command>"));
        assert_eq!(
            param("FROM a\nRUN --mount=type=cache$0 make").as_deref(),
            Some("[OPTIONS]")
        );
        assert_eq!(param("FROM a\nRUN --net$0").as_deref(), Some("[OPTIONS]"));
        assert_eq!(param("FROM a\nRUN -$0").as_deref(), Some("[OPTIONS]"));
        assert_eq!(
            label("FROM a\nRUN [\"echo\", $0]"),
            "RUN [OPTIONS] [\"executable\", \"param\"...]"
        );
        assert_eq!(
            param("FROM a\nRUN [\"ec$0ho\", \"x\"]").as_deref(),
            Some("\"executable\"")
        );
        assert_eq!(
            param("FROM a\nRUN [\"echo\", \"x\", $0]").as_deref(),
            Some("\"param\"...")
        );
        assert_eq!(
            param("FROM a\nRUN [\"a,b\", $0").as_deref(),
            Some("\"param\"..."),
            "commas inside strings do not count; broken arrays work"
        );
    }

    #[test]
    fn copy_sources_and_destination() {
        let src = "FROM a\nCOPY --from=build --chown=1:1 a b c$0";
        assert_eq!(
            label(src),
            "COPY [--from=<stage>] [--chown=<user>:<group>] [--chmod=<perms>] [OPTIONS] <src>... <dest>"
        );
        assert_eq!(param(src).as_deref(), Some("<dest>"));
        assert_eq!(
            param("FROM a\nCOPY --from=build a$0 b c").as_deref(),
            Some("<src>...")
        );
        assert_eq!(param("FROM a\nCOPY a $0").as_deref(), Some("<dest>"));
        assert_eq!(param("FROM a\nCOPY $0").as_deref(), Some("<src>..."));
        assert_eq!(
            param("FROM a\nCOPY --fr$0om=x a b").as_deref(),
            Some("[--from=<stage>]")
        );
        assert_eq!(
            param("FROM a\nCOPY --chown=$0 a b").as_deref(),
            Some("[--chown=<user>:<group>]")
        );
        assert_eq!(
            param("FROM a\nCOPY --link$0 a b").as_deref(),
            Some("[OPTIONS]")
        );
        assert_eq!(
            param("FROM a\nCOPY [\"a\", $0]").as_deref(),
            Some("\"<dest>\"")
        );
        assert_eq!(
            param("FROM a\nCOPY [\"a\", \"b\", \"c\"$0]").as_deref(),
            Some("\"<dest>\"")
        );
        assert_eq!(
            param("FROM a\nCOPY [\"a\"$0, \"b\"]").as_deref(),
            Some("\"<src>\", ...")
        );
    }

    #[test]
    fn from_parameters() {
        assert_eq!(
            param("FROM $0").as_deref(),
            Some("<image>[:<tag>|@<digest>]")
        );
        assert_eq!(
            param("FROM --platform=$0 alpine").as_deref(),
            Some("[--platform=<platform>]")
        );
        assert_eq!(param("FROM alpine $0").as_deref(), Some("[AS <name>]"));
        assert_eq!(param("FROM alpine AS b$0").as_deref(), Some("[AS <name>]"));
        assert_eq!(param("FR$0OM alpine"), None, "on the keyword");
    }

    #[test]
    fn forms_are_chosen_by_what_is_written() {
        assert_eq!(label("FROM a\nHEALTHCHECK NONE$0"), "HEALTHCHECK NONE");
        assert_eq!(
            param("FROM a\nHEALTHCHECK --interval=5s CMD curl $0").as_deref(),
            Some("<command>")
        );
        assert_eq!(
            param("FROM a\nHEALTHCHECK --interval=5s C$0").as_deref(),
            Some("CMD")
        );
        assert_eq!(
            param("FROM a\nHEALTHCHECK --ret$0").as_deref(),
            Some("[OPTIONS]")
        );
        assert_eq!(label("FROM a\nUSER 1000$0"), "USER <UID>[:<GID>]");
        assert_eq!(label("FROM a\nUSER app$0"), "USER <user>[:<group>]");
        assert_eq!(label("FROM a\nENV A=1 $0"), "ENV <key>=<value> ...");
        assert_eq!(label("FROM a\nENV A $0"), "ENV <key> <value>");
        assert_eq!(param("FROM a\nENV A $0").as_deref(), Some("<value>"));
        assert_eq!(param("FROM a\nENV A b$0").as_deref(), Some("<value>"));
        assert_eq!(
            label("FROM a\nCMD [\"a\"$0]"),
            "CMD [\"executable\", \"param\"...]"
        );
        assert_eq!(label("FROM a\nCMD a$0"), "CMD <command>");
        assert_eq!(
            label("FROM a\nVOLUME [\"/a\"$0]"),
            "VOLUME [\"<path>\", ...]"
        );
        assert_eq!(
            param("FROM a\nSHELL [\"bash\", \"-c\"$0]").as_deref(),
            Some("\"parameters\"...")
        );
    }

    #[test]
    fn onbuild_triggers_get_their_own_signature() {
        assert_eq!(
            param("FROM a\nONBUILD COPY a $0").as_deref(),
            Some("<dest>")
        );
        assert_eq!(
            param("FROM a\nONBUILD $0").as_deref(),
            Some("<INSTRUCTION>")
        );
        assert_eq!(label("FROM a\nONBUILD RUN $0"), "RUN [OPTIONS] <command>");
    }

    #[test]
    fn directives() {
        let (syntax, value) = active("# syntax=$0docker/dockerfile:1\nFROM a").unwrap();
        assert_eq!(syntax, "# syntax=<frontend image>");
        assert_eq!(value.as_deref(), Some("<frontend image>"));
        assert_eq!(param("# esc$0ape=`\nFROM a"), None);
    }

    #[test]
    fn parameter_ranges_lie_in_labels() {
        let (analysis, offset) = with_cursor("FROM a\nADD --chmod=7$0 a b");
        let help = signature_help(&analysis, offset).unwrap();
        for signature in &help.signatures {
            for parameter in &signature.parameters {
                assert!(parameter.label.end as usize <= signature.label.len());
                assert!(parameter.label.start < parameter.label.end);
            }
        }
        assert_eq!(
            param("FROM a\nADD --chmod=7$0 a b").as_deref(),
            Some("[--chmod=<perms>]")
        );
    }

    #[test]
    fn nothing_where_there_is_no_instruction() {
        assert_eq!(active("$0"), None);
        assert_eq!(active("FROM a\n# a comment$0\n"), None);
        assert_eq!(active("FROM a\nRUN <<EOF\necho $0hi\nEOF\n"), None);
        assert_eq!(active("FROM a\nBOGUS x$0"), None);
        assert_eq!(active("FROM a\n\n$0\nRUN x"), None);
    }

    #[test]
    fn any_offset_is_safe() {
        let src = "# syntax=docker/dockerfile:1\nARG V=1\nFROM --platform=$BUILDPLATFORM node:${V} AS b\n\
                   RUN --mount=type=cache,target=/x <<EOF\n  echo é $V\nEOF\nCOPY [\"a\", \"b\"\n\
                   ONBUILD ADD x \\\n  y\nHEALTHCHECK NONE\nUSER 1:1\nRU\n";
        let analysis = DockerfileAnalysis::new(src);
        for offset in 0..=src.len() as u32 + 3 {
            let _ = signature_help(&analysis, offset);
        }
    }
}
