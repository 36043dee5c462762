use std::borrow::Cow;

use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::{DockerfileContext, declare_rule};
use crate::semantic::expand::{ExpandOptions, Lookup, expand};
use crate::syntax::TextRange;
use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::dockerfile::ast::{Instruction, KeyValue};

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` default or `ENV` value that is a literal secret. A name is taken for
    /// a secret as BuildKit does: one of its `_`-separated words is `apikey`, `auth`,
    /// `credential(s)`, `key`, `password`, `pword`, `passwd`, `secret` or `token` (or a word
    /// from the `secret-patterns` option), and none is `public`, `file`, `version`, `user` or
    /// `username`; GPG or PGP key ids and fingerprints (`GPG_KEY`, `*_FINGERPRINT`) with a
    /// hexadecimal value are public. Only a literal, non-empty value counts (not `$VAR`), and
    /// not one that cannot be a secret (`true`, a number, a path, a URL without a password).
    /// Any value that starts like a well-known credential also counts, whatever the name:
    /// GitHub tokens (`ghp_`, `github_pat_`), npm tokens (`npm_`), AWS access keys (`AKIA`), OpenAI and Stripe
    /// keys (`sk-`, `sk_live_`), Slack tokens (`xoxb-`, `xoxp-`) and PEM private keys. The
    /// value is never repeated in the message.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image's configuration and `ARG` values in its history:
    /// anyone who can pull the image reads them with `docker inspect` or `docker history`,
    /// and they stay in every layer built on top. A secret in the Dockerfile is also in the
    /// repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ENV DB_PASSWORD=hunter2
    /// RUN npm ci
    /// ```
    ///
    /// Use instead: pass secrets at run time, or mount them for the one step that needs them:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the suggestion removes the value and shows `RUN --mount=type=secret`;
    /// where the secret comes from instead is for a person to set up.
    ///
    /// ## References
    /// - practices.md §10.2 (no secrets in the Dockerfile)
    /// - Build secrets: <https://docs.docker.com/build/building/secrets/>
    pub const SECRET_IN_ARG_ENV = {
        code: "DF074",
        name: "secret-in-arg-env",
        severity: Warning,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

/// BuildKit's secret words (moby/buildkit dockerfile2llb/validations.go).
const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Words that make a matching name not a secret: BuildKit's, plus user names.
const ALLOWED_WORDS: &[&str] = &["public", "file", "version", "user", "username"];

/// Words of public key material, whose hexadecimal values are fingerprints.
const FINGERPRINT_WORDS: &[&str] = &["gpg", "pgp", "fingerprint", "keyid", "fpr"];

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    let extra: Vec<String> = ctx
        .config
        .options
        .secret_patterns
        .iter()
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    for instruction in ctx.checked_instructions() {
        if !ctx.should_check(instruction.range().start) {
            continue;
        }
        let keyword = match instruction.kind() {
            InstructionKind::Arg => "ARG",
            InstructionKind::Env => "ENV",
            _ => continue,
        };
        let pairs: Vec<KeyValue<'_>> = instruction.key_values().collect();
        for pair in &pairs {
            let Some(value) = pair.value() else { continue };
            // A value with a variable is not a literal.
            if value.text.contains('$') {
                continue;
            }
            let key = pair.key();
            let unquoted = if value.text.contains(['"', '\'', ctx.parse.escape]) {
                let options = ExpandOptions::new(ctx.parse.escape);
                Cow::Owned(expand(&value.text, options, &|_| Lookup::Unset).text)
            } else {
                value.text.clone()
            };
            let value = unquoted.as_ref();
            if value.is_empty() {
                continue;
            }
            let why = if let Some(kind) = credential_kind(value) {
                format!("its value looks like {kind}")
            } else if names_a_secret(&key.text, value, &extra) && could_be_secret(value) {
                "its name says it holds a secret".to_owned()
            } else {
                continue;
            };
            let history = if keyword == "ARG" {
                "`docker history`"
            } else {
                "`docker inspect`"
            };
            let message = format!(
                "`{keyword} {}` writes a literal value into the image ({why}): anyone who can \
                 pull the image can read it with {history}",
                key.text
            );
            let fix = Fix {
                title: format!(
                    "Remove the value and mount the secret where it is needed: `RUN \
                     --mount=type=secret,id={},env={} ...`",
                    key.text.to_ascii_lowercase(),
                    key.text
                ),
                applicability: Applicability::DisplayOnly,
                edits: vec![removal(ctx, &instruction, &pairs, pair)],
            };
            out.push(SECRET_IN_ARG_ENV.diagnostic_with_fix(key.range, message, fix));
        }
    }
}

