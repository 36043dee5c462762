//! `dockwise lsp` end to end: lifecycle, documents, position encodings, diagnostics (push
//! and pull), code actions, settings, and edits arriving in order.

use std::time::Duration;

use dockwise_e2e::lsp::{LspClient, pos};
use serde_json::{Value, json};

const URI: &str = "file:///work/app/Dockerfile";
/// Two mistakes (lines 2 and 4) in an otherwise clean file: the image runs as `node` and
/// opts out of health checks, so the image rules stay quiet.
const BROKEN: &str = "FROM node:22 AS deps\nRUNN npm ci\nFROM node:22-slim\nCOPY --from=dep /a /b\n\
                      USER node\nHEALTHCHECK NONE\n";

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn change(uri: &str, version: i64, changes: Value) -> Value {
    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
}

fn edit(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> Value {
    json!({"range": {"start": pos(l0, c0), "end": pos(l1, c1)}, "text": text})
}

#[test]
fn initialize_reports_version_and_negotiates_encoding() {
    let (client, result) = LspClient::start(
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        Value::Null,
    );
    assert_eq!(result["serverInfo"]["name"], "dockwise");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(client.shutdown(), Some(0));

    let (client, result) = LspClient::start(json!({}), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert!(result["capabilities"].get("diagnosticProvider").is_none());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn push_diagnostics_follow_every_version_and_clear_on_close() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(URI, "dockerfile", BROKEN);
    let first = client.diagnostics(URI, Some(1));
    assert_eq!(codes(&first), ["DF020", "DF003"]);
    let d = &first["diagnostics"][0];
    assert_eq!(d["range"], json!({"start": pos(1, 0), "end": pos(1, 4)}));
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "dockwise");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("server/docs/rules/DF020.md")
    );
    assert_eq!(
        first["diagnostics"][1]["data"]["fix"]["applicability"],
        "unsafe"
    );

    // Fix the typo: DF020 goes away, version 2 is published.
    client.notify(
        "textDocument/didChange",
        change(URI, 2, json!([edit(1, 0, 1, 4, "RUN")])),
    );
    // `deps` is referenced by no stage while the typo lasts, so it may be built as a target
    // of its own: its npm cache counts (DF046).
    assert_eq!(codes(&client.diagnostics(URI, Some(2))), ["DF046", "DF003"]);
    // An edit that changes nothing still publishes (empty or not) for its version.
    client.notify(
        "textDocument/didChange",
        change(URI, 3, json!([edit(3, 12, 3, 15, "deps")])),
    );
    assert!(codes(&client.diagnostics(URI, Some(3))).is_empty());
    client.notify(
        "textDocument/didChange",
        change(URI, 4, json!([edit(0, 0, 0, 0, "# comment\n")])),
    );
    assert!(codes(&client.diagnostics(URI, Some(4))).is_empty());

    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let closed = client.diagnostics(URI, None);
    assert!(closed["diagnostics"].as_array().unwrap().is_empty());
    assert!(closed.get("version").is_none_or(Value::is_null));
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn code_action_offers_the_quick_fix() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(URI, "dockerfile", BROKEN);
    client.diagnostics(URI, Some(1));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(3, 13), "end": pos(3, 13)}, "context": {"diagnostics": []}}),
    );
    let action = &actions[0];
    assert_eq!(action["title"], "Use the stage `deps`");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], false);
    let edits = &action["edit"]["changes"][URI];
    assert_eq!(edits[0]["newText"], "deps");
    assert_eq!(
        edits[0]["range"],
        json!({"start": pos(3, 12), "end": pos(3, 15)})
    );
    // Nothing to fix elsewhere.
    let none = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(0, 0), "end": pos(0, 0)}, "context": {"diagnostics": []}}),
    );
    assert!(none.is_null());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn ignore_actions_and_fix_all_on_save() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    let text = "FROM alpine:3.20\nMAINTAINER Jane\nRUN echo ok\nMAINTAINER Joe\n";
    client.open(URI, "dockerfile", text);
    client.diagnostics(URI, Some(1));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(1, 2), "end": pos(1, 2)}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Replace with LABEL org.opencontainers.image.authors",
            "Ignore DF010 (maintainer-deprecated) for this instruction"
        ]
    );
    assert_eq!(actions[0]["isPreferred"], true);
    let ignore = &actions[1]["edit"]["changes"][URI][0];
    assert_eq!(ignore["newText"], "# dockwise: ignore=DF010\n");
    assert_eq!(
        ignore["range"],
        json!({"start": pos(1, 0), "end": pos(1, 0)})
    );
    // Fix on save asks for source.fixAll only: one edit fixing both.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(0, 0), "end": pos(0, 0)}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["kind"], "source.fixAll.dockwise");
    let edit = &actions[0]["edit"]["changes"][URI][0];
    assert_eq!(edit["range"]["start"], pos(1, 0));
    assert!(
        edit["newText"]
            .as_str()
            .unwrap()
            .contains("LABEL org.opencontainers.image.authors=\"Joe\"")
    );
    assert!(!edit["newText"].as_str().unwrap().contains("MAINTAINER"));
    assert_eq!(client.shutdown(), Some(0));
}

