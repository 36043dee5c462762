//! Re-reading only the part of a compose file an edit touched.
//!
//! A keystroke in a 5,000-line compose file changes one service, yet parsing the whole
//! file takes milliseconds, and several times that while a half-typed line makes recovery
//! parse again. [`reparse`] finds the smallest block-mapping entry around the edit (a key at
//! the start of its line and everything indented under it), parses that entry's lines on
//! their own, and puts the result in place of the old entry. When that entry does not read
//! cleanly, or the file already had a syntax error, the top-level entry or service around
//! the edit is read alone the way [`parse`](super::parse) reads each entry of a broken file
//! ([`super::parse_by_entries`]). It declines (`None`: parse the whole text) whenever
//! reading the lines alone might differ from what [`parse`](super::parse) gives.

use std::sync::Arc;

#[cfg(test)]
use super::parse;
use super::segments::{Leaf, Segment, copy_shifted, entries_in, key_start, read_alone, split};
use super::{Node, NodeId, NodeKind, YamlError, YamlParse, YamlTree, parse_once};
use crate::syntax::TextRange;

/// How many enclosing entries are tried, innermost first.
const MAX_LEVELS: usize = 4;

/// The parse of `new_text`, made from `old` (the parse of `old_text`) by re-reading only the
/// entry the edit falls in; `None` when that is not known to give the same tree as
/// [`parse`](super::parse).
pub fn reparse(old: &YamlParse, old_text: &str, new_text: &str) -> Option<YamlParse> {
    let (old_b, new_b) = (old_text.as_bytes(), new_text.as_bytes());
    let (prefix, suffix) = crate::text::changed_span(old_text, new_text);
    if prefix == old_b.len() && prefix == new_b.len() {
        return Some(old.clone());
    }
    let old_end = old_b.len() - suffix;
    let delta = new_b.len() as i64 - old_b.len() as i64;
    if !old.errors.is_empty() {
        // Recovery read either entry by entry, or the whole text (then start afresh).
        return old
            .by_entries
            .then(|| reparse_by_entries(old, old_text, new_text, prefix, old_end, delta))
            .flatten();
    }
    let chain = entries_around(&old.tree, old_b, prefix, old_end);
    let try_level = |&(parent, key, value): &(NodeId, NodeId, Option<NodeId>)| {
        try_entry(
            old, old_b, new_text, parent, key, value, prefix, old_end, delta,
        )
    };
    // Innermost first; the top-level entry (as big as the file, for `services:`) only when
    // reading entry by entry does not suit the file.
    chain
        .iter()
        .skip(1)
        .rev()
        .take(MAX_LEVELS - 1)
        .find_map(try_level)
        .or_else(|| reparse_by_entries(old, old_text, new_text, prefix, old_end, delta))
        .or_else(|| chain.first().and_then(try_level))
}

/// The mapping entries around the edit (`prefix..old_end` of the old text), outermost
/// first: (the mapping, the entry's key, its value).
fn entries_around(
    tree: &YamlTree,
    old_b: &[u8],
    prefix: usize,
    old_end: usize,
) -> Vec<(NodeId, NodeId, Option<NodeId>)> {
    let mut chain: Vec<(NodeId, NodeId, Option<NodeId>)> = Vec::new();
    let Some(mut at) = tree.root else {
        return chain;
    };
    while let Some(NodeKind::Mapping(entries)) = tree.node(at).map(|n| &n.kind) {
        // Lines mean nothing inside a flow mapping (`{ ... }` over several lines).
        if old_b.get(tree.nodes[at].range.start as usize) == Some(&b'{') {
            break;
        }
        let found = entries.iter().find(|(k, v)| {
            let start = line_start(old_b, tree.nodes[*k].range.start as usize);
            let end = v.map_or(tree.nodes[*k].range.end, |v| tree.content_end(v)) as usize;
            start <= prefix && old_end <= end.max(tree.nodes[*k].range.end as usize)
        });
        let Some(&(key, value)) = found else {
            break;
        };
        chain.push((at, key, value));
        match value {
            Some(v) => at = v,
            None => break,
        }
    }
    chain
}

