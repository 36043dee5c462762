//! The body of a `textDocument/publishDiagnostics` notification, written from the JSON of
//! each diagnostic kept since the document's previous publish.
//!
//! A keystroke in a large file leaves most findings as they were (the incremental analysis
//! reuses them), yet each publish sends all of them: serialising 170 diagnostics (70 KB)
//! cost more than analysing the keystroke. A diagnostic's JSON depends only on what it says
//! and where (in LSP positions), so the JSON of an unchanged one is copied, not written.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use tower_lsp_server::ls_types::Uri;

use super::convert::{Positions, diagnostic};
use crate::diagnostics::{Applicability, Diagnostic, Severity};

/// What a diagnostic's JSON is made from (see [`super::convert::diagnostic`]), with the
/// message compared separately so a lookup need not copy it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Shape {
    code: &'static str,
    severity: Severity,
    /// Start and end line and character, in the negotiated encoding.
    range: [u32; 4],
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
    json: Vec<u8>,
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
        let mut previous = std::mem::take(&mut self.by_hash);
        let room: usize = previous.values().map(|w| w.json.len() + 1).sum();
        let mut body = Vec::with_capacity(room + 256);
        body.extend_from_slice(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":",
        );
        // A URI serialises as a JSON string; writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut body, uri);
        body.extend_from_slice(b",\"diagnostics\":[");
        for (i, d) in diagnostics.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            let range = pos.range(d.range);
            let shape = Shape {
                code: d.code,
                severity: d.severity,
                range: [
                    range.start.line,
                    range.start.character,
                    range.end.line,
                    range.end.character,
                ],
                fix: d.fix.as_ref().map(|f| f.applicability),
            };
            let hash = hash_of(&shape, &d.message);
            let written = match previous.remove(&hash) {
                Some(w) if w.shape == shape && w.message == d.message => w,
                _ => {
                    let json = serde_json::to_vec(&diagnostic(pos, d)).unwrap_or_default();
                    Written {
                        shape,
                        message: d.message.clone(),
                        json,
                    }
                }
            };
            body.extend_from_slice(&written.json);
            self.by_hash.insert(hash, written);
        }
        body.push(b']');
        if let Some(version) = version {
            body.extend_from_slice(format!(",\"version\":{version}").as_bytes());
        }
        body.extend_from_slice(b"}}");
        body
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
}
