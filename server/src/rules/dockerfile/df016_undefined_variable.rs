use std::borrow::Cow;
use std::collections::HashMap;

use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::expand::{ExpandOptions, Lookup, expand};
use crate::semantic::scope::PLATFORM_ARGS;
use crate::semantic::{Expanded, Scope, UndefinedVar, VariableKind};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::Instruction;
use crate::text::similar::{closest, edit_distance_within};

declare_rule! {
    /// ## What it does
    /// Reports a variable used where it is not defined, and a `FROM` image that depends on
    /// undeclared or empty build arguments.
    ///
    /// Inside a stage, BuildKit expands variables in `ENV`, `LABEL`, `ARG` defaults,
    /// `COPY`/`ADD` (paths, `--chown`, `--chmod`, unquoted heredocs), `WORKDIR`, `USER`,
    /// `VOLUME`, `EXPOSE`, `STOPSIGNAL` and `RUN --mount` options. In `FROM`, only `ARG`s
    /// declared before the first `FROM` exist, and the image reference must still be valid
    /// when every build argument keeps its default.
    ///
    /// Shell-form and exec-form commands (`RUN`, `CMD`, `ENTRYPOINT`) are not checked: the
    /// shell or the program expands those at run time. Uses with a fallback
    /// (`${NAME:-default}`, `${NAME:+alt}`, `${NAME:?message}`) are handled on purpose and
    /// not reported inside a stage. In a stage built from an image, the image's own `ENV`
    /// cannot be seen, so a name is reported there only when it is a build platform argument
    /// that was not declared, or one letter or two away from a name the Dockerfile declares.
    ///
    /// ## Why is this bad?
    /// BuildKit replaces an undefined variable with an empty string and carries on: `COPY
    /// app-$TARGETARCH /app` copies `app-` and `WORKDIR /srv/$APP_NAME` works in `/srv/`.
    /// The build succeeds and the image is wrong. Platform arguments such as `TARGETARCH`
    /// are only visible in a stage after `ARG TARGETARCH`. In `FROM`, only `ARG`s declared
    /// before the first `FROM` exist, and `--build-arg` cannot set anything else.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/ ./...
    /// FROM scratch
    /// COPY --from=build /out/server-$TARGETARCH /server
    /// ENTRYPOINT ["/server"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/ ./...
    /// FROM scratch
    /// ARG TARGETARCH
    /// COPY --from=build /out/server-$TARGETARCH /server
    /// ENTRYPOINT ["/server"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe. When a declared name is one letter or two away, the fix uses it; otherwise it
    /// declares `ARG NAME` before the instruction (before the first `FROM` for a `FROM`
    /// line, keeping a fallback written as `${NAME:-value}` as the default). Either may not
    /// be what was meant. An invalid `FROM` reference gets no fix: only a person knows the
    /// right default.
    ///
    /// ## References
    /// - Dockerfile reference, variable substitution: <https://docs.docker.com/reference/dockerfile/#environment-replacement>
    /// - BuildKit checks UndefinedVar, UndefinedArgInFrom, InvalidDefaultArgInFrom: <https://docs.docker.com/reference/build-checks/>
    pub const UNDEFINED_VARIABLE = {
        code: "DF016",
        name: "undefined-variable",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        scope: Segment,
    };
}

/// Arguments BuildKit defines beside the platform ones, or reads without defining; never
/// reported.
const OTHER_AUTOMATIC: &[&str] = &[
    "TARGETSTAGE",
    "BUILDOSVERSION",
    "TARGETOSVERSION",
    "BUILDKIT_SBOM_SCAN_CONTEXT",
    "BUILDKIT_SBOM_SCAN_STAGE",
];

