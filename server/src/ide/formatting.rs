//! Formatting: keyword case, spacing, continuation indentation; never changes meaning.
//!
//! # What the formatter changes
//!
//! - Keywords in upper case: instructions (ONBUILD triggers too), `AS` in FROM (BuildKit's
//!   `FromAsCasing` check wants it to match `FROM`) and HEALTHCHECK's `CMD`/`NONE`. Stage
//!   names and all other words keep their case.
//! - Whitespace before an instruction's first line is removed.
//! - One space after the keyword and between flags; one space between the arguments of the
//!   instructions whose arguments BuildKit splits at whitespace (FROM, COPY, ADD, VOLUME,
//!   EXPOSE, ARG, ENV and LABEL pairs, HEALTHCHECK's type); JSON arrays as `["a", "b"]`.
//! - A line continuation gets one space before the escape character and nothing after it,
//!   and the next line gets [`FormatOptions::indent`]. A continuation line indented deeper
//!   than the first indented one keeps the extra depth, so hand-made nesting survives.
//! - Trailing whitespace is removed (on comments and blank lines too), and a missing final
//!   line break is added.
//!
//! # What it never changes
//!
//! Line breaks (CRLF stays CRLF, and every line keeps its role: comment, blank, heredoc,
//! continuation), heredoc bodies and terminators, parser directives, comment text, the text
//! of every word, whitespace inside quotes, the spacing of a shell-form command within a line,
//! legacy `ENV KEY value` values, and instructions with a syntax error (unknown keywords
//! included): they are left exactly as written.
//!
//! # Why the meaning is kept
//!
//! BuildKit joins continuation lines keeping the next line's leading whitespace, so that
//! whitespace is part of the instruction, like any space between words. The formatter
//! changes a run of spaces and tabs (a *gap*) only where BuildKit, or the shell that runs the
//! command, reads any non-empty run of blanks the same way:
//! - at the end of the instruction (BuildKit trims it; but it looks for RUN, COPY and ADD
//!   heredoc markers in the untrimmed line, so there only outside sh quotes and escapes),
//!   and after the keyword or a flag (BuildKit splits them off at a whitespace run);
//! - between the words of instructions BuildKit splits at whitespace, and inside JSON arrays;
//! - in a shell-form command only where a line continuation is, and only when the gap is
//!   outside every quote, escape, expansion and comment under the quoting rules of POSIX sh,
//!   PowerShell and cmd (which shell runs the command depends on SHELL and the base image,
//!   so all three must agree), and of BuildKit's own word splitter where it applies.
//!
//! A gap always stays non-empty, so words never merge. Whatever precedes a line
//! continuation's escape character is a space, never the escape character, and trailing
//! whitespace after an escape character is kept, so every line that continued still
//! continues and no other line starts to. Blank lines inside a continuation are dropped by
//! BuildKit whatever they hold, so emptying them is safe. Everything the formatter leaves
//! alone is left byte for byte.

use std::borrow::Cow;
use std::ops::Range;

use super::{DockerfileAnalysis, FormatOptions, TextEdit};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::lexing::is_ws;
use crate::syntax::dockerfile::{
    InstructionKind, Parse, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken, parse,
};

/// The characters after which editors should ask for on-type formatting.
pub const ON_TYPE_TRIGGERS: &[char] = &['\n'];

/// Used when [`FormatOptions::indent`] is not a usable indentation.
const DEFAULT_INDENT: &str = "    ";

/// Edits that format the document, or only the instructions (and comment and blank lines)
/// that intersect `range`. Edits are sorted, do not overlap, and cover only changed text.
pub fn format(
    analysis: &DockerfileAnalysis,
    options: &FormatOptions,
    range: Option<TextRange>,
) -> Vec<TextEdit> {
    format_parsed(&analysis.parse, options, range)
}

/// The formatted text: `text` with the edits of [`format`] applied.
pub fn format_text(text: &str, options: &FormatOptions) -> String {
    let parsed = parse(text);
    apply_edits(text, &format_parsed(&parsed, options, None))
}

/// Edits after the user typed `typed`, the cursor now at `offset`. On a line break: a new
/// continuation line is indented; otherwise the instruction whose line was just finished is
/// formatted.
pub fn format_on_type(
    analysis: &DockerfileAnalysis,
    offset: u32,
    typed: char,
    options: &FormatOptions,
) -> Vec<TextEdit> {
    if typed != '\n' {
        return Vec::new();
    }
    let parsed = &analysis.parse;
    let text = parsed.tree.text();
    // The editor may have indented the new line already: the cursor is then after that.
    let Some(new_line) = new_line_start(text, offset as usize) else {
        return Vec::new();
    };
    let Some(line_break) = parsed.tree.token_at_offset(new_line as u32 - 1) else {
        return Vec::new();
    };
    if line_break.kind() != SyntaxKind::Newline {
        return Vec::new(); // a line break inside a heredoc body
    }
    match open_continuation(line_break) {
        Some(continuation) => indent_new_line(parsed, options, continuation, new_line),
        None => {
            let end = line_break.range().start;
            let finished = TextRange::new(line_start(text, end as usize) as u32, end);
            format_parsed(parsed, options, Some(finished))
        }
    }
}

/// Where the line the cursor is on starts, if only blanks separate the cursor from a line
/// break just typed.
fn new_line_start(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if offset > bytes.len() {
        return None;
    }
    let mut at = offset;
    while at > 0 && is_blank(bytes[at - 1]) {
        at -= 1;
    }
    (at > 0 && bytes[at - 1] == b'\n').then_some(at)
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The line continuation that `line_break` continues, looking back over the comment and
/// blank lines BuildKit skips inside a continuation.
fn open_continuation(line_break: SyntaxToken<'_>) -> Option<SyntaxToken<'_>> {
    let mut token = line_break.prev_token()?;
    loop {
        match token.kind() {
            SyntaxKind::LineContinuation => return Some(token),
            SyntaxKind::Newline | SyntaxKind::Indent | SyntaxKind::Comment => {
                token = token.prev_token()?;
            }
            _ => return None,
        }
    }
}

/// Indents the line started after `continuation`. A blank line is indented like the line
/// before it (or with the configured indentation after the instruction's first line); a line
/// with text gets what document formatting would give it.
fn indent_new_line(
    parsed: &Parse,
    options: &FormatOptions,
    continuation: SyntaxToken<'_>,
    new_line: usize,
) -> Vec<TextEdit> {
    let text = parsed.tree.text();
    let Some(instruction) = continuation.ancestors().filter(is_instruction).last() else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut indent_end = new_line;
    while indent_end < bytes.len() && is_blank(bytes[indent_end]) {
        indent_end += 1;
    }
    let indentation = TextRange::new(new_line as u32, indent_end as u32);
    let line_end = memchr::memchr(b'\n', &bytes[new_line..]).map_or(bytes.len(), |i| new_line + i);
    // BuildKit drops a blank line inside a continuation whatever it holds.
    let is_blank_line = bytes[indent_end..line_end].iter().all(|&b| is_ws(b));
    if !is_blank_line {
        return format_parsed(parsed, options, Some(instruction.range()))
            .into_iter()
            .filter(|edit| indentation.contains_range(edit.range))
            .collect();
    }
    if !continuation_starts_a_gap(text, parsed.escape, instruction, continuation) {
        return Vec::new();
    }
    let indent = indent_unit(options);
    let finished_line = line_start(text, new_line - 1);
    let wanted = if finished_line as u32 <= instruction.range().start {
        indent
    } else {
        let written = &text[finished_line..];
        let written = &written[..written.bytes().take_while(|&b| is_blank(b)).count()];
        if written.is_empty() { indent } else { written }
    };
    let mut edits = Edits::new(text);
    edits.replace(indentation, wanted);
    edits.edits
}

/// True when text typed after `continuation` would start a new word: the escape character
/// follows a blank, outside quotes, in an instruction whose arguments are separate words.
/// (WORKDIR, USER and the like take the rest of the line as one value, so indentation would
/// become part of it.)
fn continuation_starts_a_gap(
    text: &str,
    escape: char,
    instruction: SyntaxNode<'_>,
    continuation: SyntaxToken<'_>,
) -> bool {
    let start = continuation.range().start as usize;
    if start == 0 || !is_blank(text.as_bytes()[start - 1]) {
        return false;
    }
    let mut tokens = Vec::new();
    collect_tokens(instruction, InstructionKind::Unknown, false, &mut tokens);
    let Some(at) = tokens.iter().position(|t| t.range == continuation.range()) else {
        return false;
    };
    use InstructionKind as K;
    let rules = match tokens[at].instruction {
        K::Run | K::Cmd | K::Entrypoint | K::Shell | K::Healthcheck => ANY_SHELL,
        K::Copy | K::Add => BUILDKIT_WORDS | POSIX_SHELL,
        K::From | K::Volume | K::Expose | K::Arg => BUILDKIT_WORDS,
        K::Env | K::Label if !has_legacy_pair(instruction) => BUILDKIT_WORDS,
        K::Onbuild => ANY_SHELL | BUILDKIT_WORDS,
        _ => return false,
    };
    QuoteTrackers::new(escape).outside_at(text, &tokens, at, rules)
}

/// An ENV or LABEL in the legacy `KEY value` form, whose value runs to the end of the line.
fn has_legacy_pair(instruction: SyntaxNode<'_>) -> bool {
    instruction
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::KeyValue)
        .any(|kv| {
            kv.child_token(SyntaxKind::Equals).is_none()
                && kv.child_token(SyntaxKind::Value).is_some()
        })
}

fn is_instruction(node: &SyntaxNode<'_>) -> bool {
    matches!(node.kind(), SyntaxKind::Instruction(_))
}

/// The indentation to give continuation lines: the configured one when it is made of
/// blanks, else four spaces (any other character would end up in the instruction).
fn indent_unit(options: &FormatOptions) -> &str {
    let indent = options.indent.as_str();
    if !indent.is_empty() && indent.bytes().all(is_blank) {
        indent
    } else {
        DEFAULT_INDENT
    }
}

/// Spaces and tabs: the only whitespace the formatter writes or rewrites between words.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn all_blanks(s: &str) -> bool {
    s.bytes().all(is_blank)
}

