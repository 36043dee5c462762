//! A flat, lossless syntax tree.
//!
//! Elements (nodes and tokens) are stored in one `Vec` in pre-order. Each element records its
//! byte range, its parent and the index just past its last descendant, so walking children is
//! a few array reads and building the tree is a push per element. Dockerfile trees are shallow
//! (file, instruction, word, token), which is why this beats a general green/red tree here:
//! parsing stays at hundreds of MB/s.

use std::fmt::{self, Write as _};

use super::kind::SyntaxKind;
use crate::syntax::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Element {
    kind: SyntaxKind,
    range: TextRange,
    /// Index of the parent node; the root points at itself.
    parent: u32,
    /// Index one past the last element of this subtree (`self + 1` for tokens).
    subtree_end: u32,
}

/// A lossless Dockerfile syntax tree: its tokens, in order, spell the source text exactly.
#[derive(Clone)]
pub struct SyntaxTree {
    text: String,
    elements: Vec<Element>,
}

impl SyntaxTree {
    pub fn root(&self) -> SyntaxNode<'_> {
        SyntaxNode { tree: self, idx: 0 }
    }

    /// The source text the tree was built from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of elements (nodes and tokens).
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elements.len() <= 1
    }

    /// The token that contains `offset`; at a boundary between two tokens, the one that
    /// starts there. `None` past the end of the text.
    pub fn token_at_offset(&self, offset: u32) -> Option<SyntaxToken<'_>> {
        // In pre-order, element start offsets never decrease (a node starts where its first
        // token does), so the last element starting at or before `offset` is found by binary
        // search; the token we want is the last token among those.
        let upto = self.elements.partition_point(|e| e.range.start <= offset);
        let idx = (0..upto)
            .rev()
            .find(|&i| self.elements[i].kind.is_token())?;
        let range = self.elements[idx].range;
        (range.start <= offset && offset < range.end).then_some(SyntaxToken {
            tree: self,
            idx: idx as u32,
        })
    }

    /// An indented dump of the tree: one element per line, with ranges and token text.
    pub fn debug_dump(&self) -> String {
        let mut out = String::new();
        let mut depth_stack: Vec<u32> = Vec::new();
        for (i, e) in self.elements.iter().enumerate() {
            while depth_stack.last().is_some_and(|&end| end as usize <= i) {
                depth_stack.pop();
            }
            let indent = "  ".repeat(depth_stack.len());
            if e.kind.is_node() {
                let _ = writeln!(out, "{indent}{:?}@{:?}", e.kind, e.range);
                depth_stack.push(e.subtree_end);
            } else {
                let _ = writeln!(
                    out,
                    "{indent}{:?}@{:?} {:?}",
                    e.kind,
                    e.range,
                    &self.text[e.range.as_usize()]
                );
            }
        }
        out
    }
}

/// What the incremental reparse (`parser::reparse`) reads of an old tree: its top-level
/// structure. The children of the root are the pieces of *top-level lines* (the unit the
/// parser's main loop handles): an optional `Indent`, then a `Comment`, an `Instruction`
/// (with its continuation lines and heredoc bodies) or a `Directive`, then the `Newline`
/// that ends the line. So a root child starts a top-level line exactly when it is the first
/// one or follows a `Newline` or the `Bom`. (A `Newline` can start at a physical line start
/// without starting a top-level line: after a continuation that ends in blank lines at the
/// end of the file, the instruction ends at the last blank line's start.)
impl SyntaxTree {
    /// Structural equality: the same text and the same elements (kinds, ranges, parents,
    /// subtree ends). `==` on trees is identity, which typed views rely on; this is for
    /// checking that two parses agree.
    pub fn same_as(&self, other: &SyntaxTree) -> bool {
        self.text == other.text && self.elements == other.elements
    }

    /// Start offset of element `idx`.
    pub(crate) fn start_of(&self, idx: usize) -> u32 {
        self.elements[idx].range.start
    }

    pub(crate) fn kind_of(&self, idx: usize) -> SyntaxKind {
        self.elements[idx].kind
    }

    /// The root child after root child `idx` (the number of elements when there is none).
    pub(crate) fn next_root_child(&self, idx: usize) -> usize {
        self.elements[idx].subtree_end as usize
    }

    /// The root child whose subtree holds element `idx` (`idx >= 1`).
    fn root_child_of(&self, mut idx: usize) -> usize {
        loop {
            let parent = self.elements[idx].parent as usize;
            if parent == 0 {
                return idx;
            }
            idx = parent;
        }
    }

    /// Whether root child `idx` starts a top-level line (see above).
    pub(crate) fn starts_top_level_line(&self, idx: usize) -> bool {
        idx == 1
            || matches!(
                self.elements[self.root_child_of(idx - 1)].kind,
                SyntaxKind::Newline | SyntaxKind::Bom
            )
    }

