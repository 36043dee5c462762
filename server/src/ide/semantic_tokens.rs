//! Semantic tokens: one legend, full and range.
//!
//! What gets a token:
//! - instruction keywords, `AS`, `HEALTHCHECK`'s `CMD`/`NONE` (`keyword`; `MAINTAINER` is
//!   `deprecated`);
//! - flag names (`parameter`); flag values (`string`), split into `key=value` fields for CSV
//!   flags such as `--mount` (keys are `property`, a mount's `type` is an `enumMember`);
//! - stage names (`class`, with `declaration` after `AS`), wherever a stage is referenced:
//!   `FROM`, `--from`, a mount's `from=`; a numeric `--from=0` is a `number`;
//! - image references: registry (`namespace`), repository (`type`; `scratch` is
//!   `defaultLibrary`), separators (`operator`), tag and digest (`string`);
//! - `ARG`/`ENV` keys (`variable` + `declaration`, `ARG`s also `readonly`), `LABEL` keys
//!   (`property`), values (`string`), JSON strings (`string`);
//! - variable uses `$NAME`, `${NAME}` or the `${NAME` of `${NAME:-default}` (`variable`; BuildKit's and the image's own, such as
//!   `TARGETARCH` or `PATH`, are `defaultLibrary`), inside any of the above, shell words and
//!   expanding heredoc bodies;
//! - comments, parser directives (`macro` name, `string` value), heredoc markers (`operator`
//!   `<<`, `string` delimiter) and terminators, `EXPOSE` ports (`number`, protocol
//!   `enumMember`).
//!
//! Shell commands and heredoc bodies are otherwise left to the editor's grammar. Tokens come
//! sorted and never overlap; a token spans lines only where its source token does.

use std::collections::HashMap;

use super::DockerfileAnalysis;
use super::navigation::{VariableRef, VariableScanner};
use crate::semantic::scope::{PLATFORM_ARGS, PROXY_ARGS};
use crate::semantic::{ReferenceKind, ReferenceTarget};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::{
    InstructionKind, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken,
};

/// The token types, in legend order (standard LSP names).
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "variable",
    "parameter",
    "property",
    "string",
    "comment",
    "operator",
    "namespace",
    "type",
    "class",
    "number",
    "macro",
    "enumMember",
];

/// The token modifiers, in legend order: bit `i` of [`SemanticToken::modifiers`] is
/// `TOKEN_MODIFIERS[i]`.
pub const TOKEN_MODIFIERS: &[&str] = &["declaration", "readonly", "deprecated", "defaultLibrary"];

const KEYWORD: u32 = 0;
const VARIABLE: u32 = 1;
const PARAMETER: u32 = 2;
const PROPERTY: u32 = 3;
const STRING: u32 = 4;
const COMMENT: u32 = 5;
const OPERATOR: u32 = 6;
const NAMESPACE: u32 = 7;
const TYPE: u32 = 8;
const CLASS: u32 = 9;
const NUMBER: u32 = 10;
const MACRO: u32 = 11;
const ENUM_MEMBER: u32 = 12;

const DECLARATION: u32 = 1 << 0;
const READONLY: u32 = 1 << 1;
const DEPRECATED: u32 = 1 << 2;
const DEFAULT_LIBRARY: u32 = 1 << 3;

/// One token: a range, an index into [`TOKEN_TYPES`] and a bit set of [`TOKEN_MODIFIERS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SemanticToken {
    pub range: TextRange,
    pub token_type: u32,
    pub modifiers: u32,
}

/// The tokens of the whole document, or of the instructions and comments that overlap
/// `range`.
pub fn semantic_tokens(
    analysis: &DockerfileAnalysis,
    range: Option<TextRange>,
) -> Vec<SemanticToken> {
    let mut emitter = Emitter::new(analysis);
    let overlaps = |r: TextRange| range.is_none_or(|want| r.start < want.end && want.start < r.end);
    for child in analysis.parse.tree.root().children_with_tokens() {
        if !overlaps(child.range()) {
            continue;
        }
        match child {
            SyntaxElement::Token(token) if token.kind() == SyntaxKind::Comment => {
                emitter.push(token.range(), COMMENT, 0);
            }
            SyntaxElement::Token(_) => {}
            SyntaxElement::Node(node) if node.kind() == SyntaxKind::Directive => {
                emitter.directive(node);
            }
            SyntaxElement::Node(node) => emitter.instruction(node),
        }
    }
    let mut tokens = emitter.tokens;
    // Instructions overlapping the range may start or end outside it.
    tokens.retain(|t| overlaps(t.range));
    tokens
}

