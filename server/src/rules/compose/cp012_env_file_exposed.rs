use crate::diagnostics::{Applicability, Diagnostic, Fix, NewFile};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `env_file` (`.env`, `.secrets`, ...) that git does not ignore, or that
    /// sits inside a service's build context whose `.dockerignore` does not exclude it.
    /// Outside a git repository, the `.gitignore` beside the compose file decides.
    ///
    /// ## Why is this bad?
    /// Env files hold the passwords and keys the compose file was careful not to write
    /// down. Committed, they are in the repository's history for good; sent with the build
    /// context, a `COPY . .` puts them into an image layer anyone with the image can read.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     env_file: .env
    /// ```
    /// with this `.env` beside it, and no `.gitignore`:
    /// ```dotenv
    /// DATABASE_PASSWORD=s3cret
    /// ```
    ///
    /// Use instead: the same files, with a `.gitignore` that lists the env file.
    /// ```dotenv
    /// DATABASE_PASSWORD=s3cret
    /// ```
    /// ```gitignore
    /// .env
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds the file to the `.gitignore` beside the compose file (as
    /// `/path`, so only that file) or to the build context's `.dockerignore`, creating the
    /// file when there is none. Git keeps tracking a file that was committed before; an
    /// env file meant to be shared (defaults, no secrets) should be renamed rather than
    /// ignored. No fix for a file outside the compose file's folder.
    ///
    /// ## References
    /// - Set environment variables: <https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/>
    pub const ENV_FILE_EXPOSED = {
        code: "CP012",
        name: "env-file-exposed",
        severity: Warning,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(project) = &ctx.facts.project else {
        return;
    };
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for entry in ctx.env_files(body) {
            let Some(fact) = project.env_files.get(entry.path) else {
                continue;
            };
            if !fact.exists {
                continue;
            }
            let path = entry.path;
            // The path below the compose file's folder, as ignore files write it.
            let below = path.strip_prefix("./").unwrap_or(path);
            let below = (!below.is_empty()
                && !below.starts_with('/')
                && !below.starts_with("..")
                && !below.contains("${")
                && !below.contains(['\\', '\n', '*', '?', '[', '!', '#']))
            .then_some(below);
            if !fact.git_ignored {
                let mut d = ENV_FILE_EXPOSED.diagnostic(
                    ctx.range(entry.node),
                    format!(
                        "`{path}` holds service `{}`'s environment but git does not ignore it: \
                         add it to `.gitignore` before it is committed",
                        service.name
                    ),
                );
                if let Some(below) = below {
                    let line = format!("/{below}");
                    d.fix = Some(Fix {
                        title: format!("Add `{line}` to `.gitignore`"),
                        applicability: Applicability::Unsafe,
                        edits: Vec::new(),
                    });
                    d.new_file = Some(NewFile {
                        path: ".gitignore".to_owned(),
                        content: format!("{line}\n"),
                        append: true,
                    });
                }
                out.push(d);
            }
            // Inside which build contexts, and not excluded there.
            for (built, build) in &project.builds {
                let Ok(inside) = fact.path.strip_prefix(&build.context) else {
                    continue;
                };
                let inside = inside.to_string_lossy().replace('\\', "/");
                let excluded = build
                    .dockerignore
                    .as_ref()
                    .is_some_and(|ignore| ignore.excluded_by(&inside).is_some());
                if !excluded {
                    let mut d = ENV_FILE_EXPOSED.diagnostic(
                        ctx.range(entry.node),
                        format!(
                            "`{path}` is inside the build context of service `{built}`, and \
                             no `.dockerignore` there excludes it: a `COPY . .` puts it into \
                             the image"
                        ),
                    );
                    // The context's folder from the compose file's, when it is below it.
                    let folder = ctx.facts.path.as_deref().and_then(|p| p.parent());
                    let context = folder.and_then(|f| build.context.strip_prefix(f).ok());
                    if let (Some(_), Some(context)) = (below, context) {
                        let context = context.to_string_lossy().replace('\\', "/");
                        let ignore = if context.is_empty() {
                            ".dockerignore".to_owned()
                        } else {
                            format!("{context}/.dockerignore")
                        };
                        d.fix = Some(Fix {
                            title: format!("Add `{inside}` to `{ignore}`"),
                            applicability: Applicability::Unsafe,
                            edits: Vec::new(),
                        });
                        d.new_file = Some(NewFile {
                            path: ignore,
                            content: format!("{inside}\n"),
                            append: true,
                        });
                    }
                    out.push(d);
                }
            }
        }
    }
}
