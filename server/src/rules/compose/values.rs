//! The compose values rules read most, in both the short and long syntaxes: environment
//! entries, published ports and volume mounts, each with the spans to flag and to edit.

use super::ComposeContext;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind};

/// One `environment` entry: `KEY: value` (mapping form) or `- KEY=value` (list form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvEntry<'a> {
    pub name: &'a str,
    /// `None` for `- KEY` and `KEY:` (taken from the shell or `.env` at run time).
    pub value: Option<&'a str>,
    pub name_range: TextRange,
    /// The value's span (inside the list item's quotes, when it is quoted without escapes);
    /// `None` when there is no value.
    pub value_range: Option<TextRange>,
    /// The whole entry: the list item, or from the key through the value.
    pub range: TextRange,
    /// The list item, or the mapping value.
    pub node: Option<NodeId>,
}

/// One `ports` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortEntry<'a> {
    /// The host address (`127.0.0.1`), if one is given.
    pub host_ip: Option<&'a str>,
    /// The published (host) port or range (`8080`, `8000-8010`), if any.
    pub published: Option<&'a str>,
    /// The container port or range.
    pub target: &'a str,
    /// `tcp` unless written.
    pub protocol: &'a str,
    /// The entry's node (a scalar for the short syntax, a mapping for the long one).
    pub node: NodeId,
    pub range: TextRange,
    /// Short syntax only: the scalar as YAML read it.
    pub short: Option<ShortScalar>,
}

/// How a short-syntax value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortScalar {
    pub style: ScalarKind,
}

/// One `volumes` entry of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeEntry<'a> {
    /// Host path or named volume; `None` for an anonymous volume (`- /app/node_modules`).
    pub source: Option<&'a str>,
    pub target: &'a str,
    /// `ro`, `rw`, `z`, ... from the short syntax's third part.
    pub mode: Option<&'a str>,
    /// `bind`, `volume`, `tmpfs`, ... (long syntax), or what the short syntax means: a
    /// source starting with `.`, `/` or `~` is a bind mount, else a named volume.
    pub kind: &'a str,
    pub read_only: bool,
    pub node: NodeId,
    pub range: TextRange,
    pub short: Option<ShortScalar>,
}

