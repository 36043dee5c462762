//! YAML for compose files: `saphyr-parser`'s event stream built into our own tree, with a
//! byte range on every node, that never fails.
//!
//! - The tree is an arena (`Vec<Node>`): building it is iterative, so a 100,000-deep nesting
//!   cannot overflow the stack; nesting past [`MAX_DEPTH`] stops the build with an error.
//! - A syntax error ends the event stream, not the tree: what was built before it stays, with
//!   the collections still open closed at the error, and the line with the error is blanked
//!   and the text read again (a few times at most), so features keep working around a
//!   half-typed line.
//! - Aliases stay references to their anchor's node (nothing is expanded here), so an alias
//!   bomb costs one node per alias. `<<` merge keys are applied when entries are read
//!   ([`YamlTree::entries`]), with the anchor's own nodes and ranges.
//! - `saphyr-parser` reports places in characters; ranges here are UTF-8 byte offsets, like
//!   the rest of dockwise.

mod incremental;
mod segments;
pub use incremental::reparse;
pub use segments::parse_by_entries;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::syntax::TextRange;

/// How deep collections may nest; compose files use a handful of levels.
pub const MAX_DEPTH: usize = 256;

/// An index into [`YamlTree::nodes`].
pub type NodeId = usize;

/// A parsed YAML document.
#[derive(Clone, Debug, Default)]
pub struct YamlParse {
    pub tree: YamlTree,
    pub errors: Vec<YamlError>,
    /// The errors were read past entry by entry ([`parse_by_entries`]): each top-level
    /// entry and each service holds its own errors, so an edit in one can be re-read alone.
    pub by_entries: bool,
    /// The entries found from the lines, when they were (kept for the next edit).
    layout: Option<std::sync::Arc<segments::Layout>>,
}

impl YamlParse {
    /// Finds the entries from the lines now, if not yet done, so that the first edit that
    /// needs them ([`reparse`]) does not: an editor opening a file can afford it, a CLI
    /// check has no use for it.
    pub fn keep_layout(&mut self, text: &str) {
        if self.layout.is_none() {
            self.layout = segments::split(text).map(std::sync::Arc::new);
        }
    }
}

/// A syntax error (or a limit reached) and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub range: TextRange,
}

/// The nodes of the first document; `root` is its top node.
#[derive(Clone, Debug, Default)]
pub struct YamlTree {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// From the first byte of the node to its end (for collections, through their last
    /// entry; at the error for collections a syntax error left open).
    pub range: TextRange,
    /// The anchor id (`&name` in the source), if the node has one.
    pub anchor: Option<usize>,
    /// The tag as written (`!reset`, `!override`), if any.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Key and value pairs, in order; a key whose value a syntax error cut off has `None`.
    Mapping(Vec<(NodeId, Option<NodeId>)>),
    Sequence(Vec<NodeId>),
    Scalar {
        value: std::sync::Arc<str>,
        style: ScalarKind,
    },
    /// `*name`: the anchored node it stands for (`None` for an unknown anchor).
    Alias(Option<NodeId>),
}

/// How a scalar was written: plain scalars are the ones YAML reads as numbers, booleans and
/// null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Plain,
    Quoted,
    Block,
}

/// A plain scalar that a YAML 1.1 reader (older Compose, many other tools) reads differently
/// from YAML 1.2: the traps compose rules warn about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Yaml11Trap {
    /// `yes`, `no`, `on`, `off`, `y`, `n` (any case): a boolean in YAML 1.1, a string in 1.2.
    Boolean(bool),
    /// `22:22`, `1:30:00`: a base-60 number in YAML 1.1 (`22:22` is 1342).
    Sexagesimal(u64),
    /// `0755`: an octal number in YAML 1.1, a decimal one in 1.2.
    Octal(u64),
}

/// How a tag changes what a value does when Compose merges files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeTag {
    /// `!reset`: the value is removed (reset to the default) instead of merged.
    Reset,
    /// `!override`: the value replaces the one merged into, instead of merging with it.
    Override,
}

