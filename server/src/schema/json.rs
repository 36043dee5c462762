//! A YAML tree as the JSON value Compose validates.

use serde_json::{Map, Number, Value};

use crate::syntax::TextRange;
use crate::syntax::compose::{MergeTag, NodeId, NodeKind, ScalarKind, YamlTree};

/// At most this many values are built from one file: a 5,000-line compose file has about
/// 30,000; an alias bomb has billions.
pub const MAX_VALUES: usize = 200_000;

/// Aliases may nest values deeper than the text does; past this depth the file is refused.
const MAX_DEPTH: usize = 512;

/// The expansion went past a limit; `range` is the alias where it did.
#[derive(Debug)]
pub struct Limit {
    pub range: TextRange,
}

/// The JSON value of the node `id`, aliases expanded and merge keys applied.
pub fn to_json(tree: &YamlTree, id: NodeId) -> Result<Value, Limit> {
    let mut budget = MAX_VALUES;
    convert(tree, id, &mut budget, 0)
}

/// The JSON of the root mapping `root` with each service's value left empty (`{}`): what the
/// file says outside its services, for validating them one by one.
pub fn to_json_without_services(tree: &YamlTree, root: NodeId) -> Result<Value, Limit> {
    let mut budget = MAX_VALUES;
    let Some(NodeKind::Mapping(_)) = tree.node(tree.resolve(root)).map(|n| &n.kind) else {
        return convert(tree, root, &mut budget, 0);
    };
    let mut out = Map::new();
    for (key, value) in tree.entries(root) {
        let services = value.map(|v| tree.resolve(v)).filter(|&v| {
            tree.scalar(key) == Some("services")
                && matches!(tree.node(v).map(|n| &n.kind), Some(NodeKind::Mapping(_)))
                && tree.node(v).and_then(|n| n.merge_tag()) != Some(MergeTag::Reset)
        });
        let (name, json) = match services {
            // Each service as `{}`, named as a full reading names them.
            Some(services) => {
                let mut names = Map::new();
                for (key, value) in tree.entries(services) {
                    let (name, json) = entry_name_only(tree, key, value);
                    if json {
                        names.insert(name, Value::Object(Map::new()));
                    }
                }
                ("services".to_owned(), Some(Value::Object(names)))
            }
            None => entry_json(tree, key, value, &mut budget, 1)?,
        };
        if let Some(json) = json {
            out.insert(name, json);
        }
    }
    Ok(Value::Object(out))
}

fn convert(tree: &YamlTree, id: NodeId, budget: &mut usize, depth: usize) -> Result<Value, Limit> {
    let Some(node) = tree.node(id) else {
        return Ok(Value::Null);
    };
    if *budget == 0 || depth > MAX_DEPTH {
        return Err(Limit { range: node.range });
    }
    *budget -= 1;
    Ok(match &node.kind {
        NodeKind::Alias(target) => match target {
            Some(target) => convert(tree, *target, budget, depth + 1)
                .map_err(|_| Limit { range: node.range })?,
            None => Value::Null,
        },
        NodeKind::Scalar { value, style } => {
            if node.tag.as_deref().is_some_and(|t| t == "!!str") || *style != ScalarKind::Plain {
                Value::String(value.to_string())
            } else {
                plain_scalar(value)
            }
        }
        NodeKind::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for &item in items {
                out.push(convert(tree, item, budget, depth + 1)?);
            }
            Value::Array(out)
        }
        NodeKind::Mapping(_) => {
            let mut out = Map::new();
            for (key, value) in tree.entries(id) {
                if let (name, Some(json)) = entry_json(tree, key, value, budget, depth + 1)? {
                    out.insert(name, json);
                }
            }
            Value::Object(out)
        }
    })
}

/// A mapping entry's name, and whether a full reading keeps it (`!reset` removes it).
fn entry_name_only(tree: &YamlTree, key: NodeId, value: Option<NodeId>) -> (String, bool) {
    (key_name(tree, key), !is_reset(tree, value))
}

/// A mapping key as the schema sees it.
fn key_name(tree: &YamlTree, key: NodeId) -> String {
    match tree.node(key).map(|k| &k.kind) {
        Some(NodeKind::Scalar { value, .. }) => value.to_string(),
        // A list or mapping as a key: Compose refuses it; the schema sees a key no property
        // matches.
        _ => "?".to_owned(),
    }
}

/// Whether a value is tagged `!reset` (removed when files are merged).
fn is_reset(tree: &YamlTree, value: Option<NodeId>) -> bool {
    value
        .map(|v| tree.resolve(v))
        .and_then(|v| tree.node(v))
        .and_then(|n| n.merge_tag())
        == Some(MergeTag::Reset)
}

/// A mapping entry's name and value (`None` for a value `!reset` removes).
fn entry_json(
    tree: &YamlTree,
    key: NodeId,
    value: Option<NodeId>,
    budget: &mut usize,
    depth: usize,
) -> Result<(String, Option<Value>), Limit> {
    Ok((key_name(tree, key), value_json(tree, value, budget, depth)?))
}

/// A mapping value's JSON (`None` for a value `!reset` removes when files are merged).
pub fn value_json(
    tree: &YamlTree,
    value: Option<NodeId>,
    budget: &mut usize,
    depth: usize,
) -> Result<Option<Value>, Limit> {
    if is_reset(tree, value) {
        return Ok(None);
    }
    Ok(Some(match value {
        Some(v) => convert(tree, v, budget, depth)?,
        None => Value::Null,
    }))
}

/// A plain scalar as YAML 1.2's core schema reads it (as Compose's YAML reader does):
/// null, booleans, integers (decimal, `0o`, `0x`), floats, else a string.
pub fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Value::Number(n);
    }
    if is_float(text)
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

fn integer(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(octal) = digits.strip_prefix("0o") {
        (8, octal)
    } else if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok()?;
        Some(Number::from(-value))
    } else {
        Some(Number::from(magnitude))
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::compose::parse;
    use serde_json::json;

    #[test]
    fn scalars_read_as_yaml_1_2() {
        for (text, value) in [
            ("", json!(null)),
            ("~", json!(null)),
            ("true", json!(true)),
            ("False", json!(false)),
            ("yes", json!("yes")),
            ("no", json!("no")),
            ("8080", json!(8080)),
            ("-3", json!(-3)),
            ("0o755", json!(493)),
            ("0x1F", json!(31)),
            ("0755", json!(755)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000.0)),
            ("22:22", json!("22:22")),
            ("1.2.3", json!("1.2.3")),
            ("${PORT}", json!("${PORT}")),
        ] {
            assert_eq!(plain_scalar(text), value, "{text:?}");
        }
    }

    #[test]
    fn merge_keys_aliases_and_reset() {
        let text = "x-base: &base\n  image: a\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: b\n    ports: !reset []\n    cmd: &c [sh]\n    other: *c\n    quoted: '80'\n";
        let parsed = parse(text);
        let value = to_json(&parsed.tree, parsed.tree.root.unwrap()).unwrap();
        assert_eq!(
            value["services"]["web"],
            json!({"restart": "always", "image": "b", "cmd": ["sh"], "other": ["sh"], "quoted": "80"})
        );
    }

    #[test]
    fn an_alias_bomb_hits_the_budget_fast() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let parsed = parse(&text);
        // 9^9 values if expanded; the conversion stops after MAX_VALUES of them.
        let limit = to_json(&parsed.tree, parsed.tree.root.unwrap()).unwrap_err();
        assert!(text[limit.range.as_usize()].starts_with('*'));
    }
}