    /// The root child starting the last top-level line that starts at or before `offset`,
    /// or `None` for an empty tree. Element starts never decrease in pre-order, so this is
    /// a binary search, then a walk up (the tree is shallow) and back over the few root
    /// children of one line.
    pub(crate) fn top_level_line_at(&self, offset: u32) -> Option<usize> {
        let upto = self.elements[1..].partition_point(|e| e.range.start <= offset);
        if upto == 0 {
            return None;
        }
        let mut child = self.root_child_of(upto);
        while !self.starts_top_level_line(child) {
            child = self.root_child_of(child - 1);
        }
        Some(child)
    }

    /// Whether any root child in `[from, to)` (both root-child boundaries) is an
    /// instruction.
    pub(crate) fn has_instruction_between(&self, from: usize, to: usize) -> bool {
        let mut idx = from;
        while idx < to {
            if matches!(self.elements[idx].kind, SyntaxKind::Instruction(_)) {
                return true;
            }
            idx = self.next_root_child(idx);
        }
        false
    }

    /// Where the parser directives at the top end: the start of the first top-level line
    /// that is not a directive line (the length of the text when all lines are directives).
    /// Directive nodes only occur at the top, so this stops at the first other node or
    /// comment.
    pub(crate) fn directives_end(&self) -> usize {
        let mut end = 0;
        let mut idx = 1;
        let mut after_directive = false;
        while idx < self.elements.len() {
            let e = self.elements[idx];
            match e.kind {
                SyntaxKind::Bom | SyntaxKind::Directive => end = e.range.end,
                SyntaxKind::Newline if after_directive => end = e.range.end,
                SyntaxKind::Indent => {}
                _ => break,
            }
            after_directive = e.kind == SyntaxKind::Directive;
            idx = self.next_root_child(idx);
        }
        end as usize
    }
}

impl fmt::Debug for SyntaxTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug_dump())
    }
}

/// Builds a [`SyntaxTree`] in pre-order. Tokens must be pushed contiguously: each starts
/// where the previous one ended, which is what makes the tree lossless by construction.
pub(crate) struct TreeBuilder {
    text: String,
    elements: Vec<Element>,
    stack: Vec<u32>,
    offset: u32,
}

impl TreeBuilder {
    pub(crate) fn new(text: String) -> Self {
        // Realistic Dockerfiles have one element per 2.8 to 3.3 bytes; a guess of one per 3
        // bytes avoids the regrowth (a copy of the whole array) on large files.
        let elements = Vec::with_capacity(text.len() / 3 + 16);
        let mut builder = TreeBuilder {
            text,
            elements,
            stack: Vec::with_capacity(8),
            offset: 0,
        };
        builder.start_node(SyntaxKind::File);
        builder
    }

    /// A builder for `text` that already holds the root and root children `[1, upto)` of
    /// `old`, whose text agrees with `text` up to where root child `upto` starts, which is
    /// where building goes on (see `parser::reparse`). Those elements keep their indices,
    /// ranges and parents; `extra` is room for what the new text adds.
    pub(crate) fn resume(old: &SyntaxTree, upto: usize, text: String, extra: usize) -> Self {
        let mut elements = Vec::with_capacity(old.elements.len() + extra);
        elements.extend_from_slice(&old.elements[..upto]);
        TreeBuilder {
            offset: old.elements[upto].range.start,
            text,
            elements,
            stack: vec![0],
        }
    }

    /// Appends the root children of `old` from root child `from` on, which the new text
    /// holds unchanged from the builder's offset on: their ranges move by the difference
    /// of the two offsets, their parent and subtree-end indices by the difference of the
    /// two element counts (children of the root keep the root as parent).
    pub(crate) fn append_shifted(&mut self, old: &SyntaxTree, from: usize) {
        debug_assert_eq!(self.stack, [0], "only at the top level");
        // Wrapping arithmetic: the shifted values are in range, the shifts may be negative.
        let by = self.offset.wrapping_sub(old.elements[from].range.start);
        let index_by = (self.elements.len() as u32).wrapping_sub(from as u32);
        self.elements
            .extend(old.elements[from..].iter().map(|e| Element {
                kind: e.kind,
                range: TextRange {
                    start: e.range.start.wrapping_add(by),
                    end: e.range.end.wrapping_add(by),
                },
                parent: if e.parent == 0 {
                    0
                } else {
                    e.parent.wrapping_add(index_by)
                },
                subtree_end: e.subtree_end.wrapping_add(index_by),
            }));
        self.offset = old.elements[0].range.end.wrapping_add(by);
    }