/// A piece of a token with its type and modifiers.
type Segment = (TextRange, u32, u32);

/// What a stage reference at some offset resolves to.
#[derive(Clone, Copy)]
struct StageUse {
    kind: ReferenceKind,
    target: ReferenceTarget,
    by_index: bool,
}

struct Emitter<'a> {
    text: &'a str,
    escape: char,
    /// Stage references by the start of their value.
    references: HashMap<u32, StageUse>,
    tokens: Vec<SemanticToken>,
}

impl<'a> Emitter<'a> {
    fn new(analysis: &'a DockerfileAnalysis) -> Self {
        let references = analysis
            .model
            .references
            .iter()
            .map(|r| {
                let found = StageUse {
                    kind: r.kind,
                    target: r.target,
                    by_index: r.by_index,
                };
                (r.range.start, found)
            })
            .collect();
        Emitter {
            text: analysis.text(),
            escape: analysis.model.escape,
            references,
            tokens: Vec::new(),
        }
    }

    /// Adds a token; empty ones and (defensively) ones overlapping the previous are dropped.
    fn push(&mut self, range: TextRange, token_type: u32, modifiers: u32) {
        if range.is_empty()
            || self
                .tokens
                .last()
                .is_some_and(|t| t.range.end > range.start)
        {
            return;
        }
        self.tokens.push(SemanticToken {
            range,
            token_type,
            modifiers,
        });
    }

    fn directive(&mut self, node: SyntaxNode<'_>) {
        for token in node.tokens() {
            let token_type = match token.kind() {
                SyntaxKind::DirectiveHash => COMMENT,
                SyntaxKind::DirectiveName => MACRO,
                SyntaxKind::Equals => OPERATOR,
                SyntaxKind::DirectiveValue => STRING,
                _ => continue,
            };
            self.push(token.range(), token_type, 0);
        }
    }

    fn instruction(&mut self, node: SyntaxNode<'_>) {
        let mut scanner = VariableScanner::new(self.escape);
        let mut uses = Vec::new();
        for token in node.tokens() {
            uses.clear();
            scanner.scan(token, &mut uses);
            let segments = self.classify(token);
            self.emit(token.range(), &segments, &uses);
        }
    }

    /// Emits `segments` of the token at `token` with the variable uses in it cut out as
    /// `variable`s.
    fn emit(&mut self, token: TextRange, segments: &[Segment], uses: &[VariableRef]) {
        if uses.is_empty() {
            for &(range, token_type, modifiers) in segments {
                self.push(range, token_type, modifiers);
            }
            return;
        }
        let heads: Vec<TextRange> = uses.iter().map(|u| self.variable_range(u, token)).collect();
        let mut pieces: Vec<Segment> = uses
            .iter()
            .zip(&heads)
            .map(|(u, &head)| (head, VARIABLE, self.variable_modifiers(u.name)))
            .collect();
        for &(range, token_type, modifiers) in segments {
            let mut rest = range.start;
            for &head in &heads {
                if head.end <= rest || head.start >= range.end {
                    continue;
                }
                if head.start > rest {
                    pieces.push((TextRange::new(rest, head.start), token_type, modifiers));
                }
                rest = rest.max(head.end);
            }
            if rest < range.end {
                pieces.push((TextRange::new(rest, range.end), token_type, modifiers));
            }
        }
        pieces.sort_by_key(|(range, _, _)| range.start);
        for (range, token_type, modifiers) in pieces {
            self.push(range, token_type, modifiers);
        }
    }

    /// `$NAME`, `${NAME}` whole, or `${NAME` when an operator follows the name (its word may
    /// hold more uses).
    fn variable_range(&self, reference: &VariableRef, token: TextRange) -> TextRange {
        let closes = reference.braced
            && reference.name.end < token.end
            && self.text.as_bytes().get(reference.name.end as usize) == Some(&b'}');
        if closes {
            TextRange::new(reference.head.start, reference.name.end + 1)
        } else {
            reference.head
        }
    }