/// `ENV` names official images commonly set: in a stage built from an image they are never
/// taken for typos of a declared name.
const COMMON_IMAGE_ENV: &[&str] = &[
    "HOME",
    "HOSTNAME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "TERM",
    "USER",
    "SHELL",
    "TZ",
    "DEBIAN_FRONTEND",
    "LD_LIBRARY_PATH",
    "NODE_VERSION",
    "NODE_ENV",
    "YARN_VERSION",
    "PYTHON_VERSION",
    "PYTHON_SHA256",
    "PYTHON_PIP_VERSION",
    "PYTHONPATH",
    "GPG_KEY",
    "GOLANG_VERSION",
    "GOPATH",
    "GOROOT",
    "GOTOOLCHAIN",
    "JAVA_HOME",
    "JAVA_VERSION",
    "RUBY_VERSION",
    "RUBY_MAJOR",
    "GEM_HOME",
    "BUNDLE_PATH",
    "BUNDLE_APP_CONFIG",
    "NGINX_VERSION",
    "PG_MAJOR",
    "PG_VERSION",
    "PGDATA",
    "REDIS_VERSION",
    "PHP_VERSION",
    "PHP_INI_DIR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUST_VERSION",
];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    check_from_lines(ctx, out);
    check_stage_instructions(ctx, out);
}

// ---- FROM lines ----------------------------------------------------------------------

fn check_from_lines(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(first) = ctx.model.stages.first() else {
        return;
    };
    let declare_at = ctx.line_start(first.from_range.start);
    let mut names: Vec<&str> = ctx
        .model
        .global_args
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    names.extend(PLATFORM_ARGS);
    let mut global_names = GlobalSuggestions {
        names,
        cache: HashMap::new(),
    };
    let mut defaults: Option<HashMap<String, String>> = None;
    for stage in &ctx.model.stages {
        if !ctx.should_check(stage.from_range.start) {
            continue;
        }
        let mut reported = false;
        if let Some(base) = &stage.base {
            reported |= undefined_in_from(
                ctx,
                &base.written,
                base.range,
                &base.expanded,
                &mut global_names,
                declare_at,
                out,
            );
        }
        if let Some(platform) = &stage.platform {
            undefined_in_from(
                ctx,
                &platform.written,
                platform.range,
                &platform.expanded,
                &mut global_names,
                declare_at,
                out,
            );
        }
        let Some(base) = &stage.base else { continue };
        if reported || base.expanded.used.is_empty() {
            continue;
        }
        // Every variable has its default here: the model's expansion is what BuildKit sees.
        if let Some(text) = base.expanded.exact_text()
            && (text == "scratch" || is_valid_reference(text))
        {
            continue;
        }
        let defaults = defaults.get_or_insert_with(|| default_global_values(ctx));
        if let Some(d) = invalid_with_defaults(ctx, base, defaults) {
            out.push(d);
        }
    }
}

/// Reports the variables of a `FROM` value that no global `ARG` declares. Returns whether
/// it reported any.
fn undefined_in_from(
    ctx: &DockerfileContext<'_>,
    written: &str,
    range: TextRange,
    expanded: &Expanded,
    global_names: &mut GlobalSuggestions<'_>,
    declare_at: u32,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let exact = ctx.text.get(range.as_usize()) == Some(written);
    let mut seen: Vec<&str> = Vec::new();
    for u in &expanded.undefined {
        if OTHER_AUTOMATIC.contains(&u.name.as_str()) || seen.contains(&u.name.as_str()) {
            continue;
        }
        seen.push(&u.name);
        let at = sub_range(range, u.range, exact);
        let suggestion = global_names.suggest(&u.name);
        let mut message = format!(
            "`${}` is not an `ARG` declared before the first `FROM`, so it is empty here and \
             `--build-arg` cannot set it",
            u.name
        );
        let fix = match suggestion {
            Some(s) => {
                message.push_str(&format!("; did you mean `${s}`?"));
                exact.then(|| rename_fix(written, range, u, s)).flatten()
            }
            None => {
                let declaration = match guarded_default(written, u) {
                    Some(default) => format!("ARG {}={default}", u.name),
                    None => format!("ARG {}", u.name),
                };
                Some(Fix {
                    title: format!("Declare `{declaration}` before the first `FROM`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range: TextRange::empty(declare_at),
                        new_text: format!("{declaration}{}", ctx.line_ending()),
                    }],
                })
            }
        };
        out.push(match fix {
            Some(fix) => UNDEFINED_VARIABLE.diagnostic_with_fix(at, message, fix),
            None => UNDEFINED_VARIABLE.diagnostic(at, message),
        });
    }
    !seen.is_empty()
}