impl Node {
    /// The YAML 1.1 reading of a plain scalar, when it differs from YAML 1.2's.
    pub fn yaml11_trap(&self) -> Option<Yaml11Trap> {
        let NodeKind::Scalar {
            value,
            style: ScalarKind::Plain,
        } = &self.kind
        else {
            return None;
        };
        if self.tag.is_some() {
            return None;
        }
        match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "on" => return Some(Yaml11Trap::Boolean(true)),
            "no" | "n" | "off" => return Some(Yaml11Trap::Boolean(false)),
            _ => {}
        }
        let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
        if digits.contains(':') {
            // YAML 1.1: [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
            let mut parts = digits.split(':');
            let first = parts.next()?.replace('_', "");
            if first.is_empty()
                || first.starts_with('0')
                || !first.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let mut total: u64 = first.parse().ok()?;
            for part in parts {
                let ok = (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
                let n: u64 = part.parse().ok().filter(|n| ok && *n < 60)?;
                total = total.checked_mul(60)?.checked_add(n)?;
            }
            return Some(Yaml11Trap::Sexagesimal(total));
        }
        if digits.len() > 1
            && digits.starts_with('0')
            && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
        {
            return u64::from_str_radix(&digits[1..], 8)
                .ok()
                .map(Yaml11Trap::Octal);
        }
        None
    }

    /// `!reset` or `!override` on this node.
    pub fn merge_tag(&self) -> Option<MergeTag> {
        match self.tag.as_deref()? {
            "!reset" => Some(MergeTag::Reset),
            "!override" => Some(MergeTag::Override),
            _ => None,
        }
    }
}

impl YamlTree {
    /// An indented dump for `dockwise parse`: one node per line with its byte range (a node's
    /// range includes its anchor and tag), mapping keys before their values, anchors, tags
    /// and aliases' targets.
    pub fn debug_dump(&self) -> String {
        let mut out = String::new();
        // (node, depth, key prefix); a stack, not recursion.
        let mut stack: Vec<(NodeId, usize, String)> = self
            .root
            .map(|r| (r, 0, String::new()))
            .into_iter()
            .collect();
        while let Some((id, depth, prefix)) = stack.pop() {
            let indent = "  ".repeat(depth);
            let Some(node) = self.node(id) else {
                // A key whose value a syntax error cut off.
                out.push_str(&format!("{indent}{prefix}\n"));
                continue;
            };
            let range = node.range;
            let mut extra = String::new();
            if let Some(anchor) = node.anchor {
                extra.push_str(&format!(" &{anchor}"));
            }
            if let Some(tag) = &node.tag {
                extra.push_str(&format!(" {tag}"));
            }
            match &node.kind {
                NodeKind::Mapping(entries) => {
                    out.push_str(&format!("{indent}{prefix}Mapping@{range:?}{extra}\n"));
                    for (key, value) in entries.iter().rev() {
                        let key_text = self.scalar(*key).unwrap_or("?");
                        let key_range = self.node(*key).map_or(range, |k| k.range);
                        match value {
                            Some(v) => {
                                stack.push((*v, depth + 1, format!("{key_text:?}@{key_range:?}: ")))
                            }
                            None => stack.push((
                                usize::MAX,
                                depth + 1,
                                format!("{key_text:?}@{key_range:?}: (missing)"),
                            )),
                        }
                    }
                }
                NodeKind::Sequence(items) => {
                    out.push_str(&format!("{indent}{prefix}Sequence@{range:?}{extra}\n"));
                    for item in items.iter().rev() {
                        stack.push((*item, depth + 1, "- ".to_owned()));
                    }
                }
                NodeKind::Scalar { value, style } => {
                    out.push_str(&format!(
                        "{indent}{prefix}{style:?}@{range:?}{extra} {value:?}\n"
                    ));
                }
                NodeKind::Alias(target) => {
                    let to = target.map_or("unknown anchor".to_owned(), |t| format!("node {t}"));
                    out.push_str(&format!("{indent}{prefix}Alias@{range:?} -> {to}\n"));
                }
            }
        }
        out
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// The value of `key` in the mapping `id` (the last one when a key repeats), merged
    /// entries included (see [`YamlTree::entries`]).
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        let Some(NodeKind::Mapping(own)) = self.node(self.resolve(id)).map(|n| &n.kind) else {
            return None;
        };
        // Most mappings merge nothing: look at their own entries without building a list.
        if !own.iter().any(|(k, _)| self.scalar(*k) == Some("<<")) {
            return own
                .iter()
                .rev()
                .find(|(k, _)| self.scalar(*k) == Some(key))
                .and_then(|(_, v)| *v);
        }
        self.entries(id)
            .into_iter()
            .rev()
            .find(|(k, _)| self.scalar(*k) == Some(key))
            .and_then(|(_, v)| v)
    }