/// Korean comments and emoji before the error shift UTF-16 and UTF-8 columns differently.
#[test]
fn utf8_and_utf16_sessions_agree_on_text_with_korean_and_emoji() {
    let text = "# 한국어 주석 😀\nFROM alpine:3 AS base\nLABEL note=\"😀 한글\"\nRUN echo \"안녕 😀\" && RUNN\n😀RUNN x\n\
                USER nobody\nHEALTHCHECK NONE\n";
    for (encoding, expected_col) in [("utf-16", 2), ("utf-8", 4)] {
        let (mut client, result) = LspClient::start(
            json!({"general": {"positionEncodings": [encoding]}}),
            Value::Null,
        );
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        client.open(URI, "dockerfile", text);
        let diags = client.diagnostics(URI, Some(1));
        let unknown = &diags["diagnostics"][0];
        // `😀RUNN` on line 4 is one unknown word starting at column 0.
        assert_eq!(unknown["range"]["start"], pos(4, 0), "{encoding}: {diags}");
        // It ends after the emoji (2 UTF-16 units or 4 UTF-8 bytes) plus "RUNN".
        assert_eq!(
            unknown["range"]["end"],
            pos(4, expected_col + 4),
            "{encoding}"
        );

        // Replace the emoji on line 4 (one character, in this session's units).
        client.notify(
            "textDocument/didChange",
            change(URI, 2, json!([edit(4, 0, 4, expected_col, "")])),
        );
        let diags = client.diagnostics(URI, Some(2));
        assert_eq!(
            diags["diagnostics"][0]["range"],
            json!({"start": pos(4, 0), "end": pos(4, 4)}),
            "{encoding}"
        );
        let tree = client.request("dockwise/syntaxTree", json!({"textDocument": {"uri": URI}}));
        assert_eq!(tree["text"], text.replacen("😀RUNN", "RUNN", 1));
        assert_eq!(client.shutdown(), Some(0));
    }
}