impl<'a> ComposeContext<'a> {
    /// The scalar text of `key` in the mapping `node`.
    pub fn str_of(&self, node: NodeId, key: &str) -> Option<&'a str> {
        self.get(node, key).and_then(|v| self.scalar(v))
    }

    /// The `environment` entries of a service body, in either form.
    pub fn environment(&self, service: NodeId) -> Vec<EnvEntry<'a>> {
        let Some(env) = self.get(service, "environment") else {
            return Vec::new();
        };
        let tree = self.tree();
        match tree.node(env).map(|n| &n.kind) {
            Some(NodeKind::Mapping(_)) => tree
                .entries(env)
                .into_iter()
                .filter_map(|(key, value)| {
                    let name = tree.scalar(key)?;
                    let name_range = self.range(key);
                    let value_node = value.map(|v| tree.resolve(v));
                    let value_text = value_node.and_then(|v| self.scalar(v));
                    let null = value_node.is_some_and(|v| {
                        matches!(
                            tree.node(v).map(|n| &n.kind),
                            Some(NodeKind::Scalar { style: ScalarKind::Plain, value })
                                if matches!(&**value, "" | "~" | "null" | "Null" | "NULL")
                        )
                    });
                    let value_range = value_node.map(|v| self.range(v)).filter(|r| !r.is_empty());
                    let end = value_range.map_or(name_range.end, |r| r.end);
                    Some(EnvEntry {
                        name,
                        value: if null { None } else { value_text },
                        name_range,
                        value_range: if null { None } else { value_range },
                        range: TextRange::new(name_range.start, end.max(name_range.end)),
                        node: value_node,
                    })
                })
                .collect(),
            Some(NodeKind::Sequence(_)) => self
                .items(env)
                .into_iter()
                .filter_map(|item| {
                    let text = self.scalar(item)?;
                    let range = self.range(item);
                    let inner = self.inner_range(item, text);
                    let (name, value) = match text.split_once('=') {
                        Some((name, value)) => (name, Some(value)),
                        None => (text, None),
                    };
                    let at = |offset: usize, len: usize| {
                        inner.map(|r| {
                            TextRange::new(r.start + offset as u32, r.start + (offset + len) as u32)
                        })
                    };
                    Some(EnvEntry {
                        name,
                        value,
                        name_range: at(0, name.len()).unwrap_or(range),
                        value_range: value.map(|v| at(name.len() + 1, v.len()).unwrap_or(range)),
                        range,
                        node: Some(item),
                    })
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The span of a scalar's value inside its quotes, when the source text between the
    /// quotes is exactly the value (no escapes, no folding); `None` otherwise.
    pub fn inner_range(&self, node: NodeId, value: &str) -> Option<TextRange> {
        let range = self.range(node);
        let source = self.text.get(range.as_usize())?;
        // Quoted when it starts and ends with the same quote (a range a syntax error cut
        // may end anywhere, even inside a multi-byte character).
        let inner = match source.as_bytes() {
            [open @ (b'"' | b'\''), .., close] if open == close => &source[1..source.len() - 1],
            _ => source,
        };
        let offset = (inner.as_ptr() as usize - source.as_ptr() as usize) as u32;
        (inner == value).then(|| {
            TextRange::new(
                range.start + offset,
                range.start + offset + value.len() as u32,
            )
        })
    }

    /// The `ports` of a service body, in either syntax.
    pub fn ports(&self, service: NodeId) -> Vec<PortEntry<'a>> {
        let Some(ports) = self.get(service, "ports") else {
            return Vec::new();
        };
        let tree = self.tree();
        self.items(ports)
            .into_iter()
            .filter_map(|item| {
                let node = tree.node(item)?;
                match &node.kind {
                    NodeKind::Scalar { value, style } => {
                        let text: &'a str = value;
                        // `-` with nothing after it (being typed): no port yet.
                        if text.is_empty() {
                            return None;
                        }
                        let (rest, protocol) = match text.rsplit_once('/') {
                            Some((rest, protocol)) => (rest, protocol),
                            None => (text, "tcp"),
                        };
                        // [ip:][published:]target; an IPv6 address may be in brackets,
                        // and without them is everything before the last two parts (as
                        // Docker splits it).
                        let (host_ip, rest) = match rest.strip_prefix('[') {
                            Some(v6) => {
                                let (ip, after) = v6.split_once("]:")?;
                                (Some(ip), after)
                            }
                            None if rest.matches(':').count() >= 2 => {
                                let (before_target, _) = rest.rsplit_once(':')?;
                                let (ip, _) = before_target.rsplit_once(':')?;
                                (Some(ip), &rest[ip.len() + 1..])
                            }
                            None => (None, rest),
                        };
                        let (published, target) = match rest.rsplit_once(':') {
                            Some((published, target)) => (Some(published), target),
                            None => (None, rest),
                        };
                        Some(PortEntry {
                            host_ip: host_ip.filter(|ip| !ip.is_empty()),
                            published: published.filter(|p| !p.is_empty()),
                            target,
                            protocol,
                            node: item,
                            range: node.range,
                            short: Some(ShortScalar { style: *style }),
                        })
                    }
                    NodeKind::Mapping(_) => Some(PortEntry {
                        host_ip: self.str_of(item, "host_ip"),
                        published: self.str_of(item, "published"),
                        target: self.str_of(item, "target")?,
                        protocol: self.str_of(item, "protocol").unwrap_or("tcp"),
                        node: item,
                        range: node.range,
                        short: None,
                    }),
                    _ => None,
                }
            })
            .collect()
    }

    /// The `volumes` of a service body, in either syntax.
    pub fn volumes(&self, service: NodeId) -> Vec<VolumeEntry<'a>> {
        let Some(volumes) = self.get(service, "volumes") else {
            return Vec::new();
        };
        let tree = self.tree();
        self.items(volumes)
            .into_iter()
            .filter_map(|item| {
                let node = tree.node(item)?;
                match &node.kind {
                    NodeKind::Scalar { value, style } => {
                        let text: &'a str = value;
                        if text.is_empty() {
                            return None;
                        }
                        let parts: Vec<&'a str> = split_volume(text);
                        let (source, target, mode) = match parts.as_slice() {
                            [target] => (None, *target, None),
                            [source, target] => (Some(*source), *target, None),
                            [source, target, mode, ..] => (Some(*source), *target, Some(*mode)),
                            [] => return None,
                        };
                        let kind = match source {
                            None => "volume",
                            Some(s) if is_host_path(s) => "bind",
                            Some(_) => "volume",
                        };
                        let read_only = mode.is_some_and(|m| m.split(',').any(|o| o == "ro"));
                        Some(VolumeEntry {
                            source,
                            target,
                            mode,
                            kind,
                            read_only,
                            node: item,
                            range: node.range,
                            short: Some(ShortScalar { style: *style }),
                        })
                    }
                    NodeKind::Mapping(_) => Some(VolumeEntry {
                        source: self.str_of(item, "source"),
                        target: self.str_of(item, "target")?,
                        mode: None,
                        kind: self.str_of(item, "type").unwrap_or("volume"),
                        read_only: self.str_of(item, "read_only") == Some("true"),
                        node: item,
                        range: node.range,
                        short: None,
                    }),
                    _ => None,
                }
            })
            .collect()
    }
}

