use std::collections::HashSet;

use super::cp010_hardcoded_secret_env::{has_interpolation, value_edit};
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::NodeId;

declare_rule! {
    /// ## What it does
    /// Reports a URL with a password in it (`scheme://user:password@host`) in an
    /// `environment` value, or in a service's `command` or `entrypoint` (a string or a list
    /// item). Only a literal password counts: not an empty one, and not one with `${VAR}` in
    /// it. The password is never repeated in the message.
    ///
    /// ## Why is this bad?
    /// A connection string is a secret too: whoever reads the compose file (the repository,
    /// a CI log, `docker compose config`, `docker inspect`) can log into the database. The
    /// variable's name (`DATABASE_URL`) does not say so, so it is easy to commit by mistake.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - DATABASE_URL=postgresql://app:password@postgres:5432/app
    ///       - REDIS_URL=redis://redis:6379
    /// ```
    ///
    /// Use instead: set the whole URL in `.env` (kept out of git), or build it from parts
    /// that come from there:
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     environment:
    ///       - DATABASE_URL=postgresql://app:${POSTGRES_PASSWORD}@postgres:5432/app
    ///       - REDIS_URL=redis://redis:6379
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix replaces an environment value with `${NAME}`; until `NAME` is set in
    /// `.env` or the environment, Compose substitutes an empty string. A URL in `command` or
    /// `entrypoint` has no fix.
    ///
    /// ## References
    /// - Set environment variables: <https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/>
    /// - Interpolation: <https://docs.docker.com/reference/compose-file/interpolation/>
    /// - Secrets in Compose: <https://docs.docker.com/compose/how-tos/use-secrets/>
    pub const CREDENTIALS_IN_URL = {
        code: "CP011",
        name: "credentials-in-url",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let name = service.name;
        for entry in ctx.environment(body) {
            let Some(value) = entry.value else { continue };
            let Some(url) = credential_urls(value).into_iter().next() else {
                continue;
            };
            let range = entry
                .node
                .and_then(|node| sub_range(ctx, node, ctx.scalar(node)?, url))
                .unwrap_or(entry.value_range.unwrap_or(entry.range));
            if !seen.insert(range.start) {
                continue;
            }
            let variable = entry.name;
            let message = format!(
                "the URL in `{variable}` of service `{name}` has a password written in the \
                 compose file: take the value from the environment or `.env` instead"
            );
            let mut d = CREDENTIALS_IN_URL.diagnostic(range, message);
            if let Some(edit) = value_edit(ctx, &entry) {
                d.fix = Some(Fix {
                    title: format!("Use `${{{variable}}}` and set the URL in `.env`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
            out.push(d);
        }
        for key in ["command", "entrypoint"] {
            let Some(value) = ctx.get(body, key) else {
                continue;
            };
            let items = match ctx.scalar(value) {
                Some(_) => vec![value],
                None => ctx.items(value),
            };
            for item in items {
                let Some(text) = ctx.scalar(item) else {
                    continue;
                };
                for url in credential_urls(text) {
                    let range = sub_range(ctx, item, text, url).unwrap_or(ctx.range(item));
                    if !seen.insert(range.start) {
                        continue;
                    }
                    out.push(CREDENTIALS_IN_URL.diagnostic(
                        range,
                        format!(
                            "a URL in the `{key}` of service `{name}` has a password written \
                             in the compose file: pass it in through an environment variable"
                        ),
                    ));
                }
            }
        }
    }
}

/// The span of `part` (a slice of `text`) in the source, when the scalar's source text is
/// its value.
fn sub_range(ctx: &ComposeContext<'_>, node: NodeId, text: &str, part: &str) -> Option<TextRange> {
    let inner = ctx.inner_range(node, text)?;
    let offset = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)? as u32;
    let start = inner.start + offset;
    Some(TextRange::new(start, start + part.len() as u32))
}

/// The URLs in `text` with a literal password: each from its scheme through its host.
fn credential_urls(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("://").map(|i| from + i) {
        from = at + 3;
        // The scheme: letters, digits, `+`, `-`, `.`, starting with a letter.
        // (The character before it may be several bytes long.)
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let scheme = &text[start..at];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let rest = &text[at + 3..];
        let authority_len = rest
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`') || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let Some((userinfo, _host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((_user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if password.is_empty() || has_interpolation(password) || is_placeholder(password) {
            continue;
        }
        let end = at + 3 + authority_len;
        found.push(&text[start..end]);
        from = end;
    }
    found
}

/// `<password>`, `***`, `...`: documentation, not a password.
fn is_placeholder(password: &str) -> bool {
    (password.starts_with('<') && password.ends_with('>'))
        || password
            .bytes()
            .all(|b| matches!(b, b'*' | b'.' | b'x' | b'X'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_multibyte_character_before_the_scheme_is_no_trouble() {
        assert!(super::credential_urls("red한is://redis:6379").is_empty());
        assert_eq!(
            super::credential_urls("한postgres://u:secret@db/x"),
            ["postgres://u:secret@db"]
        );
    }

    use super::credential_urls;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(text: &str) -> Vec<Diagnostic> {
        check_compose_with(text, &ComposeFacts::default(), &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP011")
            .collect()
    }

    #[test]
    fn urls_with_literal_passwords() {
        assert_eq!(
            credential_urls("postgresql://user:password@postgres:5432/mydb"),
            ["postgresql://user:password@postgres:5432"]
        );
        assert_eq!(
            credential_urls("redis://:s3cret@redis:6379/0"),
            ["redis://:s3cret@redis:6379"]
        );
        assert_eq!(
            credential_urls("--db=mysql+pymysql://root:pw@db/x --cache redis://c:6379"),
            ["mysql+pymysql://root:pw@db"]
        );
        assert_eq!(
            credential_urls("amqp://guest:p@ss@rabbit:5672"),
            ["amqp://guest:p@ss@rabbit:5672"]
        );
        for text in [
            "redis://redis:6379",
            "postgres://user@db/app",
            "postgres://user:@db/app",
            "postgres://user:${DB_PASSWORD}@db/app",
            "postgres://user:$DB_PASSWORD@db/app",
            "postgres://user:<password>@db/app",
            "https://example.com/a:b@c",
            "://x:y@z",
        ] {
            assert!(credential_urls(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn environment_command_and_entrypoint() {
        let text = "services:\n  api:\n    environment:\n      DATABASE_URL: \"postgresql://u:pw@db:5432/app\"\n      CACHE: redis://cache:6379\n    command: [\"--broker\", \"amqp://guest:guest@mq//\"]\n  worker:\n    entrypoint: celery -b redis://:pw@cache:6379/0 worker\n";
        let found = findings(text);
        let flagged: Vec<&str> = found.iter().map(|d| &text[d.range.as_usize()]).collect();
        assert_eq!(
            flagged,
            [
                "postgresql://u:pw@db:5432",
                "amqp://guest:guest@mq",
                "redis://:pw@cache:6379"
            ]
        );
        for d in &found {
            assert!(!d.message.contains("pw"), "{}", d.message);
        }
        let fixed = crate::fix::apply_fixes(text, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(fixed.contains("DATABASE_URL: ${DATABASE_URL}\n"), "{fixed}");
        assert!(found[1].fix.is_none());
    }

    #[test]
    fn list_form_fix() {
        let text = "services:\n  api:\n    environment:\n      - DATABASE_URL=postgresql://user:password@postgres:5432/mydb\n";
        let found = findings(text);
        assert_eq!(found.len(), 1);
        let fixed = crate::fix::apply_fixes(text, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.contains("- DATABASE_URL=${DATABASE_URL}\n"),
            "{fixed}"
        );
    }
}
