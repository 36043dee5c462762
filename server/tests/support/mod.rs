//! Shared checks for the parser tests (fixtures, differential, property tests) and the fuzz
//! target, which includes this file with `#[path]`: the same invariants everywhere.
//!
//! - [`check_parse`]: the tree is lossless and well formed (tokens contiguous, non-empty and
//!   on character boundaries, nodes nest, parent links agree), error ranges are in bounds.
//! - [`exercise_views`]: every typed-view accessor runs without panicking on every
//!   instruction (ONBUILD triggers included) and every range it returns is in bounds.
//! - [`line_col`] and [`line_of`]: 1-based positions, lines counted at `\n` only, as
//!   BuildKit counts them (a lone `\r` does not end a line for it).

#![allow(dead_code)] // each test binary uses a different subset

use dockwise::syntax::TextRange;
use dockwise::syntax::dockerfile::ast::{Dockerfile, Instruction, Spanned};
use dockwise::syntax::dockerfile::{Parse, SyntaxElement, SyntaxNode, SyntaxTree, buildkit_dump};

/// 1-based line of a byte offset, counting `\n` only.
pub fn line_of(text: &str, offset: u32) -> usize {
    let offset = (offset as usize).min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Line starts of a text, for many [`line_of`] look-ups on a large text.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines(starts)
    }

    /// Same as [`line_of`].
    pub fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// 1-based `(line, column)`; the column counts Unicode scalar values.
pub fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let offset = (offset as usize).min(text.len());
    let line_start = text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = text
        .get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count());
    (line_of(text, offset as u32), col + 1)
}

/// Asserts every structural invariant of a parse of `text`.
pub fn check_parse(text: &str, parsed: &Parse) {
    let tree = &parsed.tree;
    assert_eq!(tree.text(), text, "the tree must spell the input exactly");
    assert!(
        parsed.escape == '\\' || parsed.escape == '`',
        "escape {:?}",
        parsed.escape
    );
    let root = tree.root();
    assert_eq!(
        root.range(),
        TextRange::new(0, text.len() as u32),
        "the root covers the text"
    );
    assert!(root.parent().is_none());
    let mut next_token_start = 0u32;
    check_node(text, root, &mut next_token_start);
    assert_eq!(
        next_token_start as usize,
        text.len(),
        "tokens must cover the text"
    );
    for error in &parsed.errors {
        check_range(text, error.range, "error");
        assert!(!error.message.is_empty());
    }
}

fn check_range(text: &str, range: TextRange, what: &str) {
    assert!(
        range.start <= range.end && range.end as usize <= text.len(),
        "{what} range {range:?} out of bounds (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start as usize) && text.is_char_boundary(range.end as usize),
        "{what} range {range:?} splits a character"
    );
}

/// Checks one node and its subtree; `cursor` is where the next token must start.
fn check_node(text: &str, node: SyntaxNode<'_>, cursor: &mut u32) {
    let range = node.range();
    check_range(text, range, "node");
    assert!(node.kind().is_node());
    assert_eq!(
        range.start, *cursor,
        "{node:?} must start where the previous token ended"
    );
    let mut child_cursor = range.start;
    for child in node.children_with_tokens() {
        assert!(
            range.contains_range(child.range()),
            "{child:?} escapes its parent {node:?}"
        );
        assert_eq!(
            child.range().start,
            child_cursor,
            "children of {node:?} must be contiguous"
        );
        match child {
            SyntaxElement::Token(token) => {
                let r = token.range();
                check_range(text, r, "token");
                assert!(token.kind().is_token());
                assert!(!r.is_empty(), "empty token {token:?}");
                assert_eq!(r.start, *cursor, "tokens must be contiguous: {token:?}");
                assert_eq!(token.parent(), node, "{token:?} has the wrong parent");
                assert_eq!(token.text(), &text[r.as_usize()]);
                let found = node.tree().token_at_offset(r.start);
                assert_eq!(found, Some(token), "token_at_offset({})", r.start);
                *cursor = r.end;
            }
            SyntaxElement::Node(child_node) => {
                assert_eq!(
                    child_node.parent(),
                    Some(node),
                    "{child_node:?} has the wrong parent"
                );
                check_node(text, child_node, cursor);
            }
        }
        child_cursor = child.range().end;
    }
    assert_eq!(
        child_cursor, range.end,
        "the children of {node:?} must cover it"
    );
    assert_eq!(
        *cursor, range.end,
        "{node:?} must end where its last token does"
    );
}

