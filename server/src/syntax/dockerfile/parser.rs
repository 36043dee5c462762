//! The Dockerfile parser: text in, lossless tree and errors out. It never fails.
//!
//! Parsing happens in two layers, the way BuildKit reads a Dockerfile:
//! 1. **Lines.** Physical lines are grouped into instructions: parser directives at the top,
//!    comments, blank lines, line continuations with the current escape character, comment
//!    and blank lines inside continuations, heredoc bodies after the instruction line.
//!    The pieces of an instruction that carry text form its *logical line*; everything else
//!    (continuations, line breaks, dropped comment lines) is trivia.
//! 2. **Arguments.** The logical line is split into keyword, flags and arguments per
//!    instruction. A [`Sink`] maps logical offsets back to the source and slips the trivia in
//!    between (or inside) the tokens, so every byte ends up in exactly one token.
//!
//! # Incremental reparse
//!
//! The language server reparses on every keystroke; [`reparse`] gives the parse of the new
//! text, equal in every element and error to [`parse`]'s, but parses only the top-level
//! lines around the edit and copies the rest of the old parse. It is exact because of how
//! the main loop works:
//!
//! - **Top-level lines.** [`Parser::run`] parses *top-level lines* one after another: a
//!   blank line, a comment, a directive, or an instruction with every line it swallows
//!   (continuation lines, comment and blank lines inside them, heredoc bodies). Each one
//!   is parsed from its first byte forward; once the directives at the top are done, the
//!   only state one top-level line hands the next is the escape character (fixed by the
//!   directives) and the instruction count (only read at the end, for the "no
//!   instructions" error). So the parse from a top-level line start on depends only on
//!   the text from there to the end of the file.
//! - **Prefix.** A top-level line that ends before the end of the file is decided by its
//!   own bytes: it ends with a line that has no continuation, or with a heredoc
//!   terminator, and reads nothing after that. Only a line that ends the file can depend on
//!   what follows it (a continuation running into blank or comment lines, or a heredoc
//!   without its terminator, stops at the end of the file; appended text would join it).
//!   So with `a` the length of the common prefix of the two texts, parsing restarts at the
//!   start `r` of the last old top-level line starting at or before `a`: the lines before
//!   it end at or before `r`, inside the common prefix and before the end of the old file,
//!   so they parse the same in the new text, and their elements and errors are kept as
//!   they are. (For an edit at the very end, `r` is the start of the last line.)
//! - **Suffix.** With old `[a, b_old)` replaced by new `[a, b_new)` (the rest is a common
//!   suffix), the new parse goes on, top-level line by top-level line, until it reaches a
//!   top-level line start `p >= b_new` where the old parse also had a top-level line start,
//!   at `p - b_new + b_old`. From there both parses read the same text in the same state,
//!   so the old elements and errors are copied with their offsets (and element indices)
//!   shifted. Without such a point the new parse goes on to the end.
//! - **Directives.** Directives are only read at the top, before the first other line, and
//!   they set the escape character. An edit that reaches into them or into the first line
//!   after them (which could become one) is parsed from scratch, as are small files
//!   (cheap to parse whole), files without instructions and texts too large to parse.
//! - **Errors.** Errors are pushed in the order of the top-level lines they belong to, and
//!   each lies within its line and starts before the line's end (unless the line ends the
//!   file). So the old errors starting before `r` are those of the kept prefix, and those
//!   starting at or after the old sync point those of the copied suffix. The "no
//!   instructions" error, pushed last, is decided afresh from the new tree.

use super::image_ref::split_image_ref;
use super::kind::{InstructionKind, SyntaxKind};
use super::lexing::{Line, Words, buildkit_shell_words, is_ws, plain_words, skip_ws, trim_end_ws};
use super::tree::{SyntaxTree, TreeBuilder};
use crate::syntax::TextRange;

/// The result of parsing: always a tree, plus whatever errors were found.
#[derive(Clone, Debug)]
pub struct Parse {
    pub tree: SyntaxTree,
    pub errors: Vec<SyntaxError>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
}

impl Parse {
    /// Whether two parses agree in every field: the same tree (see
    /// [`SyntaxTree::same_as`]), errors and escape character.
    pub fn same_as(&self, other: &Parse) -> bool {
        self.tree.same_as(&other.tree) && self.errors == other.errors && self.escape == other.escape
    }
}

/// A syntax error with the byte range it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// Files at or above this size are not parsed (tree offsets are `u32`). Callers reject them
/// first; `parse` returns an empty tree with an error for them rather than panicking.
pub const MAX_TEXT_LEN: usize = u32::MAX as usize;

/// Parses a Dockerfile. Never fails: errors are collected, the tree covers every byte.
pub fn parse(text: &str) -> Parse {
    if text.len() >= MAX_TEXT_LEN {
        return Parse {
            tree: TreeBuilder::new(String::new()).finish(),
            errors: vec![SyntaxError {
                range: TextRange::empty(0),
                message: "the file is too large to parse".to_owned(),
            }],
            escape: '\\',
        };
    }
    Parser::new(text).run()
}

/// Texts shorter than this are parsed from scratch by [`reparse`]: a full parse of 4 KB
/// takes about 25 µs, so reuse saves little there.
const MIN_REUSE_LEN: usize = 4096;

/// The parse of `new_text`, reusing `old` (the parse of an earlier version of the same
/// document): equal to `parse(new_text)` in every field, element and error. Only the
/// top-level lines around the changed part of the text are parsed again (see the module
/// docs); the edit is found by comparing the two texts.
///
/// ```
/// use dockwise::syntax::dockerfile::{parse, reparse};
/// let old = parse("FROM alpine\nRUN echo hi\n");
/// let new = reparse(&old, "FROM alpine\nRUN echo hello\n");
/// assert!(new.tree.same_as(&parse("FROM alpine\nRUN echo hello\n").tree));
/// ```
pub fn reparse(old: &Parse, new_text: &str) -> Parse {
    reparse_explained(old, new_text, MIN_REUSE_LEN).0
}

/// How [`reparse_explained`] made its parse (for tests and benchmarks).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reparsed {
    /// The text had not changed: the old parse, cloned.
    Unchanged,
    /// Parsed from scratch, for the reason given.
    Full(&'static str),
    /// The new text's `[start, end)` was parsed; what comes before and after was copied.
    Incremental { start: usize, end: usize },
}

