//! Schema errors in words, at the span of what is wrong.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

use super::{Schema, SchemaError};
use crate::syntax::TextRange;
use crate::syntax::compose::{NodeId, NodeKind, YamlTree};

/// Where a JSON pointer leads in the YAML tree: the value's node and, inside a mapping, its
/// key's node.
#[derive(Clone, Copy, Debug, Default)]
struct Located {
    key: Option<NodeId>,
    value: Option<NodeId>,
}

impl Located {
    /// The span to flag for the value: the value, else its key.
    fn value_range(&self, tree: &YamlTree) -> TextRange {
        self.value
            .or(self.key)
            .map_or(TextRange::empty(0), |n| written(tree, n))
    }

    /// The span to flag for the entry: its key, else the value.
    fn key_range(&self, tree: &YamlTree) -> TextRange {
        self.key
            .or(self.value)
            .map_or(TextRange::empty(0), |n| written(tree, n))
    }
}

/// A node's span from its start to the end of its content (a block collection's own range
/// runs on over the blank lines and comments after it).
fn written(tree: &YamlTree, node: NodeId) -> TextRange {
    let Some(range) = tree.node(node).map(|n| n.range) else {
        return TextRange::empty(0);
    };
    TextRange::new(
        range.start,
        tree.content_end(node).clamp(range.start, range.end),
    )
}

/// The pointer's segments, unescaped (`~1` is `/`, `~0` is `~`).
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn locate(tree: &YamlTree, path: &[String]) -> Located {
    let mut at = Located {
        key: None,
        value: tree.root,
    };
    for segment in path {
        let Some(node) = at.value.map(|v| tree.resolve(v)) else {
            break;
        };
        match tree.node(node).map(|n| &n.kind) {
            Some(NodeKind::Mapping(_)) => {
                let Some((key, value)) = tree
                    .entries(node)
                    .into_iter()
                    .rev()
                    .find(|(k, _)| tree.scalar(*k) == Some(segment.as_str()))
                else {
                    break;
                };
                at = Located {
                    key: Some(key),
                    value,
                };
            }
            Some(NodeKind::Sequence(items)) => {
                let Some(&item) = segment.parse::<usize>().ok().and_then(|i| items.get(i)) else {
                    break;
                };
                at = Located {
                    key: None,
                    value: Some(item),
                };
            }
            _ => break,
        }
    }
    at
}

/// `services.web.ports[0]`, or "the file" for the root.
fn display_path(path: &[String]) -> String {
    if path.is_empty() {
        return "the file".to_owned();
    }
    let mut out = String::new();
    for segment in path {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) && !out.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    format!("`{out}`")
}

fn type_words(kind: JsonType) -> &'static str {
    match kind {
        JsonType::Null => "empty (null)",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "a whole number",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "a list",
        JsonType::Object => "a mapping",
    }
}

fn value_words(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "a whole number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn expected_types(kind: &TypeKind) -> Vec<JsonType> {
    match kind {
        TypeKind::Single(t) => vec![*t],
        TypeKind::Multiple(set) => set.iter().collect(),
    }
}

fn or_list(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(37).collect::<String>())
    } else {
        text
    }
}

/// The properties the schema object at `schema_path`'s parent allows (for "did you mean").
fn allowed_keys<'s>(schema: &'s Schema, schema_path: &str) -> Vec<&'s str> {
    let parent = schema_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    schema
        .document()
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The pattern of names (other than `x-` extensions) the schema object at `schema_path`'s
/// parent allows, if it names its keys by pattern.
fn name_pattern<'s>(schema: &'s Schema, schema_path: &str) -> Option<&'s str> {
    let parent = schema_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    schema
        .document()
        .pointer(parent)?
        .get("patternProperties")?
        .as_object()?
        .keys()
        .find(|k| !k.starts_with("^x-"))
        .map(String::as_str)
}

