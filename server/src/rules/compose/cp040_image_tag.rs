use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::dockerfile::split_image_ref;

declare_rule! {
    /// ## What it does
    /// Reports a service `image` with no tag (`nginx`, which means `nginx:latest`) or with a
    /// floating tag that follows new releases (`latest`, `stable`, `edge`, `lts`,
    /// `mainline`, `nightly`, ...). An image pinned by digest passes, as do names built from
    /// `${...}` and the `image` of a service that also has `build` (it names what is built).
    ///
    /// ## Why is this bad?
    /// A floating tag points at a different image after each release. The same compose file
    /// then runs one version on a laptop, another on the server pulled a month later, and a
    /// third after a host is rebuilt; a rollback cannot go back to what ran before, because
    /// nothing says what that was.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: nginx
    ///   api:
    ///     image: ghcr.io/acme/api:latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: nginx:1.27-alpine
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which version to pin is for a person to decide.
    ///
    /// ## References
    /// - `image` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#image>
    pub const IMAGE_TAG = {
        code: "CP040",
        name: "image-tag",
        severity: Warning,
        fixable: false,
        default_enabled: true,
    };
}

/// Tags that move to new releases (compared case-insensitively).
const FLOATING_TAGS: &[&str] = &[
    "latest", "stable", "edge", "lts", "current", "mainline", "rolling", "nightly", "unstable",
    "main", "master", "develop",
];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        if ctx.get(body, "build").is_some() {
            continue;
        }
        let Some(node) = ctx.get(body, "image") else {
            continue;
        };
        let Some(image) = ctx.scalar(node) else {
            continue;
        };
        if image.is_empty() || image.contains('$') {
            continue;
        }
        let parts = split_image_ref(image);
        if parts.digest.is_some() || parts.name.is_empty() {
            continue;
        }
        let message = match parts.tag.and_then(|t| image.get(t)) {
            None => format!(
                "`{}` uses `{image}` with no tag, which means `{image}:latest` and moves with \
                 every release: pin a version",
                service.name
            ),
            Some(tag) if FLOATING_TAGS.iter().any(|f| f.eq_ignore_ascii_case(tag)) => format!(
                "`{}` uses `{image}`: the `{tag}` tag moves with every release, pin a version",
                service.name
            ),
            Some(_) => continue,
        };
        out.push(IMAGE_TAG.diagnostic(ctx.range(node), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn flagged(src: &str) -> Vec<String> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP040")
            .map(|d| src[d.range.as_usize()].to_owned())
            .collect()
    }

    #[test]
    fn untagged_and_floating_images() {
        let src = "services:\n  a:\n    image: nginx\n  b:\n    image: \"my-backend:latest\"\n  c:\n    image: localhost:5000/app\n  d:\n    image: ghcr.io/acme/app:Stable\n  e:\n    image: nginx:alpine\n  f:\n    image: redis:7.4\n  g:\n    image: app@sha256:0123456789abcdef\n  h:\n    image: app:latest@sha256:0123456789abcdef\n  i:\n    image: ${REGISTRY}/app\n  j:\n    image: acme/app\n    build: .\n";
        assert_eq!(
            flagged(src),
            [
                "nginx",
                "\"my-backend:latest\"",
                "localhost:5000/app",
                "ghcr.io/acme/app:Stable"
            ]
        );
    }
}
