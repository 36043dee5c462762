use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports Dockerfile syntax errors: unknown or misspelled instructions, instructions
    /// missing their arguments, malformed `ENV`/`LABEL` pairs, JSON arrays that hold
    /// something other than strings, unterminated heredocs, and bad parser directives.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at the first of these, often after minutes of earlier steps.
    /// Catching them in the editor saves the round trip.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUNN apk add --no-cache curl
    /// COPY app.sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// COPY app.sh /usr/local/bin/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intent of a broken line is for a person to decide.
    ///
    /// ## References
    /// - Dockerfile reference: <https://docs.docker.com/reference/dockerfile/>
    pub const INSTRUCTION_SYNTAX = {
        code: "DF020",
        name: "instruction-syntax",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for error in &ctx.parse.errors {
        out.push(INSTRUCTION_SYNTAX.diagnostic(error.range, error.message.clone()));
    }
}
