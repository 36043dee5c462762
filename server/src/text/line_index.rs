//! Line index: byte offsets to lines and columns.
//!
//! Lines break at `\n`, `\r\n` and a lone `\r`, as LSP counts them.

/// Byte offsets of line starts, for converting offsets to (line, column).
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0u32);
        // Built for every version the server sees: memchr finds the breaks (`\n`, `\r\n`,
        // or a lone `\r`) many bytes at a time.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
        }
    }

    /// 0-based line of a byte offset (offsets past the end clamp to the last line).
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = offset.min(self.len);
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where a 0-based line starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based (line, column) where the column counts Unicode scalar values (what a person
    /// counts, and what rustc-style output shows).
    pub fn line_col_chars(&self, text: &str, offset: u32) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let offset = (offset as usize).min(text.len());
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\r\nc한d\re\nf";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_of(0), 0);
        assert_eq!(idx.line_of(3), 0);
        assert_eq!(idx.line_of(4), 1);
        assert_eq!(idx.line_col_chars(text, 8), (1, 2)); // 'd' after the 3-byte '한'
        assert_eq!(idx.line_of(10), 2);
        assert_eq!(idx.line_of(100), 3);
    }
}