/// [`reparse`], with texts shorter than `min_len` parsed from scratch, also telling how the
/// parse was made. Tests pass 0 to exercise reuse on small texts.
#[doc(hidden)]
pub fn reparse_explained(old: &Parse, new_text: &str, min_len: usize) -> (Parse, Reparsed) {
    let full = |why| (parse(new_text), Reparsed::Full(why));
    if new_text.len() >= MAX_TEXT_LEN {
        return full("the text is too large to parse");
    }
    if new_text.len() < min_len {
        return full("the text is small");
    }
    let escape = match old.escape {
        '\\' => b'\\',
        '`' => b'`',
        _ => return full("the old parse has an escape character a parse never has"),
    };
    let tree = &old.tree;
    let elements = tree.len();
    // Also catches the empty tree of a text too large to parse: its errors are not those
    // of a parse of its (empty) text.
    if !tree.has_instruction_between(1, elements) {
        return full("the old text has no instructions");
    }
    let old_bytes = tree.text().as_bytes();
    let new_bytes = new_text.as_bytes();
    if old_bytes == new_bytes {
        return (old.clone(), Reparsed::Unchanged);
    }
    let (a, b_old, b_new) = changed_range(old_bytes, new_bytes);

    // The edit must leave the directives and the first line after them alone: that line
    // ends the directives only because it is not one, and its bytes must stay the same.
    let directives_end = tree.directives_end();
    if directives_end >= old_bytes.len() {
        return full("the old text is only directives");
    }
    let first = Line::at(old_bytes, directives_end);
    if old_bytes[first.end - 1] != b'\n' || a < first.end {
        return full("the edit touches the directives or the line after them");
    }

    // Restart at the last old top-level line starting at or before `a`; it starts after
    // the directives since `first` does and `first.end <= a`.
    let Some(restart_idx) = tree.top_level_line_at(a as u32) else {
        return full("the old tree is empty");
    };
    let restart = tree.start_of(restart_idx) as usize;
    debug_assert!(restart >= directives_end);

    // Room for the elements the new text adds (about one per 3 bytes, as in `parse`).
    let extra = (new_bytes.len().saturating_sub(old_bytes.len())) / 3 + 64;
    let builder = TreeBuilder::resume(tree, restart_idx, new_text.to_owned(), extra);
    let kept_errors = old
        .errors
        .partition_point(|e| (e.range.start as usize) < restart);
    let mut parser = Parser::resume(
        new_text,
        builder,
        old.errors[..kept_errors].to_vec(),
        escape,
        true,
    );

    // The sync point: an old root child that starts a top-level line at the old offset of
    // `p`. Both walk forward, so the old root children are visited once.
    let mut cursor = restart_idx;
    let mut cursor_starts_line = true;
    let end = parser.lines_until(restart, |p| {
        if p < b_new {
            return false;
        }
        let target = (p - b_new + b_old) as u32;
        while cursor < elements && tree.start_of(cursor) < target {
            cursor_starts_line =
                matches!(tree.kind_of(cursor), SyntaxKind::Newline | SyntaxKind::Bom);
            cursor = tree.next_root_child(cursor);
        }
        cursor < elements && cursor_starts_line && tree.start_of(cursor) == target
    });

    let mut has_instructions = parser.instructions > 0;
    if end < new_bytes.len() {
        let old_from = tree.start_of(cursor);
        parser.builder.append_shifted(tree, cursor);
        let copied = old.errors.partition_point(|e| e.range.start < old_from);
        // Wrapping: the shift may be negative, the shifted offsets are in range.
        let by = (end as u32).wrapping_sub(old_from);
        parser
            .errors
            .extend(old.errors[copied..].iter().map(|e| SyntaxError {
                range: TextRange {
                    start: e.range.start.wrapping_add(by),
                    end: e.range.end.wrapping_add(by),
                },
                message: e.message.clone(),
            }));
        has_instructions = has_instructions || tree.has_instruction_between(cursor, elements);
    }
    if !has_instructions && !tree.has_instruction_between(1, restart_idx) {
        parser.no_instructions();
    }
    (
        parser.finish(),
        Reparsed::Incremental {
            start: restart,
            end,
        },
    )
}

/// Where two texts differ: the longest common prefix `a`, then the longest common suffix
/// of the rest, so old `[a, b_old)` became new `[a, b_new)`. Returns `(a, b_old, b_new)`.
/// The offsets may fall inside a character; they only bound the edit.
fn changed_range(old: &[u8], new: &[u8]) -> (usize, usize, usize) {
    let max = old.len().min(new.len());
    let a = common_len(max, |i, n| old[i..i + n] == new[i..i + n]);
    let (old_len, new_len) = (old.len(), new.len());
    let suffix = common_len(max - a, |i, n| {
        old[old_len - i - n..old_len - i] == new[new_len - i - n..new_len - i]
    });
    (a, old_len - suffix, new_len - suffix)
}

/// The length of the longest run of equal bytes, up to `max`, where `equal(i, n)` says
/// whether the `n` bytes `i` bytes into the run are equal. Large chunks first (each a
/// `memcmp` call), then smaller ones, then bytes, so a 70 KB text takes a few µs.
fn common_len(max: usize, equal: impl Fn(usize, usize) -> bool) -> usize {
    let mut len = 0;
    for chunk in [1024, 64, 1] {
        while len + chunk <= max && equal(len, chunk) {
            len += chunk;
        }
    }
    len
}

/// The three directives BuildKit knows.
const DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// A piece of the logical line and where it sits in the source.
#[derive(Clone, Copy, Debug)]
struct Segment {
    logical: usize,
    src: usize,
    len: usize,
}

/// A trivia token between segment `after` and segment `after + 1`, ending at `end`.
#[derive(Clone, Copy, Debug)]
struct Trivia {
    after: usize,
    kind: SyntaxKind,
    end: usize,
}

/// A heredoc marker seen on the instruction line, waiting for its body.
#[derive(Clone, Debug)]
struct PendingHeredoc {
    name: String,
    strip_tabs: bool,
    marker: TextRange,
}

struct Parser<'s> {
    src: &'s str,
    builder: TreeBuilder,
    errors: Vec<SyntaxError>,
    escape: u8,
    directives_done: bool,
    seen_directives: [bool; 3],
    instructions: usize,
    // Buffers reused across instructions.
    segments: Vec<Segment>,
    trivia: Vec<Trivia>,
    logical: String,
    heredocs: Vec<PendingHeredoc>,
}

impl<'s> Parser<'s> {
    fn new(src: &'s str) -> Self {
        Self::resume(
            src,
            TreeBuilder::new(src.to_owned()),
            Vec::new(),
            b'\\',
            false,
        )
    }

    /// A parser whose builder and errors already hold what comes before the builder's
    /// offset, in the given state (see [`reparse`]).
    fn resume(
        src: &'s str,
        builder: TreeBuilder,
        errors: Vec<SyntaxError>,
        escape: u8,
        directives_done: bool,
    ) -> Self {
        Parser {
            src,
            builder,
            errors,
            escape,
            directives_done,
            seen_directives: [false; 3],
            instructions: 0,
            segments: Vec::new(),
            trivia: Vec::new(),
            logical: String::new(),
            heredocs: Vec::new(),
        }
    }