    fn variable_modifiers(&self, name: TextRange) -> u32 {
        let name = self.text.get(name.as_usize()).unwrap_or("");
        let provided =
            PLATFORM_ARGS.contains(&name) || PROXY_ARGS.contains(&name) || name == "PATH";
        if provided { DEFAULT_LIBRARY } else { 0 }
    }

    /// The typed pieces of one token (before variable uses are cut out).
    fn classify(&self, token: SyntaxToken<'_>) -> Vec<Segment> {
        let range = token.range();
        let whole = |token_type: u32, modifiers: u32| vec![(range, token_type, modifiers)];
        match token.kind() {
            SyntaxKind::Keyword => match instruction_kind(token.parent()) {
                Some(InstructionKind::Unknown) | None => Vec::new(),
                Some(InstructionKind::Maintainer) => whole(KEYWORD, DEPRECATED),
                Some(_) => whole(KEYWORD, 0),
            },
            SyntaxKind::AsKeyword => whole(KEYWORD, 0),
            SyntaxKind::StageName => whole(CLASS, DECLARATION),
            SyntaxKind::FlagName => whole(PARAMETER, 0),
            SyntaxKind::Equals | SyntaxKind::FlagTerminator | SyntaxKind::ImageSeparator => {
                whole(OPERATOR, 0)
            }
            SyntaxKind::FlagValue => self.flag_value(token),
            SyntaxKind::ImageRegistry
            | SyntaxKind::ImageName
            | SyntaxKind::ImageTag
            | SyntaxKind::ImageDigest => self.image_part(token),
            SyntaxKind::Key => match token.parent().parent().and_then(instruction_kind) {
                Some(InstructionKind::Arg) => whole(VARIABLE, DECLARATION | READONLY),
                Some(InstructionKind::Env) => whole(VARIABLE, DECLARATION),
                _ => whole(PROPERTY, 0),
            },
            SyntaxKind::Value | SyntaxKind::JsonString => whole(STRING, 0),
            SyntaxKind::Comment => whole(COMMENT, 0),
            SyntaxKind::Text => text_word(token),
            SyntaxKind::HeredocMarker => heredoc_marker(token),
            SyntaxKind::HeredocEnd => {
                let tabs = token.text().len() - token.text().trim_start_matches('\t').len();
                vec![(
                    TextRange::new(range.start + tabs as u32, range.end),
                    STRING,
                    0,
                )]
            }
            _ => Vec::new(),
        }
    }

    fn image_part(&self, token: SyntaxToken<'_>) -> Vec<Segment> {
        let range = token.range();
        let image = token.parent();
        let names_stage = self.references.get(&image.range().start).is_some_and(|r| {
            r.kind == ReferenceKind::From && matches!(r.target, ReferenceTarget::Stage(_))
        });
        if names_stage {
            return vec![(range, CLASS, 0)];
        }
        let segment = match token.kind() {
            SyntaxKind::ImageRegistry => (range, NAMESPACE, 0),
            SyntaxKind::ImageName if image.text() == "scratch" => (range, TYPE, DEFAULT_LIBRARY),
            SyntaxKind::ImageName => (range, TYPE, 0),
            _ => (range, STRING, 0),
        };
        vec![segment]
    }

    fn flag_value(&self, token: SyntaxToken<'_>) -> Vec<Segment> {
        let range = token.range();
        match flag_name(token) {
            "from" => vec![(range, self.stage_use_type(range.start, STRING), 0)],
            "mount" | "secret" | "ssh" => self.csv_fields(token),
            "network" | "security" => vec![(range, ENUM_MEMBER, 0)],
            _ => vec![(range, STRING, 0)],
        }
    }

    /// `class` for a stage named at `start`, `number` for a stage index, else `otherwise`.
    fn stage_use_type(&self, start: u32, otherwise: u32) -> u32 {
        match self.references.get(&start) {
            Some(r) if r.by_index => NUMBER,
            Some(r) if matches!(r.target, ReferenceTarget::Stage(_)) => CLASS,
            _ => otherwise,
        }
    }

