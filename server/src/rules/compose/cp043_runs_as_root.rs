use super::cp010_hardcoded_secret_env::has_interpolation;
use super::cp030_restart_policy_missing::append_to_service;
use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::compose::{ComposeContext, Service};
use crate::rules::declare_rule;
use crate::rules::dockerfile::images::{ImageFacts, ImageName};

declare_rule! {
    /// ## What it does
    /// Reports a service that runs as root: its `user` is `root` or uid `0` (`root`, `0`,
    /// `0:0`, `root:app`), or it sets no `user` while the Dockerfile it builds never sets
    /// `USER` for the stage it builds (`build.target`, else the last), or sets it to root
    /// (what DF070 reports in the Dockerfile). Bases known to run as a non-root user
    /// (`-nonroot` and `-unprivileged` images, Chainguard images) pass. Without the files
    /// around the compose file (an unsaved buffer), or for a service that only pulls an
    /// image, only an explicit root `user` is reported.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container has root's rights over everything mounted
    /// into it, and a container escape gives root on the host. Most services need no
    /// privileges at all once their files are in place.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     user: root
    /// ```
    ///
    /// Use instead: set an unprivileged user in the Dockerfile (`USER node`), or here:
    /// ```yaml
    /// services:
    ///   backend:
    ///     build: ./backend
    ///     user: "1001:1001"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and only when no `user` is set: the fix adds `user: "1001:1001"`. The process
    /// may then be unable to write files root owns in the image or in volumes, or to bind a
    /// port below 1024. An explicit `user: root` is left for a person to change.
    ///
    /// ## References
    /// - user in the Compose file reference: <https://docs.docker.com/reference/compose-file/services/#user>
    /// - USER in the Dockerfile reference: <https://docs.docker.com/reference/dockerfile/#user>
    /// - Docker security: <https://docs.docker.com/engine/security/>
    pub const RUNS_AS_ROOT = {
        code: "CP043",
        name: "runs-as-root",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else { continue };
        let name = service.name;
        match ctx.get(body, "user") {
            Some(user) => {
                if ctx.scalar(user).is_some_and(is_root) {
                    out.push(RUNS_AS_ROOT.diagnostic(
                        ctx.range(user),
                        format!(
                            "service `{name}` runs as root: use an unprivileged user, in the \
                             Dockerfile (`USER`) or here"
                        ),
                    ));
                }
            }
            None => {
                if let Some(d) = root_by_dockerfile(ctx, service, body) {
                    out.push(d);
                }
            }
        }
    }
}

/// A service without `user` whose built image runs as root.
fn root_by_dockerfile(
    ctx: &ComposeContext<'_>,
    service: &Service<'_>,
    body: crate::syntax::compose::NodeId,
) -> Option<Diagnostic> {
    let build = ctx.facts.build(service.name)?;
    let dockerfile = build.dockerfile.as_ref()?;
    let target = ctx.get(body, "build").and_then(|b| ctx.str_of(b, "target"));
    let image = dockerfile.image(target)?;
    let why = match image.user.as_deref() {
        Some(user) if is_root(user) => "sets `USER` to root",
        Some(_) => return None,
        None => {
            // The base image may run as another user itself.
            let base = image.base_image.as_deref()?;
            if ImageFacts::of(&ImageName::parse(base)).nonroot || is_windows(base) {
                return None;
            }
            "never sets `USER`"
        }
    };
    let name = service.name;
    let file = dockerfile
        .path
        .file_name()
        .map_or_else(|| "Dockerfile".into(), |f| f.to_string_lossy());
    let message = format!(
        "service `{name}` runs as root: its image's {file} {why} (DF070) and the service sets \
         no `user`"
    );
    let mut d = RUNS_AS_ROOT.diagnostic(ctx.range(service.key), message);
    if let Some(edit) = append_to_service(ctx, service, "user: \"1001:1001\"") {
        d.fix = Some(Fix {
            title: "Run as uid and gid 1001: `user: \"1001:1001\"`".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        });
    }
    Some(d)
}

/// `root`, `0`, and either with a group (`0:0`, `root:app`).
fn is_root(user: &str) -> bool {
    if has_interpolation(user) {
        return false;
    }
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
}