    fn run(mut self) -> Parse {
        let bytes = self.src.as_bytes();
        let mut pos = 0;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            self.builder.token(SyntaxKind::Bom, 3);
            pos = 3;
        }
        self.lines_until(pos, |_| false);
        if self.instructions == 0 {
            self.no_instructions();
        }
        self.finish()
    }

    /// Parses top-level lines from `pos` (a top-level line start) until `stop` accepts the
    /// start of the next one, or to the end. Returns where it stopped.
    fn lines_until(&mut self, mut pos: usize, mut stop: impl FnMut(usize) -> bool) -> usize {
        let bytes = self.src.as_bytes();
        while pos < bytes.len() {
            let line = Line::at(bytes, pos);
            pos = self.top_level_line(line);
            if pos < bytes.len() && stop(pos) {
                break;
            }
        }
        pos
    }

    /// The error for a file without instructions; it comes after all others.
    fn no_instructions(&mut self) {
        self.errors.push(SyntaxError {
            range: TextRange::empty(0),
            message: "the file has no instructions: a Dockerfile needs at least a FROM".to_owned(),
        });
    }

    fn finish(self) -> Parse {
        Parse {
            tree: self.builder.finish(),
            errors: self.errors,
            escape: self.escape as char,
        }
    }

    /// Handles one physical line at the top level (and any lines an instruction starting
    /// there consumes). Returns where the next line starts.
    fn top_level_line(&mut self, line: Line) -> usize {
        let bytes = self.src.as_bytes();
        let text_start = skip_ws(bytes, line.start, line.content_end);
        if !self.directives_done {
            if self.directive(line, text_start) {
                self.builder.token(SyntaxKind::Newline, line.end as u32);
                return line.end;
            }
            self.directives_done = true;
        }
        self.builder.token(SyntaxKind::Indent, text_start as u32);
        if text_start == line.content_end {
            // Blank line.
        } else if bytes[text_start] == b'#' {
            self.builder
                .token(SyntaxKind::Comment, line.content_end as u32);
        } else {
            let last = self.instruction(line, text_start);
            self.builder.token(SyntaxKind::Newline, last.end as u32);
            return last.end;
        }
        self.builder.token(SyntaxKind::Newline, line.end as u32);
        line.end
    }

    /// Recognises a parser directive (`# name = value`, BuildKit's
    /// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` with a known name). Emits it and returns
    /// true, or returns false without emitting anything.
    fn directive(&mut self, line: Line, text_start: usize) -> bool {
        let bytes = self.src.as_bytes();
        let end = line.content_end;
        // RE2's \s: space, \t, \n, \f, \r (not \v).
        let is_re_space = |b: u8| matches!(b, b' ' | b'\t' | 0x0c | b'\r');
        let skip = |mut i: usize| {
            while i < end && is_re_space(bytes[i]) {
                i += 1;
            }
            i
        };
        if text_start >= end || bytes[text_start] != b'#' {
            return false;
        }
        let name_start = skip(text_start + 1);
        if name_start >= end || !bytes[name_start].is_ascii_alphabetic() {
            return false;
        }
        let mut name_end = name_start;
        while name_end < end && bytes[name_end].is_ascii_alphanumeric() {
            name_end += 1;
        }
        let eq = skip(name_end);
        if eq >= end || bytes[eq] != b'=' {
            return false;
        }
        let mut value_start = skip(eq + 1);
        let mut value_end = end;
        while value_end > value_start && is_re_space(bytes[value_end - 1]) {
            value_end -= 1;
        }
        if value_end == value_start {
            if eq + 1 == end {
                return false; // `# escape=`: `(.+?)` needs a character
            }
            // Only blanks after `=`: the regex backtracks and `(.+?)` takes the last blank,
            // so `# escape= ` is a directive with an invalid value, not a comment.
            value_start = end - 1;
            value_end = end;
        }
        let name = &self.src[name_start..name_end];
        let Some(which) = DIRECTIVES.iter().position(|d| d.eq_ignore_ascii_case(name)) else {
            return false;
        };

        let b = &mut self.builder;
        b.token(SyntaxKind::Indent, text_start as u32);
        b.start_node(SyntaxKind::Directive);
        b.token(SyntaxKind::DirectiveHash, (text_start + 1) as u32);
        b.token(SyntaxKind::Whitespace, name_start as u32);
        b.token(SyntaxKind::DirectiveName, name_end as u32);
        b.token(SyntaxKind::Whitespace, eq as u32);
        b.token(SyntaxKind::Equals, (eq + 1) as u32);
        b.token(SyntaxKind::Whitespace, value_start as u32);
        b.token(SyntaxKind::DirectiveValue, value_end as u32);
        b.token(SyntaxKind::Whitespace, end as u32);
        b.finish_node();

        let value_range = TextRange::new(value_start as u32, value_end as u32);
        if self.seen_directives[which] {
            self.errors.push(SyntaxError {
                range: TextRange::new(text_start as u32, end as u32),
                message: format!(
                    "only one `{}` parser directive can be used",
                    DIRECTIVES[which]
                ),
            });
            // BuildKit rejects a repeated directive before applying it, so the first value
            // stays in effect: a second `# escape=` must not change how the rest is read.
            return true;
        }
        self.seen_directives[which] = true;
        if DIRECTIVES[which] == "escape" {
            match &self.src[value_start..value_end] {
                "\\" => self.escape = b'\\',
                "`" => self.escape = b'`',
                other => self.errors.push(SyntaxError {
                    range: value_range,
                    message: format!(
                        "invalid escape character `{other}`: it must be `\\` or a backtick"
                    ),
                }),
            }
        }
        true
    }

    /// If `[from, line.content_end)` ends with a line continuation, returns where the
    /// escape character is. BuildKit's rule: the escape character, then only spaces or tabs,
    /// and the character before it is not the escape character (or there is none).
    fn continuation_at(&self, line: Line, from: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let mut end = line.content_end;
        while end > from && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end == from || bytes[end - 1] != self.escape {
            return None;
        }
        let escape_at = end - 1;
        if escape_at > line.start && bytes[escape_at - 1] == self.escape {
            return None;
        }
        Some(escape_at)
    }

    /// Collects the lines of one instruction starting at `text_start` on `first`, emits its
    /// node, and returns the last physical line it used (its line break is the caller's).
    fn instruction(&mut self, first: Line, text_start: usize) -> Line {
        let bytes = self.src.as_bytes();
        self.instructions += 1;
        self.segments.clear();
        self.trivia.clear();

        let mut line = first;
        let mut logical_len = 0;
        let mut from = text_start;
        loop {
            let cont = self.continuation_at(line, from);
            let seg_end = cont.unwrap_or(line.content_end);
            self.segments.push(Segment {
                logical: logical_len,
                src: from,
                len: seg_end - from,
            });
            logical_len += seg_end - from;
            let seg_idx = self.segments.len() - 1;
            if cont.is_none() {
                break;
            }
            self.trivia.push(Trivia {
                after: seg_idx,
                kind: SyntaxKind::LineContinuation,
                end: line.content_end,
            });
            // Skip comment lines and blank lines inside the continuation.
            let next = loop {
                if !line.has_newline() || line.end >= bytes.len() {
                    break None;
                }
                self.trivia.push(Trivia {
                    after: seg_idx,
                    kind: SyntaxKind::Newline,
                    end: line.end,
                });
                line = Line::at(bytes, line.end);
                let ws_end = skip_ws(bytes, line.start, line.content_end);
                let is_comment = ws_end < line.content_end && bytes[ws_end] == b'#';
                if is_comment || ws_end == line.content_end {
                    self.trivia.push(Trivia {
                        after: seg_idx,
                        kind: SyntaxKind::Indent,
                        end: ws_end,
                    });
                    if is_comment {
                        self.trivia.push(Trivia {
                            after: seg_idx,
                            kind: SyntaxKind::Comment,
                            end: line.content_end,
                        });
                    }
                    continue;
                }
                break Some(line);
            };
            match next {
                Some(l) => {
                    line = l;
                    from = l.start;
                }
                None => break,
            }
        }

        let mut logical = std::mem::take(&mut self.logical);
        logical.clear();
        let text: &str = if self.segments.len() == 1 {
            let s = self.segments[0];
            &self.src[s.src..s.src + s.len]
        } else {
            for s in &self.segments {
                logical.push_str(&self.src[s.src..s.src + s.len]);
            }
            &logical
        };

        self.heredocs.clear();
        let mut sink = Sink {
            builder: &mut self.builder,
            segments: &self.segments,
            trivia: &self.trivia,
            seg: 0,
            triv: 0,
            cursor: 0,
        };
        // BuildKit finds heredoc markers among the shell words of the whole line, and finds
        // none when its shell lexer fails on the line (see `buildkit_shell_words`).
        let heredoc_words = if text.contains("<<") {
            buildkit_shell_words(text).unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut ctx = ArgContext {
            line: text,
            bytes: text.as_bytes(),
            escape: self.escape,
            errors: &mut self.errors,
            heredocs: &mut self.heredocs,
            heredoc_words: &heredoc_words,
        };
        ctx.instruction(&mut sink, 0, 0);
        sink.flush_all();
        debug_assert_eq!(sink.builder.offset() as usize, line.content_end);
        self.logical = logical;

        let last = if self.heredocs.is_empty() {
            line
        } else {
            self.heredoc_bodies(line)
        };
        self.builder.finish_node();
        last
    }

    /// Consumes the bodies of the pending heredocs after the instruction's last line, inside
    /// the instruction node. Returns the last line used (a terminator, or the end of file).
    fn heredoc_bodies(&mut self, last_line: Line) -> Line {
        let bytes = self.src.as_bytes();
        let heredocs = std::mem::take(&mut self.heredocs);
        let mut current = last_line;
        let mut unterminated_from = None;
        for (i, heredoc) in heredocs.iter().enumerate() {
            if !current.has_newline() {
                unterminated_from = Some(i);
                break;
            }
            // The line break before the body (after the instruction line or the previous
            // terminator) stays in the instruction node.
            self.builder.token(SyntaxKind::Newline, current.end as u32);
            self.builder.start_node(SyntaxKind::Heredoc);
            let mut pos = current.end;
            let mut terminator = None;
            while pos < bytes.len() {
                let l = Line::at(bytes, pos);
                let mut content = &bytes[l.start..l.content_end];
                if heredoc.strip_tabs {
                    while let [b'\t', rest @ ..] = content {
                        content = rest;
                    }
                }
                if content == heredoc.name.as_bytes() {
                    terminator = Some(l);
                    break;
                }
                pos = l.end;
            }
            match terminator {
                Some(l) => {
                    self.builder.token(SyntaxKind::HeredocBody, l.start as u32);
                    self.builder
                        .token(SyntaxKind::HeredocEnd, l.content_end as u32);
                    self.builder.finish_node();
                    current = l;
                }
                None => {
                    self.builder
                        .token(SyntaxKind::HeredocBody, bytes.len() as u32);
                    self.builder.finish_node();
                    current = Line::at(bytes, bytes.len());
                    unterminated_from = Some(i);
                    break;
                }
            }
        }
        if let Some(first) = unterminated_from {
            for heredoc in &heredocs[first..] {
                self.errors.push(SyntaxError {
                    range: heredoc.marker,
                    message: format!("unterminated heredoc: no line `{}` ends it", heredoc.name),
                });
            }
        }
        self.heredocs = heredocs;
        current
    }
}

