//! Hostile input over the protocol: the server answers what it can, resynchronises, and
//! keeps serving.

use std::time::Duration;

use dockwise_e2e::lsp::{LspClient, at, frame, pos};
use serde_json::{Value, json};

const URI: &str = "file:///work/Dockerfile";

fn started() -> LspClient {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(URI, "dockerfile", "FROM alpine:3.20\nRUN echo hi\n");
    client.diagnostics(URI, Some(1));
    client
}

fn still_serving(client: &mut LspClient) {
    let hover = client.request("textDocument/hover", at(URI, 0, 1));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("FROM")
    );
}

fn error_code(msg: &Value) -> i64 {
    msg["error"]["code"].as_i64().expect("an error response")
}

#[test]
fn garbage_invalid_json_and_bad_headers() {
    let mut c = started();
    c.send_raw(b"this is not a header\r\n\r\n");
    assert_eq!(
        error_code(&c.wait_for("parse error", |m| m.get("error").is_some())),
        -32700
    );
    c.send_raw(&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": "));
    assert_eq!(
        error_code(&c.wait_for("parse error", |m| m.get("error").is_some())),
        -32700
    );
    c.send_raw(b"Content-Length: twelve\r\n\r\n{}");
    assert_eq!(
        error_code(&c.wait_for("parse error", |m| m.get("error").is_some())),
        -32700
    );
    // Valid JSON that is not a JSON-RPC message, with an id to answer.
    c.send_raw(&frame(br#"{"id": 42, "params": {}}"#));
    // (The bad header above also left `{}` behind: a second parse error, already answered.)
    let answer = c.wait_for("invalid request", |m| m["id"] == 42);
    assert_eq!(
        (error_code(&answer), answer["id"].clone()),
        (-32600, json!(42))
    );
    still_serving(&mut c);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn wrong_content_length_resynchronises() {
    let mut c = started();
    // Too short: the rest of the body is garbage before the next frame.
    let body = br#"{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":{}}"#;
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    bytes.extend_from_slice(body);
    c.send_raw(&bytes);
    still_serving(&mut c);
    // Too long: the server waits, sees the next header arrive inside the promised body, and
    // gives up on the broken frame instead of hanging.
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len() + 500).into_bytes();
    bytes.extend_from_slice(body);
    c.send_raw(&bytes);
    std::thread::sleep(Duration::from_millis(50));
    still_serving(&mut c);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn unknown_methods_documents_and_positions() {
    let mut c = started();
    let unknown = c.request_raw("dockwise/noSuchThing", json!({}));
    assert_eq!(error_code(&unknown), -32601);
    // Unknown notifications are ignored.
    c.notify("$/noSuchNotification", json!({"x": 1}));
    // A document that is not open: null, not a crash.
    assert!(
        c.request("textDocument/hover", at("file:///nowhere/Dockerfile", 0, 0))
            .is_null()
    );
    assert!(
        c.request(
            "textDocument/completion",
            at("file:///nowhere/Dockerfile", 0, 0)
        )
        .is_null()
    );
    // Positions past the end of a line and of the file clamp.
    for (line, col) in [(0, 500), (99, 0), (u32::MAX, u32::MAX)] {
        let response = c.request_raw("textDocument/hover", at(URI, line, col));
        assert!(response.get("error").is_none(), "{response}");
        let response = c.request_raw("textDocument/completion", at(URI, line, col));
        assert!(response.get("error").is_none(), "{response}");
    }
    // Malformed params for a known method: an error for that request only.
    let bad = c.request_raw("textDocument/hover", json!({"textDocument": 7}));
    assert_eq!(error_code(&bad), -32602);
    // An edit for a document that is not open, and an edit far out of range.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/Dockerfile", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": pos(500, 3), "end": pos(400, 0)}, "text": "# tail\n"}]}),
    );
    c.diagnostics(URI, Some(2));
    still_serving(&mut c);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn cancellation_and_requests_before_initialize() {
    let mut c = LspClient::spawn();
    // Before initialize: an error, not a crash.
    let early = c.request_raw("textDocument/hover", at(URI, 0, 0));
    assert!(early.get("error").is_some(), "{early}");
    let _ = c.request("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    c.open(URI, "dockerfile", "FROM alpine\n");
    c.diagnostics(URI, Some(1));
    // Cancel a request (it may already be answered) and an unknown id: both harmless.
    let id = c.send_request("textDocument/hover", at(URI, 0, 1));
    c.notify("$/cancelRequest", json!({"id": id}));
    c.notify("$/cancelRequest", json!({"id": 99999}));
    let answer = c.wait_for("hover or cancellation", |m| m["id"] == id);
    assert!(
        answer.get("result").is_some() || error_code(&answer) == -32800,
        "{answer}"
    );
    still_serving(&mut c);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn huge_and_binary_documents() {
    let mut c = started();
    // A 2 MB line and control characters: diagnostics still come, the server lives.
    let huge = format!(
        "FROM alpine\nRUN echo {}\n\u{0}\u{1}\u{7f}RUN\n",
        "x".repeat(2_000_000)
    );
    c.open("file:///work/huge/Dockerfile", "dockerfile", &huge);
    c.diagnostics("file:///work/huge/Dockerfile", Some(1));
    still_serving(&mut c);
    assert_eq!(c.shutdown(), Some(0));
}
