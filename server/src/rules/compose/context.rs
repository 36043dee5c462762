//! What a compose rule gets to look at: the YAML tree with spans, the file's facts and the
//! configuration, with accessors for the parts of a compose file rules read most.

use std::cell::{Cell, OnceCell, RefCell};

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
    /// Its value as written, whatever its type (`None` when a syntax error cut it off).
    pub value: Option<NodeId>,
}

/// What rules read besides the service in focus (see [`ComposeContext::focus`]).
pub(crate) struct Reads {
    /// Services looked up by name.
    pub looked_up: Vec<String>,
    pub all_services: bool,
    pub line_numbers: bool,
    /// Whether a top-level section other than `services` was read.
    pub top_level: bool,
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
    /// The service rules look at one at a time (see [`ComposeContext::focus`]).
    focus: Cell<Option<usize>>,
    /// Services looked up by name while one is in focus.
    looked_up: RefCell<Vec<String>>,
    /// Whether all services were read while one is in focus.
    reads_all: Cell<bool>,
    /// Whether line numbers were read while one service is in focus (they change with
    /// edits above the service).
    reads_lines: Cell<bool>,
    /// Whether a top-level section other than `services` was read while one service is in
    /// focus.
    reads_top: Cell<bool>,
    /// Service name -> the key of the last service of that name.
    last_of_name: OnceCell<std::collections::HashMap<&'a str, NodeId>>,
    by_service: Cell<bool>,
    mappings: OnceCell<Vec<(u32, NodeId)>>,
    service_ranges: OnceCell<Vec<TextRange>>,
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
            focus: Cell::new(None),
            looked_up: RefCell::new(Vec::new()),
            reads_all: Cell::new(false),
            reads_lines: Cell::new(false),
            reads_top: Cell::new(false),
            last_of_name: OnceCell::new(),
            by_service: Cell::new(false),
            mappings: OnceCell::new(),
            service_ranges: OnceCell::new(),
        }
    }

    pub fn tree(&self) -> &'a YamlTree {
        &self.parse.tree
    }

    /// The value of a top-level key (`services`, `networks`, ...), aliases resolved (noted
    /// as read, while one service is in focus: `services` as reading every service).
    pub fn top(&self, key: &str) -> Option<NodeId> {
        if self.focus.get().is_some() {
            match key {
                "services" => self.reads_all.set(true),
                _ => self.reads_top.set(true),
            }
        }
        self.top_unnoted(key)
    }

    fn top_unnoted(&self, key: &str) -> Option<NodeId> {
        let tree = self.tree();
        tree.get(tree.root?, key).map(|v| tree.resolve(v))
    }

    /// The services a rule checks: every service in the order they are written (merge keys
    /// applied), or, while the engine checks one service at a time
    /// ([`ComposeContext::focus`]), that one.
    pub fn services(&self) -> &[Service<'a>] {
        let all = self.every_service();
        match self.focus.get() {
            Some(i) => std::slice::from_ref(&all[i]),
            None => all,
        }
    }

    /// Every service, also while one is in focus: a rule reading this depends on them all.
    pub fn all_services(&self) -> &[Service<'a>] {
        if self.focus.get().is_some() {
            self.reads_all.set(true);
        }
        self.every_service()
    }

    pub(super) fn every_service(&self) -> &[Service<'a>] {
        self.services.get_or_init(|| {
            let tree = self.tree();
            let Some(services) = self.top_unnoted("services") else {
                return Vec::new();
            };
            tree.entries(services)
                .into_iter()
                .filter_map(|(key, body)| {
                    Some(Service {
                        name: tree.scalar(key)?,
                        key,
                        value: body,
                        body: body.map(|b| tree.resolve(b)).filter(|&b| {
                            matches!(tree.node(b).map(|n| &n.kind), Some(NodeKind::Mapping(_)))
                        }),
                    })
                })
                .collect()
        })
    }

    /// The service named `name` (noted as read, while one service is in focus).
    pub fn service(&self, name: &str) -> Option<&Service<'a>> {
        let index = self.service_index.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            for (i, s) in self.every_service().iter().enumerate() {
                index.entry(s.name).or_insert(i);
            }
            index
        });
        if self.focus.get().is_some() {
            self.looked_up.borrow_mut().push(name.to_owned());
        }
        index.get(name).map(|&i| &self.every_service()[i])
    }

    /// Whether `service` is the last one written with its name (the one Compose keeps).
    pub fn is_last_of_name(&self, service: &Service<'a>) -> bool {
        let last = self.last_of_name.get_or_init(|| {
            let mut last = std::collections::HashMap::new();
            for s in self.every_service() {
                last.insert(s.name, s.key);
            }
            last
        });
        if self.focus.get().is_some() {
            self.looked_up.borrow_mut().push(service.name.to_owned());
        }
        last.get(service.name) == Some(&service.key)
    }

    /// The lines of `service`: from its key's line to the next service's key line (the last
    /// service's to the end of `services:`).
    pub fn service_range(&self, service: &Service<'a>) -> TextRange {
        let all = self.every_service();
        let ranges = self.service_ranges();
        let start = self.range(service.key).start;
        let i = all.partition_point(|s| self.range(s.key).start < start);
        ranges
            .get(i)
            .copied()
            .unwrap_or_else(|| self.range(service.key))
    }

    /// [`ComposeContext::service_range`] of every service, in their order.
    pub fn service_ranges(&self) -> &[TextRange] {
        self.service_ranges.get_or_init(|| {
            let services = self.every_service();
            let end = self
                .top_unnoted("services")
                .map_or(self.text.len() as u32, |s| self.range(s).end);
            let starts: Vec<u32> = services
                .iter()
                .map(|s| self.line_start(self.range(s.key).start))
                .collect();
            starts
                .iter()
                .enumerate()
                .map(|(i, &start)| {
                    let next = starts.get(i + 1).copied().unwrap_or(end);
                    TextRange::new(start, next.max(start))
                })
                .collect()
        })
    }

    /// The mappings with more than one entry, by where they start (for finding repeated
    /// keys in one part of the file).
    pub fn mappings_with_entries(&self) -> &[(u32, NodeId)] {
        self.mappings.get_or_init(|| {
            let mut out: Vec<(u32, NodeId)> = self
                .tree()
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| matches!(&n.kind, NodeKind::Mapping(e) if e.len() > 1))
                .map(|(id, n)| (n.range.start, id))
                .collect();
            out.sort_unstable();
            out
        })
    }

    /// Whether the rules run one service at a time (see [`ComposeScope::Both`]).
    ///
    /// [`ComposeScope::Both`]: super::ComposeScope::Both
    pub fn by_service(&self) -> bool {
        self.by_service.get()
    }

    pub(crate) fn set_by_service(&self, on: bool) {
        self.by_service.set(on);
    }

    /// Makes [`ComposeContext::services`] give only the service at `index` of
    /// [`ComposeContext::all_services`] (`None`: all again), and starts noting which other
    /// services the rules read.
    pub(crate) fn focus(&self, index: Option<usize>) {
        self.focus.set(index);
        self.looked_up.borrow_mut().clear();
        self.reads_all.set(false);
        self.reads_lines.set(false);
        self.reads_top.set(false);
    }

    /// What was read since [`ComposeContext::focus`] besides the service in focus.
    pub(crate) fn reads(&self) -> Reads {
        Reads {
            looked_up: std::mem::take(&mut *self.looked_up.borrow_mut()),
            all_services: self.reads_all.get(),
            line_numbers: self.reads_lines.get(),
            top_level: self.reads_top.get(),
        }
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
                || self.every_service().iter().any(|s| {
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
        if self.focus.get().is_some() {
            self.reads_lines.set(true);
        }
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
