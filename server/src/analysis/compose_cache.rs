//! Compose findings kept per service between versions of a file.
//!
//! A keystroke in a 300-service file changes one service, yet every rule over every service
//! takes milliseconds. Rules of [`ComposeScope::Service`] run one service at a time
//! ([`ComposeContext::focus`]), and what each found for each service is kept with what it
//! read: the next version reuses a service's findings (moved with the text) when the
//! service is outside the edit, the services it looked up did not change, nor (if it read
//! them) the top-level sections outside `services:`, and what holds for the whole file (production or not, indentation, line endings, facts, configuration) is the
//! same. Files with aliases are always checked whole (an alias may bring another service's
//! values in). [`ComposeScope::File`] rules run over the whole file every time.
//!
//! The result is the same as checking the whole file (a property test compares them).

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::ComposeFacts;
use crate::rules::compose::{ComposeContext, ComposeRule, ComposeScope};
use crate::syntax::TextRange;
use crate::syntax::compose::NodeKind;

/// What the service rules found, per service, for one version of a compose file.
#[derive(Debug, Clone)]
pub struct ComposeRuleCache {
    inputs: FileInputs,
    /// Where the `services:` value is written: the text around it holds the other
    /// top-level sections.
    services_span: Option<TextRange>,
    /// In text order.
    services: Vec<CachedService>,
}

/// What every service's findings may depend on besides the services themselves.
#[derive(Debug, Clone)]
struct FileInputs {
    config: Config,
    facts: ComposeFacts,
    production: bool,
    indent_unit: &'static str,
    line_ending: &'static str,
}

impl FileInputs {
    fn of(ctx: &ComposeContext<'_>) -> Self {
        FileInputs {
            config: ctx.config.clone(),
            facts: ctx.facts.clone(),
            production: ctx.is_production(),
            indent_unit: ctx.indent_unit(),
            line_ending: ctx.line_ending(),
        }
    }

    fn same_as(&self, other: &FileInputs) -> bool {
        self.production == other.production
            && self.indent_unit == other.indent_unit
            && self.line_ending == other.line_ending
            && self.config == other.config
            && self.facts.same_as(&other.facts)
    }
}

#[derive(Debug, Clone)]
struct CachedService {
    name: String,
    /// From the start of its key's line to the end of its value.
    range: TextRange,
    /// The syntax errors within its range, from its start (CP001 reads them).
    errors: Vec<(TextRange, String)>,
    /// Per service rule (in the order of the enabled rules).
    rules: Vec<RuleRun>,
}

/// One rule's findings for one service, and what it read besides the service.
#[derive(Debug, Clone, Default)]
struct RuleRun {
    /// With ranges from the start of the service's range (so they move with it for free)
    /// when `within`, else where they are.
    findings: Vec<Diagnostic>,
    looked_up: Vec<String>,
    reads_all: bool,
    /// Whether its findings say line numbers (which edits above move).
    reads_lines: bool,
    /// Whether it read a top-level section besides `services`.
    reads_top: bool,
    /// Whether every finding (and fix) lies within the service: others cannot be moved
    /// with it.
    within: bool,
}

/// An edit between two versions of a text: from `start`, what the old text had became
/// `start..new_end` of the new one, moving what follows by `delta`.
#[derive(Clone, Copy, Debug)]
struct TextEdit {
    start: u32,
    new_end: u32,
    delta: i64,
    /// How many lines it added (or removed, below zero).
    lines: i64,
}

impl TextEdit {
    fn between(old: &str, new: &str) -> TextEdit {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let (prefix, suffix) = crate::text::changed_span(old, new);
        let newlines = |s: &[u8]| memchr::memchr_iter(b'\n', s).count() as i64;
        TextEdit {
            start: prefix as u32,
            new_end: (b.len() - suffix) as u32,
            delta: b.len() as i64 - a.len() as i64,
            lines: newlines(&b[prefix..b.len() - suffix]) - newlines(&a[prefix..a.len() - suffix]),
        }
    }
}

