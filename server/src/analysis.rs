//! The analysis entry points shared by `dockwise check` and the language server: a pure
//! function from a document's text (with facts from other files and a configuration) to its
//! diagnostics.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::DockerfileFacts;
use crate::rules::suppression::Suppressions;
use crate::rules::{DockerfileContext, dockerfile};
use crate::semantic::{DockerfileModel, ShellCache, analyze};
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
    let ctx = DockerfileContext::new(text, parse, model, facts, config).with_shell_cache(shells);
    let mut out = Vec::new();
    for rule in dockerfile::RULES {
        if config.is_enabled(rule.meta.code) {
            (rule.check)(&ctx, &mut out);
        }
    }
    let suppressions = Suppressions::collect(parse);
    if !suppressions.is_empty() {
        out.retain(|d| !suppressions.silences(d));
    }
    for d in &mut out {
        config.apply_severity(d);
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out
}
