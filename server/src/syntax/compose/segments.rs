//! Reading a compose file that has a syntax error entry by entry.
//!
//! When the text does not read cleanly, each top-level entry, and each service under
//! `services:`, is read on its own: a half-typed line then damages only the entry it is in,
//! errors in two services are both reported, and the editor re-reads only the entry a
//! keystroke touched ([`super::reparse`]) while the file stays broken.
//!
//! Entries are found from the lines alone ([`split`]): a `key:` line at column 0 starts a
//! top-level entry; under a plain `services:` line, a `key:` line at the services' column
//! starts a service. An entry runs to the next such line. Each is read followed by a
//! stand-in `_:` line at its own column, so the parser meets what it would meet in place (a
//! key no deeper than the entry's) and ends the entry's collections the same way; ranges
//! that end at the stand-in are moved to where the next entry's key really starts. An error
//! the parser reports only on reaching the stand-in (a key whose `:` is not typed yet) is
//! placed at the end of the entry's last line.
//!
//! Files this does not suit are recovered as a whole: anchors and aliases (an alias may
//! point into another entry), merge keys, complex keys, tabs, carriage returns, byte-order
//! marks, document markers and directives, and top-level lines that are not `key:` lines. So is an entry
//! that cannot be read to its end (an unclosed quote or bracket runs on past it in place),
//! and a file whose entries each read cleanly alone (the error lies between them).

use super::{Node, NodeId, NodeKind, YamlError, YamlParse, YamlTree, parse_once, recover};
use crate::syntax::TextRange;

/// An entry found from the lines: `start..end` holds its key line and every line up to the
/// next entry's key line (so blank and comment lines before that belong to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    pub start: usize,
    pub end: usize,
    /// The key's column.
    pub column: usize,
}

/// The entries of a file, as [`split`] finds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    pub top: Vec<Segment>,
    /// Which top-level entry is `services:`, and its services, when it has block-mapping
    /// children that start on their own lines.
    pub services: Option<(usize, Vec<Segment>)>,
}

/// An entry that is read alone: a top-level entry (other than a split `services:`) or a
/// service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Leaf {
    pub segment: Segment,
    /// Whether it is a service (its parent is the `services:` mapping, not the root).
    pub service: bool,
    /// The column of the next entry's key, if one follows.
    pub next_column: Option<usize>,
}

impl Layout {
    /// Every entry that is read alone, in text order.
    pub fn leaves(&self) -> Vec<Leaf> {
        let mut out = Vec::with_capacity(self.top.len() + 64);
        for (i, top) in self.top.iter().enumerate() {
            let next_top = self.top.get(i + 1).map(|s| s.column);
            match &self.services {
                Some((at, services)) if *at == i => {
                    for (j, s) in services.iter().enumerate() {
                        out.push(Leaf {
                            segment: *s,
                            service: true,
                            next_column: services.get(j + 1).map(|n| n.column).or(next_top),
                        });
                    }
                }
                _ => out.push(Leaf {
                    segment: *top,
                    service: false,
                    next_column: next_top,
                }),
            }
        }
        out
    }
}

/// What [`parse`](super::parse) gives for a text with a syntax error, when the file's
/// layout lets each entry be read alone (see the module docs); `None` otherwise, and for a
/// text that reads cleanly.
pub fn parse_by_entries(text: &str) -> Option<YamlParse> {
    let layout = split(text)?;
    let (tree, mut errors) = read_entries(text, &layout)?;
    if errors.is_empty() {
        return None;
    }
    errors.sort_by_key(|e: &YamlError| e.range.start);
    Some(YamlParse {
        tree,
        errors,
        by_entries: true,
        layout: Some(std::sync::Arc::new(layout)),
    })
}

