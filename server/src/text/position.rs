//! Line/column positions in the encodings LSP clients negotiate.

use super::LineIndex;

/// How a position's column counts: UTF-8 bytes or UTF-16 code units (LSP's default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

/// A 0-based line and a 0-based column in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Width of `c` in the encoding's units.
fn width(c: char, encoding: PositionEncoding) -> u32 {
    match encoding {
        PositionEncoding::Utf8 => c.len_utf8() as u32,
        PositionEncoding::Utf16 => c.len_utf16() as u32,
    }
}

/// Characters of a line's text that end it (not counted as columns).
fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// Byte offset within `line_text` of column `col`, counted in `encoding`. Columns past the end
/// of the line clamp to its end (before the line break), as LSP asks; a column in the middle of
/// a character (half a surrogate pair, inside a UTF-8 sequence) rounds down to its start.
pub fn col_to_byte(line_text: &str, col: u32, encoding: PositionEncoding) -> usize {
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if is_line_break(c) {
            return i;
        }
        let w = width(c, encoding);
        if units + w > col {
            return i;
        }
        units += w;
    }
    line_text.len()
}

/// Column (in `encoding`) of byte `byte` within `line_text`.
pub fn byte_to_col(line_text: &str, byte: usize, encoding: PositionEncoding) -> u32 {
    let byte = byte.min(line_text.len());
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if i >= byte {
            break;
        }
        units += width(c, encoding);
    }
    units
}

impl LineIndex {
    /// Byte offset of a position in `text` (which this index was built from). Lines past the
    /// end clamp to the end of the text.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> u32 {
        let line = pos.line as usize;
        if line >= self.line_count() {
            return text.len() as u32;
        }
        let start = self.line_start(line) as usize;
        let end = self.line_start(line + 1) as usize;
        let line_text = text.get(start..end).unwrap_or("");
        (start + col_to_byte(line_text, pos.col, encoding)) as u32
    }

    /// Position of a byte offset in `text` (offsets past the end clamp to the end).
    pub fn line_col(&self, text: &str, offset: u32, encoding: PositionEncoding) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let line_text = text.get(start..).unwrap_or("");
        LineCol {
            line: line as u32,
            col: byte_to_col(line_text, offset as usize - start, encoding),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# 한국어 주석 😀\r\nRUN echo \"é😀\"\nX";

    #[test]
    fn round_trips_in_both_encodings() {
        let index = LineIndex::new(TEXT);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            for (offset, _) in TEXT.char_indices() {
                // Between `\r` and `\n` is inside one line break, not a position.
                if TEXT[..offset].ends_with('\r') && TEXT[offset..].starts_with('\n') {
                    continue;
                }
                let pos = index.line_col(TEXT, offset as u32, encoding);
                assert_eq!(
                    index.offset(TEXT, pos, encoding),
                    offset as u32,
                    "{encoding:?} {offset}"
                );
            }
        }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let index = LineIndex::new(TEXT);
        // "# 한국어 주석 😀": the emoji starts at UTF-16 column 9 and takes two units.
        let emoji = TEXT.find('😀').unwrap() as u32;
        assert_eq!(
            index.line_col(TEXT, emoji, PositionEncoding::Utf16),
            LineCol { line: 0, col: 9 }
        );
        assert_eq!(
            index.line_col(TEXT, emoji, PositionEncoding::Utf8),
            LineCol { line: 0, col: 19 }
        );
        // Half a surrogate pair rounds down to the emoji's start.
        assert_eq!(
            index.offset(TEXT, LineCol { line: 0, col: 10 }, PositionEncoding::Utf16),
            emoji
        );
        // Past the end of a line clamps before its line break.
        let eol = TEXT.find('\r').unwrap() as u32;
        assert_eq!(
            index.offset(TEXT, LineCol { line: 0, col: 999 }, PositionEncoding::Utf16),
            eol
        );
        // Past the last line clamps to the end of the text.
        assert_eq!(
            index.offset(TEXT, LineCol { line: 99, col: 0 }, PositionEncoding::Utf8),
            TEXT.len() as u32
        );
    }
}
