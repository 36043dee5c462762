//! Dockerfile syntax: a lossless, error-tolerant parser and typed views over its tree.
//!
//! ```
//! use dockwise::syntax::dockerfile::parse;
//! let parse = parse("FROM alpine:3.20 AS base\nRUN echo hi\n");
//! assert_eq!(parse.tree.text(), "FROM alpine:3.20 AS base\nRUN echo hi\n");
//! assert!(parse.errors.is_empty());
//! ```
//!
//! [`reparse`] gives the parse of an edited text from the parse of the earlier version,
//! parsing again only the lines around the edit (the same result as [`parse`]).

mod image_ref;
mod kind;
pub(crate) mod lexing;
mod parser;
mod tree;

pub use image_ref::{ImageRefParts, split_image_ref};
pub use kind::{InstructionKind, SyntaxKind};
pub use parser::{MAX_TEXT_LEN, Parse, Reparsed, SyntaxError, parse, reparse, reparse_explained};
pub use tree::{Children, SyntaxElement, SyntaxNode, SyntaxToken, SyntaxTree};

pub mod ast;
mod dump;
pub use dump::{buildkit_args, buildkit_dump, go_quote};
