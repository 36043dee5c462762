//! The body of a `textDocument/publishDiagnostics` notification, written from the JSON of
//! each diagnostic kept since the document's previous publish.
//!
//! A keystroke in a large file leaves most findings as they were (the incremental analysis
//! reuses them), yet each publish sends all of them: serialising 170 diagnostics (70 KB)
//! cost more than analysing the keystroke. A diagnostic's JSON is its range and what it
//! says; what it says is copied from the last publish, and only the range is written (a
//! line typed above a finding moves it, and every finding below a new line moves).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::Uri;

use super::convert::{Positions, diagnostic};
use crate::diagnostics::{Applicability, Diagnostic, Severity};

/// What a diagnostic's JSON is made from but its range (see [`super::convert::diagnostic`]),
/// with the message compared separately so a lookup need not copy it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Shape {
    code: &'static str,
    severity: Severity,
    fix: Option<Applicability>,
}

/// The JSON of the diagnostics last published for one document.
#[derive(Debug, Default)]
pub(crate) struct PublishedJson {
    by_hash: HashMap<u64, Written, foldhash::fast::RandomState>,
}

#[derive(Debug)]
struct Written {
    shape: Shape,
    message: String,
    /// The diagnostic's JSON after its range: `,"severity":...}`.
    after_range: Vec<u8>,
}

impl Written {
    fn new(shape: Shape, d: &Diagnostic, pos: &Positions<'_>) -> Written {
        let lsp = diagnostic(pos, d);
        // Serialised field by field in declaration order: `{"range":{...},...}`.
        let json = serde_json::to_vec(&lsp).unwrap_or_default();
        let range = serde_json::to_vec(&lsp.range).unwrap_or_default();
        const OPEN: &[u8] = b"{\"range\":";
        let after_range = match json
            .strip_prefix(OPEN)
            .and_then(|r| r.strip_prefix(&range[..]))
        {
            Some(rest) => rest.to_vec(),
            // Not the expected layout: left empty, which makes the writer serialise this
            // diagnostic whole each time.
            None => Vec::new(),
        };
        Written {
            shape,
            message: d.message.clone(),
            after_range,
        }
    }
}

impl PublishedJson {
    /// The whole notification body for `diagnostics` of `uri` at `version`; keeps the JSON
    /// of these diagnostics for the next call (and drops what this one did not use).
    pub(crate) fn notification(
        &mut self,
        uri: &Uri,
        version: Option<i32>,
        diagnostics: &[Diagnostic],
        pos: &Positions<'_>,
    ) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":",
        );
        // A URI serialises as a JSON string; writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut body, uri);
        body.extend_from_slice(b",\"diagnostics\":");
        // Written in place: the items of a large file are hundreds of kilobytes.
        self.write_items(&mut body, diagnostics, pos);
        if let Some(version) = version {
            body.extend_from_slice(format!(",\"version\":{version}").as_bytes());
        }
        body.extend_from_slice(b"}}");
        body
    }

    /// The JSON array of `diagnostics` as LSP diagnostics; keeps the JSON of each for the
    /// next call (and drops what this one did not use).
    pub(crate) fn items(&mut self, diagnostics: &[Diagnostic], pos: &Positions<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_items(&mut out, diagnostics, pos);
        out
    }

    /// [`PublishedJson::items`], written at the end of `out`.
    fn write_items(&mut self, out: &mut Vec<u8>, diagnostics: &[Diagnostic], pos: &Positions<'_>) {
        use std::io::Write as _;
        let mut previous = std::mem::take(&mut self.by_hash);
        let room: usize = previous.values().map(|w| w.after_range.len() + 80).sum();
        out.reserve(room + 64);
        out.push(b'[');
        for (i, d) in diagnostics.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let shape = Shape {
                code: d.code,
                severity: d.severity,
                fix: d.fix.as_ref().map(|f| f.applicability),
            };
            let hash = hash_of(&shape, &d.message);
            let same = |w: &Written| w.shape == shape && w.message == d.message;
            // Findings that say the same thing share their JSON.
            let written = match self.by_hash.get(&hash) {
                Some(w) if same(w) => w,
                _ => {
                    let w = match previous.remove(&hash) {
                        Some(w) if same(&w) => w,
                        _ => Written::new(shape, d, pos),
                    };
                    self.by_hash.entry(hash).insert_entry(w).into_mut()
                }
            };
            if written.after_range.is_empty() {
                let _ = serde_json::to_writer(&mut *out, &diagnostic(pos, d));
                continue;
            }
            let r = pos.range(d.range);
            // Writing numbers to a Vec cannot fail.
            let _ = write!(
                out,
                "{{\"range\":{{\"start\":{{\"line\":{},\"character\":{}}},\"end\":{{\"line\":{},\"character\":{}}}}}",
                r.start.line, r.start.character, r.end.line, r.end.character
            );
            out.extend_from_slice(&written.after_range);
        }
        out.push(b']');
    }
}

