//! The language server: a thin layer that keeps documents in order, asks `ide` and
//! `analysis` for answers, and converts them to LSP.
//!
//! Ordering: tower-lsp-server runs handlers concurrently, but it first polls each handler's
//! future in the order messages arrived. Every notification that changes state
//! (`didOpen`, `didChange`, `didClose`) therefore does all of its work synchronously, before
//! its first `.await`, so edits apply in order. Diagnostics are published under one lock and
//! only for the version that is still current, so a stale version is never published.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{ClientSupport, server_capabilities};
use super::convert::{
    Positions, code_action, create_file_action, diagnostic, edit_action, fix_all_kind,
};
use super::documents::{DocumentStore, Snapshot, document_kind, file_path};
use super::features;
use super::publish::PublishedJson;
use super::settings::Settings;
use crate::diagnostics::Diagnostic;
use crate::ide::actions;
use crate::text::{Change, LineCol, PositionEncoding};

/// How long the first diagnostics wait for the editor's answer to `workspace/configuration`.
const SETTINGS_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Mutable server state. Guarded by a std mutex that is never held across an `.await`.
#[derive(Default)]
struct State {
    client: ClientSupport,
    encoding: PositionEncoding,
    documents: DocumentStore,
}

pub struct Backend {
    client: Client,
    state: Mutex<State>,
    /// Serialises publishing so diagnostics reach the client in version order; holds the
    /// JSON of what was last published per document, to copy what did not change.
    publish: tokio::sync::Mutex<HashMap<Uri, PublishedJson>>,
    shutdown_requested: Arc<AtomicBool>,
    /// Counts pulled diagnostic reports, to make each result id unique.
    answers: AtomicU64,
    /// Where diagnostics are written when serving over stdio (else through `client`).
    direct: Option<super::transport::DirectOutput>,
    /// `true` between `initialized` and the editor's first settings answer. Diagnostics
    /// given then would be replaced a moment later (a finding the settings hide would
    /// flash), so pushes are skipped (the answer's refresh sends them) and pulls wait.
    awaiting_settings: tokio::sync::watch::Sender<bool>,
}

