//! Variable expansion in Dockerfile words, as BuildKit's shell lexer performs it for `FROM`,
//! `ARG` defaults, `ENV`, `COPY`, `WORKDIR` and the other instructions it expands.
//!
//! What BuildKit does, and so what this does:
//! - `$NAME` and `${NAME}`. A name is letters, digits and `_`; a name starting with a digit
//!   takes all the digits (`$12`); `$@ $* $# $? $- $$ $! $0` are single-character names. They
//!   are looked up like any other name, so `$$` is *not* the process id: it is the (normally
//!   unset) variable `$` and expands to nothing. A `$` followed by anything else stays `$`.
//! - `${V:-w}` `${V-w}` (default), `${V:+w}` `${V+w}` (alternative), `${V:?w}` `${V?w}`
//!   (error when unset, or also when empty with `:`), `${V#p}` `${V##p}` `${V%p}` `${V%%p}`
//!   (remove the shortest or longest matching prefix or suffix; `*` and `?` are wildcards),
//!   `${V/p/r}` `${V//p/r}` (replace the first or every match). The word `w` is itself expanded
//!   and may nest further `${...}`, quotes and escapes; it is processed even when its value is
//!   not used, so variables inside it count as used.
//! - Quotes: single quotes keep everything literal; double quotes allow expansion, and inside
//!   them the escape character only escapes `"`, `$` and itself (other escapes stay as written).
//! - The escape character (`\` or the file's `# escape=` choice) outside quotes takes the next
//!   character literally and is dropped.
//! - Unterminated quotes, `${`, `${}` and unsupported modifiers (`${V:=x}`) are errors: BuildKit
//!   fails the build. Here they are reported and expansion goes on as best it can.
//!
//! A value that depends on a variable whose value is unknown (an `ARG` without default, a
//! platform argument, a variable the base image may set) is never guessed: the expression is
//! kept as written in [`Expanded::text`] and the variable is listed in [`Expanded::unknown`].
//! Keeping `${VERSION}` verbatim also keeps [`split_image_ref`] working on a partly known image
//! reference.
//!
//! Hostile input is bounded: `${...}` nesting deeper than [`MAX_EXPANSION_DEPTH`] is an error
//! (the rest of that expression is skipped without recursion), and pattern operations give up
//! (the result becomes unknown) beyond a fixed amount of work.
//!
//! [`split_image_ref`]: crate::syntax::dockerfile::split_image_ref

use std::borrow::Cow;
use std::collections::HashSet;

use crate::syntax::TextRange;

/// How deep `${a:-${b:-...}}` may nest before expansion stops with an error. Real files nest
/// two or three levels; the cap keeps recursion (a few stack frames per level) bounded.
pub const MAX_EXPANSION_DEPTH: usize = 32;

/// Pattern operations (`#`, `%`, `/`) cost up to value length² × pattern length steps; past
/// this many the result is reported as unknown instead of computed.
const PATTERN_WORK_LIMIT: usize = 4_000_000;

/// What a variable name refers to at the point of expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Set, with this value.
    Set(Cow<'a, str>),
    /// Declared, but its value is not known before the build (an `ARG` without a default, a
    /// platform argument, a value that itself depended on an unknown).
    Unknown,
    /// Not declared anywhere visible: BuildKit expands it to nothing.
    Unset,
    /// Not declared in the Dockerfile, but the stage's base image may set it, so its value is
    /// unknown (it is still reported in [`Expanded::undefined`]).
    Undeclared,
}

/// Options for [`expand`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpandOptions {
    /// The escape character: `\` unless the file says `# escape=` followed by a backtick.
    pub escape: char,
    /// Whether quotes are processed (true for instruction arguments). BuildKit turns this off
    /// for heredoc bodies, where quotes are literal text.
    pub process_quotes: bool,
}

impl ExpandOptions {
    /// Expansion of an instruction argument with the given escape character.
    pub const fn new(escape: char) -> Self {
        ExpandOptions {
            escape,
            process_quotes: true,
        }
    }
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions::new('\\')
    }
}

/// The result of expanding a word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// The expanded text. Parts that depend on an unknown value are kept as written
    /// (`${VERSION}`), so the text is exact only when [`Expanded::is_exact`] says so.
    pub text: String,
    /// Every name looked up, each once, in order of first use (defined or not, used in the
    /// result or only in an unused default: BuildKit counts them all as used).
    pub used: Vec<String>,
    /// Names whose value was needed but unknown, each once, in order of first use.
    pub unknown: Vec<String>,
    /// Uses of names that are not declared, in order.
    pub undefined: Vec<UndefinedVar>,
    /// Syntax errors BuildKit would fail the build on.
    pub errors: Vec<ExpandError>,
}

impl Expanded {
    /// True when `text` is exactly what BuildKit would produce: nothing unknown, no error.
    pub fn is_exact(&self) -> bool {
        self.unknown.is_empty() && self.errors.is_empty()
    }

    /// The text, if exact.
    pub fn exact_text(&self) -> Option<&str> {
        self.is_exact().then_some(self.text.as_str())
    }
}

