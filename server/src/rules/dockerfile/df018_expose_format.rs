use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;

declare_rule! {
    /// ## What it does
    /// Checks the ports of `EXPOSE`: a port that is not a number from 0 to 65535, a range
    /// whose start is above its end, or an unknown protocol is an error; an IP address or a
    /// `host:container` mapping is a warning; a protocol not written in lower case (`80/TCP`)
    /// is a style finding. Variables are expanded first; a port whose value is not known
    /// before the build is left alone.
    ///
    /// ## Why is this bad?
    /// A malformed port stops the build. A host part has no meaning in an image: `EXPOSE`
    /// only documents which container ports the application listens on, and publishing to
    /// the host is decided by `docker run -p` or Compose's `ports:`. The host part is
    /// dropped, so the line promises something that does not happen.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// EXPOSE 8080:80 443/TCP
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// EXPOSE 80 443/tcp
    /// ```
    ///
    /// ## Fix safety
    /// Lower-casing the protocol is safe. Dropping the host part is unsafe: it assumes the
    /// container port was the one meant (publish the host port with `-p` instead). Ports
    /// written with variables get no fix.
    ///
    /// ## References
    /// - practices.md §2 (writing the Dockerfile), §5 (only the entry point publishes ports)
    /// - Docker build checks, ExposeInvalidFormat and ExposeProtoCasing: <https://docs.docker.com/reference/build-checks/expose-invalid-format/>
    pub const EXPOSE_FORMAT = {
        code: "DF018",
        name: "expose-format",
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
        if instruction.kind() != InstructionKind::Expose {
            continue;
        }
        for word in instruction.words() {
            let written = word.text();
            let range = word.range();
            let literal = !written.contains(['$', '"', '\'', ctx.parse.escape])
                && range.len() as usize == written.len();
            if literal {
                check_spec(out, &written, Some(range.start), range);
                continue;
            }
            let expanded = ctx.model.expand(&written, range.start);
            let Some(value) = expanded.exact_text() else {
                continue;
            };
            for spec in value.split_whitespace() {
                check_spec(out, spec, None, range);
            }
        }
    }
}

/// Checks one port spec. `at` is where `spec` starts in the file when it is written there
/// literally (then findings point at its parts and get fixes); otherwise findings cover
/// `word`.
fn check_spec(out: &mut Vec<Diagnostic>, spec: &str, at: Option<u32>, word: TextRange) {
    let part = |start: usize, end: usize| match at {
        Some(at) => TextRange::new(at + start as u32, at + end as u32),
        None => word,
    };
    let (port_part, proto) = match spec.split_once('/') {
        Some((port, rest)) => (port, Some(rest.split('/').next().unwrap_or(rest))),
        None => (spec, None),
    };
    let container_start = port_part.rfind(':').map_or(0, |i| i + 1);
    let container = &port_part[container_start..];
    if let Some(problem) = port_problem(container) {
        let mut d = EXPOSE_FORMAT.diagnostic(
            part(container_start, port_part.len()),
            if spec == container {
                problem
            } else {
                format!("`{spec}`: {problem}")
            },
        );
        d.severity = Severity::Error;
        out.push(d);
        return;
    }
    if let Some(proto) = proto.filter(|p| !p.is_empty()) {
        let start = port_part.len() + 1;
        let lower = proto.to_ascii_lowercase();
        if !matches!(lower.as_str(), "tcp" | "udp" | "sctp") {
            let mut d = EXPOSE_FORMAT.diagnostic(
                part(start, start + proto.len()),
                format!("`{proto}` is not a protocol Docker knows: use tcp, udp or sctp"),
            );
            d.severity = Severity::Error;
            out.push(d);
            return;
        }
        if lower != proto {
            let range = part(start, start + proto.len());
            let message = format!("write the protocol in lower case: `{lower}`");
            let mut d = match at {
                Some(_) => EXPOSE_FORMAT.diagnostic_with_fix(
                    range,
                    message,
                    Fix {
                        title: format!("Write `{lower}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            range,
                            new_text: lower.clone(),
                        }],
                    },
                ),
                None => EXPOSE_FORMAT.diagnostic(range, message),
            };
            d.severity = Severity::Style;
            out.push(d);
        }
    }
    if container_start > 0 {
        let host = &port_part[..container_start - 1];
        let range = part(0, container_start);
        let message = format!(
            "`{host}:` has no effect in EXPOSE, which only names the container port \
             `{container}`: publish ports with `docker run -p` or Compose `ports:`"
        );
        let mut d = match at {
            Some(_) => EXPOSE_FORMAT.diagnostic_with_fix(
                range,
                message,
                Fix {
                    title: format!("Keep only the container port `{container}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range,
                        new_text: String::new(),
                    }],
                },
            ),
            None => EXPOSE_FORMAT.diagnostic(range, message),
        };
        d.severity = Severity::Warning;
        out.push(d);
    }
}

