//! Definition, references, document highlight and rename in compose files.
//!
//! **Names.** Services, networks, volumes, secrets and configs are declared by the keys of
//! their top-level sections and used by services:
//! - services: `depends_on` (list items or mapping keys), `links` (`name` of `name:alias`),
//!   `volumes_from` (`name`, `name:ro`, `service:name[:ro]`; `container:...` is not a
//!   service), `extends` (a string, or `service:` without `file:`) and
//!   `network_mode: service:name`;
//! - networks: a service's `networks` (list items or mapping keys);
//! - volumes: the source of a service's named volume, short (`db:/var/lib`) or long
//!   (`source:` of a `type: volume` entry);
//! - secrets and configs: a service's `secrets`/`configs` (strings or `source:`), and the
//!   `secrets` of its `build`.
//!
//! **Anchors.** `&name` declares an anchor on a node, `*name` uses it; definition from an
//! alias goes to its anchor, and rename renames the anchor and its aliases.
//!
//! Every occurrence's range is the name alone: inside quotes, without `&`/`*`, without the
//! rest of `db:/var/lib` or `service:cache:ro`. A name the source spells differently from its
//! value (an escape in a quoted string, a scalar over several lines) is still a reference, at
//! its whole scalar, but rename refuses to run rather than leave it behind. Names written
//! with `${...}` are not names.

use std::path::{Component, Path, PathBuf};

use super::ComposeAnalysis;
use crate::ide::navigation::touch_rank;
use crate::ide::{NavigationTarget, Reference, TextEdit};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind, YamlTree};

/// What kind of thing a compose name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    Service,
    Network,
    Volume,
    Secret,
    Config,
}

impl NameKind {
    pub const ALL: [NameKind; 5] = [
        NameKind::Service,
        NameKind::Network,
        NameKind::Volume,
        NameKind::Secret,
        NameKind::Config,
    ];

    /// The top-level section declaring these names.
    pub fn section(self) -> &'static str {
        match self {
            NameKind::Service => "services",
            NameKind::Network => "networks",
            NameKind::Volume => "volumes",
            NameKind::Secret => "secrets",
            NameKind::Config => "configs",
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            NameKind::Service => "service",
            NameKind::Network => "network",
            NameKind::Volume => "volume",
            NameKind::Secret => "secret",
            NameKind::Config => "config",
        }
    }
}

/// Something with declarations and uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    Name(NameKind, String),
    /// A YAML anchor, by the node it is set on.
    Anchor(NodeId),
}

/// One place a symbol is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Occurrence {
    /// The name alone; the whole scalar when the name cannot be located in it (`exact`).
    pub range: TextRange,
    /// For declarations, the whole entry (key through value) or anchored node; else `range`.
    pub full: TextRange,
    pub is_declaration: bool,
    /// The source spells the name as its value, so `range` is exact and can be edited.
    pub exact: bool,
    /// The name is a whole plain scalar: a new name YAML would read as a number, boolean or
    /// null needs quotes there.
    whole_plain: bool,
}

/// An occurrence with its symbol and the range a cursor hits (the name, plus `&`/`*`).
#[derive(Clone, Debug)]
struct Found {
    symbol: Symbol,
    /// The name as written (for anchors, the anchor's name).
    name: String,
    hit: TextRange,
    occurrence: Occurrence,
}

// ---- Features ----