/// Reads each entry of `layout` alone and puts the entries together in one tree.
fn read_entries(text: &str, layout: &Layout) -> Option<(YamlTree, Vec<YamlError>)> {
    let mut tree = YamlTree {
        nodes: Vec::with_capacity(text.len() / 6),
        root: None,
    };
    let mut errors = Vec::new();
    let root = push(
        &mut tree,
        NodeKind::Mapping(Vec::new()),
        layout.top[0].start,
        text.len(),
    );
    tree.root = Some(root);
    let mut root_entries = Vec::with_capacity(layout.top.len());
    for (i, top) in layout.top.iter().enumerate() {
        let next_top = layout.top.get(i + 1);
        match &layout.services {
            Some((at, services)) if *at == i => {
                let key = push(
                    &mut tree,
                    NodeKind::Scalar {
                        value: "services".into(),
                        style: super::ScalarKind::Plain,
                    },
                    top.start,
                    top.start + "services".len(),
                );
                // Like any block mapping, it runs to where the next token starts.
                let end = next_top.map_or(text.len(), |n| n.start + n.column);
                let first = services[0].start + services[0].column;
                let mapping = push(&mut tree, NodeKind::Mapping(Vec::new()), first, end);
                let mut entries = Vec::with_capacity(services.len());
                for (j, service) in services.iter().enumerate() {
                    let next_column = services.get(j + 1).or(next_top).map(|n| n.column);
                    let leaf = Leaf {
                        segment: *service,
                        service: true,
                        next_column,
                    };
                    let read = read_alone(text, &leaf)?;
                    entries.push(read.copy_entry_into(&mut tree, service.start));
                    errors.extend(read.errors_at(service.start));
                }
                tree.nodes[mapping].kind = NodeKind::Mapping(entries);
                root_entries.push((key, Some(mapping)));
            }
            _ => {
                let leaf = Leaf {
                    segment: *top,
                    service: false,
                    next_column: next_top.map(|n| n.column),
                };
                let read = read_alone(text, &leaf)?;
                root_entries.push(read.copy_entry_into(&mut tree, top.start));
                errors.extend(read.errors_at(top.start));
            }
        }
    }
    tree.nodes[root].kind = NodeKind::Mapping(root_entries);
    Some((tree, errors))
}

fn push(tree: &mut YamlTree, kind: NodeKind, start: usize, end: usize) -> NodeId {
    tree.nodes.push(Node {
        kind,
        range: TextRange::new(start as u32, end as u32),
        anchor: None,
        tag: None,
    });
    tree.nodes.len() - 1
}

/// One entry read alone: its own small tree, with offsets from the entry's start.
pub(super) struct EntryRead {
    pub tree: YamlTree,
    pub key: NodeId,
    pub value: Option<NodeId>,
    pub errors: Vec<YamlError>,
}

impl EntryRead {
    /// Copies the entry into `out`, shifted to `offset`; returns its key and value there.
    fn copy_entry_into(&self, out: &mut YamlTree, offset: usize) -> (NodeId, Option<NodeId>) {
        let key = copy_shifted(&self.tree, self.key, out, offset as i64);
        let value = self
            .value
            .map(|v| copy_shifted(&self.tree, v, out, offset as i64));
        (key, value)
    }

    /// The errors, shifted to `offset`.
    pub fn errors_at(&self, offset: usize) -> impl Iterator<Item = YamlError> + '_ {
        self.errors.iter().map(move |e| YamlError {
            message: e.message.clone(),
            range: e.range.moved(offset as i64),
        })
    }
}

/// Copies the subtree at `id` into `out`, shifting its ranges by `offset` (pre-order, keys
/// before values, as the parser builds). Recursion is bounded by the parser's depth cap.
pub(super) fn copy_shifted(from: &YamlTree, id: NodeId, out: &mut YamlTree, offset: i64) -> NodeId {
    let node = &from.nodes[id];
    let new_id = out.nodes.len();
    out.nodes.push(Node {
        kind: NodeKind::Sequence(Vec::new()),
        range: node.range.moved(offset),
        anchor: None,
        tag: node.tag.clone(),
    });
    let kind = match &node.kind {
        NodeKind::Mapping(entries) => NodeKind::Mapping(
            entries
                .iter()
                .map(|&(k, v)| {
                    let nk = copy_shifted(from, k, out, offset);
                    (nk, v.map(|v| copy_shifted(from, v, out, offset)))
                })
                .collect(),
        ),
        NodeKind::Sequence(items) => NodeKind::Sequence(
            items
                .iter()
                .map(|&i| copy_shifted(from, i, out, offset))
                .collect(),
        ),
        NodeKind::Scalar { value, style } => NodeKind::Scalar {
            value: value.clone(),
            style: *style,
        },
        // Entries are read alone only in files without aliases.
        NodeKind::Alias(_) => NodeKind::Alias(None),
    };
    out.nodes[new_id].kind = kind;
    new_id
}

/// The stand-in key read after an entry.
const STAND_IN: &str = "_:\n";

