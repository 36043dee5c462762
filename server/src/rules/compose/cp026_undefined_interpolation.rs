use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::compose::cp025_compose_interpolation_in_shell::container_variables;
use crate::rules::compose::interpolation::{ValueScalar, variables};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports `${VAR}` without a default (`${VAR:-value}`) or a required marker
    /// (`${VAR:?message}`) when nothing defines `VAR` for Compose: not the `.env` beside the
    /// file, nor an `env_file`. Your shell's environment is not consulted unless the
    /// configuration says `interpolation.use-environment = true`, so every machine and CI
    /// run gets the same answer.
    ///
    /// ## Why is this bad?
    /// Compose replaces an unset variable with an empty string and only warns. An empty
    /// image tag, password or URL then fails far from its cause, or worse, works with a
    /// value nobody chose.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:${API_VERSION}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:${API_VERSION:?set API_VERSION in .env}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: with `:?` Compose refuses to start when the variable is unset, where it used
    /// to go on with an empty value.
    ///
    /// ## References
    /// - Interpolation: <https://docs.docker.com/reference/compose-file/interpolation/>
    pub const UNDEFINED_INTERPOLATION = {
        code: "CP026",
        name: "undefined-interpolation",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

/// Checks the values outside services, or, while services are not checked one by one
/// ([`ComposeContext::by_service`] is false), every value.
pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.by_service() {
        // Values outside services hold no container variables (CP025's).
        report(ctx, ctx.interpolated_values_outside_services(), false, out);
    } else {
        report(ctx, ctx.interpolated_values(), true, out);
    }
}

/// Checks the values of each service, while services are checked one by one.
pub(crate) fn check_services(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.by_service() {
        return;
    }
    for service in ctx.services() {
        if let Some(value) = service.value {
            report(ctx, ctx.interpolated_values_under(value), true, out);
        }
    }
}

/// Reports the undefined variables of `values`, but not those CP025 reports (when
/// `services` may hold them): it says better what is wrong with them.
fn report(
    ctx: &ComposeContext<'_>,
    values: Vec<ValueScalar<'_>>,
    services: bool,
    out: &mut Vec<Diagnostic>,
) {
    if values.is_empty() {
        return;
    }
    let for_container: Vec<(usize, usize)> = if services {
        container_variables(ctx)
            .iter()
            .map(|v| (v.scalar.node, v.used.start))
            .collect()
    } else {
        Vec::new()
    };
    for scalar in values {
        for used in variables(scalar.value) {
            if used.handled
                || ctx.interpolation_defines(used.name)
                || for_container.contains(&(scalar.node, used.start))
            {
                continue;
            }
            let (range, exact) = ctx.use_range(scalar, &used);
            let name = used.name;
            let message = format!(
                "`{name}` is not defined in the `.env` beside this file or an `env_file`: \
                 Compose would use an empty string"
            );
            let diagnostic = UNDEFINED_INTERPOLATION.diagnostic(range, message);
            let fix = (exact && used.braced).then(|| Fix {
                title: format!("Make `{name}` required (`${{{name}:?...}}`)"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range,
                    new_text: format!("${{{name}:?{name} is required}}"),
                }],
            });
            out.push(Diagnostic { fix, ..diagnostic });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::config::Config;
    use crate::facts::compose::ProjectFacts;
    use crate::facts::{ComposeFacts, parse_env_file};

    fn flagged(text: &str, facts: &ComposeFacts) -> Vec<String> {
        crate::analysis::check_compose_with(text, facts, &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP026")
            .map(|d| text[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn dotenv_env_files_and_the_environment_only_when_asked() {
        let text =
            "services:\n  api:\n    image: api:${TAG}\n    environment:\n      A: ${FROM_SHELL}\n";
        let mut facts = ComposeFacts {
            project: Some(ProjectFacts {
                dotenv: Some(Arc::new(parse_env_file("TAG=1.4\n"))),
                ..ProjectFacts::default()
            }),
            ..ComposeFacts::default()
        };
        assert_eq!(flagged(text, &facts), ["${FROM_SHELL}"]);
        // The process environment counts only when the user opts in.
        if let Some(project) = &mut facts.project {
            project.environment = Arc::new(parse_env_file("FROM_SHELL=x\n"));
        }
        assert!(flagged(text, &facts).is_empty());
    }

    #[test]
    fn uses_in_blocks_and_folded_lines_are_found_where_written() {
        let text = "services:\n  search:\n    image: elasticsearch:8.15.0\n    command: >\n      run --a ${HEAP}\n      --b ${OTHER} $$HOME\n    entrypoint: 'start\n      ${MODE}'\n";
        let found = crate::analysis::check_compose_with(
            text,
            &ComposeFacts::default(),
            &Config::all_enabled(),
        );
        let spans: Vec<(String, u32)> = found
            .iter()
            .filter(|d| d.code == "CP026")
            .map(|d| {
                let line = text[..d.range.start as usize].matches('\n').count() as u32;
                (text[d.range.as_usize()].to_owned(), line)
            })
            .collect();
        assert_eq!(
            spans,
            [
                ("${HEAP}".to_owned(), 4),
                ("${OTHER}".to_owned(), 5),
                ("${MODE}".to_owned(), 7)
            ]
        );
    }
}
