//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df002_duplicate_stage_name;
mod df003_copy_from_unknown_stage;
mod df010_maintainer_deprecated;
mod df020_instruction_syntax;
mod df040_single_stage_build;
mod df041_copy_all_before_deps;
mod df042_dev_deps_in_runtime;
mod df045_build_after_prod_install;
mod df051_consecutive_run;
mod df053_dockerignore_missing;
mod df055_copy_ignored_file;
mod df067_shellcheck;
mod df073_chown_recursive_layer;

mod context_sources;
mod installs;

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
        meta: &df040_single_stage_build::SINGLE_STAGE_BUILD,
        check: df040_single_stage_build::check,
    },
    DockerfileRule {
        meta: &df041_copy_all_before_deps::COPY_ALL_BEFORE_DEPS,
        check: df041_copy_all_before_deps::check,
    },
    DockerfileRule {
        meta: &df042_dev_deps_in_runtime::DEV_DEPS_IN_RUNTIME,
        check: df042_dev_deps_in_runtime::check,
    },
    DockerfileRule {
        meta: &df045_build_after_prod_install::BUILD_AFTER_PROD_INSTALL,
        check: df045_build_after_prod_install::check,
    },
    DockerfileRule {
        meta: &df051_consecutive_run::CONSECUTIVE_RUN,
        check: df051_consecutive_run::check,
    },
    DockerfileRule {
        meta: &df053_dockerignore_missing::DOCKERIGNORE_MISSING,
        check: df053_dockerignore_missing::check,
    },
    DockerfileRule {
        meta: &df055_copy_ignored_file::COPY_IGNORED_FILE,
        check: df055_copy_ignored_file::check,
    },
    DockerfileRule {
        meta: &df067_shellcheck::SHELLCHECK,
        check: df067_shellcheck::check,
    },
    DockerfileRule {
        meta: &df073_chown_recursive_layer::CHOWN_RECURSIVE_LAYER,
        check: df073_chown_recursive_layer::check,
    },
];

/// Whether a rule can run here: DF067 needs a `shellcheck` program; the others need
/// nothing outside dockwise.
pub fn rule_is_available(code: &str) -> bool {
    match code {
        "DF067" => df067_shellcheck::is_available(),
        _ => true,
    }
}