/// Re-reads the top-level entry or service around the edit alone, the way
/// [`parse`](super::parse) reads each entry of a text with a syntax error
/// ([`super::parse_by_entries`]), when the file's other entries are the same lines before
/// and after the edit. A service whose lines now hold several services (a `:` typed after
/// a new name) is read as those services.
fn reparse_by_entries(
    old: &YamlParse,
    old_text: &str,
    new_text: &str,
    prefix: usize,
    old_end: usize,
    delta: i64,
) -> Option<YamlParse> {
    let old_layout = match &old.layout {
        Some(layout) => layout.clone(),
        None => Arc::new(split(old_text)?),
    };
    let old_leaves = old_layout.leaves();
    let i = old_leaves
        .iter()
        .position(|l| l.segment.start <= prefix && old_end <= l.segment.end)?;
    let old_leaf = old_leaves[i];
    let old_segment = old_leaf.segment;
    // Every other entry is where it was, the edited one longer or shorter.
    let after = old_segment.end;
    let edited = Leaf {
        segment: Segment {
            end: (old_segment.end as i64 + delta) as usize,
            ..old_segment
        },
        ..old_leaf
    };
    let region = new_text.get(edited.segment.start..edited.segment.end)?;
    // The next entry's key line still starts a line (the edit did not join them).
    let ends_a_line = edited.segment.end == new_text.len() || region.ends_with('\n');
    if !ends_a_line {
        return None;
    }
    let parts = entries_in(region, &edited)?;
    let mut reads = Vec::with_capacity(parts.len());
    for part in &parts {
        reads.push((read_alone(new_text, part)?, part.segment.start));
    }
    let mut new_layout = old_layout.shifted(after, delta);
    if edited.service
        && let Some((_, services)) = &mut new_layout.services
    {
        let j = services.iter().position(|s| s.start == old_segment.start)?;
        services.splice(j..=j, parts.iter().map(|p| p.segment));
    }
    // The old entry it replaces.
    let tree = &old.tree;
    let root = tree.root?;
    let parent = if edited.service {
        let (at, _) = old_layout.services.as_ref()?;
        let services_key = old_layout.top[*at].start as u32;
        let NodeKind::Mapping(entries) = &tree.node(root)?.kind else {
            return None;
        };
        let &(_, value) = entries
            .iter()
            .find(|(k, _)| tree.nodes[*k].range.start == services_key)?;
        value?
    } else {
        root
    };
    let NodeKind::Mapping(entries) = &tree.node(parent)?.kind else {
        return None;
    };
    // The old tree has one entry per entry found from the lines (a line the lines call
    // part of an entry may be an entry of its own in a clean reading: `: value`).
    let siblings: Vec<u32> = if edited.service {
        old_leaves
            .iter()
            .filter(|l| l.service)
            .map(|l| key_start(old_text, l).map(|at| at as u32))
            .collect::<Option<_>>()?
    } else {
        // The root's entries are every top-level entry, `services:` included.
        old_layout.top.iter().map(|s| s.start as u32).collect()
    };
    if entries.len() != siblings.len()
        || entries
            .iter()
            .zip(&siblings)
            .any(|((k, _), &start)| tree.nodes[*k].range.start != start)
    {
        return None;
    }
    let old_key = key_start(old_text, &old_leaf)? as u32;
    let &(key, value) = entries
        .iter()
        .find(|(k, _)| tree.nodes[*k].range.start == old_key)?;
    let mut errors: Vec<YamlError> = old
        .errors
        .iter()
        .filter(|e| (e.range.start as usize) < old_segment.start)
        .cloned()
        .collect();
    for (read, offset) in &reads {
        errors.extend(read.errors_at(*offset));
    }
    errors.extend(
        old.errors
            .iter()
            // The last entry's errors may sit at the text's end.
            .filter(|e| {
                e.range.start as usize >= old_segment.end && old_segment.end < old_text.len()
            })
            .map(|e| YamlError {
                message: e.message.clone(),
                range: e.range.moved(delta),
            }),
    );
    let fresh = reads
        .iter()
        .map(|(read, offset)| FreshEntry {
            tree: &read.tree,
            key: read.key,
            value: read.value,
            offset: *offset as i64,
        })
        .collect();
    let tree = splice(
        tree,
        Replacement {
            parent,
            key,
            value,
            fresh,
            old_region_end: old_segment.end as u32,
            delta,
        },
    );
    let by_entries = !errors.is_empty();
    Some(YamlParse {
        tree,
        errors,
        by_entries,
        layout: Some(Arc::new(new_layout)),
    })
}

