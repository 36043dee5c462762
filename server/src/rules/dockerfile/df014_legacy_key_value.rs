use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::ast::KeyValue;

declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `LABEL` written in the legacy form `KEY value`, without `=`.
    /// (`ARG` has no such form: `ARG a b` declares two arguments.)
    ///
    /// ## Why is this bad?
    /// The legacy form takes everything after the key as one value, spaces included, while
    /// the `KEY=value` form splits on spaces and allows several pairs per line. Mixing the
    /// two is confusing (`ENV A 1 B 2` sets `A` to `1 B 2`), and Docker's documentation
    /// says the legacy form may be removed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ENV NODE_ENV production
    /// LABEL org.opencontainers.image.title My service
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// ENV NODE_ENV=production
    /// LABEL org.opencontainers.image.title="My service"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix puts `=` between key and value and wraps a value made of several
    /// words in double quotes, which gives the same value. There is no fix when such a value
    /// holds quotes or escape characters.
    ///
    /// ## References
    /// - Docker build checks, LegacyKeyValueFormat: <https://docs.docker.com/reference/build-checks/legacy-key-value-format/>
    pub const LEGACY_KEY_VALUE = {
        code: "DF014",
        name: "legacy-key-value",
        severity: Style,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let Some(env) = instruction.as_env() else {
            continue;
        };
        for pair in env.pairs().filter(|p| p.is_legacy()) {
            let key = pair.key();
            let message = format!(
                "`{name} {key} <value>` is the legacy form: write `{key}=<value>`",
                name = instruction.name(),
                key = key.text
            );
            out.push(match fix(ctx, &pair) {
                Some(fix) => LEGACY_KEY_VALUE.diagnostic_with_fix(key.range, message, fix),
                None => LEGACY_KEY_VALUE.diagnostic(key.range, message),
            });
        }
    }
}

fn fix(ctx: &DockerfileContext<'_>, pair: &KeyValue<'_>) -> Option<Fix> {
    let key = pair.key();
    let value = pair.value()?;
    let gap = TextRange::new(key.range.end, value.range.start);
    // A comment line between key and value would be lost.
    if ctx.text.get(gap.as_usize())?.contains('#') {
        return None;
    }
    let escape = ctx.parse.escape;
    // Quotes in the key would group words differently once the key is joined to the value.
    if key.text.contains(['"', '\'', escape]) {
        return None;
    }
    let text = value.text.as_ref();
    let one_word = !text.contains(char::is_whitespace) || is_one_quoted_string(text, escape);
    let (range, written) = if one_word {
        // One shell word reads the same in both forms.
        (gap, text.to_owned())
    } else {
        let plain = !text.contains(['"', '\'', '\\', escape])
            && ctx.text.get(value.range.as_usize()) == Some(text);
        if !plain {
            return None;
        }
        (
            TextRange::new(key.range.end, value.range.end),
            format!("\"{text}\""),
        )
    };
    let new_text = if one_word {
        "=".to_owned()
    } else {
        format!("={written}")
    };
    Some(Fix {
        title: format!("Write `{}={written}`", key.text),
        applicability: Applicability::Safe,
        edits: vec![Edit { range, new_text }],
    })
}

/// `"..."` or `'...'` with no other quote (or escape) inside.
fn is_one_quoted_string(text: &str, escape: char) -> bool {
    let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let Some(inner) = text[1..].strip_suffix(quote) else {
        return false;
    };
    !inner.contains(quote) && !inner.contains(escape)
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF014", src)
    }

    fn fixed(src: &str) -> Option<String> {
        let found = findings(src);
        assert_eq!(found.len(), 1, "{src}");
        found[0].fix.as_ref()?;
        let out = testing::fixed(src, &found[0]);
        assert!(findings(&out).is_empty(), "{out}");
        Some(out)
    }

    #[test]
    fn env_and_label_get_an_equals_sign() {
        assert_eq!(
            fixed("FROM a\nENV NODE_ENV production\n").as_deref(),
            Some("FROM a\nENV NODE_ENV=production\n")
        );
        assert_eq!(
            fixed("FROM a\nENV PATH /opt/bin:$PATH\n").as_deref(),
            Some("FROM a\nENV PATH=/opt/bin:$PATH\n")
        );
        assert_eq!(
            fixed("FROM a\nlabel title My   service\n").as_deref(),
            Some("FROM a\nlabel title=\"My   service\"\n")
        );
        assert_eq!(
            fixed("FROM a\nENV MSG \"hello world\"\n").as_deref(),
            Some("FROM a\nENV MSG=\"hello world\"\n")
        );
        assert_eq!(
            fixed("FROM a\nONBUILD ENV A b\n").as_deref(),
            Some("FROM a\nONBUILD ENV A=b\n")
        );
        assert_eq!(
            fixed("FROM a\r\nENV A \\\r\n  b\r\n").as_deref(),
            Some("FROM a\r\nENV A=b\r\n")
        );
    }

    #[test]
    fn values_that_would_need_escaping_get_no_fix() {
        assert_eq!(fixed("FROM a\nENV MSG it's \"quoted\"\n"), None);
        assert_eq!(fixed("FROM a\nENV MSG a\\ b c\n"), None);
        assert_eq!(fixed("FROM a\nENV MSG \"a\" \"b\"\n"), None);
        assert_eq!(fixed("FROM a\nLABEL a\"b c\n"), None);
    }

    #[test]
    fn modern_forms_and_arg_pass() {
        let src = "FROM a\nENV A=1 B=\"2 3\"\nLABEL x=y\nARG NAME other\nARG V=1\n";
        assert!(findings(src).is_empty());
    }
}
