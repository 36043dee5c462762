//! A compose file's analysis: its YAML tree and findings, for the editor features.

use std::sync::{Arc, Mutex};

use crate::analysis::{ComposeRuleCache, check_parsed_compose_cached};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::facts::ComposeFacts;
use crate::syntax::compose::{YamlParse, YamlTree, parse, reparse};

pub mod completion;
pub mod hover;

pub mod folding;
pub mod links;
pub mod navigation;
pub mod symbols;

/// Everything computed for one version of a compose file.
#[derive(Debug)]
pub struct ComposeAnalysis {
    /// The text analysed (the next version re-reads only the entry its edit touched).
    pub text: String,
    pub parse: YamlParse,
    pub diagnostics: Vec<Diagnostic>,
    /// What the findings were computed with (fix-all checks again as it fixes).
    pub facts: ComposeFacts,
    /// What the rules found per service, for the next version (which takes it: what it
    /// reuses is moved, not copied).
    rule_cache: Mutex<Option<ComposeRuleCache>>,
}

impl ComposeAnalysis {
    /// Parses `text` (re-reading only what changed since `previous`, when that is safe),
    /// asks `facts_for` what is known around the file (it may read the files the tree
    /// names), and checks it (reusing `previous`'s findings for the services the edit did
    /// not touch).
    pub fn compute(
        text: &str,
        previous: Option<&ComposeAnalysis>,
        facts_for: impl FnOnce(&YamlTree) -> ComposeFacts,
        config: &Config,
    ) -> Arc<Self> {
        let mut parse = previous
            .and_then(|p| reparse(&p.parse, &p.text, text))
            .unwrap_or_else(|| parse(text));
        // Opened in an editor: there will be edits.
        if previous.is_none() {
            parse.keep_layout(text);
        }
        let facts = facts_for(&parse.tree);
        let previous_rules = previous.and_then(|p| {
            let cache = p.rule_cache.lock().ok()?.take()?;
            Some((p.text.as_str(), cache))
        });
        let (diagnostics, rule_cache) =
            check_parsed_compose_cached(text, &parse, &facts, config, previous_rules);
        Arc::new(ComposeAnalysis {
            text: text.to_owned(),
            parse,
            diagnostics,
            facts,
            rule_cache: Mutex::new(rule_cache),
        })
    }
}
