use crate::diagnostics::Diagnostic;
use crate::rules::compose::ComposeContext;
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a top-level key written after one that should follow it, in the order
    /// `version`, `name`, `include`, `services`, `networks`, `volumes`, `configs`,
    /// `secrets`, `models`. Each key out of place is reported once. Extension keys (`x-*`)
    /// and keys outside the list may go anywhere.
    ///
    /// ## Why is this bad?
    /// Nothing breaks, but a reader finds what a file defines faster when every file of a
    /// project puts it in the same place: what the project is, then what runs, then what it
    /// runs with.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   data:
    /// services:
    ///   db:
    ///     image: postgres:16-alpine
    ///     volumes:
    ///       - data:/var/lib/postgresql/data
    /// name: shop
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// name: shop
    /// services:
    ///   db:
    ///     image: postgres:16-alpine
    ///     volumes:
    ///       - data:/var/lib/postgresql/data
    /// volumes:
    ///   data:
    /// ```
    ///
    /// ## Fix safety
    /// No fix: moving whole sections would also move the comments around them.
    ///
    /// ## References
    /// - The Compose file reference: <https://docs.docker.com/reference/compose-file/>
    pub const ORDERING = {
        code: "CP050",
        name: "ordering",
        severity: Style,
        fixable: false,
        default_enabled: false,
    };
}

/// The top-level keys in the order they should be written.
const ORDER: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "configs", "secrets", "models",
];

pub(crate) fn check(ctx: &ComposeContext<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree();
    let Some(root) = tree.root.map(|r| tree.resolve(r)) else {
        return;
    };
    // The key ranked last so far.
    let mut last: Option<(usize, &str)> = None;
    for (key, _) in tree.entries(root) {
        let Some(name) = tree.scalar(key) else {
            continue;
        };
        let Some(rank) = ORDER.iter().position(|k| *k == name) else {
            continue;
        };
        match last {
            Some((last_rank, last_name)) if rank < last_rank => {
                out.push(ORDERING.diagnostic(
                    ctx.range(key),
                    format!("top-level `{name}` should come before `{last_name}`"),
                ));
            }
            _ => last = Some((rank, name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::check_compose_with;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn messages(src: &str) -> Vec<String> {
        check_compose_with(src, &ComposeFacts::default(), &Config::all_enabled())
            .into_iter()
            .filter(|d| d.code == "CP050")
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn out_of_order_keys_once_each() {
        let src =
            "services: {}\nx-common: &c {}\nversion: \"3\"\nvolumes: {}\nname: app\nnetworks: {}\n";
        assert_eq!(
            messages(src),
            [
                "top-level `version` should come before `services`",
                "top-level `name` should come before `volumes`",
                "top-level `networks` should come before `volumes`",
            ]
        );
        let src = "version: \"3\"\nname: app\nx-a: {}\nservices: {}\nnetworks: {}\nvolumes: {}\nsecrets: {}\n";
        assert!(messages(src).is_empty());
    }
}
