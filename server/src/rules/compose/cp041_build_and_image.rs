use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a service with both `build` and `image` and no `pull_policy`.
    ///
    /// ## Why is this bad?
    /// Giving a built image a name is legitimate (to push it, or to share it between
    /// services), but without `pull_policy` Compose first looks for an image of that name,
    /// in the local cache and then in the registry, and builds only when it finds none. Once
    /// such an image exists, `up` runs it instead of the source next to the file, and local
    /// changes seem to have no effect. `pull_policy: build` says to always build;
    /// `pull_policy: missing` (or `always`) says the pull is wanted.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     build: ./api
    ///     image: ghcr.io/acme/api:1.4.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     build: ./api
    ///     image: ghcr.io/acme/api:1.4.2
    ///     pull_policy: build
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether the image should be built or pulled is for a person to decide.
    ///
    /// ## References
    /// - Using `build` and `image` together: <https://docs.docker.com/reference/compose-file/build/>
    /// - `pull_policy` in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#pull_policy>
    pub const BUILD_AND_IMAGE = {
        code: "CP041",
        name: "build-and-image",
        severity: Info,
        fixable: false,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        if ctx.get(body, "build").is_none() || ctx.get(body, "pull_policy").is_some() {
            continue;
        }
        let Some((key, _)) = ctx.entry(body, "image") else {
            continue;
        };
        out.push(BUILD_AND_IMAGE.diagnostic(
            ctx.range(key),
            format!(
                "`{}` has both `build` and `image` but no `pull_policy`: Compose runs an existing \
                 image of that name (local or pulled) and builds only when there is none",
                service.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn count(src: &str) -> usize {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP041")
            .count()
    }

    #[test]
    fn build_and_image_without_pull_policy() {
        assert_eq!(
            count("services:\n  a:\n    build: .\n    image: acme/a:1\n"),
            1
        );
        assert_eq!(
            count("services:\n  a:\n    build: .\n    image: acme/a:1\n    pull_policy: build\n"),
            0
        );
        assert_eq!(
            count("services:\n  a:\n    build: .\n  b:\n    image: acme/b:1\n"),
            0
        );
    }
}
