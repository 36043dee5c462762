use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::dockerfile::instructions::{indentation_before, is_trigger};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::expand::{ExpandOptions, Lookup, expand};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Instruction, KeyValue};

declare_rule! {
    /// ## What it does
    /// Reports an `ENV` value that uses a variable set earlier in the same `ENV`
    /// instruction, as in `ENV DIR=/opt/app BIN=$DIR/bin`. Using a variable in its own
    /// definition, as in `ENV PATH=/opt/app/bin:$PATH`, is fine.
    ///
    /// ## Why is this bad?
    /// All values of one `ENV` are expanded with the variables from before the
    /// instruction. In the example `BIN` becomes `/bin` (or uses an older `DIR`), not
    /// `/opt/app/bin`: the build goes on with a wrong path and fails later, or not at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV APP_HOME=/opt/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// ## Fix safety
    /// The fix splits the `ENV` before the pair, so the value sees the new variable. It is
    /// unsafe: the value changes (to what was most likely meant). There is no fix when a
    /// comment sits between the pairs.
    ///
    /// ## References
    /// - practices.md §2.3 (`ENV PATH=...:$PATH` is fine)
    /// - Dockerfile reference, ENV: <https://docs.docker.com/reference/dockerfile/#env>
    pub const ENV_SELF_REFERENCE = {
        code: "DF017",
        name: "env-self-reference",
        severity: Error,
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
        if instruction.kind() != InstructionKind::Env {
            continue;
        }
        let pairs: Vec<KeyValue<'_>> = instruction.key_values().collect();
        for (i, pair) in pairs.iter().enumerate().skip(1) {
            let Some(value) = pair.value() else { continue };
            if !value.text.contains('$') {
                continue;
            }
            let earlier = &pairs[..i];
            let uses = expand(&value.text, ExpandOptions::new(ctx.parse.escape), &|_| {
                Lookup::Unset
            });
            let Some(use_) = uses
                .undefined
                .iter()
                .find(|u| earlier.iter().any(|p| p.key().text == u.name))
            else {
                continue;
            };
            let on_one_line = value.range.len() as usize == value.text.len();
            let range = if on_one_line {
                TextRange::new(
                    value.range.start + use_.range.start,
                    value.range.start + use_.range.end,
                )
            } else {
                value.range
            };
            let name = &use_.name;
            let message = format!(
                "`{name}` is set earlier in this same ENV, but values are expanded with the \
                 variables from before the instruction: this is not the new `{name}`"
            );
            let previous = pairs[i - 1].range();
            out.push(match split_fix(ctx, &instruction, previous, pair.range()) {
                Some(fix) => ENV_SELF_REFERENCE.diagnostic_with_fix(range, message, fix),
                None => ENV_SELF_REFERENCE.diagnostic(range, message),
            });
        }
    }
}

/// Starts a new `ENV` between two pairs of one instruction.
fn split_fix(
    ctx: &DockerfileContext<'_>,
    instruction: &Instruction<'_>,
    previous: TextRange,
    pair: TextRange,
) -> Option<Fix> {
    let gap = TextRange::new(previous.end, pair.start);
    if ctx.text.get(gap.as_usize())?.contains('#') {
        return None;
    }
    let keyword = instruction.keyword();
    let (prefix, line_keyword) = if is_trigger(instruction) {
        let onbuild = instruction.syntax().parent().and_then(Instruction::cast)?;
        (
            format!("{} ", onbuild.keyword().text),
            onbuild.keyword().range,
        )
    } else {
        (String::new(), keyword.range)
    };
    let indent = indentation_before(ctx, line_keyword.start);
    Some(Fix {
        title: "Split the ENV here".to_owned(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: gap,
            new_text: format!("{}{indent}{prefix}{} ", ctx.line_ending(), keyword.text),
        }],
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF017", src)
    }

    fn apply_all(src: &str) -> String {
        testing::fixed_all(src, &findings(src))
    }

    #[test]
    fn a_value_using_an_earlier_pair() {
        let src = "FROM a\nENV A=1 B=$A C=${B}x D=3\n";
        let found = findings(src);
        let uses: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(uses, ["$A", "${B}"]);
        let after = apply_all(src);
        assert_eq!(after, "FROM a\nENV A=1\nENV B=$A\nENV C=${B}x D=3\n");
        assert!(findings(&after).is_empty());
    }

    #[test]
    fn continuations_triggers_and_indentation() {
        let src = "FROM a\n  env HOME=/h \\\n      BIN=$HOME/bin\n";
        assert_eq!(
            apply_all(src),
            "FROM a\n  env HOME=/h\n  env BIN=$HOME/bin\n"
        );
        let src = "FROM a\r\nONBUILD ENV A=1 B=$A\r\n";
        assert_eq!(
            apply_all(src),
            "FROM a\r\nONBUILD ENV A=1\r\nONBUILD ENV B=$A\r\n"
        );
    }

    #[test]
    fn own_name_other_instructions_and_single_quotes_pass() {
        let src = "FROM a\nENV PATH=/opt/bin:$PATH\nENV A=1\nENV B=$A\n\
                   ENV C=1 D='$C'\nENV E=$F F=2\nENV G=1 H=\\$G\nLABEL I=1 J=$I\n";
        assert!(findings(src).is_empty(), "{:?}", findings(src));
    }

    #[test]
    fn redefining_a_name_twice_in_one_env_is_reported() {
        let src = "FROM a\nENV P=/a P=$P:/b\n";
        assert_eq!(findings(src).len(), 1);
    }
}