    /// The node an alias stands for (the node itself when it is no alias).
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.node(id).map(|n| &n.kind) {
            Some(NodeKind::Alias(Some(target))) => *target,
            _ => id,
        }
    }

    /// The entries of mapping `id` as Compose reads them: `<<: *anchor` (or a list of
    /// aliases) merges the anchored mappings' entries in, earlier ones winning over later
    /// ones and the mapping's own keys over all of them. Merged entries are the anchor's
    /// own nodes, so their ranges point where they are written. Merged mappings are not
    /// merged into further (one level, as compose files use it).
    pub fn entries(&self, id: NodeId) -> Vec<(NodeId, Option<NodeId>)> {
        let Some(NodeKind::Mapping(own)) = self.node(self.resolve(id)).map(|n| &n.kind) else {
            return Vec::new();
        };
        if !own.iter().any(|(k, _)| self.scalar(*k) == Some("<<")) {
            return own.clone();
        }
        let is_merge = |k: NodeId| {
            self.scalar(k) == Some("<<")
                && self.node(k).is_some_and(|n| {
                    matches!(
                        n.kind,
                        NodeKind::Scalar {
                            style: ScalarKind::Plain,
                            ..
                        }
                    )
                })
        };
        let mut merged: Vec<(NodeId, Option<NodeId>)> = Vec::new();
        for (_, value) in own.iter().filter(|(k, _)| is_merge(*k)) {
            let Some(value) = value.map(|v| self.resolve(v)) else {
                continue;
            };
            let sources: Vec<NodeId> = match &self.nodes[value].kind {
                NodeKind::Sequence(items) => items.iter().map(|&i| self.resolve(i)).collect(),
                _ => vec![value],
            };
            for source in sources {
                if let Some(NodeKind::Mapping(entries)) = self.node(source).map(|n| &n.kind) {
                    for &(k, v) in entries {
                        let name = self.scalar(k);
                        let known = merged.iter().any(|(m, _)| self.scalar(*m) == name);
                        if !is_merge(k) && !known {
                            merged.push((k, v));
                        }
                    }
                }
            }
        }
        let own_has = |name: Option<&str>| {
            own.iter()
                .any(|(k, _)| !is_merge(*k) && self.scalar(*k) == name)
        };
        let mut out: Vec<(NodeId, Option<NodeId>)> = merged
            .into_iter()
            .filter(|(k, _)| !own_has(self.scalar(*k)))
            .collect();
        out.extend(own.iter().copied().filter(|(k, _)| !is_merge(*k)));
        out
    }

    /// Where a node's content ends: the end of its last scalar (or alias, or empty
    /// collection). A block collection's own range runs on to where the next token starts,
    /// past comments and blank lines; edits want the end of what is written.
    pub fn content_end(&self, id: NodeId) -> u32 {
        self.node(self.last_node(id)).map_or(0, |n| n.range.end)
    }

    /// The node written last within `id`: its last entry's value (or key), item, and so on
    /// down; `id` itself for a scalar or an empty collection.
    pub fn last_node(&self, id: NodeId) -> NodeId {
        let mut at = id;
        loop {
            let Some(node) = self.node(at) else {
                return at;
            };
            let last = match &node.kind {
                NodeKind::Mapping(entries) => entries.last().map(|&(k, v)| v.unwrap_or(k)),
                NodeKind::Sequence(items) => items.last().copied(),
                _ => None,
            };
            match last {
                Some(next) => at = next,
                None => return at,
            }
        }
    }

    /// The node at a path of mapping keys from the root.
    pub fn path(&self, keys: &[&str]) -> Option<NodeId> {
        keys.iter()
            .try_fold(self.root?, |node, key| self.get(node, key))
    }

    /// The text of a scalar node.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.node(id)?.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// At most this many lines are blanked to read past syntax errors.
