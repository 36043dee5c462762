//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df001_first_instruction_from;
mod df002_duplicate_stage_name;
mod df003_copy_from_unknown_stage;
mod df004_reserved_stage_name;
mod df005_stage_name_casing;
mod df006_instruction_casing;
mod df007_single_cmd_entrypoint_healthcheck;
mod df008_exec_form_cmd;
mod df009_json_single_quotes;
mod df010_maintainer_deprecated;
mod df011_workdir_absolute;
mod df012_copy_relative_without_workdir;
mod df013_copy_multi_src_dest_slash;
mod df014_legacy_key_value;
mod df015_empty_continuation;
mod df016_undefined_variable;
mod df017_env_self_reference;
mod df018_expose_format;
mod df019_onbuild_invalid;
mod df020_instruction_syntax;
mod df021_add_instead_of_copy;
mod df022_unused_stage;
mod df030_image_untagged;
mod df031_image_latest;
mod df032_image_not_digest_pinned;
mod df033_untrusted_registry;
mod df034_from_platform_constant;
mod df035_redundant_target_platform;
mod df036_non_minimal_final_base;
mod df040_single_stage_build;
mod df041_copy_all_before_deps;
mod df042_dev_deps_in_runtime;
mod df043_npm_only_production_deprecated;
mod df044_npm_install_not_ci;
mod df045_build_after_prod_install;
mod df046_package_cache_in_layer;
mod df047_apt_cleanup;
mod df048_apt_update_alone;
mod df049_pin_package_versions;
mod df050_rpm_family_hygiene;
mod df051_consecutive_run;
mod df052_copy_stage_root;
mod df053_dockerignore_missing;
mod df054_dockerignore_incomplete;
mod df055_copy_ignored_file;
mod df056_copy_secret_file;
mod df060_shell_pipefail;
mod df061_run_cd;
mod df062_run_sudo;
mod df063_pointless_command;
mod df064_curl_and_wget;
mod df065_shell_symlink;
mod df066_useradd_large_uid;
mod df067_shellcheck;
mod df070_no_user_final_stage;
mod df071_last_user_root;
mod df072_user_non_numeric;
mod df073_chown_recursive_layer;
pub(crate) mod df074_secret_in_arg_env;
mod df080_healthcheck_missing;
mod df081_healthcheck_tool_missing;
mod df082_shell_form_no_shell;
mod df083_healthcheck_timing;
mod df090_labels_schema;
mod df091_inline_ignore_policy;

mod context_sources;
pub(crate) mod durations;
pub(crate) mod health;
pub(crate) mod images;
mod installs;
mod instructions;
mod package_managers;
mod paths;
mod run_edits;
mod shell_args;
mod shell_images;
#[cfg(test)]
mod shell_rules_tests;
mod stage_rename;
mod stages;