/// Reads one entry of `text` alone (with the stand-in line after it when another entry
/// follows); `None` when it cannot be read to its end that way.
pub(super) fn read_alone(text: &str, leaf: &Leaf) -> Option<EntryRead> {
    let Segment { start, end, column } = leaf.segment;
    let own = &text[start..end];
    let limit = own.len();
    let with_stand_in;
    let source = match leaf.next_column {
        Some(_) => {
            // Not the last entry: it ends with its line break.
            let mut s = String::with_capacity(limit + column + STAND_IN.len());
            s.push_str(own);
            s.extend(std::iter::repeat_n(' ', column));
            s.push_str(STAND_IN);
            with_stand_in = s;
            with_stand_in.as_str()
        }
        None => own,
    };
    let first = parse_once(source);
    let (mut parse, stopped) = recover(source, first, limit);
    // An entry whose reading runs into the stand-in (an unclosed quote or bracket) would run
    // on into what follows in place.
    if stopped.is_some_and(|at| at >= limit) {
        return None;
    }
    let stand_in_key = (limit + column) as u32;
    let next_token = leaf
        .next_column
        .map_or(limit as u32, |next| (limit + next) as u32);
    let root = parse.tree.root?;
    let NodeKind::Mapping(entries) = &parse.tree.nodes[root].kind else {
        return None;
    };
    let &(key, value) = entries.first()?;
    if parse.tree.nodes[key].range.start != column as u32 {
        return None;
    }
    // The entry, and the stand-in when the reading got that far: nothing else.
    match entries.get(1) {
        None => {}
        Some(&(k, _)) if parse.tree.nodes[k].range.start == stand_in_key && entries.len() == 2 => {}
        Some(_) => return None,
    }
    // Collections the stand-in ended end where the next entry's key starts in place.
    if stand_in_key != next_token {
        for node in &mut parse.tree.nodes {
            if node.range.end == stand_in_key {
                node.range.end = next_token;
            }
            if node.range.start == stand_in_key {
                node.range.start = next_token;
            }
        }
    }
    // Errors met past the entry's last line (on a comment after it, or on reaching the
    // stand-in) belong to that line.
    let last_content = last_content_end(own) as u32;
    for e in &mut parse.errors {
        if e.range.start > last_content {
            e.range = TextRange::new(last_content, last_content);
        }
    }
    Some(EntryRead {
        tree: parse.tree,
        key,
        value,
        errors: parse.errors,
    })
}

/// Whether `region`, the new text of the entry `leaf` after an edit inside it, is still that
/// one entry: what [`split`] would find again, checked on the region's lines alone (the
/// lines around it did not change).
pub(super) fn still_one_entry(region: &str, leaf: &Leaf) -> bool {
    if !suits(region.as_bytes()) {
        return false;
    }
    let column = leaf.segment.column;
    let mut lines = region.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return false;
    };
    let first = first.trim_end_matches('\n');
    let rest = first.trim_start_matches(' ');
    // The key line, at its column; a top-level `services:` that was not split stays so only
    // while it is not a header with services under it (checked by splitting again).
    if first.len() - rest.len() != column || !is_key_line(rest) {
        return false;
    }
    if !leaf.service && is_services_header(first) {
        return false;
    }
    for line in lines {
        let content = line.trim_end_matches('\n');
        if content.starts_with("---") || content.starts_with("...") || content.starts_with('%') {
            return false;
        }
        let rest = content.trim_start_matches(' ');
        let indent = content.len() - rest.len();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if indent == 0 || (leaf.service && indent == column && is_key_line(rest)) {
            return false;
        }
    }
    true
}

/// Where the last line with content (not blank, not a comment) of `own` ends.
fn last_content_end(own: &str) -> usize {
    let mut line_end = own.len();
    loop {
        let before = &own[..line_end];
        let before = before.strip_suffix('\n').unwrap_or(before);
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = &before[start..];
        let content = line.trim();
        if !content.is_empty() && !content.starts_with('#') {
            return start + line.trim_end().len();
        }
        if start == 0 {
            return 0;
        }
        line_end = start;
    }
}