/// Runs the enabled compose rules over `ctx`, reusing `previous` (the cache of the last
/// version, whose text was `old_text`; what is reused is moved out of it, not copied)
/// where that is known to give the same findings.
/// Returns the findings in no particular order, and the cache for the next version (`None`
/// when the file cannot be checked service by service).
pub(crate) fn run_rules(
    ctx: &ComposeContext<'_>,
    rules: &[&ComposeRule],
    previous: Option<(&str, ComposeRuleCache)>,
) -> (Vec<Diagnostic>, Option<ComposeRuleCache>) {
    let mut out = Vec::new();
    let tree = ctx.tree();
    // Aliases may bring one service's values into another; past the value budget, only a
    // whole reading reports it.
    if tree.nodes.len() > crate::schema::MAX_VALUES
        || tree
            .nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Alias(_)))
    {
        for rule in rules {
            (rule.check)(ctx, &mut out);
        }
        return (out, None);
    }
    ctx.set_by_service(true);
    let mut service_rules: Vec<fn(&ComposeContext<'_>, &mut Vec<Diagnostic>)> = Vec::new();
    for rule in rules {
        match rule.scope {
            ComposeScope::File => (rule.check)(ctx, &mut out),
            ComposeScope::Service => service_rules.push(rule.check),
            ComposeScope::Both(per_service) => {
                (rule.check)(ctx, &mut out);
                service_rules.push(per_service);
            }
        }
    }
    let inputs = FileInputs::of(ctx);
    // A whole-file recovery may read a service differently after an edit anywhere: its
    // findings are neither reused nor kept.
    let read_by_entries = ctx.parse.errors.is_empty() || ctx.parse.by_entries;
    let mut previous =
        previous.filter(|(_, cache)| read_by_entries && cache.inputs.same_as(&inputs));
    let edit = previous
        .as_ref()
        .map(|(old_text, _)| TextEdit::between(old_text, ctx.text));
    let services = ctx.all_services();
    // The old service each service can take findings from: outside the edit, at the same
    // place (moved with the text), with the same name.
    // Each service's lines (see `ComposeContext::service_range`): a service's reading
    // depends on these alone (the file reads cleanly, or entry by entry), so an edit
    // elsewhere cannot change it.
    let ranges = ctx.service_ranges();
    let matched: Vec<Option<usize>> = match (&previous, edit) {
        (Some((_, cache)), Some(edit)) => services
            .iter()
            .zip(ranges)
            .map(|(service, range)| {
                let old_range = if range.end < edit.start {
                    *range
                } else if range.start > edit.new_end {
                    range.moved(-edit.delta)
                } else {
                    return None;
                };
                let at = cache
                    .services
                    .partition_point(|c| c.range.start < old_range.start);
                cache
                    .services
                    .get(at)
                    .filter(|c| c.range == old_range && c.name == service.name)
                    .map(|_| at)
            })
            .collect(),
        _ => vec![None; services.len()],
    };
    // Names whose service changed, appeared or went: findings that looked them up are found
    // again.
    let mut changed: std::collections::HashSet<String> = services
        .iter()
        .zip(&matched)
        .filter(|(_, m)| m.is_none())
        .map(|(s, _)| s.name.to_owned())
        .collect();
    if let Some((_, cache)) = &previous {
        let kept: std::collections::HashSet<usize> = matched.iter().flatten().copied().collect();
        changed.extend(
            cache
                .services
                .iter()
                .enumerate()
                .filter(|(i, _)| !kept.contains(i))
                .map(|(_, c)| c.name.clone()),
        );
    }
    let anything_changed = !changed.is_empty();
    // Whether the text outside `services:` (the other top-level sections) is the same.
    // From the end of the `services` key (a line typed above the first service is inside
    // it) to the end of its value.
    let services_span = ctx.top("services").map(|services| {
        let tree = ctx.tree();
        let key_end = tree.root.and_then(|root| match &tree.nodes[root].kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .find(|(_, v)| *v == Some(services))
                .map(|(k, _)| ctx.range(*k).end),
            _ => None,
        });
        let value = ctx.range(services);
        TextRange::new(key_end.unwrap_or(value.start).min(value.start), value.end)
    });
    let outside_same = previous.as_ref().is_some_and(|(old_text, cache)| {
        match (cache.services_span, services_span) {
            (Some(old), Some(new)) => {
                let (old, new) = (old.as_usize(), new.as_usize());
                old_text[..old.start] == ctx.text[..new.start]
                    && old_text[old.end..] == ctx.text[new.end..]
            }
            _ => false,
        }
    });
    let errors_in = |range: TextRange| -> Vec<(TextRange, String)> {
        ctx.parse
            .errors
            .iter()
            .filter(|e| range.start <= e.range.start && e.range.start <= range.end)
            .map(|e| (e.range.moved(-i64::from(range.start)), e.message.clone()))
            .collect()
    };
    let mut cached = Vec::with_capacity(services.len());
    for (index, ((service, range), old)) in services.iter().zip(ranges).zip(&matched).enumerate() {
        let errors = errors_in(*range);
        // The syntax errors around a service may change with an edit elsewhere (the parser
        // reports a missing `:` at the next key).
        let mut old = old.and_then(|i| {
            let (_, cache) = previous.as_mut()?;
            Some(&mut cache.services[i]).filter(|old| old.errors == errors)
        });
        let moved_down = edit.is_some_and(|e| e.lines != 0 && range.start > e.new_end);
        let mut runs = Vec::with_capacity(service_rules.len());
        for (r, rule) in service_rules.iter().enumerate() {
            let reusable = old
                .as_mut()
                .and_then(|old| old.rules.get_mut(r))
                .filter(|run| {
                    let stale = (run.reads_lines && moved_down)
                        || (run.reads_all && anything_changed)
                        || (run.reads_top && !outside_same)
                        || run.looked_up.iter().any(|n| changed.contains(n));
                    run.within && !stale
                });
            let run = match reusable {
                Some(run) => std::mem::take(run),
                None => {
                    ctx.focus(Some(index));
                    let mut findings = Vec::new();
                    rule(ctx, &mut findings);
                    let reads = ctx.reads();
                    // Findings reaching outside the service are never reused: they stay
                    // where they are.
                    let within = findings.iter().all(|d| within(d, *range));
                    if within {
                        for d in &mut findings {
                            move_diagnostic(d, -i64::from(range.start));
                        }
                    }
                    RuleRun {
                        findings,
                        looked_up: reads.looked_up,
                        reads_all: reads.all_services,
                        reads_lines: reads.line_numbers,
                        reads_top: reads.top_level,
                        within,
                    }
                }
            };
            let at = if run.within {
                i64::from(range.start)
            } else {
                0
            };
            out.extend(run.findings.iter().map(|d| {
                let mut d = d.clone();
                move_diagnostic(&mut d, at);
                d
            }));
            runs.push(run);
        }
        cached.push(CachedService {
            name: service.name.to_owned(),
            range: *range,
            errors,
            rules: runs,
        });
    }
    ctx.focus(None);
    ctx.set_by_service(false);
    cached.sort_by_key(|c| c.range.start);
    let cache = ComposeRuleCache {
        inputs,
        services_span,
        services: cached,
    };
    (out, read_by_entries.then_some(cache))
}

