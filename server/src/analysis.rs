//! The analysis entry points shared by `dockwise check` and the language server: a pure
//! function from a document's text to its diagnostics.

use crate::diagnostics::Diagnostic;
use crate::facts::DockerfileFacts;
use crate::rules::suppression::Suppressions;
use crate::rules::{DockerfileContext, dockerfile};
use crate::semantic::{DockerfileModel, analyze};
use crate::syntax::dockerfile::{Parse, parse};

/// Parses a Dockerfile and runs every enabled rule, knowing nothing of other files.
/// Diagnostics come sorted by position.
pub fn check_dockerfile(text: &str) -> Vec<Diagnostic> {
    check_dockerfile_with_facts(text, &DockerfileFacts::default())
}

/// Parses a Dockerfile and runs every enabled rule with facts from other files.
pub fn check_dockerfile_with_facts(text: &str, facts: &DockerfileFacts) -> Vec<Diagnostic> {
    let parse = parse(text);
    let model = analyze(&parse);
    check_parsed_dockerfile(text, &parse, &model, facts)
}

/// Runs every enabled rule over an already parsed and analysed Dockerfile.
pub fn check_parsed_dockerfile(
    text: &str,
    parse: &Parse,
    model: &DockerfileModel,
    facts: &DockerfileFacts,
) -> Vec<Diagnostic> {
    let ctx = DockerfileContext {
        text,
        parse,
        model,
        facts,
    };
    let mut out = Vec::new();
    for rule in dockerfile::RULES {
        if rule.meta.default_enabled {
            (rule.check)(&ctx, &mut out);
        }
    }
    let suppressions = Suppressions::collect(parse);
    if !suppressions.is_empty() {
        out.retain(|d| !suppressions.silences(d));
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out
}
