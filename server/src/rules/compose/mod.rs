//! Compose rules (`CP###`), one file each, run over a compose file's YAML tree.

mod compose_health;
mod context;
mod cp001_schema;
mod cp002_version_obsolete;
mod cp003_undefined_reference;
mod cp010_hardcoded_secret_env;
mod cp011_credentials_in_url;
mod cp012_env_file_exposed;
mod cp013_env_file_path;
mod cp014_secrets_usage;
mod cp015_unbound_published_port;
mod cp016_datastore_port_published;
mod cp017_duplicate_published_port;
mod cp018_ports_quoted;
mod cp020_healthcheck_missing;
mod cp021_depends_on_healthy_without_healthcheck;
mod cp022_depends_on_start_order_only;
mod cp023_healthcheck_fields;
mod cp024_healthcheck_tool_missing;
mod cp025_compose_interpolation_in_shell;
mod cp026_undefined_interpolation;
mod cp030_restart_policy_missing;
mod cp031_restart_invalid;
mod cp032_log_rotation_missing;
mod cp033_bind_source_in_prod;
mod cp034_dev_command_in_prod;
mod cp035_config_mount_writable;
mod cp040_image_tag;
mod cp041_build_and_image;
mod cp042_container_name;
mod cp043_runs_as_root;
mod cp044_dangerous_options;
mod cp045_resource_limits_missing;
mod cp046_project_name_missing;
mod cp050_ordering;
mod cp051_volume_quotes;
mod edits;
mod env_files;
pub(crate) mod interpolation;
mod profiles;
pub mod suppression;
mod values;

pub use context::{ComposeContext, Service};
pub use values::{EnvEntry, PortEntry, VolumeEntry, is_host_path};

use super::RuleMeta;
use crate::diagnostics::Diagnostic;

/// A compose rule: its metadata and its check.
pub struct ComposeRule {
    pub meta: &'static RuleMeta,
    pub check: fn(&ComposeContext<'_>, &mut Vec<Diagnostic>),
    pub scope: ComposeScope,
}

/// What a compose rule's findings depend on, which says when they can be kept for the next
/// version of the file (see `analysis::compose_cache`).
#[derive(Clone, Copy, Debug)]
pub enum ComposeScope {
    /// Anything in the file: the rule runs over the whole file every time.
    File,
    /// One service at a time: its findings for a service come from that service, the
    /// services it looks up by name ([`ComposeContext::service`]), and what holds for the
    /// whole file (production or not, indentation, line endings, facts, configuration);
    /// a rule reading [`ComposeContext::all_services`] depends on every service, and one
    /// reading another top-level section ([`ComposeContext::top`]) on the text outside
    /// `services:`.
    Service,
    /// `check` runs over the whole file and this over one service at a time, as for
    /// [`ComposeScope::Service`]; when services are not checked one by one
    /// ([`ComposeContext::by_service`] is false), `check` alone does everything.
    Both(fn(&ComposeContext<'_>, &mut Vec<Diagnostic>)),
}

/// Every compose rule, in code order.
pub static RULES: &[ComposeRule] = &[
    ComposeRule {
        meta: &cp001_schema::SCHEMA,
        check: cp001_schema::check,
        scope: ComposeScope::Both(cp001_schema::check_services),
    },
    ComposeRule {
        meta: &cp002_version_obsolete::VERSION_OBSOLETE,
        check: cp002_version_obsolete::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp003_undefined_reference::UNDEFINED_REFERENCE,
        check: cp003_undefined_reference::check,
        scope: ComposeScope::Both(cp003_undefined_reference::check_services),
    },
    ComposeRule {
        meta: &cp010_hardcoded_secret_env::HARDCODED_SECRET_ENV,
        check: cp010_hardcoded_secret_env::check,
        // Its fix lists every secret of the file in one `.env.example`.
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp011_credentials_in_url::CREDENTIALS_IN_URL,
        check: cp011_credentials_in_url::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp012_env_file_exposed::ENV_FILE_EXPOSED,
        check: cp012_env_file_exposed::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp013_env_file_path::ENV_FILE_PATH,
        check: cp013_env_file_path::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp014_secrets_usage::SECRETS_USAGE,
        check: cp014_secrets_usage::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp015_unbound_published_port::UNBOUND_PUBLISHED_PORT,
        check: cp015_unbound_published_port::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp016_datastore_port_published::DATASTORE_PORT_PUBLISHED,
        check: cp016_datastore_port_published::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp017_duplicate_published_port::DUPLICATE_PUBLISHED_PORT,
        check: cp017_duplicate_published_port::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp018_ports_quoted::PORTS_QUOTED,
        check: cp018_ports_quoted::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp020_healthcheck_missing::HEALTHCHECK_MISSING,
        check: cp020_healthcheck_missing::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp021_depends_on_healthy_without_healthcheck::DEPENDS_ON_HEALTHY_WITHOUT_HEALTHCHECK,
        check: cp021_depends_on_healthy_without_healthcheck::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp022_depends_on_start_order_only::DEPENDS_ON_START_ORDER_ONLY,
        check: cp022_depends_on_start_order_only::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp023_healthcheck_fields::HEALTHCHECK_FIELDS,
        check: cp023_healthcheck_fields::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp024_healthcheck_tool_missing::HEALTHCHECK_TOOL_MISSING,
        check: cp024_healthcheck_tool_missing::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp025_compose_interpolation_in_shell::COMPOSE_INTERPOLATION_IN_SHELL,
        check: cp025_compose_interpolation_in_shell::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp026_undefined_interpolation::UNDEFINED_INTERPOLATION,
        check: cp026_undefined_interpolation::check,
        scope: ComposeScope::Both(cp026_undefined_interpolation::check_services),
    },
    ComposeRule {
        meta: &cp030_restart_policy_missing::RESTART_POLICY_MISSING,
        check: cp030_restart_policy_missing::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp031_restart_invalid::RESTART_INVALID,
        check: cp031_restart_invalid::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp032_log_rotation_missing::LOG_ROTATION_MISSING,
        check: cp032_log_rotation_missing::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp033_bind_source_in_prod::BIND_SOURCE_IN_PROD,
        check: cp033_bind_source_in_prod::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp034_dev_command_in_prod::DEV_COMMAND_IN_PROD,
        check: cp034_dev_command_in_prod::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp035_config_mount_writable::CONFIG_MOUNT_WRITABLE,
        check: cp035_config_mount_writable::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp040_image_tag::IMAGE_TAG,
        check: cp040_image_tag::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp041_build_and_image::BUILD_AND_IMAGE,
        check: cp041_build_and_image::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp042_container_name::CONTAINER_NAME,
        check: cp042_container_name::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp043_runs_as_root::RUNS_AS_ROOT,
        check: cp043_runs_as_root::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp044_dangerous_options::DANGEROUS_OPTIONS,
        check: cp044_dangerous_options::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp045_resource_limits_missing::RESOURCE_LIMITS_MISSING,
        check: cp045_resource_limits_missing::check,
        scope: ComposeScope::Service,
    },
    ComposeRule {
        meta: &cp046_project_name_missing::PROJECT_NAME_MISSING,
        check: cp046_project_name_missing::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp050_ordering::ORDERING,
        check: cp050_ordering::check,
        scope: ComposeScope::File,
    },
    ComposeRule {
        meta: &cp051_volume_quotes::VOLUME_QUOTES,
        check: cp051_volume_quotes::check,
        scope: ComposeScope::Service,
    },
];