/// `src:dst:mode` split on `:`, keeping a Windows drive letter (`C:\data`) with its path.
fn split_volume(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b':' {
            continue;
        }
        let drive = i == start + 1
            && bytes[start].is_ascii_alphabetic()
            && matches!(bytes.get(i + 1), Some(b'\\' | b'/'));
        if !drive {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A volume source that is a host path (bind mount) rather than a volume name.
pub fn is_host_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~', '$', '\\']) || source.as_bytes().get(1) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;
    use crate::syntax::compose::parse;

    fn with_service<T>(text: &str, f: impl FnOnce(&ComposeContext<'_>, NodeId) -> T) -> T {
        let parse = parse(text);
        let facts = ComposeFacts::default();
        let config = Config::default();
        let ctx = ComposeContext::new(text, &parse, &facts, &config);
        let body = ctx.services()[0].body.expect("service body");
        f(&ctx, body)
    }

    #[test]
    fn environment_in_both_forms() {
        let text = "services:\n  a:\n    environment:\n      - \"A=1\"\n      - B\n      - C=x=y\n";
        with_service(text, |ctx, s| {
            let env = ctx.environment(s);
            let names: Vec<_> = env.iter().map(|e| (e.name, e.value)).collect();
            assert_eq!(names, [("A", Some("1")), ("B", None), ("C", Some("x=y"))]);
            assert_eq!(&text[env[0].value_range.unwrap().as_usize()], "1");
            assert_eq!(&text[env[2].name_range.as_usize()], "C");
        });
        let text = "services:\n  a:\n    environment:\n      A: '1'\n      B:\n      C: 3\n";
        with_service(text, |ctx, s| {
            let env = ctx.environment(s);
            let names: Vec<_> = env.iter().map(|e| (e.name, e.value)).collect();
            assert_eq!(names, [("A", Some("1")), ("B", None), ("C", Some("3"))]);
            assert_eq!(&text[env[0].range.as_usize()], "A: '1'");
        });
    }

    #[test]
    fn ports_and_volumes_in_both_syntaxes() {
        let text = "services:\n  a:\n    ports:\n      - 80\n      - \"8080:80\"\n      - 127.0.0.1:5432:5432/udp\n      - \"[::1]:6379:6379\"\n      - \"::1:6380:6379\"\n      - target: 90\n        published: \"9090\"\n    volumes:\n      - ./src:/app:ro\n      - data:/var/lib\n      - /app/node_modules\n      - C:\\data:/data\n      - type: bind\n        source: ./x\n        target: /x\n        read_only: true\n";
        with_service(text, |ctx, s| {
            let ports: Vec<_> = ctx
                .ports(s)
                .iter()
                .map(|p| (p.host_ip, p.published, p.target, p.protocol))
                .collect();
            assert_eq!(
                ports,
                [
                    (None, None, "80", "tcp"),
                    (None, Some("8080"), "80", "tcp"),
                    (Some("127.0.0.1"), Some("5432"), "5432", "udp"),
                    (Some("::1"), Some("6379"), "6379", "tcp"),
                    (Some("::1"), Some("6380"), "6379", "tcp"),
                    (None, Some("9090"), "90", "tcp"),
                ]
            );
            let volumes: Vec<_> = ctx
                .volumes(s)
                .iter()
                .map(|v| (v.source, v.target, v.kind, v.read_only))
                .collect();
            assert_eq!(
                volumes,
                [
                    (Some("./src"), "/app", "bind", true),
                    (Some("data"), "/var/lib", "volume", false),
                    (None, "/app/node_modules", "volume", false),
                    (Some("C:\\data"), "/data", "bind", false),
                    (Some("./x"), "/x", "bind", true),
                ]
            );
        });
    }
}
