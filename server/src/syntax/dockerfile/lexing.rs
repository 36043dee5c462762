//! Byte-level helpers shared by the parser and the typed views: what BuildKit counts as
//! whitespace, how it splits words, and how it finds physical lines.

/// BuildKit's `reWhitespace` set (`[\t\v\f\r ]`), used between words.
#[inline]
pub(crate) const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r')
}

/// Index of the first non-whitespace byte at or after `i` (or `end`).
#[inline]
pub(crate) fn skip_ws(s: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_ws(s[i]) {
        i += 1;
    }
    i
}

/// Index just past the last non-whitespace byte before `end` (or `start`).
#[inline]
pub(crate) fn trim_end_ws(s: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && is_ws(s[end - 1]) {
        end -= 1;
    }
    end
}

/// Length in bytes of the UTF-8 character starting with byte `b`.
#[inline]
pub(crate) const fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        // A continuation byte never starts a character in valid UTF-8; step one byte.
        _ => 1,
    }
}

/// One physical line: `[start, content_end)` is its text, `[content_end, end)` its line
/// break (`\n` with any `\r`s before it; empty on the last line without one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
}

impl Line {
    pub(crate) fn at(s: &[u8], start: usize) -> Line {
        let end = match memchr::memchr(b'\n', &s[start..]) {
            Some(i) => start + i + 1,
            None => s.len(),
        };
        let mut content_end = if end > start && s[end - 1] == b'\n' {
            end - 1
        } else {
            end
        };
        // BuildKit's trimNewline drops every trailing CR and LF.
        while content_end > start && s[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        Line {
            start,
            content_end,
            end,
        }
    }

    pub(crate) fn has_newline(&self) -> bool {
        self.end > self.content_end
    }
}

/// Splits `[start, end)` into words as BuildKit's `parseWords` does: whitespace separates
/// words, single and double quotes group, and the escape character takes the next character
/// with it (except inside single quotes). Quotes and escapes stay in the word.
pub(crate) struct Words<'a> {
    s: &'a [u8],
    i: usize,
    end: usize,
    escape: u8,
}

impl<'a> Words<'a> {
    pub(crate) fn new(s: &'a [u8], start: usize, end: usize, escape: u8) -> Self {
        Words {
            s,
            i: start,
            end,
            escape,
        }
    }
}

/// Bytes that can end or change a word in [`Words`]: whitespace, quotes, both possible
/// escape characters.
static WORD_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_ws(b as u8) || matches!(b as u8, b'\'' | b'"' | b'\\' | b'`');
        b += 1;
    }
    table
};

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let (s, end, escape) = (self.s, self.end, self.escape);
        let mut i = skip_ws(s, self.i, end);
        if i >= end {
            self.i = end;
            return None;
        }
        let start = i;
        let mut quote = 0u8;
        while i < end {
            let c = s[i];
            // Fast path: most bytes are neither whitespace, a quote nor an escape character.
            if !WORD_SPECIAL[c as usize] {
                i += 1;
                continue;
            }
            if quote == 0 {
                if is_ws(c) {
                    break;
                }
                if c == b'\'' || c == b'"' {
                    quote = c;
                } else if c == escape {
                    i += 1;
                    if i < end {
                        i += utf8_len(s[i]);
                    }
                    continue;
                }
            } else if c == quote {
                quote = 0;
            } else if c == escape && quote != b'\'' {
                i += 1;
                if i < end {
                    i += utf8_len(s[i]);
                }
                continue;
            }
            i += 1;
        }
        let i = i.min(end);
        self.i = i;
        Some((start, i))
    }
}

/// Splits on whitespace only, ignoring quotes (BuildKit's `parseStringsWhitespaceDelimited`).
pub(crate) fn plain_words(
    s: &[u8],
    start: usize,
    end: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = start;
    std::iter::from_fn(move || {
        i = skip_ws(s, i, end);
        if i >= end {
            return None;
        }
        let word_start = i;
        while i < end && !is_ws(s[i]) {
            i += 1;
        }
        Some((word_start, i))
    })
}