/// Calls every accessor of the typed views on every instruction, checking the ranges they
/// return; returns a small digest so the calls cannot be optimised away.
pub fn exercise_views(tree: &SyntaxTree) -> usize {
    let text = tree.text();
    let file = Dockerfile::new(tree);
    let mut digest = buildkit_dump(tree).len();
    for directive in file.directives() {
        digest += directive.name().len() + directive.value().len();
        check_range(text, directive.value_range(), "directive value");
        check_range(text, directive.syntax().range(), "directive");
    }
    for name in ["syntax", "escape", "check", "ESCAPE"] {
        digest += file.directive(name).map_or(0, |d| d.value().len());
    }
    digest += file.comments().map(|c| c.text().len()).sum::<usize>();
    for node in tree.root().descendants() {
        digest += node.logical_text().len();
    }
    if let Some(first) = tree.root().tokens().next() {
        let mut token = Some(first);
        while let Some(t) = token {
            digest += t.ancestors().count();
            if let Some(prev) = t.prev_token() {
                assert!(prev.range().end <= t.range().start);
            }
            token = t.next_token();
        }
    }
    for instruction in file.instructions() {
        digest += exercise_instruction(text, instruction, instruction.range());
        if let Some(trigger) = instruction.trigger() {
            assert!(
                instruction.range().contains_range(trigger.range()),
                "the trigger lies inside its ONBUILD"
            );
            // A trigger's heredoc bodies follow the whole ONBUILD line: they are in the
            // ONBUILD node.
            digest += exercise_instruction(text, trigger, instruction.range());
        }
    }
    digest
}

fn spanned(text: &str, s: &Spanned<'_>, what: &str) -> usize {
    check_range(text, s.range, what);
    s.text.len()
}

/// `outer` is the top-level instruction (the ONBUILD around a trigger), where heredoc
/// bodies are.
fn exercise_instruction(text: &str, instr: Instruction<'_>, outer: TextRange) -> usize {
    let range = instr.range();
    check_range(text, range, "instruction");
    let inside = |r: TextRange, what: &str| {
        check_range(text, r, what);
        assert!(
            range.contains_range(r),
            "{what} {r:?} lies outside its instruction {range:?}"
        );
    };
    let inside_outer = |r: TextRange, what: &str| {
        check_range(text, r, what);
        assert!(
            outer.contains_range(r),
            "{what} {r:?} lies outside its instruction {outer:?}"
        );
    };
    let mut digest = 0;
    let _ = instr.kind();
    let keyword = instr.keyword();
    inside(keyword.range, "keyword");
    digest += keyword.text.len() + instr.name().len();
    for flag in instr.flags() {
        inside(flag.range(), "flag");
        inside(flag.name_range(), "flag name");
        digest += flag.name().len() + usize::from(flag.has_value());
        if let Some(raw) = flag.raw_value() {
            inside(raw.range, "flag value");
            digest += raw.text.len();
        }
        digest += flag.value().map_or(0, |v| v.len());
        digest += flag.buildkit_text().len();
        for field in flag.fields() {
            inside(field.range, "flag field");
            digest += field.key.len() + field.value.map_or(0, |v| v.len());
        }
    }
    for name in ["from", "mount", "platform", "chmod"] {
        digest += instr.flag(name).map_or(0, |f| f.name().len());
    }
    if let Some(json) = instr.json() {
        inside(json.syntax().range(), "json");
        for s in json.strings() {
            inside(s.range, "json string");
            digest += s.text.len();
        }
    }
    if let Some(shell) = instr.shell() {
        inside(shell.range(), "shell");
        digest += shell.text().len();
        for word in shell.words() {
            inside(word.range(), "shell word");
            digest += word.unquoted('\\').len() + word.unquoted('`').len();
            digest += usize::from(word.is_heredoc_marker());
        }
    }
    if let Some(command) = instr.command() {
        inside(command.range(), "command");
        digest += usize::from(command.is_exec());
    }
    for word in instr.words() {
        inside(word.range(), "word");
        let s = word.spanned();
        digest += spanned(text, &s, "word") + word.unquoted('\\').len();
        digest += usize::from(word.is_heredoc_marker());
    }
    for arg in instr.arguments() {
        inside(arg.range, "argument");
        digest += arg.text.len();
    }
    for kv in instr.key_values() {
        inside(kv.range(), "key/value");
        let key = kv.key();
        inside(key.range, "key");
        digest += key.text.len();
        if let Some(value) = kv.value() {
            inside(value.range, "value");
            digest += value.text.len();
        }
        digest += usize::from(kv.has_equals()) + usize::from(kv.is_legacy());
        digest += kv.syntax().logical_text().len();
    }
    for heredoc in instr.heredocs() {
        inside(heredoc.marker().range(), "heredoc marker");
        inside(heredoc.marker_range(), "heredoc marker word");
        assert!(
            heredoc
                .marker_range()
                .contains_range(heredoc.marker().range())
        );
        digest += heredoc.marker_text().len() + heredoc.delimiter().len();
        digest += usize::from(heredoc.strips_tabs()) + usize::from(heredoc.expands());
        digest += heredoc.file_descriptor().unwrap_or(0) as usize;
        digest += heredoc.body_text().len();
        if let Some(body) = heredoc.body() {
            inside_outer(body.range(), "heredoc body");
        }
        if let Some(end) = heredoc.terminator() {
            inside_outer(end.range(), "heredoc terminator");
        }
        if let Some(r) = heredoc.range() {
            inside_outer(r, "heredoc");
            assert!(
                r.start >= heredoc.marker_range().end,
                "a body follows its marker"
            );
        }
    }
    digest += instr.args_text().len();
    if let Some(from) = instr.as_from() {
        if let Some(image) = from.image() {
            inside(image.range(), "image");
            digest += image.text().len();
            for part in [image.registry(), image.name(), image.tag(), image.digest()]
                .into_iter()
                .flatten()
            {
                inside(part.range, "image part");
                digest += part.text.len();
            }
        }
        if let Some(name) = from.stage_name() {
            inside(name.range, "stage name");
            digest += name.text.len();
        }
        digest += from.platform().map_or(0, |p| p.name().len());
    }
    if let Some(run) = instr.as_run() {
        digest += run.mounts().count();
    }
    if let Some(copy) = instr.as_copy() {
        for s in copy.sources() {
            inside(s.range, "copy source");
        }
        if let Some(dest) = copy.destination() {
            inside(dest.range, "copy destination");
        }
        digest += copy.from().map_or(0, |f| f.range().len() as usize);
    }
    if let Some(env) = instr.as_env() {
        digest += env.pairs().count();
    }
    if let Some(arg) = instr.as_arg() {
        digest += arg.declarations().count();
    }
    if let Some(hc) = instr.as_healthcheck() {
        if let Some(t) = hc.check_type() {
            inside(t.range, "healthcheck type");
        }
        digest += usize::from(hc.is_none());
    }
    digest
}