/// Whether the finding and its fix lie within `range`.
fn within(d: &Diagnostic, range: TextRange) -> bool {
    range.contains_range(d.range)
        && d.fix
            .as_ref()
            .is_none_or(|f| f.edits.iter().all(|e| range.contains_range(e.range)))
        && d.new_file.is_none()
}

fn move_diagnostic(d: &mut Diagnostic, delta: i64) {
    d.range = d.range.moved(delta);
    if let Some(fix) = &mut d.fix {
        for edit in &mut fix.edits {
            edit.range = edit.range.moved(delta);
        }
    }
}

/// The rules `config` enables, in code order.
pub(crate) fn enabled_rules(config: &Config) -> Vec<&'static ComposeRule> {
    crate::rules::compose::RULES
        .iter()
        .filter(|rule| config.is_enabled(rule.meta.code))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::compose::parse;

    const FILE: &str = "services:\n  web:\n    image: nginx\n    depends_on:\n      - db\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n  api:\n    image: ghcr.io/acme/api:1.2.3\n    networks: [front]\nnetworks:\n  front:\n";

    fn run(
        text: &str,
        previous: Option<(&str, ComposeRuleCache)>,
    ) -> (Vec<Diagnostic>, ComposeRuleCache) {
        let parse = parse(text);
        let facts = ComposeFacts::default();
        let config = Config::default();
        let ctx = ComposeContext::new(text, &parse, &facts, &config);
        let (mut found, cache) = run_rules(&ctx, &enabled_rules(&config), previous);
        found.sort_by_key(|d| (d.range.start, d.range.end, d.code, d.message.clone()));
        (found, cache.expect("cacheable"))
    }

    fn whole(text: &str) -> Vec<Diagnostic> {
        let parse = parse(text);
        let facts = ComposeFacts::default();
        let config = Config::default();
        let ctx = ComposeContext::new(text, &parse, &facts, &config);
        let mut found = Vec::new();
        for rule in enabled_rules(&config) {
            (rule.check)(&ctx, &mut found);
        }
        found.sort_by_key(|d| (d.range.start, d.range.end, d.code, d.message.clone()));
        found
    }

    #[test]
    fn edits_reuse_other_services_findings_and_agree_with_a_whole_run() {
        let (_, cache) = run(FILE, None);
        for new in [
            FILE.replace("image: nginx", "image: nginx:1.27"),
            FILE.replace("  db:\n", "  db:\n    restart: always\n"),
            FILE.replace("postgres:16", "redis:7"),
            FILE.replace("      - db\n", "      - api\n"),
            FILE.replace("  api:", "  db:"),
            FILE.replace("ghcr.io/acme/api:1.2.3", "ghcr.io/acme/api"),
            // Top-level sections outside `services:` that a service names.
            FILE.replace("networks:\n  front:\n", "networks:\n  back:\n"),
            FILE.replace("networks:\n  front:\n", ""),
        ] {
            let (again, _) = run(&new, Some((FILE, cache.clone())));
            assert_eq!(again, whole(&new), "{new}");
            assert_eq!(run(&new, None).0, whole(&new), "{new}");
        }
    }
}
