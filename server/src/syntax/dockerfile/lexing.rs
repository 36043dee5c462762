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
    fn unquoting() {
        assert_eq!(unquote_flag_word(r#"--mount="a b""#), "--mount=a b");
        assert_eq!(unquote_word(r#""a\"b" 'c\d' e\ f"#, '\\'), r#"a"b c\d e f"#);
    }
}