const MAX_RECOVERIES: usize = 4;

/// Parses the first document of `text`. Never fails: every syntax error is reported, and the
/// tree holds what could be read around them.
///
/// Recovery: when the text does not read cleanly, each top-level entry and each service is
/// read on its own where the file's layout allows it ([`segments`]), so an error stays in
/// its entry; otherwise the whole text is recovered ([`recover`]).
pub fn parse(text: &str) -> YamlParse {
    let first = parse_once(text);
    let Some(first_error) = first.errors.first() else {
        return first;
    };
    if first_error.message == too_deep_message() {
        return first;
    }
    if let Some(by_entries) = segments::parse_by_entries(text) {
        return by_entries;
    }
    recover(text, first, text.len()).0
}

/// Reads past the syntax errors of `text`, given its first reading `first` (which has one).
///
/// The line holding an error (or the line before it, whichever reads further) is blanked
/// (its bytes replaced by spaces, so every offset stays) and the text parsed again, up to
/// [`MAX_RECOVERIES`] times, so the keys after a half-typed line are still there. Only lines
/// starting before `limit` are blanked. The tree comes from the last round; the errors from
/// every round that read further than the one before. Also returns where the last round
/// stopped reading (`None`: at the end).
fn recover(text: &str, mut first: YamlParse, limit: usize) -> (YamlParse, Option<usize>) {
    let Some(first_error) = first.errors.first().cloned() else {
        return (first, None);
    };
    let mut stopped = Some(first_error.range.start as usize);
    if first_error.message == too_deep_message() {
        return (first, stopped);
    }
    let mut blanked = text.as_bytes().to_vec();
    let mut errors = vec![first_error];
    let mut tree = None;
    for _ in 0..MAX_RECOVERIES {
        let at = errors.last().map_or(0, |e| e.range.start as usize);
        // The culprit is the error's line, or the line before it (a half-typed word there
        // runs on into the error's line as a multi-line plain scalar): keep whichever
        // blanking reads further.
        let (start, end) = line_around(&blanked, at);
        let mut candidates = Vec::with_capacity(2);
        if start < limit {
            candidates.push((start, end));
        }
        if let Some(previous) = previous_line(&blanked, start.min(limit)) {
            candidates.push(previous);
        }
        let mut best: Option<(Vec<u8>, YamlParse, usize)> = None;
        for (from, to) in candidates {
            // The first attempt reading to the end cannot be beaten (ties go to the first).
            if best.as_ref().is_some_and(|(_, _, r)| *r == usize::MAX) {
                break;
            }
            let mut attempt = blanked.clone();
            for b in &mut attempt[from..to] {
                *b = b' ';
            }
            // Whole lines' bytes became ASCII spaces: still UTF-8.
            let Ok(again) = std::str::from_utf8(&attempt) else {
                continue;
            };
            let round = parse_once(again);
            let reached = round
                .errors
                .first()
                .map_or(usize::MAX, |e| e.range.start as usize);
            if best.as_ref().is_none_or(|(_, _, r)| reached > *r) {
                best = Some((attempt, round, reached));
            }
        }
        let Some((attempt, round, reached)) = best else {
            break;
        };
        if reached <= at {
            break;
        }
        blanked = attempt;
        tree = Some(round.tree);
        stopped = (reached != usize::MAX).then_some(reached);
        match round.errors.into_iter().next() {
            None => break,
            Some(e) => errors.push(e),
        }
    }
    if let Some(tree) = tree {
        first.tree = tree;
    }
    first.errors = errors;
    (first, stopped)
}

