use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `env_file` that does not exist (unless the entry says `required: false`),
    /// and one given by an absolute path. A missing file is an error in `dockwise check` and
    /// information in the editor, where it may be the next file its author writes.
    ///
    /// ## Why is this bad?
    /// A missing env file stops `docker compose up` with an error. An absolute path works
    /// only on the machine where it was written: Compose warns about it, and the file
    /// breaks for everyone else and in CI.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     env_file: /home/dev/api.env
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: my-api:1.4
    ///     env_file:
    ///       - path: ./api.env
    ///         required: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `required: false` lets Compose start without the file, which is right for
    /// optional local overrides and wrong for settings the service needs.
    ///
    /// ## References
    /// - `env_file`: <https://docs.docker.com/reference/compose-file/services/#env_file>
    pub const ENV_FILE_PATH = {
        code: "CP013",
        name: "env-file-path",
        severity: Error,
        fixable: true,
        default_enabled: true,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    for service in ctx.services() {
        let Some(body) = service.body else {
            continue;
        };
        for entry in ctx.env_files(body) {
            let path = entry.path;
            let absolute = path.starts_with('/')
                || path.starts_with('~')
                || path.as_bytes().get(1) == Some(&b':');
            if absolute {
                let mut d = ENV_FILE_PATH.diagnostic(
                    ctx.range(entry.node),
                    format!(
                        "`{path}` is an absolute path: it exists only on this machine; use a \
                         path relative to the compose file"
                    ),
                );
                d.severity = Severity::Warning;
                out.push(d);
                continue;
            }
            let missing = ctx
                .facts
                .project
                .as_ref()
                .and_then(|p| p.env_files.get(path))
                .is_some_and(|f| !f.exists);
            if missing && entry.required {
                let mut diagnostic = ENV_FILE_PATH.diagnostic(
                    ctx.range(entry.node),
                    format!(
                        "`{path}` does not exist: `docker compose up` stops here unless the \
                         entry says `required: false`"
                    ),
                );
                // In the editor the file may be the next thing its author writes.
                if ctx.config.options.in_editor {
                    diagnostic.severity = Severity::Info;
                }
                let fix = optional(ctx, &entry).map(|edit| Fix {
                    title: format!("Mark `{path}` as optional (`required: false`)"),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
                out.push(Diagnostic { fix, ..diagnostic });
            }
        }
    }
}

/// Rewrites a short entry to the long form with `required: false`, in flow style so the
/// surrounding layout stays as it is.
fn optional(
    ctx: &ComposeContext<'_>,
    entry: &crate::rules::compose::env_files::EnvFileEntry<'_>,
) -> Option<Edit> {
    if entry.entry != entry.node {
        // Already long: add the key to its mapping.
        return ctx.append_to_mapping(entry.entry, "required: false");
    }
    let long = format!("{{path: {}, required: false}}", quoted(entry.path));
    Some(Edit {
        range: ctx.range(entry.node),
        new_text: if entry.alone {
            format!("[{long}]")
        } else {
            long
        },
    })
}

fn quoted(path: &str) -> String {
    if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"./_-".contains(&b))
    {
        path.to_owned()
    } else {
        format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
