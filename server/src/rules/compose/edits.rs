//! Edits for compose fixes that keep the file's style: its indentation unit, its line
//! endings, and the comments around what changes.

use super::ComposeContext;
use crate::diagnostics::Edit;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind};

impl<'a> ComposeContext<'a> {
    /// The file's indentation step: the smallest indentation of a line that is deeper than
    /// the line before it (two spaces when the file never nests).
    pub fn indent_unit(&self) -> &'static str {
        self.indent_unit.get_or_init(|| self.find_indent_unit())
    }

    fn find_indent_unit(&self) -> &'static str {
        const SPACES: &str = "        ";
        let mut previous = 0usize;
        let mut unit = usize::MAX;
        let bytes = self.text.as_bytes();
        let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        for start in starts {
            let line = &bytes[start..];
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            // Blank lines and comments say nothing of the indentation.
            let rest = &line[indent..];
            if rest.is_empty()
                || rest.starts_with(b"\n")
                || rest.starts_with(b"\r\n")
                || rest[0] == b'#'
            {
                continue;
            }
            if indent > previous {
                unit = unit.min(indent - previous);
                if unit == 1 {
                    break;
                }
            }
            previous = indent;
        }
        let unit = if unit == usize::MAX || unit > 8 {
            2
        } else {
            unit
        };
        &SPACES[..unit]
    }

    /// Where a node is written: a block collection's own range runs on over the blank lines
    /// and comments after it, which a finding (or an edit) should not cover.
    pub fn written(&self, node: NodeId) -> TextRange {
        let range = self.range(node);
        TextRange::new(range.start, self.tree().content_end(node).max(range.start))
    }

    /// The column (in bytes) of a node, when it starts its line after spaces only.
    pub fn block_indent(&self, node: NodeId) -> Option<usize> {
        let start = self.range(node).start;
        let line_start = self.line_start(start);
        let before = &self.text[line_start as usize..start as usize];
        // `- key: value`: the key's column counts, the dash is part of the indentation.
        before
            .bytes()
            .all(|b| b == b' ' || b == b'-')
            .then_some(before.len())
    }

    /// The end of the line holding `offset` (before its line break).
    pub fn line_end(&self, offset: u32) -> u32 {
        let rest = &self.text[offset as usize..];
        let len = rest.find(['\r', '\n']).unwrap_or(rest.len());
        offset + len as u32
    }

    /// Where a block mapping's last entry ends: the end of its last line that is not a
    /// comment or blank (trailing comments stay after what is inserted).
    fn mapping_end(&self, mapping: NodeId) -> u32 {
        self.last_line_end(mapping)
    }

    /// The end of the line holding the last thing written within `node` (before its line
    /// break). An empty plain scalar (`key:` with nothing after it, or the empty key of a
    /// lone `:`) has no width and sits where it is written: its line is the one it is on;
    /// but the missing value of an explicit key (`? key` with no `:` line) sits where the
    /// next token starts, as a block scalar ends there, even an empty one (`>-` with no
    /// lines): their content ends on the line before.
    fn last_line_end(&self, node: NodeId) -> u32 {
        let tree = self.tree();
        let last_id = tree.last_node(node);
        let last = self.range(last_id);
        let block = matches!(
            tree.node(last_id).map(|n| &n.kind),
            Some(NodeKind::Scalar {
                style: ScalarKind::Block,
                ..
            })
        );
        let at_next_token = || {
            let start = self.line_start(last.start) as usize;
            let before = &self.text[start..last.start as usize];
            before.bytes().all(|b| b == b' ')
                && self.text[last.start as usize..].starts_with(|c| c != ':')
        };
        if last.is_empty() && !block && !at_next_token() {
            self.line_end(last.start)
        } else {
            self.content_line_end(last.end)
        }
    }

    /// The end of the last line of content ending at `end` (a block scalar's content ends
    /// after its line break, which belongs to its last line).
    fn content_line_end(&self, end: u32) -> u32 {
        let bytes = self.text.as_bytes();
        let mut end = end as usize;
        // A block scalar's range runs to the next token: over the next line's indentation.
        while end > 0 && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        if end > 0 && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > 0 && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        self.line_end(end as u32)
    }

    /// An edit adding `block` as new entries at the end of the block mapping `mapping`.
    /// `block` is written with two-space nesting and `\n`; it is re-indented to the
    /// mapping's column and the file's indentation unit, with the file's line ending.
    /// `None` for a flow mapping (`{...}`) or an empty one, which have no column to follow.
    pub fn append_to_mapping(&self, mapping: NodeId, block: &str) -> Option<Edit> {
        let tree = self.tree();
        let Some(NodeKind::Mapping(entries)) = tree.node(mapping).map(|n| &n.kind) else {
            return None;
        };
        let first_key = entries.first()?.0;
        let column = self.block_indent(first_key)?;
        let at = self.mapping_end(mapping);
        let mut text = String::new();
        for line in block.lines() {
            text.push_str(self.line_ending());
            let trimmed = line.trim_start_matches(' ');
            let depth = (line.len() - trimmed.len()) / 2;
            text.push_str(&" ".repeat(column));
            text.push_str(&self.indent_unit().repeat(depth));
            text.push_str(trimmed);
        }
        Some(Edit {
            range: TextRange::empty(at),
            new_text: text,
        })
    }

    /// An edit deleting a mapping entry (its key line through the value's last line), with
    /// the line break after it. `None` unless the entry starts its line.
    pub fn delete_entry(&self, key: NodeId, value: Option<NodeId>) -> Option<Edit> {
        self.block_indent(key)?;
        let start = self.line_start(self.range(key).start);
        // A key is written on one line.
        let key_line_end = self.line_end(self.range(key).start);
        let end = value.map_or(key_line_end, |v| self.last_line_end(v).max(key_line_end));
        let bytes = self.text.as_bytes();
        let mut after = end as usize;
        if bytes.get(after) == Some(&b'\r') {
            after += 1;
        }
        if bytes.get(after) == Some(&b'\n') {
            after += 1;
        }
        let end = after as u32;
        Some(Edit {
            range: TextRange::new(start, end),
            new_text: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::facts::ComposeFacts;
    use crate::rules::compose::ComposeContext;
    use crate::syntax::compose::parse;

    fn apply(text: &str, edit: &crate::diagnostics::Edit) -> String {
        let mut out = text.to_owned();
        out.replace_range(edit.range.as_usize(), &edit.new_text);
        out
    }

    #[test]
    fn appends_with_the_files_indentation_and_line_endings() {
        let text = "services:\r\n    db:\r\n        image: postgres:16\r\n        # trailing\r\n    web:\r\n        image: nginx:1.27\r\n";
        let parse = parse(text);
        let (facts, config) = (ComposeFacts::default(), Config::default());
        let ctx = ComposeContext::new(text, &parse, &facts, &config);
        assert_eq!(ctx.indent_unit(), "    ");
        let db = ctx.services()[0].body.unwrap();
        let edit = ctx
            .append_to_mapping(db, "healthcheck:\n  test: [\"CMD\", \"pg_isready\"]")
            .unwrap();
        assert_eq!(
            apply(text, &edit),
            "services:\r\n    db:\r\n        image: postgres:16\r\n        healthcheck:\r\n            test: [\"CMD\", \"pg_isready\"]\r\n        # trailing\r\n    web:\r\n        image: nginx:1.27\r\n"
        );
    }

    #[test]
    fn deletes_an_entry_with_its_block() {
        let text = "version: \"3.8\"\nservices:\n  a:\n    environment:\n      A: 1\n      B: 2\n    image: x\n";
        let parse = parse(text);
        let (facts, config) = (ComposeFacts::default(), Config::default());
        let ctx = ComposeContext::new(text, &parse, &facts, &config);
        let root = parse.tree.root.unwrap();
        let (key, value) = ctx.entry(root, "version").unwrap();
        let edit = ctx.delete_entry(key, value).unwrap();
        assert_eq!(apply(text, &edit), &text["version: \"3.8\"\n".len()..]);
        let body = ctx.services()[0].body.unwrap();
        let (key, value) = ctx.entry(body, "environment").unwrap();
        let edit = ctx.delete_entry(key, value).unwrap();
        assert_eq!(
            apply(text, &edit),
            "version: \"3.8\"\nservices:\n  a:\n    image: x\n"
        );
    }

    #[test]
    fn a_block_scalar_ends_on_its_own_last_line() {
        let text =
            "services:\n  a:\n    command: |\n      run this\n    image: x\n  b:\n    image: y\n";
        let parsed = parse(text);
        let (facts, config) = (ComposeFacts::default(), Config::default());
        let ctx = ComposeContext::new(text, &parsed, &facts, &config);
        let a = ctx.services()[0].body.unwrap();
        let (key, value) = ctx.entry(a, "command").unwrap();
        let edit = ctx.delete_entry(key, value).unwrap();
        assert_eq!(
            apply(text, &edit),
            "services:\n  a:\n    image: x\n  b:\n    image: y\n"
        );
        let text = "services:\n  a:\n    command: |\n      run this\n  b:\n    image: y\n";
        let parsed = parse(text);
        let ctx = ComposeContext::new(text, &parsed, &facts, &config);
        let a = ctx.services()[0].body.unwrap();
        let edit = ctx.append_to_mapping(a, "restart: unless-stopped").unwrap();
        assert_eq!(
            apply(text, &edit),
            "services:\n  a:\n    command: |\n      run this\n    restart: unless-stopped\n  b:\n    image: y\n"
        );
    }
}
