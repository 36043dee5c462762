//! The JSON schema of `dockwise.toml`, `schemas/dockwise.schema.json`: generated from
//! [`ConfigFile`] and the types it holds, their doc comments becoming the descriptions, so
//! the schema says what the parser accepts and nothing else. A test compares the file with
//! what the types give; `UPDATE_SCHEMAS=1 cargo test -p dockwise --lib config::schema`
//! rewrites it.
//!
//! The schema is draft-07 (what TOML editors support best) and closed: an unknown key is an
//! error there too, as in [`ConfigFile::parse`].
//!
//! Editors that use Taplo (the TOML language server inside VS Code's Even Better TOML, and
//! others) validate and complete a `dockwise.toml` against it when told where it is, in
//! any one of these ways:
//! - a directive comment on the file's first line: `#:schema ./schemas/dockwise.schema.json`
//!   (a path relative to the TOML file, or a URL);
//! - a rule in the project's `.taplo.toml`:
//!   `[[rule]]` with `include = ["**/dockwise.toml", "**/.dockwise.toml"]` and, under
//!   `[rule.schema]`, `path = "schemas/dockwise.schema.json"` (or `url = "..."`);
//! - in VS Code, the `evenBetterToml.schema.associations` setting, mapping a pattern of the
//!   file name to the schema's location.

use std::path::PathBuf;

use schemars::generate::SchemaSettings;

use super::ConfigFile;

/// Where the schema will be published; editors show it, nothing fetches it.
const SCHEMA_ID: &str = "https://dockwise.dev/schemas/dockwise.schema.json";

/// The schema as the types give it, as the file holds it (pretty JSON, a final newline).
fn generate() -> String {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<ConfigFile>();
    schema.insert("$id".to_owned(), SCHEMA_ID.into());
    schema.insert("title".to_owned(), "dockwise.toml".into());
    let mut schema = schema.to_value();
    without_null(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}

/// TOML has no null: an unset `Option` is a missing key. The null alternatives and null
/// defaults the generator gives `Option` fields would only offer editors a value no TOML
/// file can hold.
fn without_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    let is_null_type = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    match value {
        Value::Object(object) => {
            if object.get("default") == Some(&Value::Null) {
                object.remove("default");
            }
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    object.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(any_of)) = object.get("anyOf")
                && any_of.iter().any(is_null_type)
            {
                let rest: Vec<Value> = any_of
                    .iter()
                    .filter(|v| !is_null_type(v))
                    .cloned()
                    .collect();
                object.remove("anyOf");
                match <[Value; 1]>::try_from(rest) {
                    // One alternative left: its keywords go into the object itself, but a
                    // `$ref` stays wrapped (draft-07 ignores the keywords beside a `$ref`,
                    // the description among them).
                    Ok([Value::Object(only)]) if !only.contains_key("$ref") => object.extend(only),
                    Ok([only]) => {
                        object.insert("allOf".to_owned(), Value::Array(vec![only]));
                    }
                    Err(rest) => {
                        object.insert("anyOf".to_owned(), Value::Array(rest));
                    }
                }
            }
            object.values_mut().for_each(without_null);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/dockwise.schema.json")
}

fn validator(schema: &str) -> jsonschema::Validator {
    let document: serde_json::Value = serde_json::from_str(schema).expect("schema JSON");
    jsonschema::draft7::options()
        .build(&document)
        .expect("the schema compiles")
}

/// A TOML document as the JSON instance a schema validates.
fn instance(toml_text: &str) -> serde_json::Value {
    let table: toml::Table = toml::from_str(toml_text).expect("example TOML");
    serde_json::to_value(table).expect("TOML values are JSON values")
}

/// Every key a `dockwise.toml` may hold, each with a value of the kind it takes.
const FULL_EXAMPLE: &str = r#"
select = ["DF", "CP"]
extend-select = ["DF049"]
ignore = ["DF036", "apt-cleanup"]
failure-threshold = "info"
trusted-registries = ["docker.io", "*.gcr.io"]
prohibited-tags = ["latest", "edge"]
secret-patterns = ["pin"]
production-files = ["deploy/*.yaml"]
strict-labels = true

[severity]
DF074 = "error"
DF0 = "style"

[per-file-ignores]
"legacy/**" = ["DF070"]

[label-schema]
"org.opencontainers.image.source" = "url"
"org.opencontainers.image.created" = "rfc3339"

[interpolation]
use-environment = true
"#;

#[test]
fn schema_file_is_current() {
    let path = schema_path();
    let generated = generate();
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("UPDATE_SCHEMAS").is_some() && on_disk != generated {
        std::fs::write(&path, &generated).expect("write schemas/dockwise.schema.json");
        return;
    }
    assert!(
        on_disk == generated,
        "schemas/dockwise.schema.json ({}) differs from what the configuration types give: run \
         `UPDATE_SCHEMAS=1 cargo test -p dockwise --lib config::schema` and commit the result",
        path.display()
    );
}

#[test]
fn the_full_example_uses_every_key_and_validates() {
    let schema: serde_json::Value = serde_json::from_str(&generate()).unwrap();
    let example = instance(FULL_EXAMPLE);
    // Every key of the schema is in the example, so a new key cannot go unchecked.
    let keys = schema["properties"].as_object().expect("properties");
    for key in keys.keys() {
        assert!(
            example.get(key).is_some(),
            "FULL_EXAMPLE lacks `{key}`: add it"
        );
    }
    let validator = validator(&generate());
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The parser agrees.
    ConfigFile::parse(FULL_EXAMPLE).unwrap();
}

#[test]
fn unknown_keys_and_wrong_values_fail_validation() {
    let validator = validator(&generate());
    let bad = [
        "selct = [\"DF\"]\n",
        "[interpolation]\nuse-env = true\n",
        "[severity]\nDF002 = \"loud\"\n",
        "failure-threshold = \"sometimes\"\n",
        "[label-schema]\nteam = \"colour\"\n",
        "strict-labels = \"yes\"\n",
    ];
    for text in bad {
        assert!(!validator.is_valid(&instance(text)), "{text:?} validates");
        // The parser rejects the same files.
        assert!(ConfigFile::parse(text).is_err(), "{text:?} parses");
    }
    assert!(validator.is_valid(&instance("")));
}
