//! Completion in compose files: the keys the schema allows where the cursor is, values from
//! the schema's enums, names declared elsewhere in the file (services, networks, volumes,
//! secrets, configs), the stages of the Dockerfile a service builds, and common images.
//!
//! Where the cursor is comes from the text's indentation, with the tree for what
//! indentation cannot tell: a half-typed line (which the parser blanks), an empty line under
//! a key or a line a syntax error cut off still complete. The work per request is the lines
//! above the cursor up to the top level and those of the mapping it is in (only their
//! indentation is read where it is deeper), a descent of the tree, and the schema.

use std::collections::BTreeSet;

use serde_json::Value;

use super::ComposeAnalysis;
use crate::ide::{CompletionItem, CompletionKind, TextEdit};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind, YamlTree};

/// The path segment of a list item (`[services, web, volumes, "[]"]` is a volume's long form).
pub const ITEM: &str = "[]";

/// What is being written at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// A key of the mapping at `path`.
    Key,
    /// The value of `key` in the mapping at `path` (after `key: `).
    Value { key: String },
    /// An item of the list at `path` (after `- `, or inside `[...]`); `path` ends with the
    /// list's key.
    Item,
}

/// Where the cursor is in a compose file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorContext {
    /// The keys from the root to the mapping (or list, for [`Site::Item`]) the cursor's
    /// line belongs to; [`ITEM`] for a list item.
    pub path: Vec<String>,
    pub site: Site,
    /// The word being typed (without quotes) and the range it covers, cursor to its end
    /// included: a completion replaces it.
    pub word: String,
    pub range: TextRange,
    /// The column where a key on this line starts (after `- ` markers).
    pub indent: u32,
    /// The value is inside quotes (`restart: "un|`): insert it bare.
    pub quoted: bool,
}

impl CursorContext {
    fn path_is(&self, pattern: &[&str]) -> bool {
        self.path.len() == pattern.len()
            && self
                .path
                .iter()
                .zip(pattern)
                .all(|(p, q)| *q == "*" || p == q)
    }

    /// The service the cursor is in (`services.<name>...`).
    pub fn service(&self) -> Option<&str> {
        match self.path.as_slice() {
            [first, service, ..] if first == "services" => Some(service),
            _ => None,
        }
    }
}

/// Where the cursor at `offset` is: see [`CursorContext`]. `None` in comments, block and
/// multi-line scalars, and where nothing can be written.
pub fn cursor_context(text: &str, tree: &YamlTree, offset: u32) -> Option<CursorContext> {
    let offset = (offset as usize).min(text.len());
    if !text.is_char_boundary(offset) || in_multiline_scalar(tree, text, offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let col = offset - line_start;
    let before = &line[..col.min(line.len())];
    if in_comment(before) || line.starts_with("---") || line.starts_with("...") {
        return None;
    }
    let indent = before.len() - before.trim_start_matches(' ').len();
    let mut at = indent;
    let mut dashes = Vec::new();
    while matches!(before.as_bytes().get(at), Some(b'-'))
        && matches!(before.as_bytes().get(at + 1), Some(b' ' | b'\t'))
    {
        dashes.push(at);
        at += 1;
        at += before[at..].len() - before[at..].trim_start_matches([' ', '\t']).len();
    }
    let content = &before[at..];
    if content == "-" {
        return None;
    }
    let (threshold, item) = match dashes.first() {
        Some(&d) => (d, true),
        None => (indent, false),
    };
    let mut path = parent_path(text, line_start, threshold, item)?;
    let abs = |i: usize| (line_start + at + i) as u32;
    let after_cursor = &line[col.min(line.len())..];
    if let Some((key, value_at)) = split_key(content) {
        path.extend(std::iter::repeat_n(ITEM.to_owned(), dashes.len()));
        let value = &content[value_at..];
        let skipped = value.len() - value.trim_start().len();
        let value = &value[skipped..];
        let value_start = value_at + skipped;
        return match value.as_bytes().first() {
            Some(b'[') => {
                path.push(key);
                flow_sequence(value, abs(value_start), after_cursor, path, at as u32)
            }
            Some(b'{') => {
                path.push(key);
                flow_mapping(value, abs(value_start), after_cursor, path, at as u32)
            }
            Some(b'|' | b'>' | b'*') => None,
            Some(b'&' | b'!') if !value.contains(' ') => None,
            _ => Some(value_word(
                value,
                abs(value_start),
                after_cursor,
                path,
                Site::Value { key },
                at as u32,
                false,
            )),
        };
    }
    if dashes.is_empty() {
        // A key being typed: only key characters before the cursor.
        if !content.bytes().all(is_key_byte) {
            return None;
        }
        let right = after_cursor.bytes().take_while(|b| is_key_byte(*b)).count();
        let end = offset + right;
        return Some(CursorContext {
            path,
            site: Site::Key,
            word: text[offset - content.len()..end].to_owned(),
            range: TextRange::new((offset - content.len()) as u32, end as u32),
            indent: at as u32,
            quoted: false,
        });
    }
    path.extend(std::iter::repeat_n(ITEM.to_owned(), dashes.len() - 1));
    match content.as_bytes().first() {
        Some(b'[') => {
            path.push(ITEM.to_owned());
            flow_sequence(content, abs(0), after_cursor, path, at as u32)
        }
        Some(b'{') => {
            path.push(ITEM.to_owned());
            flow_mapping(content, abs(0), after_cursor, path, at as u32)
        }
        Some(b'|' | b'>' | b'*' | b'&' | b'!') => None,
        _ => Some(value_word(
            content,
            abs(0),
            after_cursor,
            path,
            Site::Item,
            at as u32,
            false,
        )),
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The value being typed: `value` is the line from the value's start to the cursor, at
/// offset `start`; the word runs on to the end of the token after the cursor.
fn value_word(
    value: &str,
    start: u32,
    after_cursor: &str,
    path: Vec<String>,
    site: Site,
    indent: u32,
    in_flow: bool,
) -> CursorContext {
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let (word_start, typed) = match quote {
        Some(_) => (start + 1, &value[1..]),
        None => (start, value),
    };
    let right = match quote {
        Some(q) => after_cursor.find(q).unwrap_or(after_cursor.len()),
        None => after_cursor
            .find(|c: char| c.is_whitespace() || (in_flow && matches!(c, ',' | ']' | '}')))
            .unwrap_or(after_cursor.len()),
    };
    let word = format!("{typed}{}", &after_cursor[..right]);
    CursorContext {
        path,
        site,
        range: TextRange::new(word_start, word_start + word.len() as u32),
        word,
        indent,
        quoted: quote.is_some(),
    }
}

/// Inside `[a, b|`: an item of the list at `path`.
fn flow_sequence(
    value: &str,
    start: u32,
    after_cursor: &str,
    path: Vec<String>,
    indent: u32,
) -> Option<CursorContext> {
    let cut = last_outside_quotes(value, b"[,]")?;
    if value.as_bytes()[cut] == b']' || value[1..].contains(['[', '{']) {
        return None;
    }
    let rest = &value[cut + 1..];
    let skipped = rest.len() - rest.trim_start().len();
    let at = cut + 1 + skipped;
    Some(value_word(
        &value[at..],
        start + at as u32,
        after_cursor,
        path,
        Site::Item,
        indent,
        true,
    ))
}

/// Inside `{a: 1, b|`: a key (or after `b: `, a value) of the mapping at `path`.
fn flow_mapping(
    value: &str,
    start: u32,
    after_cursor: &str,
    path: Vec<String>,
    indent: u32,
) -> Option<CursorContext> {
    let cut = last_outside_quotes(value, b"{,}")?;
    if value.as_bytes()[cut] == b'}' || value[1..].contains(['[', '{']) {
        return None;
    }
    let rest = &value[cut + 1..];
    let skipped = rest.len() - rest.trim_start().len();
    let at = cut + 1 + skipped;
    let entry = &value[at..];
    if let Some((key, value_at)) = split_key(entry) {
        let v = &entry[value_at..];
        let v_at = at + value_at + (v.len() - v.trim_start().len());
        return Some(value_word(
            &value[v_at..],
            start + v_at as u32,
            after_cursor,
            path,
            Site::Value { key },
            indent,
            true,
        ));
    }
    if !entry.bytes().all(is_key_byte) {
        return None;
    }
    let right = after_cursor.bytes().take_while(|b| is_key_byte(*b)).count();
    let word = format!("{entry}{}", &after_cursor[..right]);
    let word_start = start + at as u32;
    Some(CursorContext {
        path,
        site: Site::Key,
        range: TextRange::new(word_start, word_start + word.len() as u32),
        word,
        indent,
        quoted: false,
    })
}

/// The last of `bytes` in `s` outside quotes.
fn last_outside_quotes(s: &str, bytes: &[u8]) -> Option<usize> {
    let mut quote = None;
    let mut last = None;
    for (i, b) in s.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if bytes.contains(&b) => last = Some(i),
            None => {}
        }
    }
    last
}

/// `# ...` outside quotes before the cursor.
fn in_comment(before: &str) -> bool {
    let mut quote = None;
    let mut prev_space = true;
    for b in before.bytes() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'#' && prev_space => return true,
            None if (b == b'"' || b == b'\'') && prev_space => quote = Some(b),
            None => {}
        }
        prev_space = b == b' ' || b == b'\t' || b == b'[' || b == b'{' || b == b',';
    }
    false
}

