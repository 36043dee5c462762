//! Per-keystroke analysis cost: parse + semantic model + every rule, as the language server
//! does after each edit. Uses the shared 2,000-line input when present.

use divan::counter::BytesCount;

fn main() {
    divan::main();
}

fn large() -> String {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/inputs/Dockerfile.large");
    std::fs::read_to_string(shared).unwrap_or_else(|_| {
        // Without the shared input, a repeated multi-stage block of the same size.
        let block = "ARG V=1\nFROM node:${V} AS b\nWORKDIR /app\nCOPY package.json ./\n\
                     RUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\n\
                     FROM node:22-slim\nCOPY --from=b /app /app\nUSER node\nCMD [\"node\", \"s.js\"]\n";
        block.repeat(200)
    })
}

#[divan::bench]
fn parse_only(bencher: divan::Bencher) {
    let text = large();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| dockwise::syntax::dockerfile::parse(divan::black_box(&text)));
}

#[divan::bench]
fn semantic_model(bencher: divan::Bencher) {
    let text = large();
    let parse = dockwise::syntax::dockerfile::parse(&text);
    bencher.bench(|| dockwise::semantic::analyze(divan::black_box(&parse)));
}

#[divan::bench]
fn full_analysis(bencher: divan::Bencher) {
    let text = large();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| dockwise::ide::DockerfileAnalysis::new(divan::black_box(&text)));
}
