//! Semantic models built from syntax trees: plain functions and owned data, no IO.
//!
//! - [`dockerfile`]: build stages, the references between them (`FROM <stage>`,
//!   `COPY --from=`, `RUN --mount=...,from=`), and the variables visible at any offset.
//! - [`scope`]: `ARG` and `ENV` scoping as BuildKit applies it.
//! - [`expand`]: variable expansion as BuildKit's shell lexer performs it, reporting unknown
//!   and undefined variables instead of guessing.
//!
//! ```
//! use dockwise::semantic::{analyze, ReferenceTarget};
//! use dockwise::syntax::dockerfile::parse;
//!
//! let src = "ARG VERSION=20\nFROM node:${VERSION} AS build\nRUN npm ci\n\
//!            FROM gcr.io/distroless/nodejs20\nCOPY --from=build /app /app\n";
//! let model = analyze(&parse(src));
//! assert_eq!(model.stages[0].base.as_ref().unwrap().expanded.text, "node:20");
//! assert_eq!(model.references[0].target, ReferenceTarget::Stage(0));
//! // Global ARGs are visible in FROM lines, not inside stages.
//! assert!(model.variable_at("VERSION", src.find("npm").unwrap() as u32).is_none());
//! ```
//!
//! Every function here accepts any parse, including broken files, without panicking.

pub mod dockerfile;
pub mod expand;
pub mod scope;
pub mod shell;

pub use dockerfile::{
    BaseKind, DockerfileModel, InstructionInfo, KeywordCase, ReferenceKind, ReferenceTarget, Stage,
    StageBase, StageName, StageOrder, StagePlatform, StageReference, analyze, analyze_after_edit,
};
pub use expand::{ExpandError, ExpandOptions, Expanded, Lookup, UndefinedVar};
pub use scope::{Scope, Variable, VariableKind};
pub use shell::{RunForm, RunScript, ShellCache, ShellIndex, ShellInfo};