/// Inside a quoted or plain scalar written over several lines (block scalars are found by
/// [`parent_path`] from their `|`/`>`).
fn in_multiline_scalar(tree: &YamlTree, text: &str, offset: usize) -> bool {
    let offset = offset as u32;
    let inside = |id: NodeId| {
        tree.node(id)
            .is_some_and(|n| n.range.start < offset && offset < n.range.end)
    };
    let Some(mut id) = tree.root else {
        return false;
    };
    // Down by ranges to the scalar around the offset.
    for _ in 0..=crate::syntax::compose::MAX_DEPTH {
        let Some(node) = tree.node(id) else {
            return false;
        };
        let next = match &node.kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .rev()
                .find_map(|&(k, v)| [Some(k), v].into_iter().flatten().find(|n| inside(*n))),
            NodeKind::Sequence(items) => items.iter().rev().copied().find(|i| inside(*i)),
            NodeKind::Scalar { style, .. } => {
                let range = node.range.as_usize();
                return *style != ScalarKind::Block
                    && text.get(range).is_some_and(|s| s.contains('\n'));
            }
            NodeKind::Alias(_) => None,
        };
        match next {
            Some(next) => id = next,
            None => return false,
        }
    }
    false
}

/// A line as the indentation walk reads it.
pub(super) struct Shape {
    /// Leading spaces.
    pub indent: usize,
    /// Columns of the `- ` markers.
    pub dashes: Vec<usize>,
    /// Where the content after the markers starts.
    pub content_col: usize,
    /// `key:` on the line, unquoted.
    pub key: Option<String>,
    /// The value after `key:` (comment removed, trimmed); the content for a keyless line.
    pub value: String,
}

/// `None` for blank and comment lines.
pub(super) fn shape(line: &str) -> Option<Shape> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut at = indent;
    let mut dashes = Vec::new();
    let bytes = line.as_bytes();
    while bytes.get(at) == Some(&b'-') && matches!(bytes.get(at + 1), None | Some(b' ' | b'\t')) {
        dashes.push(at);
        at += 1;
        at += line[at..].len() - line[at..].trim_start_matches([' ', '\t']).len();
    }
    let content = strip_comment(&line[at..]).trim_end();
    if content.is_empty() && dashes.is_empty() {
        return None;
    }
    let (key, value) = match split_key(content) {
        Some((key, value_at)) => (Some(key), content[value_at..].trim().to_owned()),
        None => (None, content.to_owned()),
    };
    Some(Shape {
        indent,
        dashes,
        content_col: at,
        key,
        value,
    })
}

fn strip_comment(s: &str) -> &str {
    let mut quote = None;
    let mut prev_space = true;
    for (i, b) in s.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'#' && prev_space => return &s[..i],
            None if (b == b'"' || b == b'\'') && prev_space => quote = Some(b),
            None => {}
        }
        prev_space = b == b' ' || b == b'\t';
    }
    s
}

/// `key:` at the start of `content`: the key (unquoted) and where its value starts (after
/// the colon).
fn split_key(content: &str) -> Option<(String, usize)> {
    let bytes = content.as_bytes();
    let colon_ends_key = |i: usize| {
        bytes.get(i) == Some(&b':') && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'))
    };
    match bytes.first()? {
        q @ (b'"' | b'\'') => {
            let close = content[1..].find(*q as char)? + 1;
            let after = close + 1;
            let spaces = content[after..].len() - content[after..].trim_start().len();
            colon_ends_key(after + spaces)
                .then(|| (content[1..close].to_owned(), after + spaces + 1))
        }
        b'[' | b'{' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' => None,
        _ => {
            let mut prev_space = false;
            for i in 0..bytes.len() {
                if bytes[i] == b'#' && prev_space {
                    return None;
                }
                if colon_ends_key(i) {
                    let key = content[..i].trim_end();
                    return (!key.is_empty()).then(|| (key.to_owned(), i + 1));
                }
                prev_space = bytes[i] == b' ';
            }
            None
        }
    }
}

/// The keys of the mappings that hold the line starting at `line_start`, whose content
/// starts at column `threshold` (`item`: with a `- ` there, so a `key:` at the same column
/// can hold it). `None` inside a block scalar.
pub(super) fn parent_path(
    text: &str,
    line_start: usize,
    mut threshold: usize,
    mut item: bool,
) -> Option<Vec<String>> {
    let mut reversed: Vec<String> = Vec::new();
    let mut end = line_start;
    while end > 0 && (threshold > 0 || item) {
        let break_at = end - 1;
        let start = text[..break_at].rfind('\n').map_or(0, |i| i + 1);
        let line = text[start..break_at].trim_end_matches('\r');
        end = start;
        if line.starts_with("---") || line.starts_with("...") {
            break;
        }
        // Most lines are nested deeper: skip them before reading them.
        if spaces(line) > threshold {
            continue;
        }
        let Some(s) = shape(line) else {
            continue;
        };
        let opens_block = |v: &str| v.is_empty() || (v.starts_with(['&', '!']) && !v.contains(' '));
        if s.indent == threshold {
            // A sibling, unless the line is a list's `key:` at the list's own column.
            if item
                && s.dashes.is_empty()
                && let Some(key) = s.key.filter(|_| opens_block(&s.value))
            {
                reversed.push(key);
                item = false;
            }
            continue;
        }
        match &s.key {
            Some(key) if s.content_col < threshold => {
                if s.value.starts_with(['|', '>']) {
                    return None;
                }
                reversed.push(key.clone());
            }
            // A half-typed key (`  web` without its colon yet).
            None if s.dashes.is_empty() && s.value.bytes().all(is_key_byte) => {
                reversed.push(s.value.clone());
            }
            _ => {}
        }
        for &d in s.dashes.iter().rev() {
            if d < threshold {
                reversed.push(ITEM.to_owned());
            }
        }
        threshold = s.indent;
        item = s.dashes.first() == Some(&s.indent);
    }
    reversed.reverse();
    Some(reversed)
}

fn spaces(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

/// The keys already written in the mapping whose keys start at `column`, around the line
/// at `line_start` (that line excluded).
fn present_keys(text: &str, line_start: usize, column: usize) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    // Upwards to the mapping's start.
    let mut end = line_start;
    while end > 0 {
        let break_at = end - 1;
        let start = text[..break_at].rfind('\n').map_or(0, |i| i + 1);
        let line = text[start..break_at].trim_end_matches('\r');
        end = start;
        if spaces(line) > column {
            continue;
        }
        let Some(s) = shape(line) else {
            continue;
        };
        if s.indent < column {
            // The `- key:` line that starts this list item's mapping.
            if s.content_col == column {
                keys.extend(s.key);
            }
            break;
        }
        if s.dashes.is_empty() {
            keys.extend(s.key);
        }
    }
    // Downwards to its end.
    let mut at = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i + 1);
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = text[at..line_end].trim_end_matches('\r');
        at = line_end + 1;
        if spaces(line) > column {
            continue;
        }
        let Some(s) = shape(line) else {
            continue;
        };
        if s.indent < column || line.starts_with("---") {
            break;
        }
        if s.indent == column && s.dashes.is_empty() {
            keys.extend(s.key);
        }
    }
    keys
}

