use super::compose_health::{dependents, health, insert_fix};
use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a long-running service without a health check: no `healthcheck:` in the
    /// compose file, no `HEALTHCHECK` in the Dockerfile it builds (when that file is known),
    /// and an image known to define none (official images such as `postgres`, `redis` or
    /// `nginx` do not) or one dockwise knows nothing about. It is a warning when another
    /// service depends on it. Services that turn the check off on purpose (`disable: true`,
    /// `test: ["NONE"]`, `HEALTHCHECK NONE`) pass, and so do one-shot services: those with
    /// `restart: "no"` and those a dependant waits for with
    /// `condition: service_completed_successfully`. Any `healthcheck:` key counts, also one
    /// without a `test` (`disable: false`, or only timings): it keeps the image's own
    /// check, which the author expects to be there (CP021 still reports waiting with
    /// `service_healthy` for a service whose image has none).
    ///
    /// ## Why is this bad?
    /// Without a health check Docker only knows that the process runs, not that it answers:
    /// a database still replaying its log or a hung web server shows as "Up", dependants
    /// cannot wait for it with `condition: service_healthy`, and nothing reports it as
    /// unhealthy when it stops answering.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     depends_on:
    ///       - cache
    ///     healthcheck:
    ///       test: ["CMD", "/app/healthcheck"]
    ///   cache:
    ///     image: redis:7-alpine
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     depends_on:
    ///       cache:
    ///         condition: service_healthy
    ///     healthcheck:
    ///       test: ["CMD", "/app/healthcheck"]
    ///   cache:
    ///     image: redis:7-alpine
    ///     healthcheck:
    ///       test: ["CMD", "redis-cli", "ping"]
    ///       interval: 30s
    ///       timeout: 5s
    ///       retries: 3
    ///       start_period: 10s
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds a `healthcheck:` chosen by the image (`pg_isready` for
    /// PostgreSQL, `redis-cli ping` for Redis, `mysqladmin ping` for MySQL, MariaDB's
    /// `healthcheck.sh`, `mongosh` for MongoDB), else an HTTP probe of the first container
    /// port with `curl` or `wget`, whichever the image is known to have. The service must
    /// answer that probe, or it is reported unhealthy. When neither tool is known to be in
    /// the image, the `curl` template is only shown, not applied.
    ///
    /// ## References
    /// - healthcheck in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#healthcheck>
    /// - Control startup order: <https://docs.docker.com/compose/how-tos/startup-order/>
    pub const HEALTHCHECK_MISSING = {
        code: "CP020",
        name: "healthcheck-missing",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        // Whatever the block says, it was written on purpose: a block without a `test`
        // keeps (and may retime) the image's own HEALTHCHECK.
        if ctx.entry(body, "healthcheck").is_some()
            || !health(ctx, service).is_missing()
            || one_shot(ctx, service)
        {
            continue;
        }
        let waiting: Vec<&str> = dependents(ctx, service.name)
            .map(|(dependant, _)| dependant.name)
            .collect();
        let (severity, message) = match waiting.as_slice() {
            [] => (
                Severity::Info,
                format!(
                    "`{}` has no healthcheck: Docker knows that it runs, not that it answers",
                    service.name
                ),
            ),
            [one] => (
                Severity::Warning,
                format!(
                    "`{}` has no healthcheck, so `{one}`, which depends on it, cannot wait \
                     until it is ready",
                    service.name
                ),
            ),
            [one, ..] => (
                Severity::Warning,
                format!(
                    "`{}` has no healthcheck, so the {} services that depend on it (`{one}`, \
                     ...) cannot wait until it is ready",
                    service.name,
                    waiting.len()
                ),
            ),
        };
        let range = ctx.range(service.key);
        let mut d = match insert_fix(ctx, service) {
            Some(fix) => HEALTHCHECK_MISSING.diagnostic_with_fix(range, message, fix),
            None => HEALTHCHECK_MISSING.diagnostic(range, message),
        };
        d.severity = severity;
        out.push(d);
    }
}