/// Removes quotes and applies escapes the way BuildKit reads a flag word
/// (`extractBuilderFlags`): quotes are dropped and `\` takes the next character literally.
pub(crate) fn unquote_flag_word(word: &str) -> String {
    if !word.contains(['\'', '"', '\\']) {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Removes shell quoting from a word: quotes are dropped, the escape character takes the next
/// character literally outside single quotes. No variable expansion.
pub(crate) fn unquote_word(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            Some('\'') => out.push(c),
            Some(_) if c == escape => {
                // Inside double quotes only the quote and the escape itself are special.
                match chars.peek() {
                    Some(&n) if n == '"' || n == escape || n == '$' => {
                        out.push(n);
                        chars.next();
                    }
                    _ => out.push(c),
                }
            }
            None if c == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The words in which BuildKit looks for heredoc markers (`heredocsFromLine`): it splits the
/// whole logical line with its shell lexer (`shell.Lex` with escape `\`, quotes and escapes
/// kept, unset variables kept) and tests each word against the marker pattern. When that
/// lexer fails (an unterminated quote, a malformed `${...}`), BuildKit drops the error and
/// with it every heredoc of the line, so `RUN cat <<EOF # don't` has no heredoc at all.
///
/// Returns the byte ranges of the words, or `None` where BuildKit's lexer fails. A `$`
/// expansion is kept inside its word (BuildKit re-splits an expansion's text at spaces; with
/// unset variables that only matters for spaces inside `${...}`, never for a marker word).
/// Nesting of `${...}` is capped, so hostile input cannot exhaust the stack.
pub(crate) fn buildkit_shell_words(line: &str) -> Option<Vec<(usize, usize)>> {
    let mut lexer = ShellLexer {
        s: line,
        i: 0,
        depth: 0,
    };
    let mut words = Vec::new();
    let mut start = None;
    while let Some(c) = lexer.peek() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push((s, lexer.i));
            }
            lexer.bump();
            continue;
        }
        start.get_or_insert(lexer.i);
        lexer.unit().ok()?;
    }
    if let Some(s) = start {
        words.push((s, line.len()));
    }
    Some(words)
}

/// `${...}` nesting deeper than this counts as a lexer failure.
const MAX_EXPANSION_DEPTH: u32 = 64;

/// A port of BuildKit's `shell/lex.go` that only tracks positions and failures.
struct ShellLexer<'a> {
    s: &'a str,
    i: usize,
    depth: u32,
}