/// "Did you mean" among the names a `FROM` line can use, each asked-for name looked up once
/// (a file may use the same undeclared name in many `FROM`s).
struct GlobalSuggestions<'a> {
    names: Vec<&'a str>,
    cache: HashMap<String, Option<&'a str>>,
}

impl<'a> GlobalSuggestions<'a> {
    fn suggest(&mut self, name: &str) -> Option<&'a str> {
        if let Some(found) = self.cache.get(name) {
            return *found;
        }
        let found = closest(name, near(name, &self.names));
        self.cache.insert(name.to_owned(), found);
        found
    }
}

/// The values global `ARG`s have when no `--build-arg` is given: an `ARG` without a default
/// is left out (it expands to nothing). Platform arguments get typical values, as BuildKit
/// always knows them.
fn default_global_values(ctx: &DockerfileContext<'_>) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = [
        ("TARGETPLATFORM", "linux/amd64"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "amd64"),
        ("BUILDPLATFORM", "linux/amd64"),
        ("BUILDOS", "linux"),
        ("BUILDARCH", "amd64"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let options = ExpandOptions::new(ctx.model.escape);
    for arg in &ctx.model.global_args {
        let Some(written) = &arg.written else {
            continue;
        };
        let value = expand(written, options, &|name| match values.get(name) {
            Some(v) => Lookup::Set(Cow::Borrowed(v.as_str())),
            None => Lookup::Unset,
        })
        .text;
        values.insert(arg.name.clone(), value);
    }
    values
}

/// A `FROM` image that is empty or invalid when every build argument keeps its default.
fn invalid_with_defaults(
    ctx: &DockerfileContext<'_>,
    base: &crate::semantic::StageBase,
    defaults: &HashMap<String, String>,
) -> Option<Diagnostic> {
    let lookup = |name: &str| match defaults.get(name) {
        Some(v) => Lookup::Set(Cow::Borrowed(v.as_str())),
        None => Lookup::Unset,
    };
    let result = expand(&base.written, ExpandOptions::new(ctx.model.escape), &lookup);
    if !result.errors.is_empty() {
        return None;
    }
    let text = result.text.as_str();
    if text == "scratch" || is_valid_reference(text) {
        return None;
    }
    let empty: Vec<String> = result
        .used
        .iter()
        .filter(|n| defaults.get(n.as_str()).is_none_or(|v| v.is_empty()))
        .map(|n| format!("`{n}`"))
        .collect();
    let what = if text.is_empty() {
        "an empty image name".to_owned()
    } else {
        format!("`{text}`, which is not a valid image reference")
    };
    let mut message = format!("without `--build-arg`, `{}` becomes {what}", base.written);
    if !empty.is_empty() {
        message.push_str(&format!(": give {} a default value", empty.join(", ")));
    }
    Some(UNDEFINED_VARIABLE.diagnostic(base.range, message))
}

/// Whether `text` parses as an image reference (`[host[:port]/]path[:tag][@digest]`), as
/// Docker's reference parser decides.
pub(crate) fn is_valid_reference(text: &str) -> bool {
    if text.is_empty() || text.len() > 4096 {
        return false;
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest
        && !is_valid_digest(digest)
    {
        return false;
    }
    // The tag is after the last `:` that follows the last `/`.
    let last_slash = rest.rfind('/');
    let (name, tag) = match rest.rfind(':') {
        Some(colon) if last_slash.is_none_or(|s| colon > s) => {
            (&rest[..colon], Some(&rest[colon + 1..]))
        }
        _ => (rest, None),
    };
    if let Some(tag) = tag
        && !is_valid_tag(tag)
    {
        return false;
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        let is_host = first.contains(['.', ':'])
            || first == "localhost"
            || first.bytes().any(|b| b.is_ascii_uppercase());
        if is_host {
            if !is_valid_host(first) {
                return false;
            }
            components.remove(0);
        }
    }
    let path_len: usize = components.iter().map(|c| c.len() + 1).sum();
    path_len <= 256
        && !components.is_empty()
        && components.iter().all(|c| is_valid_path_component(c))
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn is_valid_path_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &c[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(']') || host.starts_with('[') => (name, Some(port)),
        _ => (host, None),
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    if name.starts_with('[') {
        return name.ends_with(']') && name.len() > 2;
    }
    !name.is_empty()
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

fn is_valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    !algorithm.is_empty()
        && algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
        && algorithm
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'.'))
        && hex.len() >= 32
        && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

// ---- Instructions inside stages ------------------------------------------------------

/// One piece of an instruction that BuildKit expands.
struct Expandable<'t> {
    text: Cow<'t, str>,
    range: TextRange,
    /// Where the scope is taken (`ARG` values see the names declared before them on the
    /// same line).
    scope_at: u32,
    /// Heredoc bodies are expanded without quote processing and with `\` as escape.
    heredoc: bool,
}

fn check_stage_instructions(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let range = instruction.range();
        if !ctx
            .text
            .get(range.as_usize())
            .is_some_and(|t| t.contains('$'))
        {
            continue;
        }
        let Some(stage) = ctx.model.stage_at(range.start) else {
            continue;
        };
        if instruction.kind() == InstructionKind::From {
            continue;
        }
        let pieces = expandables(&instruction);
        if pieces.is_empty() {
            continue;
        }
        check_instruction(ctx, &instruction, stage.env_from_image, &pieces, out);
    }
}