/// Applies sorted, non-overlapping edits.
fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    for edit in edits {
        out.push_str(&text[copied..edit.range.start as usize]);
        out.push_str(&edit.new_text);
        copied = edit.range.end as usize;
    }
    out.push_str(&text[copied..]);
    out
}

fn format_parsed(
    parsed: &Parse,
    options: &FormatOptions,
    range: Option<TextRange>,
) -> Vec<TextEdit> {
    let text = parsed.tree.text();
    let mut formatter = Formatter {
        text,
        escape: parsed.escape,
        indent: indent_unit(options),
        range,
        errors: ErrorIndex::new(parsed),
        edits: Edits::new(text),
        tokens: Vec::new(),
        gaps: Vec::new(),
    };
    formatter.file(parsed.tree.root());
    if range.is_none() {
        formatter.final_line_break(parsed);
    }
    formatter.edits.edits
}

/// Collects edits in document order, each trimmed to the text that actually changes, so
/// editors keep cursors and selections stable around them.
struct Edits<'t> {
    text: &'t str,
    edits: Vec<TextEdit>,
}

impl<'t> Edits<'t> {
    fn new(text: &'t str) -> Self {
        Edits {
            text,
            edits: Vec::new(),
        }
    }

    fn replace(&mut self, range: TextRange, new_text: &str) {
        let old = &self.text[range.as_usize()];
        if old == new_text {
            return;
        }
        let prefix = common_prefix_len(old, new_text);
        let suffix = common_suffix_len(&old[prefix..], &new_text[prefix..]);
        let edit = TextEdit {
            range: TextRange::new(range.start + prefix as u32, range.end - suffix as u32),
            new_text: new_text[prefix..new_text.len() - suffix].to_owned(),
        };
        debug_assert!(
            self.edits
                .last()
                .is_none_or(|last| last.range.end <= edit.range.start),
            "edits must come in document order"
        );
        self.edits.push(edit);
    }

    fn insert(&mut self, at: u32, new_text: &str) {
        self.replace(TextRange::empty(at), new_text);
    }

    fn delete(&mut self, range: TextRange) {
        self.replace(range, "");
    }

    /// Removes the whitespace that ends `range` (a stray carriage return included, so none
    /// ends up just before a line break).
    fn trim_end(&mut self, range: TextRange) {
        let text = &self.text[range.as_usize()];
        let kept = text
            .trim_end_matches(|c: char| c.is_ascii() && is_ws(c as u8))
            .len() as u32;
        self.delete(TextRange::new(range.start + kept, range.end));
    }
}

/// Bytes `a` and `b` share at the start, backed off to a character boundary.
fn common_prefix_len(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Bytes `a` and `b` share at the end, backed off to a character boundary.
fn common_suffix_len(a: &str, b: &str) -> usize {
    let mut n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - n) {
        n -= 1;
    }
    n
}

/// Finds the instructions a syntax error touches: those are left as written.
struct ErrorIndex {
    /// Error starts, sorted.
    starts: Vec<u32>,
    /// `max_ends[i]`: the furthest end among the errors up to `i`.
    max_ends: Vec<u32>,
}

impl ErrorIndex {
    fn new(parsed: &Parse) -> Self {
        let mut ranges: Vec<TextRange> = parsed.errors.iter().map(|e| e.range).collect();
        ranges.sort_unstable_by_key(|r| r.start);
        let mut max_end = 0;
        let max_ends = ranges
            .iter()
            .map(|r| {
                max_end = max_end.max(r.end);
                max_end
            })
            .collect();
        ErrorIndex {
            starts: ranges.iter().map(|r| r.start).collect(),
            max_ends,
        }
    }

    /// True when an error lies in `range` or touches its ends.
    fn touches(&self, range: TextRange) -> bool {
        let upto = self.starts.partition_point(|&s| s <= range.end);
        upto > 0 && self.max_ends[upto - 1] >= range.start
    }
}

/// One token of an instruction being formatted.
#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: SyntaxKind,
    range: TextRange,
    /// The kind of the node the token sits in.
    parent: SyntaxKind,
    /// The innermost instruction the token belongs to (an ONBUILD trigger's own kind).
    instruction: InstructionKind,
    /// A keyword the formatter writes in upper case.
    upper_case: bool,
}

/// Gathers an instruction's tokens in order, heredoc bodies left out. `upper_case_text`
/// marks the text of HEALTHCHECK's `CMD`/`NONE` word.
fn collect_tokens(
    node: SyntaxNode<'_>,
    instruction: InstructionKind,
    upper_case_text: bool,
    out: &mut Vec<Tok>,
) {
    let (instruction, is_healthcheck) = match node.kind() {
        SyntaxKind::Instruction(kind) => (kind, kind == InstructionKind::Healthcheck),
        _ => (instruction, false),
    };
    let mut seen_word = false;
    for child in node.children_with_tokens() {
        match child {
            SyntaxElement::Token(token) => {
                let kind = token.kind();
                let upper_case = match kind {
                    SyntaxKind::Keyword => instruction != InstructionKind::Unknown,
                    SyntaxKind::AsKeyword => true,
                    SyntaxKind::Text => upper_case_text,
                    _ => false,
                };
                out.push(Tok {
                    kind,
                    range: token.range(),
                    parent: node.kind(),
                    instruction,
                    upper_case,
                });
            }
            SyntaxElement::Node(child) => match child.kind() {
                // Heredoc bodies and terminators are kept byte for byte.
                SyntaxKind::Heredoc => {}
                SyntaxKind::Word if is_healthcheck && !seen_word => {
                    seen_word = true;
                    let word = child.logical_text();
                    let is_type =
                        word.eq_ignore_ascii_case("cmd") || word.eq_ignore_ascii_case("none");
                    collect_tokens(child, instruction, is_type, out);
                }
                _ => collect_tokens(child, instruction, false, out),
            },
        }
    }
}