impl ShellLexer<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }

    /// `processStopOn`: units up to and including `stop`; fails if the text ends first.
    fn until(&mut self, stop: char) -> Result<(), ()> {
        while let Some(c) = self.peek() {
            if c == stop {
                self.bump();
                return Ok(());
            }
            self.unit()?;
        }
        Err(())
    }

    /// One character, escape sequence, quoted string or `$` expansion.
    fn unit(&mut self) -> Result<(), ()> {
        match self.peek() {
            Some('\'') => {
                self.bump();
                loop {
                    match self.bump() {
                        None => return Err(()),
                        Some('\'') => return Ok(()),
                        Some(_) => {}
                    }
                }
            }
            Some('"') => {
                self.bump();
                loop {
                    match self.peek() {
                        None => return Err(()),
                        Some('"') => {
                            self.bump();
                            return Ok(());
                        }
                        Some('$') => self.dollar()?,
                        Some('\\') => {
                            self.bump();
                            if matches!(self.peek(), Some('"' | '$' | '\\')) {
                                self.bump();
                            }
                        }
                        Some(_) => {
                            self.bump();
                        }
                    }
                }
            }
            Some('$') => self.dollar(),
            Some('\\') => {
                self.bump();
                self.bump();
                Ok(())
            }
            Some(_) => {
                self.bump();
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// `processDollar`: `$name`, `${name}`, `${name<op>word}`, `${name/pattern/replacement}`.
    fn dollar(&mut self) -> Result<(), ()> {
        if self.depth >= MAX_EXPANSION_DEPTH {
            return Err(());
        }
        self.depth += 1;
        let result = self.dollar_inner();
        self.depth -= 1;
        result
    }

    fn dollar_inner(&mut self) -> Result<(), ()> {
        self.bump();
        if self.peek() != Some('{') {
            self.name();
            return Ok(());
        }
        self.bump();
        if matches!(self.peek(), None | Some('{' | '}' | ':')) {
            return Err(()); // "missing '}'" or "bad substitution"
        }
        self.name();
        match self.bump() {
            Some('}') => Ok(()),
            Some(':') => match self.bump() {
                Some('#' | '%') => Err(()), // "unsupported modifier"
                _ => self.until('}'),
            },
            Some('+' | '-' | '?' | '#' | '%') => self.until('}'),
            Some('/') => {
                if self.peek() == Some('/') {
                    self.bump();
                }
                self.until('/')?;
                self.until('}')
            }
            _ => Err(()), // "unsupported modifier"
        }
    }

    /// `processName`: digits, or one special parameter, or letters, digits and `_`.
    fn name(&mut self) {
        let is_digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
        match self.peek() {
            Some(c) if is_digit(c) => {
                while self.peek().is_some_and(is_digit) {
                    self.bump();
                }
                return;
            }
            Some('@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') => {
                self.bump();
                return;
            }
            _ => {}
        }
        while self
            .peek()
            .is_some_and(|c| c.is_alphabetic() || is_digit(c) || c == '_')
        {
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str, esc: u8) -> Vec<&str> {
        Words::new(s.as_bytes(), 0, s.len(), esc)
            .map(|(a, b)| &s[a..b])
            .collect()
    }

    #[test]
    fn words_group_quotes_and_escapes() {
        assert_eq!(
            words(r#"abc="123 456" def"#, b'\\'),
            [r#"abc="123 456""#, "def"]
        );
        assert_eq!(words(r"a\ b c", b'\\'), [r"a\ b", "c"]);
        assert_eq!(words("a'b c'd  e", b'\\'), ["a'b c'd", "e"]);
        assert_eq!(words(r#""unterminated x"#, b'\\'), [r#""unterminated x"#]);
        assert_eq!(words("  ", b'\\'), Vec::<&str>::new());
        assert_eq!(words("a`  b", b'`'), ["a` ", "b"]);
        assert_eq!(words("é\\é x", b'\\'), ["é\\é", "x"]);
    }

    #[test]
    fn lines_strip_crlf() {
        let s = b"ab\r\ncd";
        let l = Line::at(s, 0);
        assert_eq!((l.start, l.content_end, l.end), (0, 2, 4));
        let l = Line::at(s, 4);
        assert_eq!((l.start, l.content_end, l.end), (4, 6, 6));
        assert!(!l.has_newline());
    }

    #[test]
    fn buildkit_shell_words_and_failures() {
        fn words(s: &str) -> Option<Vec<&str>> {
            buildkit_shell_words(s).map(|w| w.iter().map(|&(a, b)| &s[a..b]).collect())
        }
        assert_eq!(
            words(r#"COPY "a <<b" <<EOF 'c d' e\ f"#),
            Some(vec!["COPY", r#""a <<b""#, "<<EOF", "'c d'", r"e\ f"])
        );
        assert_eq!(
            words(r"RUN a${B:-x}c ${D/e/f} $1 $@ \"),
            Some(vec!["RUN", "a${B:-x}c", "${D/e/f}", "$1", "$@", r"\"])
        );
        // Each of these makes BuildKit's lexer fail, and the line lose its heredocs.
        for bad in [
            "RUN <<EOF # don't",
            r#"RUN <<EOF "x"#,
            "RUN <<EOF ${",
            "RUN <<EOF ${}",
            "RUN <<EOF ${:a}",
            "RUN <<EOF ${a=b}",
            "RUN <<EOF ${a:#b}",
            "RUN <<EOF ${a:-b",
            "RUN <<EOF ${a/b}",
            r#"RUN <<EOF "${a""#,
        ] {
            assert_eq!(words(bad), None, "{bad}");
        }
        let deep = format!("{}x{}", "${a:-".repeat(1000), "}".repeat(1000));
        assert_eq!(words(&deep), None);
        let ok = format!("{}x{}", "${a:-".repeat(10), "}".repeat(10));
        assert_eq!(words(&ok).map(|w| w.len()), Some(1));
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote_flag_word(r#"--mount="a b""#), "--mount=a b");
        assert_eq!(unquote_word(r#""a\"b" 'c\d' e\ f"#, '\\'), r#"a"b c\d e f"#);
    }
}
