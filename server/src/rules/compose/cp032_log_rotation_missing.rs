use std::collections::HashSet;

use super::cp030_restart_policy_missing::append_to_service;
use crate::diagnostics::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a service whose logs are never rotated: it sets no `logging` (so the daemon's
    /// default `json-file` driver is used), or its `logging` uses the `json-file` driver
    /// (written, or left to the default) without `options.max-size`. A `max-file` without
    /// `max-size` gets its own message: it does nothing alone. Other drivers are left alone
    /// (`local` rotates by default), and so are services with a `provider` (Compose hands
    /// them to an external program and creates no container). One finding per service.
    /// Info, a warning in a production file.
    ///
    /// ## Why is this bad?
    /// `json-file` keeps every line a container writes, in one file under
    /// `/var/lib/docker/containers`, until the container is removed. A chatty service fills
    /// the disk in weeks, and then every container on the host fails. A daemon-wide limit in
    /// `daemon.json` helps, but is not part of the project and applies only to new
    /// containers.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///   worker:
    ///     image: my-worker:1.4.2
    ///     logging:
    ///       driver: json-file
    ///       options:
    ///         max-file: "3"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   backend:
    ///     image: my-backend:1.4.2
    ///     logging:
    ///       driver: json-file
    ///       options:
    ///         max-size: "10m"
    ///         max-file: "3"
    ///   worker:
    ///     image: my-worker:1.4.2
    ///     logging:
    ///       driver: local
    /// ```
    ///
    /// ## Fix safety
    /// Safe, for a service without `logging`: the fix adds `json-file` with `max-size: "10m"`
    /// and `max-file: "3"`, which keeps at most 30 MB of recent logs (`docker logs` then
    /// shows no older lines). A `logging` that is there is left for a person to complete.
    ///
    /// ## References
    /// - logging in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#logging>
    /// - JSON File logging driver: <https://docs.docker.com/engine/logging/drivers/json-file/>
    /// - Local file logging driver: <https://docs.docker.com/engine/logging/drivers/local/>
    pub const LOG_ROTATION_MISSING = {
        code: "CP032",
        name: "log-rotation-missing",
        severity: Info,
        fixable: true,
        default_enabled: true,
    };
}

const LOGGING_BLOCK: &str =
    "logging:\n  driver: json-file\n  options:\n    max-size: \"10m\"\n    max-file: \"3\"";

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let severity = if ctx.is_production() {
        Severity::Warning
    } else {
        Severity::Info
    };
    let mut seen = HashSet::new();
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        // A provider service (a cloud database, a model runner) has no container, no logs.
        if ctx.get(body, "provider").is_some() {
            continue;
        }
        let name = service.name;
        let mut d = match ctx.entry(body, "logging") {
            None => {
                let message = format!(
                    "service `{name}` sets no `logging`: the default `json-file` driver keeps \
                     every line, so its log file grows until the disk is full"
                );
                let mut d = LOG_ROTATION_MISSING.diagnostic(ctx.range(service.key), message);
                if let Some(edit) = append_to_service(ctx, service, LOGGING_BLOCK) {
                    d.fix = Some(Fix {
                        title: "Rotate logs: `json-file` with `max-size: \"10m\"` and \
                                `max-file: \"3\"`"
                            .to_owned(),
                        applicability: Applicability::Safe,
                        edits: vec![edit],
                    });
                }
                d
            }
            Some((key, logging)) => {
                let driver = logging.and_then(|l| ctx.str_of(l, "driver"));
                if driver.is_some_and(|d| d != "json-file") {
                    continue;
                }
                let options = logging.and_then(|l| ctx.get(l, "options"));
                if options.is_some_and(|o| ctx.get(o, "max-size").is_some()) {
                    continue;
                }
                // A `logging` shared through an anchor is reported once.
                if !seen.insert(logging.map_or(ctx.range(key).start, |l| ctx.range(l).start)) {
                    continue;
                }
                let max_file = options.is_some_and(|o| ctx.get(o, "max-file").is_some());
                let message = if max_file {
                    format!(
                        "`max-file` does nothing without `max-size` (service `{name}`): \
                         `json-file` only rotates when a size is set, so the log grows without \
                         limit"
                    )
                } else {
                    format!(
                        "the `json-file` logging of service `{name}` has no `max-size`: its log \
                         file grows until the disk is full"
                    )
                };
                LOG_ROTATION_MISSING.diagnostic(ctx.range(key), message)
            }
        };
        d.severity = severity;
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Diagnostic, Severity};
    use crate::facts::ComposeFacts;

    fn findings(text: &str) -> Vec<Diagnostic> {
        check_compose_with(text, &ComposeFacts::default(), &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP032")
            .collect()
    }

    #[test]
    fn each_case() {
        let text = "services:\n  a:\n    image: a:1\n  b:\n    image: b:1\n    logging:\n      options:\n        max-file: \"3\"\n  c:\n    image: c:1\n    logging:\n      driver: json-file\n  d:\n    image: d:1\n    logging:\n      driver: local\n  e:\n    image: e:1\n    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n  f:\n    image: f:1\n    logging:\n      driver: syslog\n";
        let found = findings(text);
        let flagged: Vec<&str> = found.iter().map(|d| &text[d.range.as_usize()]).collect();
        assert_eq!(flagged, ["a", "logging", "logging"]);
        assert!(found[1].message.contains("`max-file` does nothing"));
        assert!(found[2].message.contains("has no `max-size`"));
        assert!(found.iter().all(|d| d.severity == Severity::Info));
        assert!(found[1].fix.is_none());
        let fixed = crate::fix::apply_fixes(text, &[found[0].fix.as_ref().unwrap()]).0;
        assert!(
            fixed.starts_with("services:\n  a:\n    image: a:1\n    logging:\n      driver: json-file\n      options:\n        max-size: \"10m\"\n        max-file: \"3\"\n  b:\n"),
            "{fixed}"
        );
        assert!(
            findings(&fixed)
                .iter()
                .all(|d| &fixed[d.range.as_usize()] != "a")
        );
    }

    #[test]
    fn warning_in_production_and_anchors_once() {
        let text = "x-log: &log\n  driver: json-file\nservices:\n  a:\n    image: a:1\n    logging: *log\n    environment:\n      - NODE_ENV=production\n  b:\n    image: b:1\n    logging: *log\n";
        let found = findings(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
    }

    #[test]
    fn provider_services_have_no_container() {
        let text = "services:\n  example:\n    provider:\n      type: example-provider\n      options:\n        name: x\n";
        assert!(findings(text).is_empty());
        let text =
            "services: {example: {provider: {type: example-provider, options: {name: x}}}}\n";
        assert!(findings(text).is_empty());
    }
}