    pub(crate) fn offset(&self) -> u32 {
        self.offset
    }

    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        debug_assert!(kind.is_node());
        let idx = self.elements.len() as u32;
        let parent = self.stack.last().copied().unwrap_or(0);
        self.elements.push(Element {
            kind,
            range: TextRange::empty(self.offset),
            parent,
            subtree_end: idx + 1,
        });
        self.stack.push(idx);
    }

    pub(crate) fn finish_node(&mut self) {
        let idx = self.stack.pop().expect("finish_node without start_node") as usize;
        let end = self.elements.len() as u32;
        let element = &mut self.elements[idx];
        element.subtree_end = end;
        element.range.end = self.offset;
    }

    /// Pushes a token covering `[offset, end)`; empty tokens are skipped.
    pub(crate) fn token(&mut self, kind: SyntaxKind, end: u32) {
        debug_assert!(kind.is_token());
        debug_assert!(end >= self.offset, "tokens must be contiguous");
        if end == self.offset {
            return;
        }
        let idx = self.elements.len() as u32;
        let parent = self.stack.last().copied().unwrap_or(0);
        self.elements.push(Element {
            kind,
            range: TextRange::new(self.offset, end),
            parent,
            subtree_end: idx + 1,
        });
        self.offset = end;
    }

    pub(crate) fn finish(mut self) -> SyntaxTree {
        while !self.stack.is_empty() {
            self.finish_node();
        }
        debug_assert_eq!(
            self.offset as usize,
            self.text.len(),
            "tree must cover the text"
        );
        SyntaxTree {
            text: self.text,
            elements: self.elements,
        }
    }
}

/// A node of a [`SyntaxTree`]: cheap to copy, borrows the tree.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyntaxNode<'t> {
    tree: &'t SyntaxTree,
    idx: u32,
}

/// A token (leaf) of a [`SyntaxTree`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyntaxToken<'t> {
    tree: &'t SyntaxTree,
    idx: u32,
}

/// Either a node or a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SyntaxElement<'t> {
    Node(SyntaxNode<'t>),
    Token(SyntaxToken<'t>),
}

impl PartialEq for SyntaxTree {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for SyntaxTree {}
impl std::hash::Hash for SyntaxTree {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self, state)
    }
}

fn element_at(tree: &SyntaxTree, idx: u32) -> SyntaxElement<'_> {
    if tree.elements[idx as usize].kind.is_node() {
        SyntaxElement::Node(SyntaxNode { tree, idx })
    } else {
        SyntaxElement::Token(SyntaxToken { tree, idx })
    }
}

impl<'t> SyntaxNode<'t> {
    fn data(&self) -> &'t Element {
        &self.tree.elements[self.idx as usize]
    }

    pub fn tree(&self) -> &'t SyntaxTree {
        self.tree
    }

    pub fn kind(&self) -> SyntaxKind {
        self.data().kind
    }

    pub fn range(&self) -> TextRange {
        self.data().range
    }

    /// The node's source text, trivia included.
    pub fn text(&self) -> &'t str {
        &self.tree.text[self.range().as_usize()]
    }

    pub fn parent(&self) -> Option<SyntaxNode<'t>> {
        if self.idx == 0 {
            None
        } else {
            Some(SyntaxNode {
                tree: self.tree,
                idx: self.data().parent,
            })
        }
    }

    /// Direct children, nodes and tokens.
    pub fn children_with_tokens(&self) -> Children<'t> {
        Children {
            tree: self.tree,
            next: self.idx + 1,
            end: self.data().subtree_end,
        }
    }

    /// Direct child nodes.
    pub fn children(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        self.children_with_tokens().filter_map(|e| match e {
            SyntaxElement::Node(n) => Some(n),
            SyntaxElement::Token(_) => None,
        })
    }

    /// Direct child tokens.
    pub fn child_tokens(&self) -> impl Iterator<Item = SyntaxToken<'t>> + use<'t> {
        self.children_with_tokens().filter_map(|e| match e {
            SyntaxElement::Token(t) => Some(t),
            SyntaxElement::Node(_) => None,
        })
    }

    /// All tokens below this node, in source order.
    pub fn tokens(&self) -> impl Iterator<Item = SyntaxToken<'t>> + use<'t> {
        let tree = self.tree;
        (self.idx + 1..self.data().subtree_end).filter_map(move |idx| {
            tree.elements[idx as usize]
                .kind
                .is_token()
                .then_some(SyntaxToken { tree, idx })
        })
    }

    /// All nodes below this node (not itself), in pre-order.
    pub fn descendants(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        let tree = self.tree;
        (self.idx + 1..self.data().subtree_end).filter_map(move |idx| {
            tree.elements[idx as usize]
                .kind
                .is_node()
                .then_some(SyntaxNode { tree, idx })
        })
    }

    /// The first direct child token of `kind`.
    pub fn child_token(&self, kind: SyntaxKind) -> Option<SyntaxToken<'t>> {
        self.child_tokens().find(|t| t.kind() == kind)
    }

    /// Direct child nodes of `kind`.
    pub fn children_of_kind(
        &self,
        kind: SyntaxKind,
    ) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        self.children().filter(move |n| n.kind() == kind)
    }

    /// The first direct child node of `kind`.
    pub fn child_node(&self, kind: SyntaxKind) -> Option<SyntaxNode<'t>> {
        self.children().find(|n| n.kind() == kind)
    }

    /// The node's text as BuildKit reads it: line continuations, comment lines inside them
    /// and heredoc bodies removed. Borrowed when the node is on one line.
    pub fn logical_text(&self) -> std::borrow::Cow<'t, str> {
        logical_text_of(self.tokens())
    }

    /// 1-based index of this node among the tree's elements; stable for one tree.
    pub fn index(&self) -> u32 {
        self.idx
    }
}

