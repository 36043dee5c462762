//! Open documents: their text, version and kind, and the analysis of their current version
//! (computed once per version, shared by every request on it); and the facts read from
//! files beside them, which stay cached until those files change.

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use crate::analysis::RuleCache;
use crate::config::{Config, ConfigCache, Selection};
use crate::facts::{DockerfileFacts, FactsCache};
use crate::ide::DockerfileAnalysis;
use crate::ide::compose::ComposeAnalysis;
use crate::semantic::ShellCache;
use crate::text::{Change, Document, FileKind, LineIndex, PositionEncoding};

/// One open document.
pub(crate) struct OpenDocument {
    pub doc: Document,
    pub kind: Option<FileKind>,
    snapshot: Option<Arc<Snapshot>>,
    /// RUN parses of recent versions: a keystroke re-parses only the RUN it changed.
    shells: Arc<ShellCache>,
    /// Rule findings of recent versions, by stage: a keystroke re-checks only its stage.
    rules: Arc<RuleCache>,
    /// The latest analysis, kept after its version is edited: the next version re-parses
    /// only the lines around the edit.
    last_analysis: Option<Arc<DockerfileAnalysis>>,
    /// The same for a compose file: the next version re-reads only the entry it edits.
    last_compose: Option<Arc<ComposeAnalysis>>,
}

/// Everything a request needs about one version of a document.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub version: i32,
    pub text: String,
    pub index: LineIndex,
    /// Present for Dockerfiles.
    pub analysis: Option<Arc<DockerfileAnalysis>>,
    /// Present for compose files.
    pub compose: Option<Arc<ComposeAnalysis>>,
    /// What the analysis was computed with (for fix-all, which re-checks as it fixes).
    pub facts: DockerfileFacts,
    pub config: Config,
}

impl Snapshot {
    /// The findings of this version, whatever the file's kind.
    pub fn diagnostics(&self) -> &[crate::diagnostics::Diagnostic] {
        match (&self.analysis, &self.compose) {
            (Some(analysis), _) => &analysis.diagnostics,
            (None, Some(compose)) => &compose.diagnostics,
            (None, None) => &[],
        }
    }
}

#[derive(Default)]
pub(crate) struct DocumentStore {
    docs: HashMap<Uri, OpenDocument>,
    facts: FactsCache,
    configs: ConfigCache,
    /// The editor's settings, laid over each file's configuration.
    settings: Selection,
    /// The settings `initialize` brought, which stand while the client's
    /// `workspace/configuration` answer has nothing for dockwise.
    startup_settings: Selection,
    /// Configuration files that could not be read, not yet shown to the user.
    config_errors: Vec<String>,
    /// Counts changes of what analysis reads besides the text (other files, settings), so a
    /// pulled report of an unchanged document version is still known to be stale.
    generation: u64,
    /// Analyses replaced by newer ones, freed once the answer that needed the new one has
    /// gone out (see [`DocumentStore::take_retired`]).
    retired: Vec<Box<dyn Send>>,
}

/// At most this many replaced analyses wait to be freed; more go to a background thread.
const MAX_RETIRED: usize = 16;

impl DocumentStore {
    pub fn open(&mut self, uri: Uri, text: &str, version: i32, kind: Option<FileKind>) {
        self.docs.insert(
            uri,
            OpenDocument {
                doc: Document::new(text, version),
                kind,
                snapshot: None,
                shells: Arc::default(),
                rules: Arc::default(),
                last_analysis: None,
                last_compose: None,
            },
        );
    }

