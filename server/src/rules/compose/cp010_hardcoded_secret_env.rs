use std::collections::HashSet;

use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, NewFile, Severity};
use crate::rules::compose::{ComposeContext, EnvEntry};
use crate::rules::declare_rule;
use crate::rules::dockerfile::df074_secret_in_arg_env::{
    could_be_secret, credential_kind, names_a_secret,
};
use crate::syntax::compose::{NodeKind, ScalarKind};

declare_rule! {
    /// ## What it does
    /// Reports an `environment` entry whose name says it holds a secret and whose value is
    /// written in the file. Names are judged as DF074 judges `ENV` names (a `_`-separated
    /// word such as `password`, `secret`, `token`, `key` or `auth`, and none such as `user`
    /// or `file`), and `*_PASSWORD`, `JWT_SECRET` and `*_API_KEY` always count. A value that
    /// starts like a well-known credential (`ghp_`, `AKIA`, `sk-`, a PEM private key) counts
    /// whatever the name. Only a literal, non-empty value counts: not `${VAR}`, not a value
    /// that cannot be a secret (`true`, a small number, a path), and not a URL, which is
    /// CP011's. The value is never repeated in the message. A warning, an error in a
    /// production file.
    ///
    /// ## Why is this bad?
    /// The compose file is committed, copied to servers and pasted into tickets: a password
    /// in it is readable by everyone who can read the repository, and it is the same on
    /// every machine because nobody has to set it. The container's environment is also
    /// shown by `docker inspect` and `docker compose config`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   postgres:
    ///     image: postgres:16-alpine
    ///     environment:
    ///       POSTGRES_USER: app
    ///       POSTGRES_PASSWORD: password
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - JWT_SECRET=secret123
    /// ```
    ///
    /// Use instead: take the values from the environment or the `.env` file beside the
    /// compose file (kept out of git), and list the names in a committed `.env.example`:
    /// ```yaml
    /// services:
    ///   postgres:
    ///     image: postgres:16-alpine
    ///     environment:
    ///       POSTGRES_USER: app
    ///       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - JWT_SECRET=${JWT_SECRET:?JWT_SECRET is required}
    /// ```
    ///
    /// Better still, mount the secret as a file with top-level `secrets:` and point the
    /// image at it (`POSTGRES_PASSWORD_FILE: /run/secrets/db_password`).
    ///
    /// ## Fix safety
    /// Unsafe: the fix replaces the value with `${NAME}` and creates `.env.example` with
    /// `NAME=` (only when there is none). Until `NAME` is set in `.env` or the environment,
    /// Compose substitutes an empty string.
    ///
    /// ## References
    /// - Set environment variables: <https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/>
    /// - Interpolation: <https://docs.docker.com/reference/compose-file/interpolation/>
    /// - Secrets in Compose: <https://docs.docker.com/compose/how-tos/use-secrets/>
    pub const HARDCODED_SECRET_ENV = {
        code: "CP010",
        name: "hardcoded-secret-env",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

/// The last `_`-word of a name that describes a secret rather than holding one
/// (`POSTGRES_HOST_AUTH_METHOD`, `REDIS_KEY_PREFIX`, `JWT_SECRET_EXPIRES_IN`).
const DESCRIPTIVE_WORDS: &[&str] = &[
    "algorithm",
    "enabled",
    "expiration",
    "expires",
    "expiry",
    "header",
    "id",
    "in",
    "issuer",
    "length",
    "method",
    "mode",
    "name",
    "path",
    "prefix",
    "provider",
    "role",
    "timeout",
    "ttl",
    "type",
];

struct Found<'a> {
    service: &'a str,
    entry: EnvEntry<'a>,
    why: String,
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let extra: Vec<String> = ctx
        .config
        .options
        .secret_patterns
        .iter()
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        for entry in ctx.environment(body) {
            let Some(value) = entry.value else { continue };
            if value.is_empty() || has_interpolation(value) || value.contains("://") {
                continue;
            }
            let why = if let Some(kind) = credential_kind(value) {
                format!("its value looks like {kind}")
            } else if is_secret_name(entry.name, value, &extra) && could_be_secret(value) {
                "its name says it holds a secret".to_owned()
            } else {
                continue;
            };
            // An entry merged into several services from one anchor is reported once.
            if seen.insert(entry.range.start) {
                found.push(Found {
                    service: service.name,
                    entry,
                    why,
                });
            }
        }
    }
    if found.is_empty() {
        return;
    }
    let severity = if ctx.is_production() {
        Severity::Error
    } else {
        Severity::Warning
    };
    // One `.env.example` listing every name (fixes applied together create it once).
    let mut names: Vec<&str> = found.iter().map(|f| f.entry.name).collect();
    names.sort_unstable();
    names.dedup();
    let example: String = names.iter().map(|n| format!("{n}=\n")).collect();
    for Found {
        service,
        entry,
        why,
    } in found
    {
        let name = entry.name;
        let message = format!(
            "`{name}` of service `{service}` is a secret written in the compose file ({why}): \
             take it from the environment or `.env` instead"
        );
        let mut d = HARDCODED_SECRET_ENV.diagnostic(entry.name_range, message);
        d.severity = severity;
        if let Some(edit) = value_edit(ctx, &entry) {
            d.fix = Some(Fix {
                title: format!("Use `${{{name}}}` and list `{name}` in `.env.example`"),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            d.new_file = Some(NewFile {
                path: ".env.example".to_owned(),
                content: example.clone(),
                append: false,
            });
        }
        out.push(d);
    }
}

/// Whether a variable name says it holds a secret: DF074's judgement, plus the names
/// compose files use most, minus names that describe a secret (`*_AUTH_METHOD`, an access
/// key's `*_ID`), and minus `AUTH` before other words: at the end it holds a credential
/// (`REDIS_AUTH`), before them it names a setting about authentication
/// (`GF_AUTH_ANONYMOUS_ORG_ROLE`, `PROXY_AUTH_WHITELIST`, `AIRFLOW__API__AUTH_BACKENDS`).
fn is_secret_name(name: &str, value: &str, extra: &[String]) -> bool {
    let upper = name.to_ascii_uppercase();
    if upper == "PASSWORD"
        || upper.ends_with("_PASSWORD")
        || upper == "JWT_SECRET"
        || upper.ends_with("_API_KEY")
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    if lower
        .rsplit('_')
        .next()
        .is_some_and(|last| DESCRIPTIVE_WORDS.contains(&last))
    {
        return false;
    }
    let mut words = lower.split('_').filter(|w| !w.is_empty());
    let last = words.next_back();
    if !words.clone().any(|w| w == "auth") {
        return names_a_secret(name, value, extra);
    }
    // The name without its leading `AUTH` words (rare: only such names pay for the copy).
    let rest: Vec<&str> = words.filter(|w| *w != "auth").chain(last).collect();
    names_a_secret(&rest.join("_"), value, extra)
}

/// The edit that makes an environment entry's value `${NAME}`: `NAME=${NAME}` for a list
/// item whose value has no span of its own. `None` for a block scalar.
pub(super) fn value_edit(ctx: &ComposeContext<'_>, entry: &EnvEntry<'_>) -> Option<Edit> {
    let node = entry.node?;
    let (style, is_item) = match ctx.tree().node(node).map(|n| &n.kind) {
        Some(NodeKind::Scalar { style, .. }) => (*style, entry.range == ctx.range(node)),
        _ => return None,
    };
    if style == ScalarKind::Block {
        return None;
    }
    let name = entry.name;
    let reference = format!("${{{name}}}");
    if !is_item {
        // `NAME: value`: the whole scalar, quotes included.
        return Some(Edit {
            range: ctx.range(node),
            new_text: reference,
        });
    }
    let value_range = entry.value_range?;
    if value_range != entry.range {
        return Some(Edit {
            range: value_range,
            new_text: reference,
        });
    }
    // A quoted item with escapes: rewrite it whole.
    Some(Edit {
        range: entry.range,
        new_text: format!("{name}={reference}"),
    })
}

/// Whether a Compose value has `${VAR}` or `$VAR` interpolation (`$$` is a literal `$`).
pub(super) fn has_interpolation(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            match bytes.get(i + 1) {
                Some(b'$') => {
                    i += 2;
                    continue;
                }
                Some(b) if *b == b'{' || b.is_ascii_alphabetic() || *b == b'_' => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_interpolation;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::facts::ComposeFacts;

    fn findings(text: &str) -> Vec<Diagnostic> {
        check_compose_with(text, &ComposeFacts::default(), &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP010")
            .collect()
    }

    fn fixed(text: &str, d: &Diagnostic) -> String {
        crate::fix::apply_fixes(text, &[d.fix.as_ref().expect("a fix")]).0
    }

    #[test]
    fn both_forms_are_fixed_and_never_echo_the_value() {
        let text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: \"hunter2-horse\"\n  api:\n    build: .\n    environment:\n      - JWT_SECRET=secret123\n      - \"STRIPE_API_KEY=abc\\\\def\"\n      - \"GITHUB=ghp_0123456789abcdefghijABCDEFGHIJ012345\"\n";
        let found = findings(text);
        let names: Vec<&str> = found.iter().map(|d| &text[d.range.as_usize()]).collect();
        // An item with escapes has no span for its name: the whole item is flagged.
        assert_eq!(
            names,
            [
                "POSTGRES_PASSWORD",
                "JWT_SECRET",
                "\"STRIPE_API_KEY=abc\\\\def\"",
                "GITHUB"
            ]
        );
        for d in &found {
            assert_eq!(d.severity, Severity::Warning);
            assert!(!d.message.contains("hunter2"), "{}", d.message);
            assert!(!d.message.contains("secret123"), "{}", d.message);
            assert!(!d.message.contains("ghp_"), "{}", d.message);
            let file = d.new_file.as_ref().unwrap();
            assert_eq!(file.path, ".env.example");
            assert_eq!(
                file.content,
                "GITHUB=\nJWT_SECRET=\nPOSTGRES_PASSWORD=\nSTRIPE_API_KEY=\n"
            );
        }
        assert!(fixed(text, &found[0]).contains("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"));
        assert!(fixed(text, &found[1]).contains("- JWT_SECRET=${JWT_SECRET}\n"));
        assert!(fixed(text, &found[2]).contains("- STRIPE_API_KEY=${STRIPE_API_KEY}\n"));
        assert!(fixed(text, &found[3]).contains("- \"GITHUB=${GITHUB}\"\n"));
        assert!(found[3].message.contains("a GitHub token"));
    }

    #[test]
    fn auth_at_the_end_or_beside_a_secret_word_is_a_secret() {
        let text = "services:\n  a:\n    environment:\n      REDIS_AUTH: s3cr3t-pass\n      AUTH_TOKEN: abc123def456\n      NPM_AUTH_KEY: abc123def456\n";
        let names: Vec<String> = findings(text)
            .iter()
            .map(|d| text[d.range.as_usize()].to_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn production_files_get_errors() {
        let text = "services:\n  api:\n    environment:\n      NODE_ENV: production\n      DB_PASSWORD: x1y2z3\n";
        let found = findings(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
    }

    #[test]
    fn exemptions() {
        for text in [
            "services:\n  a:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      API_KEY: $API_KEY\n      TOKEN: ''\n      SECRET:\n",
            "services:\n  a:\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db\n      - AUTH_ENABLED=true\n      - DB_USER=app\n",
            "services:\n  a:\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: scram-sha-256\n      REDIS_KEY_PREFIX: app\n      JWT_SECRET_EXPIRES_IN: 1h\n",
            // Settings about authentication, and an access key's public half (real files).
            "services:\n  a:\n    environment:\n      AIRFLOW__API__AUTH_BACKENDS: airflow.api.auth.backend.basic_auth\n      GF_AUTH_ANONYMOUS_ORG_ROLE: Admin\n      PROXY_AUTH_WHITELIST: \"*\"\n      AWS_ACCESS_KEY_ID: AKIAEXAMPLE\n",
            "services:\n  a:\n    environment:\n      DATABASE_URL: postgres://u:p@db/app\n      TOKEN_URL: https://auth.example.com/token\n",
        ] {
            assert!(findings(text).is_empty(), "{text}: {:?}", findings(text));
        }
    }

    #[test]
    fn anchored_entries_are_reported_once() {
        let text = "x-env: &env\n  SECRET_KEY: abcdef123\nservices:\n  a:\n    environment: *env\n  b:\n    environment: *env\n";
        assert_eq!(findings(text).len(), 1);
    }

    #[test]
    fn interpolation() {
        assert!(has_interpolation("${A}"));
        assert!(has_interpolation("x$A"));
        assert!(has_interpolation("$${A}${B}"));
        assert!(!has_interpolation("pa$$word"));
        assert!(!has_interpolation("cost$5"));
        assert!(!has_interpolation("end$"));
    }
}
