//! An open document: its text in a rope, edited incrementally, and its version.

use ropey::Rope;

use super::position::{LineCol, PositionEncoding, col_to_byte};

/// The text of an open document and its version. The rope keeps edits cheap; `text()` gives
/// the whole text for analysis.
#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
}

/// One change from the client: replace `range` (or everything, when `None`) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change<'a> {
    pub range: Option<(LineCol, LineCol)>,
    pub text: &'a str,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn set_version(&mut self, version: i32) {
        self.version = version;
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies one change. Positions are clamped into the document (a client's stale or
    /// out-of-range position never panics), and an inverted range is treated as empty at its
    /// start.
    pub fn apply(&mut self, change: &Change<'_>, encoding: PositionEncoding) {
        let Some((start, end)) = change.range else {
            self.rope = Rope::from_str(change.text);
            return;
        };
        let start = self.char_index(start, encoding);
        let end = self.char_index(end, encoding).max(start);
        self.rope.remove(start..end);
        self.rope.insert(start, change.text);
    }

    /// The char index of a position (ropey edits by char index).
    fn char_index(&self, pos: LineCol, encoding: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let line_start = self.rope.line_to_char(line);
        let line_slice = self.rope.line(line);
        // Lines are short; walking one is cheap and keeps the clamping rules in one place.
        let line_text: std::borrow::Cow<'_, str> = line_slice.into();
        let byte = col_to_byte(&line_text, pos.col, encoding);
        line_start + line_text[..byte].chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> Change<'_> {
        Change {
            range: Some((LineCol { line: l0, col: c0 }, LineCol { line: l1, col: c1 })),
            text,
        }
    }

    #[test]
    fn incremental_edits_in_both_encodings() {
        let mut doc = Document::new("# 😀 주석\nRUN echo hi\n", 1);
        // Replace "hi" (line 1, cols 9..11) with "한글".
        doc.apply(&change(1, 9, 1, 11, "한글"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "# 😀 주석\nRUN echo 한글\n");
        // In UTF-8, the emoji spans bytes 2..6 on line 0.
        doc.apply(&change(0, 2, 0, 6, "x"), PositionEncoding::Utf8);
        assert_eq!(doc.text(), "# x 주석\nRUN echo 한글\n");
        // Insert at the very end, then replace everything.
        doc.apply(&change(2, 0, 2, 0, "USER app\n"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "# x 주석\nRUN echo 한글\nUSER app\n");
        doc.apply(
            &Change {
                range: None,
                text: "FROM a\n",
            },
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "FROM a\n");
    }

    #[test]
    fn out_of_range_and_inverted_positions_clamp() {
        let mut doc = Document::new("ab\r\ncd", 1);
        doc.apply(&change(0, 99, 0, 99, "!"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "ab!\r\ncd");
        doc.apply(&change(9, 0, 9, 5, "?"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "ab!\r\ncd?");
        doc.apply(&change(1, 2, 1, 0, "-"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "ab!\r\ncd-?");
    }
}
