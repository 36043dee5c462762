//! Facts from other files in `dockwise lsp`: a Dockerfile's `.dockerignore` is read once,
//! cached, and read again only when the client reports the file changed (or, for clients that
//! cannot watch files, on save). Never per keystroke.

use std::path::Path;
use std::time::Duration;

use dockwise_e2e::lsp::LspClient;
use dockwise_e2e::scratch;
use serde_json::{Value, json};

const DOCKERFILE: &str = "FROM node:22\nCOPY config/app.toml /etc/app/\nWORKDIR /app\nCOPY . .\n";

/// The findings of the two rules these tests are about, DF053 (no `.dockerignore`) and DF055
/// (a source it excludes).
fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .filter(|code| code == "DF053" || code == "DF055")
        .collect()
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn watching_client() -> LspClient {
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    LspClient::start(caps, Value::Null).0
}

fn type_a_space(client: &mut LspClient, uri: &str, version: i64) -> Value {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 12}}, "text": " "}
        ]}),
    );
    client.diagnostics(uri, Some(version))
}

#[test]
fn dockerignore_is_cached_until_the_client_reports_a_change() {
    let dir = scratch(&[("Dockerfile", DOCKERFILE)]);
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let mut client = watching_client();
    client.open(&uri, "dockerfile", DOCKERFILE);
    // No ignore file: the whole-context copy is reported.
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["DF053"]);

    // The file appears, but nobody said so: keystrokes keep the cached answer.
    let ignore = dir.path().join(".dockerignore");
    std::fs::write(&ignore, "config\n").unwrap();
    assert_eq!(codes(&type_a_space(&mut client, &uri, 2)), ["DF053"]);

    // The client reports it: diagnostics are pushed again without an edit.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&ignore), "type": 1}]}),
    );
    let refreshed = client.diagnostics(&uri, Some(2));
    assert_eq!(codes(&refreshed), ["DF055"]);
    let df055 = dockwise_e2e::finding(&refreshed, "DF055");
    let message = df055["message"].as_str().unwrap();
    assert!(message.contains("`config/app.toml` is excluded by .dockerignore (line 1: `config`)"));
    assert_eq!(df055["range"]["start"]["line"], 1);
    assert_eq!(df055["severity"], 1);

    // An exception in the ignore file brings the file back.
    std::fs::write(&ignore, "config\n!config/app.toml\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&ignore), "type": 2}]}),
    );
    assert!(codes(&client.diagnostics(&uri, Some(2))).is_empty());

    // Deleted: back to "no ignore file".
    std::fs::remove_file(&ignore).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&ignore), "type": 3}]}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, Some(2))), ["DF053"]);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn a_dockerfile_specific_ignore_file_is_used() {
    let dir = scratch(&[
        ("web.Dockerfile", DOCKERFILE),
        ("web.Dockerfile.dockerignore", "config/app.toml\n"),
    ]);
    let uri = uri_of(&dir.path().join("web.Dockerfile"));
    let mut client = watching_client();
    client.open(&uri, "dockerfile", DOCKERFILE);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["DF055"]);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn documents_not_on_disk_get_no_context_findings() {
    let mut client = watching_client();
    client.open("untitled:Untitled-1", "dockerfile", DOCKERFILE);
    assert!(codes(&client.diagnostics("untitled:Untitled-1", Some(1))).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn clients_that_cannot_watch_files_get_fresh_facts_on_save() {
    let dir = scratch(&[("Dockerfile", DOCKERFILE)]);
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let (mut client, result) = LspClient::start(json!({}), Value::Null);
    assert_eq!(
        result["capabilities"]["textDocumentSync"]["save"],
        json!(true)
    );
    client.open(&uri, "dockerfile", DOCKERFILE);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["DF053"]);
    std::fs::write(dir.path().join(".dockerignore"), ".git\n").unwrap();
    assert_eq!(codes(&type_a_space(&mut client, &uri, 2)), ["DF053"]);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(codes(&client.diagnostics(&uri, Some(2))).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn pull_clients_are_asked_to_pull_again_and_see_the_new_facts() {
    let dir = scratch(&[("Dockerfile", DOCKERFILE)]);
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}, "didChangeWatchedFiles": {"dynamicRegistration": true}},
    });
    let (mut client, _) = LspClient::start(caps, Value::Null);
    client.open(&uri, "dockerfile", DOCKERFILE);
    let pull = |client: &mut LspClient| {
        let report = client.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        codes(&json!({"diagnostics": report["items"]}))
    };
    assert_eq!(pull(&mut client), ["DF053"]);
    let ignore = dir.path().join(".dockerignore");
    std::fs::write(&ignore, "config/\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&ignore), "type": 1}]}),
    );
    client.wait_for("workspace/diagnostic/refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    assert_eq!(pull(&mut client), ["DF055"]);
    let pushed = client.drain_for(Duration::from_millis(100));
    assert!(
        pushed
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics")
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// DF053's fix creates the `.dockerignore` through a workspace edit, for clients that accept
/// file creation (and is not offered to those that do not).
#[test]
fn the_missing_dockerignore_is_created_by_a_workspace_edit() {
    let dir = scratch(&[("Dockerfile", DOCKERFILE)]);
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let ask = |client: &mut LspClient| {
        client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 3, "character": 5}, "end": {"line": 3, "character": 5}}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
    };
    let caps = json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}});
    let mut client = LspClient::start(caps, Value::Null).0;
    client.open(&uri, "dockerfile", DOCKERFILE);
    client.diagnostics(&uri, Some(1));
    let actions = ask(&mut client);
    let create = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Create a .dockerignore beside the Dockerfile")
        .expect("a create-file action");
    let changes = create["edit"]["documentChanges"].as_array().unwrap();
    let target = uri_of(&dir.path().join(".dockerignore"));
    assert_eq!(changes[0]["kind"], "create");
    assert_eq!(changes[0]["uri"], target.as_str());
    assert_eq!(changes[0]["options"]["ignoreIfExists"], true);
    assert_eq!(changes[1]["textDocument"]["uri"], target.as_str());
    let content = changes[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(
        content.contains(".env*") && content.contains("node_modules"),
        "{content}"
    );
    assert_eq!(client.shutdown(), Some(0));

    // A client that cannot create files gets no such action.
    let mut client = LspClient::start(json!({}), Value::Null).0;
    client.open(&uri, "dockerfile", DOCKERFILE);
    client.diagnostics(&uri, Some(1));
    let actions = ask(&mut client);
    let titles: Vec<&str> = actions
        .as_array()
        .map(|a| a.iter().map(|a| a["title"].as_str().unwrap()).collect())
        .unwrap_or_default();
    assert!(
        !titles.contains(&"Create a .dockerignore beside the Dockerfile"),
        "{titles:?}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// CP012's fix adds the env file to an existing `.gitignore`: the edit replaces the whole
/// file (to its end, in the negotiated encoding) with the line added.
#[test]
fn an_exposed_env_file_is_added_to_the_gitignore_there() {
    let compose = "services:\n  api:\n    image: my-api:1.4\n    env_file: .env\n";
    let dir = scratch(&[
        ("compose.yaml", compose),
        (".env", "TOKEN=x\n"),
        (".gitignore", "# é\nnode_modules"),
    ]);
    let uri = uri_of(&dir.path().join("compose.yaml"));
    let caps = json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}});
    let mut client = LspClient::start(caps, Value::Null).0;
    client.open(&uri, "dockercompose", compose);
    client.diagnostics(&uri, Some(1));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 3, "character": 15}, "end": {"line": 3, "character": 15}}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add `/.env` to `.gitignore`")
        .unwrap_or_else(|| panic!("no .gitignore action in {actions}"));
    let changes = add["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "the file exists: no create");
    let edit = &changes[0]["edits"][0];
    assert_eq!(
        changes[0]["textDocument"]["uri"],
        uri_of(&dir.path().join(".gitignore")).as_str()
    );
    assert_eq!(edit["range"]["end"], json!({"line": 1, "character": 12}));
    assert_eq!(edit["newText"], "# é\nnode_modules\n/.env\n");
    assert_eq!(client.shutdown(), Some(0));
}