/// Runs `f`, turning a panic into an internal error for this request only.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        tracing::error!("{what} panicked: {message}");
        Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: format!("dockwise failed while handling {what}: {message}").into(),
            data: None,
        }
    })
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Backend {
            client,
            state: Mutex::new(State::default()),
            publish: tokio::sync::Mutex::new(HashMap::new()),
            shutdown_requested: Arc::new(AtomicBool::new(false)),
            answers: AtomicU64::new(0),
            direct: None,
            awaiting_settings: tokio::sync::watch::Sender::new(false),
        }
    }

    pub(crate) fn with_direct_output(self, direct: super::transport::DirectOutput) -> Self {
        Backend {
            direct: Some(direct),
            ..self
        }
    }

    /// Sends `textDocument/publishDiagnostics`, straight to the output when there is one.
    async fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp::Diagnostic>,
        version: Option<i32>,
    ) {
        match &self.direct {
            Some(direct) => {
                let params = lsp::PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                };
                direct.notify("textDocument/publishDiagnostics", &params);
            }
            None => {
                self.client
                    .publish_diagnostics(uri, diagnostics, version)
                    .await
            }
        }
    }

    pub(crate) fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown_requested.clone()
    }

    /// The state, even if a panic elsewhere poisoned the lock (the data stays consistent:
    /// every mutation completes before anything that can panic runs).
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The snapshot of a document's current version and the position encoding.
    pub(crate) fn snapshot(&self, uri: &Uri) -> Option<(Arc<Snapshot>, PositionEncoding)> {
        let mut state = self.state();
        let encoding = state.encoding;
        let snapshot = guard("analysis", || state.documents.snapshot(uri)).ok()??;
        Some((snapshot, encoding))
    }

    /// Diagnostics of a snapshot (computed with the user's configuration and settings).
    fn diagnostics_of(
        &self,
        snapshot: &Snapshot,
        encoding: PositionEncoding,
    ) -> Vec<lsp::Diagnostic> {
        let pos = Positions { snapshot, encoding };
        snapshot
            .diagnostics()
            .iter()
            .map(|d| diagnostic(&pos, d))
            .collect()
    }

    /// Pushes diagnostics for `version` of `uri` (push mode only), unless a newer version
    /// has arrived meanwhile: that version's own publish follows, so each change is answered
    /// once and versions reach the client in order.
    async fn publish(&self, uri: Uri, version: Option<i32>) {
        {
            let state = self.state();
            if state.client.pull_diagnostics || *self.awaiting_settings.borrow() {
                return;
            }
        }
        let mut published = self.publish.lock().await;
        let started = std::time::Instant::now();
        let Some((snapshot, encoding)) = self.snapshot(&uri) else {
            return;
        };
        let analysed = started.elapsed();
        if version.is_some_and(|v| v != snapshot.version) {
            return;
        }
        let converted;
        match &self.direct {
            // Written from the JSON of the diagnostics that did not change.
            Some(direct) => {
                let json = published.entry(uri.clone()).or_default();
                let body = guard("diagnostics", || {
                    let pos = Positions {
                        snapshot: &snapshot,
                        encoding,
                    };
                    json.notification(&uri, Some(snapshot.version), snapshot.diagnostics(), &pos)
                });
                converted = started.elapsed();
                if let Ok(body) = body {
                    direct.send(body);
                }
            }
            None => {
                let diagnostics = guard("diagnostics", || self.diagnostics_of(&snapshot, encoding))
                    .unwrap_or_default();
                converted = started.elapsed();
                self.send_diagnostics(uri, diagnostics, Some(snapshot.version))
                    .await;
            }
        }
        // Freed here, after the client has its answer (and before the next keystroke is
        // likely to arrive: the client is still reading this one).
        let retired = self.state().documents.take_retired();
        drop(retired);
        // `DOCKWISE_LOG=debug` shows where each keystroke's time goes.
        tracing::debug!(
            "diagnostics of version {}: analysis {analysed:?}, conversion {:?}, sending {:?}",
            snapshot.version,
            converted - analysed,
            started.elapsed() - converted
        );
        self.report_config_errors().await;
    }

    /// Facts outside the open documents changed (or settings did): re-check everything.
    async fn refresh_all(&self) {
        let (pull, refresh_support, uris) = {
            let state = self.state();
            (
                state.client.pull_diagnostics,
                state.client.diagnostic_refresh,
                state.documents.uris(),
            )
        };
        if pull {
            if refresh_support && let Err(e) = self.client.workspace_diagnostic_refresh().await {
                tracing::warn!("workspace/diagnostic/refresh failed: {e}");
            }
        } else {
            for uri in uris {
                self.publish(uri, None).await;
            }
        }
    }

    async fn fetch_settings(&self) {
        if !self.state().client.configuration {
            return;
        }
        let items = vec![lsp::ConfigurationItem {
            scope_uri: None,
            section: Some("dockwise".to_owned()),
        }];
        // An editor that never answers must not keep the diagnostics back for good.
        let answer = tokio::time::timeout(SETTINGS_WAIT, self.client.configuration(items)).await;
        match answer {
            Ok(Ok(values)) => self.set_settings(values.into_iter().next().unwrap_or_default()),
            Ok(Err(e)) => tracing::warn!("workspace/configuration failed: {e}"),
            Err(_) => tracing::warn!(
                "workspace/configuration: no answer in {} s; keeping the settings of initialize",
                SETTINGS_WAIT.as_secs()
            ),
        }
    }

    /// The editor's settings ([`Settings::from_editor`]).
    fn set_settings(&self, value: serde_json::Value) {
        match Settings::from_editor(value) {
            Ok(None) => self.state().documents.use_startup_settings(),
            Ok(Some(settings)) => self.state().documents.set_settings(settings.selection()),
            Err(e) => {
                let message = format!("dockwise: ignoring invalid settings: {e}");
                tracing::warn!("{message}");
                self.state().documents.report_config_error(message);
            }
        }
    }

    /// Shows configuration problems found while analysing, once each.
    async fn report_config_errors(&self) {
        let errors = self.state().documents.take_config_errors();
        for message in errors {
            self.client
                .show_message(lsp::MessageType::WARNING, message)
                .await;
        }
    }

    /// Registers file watchers for the files whose contents feed analysis.
    async fn watch_files(&self) {
        if !self.state().client.dynamic_watched_files {
            return;
        }
        let globs = [
            "**/.dockerignore",
            "**/*.dockerignore",
            "**/.env",
            "**/*.env",
            "**/.env.*",
            "**/.gitignore",
            "**/Dockerfile",
            "**/Dockerfile.*",
            "**/*.Dockerfile",
            "**/Containerfile",
            "**/dockwise.toml",
            "**/.dockwise.toml",
            "**/.hadolint.yaml",
            "**/.hadolint.yml",
            "**/{compose,docker-compose}*.{yml,yaml}",
        ];
        let watchers: Vec<lsp::FileSystemWatcher> = globs
            .iter()
            .map(|g| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String((*g).to_owned()),
                kind: None,
            })
            .collect();
        let registration = lsp::Registration {
            id: "dockwise-watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("could not register file watchers: {e}");
        }
    }

    /// The diagnostics of a snapshot, for code actions.
    fn current_diagnostics(&self, snapshot: &Snapshot) -> Vec<Diagnostic> {
        snapshot.diagnostics().to_vec()
    }
}