/// Re-reads the entry `key: value` of the mapping `parent`, if that is safe.
#[allow(clippy::too_many_arguments)]
fn try_entry(
    old: &YamlParse,
    old_b: &[u8],
    new_text: &str,
    parent: NodeId,
    key: NodeId,
    value: Option<NodeId>,
    prefix: usize,
    old_end: usize,
    delta: i64,
) -> Option<YamlParse> {
    let tree = &old.tree;
    let tree_root = tree.root?;
    let key_start = tree.nodes[key].range.start as usize;
    let start = line_start(old_b, key_start);
    let column = key_start - start;
    // The key begins its line (a block mapping entry, not `- key:` or a flow mapping).
    if !old_b[start..key_start].iter().all(|&b| b == b' ') {
        return None;
    }
    // The entry runs to the first later line that is indented no deeper than its key.
    let first_line_end = line_end(old_b, key_start);
    let old_region_end = next_line_at_most(old_b, first_line_end, column);
    if prefix < start || old_end > old_region_end || old_region_end == start {
        return None;
    }
    // An edit reaching into the line after the region could join it to the region.
    if old_end == old_region_end && old_region_end < old_b.len() {
        return None;
    }
    let new_region_end = (old_region_end as i64 + delta) as usize;
    let region = new_text.get(start..new_region_end)?;
    // Anything that reads differently alone: anchors, aliases, merge keys and tags may
    // point outside; document markers, directives, complex keys (`?`) and tabs change the
    // layout.
    // The old region counts too: an anchor removed from it may be used elsewhere.
    let old_region = String::from_utf8_lossy(&old_b[start..old_region_end]);
    let special = |text: &str| {
        text.contains(['&', '*', '!', '%', '?', '\t', '\r', '\u{feff}'])
            || text.contains("<<")
            || text.contains("\n---")
            || text.contains("\n...")
    };
    if special(region) || special(&old_region) {
        return None;
    }
    // Every line after the first is indented deeper than the key (or blank, or a comment),
    // and the first is the key at the same column.
    let mut lines = region.split('\n');
    let first = lines.next()?;
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    if indent(first) != column
        || first.trim().is_empty()
        || first.trim_start().starts_with(['-', '#', '?'])
    {
        return None;
    }
    for line in lines {
        let content = line.trim();
        let item_of_key = indent(line) == column && content.starts_with('-');
        if !content.is_empty()
            && !content.starts_with('#')
            && indent(line) <= column
            && !item_of_key
        {
            return None;
        }
    }
    // A region with a syntax error is not re-read this way (see [`reparse_by_entries`]):
    // one reading shows it.
    let mut fresh = parse_once(region);
    if !fresh.errors.is_empty() {
        return None;
    }
    // Recovery did not read to the region's end: in place, the enclosing collections would
    // end at the error too.
    let region_len = region.len() as u32;
    if fresh
        .tree
        .root
        .and_then(|r| fresh.tree.node(r))
        .is_none_or(|root| root.range.end < region_len)
    {
        return None;
    }
    // Read alone, a block collection ends at the region's end; in place it ends where the
    // next token starts (the first non-blank of the line after the region).
    let next_token = new_text.as_bytes()[new_region_end..]
        .iter()
        .take_while(|&&b| b == b' ')
        .count() as u32
        + region_len;
    for node in &mut fresh.tree.nodes {
        if node.range.start == region_len {
            node.range.start = next_token;
        }
        if node.range.end == region_len {
            node.range.end = next_token;
        }
    }
    let root = fresh.tree.root?;
    let Some(NodeKind::Mapping(entries)) = fresh.tree.node(root).map(|n| &n.kind) else {
        return None;
    };
    let [(new_key, new_value)] = entries.as_slice() else {
        return None;
    };
    // An old error on the region's first line may have been caused by the line before it
    // (recovery blanks either): then the region alone cannot say what replaces it.
    if old.errors.iter().any(|e| {
        let at = e.range.start as usize;
        at >= start && at < first_line_end
    }) {
        return None;
    }
    // Old errors are kept only when they are outside the region (shifted after it).
    let mut errors: Vec<YamlError> = Vec::new();
    for e in &old.errors {
        let s = e.range.start as usize;
        if s < start {
            errors.push(e.clone());
        } else if s >= old_region_end {
            errors.push(YamlError {
                message: e.message.clone(),
                range: e.range.moved(delta),
            });
        } else {
            // An error inside the old region is replaced by what the region reads now.
        }
    }
    // Errors were found in text order; recovery may have read only up to an earlier error,
    // in which case the tree outside the region is not the full reading.
    if old
        .errors
        .iter()
        .any(|e| (e.range.start as usize) >= old_region_end)
    {
        return None;
    }
    errors.extend(fresh.errors.iter().map(|e| YamlError {
        message: e.message.clone(),
        range: e.range.moved(start as i64),
    }));
    errors.sort_by_key(|e| e.range.start);
    let tree = splice(
        tree,
        Replacement {
            parent,
            key,
            value,
            fresh: vec![FreshEntry {
                tree: &fresh.tree,
                key: *new_key,
                value: *new_value,
                offset: start as i64,
            }],
            old_region_end: old_region_end as u32,
            delta,
        },
    );
    // Below the top level, the region's lines are all deeper than any top-level key or
    // service key (but its own key line, which stays): the entries found from the lines
    // are the same, moved.
    let layout = (parent != tree_root)
        .then_some(old.layout.as_ref())
        .flatten()
        .map(|layout| Arc::new(layout.shifted(old_region_end, delta)));
    Some(YamlParse {
        tree,
        errors,
        by_entries: false,
        layout,
    })
}

