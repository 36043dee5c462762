//! Semantic tokens: one legend, full and range.