    /// `type=cache,target=/x`: `property` keys, `operator` `=`, typed values.
    fn csv_fields(&self, token: SyntaxToken<'_>) -> Vec<Segment> {
        let text = token.text();
        let base = token.range().start;
        let at = |i: usize| base + i as u32;
        let mut segments = Vec::new();
        for (start, end) in csv_field_bounds(text) {
            // A quoted field (`"from=x"`): its quotes stay plain.
            let (start, end) = match text.get(start..end) {
                Some(f) if f.len() >= 2 && f.starts_with('"') && f.ends_with('"') => {
                    (start + 1, end - 1)
                }
                _ => (start, end),
            };
            let field = text.get(start..end).unwrap_or("");
            let Some(eq) = field.find('=') else {
                segments.push((TextRange::new(at(start), at(end)), PROPERTY, 0));
                continue;
            };
            let key = &field[..eq];
            let value = TextRange::new(at(start + eq + 1), at(end));
            segments.push((TextRange::new(at(start), at(start + eq)), PROPERTY, 0));
            segments.push((
                TextRange::new(at(start + eq), at(start + eq + 1)),
                OPERATOR,
                0,
            ));
            let value_type = if key.eq_ignore_ascii_case("type") {
                ENUM_MEMBER
            } else if key.eq_ignore_ascii_case("from") {
                // The model locates the value itself, or the whole flag value when quotes
                // make the field's place uncertain.
                let whole_value = self
                    .references
                    .get(&base)
                    .is_some_and(|r| r.kind == ReferenceKind::RunMount);
                let start = if whole_value { base } else { value.start };
                self.stage_use_type(start, STRING)
            } else {
                STRING
            };
            segments.push((value, value_type, 0));
        }
        segments
    }
}

/// The name of the flag a value belongs to, without dashes.
fn flag_name(value: SyntaxToken<'_>) -> &str {
    value
        .parent()
        .child_token(SyntaxKind::FlagName)
        .map_or("", |t| t.text().trim_start_matches('-'))
}

fn instruction_kind(node: SyntaxNode<'_>) -> Option<InstructionKind> {
    match node.kind() {
        SyntaxKind::Instruction(kind) => Some(kind),
        _ => None,
    }
}

/// A word of text: `HEALTHCHECK`'s `CMD`/`NONE`, `EXPOSE` ports; other words (shell commands,
/// paths) are left plain.
fn text_word(token: SyntaxToken<'_>) -> Vec<Segment> {
    let range = token.range();
    let word = token.parent();
    let Some(kind) = word.parent().and_then(instruction_kind) else {
        return Vec::new();
    };
    match kind {
        InstructionKind::Healthcheck
            if ["CMD", "NONE"]
                .iter()
                .any(|k| token.text().eq_ignore_ascii_case(k)) =>
        {
            vec![(range, KEYWORD, 0)]
        }
        InstructionKind::Expose => {
            let text = token.text();
            match text.find('/') {
                Some(slash) => {
                    let slash_at = range.start + slash as u32;
                    vec![
                        (TextRange::new(range.start, slash_at), NUMBER, 0),
                        (TextRange::new(slash_at, slash_at + 1), OPERATOR, 0),
                        (TextRange::new(slash_at + 1, range.end), ENUM_MEMBER, 0),
                    ]
                }
                None => vec![(range, NUMBER, 0)],
            }
        }
        _ => Vec::new(),
    }
}

/// `<<-"EOF"`: the `<<` part (with a file descriptor and `-`) is an operator, the delimiter a
/// string. A marker piece after a line continuation is all delimiter.
fn heredoc_marker(token: SyntaxToken<'_>) -> Vec<Segment> {
    let text = token.text();
    let range = token.range();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = text.get(digits..).and_then(|s| s.strip_prefix("<<")) else {
        return vec![(range, STRING, 0)];
    };
    let operator_len = digits + 2 + usize::from(after.starts_with('-'));
    let split = range.start + operator_len as u32;
    vec![
        (TextRange::new(range.start, split), OPERATOR, 0),
        (TextRange::new(split, range.end), STRING, 0),
    ]
}

