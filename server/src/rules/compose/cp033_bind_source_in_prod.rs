use std::collections::HashSet;

use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports, in a production file, the volumes of a development setup: a writable bind
    /// mount of a folder given by a relative path (`./backend:/app`), and an anonymous
    /// volume for `node_modules` (`- /app/node_modules`), the usual companion that keeps the
    /// image's dependencies visible under the mounted code. Mounts of a single file
    /// (`./nginx.conf:/etc/nginx/nginx.conf`) and read-only mounts are left alone. A
    /// production file is one whose name contains `prod`, or one where a service sets
    /// `NODE_ENV=production`.
    ///
    /// ## Why is this bad?
    /// A bind mount over the app folder hides the code built into the image: production
    /// runs whatever is in the folder on the server, not the image that was tested, and a
    /// `git pull` changes the running service. The anonymous `node_modules` volume keeps the
    /// dependencies of the first container that created it, so later images' dependencies
    /// never show up.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       NODE_ENV: production
    ///     volumes:
    ///       - ./backend:/app
    ///       - /app/node_modules
    /// ```
    ///
    /// Use instead: ship the code in the image, and keep the mounts in a development file
    /// (`compose.override.yaml`, which `docker compose up` merges in on a developer's
    /// machine):
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       NODE_ENV: production
    ///     volumes:
    ///       - uploads:/app/uploads
    /// volumes:
    ///   uploads:
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the mounts belong in another file, which is for a person to set up.
    ///
    /// ## References
    /// - Bind mounts: <https://docs.docker.com/engine/storage/bind-mounts/>
    /// - Use Compose in production: <https://docs.docker.com/compose/how-tos/production/>
    /// - Merge Compose files: <https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/>
    pub const BIND_SOURCE_IN_PROD = {
        code: "CP033",
        name: "bind-source-in-prod",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.is_production() {
        return;
    }
    let mut seen = HashSet::new();
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let name = service.name;
        for volume in ctx.volumes(body) {
            let message = match volume.source {
                None if is_node_modules(volume.target) => format!(
                    "anonymous volume `{}` in service `{name}` belongs to a development setup: \
                     it keeps the `node_modules` of the first container and hides newer images'",
                    volume.target
                ),
                Some(source)
                    if volume.kind == "bind"
                        && !volume.read_only
                        && is_relative(source)
                        && looks_like_folder(source) =>
                {
                    format!(
                        "service `{name}` bind-mounts the folder `{source}` over `{}` in a \
                         production file: the service runs what is on the server instead of \
                         the code in its image; move the mount to a development file",
                        volume.target
                    )
                }
                _ => continue,
            };
            // The long syntax's `source` (`target` for an anonymous volume): a mapping's
            // span runs on to the next entry.
            let range = match volume.short {
                Some(_) => volume.range,
                None => ctx
                    .get(volume.node, "source")
                    .or_else(|| ctx.get(volume.node, "target"))
                    .map_or(volume.range, |n| ctx.range(n)),
            };
            if seen.insert(range.start) {
                out.push(BIND_SOURCE_IN_PROD.diagnostic(range, message));
            }
        }
    }
}

fn is_node_modules(target: &str) -> bool {
    target.trim_end_matches('/').rsplit('/').next() == Some("node_modules")
}

fn is_relative(source: &str) -> bool {
    matches!(source, "." | "..") || source.starts_with("./") || source.starts_with("../")
}

/// A path whose last part has no extension (`./backend`, `./src/`, `..`): a folder, not a
/// single file such as `./nginx.conf` or `./.env`.
fn looks_like_folder(source: &str) -> bool {
    let trimmed = source.trim_end_matches('/');
    if source.ends_with('/') && !trimmed.is_empty() {
        return true;
    }
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    matches!(last, "." | "..") || !last.contains('.')
}

#[cfg(test)]
mod tests {
    use super::looks_like_folder;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn flagged(text: &str, file: &str) -> Vec<String> {
        let facts = ComposeFacts {
            path: None,
            file_name: Some(file.to_owned()),
            project: None,
        };
        check_compose_with(text, &facts, &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP033")
            .map(|d| text[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn development_volumes_in_production() {
        let text = "services:\n  api:\n    build: ./backend\n    volumes:\n      - ./backend:/app\n      - /app/node_modules\n      - ./nginx.conf:/etc/nginx/nginx.conf\n      - ./certs:/etc/ssl/certs:ro\n      - data:/data\n      - /srv/uploads:/app/uploads\n      - type: bind\n        source: ../shared\n        target: /app/shared\n      - type: volume\n        target: /srv/node_modules/\nvolumes:\n  data:\n";
        assert!(flagged(text, "compose.yaml").is_empty());
        assert_eq!(
            flagged(text, "docker-compose.prod.yml"),
            [
                "./backend:/app",
                "/app/node_modules",
                "../shared",
                "/srv/node_modules/",
            ]
        );
    }

    #[test]
    fn folders_and_files() {
        for folder in [".", "..", "./backend", "./src/", "../app", "./.config/"] {
            assert!(looks_like_folder(folder), "{folder}");
        }
        for file in ["./nginx.conf", "./.env", "../config/app.yaml"] {
            assert!(!looks_like_folder(file), "{file}");
        }
    }
}