/// The parts of an instruction BuildKit expands variables in.
fn expandables<'t>(instruction: &Instruction<'t>) -> Vec<Expandable<'t>> {
    let start = instruction.range().start;
    let plain = |text: Cow<'t, str>, range: TextRange| Expandable {
        text,
        range,
        scope_at: start,
        heredoc: false,
    };
    let mut out = Vec::new();
    match instruction.kind() {
        InstructionKind::Env | InstructionKind::Label => {
            for pair in instruction.key_values() {
                let key = pair.key();
                out.push(plain(key.text, key.range));
                if let Some(value) = pair.value() {
                    out.push(plain(value.text, value.range));
                }
            }
        }
        InstructionKind::Arg => {
            for pair in instruction.key_values() {
                if let Some(value) = pair.value() {
                    out.push(Expandable {
                        scope_at: value.range.start,
                        ..plain(value.text, value.range)
                    });
                }
            }
        }
        InstructionKind::Copy | InstructionKind::Add => {
            for flag in instruction.flags() {
                if matches!(flag.name().as_ref(), "chown" | "chmod" | "checksum")
                    && let Some(value) = flag.raw_value()
                {
                    out.push(plain(value.text, value.range));
                }
            }
            for argument in instruction.arguments() {
                if !argument.text.starts_with("<<") {
                    out.push(plain(argument.text, argument.range));
                }
            }
            for heredoc in instruction.heredocs() {
                if let Some(body) = heredoc.body().filter(|_| heredoc.expands()) {
                    out.push(Expandable {
                        heredoc: true,
                        ..plain(Cow::Borrowed(body.text()), body.range())
                    });
                }
            }
        }
        InstructionKind::Workdir
        | InstructionKind::User
        | InstructionKind::Volume
        | InstructionKind::Expose
        | InstructionKind::Stopsignal => {
            for argument in instruction.arguments() {
                out.push(plain(argument.text, argument.range));
            }
        }
        InstructionKind::Run => {
            for flag in instruction.flags().filter(|f| f.name() == "mount") {
                for field in flag.fields() {
                    if field.key.eq_ignore_ascii_case("from") {
                        continue;
                    }
                    if let Some(value) = field.value {
                        out.push(plain(Cow::Owned(value), field.range));
                    }
                }
            }
        }
        _ => {}
    }
    out.retain(|p| p.text.contains('$'));
    out
}

