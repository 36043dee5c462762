use super::compose_health::{Health, dependencies, health, written_inside};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::declare_rule;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a `depends_on` list entry (the short form) naming a service that has a
    /// health check: its own `healthcheck:`, or the `HEALTHCHECK` of the Dockerfile it
    /// builds.
    ///
    /// ## Why is this bad?
    /// The short form only orders the start: Compose starts the dependant as soon as the
    /// dependency's container runs, before the database accepts connections or the server
    /// listens, so the dependant's first requests fail. The dependency's health check is
    /// already there to say when it is ready; the long form with `condition:
    /// service_healthy` makes Compose wait for it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     depends_on:
    ///       - db
    ///   db:
    ///     image: postgres:16-alpine
    ///     healthcheck:
    ///       test: ["CMD-SHELL", "pg_isready -U postgres"]
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
    ///       test: ["CMD-SHELL", "pg_isready -U postgres"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix rewrites the whole list in the long form, with `condition:
    /// service_healthy` for the dependencies that have a health check and `condition:
    /// service_started` (what the list meant) for the others. The dependant then starts only
    /// once those checks pass, and not at all when one never does. A list with comments
    /// inside gets no fix.
    ///
    /// ## References
    /// - depends_on in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#depends_on>
    /// - Control startup order: <https://docs.docker.com/compose/how-tos/startup-order/>
    pub const DEPENDS_ON_START_ORDER_ONLY = {
        code: "CP022",
        name: "depends-on-start-order-only",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    // Whether each service has a healthcheck, found once per service (a big file names
    // the same few dependencies hundreds of times).
    let known: std::cell::RefCell<std::collections::HashMap<&str, bool>> = Default::default();
    let healthy = |name: &str| {
        if let Some(&answer) = known.borrow().get(name) {
            return answer;
        }
        let service = ctx.service(name);
        let answer = service.is_some_and(|s| health(ctx, s) == Health::Defined);
        if let Some(s) = service {
            known.borrow_mut().insert(s.name, answer);
        }
        answer
    };
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let short: Vec<_> = dependencies(ctx, body)
            .into_iter()
            .filter(|d| d.short && d.name != service.name)
            .collect();
        let mut fix = None;
        for dependency in short.iter().filter(|d| healthy(d.name)) {
            let fix = fix.get_or_insert_with(|| long_form(ctx, service, &healthy));
            let message = format!(
                "`{}` starts once `{}` runs, without waiting for its healthcheck: use \
                 `condition: service_healthy`",
                service.name, dependency.name
            );
            let range = ctx.range(dependency.node);
            out.push(match fix.clone() {
                Some(fix) => DEPENDS_ON_START_ORDER_ONLY.diagnostic_with_fix(range, message, fix),
                None => DEPENDS_ON_START_ORDER_ONLY.diagnostic(range, message),
            });
        }
    }
}