/// Finds the entries of `text` from its lines; `None` when its layout does not suit reading
/// entries alone (see the module docs).
pub(super) fn split(text: &str) -> Option<Layout> {
    let bytes = text.as_bytes();
    if !suits(bytes) {
        return None;
    }
    let mut top: Vec<Segment> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &text[at..end];
        let content = line.trim_end_matches('\n');
        let first_line = at == 0;
        at = end;
        if content.starts_with("---") || content.starts_with("...") {
            // A document start on the first line is fine; any other marker starts or ends
            // a document.
            if first_line && is_marker_line(content, "---") {
                continue;
            }
            return None;
        }
        if content.starts_with('%') {
            return None;
        }
        let indent = content.len() - content.trim_start_matches(' ').len();
        let rest = &content[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if indent == 0 {
            if !is_key_line(rest) {
                return None;
            }
            top.push(Segment {
                start: end - line.len(),
                end: 0,
                column: 0,
            });
        } else if top.is_empty() {
            // Indented content before the first key: not a block mapping at the top.
            return None;
        }
    }
    if top.is_empty() {
        return None;
    }
    let count = top.len();
    for i in 0..count {
        top[i].end = top.get(i + 1).map_or(text.len(), |n| n.start);
    }
    let services = top
        .iter()
        .position(|s| is_services_header(&text[s.start..line_end(bytes, s.start)]))
        .and_then(|i| Some((i, split_services(text, top[i])?)));
    Some(Layout { top, services })
}

/// The services of the `services:` entry `within`: `key:` lines at the column of its first
/// content line.
fn split_services(text: &str, within: Segment) -> Option<Vec<Segment>> {
    let bytes = text.as_bytes();
    let mut at = line_end(bytes, within.start);
    let mut column = None;
    let mut out: Vec<Segment> = Vec::new();
    while at < within.end {
        let end = line_end(bytes, at);
        let content = text[at..end].trim_end_matches('\n');
        let line_start = at;
        at = end;
        let indent = content.len() - content.trim_start_matches(' ').len();
        let rest = &content[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let column = *column.get_or_insert(indent);
        if out.is_empty() && (column == 0 || !is_key_line(rest)) {
            return None;
        }
        if indent == column && is_key_line(rest) {
            out.push(Segment {
                start: line_start,
                end: 0,
                column,
            });
        }
    }
    if out.is_empty() {
        return None;
    }
    let count = out.len();
    for i in 0..count {
        out[i].end = out.get(i + 1).map_or(within.end, |n| n.start);
    }
    Some(out)
}

/// Whether nothing in the text can tie one entry's reading to another's: no tabs, carriage
/// returns, anchors, aliases, merge keys or complex keys (`&`, `*` and `?` count where a
/// token may start; elsewhere they are plain characters, as in a URL's query).
fn suits(bytes: &[u8]) -> bool {
    // A byte-order mark is not read as part of a key (the parser skips it).
    const BOM: &[u8] = "\u{feff}".as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            0xEF if bytes[i..].starts_with(BOM) => return false,
            b'\t' | b'\r' => return false,
            b'&' | b'*' | b'?' => {
                let token_start =
                    i == 0 || matches!(bytes[i - 1], b' ' | b'\n' | b'[' | b'{' | b',');
                if token_start {
                    return false;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => return false,
            _ => {}
        }
    }
    true
}

/// A line (without its indentation) that starts a block-mapping entry with a plain key:
/// `key:` alone, `key: value`, or `key: # comment`.
fn is_key_line(rest: &str) -> bool {
    let Some(first) = rest.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    let bytes = rest.as_bytes();
    let Some(colon) = (0..bytes.len())
        .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|&next| next == b' '))
    else {
        return false;
    };
    let key = &rest[..colon];
    !key.contains(" #") && !key.ends_with(' ')
}

/// `services:`, alone on its line but for a comment.
fn is_services_header(line: &str) -> bool {
    let line = line.trim_end_matches('\n');
    line.strip_prefix("services:").is_some_and(|after| {
        let after = after.trim_start_matches(' ');
        after.is_empty() || (after.starts_with('#') && line.len() > "services:".len() + after.len())
    })
}

/// `---` (or `...`) alone on its line but for a comment.
fn is_marker_line(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|after| after.is_empty() || after.starts_with(' '))
}

