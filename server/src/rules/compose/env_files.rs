//! The `env_file` entries of a service, in the string, list and long forms.

use super::ComposeContext;
use crate::syntax::compose::{NodeId, NodeKind};

/// One `env_file` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvFileEntry<'a> {
    pub path: &'a str,
    /// `required: false` (long form) makes a missing file fine.
    pub required: bool,
    /// The path's scalar node.
    pub node: NodeId,
    /// The whole entry: the path scalar (string and list forms) or the `{path, required}`
    /// mapping.
    pub entry: NodeId,
    /// Whether the entry is the only value of `env_file:` (string form).
    pub alone: bool,
}

impl<'a> ComposeContext<'a> {
    pub fn env_files(&self, service: NodeId) -> Vec<EnvFileEntry<'a>> {
        let Some(value) = self.get(service, "env_file") else {
            return Vec::new();
        };
        let tree = self.tree();
        let one = |item: NodeId, alone: bool| -> Option<EnvFileEntry<'a>> {
            match tree.node(item).map(|n| &n.kind) {
                Some(NodeKind::Scalar { .. }) => Some(EnvFileEntry {
                    path: self.scalar(item)?,
                    required: true,
                    node: item,
                    entry: item,
                    alone,
                }),
                Some(NodeKind::Mapping(_)) => {
                    let node = self.get(item, "path")?;
                    Some(EnvFileEntry {
                        path: self.scalar(node)?,
                        required: self.str_of(item, "required") != Some("false"),
                        node,
                        entry: item,
                        alone,
                    })
                }
                _ => None,
            }
        };
        match tree.node(value).map(|n| &n.kind) {
            Some(NodeKind::Sequence(_)) => self
                .items(value)
                .into_iter()
                .filter_map(|i| one(i, false))
                .collect::<Vec<_>>(),
            _ => one(value, true).into_iter().collect(),
        }
        .into_iter()
        .filter(|e| !e.path.is_empty() && !e.path.contains("${"))
        .collect()
    }
}
