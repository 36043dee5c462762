//! Completion and hover in compose files, end to end over stdio: keys under a service
//! (not the ones already written), a half-typed line, `depends_on` values, schema docs on
//! a key and a `${VAR}` resolved from the `.env` beside the file.

use std::time::{Duration, Instant};

use dockwise_e2e::lsp::{LspClient, at, pos};
use serde_json::{Value, json};

const COMPOSE: &str = "services:\n  web:\n    image: nginx:${TAG}\n    restart: always\n    ports:\n      - \"8080:80\"\n    depends_on:\n      - \n\n  db:\n    image: postgres:17\n  cache:\n    image: redis:7\n";

fn client() -> LspClient {
    let caps = json!({"textDocument": {
        "completion": {"completionItem": {"snippetSupport": true}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
    }});
    let (client, _) = LspClient::start(caps, Value::Null);
    client
}

fn labels(completion: &Value) -> Vec<String> {
    completion["items"]
        .as_array()
        .expect("completion list")
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

fn item<'a>(completion: &'a Value, label: &str) -> &'a Value {
    completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {:?}", labels(completion)))
}

#[test]
fn completion_under_a_service_in_a_half_typed_line_and_for_depends_on() {
    let dir = dockwise_e2e::scratch(&[("compose.yaml", COMPOSE), (".env", "TAG=1.27\n")]);
    let uri = format!("file://{}", dir.path().join("compose.yaml").display());
    let mut c = client();
    c.open(&uri, "dockercompose", COMPOSE);
    c.diagnostics(&uri, Some(1));

    // An empty line under `db` (line 11 is `    image: postgres:17`): keys of a service.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": pos(10, 22), "end": pos(10, 22)}, "text": "\n    "}
        ]}),
    );
    let keys = c.request("textDocument/completion", at(&uri, 11, 4));
    let found = labels(&keys);
    for key in ["healthcheck", "restart", "volumes", "healthcheck block"] {
        assert!(found.iter().any(|l| l == key), "{key} missing: {found:?}");
    }
    assert!(!found.iter().any(|l| l == "image"), "{found:?}");
    let healthcheck = item(&keys, "healthcheck");
    assert_eq!(healthcheck["kind"], 10); // Property
    assert_eq!(healthcheck["detail"], "mapping");
    assert_eq!(healthcheck["textEdit"]["newText"], "healthcheck:\n      ");
    assert_eq!(healthcheck["insertTextMode"], 1); // as is
    assert!(
        healthcheck["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("health")
    );
    let snippet = item(&keys, "healthcheck block");
    assert_eq!(snippet["insertTextFormat"], 2);
    assert!(
        snippet["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .contains("\n      interval: ${3:30s}")
    );

    // A half-typed key under `web`, with the rest of the file after it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"range": {"start": pos(8, 0), "end": pos(8, 0)}, "text": "    healt"}
        ]}),
    );
    let half = c.request("textDocument/completion", at(&uri, 8, 9));
    let edit = &item(&half, "healthcheck")["textEdit"];
    assert_eq!(edit["range"]["start"], pos(8, 4));
    assert_eq!(edit["range"]["end"], pos(8, 9));
    let found = labels(&half);
    assert!(
        !found.iter().any(|l| l == "restart" || l == "ports"),
        "{found:?}"
    );

    // `depends_on` items: the other services.
    let deps = c.request("textDocument/completion", at(&uri, 7, 8));
    assert_eq!(labels(&deps), ["db", "cache"]);
    assert_eq!(item(&deps, "db")["detail"], "service · postgres:17");

    // Values from the schema and fixed lists.
    let restart = c.request("textDocument/completion", at(&uri, 3, 13));
    assert!(labels(&restart).contains(&"unless-stopped".to_owned()));
    assert_eq!(item(&restart, "no")["textEdit"]["newText"], "\"no\"");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn hover_on_keys_names_and_variables() {
    let dir = dockwise_e2e::scratch(&[("compose.yaml", COMPOSE), (".env", "TAG=1.27\n")]);
    let uri = format!("file://{}", dir.path().join("compose.yaml").display());
    let mut c = client();
    c.open(&uri, "yaml", COMPOSE);
    c.diagnostics(&uri, Some(1));

    let restart = c.request("textDocument/hover", at(&uri, 3, 6));
    let text = restart["contents"]["value"].as_str().unwrap();
    assert_eq!(restart["contents"]["kind"], "markdown");
    assert!(text.starts_with("### restart"), "{text}");
    assert!(text.contains("unless-stopped"), "{text}");
    assert_eq!(restart["range"]["start"], pos(3, 4));
    assert_eq!(restart["range"]["end"], pos(3, 11));

    let tag = c.request("textDocument/hover", at(&uri, 2, 20));
    let text = tag["contents"]["value"].as_str().unwrap();
    assert!(text.contains("`1.27`") && text.contains(".env"), "{text}");
    assert_eq!(tag["range"]["start"], pos(2, 17));
    assert_eq!(tag["range"]["end"], pos(2, 23));

    // A service name in `depends_on`.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": pos(7, 8), "end": pos(7, 8)}, "text": "db"}
        ]}),
    );
    let db = c.request("textDocument/hover", at(&uri, 7, 9));
    let text = db["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**Service** `db`, declared under `services:` on line 10."),
        "{text}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// Completion latency on a 5,000-line compose file (printed; only a generous bound is
/// asserted, the machine is shared).
#[test]
fn completion_is_fast_on_a_large_file() {
    let mut text = String::from("name: big\nservices:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  svc-{i}:\n    image: nginx:1.27\n    restart: unless-stopped\n    environment:\n      PORT: \"{i}\"\n    depends_on:\n      - svc-{}\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n    networks: [net]\n",
            (i + 1) % 400
        ));
    }
    text.push_str("networks:\n  net:\n");
    let lines = text.lines().count() as u32;
    let uri = "file:///nowhere/compose.yaml";
    let mut c = client();
    c.open(uri, "dockercompose", &text);
    c.diagnostics(uri, Some(1));
    // The last service's `depends_on` item, and a key line under it.
    let started = Instant::now();
    let deps = c.request("textDocument/completion", at(uri, lines - 7, 8));
    let keys = c.request("textDocument/completion", at(uri, lines - 8, 4));
    let elapsed = started.elapsed();
    assert_eq!(labels(&deps).len(), 398);
    assert!(labels(&keys).contains(&"ports".to_owned()));
    eprintln!("two completions on {lines} lines: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(c.shutdown(), Some(0));
}