fn check_instruction(
    ctx: &DockerfileContext<'_>,
    instruction: &Instruction<'_>,
    env_from_image: bool,
    pieces: &[Expandable<'_>],
    out: &mut Vec<Diagnostic>,
) {
    // Scopes are built only to suggest a name; expanding looks names up directly.
    let mut scopes: Vec<(u32, Scope)> = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    // Keys an `ENV` declares before a piece: their use in the same `ENV` is DF017's.
    let env_keys: Vec<(u32, String)> = if instruction.kind() == InstructionKind::Env {
        instruction
            .key_values()
            .map(|p| (p.range().end, p.key().text.into_owned()))
            .collect()
    } else {
        Vec::new()
    };
    for piece in pieces {
        let options = if piece.heredoc {
            ExpandOptions {
                escape: '\\',
                process_quotes: false,
            }
        } else {
            ExpandOptions::new(ctx.model.escape)
        };
        let expanded = expand(&piece.text, options, &|name| {
            ctx.model.lookup_at(name, piece.scope_at)
        });

        let exact = ctx.text.get(piece.range.as_usize()) == Some(piece.text.as_ref());
        for u in &expanded.undefined {
            let name = u.name.as_str();
            if u.guarded
                || OTHER_AUTOMATIC.contains(&name)
                || reported.iter().any(|r| r == name)
                || env_keys
                    .iter()
                    .any(|(end, key)| *end <= piece.range.start && key == name)
            {
                continue;
            }
            let platform = PLATFORM_ARGS.contains(&name);
            let suggestion = if platform {
                None
            } else if env_from_image || u.may_be_set_by_image {
                match likely_typo(name, scope_for(&mut scopes, ctx, piece.scope_at)) {
                    Some(s) => Some(s),
                    // The base image may well set it.
                    None => continue,
                }
            } else {
                let names: Vec<String> = scope_for(&mut scopes, ctx, piece.scope_at)
                    .variables()
                    .into_iter()
                    .map(|v| v.name)
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                closest(name, near(name, &names)).map(str::to_owned)
            };
            reported.push(u.name.clone());
            out.push(stage_finding(
                ctx,
                instruction,
                piece,
                u,
                exact,
                suggestion,
                platform,
            ));
        }
    }
}

fn stage_finding(
    ctx: &DockerfileContext<'_>,
    instruction: &Instruction<'_>,
    piece: &Expandable<'_>,
    u: &UndefinedVar,
    exact: bool,
    suggestion: Option<String>,
    platform: bool,
) -> Diagnostic {
    let name = &u.name;
    let at = sub_range(piece.range, u.range, exact);
    let mut message = if platform {
        format!(
            "`${name}` is a build platform argument, which a stage only sees after \
             `ARG {name}`: here it expands to an empty string"
        )
    } else {
        format!("`${name}` is not defined here, so BuildKit replaces it with an empty string")
    };
    let fix = match &suggestion {
        Some(s) => {
            message.push_str(&format!("; did you mean `${s}`?"));
            exact
                .then(|| rename_fix(&piece.text, piece.range, u, s))
                .flatten()
        }
        // A script in a heredoc means its own `$1` or `$HOME`: declaring them is no fix.
        None if piece.heredoc => {
            message
                .push_str("; to keep `$` for the script, quote the heredoc delimiter (`<<'EOF'`)");
            None
        }
        None if !is_identifier(name) => None,
        None => Some(Fix {
            title: format!("Declare `ARG {name}` before this instruction"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                range: TextRange::empty(ctx.line_start(instruction.range().start)),
                new_text: format!("ARG {name}{}", ctx.line_ending()),
            }],
        }),
    };
    match fix {
        Some(fix) => UNDEFINED_VARIABLE.diagnostic_with_fix(at, message, fix),
        None => UNDEFINED_VARIABLE.diagnostic(at, message),
    }
}

/// The scope at `at`, built once per offset.
fn scope_for<'s>(
    scopes: &'s mut Vec<(u32, Scope)>,
    ctx: &DockerfileContext<'_>,
    at: u32,
) -> &'s Scope {
    let index = match scopes.iter().position(|(offset, _)| *offset == at) {
        Some(i) => i,
        None => {
            scopes.push((at, ctx.model.scope_at(at)));
            scopes.len() - 1
        }
    };
    &scopes[index].1
}