/// Tokens that can sit between two tokens of an instruction's text: blanks and the line
/// structure around continuations.
fn is_gap_token(kind: SyntaxKind) -> bool {
    kind == SyntaxKind::Whitespace || kind.is_line_trivia()
}

/// A run of gap tokens between two tokens of the text (or before the first, or after the
/// last), or the empty place between two JSON tokens that touch.
#[derive(Clone, Debug)]
struct Gap {
    tokens: Range<usize>,
    layout: Layout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Its whitespace may carry meaning: only line continuations, comments and blank lines
    /// are tidied.
    Keep,
    /// Any non-empty whitespace reads the same: `same_line` on one line, a line break
    /// laid out with the continuation indentation.
    Separate { same_line: &'static str },
    /// After the instruction's last token: BuildKit trims it.
    Trailing,
}

struct Formatter<'t, 'o> {
    text: &'t str,
    escape: char,
    indent: &'o str,
    range: Option<TextRange>,
    errors: ErrorIndex,
    edits: Edits<'t>,
    /// The current instruction's tokens and gaps (buffers reused across instructions).
    tokens: Vec<Tok>,
    gaps: Vec<Gap>,
}

impl<'t> Formatter<'t, '_> {
    /// Walks the top-level lines: instructions, comments and blank lines.
    fn file(&mut self, root: SyntaxNode<'t>) {
        // The blanks starting the current line, until we know what follows them.
        let mut indentation: Option<TextRange> = None;
        for child in root.children_with_tokens() {
            match child {
                SyntaxElement::Token(token) if token.kind() == SyntaxKind::Indent => {
                    indentation = Some(token.range());
                }
                SyntaxElement::Token(token) if token.kind() == SyntaxKind::Comment => {
                    let line = cover(indentation.take(), token.range());
                    if self.in_range(line) {
                        self.edits.trim_end(token.range());
                    }
                }
                SyntaxElement::Token(token) if token.kind() == SyntaxKind::Newline => {
                    self.blank_line(indentation.take());
                }
                SyntaxElement::Node(node) if is_instruction(&node) => {
                    let indentation = indentation.take();
                    let lines = cover(indentation, node.range());
                    if self.in_range(lines) && self.is_well_formed(node) {
                        if let Some(indentation) = indentation {
                            self.edits.delete(indentation);
                        }
                        self.instruction(node);
                    }
                }
                _ => indentation = None,
            }
        }
        self.blank_line(indentation);
    }

    fn blank_line(&mut self, indentation: Option<TextRange>) {
        if let Some(indentation) = indentation
            && self.in_range(indentation)
        {
            self.edits.delete(indentation);
        }
    }

    /// True when `lines` intersects the range being formatted. An empty range (a cursor)
    /// touches the lines it sits on or at the end of.
    fn in_range(&self, lines: TextRange) -> bool {
        match self.range {
            None => true,
            Some(r) if r.is_empty() => lines.touches(r.start),
            Some(r) => lines.start < r.end && r.start < lines.end,
        }
    }

    /// Instructions with an unknown keyword or a syntax error are left as written.
    fn is_well_formed(&self, node: SyntaxNode<'t>) -> bool {
        let known =
            |n: SyntaxNode<'t>| n.kind() != SyntaxKind::Instruction(InstructionKind::Unknown);
        known(node)
            && node.descendants().filter(is_instruction).all(known)
            && !self.errors.touches(node.range())
    }

    fn instruction(&mut self, node: SyntaxNode<'t>) {
        let mut tokens = std::mem::take(&mut self.tokens);
        let mut gaps = std::mem::take(&mut self.gaps);
        tokens.clear();
        gaps.clear();
        collect_tokens(node, InstructionKind::Unknown, false, &mut tokens);
        let base = GapPlanner::new(self.text, self.escape, &tokens).plan(&mut gaps);
        let indentation = Indentation {
            unit: self.indent,
            base,
        };
        self.write_instruction(&tokens, &gaps, indentation);
        self.tokens = tokens;
        self.gaps = gaps;
    }

    /// Emits the edits of one instruction, in document order.
    fn write_instruction(&mut self, tokens: &[Tok], gaps: &[Gap], indentation: Indentation<'_>) {
        let mut gaps = gaps.iter().peekable();
        let mut i = 0;
        while i < tokens.len() {
            if let Some(gap) = gaps.next_if(|g| g.tokens.start == i) {
                self.write_gap(tokens, gap, indentation);
                if !gap.tokens.is_empty() {
                    i = gap.tokens.end;
                    continue;
                }
            }
            let token = tokens[i];
            let text = &self.text[token.range.as_usize()];
            if token.upper_case && text.bytes().any(|b| b.is_ascii_lowercase()) {
                self.edits.replace(token.range, &text.to_ascii_uppercase());
            }
            i += 1;
        }
    }

    /// Lays out one gap: free blanks are rewritten, everything else only tidied.
    fn write_gap(&mut self, tokens: &[Tok], gap: &Gap, indentation: Indentation<'_>) {
        let run = &tokens[gap.tokens.clone()];
        if gap.layout == Layout::Keep {
            return self.tidy_trivia(run);
        }
        for (k, token) in run.iter().enumerate() {
            let before = k.checked_sub(1).map(|p| run[p].kind);
            let after = run.get(k + 1).map(|t| t.kind);
            match token.kind {
                SyntaxKind::Whitespace => {
                    self.write_blanks(token, gap.layout, before, after, indentation);
                }
                // Blanks before it are a token of their own, laid out above.
                SyntaxKind::LineContinuation if before != Some(SyntaxKind::Whitespace) => {
                    let blanks = match before {
                        Some(SyntaxKind::Newline) => indentation.for_line(""),
                        _ => Cow::Borrowed(" "),
                    };
                    let wanted = format!("{blanks}{}", self.escape);
                    self.edits.replace(token.range, &wanted);
                }
                _ => self.tidy_trivia_token(token, after),
            }
        }
        // The next token starts a line (or touches the previous one) with no blanks before
        // it to rewrite: insert them.
        if let Layout::Separate { same_line } = gap.layout
            && let Some(next) = tokens.get(gap.tokens.end)
        {
            match run.last().map(|t| t.kind) {
                None => self.edits.insert(next.range.start, same_line),
                Some(SyntaxKind::Newline) => {
                    let indent = indentation.for_line("");
                    self.edits.insert(next.range.start, &indent);
                }
                Some(_) => {}
            }
        }
    }

    /// Rewrites a blanks token of a free gap: indentation at the start of a line, one space
    /// before a line continuation, else what separates the tokens on one line (nothing at
    /// the end of the instruction).
    fn write_blanks(
        &mut self,
        token: &Tok,
        layout: Layout,
        before: Option<SyntaxKind>,
        after: Option<SyntaxKind>,
        indentation: Indentation<'_>,
    ) {
        let written = &self.text[token.range.as_usize()];
        let wanted = if before == Some(SyntaxKind::Newline) {
            indentation.for_line(written)
        } else if after == Some(SyntaxKind::LineContinuation) {
            Cow::Borrowed(" ")
        } else {
            match layout {
                Layout::Separate { same_line } => Cow::Borrowed(same_line),
                // `\` then `\v`: removing the `\v` would make the line continue.
                Layout::Trailing if self.escape_ends_line_at(token.range.start) => return,
                Layout::Trailing => Cow::Borrowed(""),
                Layout::Keep => return,
            }
        };
        self.edits.replace(token.range, &wanted);
    }

    /// True when a line ending at `offset` would end with the escape character (BuildKit
    /// drops carriage returns before the line break).
    fn escape_ends_line_at(&self, offset: u32) -> bool {
        self.text[..offset as usize]
            .trim_end_matches('\r')
            .ends_with(self.escape)
    }

    /// Outside of free whitespace: a line continuation loses the blanks after its escape
    /// character, a comment its trailing blanks, a blank line its blanks.
    fn tidy_trivia(&mut self, run: &[Tok]) {
        for (k, token) in run.iter().enumerate() {
            self.tidy_trivia_token(token, run.get(k + 1).map(|t| t.kind));
        }
    }

