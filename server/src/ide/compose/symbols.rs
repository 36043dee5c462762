//! Document symbols of a compose file: its top-level sections and their entries.
//!
//! The outline has one symbol per section (`services`, `networks`, `volumes`, `secrets`,
//! `configs`, `models` and `x-*` extensions) whose children are the section's entries.
//! A service shows its image (or `build: <context>`) as detail; volumes and networks show
//! `external` or their driver, secrets and configs where they come from, models their model.
//!
//! Kinds: sections are [`SymbolKind::Stage`] (modules), services
//! [`SymbolKind::Instruction`], every other entry [`SymbolKind::Variable`].

use super::ComposeAnalysis;
use super::navigation::{get, scalar_content, written_end};
use crate::ide::{DocumentSymbol, SymbolKind};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, YamlTree};

const SECTIONS: [&str; 6] = [
    "services", "networks", "volumes", "secrets", "configs", "models",
];

pub fn document_symbols(analysis: &ComposeAnalysis, text: &str) -> Vec<DocumentSymbol> {
    let tree = &analysis.parse.tree;
    let Some(root) = tree.root else {
        return Vec::new();
    };
    let mut symbols = Vec::new();
    for (key, value) in tree.entries(root) {
        let Some(name) = tree.scalar(key) else {
            continue;
        };
        if !SECTIONS.contains(&name) && !name.starts_with("x-") {
            continue;
        }
        let mut section = symbol(tree, text, key, value, SymbolKind::Stage);
        if let Some(body) = value.map(|v| tree.resolve(v))
            && matches!(tree.node(body).map(|n| &n.kind), Some(NodeKind::Mapping(_)))
        {
            for (entry_key, entry) in tree.entries(body) {
                if tree.scalar(entry_key).is_none() {
                    continue;
                }
                let kind = if name == "services" {
                    SymbolKind::Instruction
                } else {
                    SymbolKind::Variable
                };
                let mut child = symbol(tree, text, entry_key, entry, kind);
                child.detail = entry
                    .map(|e| tree.resolve(e))
                    .and_then(|e| detail(tree, name, e));
                section.children.push(child);
            }
        }
        symbols.push(section);
    }
    symbols
}

/// The symbol of the entry `key: value`, from the key through the end of the value.
fn symbol(
    tree: &YamlTree,
    text: &str,
    key: NodeId,
    value: Option<NodeId>,
    kind: SymbolKind,
) -> DocumentSymbol {
    let key_range = tree.node(key).map_or(TextRange::empty(0), |n| n.range);
    let end = value.map_or(key_range.end, |v| written_end(tree, text, v));
    let selection_range = scalar_content(tree, text, key).map_or(key_range, |(r, _)| r);
    DocumentSymbol {
        name: tree.scalar(key).unwrap_or_default().to_owned(),
        detail: None,
        kind,
        range: TextRange::new(key_range.start, end.max(key_range.end)),
        selection_range,
        children: Vec::new(),
    }
}

/// One line about an entry of `section`.
fn detail(tree: &YamlTree, section: &str, entry: NodeId) -> Option<String> {
    let value = |key: &str| get(tree, entry, key).and_then(|v| tree.scalar(v));
    match section {
        "services" => {
            if let Some(image) = value("image") {
                return Some(image.to_owned());
            }
            let build = get(tree, entry, "build")?;
            let context = tree
                .scalar(build)
                .or_else(|| get(tree, build, "context").and_then(|c| tree.scalar(c)))
                .unwrap_or(".");
            Some(format!("build: {context}"))
        }
        "volumes" | "networks" => {
            if value("external") == Some("true") {
                Some("external".to_owned())
            } else {
                value("driver").map(|d| format!("driver: {d}"))
            }
        }
        "secrets" | "configs" => ["file", "environment", "content"]
            .into_iter()
            .find_map(|key| value(key).map(|v| format!("{key}: {}", first_line(v))))
            .or_else(|| (value("external") == Some("true")).then(|| "external".to_owned())),
        "models" => value("model").map(str::to_owned),
        _ => None,
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;

    fn outline(text: &str) -> Vec<String> {
        let analysis =
            ComposeAnalysis::compute(text, None, |_| ComposeFacts::default(), &Config::default());
        let mut out = Vec::new();
        for s in document_symbols(&analysis, text) {
            assert_eq!(&text[s.selection_range.as_usize()], s.name);
            out.push(format!("{} {:?}", s.name, s.kind));
            for c in s.children {
                assert_eq!(&text[c.selection_range.as_usize()], c.name);
                assert!(s.range.contains_range(c.range));
                out.push(format!(
                    "  {} {:?} {}",
                    c.name,
                    c.kind,
                    c.detail.unwrap_or_default()
                ));
            }
        }
        out
    }

    #[test]
    fn sections_entries_and_details() {
        let text = "name: shop\nx-common: &common\n  restart: always\nservices:\n  \"web\":\n    image: nginx:1.27\n    <<: *common\n  api:\n    build:\n      context: ./api\n  worker:\n    build: ./worker\nvolumes:\n  data:\n  ext:\n    external: true\nnetworks: {front: {driver: overlay}}\nsecrets:\n  token:\n    file: ./token.txt\nconfigs:\n  conf:\n    content: |\n      a\n      b\nmodels:\n  llm:\n    model: ai/smollm2\n";
        assert_eq!(
            outline(text),
            [
                "x-common Stage",
                "  restart Variable ",
                "services Stage",
                "  web Instruction nginx:1.27",
                "  api Instruction build: ./api",
                "  worker Instruction build: ./worker",
                "volumes Stage",
                "  data Variable ",
                "  ext Variable external",
                "networks Stage",
                "  front Variable driver: overlay",
                "secrets Stage",
                "  token Variable file: ./token.txt",
                "configs Stage",
                "  conf Variable content: a",
                "models Stage",
                "  llm Variable ai/smollm2",
            ]
        );
    }

    #[test]
    fn ranges_end_at_the_content() {
        let text = "services:\n  web:\n    image: nginx\n\n# trailing comment\nvolumes:\n  data:\n";
        let analysis =
            ComposeAnalysis::compute(text, None, |_| ComposeFacts::default(), &Config::default());
        let symbols = document_symbols(&analysis, text);
        assert_eq!(
            &text[symbols[0].range.as_usize()],
            "services:\n  web:\n    image: nginx"
        );
        assert_eq!(&text[symbols[1].children[0].range.as_usize()], "data");
    }

    #[test]
    fn broken_and_odd_files() {
        let text = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"\n  db:\n    image: postgres\n";
        let found = outline(text);
        assert!(
            found.contains(&"  db Instruction postgres".to_owned()),
            "{found:?}"
        );
        for text in [
            "",
            "just text",
            "- a\n- b\n",
            "services: 3\n",
            "services:\n  : x\n",
        ] {
            let _ = outline(text);
        }
    }
}
