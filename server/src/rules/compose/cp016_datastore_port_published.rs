use super::cp015_unbound_published_port::inside;
use super::cp017_duplicate_published_port::{all_interfaces, host_side, interpolated, port_range};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::compose::{ComposeContext, PortEntry, Service};
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::NodeId;
use crate::syntax::dockerfile::split_image_ref;

declare_rule! {
    /// ## What it does
    /// Reports a datastore port published on every host interface (with no host address, or
    /// `0.0.0.0` / `::`). That is any published port of a service whose image is a
    /// database, cache, broker or search engine (`postgres`, `mysql`, `mariadb`, `redis`,
    /// `mongo`, `elasticsearch`, `rabbitmq`, `memcached`, `mssql`, `cassandra`, `etcd`, also
    /// under another namespace such as `bitnami/postgresql`), and a well-known datastore
    /// container port (5432, 3306, 6379, 27017, 9200, 5672, 11211, 1433, 9042, 2379)
    /// published by any service. It is an error in a production file.
    ///
    /// ## Why is this bad?
    /// The other services of the project reach the datastore by its service name on the
    /// project's network (`postgres:5432`); they need no host port. A published port is open
    /// to every network the host is on, past host firewalls, and datastores are a favourite
    /// target of scans: a default or leaked password is then all it takes. When a tool on
    /// the host needs the port, bind it to `127.0.0.1`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     environment:
    ///       DATABASE_HOST: postgres
    ///   postgres:
    ///     image: postgres:16-alpine
    ///     ports:
    ///       - "5432:5432"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     environment:
    ///       DATABASE_HOST: postgres
    ///   postgres:
    ///     image: postgres:16-alpine
    ///     ports:
    ///       - "127.0.0.1:5432:5432"
    /// ```
    ///
    /// Or leave `ports` out: `api` reaches the database as `postgres:5432` either way.
    ///
    /// ## Fix safety
    /// Unsafe. For a short entry with a host port, the fix binds it to `127.0.0.1`, which
    /// cuts off other machines; otherwise it deletes the entry (the whole `ports` key when it
    /// is the only one), which cuts off the host too. Either may be what the port was for.
    ///
    /// ## References
    /// - Networking in Compose: <https://docs.docker.com/compose/how-tos/networking/>
    /// - Port publishing and mapping: <https://docs.docker.com/engine/network/port-publishing/>
    pub const DATASTORE_PORT_PUBLISHED = {
        code: "CP016",
        name: "datastore-port-published",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

/// The last path segment of datastore images (`bitnami/postgresql` is `postgresql`).
const DATASTORE_IMAGES: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "mysql",
    "mariadb",
    "redis",
    "redis-stack-server",
    "valkey",
    "mongo",
    "mongodb",
    "elasticsearch",
    "rabbitmq",
    "memcached",
    "mssql",
    "cassandra",
    "etcd",
];

/// Well-known container ports of datastores.
const DATASTORE_PORTS: &[u32] = &[5432, 3306, 6379, 27017, 9200, 5672, 11211, 1433, 9042, 2379];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let severity = if ctx.is_production() {
        Severity::Error
    } else {
        Severity::Warning
    };
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let by_image = ctx.str_of(body, "image").is_some_and(is_datastore_image);
        let ports = ctx.ports(body);
        for entry in &ports {
            if interpolated(entry) {
                continue;
            }
            let (ip, published) = host_side(entry);
            if !all_interfaces(ip) {
                continue;
            }
            let Some(target) = port_range(entry.target) else {
                continue;
            };
            let known_port = DATASTORE_PORTS
                .iter()
                .find(|&&p| (target.0..=target.1).contains(&p));
            if !by_image && known_port.is_none() {
                continue;
            }
            let port = known_port.map_or(entry.target.to_owned(), |p| p.to_string());
            let host = match published {
                Some(published) if published != port => format!(" (as host port {published})"),
                _ => String::new(),
            };
            let message = format!(
                "`{name}` publishes datastore port {port}{host} on every host interface: other \
                 services reach it by name as `{name}:{port}` without it",
                name = service.name
            );
            let mut d = match fix(ctx, service, body, entry, ip, published, ports.len()) {
                Some(fix) => DATASTORE_PORT_PUBLISHED.diagnostic_with_fix(
                    ctx.written(entry.node),
                    message,
                    fix,
                ),
                None => DATASTORE_PORT_PUBLISHED.diagnostic(ctx.written(entry.node), message),
            };
            d.severity = severity;
            out.push(d);
        }
    }
}

/// Whether an image is a datastore, by its repository's last path segment
/// (`mcr.microsoft.com/mssql/server` by its namespace).
fn is_datastore_image(image: &str) -> bool {
    if image.contains('$') {
        return false;
    }
    let parts = split_image_ref(image);
    let repository = image.get(parts.name).unwrap_or("").to_ascii_lowercase();
    if repository.ends_with("mssql/server") {
        return true;
    }
    let last = repository.rsplit('/').next().unwrap_or("");
    DATASTORE_IMAGES.contains(&last)
}

