//! Document links of a compose file: the files and folders it names, as paths relative to
//! the compose file's folder.
//!
//! - a service's `build` context (`build: ./api` or `context:`), and its `dockerfile:`
//!   (relative to the context; the implied `Dockerfile` is written nowhere to link from);
//! - `env_file` paths: a string, a list of strings, or a list of `{path: ...}`;
//! - `extends.file`;
//! - `include` entries: a string, or `path:` (a string or a list), `env_file:` and
//!   `project_directory:`;
//! - the `file:` of top-level secrets and configs.
//!
//! Targets drop a leading `./`. Values that are URLs (`https://...`, `git@...`) or depend on a variable (`${...}`) get no
//! link, nor do values written with escapes or over several lines.

use super::ComposeAnalysis;
use super::navigation::{get, items, scalar_content, services};
use crate::ide::{DocumentLink, LinkTarget};
use crate::syntax::compose::{NodeId, NodeKind, YamlTree};

pub fn document_links(analysis: &ComposeAnalysis, text: &str) -> Vec<DocumentLink> {
    let tree = &analysis.parse.tree;
    let mut links = Links {
        tree,
        text,
        out: Vec::new(),
    };
    for (_, body) in services(tree) {
        links.service(body);
    }
    if let Some(root) = tree.root {
        for section in ["secrets", "configs"] {
            let Some(entries) = get(tree, root, section) else {
                continue;
            };
            for (_, entry) in tree.entries(entries) {
                if let Some(file) = entry.and_then(|e| get(tree, tree.resolve(e), "file")) {
                    links.path(file, None);
                }
            }
        }
        if let Some(include) = get(tree, root, "include") {
            let entries = match tree.node(include).map(|n| &n.kind) {
                Some(NodeKind::Sequence(_)) => items(tree, Some(include)),
                _ => vec![include],
            };
            for entry in entries {
                if tree.scalar(entry).is_some() {
                    links.path(entry, None);
                    continue;
                }
                for key in ["path", "env_file"] {
                    links.paths(get(tree, entry, key));
                }
                if let Some(dir) = get(tree, entry, "project_directory") {
                    links.path(dir, None);
                }
            }
        }
    }
    let mut out = links.out;
    out.sort_by_key(|l| (l.range.start, l.range.end));
    out.dedup_by_key(|l| l.range);
    out
}

struct Links<'a> {
    tree: &'a YamlTree,
    text: &'a str,
    out: Vec<DocumentLink>,
}

impl Links<'_> {
    fn service(&mut self, body: NodeId) {
        let tree = self.tree;
        if let Some(build) = get(tree, body, "build") {
            if tree.scalar(build).is_some() {
                self.path(build, None);
            } else {
                let context = get(tree, build, "context");
                if let Some(context) = context {
                    self.path(context, None);
                }
                let context_text = context.and_then(|c| tree.scalar(c)).unwrap_or(".");
                if let Some(dockerfile) = get(tree, build, "dockerfile")
                    && is_local(context_text)
                {
                    self.path(dockerfile, Some(context_text));
                }
            }
        }
        if let Some(env_file) = get(tree, body, "env_file") {
            match tree.node(env_file).map(|n| &n.kind) {
                Some(NodeKind::Sequence(_)) => {
                    for item in items(tree, Some(env_file)) {
                        match tree.scalar(item) {
                            Some(_) => self.path(item, None),
                            None => {
                                if let Some(path) = get(tree, item, "path") {
                                    self.path(path, None);
                                }
                            }
                        }
                    }
                }
                _ => self.path(env_file, None),
            }
        }
        if let Some(file) = get(tree, body, "extends").and_then(|e| get(tree, e, "file")) {
            self.path(file, None);
        }
    }

    /// A string or each string of a list.
    fn paths(&mut self, node: Option<NodeId>) {
        let Some(node) = node else {
            return;
        };
        if self.tree.scalar(node).is_some() {
            self.path(node, None);
        }
        for item in items(self.tree, Some(node)) {
            self.path(item, None);
        }
    }

    /// A link on the scalar `node`, a path relative to `base` (itself relative to the compose
    /// file's folder) or to the compose file's folder.
    fn path(&mut self, node: NodeId, base: Option<&str>) {
        let Some((range, value)) = scalar_content(self.tree, self.text, node) else {
            return;
        };
        if !is_local(value) || matches!(value, "" | ".") {
            return;
        }
        let target = match base {
            Some(base) if !value.starts_with('/') && !base.is_empty() => {
                format!("{}/{}", base.trim_end_matches('/'), without_dot(value))
            }
            _ => value.to_owned(),
        };
        let target = without_dot(&target).to_owned();
        self.out.push(DocumentLink {
            range,
            tooltip: Some(format!("Open {target}")),
            target: LinkTarget::RelativePath(target),
        });
    }
}

/// A path without its leading `./` (`.` and `./` alone stay).
fn without_dot(path: &str) -> &str {
    let mut path = path;
    while let Some(rest) = path.strip_prefix("./") {
        if rest.is_empty() {
            break;
        }
        path = rest.trim_start_matches('/');
    }
    path
}

/// A path on this disk: no URL, no variable.
fn is_local(path: &str) -> bool {
    !(path.contains("://") || path.starts_with("git@") || path.contains('$'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn links(text: &str) -> Vec<String> {
        let analysis =
            ComposeAnalysis::compute(text, None, |_| ComposeFacts::default(), &Config::default());
        document_links(&analysis, text)
            .into_iter()
            .map(|l| {
                let LinkTarget::RelativePath(target) = l.target else {
                    panic!("a path");
                };
                format!("{} -> {target}", &text[l.range.as_usize()])
            })
            .collect()
    }

    #[test]
    fn every_kind_of_path() {
        let text = "include:\n  - ./common.yaml\n  - path: [a.yaml, b.yaml]\n    env_file: a.env\n    project_directory: ./a\nservices:\n  web:\n    build: ./web\n    env_file: .env.web\n  api:\n    build:\n      context: \"./api\"\n      dockerfile: Dockerfile.dev\n    env_file:\n      - ./one.env\n      - path: ./two.env\n        required: false\n    extends:\n      file: ./base.yaml\n      service: base\n  root:\n    build:\n      dockerfile: docker/Dockerfile\n  remote:\n    build:\n      context: https://github.com/x/y.git\n      dockerfile: Dockerfile\n    env_file: ${ENV_FILE}\nsecrets:\n  token:\n    file: ./secrets/token.txt\nconfigs:\n  conf:\n    file: 'nginx.conf'\n";
        assert_eq!(
            links(text),
            [
                "./common.yaml -> common.yaml",
                "a.yaml -> a.yaml",
                "b.yaml -> b.yaml",
                "a.env -> a.env",
                "./a -> a",
                "./web -> web",
                ".env.web -> .env.web",
                "./api -> api",
                "Dockerfile.dev -> api/Dockerfile.dev",
                "./one.env -> one.env",
                "./two.env -> two.env",
                "./base.yaml -> base.yaml",
                "docker/Dockerfile -> docker/Dockerfile",
                "./secrets/token.txt -> secrets/token.txt",
                "nginx.conf -> nginx.conf",
            ]
        );
    }

    #[test]
    fn broken_files_keep_their_links() {
        let text = "services:\n  web:\n    build: ./web\n    ports: [\"80:80\"\n  api:\n    env_file: api.env\n";
        let found = links(text);
        assert!(
            found.contains(&"api.env -> api.env".to_owned()),
            "{found:?}"
        );
        for text in ["", "include: x", "services: [a]", "include:\n  - path:\n"] {
            let _ = links(text);
        }
    }
}
