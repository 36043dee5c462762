//! Shell commands read as shell: a RUN's command line (and its heredoc script) parsed with
//! tree-sitter-bash into a small list of simple commands with byte ranges.
//!
//! Two steps:
//! - [`ShellSource`] takes an instruction's shell text the way the builder hands it to the
//!   shell: line continuations and the comment lines inside them removed (BuildKit drops
//!   them before the shell sees the line), heredoc bodies appended where the shell reads
//!   them, or a heredoc-only `RUN <<EOF` read as the script itself. It keeps a map from its
//!   text back to the instruction's, so ranges point into the Dockerfile.
//! - [`ShellScript::parse`] parses that text. tree-sitter recovers from errors, so a
//!   half-typed command still yields the commands around it.
//!
//! A script's ranges are relative to the instruction's shell text, so a parse can be reused
//! (cached by that text) when the instruction moves in the file.

mod source;

use tree_sitter::{Node, Parser};

pub use source::ShellSource;

use crate::syntax::TextRange;

/// Scripts longer than this are not parsed (no shell findings for them).
pub const MAX_SCRIPT_LEN: usize = 256 * 1024;

/// A word of a command: its value where it is known without running anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellWord {
    /// The value with quotes and escapes removed when the word is literal; the source text
    /// otherwise.
    pub text: String,
    /// Where the word is, relative to the instruction's shell text.
    pub range: TextRange,
    /// True when the word has no expansion (`$X`, `$(...)`, globs are kept as text).
    pub literal: bool,
}

/// `name arg...`, with the assignments written before it (`DEBIAN_FRONTEND=x apt-get ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub name: ShellWord,
    pub args: Vec<ShellWord>,
    /// The whole command, assignments and arguments included (not its redirections).
    pub range: TextRange,
    /// `NAME=value` words before the command name.
    pub assignments: Vec<ShellWord>,
    /// The index of the pipeline (`a | b`) this command is part of, if any.
    pub pipeline: Option<u32>,
    /// How deep inside `$(...)`, subshells, `if`/`for` bodies and the like the command is:
    /// 0 for a top-level statement or a part of a top-level `&&`/`||`/`;` list.
    pub depth: u32,
}

impl SimpleCommand {
    /// The command's base name: `/usr/bin/apt-get` → `apt-get`.
    pub fn base_name(&self) -> &str {
        self.name.text.rsplit('/').next().unwrap_or(&self.name.text)
    }

    /// Whether an argument is exactly `flag`.
    pub fn has_arg(&self, flag: &str) -> bool {
        self.args.iter().any(|a| a.text == flag)
    }

    /// The arguments that are not options (do not start with `-`).
    pub fn operands(&self) -> impl Iterator<Item = &ShellWord> {
        self.args.iter().filter(|a| !a.text.starts_with('-'))
    }

    /// The first operand (a subcommand such as `install` in `apt-get -y install`).
    pub fn subcommand(&self) -> Option<&ShellWord> {
        self.operands().next()
    }
}

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShellScript {
    /// Every simple command, in source order (nested ones included).
    pub commands: Vec<SimpleCommand>,
    /// The `|` operators of pipelines (not `||`), by range.
    pub pipes: Vec<TextRange>,
    /// True when the parser had to recover from a syntax error.
    pub has_errors: bool,
    /// True when the script was too long to parse.
    pub skipped: bool,
    /// Where ` && cmd` can be written so that `cmd` runs after the whole script: the end of
    /// the last top-level statement (relative to the instruction's shell text, like ranges).
    /// `None` when there is no such place: no statement, a last statement sent to the
    /// background (`a &`), or a heredoc (its body follows the command line).
    pub append_at: Option<u32>,
}

