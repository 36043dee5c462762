use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::ide::docs;
use crate::rules::dockerfile::durations::parse_go_duration;
use crate::rules::{DockerfileContext, declare_rule};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Flag, Instruction};
use crate::text::similar::closest_and_unique;

declare_rule! {
    /// ## What it does
    /// Reports Dockerfile syntax errors: unknown or misspelled instructions, instructions
    /// missing their arguments, malformed `ENV`/`LABEL` pairs, JSON arrays that hold
    /// something other than strings, unterminated heredocs, and bad parser directives.
    /// It also checks flags as BuildKit does: flags an instruction does not take
    /// (`COPY --fro=build`, `ADD --from=build`), flags given twice or without their value,
    /// and values BuildKit rejects: `HEALTHCHECK` durations that are not Go durations
    /// (`--interval=30` instead of `30s`), a `--retries` that is not a whole number, booleans
    /// other than `true`/`false` (`--link`, `--keep-git-dir`), unknown `RUN --network`,
    /// `--security` and `--mount` types, a `STOPSIGNAL` that names no signal, and a `SHELL`
    /// not written as a JSON array.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at the first of these, often after minutes of earlier steps.
    /// Catching them in the editor saves the round trip.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// RUNN apk add --no-cache curl
    /// COPY app.sh
    /// FROM alpine:3.20
    /// COPY --fro=build /usr/bin/curl /usr/bin/curl
    /// HEALTHCHECK --interval=30 CMD ["curl", "-f", "http://localhost/"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// RUN apk add --no-cache curl
    /// COPY app.sh /usr/local/bin/
    /// FROM alpine:3.20
    /// COPY --from=build /usr/bin/curl /usr/bin/curl
    /// HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]
    /// ```
    ///
    /// ## Fix safety
    /// A misspelled flag, network, security mode, mount type or signal gets a fix when
    /// exactly one known name is close to it; the fix is safe, as the line cannot build as
    /// written. Other errors have no fix: the intent of a broken line is for a person to
    /// decide.
    ///
    /// ## References
    /// - Dockerfile reference: <https://docs.docker.com/reference/dockerfile/>
    pub const INSTRUCTION_SYNTAX = {
        code: "DF020",
        name: "instruction-syntax",
        severity: Error,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// Flags that take no value or `true`/`false` (BuildKit's boolean flags).
const BOOLEAN_FLAGS: [&str; 4] = ["link", "keep-git-dir", "parents", "unpack"];

/// Flags only `-labs` Dockerfile frontends know, accepted so files using them draw nothing.
const LABS_FLAGS: [(InstructionKind, &str); 1] = [(InstructionKind::Run, "device")];

const NETWORKS: [&str; 3] = ["default", "none", "host"];
const SECURITY_MODES: [&str; 2] = ["sandbox", "insecure"];
const MOUNT_TYPES: [&str; 5] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const DURATION_FLAGS: [&str; 4] = ["interval", "timeout", "start-period", "start-interval"];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for error in &ctx.parse.errors {
        out.push(INSTRUCTION_SYNTAX.diagnostic(error.range, error.message.clone()));
    }
    for instruction in ctx.checked_instructions_with_triggers() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        check_flags(ctx, out, &instruction);
        match instruction.kind() {
            InstructionKind::Stopsignal => check_signal(ctx, out, &instruction),
            InstructionKind::Shell => check_shell_form(out, &instruction),
            _ => {}
        }
    }
}

/// What BuildKit knows of one flag of one instruction.
struct FlagSpec {
    repeatable: bool,
    boolean: bool,
}

fn flag_spec(kind: InstructionKind, name: &str) -> Option<FlagSpec> {
    if let Some(doc) = docs::flag(kind, name) {
        return Some(FlagSpec {
            repeatable: doc.repeatable,
            boolean: BOOLEAN_FLAGS.contains(&name),
        });
    }
    LABS_FLAGS
        .iter()
        .any(|(k, n)| *k == kind && *n == name)
        .then_some(FlagSpec {
            repeatable: true,
            boolean: false,
        })
}

