//! What a compose rule gets to look at: the YAML tree with spans, the file's facts and the
//! configuration, with accessors for the parts of a compose file rules read most.

use std::cell::OnceCell;

use crate::config::Config;
use crate::facts::ComposeFacts;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, YamlParse, YamlTree};

/// One entry of the top-level `services:` mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service<'a> {
    pub name: &'a str,
    /// The service's key node (`web` in `web:`).
    pub key: NodeId,
    /// Its body, when it is a mapping: `None` for `backend:` with nothing after it, a
    /// value of another type, or a key a syntax error cut off (CP001 reports those).
    pub body: Option<NodeId>,
}

/// What a compose rule gets to look at.
pub struct ComposeContext<'a> {
    pub text: &'a str,
    pub parse: &'a YamlParse,
    pub facts: &'a ComposeFacts,
    pub config: &'a Config,
    services: OnceCell<Vec<Service<'a>>>,
    /// Service name -> its place in `services` (the first, should a name repeat).
    service_index: OnceCell<std::collections::HashMap<&'a str, usize>>,
    production: OnceCell<bool>,
    /// The file's indentation step, found on first use (see [`ComposeContext::indent_unit`]).
    pub(super) indent_unit: OnceCell<&'static str>,
    line_starts: OnceCell<Vec<u32>>,
}

impl<'a> ComposeContext<'a> {
    pub fn new(
        text: &'a str,
        parse: &'a YamlParse,
        facts: &'a ComposeFacts,
        config: &'a Config,
    ) -> Self {
        ComposeContext {
            text,
            parse,
            facts,
            config,
            services: OnceCell::new(),
            service_index: OnceCell::new(),
            production: OnceCell::new(),
            indent_unit: OnceCell::new(),
            line_starts: OnceCell::new(),
        }
    }