#[test]
fn two_thousand_rapid_edits_apply_in_order() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(URI, "dockerfile", "FROM alpine\nRUN echo \n");
    client.diagnostics(URI, Some(1));
    // Type 2,000 characters at the end of line 1 without waiting, one edit per message.
    let mut expected = String::from("FROM alpine\nRUN echo ");
    for i in 0..2000u32 {
        let c = char::from(b'a' + (i % 26) as u8);
        expected.push(c);
        let col = 9 + i;
        client.notify(
            "textDocument/didChange",
            change(
                URI,
                i64::from(i) + 2,
                json!([edit(1, col, 1, col, &c.to_string())]),
            ),
        );
    }
    expected.push('\n');
    // Publishes arrive in version order, never an older version after a newer one, and the
    // last version's diagnostics always arrive.
    let mut versions = Vec::new();
    while versions.last() != Some(&2001) {
        let published = client.diagnostics(URI, None);
        versions.push(published["version"].as_i64().expect("versioned publish"));
    }
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "out of order: {versions:?}"
    );
    let tree = client.request("dockwise/syntaxTree", json!({"textDocument": {"uri": URI}}));
    assert_eq!(tree["version"], 2001);
    assert_eq!(tree["text"], expected);
    let later = client.drain_for(Duration::from_millis(200));
    assert!(
        later
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "a publish arrived after the latest version: {later:?}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn pull_diagnostics_only_when_the_client_pulls() {
    let caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}, "didChangeWatchedFiles": {"dynamicRegistration": true}},
    });
    let (mut client, result) = LspClient::start(caps, Value::Null);
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    client.open(URI, "dockerfile", BROKEN);
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(
        codes(&json!({"diagnostics": report["items"]})),
        ["DF020", "DF003"]
    );
    let again = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": report["resultId"]}),
    );
    assert_eq!(again["kind"], "unchanged");
    // A change to a file the analysis reads asks the client to pull again.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": "file:///work/app/.dockerignore", "type": 2}]}),
    );
    client.wait_for("workspace/diagnostic/refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    // Nothing was ever pushed.
    let pushed = client.drain_for(Duration::from_millis(200));
    assert!(
        pushed
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics")
    );
    assert!(
        client
            .server_requests
            .contains(&"client/registerCapability".to_owned())
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn settings_from_configuration_and_init_options() {
    // workspace/configuration is asked after `initialized`.
    let (mut client, _) =
        LspClient::start(json!({"workspace": {"configuration": true}}), Value::Null);
    change_settings(
        &mut client,
        json!({"ignore": ["DF020"], "severity": {"DF003": "error"}}),
    );
    // Give the server a moment to fetch the settings before opening.
    client.wait_for("configuration request", |m| {
        m["method"] == "workspace/configuration" || m["method"].is_null()
    });
    client.open(URI, "dockerfile", BROKEN);
    let diags = client.diagnostics(URI, Some(1));
    assert_eq!(codes(&diags), ["DF003"]);
    assert_eq!(diags["diagnostics"][0]["severity"], 1);
    assert_eq!(client.shutdown(), Some(0));

    // Clients without workspace/configuration push settings or pass initializationOptions.
    let (mut client, _) =
        LspClient::start(json!({}), json!({"ignore": ["copy-from-unknown-stage"]}));
    client.open(URI, "dockerfile", BROKEN);
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF020"]);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockwise": {"ignore": ["DF020"]}}}),
    );
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF003"]);
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn settings_of_initialize_stand_when_the_editor_has_none() {
    // The client answers workspace/configuration with null (nothing set for dockwise):
    // the initializationOptions stay in force.
    let (mut client, _) = LspClient::start(
        json!({"workspace": {"configuration": true}}),
        json!({"ignore": ["DF020"]}),
    );
    client.wait_for("configuration request", |m| {
        m["method"] == "workspace/configuration" || m["method"].is_null()
    });
    client.open(URI, "dockerfile", BROKEN);
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF003"]);
    // An empty object is nothing configured too.
    change_settings(&mut client, json!({}));
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF003"]);
    // Invalid settings are shown to the user, not only logged.
    change_settings(&mut client, json!({"ignore": "DF020"}));
    let shown = client.wait_for("a message about the settings", |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|t| t.contains("invalid settings"))
    });
    assert_eq!(shown["params"]["type"], 2);
    assert_eq!(client.shutdown(), Some(0));
}

/// The editor's settings change: what it answers from now on, and the notification that
/// makes the server ask.
fn change_settings(client: &mut LspClient, settings: Value) {
    *client.configuration.lock().unwrap() = settings;
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
}

