use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports the service options that take a container's isolation away. They are
    /// `privileged: true`, a mount of the Docker socket (`/var/run/docker.sock`),
    /// `network_mode: host`, `pid: host`, `ipc: host`, `cap_add` with `ALL` or
    /// `SYS_ADMIN`, and `security_opt` turning off seccomp or AppArmor
    /// (`seccomp:unconfined`, `apparmor:unconfined`).
    ///
    /// ## Why is this bad?
    /// Each one hands the container a way out to the host. A privileged container has every
    /// capability and all host devices; the Docker socket lets it start a privileged
    /// container of its own, `:ro` or not; `SYS_ADMIN` allows mounts and much of what
    /// `privileged` allows; the host's PID or IPC namespace lets it see and signal host
    /// processes or read their shared memory; the host network puts it on every host port
    /// and interface. A bug in the service becomes a compromise of the machine. Some tools
    /// need one of these; they should be the exception, each with a comment saying why
    /// (and a `# dockwise: ignore=CP044` on the line before).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: ghcr.io/acme/agent:3.1.0
    ///     privileged: true
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: ghcr.io/acme/agent:3.1.0
    ///     cap_add:
    ///       - NET_BIND_SERVICE
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what the service needs instead is for a person to work out.
    ///
    /// ## References
    /// - Docker security: <https://docs.docker.com/engine/security/>
    /// - Seccomp profiles: <https://docs.docker.com/engine/security/seccomp/>
    /// - Service options in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/>
    pub const DANGEROUS_OPTIONS = {
        code: "CP044",
        name: "dangerous-options",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

/// Where the Docker daemon's socket is mounted from.
const DOCKER_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "//var/run/docker.sock",
    "\\\\.\\pipe\\docker_engine",
    "//./pipe/docker_engine",
];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let name = service.name;
        let mut report = |range: TextRange, message: String| {
            out.push(DANGEROUS_OPTIONS.diagnostic(range, message));
        };
        if let Some(node) = ctx.get(body, "privileged")
            && ctx
                .scalar(node)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            report(
                ctx.range(node),
                format!(
                    "`{name}` runs privileged: it gets every capability and the host's devices, \
                     so escaping to the host is easy"
                ),
            );
        }
        for volume in ctx.volumes(body) {
            let socket = volume
                .source
                .is_some_and(|s| DOCKER_SOCKETS.contains(&s.trim_end_matches('/')));
            if socket {
                report(
                    ctx.written(volume.node),
                    format!(
                        "`{name}` mounts the Docker socket: whatever runs in it controls Docker, \
                         and through it the host"
                    ),
                );
            }
        }
        for (key, what, so) in [
            (
                "network_mode",
                "network stack",
                "it listens on the host's interfaces directly",
            ),
            (
                "pid",
                "process namespace",
                "it sees and can signal every host process",
            ),
            (
                "ipc",
                "IPC namespace",
                "it can reach host processes' shared memory",
            ),
        ] {
            if let Some(node) = ctx.get(body, key)
                && ctx.scalar(node) == Some("host")
            {
                report(
                    ctx.range(node),
                    format!("`{name}` shares the host's {what} (`{key}: host`): {so}"),
                );
            }
        }
        if let Some(caps) = ctx.get(body, "cap_add") {
            for cap in ctx.items(caps) {
                let Some(text) = ctx.scalar(cap) else {
                    continue;
                };
                let upper = text.to_ascii_uppercase();
                let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
                let what = match bare {
                    "ALL" => "every capability",
                    "SYS_ADMIN" => {
                        "`SYS_ADMIN`, which allows mounts and most of what `privileged` does"
                    }
                    _ => continue,
                };
                report(ctx.range(cap), format!("`{name}` adds {what}"));
            }
        }
        if let Some(options) = ctx.get(body, "security_opt") {
            for option in ctx.items(options) {
                let Some(text) = ctx.scalar(option) else {
                    continue;
                };
                let Some((kind, value)) = text.split_once([':', '=']) else {
                    continue;
                };
                let what = match (kind, value) {
                    ("seccomp", "unconfined") => "seccomp, the filter of dangerous system calls",
                    ("apparmor", "unconfined") => "its AppArmor profile",
                    _ => continue,
                };
                report(ctx.range(option), format!("`{name}` turns off {what}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn flagged(src: &str) -> Vec<String> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP044")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn each_dangerous_option() {
        let src = "services:\n  a:\n    image: x:1\n    privileged: true\n    network_mode: host\n    pid: host\n    ipc: host\n    cap_add: [NET_ADMIN, CAP_SYS_ADMIN, all]\n    security_opt:\n      - seccomp:unconfined\n      - apparmor=unconfined\n      - no-new-privileges:true\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - type: bind\n        source: /run/docker.sock\n        target: /docker.sock\n      - ./data:/data\n";
        assert_eq!(
            flagged(src),
            [
                "true",
                "host",
                "host",
                "host",
                "CAP_SYS_ADMIN",
                "all",
                "seccomp:unconfined",
                "apparmor=unconfined",
                "/var/run/docker.sock:/var/run/docker.sock:ro",
                "type: bind\n        source: /run/docker.sock\n        target: /docker.sock",
            ]
        );
    }

    #[test]
    fn safe_options_pass() {
        let src = "services:\n  a:\n    image: x:1\n    privileged: false\n    network_mode: \"service:b\"\n    pid: \"service:b\"\n    cap_add: [NET_BIND_SERVICE]\n    security_opt: [\"no-new-privileges:true\"]\n    volumes: [\"docker-data:/var/lib/docker\"]\n";
        assert!(flagged(src).is_empty());
    }
}
