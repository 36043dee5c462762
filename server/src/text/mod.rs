//! Text: open documents, line/column positions in UTF-8 or UTF-16, file kinds.

mod changed;
mod document;
mod file_kind;
mod line_index;
mod position;
pub mod similar;

pub use changed::changed_span;
pub use document::{Change, Document};
pub use file_kind::FileKind;
pub use line_index::LineIndex;
pub use position::{LineCol, PositionEncoding, byte_to_col, col_to_byte};
