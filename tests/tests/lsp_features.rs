//! Every Dockerfile feature of `dockwise lsp`, end to end over stdio.

use dockwise_e2e::lsp::{LspClient, at, pos};
use serde_json::{Value, json};

const URI: &str = "file:///work/app/Dockerfile";
const TEXT: &str = "# syntax=docker/dockerfile:1\n\
ARG VERSION=22\n\
FROM node:${VERSION}-slim AS deps\n\
WORKDIR /app\n\
COPY package.json ./\n\
RUN --mount=type=cache,target=/root/.npm npm ci\n\
\n\
FROM node:22-slim\n\
COPY --from=deps /app/node_modules ./node_modules\n\
ENV PORT=3000\n\
CMD [\"node\", \"server.js\"]\n";

fn client() -> LspClient {
    let caps = json!({"textDocument": {
        "completion": {"completionItem": {"snippetSupport": true}},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
    }});
    let (mut client, result) = LspClient::start(caps, Value::Null);
    let caps = &result["capabilities"];
    for provider in [
        "completionProvider",
        "hoverProvider",
        "signatureHelpProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "renameProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "semanticTokensProvider",
        "selectionRangeProvider",
        "documentLinkProvider",
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
        "documentOnTypeFormattingProvider",
    ] {
        assert!(!caps[provider].is_null(), "{provider} not advertised");
    }
    client.open(URI, "dockerfile", TEXT);
    client.diagnostics(URI, Some(1));
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

#[test]
fn completion_instructions_flags_stages_variables() {
    let mut c = client();
    // An empty line after a FROM: every instruction, as snippets.
    let all = labels(&c.request("textDocument/completion", at(URI, 6, 0)));
    for keyword in ["RUN", "COPY", "HEALTHCHECK", "USER", "ENTRYPOINT"] {
        assert!(
            all.iter().any(|l| l == keyword),
            "{keyword} missing: {all:?}"
        );
    }
    // Stage names after --from= (the bare name is the label).
    let stages = c.request("textDocument/completion", at(URI, 8, 12));
    assert_eq!(labels(&stages)[0], "deps");
    assert_eq!(
        stages["items"][0]["textEdit"]["range"],
        json!({"start": pos(8, 12), "end": pos(8, 16)})
    );
    // Flags of RUN, then mount types.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": pos(6, 0), "end": pos(6, 0)}, "text": "RUN --mount=type="}]}),
    );
    c.diagnostics(URI, Some(2));
    let types = labels(&c.request("textDocument/completion", at(URI, 6, 17)));
    for t in ["cache", "bind", "secret", "ssh", "tmpfs"] {
        assert!(types.iter().any(|l| l == t), "{t} missing: {types:?}");
    }
    // Variables after `$` in a FROM line (global ARGs are visible there).
    let vars = labels(&c.request("textDocument/completion", at(URI, 2, 12)));
    assert!(vars.iter().any(|l| l == "VERSION"), "{vars:?}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn hover_docs_and_resolved_variables() {
    let mut c = client();
    let keyword = c.request("textDocument/hover", at(URI, 2, 1));
    assert!(
        keyword["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("FROM [--platform=")
    );
    let variable = c.request("textDocument/hover", at(URI, 2, 14));
    let text = variable["contents"]["value"].as_str().unwrap();
    assert!(text.contains("`22`"), "{text}");
    assert_eq!(
        variable["range"],
        json!({"start": pos(2, 10), "end": pos(2, 20)})
    );
    let flag = c.request("textDocument/hover", at(URI, 5, 6));
    assert!(
        flag["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("mount"),
        "{flag}"
    );
    // Nothing to say on an empty line.
    assert!(c.request("textDocument/hover", at(URI, 6, 0)).is_null());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn signature_help_for_the_instruction() {
    let mut c = client();
    let help = c.request("textDocument/signatureHelp", at(URI, 4, 6));
    let label = help["signatures"][0]["label"].as_str().unwrap();
    assert!(label.starts_with("COPY "), "{label}");
    assert!(help["activeParameter"].is_number());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn definition_references_highlight_and_rename() {
    let mut c = client();
    // From `--from=deps` to `AS deps`.
    let def = c.request("textDocument/definition", at(URI, 8, 14));
    assert_eq!(
        def[0]["targetSelectionRange"],
        json!({"start": pos(2, 29), "end": pos(2, 33)})
    );
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": pos(8, 14), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 2);
    // A variable: its declaration (write) and its use (read).
    let highlights = c.request("textDocument/documentHighlight", at(URI, 1, 5));
    let kinds: Vec<i64> = highlights
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_i64().unwrap())
        .collect();
    assert_eq!(kinds, [3, 2]);
    let prepared = c.request("textDocument/prepareRename", at(URI, 8, 14));
    assert_eq!(prepared, json!({"start": pos(8, 12), "end": pos(8, 16)}));
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": pos(8, 14), "newName": "modules"}),
    );
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "modules"));
    // An invalid name is refused with a reason.
    let refused = c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": pos(8, 14), "newName": "Bad Name"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid stage name")
    );
    // A keyword cannot be renamed.
    let keyword = c.request_raw("textDocument/prepareRename", at(URI, 3, 1));
    assert!(
        keyword.get("error").is_some() || keyword["result"].is_null(),
        "{keyword}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn symbols_folding_selection_links_and_tokens() {
    let mut c = client();
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"deps"), "{names:?}");
    let deps = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "deps")
        .unwrap();
    assert!(
        deps["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "WORKDIR")
    );

    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(
        folds
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["startLine"] == 2 && f["endLine"] == 5),
        "{folds}"
    );

    let selection = c.request(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": URI}, "positions": [pos(8, 14)]}),
    );
    assert_eq!(
        selection[0]["range"],
        json!({"start": pos(8, 12), "end": pos(8, 16)})
    );
    assert!(selection[0]["parent"]["range"].is_object());

    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let targets: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert!(
        targets.contains(&"https://hub.docker.com/_/node"),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"file:///work/app/package.json"),
        "{targets:?}"
    );

    let full = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    let data = full["data"].as_array().unwrap();
    assert!(!data.is_empty() && data.len().is_multiple_of(5));
    let range = c.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(7, 0), "end": pos(9, 0)}}),
    );
    let range_data = range["data"].as_array().unwrap();
    assert!(!range_data.is_empty() && range_data.len() < data.len());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn formatting_document_range_and_on_type() {
    let (mut c, _) = LspClient::start(json!({}), Value::Null);
    let messy = "from alpine:3.20   as   base\nrun    apk add curl \\\nbash\n";
    c.open(URI, "dockerfile", messy);
    c.diagnostics(URI, Some(1));
    let options = json!({"tabSize": 4, "insertSpaces": true});
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": options}),
    );
    let edits = edits.as_array().unwrap();
    assert!(!edits.is_empty());
    // Apply the edits (sorted, non-overlapping) and check the result.
    let formatted = apply(messy, edits);
    assert_eq!(
        formatted,
        "FROM alpine:3.20 AS base\nRUN apk add curl \\\n    bash\n"
    );
    // Formatting the formatted text changes nothing.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": formatted}]}),
    );
    c.diagnostics(URI, Some(2));
    let again = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": options}),
    );
    assert!(again.as_array().is_none_or(Vec::is_empty), "{again}");
    // Range formatting touches only the lines asked for.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": messy}]}),
    );
    c.diagnostics(URI, Some(3));
    let range = c.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(0, 0), "end": pos(0, 5)}, "options": options}),
    );
    assert_eq!(
        apply(messy, range.as_array().unwrap()),
        "FROM alpine:3.20 AS base\nrun    apk add curl \\\nbash\n"
    );
    // On-type: after pressing Enter.
    let on_type = c.request_raw(
        "textDocument/onTypeFormatting",
        json!({"textDocument": {"uri": URI}, "position": pos(1, 0), "ch": "\n", "options": options}),
    );
    assert!(on_type.get("error").is_none(), "{on_type}");
    assert_eq!(c.shutdown(), Some(0));
}

/// Applies LSP text edits (positions in UTF-16, ASCII text here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let (line, col) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap() as usize,
        );
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        line_start + col
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}