/// Emits tokens given in logical-line offsets, mapping them to the source and inserting the
/// trivia that sits between segments.
struct Sink<'a> {
    builder: &'a mut TreeBuilder,
    segments: &'a [Segment],
    trivia: &'a [Trivia],
    /// Current segment.
    seg: usize,
    /// Next trivia token to emit.
    triv: usize,
    /// Logical offset up to which tokens have been emitted.
    cursor: usize,
}

impl Sink<'_> {
    fn seg_end(&self, seg: usize) -> usize {
        let s = self.segments[seg];
        s.logical + s.len
    }

    /// Emits the trivia after the current segment and moves to the next one.
    fn advance_segment(&mut self) {
        while self.triv < self.trivia.len() && self.trivia[self.triv].after == self.seg {
            let t = self.trivia[self.triv];
            self.builder.token(t.kind, t.end as u32);
            self.triv += 1;
        }
        self.seg += 1;
    }

    /// Emits trivia at every segment boundary at or before `pos`.
    fn flush_upto(&mut self, pos: usize) {
        while self.seg + 1 < self.segments.len() && self.seg_end(self.seg) <= pos {
            self.advance_segment();
        }
    }

    /// Emits the remaining trivia (after the last segment).
    fn flush_all(&mut self) {
        while self.seg < self.segments.len() {
            self.advance_segment();
        }
    }

    /// Covers `[cursor, pos)` with a whitespace token (gaps hold only whitespace).
    fn gap(&mut self, pos: usize) {
        if pos > self.cursor {
            let start = self.cursor;
            self.raw_token(SyntaxKind::Whitespace, start, pos);
        }
    }

    fn raw_token(&mut self, kind: SyntaxKind, start: usize, end: usize) {
        self.flush_upto(start);
        let mut l = start;
        while l < end {
            let seg_end = self.seg_end(self.seg);
            if l >= seg_end {
                self.advance_segment();
                continue;
            }
            let piece_end = end.min(seg_end);
            let s = self.segments[self.seg];
            self.builder
                .token(kind, (s.src + (piece_end - s.logical)) as u32);
            l = piece_end;
        }
        self.cursor = end;
    }

    fn token(&mut self, kind: SyntaxKind, start: usize, end: usize) {
        self.gap(start);
        if end > start {
            self.raw_token(kind, start, end);
        }
    }

    fn start(&mut self, kind: SyntaxKind, at: usize) {
        self.gap(at);
        self.flush_upto(at);
        self.builder.start_node(kind);
    }

    fn finish(&mut self) {
        self.builder.finish_node();
    }

    /// The source range of logical `[start, end)`.
    fn src_range(&self, start: usize, end: usize) -> TextRange {
        let src_start = self.src_pos(start, false);
        // An empty range at a segment boundary would map its start into the later segment
        // and its end into the earlier one, an inverted range (`\` then `\` at the end of
        // the file gives an empty keyword there): keep it empty instead.
        let src_end = if end == start {
            src_start
        } else {
            self.src_pos(end, true)
        };
        TextRange::new(src_start as u32, src_end as u32)
    }

    /// The source offset of logical offset `pos`. At a segment boundary, `is_end` picks the
    /// end of the earlier segment rather than the start of the later one.
    fn src_pos(&self, pos: usize, is_end: bool) -> usize {
        let idx = self
            .segments
            .partition_point(|s| {
                if is_end {
                    s.logical + s.len < pos
                } else {
                    s.logical + s.len <= pos
                }
            })
            .min(self.segments.len() - 1);
        let s = self.segments[idx];
        s.src + pos.saturating_sub(s.logical).min(s.len)
    }
}

/// Parses an instruction's logical line into tokens.
struct ArgContext<'l, 'e> {
    line: &'l str,
    bytes: &'l [u8],
    escape: u8,
    errors: &'e mut Vec<SyntaxError>,
    heredocs: &'e mut Vec<PendingHeredoc>,
    /// The words of the whole line in which BuildKit looks for heredoc markers (sorted);
    /// empty when the line has no `<<` or BuildKit's shell lexer fails on it.
    heredoc_words: &'l [(usize, usize)],
}

/// Nesting depth up to which ONBUILD's trigger is parsed as an instruction.
const MAX_ONBUILD_DEPTH: u32 = 1;

impl ArgContext<'_, '_> {
    fn error(&mut self, sink: &Sink<'_>, start: usize, end: usize, message: String) {
        self.errors.push(SyntaxError {
            range: sink.src_range(start, end),
            message,
        });
    }

    /// Parses the instruction starting at logical offset `start` (ONBUILD triggers start
    /// mid-line). The caller has not opened a node; this opens and (for nested triggers)
    /// closes it. The top-level node is closed by the caller, after heredoc bodies.
    fn instruction(&mut self, sink: &mut Sink<'_>, start: usize, depth: u32) {
        let b = self.bytes;
        let len = b.len();
        let kw_start = skip_ws(b, start, len);
        let mut kw_end = kw_start;
        while kw_end < len && !is_ws(b[kw_end]) {
            kw_end += 1;
        }
        let keyword = &self.line[kw_start..kw_end];
        let kind = InstructionKind::from_keyword(keyword);
        let content_end = trim_end_ws(b, kw_end, len);

        if depth == 0 {
            // A top-level instruction starts on its first physical line even when that line
            // holds only a line continuation (`\` then `RUN x` below): BuildKit counts the
            // instruction from there. So open the node before any leading trivia.
            sink.builder.start_node(SyntaxKind::Instruction(kind));
        } else {
            sink.start(SyntaxKind::Instruction(kind), kw_start);
        }
        sink.token(SyntaxKind::Keyword, kw_start, kw_end);

        if kind == InstructionKind::Unknown {
            let message = match suggest_keyword(keyword) {
                _ if keyword.is_empty() => "a line continuation with nothing after it".to_owned(),
                Some(s) => format!("unknown instruction `{keyword}` (did you mean `{s}`?)"),
                None => format!("unknown instruction `{keyword}`"),
            };
            self.error(sink, kw_start, kw_end, message);
        }

        let args_start = self.flags(sink, kw_end, content_end);
        let args_start = skip_ws(b, args_start, content_end);
        let has_args = args_start < content_end;

        use InstructionKind as K;
        match kind {
            K::From => self.from(sink, args_start, content_end, (kw_start, kw_end)),
            K::Run | K::Cmd | K::Entrypoint | K::Shell => {
                if !has_args && matches!(kind, K::Run | K::Shell) {
                    self.missing_args(sink, kind, kw_start, kw_end);
                }
                self.maybe_json(sink, kind, args_start, content_end);
            }
            K::Copy | K::Add => {
                // Heredoc markers count as sources: `COPY <<EOF /dest`.
                let count = match self.json(sink, args_start, content_end) {
                    Some(n) => n,
                    None => self.words(sink, kind, args_start, content_end),
                };
                if count < 2 {
                    self.error(
                        sink,
                        kw_start,
                        kw_end,
                        format!(
                            "{} needs at least a source and a destination",
                            kind.name().unwrap_or_default()
                        ),
                    );
                }
            }
            K::Volume => {
                if !has_args {
                    self.missing_args(sink, kind, kw_start, kw_end);
                }
                if self.json(sink, args_start, content_end).is_none() {
                    self.words(sink, kind, args_start, content_end);
                }
            }
            K::Expose => {
                if !has_args {
                    self.missing_args(sink, kind, kw_start, kw_end);
                }
                self.words(sink, kind, args_start, content_end);
            }
            K::Env | K::Label => {
                self.name_values(sink, kind, args_start, content_end, (kw_start, kw_end))
            }
            K::Arg => {
                if !has_args {
                    self.missing_args(sink, kind, kw_start, kw_end);
                }
                for (s, e) in Words::new(b, args_start, content_end, self.escape) {
                    self.key_value_word(sink, s, e, false);
                }
            }
            K::Healthcheck => self.healthcheck(sink, args_start, content_end, (kw_start, kw_end)),
            K::Maintainer | K::User | K::Workdir | K::Stopsignal => {
                if has_args {
                    sink.start(SyntaxKind::Word, args_start);
                    sink.token(SyntaxKind::Text, args_start, content_end);
                    sink.finish();
                } else {
                    self.missing_args(sink, kind, kw_start, kw_end);
                }
            }
            K::Onbuild => {
                if !has_args {
                    self.missing_args(sink, kind, kw_start, kw_end);
                } else if depth < MAX_ONBUILD_DEPTH {
                    self.instruction(sink, args_start, depth + 1);
                    sink.finish();
                } else {
                    self.words(sink, kind, args_start, content_end);
                }
            }
            K::Unknown => {
                self.words(sink, kind, args_start, content_end);
            }
        }
        sink.gap(content_end);
        sink.token(
            SyntaxKind::Whitespace,
            content_end,
            if depth == 0 { len } else { content_end },
        );
    }