/// The candidates [`closest`] could pick for `name`: about as long, or starting with it.
/// Filtering first keeps suggestions cheap in files with many names. Only names a
/// reference can spell are candidates: a broken declaration (`ENV APP_HO'ME=...`) records
/// a name whose suggestion would write a quote into the file.
fn near<'s, 'a: 's>(name: &str, candidates: &'s [&'a str]) -> impl Iterator<Item = &'a str> + 's {
    let length = name.len();
    let prefix = name.as_bytes().to_vec();
    candidates.iter().copied().filter(move |c| {
        is_identifier(c)
            && (c.len().abs_diff(length) <= 2
                || (c.len() > length && c.as_bytes()[..length].eq_ignore_ascii_case(&prefix)))
    })
}

/// A name `ARG` can declare.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A declared name `name` is probably a misspelling of, in a stage whose base image may set
/// names of its own: close enough, long enough, and not a name images commonly set.
fn likely_typo(name: &str, scope: &Scope) -> Option<String> {
    if name.len() < 4 || COMMON_IMAGE_ENV.contains(&name) {
        return None;
    }
    let limit = if name.len() <= 6 { 1 } else { 2 };
    scope
        .variables()
        .into_iter()
        .filter(|v| {
            matches!(
                v.kind,
                VariableKind::Arg | VariableKind::Env | VariableKind::Builtin
            )
        })
        .map(|v| (typo_distance(name, &v.name), v.name))
        .filter(|(d, _)| (1..=limit).contains(d))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Edit distance ignoring case, with two swapped neighbours (`PAHT`) counting as one edit.
fn typo_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() == y.len() {
        let differ: Vec<usize> = (0..x.len()).filter(|&i| x[i] != y[i]).collect();
        if let [i, j] = differ[..]
            && j == i + 1
            && x[i] == y[j]
            && x[j] == y[i]
        {
            return 1;
        }
    }
    edit_distance_within(&a, &b, 2).unwrap_or(usize::MAX)
}

/// The range in the file of an expression at `inner` (relative to a value at `outer`), when
/// the value is written exactly as read; else the whole value.
fn sub_range(outer: TextRange, inner: TextRange, exact: bool) -> TextRange {
    if exact && inner.end <= outer.len() {
        TextRange::new(outer.start + inner.start, outer.start + inner.end)
    } else {
        outer
    }
}

/// Replaces the name inside the `$NAME` or `${NAME...}` expression of `u`.
fn rename_fix(text: &str, range: TextRange, u: &UndefinedVar, to: &str) -> Option<Fix> {
    // A name from a broken declaration (`ENV APP_HO'ME=...`) would write a quote into the
    // file.
    if !is_identifier(to) {
        return None;
    }
    let expression = text.get(u.range.as_usize())?;
    let offset = if expression.starts_with("${") { 2 } else { 1 };
    let name = expression.get(offset..offset + u.name.len())?;
    if name != u.name {
        return None;
    }
    let start = range.start + u.range.start + offset as u32;
    Some(Fix {
        title: format!("Use `${to}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::new(start, start + name.len() as u32),
            new_text: to.to_owned(),
        }],
    })
}

