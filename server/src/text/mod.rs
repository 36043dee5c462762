//! Text positions and file kinds.

mod file_kind;
mod line_index;
pub mod similar;

pub use file_kind::FileKind;
pub use line_index::LineIndex;
