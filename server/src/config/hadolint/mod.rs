//! hadolint's configuration (`.hadolint.yaml`, `.hadolint.yml`), so a project can move to
//! dockwise without rewriting it first.
//!
//! - [`read`]: what [`crate::config::ConfigCache`] uses when a hadolint file governs a
//!   checked file (see [`crate::config::file`] for when it does): parse, then map.
//! - [`migrate`] and [`to_toml`]: what `dockwise migrate hadolint` prints, the same mapping
//!   written out as a `dockwise.toml` with comments.
//!
//! The three steps are separate modules: [`parse_hadolint`] reads hadolint's keys as
//! written, [`migrate`] maps them onto ours through the equivalence table in
//! [`crate::rules::equivalents`], and [`to_toml`] writes the result.

mod emit;
mod map;
mod read;

pub use emit::to_toml;
pub use map::{Migration, migrate};
pub use read::{HadolintFile, HadolintThreshold, parse_hadolint};

/// The names hadolint's configuration file may have in a project folder.
pub const HADOLINT_FILE_NAMES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];

/// Parses and maps the text of a `.hadolint.yaml`. Errors (not YAML, wrong shapes) are
/// messages for a [`crate::config::ConfigError`]; codes with no equivalent are skipped and
/// listed in the migration's warnings.
pub fn read(text: &str) -> Result<Migration, String> {
    parse_hadolint(text).map(|file| migrate(&file))
}
