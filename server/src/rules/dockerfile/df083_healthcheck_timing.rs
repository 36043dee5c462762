use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Reports `HEALTHCHECK --retries=0`, a timing that does not do what it says. Durations
    /// that do not parse are DF020's to report.
    ///
    /// A `--timeout` as long as the `--interval` or longer is not reported: Docker starts
    /// counting the interval when a probe ends, so probes never overlap or run back to back,
    /// whatever the two values.
    ///
    /// ## Why is this bad?
    /// `0` retries does not mean "fail at once": Docker reads it as "not set" and uses its
    /// default of 3, so the container is marked unhealthy three probes later than written.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// HEALTHCHECK --interval=30s --timeout=5s --retries=0 CMD wget -q --spider http://127.0.0.1/ || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD wget -q --spider http://127.0.0.1/ || exit 1
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right timings depend on the service.
    ///
    /// ## References
    /// - practices.md §7 (health checks: interval, timeout, retries, start period)
    /// - HEALTHCHECK: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub const HEALTHCHECK_TIMING = {
        code: "DF083",
        name: "healthcheck-timing",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for top in ctx.checked_instructions() {
        // `ONBUILD HEALTHCHECK ...` has the same flags.
        let Some(instruction) = (match top.kind() {
            InstructionKind::Healthcheck => Some(top),
            InstructionKind::Onbuild => top
                .trigger()
                .filter(|t| t.kind() == InstructionKind::Healthcheck),
            _ => None,
        }) else {
            continue;
        };
        if let Some(retries) = instruction.flags().filter(|f| f.name() == "retries").last()
            && retries.value().is_some_and(|v| v.trim() == "0")
        {
            out.push(HEALTHCHECK_TIMING.diagnostic(
                retries.range(),
                "`--retries=0` does not mean no retries: Docker takes 0 as unset and uses 3",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF083", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn zero_retries() {
        assert_eq!(
            flagged("FROM a\nHEALTHCHECK --retries=0 CMD true\n"),
            ["--retries=0"]
        );
    }

    #[test]
    fn good_timings_defaults_and_bad_syntax_pass() {
        for src in [
            "FROM a\nHEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD true\n",
            "FROM a\nHEALTHCHECK --timeout=60s CMD true\n",
            "FROM a\nHEALTHCHECK --interval=10 --timeout=30s CMD true\n",
            "FROM a\nHEALTHCHECK --interval=0s --timeout=30s CMD true\n",
            "FROM a\nHEALTHCHECK --retries=x CMD true\n",
            "FROM a\nHEALTHCHECK NONE\n",
            // Docker waits the interval after each probe ends: no overlap to report.
            "FROM a\nHEALTHCHECK --interval=10s --timeout=30s CMD true\n",
        ] {
            assert!(flagged(src).is_empty(), "{src}");
        }
    }
}
