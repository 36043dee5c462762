use super::cp017_duplicate_published_port::{host_side, interpolated};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::{ComposeContext, PortEntry};
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::NodeId;

declare_rule! {
    /// ## What it does
    /// Reports a published port that names no host address (`"8080:80"`, or `"80"`, which
    /// publishes on a random host port), so Docker binds it on every interface of the
    /// host. An address written out, even `0.0.0.0`, is taken as a decision and not reported.
    ///
    /// ## Why is this bad?
    /// A port published without an address is reachable from every network the host is on,
    /// and Docker opens it in its own firewall rules, ahead of host firewalls such as `ufw`.
    /// A service meant for the developer's browser or for a reverse proxy on the same host
    /// is then open to the whole network. Writing `127.0.0.1:` keeps it on the host; writing
    /// `0.0.0.0:` says that being public is intended.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     ports:
    ///       - "8080:8080"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     ports:
    ///       - "127.0.0.1:8080:8080"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix binds the port to `127.0.0.1` (adds `host_ip: 127.0.0.1` to the long
    /// syntax), which stops other machines from reaching it; that may be what the port is for.
    ///
    /// ## References
    /// - `ports` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#ports>
    /// - Port publishing and mapping: <https://docs.docker.com/engine/network/port-publishing/>
    pub const UNBOUND_PUBLISHED_PORT = {
        code: "CP015",
        name: "unbound-published-port",
        severity: Info,
        fixable: true,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for entry in ctx.ports(body) {
            if interpolated(&entry) {
                continue;
            }
            let (ip, published) = host_side(&entry);
            if ip.is_some() {
                continue;
            }
            let message = match published {
                Some(port) => format!(
                    "`{}` publishes port {port} on every host interface: bind it to \
                     `127.0.0.1` unless other machines must reach it",
                    service.name
                ),
                None => format!(
                    "`{}` publishes container port {} on a random port of every host \
                     interface: bind it to `127.0.0.1` unless other machines must reach it",
                    service.name, entry.target
                ),
            };
            let fix = bind_to_localhost(ctx, body, &entry, published.is_some());
            out.push(match fix {
                Some(fix) => UNBOUND_PUBLISHED_PORT.diagnostic_with_fix(
                    ctx.written(entry.node),
                    message,
                    fix,
                ),
                None => UNBOUND_PUBLISHED_PORT.diagnostic(ctx.written(entry.node), message),
            });
        }
    }
}

/// Whether `node` is written inside the service body (not in an anchor shared with others).
pub(super) fn inside(ctx: &ComposeContext<'_>, node: NodeId, body: NodeId) -> bool {
    let (outer, inner) = (ctx.range(body), ctx.range(node));
    outer.start <= inner.start && inner.end <= outer.end
}

/// Binds an entry without an address to `127.0.0.1`: a prefix for the short syntax (with
/// an empty published part when there is none), `host_ip` for the long one.
fn bind_to_localhost(
    ctx: &ComposeContext<'_>,
    body: NodeId,
    entry: &PortEntry<'_>,
    has_published: bool,
) -> Option<Fix> {
    if !inside(ctx, entry.node, body) {
        return None;
    }
    let edit = match entry.short {
        Some(_) => {
            let inner = ctx.inner_range(entry.node, ctx.scalar(entry.node)?)?;
            Edit {
                range: TextRange::empty(inner.start),
                new_text: if has_published {
                    "127.0.0.1:"
                } else {
                    "127.0.0.1::"
                }
                .to_owned(),
            }
        }
        None => ctx.append_to_mapping(entry.node, "host_ip: 127.0.0.1")?,
    };
    Some(Fix {
        title: "Publish on 127.0.0.1 only".to_owned(),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP015")
            .collect()
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        crate::fix::apply_fixes(src, &fixes).0
    }

    #[test]
    fn binds_short_and_long_entries_to_localhost() {
        let src = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n      - 9000\n      - 127.0.0.1:5000:5000\n      - 0.0.0.0:443:443\n      - target: 81\n        published: \"8081\"\n      - \"${PORT}:82\"\n";
        assert_eq!(findings(src).len(), 3);
        assert_eq!(
            fixed(src),
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - 127.0.0.1::9000\n      - 127.0.0.1:5000:5000\n      - 0.0.0.0:443:443\n      - target: 81\n        published: \"8081\"\n        host_ip: 127.0.0.1\n      - \"${PORT}:82\"\n"
        );
    }

    #[test]
    fn an_unbracketed_ipv6_address_is_an_address() {
        let src =
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"::1:6000:6000\"\n";
        assert!(findings(src).is_empty());
    }
}
