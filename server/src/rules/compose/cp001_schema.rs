use crate::diagnostics::Diagnostic;
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a compose file that Docker Compose would refuse to load: a YAML syntax error,
    /// a key written twice in one mapping, a file that is empty or not a mapping, and
    /// anything the Compose Specification does not allow (an unknown key, a value of the
    /// wrong type, a value outside a fixed set, a missing required key, a repeated entry in
    /// a list whose entries must be unique).
    ///
    /// ## Why is this bad?
    /// `docker compose up` stops at the first of these with a message about the whole file,
    /// often after the rest of the pipeline has started. A misspelt key is worse: older tools
    /// ignored it silently, so `healtcheck:` or `restrat:` looked fine and did nothing.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///   web:
    ///     image: nginx:1.27
    ///     restrat: always
    /// volumes:
    ///   - data
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///   web:
    ///     image: nginx:1.27
    ///     restart: always
    /// volumes:
    ///   data:
    /// ```
    ///
    /// A service needs a body (`backend:` alone is `null`), and top-level `volumes` is a
    /// mapping of names, not a list.
    ///
    /// ## Fix safety
    /// No fix: what was meant is for a person to say.
    ///
    /// ## References
    /// - The Compose Specification: <https://github.com/compose-spec/compose-spec/blob/main/spec.md>
    pub const SCHEMA = {
        code: "CP001",
        name: "schema",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for error in &ctx.parse.errors {
        out.push(SCHEMA.diagnostic(error.range, format!("YAML syntax error: {}", error.message)));
    }
    let tree = ctx.tree();
    duplicate_keys(ctx, out);
    let root = tree.root.and_then(|r| tree.node(tree.resolve(r)));
    // With a syntax error, that error says why nothing could be read.
    let clean = ctx.parse.errors.is_empty();
    match root.map(|n| &n.kind) {
        None => {
            if clean {
                out.push(empty_file(ctx));
            }
        }
        Some(NodeKind::Scalar { value, .. }) if is_null(value) => {
            if clean {
                out.push(empty_file(ctx));
            }
        }
        Some(NodeKind::Mapping(_)) => schema_errors(ctx, out),
        Some(kind) => {
            let what = match kind {
                NodeKind::Sequence(_) => "a list",
                _ => "a single value",
            };
            out.push(SCHEMA.diagnostic(
                root.map_or(TextRange::empty(0), |n| n.range),
                format!(
                    "a compose file must be a mapping of top-level keys (`services:`, \
                     `networks:`, ...), not {what}"
                ),
            ));
        }
    }
}

fn empty_file(ctx: &ComposeContext<'_>) -> Diagnostic {
    let end = ctx.text.find('\n').unwrap_or(ctx.text.len()) as u32;
    SCHEMA.diagnostic(
        TextRange::new(0, end),
        "the compose file is empty: Compose needs at least a `services:` mapping",
    )
}

/// The plain scalars YAML reads as null (an empty document is one).
fn is_null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// A key written twice in one mapping: YAML says keys are unique, and Compose (through its
/// YAML reader) refuses the file rather than guess which one was meant. Checks every
/// mapping, or, while services are checked one by one, those outside them.
fn duplicate_keys(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    // Where each service's value is written (a mapping starting there belongs to the
    // service, see `check_services`).
    let values: Vec<TextRange> = if ctx.by_service() {
        ctx.services()
            .iter()
            .filter_map(|s| value_range(ctx, s))
            .collect()
    } else {
        Vec::new()
    };
    let inside_a_service = |start: u32| {
        let i = values.partition_point(|s| s.start <= start);
        i > 0 && start <= values[i - 1].end
    };
    for &(start, id) in ctx.mappings_with_entries() {
        if !inside_a_service(start) {
            repeated_keys(ctx, id, out);
        }
    }
}

/// Where a service's value is written.
fn value_range(ctx: &ComposeContext<'_>, service: &Service<'_>) -> Option<TextRange> {
    service.value.map(|value| ctx.written(value))
}

