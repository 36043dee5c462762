use crate::diagnostics::Diagnostic;
use crate::rules::compose::profiles::{may_run_together, profiles};
use crate::rules::compose::{ComposeContext, PortEntry};
use crate::rules::declare_rule;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a host port published twice, by two services or twice by one, on the same
    /// protocol and an overlapping host address. Port ranges (`8000-8010:8000-8010`) count
    /// port by port. Two services whose `profiles` never run together may publish the same
    /// port; a host range mapped to a single container port (`8000-8010:80`), where Docker
    /// picks a free port, is not counted.
    ///
    /// ## Why is this bad?
    /// Only one container can listen on a host port. `docker compose up` starts the first
    /// service, then fails on the second with "port is already allocated", often after the
    /// rest of the stack is up. Binding on all interfaces (no address, `0.0.0.0`) takes the
    /// port on every address, so it clashes with `127.0.0.1:PORT` too.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports:
    ///       - "8080:80"
    ///   admin:
    ///     image: adminer:4.8.1
    ///     ports:
    ///       - "8080:8080"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports:
    ///       - "8080:80"
    ///   admin:
    ///     image: adminer:4.8.1
    ///     ports:
    ///       - "8081:8080"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which service gets another port is for a person to decide.
    ///
    /// ## References
    /// - `ports` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#ports>
    /// - Port publishing and mapping: <https://docs.docker.com/engine/network/port-publishing/>
    pub const DUPLICATE_PUBLISHED_PORT = {
        code: "CP017",
        name: "duplicate-published-port",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

/// A port's host address and published port(s). An IPv6 address written without brackets
/// (`::1:6000:6000`) is split off the published part here.
pub(super) fn host_side<'a>(entry: &PortEntry<'a>) -> (Option<&'a str>, Option<&'a str>) {
    match (entry.host_ip, entry.published) {
        (None, Some(published)) if published.contains(':') => {
            let (ip, port) = published.rsplit_once(':').unwrap_or(("", published));
            (
                Some(ip).filter(|s| !s.is_empty()),
                Some(port).filter(|s| !s.is_empty()),
            )
        }
        other => other,
    }
}

/// Whether a host address means every interface (none given, `0.0.0.0`, `::`).
pub(super) fn all_interfaces(ip: Option<&str>) -> bool {
    matches!(ip, None | Some("" | "0.0.0.0" | "::" | "[::]"))
}

/// Whether any part of a port entry is interpolated (`${PORT}`, `$PORT`): its value is
/// known only when Compose runs.
pub(super) fn interpolated(entry: &PortEntry<'_>) -> bool {
    [
        entry.host_ip,
        entry.published,
        Some(entry.target),
        Some(entry.protocol),
    ]
    .into_iter()
    .flatten()
    .any(|part| part.contains('$'))
}

/// A port or port range: `8080` is `(8080, 8080)`, `8000-8010` is `(8000, 8010)`.
pub(super) fn port_range(text: &str) -> Option<(u32, u32)> {
    let number = |s: &str| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|&n| n <= 65535)
    };
    match text.split_once('-') {
        Some((low, high)) => {
            let (low, high) = (number(low)?, number(high)?);
            (low <= high).then_some((low, high))
        }
        None => number(text).map(|n| (n, n)),
    }
}

/// One host binding: where it is written and what it takes.
struct Binding<'a> {
    service: &'a str,
    /// `None` for every interface.
    ip: Option<&'a str>,
    protocol: String,
    ports: (u32, u32),
    profiles: Vec<&'a str>,
    range: TextRange,
    text: String,
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Binding<'_>> = Vec::new();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let profiles = profiles(ctx, body);
        for entry in ctx.ports(body) {
            if interpolated(&entry) {
                continue;
            }
            let (ip, published) = host_side(&entry);
            let Some(published_text) = published else {
                continue;
            };
            let (Some(ports), Some(target)) =
                (port_range(published_text), port_range(entry.target))
            else {
                continue;
            };
            // `8000-8010:80`: Docker takes one free port of the range.
            if ports.1 - ports.0 != target.1 - target.0 {
                continue;
            }
            let binding = Binding {
                service: service.name,
                ip: ip.filter(|ip| !all_interfaces(Some(ip))),
                protocol: entry.protocol.to_ascii_lowercase(),
                ports,
                profiles: profiles.clone(),
                range: ctx.written(entry.node),
                text: published_text.to_owned(),
            };
            if let Some((earlier, port)) =
                seen.iter().find_map(|b| clash(b, &binding).map(|p| (b, p)))
            {
                out.push(
                    DUPLICATE_PUBLISHED_PORT
                        .diagnostic(binding.range, message(ctx, earlier, &binding, port)),
                );
            }
            seen.push(binding);
        }
    }
}

