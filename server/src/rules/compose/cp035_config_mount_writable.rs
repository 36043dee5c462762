use super::cp015_unbound_published_port::inside;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::{ComposeContext, VolumeEntry};
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::NodeId;

declare_rule! {
    /// ## What it does
    /// Reports a bind mount of a single configuration file (`nginx.conf`, `my.cnf`,
    /// `*.yml`, `*.json`, `*.toml`, `*.ini`, ...) onto a file in the container without
    /// `:ro` (or `read_only: true`). A mount marked `:rw` (or `read_only: false`) on purpose
    /// is not reported.
    ///
    /// ## Why is this bad?
    /// The container only needs to read its configuration. Mounted writable, a compromised
    /// or buggy process can rewrite the file on the host, where it outlives the container,
    /// is read by the next release, and may be committed back to the repository.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./nginx.conf:/etc/nginx/nginx.conf
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./nginx.conf:/etc/nginx/nginx.conf:ro
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix appends `:ro` (or `read_only: true` in the long syntax). A program that
    /// writes to its own configuration file would then fail to; such a mount should say
    /// `:rw`.
    ///
    /// ## References
    /// - `volumes` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#volumes>
    /// - Bind mounts: <https://docs.docker.com/engine/storage/bind-mounts/>
    pub const CONFIG_MOUNT_WRITABLE = {
        code: "CP035",
        name: "config-mount-writable",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

/// The extensions of configuration files.
const CONFIG_EXTENSIONS: &[&str] = &[
    "conf",
    "cnf",
    "cfg",
    "ini",
    "json",
    "toml",
    "yml",
    "yaml",
    "properties",
];

/// Configuration files known by name.
const CONFIG_NAMES: &[&str] = &["Caddyfile"];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for volume in ctx.volumes(body) {
            let Some(source) = volume.source else {
                continue;
            };
            if volume.kind != "bind" || volume.read_only || explicitly_writable(ctx, &volume) {
                continue;
            }
            if source.contains('$') || volume.target.contains('$') {
                continue;
            }
            if !is_config_file(source) || !looks_like_file(volume.target) {
                continue;
            }
            let message = format!(
                "`{}` mounts the config file `{source}` writable: mount it read-only (`:ro`) so \
                 the container cannot change it on the host",
                service.name
            );
            out.push(match fix(ctx, body, &volume) {
                Some(fix) => CONFIG_MOUNT_WRITABLE.diagnostic_with_fix(
                    ctx.written(volume.node),
                    message,
                    fix,
                ),
                None => CONFIG_MOUNT_WRITABLE.diagnostic(ctx.written(volume.node), message),
            });
        }
    }
}

/// `:rw` or `read_only: false`, written on purpose.
fn explicitly_writable(ctx: &ComposeContext<'_>, volume: &VolumeEntry<'_>) -> bool {
    match volume.short {
        Some(_) => volume.mode.is_some_and(|m| m.split(',').any(|o| o == "rw")),
        None => ctx.get(volume.node, "read_only").is_some(),
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A host path naming a configuration file.
fn is_config_file(path: &str) -> bool {
    let name = file_name(path);
    if CONFIG_NAMES.contains(&name) {
        return true;
    }
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && CONFIG_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// A container path that names a file rather than a folder: it has an extension, or is a
/// configuration file known by name.
fn looks_like_file(path: &str) -> bool {
    let name = file_name(path);
    CONFIG_NAMES.contains(&name)
        || name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
}

fn fix(ctx: &ComposeContext<'_>, body: NodeId, volume: &VolumeEntry<'_>) -> Option<Fix> {
    if !inside(ctx, volume.node, body) {
        return None;
    }
    let edit = match volume.short {
        Some(_) => {
            let inner = ctx.inner_range(volume.node, ctx.scalar(volume.node)?)?;
            Edit {
                range: TextRange::empty(inner.end),
                new_text: if volume.mode.is_some() { ",ro" } else { ":ro" }.to_owned(),
            }
        }
        None => ctx.append_to_mapping(volume.node, "read_only: true")?,
    };
    Some(Fix {
        title: "Mount it read-only".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}

#[cfg(test)]
mod tests {
    use super::{is_config_file, looks_like_file};
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP035")
            .collect()
    }

    #[test]
    fn config_files() {
        assert!(is_config_file("./nginx-blue-green.conf"));
        assert!(is_config_file("./config/my.CNF"));
        assert!(is_config_file("./Caddyfile"));
        assert!(!is_config_file("./data"));
        assert!(!is_config_file("./.conf"));
        assert!(!is_config_file("./app.js"));
        assert!(looks_like_file("/etc/nginx/nginx.conf"));
        assert!(!looks_like_file("/etc/nginx/conf.d/"));
        assert!(!looks_like_file("/etc/nginx"));
    }

    #[test]
    fn writable_config_mounts_get_ro() {
        let src = "services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf\n      - \"./site.conf:/etc/nginx/conf.d/default.conf:z\"\n      - type: bind\n        source: ./app.json\n        target: /app/config.json\n      - ./ro.conf:/etc/ro.conf:ro\n      - ./rw.conf:/etc/rw.conf:rw\n      - ./conf.d:/etc/nginx/conf.d\n      - ./nginx.conf:/etc/nginx/\n      - ${CONF}:/etc/nginx/nginx.conf\n      - type: bind\n        source: ./kept.yaml\n        target: /kept.yaml\n        read_only: false\n";
        let found = findings(src);
        assert_eq!(found.len(), 3);
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let fixed = crate::fix::apply_fixes(src, &fixes).0;
        assert!(fixed.contains("      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n"));
        assert!(fixed.contains("      - \"./site.conf:/etc/nginx/conf.d/default.conf:z,ro\"\n"));
        assert!(fixed.contains("        target: /app/config.json\n        read_only: true\n"));
    }
}