/// Parameters of `dockwise/syntaxTree`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntaxTreeParams {
    pub text_document: lsp::TextDocumentIdentifier,
}

impl Backend {
    /// `dockwise/syntaxTree`: the document's version, text and syntax tree, for a "show syntax
    /// tree" command in editors (and for tests to see exactly what the server holds).
    pub async fn syntax_tree(&self, params: SyntaxTreeParams) -> Result<serde_json::Value> {
        let Some((snapshot, _)) = self.snapshot(&params.text_document.uri) else {
            return Err(Error::invalid_params("the document is not open"));
        };
        guard("dockwise/syntaxTree", || {
            serde_json::json!({
                "version": snapshot.version,
                "text": snapshot.text,
                "tree": match (&snapshot.analysis, &snapshot.compose) {
                    (Some(a), _) => Some(a.parse.tree.debug_dump()),
                    (None, Some(c)) => Some(c.parse.tree.debug_dump()),
                    (None, None) => None,
                },
            })
        })
    }
}

impl Backend {
    /// Runs a feature for the document at `uri`: takes the snapshot, builds the request,
    /// and turns a panic into an error for this request alone.
    fn feature<T>(
        &self,
        what: &str,
        uri: &Uri,
        f: impl FnOnce(&features::Request<'_>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let Some((snapshot, encoding)) = self.snapshot(uri) else {
            return Ok(None);
        };
        let client = self.state().client.clone();
        let req = features::Request {
            uri,
            snapshot: &snapshot,
            encoding,
            client: &client,
        };
        guard(what, || f(&req))?
    }
}

