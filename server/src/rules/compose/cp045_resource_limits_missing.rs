use super::cp030_restart_policy_missing::append_to_service;
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a service of a production file with no memory limit: neither
    /// `deploy.resources.limits.memory` nor `mem_limit`. A production file is one whose name
    /// contains `prod`, or one where a service sets `NODE_ENV=production`. Off by default.
    ///
    /// ## Why is this bad?
    /// Without a limit a container may take all the host's memory: a leak or a traffic
    /// spike in one service makes the kernel's out-of-memory killer stop processes of the
    /// others, or of the host itself, instead of only the guilty container being restarted.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     environment:
    ///       NODE_ENV: production
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     environment:
    ///       NODE_ENV: production
    ///     deploy:
    ///       resources:
    ///         limits:
    ///           cpus: "1.0"
    ///           memory: 512M
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the suggestion adds `cpus: "1.0"` and `memory: 512M` limits, numbers to
    /// be replaced with what the service needs, as a limit too low gets it killed.
    ///
    /// ## References
    /// - deploy resources in the Compose file reference: <https://docs.docker.com/reference/compose-file/deploy/#resources>
    /// - Resource constraints: <https://docs.docker.com/engine/containers/resource_constraints/>
    pub const RESOURCE_LIMITS_MISSING = {
        code: "CP045",
        name: "resource-limits-missing",
        severity: Info,
        fixable: false,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.is_production() {
        return;
    }
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        if ctx.get(body, "mem_limit").is_some() {
            continue;
        }
        let deploy = ctx.get(body, "deploy");
        let resources = deploy.and_then(|d| ctx.get(d, "resources"));
        let limits = resources.and_then(|r| ctx.get(r, "limits"));
        if limits.is_some_and(|l| ctx.get(l, "memory").is_some()) {
            continue;
        }
        // The skeleton goes into the deepest part that is there.
        let edit = match (deploy, resources, limits) {
            (None, ..) => append_to_service(
                ctx,
                service,
                "deploy:\n  resources:\n    limits:\n      cpus: \"1.0\"\n      memory: 512M",
            ),
            (Some(deploy), None, _) => ctx.append_to_mapping(
                deploy,
                "resources:\n  limits:\n    cpus: \"1.0\"\n    memory: 512M",
            ),
            (_, Some(resources), None) => {
                ctx.append_to_mapping(resources, "limits:\n  cpus: \"1.0\"\n  memory: 512M")
            }
            (_, _, Some(limits)) => ctx.append_to_mapping(limits, "memory: 512M"),
        };
        let name = service.name;
        let message = format!(
            "service `{name}` has no memory limit: a leak or a spike can take the whole host's \
             memory"
        );
        let mut d = RESOURCE_LIMITS_MISSING.diagnostic(ctx.range(service.key), message);
        // Only a service's own body: a part shared through an anchor is left alone.
        let own = ctx.range(body).start > ctx.range(service.key).end;
        if let Some(edit) = edit.filter(|e| own && e.range.start > ctx.range(service.key).end) {
            d.fix = Some(Fix {
                title: "Add memory and CPU limits (adjust them to the service)".to_owned(),
                applicability: Applicability::DisplayOnly,
                edits: vec![edit],
            });
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(text: &str) -> Vec<Diagnostic> {
        let facts = ComposeFacts {
            path: None,
            file_name: Some("compose.prod.yaml".into()),
            project: None,
        };
        check_compose_with(text, &facts, &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP045")
            .collect()
    }

    #[test]
    fn skeleton_goes_where_it_is_missing() {
        let text = "services:\n  a:\n    image: a:1\n  b:\n    image: b:1\n    deploy:\n      replicas: 2\n  c:\n    image: c:1\n    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n  d:\n    image: d:1\n    mem_limit: 256m\n  e:\n    image: e:1\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n";
        let found = findings(text);
        let flagged: Vec<&str> = found.iter().map(|d| &text[d.range.as_usize()]).collect();
        assert_eq!(flagged, ["a", "b", "c"]);
        let fixed = |i: usize| crate::fix::apply_fixes(text, &[found[i].fix.as_ref().unwrap()]).0;
        assert!(fixed(0).contains("  a:\n    image: a:1\n    deploy:\n      resources:\n        limits:\n          cpus: \"1.0\"\n          memory: 512M\n  b:"));
        assert!(fixed(1).contains("      replicas: 2\n      resources:\n        limits:\n          cpus: \"1.0\"\n          memory: 512M\n  c:"));
        assert!(fixed(2).contains("          cpus: \"0.5\"\n          memory: 512M\n  d:"));
    }

    #[test]
    fn not_in_other_files() {
        let text = "services:\n  a:\n    image: a:1\n";
        let found = check_compose_with(text, &ComposeFacts::default(), &Config::all_enabled());
        assert!(found.iter().all(|d| d.code != "CP045"));
    }
}