/// A use of a variable that is not declared where it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndefinedVar {
    pub name: String,
    /// The `$NAME` or `${...}` expression, relative to the expanded text's start.
    pub range: TextRange,
    /// Used with `-`, `+` or `?` (with or without `:`), which handle an unset variable on
    /// purpose: `${VERSION:-1.0}`.
    pub guarded: bool,
    /// The stage's base image may set it (see [`Lookup::Undeclared`]).
    pub may_be_set_by_image: bool,
}

/// An expansion error, with the range (relative to the expanded text) it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    pub message: String,
    pub range: TextRange,
}

/// Expands `text` as BuildKit's shell lexer does, looking names up with `lookup`.
///
/// ```
/// use std::borrow::Cow;
/// use dockwise::semantic::expand::{expand, ExpandOptions, Lookup};
/// let lookup = |name: &str| match name {
///     "VERSION" => Lookup::Set(Cow::Borrowed("20")),
///     "TAG" => Lookup::Unknown,
///     _ => Lookup::Unset,
/// };
/// let e = expand("node:${VERSION}-'$x' ${MISSING:-slim}", ExpandOptions::default(), &lookup);
/// assert_eq!(e.text, "node:20-$x slim");
/// assert!(e.is_exact());
/// let e = expand("app:$TAG", ExpandOptions::default(), &lookup);
/// assert_eq!((e.text.as_str(), e.unknown.as_slice()), ("app:$TAG", &["TAG".to_owned()][..]));
/// ```
pub fn expand<'a>(
    text: &str,
    options: ExpandOptions,
    lookup: &dyn Fn(&str) -> Lookup<'a>,
) -> Expanded {
    // Most words (image names, paths, plain values) have nothing to expand: copy them.
    let special = text.contains(['$', options.escape])
        || (options.process_quotes && text.contains(['\'', '"']));
    if !special {
        return Expanded {
            text: text.to_owned(),
            used: Vec::new(),
            unknown: Vec::new(),
            undefined: Vec::new(),
            errors: Vec::new(),
        };
    }
    let mut lexer = Lexer {
        src: text,
        pos: 0,
        escape: options.escape,
        quotes: options.process_quotes,
        lookup,
        used: Vec::new(),
        unknown: Vec::new(),
        seen_used: HashSet::new(),
        seen_unknown: HashSet::new(),
        undefined: Vec::new(),
        errors: Vec::new(),
    };
    let (word, _) = lexer.word(None, false, 0);
    Expanded {
        text: word.text,
        used: lexer.used,
        unknown: lexer.unknown,
        undefined: lexer.undefined,
        errors: lexer.errors,
    }
}

/// A piece of expanded text and whether it is exactly known.
#[derive(Debug)]
struct Word {
    text: String,
    known: bool,
}

impl Word {
    fn new() -> Self {
        Word {
            text: String::new(),
            known: true,
        }
    }
    fn known(text: impl Into<String>) -> Self {
        Word {
            text: text.into(),
            known: true,
        }
    }
    fn append(&mut self, other: Word) {
        self.text.push_str(&other.text);
        self.known &= other.known;
    }
}

/// A looked-up value, after recording what the lookup means for the result.
enum Resolved {
    Set(String),
    Unset,
    Unknown,
}

struct Lexer<'s, 'l, 'a> {
    src: &'s str,
    pos: usize,
    escape: char,
    quotes: bool,
    lookup: &'l dyn Fn(&str) -> Lookup<'a>,
    used: Vec<String>,
    unknown: Vec<String>,
    // Sets beside long lists keep de-duplication linear on inputs with many names.
    seen_used: HashSet<String>,
    seen_unknown: HashSet<String>,
    undefined: Vec<UndefinedVar>,
    errors: Vec<ExpandError>,
}

fn range(start: usize, end: usize) -> TextRange {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    TextRange::new(clamp(start), clamp(end.max(start)))
}

/// Lists shorter than this are searched; longer ones get a set beside them.
const SHORT_LIST: usize = 16;

/// Adds `name` to `list` unless it is there. Short lists (nearly every word) are scanned,
/// which allocates nothing; from [`SHORT_LIST`] names on, `seen` mirrors the list.
fn push_once(list: &mut Vec<String>, seen: &mut HashSet<String>, name: &str) {
    if list.len() < SHORT_LIST {
        if !list.iter().any(|n| n == name) {
            list.push(name.to_owned());
            if list.len() == SHORT_LIST {
                seen.extend(list.iter().cloned());
            }
        }
    } else if seen.insert(name.to_owned()) {
        list.push(name.to_owned());
    }
}

/// POSIX special parameters, which BuildKit reads as one-character names.
fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