/// Byte bounds of the comma-separated fields of a CSV value (commas in quotes do not split).
fn csv_field_bounds(text: &str) -> Vec<(usize, usize)> {
    let mut bounds = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                bounds.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    bounds.push((start, text.len()));
    bounds.retain(|(s, e)| e > s);
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_util::slice;

    /// `text:type+modifier` for every token, checking order and overlap on the way.
    fn render(analysis: &DockerfileAnalysis, tokens: &[SemanticToken]) -> Vec<String> {
        for pair in tokens.windows(2) {
            assert!(pair[0].range.end <= pair[1].range.start, "{pair:?}");
        }
        tokens
            .iter()
            .map(|t| {
                assert!(!t.range.is_empty());
                let mut out = format!(
                    "{}:{}",
                    slice(analysis, t.range),
                    TOKEN_TYPES[t.token_type as usize]
                );
                for (bit, name) in TOKEN_MODIFIERS.iter().enumerate() {
                    if t.modifiers & (1 << bit) != 0 {
                        out.push('+');
                        out.push_str(name);
                    }
                }
                out
            })
            .collect()
    }

    fn tokens(src: &str) -> Vec<String> {
        let analysis = DockerfileAnalysis::new(src);
        render(&analysis, &semantic_tokens(&analysis, None))
    }

    #[test]
    fn legend_matches_the_constants() {
        let types = [
            (KEYWORD, "keyword"),
            (VARIABLE, "variable"),
            (PARAMETER, "parameter"),
            (PROPERTY, "property"),
            (STRING, "string"),
            (COMMENT, "comment"),
            (OPERATOR, "operator"),
            (NAMESPACE, "namespace"),
            (TYPE, "type"),
            (CLASS, "class"),
            (NUMBER, "number"),
            (MACRO, "macro"),
            (ENUM_MEMBER, "enumMember"),
        ];
        for (index, name) in types {
            assert_eq!(TOKEN_TYPES[index as usize], name);
        }
        let modifiers = [
            (DECLARATION, "declaration"),
            (READONLY, "readonly"),
            (DEPRECATED, "deprecated"),
            (DEFAULT_LIBRARY, "defaultLibrary"),
        ];
        for (bit, name) in modifiers {
            assert_eq!(TOKEN_MODIFIERS[bit.trailing_zeros() as usize], name);
        }
    }

    #[test]
    fn from_lines_and_stages() {
        assert_eq!(
            tokens(
                "# syntax=docker/dockerfile:1\nARG V=1\nFROM --platform=$BUILDPLATFORM ghcr.io/o/img:${V}@sha256:ab AS build\nFROM build\nFROM scratch\n"
            ),
            [
                "#:comment",
                "syntax:macro",
                "=:operator",
                "docker/dockerfile:1:string",
                "ARG:keyword",
                "V:variable+declaration+readonly",
                "=:operator",
                "1:string",
                "FROM:keyword",
                "--platform:parameter",
                "=:operator",
                "$BUILDPLATFORM:variable+defaultLibrary",
                "ghcr.io:namespace",
                "/:operator",
                "o/img:type",
                "::operator",
                "${V}:variable",
                "@:operator",
                "sha256:ab:string",
                "AS:keyword",
                "build:class+declaration",
                "FROM:keyword",
                "build:class",
                "FROM:keyword",
                "scratch:type+defaultLibrary",
            ]
        );
    }

    #[test]
    fn flags_and_stage_references() {
        assert_eq!(
            tokens(
                "FROM a AS deps\nFROM b\nCOPY --from=deps --chown=$U:g src /d\nCOPY --from=0 x y\nRUN --mount=type=cache,from=deps,\"target=/c\",ro --network=none make $X\n"
            ),
            [
                "FROM:keyword",
                "a:type",
                "AS:keyword",
                "deps:class+declaration",
                "FROM:keyword",
                "b:type",
                "COPY:keyword",
                "--from:parameter",
                "=:operator",
                "deps:class",
                "--chown:parameter",
                "=:operator",
                "$U:variable",
                ":g:string",
                "COPY:keyword",
                "--from:parameter",
                "=:operator",
                "0:number",
                "RUN:keyword",
                "--mount:parameter",
                "=:operator",
                "type:property",
                "=:operator",
                "cache:enumMember",
                "from:property",
                "=:operator",
                "deps:class",
                "target:property",
                "=:operator",
                "/c:string",
                "ro:property",
                "--network:parameter",
                "=:operator",
                "none:enumMember",
                "$X:variable",
            ]
        );
    }

    #[test]
    fn keys_values_json_heredocs_and_comments() {
        assert_eq!(
            tokens(
                "FROM a\nENV A=\"x $B\" \\\n  # note\n  C=1\nLABEL k=v\nMAINTAINER me\nCMD [\"sh\", \"$A\"]\nRUN <<-EOF cat\n$A\n\tEOF\nCOPY <<'X' /x\n$A\nX\nEXPOSE 80/tcp 443\nHEALTHCHECK CMD curl\n"
            ),
            [
                "FROM:keyword",
                "a:type",
                "ENV:keyword",
                "A:variable+declaration",
                "=:operator",
                "\"x :string",
                "$B:variable",
                "\":string",
                "# note:comment",
                "C:variable+declaration",
                "=:operator",
                "1:string",
                "LABEL:keyword",
                "k:property",
                "=:operator",
                "v:string",
                "MAINTAINER:keyword+deprecated",
                "CMD:keyword",
                "\"sh\":string",
                "\":string",
                "$A:variable",
                "\":string",
                "RUN:keyword",
                "<<-:operator",
                "EOF:string",
                "$A:variable",
                "EOF:string",
                "COPY:keyword",
                "<<:operator",
                "'X':string",
                "X:string",
                "EXPOSE:keyword",
                "80:number",
                "/:operator",
                "tcp:enumMember",
                "443:number",
                "HEALTHCHECK:keyword",
                "CMD:keyword",
            ]
        );
    }

    #[test]
    fn a_range_gives_only_its_part() {
        let src = "FROM a\n# one\nRUN echo $X\nENV B=2\n";
        let analysis = DockerfileAnalysis::new(src);
        let start = src.find("# one").unwrap() as u32;
        let end = src.find("ENV").unwrap() as u32;
        let part = semantic_tokens(&analysis, Some(TextRange::new(start, end)));
        assert_eq!(
            render(&analysis, &part),
            ["# one:comment", "RUN:keyword", "$X:variable"]
        );
        let full = semantic_tokens(&analysis, None);
        let inside: Vec<_> = full
            .into_iter()
            .filter(|t| t.range.start >= start && t.range.end <= end)
            .collect();
        assert_eq!(part, inside);
        assert!(semantic_tokens(&analysis, Some(TextRange::new(500, 600))).is_empty());
    }

    #[test]
    fn broken_files_do_not_panic() {
        for src in [
            "",
            "FROM",
            "FROM a AS\nCOPY --from\nRUN --mount=\nRUN --mount=,,\"\nEXPOSE /\n",
            "ARG\nFROM ${\nRUN echo ${A:-${B\n",
            "FROM a\nRUN <<\\\nEOF\nx\nEOF\n",
            "\u{feff}# escape=`\nFROM é\nENV ü=`$x $ÿ\n",
            "FROM a\nCMD [\"unterminated\nONBUILD ONBUILD\n",
            "BOGUS x\n  # indented\n",
        ] {
            let analysis = DockerfileAnalysis::new(src);
            let all = semantic_tokens(&analysis, None);
            let _ = render(&analysis, &all);
            for start in 0..=src.len() as u32 {
                let part = semantic_tokens(&analysis, Some(TextRange::new(start, start + 3)));
                let _ = render(&analysis, &part);
            }
        }
    }

    #[test]
    fn large_files_are_one_pass() {
        let mut src = String::from("ARG V=1\n");
        for i in 0..2_000 {
            src.push_str(&format!(
                "FROM a:$V AS s{i}\nRUN --mount=type=cache,target=/c echo $V\n"
            ));
        }
        let analysis = DockerfileAnalysis::new(&src);
        let started = std::time::Instant::now();
        let all = semantic_tokens(&analysis, None);
        assert!(all.len() > 2_000 * 10);
        assert!(started.elapsed().as_secs() < 5);
    }
}