/// Where the declaration of the symbol at `offset` is (the last one, when a key repeats).
pub fn definition(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Option<NavigationTarget> {
    let symbol = symbol_at(analysis, text, offset).ok()?;
    occurrences(analysis, text, &symbol)
        .into_iter()
        .rev()
        .find(|o| o.is_declaration)
        .map(|o| NavigationTarget {
            full: o.full,
            focus: o.range,
        })
}

/// Every occurrence of the symbol at `offset`, in source order.
pub fn references(
    analysis: &ComposeAnalysis,
    text: &str,
    offset: u32,
    include_declaration: bool,
) -> Vec<Reference> {
    let Ok(symbol) = symbol_at(analysis, text, offset) else {
        return Vec::new();
    };
    occurrences(analysis, text, &symbol)
        .into_iter()
        .filter(|o| include_declaration || !o.is_declaration)
        .map(|o| Reference {
            range: o.range,
            is_declaration: o.is_declaration,
        })
        .collect()
}

/// The occurrences of the symbol at `offset` to highlight: declarations and uses.
pub fn highlights(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Vec<Reference> {
    references(analysis, text, offset, true)
}

/// The range of the name at `offset`, if it can be renamed; else why not.
pub fn prepare_rename(
    analysis: &ComposeAnalysis,
    text: &str,
    offset: u32,
) -> Result<TextRange, String> {
    let found = found_at(analysis, text, offset)?;
    renamable(analysis, text, &found)?;
    Ok(found.occurrence.range)
}

/// The edits that rename the symbol at `offset` to `new_name` everywhere in the file.
pub fn rename(
    analysis: &ComposeAnalysis,
    text: &str,
    offset: u32,
    new_name: &str,
) -> Result<Vec<TextEdit>, String> {
    let found = found_at(analysis, text, offset)?;
    let occurrences = renamable(analysis, text, &found)?;
    let old_name = found.name.as_str();
    if new_name == old_name {
        return Ok(Vec::new());
    }
    if !is_valid_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name: use letters, digits, `.`, `_` and `-`"
        ));
    }
    let all = scan(&analysis.parse.tree, text);
    let clash = all.iter().find(|f| {
        f.name == new_name
            && match (&f.symbol, &found.symbol) {
                (Symbol::Name(kind, _), Symbol::Name(renamed, _)) => kind == renamed,
                (Symbol::Anchor(_), Symbol::Anchor(_)) => true,
                _ => false,
            }
    });
    if let Some(clash) = clash {
        let what = match &found.symbol {
            Symbol::Name(kind, _) => format!("a {}", kind.what()),
            Symbol::Anchor(_) => "an anchor".to_owned(),
        };
        return Err(format!(
            "there is already {what} named `{new_name}` (line {})",
            line_number(text, clash.occurrence.range.start)
        ));
    }
    let quoted = format!("\"{new_name}\"");
    let mut edits: Vec<TextEdit> = occurrences
        .iter()
        .map(|o| TextEdit {
            range: o.range,
            new_text: if o.whole_plain && reads_as_non_string(new_name) {
                quoted.clone()
            } else {
                new_name.to_owned()
            },
        })
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup_by_key(|e| e.range);
    Ok(edits)
}

/// The edits a compose file needs when stage `old` of the Dockerfile at `dockerfile` is
/// renamed to `new`: each `build.target` naming the stage (any case) in a service that
/// builds that Dockerfile.
pub fn build_target_renames(
    analysis: &ComposeAnalysis,
    text: &str,
    dockerfile: &Path,
    old: &str,
    new: &str,
) -> Vec<TextEdit> {
    let tree = &analysis.parse.tree;
    let wanted = lexical(dockerfile);
    let mut edits = Vec::new();
    for (name, body) in services(tree) {
        let Some(target) = get(tree, body, "build").and_then(|b| get(tree, b, "target")) else {
            continue;
        };
        let builds_it = analysis
            .facts
            .build(name)
            .and_then(|b| b.dockerfile.as_ref())
            .is_some_and(|d| lexical(&d.path) == wanted);
        let names_stage = tree
            .scalar(target)
            .is_some_and(|t| t.eq_ignore_ascii_case(old));
        if !(builds_it && names_stage) {
            continue;
        }
        if let Some((range, value)) = scalar_content(tree, text, target) {
            let plain = is_plain(tree, target);
            edits.push(TextEdit {
                range: TextRange::new(range.start, range.start + value.len() as u32),
                new_text: if plain && reads_as_non_string(new) {
                    format!("\"{new}\"")
                } else {
                    new.to_owned()
                },
            });
        }
    }
    edits
}

// ---- The symbol at the cursor and its occurrences ----

