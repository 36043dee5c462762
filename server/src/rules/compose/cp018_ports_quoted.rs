use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;
use crate::syntax::compose::{ScalarKind, Yaml11Trap};

declare_rule! {
    /// ## What it does
    /// Reports a short-syntax port mapping written without quotes (`- 8080:80`). It is a
    /// warning when a YAML 1.1 reader would take the value for a number: `22:22` and other
    /// `N:M` values with `M` below 60 read as base-60 numbers there (`22:22` is 1342). Any
    /// other unquoted `HOST:CONTAINER` entry is reported at style level.
    ///
    /// ## Why is this bad?
    /// Compose reads YAML 1.2, where `22:22` is a string, but the file is also read by older
    /// Compose releases, CI linters, editors and scripts built on YAML 1.1 libraries, which
    /// turn it into a number and publish the wrong port or reject the file. Quoting every
    /// mapping keeps them all in agreement and costs nothing.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   git:
    ///     image: gitea/gitea:1.22.3
    ///     ports:
    ///       - 22:22
    ///       - 3000:3000
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   git:
    ///     image: gitea/gitea:1.22.3
    ///     ports:
    ///       - "22:22"
    ///       - "3000:3000"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: Compose reads the quoted value exactly as it read the plain one.
    ///
    /// ## References
    /// - `ports` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#ports>
    pub const PORTS_QUOTED = {
        code: "CP018",
        name: "ports-quoted",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for entry in ctx.ports(body) {
            let Some(short) = entry.short else {
                continue;
            };
            let Some(node) = tree.node(entry.node) else {
                continue;
            };
            let Some(text) = ctx.scalar(entry.node) else {
                continue;
            };
            // A tag (`!!str 22:22`) already says how to read the value.
            if short.style != ScalarKind::Plain
                || node.tag.is_some()
                || !text.contains(':')
                || text.contains('$')
            {
                continue;
            }
            let (message, severity) = match node.yaml11_trap() {
                Some(Yaml11Trap::Sexagesimal(n)) => (
                    format!(
                        "`{text}` of `{}` is unquoted: YAML 1.1 readers take it for the base-60 \
                         number {n}; quote it",
                        service.name
                    ),
                    Severity::Warning,
                ),
                _ => (
                    format!(
                        "`{text}` of `{}` is unquoted: quote port mappings so that no YAML 1.1 \
                         reader takes one for a number",
                        service.name
                    ),
                    Severity::Style,
                ),
            };
            // The plain scalar's text is its source; quotes can go around it as it is.
            let fix = (!text.contains(['"', '\\']) && ctx.inner_range(entry.node, text).is_some())
                .then(|| Fix {
                    title: "Quote the port mapping".to_owned(),
                    applicability: Applicability::Safe,
                    edits: vec![
                        Edit {
                            range: TextRange::empty(entry.range.start),
                            new_text: "\"".to_owned(),
                        },
                        Edit {
                            range: TextRange::empty(entry.range.end),
                            new_text: "\"".to_owned(),
                        },
                    ],
                });
            let mut d = match fix {
                Some(fix) => PORTS_QUOTED.diagnostic_with_fix(entry.range, message, fix),
                None => PORTS_QUOTED.diagnostic(entry.range, message),
            };
            d.severity = severity;
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP018")
            .collect()
    }

    #[test]
    fn base_60_traps_warn_and_others_are_style() {
        let src = "services:\n  git:\n    image: gitea/gitea:1.22.3\n    ports:\n      - 22:22\n      - 8080:80\n      - 127.0.0.1:3000:3000\n      - \"2222:22\"\n      - 80\n      - ${SSH_PORT}:22\n";
        let found = findings(src);
        let got: Vec<_> = found
            .iter()
            .map(|d| (&src[d.range.as_usize()], d.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("22:22", Severity::Warning),
                ("8080:80", Severity::Style),
                ("127.0.0.1:3000:3000", Severity::Style),
            ]
        );
        assert!(found[0].message.contains("base-60 number 1342"));
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let fixed = crate::fix::apply_fixes(src, &fixes).0;
        assert!(
            fixed.contains(
                "      - \"22:22\"\n      - \"8080:80\"\n      - \"127.0.0.1:3000:3000\"\n"
            )
        );
    }

    #[test]
    fn flow_sequences_are_quoted_in_place() {
        let src = "services:\n  web:\n    image: nginx:1.27\n    ports: [80:80, \"443:443\"]\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        let fixed = crate::fix::apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(fixed.contains("ports: [\"80:80\", \"443:443\"]"));
    }
}