/// Joins the logical (non-trivia) tokens. Borrows when they are contiguous in the source.
pub(crate) fn logical_text_of<'t>(
    tokens: impl Iterator<Item = SyntaxToken<'t>>,
) -> std::borrow::Cow<'t, str> {
    let mut first: Option<(TextRange, &'t SyntaxTree)> = None;
    let mut owned: Option<String> = None;
    for token in tokens {
        if token.kind().is_line_trivia() {
            continue;
        }
        let range = token.range();
        match (&mut owned, &mut first) {
            (Some(s), _) => s.push_str(token.text()),
            (None, None) => first = Some((range, token.tree)),
            (None, Some((prev, tree))) => {
                if prev.end == range.start {
                    prev.end = range.end;
                } else {
                    let mut s = tree.text[prev.as_usize()].to_owned();
                    s.push_str(token.text());
                    owned = Some(s);
                }
            }
        }
    }
    match (owned, first) {
        (Some(s), _) => std::borrow::Cow::Owned(s),
        (None, Some((range, tree))) => std::borrow::Cow::Borrowed(&tree.text[range.as_usize()]),
        (None, None) => std::borrow::Cow::Borrowed(""),
    }
}

impl fmt::Debug for SyntaxNode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{:?}", self.kind(), self.range())
    }
}

impl<'t> SyntaxToken<'t> {
    fn data(&self) -> &'t Element {
        &self.tree.elements[self.idx as usize]
    }

    pub fn kind(&self) -> SyntaxKind {
        self.data().kind
    }

    pub fn range(&self) -> TextRange {
        self.data().range
    }

    pub fn text(&self) -> &'t str {
        &self.tree.text[self.range().as_usize()]
    }

    pub fn parent(&self) -> SyntaxNode<'t> {
        SyntaxNode {
            tree: self.tree,
            idx: self.data().parent,
        }
    }

    /// The next token in the file, whatever its parent.
    pub fn next_token(&self) -> Option<SyntaxToken<'t>> {
        let tree = self.tree;
        (self.idx + 1..tree.elements.len() as u32)
            .find(|&idx| tree.elements[idx as usize].kind.is_token())
            .map(|idx| SyntaxToken { tree, idx })
    }

    /// The previous token in the file, whatever its parent.
    pub fn prev_token(&self) -> Option<SyntaxToken<'t>> {
        let tree = self.tree;
        (0..self.idx)
            .rev()
            .find(|&idx| tree.elements[idx as usize].kind.is_token())
            .map(|idx| SyntaxToken { tree, idx })
    }

    /// Ancestors from the parent up to the root.
    pub fn ancestors(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        std::iter::successors(Some(self.parent()), |n| n.parent())
    }
}

impl fmt::Debug for SyntaxToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{:?} {:?}", self.kind(), self.range(), self.text())
    }
}

impl<'t> SyntaxElement<'t> {
    pub fn kind(&self) -> SyntaxKind {
        match self {
            SyntaxElement::Node(n) => n.kind(),
            SyntaxElement::Token(t) => t.kind(),
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            SyntaxElement::Node(n) => n.range(),
            SyntaxElement::Token(t) => t.range(),
        }
    }

    pub fn as_node(&self) -> Option<SyntaxNode<'t>> {
        match self {
            SyntaxElement::Node(n) => Some(*n),
            SyntaxElement::Token(_) => None,
        }
    }

    pub fn as_token(&self) -> Option<SyntaxToken<'t>> {
        match self {
            SyntaxElement::Token(t) => Some(*t),
            SyntaxElement::Node(_) => None,
        }
    }
}

/// Iterator over a node's direct children.
pub struct Children<'t> {
    tree: &'t SyntaxTree,
    next: u32,
    end: u32,
}

impl<'t> Iterator for Children<'t> {
    type Item = SyntaxElement<'t>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let idx = self.next;
        self.next = self.tree.elements[idx as usize].subtree_end;
        Some(element_at(self.tree, idx))
    }
}
