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

/// What the language server does per keystroke: the whole analysis with every default rule,
/// reusing what the previous version left: its parse (only the lines around the edit are
/// parsed again), its RUN parses and the findings of its unchanged stages.
#[divan::bench]
fn keystroke_with_shell_cache(bencher: divan::Bencher) {
    let text = large();
    // As in a folder without a `.dockerignore` (what the language server sees for a file
    // on disk there): the rules about the build context run too.
    let facts = dockwise::facts::DockerfileFacts {
        dockerignore: dockwise::facts::DockerignoreFact::Missing,
        ..Default::default()
    };
    let config = dockwise::config::Config::default();
    let cache = dockwise::semantic::ShellCache::new();
    let rules = dockwise::analysis::RuleCache::new();
    let mut typed = 0u32;
    let first = dockwise::ide::DockerfileAnalysis::compute(
        &text,
        &facts,
        &config,
        Some(&cache),
        Some(&rules),
        None,
    );
    bencher
        .with_inputs(|| {
            typed += 1;
            format!("{text}RUN apt-get install -y curl{typed}\n")
        })
        .bench_local_refs(|edited| {
            dockwise::ide::DockerfileAnalysis::compute(
                edited,
                &facts,
                &config,
                Some(&cache),
                Some(&rules),
                Some(&first),
            )
        });
}

/// One rule at a time on the large input (parse and model included, shell parses cached),
/// to find the rules that cost the most per keystroke.
#[divan::bench(args = dockwise::rules::all_rules().map(|r| r.code).filter(|c| *c != "DF067").collect::<Vec<_>>())]
fn single_rule(bencher: divan::Bencher, code: &str) {
    let text = large();
    let facts = dockwise::facts::DockerfileFacts::default();
    let config = dockwise::config::Config::default().with_selection(&dockwise::config::Selection {
        select: Some(vec![code.to_owned()]),
        ..Default::default()
    });
    let cache = dockwise::semantic::ShellCache::new();
    let parse = dockwise::syntax::dockerfile::parse(&text);
    let model = dockwise::semantic::analyze(&parse);
    bencher.bench_local(|| {
        dockwise::analysis::check_parsed_dockerfile(
            &text,
            &parse,
            &model,
            &facts,
            &config,
            Some(&cache),
        )
    });
}