impl Lexer<'_, '_, '_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn slice(&self, start: usize) -> &str {
        self.src.get(start..self.pos).unwrap_or("")
    }

    /// The source text from `start` to here, standing for a value that is not known.
    fn as_written(&self, start: usize) -> Word {
        Word {
            text: self.slice(start).to_owned(),
            known: false,
        }
    }

    fn error(&mut self, start: usize, message: impl Into<String>) {
        self.errors.push(ExpandError {
            message: message.into(),
            range: range(start, self.pos),
        });
    }

    fn note_unknown(&mut self, name: &str) {
        push_once(&mut self.unknown, &mut self.seen_unknown, name);
    }

    fn resolve(&mut self, name: &str, start: usize, guarded: bool) -> Resolved {
        push_once(&mut self.used, &mut self.seen_used, name);
        let found = (self.lookup)(name);
        let expression = range(start, self.pos);
        let undefined = |may_be_set_by_image| UndefinedVar {
            name: name.to_owned(),
            range: expression,
            guarded,
            may_be_set_by_image,
        };
        match found {
            Lookup::Set(value) => Resolved::Set(value.into_owned()),
            Lookup::Unset => {
                let var = undefined(false);
                self.undefined.push(var);
                Resolved::Unset
            }
            Lookup::Undeclared => {
                let var = undefined(true);
                self.undefined.push(var);
                self.note_unknown(name);
                Resolved::Unknown
            }
            Lookup::Unknown => {
                self.note_unknown(name);
                Resolved::Unknown
            }
        }
    }

    /// Processes text up to `stop` (consumed) or the end. Returns the word and whether `stop`
    /// was found. `raw_escapes` keeps escape characters in the output (pattern words).
    fn word(&mut self, stop: Option<char>, raw_escapes: bool, depth: usize) -> (Word, bool) {
        let mut word = Word::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.bump();
                return (word, true);
            }
            match c {
                '$' => {
                    let part = self.dollar(depth);
                    word.append(part);
                }
                '\'' if self.quotes => {
                    let literal = self.single_quoted();
                    word.text.push_str(&literal);
                }
                '"' if self.quotes => {
                    let part = self.double_quoted(raw_escapes, depth);
                    word.append(part);
                }
                _ if c != self.escape => {
                    // Copy the run of ordinary characters up to the next special one at once.
                    let rest = self.src.get(self.pos..).unwrap_or("");
                    let run = rest
                        .find(|ch: char| {
                            ch == '$'
                                || ch == self.escape
                                || Some(ch) == stop
                                || (self.quotes && (ch == '\'' || ch == '"'))
                        })
                        .unwrap_or(rest.len());
                    word.text.push_str(&rest[..run]);
                    self.pos += run;
                }
                _ => {
                    // The escape character.
                    self.bump();
                    if raw_escapes {
                        word.text.push(c);
                    }
                    // The escaped character is literal, even if it is `stop`; an escape at the
                    // very end is dropped.
                    match self.bump() {
                        Some(next) => word.text.push(next),
                        None => break,
                    }
                }
            }
        }
        (word, false)
    }

    fn single_quoted(&mut self) -> String {
        let start = self.pos;
        self.bump();
        let rest = self.src.get(self.pos..).unwrap_or("");
        match rest.find('\'') {
            Some(end) => {
                let text = rest[..end].to_owned();
                self.pos += end + 1;
                text
            }
            None => {
                self.pos = self.src.len();
                self.error(start, "unterminated single quote");
                rest.to_owned()
            }
        }
    }

    fn double_quoted(&mut self, raw_escapes: bool, depth: usize) -> Word {
        let start = self.pos;
        self.bump();
        let mut word = Word::new();
        loop {
            match self.peek() {
                None => {
                    self.error(start, "unterminated double quote");
                    return word;
                }
                Some('"') => {
                    self.bump();
                    return word;
                }
                Some('$') => {
                    let part = self.dollar(depth);
                    word.append(part);
                }
                Some(_) => {
                    let Some(mut c) = self.bump() else {
                        return word;
                    };
                    if c == self.escape {
                        if raw_escapes {
                            word.text.push(c);
                        }
                        match self.peek() {
                            // An escape right before the end: dropped (the quote is then
                            // unterminated).
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == self.escape => {
                                self.bump();
                                c = next;
                            }
                            // Any other escape stays as written.
                            Some(_) => {}
                        }
                    }
                    word.text.push(c);
                }
            }
        }
    }

    /// A variable name after `$` or `${`; empty when there is none.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && is_digit(c) {
                while let Some(d) = self.peek().filter(|&d| is_digit(d)) {
                    name.push(d);
                    self.bump();
                }
                return name;
            }
            if name.is_empty() && is_special_param(c) {
                self.bump();
                name.push(c);
                return name;
            }
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            name.push(c);
            self.bump();
        }
        name
    }

    /// `$...` at the current position.
    fn dollar(&mut self, depth: usize) -> Word {
        let start = self.pos;
        self.bump();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Word::known("$");
            }
            return match self.resolve(&name, start, false) {
                Resolved::Set(value) => Word::known(value),
                Resolved::Unset => Word::known(""),
                Resolved::Unknown => self.as_written(start),
            };
        }
        self.bump();
        match self.peek() {
            None => {
                self.error(start, "missing '}'");
                return self.as_written(start);
            }
            Some('{' | '}' | ':') => {
                self.skip_expression();
                self.error(start, "bad substitution");
                return self.as_written(start);
            }
            Some(_) => {}
        }
        if depth >= MAX_EXPANSION_DEPTH {
            self.skip_expression();
            self.error(
                start,
                format!("variable expressions nest more than {MAX_EXPANSION_DEPTH} deep"),
            );
            return self.as_written(start);
        }
        let name = self.name();
        let Some(op) = self.bump() else {
            self.error(start, "missing '}'");
            return self.as_written(start);
        };
        match op {
            '}' => match self.resolve(&name, start, false) {
                Resolved::Set(value) => Word::known(value),
                Resolved::Unset => Word::known(""),
                Resolved::Unknown => self.as_written(start),
            },
            ':' | '-' | '+' | '?' | '#' | '%' => {
                let (null_is_unset, modifier) = if op == ':' {
                    (true, self.bump())
                } else {
                    (false, Some(op))
                };
                let raw_escapes = matches!(modifier, Some('#' | '%'));
                let (word, closed) = self.word(Some('}'), raw_escapes, depth + 1);
                if !closed {
                    self.error(start, "missing '}'");
                    return self.as_written(start);
                }
                self.apply_modifier(&name, start, null_is_unset, modifier, word)
            }
            '/' => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.bump();
                }
                let (pattern, closed) = self.word(Some('/'), true, depth + 1);
                if !closed {
                    self.error(start, "missing '/' in ${}");
                    return self.as_written(start);
                }
                let (replacement, closed) = self.word(Some('}'), true, depth + 1);
                if !closed {
                    self.error(start, "missing '}'");
                    return self.as_written(start);
                }
                let value = match self.resolve(&name, start, false) {
                    Resolved::Set(value) => value,
                    Resolved::Unset => String::new(),
                    Resolved::Unknown => return self.as_written(start),
                };
                if !pattern.known || !replacement.known {
                    return self.as_written(start);
                }
                let tokens = match compile_pattern(&pattern.text) {
                    Ok(tokens) => tokens,
                    Err(message) => {
                        self.error(start, message);
                        return self.as_written(start);
                    }
                };
                match replace(&value, &tokens, &replacement.text, replace_all) {
                    Some(result) => Word::known(result),
                    None => {
                        self.note_unknown(&name);
                        self.as_written(start)
                    }
                }
            }
            other => {
                self.skip_expression();
                self.error(
                    start,
                    format!("unsupported modifier ({other}) in substitution"),
                );
                self.as_written(start)
            }
        }
    }

    /// `${name<modifier>word}` once `word` has been read.
    fn apply_modifier(
        &mut self,
        name: &str,
        start: usize,
        null_is_unset: bool,
        modifier: Option<char>,
        word: Word,
    ) -> Word {
        let guarded = matches!(modifier, Some('-' | '+' | '?'));
        let value = self.resolve(name, start, guarded);
        let is_null = |v: &str| null_is_unset && v.is_empty();
        match modifier {
            Some('-') => match value {
                Resolved::Set(v) if !is_null(&v) => Word::known(v),
                Resolved::Set(_) | Resolved::Unset => word,
                Resolved::Unknown => self.as_written(start),
            },
            Some('+') => match value {
                Resolved::Set(v) if !is_null(&v) => word,
                Resolved::Set(_) | Resolved::Unset => Word::known(""),
                Resolved::Unknown => self.as_written(start),
            },
            Some('?') => {
                let problem = match &value {
                    Resolved::Set(v) if is_null(v) => Some("is not allowed to be empty"),
                    Resolved::Unset => Some("is not allowed to be unset"),
                    _ => None,
                };
                if let Some(default_message) = problem {
                    let message = if word.text.is_empty() {
                        default_message
                    } else {
                        word.text.as_str()
                    };
                    self.error(start, format!("{name}: {message}"));
                }
                match value {
                    Resolved::Set(v) => Word::known(v),
                    Resolved::Unset => Word::known(""),
                    Resolved::Unknown => self.as_written(start),
                }
            }
            Some(m @ ('#' | '%')) => {
                let value = match value {
                    Resolved::Set(v) => v,
                    Resolved::Unset => String::new(),
                    Resolved::Unknown => return self.as_written(start),
                };
                if !word.known {
                    return self.as_written(start);
                }
                // `##` and `%%` match the longest pattern, `#` and `%` the shortest.
                let (greedy, pattern) = match word.text.strip_prefix(m) {
                    Some(rest) => (true, rest),
                    None => (false, word.text.as_str()),
                };
                let tokens = match compile_pattern(pattern) {
                    Ok(tokens) => tokens,
                    Err(message) => {
                        self.error(start, message);
                        return self.as_written(start);
                    }
                };
                let trimmed = if m == '#' {
                    trim_prefix(&value, &tokens, greedy)
                } else {
                    trim_suffix(&value, &tokens, greedy)
                };
                match trimmed {
                    Some(result) => Word::known(result),
                    None => {
                        self.note_unknown(name);
                        self.as_written(start)
                    }
                }
            }
            other => {
                let shown: String = [Some(':').filter(|_| null_is_unset), other]
                    .into_iter()
                    .flatten()
                    .collect();
                self.error(
                    start,
                    format!("unsupported modifier ({shown}) in substitution"),
                );
                self.as_written(start)
            }
        }
    }

    /// Skips the rest of a `${...}` expression after an error, without recursion: nested
    /// expressions and double quotes are tracked on a heap stack.
    fn skip_expression(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Frame {
            Brace,
            DoubleQuote,
        }
        let mut stack = vec![Frame::Brace];
        while let Some(&top) = stack.last() {
            let Some(c) = self.bump() else {
                return;
            };
            if c == self.escape {
                self.bump();
                continue;
            }
            match (top, c) {
                (Frame::Brace, '}') | (Frame::DoubleQuote, '"') => {
                    stack.pop();
                }
                (_, '$') if self.peek() == Some('{') => {
                    self.bump();
                    stack.push(Frame::Brace);
                }
                (Frame::Brace, '"') if self.quotes => stack.push(Frame::DoubleQuote),
                (Frame::Brace, '\'') if self.quotes => {
                    let rest = self.src.get(self.pos..).unwrap_or("");
                    self.pos = rest.find('\'').map_or(self.src.len(), |i| self.pos + i + 1);
                }
                _ => {}
            }
        }
    }
}