/// An entry read alone that takes the old entry's place.
struct FreshEntry<'a> {
    tree: &'a YamlTree,
    key: NodeId,
    value: Option<NodeId>,
    /// Where its text starts in the new text (the tree's offsets are relative).
    offset: i64,
}

/// What [`splice`] puts where: the entry `key: value` of `parent` gives way to `fresh` (one
/// entry, or several when the edit split one into more).
struct Replacement<'a> {
    parent: NodeId,
    key: NodeId,
    value: Option<NodeId>,
    fresh: Vec<FreshEntry<'a>>,
    /// Where the region ended in the old text, and how far what follows moved.
    old_region_end: u32,
    delta: i64,
}

/// A copy of `old` (in document order, only reachable nodes) with the replaced entry in
/// place and the nodes after the old region moved.
fn splice(old: &YamlTree, replacement: Replacement<'_>) -> YamlTree {
    let fresh_len: usize = replacement.fresh.iter().map(|f| f.tree.nodes.len()).sum();
    let mut out = YamlTree {
        nodes: Vec::with_capacity(old.nodes.len() + fresh_len),
        root: None,
    };
    // Old node id -> new id, for aliases (which point back to anchored nodes).
    let mut remap: Vec<Option<NodeId>> = vec![None; old.nodes.len()];
    out.root = old
        .root
        .map(|root| copy_node(old, root, &mut out, &mut remap, &replacement));
    out
}

