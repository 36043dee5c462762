//! Syntax trees for the files dockwise reads.
//!
//! This module knows nothing of rules, files on disk or LSP: it turns text into trees.

pub mod compose;
pub mod dockerfile;
pub mod shell;
mod text_range;

pub use text_range::TextRange;
