use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::compose::interpolation::{ValueScalar, VariableUse, variables};
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports `${VAR}` in a `CMD-SHELL` healthcheck or a string `command` when `VAR` is set
    /// in the service's `environment` but not where Compose looks when it loads the file
    /// (the `.env` beside it, `env_file`s, or, if you opted in, your shell). An entry with
    /// no value (`- POSTGRES_USER`, `POSTGRES_USER:`) is not reported: Compose fills it from
    /// its own environment, where `${POSTGRES_USER}` comes from as well.
    ///
    /// ## Why is this bad?
    /// Compose replaces `${VAR}` while reading the file, before any container exists. The
    /// service's own `environment` is not consulted, so `pg_isready -U ${POSTGRES_USER}`
    /// becomes `pg_isready -U ` and the check probes the wrong user. Writing `$${VAR}`
    /// leaves a literal `${VAR}` for the container's shell, which does see the service's
    /// environment.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     environment:
    ///       POSTGRES_USER: app
    ///     healthcheck:
    ///       test: ["CMD-SHELL", "pg_isready -U ${POSTGRES_USER}"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     environment:
    ///       POSTGRES_USER: app
    ///     healthcheck:
    ///       test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER}"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `$${VAR}` only works where a shell runs the text. A `CMD-SHELL` test always
    /// runs in one; a string `command` does only when it starts a shell (`sh -c ...`).
    ///
    /// ## References
    /// - Interpolation: <https://docs.docker.com/reference/compose-file/interpolation/>
    pub const COMPOSE_INTERPOLATION_IN_SHELL = {
        code: "CP025",
        name: "compose-interpolation-in-shell",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

/// A variable meant for the container: used in shell text Compose interpolates, defined by
/// the service's `environment` and nowhere Compose looks.
pub(crate) struct ContainerVariable<'a> {
    pub service: &'a str,
    pub scalar: ValueScalar<'a>,
    pub used: VariableUse<'a>,
}

/// The shell texts of a service: its `CMD-SHELL` (or string) healthcheck test and its
/// string `command`.
fn shell_texts(ctx: &ComposeContext<'_>, body: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    if let Some(test) = ctx
        .get(body, "healthcheck")
        .and_then(|h| ctx.get(h, "test"))
    {
        let tree = ctx.tree();
        match tree.node(test).map(|n| &n.kind) {
            Some(NodeKind::Scalar { .. }) => out.push(test),
            Some(NodeKind::Sequence(_)) => {
                let items = ctx.items(test);
                if items.first().and_then(|&i| ctx.scalar(i)) == Some("CMD-SHELL") {
                    out.extend(items.into_iter().skip(1));
                }
            }
            _ => {}
        }
    }
    if let Some(command) = ctx.get(body, "command")
        && ctx.scalar(command).is_some()
    {
        out.push(command);
    }
    out
}

pub(crate) fn container_variables<'a>(ctx: &ComposeContext<'a>) -> Vec<ContainerVariable<'a>> {
    let mut out = Vec::new();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let environment = ctx.environment(body);
        for node in shell_texts(ctx, body) {
            let Some(value) = ctx.scalar(node) else {
                continue;
            };
            let scalar = ValueScalar { node, value };
            for used in variables(value) {
                if !used.handled
                    // A bare `- VAR` takes its value from where interpolation looks too.
                    && environment
                        .iter()
                        .any(|e| e.name == used.name && e.value.is_some())
                    && !ctx.interpolation_defines(used.name)
                {
                    out.push(ContainerVariable {
                        service: service.name,
                        scalar,
                        used,
                    });
                }
            }
        }
    }
    out
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for found in container_variables(ctx) {
        let (range, exact) = ctx.use_range(found.scalar, &found.used);
        let name = found.used.name;
        let message = format!(
            "Compose fills in `{name}` when it loads the file, where it is not set (no `.env` \
             or `env_file` defines it), not from service `{}`'s environment: write `$` twice \
             to leave it to the container's shell",
            found.service
        );
        let diagnostic = COMPOSE_INTERPOLATION_IN_SHELL.diagnostic(range, message);
        let fix = exact.then(|| Fix {
            title: format!("Escape `{name}` for the container's shell"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: TextRange::empty(range.start),
                new_text: "$".to_owned(),
            }],
        });
        out.push(Diagnostic { fix, ..diagnostic });
    }
}
