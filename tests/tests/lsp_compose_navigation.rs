//! Navigation in compose files through `dockwise lsp`: definition, references, rename,
//! document symbols, folding and links, and a Dockerfile stage rename reaching the
//! `build.target` of open compose files.

use dockwise_e2e::lsp::{LspClient, at, pos};
use serde_json::{Value, json};

const COMPOSE: &str = "services:\n  web:\n    build:\n      context: ./app\n      target: builder\n    depends_on: [db]\n    volumes:\n      - data:/var/lib/web\n    env_file: .env.web\n  db:\n    image: postgres:16\n    volumes:\n      - data:/var/lib/postgresql/data\nvolumes:\n  data:\n";

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": pos(start.0, start.1), "end": pos(end.0, end.1)})
}

fn client() -> LspClient {
    let caps = json!({"textDocument": {
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
    }});
    LspClient::start(caps, Value::Null).0
}

/// The compose file and its Dockerfile in a scratch folder, opened: (client, folder, compose
/// URI, Dockerfile URI).
fn project() -> (LspClient, tempfile::TempDir, String, String) {
    let dockerfile = "FROM node:22 AS builder\nRUN make\nFROM nginx:1.27\nCOPY --from=builder /out /usr/share/nginx/html\n";
    let dir = dockwise_e2e::scratch(&[
        ("compose.yaml", COMPOSE),
        ("app/Dockerfile", dockerfile),
        (".env.web", "A=1\n"),
    ]);
    let compose_uri = format!("file://{}", dir.path().join("compose.yaml").display());
    let dockerfile_uri = format!("file://{}", dir.path().join("app/Dockerfile").display());
    let mut c = client();
    c.open(&compose_uri, "dockercompose", COMPOSE);
    c.diagnostics(&compose_uri, Some(1));
    c.open(&dockerfile_uri, "dockerfile", dockerfile);
    c.diagnostics(&dockerfile_uri, Some(1));
    (c, dir, compose_uri, dockerfile_uri)
}

#[test]
fn definition_references_and_rename() {
    let uri = "file:///nowhere/compose.yaml";
    let mut c = client();
    c.open(uri, "dockercompose", COMPOSE);
    c.diagnostics(uri, Some(1));
    // From `depends_on: [db]` to the `db:` service.
    let def = c.request("textDocument/definition", at(uri, 5, 18));
    assert_eq!(def[0]["targetUri"], uri);
    assert_eq!(def[0]["targetSelectionRange"], range((9, 2), (9, 4)));
    // The volume: its two uses and its declaration, the name alone.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(14, 3), "context": {"includeDeclaration": true}}),
    );
    let ranges: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"])
        .collect();
    assert_eq!(
        ranges,
        [
            &range((7, 8), (7, 12)),
            &range((12, 8), (12, 12)),
            &range((14, 2), (14, 6))
        ]
    );
    let highlights = c.request("textDocument/documentHighlight", at(uri, 7, 9));
    assert_eq!(highlights.as_array().unwrap().len(), 3);
    // Rename the service: its key and the `depends_on` entry.
    let prepared = c.request("textDocument/prepareRename", at(uri, 9, 3));
    assert_eq!(prepared, range((9, 2), (9, 4)));
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(9, 3), "newName": "database"}),
    );
    let mut edits: Vec<(Value, Value)> = edit["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["range"].clone(), e["newText"].clone()))
        .collect();
    edits.sort_by_key(|(r, _)| r["start"]["line"].as_u64());
    assert_eq!(
        edits,
        [
            (range((5, 17), (5, 19)), json!("database")),
            (range((9, 2), (9, 4)), json!("database")),
        ]
    );
    // A clash and a place that is no name are refused with a reason.
    let clash = c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(9, 3), "newName": "web"}),
    );
    assert!(
        clash["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already a service named `web`"),
        "{clash}"
    );
    let keyword = c.request_raw("textDocument/prepareRename", at(uri, 10, 5));
    assert!(keyword.get("error").is_some(), "{keyword}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn symbols_folding_and_links() {
    let (mut c, dir, uri, _) = project();
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let outline: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            let children = s["children"].as_array().unwrap().iter().map(|c| {
                format!(
                    "  {} {}",
                    c["name"].as_str().unwrap(),
                    c["detail"].as_str().unwrap_or_default()
                )
            });
            std::iter::once(s["name"].as_str().unwrap().to_owned()).chain(children)
        })
        .collect();
    assert_eq!(
        outline,
        [
            "services",
            "  web build: ./app",
            "  db postgres:16",
            "volumes",
            "  data "
        ]
    );
    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    let lines: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(0, 12), (1, 8), (2, 4), (6, 7), (9, 12), (11, 12), (13, 14)]
    );
    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    let targets: Vec<(u64, String)> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let base = format!("file://{}", dir.path().display());
    assert_eq!(
        targets,
        [(3, format!("{base}/app")), (8, format!("{base}/.env.web"))]
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn renaming_a_stage_updates_build_target_in_open_compose_files() {
    let (mut c, _dir, compose_uri, dockerfile_uri) = project();
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": dockerfile_uri}, "position": pos(0, 18), "newName": "compile"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    assert_eq!(changes[&dockerfile_uri].as_array().unwrap().len(), 2);
    assert_eq!(
        changes[&compose_uri],
        json!([{"range": range((4, 14), (4, 21)), "newText": "compile"}])
    );
    // From a `--from=` reference too.
    let from_copy = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": dockerfile_uri}, "position": pos(3, 14), "newName": "build"}),
    );
    assert_eq!(
        from_copy["changes"][&compose_uri][0]["newText"], "build",
        "{from_copy}"
    );
    // A stage no compose file targets leaves compose files alone.
    let unnamed = c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": dockerfile_uri}, "position": pos(2, 7), "newName": "web"}),
    );
    assert!(
        unnamed["result"].is_null()
            || unnamed.get("error").is_some()
            || unnamed["result"]["changes"].get(&compose_uri).is_none(),
        "{unnamed}"
    );
    assert_eq!(c.shutdown(), Some(0));
}