/// The line before the one starting at `line_start` that has more than blanks, if any.
fn previous_line(bytes: &[u8], line_start: usize) -> Option<(usize, usize)> {
    let mut end = line_start.checked_sub(1)?;
    loop {
        let (start, line_end) = line_around(bytes, end);
        if bytes[start..line_end]
            .iter()
            .any(|b| !b.is_ascii_whitespace())
        {
            return Some((start, line_end));
        }
        end = start.checked_sub(1)?;
    }
}

/// The error for nesting past [`MAX_DEPTH`] (no recovery reads past it).
fn too_deep_message() -> String {
    format!("collections nest deeper than {MAX_DEPTH} levels; the rest is not read")
}

/// The byte range of the line holding `at`, without its line break.
fn line_around(bytes: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(bytes.len());
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| at + i);
    (start, end)
}

/// One pass of the parser: the events up to the first error.
fn parse_once(text: &str) -> YamlParse {
    let offsets = ByteOffsets::new(text);
    let mut builder = Builder::default();
    let mut errors = Vec::new();
    let mut parser = Parser::new_from_str(text);
    let mut at_error = None;
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let range = offsets.range(span);
                match builder.push(event, range) {
                    Flow::Continue => {}
                    Flow::DocumentDone => break,
                    Flow::TooDeep => {
                        errors.push(YamlError {
                            message: too_deep_message(),
                            range,
                        });
                        at_error = Some(range.start);
                        break;
                    }
                }
            }
            Some(Err(e)) => {
                let at = offsets.byte(e.marker().index());
                errors.push(YamlError {
                    message: e.info().to_owned(),
                    range: TextRange::new(at, at),
                });
                at_error = Some(at);
                break;
            }
        }
    }
    let tree = builder.finish(at_error.unwrap_or(text.len() as u32));
    YamlParse {
        tree,
        errors,
        by_entries: false,
        layout: None,
    }
}

/// What the event loop does next.
enum Flow {
    Continue,
    DocumentDone,
    TooDeep,
}

/// A collection still receiving entries.
#[derive(Debug)]
enum Open {
    Mapping {
        id: NodeId,
        entries: Vec<(NodeId, Option<NodeId>)>,
        key: Option<NodeId>,
    },
    Sequence {
        id: NodeId,
        items: Vec<NodeId>,
    },
}

#[derive(Debug, Default)]
struct Builder {
    nodes: Vec<Node>,
    open: Vec<Open>,
    root: Option<NodeId>,
    /// Anchor id -> node, as anchors are defined.
    anchors: Vec<Option<NodeId>>,
    documents: usize,
}