    fn tidy_trivia_token(&mut self, token: &Tok, after: Option<SyntaxKind>) {
        match token.kind {
            SyntaxKind::LineContinuation => {
                let escape_len = self.escape.len_utf8() as u32;
                self.edits.delete(TextRange::new(
                    token.range.start + escape_len,
                    token.range.end,
                ));
            }
            SyntaxKind::Comment => self.edits.trim_end(token.range),
            // An Indent is the indentation of a comment line (kept) or a blank line.
            SyntaxKind::Indent if after != Some(SyntaxKind::Comment) => {
                self.edits.delete(token.range);
            }
            _ => {}
        }
    }

    /// Adds the line break a file should end with, in the file's style. Not after an
    /// unterminated heredoc: its body runs to the end of the file and would change.
    fn final_line_break(&mut self, parsed: &Parse) {
        let text = self.text;
        if text.is_empty() || text.ends_with('\n') {
            return;
        }
        let last_token = parsed.tree.token_at_offset(text.len() as u32 - 1);
        if last_token.is_some_and(|t| t.kind() == SyntaxKind::HeredocBody) {
            return;
        }
        let last_line = line_start(text, text.len());
        if text[last_line..].bytes().all(is_ws) {
            // A blank last line, emptied above, disappears unless a line break follows it:
            // fine at the top level, but inside a continuation BuildKit counts it among the
            // instruction's lines.
            let in_instruction = parsed
                .tree
                .token_at_offset(last_line as u32)
                .is_some_and(|t| t.parent().kind() != SyntaxKind::File);
            if !in_instruction {
                return;
            }
        }
        let crlf = text.find('\n').is_some_and(|i| text[..i].ends_with('\r'));
        let line_break = if text.ends_with('\r') {
            "\n"
        } else if crlf {
            "\r\n"
        } else {
            "\n"
        };
        self.edits.insert(text.len() as u32, line_break);
    }
}

/// How an instruction's re-indentable continuation lines are indented.
#[derive(Clone, Copy)]
struct Indentation<'a> {
    /// The configured unit.
    unit: &'a str,
    /// The indentation the first indented continuation line was written with: one level.
    base: Option<&'a str>,
}

impl<'a> Indentation<'a> {
    /// The indentation of a line written with `written`: one unit, plus whatever depth the
    /// line has beyond the first indented continuation line (hand-made nesting).
    fn for_line(self, written: &str) -> Cow<'a, str> {
        match self.base {
            Some(base) if written.len() > base.len() && written.starts_with(base) => {
                Cow::Owned(format!("{}{}", self.unit, &written[base.len()..]))
            }
            _ => Cow::Borrowed(self.unit),
        }
    }
}

fn cover(first: Option<TextRange>, rest: TextRange) -> TextRange {
    first.map_or(rest, |f| f.cover(rest))
}

/// Decides how each gap of one instruction is laid out, and which indentation the
/// instruction's continuation lines were written with.
struct GapPlanner<'a, 't> {
    text: &'t str,
    tokens: &'a [Tok],
    escape: char,
    quotes: Quotes,
}

/// What is known of an instruction's quotes.
enum Quotes {
    /// Not looked at yet: most instructions never ask.
    Unread,
    /// No character any quoting rule reacts to: every gap is outside quotes.
    Plain,
    Tracked(Box<QuoteTrackers>),
}

impl<'a, 't> GapPlanner<'a, 't> {
    fn new(text: &'t str, escape: char, tokens: &'a [Tok]) -> Self {
        GapPlanner {
            text,
            tokens,
            escape,
            quotes: Quotes::Unread,
        }
    }

    /// Fills `gaps` in order and returns the first indentation written at the start of a
    /// re-indentable continuation line: the depth that counts as "one level".
    fn plan(mut self, gaps: &mut Vec<Gap>) -> Option<&'t str> {
        let tokens = self.tokens;
        let mut previous: Option<usize> = None;
        let mut run_start: Option<usize> = None;
        for (i, token) in tokens.iter().enumerate() {
            if is_gap_token(token.kind) {
                run_start.get_or_insert(i);
                continue;
            }
            match run_start.take() {
                Some(start) => {
                    let layout = self.layout(start..i, previous, Some(i));
                    gaps.push(Gap {
                        tokens: start..i,
                        layout,
                    });
                }
                None => {
                    if let Some(p) = previous
                        && let Some(same_line) = json_separator(&tokens[p], token, false)
                    {
                        gaps.push(Gap {
                            tokens: i..i,
                            layout: Layout::Separate { same_line },
                        });
                    }
                }
            }
            previous = Some(i);
        }
        if let Some(start) = run_start {
            let layout = self.layout(start..tokens.len(), previous, None);
            gaps.push(Gap {
                tokens: start..tokens.len(),
                layout,
            });
        }
        self.base_indent(gaps)
    }

    fn base_indent(&self, gaps: &[Gap]) -> Option<&'t str> {
        gaps.iter()
            .filter(|g| g.layout != Layout::Keep)
            .flat_map(|g| g.tokens.clone().skip(1))
            .find(|&k| {
                self.tokens[k].kind == SyntaxKind::Whitespace
                    && self.tokens[k - 1].kind == SyntaxKind::Newline
            })
            .map(|k| &self.text[self.tokens[k].range.as_usize()])
    }

    fn layout(
        &mut self,
        run: Range<usize>,
        previous: Option<usize>,
        next: Option<usize>,
    ) -> Layout {
        let Some(next) = next else {
            return self.trailing_layout(run.start, previous);
        };
        let Some(previous) = previous else {
            return Layout::Keep; // line continuations before the keyword
        };
        let tokens = self.tokens;
        let (prev, next) = (&tokens[previous], &tokens[next]);
        let mut blanks = tokens[run.clone()]
            .iter()
            .filter(|t| t.kind == SyntaxKind::Whitespace)
            .peekable();
        let Some(first_blank) = blanks.peek().copied() else {
            // Two tokens that touch across a line break are one word (`RU\`, `N`), except
            // in JSON, where tokens are delimited without whitespace.
            return json_separator(prev, next, true)
                .map_or(Layout::Keep, |same_line| Layout::Separate { same_line });
        };
        // Other whitespace (\v, \f, \r) is not a blank to the shell: leave it.
        if !blanks.all(|t| all_blanks(&self.text[t.range.as_usize()])) {
            return Layout::Keep;
        }
        let has_continuation = tokens[run.clone()]
            .iter()
            .any(|t| t.kind == SyntaxKind::LineContinuation);
        let free = match first_blank.parent {
            SyntaxKind::JsonArray => {
                return Layout::Separate {
                    same_line: json_separator(prev, next, true).unwrap_or(" "),
                };
            }
            // Spacing inside a command line is the author's; only line breaks are laid out.
            SyntaxKind::ShellCommand => has_continuation && self.outside(run.start, ANY_SHELL),
            SyntaxKind::Instruction(kind) => self.instruction_gap_is_free(kind, prev, run.start),
            // Legacy `KEY value`: BuildKit splits the key off at the first whitespace run.
            SyntaxKind::KeyValue | SyntaxKind::StageAlias => {
                self.outside(run.start, BUILDKIT_WORDS)
            }
            _ => false,
        };
        if free {
            Layout::Separate { same_line: " " }
        } else {
            Layout::Keep
        }
    }

    /// BuildKit trims the end of the line before splitting it, but looks for heredoc
    /// markers in the untrimmed line with its shell lexer: in `RUN cat <<EOF\ ` the blank is
    /// escaped and there is no heredoc; without the blank there is one. So the end of a
    /// RUN, COPY or ADD line is trimmed only outside sh quotes and escapes.
    fn trailing_layout(&mut self, at: usize, previous: Option<usize>) -> Layout {
        use InstructionKind as K;
        let may_carry_heredocs = previous.is_some_and(|p| {
            matches!(
                self.tokens[p].instruction,
                K::Run | K::Copy | K::Add | K::Onbuild
            )
        });
        if may_carry_heredocs && !self.outside(at, POSIX_SHELL) {
            Layout::Keep
        } else {
            Layout::Trailing
        }
    }

    /// A gap directly inside an instruction: after the keyword or a flag (BuildKit splits
    /// them off at whitespace), or between arguments.
    fn instruction_gap_is_free(&mut self, kind: InstructionKind, prev: &Tok, at: usize) -> bool {
        let after_head = prev.kind == SyntaxKind::Keyword
            || prev.kind == SyntaxKind::FlagTerminator
            || prev.parent == SyntaxKind::Flag;
        if after_head {
            return true;
        }
        use InstructionKind as K;
        match kind {
            // Split at whitespace whatever the quotes, but whitespace in quotes is left
            // alone all the same.
            K::From | K::Volume | K::Expose => self.outside(at, BUILDKIT_WORDS),
            // BuildKit also reads these lines with its shell lexer to find heredocs.
            K::Copy | K::Add => self.outside(at, BUILDKIT_WORDS | POSIX_SHELL),
            // Words of an ONBUILD nested too deep to be parsed: they may be a command.
            K::Onbuild => self.outside(at, BUILDKIT_WORDS | ANY_SHELL),
            // Pairs and declarations split as BuildKit splits them; HEALTHCHECK's type.
            K::Env | K::Label | K::Arg | K::Healthcheck => true,
            // Only the head: the rest is one value or a command node.
            K::Run | K::Cmd | K::Entrypoint | K::Shell => true,
            K::Maintainer | K::User | K::Workdir | K::Stopsignal => true,
            K::Unknown => false,
        }
    }

    /// True when the instruction's text up to token `at` leaves every quote of `rules`
    /// closed.
    fn outside(&mut self, at: usize, rules: Rules) -> bool {
        if let Quotes::Unread = self.quotes {
            self.quotes = if self.is_plain() {
                Quotes::Plain
            } else {
                Quotes::Tracked(Box::new(QuoteTrackers::new(self.escape)))
            };
        }
        match &mut self.quotes {
            Quotes::Tracked(quotes) => quotes.outside_at(self.text, self.tokens, at, rules),
            Quotes::Plain | Quotes::Unread => true,
        }
    }

    /// True when the instruction's text (trivia aside) has no character any quoting rule
    /// reacts to: the common case, checked in one pass.
    fn is_plain(&self) -> bool {
        let bytes = self.text.as_bytes();
        self.tokens
            .iter()
            .filter(|t| !t.kind.is_line_trivia())
            .all(|t| {
                !bytes[t.range.as_usize()]
                    .iter()
                    .any(|&b| QUOTING_BYTES[b as usize])
            })
    }
}

