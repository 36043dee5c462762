//! dockwise: a language server and linter for Dockerfiles and Docker Compose files.

pub mod syntax;
pub mod text;