/// One element of a `#`, `%` or `/` pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatternToken {
    /// `*`: any run of characters.
    Star,
    /// `?`: any one character.
    Any,
    Literal(char),
}

/// Reads a pattern as BuildKit does: `*` and `?` are wildcards; a backslash escapes `*`, `?`
/// and itself, and is dropped before `}` and `/`; any other escape is an error. (BuildKit uses
/// a backslash here whatever the file's escape character.)
fn compile_pattern(pattern: &str) -> Result<Vec<PatternToken>, String> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => PatternToken::Star,
            '?' => PatternToken::Any,
            '\\' => match chars.peek() {
                Some('}' | '/') => continue,
                Some(&e) if matches!(e, '*' | '?' | '\\') => {
                    chars.next();
                    PatternToken::Literal(e)
                }
                Some(&other) => return Err(format!("invalid escape '\\{other}' in pattern")),
                None => return Err("invalid escape at the end of a pattern".to_owned()),
            },
            other => PatternToken::Literal(other),
        });
    }
    Ok(tokens)
}

/// For each `k` in `0..=s.len()`, whether `tokens` match `s[..k]` exactly. O(len × tokens).
fn matching_prefixes(tokens: &[PatternToken], s: &[char]) -> Vec<bool> {
    let m = tokens.len();
    // `active[i]`: the first `i` tokens can match what has been read so far.
    let close = |active: &mut [bool]| {
        for i in 0..m {
            if active[i] && tokens[i] == PatternToken::Star {
                active[i + 1] = true;
            }
        }
    };
    let mut active = vec![false; m + 1];
    active[0] = true;
    close(&mut active);
    let mut ends = Vec::with_capacity(s.len() + 1);
    ends.push(active[m]);
    for &c in s {
        let mut next = vec![false; m + 1];
        for (i, token) in tokens.iter().enumerate() {
            if !active[i] {
                continue;
            }
            match *token {
                PatternToken::Star => next[i] = true,
                PatternToken::Any => next[i + 1] = true,
                PatternToken::Literal(l) if l == c => next[i + 1] = true,
                PatternToken::Literal(_) => {}
            }
        }
        close(&mut next);
        let alive = next.iter().any(|&a| a);
        active = next;
        ends.push(active[m]);
        if !alive {
            ends.resize(s.len() + 1, false);
            break;
        }
    }
    ends
}

