//! Parser throughput: `cargo bench -p dockwise --bench parse` (reports MB/s per input).
//!
//! The inputs are generated here, deterministically:
//! - `large`: a ~2,000-line monorepo Dockerfile, 50 multi-stage services (Node, Python, Go,
//!   Rust) with ARGs, mounts, continuations, JSON forms and healthchecks;
//! - `small`: a typical 30-line three-stage Dockerfile;
//! - `heredocs`: a ~2,000-line file made mostly of RUN and COPY heredocs.
//!
//! `compose_yaml` parses a generated 300-service compose file (or the shared 5,000-line
//! `compose.large.yml` when it is beside the repository) into the YAML tree, valid and with a
//! half-typed line in the middle (which costs recovery rounds).
//!
//! `reparse_keystroke` is the incremental reparse of `large` after one typed character, in
//! the middle of the file and at its end (compare with `large`, the full parse). `shared`
//! does both on the shared 2,000-line `Dockerfile.large` (74 KB) beside the repository, the
//! language server benchmarks' input, when it is there (else on `large`).

use std::fmt::Write as _;

use divan::Bencher;
use divan::counter::BytesCount;
use dockwise::syntax::dockerfile::{parse, reparse};

fn main() {
    divan::main();
}

#[divan::bench]
fn large(bencher: Bencher) {
    bench_parse(bencher, &large_dockerfile());
}

#[divan::bench]
fn small(bencher: Bencher) {
    bench_parse(bencher, SMALL);
}

#[divan::bench]
fn heredocs(bencher: Bencher) {
    bench_parse(bencher, &heredoc_dockerfile());
}

fn bench_parse(bencher: Bencher, text: &str) {
    assert!(
        parse(text).errors.is_empty(),
        "bench inputs must be valid Dockerfiles"
    );
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| parse(divan::black_box(text)));
}

/// The compose YAML layer: a whole large file, valid and with a broken line half way.
#[divan::bench(args = ["valid", "broken"])]
fn compose_yaml(bencher: Bencher, which: &str) {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/inputs/compose.large.yml");
    let mut text = std::fs::read_to_string(shared).unwrap_or_else(|_| {
        let mut out = String::from("services:\n");
        for i in 0..300u32 {
            let _ = write!(
                out,
                "  svc{i}:\n    image: nginx:1.27\n    restart: unless-stopped\n    ports:\n      - \"{}:80\"\n    environment:\n      LOG_LEVEL: info\n    depends_on:\n      - svc{}\n",
                8000 + i,
                i.saturating_sub(1)
            );
        }
        out
    });
    if which == "broken" {
        let middle = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
        text.insert_str(middle, "    healthch\n");
    }
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| dockwise::syntax::compose::parse(divan::black_box(&text)));
}

/// One character typed into `large`: in the middle of a line half way through the file, or
/// at the very end (a new last line).
#[divan::bench(args = ["middle", "end"])]
fn reparse_keystroke(bencher: Bencher, at: &str) {
    bench_keystroke(bencher, &large_dockerfile(), at);
}

/// The same on the language server benchmarks' input.
mod shared {
    use super::*;

    fn input() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/tools/inputs/Dockerfile.large");
        std::fs::read_to_string(path).unwrap_or_else(|_| large_dockerfile())
    }

    #[divan::bench]
    fn parse(bencher: Bencher) {
        bench_parse(bencher, &input());
    }

    #[divan::bench(args = ["middle", "end"])]
    fn reparse_keystroke(bencher: Bencher, at: &str) {
        bench_keystroke(bencher, &input(), at);
    }
}

fn bench_keystroke(bencher: Bencher, text: &str, at: &str) {
    let old = parse(text);
    let pos = match at {
        "middle" => {
            let line_start = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
            line_start + 4
        }
        _ => text.len(),
    };
    let mut new = text.to_owned();
    new.insert(pos, 'x');
    assert!(
        reparse(&old, &new).same_as(&parse(&new)),
        "the reparse must equal a full parse"
    );
    bencher
        .counter(BytesCount::of_str(&new))
        .bench(|| reparse(divan::black_box(&old), divan::black_box(&new)));
}

const SMALL: &str = r#"# syntax=docker/dockerfile:1
ARG NODE_VERSION=20.12.2

