use crate::diagnostics::{Applicability, Diagnostic, Fix};
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;
use crate::syntax::TextRange;

declare_rule! {
    /// ## What it does
    /// Reports the top-level `version:` key.
    ///
    /// ## Why is this bad?
    /// The Compose Specification dropped the file format version: Docker Compose v2 reads
    /// every file with the latest schema whatever `version` says, and prints a warning that
    /// the attribute is obsolete on every run. The key suggests a compatibility promise
    /// that does not exist (`version: "2"` does not turn off newer features or bring back
    /// removed ones).
    ///
    /// ## Example
    /// ```yaml
    /// version: "3.8"
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Safe: Compose ignores the key, so deleting its line changes nothing but the warning.
    ///
    /// ## References
    /// - Version and name top-level elements: <https://docs.docker.com/reference/compose-file/version-and-name/>
    pub const VERSION_OBSOLETE = {
        code: "CP002",
        name: "version-obsolete",
        severity: Warning,
        fixable: true,
        default_enabled: true,
        tag: Deprecated,
    };
}

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    let Some(root) = tree.root.map(|r| tree.resolve(r)) else {
        return;
    };
    let Some((key, value)) = ctx.entry(root, "version") else {
        return;
    };
    let key_range = ctx.range(key);
    let end = value.map_or(key_range.end, |v| ctx.range(v).end.max(key_range.end));
    let range = TextRange::new(key_range.start, end);
    let message = "`version` is obsolete: Compose ignores it and warns about it on every run";
    let fix = ctx.delete_entry(key, value).map(|edit| Fix {
        title: "Remove the `version` line".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    });
    out.push(match fix {
        Some(fix) => VERSION_OBSOLETE.diagnostic_with_fix(range, message, fix),
        None => VERSION_OBSOLETE.diagnostic(range, message),
    });
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::diagnostics::Diagnostic;
    use crate::facts::ComposeFacts;

    fn findings(src: &str) -> Vec<Diagnostic> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP002")
            .collect()
    }

    #[test]
    fn deletes_the_version_line() {
        let src = "# stack\nversion: '3.8'\n\nservices:\n  web:\n    image: nginx:1.27\n";
        let found = findings(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].range.as_usize()], "version: '3.8'");
        let fixed = crate::fix::apply_fixes(src, &[found[0].fix.as_ref().unwrap()]).0;
        assert_eq!(
            fixed,
            "# stack\n\nservices:\n  web:\n    image: nginx:1.27\n"
        );
    }

    #[test]
    fn a_nested_version_is_not_the_file_format() {
        let src = "services:\n  web:\n    image: nginx:1.27\n    labels:\n      version: \"2\"\n";
        assert!(findings(src).is_empty());
        assert_eq!(findings("version: \"3\"\n").len(), 1);
    }
}