/// Whether a variable name says it holds a secret.
pub(crate) fn names_a_secret(name: &str, value: &str, extra: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    let secret = words
        .iter()
        .any(|w| SECRET_WORDS.contains(w) || extra.iter().any(|e| e == w));
    if !secret || words.iter().any(|w| ALLOWED_WORDS.contains(w)) {
        return false;
    }
    let fingerprint = words.iter().any(|w| FINGERPRINT_WORDS.contains(w));
    !(fingerprint && is_hex_fingerprint(value))
}

/// `A035C8C19219BA821ECEA86B64E628F8D684696D`, possibly split by spaces.
fn is_hex_fingerprint(value: &str) -> bool {
    let hex: Vec<&str> = value.split_whitespace().collect();
    let len: usize = hex.iter().map(|h| h.len()).sum();
    len >= 16 && hex.iter().all(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Values that cannot be secrets whatever the name: switches, small numbers, paths, URLs
/// without a password.
pub(crate) fn could_be_secret(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "enabled" | "disabled"
    ) {
        return false;
    }
    if value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if value.starts_with('/') || value.starts_with("./") || value.starts_with("~/") {
        return false;
    }
    if let Some((scheme, rest)) = value.split_once("://")
        && !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        let authority = rest.split('/').next().unwrap_or("");
        let password = authority
            .split_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'));
        return password;
    }
    true
}

/// What a value that starts like a well-known credential is.
pub(crate) fn credential_kind(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    for word in value.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        let tail = |prefix: &str, min: usize, ok: fn(u8) -> bool| {
            word.strip_prefix(prefix)
                .is_some_and(|rest| rest.len() >= min && rest.bytes().all(ok))
        };
        let alnum = |b: u8| b.is_ascii_alphanumeric();
        let token = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        let upper = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
            .iter()
            .any(|p| tail(p, 30, alnum))
            || tail("github_pat_", 20, token)
        {
            return Some("a GitHub token");
        }
        if tail("npm_", 36, alnum) {
            return Some("an npm token");
        }
        if tail("AKIA", 16, upper) || tail("ASIA", 16, upper) {
            return Some("an AWS access key");
        }
        if tail("sk-", 20, token) || tail("sk_live_", 16, alnum) {
            return Some("an API secret key");
        }
        if ["xoxb-", "xoxp-", "xoxa-", "xoxs-"]
            .iter()
            .any(|p| tail(p, 10, token))
        {
            return Some("a Slack token");
        }
    }
    None
}

