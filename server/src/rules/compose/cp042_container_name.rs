use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::compose::ComposeContext;
use crate::rules::compose::profiles::{may_run_together, profiles};
use crate::rules::declare_rule;
use crate::syntax::compose::NodeId;

declare_rule! {
    /// ## What it does
    /// Reports a `container_name` that two services share, or that Docker does not accept
    /// (it wants at least two characters: a letter or digit, then letters, digits, `_`, `.`
    /// or `-`). As information, it also reports a fixed `container_name` on a service asked
    /// to run more than one container (`deploy.replicas` or `scale` above 1).
    ///
    /// Two services share a name only if they can run together: one without `profiles`
    /// always runs, two with `profiles` run together when they share a profile (a profile
    /// written with `${VAR}` is compared as written). A CPU and a GPU variant of one
    /// service, in the profiles `cpu` and `gpu`, may keep one name.
    ///
    /// ## Why is this bad?
    /// Container names are unique on a Docker host: `up` creates the first service and fails
    /// on the second with a name conflict, and an invalid name fails outright. A fixed name
    /// also allows only one container, so the service cannot be scaled. Services reach each
    /// other by service name, which needs no `container_name` at all.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     container_name: backend
    ///   worker:
    ///     image: ghcr.io/acme/worker:1.4.2
    ///     container_name: backend
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///   worker:
    ///     image: ghcr.io/acme/worker:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which name to keep, if any, is for a person to decide.
    ///
    /// ## References
    /// - `container_name` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#container_name>
    pub const CONTAINER_NAME = {
        code: "CP042",
        name: "container-name",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    /// A valid name already taken: the name, its service, its profiles, where it is written.
    struct Taken<'a> {
        name: &'a str,
        service: &'a str,
        profiles: Vec<&'a str>,
        at: u32,
    }
    let mut seen: Vec<Taken<'_>> = Vec::new();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let Some(node) = ctx.get(body, "container_name") else {
            continue;
        };
        let Some(name) = ctx.scalar(node) else {
            continue;
        };
        if name.contains('$') {
            continue;
        }
        let range = ctx.range(node);
        if !is_valid(name) {
            out.push(CONTAINER_NAME.diagnostic(
                range,
                format!(
                    "`{name}` is not a valid container name (service `{}`): Docker wants at \
                     least two characters, a letter or digit first, then letters, digits, \
                     `_`, `.` or `-`",
                    service.name
                ),
            ));
        } else {
            let profiles = profiles(ctx, body);
            if let Some(other) = seen
                .iter()
                .find(|t| t.name == name && may_run_together(&t.profiles, &profiles))
            {
                out.push(CONTAINER_NAME.diagnostic(
                    range,
                    format!(
                        "container name `{name}` of `{}` is already taken by `{}` (line {}): \
                         Docker refuses two containers with one name",
                        service.name,
                        other.service,
                        ctx.line_number(other.at)
                    ),
                ));
            }
            seen.push(Taken {
                name,
                service: service.name,
                profiles,
                at: range.start,
            });
        }
        if let Some(replicas) = replicas(ctx, body).filter(|&n| n > 1) {
            let mut d = CONTAINER_NAME.diagnostic(
                range,
                format!(
                    "`{}` asks for {replicas} containers but sets `container_name`: only one \
                     container can have the name, so scaling fails",
                    service.name
                ),
            );
            d.severity = Severity::Info;
            out.push(d);
        }
    }
}

/// Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with the optional leading `/` it strips.
fn is_valid(name: &str) -> bool {
    let name = name.strip_prefix('/').unwrap_or(name);
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() >= 2
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// How many containers the service asks for: `deploy.replicas`, else `scale`.
fn replicas(ctx: &ComposeContext<'_>, body: NodeId) -> Option<u64> {
    let deploy = ctx
        .get(body, "deploy")
        .and_then(|d| ctx.str_of(d, "replicas"));
    deploy
        .or_else(|| ctx.str_of(body, "scale"))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::is_valid;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Severity;
    use crate::facts::ComposeFacts;

    fn found(src: &str) -> Vec<(String, Severity)> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP042")
            .map(|d| (d.message, d.severity))
            .collect()
    }

    #[test]
    fn valid_names() {
        for name in ["db", "my-app_1.0", "/web", "0x"] {
            assert!(is_valid(name), "{name}");
        }
        for name in ["a", "-web", "my app", "web!", "_x", "", "ünï"] {
            assert!(!is_valid(name), "{name}");
        }
    }

    #[test]
    fn duplicates_invalid_names_and_scaling() {
        let src = "services:\n  a:\n    image: x:1\n    container_name: db\n  b:\n    image: y:1\n    container_name: db\n  c:\n    image: z:1\n    container_name: \"my app\"\n  d:\n    image: w:1\n    container_name: web\n    deploy:\n      replicas: 3\n  e:\n    image: v:1\n    container_name: ${NAME}\n  f:\n    image: u:1\n    container_name: ${NAME}\n";
        let found = found(src);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].1, Severity::Error);
        assert!(found[0].0.contains("already taken by `a` (line 4)"));
        assert!(
            found[1]
                .0
                .starts_with("`my app` is not a valid container name")
        );
        assert_eq!(found[2].1, Severity::Info);
        assert!(found[2].0.starts_with("`d` asks for 3 containers"));
    }

    #[test]
    fn services_that_never_run_together_may_share_a_name() {
        // A CPU and a GPU variant, in profiles that are never enabled together.
        let src = "services:\n  a:\n    image: ollama/ollama:0.5.7\n    container_name: ollama\n    profiles: [cpu]\n  b:\n    image: ollama/ollama:0.5.7\n    container_name: ollama\n    profiles: [gpu]\n";
        assert!(found(src).is_empty(), "{:?}", found(src));
        // A service without profiles runs with every profile.
        let src = "services:\n  a:\n    image: x:1\n    container_name: db\n    profiles: [cpu]\n  b:\n    image: y:1\n    container_name: db\n";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
        // A shared profile clashes; an interpolated one is not known to match.
        let src = "services:\n  a:\n    image: x:1\n    container_name: db\n    profiles: [cpu, all]\n  b:\n    image: y:1\n    container_name: db\n    profiles: [gpu, all]\n  c:\n    image: z:1\n    container_name: web\n    profiles: [cpu]\n  d:\n    image: w:1\n    container_name: web\n    profiles: [\"${ACCEL}\"]\n";
        let found = found(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("`db` of `b` is already taken by `a` (line 4)")
        );
    }

    #[test]
    fn a_third_service_is_compared_with_each_earlier_one() {
        // `c` runs with `b`, not with `a`: the clash named is `b`'s.
        let src = "services:\n  a:\n    image: x:1\n    container_name: db\n    profiles: [cpu]\n  b:\n    image: y:1\n    container_name: db\n    profiles: [gpu]\n  c:\n    image: z:1\n    container_name: db\n    profiles: [gpu]\n";
        let found = found(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("`db` of `c` is already taken by `b` (line 8)")
        );
    }
}
