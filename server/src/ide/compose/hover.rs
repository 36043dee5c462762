//! Hover in compose files: the schema's documentation of a key, what a name used as a
//! reference is and where it is declared, and the value a `${VAR}` interpolates to.

use std::fmt::Write as _;

use serde_json::Value;

use super::ComposeAnalysis;
use super::completion::{ITEM, NameKind, declared, parent_path, schema, shape, yaml_value};
use crate::ide::Hover;
use crate::rules::compose::interpolation::{VariableUse, variables};
use crate::syntax::TextRange;
use crate::syntax::compose::{MAX_DEPTH, NodeId, NodeKind, ScalarKind, YamlTree};

/// Hover content at `offset` in the compose file `text` that `analysis` was computed from.
pub fn hover(analysis: &ComposeAnalysis, text: &str, offset: u32) -> Option<Hover> {
    if offset as usize > text.len() || !text.is_char_boundary(offset as usize) {
        return None;
    }
    let tree = &analysis.parse.tree;
    match locate(tree, offset) {
        Some(hit) if hit.is_key => key_hover(analysis, text, &hit),
        Some(hit) => value_hover(analysis, text, &hit, offset),
        None => broken_line_key(text, offset),
    }
}

/// A scalar of the tree at an offset.
#[derive(Debug)]
struct Hit {
    /// For a key: the path of its mapping. For a value: the path to the value itself (its
    /// key or [`ITEM`] last).
    path: Vec<String>,
    node: NodeId,
    is_key: bool,
}

/// The key or scalar value under `offset`, going down from the root by ranges.
fn locate(tree: &YamlTree, offset: u32) -> Option<Hit> {
    let contains = |id: NodeId| {
        tree.node(id)
            .is_some_and(|n| n.range.start <= offset && offset <= n.range.end)
    };
    let mut id = tree.root?;
    let mut path: Vec<String> = Vec::new();
    for _ in 0..=MAX_DEPTH {
        match &tree.node(id)?.kind {
            NodeKind::Mapping(entries) => {
                if let Some(&(key, _)) = entries
                    .iter()
                    .find(|(k, _)| contains(*k) && tree.scalar(*k).is_some())
                {
                    return Some(Hit {
                        path,
                        node: key,
                        is_key: true,
                    });
                }
                let (key, value) = entries
                    .iter()
                    .rev()
                    .find_map(|&(k, v)| v.filter(|v| contains(*v)).map(|v| (k, v)))?;
                path.push(tree.scalar(key)?.to_owned());
                id = value;
            }
            NodeKind::Sequence(items) => {
                id = *items.iter().rev().find(|i| contains(**i))?;
                path.push(ITEM.to_owned());
            }
            NodeKind::Scalar { .. } => {
                return Some(Hit {
                    path,
                    node: id,
                    is_key: false,
                });
            }
            NodeKind::Alias(_) => return None,
        }
    }
    None
}

fn is(path: &[String], pattern: &[&str]) -> bool {
    path.len() == pattern.len() && path.iter().zip(pattern).all(|(p, q)| *q == "*" || p == q)
}

fn key_hover(analysis: &ComposeAnalysis, text: &str, hit: &Hit) -> Option<Hover> {
    let tree = &analysis.parse.tree;
    let name = tree.scalar(hit.node)?;
    let range = tree.node(hit.node)?.range;
    if is(&hit.path, &["services", "*", "depends_on"]) {
        return Some(reference(tree, text, NameKind::Service, name, range));
    }
    if is(&hit.path, &["services", "*", "networks"]) {
        return Some(reference(tree, text, NameKind::Network, name, range));
    }
    let mut path = hit.path.clone();
    path.push(name.to_owned());
    key_docs(&path, range)
}

