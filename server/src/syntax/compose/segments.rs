//! Reading a compose file that has a syntax error entry by entry.
//!
//! When the text does not read cleanly, each top-level entry, and each service under
//! `services:`, is read on its own: a half-typed line then damages only the entry it is in,
//! errors in two services are both reported, and the editor re-reads only the entry a
//! keystroke touched ([`super::reparse`]) while the file stays broken.
//!
//! Entries are found from the lines alone ([`split`]): a `key:` line at column 0 starts a
//! top-level entry; under a plain `services:` line, a `key:` line at the services' column
//! starts a service. An entry runs to the next such line. A word typed above the first
//! service, before its `:`, is an error of its own ([`Leading`]), so typing a new service
//! at the top of `services:` re-reads one service, not all of them. Each is read followed by a
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
/// next entry's key line (so blank and comment lines before that belong to it). The first
/// service's segment also holds the lines between `services:` and its key ([`Leading`]).
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
    /// Whether lines may come before the key line (see [`Leading`]): only the first
    /// service's segment starts before its key, on the line after `services:`.
    pub leading: bool,
}

impl Layout {
    /// The layout after an edit that ended at `after` in the old text and moved what
    /// follows by `delta`, when the edit left every entry's key line where it was.
    pub fn shifted(&self, after: usize, delta: i64) -> Layout {
        let shift = |s: &Segment| Segment {
            start: if s.start >= after {
                (s.start as i64 + delta) as usize
            } else {
                s.start
            },
            end: if s.end >= after {
                (s.end as i64 + delta) as usize
            } else {
                s.end
            },
            column: s.column,
        };
        Layout {
            top: self.top.iter().map(shift).collect(),
            services: self
                .services
                .as_ref()
                .map(|(at, services)| (*at, services.iter().map(shift).collect())),
        }
    }

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
                            leading: j == 0,
                        });
                    }
                }
                _ => out.push(Leaf {
                    segment: *top,
                    service: false,
                    next_column: next_top,
                    leading: false,
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
                // Like any block mapping, it runs from its first key to where the next
                // token starts.
                let end = next_top.map_or(text.len(), |n| n.start + n.column);
                let mapping = push(&mut tree, NodeKind::Mapping(Vec::new()), 0, end);
                let mut entries = Vec::with_capacity(services.len());
                for (j, service) in services.iter().enumerate() {
                    let next_column = services.get(j + 1).or(next_top).map(|n| n.column);
                    let leaf = Leaf {
                        segment: *service,
                        service: true,
                        next_column,
                        leading: j == 0,
                    };
                    let read = read_alone(text, &leaf)?;
                    entries.push(read.copy_entry_into(&mut tree, service.start));
                    errors.extend(read.errors_at(service.start));
                }
                let first_key = entries[0].0;
                tree.nodes[mapping].range.start = tree.nodes[first_key].range.start;
                tree.nodes[mapping].kind = NodeKind::Mapping(entries);
                root_entries.push((key, Some(mapping)));
            }
            _ => {
                let leaf = Leaf {
                    segment: *top,
                    service: false,
                    next_column: next_top.map(|n| n.column),
                    leading: false,
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

/// The error for a loose line (see [`Leading`]).
const LOOSE_LINE: &str = "a key needs ':' after it";

/// Where the key line of an entry's segment is. Only the first service's segment starts
/// before its key: on the line after `services:`, so a line typed between the two is that
/// service's to re-read. Blank and comment lines may come first, and at most one "loose"
/// line at the services' column: a word where a service's key goes, with no `:` yet
/// (`  web` above `  api:`). YAML cannot read it (a key cannot run over two lines), so it
/// yields no entry, an error at its end, and the key line after it is read as if it were
/// blank, as the same word is when typed between two services' lines.
struct Leading {
    /// The key line's offset in the segment.
    key_line: usize,
    /// The loose line, if any: its start and where its content ends.
    loose: Option<(usize, usize)>,
}

impl Leading {
    /// The leading lines of `own`, the text of `leaf`'s segment; `None` when they are not
    /// as described above.
    fn of(own: &str, leaf: &Leaf) -> Option<Leading> {
        if !leaf.leading {
            return Some(Leading {
                key_line: 0,
                loose: None,
            });
        }
        let bytes = own.as_bytes();
        let mut loose = None;
        let mut at = 0;
        while at < bytes.len() {
            let end = line_end(bytes, at);
            let content = own[at..end].trim_end_matches('\n');
            let rest = content.trim_start_matches(' ');
            let indent = content.len() - rest.len();
            if !(rest.is_empty() || rest.starts_with('#')) {
                if indent != leaf.segment.column {
                    return None;
                }
                if is_key_line(rest) {
                    return Some(Leading {
                        key_line: at,
                        loose,
                    });
                }
                if loose.is_some() || !is_loose_word(rest) {
                    return None;
                }
                loose = Some((at, at + content.trim_end().len()));
            }
            at = end;
        }
        None
    }
}

/// A line's content (without its indentation) that can only be a key still being typed:
/// a plain word or words, with no `:`, comment, quote or bracket.
fn is_loose_word(rest: &str) -> bool {
    let first = rest.as_bytes()[0];
    !b"-?".contains(&first)
        && !rest
            .bytes()
            .any(|b| b"#:,[]{}&*!|>'\"%@`".contains(&b) || b < b' ')
}

/// Reads one entry of `text` alone (with the stand-in line after it when another entry
/// follows); `None` when it cannot be read to its end that way.
pub(super) fn read_alone(text: &str, leaf: &Leaf) -> Option<EntryRead> {
    let Segment { start, end, column } = leaf.segment;
    let own = &text[start..end];
    let leading = Leading::of(own, leaf)?;
    let limit = own.len();
    let owned;
    let source = if leaf.next_column.is_some() || leading.loose.is_some() {
        let mut s = String::with_capacity(limit + column + STAND_IN.len());
        match leading.loose {
            // Blanked: every offset stays.
            Some((from, to)) => {
                s.push_str(&own[..from]);
                s.extend(std::iter::repeat_n(' ', to - from));
                s.push_str(&own[to..]);
            }
            None => s.push_str(own),
        }
        // Not the last entry: it ends with its line break.
        if leaf.next_column.is_some() {
            s.extend(std::iter::repeat_n(' ', column));
            s.push_str(STAND_IN);
        }
        owned = s;
        owned.as_str()
    } else {
        own
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
    if parse.tree.nodes[key].range.start != (leading.key_line + column) as u32 {
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
    if let Some((_, content_end)) = leading.loose {
        let at = content_end as u32;
        parse.errors.insert(
            0,
            YamlError {
                message: LOOSE_LINE.to_owned(),
                range: TextRange::new(at, at),
            },
        );
    }
    Some(EntryRead {
        tree: parse.tree,
        key,
        value,
        errors: parse.errors,
    })
}

/// Where the key of `leaf` starts in `text` (`None` when its leading lines are not as
/// [`Leading`] allows).
pub(super) fn key_start(text: &str, leaf: &Leaf) -> Option<usize> {
    let Segment { start, end, column } = leaf.segment;
    let leading = Leading::of(text.get(start..end)?, leaf)?;
    Some(start + leading.key_line + column)
}

/// The entries `region` holds, the new text of the entry `leaf` after an edit inside it:
/// what [`split`] would find there again, checked on the region's lines alone (the lines
/// around it did not change). A service's lines may now hold several services (a `:` typed
/// after a new name); a top-level entry must stay one. `None` when the region is not
/// entries of the same kind (or not all of the region is).
pub(super) fn entries_in(region: &str, leaf: &Leaf) -> Option<Vec<Leaf>> {
    if !suits(region.as_bytes()) {
        return None;
    }
    let column = leaf.segment.column;
    let leading = Leading::of(region, leaf)?;
    let bytes = region.as_bytes();
    let key_line_end = line_end(bytes, leading.key_line);
    let first = region[leading.key_line..key_line_end].trim_end_matches('\n');
    let rest = first.trim_start_matches(' ');
    // The key line, at its column; a top-level `services:` that was not split stays so only
    // while it is not a header with services under it (checked by splitting again).
    if first.len() - rest.len() != column || !is_key_line(rest) {
        return None;
    }
    if !leaf.service && is_services_header(first) {
        return None;
    }
    let mut starts = vec![0];
    let mut at = key_line_end;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let content = region[at..end].trim_end_matches('\n');
        let line_start = at;
        at = end;
        if content.starts_with("---") || content.starts_with("...") || content.starts_with('%') {
            return None;
        }
        let rest = content.trim_start_matches(' ');
        let indent = content.len() - rest.len();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if indent == 0 {
            return None;
        }
        if leaf.service && indent == column && is_key_line(rest) {
            starts.push(line_start);
        }
    }
    let base = leaf.segment.start;
    let count = starts.len();
    let parts = (0..count).map(|k| Leaf {
        segment: Segment {
            start: base + starts[k],
            end: base + starts.get(k + 1).copied().unwrap_or(region.len()),
            column,
        },
        service: leaf.service,
        next_column: if k + 1 < count {
            Some(column)
        } else {
            leaf.next_column
        },
        leading: leaf.leading && k == 0,
    });
    Some(parts.collect())
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
/// content line. The first service's segment starts on the line after `services:`, and
/// may hold one loose line before its key (see [`Leading`]).
fn split_services(text: &str, within: Segment) -> Option<Vec<Segment>> {
    let bytes = text.as_bytes();
    let after_header = line_end(bytes, within.start);
    let mut at = after_header;
    let mut column = None;
    let mut loose = false;
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
        if out.is_empty() && (column == 0 || indent != column) {
            return None;
        }
        if indent == column && is_key_line(rest) {
            out.push(Segment {
                start: if out.is_empty() {
                    after_header
                } else {
                    line_start
                },
                end: 0,
                column,
            });
        } else if out.is_empty() {
            // Before the first service: one loose line at most.
            if loose || !is_loose_word(rest) {
                return None;
            }
            loose = true;
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
    fn a_word_above_the_first_service_is_an_error_of_its_own() {
        let text = FILE.replace("services:\n", "services:\n\n  cache  \n");
        let read = parse(&text);
        assert!(read.by_entries);
        let end = text.find("cache").unwrap() + "cache".len();
        assert_eq!(read.errors.len(), 1, "{:?}", read.errors);
        assert_eq!(read.errors[0].message, LOOSE_LINE);
        assert_eq!(read.errors[0].range, TextRange::new(end as u32, end as u32));
        // Every service is read, and the mapping starts at the first one's key.
        let dump = read.tree.debug_dump();
        let web = text.find("web").unwrap();
        assert!(dump.contains(&format!("Mapping@{web}..")), "{dump}");
        assert!(dump.contains("\"api\""), "{dump}");
        // Two such lines, one deeper than the services, or one with a `:` or quote in it,
        // are not loose words: `services:` is read whole.
        for above in ["  a\n  b\n", "    a\n", "  a:b\n", "  'a\n"] {
            let text = FILE.replace("services:\n", &format!("services:\n{above}"));
            let layout = split(&text).unwrap();
            assert_eq!(layout.services, None, "{above:?}");
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
