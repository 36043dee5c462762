//! Compose schema validation: our `schemas/compose.schema.json` applied to a compose file's
//! YAML tree, each error mapped to the span of the offending key or value with a message a
//! person understands.
//!
//! The YAML tree is turned into JSON the way Compose reads it (YAML 1.2 scalars, aliases
//! expanded, `<<` merge keys applied, `!reset` values dropped) under a budget, so an alias
//! bomb is reported instead of expanded. Formats (`duration`, ...) are not checked here:
//! their own rules do that with better messages.

mod json;
mod messages;

use std::sync::LazyLock;

use serde_json::Value;

pub use json::{MAX_VALUES, to_json};

use crate::syntax::compose::NodeId;

use crate::syntax::TextRange;
use crate::syntax::compose::YamlTree;

/// A compiled schema and the document it came from (read for hover docs and completion).
pub struct Schema {
    validator: jsonschema::Validator,
    document: Value,
}

/// One schema violation, where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub range: TextRange,
    pub message: String,
    /// The service it is in (`services.<name>...`), if any.
    pub service: Option<String>,
}

/// Our compose schema, compiled on first use (about a millisecond).
pub fn compose() -> &'static Schema {
    static COMPOSE: LazyLock<Schema> = LazyLock::new(|| {
        let document: Value =
            serde_json::from_str(include_str!("../../../schemas/compose.schema.json"))
                .expect("schemas/compose.schema.json is valid JSON (tested)");
        Schema::new(document).expect("schemas/compose.schema.json compiles (tested)")
    });
    &COMPOSE
}

impl Schema {
    /// Compiles a draft-07 schema; format keywords are left unchecked.
    pub fn new(document: Value) -> Result<Self, String> {
        let validator = jsonschema::draft7::options()
            .should_validate_formats(false)
            .build(&document)
            .map_err(|e| e.to_string())?;
        Ok(Schema {
            validator,
            document,
        })
    }

    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The violations of `tree`, in the order of the file. A tree whose aliases expand past
    /// [`MAX_VALUES`] gives one error at the root instead.
    pub fn validate(&self, tree: &YamlTree) -> Vec<SchemaError> {
        let Some(root) = tree.root else {
            return Vec::new();
        };
        let instance = match to_json(tree, root) {
            Ok(value) => value,
            Err(limit) => {
                return vec![SchemaError {
                    service: None,
                    range: limit.range,
                    message: format!(
                        "aliases expand this file to more than {MAX_VALUES} values: not validated \
                         against the Compose schema"
                    ),
                }];
            }
        };
        self.errors_of(tree, &instance, |_| true)
    }

    /// The violations outside the services' values (each service read as `{}`): with
    /// [`Schema::validate_service`] for each service, what [`Schema::validate`] finds.
    pub fn validate_outside_services(&self, tree: &YamlTree) -> Vec<SchemaError> {
        let Some(root) = tree.root else {
            return Vec::new();
        };
        match json::to_json_without_services(tree, root) {
            Ok(instance) => self.errors_of(tree, &instance, |_| true),
            // Only aliases can expand past the budget: files with aliases are validated
            // whole.
            Err(_) => Vec::new(),
        }
    }

    /// The violations inside the service `name` whose value is `value`.
    pub fn validate_service(
        &self,
        tree: &YamlTree,
        name: &str,
        value: Option<NodeId>,
    ) -> Vec<SchemaError> {
        let mut budget = MAX_VALUES;
        // Read at the depth it has in the file (the root, `services`, the service).
        let Ok(Some(json)) = json::value_json(tree, value, &mut budget, 2) else {
            return Vec::new();
        };
        let mut services = serde_json::Map::new();
        services.insert(name.to_owned(), json);
        let mut root = serde_json::Map::new();
        root.insert("services".to_owned(), Value::Object(services));
        let instance = Value::Object(root);
        // The service's own name is judged with the file (`/services`).
        self.errors_of(tree, &instance, |path| path.matches('/').count() >= 2)
    }

    /// The errors of `instance` (the JSON of `tree`, or part of it) at the instance paths
    /// `keep` accepts, in the order of the file.
    fn errors_of(
        &self,
        tree: &YamlTree,
        instance: &Value,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<SchemaError> {
        let mut out = Vec::new();
        for error in self.validator.iter_errors(instance) {
            if keep(error.instance_path().as_str()) {
                messages::report(self, tree, instance, &error, &mut out);
            }
        }
        out.sort_by_key(|e| (e.range.start, e.range.end));
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of the schema says what it is: hover shows these descriptions.
    #[test]
    fn the_schema_compiles_and_describes_every_property() {
        let schema = compose();
        let mut stack = vec![("".to_owned(), schema.document())];
        let mut described = 0;
        while let Some((path, node)) = stack.pop() {
            match node {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        for (name, prop) in props {
                            assert!(
                                prop.get("description").and_then(Value::as_str).is_some(),
                                "{path}/properties/{name} has no description"
                            );
                            described += 1;
                        }
                    }
                    for (key, value) in map {
                        stack.push((format!("{path}/{key}"), value));
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        stack.push((format!("{path}/{i}"), item));
                    }
                }
                _ => {}
            }
        }
        assert!(described > 300, "only {described} properties");
    }

    #[test]
    fn messages_name_the_place_and_what_is_allowed() {
        let text =
            "services:\n  web:\n    image: nginx:1.27\n    restrat: always\n    ports: \"80:80\"\n";
        let parsed = crate::syntax::compose::parse(text);
        let errors = compose().validate(&parsed.tree);
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (&text[e.range.as_usize()], e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "restrat",
                    "`restrat` is not a known key in `services.web`: did you mean `restart`?"
                ),
                (
                    "\"80:80\"",
                    "`services.web.ports` must be a list, not a string"
                ),
            ]
        );
    }
}
