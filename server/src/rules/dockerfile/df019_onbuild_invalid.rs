use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.
    ///
    /// ## Why is this bad?
    /// `docker build` refuses all three: triggers cannot be chained, a trigger cannot start
    /// a new stage in the child image, and `MAINTAINER` is not allowed as a trigger.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ONBUILD FROM node:22-slim
    /// ONBUILD COPY package*.json ./
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// ONBUILD COPY package*.json ./
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what the trigger was meant to do is for a person to decide.
    ///
    /// ## References
    /// - Dockerfile reference, ONBUILD: <https://docs.docker.com/reference/dockerfile/#onbuild>
    pub const ONBUILD_INVALID = {
        code: "DF019",
        name: "onbuild-invalid",
        severity: Error,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let Some(trigger) = instruction.trigger() else {
            continue;
        };
        let message = match trigger.kind() {
            InstructionKind::Onbuild => {
                "ONBUILD cannot trigger another ONBUILD: triggers do not chain"
            }
            InstructionKind::From => {
                "ONBUILD cannot trigger FROM: a trigger cannot start a stage in the image \
                 built from this one"
            }
            InstructionKind::Maintainer => "ONBUILD cannot trigger MAINTAINER",
            _ => continue,
        };
        out.push(ONBUILD_INVALID.diagnostic(trigger.keyword().range, message));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF019", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn forbidden_triggers() {
        let src = "FROM a\nONBUILD ONBUILD RUN x\nonbuild from b\nONBUILD Maintainer me\n";
        assert_eq!(flagged(src), ["ONBUILD", "from", "Maintainer"]);
    }

    #[test]
    fn ordinary_triggers_pass() {
        let src = "FROM a\nONBUILD RUN x\nONBUILD COPY . /app/\nONBUILD\nRUN onbuild from\n";
        assert!(flagged(src).is_empty());
    }
}
