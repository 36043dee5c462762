//! The analysis entry points shared by `dockwise check` and the language server: a pure
//! function from a document's text (with facts from other files and a configuration) to its
//! diagnostics.

pub mod compose_cache;
pub mod incremental;

pub use compose_cache::ComposeRuleCache;
pub use incremental::RuleCache;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::{ComposeFacts, DockerfileFacts};
use crate::rules::suppression::Suppressions;
use crate::rules::{DockerfileContext, RuleScope, compose, dockerfile};
use crate::semantic::{DockerfileModel, ShellCache, analyze};
use crate::syntax::compose::YamlParse;
use crate::syntax::dockerfile::{Parse, parse};

/// Parses a Dockerfile and runs the default rules, knowing nothing of other files.
/// Diagnostics come sorted by position.
pub fn check_dockerfile(text: &str) -> Vec<Diagnostic> {
    check_dockerfile_with(text, &DockerfileFacts::default(), &Config::default())
}

/// Parses a Dockerfile and runs the default rules with facts from other files.
pub fn check_dockerfile_with_facts(text: &str, facts: &DockerfileFacts) -> Vec<Diagnostic> {
    check_dockerfile_with(text, facts, &Config::default())
}

/// Parses a Dockerfile and runs the rules `config` enables.
pub fn check_dockerfile_with(
    text: &str,
    facts: &DockerfileFacts,
    config: &Config,
) -> Vec<Diagnostic> {
    let parse = parse(text);
    let model = analyze(&parse);
    check_parsed_dockerfile(text, &parse, &model, facts, config, None)
}

/// Runs the enabled rules over an already parsed and analysed Dockerfile, then applies the
/// configured severities and the file's suppression comments. `shells` keeps RUN parses
/// between analyses of one document (the language server passes one per document).
pub fn check_parsed_dockerfile(
    text: &str,
    parse: &Parse,
    model: &DockerfileModel,
    facts: &DockerfileFacts,
    config: &Config,
    shells: Option<&ShellCache>,
) -> Vec<Diagnostic> {
    check_incrementally(text, parse, model, facts, config, shells, None)
}

/// [`check_parsed_dockerfile`] reusing the findings of unchanged segments from `rules`, the
/// cache of earlier versions of the same document (see [`incremental`]).
pub fn check_incrementally(
    text: &str,
    parse: &Parse,
    model: &DockerfileModel,
    facts: &DockerfileFacts,
    config: &Config,
    shells: Option<&ShellCache>,
    rules: Option<&RuleCache>,
) -> Vec<Diagnostic> {
    let mut ctx =
        DockerfileContext::new(text, parse, model, facts, config).with_shell_cache(shells);
    let enabled = || {
        dockerfile::RULES
            .iter()
            .filter(|rule| config.is_enabled(rule.meta.code))
    };
    let mut out = Vec::new();
    for rule in enabled().filter(|r| r.meta.scope == RuleScope::File) {
        (rule.check)(&ctx, &mut out);
    }
    let segment_rules = || enabled().filter(|r| r.meta.scope != RuleScope::File);
    match rules {
        None => {
            for rule in segment_rules() {
                (rule.check)(&ctx, &mut out);
            }
        }
        Some(cache) => {
            cache.new_round();
            let context_key = {
                let mut h = xxhash_rust::xxh3::Xxh3Default::new();
                std::hash::Hash::hash(&(config, facts), &mut h);
                std::hash::Hasher::finish(&h)
            };
            let segments = incremental::segments(text, model, context_key);
            let reused: Vec<Option<Vec<Diagnostic>>> =
                segments.iter().map(|s| cache.lookup(s)).collect();
            let filter: Vec<(u32, bool)> = segments
                .iter()
                .zip(&reused)
                .map(|(s, r)| (s.range.start, r.is_none()))
                .collect();
            ctx.set_segment_filter(Some(&filter));
            ctx.take_used_line_numbers();
            let mut fresh = Vec::new();
            for rule in segment_rules() {
                (rule.check)(&ctx, &mut fresh);
            }
            let names_lines = ctx.take_used_line_numbers();
            // Findings by segment; a rule's findings in a reused segment are dropped (the
            // reused ones stand for them).
            let mut by_segment: Vec<Vec<Diagnostic>> = vec![Vec::new(); segments.len()];
            for d in fresh {
                let i = segments
                    .partition_point(|s| s.range.start <= d.range.start)
                    .saturating_sub(1);
                if reused[i].is_none() {
                    by_segment[i].push(d);
                }
            }
            let preamble_end = segments.get(1).map_or(text.len() as u32, |s| s.range.start);
            for ((segment, reused), found) in segments.iter().zip(reused).zip(by_segment) {
                match reused {
                    Some(diagnostics) => out.extend(diagnostics),
                    None => {
                        cache.store(segment, preamble_end, &found, names_lines);
                        out.extend(found);
                    }
                }
            }
        }
    }
    keep_first_findings(&mut out);
    let suppressions = Suppressions::collect(parse);
    if !suppressions.is_empty() {
        out.retain(|d| !suppressions.silences(d));
    }
    for d in &mut out {
        config.apply_severity(d);
    }
    // Stable: a rule's findings at one place keep the order it gave them, whether they
    // were reused or found again (each code belongs to one rule, of one scope).
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out
}

