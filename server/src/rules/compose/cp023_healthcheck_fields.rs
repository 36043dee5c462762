use std::collections::HashSet;

use super::cp010_hardcoded_secret_env::has_interpolation;
use crate::diagnostics::{Diagnostic, Severity};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::rules::dockerfile::durations::parse_compose_duration;
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, ScalarKind};

declare_rule! {
    /// ## What it does
    /// Reports a service `healthcheck` that Docker refuses or that does not do what it says.
    /// Errors: a `test` list that does not start with `NONE`, `CMD` or `CMD-SHELL`; an empty
    /// `test` (or `CMD` with no command); an `interval`, `timeout`, `start_period` or
    /// `start_interval` that is not a duration (`30s`, `1m30s`, `500ms`; Compose also takes
    /// `d` and `w`), is negative, or is shorter than Docker's minimum of 1ms; `retries`
    /// below 0. Warnings: `retries: 0` (Docker takes it as unset and uses 3), a
    /// `start_interval` without a `start_period` (it only applies during the start period,
    /// which is 0 by default), and `disable: true` next to a `test` that it throws away.
    /// Values with `${VAR}` are not judged, and a duration written as a bare number is
    /// CP001's (Compose wants a string). A `timeout` as long as the `interval` or longer is
    /// not reported: Docker starts counting the interval when a probe ends, so probes never
    /// overlap or run back to back, whatever the two values.
    ///
    /// ## Why is this bad?
    /// Docker rejects a bad test or duration only when the container is created, so
    /// `docker compose up` fails late, for one service. The warnings are checks that run
    /// less often, or never, than the file suggests: a hung service is noticed late, or
    /// the health status never changes.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     healthcheck:
    ///       test: ["curl", "-f", "http://localhost:3000/health"]
    ///       interval: 10s
    ///       timeout: 30s
    ///       retries: 0
    ///       start_interval: 2s
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     healthcheck:
    ///       test: ["CMD", "curl", "-f", "http://localhost:3000/health"]
    ///       interval: 30s
    ///       timeout: 5s
    ///       retries: 3
    ///       start_period: 40s
    ///       start_interval: 2s
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the right command and timings depend on the service.
    ///
    /// ## References
    /// - healthcheck in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#healthcheck>
    /// - HEALTHCHECK options: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub const HEALTHCHECK_FIELDS = {
        code: "CP023",
        name: "healthcheck-fields",
        severity: Error,
        fixable: false,
        default_enabled: true,
    };
}

const DURATIONS: &[&str] = &["interval", "timeout", "start_period", "start_interval"];

/// Docker's shortest allowed interval, timeout, start period and start interval.
const MINIMUM_NANOS: i64 = 1_000_000;

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let Some(healthcheck) = ctx.get(body, "healthcheck") else {
            continue;
        };
        if !matches!(
            ctx.tree().node(healthcheck).map(|n| &n.kind),
            Some(NodeKind::Mapping(_))
        ) {
            continue;
        }
        // A healthcheck shared through an anchor is reported once.
        if !seen.insert(ctx.range(healthcheck).start) {
            continue;
        }
        let mut found = Vec::new();
        check_healthcheck(ctx, service.name, healthcheck, &mut found);
        for (severity, range, message) in found {
            let mut d = HEALTHCHECK_FIELDS.diagnostic(range, message);
            d.severity = severity;
            out.push(d);
        }
    }
}

type Finding = (Severity, TextRange, String);