/// The file's indentation step: the first increase after a `key:` line; two spaces when
/// the file has none yet.
pub(crate) fn indent_unit(text: &str) -> usize {
    let mut previous: Option<(usize, bool)> = None;
    for line in text.lines().take(500) {
        let Some(s) = shape(line) else {
            continue;
        };
        if let Some((indent, true)) = previous
            && s.indent > indent
        {
            return (s.indent - indent).clamp(1, 8);
        }
        previous = Some((s.indent, s.key.is_some() && s.value.is_empty()));
    }
    2
}

// ---- The schema ----

/// Schema lookups by path, over `crate::schema::compose()`'s document.
pub(crate) mod schema {
    use serde_json::Value;

    use super::ITEM;

    pub fn root() -> &'static Value {
        crate::schema::compose().document()
    }

    /// `node` with its `$ref`s followed.
    pub fn resolve(mut node: &'static Value) -> &'static Value {
        for _ in 0..16 {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|pointer| root().pointer(pointer))
            else {
                break;
            };
            node = target;
        }
        node
    }

    /// The shapes a value at `node` may take: the node itself and its `oneOf`/`anyOf`/
    /// `allOf` branches (recursively), `$ref`s followed.
    pub fn shapes(node: &'static Value) -> Vec<&'static Value> {
        let mut out: Vec<&'static Value> = Vec::new();
        let mut stack = vec![(node, 0)];
        while let Some((node, depth)) = stack.pop() {
            let node = resolve(node);
            if out.iter().any(|n| std::ptr::eq(*n, node)) {
                continue;
            }
            out.push(node);
            if depth > 8 {
                continue;
            }
            for combinator in ["oneOf", "anyOf", "allOf"] {
                if let Some(branches) = node.get(combinator).and_then(Value::as_array) {
                    stack.extend(branches.iter().rev().map(|b| (b, depth + 1)));
                }
            }
        }
        out
    }

    /// Whether a `patternProperties` pattern of our schema matches `key`.
    fn pattern_matches(pattern: &str, key: &str) -> bool {
        match pattern {
            "^x-" => key.starts_with("x-"),
            "^[a-zA-Z0-9._-]+$" => {
                !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
            "^[a-z]+$" => !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase()),
            "^.+$" | ".+" => !key.is_empty(),
            _ => false,
        }
    }

    /// The schema nodes (as written, `$ref`s not followed) for the value at `path`; empty
    /// when the schema says nothing of it (`x-` keys, unknown keys).
    pub fn at_path<S: AsRef<str>>(path: &[S]) -> Vec<&'static Value> {
        let mut current = vec![root()];
        for segment in path {
            let segment = segment.as_ref();
            let mut next: Vec<&'static Value> = Vec::new();
            for shape in current.iter().flat_map(|n| shapes(n)) {
                let mut push = |n: &'static Value| {
                    if !next.iter().any(|m| std::ptr::eq(*m, n)) {
                        next.push(n);
                    }
                };
                if segment == ITEM {
                    match shape.get("items") {
                        Some(Value::Array(items)) => items.iter().for_each(&mut push),
                        Some(items) => push(items),
                        None => {}
                    }
                    continue;
                }
                if let Some(prop) = shape.get("properties").and_then(|p| p.get(segment)) {
                    push(prop);
                    continue;
                }
                if let Some(Value::Object(patterns)) = shape.get("patternProperties") {
                    for (pattern, prop) in patterns {
                        // `x-` extensions are free-form: nothing to say about them.
                        if pattern_matches(pattern, segment) && pattern != "^x-" {
                            push(prop);
                        }
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            current = next;
        }
        current
    }

    /// The properties the mappings at `nodes` allow, by name, each with its schema node.
    pub fn properties(nodes: &[&'static Value]) -> Vec<(&'static str, &'static Value)> {
        let mut out: Vec<(&'static str, &'static Value)> = Vec::new();
        for shape in nodes.iter().flat_map(|n| shapes(n)) {
            if let Some(Value::Object(props)) = shape.get("properties") {
                for (name, prop) in props {
                    if !out.iter().any(|(n, _)| *n == name) {
                        out.push((name.as_str(), prop));
                    }
                }
            }
        }
        out
    }

    /// The first description: on the nodes as written, else on their shapes.
    pub fn description(nodes: &[&'static Value]) -> Option<&'static str> {
        nodes
            .iter()
            .copied()
            .chain(nodes.iter().flat_map(|n| shapes(n)))
            .find_map(|n| n.get("description").and_then(Value::as_str))
    }

    /// The JSON types a value may have (`"object"`, `"array"`, `"string"`...), in a fixed
    /// order.
    pub fn types(nodes: &[&'static Value]) -> Vec<&'static str> {
        let mut found = Vec::new();
        for shape in nodes.iter().flat_map(|n| shapes(n)) {
            match shape.get("type") {
                Some(Value::String(t)) => found.push(t.as_str()),
                Some(Value::Array(ts)) => found.extend(ts.iter().filter_map(Value::as_str)),
                Some(_) => {}
                None => {
                    if shape.get("properties").is_some() || shape.get("patternProperties").is_some()
                    {
                        found.push("object");
                    }
                    if shape.get("items").is_some() {
                        found.push("array");
                    }
                    if shape.get("enum").is_some() {
                        found.push("string");
                    }
                }
            }
        }
        ["string", "number", "integer", "boolean", "array", "object"]
            .into_iter()
            .filter(|t| found.contains(t))
            .collect()
    }

    /// "string", "list | mapping": the types for a person.
    pub fn type_label(types: &[&str]) -> Option<String> {
        let mut words: Vec<&str> = Vec::new();
        for t in types {
            let word = match *t {
                "array" => "list",
                "object" => "mapping",
                "integer" => "number",
                other => other,
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        (!words.is_empty()).then(|| words.join(" | "))
    }

    /// The values an `enum` allows, as written.
    pub fn enums(nodes: &[&'static Value]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for shape in nodes.iter().flat_map(|n| shapes(n)) {
            for value in shape
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => continue,
                    other => other.to_string(),
                };
                if !out.contains(&text) {
                    out.push(text);
                }
            }
        }
        out
    }

    pub fn examples(nodes: &[&'static Value]) -> Vec<&'static Value> {
        let mut out: Vec<&'static Value> = Vec::new();
        for node in nodes
            .iter()
            .copied()
            .chain(nodes.iter().flat_map(|n| shapes(n)))
        {
            for example in node
                .get("examples")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !out.contains(&example) {
                    out.push(example);
                }
            }
        }
        out
    }

    pub fn deprecated(nodes: &[&'static Value]) -> bool {
        nodes
            .iter()
            .any(|n| n.get("deprecated").and_then(Value::as_bool) == Some(true))
    }
}

// ---- Completion ----

/// Completions at `offset` in the compose file `text` that `analysis` was computed from.
pub fn completions(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Vec<CompletionItem> {
    if let Some(items) = interpolation_variables(analysis, text, offset) {
        return items;
    }
    let tree = &analysis.parse.tree;
    let Some(cx) = cursor_context(text, tree, offset) else {
        return Vec::new();
    };
    let mut completer = Completer {
        analysis,
        text,
        tree,
        unit: indent_unit(text),
        cx,
        items: Vec::new(),
    };
    match completer.cx.site.clone() {
        Site::Key => completer.keys(),
        Site::Value { key } => completer.value(&key),
        Site::Item => completer.item(),
    }
    completer.items
}

/// After `${` (and the start of a name): the variables Compose interpolates from, those
/// of the `.env` beside the file first, then those of the `env_file`s (and of the process
/// environment, when the configuration opts in). Read from the text before the cursor, so
/// it works whatever the YAML around it looks like. `None` elsewhere.
fn interpolation_variables(
    analysis: &ComposeAnalysis,
    text: &str,
    offset: u32,
) -> Option<Vec<CompletionItem>> {
    let offset = (offset as usize).min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let typed = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let opening = before[..before.len() - typed].strip_suffix("${")?;
    // `$${` is a literal `${`, and a comment is not interpolated.
    let dollars = opening.bytes().rev().take_while(|&b| b == b'$').count();
    if dollars % 2 == 1 || in_comment(before) {
        return None;
    }
    // An unsaved buffer has nothing around it to take names from (and after `${` nothing
    // else fits).
    let Some(project) = analysis.facts.project.as_ref() else {
        return Some(Vec::new());
    };
    let mut sources: Vec<(String, &crate::facts::compose::EnvVars)> = Vec::new();
    if let Some(dotenv) = &project.dotenv {
        sources.push((".env".to_owned(), dotenv));
    }
    for (path, file) in &project.env_files {
        sources.push((format!("env_file `{path}`"), &file.vars));
    }
    sources.push(("the environment".to_owned(), &project.environment));
    // The whole name is replaced, also the part after the cursor.
    let rest = text[offset..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let closed = text[offset + rest..].starts_with('}');
    let range = TextRange::new((offset - typed) as u32, (offset + rest) as u32);
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    for (rank, (source, vars)) in sources.iter().enumerate() {
        for (name, value) in vars.iter() {
            if !seen.insert(name.as_str()) {
                continue;
            }
            items.push(CompletionItem {
                label: name.clone(),
                kind: CompletionKind::Variable,
                detail: Some(format!("from {source}")),
                documentation: Some(format!("`{name}={value}`")),
                edit: TextEdit {
                    range,
                    new_text: if closed {
                        name.clone()
                    } else {
                        format!("{name}}}")
                    },
                },
                is_snippet: false,
                filter_text: None,
                sort_text: Some(format!("{rank}{name}")),
                deprecated: false,
            });
        }
    }
    Some(items)
}

struct Completer<'a> {
    analysis: &'a ComposeAnalysis,
    text: &'a str,
    tree: &'a YamlTree,
    unit: usize,
    cx: CursorContext,
    items: Vec<CompletionItem>,
}

/// Keys of a service most files use, offered first.
const COMMON_SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "ports",
    "environment",
    "volumes",
    "depends_on",
    "restart",
    "healthcheck",
    "command",
    "env_file",
    "networks",
];

/// Official images with current tags, for `image:`.
const IMAGES: &[(&str, &str)] = &[
    ("postgres:17", "PostgreSQL"),
    ("postgres:17-alpine", "PostgreSQL, Alpine based"),
    ("redis:7", "Redis"),
    ("redis:7-alpine", "Redis, Alpine based"),
    ("valkey/valkey:8", "Valkey (Redis fork)"),
    ("nginx:1.27", "nginx web server"),
    ("nginx:1.27-alpine", "nginx web server, Alpine based"),
    ("httpd:2.4", "Apache HTTP Server"),
    ("caddy:2", "Caddy web server"),
    ("traefik:v3.3", "Traefik reverse proxy"),
    ("node:22-slim", "Node.js LTS"),
    ("node:22-alpine", "Node.js LTS, Alpine based"),
    ("python:3.13-slim", "Python"),
    ("golang:1.24", "Go toolchain"),
    ("eclipse-temurin:21-jre", "Java 21 runtime"),
    ("mysql:8.4", "MySQL LTS"),
    ("mariadb:11", "MariaDB"),
    ("mongo:8", "MongoDB"),
    ("rabbitmq:4-management", "RabbitMQ with the management UI"),
    ("memcached:1.6", "Memcached"),
    ("minio/minio:latest", "MinIO object storage (pin a release)"),
    ("adminer:4", "Adminer database UI"),
    ("alpine:3.21", "Alpine Linux"),
    ("debian:bookworm-slim", "Debian 12"),
    ("ubuntu:24.04", "Ubuntu 24.04 LTS"),
    ("busybox:1.37", "BusyBox"),
];

const RESTART_POLICIES: &[(&str, &str)] = &[
    (
        "\"no\"",
        "Never restart (the default). Quoted: YAML 1.1 reads a bare `no` as `false`.",
    ),
    ("always", "Always restart, also after the daemon restarts."),
    (
        "on-failure",
        "Restart when the container exits with an error; `on-failure:3` stops after 3 tries.",
    ),
    (
        "unless-stopped",
        "Always restart, unless the container was stopped by hand.",
    ),
];

const PULL_POLICIES: &[(&str, &str)] = &[
    ("always", "Always pull the image."),
    (
        "missing",
        "Pull only when the image is not there yet (the default).",
    ),
    ("never", "Never pull; fail when the image is missing."),
    ("build", "Build the image instead of pulling it."),
    ("daily", "Pull when the local copy is more than a day old."),
    (
        "weekly",
        "Pull when the local copy is more than a week old.",
    ),
];

const LOG_DRIVERS: &[(&str, &str)] = &[
    (
        "json-file",
        "The default; set `max-size` and `max-file` to rotate.",
    ),
    ("local", "Compact files, rotated by default."),
    ("journald", "The systemd journal."),
    ("syslog", "A syslog server."),
    ("fluentd", "A Fluentd collector."),
    ("gelf", "A Graylog (GELF) endpoint."),
    ("awslogs", "Amazon CloudWatch Logs."),
    ("none", "No logs at all."),
];

/// The kinds of names a compose file declares at the top level and uses elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    Service,
    Network,
    Volume,
    Secret,
    Config,
}

impl NameKind {
    pub fn section(self) -> &'static str {
        match self {
            NameKind::Service => "services",
            NameKind::Network => "networks",
            NameKind::Volume => "volumes",
            NameKind::Secret => "secrets",
            NameKind::Config => "configs",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Service => "service",
            NameKind::Network => "network",
            NameKind::Volume => "volume",
            NameKind::Secret => "secret",
            NameKind::Config => "config",
        }
    }
}

/// A name declared under a top-level section.
pub(crate) struct Declared {
    pub name: String,
    pub key: NodeId,
    pub body: Option<NodeId>,
}

/// The names declared under a top-level section, in file order.
pub(crate) fn declared(tree: &YamlTree, kind: NameKind) -> Vec<Declared> {
    let Some(section) = tree.path(&[kind.section()]) else {
        return Vec::new();
    };
    tree.entries(section)
        .into_iter()
        .filter_map(|(key, body)| {
            let name = tree.scalar(key)?;
            (!name.starts_with("x-") && !name.is_empty()).then(|| Declared {
                name: name.to_owned(),
                key,
                body,
            })
        })
        .collect()
}

/// The scalars of the list (or keys of the mapping) at `path`.
fn listed(tree: &YamlTree, path: &[String]) -> BTreeSet<String> {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(node) = tree.path(&keys).map(|n| tree.resolve(n)) else {
        return BTreeSet::new();
    };
    match tree.node(node).map(|n| &n.kind) {
        Some(NodeKind::Sequence(items)) => items
            .iter()
            .filter_map(|&i| {
                let i = tree.resolve(i);
                tree.scalar(i)
                    .or_else(|| tree.get(i, "source").and_then(|s| tree.scalar(s)))
            })
            .map(|s| s.split(':').next().unwrap_or(s).to_owned())
            .collect(),
        Some(NodeKind::Mapping(_)) => tree
            .entries(node)
            .into_iter()
            .filter_map(|(k, _)| tree.scalar(k).map(str::to_owned))
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Quotes a value that YAML would read as something else.
pub(super) fn yaml_value(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let trap = matches!(
        lower.as_str(),
        "yes" | "no" | "on" | "off" | "y" | "n" | "true" | "false" | "null" | "~"
    ) || value.parse::<f64>().is_ok()
        || value.contains(": ")
        || value.contains(" #")
        || value.starts_with(|c: char| "!&*[]{}|>'\"%@`#,?:-".contains(c));
    if trap {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_owned()
    }
}

/// Escapes `$`, `}` and `\` for snippet text.
fn snippet_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Clone, Copy)]
enum Rank {
    First = 0,
    Second = 1,
    Third = 2,
    Last = 3,
}

impl Completer<'_> {
    fn item(&mut self) {
        let path = self.cx.path.clone();
        let service = self.cx.service().map(str::to_owned);
        let names_before_colon = !self.cx.word.contains(':');
        if self.cx.path_is(&["services", "*", "depends_on"])
            || self.cx.path_is(&["services", "*", "links"])
            || self.cx.path_is(&["services", "*", "volumes_from"])
        {
            self.names(NameKind::Service, service.as_deref(), "", false);
        } else if self.cx.path_is(&["services", "*", "networks"]) {
            self.names(NameKind::Network, None, "", false);
        } else if self.cx.path_is(&["services", "*", "volumes"]) && names_before_colon {
            self.names(NameKind::Volume, None, ":", false);
        } else if self.cx.path_is(&["services", "*", "secrets"]) {
            self.names(NameKind::Secret, None, "", false);
        } else if self.cx.path_is(&["services", "*", "configs"]) {
            self.names(NameKind::Config, None, "", false);
        }
        let mut item_path = path.clone();
        item_path.push(ITEM.to_owned());
        let nodes = schema::at_path(&item_path);
        self.schema_values(&nodes);
        // The long form's keys (`- source: `), for a word that could be a key.
        if !self.cx.quoted && self.cx.word.bytes().all(is_key_byte) {
            let props = schema::properties(&nodes);
            for (name, prop) in props {
                self.key_item(name, prop, Rank::Third);
            }
        }
    }

    fn value(&mut self, key: &str) {
        let service = self.cx.service().map(str::to_owned);
        let in_service = self.cx.path_is(&["services", "*"]);
        let mut path = self.cx.path.clone();
        path.push(key.to_owned());
        match key {
            "restart" if in_service => self.fixed(RESTART_POLICIES, "restart policy"),
            "pull_policy" if in_service => self.fixed(PULL_POLICIES, "pull policy"),
            "image" if in_service => self.images(),
            "network_mode" if in_service => self.network_modes(service.as_deref()),
            "extends" if in_service => self.names(NameKind::Service, service.as_deref(), "", false),
            "service" if self.cx.path_is(&["services", "*", "extends"]) => {
                self.names(NameKind::Service, service.as_deref(), "", false)
            }
            "target" if self.cx.path_is(&["services", "*", "build"]) => self.stages(),
            "driver" if self.cx.path_is(&["services", "*", "logging"]) => {
                self.fixed(LOG_DRIVERS, "logging driver")
            }
            "source" if self.cx.path_is(&["services", "*", "secrets", ITEM]) => {
                self.names(NameKind::Secret, None, "", false)
            }
            "source" if self.cx.path_is(&["services", "*", "configs", ITEM]) => {
                self.names(NameKind::Config, None, "", false)
            }
            "source" if self.cx.path_is(&["services", "*", "volumes", ITEM]) => {
                self.names(NameKind::Volume, None, "", false)
            }
            _ => {}
        }
        let nodes = schema::at_path(&path);
        self.schema_values(&nodes);
    }

    fn keys(&mut self) {
        let service = self.cx.service().map(str::to_owned);
        if self.cx.path_is(&["services", "*", "depends_on"]) {
            self.names(NameKind::Service, service.as_deref(), "", true);
            return;
        }
        if self.cx.path_is(&["services", "*", "networks"]) {
            self.names(NameKind::Network, None, ":", false);
            return;
        }
        let nodes = schema::at_path(&self.cx.path);
        let props = schema::properties(&nodes);
        if props.is_empty() {
            return;
        }
        let line_start = self.text[..self.cx.range.start as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let present = present_keys(self.text, line_start, self.cx.indent as usize);
        let in_service = self.cx.path_is(&["services", "*"]);
        for (name, prop) in props {
            if present.contains(name) {
                continue;
            }
            let rank = if schema::deprecated(&[prop]) {
                Rank::Last
            } else if in_service && COMMON_SERVICE_KEYS.contains(&name) {
                Rank::First
            } else {
                Rank::Second
            };
            self.key_item(name, prop, rank);
            if in_service {
                self.snippet(name, rank);
            }
        }
    }

    /// An item for the key `name` (schema node `prop`).
    fn key_item(&mut self, name: &str, prop: &'static Value, rank: Rank) {
        let types = schema::types(&[prop]);
        let colon_follows = self.text[self.cx.range.end as usize..]
            .trim_start_matches(' ')
            .starts_with(':');
        let scalar = types.iter().any(|t| !matches!(*t, "object" | "array"));
        let inner = self.inner_indent();
        let new_text = if colon_follows {
            name.to_owned()
        } else if scalar || types.is_empty() || self.cx.site != Site::Key {
            format!("{name}: ")
        } else if types == ["array"] {
            format!("{name}:\n{inner}- ")
        } else {
            format!("{name}:\n{inner}")
        };
        let mut item = self.new_item(name, CompletionKind::Property, new_text);
        item.detail = schema::type_label(&types);
        item.documentation = key_documentation(&[prop]);
        item.deprecated = schema::deprecated(&[prop]);
        item.sort_text = Some(sort_key(rank, name));
        self.items.push(item);
    }

    /// The indentation of the lines a block inserted here nests.
    fn inner_indent(&self) -> String {
        " ".repeat(self.cx.indent as usize + self.unit)
    }

    fn new_item(&self, label: &str, kind: CompletionKind, new_text: String) -> CompletionItem {
        CompletionItem {
            label: label.to_owned(),
            kind,
            detail: None,
            documentation: None,
            edit: TextEdit {
                range: self.cx.range,
                new_text,
            },
            is_snippet: false,
            filter_text: None,
            sort_text: None,
            deprecated: false,
        }
    }

    /// A block template for a service key.
    fn snippet(&mut self, key: &str, rank: Rank) {
        if self.cx.site != Site::Key
            || self.text[self.cx.range.end as usize..]
                .trim_start_matches(' ')
                .starts_with(':')
        {
            return;
        }
        let i1 = self.inner_indent();
        let i2 = " ".repeat(self.cx.indent as usize + 2 * self.unit);
        let i3 = " ".repeat(self.cx.indent as usize + 3 * self.unit);
        let (label, detail, body) = match key {
            "healthcheck" => (
                "healthcheck block",
                "test, interval, timeout, retries, start_period",
                format!(
                    "healthcheck:\n{i1}test: [\"CMD\", \"${{1:curl}}\", \"-f\", \"${{2:http://localhost:8080/health}}\"]\n{i1}interval: ${{3:30s}}\n{i1}timeout: ${{4:5s}}\n{i1}retries: ${{5:3}}\n{i1}start_period: ${{6:30s}}$0"
                ),
            ),
            "depends_on" => {
                let service = self.cx.service().unwrap_or_default();
                let other = declared(self.tree, NameKind::Service)
                    .into_iter()
                    .map(|d| d.name)
                    .find(|n| n != service)
                    .unwrap_or_else(|| "db".to_owned());
                (
                    "depends_on healthy",
                    "wait until a service is healthy",
                    format!(
                        "depends_on:\n{i1}${{1:{}}}:\n{i2}condition: ${{2:service_healthy}}$0",
                        snippet_escape(&other)
                    ),
                )
            }
            "logging" => (
                "logging with rotation",
                "json-file with max-size and max-file",
                format!(
                    "logging:\n{i1}driver: ${{1:json-file}}\n{i1}options:\n{i2}max-size: \"${{2:10m}}\"\n{i2}max-file: \"${{3:3}}\"$0"
                ),
            ),
            "deploy" => (
                "deploy resource limits",
                "deploy.resources.limits: cpus and memory",
                format!(
                    "deploy:\n{i1}resources:\n{i2}limits:\n{i3}cpus: \"${{1:0.50}}\"\n{i3}memory: ${{2:512M}}$0"
                ),
            ),
            "build" => (
                "build long form",
                "context, dockerfile, target",
                format!(
                    "build:\n{i1}context: ${{1:.}}\n{i1}dockerfile: ${{2:Dockerfile}}\n{i1}target: ${{3:runtime}}$0"
                ),
            ),
            "ports" => (
                "ports mapping",
                "\"HOST:CONTAINER\"",
                format!("ports:\n{i1}- \"${{1:8080}}:${{2:80}}\"$0"),
            ),
            "volumes" => (
                "volumes mount",
                "named volume or ./host path : container path",
                format!("volumes:\n{i1}- ${{1:data}}:${{2:/data}}$0"),
            ),
            _ => return,
        };
        let mut item = self.new_item(label, CompletionKind::Snippet, body);
        item.is_snippet = true;
        item.detail = Some(detail.to_owned());
        item.filter_text = Some(key.to_owned());
        item.documentation = key_documentation(&schema::at_path(&["services", "x", key]));
        item.sort_text = Some(sort_key(rank, &format!("{key}~")));
        self.items.push(item);
    }

    /// Fixed values with their docs.
    fn fixed(&mut self, values: &[(&str, &str)], what: &str) {
        for (i, (value, doc)) in values.iter().enumerate() {
            let bare = value.trim_matches('"');
            let new_text = self.value_text(bare);
            let mut item = self.new_item(bare, CompletionKind::EnumMember, new_text);
            item.detail = Some(what.to_owned());
            item.documentation = Some((*doc).to_owned());
            item.sort_text = Some(format!("{}{i:02}", Rank::First as u8));
            self.items.push(item);
        }
    }

    /// The text inserted for a value: quoted when YAML would misread it (unless the cursor
    /// is inside quotes already), with a space after a bare `key:`.
    fn value_text(&self, value: &str) -> String {
        self.value_text_as(value, true)
    }

    /// [`Completer::value_text`], quoting only when `quote` (not a boolean meant as one).
    fn value_text_as(&self, value: &str, quote: bool) -> String {
        let mut out = if self.cx.quoted || !quote {
            value.to_owned()
        } else {
            yaml_value(value)
        };
        let before = &self.text[..self.cx.range.start as usize];
        if !self.cx.quoted && before.ends_with(':') && self.cx.site != Site::Key {
            out.insert(0, ' ');
        }
        out
    }

    /// Enums and booleans the schema allows at `nodes`.
    fn schema_values(&mut self, nodes: &[&'static Value]) {
        let mut values = schema::enums(nodes);
        if schema::types(nodes).contains(&"boolean") {
            values.extend(["true".to_owned(), "false".to_owned()]);
        }
        for value in values {
            if self.items.iter().any(|i| i.label == value) {
                continue;
            }
            let boolean = value == "true" || value == "false";
            let new_text = self.value_text_as(&value, !boolean);
            let mut item = self.new_item(&value, CompletionKind::EnumMember, new_text);
            item.sort_text = Some(sort_key(Rank::Second, &value));
            self.items.push(item);
        }
    }

    /// Names declared under a top-level section, minus `except` and those already in the
    /// list or mapping being written; `suffix` follows the name (`:` for a volume's
    /// target). `as_key` writes a `depends_on` entry with its condition.
    fn names(&mut self, kind: NameKind, except: Option<&str>, suffix: &str, as_key: bool) {
        let taken = if matches!(self.cx.site, Site::Item | Site::Key) {
            listed(self.tree, &self.cx.path)
        } else {
            BTreeSet::new()
        };
        for (i, Declared { name, body, .. }) in declared(self.tree, kind).into_iter().enumerate() {
            if Some(name.as_str()) == except || taken.contains(&name) {
                continue;
            }
            let mut item = if as_key {
                let colon_follows = self.text[self.cx.range.end as usize..]
                    .trim_start_matches(' ')
                    .starts_with(':');
                let mut item = if colon_follows {
                    self.new_item(&name, CompletionKind::Reference, name.clone())
                } else {
                    let body = format!(
                        "{}:\n{}condition: ${{1:service_healthy}}$0",
                        snippet_escape(&name),
                        self.inner_indent()
                    );
                    self.new_item(&name, CompletionKind::Reference, body)
                };
                item.is_snippet = !colon_follows;
                item
            } else {
                let text = format!("{}{suffix}", self.value_text(&name));
                self.new_item(&name, CompletionKind::Reference, text)
            };
            item.detail = Some(self.name_detail(kind, body));
            item.sort_text = Some(format!("{}{i:04}", Rank::First as u8));
            self.items.push(item);
        }
    }

    /// "service · postgres:17", "volume".
    fn name_detail(&self, kind: NameKind, body: Option<NodeId>) -> String {
        let tree = self.tree;
        let mut detail = kind.noun().to_owned();
        if kind == NameKind::Service {
            if let Some(image) = body
                .and_then(|b| tree.get(b, "image"))
                .and_then(|i| tree.scalar(i))
            {
                detail.push_str(" · ");
                detail.push_str(image);
            } else if body.and_then(|b| tree.get(b, "build")).is_some() {
                detail.push_str(" · built");
            }
        }
        detail
    }

    fn network_modes(&mut self, service: Option<&str>) {
        for (i, (mode, doc)) in [
            ("host", "Use the host's network stack."),
            ("none", "No networking."),
            ("bridge", "Docker's default bridge network."),
        ]
        .into_iter()
        .enumerate()
        {
            let new_text = self.value_text(mode);
            let mut item = self.new_item(mode, CompletionKind::EnumMember, new_text);
            item.documentation = Some(doc.to_owned());
            item.sort_text = Some(format!("{}{i:02}", Rank::First as u8));
            self.items.push(item);
        }
        for Declared { name, body, .. } in declared(self.tree, NameKind::Service) {
            if Some(name.as_str()) == service {
                continue;
            }
            let label = format!("service:{name}");
            let new_text = self.value_text(&label);
            let mut item = self.new_item(&label, CompletionKind::Reference, new_text);
            item.detail = Some(self.name_detail(NameKind::Service, body));
            item.documentation = Some(format!(
                "Share the network stack of the `{name}` service's container."
            ));
            item.sort_text = Some(sort_key(Rank::Second, &label));
            self.items.push(item);
        }
    }

    fn images(&mut self) {
        // Images other services of this file use come first.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let service = self.cx.service().map(str::to_owned);
        if let Some(services) = self.tree.path(&["services"]) {
            for (k, v) in self.tree.entries(services) {
                let name = self.tree.scalar(k).unwrap_or_default();
                let image = v
                    .and_then(|v| self.tree.get(v, "image"))
                    .and_then(|i| self.tree.scalar(i));
                let Some(image) = image.filter(|i| !i.is_empty()) else {
                    continue;
                };
                if Some(name) == service.as_deref() || !seen.insert(image.to_owned()) {
                    continue;
                }
                let new_text = self.value_text(image);
                let mut item = self.new_item(image, CompletionKind::Module, new_text);
                item.detail = Some(format!("used by {name}"));
                item.sort_text = Some(sort_key(Rank::First, image));
                self.items.push(item);
            }
        }
        for (image, what) in IMAGES {
            if seen.contains(*image) {
                continue;
            }
            let new_text = self.value_text(image);
            let mut item = self.new_item(image, CompletionKind::Module, new_text);
            item.detail = Some((*what).to_owned());
            item.sort_text = Some(sort_key(Rank::Second, image));
            self.items.push(item);
        }
    }

    /// `build.target`: the stages of the Dockerfile the service builds.
    fn stages(&mut self) {
        let Some(service) = self.cx.service() else {
            return;
        };
        let Some(dockerfile) = self
            .analysis
            .facts
            .build(service)
            .and_then(|b| b.dockerfile.clone())
        else {
            return;
        };
        let file = dockerfile
            .path
            .file_name()
            .map_or_else(|| "Dockerfile".into(), |n| n.to_string_lossy());
        let count = dockerfile.stages.len();
        for (i, stage) in dockerfile.stages.iter().enumerate() {
            let new_text = self.value_text(stage);
            let mut item = self.new_item(stage, CompletionKind::Reference, new_text);
            item.detail = Some(format!("stage {} of {count} in {file}", i + 1));
            if let Some(base) = dockerfile
                .images
                .get(i)
                .and_then(|img| img.base_image.as_deref())
            {
                item.documentation = Some(format!("Built from `{base}`."));
            }
            item.sort_text = Some(format!("{}{i:04}", Rank::First as u8));
            self.items.push(item);
        }
    }
}

fn sort_key(rank: Rank, label: &str) -> String {
    format!("{}{label}", rank as u8)
}

/// A key's description, the values it allows, and its type, for a completion's docs.
pub(crate) fn key_documentation(nodes: &[&'static Value]) -> Option<String> {
    let description = schema::description(nodes)?;
    let mut out = description.to_owned();
    let values = schema::enums(nodes);
    if !values.is_empty() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        out.push_str(&format!("\n\nAllowed values: {}.", list.join(", ")));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;
    use crate::facts::compose::{BuildFact, DockerfileSummary, ProjectFacts};

    /// Splits a fixture at its `$0` marker.
    fn split(fixture: &str) -> (String, u32) {
        let at = fixture.find("$0").expect("a `$0` cursor marker");
        (
            format!("{}{}", &fixture[..at], &fixture[at + 2..]),
            at as u32,
        )
    }

    fn context(fixture: &str) -> Option<CursorContext> {
        let (text, offset) = split(fixture);
        let parse = crate::syntax::compose::parse(&text);
        cursor_context(&text, &parse.tree, offset)
    }

    fn complete_with(fixture: &str, facts: ComposeFacts) -> (String, Vec<CompletionItem>) {
        let (text, offset) = split(fixture);
        let analysis = ComposeAnalysis::compute(&text, None, |_| facts, &Config::default());
        let items = completions(&analysis, &text, offset);
        (text, items)
    }

    fn complete(fixture: &str) -> Vec<CompletionItem> {
        complete_with(fixture, ComposeFacts::default()).1
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    fn find<'a>(items: &'a [CompletionItem], label: &str) -> &'a CompletionItem {
        items
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("no {label} in {:?}", labels(items)))
    }

    fn path(cx: &CursorContext) -> Vec<&str> {
        cx.path.iter().map(String::as_str).collect()
    }

    #[test]
    fn context_in_valid_yaml() {
        let cx = context("services:\n  web:\n    image: nginx\n    $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        assert_eq!(cx.site, Site::Key);
        assert_eq!((cx.word.as_str(), cx.indent), ("", 4));

        let cx = context("services:\n  web:\n    restart: un$0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        assert_eq!(
            cx.site,
            Site::Value {
                key: "restart".into()
            }
        );
        assert_eq!(cx.word, "un");
        assert_eq!(cx.range, TextRange::new(30, 32));

        let cx =
            context("services:\n  web:\n    healthcheck:\n      interval: 5s\n      $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "healthcheck"]);

        // The word runs on past the cursor.
        let cx = context("services:\n  web:\n    ima$0ge: nginx\n").unwrap();
        assert_eq!((cx.site.clone(), cx.word.as_str()), (Site::Key, "image"));

        // Top level.
        let cx = context("services:\n  web:\n    image: x\n$0").unwrap();
        assert_eq!(
            (path(&cx), cx.site.clone()),
            (Vec::<&str>::new(), Site::Key)
        );
    }

    #[test]
    fn context_in_lists() {
        let cx = context("services:\n  web:\n    depends_on:\n      - db\n      - $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "depends_on"]);
        assert_eq!(cx.site, Site::Item);
        assert_eq!(cx.indent, 8);

        // A list at its key's own column.
        let cx = context("services:\n  web:\n    volumes:\n    - da$0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "volumes"]);
        assert_eq!((cx.site.clone(), cx.word.as_str()), (Site::Item, "da"));

        // A key of a list item's mapping, on the `- ` line and below it.
        let cx = context("services:\n  web:\n    secrets:\n      - source: $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "secrets", ITEM]);
        assert_eq!(
            cx.site,
            Site::Value {
                key: "source".into()
            }
        );
        let cx = context(
            "services:\n  web:\n    volumes:\n      - type: bind\n        $0\n    ports: []\n",
        )
        .unwrap();
        assert_eq!(path(&cx), ["services", "web", "volumes", ITEM]);
        assert_eq!(cx.site, Site::Key);

        // Flow lists and mappings.
        let cx = context("services:\n  web:\n    depends_on: [db, ca$0]\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "depends_on"]);
        assert_eq!((cx.site.clone(), cx.word.as_str()), (Site::Item, "ca"));
        let cx = context("services:\n  web:\n    healthcheck: {interval: 5s, ret$0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web", "healthcheck"]);
        assert_eq!((cx.site.clone(), cx.word.as_str()), (Site::Key, "ret"));
    }

    #[test]
    fn context_in_broken_yaml() {
        // A half-typed key with more file after it.
        let cx = context(
            "services:\n  web:\n    image: nginx\n    healt$0\n    ports:\n      - \"80:80\"\n  db:\n    image: postgres\n",
        )
        .unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        assert_eq!((cx.site.clone(), cx.word.as_str()), (Site::Key, "healt"));
        // An empty line under a key with nothing yet.
        let cx = context("services:\n  web:\n    $0").unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        // A syntax error on the line before.
        let cx = context("services:\n  web:\n    environment: FOO: bar\n    $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        // A key without its colon yet above.
        let cx = context("services:\n  web\n    $0\n").unwrap();
        assert_eq!(path(&cx), ["services", "web"]);
        // A value on a broken line.
        let cx = context("services:\n  web:\n    restart: \"un$0\n  db: {\n").unwrap();
        assert_eq!(
            (cx.site.clone(), cx.word.as_str(), cx.quoted),
            (
                Site::Value {
                    key: "restart".into()
                },
                "un",
                true
            )
        );
    }

    #[test]
    fn no_context_in_comments_and_scalars() {
        assert_eq!(context("services:\n  web:\n    # ima$0\n"), None);
        assert_eq!(context("services:\n  web:\n    image: x # $0\n"), None);
        assert_eq!(
            context("services:\n  web:\n    command: |\n      echo $0\n"),
            None
        );
        assert_eq!(
            context("services:\n  web:\n    command: \"a\n      b $0 c\"\n"),
            None
        );
        // Past the end and in the middle of a character: no panic.
        let text = "services:\n  wéb:\n";
        let parse = crate::syntax::compose::parse(text);
        assert_eq!(cursor_context(text, &parse.tree, 15), None);
        assert!(cursor_context(text, &parse.tree, 900).is_some());
    }

    #[test]
    fn keys_at_several_depths() {
        let top = complete("services:\n  web:\n    image: x\n$0");
        assert!(labels(&top).contains(&"networks"), "{:?}", labels(&top));
        assert!(!labels(&top).contains(&"services"));
        assert!(find(&top, "version").deprecated);

        let service =
            complete("services:\n  web:\n    image: nginx\n    $0\n    ports: [\"80:80\"]\n");
        let found = labels(&service);
        assert!(found.contains(&"healthcheck") && found.contains(&"restart"));
        // Keys already there are not offered again, before or after the cursor.
        assert!(
            !found.contains(&"image") && !found.contains(&"ports"),
            "{found:?}"
        );
        let restart = find(&service, "restart");
        assert_eq!(restart.edit.new_text, "restart: ");
        assert_eq!(restart.detail.as_deref(), Some("string"));
        assert!(
            restart
                .documentation
                .as_deref()
                .unwrap()
                .contains("unless-stopped")
        );
        let healthcheck = find(&service, "healthcheck");
        assert_eq!(healthcheck.edit.new_text, "healthcheck:\n      ");
        assert_eq!(healthcheck.detail.as_deref(), Some("mapping"));
        assert_eq!(
            find(&service, "cap_add").edit.new_text,
            "cap_add:\n      - "
        );
        assert_eq!(
            find(&service, "depends_on").detail.as_deref(),
            Some("list | mapping")
        );

        let health = complete(
            "services:\n  web:\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      $0\n",
        );
        let found = labels(&health);
        assert!(
            found.contains(&"interval") && found.contains(&"retries"),
            "{found:?}"
        );
        assert!(!found.contains(&"test") && !found.contains(&"image"));

        // Long form of a list item; four-space files get four-space blocks.
        let volume = complete(
            "services:\n    web:\n        volumes:\n            - type: bind\n              $0\n",
        );
        let found = labels(&volume);
        assert!(
            found.contains(&"source") && found.contains(&"read_only"),
            "{found:?}"
        );
        assert!(!found.contains(&"type"));
        let bind = find(&volume, "bind");
        assert_eq!(bind.edit.new_text, "bind:\n                  ");
    }

    #[test]
    fn key_edits_replace_the_word() {
        let (text, items) = complete_with(
            "services:\n  web:\n    healt$0\n    image: x\n",
            ComposeFacts::default(),
        );
        let item = find(&items, "healthcheck");
        assert_eq!(&text[item.edit.range.as_usize()], "healt");
        // Before an existing colon only the key is replaced.
        let items = complete("services:\n  web:\n    im$0age: x\n");
        assert_eq!(find(&items, "image").edit.new_text, "image");
        assert!(items.iter().all(|i| !i.is_snippet));
    }

    #[test]
    fn snippets_for_blocks() {
        let items = complete("services:\n  db:\n    image: postgres\n  web:\n    $0\n");
        let health = find(&items, "healthcheck block");
        assert!(health.is_snippet);
        assert_eq!(health.filter_text.as_deref(), Some("healthcheck"));
        assert!(
            health
                .edit
                .new_text
                .starts_with("healthcheck:\n      test: [\"CMD\"")
        );
        assert!(
            health
                .edit
                .new_text
                .contains("\n      start_period: ${6:30s}")
        );
        let depends = find(&items, "depends_on healthy");
        assert_eq!(
            depends.edit.new_text,
            "depends_on:\n      ${1:db}:\n        condition: ${2:service_healthy}$0"
        );
        for label in [
            "logging with rotation",
            "deploy resource limits",
            "build long form",
            "ports mapping",
            "volumes mount",
        ] {
            assert!(find(&items, label).is_snippet);
        }
        assert!(
            find(&items, "deploy resource limits")
                .edit
                .new_text
                .contains("\n        limits:\n          cpus:")
        );
    }

    #[test]
    fn enum_and_fixed_values() {
        let items = complete("services:\n  web:\n    restart: $0\n");
        assert_eq!(
            labels(&items),
            ["no", "always", "on-failure", "unless-stopped"]
        );
        assert_eq!(find(&items, "no").edit.new_text, "\"no\"");
        // Inside quotes, no more quotes.
        let items = complete("services:\n  web:\n    restart: \"n$0\"\n");
        assert_eq!(find(&items, "no").edit.new_text, "no");

        let items = complete("services:\n  web:\n    pull_policy: $0\n");
        assert!(labels(&items).contains(&"missing"));

        let items = complete(
            "services:\n  web:\n    depends_on:\n      db:\n        condition: $0\n  db:\n    image: x\n",
        );
        assert_eq!(
            labels(&items),
            [
                "service_started",
                "service_healthy",
                "service_completed_successfully"
            ]
        );
        let items = complete("services:\n  web:\n    volumes:\n      - type: $0\n");
        assert!(labels(&items).contains(&"tmpfs"), "{:?}", labels(&items));
        let items = complete("services:\n  web:\n    read_only: $0\n");
        assert_eq!(labels(&items), ["true", "false"]);
        // Right after the colon, a space comes first.
        let items = complete("services:\n  web:\n    init:$0\n");
        assert_eq!(find(&items, "true").edit.new_text, " true");
        let items = complete("services:\n  web:\n    restart:$0\n");
        assert_eq!(find(&items, "always").edit.new_text, " always");
    }

    const NAMES: &str = "services:\n  web:\n    depends_on:\n      - db\n      - $0\n  db:\n    image: postgres:17\n  cache:\n    image: redis:7\n  api:\n    build: .\nnetworks:\n  front:\n  back:\nvolumes:\n  data:\nsecrets:\n  token:\n    file: ./token\n";

    #[test]
    fn names_of_services_networks_volumes_and_secrets() {
        // Other services, not itself nor ones already listed.
        let items = complete(NAMES);
        assert_eq!(labels(&items), ["cache", "api"]);
        assert_eq!(
            find(&items, "cache").detail.as_deref(),
            Some("service · redis:7")
        );
        assert_eq!(
            find(&items, "api").detail.as_deref(),
            Some("service · built")
        );
        // Flow lists and the mapping form.
        let fixture = NAMES.replace(
            "depends_on:\n      - db\n      - $0\n",
            "depends_on: [cache, $0]\n",
        );
        assert_eq!(labels(&complete(&fixture)), ["db", "api"]);
        let fixture = NAMES.replace(
            "depends_on:\n      - db\n      - $0\n",
            "depends_on:\n      db:\n        condition: service_started\n      $0\n",
        );
        let items = complete(&fixture);
        assert_eq!(labels(&items), ["cache", "api"]);
        assert_eq!(
            find(&items, "cache").edit.new_text,
            "cache:\n        condition: ${1:service_healthy}$0"
        );
        let replace = |with: &str| NAMES.replace("depends_on:\n      - db\n      - $0\n", with);
        assert_eq!(
            labels(&complete(&replace("links:\n      - $0\n"))),
            ["db", "cache", "api"]
        );
        assert_eq!(
            labels(&complete(&replace("extends:\n      service: $0\n"))),
            ["db", "cache", "api"]
        );
        let modes = complete(&replace("network_mode: $0\n"));
        assert!(labels(&modes).contains(&"service:db") && labels(&modes).contains(&"host"));
        assert_eq!(
            labels(&complete(&replace(
                "networks:\n      - front\n      - $0\n"
            ))),
            ["back"]
        );
        assert_eq!(
            labels(&complete(&replace("networks:\n      $0\n"))),
            ["front", "back"]
        );
        let volumes = complete(&replace("volumes:\n      - $0\n"));
        assert_eq!(find(&volumes, "data").edit.new_text, "data:");
        assert!(labels(&complete(&replace("volumes:\n      - data:/x$0\n"))).is_empty());
        assert_eq!(
            labels(&complete(&replace("secrets:\n      - $0\n")))[0],
            "token"
        );
        assert_eq!(
            labels(&complete(&replace("secrets:\n      - source: $0\n"))),
            ["token"]
        );
    }

    #[test]
    fn build_targets_from_the_dockerfile() {
        let mut project = ProjectFacts::default();
        project.builds.insert(
            "api".to_owned(),
            BuildFact {
                context: PathBuf::from("/p"),
                dockerfile: Some(Arc::new(DockerfileSummary {
                    path: PathBuf::from("/p/Dockerfile"),
                    stages: vec!["deps".into(), "build".into(), "runtime".into()],
                    images: Vec::new(),
                })),
                dockerignore: None,
            },
        );
        let facts = ComposeFacts {
            file_name: Some("compose.yaml".into()),
            project: Some(project),
            ..Default::default()
        };
        let (_, items) = complete_with(
            "services:\n  api:\n    build:\n      context: .\n      target: $0\n",
            facts.clone(),
        );
        assert_eq!(labels(&items), ["deps", "build", "runtime"]);
        assert_eq!(
            find(&items, "runtime").detail.as_deref(),
            Some("stage 3 of 3 in Dockerfile")
        );
        // Another service builds nothing known.
        let (_, items) = complete_with("services:\n  web:\n    build:\n      target: $0\n", facts);
        assert!(items.is_empty());
    }

    #[test]
    fn images_used_in_the_file_come_first() {
        let items = complete("services:\n  db:\n    image: postgres:16\n  web:\n    image: $0\n");
        let first = items.iter().min_by_key(|i| i.sort_text.clone()).unwrap();
        assert_eq!(first.label, "postgres:16");
        assert!(labels(&items).contains(&"redis:7") && labels(&items).contains(&"node:22-slim"));
    }

    #[test]
    fn interpolation_variables_from_dotenv_and_env_files() {
        use std::sync::Arc;
        let vars = |text: &str| Arc::new(crate::facts::parse_env_file(text));
        let facts = || ComposeFacts {
            project: Some(ProjectFacts {
                dotenv: Some(vars("API_VERSION=1.4\nPORT=8080\n")),
                env_files: std::collections::BTreeMap::from([(
                    "api.env".to_owned(),
                    crate::facts::compose::EnvFileFact {
                        path: "api.env".into(),
                        exists: true,
                        vars: vars("LOG_LEVEL=debug\nPORT=9090\n"),
                        git_ignored: true,
                    },
                )]),
                ..ProjectFacts::default()
            }),
            ..ComposeFacts::default()
        };
        // In a value being typed, in broken YAML: `.env` first, then env files, each name once.
        let (_, items) = complete_with("services:\n  api:\n    image: my-api:${A$0\n", facts());
        assert_eq!(labels(&items), ["API_VERSION", "PORT", "LOG_LEVEL"]);
        let api = find(&items, "API_VERSION");
        assert_eq!(api.detail.as_deref(), Some("from .env"));
        assert_eq!(api.documentation.as_deref(), Some("`API_VERSION=1.4`"));
        assert_eq!(api.edit.new_text, "API_VERSION}");
        assert_eq!(
            find(&items, "PORT").documentation.as_deref(),
            Some("`PORT=8080`")
        );
        assert_eq!(
            find(&items, "LOG_LEVEL").detail.as_deref(),
            Some("from env_file `api.env`")
        );
        // The typed part is replaced; a `}` already there is kept.
        let (text, items) = complete_with(
            "services:\n  api:\n    image: \"my-api:${AP$0}\"\n",
            facts(),
        );
        let edit = &find(&items, "API_VERSION").edit;
        assert_eq!(&text[edit.range.as_usize()], "AP");
        assert_eq!(edit.new_text, "API_VERSION");
        let (text, items) = complete_with(
            "services:\n  api:\n    image: my-api:${AP$0I_VERS}\n",
            facts(),
        );
        let edit = &find(&items, "API_VERSION").edit;
        assert_eq!(&text[edit.range.as_usize()], "API_VERS");
        // `$${` is a literal `${`; comments and unsaved buffers offer nothing of the kind.
        let (_, items) = complete_with("services:\n  api:\n    command: echo $${$0\n", facts());
        assert!(!labels(&items).contains(&"PORT"), "{:?}", labels(&items));
        let (_, items) = complete_with("services:\n  api:\n    # ${$0\n", facts());
        assert!(!labels(&items).contains(&"PORT"), "{:?}", labels(&items));
        let items = complete("services:\n  api:\n    image: my-api:${$0\n");
        assert!(items.is_empty(), "{:?}", labels(&items));
    }
}