/// What separates two JSON tokens on one line: `["a", "b"]`. `None` when they are not two
/// tokens of one array (or, without `spaced`, when nothing needs inserting between them).
fn json_separator(prev: &Tok, next: &Tok, spaced: bool) -> Option<&'static str> {
    use SyntaxKind as S;
    if prev.parent != S::JsonArray || next.parent != S::JsonArray {
        return None;
    }
    // Two pieces of one string split by a line continuation.
    if prev.kind == S::JsonString && next.kind == S::JsonString {
        return None;
    }
    let separator = if prev.kind == S::LBracket || next.kind == S::RBracket || next.kind == S::Comma
    {
        ""
    } else {
        " "
    };
    (spaced || !separator.is_empty()).then_some(separator)
}

/// Sets of quoting rules a gap must be outside of.
type Rules = u8;
/// BuildKit's word splitting (`parseWords`) with the file's escape character.
const BUILDKIT_WORDS: Rules = 1;
const POSIX_SHELL: Rules = 2;
const POWERSHELL: Rules = 4;
const CMD_EXE: Rules = 8;
/// A shell-form command runs in whatever shell SHELL names; the base image decides the
/// default. The formatter cannot know which, so all must agree.
const ANY_SHELL: Rules = POSIX_SHELL | POWERSHELL | CMD_EXE;

/// The bytes some quoting rule reacts to: quotes, both escape characters, expansions,
/// substitutions, comments, and every non-ASCII byte (typographic quotes).
static QUOTING_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b >= 0x80 || matches!(b as u8, b'\'' | b'"' | b'\\' | b'`' | b'$' | b'#');
        table[b] |= matches!(b as u8, b'(' | b')' | b'{' | b'}' | b'^' | b'@' | b'<');
        b += 1;
    }
    table
};

/// Follows an instruction's text under each quoting rule, each read only as far as a
/// question about it needs.
struct QuoteTrackers {
    words: Tracked<WordQuotes>,
    sh: Tracked<PosixQuotes>,
    pwsh: Tracked<PowerShellQuotes>,
    cmd: Tracked<CmdQuotes>,
}

/// A tracker and how many of the instruction's tokens it has read.
struct Tracked<T> {
    tracker: T,
    read: usize,
}

impl<T: QuoteTracker> Tracked<T> {
    fn new(tracker: T) -> Self {
        Tracked { tracker, read: 0 }
    }

    /// Reads the text tokens before token `at` (trivia is not part of the text).
    fn outside_at(&mut self, text: &str, tokens: &[Tok], at: usize) -> bool {
        for token in tokens.get(self.read..at).unwrap_or_default() {
            if !token.kind.is_line_trivia() {
                text[token.range.as_usize()]
                    .chars()
                    .for_each(|c| self.tracker.feed(c));
            }
        }
        self.read = self.read.max(at);
        self.tracker.is_outside()
    }
}

/// Follows text under one set of quoting rules.
trait QuoteTracker {
    fn feed(&mut self, c: char);
    /// True when the next character is outside every quote and escape.
    fn is_outside(&self) -> bool;
}

impl QuoteTrackers {
    fn new(escape: char) -> Self {
        QuoteTrackers {
            words: Tracked::new(WordQuotes::new(escape)),
            sh: Tracked::new(PosixQuotes::new()),
            pwsh: Tracked::new(PowerShellQuotes::new()),
            cmd: Tracked::new(CmdQuotes::default()),
        }
    }

    /// True when token `at` starts outside every quote (and escape) of `rules`.
    fn outside_at(&mut self, text: &str, tokens: &[Tok], at: usize, rules: Rules) -> bool {
        (rules & BUILDKIT_WORDS == 0 || self.words.outside_at(text, tokens, at))
            && (rules & POSIX_SHELL == 0 || self.sh.outside_at(text, tokens, at))
            && (rules & POWERSHELL == 0 || self.pwsh.outside_at(text, tokens, at))
            && (rules & CMD_EXE == 0 || self.cmd.outside_at(text, tokens, at))
    }
}

/// BuildKit's `parseWords`: single quotes, double quotes in which the escape character
/// escapes, and the escape character outside quotes.
struct WordQuotes {
    escape: char,
    quote: Option<char>,
    escaped: bool,
}

impl WordQuotes {
    fn new(escape: char) -> Self {
        WordQuotes {
            escape,
            quote: None,
            escaped: false,
        }
    }
}

impl QuoteTracker for WordQuotes {
    fn feed(&mut self, c: char) {
        if self.escaped {
            self.escaped = false;
            return;
        }
        match self.quote {
            None if c == self.escape => self.escaped = true,
            None if c == '\'' || c == '"' => self.quote = Some(c),
            Some(q) if c == q => self.quote = None,
            Some(q) if c == self.escape && q != '\'' => self.escaped = true,
            _ => {}
        }
    }

    fn is_outside(&self) -> bool {
        self.quote.is_none() && !self.escaped
    }
}

/// How deep quotes and substitutions may nest before a tracker gives up.
const MAX_NESTING: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ShellContext {
    /// `$( ... )`, or parentheses inside one: shell code again.
    Substitution,
    SingleQuote,
    DoubleQuote,
    /// `` `...` ``
    Backquote,
    /// `${ ... }`
    Expansion,
    /// `#` to the end of the line.
    Comment,
}