/// Binds a short entry with a host port to `127.0.0.1`; else deletes the entry (the whole
/// `ports` key when it is the only one).
fn fix(
    ctx: &ComposeContext<'_>,
    service: &Service<'_>,
    body: NodeId,
    entry: &PortEntry<'_>,
    ip: Option<&str>,
    published: Option<&str>,
    count: usize,
) -> Option<Fix> {
    if !inside(ctx, entry.node, body) {
        return None;
    }
    if entry.short.is_some() && published.is_some() {
        let text = ctx.scalar(entry.node)?;
        let inner = ctx.inner_range(entry.node, text)?;
        // The address as written: `0.0.0.0`, `[::]`, `::` (nothing when there is none).
        let written = match ip {
            None => 0,
            Some(_) if text.starts_with('[') => text.find("]:")? + 1,
            Some(ip) => ip.len(),
        };
        let new_text = if written == 0 {
            "127.0.0.1:"
        } else {
            "127.0.0.1"
        };
        return Some(Fix {
            title: "Publish on 127.0.0.1 only".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: TextRange::new(inner.start, inner.start + written as u32),
                new_text: new_text.to_owned(),
            }],
        });
    }
    let edit = if count == 1 {
        let (key, value) = ctx.entry(body, "ports")?;
        if !inside(ctx, key, body) {
            return None;
        }
        ctx.delete_entry(key, value)?
    } else {
        delete_item(ctx, entry.node)?
    };
    Some(Fix {
        title: format!("Stop publishing the port of `{}`", service.name),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}

/// Deletes a block sequence item (`- ...` through its last line, with the line break).
fn delete_item(ctx: &ComposeContext<'_>, item: NodeId) -> Option<Edit> {
    let range = ctx.range(item);
    let start = ctx.line_start(range.start);
    let before = ctx.text[start as usize..range.start as usize].trim();
    if before != "-" {
        return None;
    }
    let end = ctx.tree().content_end(item).max(range.end);
    let bytes = ctx.text.as_bytes();
    let mut after = ctx.line_end(end) as usize;
    if bytes.get(after) == Some(&b'\r') {
        after += 1;
    }
    if bytes.get(after) == Some(&b'\n') {
        after += 1;
    }
    Some(Edit {
        range: TextRange::new(start, after as u32),
        new_text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::is_datastore_image;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::facts::ComposeFacts;

    fn findings_in(src: &str, file_name: Option<&str>) -> Vec<Diagnostic> {
        let facts = ComposeFacts {
            file_name: file_name.map(str::to_owned),
            ..ComposeFacts::default()
        };
        check_compose_with(src, &facts, &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP016")
            .collect()
    }

    fn fixed(src: &str, d: &Diagnostic) -> String {
        crate::fix::apply_fixes(src, &[d.fix.as_ref().expect("a fix")]).0
    }

    #[test]
    fn datastore_images() {
        for image in [
            "postgres:16",
            "bitnami/postgresql:16",
            "docker.io/library/redis:7-alpine",
            "mcr.microsoft.com/mssql/server:2022-latest",
            "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
            "quay.io/coreos/etcd:v3.5.15",
            "mongo@sha256:0123456789abcdef",
        ] {
            assert!(is_datastore_image(image), "{image}");
        }
        for image in [
            "nginx:1.27",
            "postgres-exporter:1",
            "${DB_IMAGE}",
            "acme/redis-ui:2",
        ] {
            assert!(!is_datastore_image(image), "{image}");
        }
    }

    #[test]
    fn binds_short_entries_and_deletes_the_others() {
        let src = "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n      - 0.0.0.0:15432:5432\n      - \"[::]:25432:5432\"\n      - \"5433\"\n      - 127.0.0.1:5434:5432\n      - target: 5432\n        published: 35432\n";
        let found = findings_in(src, None);
        assert_eq!(found.len(), 5);
        assert!(found.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(
            found[1].message,
            "`db` publishes datastore port 5432 (as host port 15432) on every host interface: \
             other services reach it by name as `db:5432` without it"
        );
        assert!(fixed(src, &found[0]).contains("\n      - \"127.0.0.1:5432:5432\"\n"));
        assert!(fixed(src, &found[1]).contains("\n      - 127.0.0.1:15432:5432\n"));
        assert!(fixed(src, &found[2]).contains("\n      - \"127.0.0.1:25432:5432\"\n"));
        assert!(!fixed(src, &found[3]).contains("5433"));
        assert_eq!(
            fixed(src, &found[4]),
            src.replace("      - target: 5432\n        published: 35432\n", "")
        );
    }

    #[test]
    fn the_only_entry_takes_the_ports_key_with_it() {
        let src = "services:\n  cache:\n    image: redis:7\n    ports:\n      - target: 6379\n    restart: always\n";
        let found = findings_in(src, Some("compose.prod.yaml"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(
            fixed(src, &found[0]),
            "services:\n  cache:\n    image: redis:7\n    restart: always\n"
        );
    }

    #[test]
    fn known_ports_of_other_images_and_what_passes() {
        let src = "services:\n  db:\n    build: ./db\n    ports:\n      - \"3306:3306\"\n      - \"8080:8080\"\n  web:\n    image: nginx:1.27\n    ports:\n      - \"80:80\"\n  cache:\n    image: redis:7\n    ports:\n      - 127.0.0.1:6379:6379\n      - \"${REDIS_PORT}:6379\"\n    expose:\n      - \"6379\"\n";
        let found = findings_in(src, None);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "\"3306:3306\"");
    }
}