/// Adds the error's messages to `out`.
pub(super) fn report(
    schema: &Schema,
    tree: &YamlTree,
    instance: &Value,
    error: &ValidationError<'_>,
    out: &mut Vec<SchemaError>,
) {
    let path = segments(error.instance_path().as_str());
    let at = locate(tree, &path);
    let here = display_path(&path);
    let value = instance
        .pointer(error.instance_path().as_str())
        .unwrap_or(&Value::Null);
    let service = service_of(&path);
    let mut push = |range: TextRange, message: String| {
        out.push(SchemaError {
            range,
            message,
            service: service.clone(),
        })
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, error.schema_path().as_str());
            for name in unexpected {
                let key = at.value.map(|v| tree.resolve(v)).and_then(|object| {
                    tree.entries(object)
                        .into_iter()
                        .rev()
                        .find(|(k, _)| tree.scalar(*k) == Some(name.as_str()))
                        .map(|(k, _)| k)
                });
                let range = key
                    .and_then(|k| tree.node(k))
                    .map_or(at.key_range(tree), |n| n.range);
                let within = if path.is_empty() {
                    "at the top level of a compose file".to_owned()
                } else {
                    format!("in {here}")
                };
                // Where any name is allowed (`services`, `volumes`, ...), the name broke the
                // pattern names must match.
                let name_pattern = name_pattern(schema, error.schema_path().as_str());
                if let (true, Some(pattern)) = (allowed.is_empty(), name_pattern) {
                    push(
                        range,
                        format!(
                            "`{name}` is not a valid name in {here}: names must match `{pattern}`"
                        ),
                    );
                    continue;
                }
                let hint = crate::text::similar::closest(name, allowed.iter().copied())
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
                push(range, format!("`{name}` is not a known key {within}{hint}"));
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected: Vec<String> = expected_types(kind)
                .into_iter()
                .map(|t| type_words(t).to_owned())
                .collect();
            let message = if value.is_null() && path.len() == 2 {
                // `backend:` with nothing after it.
                format!(
                    "{here} has no body: it must be {} (YAML reads an empty value as null)",
                    or_list(&expected)
                )
            } else {
                format!(
                    "{here} must be {}, not {}",
                    or_list(&expected),
                    value_words(value)
                )
            };
            push(null_aware_range(tree, &at, value), message);
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|o| o.iter().map(short).collect())
                .unwrap_or_default();
            push(
                at.value_range(tree),
                format!(
                    "{here} must be one of {}, not `{}`",
                    or_list(&options),
                    short(value)
                ),
            );
        }
        ValidationErrorKind::Constant { expected_value } => push(
            at.value_range(tree),
            format!("{here} must be `{}`", short(expected_value)),
        ),
        ValidationErrorKind::Required { property } => push(
            at.key_range(tree),
            format!("{here} needs the key `{}`", short(property)),
        ),
        ValidationErrorKind::UniqueItems => {
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            let repeated = (1..items.len()).find(|&i| items[..i].contains(&items[i]));
            let range = repeated
                .and_then(|i| {
                    let mut item_path = path.clone();
                    item_path.push(i.to_string());
                    locate(tree, &item_path).value
                })
                .map_or(at.value_range(tree), |n| written(tree, n));
            let what = repeated.map_or_else(String::new, |i| format!("`{}` ", short(&items[i])));
            push(
                range,
                format!("{what}is listed twice in {here}: its entries must be unique"),
            );
        }
        ValidationErrorKind::Pattern { pattern } => push(
            at.value_range(tree),
            format!(
                "{here} `{}` does not have the expected form (pattern `{pattern}`)",
                short(value)
            ),
        ),
        ValidationErrorKind::PropertyNames { error: inner } => {
            let name = inner.instance().as_str().unwrap_or_default().to_owned();
            let key = at.value.map(|v| tree.resolve(v)).and_then(|object| {
                tree.entries(object)
                    .into_iter()
                    .find(|(k, _)| tree.scalar(*k) == Some(name.as_str()))
                    .map(|(k, _)| k)
            });
            let range = key
                .and_then(|k| tree.node(k))
                .map_or(at.key_range(tree), |n| n.range);
            push(range, format!("`{name}` is not a valid name in {here}"));
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            one_of(schema, tree, instance, &path, &at, value, context, out);
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {}
        ValidationErrorKind::MinItems { limit } => push(
            at.value_range(tree),
            format!("{here} needs at least {limit} entr{}", plural_y(*limit)),
        ),
        ValidationErrorKind::MaxItems { limit } => push(
            at.value_range(tree),
            format!("{here} takes at most {limit} entr{}", plural_y(*limit)),
        ),
        ValidationErrorKind::MinProperties { limit } => push(
            at.value_range(tree),
            format!("{here} needs at least {limit} key{}", plural_s(*limit)),
        ),
        ValidationErrorKind::MaxProperties { limit } => push(
            at.value_range(tree),
            format!("{here} takes at most {limit} key{}", plural_s(*limit)),
        ),
        ValidationErrorKind::MinLength { limit } => push(
            at.value_range(tree),
            format!(
                "{here} must be at least {limit} character{} long",
                plural_s(*limit)
            ),
        ),
        ValidationErrorKind::MaxLength { limit } => push(
            at.value_range(tree),
            format!(
                "{here} must be at most {limit} character{} long",
                plural_s(*limit)
            ),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => push(
            at.value_range(tree),
            format!("{here} is below the minimum, {limit}"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => push(
            at.value_range(tree),
            format!("{here} is above the maximum, {limit}"),
        ),
        ValidationErrorKind::FalseSchema | ValidationErrorKind::Not { .. } => {
            push(at.key_range(tree), format!("{here} is not allowed here"))
        }
        // Formats are not checked; the rest cannot come from a draft-07 compose schema.
        _ => push(
            at.value_range(tree),
            format!("{here} is not valid: {error}"),
        ),
    }
}

/// The value's span, or its key's when the value is an empty null (nothing to underline).
fn null_aware_range(tree: &YamlTree, at: &Located, value: &Value) -> TextRange {
    if value.is_null() {
        at.key_range(tree)
    } else {
        at.value_range(tree)
    }
}

fn plural_s(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn plural_y(n: u64) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}

/// A value that matches none of several shapes. When every shape wanted another type, the
/// message lists the types; otherwise the shape the value came closest to (its type
/// matched, and it has the fewest errors) speaks for them.
#[allow(clippy::too_many_arguments)]
fn one_of(
    schema: &Schema,
    tree: &YamlTree,
    instance: &Value,
    path: &[String],
    at: &Located,
    value: &Value,
    branches: &[Vec<ValidationError<'static>>],
    out: &mut Vec<SchemaError>,
) {
    let pointer = |e: &ValidationError<'_>| e.instance_path().as_str().to_owned();
    let own = format!(
        "/{}",
        path.iter()
            .map(|s| s.replace('~', "~0").replace('/', "~1"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let own = if path.is_empty() { String::new() } else { own };
    // A branch whose only complaint is the value's type at this very place.
    let wrong_type = |branch: &[ValidationError<'static>]| {
        branch
            .iter()
            .all(|e| pointer(e) == own && matches!(e.kind(), ValidationErrorKind::Type { .. }))
    };
    let closest = branches
        .iter()
        .filter(|b| !b.is_empty() && !wrong_type(b))
        .min_by_key(|b| b.len());
    match closest {
        Some(branch) => {
            for error in branch {
                report(schema, tree, instance, error, out);
            }
        }
        None => {
            let mut expected: Vec<String> = Vec::new();
            for error in branches.iter().flatten() {
                if let ValidationErrorKind::Type { kind } = error.kind() {
                    for t in expected_types(kind) {
                        let word = type_words(t).to_owned();
                        if !expected.contains(&word) {
                            expected.push(word);
                        }
                    }
                }
            }
            let here = display_path(path);
            out.push(SchemaError {
                service: service_of(path),
                range: null_aware_range(tree, at, value),
                message: if value.is_null() && path.len() == 2 {
                    format!(
                        "{here} has no body: it must be {} (YAML reads an empty value as null)",
                        or_list(&expected)
                    )
                } else {
                    format!(
                        "{here} must be {}, not {}",
                        or_list(&expected),
                        value_words(value)
                    )
                },
            });
        }
    }
}

/// The service an instance path is in (`services.<name>...`), if any.
fn service_of(path: &[String]) -> Option<String> {
    match path {
        [first, name, ..] if first == "services" => Some(name.clone()),
        _ => None,
    }
}