fn within_budget(len: usize, tokens: usize, factor: usize) -> bool {
    len.saturating_add(1)
        .saturating_mul(tokens.saturating_add(1))
        .saturating_mul(factor.max(1))
        <= PATTERN_WORK_LIMIT
}

/// `${V#p}` / `${V##p}`. `None` when the work would be too large.
fn trim_prefix(value: &str, tokens: &[PatternToken], greedy: bool) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    if !within_budget(chars.len(), tokens.len(), 1) {
        return None;
    }
    let ends = matching_prefixes(tokens, &chars);
    let cut = if greedy {
        ends.iter().rposition(|&e| e)
    } else {
        ends.iter().position(|&e| e)
    };
    Some(match cut {
        Some(k) => chars[k..].iter().collect(),
        None => value.to_owned(),
    })
}

/// `${V%p}` / `${V%%p}`: matching the reversed pattern against the reversed value.
fn trim_suffix(value: &str, tokens: &[PatternToken], greedy: bool) -> Option<String> {
    let reversed: Vec<char> = value.chars().rev().collect();
    if !within_budget(reversed.len(), tokens.len(), 1) {
        return None;
    }
    let reversed_tokens: Vec<PatternToken> = tokens.iter().rev().copied().collect();
    let ends = matching_prefixes(&reversed_tokens, &reversed);
    let cut = if greedy {
        ends.iter().rposition(|&e| e)
    } else {
        ends.iter().position(|&e| e)
    };
    Some(match cut {
        Some(k) => reversed[k..].iter().rev().collect(),
        None => value.to_owned(),
    })
}