/// Every Dockerfile rule, in code order.
pub static RULES: &[DockerfileRule] = &[
    DockerfileRule {
        meta: &df001_first_instruction_from::FIRST_INSTRUCTION_FROM,
        check: df001_first_instruction_from::check,
    },
    DockerfileRule {
        meta: &df002_duplicate_stage_name::DUPLICATE_STAGE_NAME,
        check: df002_duplicate_stage_name::check,
    },
    DockerfileRule {
        meta: &df003_copy_from_unknown_stage::COPY_FROM_UNKNOWN_STAGE,
        check: df003_copy_from_unknown_stage::check,
    },
    DockerfileRule {
        meta: &df004_reserved_stage_name::RESERVED_STAGE_NAME,
        check: df004_reserved_stage_name::check,
    },
    DockerfileRule {
        meta: &df005_stage_name_casing::STAGE_NAME_CASING,
        check: df005_stage_name_casing::check,
    },
    DockerfileRule {
        meta: &df006_instruction_casing::INSTRUCTION_CASING,
        check: df006_instruction_casing::check,
    },
    DockerfileRule {
        meta: &df007_single_cmd_entrypoint_healthcheck::SINGLE_CMD_ENTRYPOINT_HEALTHCHECK,
        check: df007_single_cmd_entrypoint_healthcheck::check,
    },
    DockerfileRule {
        meta: &df008_exec_form_cmd::EXEC_FORM_CMD,
        check: df008_exec_form_cmd::check,
    },
    DockerfileRule {
        meta: &df009_json_single_quotes::JSON_SINGLE_QUOTES,
        check: df009_json_single_quotes::check,
    },
    DockerfileRule {
        meta: &df010_maintainer_deprecated::MAINTAINER_DEPRECATED,
        check: df010_maintainer_deprecated::check,
    },
    DockerfileRule {
        meta: &df011_workdir_absolute::WORKDIR_ABSOLUTE,
        check: df011_workdir_absolute::check,
    },
    DockerfileRule {
        meta: &df012_copy_relative_without_workdir::COPY_RELATIVE_WITHOUT_WORKDIR,
        check: df012_copy_relative_without_workdir::check,
    },
    DockerfileRule {
        meta: &df013_copy_multi_src_dest_slash::COPY_MULTI_SRC_DEST_SLASH,
        check: df013_copy_multi_src_dest_slash::check,
    },
    DockerfileRule {
        meta: &df014_legacy_key_value::LEGACY_KEY_VALUE,
        check: df014_legacy_key_value::check,
    },
    DockerfileRule {
        meta: &df015_empty_continuation::EMPTY_CONTINUATION,
        check: df015_empty_continuation::check,
    },
    DockerfileRule {
        meta: &df016_undefined_variable::UNDEFINED_VARIABLE,
        check: df016_undefined_variable::check,
    },
    DockerfileRule {
        meta: &df017_env_self_reference::ENV_SELF_REFERENCE,
        check: df017_env_self_reference::check,
    },
    DockerfileRule {
        meta: &df018_expose_format::EXPOSE_FORMAT,
        check: df018_expose_format::check,
    },
    DockerfileRule {
        meta: &df019_onbuild_invalid::ONBUILD_INVALID,
        check: df019_onbuild_invalid::check,
    },
    DockerfileRule {
        meta: &df020_instruction_syntax::INSTRUCTION_SYNTAX,
        check: df020_instruction_syntax::check,
    },
    DockerfileRule {
        meta: &df021_add_instead_of_copy::ADD_INSTEAD_OF_COPY,
        check: df021_add_instead_of_copy::check,
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
        meta: &df043_npm_only_production_deprecated::NPM_ONLY_PRODUCTION_DEPRECATED,
        check: df043_npm_only_production_deprecated::check,
    },
    DockerfileRule {
        meta: &df044_npm_install_not_ci::NPM_INSTALL_NOT_CI,
        check: df044_npm_install_not_ci::check,
    },
    DockerfileRule {
        meta: &df045_build_after_prod_install::BUILD_AFTER_PROD_INSTALL,
        check: df045_build_after_prod_install::check,
    },
    DockerfileRule {
        meta: &df046_package_cache_in_layer::PACKAGE_CACHE_IN_LAYER,
        check: df046_package_cache_in_layer::check,
    },
    DockerfileRule {
        meta: &df047_apt_cleanup::APT_CLEANUP,
        check: df047_apt_cleanup::check,
    },
    DockerfileRule {
        meta: &df048_apt_update_alone::APT_UPDATE_ALONE,
        check: df048_apt_update_alone::check,
    },
    DockerfileRule {
        meta: &df049_pin_package_versions::PIN_PACKAGE_VERSIONS,
        check: df049_pin_package_versions::check,
    },
    DockerfileRule {
        meta: &df050_rpm_family_hygiene::RPM_FAMILY_HYGIENE,
        check: df050_rpm_family_hygiene::check,
    },
    DockerfileRule {
        meta: &df051_consecutive_run::CONSECUTIVE_RUN,
        check: df051_consecutive_run::check,
    },
    DockerfileRule {
        meta: &df052_copy_stage_root::COPY_STAGE_ROOT,
        check: df052_copy_stage_root::check,
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
        meta: &df056_copy_secret_file::COPY_SECRET_FILE,
        check: df056_copy_secret_file::check,
    },
    DockerfileRule {
        meta: &df060_shell_pipefail::SHELL_PIPEFAIL,
        check: df060_shell_pipefail::check,
    },
    DockerfileRule {
        meta: &df061_run_cd::RUN_CD,
        check: df061_run_cd::check,
    },
    DockerfileRule {
        meta: &df062_run_sudo::RUN_SUDO,
        check: df062_run_sudo::check,
    },
    DockerfileRule {
        meta: &df063_pointless_command::POINTLESS_COMMAND,
        check: df063_pointless_command::check,
    },
    DockerfileRule {
        meta: &df064_curl_and_wget::CURL_AND_WGET,
        check: df064_curl_and_wget::check,
    },
    DockerfileRule {
        meta: &df065_shell_symlink::SHELL_SYMLINK,
        check: df065_shell_symlink::check,
    },
    DockerfileRule {
        meta: &df066_useradd_large_uid::USERADD_LARGE_UID,
        check: df066_useradd_large_uid::check,
    },
    DockerfileRule {
        meta: &df067_shellcheck::SHELLCHECK,
        check: df067_shellcheck::check,
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
        meta: &df073_chown_recursive_layer::CHOWN_RECURSIVE_LAYER,
        check: df073_chown_recursive_layer::check,
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
        meta: &df081_healthcheck_tool_missing::HEALTHCHECK_TOOL_MISSING,
        check: df081_healthcheck_tool_missing::check,
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

/// Whether a rule can run here: DF067 needs a `shellcheck` program; the others need
/// nothing outside dockwise.
pub fn rule_is_available(code: &str) -> bool {
    match code {
        "DF067" => df067_shellcheck::is_available(),
        _ => true,
    }
}