/// The offset just past the line break ending the line that starts at `at` (the text's end
/// on the last line).
fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::compose::parse;

    const FILE: &str = "# stack\nname: shop\nservices:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n\n  api:\n    image: my-api:1.4\n    environment:\n      LOG_LEVEL: info\n# data\nvolumes:\n  data:\n";

    #[test]
    fn entries_are_found_from_the_lines() {
        let layout = split(FILE).expect("a plain layout");
        let keys: Vec<&str> = layout
            .leaves()
            .iter()
            .map(|l| {
                let s = l.segment;
                FILE[s.start + s.column..s.end].split(':').next().unwrap()
            })
            .collect();
        assert_eq!(keys, ["name", "web", "api", "volumes"]);
        for text in [
            "services:\n  web: &base\n    image: x\n",
            "services:\n\tweb:\n",
            "services:\r\n  web:\r\n",
            "- a\n- b\n",
            "services:\n  web:\n---\nother: 1\n",
            "%YAML 1.2\n---\nservices:\n",
            "  indented: 1\n",
        ] {
            assert_eq!(split(text), None, "{text:?}");
        }
        // Characters that only start anchors and aliases at a token's start.
        assert!(split("services:\n  web:\n    healthcheck: curl http://x/?a=1&b=2\n").is_some());
    }

    /// Every clean compose fixture, read entry by entry, gives the tree a whole reading gives.
    #[test]
    fn clean_fixtures_read_entry_by_entry_are_the_same_tree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut stack = vec![root];
        let mut compared = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let whole = parse(&text);
                let Some(layout) = split(&text) else { continue };
                if !whole.errors.is_empty() {
                    continue;
                }
                let (tree, errors) = read_entries(&text, &layout)
                    .unwrap_or_else(|| panic!("{} reads entry by entry", path.display()));
                assert_eq!(errors, [], "{}", path.display());
                assert_eq!(
                    tree.debug_dump(),
                    whole.tree.debug_dump(),
                    "{}",
                    path.display()
                );
                compared += 1;
            }
        }
        assert!(compared > 40, "{compared} fixtures compared");
    }

    #[test]
    fn a_clean_file_read_entry_by_entry_is_the_same_tree() {
        // Forced: a clean file is never read by entries, but each entry alone must read as
        // it does in place.
        let layout = split(FILE).unwrap();
        let whole = parse(FILE);
        for leaf in layout.leaves() {
            let read = read_alone(FILE, &leaf).expect("reads alone");
            assert!(read.errors.is_empty());
            let mut tree = YamlTree::default();
            let (key, value) = read.copy_entry_into(&mut tree, leaf.segment.start);
            let in_place = whole
                .tree
                .nodes
                .iter()
                .position(|n| n.range == tree.nodes[key].range)
                .unwrap();
            assert_eq!(whole.tree.nodes[in_place].kind, tree.nodes[key].kind);
            if let Some(v) = value {
                assert!(
                    whole
                        .tree
                        .nodes
                        .iter()
                        .any(|n| n.range == tree.nodes[v].range)
                );
            }
        }
    }

    #[test]
    fn an_error_stays_in_its_entry() {
        // Half-typed keys in two services: both reported, everything else read.
        let text = FILE
            .replace("    ports:", "    lab\n    ports:")
            .replace("    environment:", "    environment:\n      A")
            .replace(
                "      LOG_LEVEL: info\n",
                "      LOG_LEVEL: info\n    tier\n",
            );
        let read = parse(&text);
        assert!(read.by_entries);
        // `lab` before `ports:`, then `A` running into `LOG_LEVEL: info`, then `tier`.
        assert_eq!(read.errors.len(), 3, "{:?}", read.errors);
        // The parser meets a missing `:` at the next key.
        let ports = text.find("ports").unwrap();
        assert_eq!(
            read.errors[0].range,
            TextRange::new(ports as u32, ports as u32)
        );
        // Met on reaching the next entry's key: placed at the end of the entry's last line.
        let tier = text.find("tier").unwrap() + 4;
        assert_eq!(
            read.errors[2].range,
            TextRange::new(tier as u32, tier as u32)
        );
        let dump = read.tree.debug_dump();
        for key in [
            "\"web\"",
            "\"ports\"",
            "\"api\"",
            "\"environment\"",
            "\"volumes\"",
            "\"data\"",
        ] {
            assert!(dump.contains(key), "{key} in\n{dump}");
        }
    }

    #[test]
    fn an_unclosed_bracket_stops_at_its_entry() {
        // A flow sequence cannot run on past a line indented less than it, alone or in
        // place: the error is the entry's, and the next service is read.
        let text = FILE.replace("      - \"8080:80\"\n", "      - [a,\n");
        let read = parse(&text);
        assert!(read.by_entries);
        assert!(read.tree.debug_dump().contains("\"LOG_LEVEL\""));
    }

    #[test]
    fn files_with_anchors_are_recovered_as_a_whole() {
        let text = FILE.replace("nginx:1.27", "&image nginx:1.27\n    lab");
        let read = parse(&text);
        assert!(!read.by_entries);
        assert!(!read.errors.is_empty());
    }
}
