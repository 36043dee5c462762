//! Latency of the built `dockwise lsp` (release) on a 2,000-line Dockerfile and a 5,000-line
//! compose file with 300 services, measured the way an editor sees it: over stdio, from the
//! client's side.
//!
//! `cargo bench -p dockwise-e2e --bench lsp_latency` (builds the release binary if needed;
//! `-- dockerfile` or `-- compose` runs one case). Each figure is the median of 3 runs on a
//! fresh server. Goals: Dockerfile keystroke→diagnostics, completion and hover p99 under
//! 2 ms, startup under 20 ms, peak RSS under 20 MB; compose keystroke→diagnostics p99 under
//! 10 ms (schema and every rule), peak RSS under 30 MB.
//!
//! Each run types 200 characters (a few lines, as a person adds a step), so the keystroke
//! p99 is the 198th of 200 latencies rather than the single slowest one, which on a shared
//! machine measures the scheduler more than the server.

use std::time::{Duration, Instant};

// The client parses every answer as an editor does; jemalloc keeps that parse from paying
// glibc's per-answer return and re-fault of memory (see tests/Cargo.toml).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use dockwise_e2e::lsp::{LspClient, at, pos};
use serde_json::{Value, json};

const RUNS: usize = 3;
/// Typed at the end of the Dockerfile, one character per edit.
const TYPED: &str = "\nRUN apt-get update && apt-get install -y --no-install-recommends curl \
                     ca-certificates && rm -rf /var/lib/apt/lists/*\nENV APP_ENV=production\n\
                     EXPOSE 8080\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health || exit 1\n";
const KEYSTROKES: usize = 200;

/// Typed into a service in the middle of the compose file: each half-typed line is a YAML
/// syntax error until its `:` arrives, so recovery is measured too.
const TYPED_COMPOSE: &str = "\n    labels:\n      team: core\n      tier: backend\n    stop_grace_period: 20s\n    read_only: true\n    init: true\n    user: \"1001:1001\"\n    stop_signal: SIGTERM\n    working_dir: /srv/app\n    hostname: api\n";

/// One benchmark input: what is opened and where typing happens.
struct Case {
    name: &'static str,
    uri: &'static str,
    language: &'static str,
    text: String,
    typed: &'static str,
    /// The line and column typing starts at.
    at: (u32, u32),
}

fn dockerfile_case() -> Case {
    let text = dockerfile_input();
    let last_line = text.lines().count() as u32;
    Case {
        name: "Dockerfile",
        uri: "file:///bench/Dockerfile",
        language: "dockerfile",
        text,
        typed: TYPED,
        at: (last_line, 0),
    }
}

/// The shared 5,000-line compose file when it is beside the repository, else a generated
/// one of 300 services; typing starts at the end of a `restart:` line half way down.
fn compose_case() -> Case {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/inputs/compose.large.yml");
    let text = std::fs::read_to_string(shared).unwrap_or_else(|_| {
        let mut out = String::from("name: bigstack\nservices:\n");
        for i in 0..300u32 {
            out.push_str(&format!(
                "  svc-{i}:\n    image: nginx:1.27-alpine\n    restart: unless-stopped\n    environment:\n      SERVICE_NAME: svc-{i}\n      LOG_LEVEL: info\n      PORT: \"{port}\"\n    ports:\n      - \"{host}:{port}\"\n    depends_on:\n      - svc-{dep}\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:{port}/health\"]\n      interval: 30s\n      retries: 3\n    networks: [net-{net}]\n",
                port = 8000 + i,
                host = 20000 + i,
                dep = (i * 7 + 3) % 300,
                net = i % 4,
            ));
        }
        out.push_str("networks:\n  net-0:\n  net-1:\n  net-2:\n  net-3:\n");
        out
    });
    let lines: Vec<&str> = text.lines().collect();
    let middle = (lines.len() / 2..lines.len())
        .find(|&i| lines[i].starts_with("    restart:"))
        .unwrap_or(lines.len() - 1);
    Case {
        name: "compose",
        uri: "file:///bench/compose.yaml",
        language: "dockercompose",
        at: (middle as u32, lines[middle].len() as u32),
        text,
        typed: TYPED_COMPOSE,
    }
}