fn check_healthcheck(
    ctx: &ComposeContext<'_>,
    service: &str,
    healthcheck: NodeId,
    out: &mut Vec<Finding>,
) {
    let test = ctx.entry(healthcheck, "test");
    if let Some((_, value)) = test {
        check_test(ctx, service, value, out);
    }
    let mut durations: Vec<(&str, TextRange, &str, Option<i64>)> = Vec::new();
    for &field in DURATIONS {
        let Some((_, Some(value))) = ctx.entry(healthcheck, field) else {
            continue;
        };
        let Some(text) = string_value(ctx, value) else {
            continue;
        };
        let range = ctx.range(value);
        let nanos = parse_compose_duration(text.trim());
        match nanos {
            None => out.push((
                Severity::Error,
                range,
                format!(
                    "`{field}` of service `{service}` is not a duration: write a number with a \
                     unit, like `30s`, `1m30s` or `500ms`"
                ),
            )),
            Some(n) if n < 0 => out.push((
                Severity::Error,
                range,
                format!("`{field}` of service `{service}` is negative"),
            )),
            Some(n) if n > 0 && n < MINIMUM_NANOS => out.push((
                Severity::Error,
                range,
                format!(
                    "`{field}` of service `{service}` is shorter than 1ms, which Docker refuses"
                ),
            )),
            _ => {}
        }
        durations.push((field, range, text, nanos.filter(|n| *n > 0)));
    }
    if let Some((_, Some(value))) = ctx.entry(healthcheck, "retries")
        && let Some(text) = ctx.scalar(value)
        && !has_interpolation(text)
    {
        let range = ctx.range(value);
        match text.trim().parse::<f64>() {
            Ok(n) if n < 0.0 || n.fract() != 0.0 => out.push((
                Severity::Error,
                range,
                format!("`retries` of service `{service}` must be a whole number of at least 1"),
            )),
            Ok(n) if n < 1.0 => out.push((
                Severity::Warning,
                range,
                format!(
                    "`retries: 0` of service `{service}` does not mean no retries: Docker takes \
                     0 as unset and uses 3"
                ),
            )),
            _ => {}
        }
    }
    if let Some((key, Some(_))) = ctx.entry(healthcheck, "start_interval")
        && ctx.entry(healthcheck, "start_period").is_none()
    {
        out.push((
            Severity::Warning,
            ctx.range(key),
            format!(
                "`start_interval` of service `{service}` has no effect without a \
                 `start_period`: it sets how often to probe during the start period, which is 0 \
                 by default"
            ),
        ));
    }
    if let Some((key, Some(value))) = ctx.entry(healthcheck, "disable")
        && ctx
            .scalar(value)
            .is_some_and(|v| matches!(v, "true" | "True" | "TRUE"))
        && test.is_some()
    {
        out.push((
            Severity::Warning,
            ctx.range(key),
            format!(
                "`disable: true` turns off the healthcheck of service `{service}`, so its `test` \
                 is never run: remove one of them"
            ),
        ));
    }
}