/// Items of pulled diagnostic reports, written by the server, waiting to go into the
/// response tower-lsp writes.
///
/// tower-lsp turns a handler's result into a `serde_json::Value` and then into text, which
/// for a 2,000-line file's report cost as much as analysing the keystroke. So the handler
/// answers with an empty `items` list and a result id unique to the answer, and leaves the
/// items' JSON (copied from the last report where unchanged) here; the output writer puts
/// them into the response as it passes ([`PulledItems::fill`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct PulledItems(Arc<Mutex<HashMap<String, Vec<u8>>>>);

/// Entries left by answers that never went out (a cancelled request) are dropped past this.
const MAX_WAITING: usize = 64;

impl PulledItems {
    /// Leaves the items of the report with this result id.
    pub(crate) fn leave(&self, result_id: String, items: Vec<u8>) {
        let mut waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.len() >= MAX_WAITING {
            waiting.clear();
        }
        waiting.insert(result_id, items);
    }

    /// `body` (a message from tower-lsp) with the items left for its result id in place of
    /// its empty `items` list; `None` when it is not such a report.
    pub(crate) fn fill(&self, body: &[u8]) -> Option<Vec<u8>> {
        const EMPTY: &[u8] = b"\"items\":[]";
        const ID: &[u8] = b"\"resultId\":\"";
        let mut waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.is_empty() {
            return None;
        }
        let id_start = memchr::memmem::find(body, ID)? + ID.len();
        let id_len = memchr::memchr(b'"', &body[id_start..])?;
        let id = std::str::from_utf8(&body[id_start..id_start + id_len]).ok()?;
        let items = waiting.remove(id)?;
        drop(waiting);
        let at = memchr::memmem::find(body, EMPTY)?;
        let mut filled = Vec::with_capacity(body.len() + items.len());
        filled.extend_from_slice(&body[..at]);
        filled.extend_from_slice(b"\"items\":");
        filled.extend_from_slice(&items);
        filled.extend_from_slice(&body[at + EMPTY.len()..]);
        Some(filled)
    }
}

