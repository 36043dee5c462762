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

#[path = "support/edits.rs"]
mod edits;
mod support;

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
    for path in support::parser_fixture_paths() {
        let bytes = std::fs::read(&path).expect("read fixture");
        docs.push(String::from_utf8(bytes).expect("fixtures are UTF-8"));
    }
    docs
}

proptest! {
    // The default config: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn edited_dockerfiles_keep_the_invariants(
        base in prop::sample::select(bases()),
        edits in prop::collection::vec(edits::edit(), 1..8),
    ) {
        let text = edits::apply(&base, &edits);
        support::check_all(&text);
    }

    #[test]
    fn snippet_soup_keeps_the_invariants(pieces in prop::collection::vec(edits::snippet(), 0..64)) {
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