    /// Applies changes in order. Returns false for a document that is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: &[Change<'_>],
        encoding: PositionEncoding,
    ) -> bool {
        let Some(open) = self.docs.get_mut(uri) else {
            return false;
        };
        for change in changes {
            open.doc.apply(change, encoding);
        }
        open.doc.set_version(version);
        open.snapshot = None;
        true
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        self.docs.remove(uri).is_some()
    }

    /// Files on disk changed (`.dockerignore`, ...): forget what was read from them, and the
    /// analyses that used it. With `None` (the client cannot say which), forget everything.
    pub fn files_changed(&mut self, paths: Option<&[std::path::PathBuf]>) {
        match paths {
            Some(paths) => {
                paths.iter().for_each(|p| self.facts.invalidate(p));
                if paths.iter().any(|p| crate::config::file::is_config_file(p)) {
                    self.configs.clear();
                }
            }
            None => {
                self.facts.clear();
                self.configs.clear();
            }
        }
        self.forget_analyses();
    }

    /// Replaces the editor's settings; every analysis is redone with them.
    pub fn set_settings(&mut self, settings: Selection) {
        self.settings = settings;
        self.forget_analyses();
    }

    /// The settings of `initialize` (`initializationOptions`), kept for when the client
    /// later answers that it has none.
    pub fn set_startup_settings(&mut self, settings: Selection) {
        self.startup_settings = settings.clone();
        self.set_settings(settings);
    }

    /// The client has no dockwise settings (a `null` or empty answer or notification):
    /// back to those of `initialize`.
    pub fn use_startup_settings(&mut self) {
        self.set_settings(self.startup_settings.clone());
    }

    /// A problem with the settings, shown to the user with the next answer.
    pub fn report_config_error(&mut self, message: String) {
        if !self.config_errors.contains(&message) {
            self.config_errors.push(message);
        }
    }

    fn forget_analyses(&mut self) {
        self.generation += 1;
        for open in self.docs.values_mut() {
            open.snapshot = None;
        }
    }

    /// Changes whenever something other than the documents' text changed what analysis sees.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Configuration problems found since the last call, for the user to see once.
    pub fn take_config_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.config_errors)
    }

    /// The configuration for a document: its `dockwise.toml` (when it is a file on disk) with
    /// the editor's settings on top. A broken configuration file falls back to the defaults
    /// and is reported.
    fn config_for(&mut self, path: Option<&std::path::Path>) -> Config {
        let from_file = match path.map(|p| self.configs.config_for(p)) {
            Some(Ok(config)) => config,
            Some(Err(e)) => {
                let message = format!("dockwise: invalid configuration, using defaults: {e}");
                tracing::warn!("{message}");
                if !self.config_errors.contains(&message) {
                    self.config_errors.push(message);
                }
                Config::default()
            }
            None => Config::default(),
        };
        let mut config = if self.settings.is_empty() {
            from_file
        } else {
            from_file.with_selection(&self.settings)
        };
        config.options.in_editor = true;
        config
    }

    /// The analyses replaced since the last call, for the caller to free once its answer
    /// is out.
    pub fn take_retired(&mut self) -> Vec<Box<dyn Send>> {
        std::mem::take(&mut self.retired)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    /// The snapshots of every open compose file (computed on first use), for edits that
    /// reach into them from another document (a renamed Dockerfile stage).
    pub fn compose_snapshots(&mut self) -> Vec<(Uri, Arc<Snapshot>)> {
        let uris: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(_, open)| open.kind == Some(FileKind::Compose))
            .map(|(uri, _)| uri.clone())
            .collect();
        uris.into_iter()
            .filter_map(|uri| {
                let snapshot = self.snapshot(&uri)?;
                Some((uri, snapshot))
            })
            .collect()
    }

    /// The snapshot of the document's current version, computed on first use.
    pub fn snapshot(&mut self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let open = self.docs.get_mut(uri)?;
        if let Some(s) = &open.snapshot {
            return Some(s.clone());
        }
        let text = open.doc.text();
        let version = open.doc.version();
        let kind = open.kind;
        let shells = open.shells.clone();
        let rules = open.rules.clone();
        let previous = open.last_analysis.clone();
        let previous_compose = open.last_compose.clone();
        let mut facts = DockerfileFacts::default();
        let mut config = Config::default();
        let analysis = (kind == Some(FileKind::Dockerfile)).then(|| {
            // Cached facts and configuration: no disk access after the first look.
            let path = file_path(uri);
            facts = path
                .as_ref()
                .map(|path| self.facts.dockerfile_facts(path))
                .unwrap_or_default();
            config = self.config_for(path.as_deref());
            DockerfileAnalysis::compute(
                &text,
                &facts,
                &config,
                Some(&shells),
                Some(&rules),
                previous.as_deref(),
            )
        });
        let compose = (kind == Some(FileKind::Compose)).then(|| {
            let path = file_path(uri);
            config = self.config_for(path.as_deref());
            let cache = &mut self.facts;
            let facts_for = |tree: &crate::syntax::compose::YamlTree| match &path {
                Some(path) => cache
                    .compose_facts_for(path, tree)
                    .with_environment(config.options.use_environment),
                // An unsaved buffer: nothing around it is known.
                None => crate::facts::ComposeFacts::default(),
            };
            ComposeAnalysis::compute(&text, previous_compose.as_deref(), facts_for, &config)
        });
        let open = self.docs.get_mut(uri)?;
        // The analysis this one replaces is freed after the diagnostics are sent: on a
        // 2,000-line file that is thousands of allocations the client need not wait for.
        let replaced = std::mem::replace(&mut open.last_analysis, analysis.clone());
        let replaced_compose = std::mem::replace(&mut open.last_compose, compose.clone());
        let snapshot = Arc::new(Snapshot {
            version,
            index: LineIndex::new(&text),
            text,
            analysis,
            compose,
            facts,
            config,
        });
        open.snapshot = Some(snapshot.clone());
        self.retired.push(Box::new((
            previous,
            replaced,
            previous_compose,
            replaced_compose,
        )));
        if self.retired.len() > MAX_RETIRED {
            defer_drop(self.take_retired());
        }
        Some(snapshot)
    }
}

