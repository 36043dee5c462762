use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a name that points nowhere: a service in `depends_on`, `links`,
    /// `volumes_from`, `extends` or `network_mode: service:...` that the file does not
    /// define; a named volume, network, secret or config a service uses (a secret also in
    /// `build.secrets`) without declaring it at the top level; and `depends_on` chains that
    /// loop (a service waiting for itself, directly or through others).
    ///
    /// ## Why is this bad?
    /// Compose refuses the whole project: `up` stops with "service ... depends on undefined
    /// service" or "undefined volume", and a dependency loop can never start. A typo in a
    /// name is the usual cause, and the error appears only when someone runs the file.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     depends_on: [databse]
    ///     volumes:
    ///       - uploads:/srv/uploads
    ///   database:
    ///     image: postgres:16
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     depends_on: [database]
    ///     volumes:
    ///       - uploads:/srv/uploads
    ///   database:
    ///     image: postgres:16
    /// volumes:
    ///   uploads:
    /// ```
    ///
    /// ## Fix safety
    /// Declaring a missing volume or network at the top level is safe: it is what Compose
    /// needs, with default settings. Declaring a secret or config is unsafe: the fix points
    /// it at a file (`./secrets/<name>.txt`) you must create. Unknown services have no fix
    /// beyond the suggested name.
    ///
    /// ## References
    /// - Compose file reference, services: <https://docs.docker.com/reference/compose-file/services/>
    pub const UNDEFINED_REFERENCE = {
        code: "CP003",
        name: "undefined-reference",
        severity: Error,
        fixable: true,
        default_enabled: true,
    };
}

/// A top-level section whose entries services refer to by name.
#[derive(Clone, Copy)]
struct Section {
    key: &'static str,
    what: &'static str,
    /// The body a fix declares a missing entry with.
    body: Option<&'static str>,
    applicability: Applicability,
}

const VOLUMES: Section = Section {
    key: "volumes",
    what: "volume",
    body: None,
    applicability: Applicability::Safe,
};
const NETWORKS: Section = Section {
    key: "networks",
    what: "network",
    body: None,
    applicability: Applicability::Safe,
};
const SECRETS: Section = Section {
    key: "secrets",
    what: "secret",
    body: Some("file: ./secrets/{name}.txt"),
    applicability: Applicability::Unsafe,
};
const CONFIGS: Section = Section {
    key: "configs",
    what: "config",
    body: Some("file: ./{name}"),
    applicability: Applicability::Unsafe,
};

/// Reports loops in `depends_on`; while services are not checked one by one
/// ([`ComposeContext::by_service`] is false), also every name that points nowhere.
pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.by_service() {
        references(ctx, out);
    }
    cycles(ctx, out);
}

/// The names that point nowhere, service by service (the part of the rule that reads one
/// service, the services it names and the top-level sections).
pub(crate) fn check_services(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.by_service() {
        references(ctx, out);
    }
}

fn references(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let defined = |name: &str| ctx.service(name).is_some();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for (target, node) in dependencies(ctx, body) {
            if !defined(target) {
                out.push(unknown_service(
                    ctx,
                    service.name,
                    "depends_on",
                    target,
                    node,
                ));
            }
        }
        for key in ["links", "volumes_from"] {
            for item in ctx.get(body, key).map(|v| ctx.items(v)).unwrap_or_default() {
                let Some(text) = ctx.scalar(item) else {
                    continue;
                };
                let target = match key {
                    // `name:alias`
                    "links" => text.split(':').next().unwrap_or(text),
                    // `name`, `name:ro`, `service:name[:ro]`; `container:...` is outside the file.
                    _ => {
                        if text.starts_with("container:") {
                            continue;
                        }
                        let text = text.strip_prefix("service:").unwrap_or(text);
                        text.split(':').next().unwrap_or(text)
                    }
                };
                if !target.contains("${") && !defined(target) {
                    out.push(unknown_service(ctx, service.name, key, target, item));
                }
            }
        }
        if let Some(extends) = ctx.get(body, "extends") {
            // `extends: name`, or `{service: name}` without `file:` (another file's
            // services are not known here).
            let target = match ctx.scalar(extends) {
                Some(name) => Some((name, extends)),
                None if ctx.get(extends, "file").is_none() => ctx
                    .get(extends, "service")
                    .and_then(|n| ctx.scalar(n).map(|t| (t, n))),
                None => None,
            };
            if let Some((target, node)) = target
                && !target.contains("${")
                && !defined(target)
            {
                out.push(unknown_service(ctx, service.name, "extends", target, node));
            }
        }
        if let Some(mode) = ctx.get(body, "network_mode")
            && let Some(target) = ctx.scalar(mode).and_then(|m| m.strip_prefix("service:"))
            && !target.contains("${")
            && !defined(target)
        {
            out.push(unknown_service(
                ctx,
                service.name,
                "network_mode",
                target,
                mode,
            ));
        }
        for volume in ctx.volumes(body) {
            if volume.kind == "volume"
                && let Some(source) = volume.source
            {
                check_declared(ctx, VOLUMES, service.name, source, volume.node, out);
            }
        }
        for (name, node) in named_entries(ctx, body, "networks") {
            if name != "default" {
                check_declared(ctx, NETWORKS, service.name, name, node, out);
            }
        }
        for section in [SECRETS, CONFIGS] {
            for (name, node) in named_entries(ctx, body, section.key) {
                check_declared(ctx, section, service.name, name, node, out);
            }
        }
        // Secrets given to the build name the same top-level entries.
        if let Some(build) = ctx.get(body, "build") {
            for (name, node) in named_entries(ctx, build, SECRETS.key) {
                check_declared(ctx, SECRETS, service.name, name, node, out);
            }
        }
    }
}