impl Builder {
    fn push(&mut self, event: Event<'_>, range: TextRange) -> Flow {
        let is_mapping = matches!(event, Event::MappingStart(..));
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Flow::DocumentDone;
                }
            }
            Event::DocumentEnd => return Flow::DocumentDone,
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => ScalarKind::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => ScalarKind::Quoted,
                    _ => ScalarKind::Block,
                };
                let id = self.node(
                    NodeKind::Scalar {
                        value: value.into(),
                        style,
                    },
                    range,
                    anchor,
                    tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                );
                self.attach(id);
            }
            Event::Alias(anchor) => {
                let target = self.anchors.get(anchor).copied().flatten();
                let id = self.node(NodeKind::Alias(target), range, 0, None);
                self.attach(id);
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                if self.open.len() >= MAX_DEPTH {
                    return Flow::TooDeep;
                }
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                // The kind is set when the collection closes.
                let id = self.node(NodeKind::Sequence(Vec::new()), range, anchor, tag);
                self.attach(id);
                self.open.push(if is_mapping {
                    Open::Mapping {
                        id,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Open::Sequence {
                        id,
                        items: Vec::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.close(range.end);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Flow::Continue
    }

    fn node(
        &mut self,
        kind: NodeKind,
        range: TextRange,
        anchor: usize,
        tag: Option<String>,
    ) -> NodeId {
        let id = self.nodes.len();
        let anchor = (anchor > 0).then_some(anchor);
        if let Some(a) = anchor {
            if self.anchors.len() <= a {
                self.anchors.resize(a + 1, None);
            }
            self.anchors[a] = Some(id);
        }
        self.nodes.push(Node {
            kind,
            range,
            anchor,
            tag,
        });
        id
    }

    /// Makes `id` the next key, value or item of the innermost open collection.
    fn attach(&mut self, id: NodeId) {
        match self.open.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(id);
                }
            }
            Some(Open::Sequence { items, .. }) => items.push(id),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(id),
                Some(k) => entries.push((k, Some(id))),
            },
        }
    }

    /// Ends the innermost open collection at `end`.
    fn close(&mut self, end: u32) {
        let Some(open) = self.open.pop() else {
            return;
        };
        let (id, kind) = match open {
            Open::Mapping {
                id,
                mut entries,
                key,
            } => {
                if let Some(k) = key {
                    entries.push((k, None));
                }
                (id, NodeKind::Mapping(entries))
            }
            Open::Sequence { id, items } => (id, NodeKind::Sequence(items)),
        };
        if let Some(node) = self.nodes.get_mut(id) {
            node.kind = kind;
            node.range = TextRange::new(node.range.start, end.max(node.range.start));
        }
    }

    fn finish(mut self, end: u32) -> YamlTree {
        while !self.open.is_empty() {
            self.close(end);
        }
        YamlTree {
            nodes: self.nodes,
            root: self.root,
        }
    }
}