    fn missing_args(&mut self, sink: &Sink<'_>, kind: InstructionKind, s: usize, e: usize) {
        let name = kind.name().unwrap_or_default();
        self.error(sink, s, e, format!("{name} needs at least one argument"));
    }

    /// Leading `--flag[=value]` words, as BuildKit's `extractBuilderFlags` finds them.
    /// Returns where the arguments start.
    fn flags(&mut self, sink: &mut Sink<'_>, from: usize, end: usize) -> usize {
        let b = self.bytes;
        let mut i = from;
        loop {
            let start = skip_ws(b, i, end);
            if start + 1 >= end || b[start] != b'-' || b[start + 1] != b'-' {
                return start;
            }
            // Flags always use backslash as their escape character.
            let (word_start, word_end) = Words::new(b, start, end, b'\\')
                .next()
                .unwrap_or((start, end));
            if &self.line[word_start..word_end] == "--" {
                sink.token(SyntaxKind::FlagTerminator, word_start, word_end);
                return word_end;
            }
            sink.start(SyntaxKind::Flag, word_start);
            let eq = memchr::memchr(b'=', &b[word_start..word_end]).map(|i| word_start + i);
            match eq {
                Some(eq) => {
                    sink.token(SyntaxKind::FlagName, word_start, eq);
                    sink.token(SyntaxKind::Equals, eq, eq + 1);
                    sink.token(SyntaxKind::FlagValue, eq + 1, word_end);
                }
                None => sink.token(SyntaxKind::FlagName, word_start, word_end),
            }
            sink.finish();
            i = word_end;
        }
    }

    /// The exec (JSON) form, when the arguments are a valid JSON array of strings: emits it
    /// and returns how many strings it has. Returns `None` (emitting nothing) when they are
    /// not JSON, so the caller falls back to words, as BuildKit does.
    fn json(&mut self, sink: &mut Sink<'_>, start: usize, end: usize) -> Option<usize> {
        if start >= end || self.bytes[start] != b'[' {
            return None;
        }
        let text = &self.line[start..end];
        // BuildKit decodes the arguments with `json.Unmarshal` (since v0.15, moby/buildkit#5107;
        // before, `json.NewDecoder` ignored what followed the array): text after the array
        // makes them invalid JSON, so the instruction falls back to the shell form (or plain
        // words), with no error for a non-string element. `CMD ["a"] || exit 1` runs
        // `/bin/sh -c '["a"] || exit 1'`, almost always a mistake, so we report it.
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Vec<JsonElement>>();
        let values = match stream.next() {
            Some(Ok(values)) => values,
            None | Some(Err(_)) => return None,
        };
        let rest = skip_ws(self.bytes, start + stream.byte_offset(), end);
        if rest < end {
            self.error(
                sink,
                rest,
                end,
                format!(
                    "`{}` after the JSON array makes Docker read the whole line as text, not \
                     as a JSON array; remove it or put it inside the array",
                    &self.line[rest..end]
                ),
            );
            return None;
        }
        if values.iter().all(|v| matches!(v, JsonElement::String)) {
            self.emit_json_array(sink, start, end);
            Some(values.len())
        } else {
            self.error(
                sink,
                start,
                end,
                "the JSON form takes an array of strings only".to_owned(),
            );
            None
        }
    }

    /// Tokens of a JSON array of strings already known to be valid.
    fn emit_json_array(&mut self, sink: &mut Sink<'_>, start: usize, end: usize) {
        let b = self.bytes;
        sink.start(SyntaxKind::JsonArray, start);
        let mut i = start;
        while i < end {
            match b[i] {
                b'[' => {
                    sink.token(SyntaxKind::LBracket, i, i + 1);
                    i += 1;
                }
                b']' => {
                    sink.token(SyntaxKind::RBracket, i, i + 1);
                    break;
                }
                b',' => {
                    sink.token(SyntaxKind::Comma, i, i + 1);
                    i += 1;
                }
                b'"' => {
                    let s = i;
                    i += 1;
                    while i < end && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(end);
                    sink.token(SyntaxKind::JsonString, s, i);
                }
                _ => i += 1, // whitespace, covered by the next token's gap
            }
        }
        sink.finish();
    }

    /// RUN, CMD, ENTRYPOINT and SHELL: exec form if valid JSON, else a shell command.
    fn maybe_json(&mut self, sink: &mut Sink<'_>, kind: InstructionKind, start: usize, end: usize) {
        if start >= end || self.json(sink, start, end).is_some() {
            return;
        }
        sink.start(SyntaxKind::ShellCommand, start);
        self.words(sink, kind, start, end);
        sink.finish();
    }

    /// Arguments as `Word` nodes; heredoc markers are recognised for RUN, COPY and ADD.
    /// Shell commands split into shell words (quotes group); the other instructions split on
    /// whitespace only, as BuildKit does (`COPY "a b" /x` has the sources `"a` and `b"`).
    /// Returns how many words there were.
    fn words(
        &mut self,
        sink: &mut Sink<'_>,
        kind: InstructionKind,
        start: usize,
        end: usize,
    ) -> usize {
        let shell_words = matches!(
            kind,
            InstructionKind::Run
                | InstructionKind::Cmd
                | InstructionKind::Entrypoint
                | InstructionKind::Shell
                | InstructionKind::Healthcheck
        );
        // Two monomorphic calls rather than a boxed iterator: no allocation or dynamic call
        // per instruction on this hot path.
        if shell_words {
            self.emit_words(sink, kind, Words::new(self.bytes, start, end, self.escape))
        } else {
            self.emit_words(sink, kind, plain_words(self.bytes, start, end))
        }
    }