/// Parses a compose file and runs the compose rules `config` enables.
pub fn check_compose_with(text: &str, facts: &ComposeFacts, config: &Config) -> Vec<Diagnostic> {
    let parse = crate::syntax::compose::parse(text);
    check_parsed_compose(text, &parse, facts, config)
}

/// Runs the enabled compose rules over a parsed compose file, then applies the configured
/// severities. Diagnostics come sorted by position.
pub fn check_parsed_compose(
    text: &str,
    parse: &YamlParse,
    facts: &ComposeFacts,
    config: &Config,
) -> Vec<Diagnostic> {
    let ctx = compose::ComposeContext::new(text, parse, facts, config);
    let mut out = Vec::new();
    for rule in compose_cache::enabled_rules(config) {
        (rule.check)(&ctx, &mut out);
    }
    finish_compose(text, parse, out, config)
}

/// The same as [`check_parsed_compose`], reusing what `previous` (the cache of the last
/// version of the file, whose text was the `&str`) found for the services an edit did not
/// touch; also returns the cache for the next version.
pub fn check_parsed_compose_cached(
    text: &str,
    parse: &YamlParse,
    facts: &ComposeFacts,
    config: &Config,
    previous: Option<(&str, ComposeRuleCache)>,
) -> (Vec<Diagnostic>, Option<ComposeRuleCache>) {
    let ctx = compose::ComposeContext::new(text, parse, facts, config);
    let rules = compose_cache::enabled_rules(config);
    let (found, cache) = compose_cache::run_rules(&ctx, &rules, previous);
    (finish_compose(text, parse, found, config), cache)
}

/// Fixes held back, suppressions and severities applied, sorted by position.
fn finish_compose(
    text: &str,
    parse: &YamlParse,
    mut out: Vec<Diagnostic>,
    config: &Config,
) -> Vec<Diagnostic> {
    // With a syntax error, the tree is what recovery could read: a quote left open may
    // swallow the lines after it, and an edit anywhere may change what the error hides.
    // Fixes are held back until the YAML reads cleanly (the findings stay).
    // A document marker after the first line starts a second YAML document, which Compose
    // does not read; an edit can move content across it, so fixes wait there too.
    let second_document = memchr::memmem::find(text.as_bytes(), b"\n---").is_some()
        || memchr::memmem::find(text.as_bytes(), b"\n...").is_some();
    if !parse.errors.is_empty() || second_document {
        for d in &mut out {
            d.fix = None;
        }
    }
    let suppressions = compose::suppression::ComposeSuppressions::collect(text, parse);
    if !suppressions.is_empty() {
        out.retain(|d| !suppressions.silences(d));
    }
    for d in &mut out {
        config.apply_severity(d);
    }
    // Findings of one rule at one place are ordered by message: whether the rules ran over
    // the whole file or one service at a time, the answer is the same.
    // The keys are sorted, not the findings: moving a thousand findings around a sort costs
    // more than the comparisons.
    let mut order: Vec<(u32, u32, &str, &str, usize)> = out
        .iter()
        .enumerate()
        .map(|(i, d)| (d.range.start, d.range.end, d.code, d.message.as_str(), i))
        .collect();
    order.sort_unstable();
    // The same finding twice (an anchor's `env_file` merged into several services, each
    // checked on its own, finds it at the anchor each time) is shown once.
    order.dedup_by(|a, b| (a.0, a.1, a.2, a.3) == (b.0, b.1, b.2, b.3));
    let order: Vec<usize> = order.into_iter().map(|k| k.4).collect();
    let mut taken: Vec<Option<Diagnostic>> = out.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| taken[i].take()).collect()
}

/// Keeps only the first finding (by position) of each [`RuleScope::FirstInFile`] rule.
fn keep_first_findings(found: &mut Vec<Diagnostic>) {
    let first_only = || {
        dockerfile::RULES
            .iter()
            .filter(|r| r.meta.scope == RuleScope::FirstInFile)
    };
    for rule in first_only() {
        let code = rule.meta.code;
        let first = found
            .iter()
            .enumerate()
            .filter(|(_, d)| d.code == code)
            .min_by_key(|(_, d)| (d.range.start, d.range.end))
            .map(|(i, _)| i);
        if let Some(first) = first {
            let mut i = 0;
            found.retain(|d| {
                let keep = d.code != code || i == first;
                i += 1;
                keep
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_compose_finding_twice_is_shown_once() {
        // One anchored block merged into two services: each service's check finds its
        // absolute `env_file` at the anchor, which is one finding to show, not two.
        let text = "x-app: &app\n  image: app:1.2.3\n  env_file: [/etc/app.env]\nservices:\n  web:\n    <<: *app\n  worker:\n    <<: *app\n";
        let found = check_compose_with(text, &ComposeFacts::default(), &Config::default());
        let cp013: Vec<_> = found.iter().filter(|d| d.code == "CP013").collect();
        assert_eq!(cp013.len(), 1, "{found:#?}");
    }
}
