use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports a compose file without a top-level `name`. Override files
    /// (`compose.override.yaml`), which add to another file, are not reported.
    ///
    /// ## Why is this bad?
    /// Without `name`, Compose names the project after the folder the file is in. Container,
    /// network and volume names all start with it, so a checkout in another folder (a CI
    /// workspace, `app-2/`, a renamed clone) starts a second, separate stack with empty
    /// volumes instead of managing the first one, and two projects in folders of the same
    /// name share one.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// name: shop
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Shown only, never applied: the fix inserts `name: my-project`, a placeholder to
    /// replace with the project's name. Changing the name of a running project also makes
    /// Compose create new containers, networks and volumes under the new name.
    ///
    /// ## References
    /// - The `name` top-level element: <https://docs.docker.com/reference/compose-file/version-and-name/>
    pub const PROJECT_NAME_MISSING = {
        code: "CP046",
        name: "project-name-missing",
        severity: Info,
        fixable: true,
        default_enabled: false,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let override_file = ctx
        .facts
        .file_name
        .as_deref()
        .is_some_and(|n| n.to_ascii_lowercase().contains("override"));
    if override_file {
        return;
    }
    let tree = ctx.tree();
    let Some(root) = tree.root.map(|r| tree.resolve(r)) else {
        return;
    };
    let entries = tree.entries(root);
    let Some(&(first, _)) = entries.first() else {
        return;
    };
    if ctx.get(root, "name").is_some() {
        return;
    }
    let message = "the project has no `name`: Compose names it after the folder, so another \
                   checkout starts a separate stack";
    out.push(match fix(ctx, &entries) {
        Some(fix) => PROJECT_NAME_MISSING.diagnostic_with_fix(ctx.range(first), message, fix),
        None => PROJECT_NAME_MISSING.diagnostic(ctx.range(first), message),
    });
}

/// Inserts `name:` before the first top-level key, or after `version` when that comes first.
fn fix(ctx: &ComposeContext<'_>, entries: &[(usize, Option<usize>)]) -> Option<Fix> {
    let &(first, value) = entries.first()?;
    if ctx.block_indent(first) != Some(0) {
        return None;
    }
    let at = if ctx.tree().scalar(first) == Some("version") {
        ctx.delete_entry(first, value)?.range.end
    } else {
        ctx.line_start(ctx.range(first).start)
    };
    Some(Fix {
        title: "Add `name: my-project` (then rename it)".to_owned(),
        applicability: Applicability::DisplayOnly,
        edits: vec![Edit {
            range: TextRange::empty(at),
            new_text: format!("name: my-project{}", ctx.line_ending()),
        }],
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(src: &str, file_name: &str) -> Vec<Diagnostic> {
        let facts = ComposeFacts {
            file_name: Some(file_name.to_owned()),
            ..ComposeFacts::default()
        };
        check_compose_with(src, &facts, &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP046")
            .collect()
    }

    fn fixed(src: &str) -> String {
        let found = findings(src, "compose.yaml");
        crate::fix::apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0
    }

    #[test]
    fn inserts_a_placeholder_name() {
        assert_eq!(
            fixed("# shop\nservices:\n  web:\n    image: nginx:1.27\n"),
            "# shop\nname: my-project\nservices:\n  web:\n    image: nginx:1.27\n"
        );
        assert_eq!(
            fixed("version: \"3\"\r\nservices:\r\n  web:\r\n    image: nginx:1.27\r\n"),
            "version: \"3\"\r\nname: my-project\r\nservices:\r\n  web:\r\n    image: nginx:1.27\r\n"
        );
    }

    #[test]
    fn named_projects_and_override_files_pass() {
        let src = "services:\n  web:\n    image: nginx:1.27\n";
        assert!(findings(src, "compose.override.yaml").is_empty());
        assert!(findings(&format!("name: shop\n{src}"), "compose.yaml").is_empty());
        assert!(findings("", "compose.yaml").is_empty());
    }
}
