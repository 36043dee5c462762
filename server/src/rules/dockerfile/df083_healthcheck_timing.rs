use crate::diagnostics::Diagnostic;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Flag;

declare_rule! {
    /// ## What it does
    /// Reports `HEALTHCHECK` timings that defeat the check: a `--timeout` as long as or longer
    /// than the `--interval` (when both are given), and `--retries=0`. Durations that do not
    /// parse are DF020's to report and are skipped here.
    ///
    /// ## Why is this bad?
    /// A probe allowed to run as long as the pause between probes means a hung service is
    /// noticed only after several intervals, and slow probes pile up back to back. `0`
    /// retries does not mean "fail at once": Docker reads it as "not set" and uses its
    /// default of 3.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// HEALTHCHECK --interval=10s --timeout=30s --retries=0 CMD wget -q --spider http://127.0.0.1/ || exit 1
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
        let duration = |name: &str| -> Option<(Flag<'_>, u128)> {
            let flag = instruction.flags().filter(|f| f.name() == name).last()?;
            let nanos = parse_duration(&flag.value()?)?;
            Some((flag, nanos))
        };
        if let (Some((interval_flag, interval)), Some((timeout_flag, timeout))) =
            (duration("interval"), duration("timeout"))
            && interval > 0
            && timeout > 0
            && timeout >= interval
        {
            let (i, t) = (
                interval_flag.value().unwrap_or_default(),
                timeout_flag.value().unwrap_or_default(),
            );
            out.push(HEALTHCHECK_TIMING.diagnostic(
                timeout_flag.range(),
                format!(
                    "the timeout ({t}) is not shorter than the interval ({i}): a hung service \
                     is noticed late and slow probes run back to back"
                ),
            ));
        }
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

/// Nanoseconds in a Go duration (`1m30s`, `500ms`, `0`), or `None` when it does not parse
/// or is negative.
fn parse_duration(text: &str) -> Option<u128> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    if text == "0" {
        return Some(0);
    }
    if text.is_empty() || text.starts_with('-') {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * unit;
    }
    (total.is_finite() && total < 1e30).then_some(total as u128)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use crate::rules::testing;

    fn flagged(src: &str) -> Vec<String> {
        testing::findings("DF083", src)
            .into_iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn timeout_not_shorter_than_interval() {
        assert_eq!(
            flagged("FROM a\nHEALTHCHECK --interval=10s --timeout=30s CMD true\n"),
            ["--timeout=30s"]
        );
        assert_eq!(
            flagged("FROM a\nHEALTHCHECK --timeout=1m --interval=60s CMD true\n"),
            ["--timeout=1m"]
        );
        assert_eq!(
            flagged("FROM a\nONBUILD HEALTHCHECK --interval=1s --timeout=1500ms CMD true\n"),
            ["--timeout=1500ms"]
        );
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
        ] {
            assert!(flagged(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("1d"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("s"), None);
    }
}
