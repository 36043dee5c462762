use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::dockerfile::context_sources::context_sources;
use crate::rules::{DockerfileContext, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` that names a file that usually holds secrets: `.env` and
    /// `.env.*` files, private keys (`*.pem`, `*.key`, `id_rsa`, `id_ed25519`, ...) and
    /// package-manager credentials (`.npmrc`, `.pypirc`). Templates such as `.env.example`,
    /// `.env.sample` or `.env.template`, public keys (`id_rsa.pub`, `*.gpg.key`),
    /// certificates (`cert.pem`, `ca.pem`, `fullchain.pem`), and sources copied
    /// `--from` another stage or image are left alone. Only sources named in the file
    /// count: `COPY . .` is the business of `.dockerignore`.
    ///
    /// ## Why is this bad?
    /// Whatever is copied stays in that layer of the image for good, even if a later `RUN`
    /// deletes it: anyone who can pull the image can read the key or token. Secrets belong
    /// in a secret mount, available to one `RUN` and never written to a layer. `.npmrc`
    /// and `.pypirc` are reported as warnings: they often hold only a registry address.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json .npmrc ./
    /// RUN npm ci --omit=dev
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
    /// ```
    ///
    /// and build with `docker build --secret id=npmrc,src=.npmrc .`.
    ///
    /// ## Fix safety
    /// No automatic fix: the finding carries a suggestion (display only) to mount the file
    /// as a secret with `RUN --mount=type=secret`, which also needs a change to how the
    /// image is built.
    ///
    /// ## References
    /// - practices.md §3.3 (.env files are never copied into an image), §10.2 (no secrets in
    ///   the image)
    /// - Build secrets: <https://docs.docker.com/build/building/secrets/>
    pub const COPY_SECRET_FILE = {
        code: "DF056",
        name: "copy-secret-file",
        severity: Error,
        fixable: false,
        default_enabled: true,
        scope: Segment,
    };
}

pub(crate) fn check(ctx: &DockerfileContext<'_>, out: &mut Vec<Diagnostic>) {
    for source in context_sources(ctx) {
        if !ctx.should_check(source.range.start) {
            continue;
        }
        let name = source
            .path
            .trim_end_matches('/')
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("");
        let Some(kind) = secret_kind(name) else {
            continue;
        };
        let message = format!(
            "`{name}` {kind}: copying it writes it into an image layer that anyone who can \
             pull the image can read, even if a later step deletes it"
        );
        let title = if kind == SSH_KEY {
            "Forward the SSH agent to the step that needs it instead: RUN --mount=type=ssh ..."
                .to_owned()
        } else {
            format!(
                "Mount it for the step that needs it instead: RUN --mount=type=secret,id={},target=<path> ...",
                name.trim_start_matches('.')
            )
        };
        let fix = Fix {
            title,
            applicability: Applicability::DisplayOnly,
            edits: Vec::new(),
        };
        let mut diagnostic = COPY_SECRET_FILE.diagnostic_with_fix(source.range, message, fix);
        // A registry config holds a token only sometimes (often just a registry address):
        // a warning, where `.env` files and private keys are errors.
        if kind == REGISTRY_CONFIG {
            diagnostic.severity = crate::diagnostics::Severity::Warning;
        }
        out.push(diagnostic);
    }
}

const REGISTRY_CONFIG: &str = "often holds a registry token";

const SSH_KEY: &str = "is an SSH private key";

/// What kind of secret a file name suggests, if any.
fn secret_kind(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        return Some("usually holds secrets");
    }
    if let Some(suffix) = lower.strip_prefix(".env.") {
        const TEMPLATES: [&str; 6] = ["example", "sample", "template", "dist", "defaults", "tpl"];
        let template = suffix.split('.').any(|part| TEMPLATES.contains(&part));
        return (!template).then_some("usually holds secrets");
    }
    if matches!(lower.as_str(), ".npmrc" | ".pypirc") {
        return Some(REGISTRY_CONFIG);
    }
    if lower.ends_with(".pub") {
        return None;
    }
    const SSH_KEYS: [&str; 4] = ["id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"];
    if SSH_KEYS.iter().any(|k| lower.starts_with(k)) {
        return Some(SSH_KEY);
    }
    let private_hint = lower.contains("key") || lower.contains("priv");
    if let Some(stem) = lower.strip_suffix(".pem") {
        return (private_hint || !is_certificate(stem)).then_some("may hold a private key");
    }
    if let Some(stem) = lower.strip_suffix(".key") {
        let public = ["gpg", "pgp", "pub", "asc", "signing"]
            .iter()
            .any(|hint| stem.contains(hint));
        return (!public).then_some("is most likely a private key");
    }
    None
}

/// File stems that name certificates (public material), not keys.
fn is_certificate(stem: &str) -> bool {
    ["cert", "chain", "bundle", "crt", "public", "pub", "root"]
        .iter()
        .any(|hint| stem.contains(hint))
        || stem == "ca"
        || stem.starts_with("ca-")
        || stem.starts_with("ca_")
        || stem.ends_with("-ca")
        || stem.ends_with("_ca")
}

#[cfg(test)]
mod tests {
    use super::secret_kind;
    use crate::diagnostics::Applicability;
    use crate::rules::testing;

    #[test]
    fn secret_names() {
        for name in [
            ".env",
            ".env.production",
            ".ENV.local",
            ".npmrc",
            ".pypirc",
            "id_rsa",
            "id_ed25519",
            "server.key",
            "privkey.pem",
            "key.pem",
            "ca-key.pem",
            "tls.pem",
        ] {
            assert!(secret_kind(name).is_some(), "{name}");
        }
        for name in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            ".env.local.example",
            ".environment.md",
            "id_rsa.pub",
            "cert.pem",
            "ca.pem",
            "fullchain.pem",
            "root-ca.pem",
            "nodesource.gpg.key",
            "repo-signing.key",
            "keys.json",
            "env",
            "package.json",
        ] {
            assert!(secret_kind(name).is_none(), "{name}");
        }
    }

    #[test]
    fn context_sources_only() {
        let src = "FROM a AS build\nRUN x\nFROM a\nCOPY .env ./\n\
                   COPY --from=build /app/.env /app/\nADD https://x/.npmrc /root/\n\
                   COPY config/id_rsa /root/.ssh/\nCOPY . .\nCOPY <<EOF /x/.env\nA=1\nEOF\n";
        let found: Vec<_> = testing::findings("DF056", src);
        let names: Vec<&str> = found.iter().map(|d| &src[d.range.as_usize()]).collect();
        assert_eq!(names, [".env", "config/id_rsa"]);
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::DisplayOnly);
        assert!(fix.edits.is_empty());
        assert!(!found[1].message.contains("BEGIN"));
    }
}
