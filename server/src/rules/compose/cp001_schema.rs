use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::NodeKind;

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
/// YAML reader) refuses the file rather than guess which one was meant.
fn duplicate_keys(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    for node in &tree.nodes {
        let NodeKind::Mapping(entries) = &node.kind else {
            continue;
        };
        if entries.len() < 2 {
            continue;
        }
        let mut seen: Vec<(&str, u32)> = Vec::with_capacity(entries.len());
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
            match seen.iter().find(|(n, _)| *n == name) {
                Some(&(_, first)) => out.push(SCHEMA.diagnostic(
                    key_node.range,
                    format!(
                        "`{name}` is already defined in this mapping (line {}); Compose refuses \
                         a file with a repeated key",
                        ctx.line_number(first)
                    ),
                )),
                None => seen.push((name, key_node.range.start)),
            }
        }
    }
}

/// The Compose schema's complaints. Around a syntax error the tree holds what recovery
/// could read (a key whose value was cut off reads as null): complaints on the error's line
/// or the line before it would only repeat the syntax error, so they are left out.
fn schema_errors(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let near_syntax_error = |range: TextRange| {
        ctx.parse.errors.iter().any(|e| {
            let line = ctx.line_number(e.range.start);
            let at = ctx.line_number(range.start);
            at + 1 == line || at == line
        })
    };
    for error in crate::schema::compose().validate(ctx.tree()) {
        if !near_syntax_error(error.range) {
            out.push(SCHEMA.diagnostic(error.range, error.message));
        }
    }
}