/// A realistic 2,000-line multi-stage Dockerfile: the shared benchmark input when it is
/// beside the repository, else one generated here.
fn dockerfile_input() -> String {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/inputs/Dockerfile.large");
    if let Ok(text) = std::fs::read_to_string(shared) {
        return text;
    }
    let mut out = String::from("# syntax=docker/dockerfile:1\n");
    let mut i = 0;
    while out.lines().count() < 2000 {
        out.push_str(&format!(
            "ARG NODE_VERSION_{i}=22.3.0\nFROM node:${{NODE_VERSION_{i}}}-bookworm-slim AS build-{i}\n\
             WORKDIR /src/svc{i}\nCOPY services/svc{i}/package.json services/svc{i}/package-lock.json ./\n\
             RUN --mount=type=cache,target=/root/.npm npm ci\nCOPY services/svc{i}/src ./src\n\
             RUN npm run build && npm prune --omit=dev\n\n\
             FROM node:22-bookworm-slim AS runtime-{i}\nENV NODE_ENV=production \\\n    PORT=3000\n\
             WORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends tini curl \\\n\
             \x20   && rm -rf /var/lib/apt/lists/*\nCOPY --from=build-{i} /src/svc{i}/dist ./dist\n\
             USER node\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\nCMD [\"node\", \"dist/server.js\"]\n\n"
        ));
        i += 1;
    }
    out
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rank = ((p / 100.0) * values.len() as f64).ceil().max(1.0) as usize;
    values[rank.min(values.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Run {
    startup: f64,
    open_to_diag: f64,
    keystroke_p50: f64,
    keystroke_p99: f64,
    completion: Option<(f64, f64)>,
    hover: Option<(f64, f64)>,
    peak_rss_mb: f64,
}

fn one_run(case: &Case) -> Run {
    let uri = case.uri;
    let text = &case.text;
    let started = Instant::now();
    let (mut client, init) = LspClient::start(json!({}), Value::Null);
    let startup = ms(started.elapsed());
    let caps = init["capabilities"].clone();

    let opened = Instant::now();
    client.open(uri, case.language, text);
    client.diagnostics(uri, Some(1));
    let open_to_diag = ms(opened.elapsed());

    // Type lines, one character per edit, waiting for each version.
    let last_line = text.lines().count() as u32;
    let (mut line, mut col) = case.at;
    let mut keystrokes = Vec::new();
    for (i, c) in case.typed.chars().cycle().enumerate().take(KEYSTROKES) {
        let version = i as i64 + 2;
        let t = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": pos(line, col), "end": pos(line, col)}, "text": c.to_string()}]}),
        );
        if c == '\n' {
            (line, col) = (line + 1, 0);
        } else {
            col += c.len_utf16() as u32;
        }
        let report = client.diagnostics(uri, Some(version));
        keystrokes.push(ms(t.elapsed()));
        // Freed after the clock stops: the latency is until the client has the answer.
        drop(report);
    }

    // Requests at six lines spread over the file, twice.
    let lines: Vec<u32> = (0..6).map(|k| k * last_line / 6 + 1).collect();
    let mut timed = |method: &str| -> Vec<f64> {
        let mut out = Vec::new();
        for _ in 0..2 {
            for &line in &lines {
                let t = Instant::now();
                let answer = client.request(method, at(uri, line, 6));
                out.push(ms(t.elapsed()));
                drop(answer);
            }
        }
        out
    };
    let completion = caps.get("completionProvider").map(|_| {
        let mut v = timed("textDocument/completion");
        (percentile(&mut v, 50.0), percentile(&mut v, 99.0))
    });
    let hover = caps.get("hoverProvider").map(|_| {
        let mut v = timed("textDocument/hover");
        (percentile(&mut v, 50.0), percentile(&mut v, 99.0))
    });
    let peak_rss_mb = client.peak_rss_kib().unwrap_or(0) as f64 / 1024.0;
    assert_eq!(client.shutdown(), Some(0));
    Run {
        startup,
        open_to_diag,
        keystroke_p50: percentile(&mut keystrokes.clone(), 50.0),
        keystroke_p99: percentile(&mut keystrokes, 99.0),
        completion,
        hover,
        peak_rss_mb,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes flags such as `--bench`; a case name selects one case.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let cases = [dockerfile_case(), compose_case()];
    for case in cases
        .iter()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(c.name)))
    {
        report(case);
    }
}

fn report(case: &Case) {
    println!(
        "dockwise lsp latency, {}: {} lines, {} runs (median of runs)",
        case.name,
        case.text.lines().count(),
        RUNS
    );
    let runs: Vec<Run> = (0..RUNS).map(|_| one_run(case)).collect();
    let col = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    let opt = |f: &dyn Fn(&Run) -> Option<(f64, f64)>| -> String {
        let vals: Vec<(f64, f64)> = runs.iter().filter_map(f).collect();
        if vals.is_empty() {
            return "not offered".to_owned();
        }
        format!(
            "{:.3} / {:.3}",
            median(vals.iter().map(|v| v.0).collect()),
            median(vals.iter().map(|v| v.1).collect())
        )
    };
    println!(
        "startup → initialize answer     {:>8.3} ms",
        col(&|r| r.startup)
    );
    println!(
        "didOpen → diagnostics           {:>8.3} ms",
        col(&|r| r.open_to_diag)
    );
    println!(
        "keystroke → diagnostics p50/p99 {:.3} / {:.3} ms",
        col(&|r| r.keystroke_p50),
        col(&|r| r.keystroke_p99)
    );
    println!(
        "completion p50/p99              {} ms",
        opt(&|r| r.completion)
    );
    println!("hover p50/p99                   {} ms", opt(&|r| r.hover));
    println!(
        "peak RSS                        {:>8.1} MB",
        col(&|r| r.peak_rss_mb)
    );
}