fn check_flags(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    instruction: &Instruction<'_>,
) {
    let kind = instruction.kind();
    // BuildKit never reads the flags of ARG, STOPSIGNAL and HEALTHCHECK NONE.
    let ignored = match kind {
        InstructionKind::Unknown | InstructionKind::Arg | InstructionKind::Stopsignal => true,
        InstructionKind::Healthcheck => instruction.as_healthcheck().is_some_and(|h| h.is_none()),
        _ => false,
    };
    if ignored {
        return;
    }
    let instruction_name = instruction.name();
    let mut seen: Vec<String> = Vec::new();
    for flag in instruction.flags() {
        let name = flag.name();
        let Some(spec) = flag_spec(kind, &name) else {
            out.push(unknown_flag(ctx, kind, &instruction_name, &flag));
            continue;
        };
        if !spec.repeatable && seen.iter().any(|s| *s == name) {
            out.push(error(
                flag.range(),
                format!("`--{name}` is given twice: BuildKit accepts it once"),
            ));
            continue;
        }
        seen.push(name.to_string());
        let value_range = flag.raw_value().map_or(flag.range(), |v| v.range);
        if spec.boolean {
            if let Some(value) = flag.value()
                && !value.eq_ignore_ascii_case("true")
                && !value.eq_ignore_ascii_case("false")
            {
                out.push(error(
                    if value.is_empty() {
                        flag.range()
                    } else {
                        value_range
                    },
                    format!("`--{name}` takes `true` or `false` (or nothing), not `{value}`"),
                ));
            }
            continue;
        }
        let Some(value) = flag.value() else {
            out.push(error(
                flag.range(),
                format!("`--{name}` needs a value: `--{name}=<value>`"),
            ));
            continue;
        };
        match (kind, name.as_ref()) {
            (InstructionKind::Healthcheck, n) if DURATION_FLAGS.contains(&n) => {
                if let Some(message) = duration_problem(n, &value) {
                    out.push(error(value_range, message));
                }
            }
            (InstructionKind::Healthcheck, "retries") => {
                if let Some(message) = retries_problem(&value) {
                    out.push(error(value_range, message));
                }
            }
            (InstructionKind::Run, "network") => {
                check_choice(ctx, out, &flag, &value, "network mode", &NETWORKS);
            }
            (InstructionKind::Run, "security") => {
                check_choice(ctx, out, &flag, &value, "security mode", &SECURITY_MODES);
            }
            (InstructionKind::Run, "mount") => check_mount_type(ctx, out, &flag),
            _ => {}
        }
    }
}

fn error(range: TextRange, message: String) -> Diagnostic {
    INSTRUCTION_SYNTAX.diagnostic(range, message)
}

/// `fix` replaces `range` with `with`, when there is a replacement.
fn with_fix(mut d: Diagnostic, range: TextRange, with: Option<String>) -> Diagnostic {
    if let Some(new_text) = with {
        d.fix = Some(Fix {
            title: format!("Replace with `{new_text}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit { range, new_text }],
        });
    }
    d
}

fn unknown_flag(
    ctx: &DockerfileContext<'_>,
    kind: InstructionKind,
    instruction_name: &str,
    flag: &Flag<'_>,
) -> Diagnostic {
    let name = flag.name();
    let known: Vec<&str> = docs::instruction(kind)
        .map(|d| d.flags.iter().map(|f| f.name).collect())
        .unwrap_or_default();
    // Flag names are case-sensitive: `--FROM` is unknown, and surely meant `--from`.
    let lower = name.to_lowercase();
    let suggestion = match known.iter().find(|k| **k == lower) {
        Some(k) => Some((*k, true)),
        None => closest_and_unique(&name, known.iter().copied()),
    };
    let mut message = format!("{instruction_name} has no `--{name}` flag");
    match suggestion {
        Some((s, _)) => message.push_str(&format!("; did you mean `--{s}`?")),
        None => {
            let elsewhere: Vec<&str> = InstructionKind::ALL
                .iter()
                .filter(|k| **k != kind && docs::flag(**k, &name).is_some())
                .filter_map(|k| k.name())
                .collect();
            if !elsewhere.is_empty() {
                message.push_str(&format!(" (it is a flag of {})", elsewhere.join(" and ")));
            } else if known.is_empty() {
                message.push_str(&format!("; {instruction_name} takes no flags"));
            } else {
                let list: Vec<String> = known.iter().map(|k| format!("`--{k}`")).collect();
                message.push_str(&format!("; it takes {}", list.join(", ")));
            }
        }
    }
    let name_range = flag.name_range();
    let literal = ctx.text.get(name_range.as_usize()) == Some(format!("--{name}").as_str());
    let replacement = suggestion
        .filter(|(_, unique)| *unique && literal)
        .map(|(s, _)| format!("--{s}"));
    with_fix(error(name_range, message), name_range, replacement)
}

fn duration_problem(flag: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    match parse_go_duration(value) {
        None if value.contains('$') => Some(format!(
            "`--{flag}` needs a duration such as `30s`: HEALTHCHECK does not expand \
             variables in its flags"
        )),
        None if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => Some(format!(
            "`--{flag}={value}` has no unit: write a duration such as `{value}s`"
        )),
        None => Some(format!(
            "`{value}` is not a duration: write it like `30s`, `1m30s` or `500ms`"
        )),
        Some(0) => None,
        Some(nanos) if nanos < 1_000_000 => Some(format!(
            "`--{flag}` must be 0 or at least 1ms, not `{value}`"
        )),
        Some(_) => None,
    }
}

fn retries_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(n) if n < 0 => Some(format!("`--retries` cannot be negative (`{value}`)")),
        Ok(_) => None,
        Err(_) => Some(format!("`--retries` takes a whole number, not `{value}`")),
    }
}

