//! Dockerfile rules (`DF###`), one file each.

use super::DockerfileRule;

mod df002_duplicate_stage_name;
mod df003_copy_from_unknown_stage;
mod df010_maintainer_deprecated;
mod df020_instruction_syntax;
mod df043_npm_only_production_deprecated;
mod df044_npm_install_not_ci;
mod df046_package_cache_in_layer;
mod df047_apt_cleanup;
mod df048_apt_update_alone;
mod df049_pin_package_versions;
mod df050_rpm_family_hygiene;
mod df053_dockerignore_missing;
mod df055_copy_ignored_file;
mod df060_shell_pipefail;
mod df061_run_cd;
mod df062_run_sudo;
mod df063_pointless_command;
mod df064_curl_and_wget;
mod df065_shell_symlink;
mod df066_useradd_large_uid;

mod context_sources;
mod package_managers;
mod run_edits;
mod shell_args;
mod shell_images;
#[cfg(test)]
mod shell_rules_tests;

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
        meta: &df043_npm_only_production_deprecated::NPM_ONLY_PRODUCTION_DEPRECATED,
        check: df043_npm_only_production_deprecated::check,
    },
    DockerfileRule {
        meta: &df044_npm_install_not_ci::NPM_INSTALL_NOT_CI,
        check: df044_npm_install_not_ci::check,
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
        meta: &df053_dockerignore_missing::DOCKERIGNORE_MISSING,
        check: df053_dockerignore_missing::check,
    },
    DockerfileRule {
        meta: &df055_copy_ignored_file::COPY_IGNORED_FILE,
        check: df055_copy_ignored_file::check,
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
];