thread_local! {
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

impl ShellScript {
    /// Parses the text of a [`ShellSource`]; ranges map back to the instruction's text.
    pub fn parse(source: &ShellSource) -> ShellScript {
        let text = source.text();
        if text.len() > MAX_SCRIPT_LEN {
            return ShellScript {
                skipped: true,
                ..ShellScript::default()
            };
        }
        let tree = PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            let parser = slot.get_or_insert_with(|| {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_bash::LANGUAGE.into())
                    .expect("the bash grammar matches the tree-sitter version");
                parser
            });
            // tree-sitter-bash's scanner passes the lookahead character to C's `isdigit`,
            // which is undefined (and crashed here) for characters above U+00FF. Bash reads
            // every byte of a non-ASCII character as an ordinary word character, so the
            // parser gets `a` for each such byte: same lengths, same offsets, same structure.
            if text.is_ascii() {
                parser.parse(text, None)
            } else {
                let ascii: Vec<u8> = text
                    .bytes()
                    .map(|b| if b.is_ascii() { b } else { b'a' })
                    .collect();
                parser.parse(&ascii, None)
            }
        });
        let Some(tree) = tree else {
            return ShellScript::default();
        };
        let mut collector = Collector {
            text,
            source,
            script: ShellScript {
                has_errors: tree.root_node().has_error(),
                ..ShellScript::default()
            },
            pipelines: 0,
            has_heredoc: false,
        };
        collector.walk(tree.root_node());
        if !collector.has_heredoc {
            collector.script.append_at = collector.append_point(tree.root_node());
        }
        collector.script
    }

    /// Moves every range `by` bytes back (ranges given from a file's start made relative to
    /// an instruction's).
    pub fn shift_back(&mut self, by: u32) {
        let back = |r: &mut TextRange| {
            *r = TextRange::new(r.start.saturating_sub(by), r.end.saturating_sub(by))
        };
        for command in &mut self.commands {
            back(&mut command.range);
            back(&mut command.name.range);
            for word in command
                .args
                .iter_mut()
                .chain(command.assignments.iter_mut())
            {
                back(&mut word.range);
            }
        }
        for pipe in &mut self.pipes {
            back(pipe);
        }
    }

    /// The commands with this base name.
    pub fn commands_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s SimpleCommand> {
        self.commands.iter().filter(move |c| c.base_name() == name)
    }
}

struct Collector<'a> {
    text: &'a str,
    source: &'a ShellSource,
    script: ShellScript,
    pipelines: u32,
    has_heredoc: bool,
}

/// Nodes that start a nested context for [`SimpleCommand::depth`].
fn nests(kind: &str) -> bool {
    matches!(
        kind,
        "command_substitution"
            | "process_substitution"
            | "subshell"
            | "compound_statement"
            | "if_statement"
            | "while_statement"
            | "for_statement"
            | "c_style_for_statement"
            | "case_statement"
            | "function_definition"
    )
}