/// The edit that removes `pair` from its instruction, or the whole instruction (and its
/// line) when it is the only pair.
fn removal(
    ctx: &DockerfileContext<'_>,
    instruction: &Instruction<'_>,
    pairs: &[KeyValue<'_>],
    pair: &KeyValue<'_>,
) -> Edit {
    if pairs.len() == 1 {
        let range = instruction.range();
        let start = ctx.line_start(range.start);
        let end = ctx.text[range.end as usize..]
            .find('\n')
            .map_or(ctx.text.len(), |i| range.end as usize + i + 1);
        return Edit {
            range: TextRange::new(start, end as u32),
            new_text: String::new(),
        };
    }
    // From the end of the previous pair (taking a line continuation with it), or for the
    // first pair up to the next one.
    let at = pairs.iter().position(|p| p == pair).unwrap_or(0);
    let range = match at.checked_sub(1) {
        Some(previous) => TextRange::new(pairs[previous].range().end, pair.range().end),
        None => TextRange::new(
            pair.range().start,
            pairs
                .get(1)
                .map_or(pair.range().end, |next| next.range().start),
        ),
    };
    Edit {
        range,
        new_text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{could_be_secret, credential_kind, names_a_secret};
    use crate::analysis::check_dockerfile_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::DockerfileFacts;

    fn findings_with(src: &str, config: &Config) -> Vec<Diagnostic> {
        check_dockerfile_with(src, &DockerfileFacts::default(), config)
            .into_iter()
            .filter(|d| d.code == "DF074")
            .collect()
    }

    fn flagged(src: &str) -> Vec<String> {
        findings_with(src, &Config::default())
            .iter()
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn secret_names_with_literal_values() {
        let src = "ARG NPM_TOKEN=abc123def\nFROM node:22\nENV DB_PASSWORD=hunter2 \\\n    api_key=\"k-1\" SECRET_KEY_BASE=xyz\n\
                   ENV AUTH=basic-xyz\n";
        assert_eq!(
            flagged(src),
            [
                "NPM_TOKEN",
                "DB_PASSWORD",
                "api_key",
                "SECRET_KEY_BASE",
                "AUTH"
            ]
        );
    }

    #[test]
    fn messages_never_echo_the_value() {
        let src = "FROM alpine\nENV DB_PASSWORD=correct-horse-battery\nENV X=ghp_0123456789abcdefghijABCDEFGHIJ012345\n";
        let found = findings_with(src, &Config::default());
        assert_eq!(found.len(), 2);
        for d in &found {
            assert!(!d.message.contains("correct-horse"), "{}", d.message);
            assert!(!d.message.contains("ghp_"), "{}", d.message);
            assert!(!d.fix.as_ref().unwrap().title.contains("horse"));
        }
        assert!(found[1].message.contains("a GitHub token"));
    }

    #[test]
    fn exemptions() {
        for src in [
            "FROM python:3.12\nENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D\n",
            "FROM alpine\nENV PUBLIC_KEY=abc AUTH_USER=admin DB_USERNAME=app TOKEN_FILE=/run/secrets/t\n",
            "FROM alpine\nENV NODE_VERSION=22 KEYCLOAK_VERSION=1\n",
            "FROM alpine\nARG GITHUB_TOKEN\nENV API_KEY=$API_KEY TOKEN=${TOKEN:-}\n",
            "FROM alpine\nENV PASSWORD=\"\" AUTH_ENABLED=true TOKEN_TTL=3600\n",
            "FROM alpine\nENV KEY_PATH=/etc/ssl/private/key.pem AUTH_URL=https://auth.example.com/login\n",
            "FROM alpine\nENV MONKEY=banana TOKENIZER=bpe\n",
            "FROM alpine\nLABEL secret=abc\nRUN TOKEN=abc make\n",
        ] {
            assert!(flagged(src).is_empty(), "{src}: {:?}", flagged(src));
        }
        // A URL with a password is a secret.
        assert_eq!(
            flagged("FROM a\nENV AUTH_URL=https://u:p@auth.example.com\n"),
            ["AUTH_URL"]
        );
    }

    #[test]
    fn configured_words() {
        let mut config = Config::default();
        config.options.secret_patterns = vec!["PIN".into()];
        let found = findings_with("FROM a\nENV CARD_PIN=1234567 APP_PINNED=x\n", &config);
        assert_eq!(found.len(), 1);
        assert!(names_a_secret("card_pin", "x", &["pin".into()]));
    }

    #[test]
    fn credential_prefixes() {
        assert_eq!(
            credential_kind("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key")
        );
        assert_eq!(
            credential_kind("Bearer sk-proj-abcdefghijklmnopqrstuvwxyz"),
            Some("an API secret key")
        );
        assert_eq!(
            credential_kind("xoxb-1234567890-abc"),
            Some("a Slack token")
        );
        assert_eq!(
            credential_kind("-----BEGIN OPENSSH PRIVATE KEY-----\\nabc"),
            Some("a private key")
        );
        assert_eq!(credential_kind("sk-short"), None);
        assert_eq!(credential_kind("risk-assessment-enabled-value-long"), None);
        assert_eq!(credential_kind("ghp_short"), None);
        assert!(could_be_secret("hunter2"));
        assert!(!could_be_secret("false"));
    }

    #[test]
    fn removal_keeps_continuations_whole() {
        let src = "FROM a\nENV PASSWORD=x \\\n    B=1\nENV A=1 \\\n    TOKEN=abcdef\n";
        let found = findings_with(src, &Config::default());
        let first = &found[0].fix.as_ref().unwrap().edits[0];
        assert_eq!(&src[first.range.as_usize()], "PASSWORD=x \\\n    ");
        let last = &found[1].fix.as_ref().unwrap().edits[0];
        assert_eq!(&src[last.range.as_usize()], " \\\n    TOKEN=abcdef");
    }

    #[test]
    fn display_only_removal() {
        let src = "FROM a\nENV A=1 SECRET=x B=2\nENV TOKEN=abcdef\nRUN x\n";
        let found = findings_with(src, &Config::default());
        let edit = &found[0].fix.as_ref().unwrap().edits[0];
        assert_eq!(&src[edit.range.as_usize()], " SECRET=x");
        let edit = &found[1].fix.as_ref().unwrap().edits[0];
        assert_eq!(&src[edit.range.as_usize()], "ENV TOKEN=abcdef\n");
    }
}
