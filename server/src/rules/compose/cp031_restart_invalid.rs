use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::compose::{MergeTag, NodeKind, ScalarKind};

declare_rule! {
    /// ## What it does
    /// Reports a service `restart` that is not one of the policies Docker knows: `"no"`,
    /// `always`, `on-failure`, `on-failure:N` (at most N retries) and `unless-stopped`. A
    /// bare `no` is reported too: it must be quoted. Values that use `${...}` are left
    /// alone.
    ///
    /// ## Why is this bad?
    /// Compose refuses an unknown policy when it creates the container, so a typo such as
    /// `unless_stopped` or `on_failure` breaks `up`, possibly only on the server where the
    /// file is first used. A bare `no` is a string for today's Compose (YAML 1.2), but YAML
    /// 1.1 readers (older Compose releases, many tools) read it as the boolean `false`, which
    /// is not a policy at all.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: ghcr.io/acme/worker:2.0.1
    ///     restart: no
    ///   web:
    ///     image: nginx:1.27
    ///     restart: unless_stopped
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: ghcr.io/acme/worker:2.0.1
    ///     restart: "no"
    ///   web:
    ///     image: nginx:1.27
    ///     restart: unless-stopped
    /// ```
    ///
    /// ## Fix safety
    /// Quoting a bare `no` is safe: Compose reads the same string. Other spellings of false
    /// (`false`, `off`) are replaced with `"no"` by an unsafe fix, as what was meant is a
    /// guess. Other values get no fix.
    ///
    /// ## References
    /// - `restart` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#restart>
    pub const RESTART_INVALID = {
        code: "CP031",
        name: "restart-invalid",
        severity: Error,
        fixable: true,
        default_enabled: true,
    };
}

/// The policies Docker knows, besides `on-failure:N`.
const POLICIES: &[&str] = &["no", "always", "on-failure", "unless-stopped"];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let Some(value) = ctx.get(body, "restart") else {
            continue;
        };
        let Some(node) = tree.node(value) else {
            continue;
        };
        let NodeKind::Scalar { value: text, style } = &node.kind else {
            continue;
        };
        let plain_null =
            *style == ScalarKind::Plain && matches!(&**text, "" | "~" | "null" | "Null" | "NULL");
        // `!reset` and null values are for the schema and merging to judge.
        if text.contains('$')
            || plain_null
            || node.merge_tag().is_some_and(|t| t == MergeTag::Reset)
        {
            continue;
        }
        let plain = *style == ScalarKind::Plain && node.tag.is_none();
        let replace = |applicability| Fix {
            title: "Write `\"no\"`".to_owned(),
            applicability,
            edits: vec![Edit {
                range: node.range,
                new_text: "\"no\"".to_owned(),
            }],
        };
        if plain && &**text == "no" {
            out.push(RESTART_INVALID.diagnostic_with_fix(
                node.range,
                format!(
                    "quote `no` in the restart policy of `{}`: YAML 1.1 readers (older Compose, \
                     many tools) read bare `no` as false",
                    service.name
                ),
                replace(Applicability::Safe),
            ));
            continue;
        }
        if is_policy(text) {
            continue;
        }
        let message = format!(
            "`{text}` is not a restart policy (service `{}`): use \"no\", always, \
             on-failure[:N] or unless-stopped",
            service.name
        );
        let falsy = plain
            && matches!(
                text.to_ascii_lowercase().as_str(),
                "false" | "no" | "off" | "n"
            );
        out.push(if falsy {
            RESTART_INVALID.diagnostic_with_fix(node.range, message, replace(Applicability::Unsafe))
        } else {
            RESTART_INVALID.diagnostic(node.range, message)
        });
    }
}

fn is_policy(text: &str) -> bool {
    POLICIES.contains(&text)
        || text
            .strip_prefix("on-failure:")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP031")
            .collect()
    }

    fn service(restart: &str) -> String {
        format!("services:\n  app:\n    image: nginx:1.27\n    restart: {restart}\n")
    }

    #[test]
    fn valid_policies_pass() {
        for restart in [
            "\"no\"",
            "'no'",
            "always",
            "on-failure",
            "on-failure:5",
            "unless-stopped",
            "${RESTART_POLICY:-always}",
            "!!str no",
            "!reset null",
            "",
        ] {
            assert!(findings(&service(restart)).is_empty(), "{restart}");
        }
    }

    #[test]
    fn bare_no_is_quoted_safely() {
        let src = service("no  # never");
        let found = findings(&src);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.starts_with("quote `no`"));
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        let fixed = crate::fix::apply_fixes(&src, &[fix]).0;
        assert_eq!(fixed, service("\"no\"  # never"));
    }

    #[test]
    fn unknown_policies() {
        for (restart, fix) in [
            ("unless_stopped", None),
            ("on-failure:x", None),
            ("\"No\"", None),
            ("false", Some(Applicability::Unsafe)),
            ("off", Some(Applicability::Unsafe)),
            ("true", None),
        ] {
            let found = findings(&service(restart));
            assert_eq!(found.len(), 1, "{restart}");
            assert_eq!(
                found[0].fix.as_ref().map(|f| f.applicability),
                fix,
                "{restart}"
            );
        }
    }
}
