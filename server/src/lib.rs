//! dockwise: a language server and linter for Dockerfiles and Docker Compose files.
//!
//! # Module map
//! - [`syntax`]: text to lossless trees. Knows nothing of rules, files on disk or LSP.
//! - [`diagnostics`]: what analysis reports (severity, code, range, fixes).
//! - [`rules`]: the rule registry, one file per rule.
//! - [`config`]: which rules run at what severity (`dockwise.toml`, editor settings).
//! - [`facts`]: what analysis needs from other files (`.dockerignore`), read once and cached
//!   until the file changes.
//! - [`fix`]: applying fixes until a file is stable (`check --fix`, the editor's fix-all).
//! - [`semantic`]: what a file means: Dockerfile stages, stage references, ARG/ENV scopes and
//!   variable expansion.
//! - [`analysis`]: the pure entry points: document text in, diagnostics out.
//! - [`text`]: line/column conversion and file kinds.
//! - [`ide`]: editor features as plain functions over an analysis and a byte offset.
//! - [`lsp`]: the language server; the only module that knows LSP/JSON-RPC.
//! - [`cli`]: the `dockwise` command line.
//!
//! # Invariants
//! - Parsing never fails: `parse(text) -> Parse { tree, errors }`, and the tree's text equals
//!   the input byte for byte. A half-typed line is one error node; the next line parses
//!   normally.
//! - `syntax` knows nothing of rules, files on disk or LSP. Analysis is a pure function of the
//!   document text and the [`facts::DockerfileFacts`] handed in (and, later, configuration):
//!   broken input gives diagnostics, never `Err`. Only [`facts::FactsCache`] reads other
//!   files, each once until it changes; nothing reads the disk per keystroke.
//! - Every hostile-input path has a cap: files over [`cli::MAX_FILE_SIZE`] are refused with a
//!   message; ONBUILD nesting is parsed one level deep; nothing recurses on input depth.
//! - `dockwise check` and the language server run the same analysis and the same rules.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod facts;
pub mod fix;
pub mod ide;
pub mod lsp;
pub mod rules;
pub mod schema;
pub mod semantic;
pub mod syntax;
pub mod text;