/// The first port both bindings take, if they clash.
fn clash(a: &Binding<'_>, b: &Binding<'_>) -> Option<u32> {
    let low = a.ports.0.max(b.ports.0);
    let high = a.ports.1.min(b.ports.1);
    // Most pairs take different ports: that is the cheap test, made first.
    if low > high {
        return None;
    }
    let addresses = a.ip.is_none() || b.ip.is_none() || a.ip == b.ip;
    let together = may_run_together(&a.profiles, &b.profiles);
    (a.protocol == b.protocol && addresses && together).then_some(low)
}

fn message(
    ctx: &ComposeContext<'_>,
    earlier: &Binding<'_>,
    binding: &Binding<'_>,
    port: u32,
) -> String {
    let port_text = if binding.ports.0 == binding.ports.1 {
        format!("host port {port}")
    } else {
        format!("host port {port} (of {})", binding.text)
    };
    let protocol = if binding.protocol == "tcp" {
        String::new()
    } else {
        format!("/{}", binding.protocol)
    };
    let by = if earlier.service == binding.service {
        "this service".to_owned()
    } else {
        format!("`{}`", earlier.service)
    };
    format!(
        "`{}` publishes {port_text}{protocol}, which {by} already publishes (line {}): only one \
         container can bind it",
        binding.service,
        ctx.line_number(earlier.range.start)
    )
}

#[cfg(test)]
mod tests {
    use super::port_range;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn messages(src: &str) -> Vec<String> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP017")
            .map(|d| format!("{}: {}", &src[d.range.as_usize()], d.message))
            .collect()
    }

    #[test]
    fn port_ranges() {
        assert_eq!(port_range("8080"), Some((8080, 8080)));
        assert_eq!(port_range("8000-8010"), Some((8000, 8010)));
        assert_eq!(port_range("8010-8000"), None);
        assert_eq!(port_range("70000"), None);
        assert_eq!(port_range("${PORT}"), None);
        assert_eq!(port_range(""), None);
    }

    #[test]
    fn same_port_across_services_and_within_one() {
        let src = "services:\n  a:\n    image: x:1\n    ports:\n      - \"8080:80\"\n      - 9000:9000\n  b:\n    image: y:1\n    ports:\n      - target: 80\n        published: 8080\n      - \"9000:9001\"\n";
        let found = messages(src);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("`b` publishes host port 8080, which `a` already publishes (line 5)")
        );
        assert!(found[1].starts_with("\"9000:9001\""));
    }

    #[test]
    fn ranges_addresses_protocols_and_profiles() {
        // A range overlapping a single port.
        let src = "services:\n  a:\n    image: x:1\n    ports: [\"8005:80\"]\n  b:\n    image: y:1\n    ports: [\"8000-8010:8000-8010\"]\n";
        assert_eq!(messages(src).len(), 1);
        assert!(messages(src)[0].contains("host port 8005 (of 8000-8010)"));
        // Different addresses, different protocols, an ephemeral pick from a range, and
        // profiles that never run together: no clash.
        let src = "services:\n  a:\n    image: x:1\n    ports:\n      - 127.0.0.1:53:53\n      - \"8000-8010:80\"\n      - \"5000:5000\"\n    profiles: [dev]\n  b:\n    image: y:1\n    ports:\n      - 10.0.0.2:53:53\n      - \"53:53/udp\"\n      - \"8005:80\"\n      - \"5000:5000\"\n    profiles: [prod]\n";
        assert!(messages(src).is_empty(), "{:?}", messages(src));
        // Every interface clashes with a single address; `::1` written without brackets.
        let src = "services:\n  a:\n    image: x:1\n    ports: [\"127.0.0.1:80:80\", \"::1:6000:6000\"]\n  b:\n    image: y:1\n    ports: [\"0.0.0.0:80:80\", \"[::1]:6000:6000\", \"${PORT}:80\"]\n";
        assert_eq!(messages(src).len(), 2, "{:?}", messages(src));
    }
}