impl Collector<'_> {
    /// Walks the tree without recursion (scripts can nest deeply), keeping for each open node
    /// its depth and the pipeline it belongs to.
    fn walk(&mut self, root: Node<'_>) {
        let mut stack: Vec<(Node<'_>, u32, Option<u32>)> = vec![(root, 0, None)];
        while let Some((node, depth, pipeline)) = stack.pop() {
            let kind = node.kind();
            let mut child_pipeline = pipeline;
            let mut child_depth = depth;
            match kind {
                "command" => self.command(node, depth, pipeline),
                "heredoc_redirect" | "heredoc_body" => self.has_heredoc = true,
                "declaration_command" | "unset_command" => self.declaration(node, depth, pipeline),
                "pipeline" => {
                    let id = self.pipelines;
                    self.pipelines += 1;
                    child_pipeline = Some(id);
                    let mut cursor = node.walk();
                    for child in node.children(&mut cursor) {
                        if child.kind() == "|" || child.kind() == "|&" {
                            self.script.pipes.push(self.range(child));
                        }
                    }
                }
                _ if nests(kind) => {
                    child_depth = depth + 1;
                    child_pipeline = None;
                }
                _ => {}
            }
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                stack.push((child, child_depth, child_pipeline));
            }
        }
        self.script.commands.sort_by_key(|c| c.range.start);
    }

    /// See [`ShellScript::append_at`].
    fn append_point(&self, root: Node<'_>) -> Option<u32> {
        let mut cursor = root.walk();
        let mut last: Option<Node<'_>> = None;
        let mut backgrounded = false;
        for child in root.children(&mut cursor) {
            match child.kind() {
                "comment" | ";" => {}
                "&" => backgrounded = true,
                _ if child.is_named() && !child.is_error() => {
                    last = Some(child);
                    backgrounded = false;
                }
                _ => return None,
            }
        }
        if backgrounded {
            return None;
        }
        Some(self.range(last?).end)
    }

    fn range(&self, node: Node<'_>) -> TextRange {
        let span = span(node, self.text);
        self.source.map_range(span.start, span.end)
    }

    fn command(&mut self, node: Node<'_>, depth: u32, pipeline: Option<u32>) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let mut assignments = Vec::new();
        let mut args = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.id() == name_node.id() {
                continue;
            }
            match child.kind() {
                "variable_assignment" if child.start_byte() < name_node.start_byte() => {
                    assignments.push(self.word(child));
                }
                // Redirections and here-strings are not arguments.
                k if k.ends_with("_redirect") => {}
                "comment" => {}
                _ => args.push(self.word(child)),
            }
        }
        let name = match name_node.named_child(0) {
            Some(inner) => self.word(inner),
            None => self.word(name_node),
        };
        let end = args.last().map_or(name.range.end, |a| a.range.end);
        let start = assignments
            .first()
            .map_or(name.range.start, |a| a.range.start);
        self.script.commands.push(SimpleCommand {
            name,
            args,
            range: TextRange::new(start, end.max(start)),
            assignments,
            pipeline,
            depth,
        });
    }

    /// `export A=1 B`, `local x`, `unset X`: commands whose arguments are names.
    fn declaration(&mut self, node: Node<'_>, depth: u32, pipeline: Option<u32>) {
        let Some(keyword) = node.child(0) else {
            return;
        };
        let name = self.word(keyword);
        let mut cursor = node.walk();
        let args: Vec<ShellWord> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .map(|c| self.word(c))
            .collect();
        let range = self.range(node);
        self.script.commands.push(SimpleCommand {
            name,
            args,
            range,
            assignments: Vec::new(),
            pipeline,
            depth,
        });
    }

    fn word(&self, node: Node<'_>) -> ShellWord {
        let range = self.range(node);
        let raw = &self.text[span(node, self.text)];
        match literal_value(node, self.text) {
            Some(text) => ShellWord {
                text,
                range,
                literal: true,
            },
            None => ShellWord {
                text: raw.to_owned(),
                range,
                literal: false,
            },
        }
    }
}

/// The value of a word when no expansion is involved: quotes removed, backslash escapes
/// resolved.
fn literal_value(node: Node<'_>, text: &str) -> Option<String> {
    let raw = &text[span(node, text)];
    match node.kind() {
        "word" | "number" | "command_name" | "variable_name" | "test_operator" => {
            if node.named_child_count() > 0 && node.kind() == "command_name" {
                return literal_value(node.named_child(0)?, text);
            }
            Some(unescape_unquoted(raw))
        }
        "raw_string" => Some(raw.get(1..raw.len().saturating_sub(1))?.to_owned()),
        "string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "string_content" => {
                        out.push_str(&unescape_double_quoted(&text[span(child, text)]))
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        "concatenation" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            let mut last_end = node.start_byte();
            for child in node.children(&mut cursor) {
                // Unnamed pieces between named ones (e.g. a bare `=`) are literal text.
                if child.start_byte() > last_end {
                    out.push_str(&text[last_end..child.start_byte()]);
                }
                out.push_str(&literal_value(child, text)?);
                last_end = child.end_byte();
            }
            Some(out)
        }
        "variable_assignment" => {
            let name = node.child_by_field_name("name")?;
            let value = match node.child_by_field_name("value") {
                Some(v) => literal_value(v, text)?,
                None => String::new(),
            };
            Some(format!("{}={value}", &text[span(name, text)]))
        }
        // Punctuation that tree-sitter keeps as its own node inside words.
        _ if !node.is_named() => Some(raw.to_owned()),
        _ => None,
    }
}

/// A node's byte range widened to character boundaries: the parser saw each byte of a
/// non-ASCII character as its own letter, so a node could in principle start or end inside
/// one.
fn span(node: Node<'_>, text: &str) -> std::ops::Range<usize> {
    let mut start = node.start_byte().min(text.len());
    let mut end = node.end_byte().clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn unescape_unquoted(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape_double_quoted(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('$' | '`' | '"' | '\\' | '\n')) {
            if let Some(next) = chars.next()
                && next != '\n'
            {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