fn to_changes(params: &[lsp::TextDocumentContentChangeEvent]) -> Vec<Change<'_>> {
    params
        .iter()
        .map(|c| Change {
            range: c.range.map(|r| {
                (
                    LineCol {
                        line: r.start.line,
                        col: r.start.character,
                    },
                    LineCol {
                        line: r.end.line,
                        col: r.end.character,
                    },
                )
            }),
            text: &c.text,
        })
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let support = ClientSupport::from_capabilities(&params.capabilities);
        let encoding = support.encoding;
        if let Some(options) = params.initialization_options {
            match Settings::from_json(options) {
                Ok(settings) => self
                    .state()
                    .documents
                    .set_startup_settings(settings.selection()),
                Err(e) => {
                    let message = format!("dockwise: ignoring invalid initializationOptions: {e}");
                    tracing::warn!("{message}");
                    self.state().documents.report_config_error(message);
                }
            }
        }
        {
            let mut state = self.state();
            state.encoding = encoding;
            state.client = support.clone();
        }
        tracing::info!(
            "initialized for {} ({:?} positions, {} diagnostics)",
            params
                .client_info
                .as_ref()
                .map_or("an unnamed client", |c| c.name.as_str()),
            encoding,
            if support.pull_diagnostics {
                "pull"
            } else {
                "push"
            }
        );
        Ok(lsp::InitializeResult {
            capabilities: server_capabilities(&support),
            server_info: Some(lsp::ServerInfo {
                name: "dockwise".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let pulls_settings = self.state().client.configuration;
        self.awaiting_settings.send_replace(pulls_settings);
        self.fetch_settings().await;
        self.awaiting_settings.send_replace(false);
        // Documents opened while the settings were on their way were checked without them.
        let opened = !self.state().documents.uris().is_empty();
        if opened {
            self.refresh_all().await;
        }
        self.watch_files().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let kind = document_kind(&doc.language_id, &doc.uri);
        self.state()
            .documents
            .open(doc.uri.clone(), &doc.text, doc.version, kind);
        self.publish(doc.uri, Some(doc.version)).await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let applied = {
            let mut state = self.state();
            let encoding = state.encoding;
            let changes = to_changes(&params.content_changes);
            state
                .documents
                .change(&uri, params.text_document.version, &changes, encoding)
        };
        if applied {
            self.publish(uri, Some(params.text_document.version)).await;
        } else {
            tracing::warn!(
                "didChange for a document that is not open: {}",
                uri.as_str()
            );
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (closed, pull) = {
            let mut state = self.state();
            (state.documents.close(&uri), state.client.pull_diagnostics)
        };
        if closed && !pull {
            let mut published = self.publish.lock().await;
            published.remove(&uri);
            self.send_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        // Clients either send the settings (often as `{"dockwise": {...}}`) or nothing and
        // expect a `workspace/configuration` pull.
        if self.state().client.configuration {
            self.fetch_settings().await;
        } else {
            self.set_settings(params.settings);
        }
        self.refresh_all().await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        tracing::debug!("{} watched files changed", params.changes.len());
        let paths: Vec<_> = params
            .changes
            .iter()
            .filter_map(|change| file_path(&change.uri))
            .collect();
        self.state().documents.files_changed(Some(&paths));
        self.refresh_all().await;
    }

    async fn did_save(&self, _params: lsp::DidSaveTextDocumentParams) {
        // A client that cannot watch files tells us nothing when `.dockerignore` changes; a
        // save is the moment such a user expects a fresh look. Watching clients need nothing.
        if self.state().client.dynamic_watched_files {
            return;
        }
        self.state().documents.files_changed(None);
        self.refresh_all().await;
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        // Not with the settings of a moment ago (fetch_settings gives up after SETTINGS_WAIT).
        let mut awaiting = self.awaiting_settings.subscribe();
        let _ = tokio::time::timeout(SETTINGS_WAIT, awaiting.wait_for(|waiting| !waiting)).await;
        // Read before the snapshot: a change in between makes the id older, never newer.
        let generation = self.state().documents.generation();
        let started = std::time::Instant::now();
        let Some((snapshot, encoding)) = self.snapshot(&params.text_document.uri) else {
            return Err(Error::invalid_params("the document is not open"));
        };
        let analysed = started.elapsed();
        // `version.generation.answer`: the answer number makes each id unique (see
        // `PulledItems`); an earlier answer for the same version and generation still counts
        // as unchanged.
        let state_id = format!("{}.{generation}", snapshot.version);
        let unchanged = params
            .previous_result_id
            .as_deref()
            .and_then(|id| id.rsplit_once('.'))
            .is_some_and(|(state, _)| state == state_id);
        let answer = self.answers.fetch_add(1, Ordering::Relaxed);
        let result_id = format!("{state_id}.{answer}");
        if unchanged {
            return Ok(lsp::DocumentDiagnosticReportResult::Report(
                lsp::DocumentDiagnosticReport::Unchanged(
                    lsp::RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report:
                            lsp::UnchangedDocumentDiagnosticReport { result_id },
                    },
                ),
            ));
        }
        let uri = params.text_document.uri;
        let items = match &self.direct {
            // The writer puts the items into the response (see `PulledItems`).
            Some(direct) => {
                let mut published = self.publish.lock().await;
                let json = published.entry(uri).or_default();
                let items = guard("textDocument/diagnostic", || {
                    let pos = Positions {
                        snapshot: &snapshot,
                        encoding,
                    };
                    json.items(snapshot.diagnostics(), &pos)
                })?;
                direct.pulled().leave(result_id.clone(), items);
                Vec::new()
            }
            None => guard("textDocument/diagnostic", || {
                self.diagnostics_of(&snapshot, encoding)
            })?,
        };
        // `DOCKWISE_LOG=debug` shows where each keystroke's time goes (the writer thread
        // writes the items after this).
        tracing::debug!(
            "pulled diagnostics of version {}: analysis {analysed:?}, conversion {:?}",
            snapshot.version,
            started.elapsed() - analysed
        );
        // The answer goes out when this returns: free replaced analyses elsewhere.
        super::documents::defer_drop(self.state().documents.take_retired());
        self.report_config_errors().await;
        Ok(lsp::DocumentDiagnosticReportResult::Report(
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: Some(result_id),
                    items,
                },
            }),
        ))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let p = params.text_document_position;
        self.feature("textDocument/completion", &p.text_document.uri, |r| {
            Ok(features::completion(r, p.position))
        })
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = params.text_document_position_params;
        self.feature("textDocument/hover", &p.text_document.uri, |r| {
            Ok(features::hover(r, p.position))
        })
    }

    async fn signature_help(
        &self,
        params: lsp::SignatureHelpParams,
    ) -> Result<Option<lsp::SignatureHelp>> {
        let p = params.text_document_position_params;
        self.feature("textDocument/signatureHelp", &p.text_document.uri, |r| {
            Ok(features::signature_help(r, p.position))
        })
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.feature("textDocument/definition", &p.text_document.uri, |r| {
            Ok(features::definition(r, p.position))
        })
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.feature("textDocument/references", &p.text_document.uri, |r| {
            Ok(features::references(r, p.position, include))
        })
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.feature(
            "textDocument/documentHighlight",
            &p.text_document.uri,
            |r| Ok(features::highlights(r, p.position)),
        )
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.feature(
            "textDocument/prepareRename",
            &params.text_document.uri,
            |r| features::prepare_rename(r, params.position),
        )
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let p = params.text_document_position;
        let uri = &p.text_document.uri;
        let mut stage = None;
        let edit = self.feature("textDocument/rename", uri, |r| {
            let edit = features::rename(r, p.position, &params.new_name)?;
            if edit.is_some() {
                stage = features::renamed_stage(r, p.position, &params.new_name);
            }
            Ok(edit)
        })?;
        // A renamed stage: `build.target: <stage>` in open compose files building this
        // Dockerfile follows.
        let Some(mut edit) = edit else {
            return Ok(None);
        };
        let (Some(old), Some(path)) = (stage, file_path(uri)) else {
            return Ok(Some(edit));
        };
        let (composes, encoding) = {
            let mut state = self.state();
            let encoding = state.encoding;
            let composes = guard("analysis", || state.documents.compose_snapshots())?;
            (composes, encoding)
        };
        let more = guard("textDocument/rename", || {
            features::compose_build_target_edits(&composes, encoding, &path, &old, &params.new_name)
        })?;
        edit.changes.get_or_insert_default().extend(more);
        Ok(Some(edit))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.feature(
            "textDocument/documentSymbol",
            &params.text_document.uri,
            |r| Ok(features::document_symbols(r)),
        )
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        self.feature(
            "textDocument/foldingRange",
            &params.text_document.uri,
            |r| Ok(features::folding_ranges(r)),
        )
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        self.feature(
            "textDocument/semanticTokens/full",
            &params.text_document.uri,
            |r| {
                Ok(features::semantic_tokens(r, None).map(|data| {
                    lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                        result_id: None,
                        data,
                    })
                }))
            },
        )
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        self.feature(
            "textDocument/semanticTokens/range",
            &params.text_document.uri,
            |r| {
                Ok(
                    features::semantic_tokens(r, Some(params.range)).map(|data| {
                        lsp::SemanticTokensRangeResult::Tokens(lsp::SemanticTokens {
                            result_id: None,
                            data,
                        })
                    }),
                )
            },
        )
    }

    async fn selection_range(
        &self,
        params: lsp::SelectionRangeParams,
    ) -> Result<Option<Vec<lsp::SelectionRange>>> {
        self.feature(
            "textDocument/selectionRange",
            &params.text_document.uri,
            |r| Ok(features::selection_ranges(r, &params.positions)),
        )
    }

    async fn document_link(
        &self,
        params: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.feature(
            "textDocument/documentLink",
            &params.text_document.uri,
            |r| Ok(features::document_links(r)),
        )
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        self.feature("textDocument/formatting", &params.text_document.uri, |r| {
            Ok(features::formatting(r, &params.options, None))
        })
    }

    async fn range_formatting(
        &self,
        params: lsp::DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        self.feature(
            "textDocument/rangeFormatting",
            &params.text_document.uri,
            |r| Ok(features::formatting(r, &params.options, Some(params.range))),
        )
    }

    async fn on_type_formatting(
        &self,
        params: lsp::DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let p = params.text_document_position;
        self.feature("textDocument/onTypeFormatting", &p.text_document.uri, |r| {
            Ok(features::on_type_formatting(
                r,
                p.position,
                &params.ch,
                &params.options,
            ))
        })
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some((snapshot, encoding)) = self.snapshot(&uri) else {
            return Ok(None);
        };
        guard("textDocument/codeAction", || {
            let pos = Positions {
                snapshot: &snapshot,
                encoding,
            };
            let wanted = pos.text_range(params.range);
            let only = params.context.only.as_deref();
            let asks_for = |kind: &lsp::CodeActionKind| {
                only.is_none_or(|only| {
                    only.iter().any(|o| {
                        kind.as_str() == o.as_str()
                            || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                    })
                })
            };
            let mut actions: Vec<lsp::CodeActionOrCommand> = Vec::new();
            if snapshot.analysis.is_none() && snapshot.compose.is_none() {
                return None;
            }
            if asks_for(&lsp::CodeActionKind::QUICKFIX) {
                let diagnostics = self.current_diagnostics(&snapshot);
                let here: Vec<&Diagnostic> = diagnostics
                    .iter()
                    .filter(|d| d.range.start <= wanted.end && wanted.start <= d.range.end)
                    .collect();
                actions.extend(here.iter().filter_map(|d| code_action(&pos, &uri, d)));
                if self.state().client.create_files {
                    actions.extend(
                        here.iter()
                            .filter_map(|d| create_file_action(&pos, &uri, d)),
                    );
                }
                for d in &here {
                    let (edit, place) = match &snapshot.analysis {
                        Some(analysis) => (
                            actions::suppress_for_instruction(&analysis.parse, d),
                            "instruction",
                        ),
                        None => (actions::suppress_in_compose(&snapshot.text, d), "entry"),
                    };
                    if let Some(edit) = edit {
                        actions.push(edit_action(
                            &pos,
                            &uri,
                            format!("Ignore {} ({}) for this {place}", d.code, d.name),
                            lsp::CodeActionKind::QUICKFIX,
                            &[edit],
                            Some(d),
                        ));
                    }
                }
            }
            let fix_all = || match &snapshot.compose {
                Some(compose) => {
                    actions::fix_all_compose(&snapshot.text, &compose.facts, &snapshot.config)
                }
                None => actions::fix_all(&snapshot.text, &snapshot.facts, &snapshot.config),
            };
            if asks_for(&fix_all_kind())
                && let Some(edit) = fix_all()
            {
                actions.push(edit_action(
                    &pos,
                    &uri,
                    "Fix all safe dockwise findings".to_owned(),
                    fix_all_kind(),
                    &[edit],
                    None,
                ));
            }
            (!actions.is_empty()).then_some(actions)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn a_panic_becomes_an_error_for_that_request() {
        let ok = guard("ok", || 42);
        assert_eq!(ok.ok(), Some(42));
        let failed = guard("textDocument/hover", || -> u32 { panic!("boom") });
        let error = failed.expect_err("the panic is caught");
        assert!(error.message.contains("textDocument/hover"));
        assert!(error.message.contains("boom"));
        // The server goes on: later calls work.
        assert_eq!(guard("again", || "fine").ok(), Some("fine"));
    }
}
