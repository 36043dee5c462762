use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::compose::NodeKind;

declare_rule! {
    /// ## What it does
    /// Reports top-level secrets that plain `docker compose` cannot provide (`external:
    /// true`, `driver`, `template_driver`: Swarm features), and secrets declared but used by
    /// no service. A secret counts as used when a service lists it under `secrets:` or under
    /// `build.secrets:` (a build secret, mounted only while the image builds). (A service
    /// using an undeclared secret is CP003's.)
    ///
    /// ## Why is this bad?
    /// Compose outside Swarm mounts secrets from a `file` or an `environment` variable
    /// only; an external or driver-backed secret makes `up` fail. An unused secret is a
    /// file of credentials kept around, and often a sign that a service lost its `secrets:`
    /// entry.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     secrets: [db_password]
    /// secrets:
    ///   db_password:
    ///     external: true
    ///   old_token:
    ///     file: ./secrets/old_token.txt
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     secrets: [db_password]
    /// secrets:
    ///   db_password:
    ///     file: ./secrets/db_password.txt
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the secret's value lives is for you to choose.
    ///
    /// ## References
    /// - Secrets in Compose: <https://docs.docker.com/compose/how-tos/use-secrets/>
    pub const SECRETS_USAGE = {
        code: "CP014",
        name: "secrets-usage",
        severity: Info,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(secrets) = ctx.top("secrets") else {
        return;
    };
    let tree = ctx.tree();
    // A service's own `secrets`, and its build's (`build: .` has none).
    let used: Vec<&str> = ctx
        .services()
        .iter()
        .filter_map(|s| s.body)
        .flat_map(|body| {
            let build = ctx.get(body, "build").and_then(|b| ctx.get(b, "secrets"));
            ctx.get(body, "secrets").into_iter().chain(build)
        })
        .flat_map(|list| ctx.items(list))
        .filter_map(|item| ctx.scalar(item).or_else(|| ctx.str_of(item, "source")))
        .collect();
    for (key, body) in tree.entries(secrets) {
        let Some(name) = tree.scalar(key) else {
            continue;
        };
        let body = body.map(|b| tree.resolve(b));
        let is_mapping = body
            .is_some_and(|b| matches!(tree.node(b).map(|n| &n.kind), Some(NodeKind::Mapping(_))));
        if let Some(body) = body.filter(|_| is_mapping) {
            for option in ["external", "driver", "template_driver"] {
                let Some((option_key, value)) = ctx.entry(body, option) else {
                    continue;
                };
                if option == "external" && value.and_then(|v| ctx.scalar(v)) == Some("false") {
                    continue;
                }
                out.push(SECRETS_USAGE.diagnostic(
                    ctx.range(option_key),
                    format!(
                        "secret `{name}` uses `{option}`, a Swarm feature: plain `docker compose` \
                         cannot provide it (give it a `file:` or `environment:` instead)"
                    ),
                ));
            }
        }
        if !used.contains(&name) {
            out.push(SECRETS_USAGE.diagnostic(
                ctx.range(key),
                format!("secret `{name}` is declared but no service uses it"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn messages(src: &str) -> Vec<String> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP014")
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn build_secrets_are_used() {
        // Short and long form under `build.secrets`.
        let src = "services:\n  app:\n    build:\n      context: .\n      secrets:\n        - npm_token\n        - source: pip_conf\n          target: pip.conf\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n  pip_conf:\n    file: ./pip.conf\n";
        assert!(messages(src).is_empty(), "{:?}", messages(src));
        // The flow form of the report's file.
        let src = "services: {app: {build: {context: ., secrets: [npm_token]}}}\nsecrets: {npm_token: {environment: NPM_TOKEN}}\n";
        assert!(messages(src).is_empty(), "{:?}", messages(src));
    }

    #[test]
    fn unused_secrets() {
        // Build secrets of one service, service secrets of another, and a string `build`.
        let src = "services:\n  app:\n    build:\n      context: .\n      secrets: [npm_token]\n  api:\n    build: ./api\n    secrets:\n      - source: db_password\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n  db_password:\n    file: ./db_password.txt\n  old_token:\n    file: ./old_token.txt\n";
        assert_eq!(
            messages(src),
            ["secret `old_token` is declared but no service uses it"]
        );
    }
}