/// The services a service's `depends_on` names (list or mapping form), with their nodes.
fn dependencies<'a>(ctx: &ComposeContext<'a>, body: NodeId) -> Vec<(&'a str, NodeId)> {
    let Some(depends_on) = ctx.get(body, "depends_on") else {
        return Vec::new();
    };
    named_list_or_keys(ctx, depends_on)
}

/// The names a value lists: a sequence of names (or of `{source: name}` mappings), or the
/// keys of a mapping.
fn named_list_or_keys<'a>(ctx: &ComposeContext<'a>, value: NodeId) -> Vec<(&'a str, NodeId)> {
    let tree = ctx.tree();
    match tree.node(value).map(|n| &n.kind) {
        Some(NodeKind::Sequence(_)) => ctx
            .items(value)
            .into_iter()
            .filter_map(|item| match ctx.scalar(item) {
                Some(name) => Some((name, item)),
                None => ctx
                    .get(item, "source")
                    .and_then(|s| ctx.scalar(s).map(|name| (name, s))),
            })
            .collect(),
        Some(NodeKind::Mapping(_)) => tree
            .entries(value)
            .into_iter()
            .filter_map(|(k, _)| tree.scalar(k).map(|name| (name, k)))
            .collect(),
        _ => Vec::new(),
    }
}

fn named_entries<'a>(ctx: &ComposeContext<'a>, body: NodeId, key: &str) -> Vec<(&'a str, NodeId)> {
    ctx.get(body, key)
        .map(|v| named_list_or_keys(ctx, v))
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _)| !name.contains("${"))
        .collect()
}

fn unknown_service(
    ctx: &ComposeContext<'_>,
    service: &str,
    key: &str,
    target: &str,
    node: NodeId,
) -> Diagnostic {
    // The suggestion reads every service's name.
    let names = ctx.all_services().iter().map(|s| s.name);
    let hint = crate::text::similar::closest(target, names)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    UNDEFINED_REFERENCE.diagnostic(
        ctx.range(node),
        format!(
            "service `{service}` names `{target}` in `{key}`, but no such service is defined{hint}"
        ),
    )
}

/// Reports `name` unless the top-level `section` declares it; the fix declares it.
fn check_declared(
    ctx: &ComposeContext<'_>,
    section: Section,
    service: &str,
    name: &str,
    node: NodeId,
    out: &mut Vec<Diagnostic>,
) {
    let top = ctx.top(section.key);
    let tree = ctx.tree();
    let declared = top.is_some_and(|t| {
        tree.entries(t)
            .iter()
            .any(|(k, _)| tree.scalar(*k) == Some(name))
    });
    if declared {
        return;
    }
    let message = format!(
        "service `{service}` uses the {what} `{name}`, which is not declared under the top-level `{key}:`",
        what = section.what,
        key = section.key,
    );
    let diagnostic = UNDEFINED_REFERENCE.diagnostic(ctx.range(node), message);
    let fix = declare(ctx, section, name).map(|edit| Fix {
        title: format!(
            "Declare the {} `{name}` under `{}:`",
            section.what, section.key
        ),
        applicability: section.applicability,
        edits: vec![edit],
    });
    out.push(Diagnostic { fix, ..diagnostic });
}