/// Parses `text` and runs every check: the one-call form used by the property tests and the
/// fuzz target.
pub fn check_all(text: &str) {
    let parsed = dockwise::syntax::dockerfile::parse(text);
    check_parse(text, &parsed);
    exercise_views(&parsed.tree);
}

/// The parser fixtures (`tests/fixtures/parser/*.Dockerfile`), sorted.
pub fn parser_fixture_paths() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parser");
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    paths.sort();
    paths
}

/// Realistic Dockerfiles the property tests start editing from (beside the fixtures): a Node
/// multi-stage build, a Python one with heredocs and ONBUILD, a Windows one with a backtick
/// escape and CRLF.
pub const NODE: &str = r#"# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=20
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev

FROM deps AS build
COPY . .
RUN npm run build && \
    # drop the dev dependencies
    npm prune --omit=dev

FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="api" \
      org.opencontainers.image.source="https://example.com/api"
ENV NODE_ENV=production PORT=8080
COPY --from=build --chown=nonroot:nonroot /app/dist /app/dist
EXPOSE 8080/tcp
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "/app/dist/health.js"]
USER nonroot
ENTRYPOINT ["node"]
CMD ["/app/dist/server.js"]
"#;

pub const PYTHON: &str = r#"FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential
rm -rf /var/lib/apt/lists/*
EOF
COPY <<-'CONF' /etc/app/app.ini
	[server]
	port = 8000
	CONF
RUN --mount=type=secret,id=pip,target=/root/.pip/pip.conf \
    pip install --no-cache-dir -r requirements.txt
ONBUILD COPY . /src
ONBUILD RUN python -m compileall /src
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN python - <<'PY' 3<<EOF
print("한국어 😀")
PY
fd three
EOF
STOPSIGNAL SIGINT
VOLUME /data /logs
CMD python -m app
"#;

pub const WINDOWS: &str = "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nSHELL [\"powershell\", \"-Command\"]\r\nRUN Invoke-WebRequest -Uri https://example.com/a.zip `\r\n    -OutFile C:\\a.zip ; `\r\n    Expand-Archive C:\\a.zip -DestinationPath C:\\app\r\nWORKDIR C:\\app\r\nCOPY [\"app.config\", \"C:\\\\app\\\\\"]\r\nCMD [\"C:\\\\app\\\\app.exe\"]\r\n";

/// The documents random edits start from: the embedded ones above and every parser fixture.
pub fn edit_bases() -> Vec<String> {
    let mut docs = vec![NODE.to_owned(), PYTHON.to_owned(), WINDOWS.to_owned()];
    for path in parser_fixture_paths() {
        let bytes = std::fs::read(&path).expect("read fixture");
        docs.push(String::from_utf8(bytes).expect("fixtures are UTF-8"));
    }
    docs
}