/// The keys of the mapping `id` written a second time.
fn repeated_keys(ctx: &ComposeContext<'_>, id: NodeId, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    let Some(NodeKind::Mapping(entries)) = tree.node(id).map(|n| &n.kind) else {
        return;
    };
    // Name -> where it is first written (`services:` may hold hundreds of keys).
    let mut seen: std::collections::HashMap<&str, u32> =
        std::collections::HashMap::with_capacity(entries.len());
    for (key, _) in entries {
        let Some(key_node) = tree.node(*key) else {
            continue;
        };
        let Some(name) = tree.scalar(*key) else {
            continue;
        };
        // `<<` may repeat in files that merge several anchors one by one.
        if name == "<<" {
            continue;
        }
        match seen.get(name) {
            Some(&first) => out.push(SCHEMA.diagnostic(
                key_node.range,
                format!(
                    "`{name}` is already defined in this mapping (line {}); Compose refuses a \
                     file with a repeated key",
                    ctx.line_number(first)
                ),
            )),
            None => {
                seen.insert(name, key_node.range.start);
            }
        }
    }
}

/// The Compose schema's complaints. Around a syntax error the tree holds what recovery
/// could read (a key whose value was cut off reads as null): complaints on the error's line
/// or the line before it would only repeat the syntax error, so they are left out.
fn schema_errors(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let schema = crate::schema::compose();
    let errors = if ctx.by_service() {
        schema.validate_outside_services(ctx.tree())
    } else {
        schema.validate(ctx.tree())
    };
    let services = ctx.services();
    let ranges: Vec<TextRange> = services.iter().map(|s| ctx.service_range(s)).collect();
    let in_a_service = |offset: u32| ranges.iter().any(|r| r.start <= offset && offset <= r.end);
    for error in errors {
        // An error in a service is judged by the syntax errors in that service (the one
        // Compose keeps, see `check_services`), others by those outside every service.
        let service = error.service.as_deref().and_then(|name| {
            services
                .iter()
                .zip(&ranges)
                .rev()
                .find(|(s, _)| s.name == name)
                .map(|(_, r)| *r)
        });
        let near = match service {
            Some(r) => near_syntax_error(ctx, error.range, |e| r.start <= e && e <= r.end),
            None => near_syntax_error(ctx, error.range, |e| !in_a_service(e)),
        };
        if !near {
            out.push(SCHEMA.diagnostic(error.range, error.message));
        }
    }
}

/// Whether a syntax error that `same_place` accepts (in the same service, or outside all)
/// is on the line of `range` or the next.
fn near_syntax_error(
    ctx: &ComposeContext<'_>,
    range: TextRange,
    same_place: impl Fn(u32) -> bool,
) -> bool {
    ctx.parse.errors.iter().any(|e| {
        let line = ctx.line_number(e.range.start);
        let at = ctx.line_number(range.start);
        (at + 1 == line || at == line) && same_place(e.range.start)
    })
}

/// The part of the check inside each service, while services are checked one by one
/// ([`ComposeContext::by_service`]); otherwise [`check`] does it all.
pub(crate) fn check_services(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.by_service() {
        return;
    }
    let tree = ctx.tree();
    // The schema is applied to a file that is a mapping (see `check`).
    let root_is_mapping = tree
        .root
        .and_then(|r| tree.node(tree.resolve(r)))
        .is_some_and(|n| matches!(n.kind, NodeKind::Mapping(_)));
    for service in ctx.services() {
        let range = ctx.service_range(service);
        // Repeated keys in the mappings written in the service's value.
        if let Some(value) = value_range(ctx, service) {
            let mappings = ctx.mappings_with_entries();
            let first = mappings.partition_point(|(start, _)| *start < value.start);
            for &(_, id) in mappings[first..]
                .iter()
                .take_while(|(start, _)| *start <= value.end)
            {
                repeated_keys(ctx, id, out);
            }
        }
        // Compose keeps the last service of a name; the schema judges that one.
        if !root_is_mapping || !ctx.is_last_of_name(service) {
            continue;
        }
        for error in crate::schema::compose().validate_service(tree, service.name, service.value) {
            let near = near_syntax_error(ctx, error.range, |e| range.start <= e && e <= range.end);
            if !near {
                out.push(SCHEMA.diagnostic(error.range, error.message));
            }
        }
    }
}