/// Drops `value` on a background thread (started on first use); inline if it cannot start.
pub(crate) fn defer_drop<T: Send + 'static>(value: T) {
    use std::sync::mpsc::{Sender, channel};
    static DROPPER: std::sync::LazyLock<Option<Sender<Box<dyn Send>>>> =
        std::sync::LazyLock::new(|| {
            let (tx, rx) = channel::<Box<dyn Send>>();
            std::thread::Builder::new()
                .name("dockwise-drop".to_owned())
                .spawn(move || rx.into_iter().for_each(drop))
                .ok()?;
            Some(tx)
        });
    if let Some(sender) = DROPPER.as_ref() {
        // A send only fails when the thread is gone; the value is then dropped here.
        let _ = sender.send(Box::new(value));
    }
}

/// The kind of a document from its language id and file name. Clients send `dockerfile`,
/// `dockerfile-ts`, `dockercompose`, `yaml.docker-compose`, plain `yaml`, or nothing at all.
pub(crate) fn document_kind(language_id: &str, uri: &Uri) -> Option<FileKind> {
    let name = file_name(uri);
    let by_name = name.as_deref().and_then(FileKind::from_file_name);
    // `Dockerfile.dockerignore` (a Dockerfile's own ignore file) matches editors'
    // `Dockerfile.*` pattern, so it may arrive as a Dockerfile: it is not one.
    let ignore_file = name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".dockerignore"));
    match language_id.to_ascii_lowercase().as_str() {
        _ if ignore_file => None,
        "dockerfile" | "dockerfile-ts" | "containerfile" => Some(FileKind::Dockerfile),
        "dockercompose" | "yaml.docker-compose" | "docker-compose" => Some(FileKind::Compose),
        // Plain YAML is compose only when the name says so.
        "yaml" | "yml" => by_name.filter(|k| *k == FileKind::Compose),
        _ => by_name,
    }
}

/// The last path segment of a URI, percent-decoded.
pub(crate) fn file_name(uri: &Uri) -> Option<String> {
    let path = uri.path().as_str();
    let last = path.rsplit('/').next().filter(|s| !s.is_empty())?;
    Some(percent_decode(last))
}

/// The local path of a `file:` URI.
pub(crate) fn file_path(uri: &Uri) -> Option<std::path::PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    Some(std::path::PathBuf::from(percent_decode(
        uri.path().as_str(),
    )))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn kinds_from_language_id_and_name() {
        let df = uri("file:///w/Dockerfile.dev");
        let compose = uri("file:///w/compose.prod.yaml");
        let values = uri("file:///w/values.yaml");
        let odd = uri("untitled:Untitled-1");
        assert_eq!(
            document_kind("dockerfile", &odd),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(
            document_kind("dockerfile-ts", &odd),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(document_kind("", &df), Some(FileKind::Dockerfile));
        assert_eq!(
            document_kind("dockercompose", &values),
            Some(FileKind::Compose)
        );
        assert_eq!(
            document_kind("yaml.docker-compose", &values),
            Some(FileKind::Compose)
        );
        assert_eq!(document_kind("yaml", &compose), Some(FileKind::Compose));
        assert_eq!(document_kind("yaml", &values), None);
        assert_eq!(document_kind("", &odd), None);
        assert_eq!(
            document_kind("dockerfile", &uri("file:///w/Dockerfile.dockerignore")),
            None
        );
        assert_eq!(
            document_kind("plaintext", &uri("file:///w/My%20App.Dockerfile")),
            Some(FileKind::Dockerfile)
        );
    }

    #[test]
    fn paths_from_uris() {
        assert_eq!(
            file_path(&uri("file:///home/u/my%20app/Dockerfile")),
            Some(std::path::PathBuf::from("/home/u/my app/Dockerfile"))
        );
        assert_eq!(file_path(&uri("untitled:Untitled-1")), None);
    }
}
