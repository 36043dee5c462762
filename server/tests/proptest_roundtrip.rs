//! Property tests: random edits of real Dockerfiles never break the parser.
//!
//! Starting from our fixtures and a few embedded realistic Dockerfiles, random byte ranges
//! are inserted, deleted or replaced with Dockerfile-ish snippets (line continuations,
//! heredoc markers and terminators, quotes, brackets, flags, the escape directive, CRLF,
//! tabs, multibyte characters, keywords), always on character boundaries. For every result:
//! no panic; the tree spells the input exactly; tokens are contiguous, non-empty and in
//! bounds; nodes nest; the BuildKit dump and every typed-view accessor run (see
//! `support/mod.rs`, shared with the fuzz target).
//!
//! 256 cases per property by default; `PROPTEST_CASES=10000 cargo test --test
//! proptest_roundtrip` runs more. A failure is shrunk and its seed saved in
//! `tests/proptest_roundtrip.proptest-regressions` (commit that file: it is replayed first
//! on every run).

mod support;

use std::path::Path;

use proptest::prelude::*;

const NODE: &str = r#"# syntax=docker/dockerfile:1.7
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

const PYTHON: &str = r#"FROM python:3.12-slim AS base
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

const WINDOWS: &str = "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nSHELL [\"powershell\", \"-Command\"]\r\nRUN Invoke-WebRequest -Uri https://example.com/a.zip `\r\n    -OutFile C:\\a.zip ; `\r\n    Expand-Archive C:\\a.zip -DestinationPath C:\\app\r\nWORKDIR C:\\app\r\nCOPY [\"app.config\", \"C:\\\\app\\\\\"]\r\nCMD [\"C:\\\\app\\\\app.exe\"]\r\n";

/// The documents the edits start from: the embedded ones and every fixture.
fn bases() -> Vec<String> {
    let mut docs = vec![NODE.to_owned(), PYTHON.to_owned(), WINDOWS.to_owned()];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parser");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).expect("read fixture");
        docs.push(String::from_utf8(bytes).expect("fixtures are UTF-8"));
    }
    docs
}

const SNIPPETS: &[&str] = &[
    "\\\n",
    "\\",
    "\\ \t\n",
    "`\n",
    "`",
    "<<EOF\n",
    "<<-EOF ",
    "<<'EOF'",
    "<<\"EOF\"",
    "3<<EOF ",
    "EOF\n",
    "\tEOF\n",
    "EOF",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    ",",
    "--from=",
    "--mount=type=cache,target=/x ",
    "-- ",
    "=",
    "$",
    "${",
    "}",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=docker/dockerfile:1\n",
    "#",
    "# comment\n",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\t",
    " ",
    "\u{feff}",
    "\u{0b}",
    "한",
    "😀",
    "é",
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ENV ",
    "ARG ",
    "LABEL ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "CMD ",
    "NONE",
    "ENTRYPOINT ",
    "SHELL ",
    "AS ",
    "run ",
];

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(SNIPPETS).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9 =\"'\\\\`$#{}\\[\\],:/@.\t\n-]{1,8}",
        1 => any::<char>().prop_map(String::from),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Insert,
    Delete,
    Replace,
}

/// An edit at a relative position (`at` scaled to the document), over `len` characters.
#[derive(Clone, Debug)]
struct Edit {
    op: Op,
    at: u32,
    len: usize,
    text: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    let op = prop_oneof![Just(Op::Insert), Just(Op::Delete), Just(Op::Replace)];
    (
        op,
        any::<u32>(),
        0usize..24,
        prop::collection::vec(snippet(), 1..4),
    )
        .prop_map(|(op, at, len, pieces)| Edit {
            op,
            at,
            len,
            text: pieces.concat(),
        })
}

/// Applies the edits on characters, so the result stays valid UTF-8.
fn apply(base: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for edit in edits {
        let at = (edit.at as usize) % (chars.len() + 1);
        let end = (at + edit.len).min(chars.len());
        match edit.op {
            Op::Insert => drop(chars.splice(at..at, edit.text.chars())),
            Op::Delete => drop(chars.drain(at..end)),
            Op::Replace => drop(chars.splice(at..end, edit.text.chars())),
        }
    }
    chars.into_iter().collect()
}

proptest! {
    // The default config: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn edited_dockerfiles_keep_the_invariants(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let text = apply(&base, &edits);
        support::check_all(&text);
    }

    #[test]
    fn snippet_soup_keeps_the_invariants(pieces in prop::collection::vec(snippet(), 0..64)) {
        support::check_all(&pieces.concat());
    }
}

/// The unedited documents pass too (and the edited ones start from valid files).
#[test]
fn bases_keep_the_invariants() {
    for base in bases() {
        support::check_all(&base);
    }
}