/// A range of the old text as it is in the new one.
fn moved(range: TextRange, r: &Replacement<'_>) -> TextRange {
    if range.start >= r.old_region_end {
        range.moved(r.delta)
    } else if range.end >= r.old_region_end {
        let end = (i64::from(range.end) + r.delta).max(i64::from(range.start));
        TextRange::new(range.start, end as u32)
    } else {
        range
    }
}

/// Copies the subtree at `id` (pre-order, keys before values). Recursion is bounded by the
/// parser's depth cap.
fn copy_node(
    old: &YamlTree,
    id: NodeId,
    out: &mut YamlTree,
    remap: &mut [Option<NodeId>],
    r: &Replacement<'_>,
) -> NodeId {
    let node = &old.nodes[id];
    let new_id = out.nodes.len();
    out.nodes.push(Node {
        kind: NodeKind::Sequence(Vec::new()),
        range: moved(node.range, r),
        anchor: node.anchor,
        tag: node.tag.clone(),
    });
    remap[id] = Some(new_id);
    let kind = match &node.kind {
        NodeKind::Mapping(entries) => {
            // A block mapping starts at its first key (unless at an anchor or tag before
            // it), which may have moved: a line typed above it.
            if id == r.parent
                && entries.first() == Some(&(r.key, r.value))
                && node.range.start == old.nodes[r.key].range.start
                && let Some(first) = r.fresh.first()
            {
                let fresh_key = first.tree.nodes[first.key].range.start;
                out.nodes[new_id].range.start = (i64::from(fresh_key) + first.offset) as u32;
            }
            let mut copied = Vec::with_capacity(entries.len() + r.fresh.len());
            for &(k, v) in entries {
                if id == r.parent && k == r.key && v == r.value {
                    for f in &r.fresh {
                        let nk = copy_shifted(f.tree, f.key, out, f.offset);
                        let nv = f.value.map(|v| copy_shifted(f.tree, v, out, f.offset));
                        copied.push((nk, nv));
                    }
                    continue;
                }
                let nk = copy_node(old, k, out, remap, r);
                let nv = v.map(|v| copy_node(old, v, out, remap, r));
                copied.push((nk, nv));
            }
            NodeKind::Mapping(copied)
        }
        NodeKind::Sequence(items) => NodeKind::Sequence(
            items
                .iter()
                .map(|&i| copy_node(old, i, out, remap, r))
                .collect(),
        ),
        NodeKind::Scalar { value, style } => NodeKind::Scalar {
            value: value.clone(),
            style: *style,
        },
        NodeKind::Alias(target) => NodeKind::Alias(target.and_then(|t| remap[t])),
    };
    out.nodes[new_id].kind = kind;
    new_id
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// The offset just past the line break ending the line holding `at` (the text's end on the
/// last line).
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i + 1)
}

