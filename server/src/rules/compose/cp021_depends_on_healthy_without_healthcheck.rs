use super::compose_health::{Health, dependencies, health, insert_fix, service_image};
use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports `depends_on` with `condition: service_healthy` on a service that has no
    /// health check: none in the compose file, none in the Dockerfile it builds (when that
    /// file is known), and an image known to define none or one dockwise knows nothing
    /// about. A check turned off (`disable: true`, `test: ["NONE"]`, `HEALTHCHECK NONE`)
    /// counts as none.
    ///
    /// ## Why is this bad?
    /// `docker compose up` starts the dependency, then stops with "container … has no
    /// healthcheck configured" instead of starting the service that waits for it: the
    /// condition can never be met.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     depends_on:
    ///       db:
    ///         condition: service_healthy
    ///   db:
    ///     image: postgres:16-alpine
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     depends_on:
    ///       db:
    ///         condition: service_healthy
    ///   db:
    ///     image: postgres:16-alpine
    ///     healthcheck:
    ///       test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]
    ///       interval: 30s
    ///       timeout: 5s
    ///       retries: 3
    ///       start_period: 10s
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds a `healthcheck:` to the dependency, chosen by its image (the
    /// same templates as CP020), and the dependency must pass it before the dependant
    /// starts. The HTTP template is only shown, not applied, when neither `curl` nor `wget`
    /// is known to be in the image. A check that was turned off on purpose gets no fix.
    ///
    /// ## References
    /// - depends_on in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#depends_on>
    /// - Control startup order: <https://docs.docker.com/compose/how-tos/startup-order/>
    pub const DEPENDS_ON_HEALTHY_WITHOUT_HEALTHCHECK = {
        code: "CP021",
        name: "depends-on-healthy-without-healthcheck",
        severity: Error,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        for dependency in dependencies(ctx, body) {
            let Some((condition, node)) = dependency.condition else {
                continue;
            };
            if condition != "service_healthy" || dependency.name == service.name {
                continue;
            }
            let Some(target) = ctx.service(dependency.name) else {
                continue;
            };
            let why = match health(ctx, target) {
                Health::Disabled => "its healthcheck is turned off".to_owned(),
                Health::Missing { known: true } => "it has no healthcheck".to_owned(),
                Health::Missing { known: false } => match service_image(ctx, target).base_name() {
                    Some(image) => {
                        format!("it has no healthcheck (unless its image `{image}` defines one)")
                    }
                    None => "it has no healthcheck".to_owned(),
                },
                Health::Defined | Health::Unknown => continue,
            };
            let message = format!(
                "`{}` waits for `{}` to be healthy, but {why}: `docker compose up` fails with \
                 \"container … has no healthcheck configured\"",
                service.name, dependency.name
            );
            let range = ctx.range(node);
            out.push(match insert_fix(ctx, target) {
                Some(fix) => {
                    DEPENDS_ON_HEALTHY_WITHOUT_HEALTHCHECK.diagnostic_with_fix(range, message, fix)
                }
                None => DEPENDS_ON_HEALTHY_WITHOUT_HEALTHCHECK.diagnostic(range, message),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP021")
            .collect()
    }

    #[test]
    fn the_fix_goes_into_the_dependency() {
        let src = "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      cache:\n        condition: service_healthy\n  cache:\n    image: redis:7\n    command: redis-server --appendonly yes\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "service_healthy");
        assert_eq!(
            found[0].message,
            "`api` waits for `cache` to be healthy, but it has no healthcheck: `docker compose \
             up` fails with \"container … has no healthcheck configured\""
        );
        let fixed = crate::fix::apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.ends_with(
                "    command: redis-server --appendonly yes\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n      interval: 30s\n      timeout: 5s\n      retries: 3\n      start_period: 10s\n"
            ),
            "{fixed}"
        );
        assert!(findings(&fixed).is_empty());
    }

    #[test]
    fn turned_off_and_unknown_images() {
        let src = "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_healthy\n      web:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n  web:\n    image: acme/web:2\n";
        let found = findings(src);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("its healthcheck is turned off"));
        assert!(found[0].fix.is_none());
        assert!(
            found[1]
                .message
                .contains("(unless its image `acme/web:2` defines one)")
        );
        assert!(found[1].fix.is_some());
    }

    #[test]
    fn what_passes() {
        for src in [
            "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: pg_isready\n",
            "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_started\n  db:\n    image: postgres:16\n",
            // Built from a Dockerfile that is not known: it may have a HEALTHCHECK.
            "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    build: ./db\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