    /// Emits `Word` nodes for `ranges` (see [`ArgContext::words`]).
    fn emit_words(
        &mut self,
        sink: &mut Sink<'_>,
        kind: InstructionKind,
        ranges: impl Iterator<Item = (usize, usize)>,
    ) -> usize {
        let mut count = 0;
        let heredocs_allowed = kind.allows_heredocs();
        for (s, e) in ranges {
            count += 1;
            sink.start(SyntaxKind::Word, s);
            // A marker must also be one of BuildKit's shell words of the line: quotes group
            // (`COPY "a <<b" /x` has no heredoc) and a lexer failure disables them all. (A
            // quoted name with a space, `COPY <<"A B" /x`, spans two COPY words here and is
            // not recognised: a known gap.)
            let marker = (heredocs_allowed && self.heredoc_words.binary_search(&(s, e)).is_ok())
                .then(|| heredoc_marker(&self.line[s..e]))
                .flatten();
            match marker {
                Some((name, strip_tabs)) => {
                    sink.token(SyntaxKind::HeredocMarker, s, e);
                    self.heredocs.push(PendingHeredoc {
                        name,
                        strip_tabs,
                        marker: sink.src_range(s, e),
                    });
                }
                None => sink.token(SyntaxKind::Text, s, e),
            }
            sink.finish();
        }
        count
    }

    fn from(&mut self, sink: &mut Sink<'_>, start: usize, end: usize, kw: (usize, usize)) {
        let words: Vec<(usize, usize)> = plain_words(self.bytes, start, end).collect();
        let Some(&(img_s, img_e)) = words.first() else {
            self.error(
                sink,
                kw.0,
                kw.1,
                "FROM needs an image: FROM <image> [AS <name>]".to_owned(),
            );
            return;
        };
        self.image_ref(sink, img_s, img_e);
        let line = self.line;
        let is_as = |w: (usize, usize)| line[w.0..w.1].eq_ignore_ascii_case("as");
        let extra = if words.len() >= 3 && is_as(words[1]) {
            sink.start(SyntaxKind::StageAlias, words[1].0);
            sink.token(SyntaxKind::AsKeyword, words[1].0, words[1].1);
            sink.token(SyntaxKind::StageName, words[2].0, words[2].1);
            sink.finish();
            &words[3..]
        } else {
            &words[1..]
        };
        for &(s, e) in extra {
            sink.start(SyntaxKind::Word, s);
            sink.token(SyntaxKind::Text, s, e);
            sink.finish();
        }
        if let Some(&(s, _)) = extra.first() {
            let message = if words.len() == 2 && is_as(words[1]) {
                "`AS` must be followed by a stage name"
            } else {
                "FROM takes an image and optionally `AS <name>`; remove the extra words"
            };
            self.error(sink, s, end, message.to_owned());
        }
    }

    /// The image reference word of FROM, split into registry, name, tag and digest tokens.
    fn image_ref(&mut self, sink: &mut Sink<'_>, img_s: usize, img_e: usize) {
        sink.start(SyntaxKind::ImageRef, img_s);
        let parts = split_image_ref(&self.line[img_s..img_e]);
        let pieces = [
            (SyntaxKind::ImageRegistry, parts.registry),
            (SyntaxKind::ImageName, Some(parts.name)),
            (SyntaxKind::ImageTag, parts.tag),
            (SyntaxKind::ImageDigest, parts.digest),
        ];
        let mut at = img_s;
        for (kind, range) in pieces {
            let Some(range) = range else { continue };
            let (s, e) = (img_s + range.start, img_s + range.end);
            if s > at {
                sink.token(SyntaxKind::ImageSeparator, at, s);
            }
            sink.token(kind, s, e);
            at = at.max(e);
        }
        if at < img_e {
            sink.token(SyntaxKind::ImageSeparator, at, img_e);
        }
        sink.finish();
    }

    /// ENV and LABEL: `k=v ...` pairs, or the legacy `KEY value with spaces`.
    fn name_values(
        &mut self,
        sink: &mut Sink<'_>,
        kind: InstructionKind,
        start: usize,
        end: usize,
        kw: (usize, usize),
    ) {
        let name = kind.name().unwrap_or_default();
        let mut words = Words::new(self.bytes, start, end, self.escape).peekable();
        let Some(&(first_s, first_e)) = words.peek() else {
            self.error(
                sink,
                kw.0,
                kw.1,
                format!("{name} needs at least one KEY=value pair"),
            );
            return;
        };
        if memchr::memchr(b'=', &self.bytes[first_s..first_e]).is_some() {
            for (s, e) in words {
                self.key_value_word(sink, s, e, true);
            }
            return;
        }
        // Legacy form: the key is the first whitespace-delimited word, the value the rest.
        let key_end = {
            let mut i = start;
            while i < end && !is_ws(self.bytes[i]) {
                i += 1;
            }
            i
        };
        let value_start = skip_ws(self.bytes, key_end, end);
        sink.start(SyntaxKind::KeyValue, start);
        sink.token(SyntaxKind::Key, start, key_end);
        if value_start < end {
            sink.token(SyntaxKind::Value, value_start, end);
        } else {
            self.error(
                sink,
                start,
                key_end,
                format!(
                    "{name} `{}` has no value: write {}=value",
                    &self.line[start..key_end],
                    &self.line[start..key_end]
                ),
            );
        }
        sink.finish();
    }

    /// One `KEY[=value]` word as a `KeyValue` node.
    fn key_value_word(&mut self, sink: &mut Sink<'_>, s: usize, e: usize, needs_equals: bool) {
        sink.start(SyntaxKind::KeyValue, s);
        match memchr::memchr(b'=', &self.bytes[s..e]).map(|i| s + i) {
            Some(eq) => {
                sink.token(SyntaxKind::Key, s, eq);
                sink.token(SyntaxKind::Equals, eq, eq + 1);
                sink.token(SyntaxKind::Value, eq + 1, e);
                if eq == s {
                    self.error(sink, s, e, "a name is missing before `=`".to_owned());
                }
            }
            None => {
                sink.token(SyntaxKind::Key, s, e);
                if needs_equals {
                    let word = &self.line[s..e];
                    self.error(
                        sink,
                        s,
                        e,
                        format!("`{word}` has no `=`: write {word}=value"),
                    );
                }
            }
        }
        sink.finish();
    }

    /// HEALTHCHECK [flags] CMD <command> | NONE
    fn healthcheck(&mut self, sink: &mut Sink<'_>, start: usize, end: usize, kw: (usize, usize)) {
        if start >= end {
            self.error(
                sink,
                kw.0,
                kw.1,
                "HEALTHCHECK needs `CMD <command>` or `NONE`".to_owned(),
            );
            return;
        }
        let mut type_end = start;
        while type_end < end && !is_ws(self.bytes[type_end]) {
            type_end += 1;
        }
        sink.start(SyntaxKind::Word, start);
        sink.token(SyntaxKind::Text, start, type_end);
        sink.finish();
        let rest = skip_ws(self.bytes, type_end, end);
        let typ = &self.line[start..type_end];
        if typ.eq_ignore_ascii_case("none") {
            if rest < end {
                self.error(
                    sink,
                    rest,
                    end,
                    "HEALTHCHECK NONE takes no arguments".to_owned(),
                );
                self.words(sink, InstructionKind::Healthcheck, rest, end);
            }
            return;
        }
        if !typ.eq_ignore_ascii_case("cmd") {
            self.error(
                sink,
                start,
                type_end,
                format!("unknown HEALTHCHECK type `{typ}`: use CMD or NONE"),
            );
        } else if rest >= end {
            self.error(
                sink,
                start,
                type_end,
                "HEALTHCHECK CMD needs a command".to_owned(),
            );
        }
        self.maybe_json(sink, InstructionKind::Healthcheck, rest, end);
    }
}