/// A flag value that must be one of `choices`.
fn check_choice(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    flag: &Flag<'_>,
    value: &str,
    what: &str,
    choices: &[&str],
) {
    // A variable may be meant for a newer frontend that expands it: leave it.
    if value.contains('$') {
        return;
    }
    if choices.contains(&value) {
        return;
    }
    let range = flag.raw_value().map_or(flag.range(), |v| v.range);
    let (message, replacement) = choice_message(what, value, choices);
    let literal = ctx.text.get(range.as_usize()) == Some(value);
    let d = error(range, message);
    out.push(with_fix(d, range, replacement.filter(|_| literal)));
}

fn choice_message(what: &str, value: &str, choices: &[&str]) -> (String, Option<String>) {
    let list = choices.join(", ");
    match closest_and_unique(value, choices.iter().copied()) {
        Some((s, unique)) => (
            format!("`{value}` is not a {what}; did you mean `{s}`? ({list})"),
            unique.then(|| s.to_owned()),
        ),
        None => (
            format!("`{value}` is not a {what}: use one of {list}"),
            None,
        ),
    }
}

/// The `type=` of a `--mount` value (read without case, as BuildKit does).
fn check_mount_type(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>, flag: &Flag<'_>) {
    for field in flag.fields() {
        if !field.key.eq_ignore_ascii_case("type") {
            continue;
        }
        let Some(value) = field.value.as_deref() else {
            continue;
        };
        if value.contains('$') || MOUNT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(value)) {
            continue;
        }
        let (message, replacement) = choice_message("mount type", value, &MOUNT_TYPES);
        let written = format!("{}={value}", field.key);
        let literal = ctx.text.get(field.range.as_usize()) == Some(written.as_str());
        let value_range = if literal {
            TextRange::new(
                field.range.start + field.key.len() as u32 + 1,
                field.range.end,
            )
        } else {
            field.range
        };
        let d = error(value_range, message);
        out.push(with_fix(d, value_range, replacement.filter(|_| literal)));
    }
}

/// `SHELL` only has the JSON form.
fn check_shell_form(out: &mut Vec<Diagnostic>, instruction: &Instruction<'_>) {
    let Some(shell) = instruction.shell() else {
        return;
    };
    // A bracketed list that is not valid JSON already has its own finding.
    let text = shell.text();
    if text.starts_with('[') && text.ends_with(']') {
        return;
    }
    out.push(error(
        shell.range(),
        "SHELL takes a JSON array, such as `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`"
            .to_owned(),
    ));
}

/// Signal names BuildKit accepts on some platform (without the `SIG` prefix).
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "EMT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
    "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP",
    "TSTP", "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
    "RTMIN", "RTMAX",
];