/// `${V/p/r}` / `${V//p/r}`: leftmost matches, longest at each start (BuildKit uses a
/// greedy regular expression). Empty matches right after a match are skipped, as Go's
/// `ReplaceAllString` does. `None` when the work would be too large.
fn replace(value: &str, tokens: &[PatternToken], replacement: &str, all: bool) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    if !within_budget(chars.len(), tokens.len(), chars.len().saturating_add(1)) {
        return None;
    }
    let longest_at = |start: usize| -> Option<usize> {
        let ends = matching_prefixes(tokens, &chars[start..]);
        ends.iter().rposition(|&e| e).map(|len| start + len)
    };
    let mut out = String::with_capacity(value.len());
    let mut pos = 0;
    let mut last_match_end: Option<usize> = None;
    while pos <= chars.len() {
        let found = (pos..=chars.len()).find_map(|start| {
            let end = longest_at(start)?;
            let abuts_previous = end == start && last_match_end == Some(start);
            (!abuts_previous).then_some((start, end))
        });
        let Some((start, end)) = found else {
            break;
        };
        out.extend(&chars[pos..start]);
        out.push_str(replacement);
        last_match_end = Some(end);
        if !all {
            pos = end;
            break;
        }
        if end == start {
            if let Some(&c) = chars.get(start) {
                out.push(c);
            }
            pos = start + 1;
        } else {
            pos = end;
        }
    }
    if pos < chars.len() {
        out.extend(&chars[pos..]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Lookup<'static> {
        match name {
            "A" => Lookup::Set(Cow::Borrowed("alpha")),
            "EMPTY" => Lookup::Set(Cow::Borrowed("")),
            "PATHY" => Lookup::Set(Cow::Borrowed("/usr/local/lib/file.tar.gz")),
            "SPACE" => Lookup::Set(Cow::Borrowed("a b")),
            "U" => Lookup::Unknown,
            "IMG" => Lookup::Undeclared,
            "ÄB" => Lookup::Set(Cow::Borrowed("umlaut")),
            _ => Lookup::Unset,
        }
    }

    fn ex(text: &str) -> Expanded {
        expand(text, ExpandOptions::default(), &vars)
    }

    fn text(s: &str) -> String {
        let e = ex(s);
        assert!(
            e.errors.is_empty(),
            "{s:?}: unexpected errors {:?}",
            e.errors
        );
        e.text
    }

    fn error_messages(s: &str) -> Vec<String> {
        ex(s).errors.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn plain_variables() {
        assert_eq!(text("$A"), "alpha");
        assert_eq!(text("${A}"), "alpha");
        assert_eq!(text("x${A}y"), "xalphay");
        assert_eq!(text("$A-$A"), "alpha-alpha");
        assert_eq!(text("$Ax"), "", "the name runs on: `Ax` is unset");
        assert_eq!(text("$ÄB"), "umlaut", "names may use non-ASCII letters");
        assert_eq!(text("no vars"), "no vars");
        assert_eq!(text(""), "");
    }

    #[test]
    fn lone_and_special_dollars() {
        assert_eq!(text("$"), "$");
        assert_eq!(text("a$"), "a$");
        assert_eq!(text("$/x"), "$/x");
        assert_eq!(text("$ x"), "$ x");
        // `$$` is the variable named `$`, normally unset: it expands to nothing in BuildKit.
        let e = ex("a$$b");
        assert_eq!(e.text, "ab");
        assert_eq!(e.undefined[0].name, "$");
        // Positional parameters take all their digits.
        let e = ex("$12x");
        assert_eq!(e.text, "x");
        assert_eq!(e.undefined[0].name, "12");
        assert_eq!(text("$@$*$#$?$-$!$0"), "");
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(text("${A:-d}"), "alpha");
        assert_eq!(text("${EMPTY:-d}"), "d");
        assert_eq!(text("${EMPTY-d}"), "");
        assert_eq!(text("${NOPE:-d}"), "d");
        assert_eq!(text("${NOPE-d}"), "d");
        assert_eq!(text("${A:+alt}"), "alt");
        assert_eq!(text("${EMPTY:+alt}"), "");
        assert_eq!(text("${EMPTY+alt}"), "alt");
        assert_eq!(text("${NOPE:+alt}"), "");
        assert_eq!(text("${NOPE+alt}"), "");
        assert_eq!(text("${A:?msg}"), "alpha");
        assert_eq!(text("${A:-}"), "alpha");
        assert_eq!(text("${NOPE:-}"), "");
    }

    #[test]
    fn defaults_nest_and_are_always_processed() {
        assert_eq!(text("${NOPE:-${A}}"), "alpha");
        assert_eq!(text("${NOPE:-${NOPE2:-${A:+deep}}}"), "deep");
        assert_eq!(text("${NOPE:-pre-$A-post}"), "pre-alpha-post");
        assert_eq!(text("${NOPE:-'${A}'}"), "${A}");
        assert_eq!(text("${NOPE:-\"${A}\"}"), "alpha");
        assert_eq!(text("${NOPE:-\"}\"}"), "}", "a quoted brace does not close");
        assert_eq!(
            text("${NOPE:-a\\}b}"),
            "a}b",
            "an escaped brace does not close"
        );
        // The unused default is still expanded, so its variables count as used (and
        // undefined ones are reported), as in BuildKit.
        let e = ex("${A:-$MISSING}");
        assert_eq!(e.text, "alpha");
        assert_eq!(e.used, ["MISSING", "A"]);
        assert_eq!(e.undefined.len(), 1);
        assert_eq!(e.undefined[0].name, "MISSING");
        assert!(!e.undefined[0].guarded);
    }

    #[test]
    fn question_mark_errors() {
        assert_eq!(
            error_messages("${NOPE:?}"),
            ["NOPE: is not allowed to be unset"]
        );
        assert_eq!(error_messages("${NOPE?custom text}"), ["NOPE: custom text"]);
        assert_eq!(
            error_messages("${EMPTY:?}"),
            ["EMPTY: is not allowed to be empty"]
        );
        assert!(error_messages("${EMPTY?}").is_empty());
        let e = ex("${NOPE:?}");
        assert_eq!(e.text, "");
        assert!(e.undefined[0].guarded);
        assert!(!e.is_exact());
    }

    #[test]
    fn unknown_values_are_kept_as_written() {
        let e = ex("node:${U}-slim");
        assert_eq!(e.text, "node:${U}-slim");
        assert_eq!(e.unknown, ["U"]);
        assert!(!e.is_exact());
        assert_eq!(e.exact_text(), None);
        assert_eq!(ex("$U/x").text, "$U/x");
        assert_eq!(ex("${U:-d}").text, "${U:-d}");
        assert_eq!(ex("${U:+a}").text, "${U:+a}");
        assert_eq!(ex("${U#*/}").text, "${U#*/}");
        let e = ex("$U $U ${U}");
        assert_eq!(e.unknown, ["U"], "each name once");
        assert_eq!(e.used, ["U"]);
        // A default that is unknown makes the result unknown only when used.
        assert_eq!(ex("${A:-$U}").text, "alpha");
        assert!(ex("${A:-$U}").unknown.contains(&"U".to_owned()));
        let e = ex("${NOPE:-$U}");
        assert_eq!(e.text, "$U");
        assert!(!e.is_exact());
    }

    #[test]
    fn undeclared_names_are_unknown_and_undefined() {
        let e = ex("$IMG:${IMG:-x}");
        assert_eq!(e.text, "$IMG:${IMG:-x}");
        assert_eq!(e.unknown, ["IMG"]);
        assert_eq!(e.undefined.len(), 2);
        assert!(e.undefined.iter().all(|u| u.may_be_set_by_image));
        assert_eq!(e.undefined[0].range, TextRange::new(0, 4));
        assert_eq!(e.undefined[1].range, TextRange::new(5, 14));
        assert!(e.undefined[1].guarded);
    }

    #[test]
    fn undefined_ranges_point_at_the_expression() {
        let e = ex("a $NOPE ${NOPE2:-x} \"$N3\"");
        let got: Vec<(&str, TextRange, bool)> = e
            .undefined
            .iter()
            .map(|u| (u.name.as_str(), u.range, u.guarded))
            .collect();
        assert_eq!(
            got,
            [
                ("NOPE", TextRange::new(2, 7), false),
                ("NOPE2", TextRange::new(8, 19), true),
                ("N3", TextRange::new(21, 24), false),
            ]
        );
    }

    #[test]
    fn quotes() {
        assert_eq!(text("'$A'"), "$A");
        assert_eq!(text("\"$A\""), "alpha");
        assert_eq!(text("\"a b\"c' d'"), "a bc d");
        assert_eq!(text(r#""a\"b""#), "a\"b");
        assert_eq!(text(r#""\$A""#), "$A");
        assert_eq!(text(r#""a\\b""#), r"a\b");
        assert_eq!(
            text(r#""a\nb""#),
            r"a\nb",
            "other escapes stay in double quotes"
        );
        assert_eq!(text(r"'a\nb'"), r"a\nb");
        assert_eq!(text("\"'$A'\""), "'alpha'");
        assert_eq!(text("'\"$A\"'"), "\"$A\"");
        assert_eq!(text("\"$SPACE\""), "a b");
    }

    #[test]
    fn quotes_can_be_left_alone() {
        let options = ExpandOptions {
            escape: '\\',
            process_quotes: false,
        };
        assert_eq!(
            expand("'$A' \"$A\"", options, &vars).text,
            "'alpha' \"alpha\""
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(text(r"\$A"), "$A");
        assert_eq!(text(r"a\ b"), "a b");
        assert_eq!(text(r"\\$A"), r"\alpha");
        assert_eq!(text(r"a\"), "a", "a trailing escape is dropped");
        assert_eq!(text(r"\'$A\'"), "'alpha'");
        let backtick = ExpandOptions::new('`');
        assert_eq!(expand(r"`$A\", backtick, &vars).text, r"$A\");
        assert_eq!(expand("\"`\"\"", backtick, &vars).text, "\"");
        assert_eq!(expand(r#""C:\dir""#, backtick, &vars).text, r"C:\dir");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(error_messages("'abc"), ["unterminated single quote"]);
        assert_eq!(error_messages("\"abc"), ["unterminated double quote"]);
        assert_eq!(error_messages("\"abc\\"), ["unterminated double quote"]);
        assert_eq!(error_messages("${"), ["missing '}'"]);
        assert_eq!(error_messages("${A"), ["missing '}'"]);
        assert_eq!(error_messages("${A:-x"), ["missing '}'"]);
        assert_eq!(error_messages("${A:"), ["missing '}'"]);
        assert_eq!(error_messages("${}"), ["bad substitution"]);
        assert_eq!(error_messages("${:-x}"), ["bad substitution"]);
        assert_eq!(error_messages("${{A}}"), ["bad substitution"]);
        assert_eq!(
            error_messages("${A:=x}"),
            ["unsupported modifier (:=) in substitution"]
        );
        assert_eq!(
            error_messages("${A=x}"),
            ["unsupported modifier (=) in substitution"]
        );
        // After an error the rest of the text is still expanded.
        let e = ex("${A=x} and $A");
        assert_eq!(e.text, "${A=x} and alpha");
        assert_eq!(e.errors[0].range, TextRange::new(0, 6));
    }

    #[test]
    fn prefix_and_suffix_removal() {
        assert_eq!(text("${PATHY#*/}"), "usr/local/lib/file.tar.gz");
        assert_eq!(text("${PATHY##*/}"), "file.tar.gz");
        assert_eq!(text("${PATHY%.*}"), "/usr/local/lib/file.tar");
        assert_eq!(text("${PATHY%%.*}"), "/usr/local/lib/file");
        assert_eq!(text("${PATHY#nomatch}"), "/usr/local/lib/file.tar.gz");
        assert_eq!(text("${PATHY#/usr}"), "/local/lib/file.tar.gz");
        assert_eq!(text("${PATHY%.t?r.gz}"), "/usr/local/lib/file");
        assert_eq!(text("${A#\\*}"), "alpha");
        assert_eq!(text("${NOPE#x}"), "");
        assert_eq!(text("${A#}"), "alpha");
        assert_eq!(
            error_messages("${A#\\q}"),
            ["invalid escape '\\q' in pattern"]
        );
    }

    #[test]
    fn replacement() {
        assert_eq!(text("${PATHY/\\//:}"), ":usr/local/lib/file.tar.gz");
        assert_eq!(text("${PATHY//\\//:}"), ":usr:local:lib:file.tar.gz");
        assert_eq!(text("${A/l*/L}"), "aL");
        assert_eq!(text("${A/p?/P}"), "alPa");
        assert_eq!(text("${A//a/}"), "lph");
        assert_eq!(text("${A/zz/y}"), "alpha");
        assert_eq!(text("${A//x*/y}"), "alpha");
        assert_eq!(
            text("${A///x}"),
            "xaxlxpxhxax",
            "an empty pattern matches everywhere"
        );
        assert_eq!(error_messages("${A//}"), ["missing '/' in ${}"]);
        assert_eq!(text("${A/${A}/b}"), "b");
        assert_eq!(error_messages("${A/x}"), ["missing '/' in ${}"]);
    }

    #[test]
    fn pattern_work_is_capped() {
        let big = "a".repeat(5_000);
        let lookup = |name: &str| match name {
            "BIG" => Lookup::Set(Cow::Owned(big.clone())),
            _ => Lookup::Unset,
        };
        let e = expand("${BIG//a*b/x}", ExpandOptions::default(), &lookup);
        assert_eq!(e.text, "${BIG//a*b/x}");
        assert_eq!(e.unknown, ["BIG"]);
        // Trims are linear enough to compute.
        let e = expand("${BIG%%a}", ExpandOptions::default(), &lookup);
        assert_eq!(e.text.len(), 4_999);
    }

    #[test]
    fn deep_nesting_is_capped_not_overflowing() {
        let depth = 200_000;
        let mut s = "${a:-".repeat(depth);
        s.push('x');
        s.push_str(&"}".repeat(depth));
        let e = ex(&s);
        assert_eq!(e.errors.len(), 1);
        assert!(e.errors[0].message.contains("nest"));
        // Unbalanced and quote-laden nesting is skipped without recursion too.
        let s = "${a:-\"${b:-'".repeat(50_000);
        let e = ex(&s);
        assert!(!e.errors.is_empty());
        let e = ex(&"${".repeat(100_000));
        assert!(!e.errors.is_empty());
    }

    #[test]
    fn nesting_just_under_the_cap_works() {
        let depth = MAX_EXPANSION_DEPTH;
        let mut s = "${N:-".repeat(depth);
        s.push_str("$A");
        s.push_str(&"}".repeat(depth));
        let e = ex(&s);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert_eq!(e.text, "alpha");
    }

    #[test]
    fn long_inputs_expand() {
        // No timing assertion: this only has to finish (it is linear).
        let s = "$A ".repeat(200_000);
        let e = ex(&s);
        assert_eq!(e.text.len(), "alpha ".len() * 200_000);
        let s = "\"".repeat(100_001);
        let e = ex(&s);
        assert_eq!(e.errors.len(), 1);
    }

    #[test]
    fn many_distinct_names_stay_linear() {
        let s: String = (0..50_000).map(|i| format!("$U{i} ")).collect();
        let e = expand(&s, ExpandOptions::default(), &|_| Lookup::Unknown);
        assert_eq!(e.unknown.len(), 50_000);
        assert_eq!(e.used.len(), 50_000);
    }

    #[test]
    fn names_are_listed_once_across_the_short_list_limit() {
        let names: Vec<String> = (0..40).map(|i| format!("N{i}")).collect();
        let once: String = names.iter().map(|n| format!("${n} ")).collect();
        let e = expand(&once.repeat(3), ExpandOptions::default(), &|_| {
            Lookup::Unknown
        });
        assert_eq!(e.used, names);
        assert_eq!(e.unknown, names);
    }

    #[test]
    fn multibyte_text_is_safe() {
        assert_eq!(text("é${A}ü"), "éalphaü");
        assert_eq!(text("${NOPE:-日本}"), "日本");
        assert_eq!(text("${A/l/ł}"), "ałpha");
        assert!(!ex("${é").errors.is_empty());
    }
}