FROM node:${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-alpine AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
RUN apk add --no-cache tini curl \
    && addgroup -S app && adduser -S app -G app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER app
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:3000/healthz || exit 1
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["node", "dist/server.js"]
"#;

/// The large monorepo Dockerfile: one section per service, about 40 lines each.
fn large_dockerfile() -> String {
    let mut out = String::from(
        "# syntax=docker/dockerfile:1.7\n# Generated monorepo: many services in one Dockerfile\n\n",
    );
    for i in 0..50 {
        match i % 4 {
            0 => node_service(&mut out, i),
            1 => python_service(&mut out, i),
            2 => go_service(&mut out, i),
            _ => rust_service(&mut out, i),
        }
    }
    out
}

fn node_service(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"# ---- service {i}: node api ----
ARG NODE_VERSION_{i}=22.{minor}.0
ARG APP_PORT_{i}={port}
FROM node:${{NODE_VERSION_{i}}}-bookworm-slim AS deps-{i}
WORKDIR /src/svc{i}
COPY services/svc{i}/package.json services/svc{i}/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:${{NODE_VERSION_{i}}}-bookworm-slim AS build-{i}
WORKDIR /src/svc{i}
COPY services/svc{i}/package.json services/svc{i}/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY services/svc{i}/tsconfig.json ./
COPY services/svc{i}/src ./src
RUN npm run build && npm prune --omit=dev

FROM node:${{NODE_VERSION_{i}}}-bookworm-slim AS runtime-{i}
ARG APP_PORT_{i}
ENV NODE_ENV=production \
    PORT=${{APP_PORT_{i}}} \
    SERVICE_NAME=svc{i}
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends tini curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=deps-{i} /src/svc{i}/node_modules ./node_modules
COPY --from=build-{i} /src/svc{i}/dist ./dist
COPY services/svc{i}/package.json ./
USER node
EXPOSE ${{APP_PORT_{i}}}
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:${{APP_PORT_{i}}}/healthz || exit 1
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]

"#,
        minor = i % 10,
        port = 3000 + i,
    );
}

fn python_service(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"# ---- service {i}: python worker ----
ARG PY_VERSION_{i}=3.{minor}
FROM python:${{PY_VERSION_{i}}}-slim AS pybuild-{i}
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src/worker{i}
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY workers/worker{i}/requirements.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:${{PY_VERSION_{i}}}-slim AS worker-{i}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
LABEL org.opencontainers.image.title="worker{i}" \
      org.opencontainers.image.version="1.{i}.0" \
      org.opencontainers.image.vendor="Example"
RUN useradd --create-home --uid 1{i:04} app{i}
WORKDIR /home/app{i}
COPY --from=pybuild-{i} /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY --chown=app{i}:app{i} workers/worker{i}/ ./
USER app{i}
CMD ["python", "-m", "worker{i}", "--queue", "jobs-{i}"]

"#,
        minor = 10 + i % 3,
    );
}

fn go_service(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"# ---- service {i}: go gateway ----
ARG GO_VERSION_{i}=1.2{minor}
FROM --platform=$BUILDPLATFORM golang:${{GO_VERSION_{i}}}-alpine AS gobuild-{i}
ARG TARGETOS TARGETARCH
WORKDIR /src/gw{i}
COPY gateways/gw{i}/go.mod gateways/gw{i}/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY gateways/gw{i}/ ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/gw{i} ./cmd/gateway

FROM gcr.io/distroless/static-debian12:nonroot AS gateway-{i}
COPY --from=gobuild-{i} /out/gw{i} /gw
EXPOSE {port}/tcp
USER nonroot:nonroot
ENTRYPOINT ["/gw", "--listen", ":{port}"]

"#,
        minor = i % 3,
        port = 8000 + i,
    );
}

fn rust_service(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"# ---- service {i}: rust indexer ----
FROM rust:1.8{minor}-slim-bookworm AS rsbuild-{i}
WORKDIR /src/idx{i}
RUN apt-get update \
    # build dependencies only
    && apt-get install -y --no-install-recommends pkg-config libssl-dev \
    && rm -rf /var/lib/apt/lists/*
COPY indexers/idx{i}/Cargo.toml indexers/idx{i}/Cargo.lock ./
COPY indexers/idx{i}/src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/idx{i}/target \
    cargo build --release --locked && cp target/release/idx{i} /usr/local/bin/

FROM debian:bookworm-slim AS indexer-{i}
RUN groupadd --system idx && useradd --system --gid idx idx
COPY --from=rsbuild-{i} /usr/local/bin/idx{i} /usr/local/bin/idx{i}
VOLUME ["/var/lib/idx{i}"]
STOPSIGNAL SIGTERM
USER idx
CMD ["idx{i}", "--data", "/var/lib/idx{i}"]

"#,
        minor = i % 8,
    );
}

/// Mostly heredocs: scripts in RUN, config files in COPY, two heredocs on one line.
fn heredoc_dockerfile() -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1.7\nFROM debian:bookworm AS base\n");
    for i in 0..60 {
        let _ = write!(
            out,
            r#"RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends package-{i} curl ca-certificates
echo "step {i}" >> /var/log/build.log
rm -rf /var/lib/apt/lists/*
EOF
COPY <<-'CONF' /etc/app/conf{i}.ini
	[section{i}]
	key = value {i}
	enabled = true
	CONF
RUN python3 - <<'PY' 3<<FD3
import os
print("step {i}", os.getpid())
PY
fd three, step {i}
FD3
COPY <<one.txt <<two.txt /srv/{i}/
first file {i}
one.txt
second file {i}
two.txt
"#
        );
    }
    out
}
