use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::compose::ScalarKind;

declare_rule! {
    /// ## What it does
    /// Reports a short-syntax volume entry written in quotes (`- "./data:/data"`) when it
    /// reads the same without them. Entries that need their quotes (a space before `#`, a
    /// `: `, a leading `*` or `&`, ...) are not reported.
    ///
    /// ## Why is this bad?
    /// It is a matter of style: a project that writes volume mounts one way throughout is
    /// easier to read and to search. Unlike ports, volume mounts have no YAML 1.1 number
    /// trap, since a path always has a `/`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16-alpine
    ///     volumes:
    ///       - "pgdata:/var/lib/postgresql/data"
    /// volumes:
    ///   pgdata:
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16-alpine
    ///     volumes:
    ///       - pgdata:/var/lib/postgresql/data
    /// volumes:
    ///   pgdata:
    /// ```
    ///
    /// ## Fix safety
    /// Safe: quotes are removed only when the plain value reads as the same string.
    ///
    /// ## References
    /// - `volumes` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#volumes>
    pub const VOLUME_QUOTES = {
        code: "CP051",
        name: "volume-quotes",
        severity: Style,
        fixable: true,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        let Some(list) = ctx.get(body, "volumes") else {
            continue;
        };
        let flow = ctx.text.as_bytes().get(ctx.range(list).start as usize) == Some(&b'[');
        for volume in ctx.volumes(body) {
            if volume.short.map(|s| s.style) != Some(ScalarKind::Quoted) {
                continue;
            }
            let Some(text) = ctx.scalar(volume.node) else {
                continue;
            };
            if ctx.inner_range(volume.node, text).is_none() || !reads_the_same_plain(text, flow) {
                continue;
            }
            out.push(VOLUME_QUOTES.diagnostic_with_fix(
                volume.range,
                format!("the volume `{text}` of `{}` needs no quotes", service.name),
                Fix {
                    title: "Remove the quotes".to_owned(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        range: volume.range,
                        new_text: text.to_owned(),
                    }],
                },
            ));
        }
    }
}

/// Whether `text` written as a plain scalar is read back as the same string (in a flow
/// sequence when `flow`).
fn reads_the_same_plain(text: &str, flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // Control and format characters (a byte-order mark, say) only survive in quotes.
    if text.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}'
            )
    }) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if text.ends_with(char::is_whitespace) || text.ends_with(':') {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.contains(['\t', '\n', '\r']) {
        return false;
    }
    if flow && text.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    // Not a null, boolean or number in YAML 1.1 or 1.2.
    let lower = text.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'_' | b':' | b'+' | b'-' | b'e' | b'E'));
    !special && !numeric && !lower.starts_with(".inf") && lower != ".nan"
}

#[cfg(test)]
mod tests {
    use super::reads_the_same_plain;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    #[test]
    fn plain_readings() {
        for text in [
            "./data:/data",
            "pgdata:/var/lib/postgresql/data:ro",
            "${DIR:-./x}:/x",
            "~/.ssh:/root/.ssh",
        ] {
            assert!(reads_the_same_plain(text, false), "{text}");
        }
        for text in [
            "",
            " ./a:/a",
            "./my dir #1:/a",
            "./a: b",
            "*x:/x",
            "&x:/x",
            "yes",
            "12:30",
            "-v:/a",
        ] {
            assert!(!reads_the_same_plain(text, false), "{text}");
        }
        assert!(!reads_the_same_plain("${DIR}:/x", true));
    }

    #[test]
    fn unquotes_volume_entries() {
        let src = "services:\n  a:\n    image: x:1\n    volumes:\n      - \"./data:/data\"\n      - './conf:/conf:ro'\n      - \"./my dir #1:/a\"\n      - \"./esc\\tape:/b\"\n      - ./plain:/plain\n  b:\n    image: y:1\n    volumes: [\"./b:/b\"]\n";
        let found: Vec<_> =
            check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
                .into_iter()
                .filter(|d| d.code == "CP051")
                .collect();
        assert_eq!(found.len(), 3);
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let fixed = crate::fix::apply_fixes(src, &fixes).0;
        assert!(fixed.contains(
            "      - ./data:/data\n      - ./conf:/conf:ro\n      - \"./my dir #1:/a\"\n"
        ));
        assert!(fixed.contains("volumes: [./b:/b]"));
    }
}