#[test]
fn first_diagnostics_wait_for_the_editors_settings() {
    // An editor whose settings come only from `workspace/configuration` (no
    // initializationOptions), opening a file at once: the first diagnostics already honour
    // the answer, instead of showing a finding the settings hide and taking it back.
    let (mut client, _) =
        LspClient::start(json!({"workspace": {"configuration": true}}), Value::Null);
    *client.configuration.lock().unwrap() = json!({"ignore": ["DF020"]});
    // Sent before the server's settings request is read (and so answered).
    client.open(URI, "dockerfile", BROKEN);
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF003"]);
    // A client that pulls diagnostics: its first pull waits for the settings too.
    let caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"configuration": true},
    });
    let (mut puller, _) = LspClient::start(caps, Value::Null);
    *puller.configuration.lock().unwrap() = json!({"ignore": ["DF020"]});
    puller.open(URI, "dockerfile", BROKEN);
    let report = puller.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(codes(&json!({"diagnostics": report["items"]})), ["DF003"]);
    assert_eq!(puller.shutdown(), Some(0));
    // Settings wrapped in a `dockwise` section (Helix sends its `config` that way) are read
    // from inside it; a key that is no setting is reported, not ignored in silence.
    change_settings(&mut client, json!({"dockwise": {"ignore": ["DF003"]}}));
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["DF020"]);
    change_settings(&mut client, json!({"ignor": ["DF003"]}));
    let shown = client.wait_for("a message about the settings", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("ignor"),
        "{shown}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn document_kinds_from_language_id_and_name() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    // An unsaved buffer with the dockerfile language id.
    client.open("untitled:Untitled-1", "dockerfile", "RUNN x\n");
    assert_eq!(
        codes(&client.diagnostics("untitled:Untitled-1", Some(1))),
        ["DF020"]
    );
    // No language id (Neovim without filetype detection): the name decides.
    client.open("file:///w/api.Dockerfile", "", "RUNN x\n");
    assert_eq!(
        codes(&client.diagnostics("file:///w/api.Dockerfile", Some(1))),
        ["DF020"]
    );
    client.open("file:///w/Containerfile", "plaintext", "RUNN x\n");
    assert_eq!(
        codes(&client.diagnostics("file:///w/Containerfile", Some(1))),
        ["DF020"]
    );
    // Compose files by language id or by name; plain YAML is left alone.
    client.open("file:///w/compose.yaml", "dockercompose", "services: {}\n");
    assert!(codes(&client.diagnostics("file:///w/compose.yaml", Some(1))).is_empty());
    let misspelt = "services:\n  web:\n    imagee: nginx:1.27\n";
    client.open("file:///w/docker-compose.dev.yml", "yaml", misspelt);
    assert!(
        codes(&client.diagnostics("file:///w/docker-compose.dev.yml", Some(1)))
            .contains(&"CP001".to_owned())
    );
    client.open("file:///w/stack.yml", "yaml.docker-compose", misspelt);
    assert!(
        codes(&client.diagnostics("file:///w/stack.yml", Some(1))).contains(&"CP001".to_owned())
    );
    client.open("file:///w/values.yaml", "yaml", "RUNN: x\n");
    assert!(codes(&client.diagnostics("file:///w/values.yaml", Some(1))).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_one() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), Some(1));
}

#[test]
fn end_of_input_ends_the_server() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    assert_eq!(client.wait_exit(), Some(1));
}

#[test]
fn multi_root_workspaces_initialize() {
    let mut client = LspClient::spawn();
    let result = client.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [
            {"uri": "file:///work/a", "name": "a"}, {"uri": "file:///work/b", "name": "b"}]}),
    );
    assert_eq!(result["serverInfo"]["name"], "dockwise");
    client.notify("initialized", json!({}));
    client.open(
        "file:///work/a/Dockerfile",
        "dockerfile",
        "FROM alpine:3.20\nUSER nobody\nHEALTHCHECK NONE\n",
    );
    client.open("file:///work/b/Dockerfile", "dockerfile", "RUNN\n");
    assert!(codes(&client.diagnostics("file:///work/a/Dockerfile", Some(1))).is_empty());
    assert!(!codes(&client.diagnostics("file:///work/b/Dockerfile", Some(1))).is_empty());
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn deprecated_tag_and_preferred_safe_fix() {
    let (mut client, _) = LspClient::start(json!({}), Value::Null);
    client.open(
        URI,
        "dockerfile",
        "FROM alpine:3.20\nMAINTAINER Jane <jane@example.com>\nUSER nobody\nHEALTHCHECK NONE\n",
    );
    let diags = client.diagnostics(URI, Some(1));
    let d = &diags["diagnostics"][0];
    assert_eq!(d["code"], "DF010");
    assert_eq!(d["tags"], json!([2]), "DiagnosticTag.Deprecated");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(1, 0), "end": pos(1, 3)}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["edit"]["changes"][URI][0]["newText"],
        "LABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\""
    );
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn logs_go_to_the_log_file_never_stdout() {
    let dir = dockwise_e2e::scratch(&[]);
    let log = dir.path().join("dockwise.log");
    let mut child = std::process::Command::new(dockwise_e2e::dockwise_bin())
        .args(["lsp", "--log-file", log.to_str().unwrap()])
        .env("DOCKWISE_LOG", "debug")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    let init = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    stdin.write_all(&dockwise_e2e::lsp::frame(init)).unwrap();
    stdin.write_all(b"garbage\r\n\r\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Only framed protocol messages on stdout.
    assert!(stdout.starts_with("Content-Length: "), "{stdout}");
    assert!(
        !stdout.contains("INFO") && !stdout.contains("WARN"),
        "{stdout}"
    );
    assert!(
        out.stderr.is_empty(),
        "logs went to stderr despite --log-file"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("initialized for an unnamed client"),
        "{logged}"
    );
    assert!(logged.contains("malformed input"), "{logged}");
}
