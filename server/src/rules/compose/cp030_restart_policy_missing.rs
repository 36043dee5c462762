use super::compose_health::dependents;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a service of a production file with neither `restart` nor
    /// `deploy.restart_policy`. A production file is one whose name contains `prod`, or one
    /// where a service sets `NODE_ENV=production`. Jobs are left alone: services with
    /// `deploy.mode: replicated-job` or `global-job`, and one-shot services that another
    /// service waits for with `condition: service_completed_successfully` (an init or
    /// migration step: it exits when done, and a restart policy would run it again).
    ///
    /// ## Why is this bad?
    /// Without a restart policy Docker leaves a container stopped when its process crashes
    /// and does not start it again when the daemon or the host restarts. One crash at night
    /// is then an outage until someone runs `docker compose up` by hand.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     restart: always
    ///     environment:
    ///       NODE_ENV: production
    ///   nginx:
    ///     image: nginx:1.27-alpine
    ///     ports:
    ///       - "80:80"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     restart: always
    ///     environment:
    ///       NODE_ENV: production
    ///   nginx:
    ///     image: nginx:1.27-alpine
    ///     ports:
    ///       - "80:80"
    ///     restart: unless-stopped
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix adds `restart: unless-stopped`, which restarts the container after a
    /// crash or a reboot unless it was stopped on purpose.
    ///
    /// ## References
    /// - restart in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#restart>
    /// - Start containers automatically: <https://docs.docker.com/engine/containers/start-containers-automatically/>
    pub const RESTART_POLICY_MISSING = {
        code: "CP030",
        name: "restart-policy-missing",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.is_production() {
        return;
    }
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        if ctx.get(body, "restart").is_some() {
            continue;
        }
        let deploy = ctx.get(body, "deploy");
        if deploy.is_some_and(|d| ctx.get(d, "restart_policy").is_some()) {
            continue;
        }
        if deploy
            .and_then(|d| ctx.str_of(d, "mode"))
            .is_some_and(|mode| mode.ends_with("-job"))
        {
            continue;
        }
        // Read last: it looks at every service, and so does the cache for this finding.
        if awaited_to_complete(ctx, service.name) {
            continue;
        }
        let name = service.name;
        let message = format!(
            "service `{name}` has no restart policy: after a crash or a reboot it stays down"
        );
        let mut d = RESTART_POLICY_MISSING.diagnostic(ctx.range(service.key), message);
        if let Some(edit) = append_to_service(ctx, service, "restart: unless-stopped") {
            d.fix = Some(Fix {
                title: "Add `restart: unless-stopped`".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
        out.push(d);
    }
}

/// Whether a service is waited for with `condition: service_completed_successfully`: it is
/// meant to run once and exit, and restarting it would run it again.
fn awaited_to_complete(ctx: &ComposeContext<'_>, name: &str) -> bool {
    dependents(ctx, name).any(|(_, d)| {
        d.condition
            .is_some_and(|(c, _)| c == "service_completed_successfully")
    })
}

/// An edit appending `block` to a service's own body: not to a body that is an alias of
/// another service's (`web: *base`), where it would change every service using it.
pub(super) fn append_to_service(
    ctx: &ComposeContext<'_>,
    service: &Service<'_>,
    block: &str,
) -> Option<Edit> {
    let body = service.body?;
    // An anchor is always written before its aliases.
    if ctx.range(body).start < ctx.range(service.key).end {
        return None;
    }
    ctx.append_to_mapping(body, block)
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(text: &str, file: &str) -> Vec<Diagnostic> {
        let facts = ComposeFacts {
            path: None,
            file_name: Some(file.to_owned()),
            project: None,
        };
        check_compose_with(text, &facts, &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP030")
            .collect()
    }

    #[test]
    fn production_files_only() {
        let text = "services:\n  web:\n    image: nginx:1.27\n  api:\n    image: api:1\n    restart: always\n  worker:\n    image: w:1\n    deploy:\n      restart_policy:\n        condition: on-failure\n  migrate:\n    image: m:1\n    deploy:\n      mode: replicated-job\n";
        assert!(findings(text, "compose.yaml").is_empty());
        let found = findings(text, "compose.prod.yaml");
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.as_usize()], "web");
        let fixed = crate::fix::apply_fixes(text, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.starts_with(
                "services:\n  web:\n    image: nginx:1.27\n    restart: unless-stopped\n  api:"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn no_fix_through_an_alias() {
        let text = "x-base: &base\n  image: nginx:1.27\nservices:\n  web: *base\n  api:\n    <<: *base\n    environment:\n      NODE_ENV: production\n";
        let found = findings(text, "compose.yaml");
        assert_eq!(found.len(), 2);
        assert!(found[0].fix.is_none());
        let fixed = crate::fix::apply_fixes(text, &[found[1].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.ends_with("NODE_ENV: production\n    restart: unless-stopped\n"),
            "{fixed}"
        );
    }

    #[test]
    fn a_step_waited_for_to_complete_is_a_job() {
        // `init` runs once before `app`; a restart policy would run it again.
        let text = "services:\n  init:\n    image: busybox:1.37\n    command: [chown, -R, \"1000:1000\", /data]\n  app:\n    image: nginx:1.27\n    restart: always\n    environment:\n      NODE_ENV: production\n    depends_on:\n      init:\n        condition: service_completed_successfully\n";
        assert!(findings(text, "compose.yaml").is_empty());
        assert!(findings(text, "compose.prod.yaml").is_empty());
        // Waited for only to start, or to be healthy: a long-running service.
        for condition in ["service_started", "service_healthy"] {
            let text = text.replace("service_completed_successfully", condition);
            let found = findings(&text, "compose.yaml");
            assert_eq!(found.len(), 1, "{condition}");
            assert_eq!(&text[found[0].range.as_usize()], "init");
        }
    }
}