/// `RTMIN+1`..`RTMIN+15` and `RTMAX-14`..`RTMAX-1`.
fn is_realtime_signal(name: &str) -> bool {
    let offset = |rest: &str, max: u32| rest.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    name.strip_prefix("RTMIN+").is_some_and(|r| offset(r, 15))
        || name.strip_prefix("RTMAX-").is_some_and(|r| offset(r, 14))
}

fn check_signal(
    ctx: &DockerfileContext<'_>,
    out: &mut Vec<Diagnostic>,
    instruction: &Instruction<'_>,
) {
    let Some(word) = instruction.words().next() else {
        return;
    };
    let written = word.text();
    let expanded = ctx.model.expand(&written, word.range().start);
    let Some(signal) = expanded.exact_text() else {
        return;
    };
    if signal.bytes().all(|b| b.is_ascii_digit()) && !signal.is_empty() {
        if signal.parse::<u32>().is_ok_and(|n| n > 0) {
            return;
        }
        out.push(error(
            word.range(),
            format!("`{signal}` is not a signal number"),
        ));
        return;
    }
    let upper = signal.to_ascii_uppercase();
    let has_prefix = upper.starts_with("SIG");
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&bare) || is_realtime_signal(bare) {
        return;
    }
    let (suggestion, unique) = match closest_and_unique(bare, SIGNALS.iter().copied()) {
        Some((s, unique)) => (Some(s), unique),
        None => (None, false),
    };
    let prefix = if has_prefix { "SIG" } else { "" };
    let mut message = format!("`{signal}` is not a signal");
    match suggestion {
        Some(s) => message.push_str(&format!("; did you mean `{prefix}{s}`?")),
        None => message.push_str(": use a name such as `SIGTERM` or `SIGQUIT`, or a number"),
    }
    let literal =
        written.as_ref() == signal && ctx.text.get(word.range().as_usize()) == Some(signal);
    let replacement = suggestion
        .filter(|_| unique && literal)
        .map(|s| format!("{prefix}{s}"));
    out.push(with_fix(
        error(word.range(), message),
        word.range(),
        replacement,
    ));
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF020", src)
    }

    /// (flagged text, message, fixed file if there is a fix)
    fn flagged(src: &str) -> Vec<(String, String, Option<String>)> {
        findings(src)
            .into_iter()
            .map(|d| {
                let fixed = d.fix.as_ref().map(|f| {
                    assert_eq!(f.applicability, Applicability::Safe);
                    testing::fixed(src, &d)
                });
                (src[d.range.as_usize()].to_owned(), d.message, fixed)
            })
            .collect()
    }

    #[test]
    fn parser_errors_are_reported() {
        let found = flagged("FROM a\nRUNN x\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "RUNN");
    }

    #[test]
    fn unknown_flags_with_a_unique_suggestion_get_a_fix() {
        let src = "FROM a AS b\nFROM c\nCOPY --fro=b /x /y\n";
        let found = flagged(src);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "--fro");
        assert!(
            found[0].1.contains("did you mean `--from`?"),
            "{}",
            found[0].1
        );
        assert_eq!(
            found[0].2.as_deref(),
            Some("FROM a AS b\nFROM c\nCOPY --from=b /x /y\n")
        );
        let src = "FROM a\nCOPY --FROM=b /x /y\n";
        assert_eq!(
            flagged(src)[0].2.as_deref(),
            Some("FROM a\nCOPY --from=b /x /y\n")
        );
    }

    #[test]
    fn flags_of_other_instructions_and_instructions_without_flags() {
        let found = flagged("FROM a\nADD --from=b /x /y\nENV --x=1 A=1\nRUN --foo true\n");
        assert_eq!(found.len(), 3);
        assert!(
            found[0].1.contains("it is a flag of COPY"),
            "{}",
            found[0].1
        );
        assert!(found[0].2.is_none());
        assert!(found[1].1.contains("ENV takes no flags"), "{}", found[1].1);
        assert!(
            found[2]
                .1
                .contains("it takes `--mount`, `--network`, `--security`"),
            "{}",
            found[2].1
        );
    }

    #[test]
    fn ambiguous_suggestions_get_no_fix() {
        // `--chmo` is one edit from `--chmod` only, `--cho` a prefix of `--chown` only;
        // `--ch` is a prefix of both.
        let found = flagged("FROM a\nCOPY --ch=1 a /b\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].2.is_none());
    }

    #[test]
    fn duplicates_missing_values_and_booleans() {
        let src = "FROM a\nCOPY --from=a --from=b --chown x /y\nCOPY --link=yes --link=true x /y\n\
                   ADD --keep-git-dir=FALSE --checksum=sha256:abc https://x/y /z\n\
                   RUN --mount=type=cache,target=/a --mount=type=bind,target=/b true\n\
                   COPY --link= a /b\n";
        let found = flagged(src);
        let texts: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            texts,
            ["--from=b", "--chown", "yes", "--link=true", "--link="]
        );
    }

    #[test]
    fn healthcheck_durations_and_retries() {
        let src = "FROM a\nHEALTHCHECK --interval=30 --timeout=10sec --start-period=500us \
                   --start-interval=$X --retries=two CMD true\n\
                   HEALTHCHECK --interval=1m30s --timeout=0 --start-period=5s --retries=3 CMD true\n\
                   HEALTHCHECK --interval=30 NONE\n\
                   HEALTHCHECK --retries=-1 --interval= CMD true\n";
        let found = flagged(src);
        let texts: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(texts, ["30", "10sec", "500us", "$X", "two", "-1"]);
        assert!(
            found[0].1.contains("write a duration such as `30s`"),
            "{}",
            found[0].1
        );
        assert!(
            found[3].1.contains("does not expand variables"),
            "{}",
            found[3].1
        );
    }

    #[test]
    fn run_network_security_and_mount_types() {
        let src = "FROM a\nRUN --network=hots --security=insecure --mount=type=cahce,target=/c true\n\
                   RUN --network=none --mount=type=SECRET,id=x --mount=target=/x,TYPE=bind true\n\
                   RUN --network=$NET --mount=type=$T,target=/t true\n\
                   RUN --security=privileged true\n";
        let found = flagged(src);
        let texts: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(texts, ["hots", "cahce", "privileged"]);
        assert!(found[0].2.as_deref().unwrap().contains("--network=host"));
        assert!(found[1].2.as_deref().unwrap().contains("type=cache,target"));
        assert!(found[2].2.is_none());
    }

    #[test]
    fn shell_needs_the_json_form() {
        let found =
            flagged("FROM a\nSHELL /bin/bash -c\nSHELL [\"/bin/sh\", \"-c\"]\nSHELL ['sh']\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/bin/bash -c");
    }

    #[test]
    fn stop_signals() {
        let src = "FROM a\nSTOPSIGNAL SIGTREM\nSTOPSIGNAL quit\nSTOPSIGNAL 9\nSTOPSIGNAL SIGRTMIN+3\n\
                   STOPSIGNAL 0\nARG SIG=SIGINT\nSTOPSIGNAL $SIG\nARG OTHER\nSTOPSIGNAL $OTHER\n\
                   STOPSIGNAL hello\n";
        let found = flagged(src);
        let texts: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(texts, ["SIGTREM", "0", "hello"]);
        assert!(
            found[0]
                .2
                .as_deref()
                .unwrap()
                .contains("STOPSIGNAL SIGTERM\n")
        );
    }

    #[test]
    fn valid_flags_ignored_flags_and_triggers() {
        let src = "FROM --platform=$BUILDPLATFORM a AS b\n\
                   COPY --from=b --chown=1:1 --chmod=755 --link --parents --exclude=*.md \
                   --exclude=*.txt x /y/\n\
                   ADD --checksum=sha256:abc --keep-git-dir --unpack=true --link=false https://x /y\n\
                   RUN --mount=type=cache,target=/c --mount=type=secret,id=s --device=x \
                   --network=default --security=sandbox true\n\
                   HEALTHCHECK --interval=30s --timeout=5s --start-period=0s --start-interval=2s \
                   --retries=0 CMD true\n\
                   ARG --whatever X\nSTOPSIGNAL --foo SIGTERM\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
        let found = flagged("FROM a\nONBUILD COPY --fromm=x a /b\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].2.is_some());
    }
}