fn is_windows(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    lower.contains("windowsservercore")
        || lower.contains("nanoserver")
        || lower.starts_with("mcr.microsoft.com/windows")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::is_root;
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::{Applicability, Diagnostic};
    use crate::facts::ComposeFacts;
    use crate::facts::compose::{BuildFact, BuiltImage, DockerfileSummary, ProjectFacts};

    fn findings(text: &str, facts: &ComposeFacts) -> Vec<Diagnostic> {
        check_compose_with(text, facts, &Config::default())
            .into_iter()
            .filter(|d| d.code == "CP043")
            .collect()
    }

    /// Facts where service `api` builds a Dockerfile with stages `build` and `runtime`.
    fn facts(runtime_user: Option<&str>, base: &str) -> ComposeFacts {
        let summary = DockerfileSummary {
            path: "backend/Dockerfile".into(),
            stages: vec!["build".into(), "runtime".into()],
            images: vec![
                BuiltImage {
                    base_image: Some("node:22".into()),
                    user: Some("node".into()),
                    ..BuiltImage::default()
                },
                BuiltImage {
                    base_image: Some(base.into()),
                    user: runtime_user.map(str::to_owned),
                    ..BuiltImage::default()
                },
            ],
        };
        let mut project = ProjectFacts::default();
        project.builds.insert(
            "api".into(),
            BuildFact {
                dockerfile: Some(Arc::new(summary)),
                ..BuildFact::default()
            },
        );
        ComposeFacts {
            path: None,
            file_name: Some("compose.yaml".into()),
            project: Some(project),
        }
    }

    #[test]
    fn explicit_root() {
        let text = "services:\n  a:\n    image: x:1\n    user: root\n  b:\n    image: x:1\n    user: \"0:0\"\n  c:\n    image: x:1\n    user: 0\n  d:\n    image: x:1\n    user: \"1000:0\"\n  e:\n    image: x:1\n    user: ${UID}\n";
        let found = findings(text, &ComposeFacts::default());
        let flagged: Vec<&str> = found.iter().map(|d| &text[d.range.as_usize()]).collect();
        assert_eq!(flagged, ["root", "\"0:0\"", "0"]);
        assert!(found.iter().all(|d| d.fix.is_none()));
    }

    #[test]
    fn dockerfile_without_user() {
        let text = "services:\n  api:\n    build: ./backend\n    ports:\n      - \"3000:3000\"\n";
        let found = findings(text, &facts(None, "node:22-slim"));
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.as_usize()], "api");
        assert!(
            found[0].message.contains("never sets `USER` (DF070)"),
            "{}",
            found[0].message
        );
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let fixed = crate::fix::apply_fixes(text, &[fix]).0;
        assert!(
            fixed.ends_with("      - \"3000:3000\"\n    user: \"1001:1001\"\n"),
            "{fixed}"
        );
        assert!(findings(&fixed, &facts(None, "node:22-slim")).is_empty());
        // USER root counts too.
        assert_eq!(findings(text, &facts(Some("0"), "node:22-slim")).len(), 1);
    }

    #[test]
    fn dockerfile_with_user_target_or_non_root_base() {
        let text = "services:\n  api:\n    build: ./backend\n";
        assert!(findings(text, &facts(Some("node"), "node:22-slim")).is_empty());
        assert!(
            findings(
                text,
                &facts(None, "gcr.io/distroless/nodejs22-debian12:nonroot")
            )
            .is_empty()
        );
        assert!(findings(text, &facts(None, "cgr.dev/chainguard/node:latest")).is_empty());
        // The `build` stage sets `USER node`.
        let target =
            "services:\n  api:\n    build:\n      context: ./backend\n      target: build\n";
        assert!(findings(target, &facts(None, "node:22-slim")).is_empty());
        // No facts: nothing to say.
        assert!(findings(text, &ComposeFacts::default()).is_empty());
    }

    #[test]
    fn root_users() {
        for user in ["root", "0", "0:0", "root:root", "000"] {
            assert!(is_root(user), "{user}");
        }
        for user in ["node", "1000", "1000:0", "", "${UID}:0", "rootless"] {
            assert!(!is_root(user), "{user}");
        }
    }
}