/// The schema's documentation of the key at the end of `path`.
fn key_docs(path: &[String], range: TextRange) -> Option<Hover> {
    let nodes = schema::at_path(path);
    let description = schema::description(&nodes)?;
    let name = path.last()?;
    let mut out = String::with_capacity(512);
    let _ = writeln!(out, "### {name}\n");
    let dotted = path.join(".").replace(".[]", "[]");
    let _ = write!(out, "`{dotted}`");
    if let Some(types) = schema::type_label(&schema::types(&nodes)) {
        let _ = write!(out, " · {types}");
    }
    out.push_str("\n\n");
    if schema::deprecated(&nodes) {
        out.push_str("**Deprecated.** ");
    }
    out.push_str(description);
    out.push('\n');
    let values = schema::enums(&nodes);
    if !values.is_empty() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        let _ = writeln!(out, "\nAllowed values: {}.", list.join(", "));
    }
    let examples = schema::examples(&nodes);
    if !examples.is_empty() {
        let key = if name == ITEM { "item" } else { name.as_str() };
        let _ = writeln!(
            out,
            "\n{}:\n```yaml",
            if examples.len() == 1 {
                "Example"
            } else {
                "Examples"
            }
        );
        for example in examples.iter().take(3) {
            render_entry(key, example, 0, &mut out);
        }
        out.push_str("```\n");
    }
    Some(Hover {
        range,
        markdown: out,
    })
}

/// A JSON example as YAML under `key`.
fn render_entry(key: &str, value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let key = yaml_value(key);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            for (k, v) in map {
                render_entry(k, v, indent + 2, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            let _ = writeln!(out, "{pad}{key}:");
            for item in items {
                render_item(item, indent + 2, out);
            }
        }
        Value::Null => {
            let _ = writeln!(out, "{pad}{key}:");
        }
        other => {
            let _ = writeln!(out, "{pad}{key}: {}", inline(other));
        }
    }
}

fn render_item(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (i, (k, v)) in map.iter().enumerate() {
                if i == 0 {
                    out.push_str(&pad);
                    out.push_str("- ");
                    let mut first = String::new();
                    render_entry(k, v, indent + 2, &mut first);
                    out.push_str(first.trim_start());
                } else {
                    render_entry(k, v, indent + 2, out);
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}- {}", inline(other));
        }
    }
}

/// A scalar, or a list of scalars in flow style.
fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => yaml_value(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(_) => "{}".to_owned(),
        other => other.to_string(),
    }
}

fn value_hover(analysis: &ComposeAnalysis, text: &str, hit: &Hit, offset: u32) -> Option<Hover> {
    let tree = &analysis.parse.tree;
    let node = tree.node(hit.node)?;
    let raw = text.get(node.range.as_usize())?;
    let rel = (offset - node.range.start) as usize;
    if let Some(var) = variable_at(raw, rel) {
        let range = TextRange::new(
            node.range.start + var.start as u32,
            node.range.start + var.end as u32,
        );
        return Some(Hover {
            range,
            markdown: variable_markdown(analysis, &var),
        });
    }
    let value = tree.scalar(hit.node)?;
    let path = &hit.path;
    let (kind, name) = if is(path, &["services", "*", "depends_on", ITEM])
        || is(path, &["services", "*", "extends"])
        || is(path, &["services", "*", "extends", "service"])
    {
        (Some(NameKind::Service), value)
    } else if is(path, &["services", "*", "links", ITEM])
        || is(path, &["services", "*", "volumes_from", ITEM])
    {
        (
            Some(NameKind::Service),
            value.split(':').next().unwrap_or(value),
        )
    } else if is(path, &["services", "*", "network_mode"]) {
        match value.strip_prefix("service:") {
            Some(name) => (Some(NameKind::Service), name),
            None => (None, value),
        }
    } else if is(path, &["services", "*", "networks", ITEM]) {
        (Some(NameKind::Network), value)
    } else if is(path, &["services", "*", "volumes", ITEM])
        || is(path, &["services", "*", "volumes", ITEM, "source"])
    {
        let source = value.split(':').next().unwrap_or(value);
        let named = source
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && !value.contains("${")
            && (path.len() == 4 || value.len() == source.len());
        (named.then_some(NameKind::Volume), source)
    } else if is(path, &["services", "*", "secrets", ITEM])
        || is(path, &["services", "*", "secrets", ITEM, "source"])
    {
        (Some(NameKind::Secret), value)
    } else if is(path, &["services", "*", "configs", ITEM])
        || is(path, &["services", "*", "configs", ITEM, "source"])
    {
        (Some(NameKind::Config), value)
    } else if is(path, &["services", "*", "build", "target"]) {
        return stage_hover(
            analysis,
            &path[1],
            value,
            name_range(text, node, value, value),
        );
    } else {
        (None, value)
    };
    let kind = kind?;
    if name.is_empty() {
        return None;
    }
    let range = name_range(text, node, value, name);
    if offset < range.start || offset > range.end {
        return None;
    }
    Some(reference(tree, text, kind, name, range))
}