/// The start of the first line at or after `from` that has content (not blank, not a
/// comment) indented `column` or less; the text's end when there is none.
fn next_line_at_most(bytes: &[u8], from: usize, column: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &bytes[at..end];
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let rest = &line[indent..];
        let blank = rest.iter().all(|b| b.is_ascii_whitespace());
        // `key:` followed by `- item` at the key's own column is a list value of that key.
        let item_of_key = indent == column && rest[0] == b'-';
        if !blank && rest[0] != b'#' && indent <= column && !item_of_key {
            return at;
        }
        at = end;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n\n  api:\n    image: my-api:1.4\n    environment:\n      LOG_LEVEL: info\nvolumes:\n  data:\n";

    /// Types `typed` into `FILE` at `at` one character at a time; each step must be re-read
    /// alone and equal a whole parse. `each(i, offset after it, reading)` checks more.
    fn type_into_file(
        at: usize,
        typed: &str,
        mut each: impl FnMut(usize, usize, &YamlParse),
    ) -> YamlParse {
        let mut text = FILE.to_owned();
        let mut current = parse(&text);
        let mut at = at;
        for (i, c) in typed.char_indices() {
            let mut next = text.clone();
            next.insert(at, c);
            at += c.len_utf8();
            let again = reparse(&current, &text, &next)
                .unwrap_or_else(|| panic!("step {i} {c:?} re-read alone"));
            same(&again, &parse(&next));
            each(i, at, &again);
            text = next;
            current = again;
        }
        current
    }

    fn same(a: &YamlParse, b: &YamlParse) {
        assert_eq!(a.tree.debug_dump(), b.tree.debug_dump());
        assert_eq!(a.errors, b.errors);
    }

    #[test]
    fn an_edit_inside_a_service_is_read_alone() {
        let old = parse(FILE);
        for new in [
            FILE.replace("nginx:1.27", "nginx:1.27.3"),
            FILE.replace("LOG_LEVEL: info", "LOG_LEVEL: debug\n      PORT: \"8080\""),
            FILE.replace(
                "      - \"8080:80\"\n",
                "      - \"8080:80\"\n      - \"8443:443\"\n",
            ),
        ] {
            let again = reparse(&old, FILE, &new).expect("re-read alone");
            same(&again, &parse(&new));
        }
    }

    #[test]
    fn a_half_typed_key_is_read_in_its_service() {
        let old = parse(FILE);
        let mut text = FILE.to_owned();
        let mut current = old;
        // Typed one character at a time: each step re-reads `web` alone.
        let at = FILE.find("    ports:").unwrap();
        for (i, c) in "    lab\n".char_indices() {
            let mut next = text.clone();
            next.insert(at + i, c);
            let again = reparse(&current, &text, &next).expect("re-read by entries");
            same(&again, &parse(&next));
            text = next;
            current = again;
        }
        assert!(current.by_entries);
        assert_eq!(current.errors.len(), 1);
    }

    #[test]
    fn a_service_typed_above_the_first_is_read_alone() {
        // A new service typed at the top of `services:`: the blank line, the spaces and
        // the name before its `:` are the first service's to re-read; with the `:`, its
        // lines are read as two services.
        let typed = "\n  cache:\n    image: redis:7\n";
        let colon = typed.find(':').unwrap();
        let current = type_into_file("services:".len(), typed, |i, at, again| {
            if (3..colon).contains(&i) {
                // The name before its `:` is an error of its own, at the line's end.
                assert_eq!(again.errors.len(), 1, "{:?}", again.errors);
                assert_eq!(again.errors[0].range.start as usize, at);
                assert!(again.tree.debug_dump().contains("\"web\""));
            }
        });
        assert!(current.errors.is_empty());
        assert!(current.tree.debug_dump().contains("\"cache\""));
    }

    #[test]
    fn a_service_typed_between_two_is_read_alone() {
        // Typed on the blank line before `api`: the lines are `web`'s until the `:` makes
        // them a service of their own.
        let at = FILE.find("\n  api:").unwrap();
        let current = type_into_file(at, "\n  cache:\n    image: redis:7", |_, _, _| {});
        assert!(current.errors.is_empty());
        let dump = current.tree.debug_dump();
        assert!(
            dump.contains("\"cache\"") && dump.contains("\"api\""),
            "{dump}"
        );
    }

    #[test]
    fn what_cannot_be_read_alone_is_declined() {
        let old = parse(FILE);
        // An alias, a new top-level key, and a line joined to the next entry.
        for new in [
            FILE.replace("nginx:1.27", "*image"),
            FILE.replace("volumes:", "networks:\n  front:\nvolumes:"),
            FILE.replace("info\nvolumes", "info volumes"),
        ] {
            assert!(reparse(&old, FILE, &new).is_none(), "{new}");
        }
    }
}
