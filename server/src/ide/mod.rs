//! Editor features as plain functions: a document's analysis and a byte offset in, plain
//! structs with byte ranges out. Nothing here knows LSP, JSON-RPC or line/column positions:
//! `lsp/` converts at the edge, so every feature is testable without a server.
//!
//! Conventions:
//! - Offsets and ranges are UTF-8 byte offsets into the document text ([`TextRange`]).
//! - A cursor at offset `o` sits between bytes `o - 1` and `o`; features look at the token
//!   touching the cursor on either side, preferring the one it is inside or after.
//! - Markdown in docs and hovers is our own wording.
//! - Every function accepts any document (broken ones included) and any offset (past the
//!   end included) without panicking; "nothing here" is `None` or an empty list.

use std::sync::Arc;

use crate::analysis::RuleCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::DockerfileFacts;
use crate::semantic::{DockerfileModel, ShellCache, analyze_after_edit};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{Parse, parse, reparse};

pub mod actions;
pub mod completion;
pub mod compose;
pub mod docs;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod links;
pub mod navigation;
pub mod selection;
pub mod semantic_tokens;
pub mod signature_help;
pub mod symbols;

/// Everything known about one Dockerfile's text: computed once per edit, shared by every
/// request on that version.
#[derive(Debug)]
pub struct DockerfileAnalysis {
    pub parse: Parse,
    pub model: DockerfileModel,
    pub diagnostics: Vec<Diagnostic>,
}

impl DockerfileAnalysis {
    /// The analysis of a Dockerfile seen on its own (no facts from other files).
    pub fn new(text: &str) -> Arc<Self> {
        Self::with_facts(text, &DockerfileFacts::default())
    }

    pub fn with_facts(text: &str, facts: &DockerfileFacts) -> Arc<Self> {
        Self::with_config(text, facts, &Config::default())
    }

    pub fn with_config(text: &str, facts: &DockerfileFacts, config: &Config) -> Arc<Self> {
        Self::compute(text, facts, config, None, None, None)
    }

    /// The analysis, reusing what earlier versions of the same document computed: the RUN
    /// parses `shells` holds, the findings of unchanged stages `rules` holds, and the previous
    /// version's parse (only the lines around the edit are parsed again) and model (stages
    /// before the edit are kept).
    pub fn compute(
        text: &str,
        facts: &DockerfileFacts,
        config: &Config,
        shells: Option<&ShellCache>,
        rules: Option<&RuleCache>,
        previous: Option<&DockerfileAnalysis>,
    ) -> Arc<Self> {
        let parse = match previous {
            Some(old) => reparse(&old.parse, text),
            None => parse(text),
        };
        let model = analyze_after_edit(&parse, previous.map(|old| (old.text(), &old.model)));
        let diagnostics = crate::analysis::check_incrementally(
            text, &parse, &model, facts, config, shells, rules,
        );
        Arc::new(DockerfileAnalysis {
            parse,
            model,
            diagnostics,
        })
    }

    pub fn text(&self) -> &str {
        self.parse.tree.text()
    }
}

/// Replace `range` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// What a completion item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// An instruction keyword or directive.
    Keyword,
    /// A multi-part template.
    Snippet,
    /// A `--flag` or a `key=` of a flag value.
    Property,
    /// A value from a fixed set (`cache`, `bind`, `none`, `linux/amd64`).
    EnumMember,
    /// An ARG or ENV variable.
    Variable,
    /// A build stage.
    Reference,
    /// A base image or tag.
    Module,
}

/// One completion proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (for stages: the bare stage name).
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown beside the label.
    pub detail: Option<String>,
    /// Markdown shown when the item is selected.
    pub documentation: Option<String>,
    /// The text to insert and the range it replaces (the word being typed).
    pub edit: TextEdit,
    /// `edit.new_text` is an LSP snippet (`${1:name}`, `$0`).
    pub is_snippet: bool,
    /// What the editor filters on when it differs from the label.
    pub filter_text: Option<String>,
    /// Orders items when the label order is not right.
    pub sort_text: Option<String>,
    pub deprecated: bool,
}

/// Hover content for a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// Signature help for the instruction at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<Signature>,
    pub active_signature: u32,
    pub active_parameter: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// `COPY [--from=<stage>] <src>... <dest>`
    pub label: String,
    pub documentation: Option<String>,
    /// Byte ranges of each parameter inside `label`.
    pub parameters: Vec<SignatureParameter>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureParameter {
    pub label: std::ops::Range<u32>,
    pub documentation: Option<String>,
}

/// A place in the document: `full` covers the whole thing (a stage, an ARG instruction),
/// `focus` the name itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NavigationTarget {
    pub full: TextRange,
    pub focus: TextRange,
}

/// A reference found by find-references or document highlight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    pub range: TextRange,
    /// True at the declaration (`AS name`, `ARG NAME`, `ENV NAME=`, a heredoc marker), false
    /// at a use.
    pub is_declaration: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Stage,
    Instruction,
    Variable,
    Directive,
}

/// An entry of the document outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection_range: TextRange,
    pub children: Vec<DocumentSymbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldKind {
    Comment,
    /// A stage, a continued instruction, a heredoc.
    Region,
}

/// A foldable region: from the line of `range.start` to the line of `range.end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FoldingRange {
    pub range: TextRange,
    pub kind: FoldKind,
}

/// A link from a range to somewhere else: an absolute URL (a registry page) or a path
/// relative to the Dockerfile's directory (a COPY source).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentLink {
    pub range: TextRange,
    pub target: LinkTarget,
    pub tooltip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    Url(String),
    RelativePath(String),
}

/// Options for formatting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// The indentation of continuation lines that have none yet (`"    "` or `"\t"`).
    pub indent: String,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            indent: "    ".to_owned(),
        }
    }
}

/// Test helpers shared by the feature modules.
#[cfg(test)]
#[allow(dead_code)] // until the feature modules' tests use them
pub(crate) mod test_util {
    use std::sync::Arc;

    use super::DockerfileAnalysis;

    /// Splits a fixture with one `$0` cursor marker into (analysis, cursor offset).
    pub(crate) fn with_cursor(fixture: &str) -> (Arc<DockerfileAnalysis>, u32) {
        let at = fixture
            .find("$0")
            .expect("fixture needs a `$0` cursor marker");
        let text = format!("{}{}", &fixture[..at], &fixture[at + 2..]);
        (DockerfileAnalysis::new(&text), at as u32)
    }

    /// The text a range covers, for readable assertions.
    pub(crate) fn slice(analysis: &DockerfileAnalysis, range: crate::syntax::TextRange) -> &str {
        &analysis.text()[range.as_usize()]
    }
}