/// The symbol at `offset`; else why there is none.
pub fn symbol_at(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Result<Symbol, String> {
    found_at(analysis, text, offset).map(|f| f.symbol)
}

/// Every occurrence of `symbol`, in source order.
pub fn occurrences(analysis: &ComposeAnalysis, text: &str, symbol: &Symbol) -> Vec<Occurrence> {
    let mut found: Vec<Occurrence> = scan(&analysis.parse.tree, text)
        .into_iter()
        .filter(|f| &f.symbol == symbol)
        .map(|f| f.occurrence)
        .collect();
    found.sort_by_key(|o| (o.range.start, o.range.end));
    // Merged entries (`<<: *base`) are visited once per service merging them.
    found.dedup_by_key(|o| o.range);
    found
}

const NOTHING_HERE: &str = "nothing to rename here: put the cursor on a service, network, \
                            volume, secret or config name, or on a YAML anchor or alias";

fn found_at(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Result<Found, String> {
    scan(&analysis.parse.tree, text)
        .into_iter()
        .filter(|f| f.hit.touches(offset))
        .min_by_key(|f| touch_rank(f.hit, offset))
        .ok_or_else(|| NOTHING_HERE.to_owned())
}

/// The occurrences of a symbol that may be renamed; else why it may not.
fn renamable(
    analysis: &ComposeAnalysis,
    text: &str,
    found: &Found,
) -> Result<Vec<Occurrence>, String> {
    if found.symbol == Symbol::Name(NameKind::Network, "default".to_owned()) {
        return Err(
            "`default` is the network Compose creates for the project; its name cannot change"
                .to_owned(),
        );
    }
    let occurrences = occurrences(analysis, text, &found.symbol);
    if let Some(inexact) = occurrences.iter().find(|o| !o.exact) {
        return Err(format!(
            "`{}` is also written as `{}` on line {} (escaped or over several lines); \
             change that by hand first",
            found.name,
            &text[inexact.range.as_usize()],
            line_number(text, inexact.range.start)
        ));
    }
    Ok(occurrences)
}

/// A name Compose accepts for services, networks, volumes, secrets and configs (and a safe
/// anchor name).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A plain scalar YAML reads as something other than a string: a number, boolean or null
/// (in YAML 1.2 or 1.1).
fn reads_as_non_string(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let keyword = matches!(
        lower.as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || matches!(lower.as_str(), ".inf" | "-.inf" | ".nan");
    let digits = lower.strip_prefix(['-', '+']).unwrap_or(&lower);
    let number = lower.parse::<f64>().is_ok()
        || digits.strip_prefix("0x").is_some_and(|h| {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_')
        })
        || digits.strip_prefix("0o").is_some_and(|o| {
            !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b) || b == b'_')
        })
        || (!digits.is_empty()
            && digits.bytes().any(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'_' || b == b'.'));
    keyword || number
}

// ---- Scanning the file ----

/// Every declaration and reference of every symbol in the file.
fn scan(tree: &YamlTree, text: &str) -> Vec<Found> {
    let mut scanner = Scanner {
        tree,
        text,
        out: Vec::new(),
    };
    scanner.run();
    scanner.out
}

struct Scanner<'a> {
    tree: &'a YamlTree,
    text: &'a str,
    out: Vec<Found>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let tree = self.tree;
        if let Some(root) = tree.root {
            for kind in NameKind::ALL {
                let Some(section) = get(tree, root, kind.section()) else {
                    continue;
                };
                for (key, value) in tree.entries(section) {
                    self.declaration(kind, key, value);
                }
            }
            for (_, body) in services(tree) {
                self.service_references(body);
            }
        }
        self.anchors();
    }

    fn declaration(&mut self, kind: NameKind, key: NodeId, value: Option<NodeId>) {
        let Some(name) = self.tree.scalar(key) else {
            return;
        };
        if name.is_empty() || name.contains("${") {
            return;
        }
        let Some(key_node) = self.tree.node(key) else {
            return;
        };
        let end = value.map_or(key_node.range.end, |v| written_end(self.tree, self.text, v));
        let full = TextRange::new(key_node.range.start, end.max(key_node.range.end));
        if let Some(mut found) = self.locate(kind, key, 0, name.len()) {
            found.occurrence.is_declaration = true;
            found.occurrence.full = full;
            self.out.push(found);
        }
    }

    /// A use of a `kind` name: `len` bytes at `start` of the scalar `node`'s value.
    fn reference(&mut self, kind: NameKind, node: NodeId, start: usize, len: usize) {
        if let Some(found) = self.locate(kind, node, start, len) {
            self.out.push(found);
        }
    }

    /// A use of a whole scalar as a `kind` name.
    fn whole(&mut self, kind: NameKind, node: NodeId) {
        let len = self.tree.scalar(node).map_or(0, str::len);
        self.reference(kind, node, 0, len);
    }

    fn locate(&self, kind: NameKind, node: NodeId, start: usize, len: usize) -> Option<Found> {
        let value = self.tree.scalar(node)?;
        let name = value.get(start..start + len)?;
        if name.is_empty() || name.contains("${") {
            return None;
        }
        let (range, exact) = match scalar_content(self.tree, self.text, node) {
            Some((content, _)) => {
                let at = content.start + start as u32;
                (TextRange::new(at, at + len as u32), true)
            }
            None => (self.tree.node(node)?.range, false),
        };
        Some(Found {
            symbol: Symbol::Name(kind, name.to_owned()),
            name: name.to_owned(),
            hit: range,
            occurrence: Occurrence {
                range,
                full: range,
                is_declaration: false,
                exact,
                whole_plain: exact && start == 0 && len == value.len() && is_plain(self.tree, node),
            },
        })
    }

    fn service_references(&mut self, body: NodeId) {
        let tree = self.tree;
        if let Some(depends_on) = get(tree, body, "depends_on") {
            for node in listed_names(tree, depends_on) {
                self.whole(NameKind::Service, node);
            }
        }
        for item in items(tree, get(tree, body, "links")) {
            // `name` or `name:alias`.
            if let Some(value) = tree.scalar(item) {
                let len = value.find(':').unwrap_or(value.len());
                self.reference(NameKind::Service, item, 0, len);
            }
        }
        for item in items(tree, get(tree, body, "volumes_from")) {
            // `name`, `name:ro`, `service:name[:ro]`; `container:...` is no service.
            let Some(value) = tree.scalar(item) else {
                continue;
            };
            if value.starts_with("container:") {
                continue;
            }
            let start = if value.starts_with("service:") { 8 } else { 0 };
            let len = value[start..].find(':').unwrap_or(value.len() - start);
            self.reference(NameKind::Service, item, start, len);
        }
        if let Some(extends) = get(tree, body, "extends") {
            match tree.scalar(extends) {
                Some(_) => self.whole(NameKind::Service, extends),
                // Another file's services are not this file's.
                None if get(tree, extends, "file").is_none() => {
                    if let Some(service) = get(tree, extends, "service") {
                        self.whole(NameKind::Service, service);
                    }
                }
                None => {}
            }
        }
        if let Some(mode) = get(tree, body, "network_mode")
            && let Some(value) = tree.scalar(mode)
            && value.starts_with("service:")
        {
            self.reference(NameKind::Service, mode, 8, value.len() - 8);
        }
        if let Some(networks) = get(tree, body, "networks") {
            for node in listed_names(tree, networks) {
                self.whole(NameKind::Network, node);
            }
        }
        for item in items(tree, get(tree, body, "volumes")) {
            self.volume_reference(item);
        }
        for (key, kind) in [("secrets", NameKind::Secret), ("configs", NameKind::Config)] {
            if let Some(list) = get(tree, body, key) {
                for node in listed_names(tree, list) {
                    self.whole(kind, node);
                }
            }
        }
        if let Some(secrets) = get(tree, body, "build").and_then(|b| get(tree, b, "secrets")) {
            for node in listed_names(tree, secrets) {
                self.whole(NameKind::Secret, node);
            }
        }
    }

    /// The named volume of a service's `volumes` entry, short or long syntax.
    fn volume_reference(&mut self, item: NodeId) {
        let tree = self.tree;
        match tree.node(item).map(|n| &n.kind) {
            Some(NodeKind::Scalar { value, .. }) => {
                // `source:target[:mode]`; a lone target is an anonymous volume.
                let Some(colon) = volume_source_end(value) else {
                    return;
                };
                let source = &value[..colon];
                if !is_host_path(source) {
                    self.reference(NameKind::Volume, item, 0, colon);
                }
            }
            Some(NodeKind::Mapping(_)) => {
                let kind = get(tree, item, "type").and_then(|t| tree.scalar(t));
                if kind.is_none_or(|k| k == "volume")
                    && let Some(source) = get(tree, item, "source")
                {
                    self.whole(NameKind::Volume, source);
                }
            }
            _ => {}
        }
    }

    fn anchors(&mut self) {
        let tree = self.tree;
        for (id, node) in tree.nodes.iter().enumerate() {
            if node.anchor.is_some()
                && let Some(name) = anchor_name(self.text, node.range)
            {
                let full = TextRange::new(
                    node.range.start,
                    written_end(tree, self.text, id).max(name.end),
                );
                self.out.push(sigil_found(self.text, id, name, full, true));
            }
            if let NodeKind::Alias(Some(target)) = node.kind
                && self.text.as_bytes().get(node.range.start as usize) == Some(&b'*')
                && node.range.len() > 1
            {
                let name = TextRange::new(node.range.start + 1, node.range.end);
                self.out
                    .push(sigil_found(self.text, target, name, name, false));
            }
        }
    }
}