/// Rewrites the service's `depends_on` list in the long form, at the file's indentation.
fn long_form(
    ctx: &ComposeContext<'_>,
    service: &Service<'_>,
    healthy: &dyn Fn(&str) -> bool,
) -> Option<Fix> {
    let body = service.body?;
    let (key, Some(list)) = ctx.entry(body, "depends_on")? else {
        return None;
    };
    // The list must follow its key (not be an alias of one written elsewhere).
    if !written_inside(ctx, key, body)
        || !written_inside(ctx, list, body)
        || ctx.range(list).start < ctx.range(key).end
    {
        return None;
    }
    let column = ctx.block_indent(key)?;
    let items = ctx.items(list);
    if items.is_empty() {
        return None;
    }
    let unit = ctx.indent_unit();
    let eol = ctx.line_ending();
    let pad = " ".repeat(column);
    let mut entries = Vec::with_capacity(items.len());
    let mut names = Vec::with_capacity(items.len());
    for &item in &items {
        let name = ctx.scalar(item)?;
        // A name listed twice would be a key written twice.
        if names.contains(&name) {
            return None;
        }
        names.push(name);
        // The name as written (quotes kept); the item must be written in the list itself,
        // on one line (a key cannot run over two).
        let written = ctx.text.get(ctx.range(item).as_usize())?;
        if !written_inside(ctx, item, list) || written.is_empty() || written.contains('\n') {
            return None;
        }
        let condition = if healthy(name) {
            "service_healthy"
        } else {
            "service_started"
        };
        entries.push(format!(
            "{pad}{unit}{written}:{eol}{pad}{unit}{unit}condition: {condition}"
        ));
    }
    let entries = entries.join(eol);
    let list_range = ctx.range(list);
    let flow = ctx.text[list_range.as_usize()].starts_with('[');
    let edit = if flow {
        // `depends_on: [a, b]`: from after the key through `]`, which must end the line.
        let close = list_range.end as usize;
        if !ctx.text[..close].ends_with(']') {
            return None;
        }
        let between = &ctx.text[ctx.range(key).end as usize..list_range.start as usize];
        if between.trim() != ":" || ctx.line_end(close as u32) as usize != close {
            return None;
        }
        Edit {
            range: TextRange::new(ctx.range(key).end, close as u32),
            new_text: format!(":{eol}{entries}"),
        }
    } else {
        // A block list: its item lines, each `- name` alone on its line.
        let start = ctx.line_start(ctx.range(items[0]).start);
        let end = ctx.line_end(ctx.tree().content_end(list));
        for &item in &items {
            let line = ctx.line_start(ctx.range(item).start);
            let before = &ctx.text[line as usize..ctx.range(item).start as usize];
            let after =
                &ctx.text[ctx.range(item).end as usize..ctx.line_end(ctx.range(item).end) as usize];
            if before.trim() != "-" || !after.trim().is_empty() {
                return None;
            }
        }
        Edit {
            range: TextRange::new(start, end),
            new_text: entries,
        }
    };
    // Comments inside the list would be lost.
    if ctx.text[edit.range.as_usize()].contains('#') {
        return None;
    }
    Some(Fix {
        title: format!(
            "Wait for the healthchecks of `{}`'s dependencies",
            service.name
        ),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
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
            .filter(|d| d.code == "CP022")
            .collect()
    }

    fn fixed(src: &str) -> String {
        let found = findings(src);
        assert!(!found.is_empty(), "{src}");
        crate::fix::apply_fixes(src, &[found[0].fix.as_ref().expect("a fix")]).0
    }

    const DB: &str = "  db:\n    image: postgres:16\n    healthcheck:\n      test: pg_isready\n  cache:\n    image: redis:7\n";

    #[test]
    fn rewrites_a_block_list() {
        let src = format!(
            "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      - db\n      - \"cache\"\n    restart: always\n{DB}"
        );
        let found = findings(&src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "db");
        assert_eq!(
            found[0].message,
            "`api` starts once `db` runs, without waiting for its healthcheck: use `condition: \
             service_healthy`"
        );
        assert_eq!(
            fixed(&src),
            format!(
                "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_healthy\n      \"cache\":\n        condition: service_started\n    restart: always\n{DB}"
            )
        );
        assert!(findings(&fixed(&src)).is_empty());
    }

    #[test]
    fn rewrites_a_flow_list() {
        let src =
            format!("services:\n  api:\n    image: acme/api:1\n    depends_on: [cache, db]\n{DB}");
        assert_eq!(
            fixed(&src),
            format!(
                "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      cache:\n        condition: service_started\n      db:\n        condition: service_healthy\n{DB}"
            )
        );
    }

    #[test]
    fn keeps_crlf_and_four_space_indentation() {
        let src = "services:\r\n    api:\r\n        image: acme/api:1\r\n        depends_on:\r\n        - db\r\n    db:\r\n        image: postgres:16\r\n        healthcheck:\r\n            test: pg_isready\r\n";
        assert_eq!(
            fixed(src),
            "services:\r\n    api:\r\n        image: acme/api:1\r\n        depends_on:\r\n            db:\r\n                condition: service_healthy\r\n    db:\r\n        image: postgres:16\r\n        healthcheck:\r\n            test: pg_isready\r\n"
        );
        let src = "services:\r\n    api:\r\n        depends_on: [ db ]\r\n    db:\r\n        healthcheck:\r\n            test: pg_isready\r\n        image: postgres:16\r\n";
        assert_eq!(
            fixed(src),
            "services:\r\n    api:\r\n        depends_on:\r\n            db:\r\n                condition: service_healthy\r\n    db:\r\n        healthcheck:\r\n            test: pg_isready\r\n        image: postgres:16\r\n"
        );
    }

    #[test]
    fn what_passes_and_what_gets_no_fix() {
        for src in [
            // No healthcheck on the dependency: the list says all there is to say.
            "services:\n  api:\n    image: acme/api:1\n    depends_on: [cache]\n  cache:\n    image: redis:7\n",
            // The long form already.
            &format!(
                "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      db:\n        condition: service_started\n{DB}"
            ),
        ] {
            assert!(findings(src).is_empty(), "{src}");
        }
        let src = format!(
            "services:\n  api:\n    image: acme/api:1\n    depends_on:\n      - cache\n      # the database\n      - db\n{DB}"
        );
        let found = findings(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        // A name written over two lines (a plain scalar in a flow list) cannot be a key.
        let src = format!(
            "services:\n  api:\n    image: acme/api:1\n    depends_on: [db, ---\n\"cache\"]\n{DB}"
        );
        let found = findings(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }
}