/// An edit declaring `name` in the top-level `section`: added to its block mapping, or a new
/// section at the end of the file.
fn declare(ctx: &ComposeContext<'_>, section: Section, name: &str) -> Option<Edit> {
    // Only names Compose accepts, which are also plain YAML keys.
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return None;
    }
    let body = section.body.map(|b| b.replace("{name}", name));
    let entry = match &body {
        Some(body) => format!("{name}:\n  {body}"),
        None => format!("{name}:"),
    };
    if let Some(top) = ctx.top(section.key) {
        return ctx.append_to_mapping(top, &entry);
    }
    if ctx
        .tree()
        .root
        .and_then(|r| ctx.tree().get(r, section.key))
        .is_some()
    {
        // `volumes:` with an empty (null) value: leave it to a person.
        return None;
    }
    let nl = ctx.line_ending();
    let unit = ctx.indent_unit();
    let mut text = String::new();
    if !ctx.text.is_empty() && !ctx.text.ends_with('\n') {
        text.push_str(nl);
    }
    text.push_str(&format!("{}:{nl}{unit}{name}:", section.key));
    if let Some(body) = &body {
        text.push_str(&format!("{nl}{unit}{unit}{body}"));
    }
    text.push_str(nl);
    let end = ctx.text.len() as u32;
    Some(Edit {
        range: TextRange::empty(end),
        new_text: text,
    })
}

/// `depends_on` loops: each is reported once, at the edge that closes it.
fn cycles(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let services = ctx.all_services();
    let names: Vec<&str> = services.iter().map(|s| s.name).collect();
    // The first service of each name is the one an edge leads to.
    let mut index = std::collections::HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        index.entry(*name).or_insert(i);
    }
    let edges: Vec<Vec<(usize, NodeId)>> = services
        .iter()
        .map(|service| {
            service.body.map_or_else(Vec::new, |body| {
                dependencies(ctx, body)
                    .into_iter()
                    .filter_map(|(target, node)| Some((*index.get(target)?, node)))
                    .collect()
            })
        })
        .collect();
    // 0 unvisited, 1 on the current path, 2 done. Iterative depth-first search.
    let mut state = vec![0u8; names.len()];
    for start in 0..names.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&(to, at)) = edges[node].get(*next) else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => {
                    let message = if to == node {
                        format!("service `{}` depends on itself", names[node])
                    } else {
                        let path: Vec<&str> = stack
                            .iter()
                            .skip_while(|(n, _)| *n != to)
                            .map(|(n, _)| names[*n])
                            .chain(std::iter::once(names[to]))
                            .collect();
                        // A long loop is shown by its ends.
                        let shown = if path.len() > 6 {
                            format!(
                                "{} -> ... -> {} ({} services)",
                                path[..3].join(" -> "),
                                path[path.len() - 2..].join(" -> "),
                                path.len() - 1
                            )
                        } else {
                            path.join(" -> ")
                        };
                        format!(
                            "`depends_on` goes round in a loop ({shown}): none of these services can start"
                        )
                    };
                    out.push(UNDEFINED_REFERENCE.diagnostic(ctx.range(at), message));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn messages(text: &str) -> Vec<String> {
        crate::analysis::check_compose_with(text, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP003")
            .map(|d| format!("{}: {}", &text[d.range.as_usize()], d.message))
            .collect()
    }

    #[test]
    fn loops_and_self_dependencies() {
        let text = "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on:\n      c:\n        condition: service_started\n  c:\n    image: x\n    depends_on: [a]\n  d:\n    image: x\n    depends_on: [d]\n";
        assert_eq!(
            messages(text),
            [
                "a: `depends_on` goes round in a loop (a -> b -> c -> a): none of these services can start",
                "d: service `d` depends on itself",
            ]
        );
    }

    #[test]
    fn every_kind_of_reference() {
        let text = "services:\n  web:\n    image: x\n    links: [db:database]\n    volumes_from: [\"service:cache:ro\", \"container:legacy\"]\n    extends: base\n    network_mode: \"service:vpn\"\n    networks: [front, default]\n    secrets:\n      - source: token\n    configs: [nginx_conf]\n";
        assert_eq!(
            messages(text),
            [
                "db:database: service `web` names `db` in `links`, but no such service is defined",
                "\"service:cache:ro\": service `web` names `cache` in `volumes_from`, but no such service is defined",
                "base: service `web` names `base` in `extends`, but no such service is defined",
                "\"service:vpn\": service `web` names `vpn` in `network_mode`, but no such service is defined",
                "front: service `web` uses the network `front`, which is not declared under the top-level `networks:`",
                "token: service `web` uses the secret `token`, which is not declared under the top-level `secrets:`",
                "nginx_conf: service `web` uses the config `nginx_conf`, which is not declared under the top-level `configs:`",
            ]
        );
    }
}
