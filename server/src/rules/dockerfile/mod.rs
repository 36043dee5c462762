//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df002_duplicate_stage_name;
mod df003_copy_from_unknown_stage;
mod df010_maintainer_deprecated;
mod df020_instruction_syntax;
mod df053_dockerignore_missing;
mod df055_copy_ignored_file;

mod context_sources;

/// Every Dockerfile rule, in code order.
pub static RULES: &[DockerfileRule] = &[
    DockerfileRule {
        meta: &df002_duplicate_stage_name::DUPLICATE_STAGE_NAME,
        check: df002_duplicate_stage_name::check,
    },
    DockerfileRule {
        meta: &df003_copy_from_unknown_stage::COPY_FROM_UNKNOWN_STAGE,
        check: df003_copy_from_unknown_stage::check,
    },
    DockerfileRule {
        meta: &df010_maintainer_deprecated::MAINTAINER_DEPRECATED,
        check: df010_maintainer_deprecated::check,
    },
    DockerfileRule {
        meta: &df020_instruction_syntax::INSTRUCTION_SYNTAX,
        check: df020_instruction_syntax::check,
    },
    DockerfileRule {
        meta: &df053_dockerignore_missing::DOCKERIGNORE_MISSING,
        check: df053_dockerignore_missing::check,
    },
    DockerfileRule {
        meta: &df055_copy_ignored_file::COPY_IGNORED_FILE,
        check: df055_copy_ignored_file::check,
    },
];