    pub fn tree(&self) -> &'a YamlTree {
        &self.parse.tree
    }

    /// The value of a top-level key (`services`, `networks`, ...), aliases resolved.
    pub fn top(&self, key: &str) -> Option<NodeId> {
        let tree = self.tree();
        tree.get(tree.root?, key).map(|v| tree.resolve(v))
    }

    /// The services in the order they are written (merge keys applied).
    pub fn services(&self) -> &[Service<'a>] {
        self.services.get_or_init(|| {
            let tree = self.tree();
            let Some(services) = self.top("services") else {
                return Vec::new();
            };
            tree.entries(services)
                .into_iter()
                .filter_map(|(key, body)| {
                    Some(Service {
                        name: tree.scalar(key)?,
                        key,
                        body: body.map(|b| tree.resolve(b)).filter(|&b| {
                            matches!(tree.node(b).map(|n| &n.kind), Some(NodeKind::Mapping(_)))
                        }),
                    })
                })
                .collect()
        })
    }

    /// The service named `name`.
    pub fn service(&self, name: &str) -> Option<&Service<'a>> {
        let index = self.service_index.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            for (i, s) in self.services().iter().enumerate() {
                index.entry(s.name).or_insert(i);
            }
            index
        });
        index.get(name).map(|&i| &self.services()[i])
    }

    /// Whether this is a production file, where several rules report at a higher severity:
    /// its name contains `prod` (`compose.prod.yaml`, `docker-compose.production.yml`), its
    /// path matches a `production-files` glob of the configuration, or a service sets
    /// `NODE_ENV=production`.
    pub fn is_production(&self) -> bool {
        *self.production.get_or_init(|| {
            let by_name = self
                .facts
                .file_name
                .as_deref()
                .is_some_and(|n| n.to_ascii_lowercase().contains("prod"));
            by_name
                || self.in_production_files()
                || self.services().iter().any(|s| {
                    s.body.is_some_and(|body| {
                        self.environment(body)
                            .iter()
                            .any(|e| e.name == "NODE_ENV" && e.value == Some("production"))
                    })
                })
        })
    }

    /// Whether the file's path matches a `production-files` glob of the configuration
    /// (matched against the end of the path: `deploy/*.yaml` matches `.../deploy/app.yaml`).
    fn in_production_files(&self) -> bool {
        let (Some(path), globs) = (&self.facts.path, &self.config.options.production_files) else {
            return false;
        };
        if globs.is_empty() {
            return false;
        }
        let mut set = globset::GlobSetBuilder::new();
        for glob in globs {
            let glob = glob.trim_start_matches("./");
            if let Ok(glob) = globset::Glob::new(&format!("**/{glob}")) {
                set.add(glob);
            }
        }
        set.build().is_ok_and(|set| set.is_match(path))
    }

    /// The value of `key` in the mapping `node`, aliases resolved.
    pub fn get(&self, node: NodeId, key: &str) -> Option<NodeId> {
        let tree = self.tree();
        tree.get(node, key).map(|v| tree.resolve(v))
    }

    /// The key node and value of `key` in the mapping `node` (the last when a key repeats).
    pub fn entry(&self, node: NodeId, key: &str) -> Option<(NodeId, Option<NodeId>)> {
        let tree = self.tree();
        tree.entries(node)
            .into_iter()
            .rev()
            .find(|(k, _)| tree.scalar(*k) == Some(key))
            .map(|(k, v)| (k, v.map(|v| tree.resolve(v))))
    }

    /// The text of a scalar (aliases resolved).
    pub fn scalar(&self, node: NodeId) -> Option<&'a str> {
        let tree = self.tree();
        tree.scalar(tree.resolve(node))
    }

    /// The items of a sequence (aliases resolved); empty for anything else.
    pub fn items(&self, node: NodeId) -> Vec<NodeId> {
        let tree = self.tree();
        match tree.node(tree.resolve(node)).map(|n| &n.kind) {
            Some(NodeKind::Sequence(items)) => items.iter().map(|&i| tree.resolve(i)).collect(),
            _ => Vec::new(),
        }
    }

    /// Where a node is written.
    pub fn range(&self, node: NodeId) -> TextRange {
        self.tree()
            .node(node)
            .map_or(TextRange::empty(0), |n| n.range)
    }

    /// The line ending the file uses, for inserted lines.
    pub fn line_ending(&self) -> &'static str {
        // The first line break says it (a file mixing both is rare and either will do).
        let first = memchr::memchr(b'\n', self.text.as_bytes());
        if first.is_some_and(|i| i > 0 && self.text.as_bytes()[i - 1] == b'\r') {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: u32) -> u32 {
        let starts = self.line_starts();
        starts[starts.partition_point(|&s| s <= offset) - 1]
    }

    /// 1-based line of a byte offset, for messages that point at another place.
    pub fn line_number(&self, offset: u32) -> usize {
        self.line_starts().partition_point(|&s| s <= offset)
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production(text: &str, path: &str, globs: &[&str]) -> bool {
        let parse = crate::syntax::compose::parse(text);
        let facts = ComposeFacts {
            file_name: std::path::Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            path: Some(path.into()),
            project: None,
        };
        let mut config = Config::default();
        config.options.production_files = globs.iter().map(|g| (*g).to_owned()).collect();
        ComposeContext::new(text, &parse, &facts, &config).is_production()
    }

    #[test]
    fn production_files_by_name_glob_or_node_env() {
        let plain = "services:\n  web:\n    image: nginx:1.27\n";
        assert!(!production(plain, "/p/compose.yaml", &[]));
        assert!(production(plain, "/p/compose.prod.yaml", &[]));
        assert!(production(
            plain,
            "/p/deploy/stack.yaml",
            &["deploy/*.yaml"]
        ));
        assert!(!production(plain, "/p/dev/stack.yaml", &["deploy/*.yaml"]));
        let node =
            "services:\n  web:\n    image: x\n    environment:\n      - NODE_ENV=production\n";
        assert!(production(node, "/p/compose.yaml", &[]));
    }
}