/// A service that runs once and exits: `restart: "no"` (or a `deploy.restart_policy` with
/// `condition: none`), or one a dependant waits for with `service_completed_successfully`.
fn one_shot(ctx: &ComposeContext<'_>, service: &Service<'_>) -> bool {
    let Some(body) = service.body else {
        return false;
    };
    let no_restart = ctx.str_of(body, "restart").is_some_and(|r| r == "no")
        || ctx
            .get(body, "deploy")
            .and_then(|d| ctx.get(d, "restart_policy"))
            .and_then(|p| ctx.str_of(p, "condition"))
            .is_some_and(|c| c == "none");
    no_restart
        || dependents(ctx, service.name).any(|(_, d)| {
            d.condition
                .is_some_and(|(c, _)| c == "service_completed_successfully")
        })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Applicability, Diagnostic, Severity};
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP020")
            .collect()
    }

    fn fixed(src: &str, d: &Diagnostic) -> String {
        crate::fix::apply_fixes(src, &[d.fix.as_ref().expect("a fix")]).0
    }

    /// A lone `:` is a mapping entry whose key and value are empty (zero-width) scalars:
    /// the healthcheck goes after its line, not before the `:` (found by a property test).
    #[test]
    fn the_block_goes_after_an_entry_with_an_empty_key() {
        let src = "services:\n  db:\n    image: postgres:16\n    secrets:\n       :\n";
        let found = findings(src);
        let after = fixed(src, &found[0]);
        assert!(
            after.starts_with(src) && after.contains("\n    healthcheck:\n"),
            "{after}"
        );
        assert!(
            crate::syntax::compose::parse(&after).errors.is_empty(),
            "{after}"
        );
        // An empty block scalar ends where the next token starts (here a top-level key
        // whose plain value runs on to the next line): the block goes after the `>-` line.
        let src = "services:\n  web:\n    image: nginx:1.27-alpine\n    depends_on:\n      api:\n        >-\ncondition: $\n    build\n";
        let after = fixed(src, &findings(src)[0]);
        assert!(after.contains("        >-\n    healthcheck:\n"), "{after}");
        assert!(
            crate::syntax::compose::parse(&after).errors.is_empty(),
            "{after}"
        );
        // An explicit key (`? llm:`) whose value is missing: the empty value sits at the
        // next token, the start of `models:`; the block goes before that line, not after.
        let src = "services:\n  chat:\n    image: ghcr.io/example/chat:1\n    models:\n     ? llm:\nmodels:\n  llm: {}\n";
        let after = fixed(src, &findings(src)[0]);
        assert!(after.contains("     ? llm:\n    healthcheck:\n"), "{after}");
        assert_eq!(
            crate::syntax::compose::parse(&after).errors,
            crate::syntax::compose::parse(src).errors,
            "{after}"
        );
    }

    #[test]
    fn datastores_get_their_own_probe() {
        let src = "services:\n  db:\n    image: postgres:16-alpine\n  cache:\n    image: redis:7\n  api:\n    image: acme/api:1\n    depends_on: [db]\n    healthcheck:\n      test: [\"CMD\", \"/probe\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].message,
            "`db` has no healthcheck, so `api`, which depends on it, cannot wait until it is ready"
        );
        assert_eq!(found[1].severity, Severity::Info);
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fixed(src, &found[0]),
            src.replace(
                "postgres:16-alpine\n",
                "postgres:16-alpine\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U $${POSTGRES_USER:-postgres}\"]\n      interval: 30s\n      timeout: 5s\n      retries: 3\n      start_period: 10s\n"
            )
        );
        assert!(fixed(src, &found[1]).contains("test: [\"CMD\", \"redis-cli\", \"ping\"]"));
        assert!(findings(&fixed(src, &found[0])).len() == 1);
    }

    #[test]
    fn http_probes_use_a_tool_the_image_has() {
        let src = "services:\n  web:\n    image: nginx:1.27-alpine\n    ports:\n      - \"8080:8081\"\n  app:\n    image: node:22\n    expose:\n      - \"3000\"\n  other:\n    image: acme/thing:2\n";
        let found = findings(src);
        assert_eq!(found.len(), 3);
        assert!(
            fixed(src, &found[0])
                .contains("[\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost:8081/\"]")
        );
        assert!(
            fixed(src, &found[1])
                .contains("[\"CMD\", \"curl\", \"-fsS\", \"http://localhost:3000/\"]")
        );
        let unknown = found[2].fix.as_ref().unwrap();
        assert_eq!(unknown.applicability, Applicability::DisplayOnly);
        assert!(unknown.title.contains("check that its image has curl"));
        assert!(fixed(src, &found[2]).contains("http://localhost:80/"));
    }

    #[test]
    fn what_passes() {
        for src in [
            // A healthcheck, or one turned off on purpose.
            "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n",
            "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n",
            "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"NONE\"]\n",
            // One-shot services.
            "services:\n  migrate:\n    image: acme/migrate:1\n    restart: \"no\"\n",
            "services:\n  migrate:\n    image: acme/migrate:1\n  api:\n    image: acme/api:1\n    healthcheck:\n      test: [\"CMD\", \"/probe\"]\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n",
            // A build whose Dockerfile is not known.
            "services:\n  api:\n    build: ./api\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn a_healthcheck_block_without_a_test_keeps_the_images() {
        for src in [
            // `disable: false` keeps the image's HEALTHCHECK (immich-server defines one).
            "services:\n  server:\n    image: ghcr.io/immich-app/immich-server:v1.135.0\n    healthcheck:\n      disable: false\n",
            "services: {server: {image: ghcr.io/immich-app/immich-server:v1.135.0, healthcheck: {disable: false}}}\n",
            // Only timings: they retime the image's check.
            "services:\n  api:\n    image: ghcr.io/acme/api:1.4.2\n    healthcheck:\n      interval: 10s\n      start_period: 30s\n",
            // Through a merge key.
            "x-health: &health\n  healthcheck:\n    interval: 10s\nservices:\n  api:\n    <<: *health\n    image: ghcr.io/acme/api:1.4.2\n",
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
    }
}