fn hash_of(shape: &Shape, message: &str) -> u64 {
    let mut h = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    shape.hash(&mut h);
    message.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types as lsp;

    use super::*;
    use crate::ide::DockerfileAnalysis;
    use crate::lsp::documents::Snapshot;
    use crate::text::{LineIndex, PositionEncoding};

    fn snapshot(text: &str) -> Snapshot {
        Snapshot {
            version: 1,
            index: LineIndex::new(text),
            text: text.to_owned(),
            analysis: Some(DockerfileAnalysis::new(text)),
            compose: None,
            facts: Default::default(),
            config: Default::default(),
        }
    }

    /// What serialising the standard notification gives, for comparison.
    fn expected(uri: &Uri, snapshot: &Snapshot, version: Option<i32>) -> serde_json::Value {
        let pos = Positions {
            snapshot,
            encoding: PositionEncoding::Utf16,
        };
        let diagnostics: Vec<lsp::Diagnostic> = snapshot
            .analysis
            .as_ref()
            .map(|a| a.diagnostics.iter().map(|d| diagnostic(&pos, d)).collect())
            .unwrap_or_default();
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version },
        })
    }

    fn written(
        cache: &mut PublishedJson,
        uri: &Uri,
        snapshot: &Snapshot,
        version: Option<i32>,
    ) -> serde_json::Value {
        let pos = Positions {
            snapshot,
            encoding: PositionEncoding::Utf16,
        };
        let diagnostics = &snapshot.analysis.as_ref().unwrap().diagnostics;
        let body = cache.notification(uri, version, diagnostics, &pos);
        serde_json::from_slice(&body).expect("valid JSON")
    }

    #[test]
    fn equals_the_serialised_notification_across_edits() {
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let mut cache = PublishedJson::default();
        let versions = [
            "FROM node\nRUN apt-get install curl\nMAINTAINER x\n",
            // The same findings one line lower, one gone, a new one.
            "\nFROM node\nRUN apt-get install curl\nMAINTAINER \"y\"\nADD a.txt /a\n",
            "\nFROM node\nRUN apt-get install curl\nMAINTAINER \"y\"\nADD a.txt /a\n",
            "# ünïcødé 😀\nFROM node\nRUN apt-get install curl\n",
        ];
        for (i, text) in versions.iter().enumerate() {
            let snap = snapshot(text);
            let version = Some(i as i32 + 1);
            assert_eq!(
                written(&mut cache, &uri, &snap, version),
                expected(&uri, &snap, version),
                "version {i}"
            );
        }
        // Without a version (a cleared document) and without findings.
        let snap = snapshot(
            "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
        );
        assert_eq!(
            written(&mut cache, &uri, &snap, None),
            expected(&uri, &snap, None)
        );
    }

    #[test]
    fn keeps_only_what_the_last_publish_used() {
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let mut cache = PublishedJson::default();
        let snap = snapshot("FROM node\nMAINTAINER x\nMAINTAINER y\n");
        written(&mut cache, &uri, &snap, Some(1));
        let held = cache.by_hash.len();
        assert!(held >= 2);
        let snap = snapshot("FROM node:22.3.0\n");
        written(&mut cache, &uri, &snap, Some(2));
        assert!(cache.by_hash.len() < held);
    }

    #[test]
    fn pulled_items_go_into_the_matching_report() {
        let pulled = PulledItems::default();
        let report =
            br#"{"jsonrpc":"2.0","result":{"items":[],"kind":"full","resultId":"3.0.7"},"id":4}"#;
        // Nothing waiting: not touched.
        assert_eq!(pulled.fill(report), None);
        pulled.leave("3.0.8".to_owned(), b"[{\"a\":1}]".to_vec());
        // Another report's id: not touched, and the waiting items stay.
        assert_eq!(pulled.fill(report), None);
        pulled.leave("3.0.7".to_owned(), b"[{\"message\":\"x\"}]".to_vec());
        let filled = pulled.fill(report).expect("filled");
        let value: serde_json::Value = serde_json::from_slice(&filled).unwrap();
        assert_eq!(value["result"]["items"][0]["message"], "x");
        assert_eq!(value["result"]["resultId"], "3.0.7");
        assert_eq!(value["id"], 4);
        // Used once.
        assert_eq!(pulled.fill(report), None);
        // An unchanged report has no items to fill.
        pulled.leave("3.0.9".to_owned(), b"[]".to_vec());
        let unchanged =
            br#"{"jsonrpc":"2.0","result":{"kind":"unchanged","resultId":"3.0.9"},"id":5}"#;
        assert_eq!(pulled.fill(unchanged), None);
    }
}