/// Where `name` (a part of the scalar's `value` that starts at the same place, or ends
/// with it) is written; the node's range when escapes make it hard to say.
fn name_range(
    text: &str,
    node: &crate::syntax::compose::Node,
    value: &str,
    name: &str,
) -> TextRange {
    let quoted = matches!(
        node.kind,
        NodeKind::Scalar {
            style: ScalarKind::Quoted,
            ..
        }
    );
    let base = node.range.start + u32::from(quoted);
    let within = if value.starts_with(name) {
        0
    } else {
        value.len() - name.len()
    };
    let range = TextRange::new(base + within as u32, base + (within + name.len()) as u32);
    if text.get(range.as_usize()) == Some(name) {
        range
    } else {
        node.range
    }
}

/// 1-based line of an offset.
fn line_of(text: &str, offset: u32) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..(offset as usize).min(text.len())]).count() + 1
}

/// What a referenced name is and where it is declared.
fn reference(tree: &YamlTree, text: &str, kind: NameKind, name: &str, range: TextRange) -> Hover {
    let noun = kind.noun();
    let mut out = String::with_capacity(256);
    let declaration = declared(tree, kind).into_iter().find(|d| d.name == name);
    match declaration.and_then(|d| Some((tree.node(d.key)?.range.start, d.body))) {
        Some((at, body)) => {
            let _ = writeln!(
                out,
                "**{}** `{name}`, declared under `{}:` on line {}.",
                capitalized(noun),
                kind.section(),
                line_of(text, at)
            );
            let details = body
                .map(|b| declaration_details(tree, kind, b))
                .unwrap_or_default();
            if !details.is_empty() {
                out.push('\n');
                for line in details {
                    let _ = writeln!(out, "- {line}");
                }
            }
        }
        None if kind == NameKind::Network && name == "default" => {
            out.push_str(
                "**Network** `default`: the network Compose creates for the project when \
                 the file does not declare it.\n",
            );
        }
        None => {
            let _ = writeln!(
                out,
                "**{}** `{name}` is not declared under `{}:` in this file.",
                capitalized(noun),
                kind.section()
            );
        }
    }
    Hover {
        range,
        markdown: out,
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// The few settings of a declaration worth a line each.
fn declaration_details(tree: &YamlTree, kind: NameKind, body: NodeId) -> Vec<String> {
    let scalar = |key: &str| tree.get(body, key).and_then(|v| tree.scalar(v));
    let mut out = Vec::new();
    match kind {
        NameKind::Service => {
            if let Some(image) = scalar("image") {
                out.push(format!("image `{image}`"));
            }
            if let Some(build) = tree.get(body, "build") {
                let context = tree
                    .scalar(build)
                    .or_else(|| tree.get(build, "context").and_then(|c| tree.scalar(c)))
                    .unwrap_or(".");
                out.push(format!("built from `{context}`"));
            }
            if tree.get(body, "healthcheck").is_some() {
                out.push("has a healthcheck".to_owned());
            }
        }
        _ => {
            for key in ["driver", "file", "environment", "name"] {
                if let Some(value) = scalar(key) {
                    out.push(format!("{key} `{value}`"));
                }
            }
            for key in ["external", "internal"] {
                if scalar(key) == Some("true") {
                    out.push(format!("{key}: created outside Compose").replace(
                        "internal: created outside Compose",
                        "internal: no access to the outside",
                    ));
                }
            }
        }
    }
    out
}

fn stage_hover(
    analysis: &ComposeAnalysis,
    service: &str,
    target: &str,
    range: TextRange,
) -> Option<Hover> {
    let dockerfile = analysis.facts.build(service)?.dockerfile.clone()?;
    let file = dockerfile.path.display();
    let markdown = match dockerfile
        .stages
        .iter()
        .position(|s| s.eq_ignore_ascii_case(target))
    {
        Some(i) => {
            let mut out = format!(
                "**Stage** `{target}` of `{file}` (stage {} of {}).",
                i + 1,
                dockerfile.stages.len()
            );
            if let Some(base) = dockerfile
                .images
                .get(i)
                .and_then(|img| img.base_image.as_deref())
            {
                let _ = write!(out, " Built from `{base}`.");
            }
            out
        }
        None => {
            let stages: Vec<String> = dockerfile.stages.iter().map(|s| format!("`{s}`")).collect();
            format!(
                "`{file}` has no stage `{target}`; its stages: {}.",
                if stages.is_empty() {
                    "none named".to_owned()
                } else {
                    stages.join(", ")
                }
            )
        }
    };
    Some(Hover { range, markdown })
}

/// The variable written around `at` in `raw` (the innermost one, for one inside another's
/// default).
fn variable_at(raw: &str, at: usize) -> Option<VariableUse<'_>> {
    variables(raw)
        .into_iter()
        .filter(|v| v.start <= at && at <= v.end)
        .min_by_key(|v| v.end - v.start)
}

fn variable_markdown(analysis: &ComposeAnalysis, var: &VariableUse<'_>) -> String {
    let name = var.name;
    let project = analysis.facts.project.as_ref();
    // The environment (when the user opted in to reading it) wins over `.env`, as in
    // Compose.
    let set = project
        .and_then(|p| p.environment.get(name))
        .map(|v| (v.as_str(), "the environment"))
        .or_else(|| {
            project
                .and_then(|p| p.dotenv.as_deref())
                .and_then(|vars| vars.get(name))
                .map(|v| (v.as_str(), "the `.env` beside this file"))
        });
    let argument = var.argument;
    let mut out = format!("**`{name}`**");
    match (set, var.operator) {
        (Some(("", _)), ":-") => {
            let _ = write!(
                out,
                " = `{argument}`\n\n`{name}` is set but empty, so the default is used."
            );
        }
        (Some(("", from)), ":?") => {
            let _ = write!(
                out,
                " is set but empty (in {from}): Compose stops with the error \"{argument}\"."
            );
        }
        (Some(("", from)), ":+") => {
            let _ = write!(
                out,
                " = `` (set but empty in {from}, so nothing replaces it)"
            );
        }
        (Some((_, from)), ":+" | "+") => {
            let _ = write!(
                out,
                " = `{argument}`\n\n`{name}` is set (in {from}), so `{argument}` replaces it."
            );
        }
        (Some((value, from)), _) => {
            let _ = write!(out, " = `{value}`\n\nFrom {from}.");
        }
        (None, op) => {
            match op {
                ":-" | "-" => {
                    let _ = write!(out, " = `{argument}`\n\nNot set: the default is used.");
                }
                ":?" | "?" => {
                    let _ = write!(
                        out,
                        " is not set: Compose stops with the error \"{argument}\"."
                    );
                }
                _ => out.push_str(" is not set (Compose would use an empty string)."),
            }
            if project.is_none() {
                out.push_str("\n\nThe file is not saved on disk, so no `.env` beside it was read.");
            } else if project.is_some_and(|p| p.dotenv.is_none()) {
                out.push_str("\n\nThere is no `.env` beside this file.");
            }
        }
    }
    out
}

/// A key on a line the parser could not read (a syntax error blanked it): its docs from
/// the indentation.
fn broken_line_key(text: &str, offset: u32) -> Option<Hover> {
    let offset = offset as usize;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let s = shape(line)?;
    let key = s.key.as_ref()?;
    let key_start = line_start + s.content_col;
    let key_end = key_start + key.len();
    if offset < key_start || offset > key_end || text.get(key_start..key_end) != Some(key.as_str())
    {
        return None;
    }
    let (threshold, item) = match s.dashes.first() {
        Some(&d) => (d, true),
        None => (s.indent, false),
    };
    let mut path = parent_path(text, line_start, threshold, item)?;
    path.extend(std::iter::repeat_n(ITEM.to_owned(), s.dashes.len()));
    path.push(key.clone());
    key_docs(&path, TextRange::new(key_start as u32, key_end as u32))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::facts::ComposeFacts;
    use crate::facts::compose::{BuildFact, BuiltImage, DockerfileSummary, ProjectFacts};

    fn hover_with(fixture: &str, facts: ComposeFacts) -> Option<(String, Hover)> {
        let at = fixture.find("$0").expect("a `$0` cursor marker");
        let text = format!("{}{}", &fixture[..at], &fixture[at + 2..]);
        let analysis = ComposeAnalysis::compute(&text, None, |_| facts, &Config::default());
        hover(&analysis, &text, at as u32).map(|h| (text, h))
    }

    fn hover_at(fixture: &str) -> Option<(String, Hover)> {
        hover_with(fixture, ComposeFacts::default())
    }

    fn covered<'t>(text: &'t str, hover: &Hover) -> &'t str {
        &text[hover.range.as_usize()]
    }

    fn with_dotenv(vars: &[(&str, &str)]) -> ComposeFacts {
        let dotenv: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ComposeFacts {
            file_name: Some("compose.yaml".into()),
            project: Some(ProjectFacts {
                dotenv: Some(Arc::new(dotenv)),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn keys_show_the_schema_docs() {
        let (text, h) = hover_at("services:\n  web:\n    rest$0art: always\n").unwrap();
        assert_eq!(covered(&text, &h), "restart");
        assert!(
            h.markdown
                .starts_with("### restart\n\n`services.web.restart` · string"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("Restart policy"));
        assert!(
            h.markdown.contains("restart: unless-stopped"),
            "{}",
            h.markdown
        );

        let (_, h) =
            hover_at("services:\n  web:\n    healthcheck:\n      inter$0val: 5s\n").unwrap();
        assert!(
            h.markdown
                .contains("`services.web.healthcheck.interval` · string"),
            "{}",
            h.markdown
        );

        let (_, h) = hover_at(
            "services:\n  web:\n    depends_on:\n      db:\n        condi$0tion: service_healthy\n",
        )
        .unwrap();
        assert!(
            h.markdown.contains("Allowed values: `service_started`"),
            "{}",
            h.markdown
        );

        let (_, h) = hover_at("services:\n  web:\n    volumes:\n      - ty$0pe: bind\n").unwrap();
        assert!(
            h.markdown.contains("`services.web.volumes[].type`"),
            "{}",
            h.markdown
        );

        // Complex examples are rendered as YAML.
        let (_, h) = hover_at("services:\n  web:\n    health$0check:\n      test: x\n").unwrap();
        assert!(
            h.markdown.contains("healthcheck:\n  interval: 30s\n"),
            "{}",
            h.markdown
        );
        let (_, h) = hover_at("vers$0ion: \"3\"\n").unwrap();
        assert!(h.markdown.contains("**Deprecated.**"));
        // Unknown and extension keys have nothing to show.
        assert!(hover_at("services:\n  web:\n    x-fo$0o: 1\n").is_none());
        assert!(hover_at("services:\n  web:\n    environment:\n      FO$0O: 1\n").is_none());
        // On a line a syntax error blanked, from the indentation.
        let (text, h) = hover_at("services:\n  web:\n    image: nginx\n    restart: always: no\n    pull_pol$0icy: always\n    init: true\n").unwrap();
        assert_eq!(covered(&text, &h), "pull_policy");
    }

    const FILE: &str = "services:\n  web:\n    depends_on:\n      - db\n    networks: [back]\n    volumes:\n      - data:/var/lib/data\n      - ./src:/src\n    secrets:\n      - source: token\n  db:\n    image: postgres:17\n    healthcheck:\n      test: pg_isready\nnetworks:\n  back:\n    internal: true\nvolumes:\n  data:\nsecrets:\n  token:\n    file: ./token.txt\n";

    fn at(needle: &str, within: usize) -> String {
        let i = FILE.find(needle).expect(needle) + within;
        format!("{}$0{}", &FILE[..i], &FILE[i..])
    }

    #[test]
    fn references_say_what_and_where() {
        let (text, h) = hover_at(&at("- db", 3)).unwrap();
        assert_eq!(covered(&text, &h), "db");
        assert_eq!(
            h.markdown,
            "**Service** `db`, declared under `services:` on line 11.\n\n- image `postgres:17`\n- has a healthcheck\n"
        );
        let (_, h) = hover_at(&at("[back]", 2)).unwrap();
        assert!(
            h.markdown
                .starts_with("**Network** `back`, declared under `networks:` on line 16."),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("internal"));
        let (text, h) = hover_at(&at("data:/var", 1)).unwrap();
        assert_eq!(covered(&text, &h), "data");
        assert!(
            h.markdown
                .starts_with("**Volume** `data`, declared under `volumes:` on line 19.")
        );
        // The target of a mount and a host path are no names.
        assert!(hover_at(&at("data:/var", 8)).is_none());
        assert!(hover_at(&at("./src", 3)).is_none());
        let (_, h) = hover_at(&at("source: token", 10)).unwrap();
        assert!(h.markdown.contains("**Secret** `token`"));
        assert!(h.markdown.contains("file `./token.txt`"));
        // Undeclared names.
        let (_, h) = hover_at("services:\n  web:\n    depends_on: [cache$0]\n").unwrap();
        assert_eq!(
            h.markdown,
            "**Service** `cache` is not declared under `services:` in this file.\n"
        );
        let (_, h) =
            hover_at("services:\n  web:\n    network_mode: service:v$0pn\n  vpn:\n    image: x\n")
                .unwrap();
        assert!(h.markdown.starts_with("**Service** `vpn`, declared"));
    }

    #[test]
    fn build_targets_name_their_stage() {
        let mut project = ProjectFacts::default();
        project.builds.insert(
            "api".to_owned(),
            BuildFact {
                context: PathBuf::from("/p"),
                dockerfile: Some(Arc::new(DockerfileSummary {
                    path: PathBuf::from("/p/Dockerfile"),
                    stages: vec!["build".into(), "runtime".into()],
                    images: vec![
                        BuiltImage {
                            base_image: Some("node:22".into()),
                            ..Default::default()
                        },
                        BuiltImage::default(),
                    ],
                })),
                dockerignore: None,
            },
        );
        let facts = ComposeFacts {
            project: Some(project),
            ..Default::default()
        };
        let (_, h) = hover_with(
            "services:\n  api:\n    build:\n      target: bu$0ild\n",
            facts.clone(),
        )
        .unwrap();
        assert_eq!(
            h.markdown,
            "**Stage** `build` of `/p/Dockerfile` (stage 1 of 2). Built from `node:22`."
        );
        let (_, h) = hover_with(
            "services:\n  api:\n    build:\n      target: te$0st\n",
            facts,
        )
        .unwrap();
        assert!(h.markdown.contains("has no stage `test`"));
    }

    #[test]
    fn variables_resolve_from_dotenv_or_default() {
        let facts = with_dotenv(&[("TAG", "1.4"), ("EMPTY", "")]);
        let (text, h) = hover_with(
            "services:\n  web:\n    image: \"app:${TA$0G}\"\n",
            facts.clone(),
        )
        .unwrap();
        assert_eq!(covered(&text, &h), "${TAG}");
        assert_eq!(
            h.markdown,
            "**`TAG`** = `1.4`\n\nFrom the `.env` beside this file."
        );
        let (_, h) = hover_with(
            "services:\n  web:\n    image: app:${MISSING:-latest$0}\n",
            facts.clone(),
        )
        .unwrap();
        assert!(
            h.markdown.starts_with("**`MISSING`** = `latest`"),
            "{}",
            h.markdown
        );
        let (_, h) = hover_with(
            "services:\n  web:\n    image: app:${EMPTY:-x}$0\n",
            facts.clone(),
        )
        .unwrap();
        assert!(h.markdown.contains("set but empty"));
        let (_, h) = hover_with(
            "services:\n  web:\n    command: echo $NO$0PE\n",
            facts.clone(),
        )
        .unwrap();
        assert_eq!(
            h.markdown,
            "**`NOPE`** is not set (Compose would use an empty string)."
        );
        // Nested in a default: the inner one.
        let (text, h) = hover_with(
            "services:\n  web:\n    image: ${A:-${T$0AG}}\n",
            facts.clone(),
        )
        .unwrap();
        assert_eq!(covered(&text, &h), "${TAG}");
        // `$$` is no variable; keys are not interpolated.
        assert!(
            hover_with(
                "services:\n  web:\n    command: echo $$HO$0ME\n",
                facts.clone()
            )
            .is_none()
        );
        // Without a file on disk.
        let (_, h) = hover_at("services:\n  web:\n    image: app:${TA$0G:?set TAG}\n").unwrap();
        assert!(h.markdown.contains("stops with the error \"set TAG\""));
        assert!(h.markdown.contains("not saved"));
    }

    #[test]
    fn any_offset_is_safe() {
        let text = "services:\n  wéb:\n    image: ${X\n    depends_on: [a, b\n";
        let analysis =
            ComposeAnalysis::compute(text, None, |_| ComposeFacts::default(), &Config::default());
        for offset in 0..=text.len() as u32 + 2 {
            let _ = hover(&analysis, text, offset);
            let _ = super::super::completion::completions(&analysis, text, offset);
        }
    }
}