/// One element of a JSON array, classified without being built: the JSON form needs only
/// to know that the array is valid and holds strings only (no allocation per element).
enum JsonElement {
    String,
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonElement {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Classify;
        impl<'de> Visitor<'de> for Classify {
            type Value = JsonElement;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonElement, E> {
                Ok(JsonElement::String)
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonElement, E> {
                Ok(JsonElement::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonElement, E> {
                Ok(JsonElement::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonElement, E> {
                Ok(JsonElement::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonElement, E> {
                Ok(JsonElement::Other)
            }
            fn visit_unit<E>(self) -> Result<JsonElement, E> {
                Ok(JsonElement::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonElement, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonElement::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonElement, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(JsonElement::Other)
            }
        }
        deserializer.deserialize_any(Classify)
    }
}

/// Recognises a heredoc marker word (BuildKit: `^(\d*)<<(-?)\s*([^<]*)$` with a non-empty
/// name that is a single shell word). Returns the name (quotes removed) and whether leading
/// tabs are stripped (`<<-`).
pub(crate) fn heredoc_marker(word: &str) -> Option<(String, bool)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches([' ', '\t', '\n', '\x0c', '\r']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // The name must be one word once quotes are removed, with balanced quotes.
    let mut quote = None;
    for c in rest.chars() {
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_whitespace() => return None,
            Some(q) if c == q => quote = None,
            _ => {}
        }
    }
    if quote.is_some() {
        return None;
    }
    let name = super::lexing::unquote_word(rest, '\\');
    (!name.is_empty()).then_some((name, strip_tabs))
}

/// The known instruction closest to a mistyped keyword, if any is close.
fn suggest_keyword(word: &str) -> Option<&'static str> {
    crate::text::similar::closest(word, InstructionKind::ALL.iter().filter_map(|k| k.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with every kind of top-level line: directives, comments, blank lines,
    /// continuations with comment lines inside, heredocs, JSON forms, errors.
    const BASE: &str = "# syntax=docker/dockerfile:1
# escape=\\
FROM alpine:3.20 AS base
RUN apk add curl
# a comment

ENV A=1 \\
    # inside
    B=2
RUN <<EOF
echo hi
EOF
COPY a b
FROM base AS extra words
CMD [\"sh\", 1]
RUN python3 - <<'PY' 3<<FD
print(1)
PY
fd
FD
WORKDIR /app
";

    /// Asserts that reparsing `old`'s parse for `new` gives `parse(new)` in every field,
    /// with and without the size threshold; returns how the parse was made.
    #[track_caller]
    fn check(old: &str, new: &str) -> Reparsed {
        let old_parse = parse(old);
        let want = parse(new);
        let (got, how) = reparse_explained(&old_parse, new, 0);
        assert_eq!(
            got.tree.debug_dump(),
            want.tree.debug_dump(),
            "tree of {new:?} from {old:?} ({how:?})"
        );
        assert!(
            got.tree.same_as(&want.tree),
            "elements (ranges, parents, subtree ends) of {new:?} from {old:?} ({how:?})"
        );
        assert_eq!(got.errors, want.errors, "errors of {new:?} ({how:?})");
        assert_eq!(got.escape, want.escape, "escape of {new:?} ({how:?})");
        assert!(reparse(&old_parse, new).same_as(&want));
        how
    }

    /// Like [`check`], and the parse must have reused the old one: returns the reparsed
    /// range of the new text.
    #[track_caller]
    fn incremental(old: &str, new: &str) -> (usize, usize) {
        match check(old, new) {
            Reparsed::Incremental { start, end } => (start, end),
            other => panic!("expected reuse for {new:?}, got {other:?}"),
        }
    }

    #[track_caller]
    fn replaced(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "{from:?} not in the text");
        text.replacen(from, to, 1)
    }

    fn line_start(text: &str, line: &str) -> usize {
        text.find(line).unwrap()
    }

    #[test]
    fn an_edit_inside_an_instruction_reparses_its_line_only() {
        let new = replaced(BASE, "add curl", "add curl git");
        let (start, end) = incremental(BASE, &new);
        assert_eq!(start, line_start(&new, "RUN apk"));
        assert_eq!(end, line_start(&new, "# a comment"));
        // Errors before and after the edit are kept, shifted.
        assert!(parse(&new).errors.len() >= 2);

        let new = replaced(BASE, "B=2", "B=22 C");
        let (start, end) = incremental(BASE, &new);
        assert_eq!(start, line_start(&new, "ENV A"));
        assert_eq!(end, line_start(&new, "RUN <<EOF"));
        // An edit that adds an error, and one that removes one.
        incremental(BASE, &replaced(BASE, "COPY a b", "COPY a"));
        incremental(BASE, &replaced(BASE, "[\"sh\", 1]", "[\"sh\"]"));
        incremental(BASE, &replaced(BASE, " extra words", ""));
    }

    #[test]
    fn a_new_line_continuation_swallows_the_next_lines() {
        let new = replaced(BASE, "add curl\n", "add curl \\\n");
        let (start, end) = incremental(BASE, &new);
        assert_eq!(start, line_start(&new, "RUN apk"));
        // The comment, the blank line and the ENV lines join the RUN; the next old
        // top-level line start is where reuse resumes.
        assert_eq!(end, line_start(&new, "RUN <<EOF"));
        // Continuations ending in comment or blank lines at the end of the file.
        incremental(BASE, &format!("{BASE}RUN a \\\n"));
        incremental(BASE, &format!("{BASE}RUN a \\\n\n\n# c\n"));
        incremental(BASE, &replaced(BASE, "WORKDIR /app\n", "WORKDIR /app \\\n"));
    }

    #[test]
    fn a_removed_line_continuation_releases_the_next_lines() {
        let new = replaced(BASE, "A=1 \\\n", "A=1\n");
        let (start, end) = incremental(BASE, &new);
        assert_eq!(start, line_start(&new, "ENV A"));
        assert_eq!(end, line_start(&new, "RUN <<EOF"));
        // `B=2` is now an instruction of its own: an unknown one.
        assert!(
            parse(&new)
                .errors
                .iter()
                .any(|e| e.message.contains("`B=2`"))
        );
        // The continuation character escaped, turned into text, or removed at the end.
        incremental(BASE, &replaced(BASE, "A=1 \\\n", "A=1 \\\\\n"));
        incremental(BASE, &replaced(BASE, "A=1 \\\n", "A=1 `\n"));
        let with_tail = format!("{BASE}RUN a \\\n\n");
        incremental(&with_tail, BASE);
        incremental(&with_tail, &format!("{BASE}RUN a \\\n\nRUN b\n"));
        incremental(&with_tail, &format!("{BASE}RUN a \n\n"));
    }

    #[test]
    fn opening_a_heredoc_swallows_the_rest_and_closing_it_releases_it() {
        // An unterminated heredoc: no sync point, parsed to the end.
        let open = replaced(BASE, "COPY a b", "RUN <<END");
        let (start, end) = incremental(BASE, &open);
        assert_eq!(start, line_start(&open, "RUN <<END"));
        assert_eq!(end, open.len());
        assert!(
            parse(&open)
                .errors
                .iter()
                .any(|e| e.message.contains("unterminated heredoc"))
        );
        // Closing it again, further down: the lines in between are its body.
        let closed = replaced(&open, "WORKDIR /app\n", "END\nWORKDIR /app\n");
        incremental(&open, &closed);
        incremental(&closed, &open);
        // Deleting a terminator makes the body run on to a later `EOF` line (none here).
        let unterminated = replaced(BASE, "echo hi\nEOF\n", "echo hi\n");
        let (_, end) = incremental(BASE, &unterminated);
        assert_eq!(end, unterminated.len());
        incremental(&unterminated, BASE);
        // A terminator edited into a body line, and out of it.
        let early = replaced(BASE, "print(1)\n", "PY\n");
        incremental(BASE, &early);
        incremental(&early, BASE);
        // A terminator that matches a later heredoc's name first.
        incremental(BASE, &replaced(BASE, "<<'PY'", "<<'FD'"));
        // `<<-` strips tabs before the terminator.
        incremental(BASE, &replaced(BASE, "echo hi\nEOF", "echo hi\n\tEOF"));
        incremental(BASE, &replaced(BASE, "RUN <<EOF", "RUN <<-EOF"));
    }

    #[test]
    fn edits_of_the_directives_parse_from_scratch() {
        // `# escape=` changes how every later line is read.
        let backtick = replaced(BASE, "# escape=\\", "# escape=`");
        assert!(matches!(check(BASE, &backtick), Reparsed::Full(_)));
        assert_eq!(parse(&backtick).escape, '`');
        assert!(matches!(check(&backtick, BASE), Reparsed::Full(_)));
        // The first line after the directives could become one.
        let directive = replaced(BASE, "FROM alpine", "# check=skip=all\nFROM alpine");
        assert!(matches!(check(BASE, &directive), Reparsed::Full(_)));
        let directive = replaced(BASE, "FROM alpine:3.20 AS base", "# escape=`");
        assert!(matches!(check(BASE, &directive), Reparsed::Full(_)));
        // A repeated directive is an error, and a no-op.
        let repeated = format!("# escape=`\n{BASE}");
        check(BASE, &repeated);
        check(&repeated, BASE);
        // After the first line that is not a directive, `# escape=` is a comment: reused.
        let comment = replaced(BASE, "# a comment", "# escape=`");
        incremental(BASE, &comment);
        assert_eq!(parse(&comment).escape, '\\');
        // With backtick as the escape character, continuations use it.
        let windows = "# escape=`\nFROM a\nRUN a `\n  b\nRUN c\n";
        incremental(windows, &windows.replace("a `\n", "a\n"));
        incremental(windows, &windows.replace("RUN c", "RUN c `"));
    }

    #[test]
    fn edits_at_the_start_and_the_end() {
        for new in [
            format!("FROM x\n{BASE}"),
            format!("\n{BASE}"),
            format!(" {BASE}"),
            format!("\u{feff}{BASE}"),
            BASE[1..].to_owned(),
        ] {
            assert!(matches!(check(BASE, &new), Reparsed::Full(_)), "{new:?}");
            check(&new, BASE);
        }
        let plain = "FROM a\nRUN b\n";
        check(plain, &format!("# c\n{plain}"));
        check(plain, &plain[1..]);
        // Appending, with and without a final line break; removing the final line break.
        for new in [
            format!("{BASE}RUN x\n"),
            format!("{BASE}RUN x"),
            format!("{BASE}\n"),
            format!("{BASE}#"),
            BASE.trim_end().to_owned(),
            format!("{}p", BASE.trim_end()),
            format!("{}\r\n", BASE.trim_end()),
        ] {
            let (_, end) = incremental(BASE, &new);
            assert_eq!(end, new.len());
            incremental(&new, BASE);
        }
        // Typing at the end of a file without a final line break.
        let mut text = BASE.trim_end().to_owned();
        for c in " && echo done \\\n  x\n".chars() {
            let mut next = text.clone();
            next.push(c);
            check(&text, &next);
            text = next;
        }
    }

    #[test]
    fn deleting_everything() {
        check(BASE, "");
        check("", BASE);
        check("", "");
        check(BASE, "\n");
        // Everything but the first line, then everything but a comment: the "no
        // instructions" error comes from the new tree.
        let first = "FROM alpine:3.20\n";
        let (start, end) = incremental(&format!("{first}{BASE}"), first);
        assert_eq!((start, end), (first.len(), first.len()));
        let comment = "# just a comment\nFROM a\nRUN b\n";
        incremental(comment, "# just a comment\n");
        incremental(comment, "# just a comment\nRUN b\n");
        // A file without instructions is parsed from scratch.
        assert!(matches!(
            check("# just a comment\n", comment),
            Reparsed::Full(_)
        ));
        assert_eq!(check(BASE, BASE), Reparsed::Unchanged);
    }

    #[test]
    fn crlf_files() {
        let crlf = BASE.replace('\n', "\r\n");
        incremental(&crlf, &replaced(&crlf, "add curl", "add curl git"));
        incremental(&crlf, &replaced(&crlf, "add curl\r\n", "add curl \\\r\n"));
        incremental(&crlf, &replaced(&crlf, "A=1 \\\r\n", "A=1\r\n"));
        incremental(&crlf, &replaced(&crlf, "echo hi\r\nEOF\r\n", "echo hi\r\n"));
        // Splitting a CRLF, and joining a lone CR to a LF.
        incremental(&crlf, &replaced(&crlf, "curl\r\n", "curl\rx\n"));
        incremental(&crlf, &replaced(&crlf, "curl\r\n", "curl\r\r\n"));
        let lone_cr = replaced(&crlf, "COPY a b\r\n", "COPY a b\r");
        incremental(&crlf, &lone_cr);
        incremental(&lone_cr, &crlf);
        // A file ending in CR.
        incremental(&crlf, &format!("{crlf}RUN x\r"));
        incremental(
            &format!("{crlf}RUN <<X\r"),
            &format!("{crlf}RUN <<X\r\nX\r\n"),
        );
    }

    #[test]
    fn non_ascii_text() {
        let text = replaced(BASE, "echo hi", "echo 안녕 😀");
        incremental(BASE, &text);
        // Edits whose common prefix or suffix ends inside a character.
        incremental(&text, &replaced(&text, "안녕", "안경"));
        incremental(&text, &replaced(&text, "😀", "😁"));
        incremental(&text, &replaced(&text, "😀", ""));
        let label = replaced(BASE, "COPY a b", "LABEL 설명=\"한국어\" é=1");
        incremental(BASE, &label);
        incremental(&label, &replaced(&label, "한국어", "한국"));
        incremental(&label, &replaced(&label, "\"한국어\"", "\"한국어"));
    }

    /// Every small edit at every position of the base document: inserting and deleting
    /// syntax that changes how lines group, and single characters.
    #[test]
    fn every_small_edit_everywhere() {
        const SNIPPETS: &[&str] = &[
            "\\\n", "\\", "\n", "\r\n", "\r", "#", "# c\n", "<<EOF\n", "EOF\n", "EOF", "x", " ",
            "\"", "[", "FROM ", "RUN ", "한", "😀", "`",
        ];
        let texts = [BASE.to_owned(), BASE.replace('\n', "\r\n")];
        let mut reused = 0;
        let mut total = 0;
        for text in &texts {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for (n, &at) in boundaries.iter().enumerate() {
                let mut variants = Vec::new();
                for snippet in SNIPPETS {
                    variants.push(format!("{}{snippet}{}", &text[..at], &text[at..]));
                }
                for len in 1..=3 {
                    if let Some(&end) = boundaries.get(n + len) {
                        variants.push(format!("{}{}", &text[..at], &text[end..]));
                        variants.push(format!("{}\\\n{}", &text[..at], &text[end..]));
                    }
                }
                variants.push(text[..at].to_owned());
                for new in &variants {
                    total += 1;
                    if matches!(check(text, new), Reparsed::Incremental { .. }) {
                        reused += 1;
                    }
                    check(new, text);
                }
            }
        }
        assert!(reused * 10 > total * 7, "{reused} of {total} reused");
    }

    #[test]
    fn the_changed_range_is_tight() {
        assert_eq!(changed_range(b"abc", b"abc"), (3, 3, 3));
        assert_eq!(changed_range(b"abc", b"axc"), (1, 2, 2));
        assert_eq!(changed_range(b"abc", b"abbc"), (2, 2, 3));
        assert_eq!(changed_range(b"aXa", b"aXaXa"), (3, 3, 5));
        assert_eq!(changed_range(b"", b"x"), (0, 0, 1));
        assert_eq!(changed_range(b"x", b""), (0, 1, 0));
        // Around the chunk sizes: the prefix and suffix are common and cannot grow.
        let long: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 63, 64, 65, 1023, 1024, 1025, 2047, 2999, 3000] {
            let mut inserted = long.clone();
            inserted.insert(at, 7);
            let mut removed = long.clone();
            removed.remove(at.min(2999));
            let mut replaced = long.clone();
            replaced[at.min(2999)] ^= 0x55;
            for edited in [inserted, removed, replaced] {
                let (a, b_old, b_new) = changed_range(&long, &edited);
                assert_eq!(long[..a], edited[..a]);
                assert_eq!(long[b_old..], edited[b_new..]);
                assert!(a <= b_old && a <= b_new);
                assert!(a == b_old.min(b_new) || long[a] != edited[a]);
                let suffix = long.len() - b_old;
                assert!(
                    a == b_old.min(b_new)
                        || long[long.len() - suffix - 1] != edited[edited.len() - suffix - 1]
                );
                assert!(
                    b_old - a <= 2 && b_new - a <= 2,
                    "{at}: {a} {b_old} {b_new}"
                );
            }
        }
    }
}
