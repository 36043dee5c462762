use std::fmt;
use std::ops::Range;

/// A half-open byte range `[start, end)` into a document's text.
///
/// `u32` offsets keep tree elements small; documents larger than 4 GiB are rejected
/// before parsing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub const fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        TextRange { start, end }
    }

    pub const fn empty(at: u32) -> Self {
        TextRange { start: at, end: at }
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// True when `offset` lies inside the range or at its end (a cursor just after a word
    /// still "touches" it).
    pub const fn touches(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub const fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The range `delta` bytes later (earlier when negative), for text that moved. Clamped
    /// to the `u32` offsets ranges use.
    pub fn moved(self, delta: i64) -> TextRange {
        let at =
            |offset: u32| u32::try_from((i64::from(offset) + delta).max(0)).unwrap_or(u32::MAX);
        TextRange::new(at(self.start), at(self.end))
    }

    pub fn as_usize(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<TextRange> for Range<usize> {
    fn from(r: TextRange) -> Self {
        r.as_usize()
    }
}
