//! `dockwise lsp` on compose files end to end: diagnostics on open and after edits (a
//! half-typed line keeps the findings after it), quick fixes, the ignore action, fix-all,
//! and facts from the files beside a compose file on disk.

use dockwise_e2e::lsp::{LspClient, pos};
use serde_json::{Value, json};

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn lines(diags: &Value, code: &str) -> Vec<u64> {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect()
}

const COMPOSE: &str = "version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.27\n    restrat: always\n  api:\n    image: my-api:1.4\n    depends_on: [databse]\n";

#[test]
fn diagnostics_follow_edits_and_survive_a_half_typed_line() {
    let uri = "file:///nowhere/compose.yaml";
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(uri, "dockercompose", COMPOSE);
    let first = client.diagnostics(uri, Some(1));
    let found = codes(&first);
    for code in ["CP001", "CP002", "CP003"] {
        assert!(found.contains(&code.to_owned()), "{found:?}");
    }
    assert_eq!(lines(&first, "CP003"), [7]);
    // Break line 5 (`api:` becomes a half-typed key with a stray quote): the syntax error
    // is reported and the findings below it stay.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": pos(5, 2), "end": pos(5, 6)}, "text": "api: \"oops"}
        ]}),
    );
    let broken = client.diagnostics(uri, Some(2));
    let found = codes(&broken);
    assert!(found.contains(&"CP001".to_owned()), "{found:?}");
    assert!(found.contains(&"CP002".to_owned()), "{found:?}");
    assert_eq!(lines(&broken, "CP003"), [7], "{broken}");
    assert!(
        broken["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"]
                .as_str()
                .unwrap()
                .starts_with("YAML syntax error")),
        "{broken}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn quick_fix_ignore_action_and_fix_all() {
    let uri = "file:///nowhere/compose.yaml";
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(uri, "dockercompose", COMPOSE);
    client.diagnostics(uri, Some(1));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 2), "end": pos(0, 2)}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.iter().any(|t| t.contains("version")), "{titles:?}");
    assert!(
        titles.contains(&"Ignore CP002 (version-obsolete) for this entry"),
        "{titles:?}"
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore CP002 (version-obsolete) for this entry")
        .unwrap();
    assert_eq!(
        ignore["edit"]["changes"][uri][0]["newText"],
        "# dockwise: ignore=CP002\n"
    );
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 0), "end": pos(0, 0)}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let edit = &fix_all[0]["edit"]["changes"][uri][0];
    // The safe fixes: `version:` goes.
    assert_eq!(edit["range"]["start"], pos(0, 0));
    assert!(
        !edit["newText"].as_str().unwrap().contains("version"),
        "{edit}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn facts_come_from_the_files_beside_the_compose_file() {
    let dir = dockwise_e2e::scratch(&[
        (
            "compose.yaml",
            "services:\n  api:\n    image: my-api:${API_VERSION}\n    env_file: [missing.env]\n",
        ),
        (".env", "API_VERSION=1.4\n"),
    ]);
    let path = dir.path().join("compose.yaml");
    let uri = format!("file://{}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(&uri, "yaml", &text);
    let report = client.diagnostics(&uri, Some(1));
    let found = codes(&report);
    // `.env` defines API_VERSION (no CP026); the env_file is missing (CP013).
    assert!(!found.contains(&"CP026".to_owned()), "{found:?}");
    assert!(found.contains(&"CP013".to_owned()), "{found:?}");
    // Information while the file is edited (it may be written next), an error in CI.
    let missing = dockwise_e2e::finding(&report, "CP013");
    assert_eq!(missing["severity"], 3, "{missing}");
    // After `${`, the names the `.env` beside the file defines.
    let items = client.request(
        "textDocument/completion",
        dockwise_e2e::lsp::at(&uri, 2, "    image: my-api:${".len() as u32),
    );
    let items = items.as_array().or(items["items"].as_array()).unwrap();
    let names: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(names, ["API_VERSION"], "{items:?}");
    assert_eq!(client.shutdown(), Some(0));
    let checked = dockwise_e2e::json(&dockwise_e2e::run_in(
        dir.path(),
        &["check", "--format", "json", "compose.yaml"],
    ));
    let in_ci = dockwise_e2e::finding(&checked, "CP013");
    assert_eq!(in_ci["severity"], "error", "{in_ci}");
}