fn check_test(
    ctx: &ComposeContext<'_>,
    service: &str,
    value: Option<NodeId>,
    out: &mut Vec<Finding>,
) {
    let empty = |range: TextRange| {
        (
            Severity::Error,
            range,
            format!(
                "the healthcheck `test` of service `{service}` is empty: give a command to run"
            ),
        )
    };
    // A value a syntax error cut off is CP001's.
    let Some(value) = value else { return };
    let range = ctx.range(value);
    match ctx.tree().node(value).map(|n| &n.kind) {
        Some(NodeKind::Scalar { value: text, style }) => {
            // A plain empty value is null: no test is set, which the schema allows.
            let null = *style == ScalarKind::Plain
                && matches!(&**text, "" | "~" | "null" | "Null" | "NULL");
            if !null && text.trim().is_empty() {
                out.push(empty(range));
            }
        }
        Some(NodeKind::Sequence(_)) => {
            let items = ctx.items(value);
            let Some(&first) = items.first() else {
                out.push(empty(range));
                return;
            };
            let Some(kind) = ctx.scalar(first) else {
                return;
            };
            if has_interpolation(kind) {
                return;
            }
            match kind {
                "NONE" => {}
                "CMD" | "CMD-SHELL" => {
                    let command = items[1..]
                        .iter()
                        .any(|&i| ctx.scalar(i).is_some_and(|t| !t.trim().is_empty()));
                    if !command {
                        out.push((
                            Severity::Error,
                            range,
                            format!(
                                "the healthcheck `test` of service `{service}` has `{kind}` but \
                                 no command to run"
                            ),
                        ));
                    }
                }
                _ => {
                    let hint = if kind.eq_ignore_ascii_case("cmd")
                        || kind.eq_ignore_ascii_case("cmd-shell")
                        || kind.eq_ignore_ascii_case("none")
                    {
                        format!("write `{}` in capitals", kind.to_ascii_uppercase())
                    } else if kind.contains(' ') {
                        format!("start it with `CMD-SHELL` to run `{kind}` in a shell")
                    } else {
                        "start it with `CMD` (run the command as is) or `CMD-SHELL` (run it \
                         in a shell)"
                            .to_owned()
                    };
                    out.push((
                        Severity::Error,
                        ctx.range(first),
                        format!(
                            "a healthcheck `test` list must start with `CMD`, `CMD-SHELL` or \
                             `NONE` (service `{service}`): {hint}"
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
}

/// A string value as Compose reads it, when it can be judged: `None` for a value with
/// `${VAR}`, a collection, and a plain scalar YAML reads as a number (a type error, CP001's).
fn string_value<'a>(ctx: &ComposeContext<'a>, node: NodeId) -> Option<&'a str> {
    let text = ctx.scalar(node)?;
    if has_interpolation(text) {
        return None;
    }
    let plain = matches!(
        ctx.tree().node(node).map(|n| &n.kind),
        Some(NodeKind::Scalar {
            style: ScalarKind::Plain,
            ..
        })
    );
    if plain && (text.parse::<f64>().is_ok() || matches!(text, "" | "~" | "null" | "Null" | "NULL"))
    {
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Severity;
    use crate::facts::ComposeFacts;

    /// (severity, flagged text, message) of each finding.
    fn findings(body: &str) -> Vec<(Severity, String, String)> {
        let text = format!("services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n{body}");
        check_compose_with(&text, &ComposeFacts::default(), &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP023")
            .map(|d| (d.severity, text[d.range.as_usize()].to_owned(), d.message))
            .collect()
    }

    fn flagged(body: &str) -> Vec<(Severity, String)> {
        findings(body).into_iter().map(|(s, t, _)| (s, t)).collect()
    }

    use Severity::{Error, Warning};

    #[test]
    fn test_lists() {
        assert_eq!(
            flagged("      test: [\"curl\", \"-f\", \"http://localhost\"]\n"),
            [(Error, "\"curl\"".to_owned())]
        );
        let found = findings("      test: [\"curl -f http://localhost || exit 1\"]\n");
        assert!(
            found[0].2.contains("start it with `CMD-SHELL`"),
            "{}",
            found[0].2
        );
        let found = findings("      test: [cmd, pg_isready]\n");
        assert!(
            found[0].2.contains("write `CMD` in capitals"),
            "{}",
            found[0].2
        );
        assert_eq!(flagged("      test: []\n"), [(Error, "[]".to_owned())]);
        assert_eq!(flagged("      test: \"\"\n"), [(Error, "\"\"".to_owned())]);
        assert_eq!(
            flagged("      test: [CMD]\n"),
            [(Error, "[CMD]".to_owned())]
        );
        for ok in [
            "      test: [\"CMD\", \"pg_isready\"]\n",
            "      test: [\"CMD-SHELL\", \"pg_isready -U $$POSTGRES_USER\"]\n",
            "      test: [\"NONE\"]\n",
            "      test: pg_isready\n",
            "      test: [\"${PROBE}\", \"x\"]\n",
        ] {
            assert!(flagged(ok).is_empty(), "{ok}: {:?}", flagged(ok));
        }
    }

    #[test]
    fn durations() {
        assert_eq!(
            flagged(
                "      test: [CMD, x]\n      interval: 30 s\n      timeout: 5sec\n      start_period: -1s\n      start_interval: 500us\n"
            ),
            [
                (Error, "30 s".to_owned()),
                (Error, "5sec".to_owned()),
                (Error, "-1s".to_owned()),
                (Error, "500us".to_owned()),
            ]
        );
        for ok in [
            "      test: [CMD, x]\n      interval: 1m30s\n      timeout: 10s\n      start_period: 1d\n      retries: 3\n",
            "      test: [CMD, x]\n      interval: ${INTERVAL}\n      timeout: 0s\n",
            // A bare number is a type error, reported by CP001.
            "      test: [CMD, x]\n      interval: 30\n",
        ] {
            assert!(flagged(ok).is_empty(), "{ok}: {:?}", flagged(ok));
        }
    }

    #[test]
    fn warnings() {
        assert_eq!(
            flagged(
                "      test: [CMD, x]\n      interval: 10s\n      timeout: 10000ms\n      retries: 0\n"
            ),
            [(Warning, "0".to_owned())]
        );
        // Docker waits `interval` after each probe ends, so a timeout as long as the
        // interval (common in real files) is no problem.
        assert!(
            flagged("      test: [CMD, x]\n      interval: 5s\n      timeout: 5s\n").is_empty()
        );
        assert_eq!(
            flagged("      test: [CMD, x]\n      retries: -1\n"),
            [(Error, "-1".to_owned())]
        );
        assert_eq!(
            flagged("      test: [CMD, x]\n      start_interval: 5s\n"),
            [(Warning, "start_interval".to_owned())]
        );
        assert_eq!(
            flagged("      test: [CMD, x]\n      disable: true\n"),
            [(Warning, "disable".to_owned())]
        );
        assert!(flagged("      disable: true\n").is_empty());
        assert!(
            flagged("      test: [CMD, x]\n      start_period: 1m\n      start_interval: 5s\n")
                .is_empty()
        );
    }
}