/// The plain fallback of `${NAME:-value}` or `${NAME-value}`, to keep as the `ARG` default.
fn guarded_default<'a>(text: &'a str, u: &UndefinedVar) -> Option<&'a str> {
    let expression = text.get(u.range.as_usize())?;
    let inner = expression.strip_prefix("${")?.strip_suffix('}')?;
    let rest = inner.strip_prefix(u.name.as_str())?;
    let value = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-'))?;
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'));
    plain.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::is_valid_reference;
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::rules::testing;

    fn findings(src: &str) -> Vec<Diagnostic> {
        testing::findings("DF016", src)
    }

    fn flagged(src: &str) -> Vec<String> {
        findings(src)
            .iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn undeclared_platform_argument_in_copy() {
        let src = "FROM golang:1.23 AS build\nRUN go build\nFROM scratch\n\
                   COPY --from=build /out/server-$TARGETARCH /server\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "$TARGETARCH");
        assert!(
            found[0].message.contains("`ARG TARGETARCH`"),
            "{}",
            found[0].message
        );
        let fixed = testing::fixed(src, &found[0]);
        assert!(
            fixed.contains("FROM scratch\nARG TARGETARCH\nCOPY"),
            "{fixed}"
        );
        assert!(findings(&fixed).is_empty());
        // Also in a stage built from an image, which never sets platform arguments.
        let src = "FROM alpine:3.20\nWORKDIR /opt/${TARGETOS}\n";
        assert_eq!(flagged(src), ["${TARGETOS}"]);
    }

    #[test]
    fn scratch_stages_report_any_undefined_name() {
        let src = "FROM scratch\nARG VERSION=1\nLABEL version=$VERSON\nCOPY $SRC /app/\n";
        let found = findings(src);
        let texts: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(texts, ["$VERSON", "$SRC"]);
        assert!(found[0].message.contains("did you mean `$VERSION`?"));
        let fixed = testing::fixed(src, &found[0]);
        assert!(fixed.contains("LABEL version=$VERSION"));
        assert!(
            testing::fixed(src, &found[1])
                .contains("ARG VERSION=1\nLABEL version=$VERSON\nARG SRC\nCOPY")
        );
    }

    #[test]
    fn image_stages_only_report_likely_typos() {
        let src = "FROM python:3.12-slim\nARG APP_HOME=/srv/app\n\
                   ENV PYTHONPATH=$PYTHONPATH:/srv VIRTUAL_ENV=$APP_HOEM/venv\n\
                   WORKDIR $HOME/app\nCOPY . $APP_HOME\n";
        assert_eq!(flagged(src), ["$APP_HOEM"]);
        // PATH is always defined; a typo of it is caught.
        let src = "FROM alpine:3.20\nENV PATH=/app/bin:$PAHT\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`$PATH`"));
    }

    #[test]
    fn guarded_shell_and_exec_forms_pass() {
        let src = "FROM scratch\nENV PORT=${PORT:-8080} X=${Y:+z}\n\
                   RUN echo $UNDEFINED\nCMD [\"/app\", \"$UNDEFINED\"]\nENTRYPOINT /app $X\n\
                   HEALTHCHECK CMD /app $UNDEFINED\nONBUILD COPY $LATER /x\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn declared_names_and_scoping() {
        let src = "ARG BASE=alpine\nFROM scratch\nARG BASE\nARG A=1 B=$A\nENV C=$B\n\
                   COPY $BASE$C /x\nUSER ${HTTP_PROXY}\n";
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
        // A global ARG is not visible in a stage without re-declaration.
        let src = "ARG DIR=/srv\nFROM scratch\nWORKDIR $DIR\n";
        assert_eq!(flagged(src), ["$DIR"]);
        // Inherited from a parent stage.
        let src = "FROM scratch AS base\nENV D=/srv\nFROM base\nWORKDIR $D\n";
        assert!(flagged(src).is_empty());
    }

    #[test]
    fn same_env_references_are_left_to_df017() {
        let src = "FROM scratch\nENV A=1 B=$A\n";
        assert!(flagged(src).is_empty());
    }

    #[test]
    fn heredocs_mounts_and_flags() {
        let src = "FROM scratch\nCOPY <<EOF /etc/app.conf\nport=$PORT\nEOF\n\
                   COPY <<'EOF' /etc/raw\n$NOT_EXPANDED\nEOF\n\
                   COPY --chown=$APP_UID:0 a /b\n";
        assert_eq!(flagged(src), ["$PORT", "$APP_UID"]);
        let found = findings(src);
        assert!(found[0].fix.is_none());
        assert!(
            found[0].message.contains("quote the heredoc delimiter"),
            "{}",
            found[0].message
        );
        // Special parameters cannot be declared.
        let src = "FROM scratch\nWORKDIR /$1\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        let src = "FROM scratch\nRUN --mount=type=cache,target=$CACHE_DIR make\n";
        assert_eq!(flagged(src), ["target=$CACHE_DIR"]);
    }

    #[test]
    fn from_lines_need_global_args() {
        let src = "FROM node:${NODE_VERSION:-20}-alpine\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "${NODE_VERSION:-20}");
        let fixed = testing::fixed(src, &found[0]);
        assert_eq!(
            fixed,
            "ARG NODE_VERSION=20\nFROM node:${NODE_VERSION:-20}-alpine\n"
        );
        assert!(findings(&fixed).is_empty());

        let src = "ARG VERSION=20\nFROM node:$VERSOIN\n";
        let found = findings(src);
        assert!(found[0].message.contains("did you mean `$VERSION`?"));
        assert_eq!(
            testing::fixed(src, &found[0]),
            "ARG VERSION=20\nFROM node:$VERSION\n"
        );

        let src =
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS b\nFROM --platform=$PLATFORM alpine\n";
        assert_eq!(flagged(src), ["$PLATFORM"]);
        // A stage-local ARG does not count for a later FROM.
        let src = "FROM alpine\nARG TAG=3\nFROM alpine:$TAG\n";
        assert_eq!(flagged(src), ["$TAG"]);
    }

    #[test]
    fn from_references_invalid_with_defaults() {
        let src = "ARG TAG\nFROM busybox:${TAG}\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "busybox:${TAG}");
        assert!(
            found[0].message.contains("`busybox:`"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("give `TAG` a default"));
        assert!(found[0].fix.is_none());
        let src = "ARG IMAGE\nFROM $IMAGE\n";
        assert!(findings(src)[0].message.contains("empty image name"));
        for good in [
            "ARG TAG=latest\nFROM busybox:${TAG}\n",
            "ARG VARIANT\nFROM busybox:stable${VARIANT}\n",
            "ARG REG=ghcr.io/org\nARG V=1\nFROM ${REG}/app:${V}\n",
            "FROM --platform=$BUILDPLATFORM golang:1.23-${TARGETOS}\n",
            "ARG BASE=scratch\nFROM $BASE\n",
        ] {
            assert!(findings(good).is_empty(), "{good}: {:?}", findings(good));
        }
    }

    #[test]
    fn reference_grammar() {
        for ok in [
            "alpine",
            "node:20-alpine",
            "ghcr.io/org/app:1.0",
            "localhost:5000/a/b",
            "gcr.io/distroless/static@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "a__b/c-d---e.f_g",
            "[::1]:5000/app",
        ] {
            assert!(is_valid_reference(ok), "{ok}");
        }
        for bad in [
            "",
            "busybox:",
            ":tag",
            "Node:20",
            "app:-x",
            "a//b",
            "app@sha256:xyz",
            "-a",
            "a-",
            "ghcr.io/",
            "a:b:c",
        ] {
            assert!(!is_valid_reference(bad), "{bad}");
        }
    }

    #[test]
    fn fix_applicability_and_crlf() {
        let src = "FROM scratch\r\nWORKDIR $DIR\r\n";
        let found = findings(src);
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits[0].new_text, "ARG DIR\r\n");
    }

    #[test]
    fn broken_input_does_not_panic() {
        for src in [
            "FROM ${\nWORKDIR ${\n",
            "FROM scratch\nENV A=${B:-${C\n",
            "FROM scratch\nCOPY --chown=$ a b\nLABEL $=x\n",
            "FROM scratch\nWORKDIR \\\n $A\\\n$B\n",
            "FROM é:$X\nCOPY ${Ü} /\n",
        ] {
            let _ = findings(src);
        }
    }

    #[test]
    fn suggestions_are_names_a_reference_can_spell() {
        let src = "FROM python:3.12-slim\nENV APP_HO'ME=/opt/app\nENV H=${APP_HOME}/src\n";
        let found = findings(src);
        assert!(!found.is_empty());
        for d in found {
            if let Some(fix) = &d.fix {
                assert!(!fix.title.contains('\''), "{}", fix.title);
            }
        }
    }
}