/// Char index -> byte offset (the parser counts characters).
struct ByteOffsets {
    /// Byte offset of each char index, for non-ASCII text; empty when they are the same.
    table: Vec<u32>,
    len: u32,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i as u32).collect()
        };
        ByteOffsets {
            table,
            len: text.len() as u32,
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        if self.table.is_empty() {
            (char_index as u32).min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn range(&self, span: Span) -> TextRange {
        let start = self.byte(span.start.index());
        TextRange::new(start, self.byte(span.end.index()).max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'t>(text: &'t str, parse: &YamlParse, id: Option<NodeId>) -> &'t str {
        let node = parse.tree.node(id.expect("a node")).expect("in the tree");
        &text[node.range.as_usize()]
    }

    #[test]
    fn every_key_and_value_has_its_byte_range() {
        let text = "# 서비스 설정 😀\nservices:\n  web:\n    image: \"nginx:1.27\"\n    ports:\n      - \"8080:80\"\n";
        let parse = parse(text);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let image = parse.tree.path(&["services", "web", "image"]);
        assert_eq!(parse.tree.scalar(image.unwrap()), Some("nginx:1.27"));
        assert_eq!(text_of(text, &parse, image), "\"nginx:1.27\"");
        let ports = parse.tree.path(&["services", "web", "ports"]).unwrap();
        let NodeKind::Sequence(items) = &parse.tree.nodes[ports].kind else {
            panic!("ports is a sequence");
        };
        assert_eq!(text_of(text, &parse, Some(items[0])), "\"8080:80\"");
        let web = parse.tree.path(&["services", "web"]);
        assert!(text_of(text, &parse, web).starts_with("image:"));
    }

    #[test]
    fn a_syntax_error_keeps_the_tree_before_it() {
        let text = "services:\n  web:\n    image: nginx\n  db:\n    environment: FOO: bar\n  cache:\n    image: redis\n";
        let parse = parse(text);
        assert_eq!(parse.errors.len(), 1, "{:?}", parse.errors);
        let error = &parse.errors[0];
        assert!(error.range.start as usize > text.find("db:").unwrap());
        assert_eq!(
            parse
                .tree
                .scalar(parse.tree.path(&["services", "web", "image"]).unwrap()),
            Some("nginx")
        );
        assert!(parse.tree.path(&["services", "db"]).is_some());
        // Read past the broken line: the service after it is there too.
        assert_eq!(
            parse
                .tree
                .scalar(parse.tree.path(&["services", "cache", "image"]).unwrap()),
            Some("redis")
        );
    }

    #[test]
    fn a_half_typed_key_keeps_the_rest_of_the_file() {
        let text = "services:\n  web:\n    image: nginx\n    heal\n    ports:\n      - \"80:80\"\n  db:\n    image: postgres:16\n";
        let parse = parse(text);
        assert!(!parse.errors.is_empty());
        assert!(parse.tree.path(&["services", "web", "ports"]).is_some());
        assert_eq!(
            parse
                .tree
                .scalar(parse.tree.path(&["services", "db", "image"]).unwrap()),
            Some("postgres:16")
        );
    }

    #[test]
    fn anchors_and_aliases_stay_references() {
        let text = "x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: nginx\n";
        let parse = parse(text);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let web = parse.tree.path(&["services", "web"]).unwrap();
        let NodeKind::Mapping(own) = &parse.tree.nodes[web].kind else {
            panic!("web is a mapping");
        };
        let (_, merged) = own[0];
        let NodeKind::Alias(Some(target)) = parse.tree.nodes[merged.unwrap()].kind else {
            panic!("an alias to the anchored mapping");
        };
        assert_eq!(Some(target), parse.tree.path(&["x-base"]));
        assert_eq!(parse.tree.nodes[target].anchor, Some(1));
    }

    #[test]
    fn merge_keys_bring_in_the_anchors_entries() {
        let text = "x-a: &a\n  restart: always\n  image: a\nx-b: &b\n  restart: \"no\"\n  init: true\n\
                    services:\n  web:\n    <<: [*a, *b]\n    image: nginx\n  one:\n    <<: *b\n";
        let parse = parse(text);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let tree = &parse.tree;
        let value = |path: &[&str]| tree.path(path).and_then(|v| tree.scalar(v));
        // Own keys win, then the first merged mapping.
        assert_eq!(value(&["services", "web", "image"]), Some("nginx"));
        assert_eq!(value(&["services", "web", "restart"]), Some("always"));
        assert_eq!(value(&["services", "web", "init"]), Some("true"));
        assert_eq!(value(&["services", "one", "restart"]), Some("no"));
        // Merged values point at the anchor's text.
        let restart = tree.path(&["services", "one", "restart"]).unwrap();
        assert_eq!(&text[tree.nodes[restart].range.as_usize()], "\"no\"");
        // The merge key itself is not an entry.
        let web = tree.path(&["services", "web"]).unwrap();
        assert!(
            tree.entries(web)
                .iter()
                .all(|(k, _)| tree.scalar(*k) != Some("<<"))
        );
        assert_eq!(tree.entries(web).len(), 3);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_stay_cheap() {
        let deep = "- ".repeat(100_000) + "x\n";
        let started = std::time::Instant::now();
        let parse = parse(&deep);
        assert!(parse.errors[0].message.contains("deeper than"));
        assert!(parse.tree.nodes.len() <= MAX_DEPTH + 1);
        let flow = "[".repeat(100_000);
        let parse_flow = super::parse(&flow);
        assert!(!parse_flow.errors.is_empty());
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let parse_bomb = super::parse(&bomb);
        assert!(parse_bomb.errors.is_empty(), "{:?}", parse_bomb.errors);
        assert!(parse_bomb.tree.nodes.len() < 200);
        // Generous: the point is milliseconds, not minutes (a debug build on a shared machine).
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn empty_and_scalar_documents() {
        assert!(parse("").tree.root.is_none());
        let parse = parse("just text\n");
        assert_eq!(
            parse.tree.scalar(parse.tree.root.unwrap()),
            Some("just text")
        );
    }

    /// Typing a file character by character: every prefix (and every prefix with the rest of
    /// the file after it) parses without panicking, with ranges inside the text.
    #[test]
    fn every_prefix_of_a_file_parses() {
        let full = "x-env: &env\n  TZ: \"Asia/Seoul\" # 시간대\nservices:\n  web:\n    image: nginx:1.27\n    <<: [*env]\n    ports: ['8080:80', \"443:443\"]\n    command: >\n      nginx -g 'daemon off;'\n  db:\n    image: postgres:16\r\n    environment:\n      - POSTGRES_PASSWORD=${PW:?set it}\n";
        for (cut, _) in full.char_indices() {
            for text in [
                full[..cut].to_owned(),
                format!("{}\t{}", &full[..cut], &full[cut..]),
            ] {
                let parse = parse(&text);
                for node in &parse.tree.nodes {
                    assert!(node.range.end as usize <= text.len(), "{text:?}");
                    assert!(text.is_char_boundary(node.range.start as usize));
                    assert!(text.is_char_boundary(node.range.end as usize));
                }
                for error in &parse.errors {
                    assert!(error.range.end as usize <= text.len());
                }
            }
        }
    }

    #[test]
    fn yaml_1_1_traps_and_merge_tags() {
        let text = "services:\n  web:\n    restart: no\n    ports:\n      - 22:22\n      - \"22:22\"\n      - 8080:80\n      - 80\n    x-mode: 0755\n    x-on: On\n    x-ok: yes-please\n    labels: !reset {}\n    command: !override [\"a\"]\n";
        let parse = parse(text);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let tree = &parse.tree;
        let trap = |path: &[&str]| tree.nodes[tree.path(path).unwrap()].yaml11_trap();
        assert_eq!(
            trap(&["services", "web", "restart"]),
            Some(Yaml11Trap::Boolean(false))
        );
        assert_eq!(
            trap(&["services", "web", "x-mode"]),
            Some(Yaml11Trap::Octal(0o755))
        );
        assert_eq!(
            trap(&["services", "web", "x-on"]),
            Some(Yaml11Trap::Boolean(true))
        );
        assert_eq!(trap(&["services", "web", "x-ok"]), None);
        let ports = tree.path(&["services", "web", "ports"]).unwrap();
        let NodeKind::Sequence(items) = &tree.nodes[ports].kind else {
            panic!("a list");
        };
        let traps: Vec<_> = items.iter().map(|&i| tree.nodes[i].yaml11_trap()).collect();
        assert_eq!(
            traps,
            [
                Some(Yaml11Trap::Sexagesimal(22 * 60 + 22)),
                None,
                // `8080:80`: 80 is no base-60 digit pair, so YAML 1.1 reads a string too.
                None,
                None
            ]
        );
        let tag = |path: &[&str]| tree.nodes[tree.path(path).unwrap()].merge_tag();
        assert_eq!(tag(&["services", "web", "labels"]), Some(MergeTag::Reset));
        assert_eq!(
            tag(&["services", "web", "command"]),
            Some(MergeTag::Override)
        );
        assert_eq!(tag(&["services", "web", "restart"]), None);
    }

    #[test]
    fn dump_shows_keys_values_and_ranges() {
        let parse = parse("a: &x 1\nb:\n  - *x\n  - !reset \"s\"\n");
        assert_eq!(
            parse.tree.debug_dump(),
            "Mapping@0..33\n  \"a\"@0..1: Plain@3..7 &1 \"1\"\n  \"b\"@8..9: Sequence@13..33\n    - Alias@15..17 -> node 2\n    - Quoted@22..32 !reset \"s\"\n"
        );
        // Recovery blanks the unfinished line: `a` is left without a value.
        let cut = super::parse("a:\n  b: [1,\n");
        assert_eq!(
            cut.tree.debug_dump(),
            "Mapping@0..12\n  \"a\"@0..1: Plain@1..1 \"\"\n"
        );
    }
}
