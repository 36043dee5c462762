//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df002_duplicate_stage_name;
mod df003_copy_from_unknown_stage;
mod df010_maintainer_deprecated;
mod df016_undefined_variable;
mod df020_instruction_syntax;
mod df022_unused_stage;
mod df030_image_untagged;
mod df031_image_latest;
mod df032_image_not_digest_pinned;
mod df033_untrusted_registry;
mod df034_from_platform_constant;
mod df035_redundant_target_platform;
mod df036_non_minimal_final_base;
mod df053_dockerignore_missing;
mod df054_dockerignore_incomplete;
mod df055_copy_ignored_file;
mod df070_no_user_final_stage;
mod df071_last_user_root;
mod df072_user_non_numeric;
mod df074_secret_in_arg_env;
mod df080_healthcheck_missing;
mod df082_shell_form_no_shell;
mod df083_healthcheck_timing;
mod df090_labels_schema;
mod df091_inline_ignore_policy;

mod context_sources;
mod images;
mod stages;

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
        meta: &df016_undefined_variable::UNDEFINED_VARIABLE,
        check: df016_undefined_variable::check,
    },
    DockerfileRule {
        meta: &df020_instruction_syntax::INSTRUCTION_SYNTAX,
        check: df020_instruction_syntax::check,
    },
    DockerfileRule {
        meta: &df022_unused_stage::UNUSED_STAGE,
        check: df022_unused_stage::check,
    },
    DockerfileRule {
        meta: &df030_image_untagged::IMAGE_UNTAGGED,
        check: df030_image_untagged::check,
    },
    DockerfileRule {
        meta: &df031_image_latest::IMAGE_LATEST,
        check: df031_image_latest::check,
    },
    DockerfileRule {
        meta: &df032_image_not_digest_pinned::IMAGE_NOT_DIGEST_PINNED,
        check: df032_image_not_digest_pinned::check,
    },
    DockerfileRule {
        meta: &df033_untrusted_registry::UNTRUSTED_REGISTRY,
        check: df033_untrusted_registry::check,
    },
    DockerfileRule {
        meta: &df034_from_platform_constant::FROM_PLATFORM_CONSTANT,
        check: df034_from_platform_constant::check,
    },
    DockerfileRule {
        meta: &df035_redundant_target_platform::REDUNDANT_TARGET_PLATFORM,
        check: df035_redundant_target_platform::check,
    },
    DockerfileRule {
        meta: &df036_non_minimal_final_base::NON_MINIMAL_FINAL_BASE,
        check: df036_non_minimal_final_base::check,
    },
    DockerfileRule {
        meta: &df053_dockerignore_missing::DOCKERIGNORE_MISSING,
        check: df053_dockerignore_missing::check,
    },
    DockerfileRule {
        meta: &df054_dockerignore_incomplete::DOCKERIGNORE_INCOMPLETE,
        check: df054_dockerignore_incomplete::check,
    },
    DockerfileRule {
        meta: &df055_copy_ignored_file::COPY_IGNORED_FILE,
        check: df055_copy_ignored_file::check,
    },
    DockerfileRule {
        meta: &df070_no_user_final_stage::NO_USER_FINAL_STAGE,
        check: df070_no_user_final_stage::check,
    },
    DockerfileRule {
        meta: &df071_last_user_root::LAST_USER_ROOT,
        check: df071_last_user_root::check,
    },
    DockerfileRule {
        meta: &df072_user_non_numeric::USER_NON_NUMERIC,
        check: df072_user_non_numeric::check,
    },
    DockerfileRule {
        meta: &df074_secret_in_arg_env::SECRET_IN_ARG_ENV,
        check: df074_secret_in_arg_env::check,
    },
    DockerfileRule {
        meta: &df080_healthcheck_missing::HEALTHCHECK_MISSING,
        check: df080_healthcheck_missing::check,
    },
    DockerfileRule {
        meta: &df082_shell_form_no_shell::SHELL_FORM_NO_SHELL,
        check: df082_shell_form_no_shell::check,
    },
    DockerfileRule {
        meta: &df083_healthcheck_timing::HEALTHCHECK_TIMING,
        check: df083_healthcheck_timing::check,
    },
    DockerfileRule {
        meta: &df090_labels_schema::LABELS_SCHEMA,
        check: df090_labels_schema::check,
    },
    DockerfileRule {
        meta: &df091_inline_ignore_policy::INLINE_IGNORE_POLICY,
        check: df091_inline_ignore_policy::check,
    },
];