/// Why a container port (`80`, `8000-8010`) is not valid, if it is not.
fn port_problem(port: &str) -> Option<String> {
    let (start, end) = port.split_once('-').unwrap_or((port, port));
    let number = |s: &str| -> Result<u64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{port}` is not a port number"));
        }
        match s.parse::<u64>() {
            Ok(n) if n <= 65535 => Ok(n),
            _ => Err(format!(
                "port {s} is out of range: ports go from 0 to 65535"
            )),
        }
    };
    let (start, end) = match (number(start), number(end)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Some(e),
    };
    (start > end).then(|| format!("the range `{port}` ends before it starts"))
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Severity};
    use crate::rules::testing;

    /// The flagged text, the severity, and the fix's applicability with the fixed file.
    type Finding = (String, Severity, Option<(Applicability, String)>);

    fn flagged(src: &str) -> Vec<Finding> {
        testing::findings("DF018", src)
            .into_iter()
            .map(|d| {
                let fix = d
                    .fix
                    .as_ref()
                    .map(|f| (f.applicability, testing::fixed(src, &d)));
                (src[d.range.as_usize()].to_owned(), d.severity, fix)
            })
            .collect()
    }

    #[test]
    fn invalid_ports_are_errors() {
        let src = "FROM a\nEXPOSE 70000 http 9000-8000 80/xtp 1-2-3\n";
        let found = flagged(src);
        let parts: Vec<(&str, Severity)> = found.iter().map(|(t, s, _)| (t.as_str(), *s)).collect();
        assert_eq!(
            parts,
            [
                ("70000", Severity::Error),
                ("http", Severity::Error),
                ("9000-8000", Severity::Error),
                ("xtp", Severity::Error),
                ("1-2-3", Severity::Error),
            ]
        );
        assert!(found.iter().all(|(_, _, fix)| fix.is_none()));
    }

    #[test]
    fn host_parts_are_warnings_with_an_unsafe_fix() {
        let src = "FROM a\nEXPOSE 127.0.0.1:8080:80 8443:443/tcp\n";
        let found = flagged(src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "127.0.0.1:8080:");
        assert_eq!(found[0].1, Severity::Warning);
        let (applicability, after) = found[0].2.clone().unwrap();
        assert_eq!(applicability, Applicability::Unsafe);
        assert_eq!(after, "FROM a\nEXPOSE 80 8443:443/tcp\n");
        assert_eq!(found[1].0, "8443:");
    }

    #[test]
    fn protocol_case_is_style_with_a_safe_fix() {
        let src = "FROM a\nexpose 53/UDP 80/Tcp\n";
        let found = flagged(src);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "UDP");
        assert_eq!(found[0].1, Severity::Style);
        assert_eq!(
            found[0].2.clone().unwrap(),
            (
                Applicability::Safe,
                "FROM a\nexpose 53/udp 80/Tcp\n".to_owned()
            )
        );
    }

    #[test]
    fn variables_are_expanded_and_unknown_ones_skipped() {
        let src = "FROM a\nARG P=99999\nARG Q\nEXPOSE $P ${Q} ${R:-8080}/tcp\n";
        let found = flagged(src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "$P");
        assert!(found[0].2.is_none());
    }

    #[test]
    fn good_ports_pass() {
        let src = "FROM a\nEXPOSE 80 443/tcp 53/udp 8000-8010 0 65535 9/sctp 3000/\n\
                   ONBUILD EXPOSE 8080\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }
}