/// An anchor or alias occurrence: `name` is the range after the `&` or `*`.
fn sigil_found(
    text: &str,
    anchored: NodeId,
    name: TextRange,
    full: TextRange,
    is_declaration: bool,
) -> Found {
    Found {
        symbol: Symbol::Anchor(anchored),
        name: text[name.as_usize()].to_owned(),
        hit: TextRange::new(name.start - 1, name.end),
        occurrence: Occurrence {
            range: name,
            full,
            is_declaration,
            exact: true,
            whole_plain: false,
        },
    }
}

/// The range of the anchor's name in the properties (`&name`, `!tag`) a node starts with.
fn anchor_name(text: &str, range: TextRange) -> Option<TextRange> {
    let bytes = text.as_bytes();
    let mut at = range.start as usize;
    let end = (range.end as usize).min(bytes.len());
    while at < end {
        match bytes[at] {
            b'&' | b'!' => {
                let sigil = bytes[at];
                let start = at + 1;
                let mut stop = start;
                while stop < end && !is_property_end(bytes[stop]) {
                    stop += 1;
                }
                if sigil == b'&' {
                    return (stop > start).then(|| TextRange::new(start as u32, stop as u32));
                }
                at = stop;
                while at < end && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
                    at += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

fn is_property_end(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
    )
}

// ---- Tree helpers shared by the compose features ----

/// The value of `key` in mapping `node`, aliases resolved.
pub(crate) fn get(tree: &YamlTree, node: NodeId, key: &str) -> Option<NodeId> {
    tree.get(node, key).map(|v| tree.resolve(v))
}

/// The items of a sequence (aliases resolved); empty for anything else.
pub(crate) fn items(tree: &YamlTree, node: Option<NodeId>) -> Vec<NodeId> {
    let Some(node) = node.map(|n| tree.resolve(n)) else {
        return Vec::new();
    };
    match tree.node(node).map(|n| &n.kind) {
        Some(NodeKind::Sequence(items)) => items.iter().map(|&i| tree.resolve(i)).collect(),
        _ => Vec::new(),
    }
}

/// The services: name and body (a mapping), in order, merge keys applied.
pub(crate) fn services(tree: &YamlTree) -> Vec<(&str, NodeId)> {
    let Some(services) = tree.root.and_then(|r| get(tree, r, "services")) else {
        return Vec::new();
    };
    tree.entries(services)
        .into_iter()
        .filter_map(|(key, body)| {
            let body = tree.resolve(body?);
            matches!(tree.node(body)?.kind, NodeKind::Mapping(_))
                .then_some((tree.scalar(key)?, body))
        })
        .collect()
}

/// Where what is written of a node ends: [`YamlTree::content_end`] without the line
/// breaks and blank lines a block scalar's range runs on with.
pub(crate) fn written_end(tree: &YamlTree, text: &str, id: NodeId) -> u32 {
    let start = tree.node(id).map_or(0, |n| n.range.start) as usize;
    let mut end = (tree.content_end(id) as usize).min(text.len());
    let bytes = text.as_bytes();
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end as u32
}

/// The scalar nodes a list names: the items of a sequence (or their `source:`), or the keys
/// of a mapping.
fn listed_names(tree: &YamlTree, value: NodeId) -> Vec<NodeId> {
    match tree.node(value).map(|n| &n.kind) {
        Some(NodeKind::Sequence(_)) => items(tree, Some(value))
            .into_iter()
            .filter_map(|item| match tree.node(item)?.kind {
                NodeKind::Scalar { .. } => Some(item),
                _ => get(tree, item, "source"),
            })
            .collect(),
        Some(NodeKind::Mapping(_)) => tree.entries(value).into_iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

/// Where a scalar's value is written (inside its quotes, after its anchor and tag) and the
/// value, when the source spells the value as is: `None` for escapes, folded lines and
/// block scalars.
pub(crate) fn scalar_content<'t>(
    tree: &'t YamlTree,
    text: &str,
    node: NodeId,
) -> Option<(TextRange, &'t str)> {
    let n = tree.node(node)?;
    let NodeKind::Scalar { value, style } = &n.kind else {
        return None;
    };
    if *style == ScalarKind::Block {
        return None;
    }
    let bytes = text.as_bytes();
    let end = (n.range.end as usize).min(bytes.len());
    let mut at = n.range.start as usize;
    // Skip the properties: `&anchor`, `!tag`.
    while at < end && matches!(bytes[at], b'&' | b'!') {
        while at < end && !is_property_end(bytes[at]) {
            at += 1;
        }
        while at < end && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
    }
    if *style == ScalarKind::Quoted && matches!(bytes.get(at), Some(b'"' | b'\'')) {
        at += 1;
    }
    let written = text.get(at..at + value.len())?;
    (written == &**value).then(|| {
        (
            TextRange::new(at as u32, (at + value.len()) as u32),
            &**value,
        )
    })
}

fn is_plain(tree: &YamlTree, node: NodeId) -> bool {
    matches!(
        tree.node(node).map(|n| &n.kind),
        Some(NodeKind::Scalar {
            style: ScalarKind::Plain,
            ..
        })
    )
}

/// Where the source of a short volume (`source:target[:mode]`) ends; `None` for a lone
/// target. A Windows drive letter (`C:\data`) stays with its path.
fn volume_source_end(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    let colon = value.find(':')?;
    let drive =
        colon == 1 && bytes[0].is_ascii_alphabetic() && matches!(bytes.get(2), Some(b'\\' | b'/'));
    (!drive).then_some(colon)
}

/// A volume source that is a host path (a bind mount), not a volume name.
fn is_host_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~', '$', '\\']) || source.as_bytes().get(1) == Some(&b':')
}

/// A path with `.` and `..` resolved without looking at the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn line_number(text: &str, offset: u32) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    /// (analysis, text, cursor) from a fixture with one `$0` marker.
    fn fixture(src: &str) -> (Arc<ComposeAnalysis>, String, u32) {
        let at = src.find("$0").expect("a `$0` cursor");
        let text = format!("{}{}", &src[..at], &src[at + 2..]);
        let analysis =
            ComposeAnalysis::compute(&text, None, |_| ComposeFacts::default(), &Config::default());
        (analysis, text, at as u32)
    }

    /// Each range as `line:text` (1-based lines), declarations marked with `=`.
    fn shown(text: &str, refs: &[Reference]) -> Vec<String> {
        refs.iter()
            .map(|r| {
                format!(
                    "{}{}:{}",
                    if r.is_declaration { "=" } else { "" },
                    line_number(text, r.range.start),
                    &text[r.range.as_usize()]
                )
            })
            .collect()
    }

    fn refs(src: &str) -> Vec<String> {
        let (analysis, text, at) = fixture(src);
        shown(&text, &references(&analysis, &text, at, true))
    }

    fn renamed(src: &str, new_name: &str) -> Result<String, String> {
        let (analysis, text, at) = fixture(src);
        let mut edits = rename(&analysis, &text, at, new_name)?;
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = text.clone();
        for edit in edits {
            out.replace_range(edit.range.as_usize(), &edit.new_text);
        }
        Ok(out)
    }

    const SERVICES: &str = "services:\n  web:\n    image: nginx\n    depends_on: [d$0b, \"cache\"]\n    links: [db:database]\n    volumes_from: [\"service:cache:ro\", \"container:db\", db]\n    network_mode: \"service:db\"\n    extends: {service: db}\n  worker:\n    depends_on:\n      db:\n        condition: service_healthy\n  \"db\":\n    image: postgres\n  cache:\n    image: redis\n";

    #[test]
    fn every_kind_of_service_reference() {
        assert_eq!(
            refs(SERVICES),
            ["4:db", "5:db", "6:db", "7:db", "8:db", "11:db", "=13:db",]
        );
        let (analysis, text, at) = fixture(SERVICES);
        let def = definition(&analysis, &text, at).unwrap();
        assert_eq!(&text[def.focus.as_usize()], "db");
        assert!(text[def.full.as_usize()].starts_with("\"db\":\n    image: postgres"));
        assert!(text[def.full.as_usize()].ends_with("postgres"));
        // `service:cache:ro` names `cache` alone.
        let cache = SERVICES
            .replace("$0", "")
            .replace("[\"service:cache", "[\"service:ca$0che");
        assert_eq!(refs(&cache), ["4:cache", "6:cache", "=15:cache"]);
    }

    #[test]
    fn rename_a_service_everywhere() {
        let out = renamed(SERVICES, "database").unwrap();
        assert_eq!(
            out,
            "services:\n  web:\n    image: nginx\n    depends_on: [database, \"cache\"]\n    links: [database:database]\n    volumes_from: [\"service:cache:ro\", \"container:db\", database]\n    network_mode: \"service:database\"\n    extends: {service: database}\n  worker:\n    depends_on:\n      database:\n        condition: service_healthy\n  \"database\":\n    image: postgres\n  cache:\n    image: redis\n"
        );
        // A plain name that YAML would read as a number is quoted; quoted ones stay quoted.
        let out = renamed(SERVICES, "123").unwrap();
        assert!(out.contains("depends_on: [\"123\", \"cache\"]"), "{out}");
        assert!(out.contains("  \"123\":\n    image: postgres"), "{out}");
        assert!(out.contains("links: [123:database]"), "{out}");
    }

    #[test]
    fn rename_refuses_bad_names_clashes_and_non_symbols() {
        assert!(
            renamed(SERVICES, "my db")
                .unwrap_err()
                .contains("not a valid name")
        );
        assert!(
            renamed(SERVICES, "")
                .unwrap_err()
                .contains("not a valid name")
        );
        assert_eq!(
            renamed(SERVICES, "cache").unwrap_err(),
            "there is already a service named `cache` (line 15)"
        );
        assert_eq!(renamed(SERVICES, "db").unwrap(), SERVICES.replace("$0", ""));
        let on_key = SERVICES
            .replace("$0", "")
            .replacen("image: nginx", "ima$0ge: nginx", 1);
        let (analysis, text, at) = fixture(&on_key);
        assert_eq!(
            prepare_rename(&analysis, &text, at).unwrap_err(),
            NOTHING_HERE
        );
        // `container:db` is no service reference.
        let container = SERVICES
            .replace("$0", "")
            .replacen("container:db", "container:d$0b", 1);
        assert!(renamed(&container, "x").is_err());
        // The default network is Compose's own.
        let default = "services:\n  web:\n    networks: [def$0ault]\nnetworks:\n  default:\n";
        assert!(renamed(default, "x").unwrap_err().contains("default"));
    }

    #[test]
    fn prepare_rename_gives_the_name_alone() {
        let (analysis, text, at) = fixture(SERVICES);
        let range = prepare_rename(&analysis, &text, at).unwrap();
        assert_eq!(&text[range.as_usize()], "db");
        let quoted = SERVICES.replace("$0", "").replace("\"db\":", "\"d$0b\":");
        let (analysis, text, at) = fixture(&quoted);
        let range = prepare_rename(&analysis, &text, at).unwrap();
        assert_eq!(&text[range.as_usize()], "db");
        assert_eq!(text.as_bytes()[range.start as usize - 1], b'"');
    }

    #[test]
    fn volumes_networks_secrets_and_configs() {
        let src = "services:\n  app:\n    volumes:\n      - da$0ta:/var/lib\n      - ./data:/src\n      - type: volume\n        source: data\n        target: /x\n      - type: bind\n        source: data\n        target: /y\n      - \"data:/z:ro\"\n    networks:\n      front:\n        aliases: [a]\n    secrets: [token, {source: key}]\n    configs:\n      - source: nginx\n        target: /etc/nginx.conf\n    build:\n      context: .\n      secrets: [token]\nvolumes:\n  data: {}\nnetworks:\n  front:\nsecrets:\n  token:\n    file: ./t\n  key:\n    environment: KEY\nconfigs:\n  nginx:\n    file: ./n\n";
        assert_eq!(refs(src), ["4:data", "7:data", "12:data", "=24:data"]);
        assert_eq!(
            refs(
                &src.replace("$0", "")
                    .replacen("secrets: [token", "secrets: [to$0ken", 1)
            ),
            ["16:token", "22:token", "=28:token"]
        );
        assert_eq!(
            refs(
                &src.replace("$0", "")
                    .replacen("  front:\n", "  fr$0ont:\n", 1)
            ),
            ["14:front", "=26:front"]
        );
        assert_eq!(
            refs(
                &src.replace("$0", "")
                    .replacen("source: nginx", "source: ng$0inx", 1)
            ),
            ["18:nginx", "=33:nginx"]
        );
        let out = renamed(src, "store").unwrap();
        assert!(
            out.contains("- store:/var/lib\n      - ./data:/src"),
            "{out}"
        );
        assert!(out.contains("source: store\n        target: /x"), "{out}");
        assert!(out.contains("source: data\n        target: /y"), "{out}");
        assert!(out.contains("\"store:/z:ro\""), "{out}");
        assert!(out.contains("volumes:\n  store: {}"), "{out}");
    }

    #[test]
    fn anchors_and_aliases() {
        let src = "x-base: &ba$0se\n  restart: always\nx-env: &env {TZ: UTC}\nservices:\n  web:\n    <<: *base\n    environment: *env\n  db:\n    <<: [*base]\n";
        assert_eq!(refs(src), ["=1:base", "6:base", "9:base"]);
        let from_alias = src
            .replace("$0", "")
            .replacen("<<: *base", "<<: *b$0ase", 1);
        let (analysis, text, at) = fixture(&from_alias);
        let def = definition(&analysis, &text, at).unwrap();
        assert_eq!(&text[def.focus.as_usize()], "base");
        assert_eq!(&text[def.full.as_usize()], "&base\n  restart: always");
        // The cursor on the `*` counts.
        let on_star = src
            .replace("$0", "")
            .replacen("<<: *base", "<<: $0*base", 1);
        assert_eq!(refs(&on_star).len(), 3);
        let out = renamed(src, "common").unwrap();
        assert_eq!(
            out,
            "x-base: &common\n  restart: always\nx-env: &env {TZ: UTC}\nservices:\n  web:\n    <<: *common\n    environment: *env\n  db:\n    <<: [*common]\n"
        );
        assert_eq!(
            renamed(src, "env").unwrap_err(),
            "there is already an anchor named `env` (line 3)"
        );
    }

    #[test]
    fn escaped_names_are_references_that_block_rename() {
        let src = "services:\n  web:\n    depends_on: [\"d\\x62\"]\n  d$0b:\n    image: x\n";
        assert_eq!(refs(src), ["3:\"d\\x62\"", "=4:db"]);
        assert!(renamed(src, "x").unwrap_err().contains("line 3"));
    }

    #[test]
    fn a_broken_line_keeps_the_rest() {
        let src = "services:\n  web:\n    image: nginx\n    depends_on: [db]\n    heal\n  d$0b:\n    image: postgres\n  api:\n    depends_on: [db]\n";
        let found = refs(src);
        assert_eq!(found, ["4:db", "=6:db", "9:db"]);
        // Nothing panics anywhere in a broken file.
        let (analysis, text, _) = fixture(src);
        for at in 0..=text.len() as u32 + 2 {
            let _ = definition(&analysis, &text, at);
            let _ = references(&analysis, &text, at, true);
            let _ = prepare_rename(&analysis, &text, at);
            let _ = rename(&analysis, &text, at, "x");
        }
    }

    #[test]
    fn names_that_need_quotes() {
        for name in [
            "true", "No", "null", "1", "1.5", "0x1F", "1e3", "-2", ".inf",
        ] {
            assert!(reads_as_non_string(name), "{name}");
        }
        for name in ["db", "web-1", "v1.2.3-x", "1a", "e3"] {
            assert!(!reads_as_non_string(name), "{name}");
        }
    }

    #[test]
    fn build_targets_follow_a_renamed_stage() {
        use crate::facts::compose::{BuildFact, DockerfileSummary, ProjectFacts};
        let text = "services:\n  api:\n    build:\n      context: ./api\n      target: Builder\n  other:\n    build:\n      context: ./other\n      target: builder\n  plain:\n    build: ./api\n";
        let facts = |_: &YamlTree| {
            let mut project = ProjectFacts::default();
            for (service, path) in [
                ("api", "/w/./api/Dockerfile"),
                ("other", "/w/other/Dockerfile"),
                ("plain", "/w/api/Dockerfile"),
            ] {
                project.builds.insert(
                    service.to_owned(),
                    BuildFact {
                        dockerfile: Some(Arc::new(DockerfileSummary {
                            path: PathBuf::from(path),
                            ..Default::default()
                        })),
                        ..Default::default()
                    },
                );
            }
            ComposeFacts {
                path: None,
                file_name: None,
                project: Some(project),
            }
        };
        let analysis = ComposeAnalysis::compute(text, None, facts, &Config::default());
        let edits = build_target_renames(
            &analysis,
            text,
            Path::new("/w/api/Dockerfile"),
            "builder",
            "compile",
        );
        assert_eq!(edits.len(), 1, "{edits:?}");
        assert_eq!(&text[edits[0].range.as_usize()], "Builder");
        assert_eq!(edits[0].new_text, "compile");
        assert!(
            build_target_renames(&analysis, text, Path::new("/w/api/Dockerfile"), "x", "y")
                .is_empty()
        );
    }
}
