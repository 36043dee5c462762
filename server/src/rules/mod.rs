//! The rule registry: every rule's code, name, default severity and documentation, and the
//! functions that check a document.
//!
//! One file per rule. A rule's documentation is its doc comment, written once: the
//! [`declare_rule!`] macro keeps it both for rustdoc and as `RuleMeta::docs`, which feeds
//! `dockwise explain`, hover and the README's rule table.

use crate::diagnostics::{Diagnostic, Fix, Severity};
use crate::facts::DockerfileFacts;
use crate::semantic::DockerfileModel;
use crate::syntax::TextRange;
use crate::syntax::dockerfile::Parse;

pub mod dockerfile;

/// Static facts about a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Whether the rule offers fixes.
    pub fixable: bool,
    /// On unless a configuration turns it off.
    pub default_enabled: bool,
    /// Markdown: *What it does*, *Why is this bad?*, *Example*, *Fix safety*, *References*.
    pub docs: &'static str,
    /// How editors should render the flagged code (struck through, faded), if specially.
    pub tag: Option<RuleTag>,
}

/// Editor rendering hints for a rule's diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleTag {
    /// The flagged code uses something deprecated (shown struck through).
    Deprecated,
    /// The flagged code has no effect (shown faded).
    Unnecessary,
}

impl RuleMeta {
    /// A diagnostic of this rule at its default severity.
    pub fn diagnostic(&self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            range,
            fix: None,
        }
    }

    pub fn diagnostic_with_fix(
        &self,
        range: TextRange,
        message: impl Into<String>,
        fix: Fix,
    ) -> Diagnostic {
        Diagnostic {
            fix: Some(fix),
            ..self.diagnostic(range, message)
        }
    }

    /// The documentation with the one-space indent of `///` comments removed.
    pub fn docs_text(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The rule's documentation page (`server/docs/rules/<CODE>.md`).
    pub fn docs_page(&self) -> String {
        format!(
            "# {} {}\n\nDefault severity: {}. Fix available: {}. On by default: {}.\n\n{}",
            self.code,
            self.name,
            self.severity,
            if self.fixable { "yes" } else { "no" },
            if self.default_enabled { "yes" } else { "no" },
            self.docs_text().trim_end()
        ) + "\n"
    }

    /// The first sentence of the docs' *What it does* section: a one-line summary.
    pub fn summary(&self) -> String {
        let text = self.docs_text();
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("## What it does"));
        lines.next();
        lines
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl RuleMeta {
    /// The first sentence of [`RuleMeta::summary`], for one-line listings.
    pub fn short_summary(&self) -> String {
        let summary = self.summary();
        match summary.find(". ") {
            Some(end) => summary[..=end].to_owned(),
            None => summary,
        }
    }
}

/// The rule table of the README (between its `rules:start` and `rules:end` markers),
/// generated from the registry so the two cannot drift apart.
pub fn readme_rule_table() -> String {
    let mut out = String::from(
        "| Code | Name | Severity | Fix | Default | What it finds |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for rule in all_rules() {
        out.push_str(&format!(
            "| [{code}](server/docs/rules/{code}.md) | {name} | {severity} | {fix} | {default} | {summary} |\n",
            code = rule.code,
            name = rule.name,
            severity = rule.severity,
            fix = if rule.fixable { "yes" } else { "–" },
            default = if rule.default_enabled { "on" } else { "off" },
            summary = rule.short_summary().replace('|', "\\|"),
        ));
    }
    out
}

/// Declares a rule's metadata with its doc comment as documentation.
macro_rules! declare_rule {
    (@tag) => { None };
    (@tag $tag:ident) => { Some($crate::rules::RuleTag::$tag) };
    (
        $(#[doc = $doc:expr])+
        pub const $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            fixable: $fixable:literal,
            default_enabled: $enabled:literal
            $(, tag: $tag:ident)? $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub const $ident: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::diagnostics::Severity::$severity,
            fixable: $fixable,
            default_enabled: $enabled,
            docs: concat!($($doc, "\n"),+),
            tag: $crate::rules::declare_rule!(@tag $($tag)?),
        };
    };
}
pub(crate) use declare_rule;

/// What a Dockerfile rule gets to look at.
pub struct DockerfileContext<'a> {
    pub text: &'a str,
    pub parse: &'a Parse,
    pub model: &'a DockerfileModel,
    /// What other files say (the build context's `.dockerignore`).
    pub facts: &'a DockerfileFacts,
}

impl DockerfileContext<'_> {
    /// 1-based line of a byte offset, for messages that point at another place.
    pub fn line_number(&self, offset: u32) -> usize {
        let end = (offset as usize).min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
}

/// A Dockerfile rule: its metadata and its check.
pub struct DockerfileRule {
    pub meta: &'static RuleMeta,
    pub check: fn(&DockerfileContext<'_>, &mut Vec<Diagnostic>),
}

/// Every rule, in code order.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    dockerfile::RULES.iter().map(|r| r.meta)
}

/// Looks a rule up by code (`DF003`, any case) or name (`copy-from-unknown-stage`).
pub fn find_rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    all_rules().find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules: Vec<_> = all_rules().collect();
        for (i, a) in rules.iter().enumerate() {
            assert!(a.code.len() == 5 && a.code.starts_with("DF"), "{}", a.code);
            assert!(
                a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                a.name
            );
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(a.docs.contains(section), "{} lacks {section}", a.code);
            }
            assert!(!a.summary().is_empty(), "{} has no summary", a.code);
            for b in &rules[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.name, b.name);
            }
        }
        let codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        assert!(!codes.is_empty());
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted, "rules are registered in code order");
    }

    /// The README's rule table is generated; `UPDATE_RULE_DOCS=1` rewrites it.
    #[test]
    fn readme_rule_table_is_current() {
        const START: &str = "<!-- rules:start -->\n";
        const END: &str = "<!-- rules:end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        let readme = std::fs::read_to_string(&path).expect("README.md");
        let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
            panic!("README.md lacks the rules:start / rules:end markers");
        };
        let current = &readme[start + START.len()..end];
        let table = readme_rule_table();
        if std::env::var_os("UPDATE_RULE_DOCS").is_some() && current != table {
            let updated = format!(
                "{}{table}{}",
                &readme[..start + START.len()],
                &readme[end..]
            );
            std::fs::write(&path, updated).expect("write README.md");
            return;
        }
        assert_eq!(
            current, table,
            "the README's rule table is out of date: run `UPDATE_RULE_DOCS=1 cargo test -p dockwise --lib rules`"
        );
    }

    /// Diagnostics link to `server/docs/rules/<CODE>.md`; those pages are generated from the
    /// rules' doc comments. Run with `UPDATE_RULE_DOCS=1` to rewrite them.
    #[test]
    fn rule_docs_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let update = std::env::var_os("UPDATE_RULE_DOCS").is_some();
        if update {
            std::fs::create_dir_all(&dir).expect("create docs dir");
        }
        for rule in all_rules() {
            let path = dir.join(format!("{}.md", rule.code));
            let page = rule.docs_page();
            if update {
                std::fs::write(&path, &page).expect("write docs page");
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk,
                page,
                "{} is out of date: run `UPDATE_RULE_DOCS=1 cargo test -p dockwise --lib rules`",
                path.display()
            );
        }
    }
}