/// POSIX sh quoting, conservatively: a position counts as outside only at the top level or
/// inside command substitutions, never within quotes, backquotes, `${...}` or a comment.
/// Constructs it does not model (`$'...'`, `$"..."`, `case` patterns with unbalanced
/// parentheses) make it give up: nothing after them counts as outside.
struct PosixQuotes {
    stack: [ShellContext; MAX_NESTING],
    depth: usize,
    escaped: bool,
    after_dollar: bool,
    at_word_start: bool,
    /// The first letters of the current word, to spot `case`.
    word: [u8; 4],
    word_len: usize,
    gave_up: bool,
}

impl PosixQuotes {
    fn new() -> Self {
        PosixQuotes {
            stack: [ShellContext::Comment; MAX_NESTING],
            depth: 0,
            escaped: false,
            after_dollar: false,
            at_word_start: true,
            word: [0; 4],
            word_len: 0,
            gave_up: false,
        }
    }

    fn top(&self) -> Option<ShellContext> {
        self.depth.checked_sub(1).map(|i| self.stack[i])
    }

    fn push(&mut self, context: ShellContext) {
        if self.depth == MAX_NESTING {
            self.gave_up = true;
        } else {
            self.stack[self.depth] = context;
            self.depth += 1;
        }
    }

    fn pop(&mut self) {
        self.depth -= 1;
    }

    /// A character of shell code: at the top level, in `$( )`, `` ` ` `` or `${ }`.
    fn feed_code(
        &mut self,
        c: char,
        context: Option<ShellContext>,
        after_dollar: bool,
        at_word_start: bool,
    ) {
        use ShellContext as C;
        self.track_word(c, at_word_start);
        match c {
            '\\' => self.escaped = true,
            // Bash's `$'...'` and `$"..."` quote differently from sh.
            '\'' | '"' if after_dollar => self.gave_up = true,
            '\'' => self.push(C::SingleQuote),
            '"' => self.push(C::DoubleQuote),
            '`' if context == Some(C::Backquote) => self.pop(),
            '`' => self.push(C::Backquote),
            '$' => self.after_dollar = true,
            '(' if after_dollar || context == Some(C::Substitution) => self.push(C::Substitution),
            ')' if context == Some(C::Substitution) => self.pop(),
            '{' if after_dollar => self.push(C::Expansion),
            '}' if context == Some(C::Expansion) => self.pop(),
            '#' if at_word_start && matches!(context, None | Some(C::Substitution)) => {
                self.push(C::Comment);
            }
            _ => {}
        }
    }

    /// Gives up after the word `case`: its `pattern)` lines close parentheses they never
    /// opened, which would end a `$( )` early.
    fn track_word(&mut self, c: char, at_word_start: bool) {
        if c == ' ' || c == '\t' {
            if self.word_len == 4 && &self.word == b"case" {
                self.gave_up = true;
            }
            self.word_len = 0;
            return;
        }
        if at_word_start {
            self.word_len = 0;
        }
        if self.word_len < 4 && c.is_ascii_lowercase() {
            self.word[self.word_len] = c as u8;
            self.word_len += 1;
        } else {
            self.word_len = usize::MAX;
        }
    }
}

impl QuoteTracker for PosixQuotes {
    fn feed(&mut self, c: char) {
        if self.gave_up {
            return;
        }
        let after_dollar = std::mem::take(&mut self.after_dollar);
        let at_word_start = std::mem::replace(&mut self.at_word_start, c == ' ' || c == '\t');
        if self.escaped {
            self.escaped = false;
            self.word_len = usize::MAX;
            return;
        }
        use ShellContext as C;
        match self.top() {
            Some(C::Comment) => {}
            Some(C::SingleQuote) => {
                if c == '\'' {
                    self.pop();
                }
            }
            Some(C::DoubleQuote) => match c {
                '"' => self.pop(),
                '\\' => self.escaped = true,
                '`' => self.push(C::Backquote),
                '$' => self.after_dollar = true,
                '(' if after_dollar => self.push(C::Substitution),
                '{' if after_dollar => self.push(C::Expansion),
                _ => {}
            },
            context => self.feed_code(c, context, after_dollar, at_word_start),
        }
    }

    fn is_outside(&self) -> bool {
        !self.gave_up
            && !self.escaped
            && self.stack[..self.depth]
                .iter()
                .all(|&c| c == ShellContext::Substitution)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PowerShellContext {
    /// `$( ... )`, or parentheses inside one.
    Subexpression,
    SingleQuote,
    DoubleQuote,
    /// `${ ... }`: a variable name, spaces included.
    VariableName,
    Comment,
}

/// PowerShell quoting: the backtick escapes, `'...'` is literal, `"..."` expands `$( )`,
/// `${...}` names a variable (spaces included).
/// Typographic quotes count as quotes, as they do in PowerShell. Here-strings and block
/// comments make it give up.
struct PowerShellQuotes {
    stack: [PowerShellContext; MAX_NESTING],
    depth: usize,
    escaped: bool,
    previous: char,
    at_word_start: bool,
    gave_up: bool,
}

impl PowerShellQuotes {
    fn new() -> Self {
        PowerShellQuotes {
            stack: [PowerShellContext::Comment; MAX_NESTING],
            depth: 0,
            escaped: false,
            previous: ' ',
            at_word_start: true,
            gave_up: false,
        }
    }

    fn push(&mut self, context: PowerShellContext) {
        if self.depth == MAX_NESTING {
            self.gave_up = true;
        } else {
            self.stack[self.depth] = context;
            self.depth += 1;
        }
    }
}

impl QuoteTracker for PowerShellQuotes {
    fn feed(&mut self, c: char) {
        if self.gave_up {
            return;
        }
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
            c => c,
        };
        let previous = std::mem::replace(&mut self.previous, c);
        let at_word_start = std::mem::replace(&mut self.at_word_start, c == ' ' || c == '\t');
        if self.escaped {
            self.escaped = false;
            return;
        }
        use PowerShellContext as C;
        let context = self.depth.checked_sub(1).map(|i| self.stack[i]);
        match context {
            Some(C::Comment) => {}
            Some(C::SingleQuote) => {
                if c == '\'' {
                    self.depth -= 1;
                }
            }
            Some(C::DoubleQuote) => match c {
                '"' => self.depth -= 1,
                '`' => self.escaped = true,
                '(' if previous == '$' => self.push(C::Subexpression),
                '{' if previous == '$' => self.push(C::VariableName),
                _ => {}
            },
            Some(C::VariableName) => match c {
                '}' => self.depth -= 1,
                '`' => self.escaped = true,
                _ => {}
            },
            _ => match c {
                '`' => self.escaped = true,
                '\'' | '"' if previous == '@' => self.gave_up = true, // here-string
                '#' if previous == '<' => self.gave_up = true,        // block comment
                '\'' => self.push(C::SingleQuote),
                '"' => self.push(C::DoubleQuote),
                '#' if at_word_start => self.push(C::Comment),
                '{' if previous == '$' => self.push(C::VariableName),
                '(' if matches!(previous, '$' | '@') || context.is_some() => {
                    self.push(C::Subexpression)
                }
                ')' if context == Some(C::Subexpression) => self.depth -= 1,
                _ => {}
            },
        }
    }

    fn is_outside(&self) -> bool {
        !self.gave_up
            && !self.escaped
            && self.stack[..self.depth]
                .iter()
                .all(|&c| c == PowerShellContext::Subexpression)
    }
}

/// cmd.exe quoting: `"` toggles quoting, `^` escapes outside quotes.
#[derive(Default)]
struct CmdQuotes {
    quoted: bool,
    escaped: bool,
}

impl QuoteTracker for CmdQuotes {
    fn feed(&mut self, c: char) {
        if self.escaped {
            self.escaped = false;
        } else if c == '"' {
            self.quoted = !self.quoted;
        } else if c == '^' && !self.quoted {
            self.escaped = true;
        }
    }

