//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df020_instruction_syntax;

/// Every Dockerfile rule, in code order.
pub static RULES: &[DockerfileRule] = &[DockerfileRule {
    meta: &df020_instruction_syntax::INSTRUCTION_SYNTAX,
    check: df020_instruction_syntax::check,
}];