    fn is_outside(&self) -> bool {
        !self.quoted && !self.escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::with_cursor;

    fn formatted(text: &str) -> String {
        format_text(text, &FormatOptions::default())
    }

    /// Formats `before`, expects `after`, and checks that formatting `after` changes nothing.
    #[track_caller]
    fn check(before: &str, after: &str) {
        let got = formatted(before);
        assert_eq!(got, after, "\n--- before:\n{before}\n--- got:\n{got}");
        assert_eq!(formatted(&got), got, "formatting is not idempotent");
    }

    #[track_caller]
    fn unchanged(text: &str) {
        check(text, text);
    }

    /// On-type formatting at the `$0` cursor, just after a typed line break; returns the text
    /// with the edits applied.
    #[track_caller]
    fn on_type(fixture: &str) -> String {
        let (analysis, offset) = with_cursor(fixture);
        let edits = format_on_type(&analysis, offset, '\n', &FormatOptions::default());
        apply_edits(analysis.text(), &edits)
    }

    // ---- Keywords ----

    #[test]
    fn keywords_are_upper_cased() {
        check(
            "from alpine\nrun echo hi\nCoPy a b\nworkdir /x\n",
            "FROM alpine\nRUN echo hi\nCOPY a b\nWORKDIR /x\n",
        );
    }

    #[test]
    fn onbuild_triggers_are_upper_cased() {
        check("onbuild   run  echo  hi\n", "ONBUILD RUN echo  hi\n");
        check("onbuild copy . /src\n", "ONBUILD COPY . /src\n");
    }

    #[test]
    fn as_is_upper_cased_and_the_stage_name_kept() {
        check("from  alpine  as  Build\n", "FROM alpine AS Build\n");
        check(
            "FROM golang:1.22 As build\\\ner\n",
            "FROM golang:1.22 AS build\\\ner\n",
        );
    }

    #[test]
    fn healthcheck_types_are_upper_cased() {
        check(
            "healthcheck --interval=5s   cmd curl -f x\nhealthcheck none\n",
            "HEALTHCHECK --interval=5s CMD curl -f x\nHEALTHCHECK NONE\n",
        );
    }

    #[test]
    fn keywords_split_by_a_continuation_are_upper_cased_piece_by_piece() {
        check("FROM a\nr\\\nun echo\n", "FROM a\nR\\\nUN echo\n");
    }

    // ---- Spacing ----

    #[test]
    fn one_space_after_the_keyword_and_between_flags() {
        check(
            "COPY   --from=build   --chown=1:1   /src   /dst\n",
            "COPY --from=build --chown=1:1 /src /dst\n",
        );
        check(
            "RUN\t--mount=type=cache,target=/x\t\tmake\n",
            "RUN --mount=type=cache,target=/x make\n",
        );
        check("COPY   --   a   b\n", "COPY -- a b\n");
    }

    #[test]
    fn arguments_split_at_whitespace_get_one_space() {
        check(
            "FROM a\nEXPOSE 80    443\nVOLUME /a  /b\nARG  A=1   B\nENV A=1    B=2\nLABEL a=b   c=d\n",
            "FROM a\nEXPOSE 80 443\nVOLUME /a /b\nARG A=1 B\nENV A=1 B=2\nLABEL a=b c=d\n",
        );
    }

    #[test]
    fn indentation_before_an_instruction_is_removed() {
        check("  FROM a\n\tRUN b\n", "FROM a\nRUN b\n");
    }

    #[test]
    fn json_arrays_are_spaced_like_docker_docs() {
        check("CMD [ \"a\" ,\"b\" ]\n", "CMD [\"a\", \"b\"]\n");
        check("CMD [\"a\",\"b\",\"c\"]\n", "CMD [\"a\", \"b\", \"c\"]\n");
        check("SHELL [ ]\n", "SHELL []\n");
        check(
            "ENTRYPOINT [\"a\",\\\n  \"b\" ]\n",
            "ENTRYPOINT [\"a\", \\\n    \"b\"]\n",
        );
    }

    #[test]
    fn shell_command_spacing_within_a_line_is_kept() {
        check("RUN  echo  a   b\n", "RUN echo  a   b\n");
        unchanged("CMD echo  \"a   b\"\n");
    }

    #[test]
    fn values_that_run_to_the_end_of_the_line_keep_their_spacing() {
        check(
            "WORKDIR /a   b\nUSER  app  :  grp\n",
            "WORKDIR /a   b\nUSER app  :  grp\n",
        );
        check(
            "ENV A  hello  \\\n   world\n",
            "ENV A hello  \\\n   world\n",
        );
        check(
            "LABEL  maintainer   Jane  Doe\n",
            "LABEL maintainer Jane  Doe\n",
        );
    }

    #[test]
    fn whitespace_in_quotes_is_kept_even_where_buildkit_splits() {
        unchanged("COPY \"a  b\" /c\n");
        unchanged("FROM a\nENV \"k  ey\" v\n");
    }

    // ---- Continuation lines ----

    #[test]
    fn continuation_lines_get_the_configured_indentation() {
        check(
            "RUN a && \\\nb && \\\n  c\n",
            "RUN a && \\\n    b && \\\n    c\n",
        );
        check("RUN \\\napt-get update\n", "RUN \\\n    apt-get update\n");
        check("RUN\\\n  x\n", "RUN \\\n    x\n");
        check("ONBUILD \\\nrun x\n", "ONBUILD \\\n    RUN x\n");
    }

    #[test]
    fn hand_made_nesting_is_kept() {
        check(
            "RUN set -eux; \\\n  if [ -f x ]; then \\\n      foo; \\\n  fi\n",
            "RUN set -eux; \\\n    if [ -f x ]; then \\\n        foo; \\\n    fi\n",
        );
    }

    #[test]
    fn lines_shallower_than_the_first_continuation_line_get_one_level() {
        check("RUN a \\\n      b \\\n  c\n", "RUN a \\\n    b \\\n    c\n");
    }

    #[test]
    fn one_space_before_the_escape_character_and_nothing_after_it() {
        check("RUN a    \\   \n    b\n", "RUN a \\\n    b\n");
        check("COPY a\\\n  b /c\n", "COPY a \\\n    b /c\n");
        check("LABEL a=1 \\\t\n      b=2\n", "LABEL a=1 \\\n    b=2\n");
    }

    #[test]
    fn the_configured_indentation_is_used() {
        let tabs = FormatOptions {
            indent: "\t".to_owned(),
        };
        assert_eq!(
            format_text("RUN a \\\n  b \\\n      c\n", &tabs),
            "RUN a \\\n\tb \\\n\t    c\n"
        );
        // Anything but blanks would end up in the instruction: the default is used instead.
        let bad = FormatOptions {
            indent: "x".to_owned(),
        };
        assert_eq!(format_text("RUN a \\\nb\n", &bad), "RUN a \\\n    b\n");
    }

    #[test]
    fn words_split_by_a_continuation_are_not_separated() {
        unchanged("RUN echo hel\\\nlo\n");
        check("RUN echo hel\\   \nlo\n", "RUN echo hel\\\nlo\n");
        unchanged("CMD [\"a \\\n   b\"]\n");
    }

    #[test]
    fn line_breaks_inside_quotes_are_not_reindented() {
        check(
            "RUN echo \"a \\\n   b\" && \\\nc\n",
            "RUN echo \"a \\\n   b\" && \\\n    c\n",
        );
        unchanged("RUN echo 'a \\\n   b'\n");
        // The parser's words close the quote early; sh nests quotes in `$( )`.
        unchanged("RUN echo \"$(echo \"a \\\n   b\")\"\n");
        unchanged("RUN echo ${x:-a \\\n   b}\n");
        unchanged("RUN echo `echo a \\\n   b`\n");
        // A comment in the command: the rest of the line is the comment's.
        unchanged("RUN a # it's \\\n   b\n");
    }

    #[test]
    fn quotes_of_any_shell_keep_their_blanks() {
        // cmd.exe: `'` does not quote, so the `"` opens a string that runs on.
        unchanged("RUN echo 'a\"b' \\\n   c\n");
        // PowerShell: `${...}` is a variable name, spaces included.
        unchanged("# escape=`\nRUN echo ${a `\n   b}\n");
        // PowerShell: `\` does not escape, so `'t \ ... stop'` is a quoted string.
        unchanged("RUN echo don\\'t \\\n   stop'\n");
        // Bash's `$'...'` quotes differently from sh: left alone.
        unchanged("RUN echo $'a\\' \\\n   b'\n");
    }

    #[test]
    fn comment_and_blank_lines_in_a_continuation() {
        check(
            "RUN a \\\n# note   \n      b\n",
            "RUN a \\\n# note\n    b\n",
        );
        check("RUN a \\\n   \n  b\n", "RUN a \\\n\n    b\n");
    }

    // ---- Left alone ----

    #[test]
    fn trailing_whitespace_is_removed() {
        check("FROM a   \nRUN b\t\n# c  \n   \n", "FROM a\nRUN b\n# c\n\n");
    }

    #[test]
    fn heredoc_bodies_are_kept_byte_for_byte() {
        check(
            "RUN <<EOF   \n  body  \n\tEOF  \nEOF\n",
            "RUN <<EOF\n  body  \n\tEOF  \nEOF\n",
        );
        unchanged("COPY <<-EOT /x\n\t  a  \n\tEOT\n");
    }

    #[test]
    fn parser_directives_are_kept() {
        check(
            "#  syntax = docker/dockerfile:1  \n# escape=\\ \nfrom a\n",
            "#  syntax = docker/dockerfile:1  \n# escape=\\ \nFROM a\n",
        );
    }

    #[test]
    fn crlf_line_breaks_are_kept() {
        check(
            "from a \r\nrun b \\\r\n c\r\n",
            "FROM a\r\nRUN b \\\r\n    c\r\n",
        );
    }

    #[test]
    fn a_final_line_break_is_added() {
        check("FROM a", "FROM a\n");
        check("FROM a\r\nRUN b", "FROM a\r\nRUN b\r\n");
        check("FROM a\n# done", "FROM a\n# done\n");
        check("FROM a\n   ", "FROM a\n");
        // Inside a continuation the blank line stays a line (BuildKit counts it).
        check("FROM a\nRUN b \\\n   ", "FROM a\nRUN b \\\n\n");
        // Not to an unterminated heredoc: the body runs to the end of the file.
        unchanged("FROM a\nRUN <<EOF\nbody");
        unchanged("");
    }

    #[test]
    fn broken_instructions_are_left_as_written() {
        check(
            "from a\nfoo   bar  \ncopy   a\nrun  b\n",
            "FROM a\nfoo   bar  \ncopy   a\nRUN b\n",
        );
        unchanged("FROM a\nCMD [\"a\"]  || exit 1  \n");
    }

    #[test]
    fn whitespace_that_protects_an_escape_character_is_kept() {
        // Without the \v the line would end with the escape character and continue.
        check(
            "# escape=`\nFROM a\nENV GOPATH `\x0b",
            "# escape=`\nFROM a\nENV GOPATH `\x0b\n",
        );
        // BuildKit's heredoc lexer reads `\ ` as an escaped blank: no heredoc; trimmed,
        // `<<E\` would start one.
        unchanged("# escape=`\nFROM a\nRUN cat <<E\\ \t\n");
    }

    #[test]
    fn other_whitespace_between_words_is_kept() {
        unchanged("RUN a\x0b\\\n  b\n");
    }

    // ---- Edits ----

    #[test]
    fn edits_cover_only_what_changes() {
        let analysis = DockerfileAnalysis::new("from  a\nRUN b  \\  \n      c\n");
        let edits = format(&analysis, &FormatOptions::default(), None);
        let ranges: Vec<(u32, u32, &str)> = edits
            .iter()
            .map(|e| (e.range.start, e.range.end, e.new_text.as_str()))
            .collect();
        assert_eq!(
            ranges,
            // The keyword; one of two spaces; one of two spaces before `\`; the two after
            // it; two of six spaces of indentation.
            [
                (0, 4, "FROM"),
                (5, 6, ""),
                (14, 15, ""),
                (16, 18, ""),
                (23, 25, "")
            ]
        );
        let clean = DockerfileAnalysis::new("FROM a\nRUN b \\\n    c\n");
        assert!(format(&clean, &FormatOptions::default(), None).is_empty());
    }

    #[test]
    fn range_formatting_touches_only_intersecting_lines() {
        let text = "from  a\nrun  b\n#  c  \n   \nrun  d\n";
        let analysis = DockerfileAnalysis::new(text);
        let second_line = TextRange::new(8, 14);
        let edits = format(&analysis, &FormatOptions::default(), Some(second_line));
        assert_eq!(
            apply_edits(text, &edits),
            "from  a\nRUN b\n#  c  \n   \nrun  d\n"
        );
        // A cursor touches the line it is on.
        let cursor = TextRange::empty(17);
        let edits = format(&analysis, &FormatOptions::default(), Some(cursor));
        assert_eq!(
            apply_edits(text, &edits),
            "from  a\nrun  b\n#  c\n   \nrun  d\n"
        );
        // A selection ending at the start of a line does not include that line.
        let edits = format(
            &analysis,
            &FormatOptions::default(),
            Some(TextRange::new(0, 8)),
        );
        assert_eq!(
            apply_edits(text, &edits),
            "FROM a\nrun  b\n#  c  \n   \nrun  d\n"
        );
    }

    // ---- On-type formatting ----

    #[test]
    fn a_new_continuation_line_is_indented() {
        assert_eq!(
            on_type("RUN apt-get update && \\\n$0"),
            "RUN apt-get update && \\\n    "
        );
        assert_eq!(
            on_type("RUN a \\\n  $0\nFROM b\n"),
            "RUN a \\\n    \nFROM b\n"
        );
        // Later lines follow the line before.
        assert_eq!(
            on_type("RUN a \\\n      b \\\n$0"),
            "RUN a \\\n      b \\\n      "
        );
        // After a comment line in the continuation.
        assert_eq!(on_type("RUN a \\\n# c\n$0"), "RUN a \\\n# c\n    ");
    }

    #[test]
    fn a_line_break_typed_before_text_indents_that_text() {
        assert_eq!(on_type("RUN a \\\n$0b\n"), "RUN a \\\n    b\n");
    }

    #[test]
    fn no_indentation_where_it_would_become_part_of_a_value() {
        assert_eq!(on_type("RUN echo \"a \\\n$0"), "RUN echo \"a \\\n");
        assert_eq!(on_type("WORKDIR /a \\\n$0"), "WORKDIR /a \\\n");
        assert_eq!(on_type("ENV A hello \\\n$0"), "ENV A hello \\\n");
        assert_eq!(on_type("RUN echo hel\\\n$0"), "RUN echo hel\\\n");
    }

    #[test]
    fn a_finished_instruction_is_formatted() {
        assert_eq!(on_type("run  a   \n$0"), "RUN a\n");
        assert_eq!(
            on_type("FROM x\ncopy  a  b\n  $0\nrun  c\n"),
            "FROM x\nCOPY a b\n  \nrun  c\n"
        );
        assert_eq!(
            on_type("RUN <<EOF\nbody  \nEOF\n$0"),
            "RUN <<EOF\nbody  \nEOF\n"
        );
    }

    #[test]
    fn on_type_ignores_other_characters_and_heredoc_bodies() {
        let (analysis, offset) = with_cursor("run  a\n$0");
        assert!(format_on_type(&analysis, offset, 'x', &FormatOptions::default()).is_empty());
        assert_eq!(on_type("RUN <<EOF\nrun  x\n$0"), "RUN <<EOF\nrun  x\n");
        let (analysis, _) = with_cursor("$0RUN a\n");
        assert!(format_on_type(&analysis, 999, '\n', &FormatOptions::default()).is_empty());
        assert_eq!(ON_TYPE_TRIGGERS, ['\n']);
    }

    // ---- Whole files ----

    #[test]
    fn parser_fixtures_format_idempotently_with_sorted_edits() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parser");
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("UTF-8");
            let analysis = DockerfileAnalysis::new(&text);
            let edits = format(&analysis, &FormatOptions::default(), None);
            assert!(edits.windows(2).all(|w| w[0].range.end <= w[1].range.start));
            let once = apply_edits(&text, &edits);
            assert_eq!(formatted(&once), once);
        }
    }
}
