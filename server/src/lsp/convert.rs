//! Conversions between our byte offsets and plain structs and LSP's positions and types.

use tower_lsp_server::ls_types as lsp;

use super::documents::Snapshot;
use crate::diagnostics::{Applicability, Diagnostic, Severity};
use crate::syntax::TextRange;
use crate::text::{LineCol, PositionEncoding};

/// Converts positions for one snapshot in the negotiated encoding.
pub(crate) struct Positions<'a> {
    pub snapshot: &'a Snapshot,
    pub encoding: PositionEncoding,
}

impl Positions<'_> {
    pub fn offset(&self, pos: lsp::Position) -> u32 {
        self.snapshot.index.offset(
            &self.snapshot.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.encoding,
        )
    }

    pub fn position(&self, offset: u32) -> lsp::Position {
        let lc = self
            .snapshot
            .index
            .line_col(&self.snapshot.text, offset, self.encoding);
        lsp::Position::new(lc.line, lc.col)
    }

    pub fn range(&self, range: TextRange) -> lsp::Range {
        lsp::Range::new(self.position(range.start), self.position(range.end))
    }

    pub fn text_range(&self, range: lsp::Range) -> TextRange {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        TextRange::new(start, end)
    }
}

/// Where a rule's documentation lives, linked from each diagnostic.
fn rule_docs_url(code: &str) -> Option<lsp::Uri> {
    crate::rules::docs_url(code).parse().ok()
}

/// What every diagnostic of one rule carries: its docs link and editor tag. Made once per
/// rule: a keystroke on a large file converts hundreds of diagnostics.
struct RuleLinks {
    docs: Option<lsp::CodeDescription>,
    tags: Option<Vec<lsp::DiagnosticTag>>,
}

fn rule_links(code: &str) -> Option<&'static RuleLinks> {
    static LINKS: std::sync::LazyLock<std::collections::HashMap<&'static str, RuleLinks>> =
        std::sync::LazyLock::new(|| {
            crate::rules::all_rules()
                .map(|rule| {
                    let tag = rule.tag.map(|tag| match tag {
                        crate::rules::RuleTag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
                        crate::rules::RuleTag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
                    });
                    let links = RuleLinks {
                        docs: rule_docs_url(rule.code).map(|href| lsp::CodeDescription { href }),
                        tags: tag.map(|tag| vec![tag]),
                    };
                    (rule.code, links)
                })
                .collect()
        });
    LINKS.get(code)
}

pub(crate) fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Style => lsp::DiagnosticSeverity::HINT,
    }
}

pub(crate) fn diagnostic(pos: &Positions<'_>, d: &Diagnostic) -> lsp::Diagnostic {
    let links = rule_links(d.code);
    lsp::Diagnostic {
        range: pos.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_owned())),
        code_description: links.and_then(|l| l.docs.clone()),
        source: Some("dockwise".to_owned()),
        message: d.message.clone(),
        related_information: None,
        tags: links.and_then(|l| l.tags.clone()),
        // Whether a fix exists and how safe it is; the fix itself comes from the analysis of
        // the current version when code actions are asked for. Kept small: a large file can
        // have hundreds of findings, all sent on every keystroke.
        data: d
            .fix
            .as_ref()
            .map(|fix| serde_json::json!({"fix": {"applicability": fix.applicability}})),
    }
}

/// A quick fix for a diagnostic that has one.
pub(crate) fn code_action(
    pos: &Positions<'_>,
    uri: &lsp::Uri,
    d: &Diagnostic,
) -> Option<lsp::CodeActionOrCommand> {
    let fix = d.fix.as_ref()?;
    if fix.applicability == Applicability::DisplayOnly || fix.edits.is_empty() {
        return None;
    }
    let edits: Vec<lsp::TextEdit> = fix
        .edits
        .iter()
        .map(|e| lsp::TextEdit::new(pos.range(e.range), e.new_text.clone()))
        .collect();
    let mut changes = std::collections::HashMap::new();
    changes.insert(uri.clone(), edits);
    Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(pos, d)]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..Default::default()
    }))
}

/// `source.fixAll.dockwise`: our fix-on-save action.
pub(crate) fn fix_all_kind() -> lsp::CodeActionKind {
    lsp::CodeActionKind::new("source.fixAll.dockwise")
}

/// An action that applies edits to one document.
pub(crate) fn edit_action(
    pos: &Positions<'_>,
    uri: &lsp::Uri,
    title: String,
    kind: lsp::CodeActionKind,
    edits: &[crate::ide::TextEdit],
    diagnostic_of: Option<&Diagnostic>,
) -> lsp::CodeActionOrCommand {
    let edits: Vec<lsp::TextEdit> = edits
        .iter()
        .map(|e| lsp::TextEdit::new(pos.range(e.range), e.new_text.clone()))
        .collect();
    let mut changes = std::collections::HashMap::new();
    changes.insert(uri.clone(), edits);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic_of.map(|d| vec![diagnostic(pos, d)]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// The action that creates a fix's companion file (DF053's `.dockerignore`) beside the
/// document, or adds lines to it (CP012's `.gitignore`): a workspace edit that creates it
/// (never over an existing file) and fills it, or rewrites it with the lines added. `None`
/// when there is nothing to do (the file exists, or has the lines).
pub(crate) fn create_file_action(
    pos: &Positions<'_>,
    uri: &lsp::Uri,
    d: &Diagnostic,
) -> Option<lsp::CodeActionOrCommand> {
    let (fix, file) = (d.fix.as_ref()?, d.new_file.as_ref()?);
    let dir = super::documents::file_path(uri)?.parent()?.to_path_buf();
    let path = dir.join(&file.path);
    let current = std::fs::read(&path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let content = file.applied_to(current.as_deref())?;
    let target: lsp::Uri = format!("file://{}", percent_encode_path(&path))
        .parse()
        .ok()?;
    let mut operations = Vec::new();
    // All of the file is replaced (its end in the negotiated encoding).
    let whole = match &current {
        None => {
            operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                lsp::CreateFile {
                    uri: target.clone(),
                    options: Some(lsp::CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                },
            )));
            lsp::Range::default()
        }
        Some(old) => {
            let end =
                crate::text::LineIndex::new(old).line_col(old, old.len() as u32, pos.encoding);
            lsp::Range::new(
                lsp::Position::new(0, 0),
                lsp::Position::new(end.line, end.col),
            )
        }
    };
    operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
            uri: target,
            version: None,
        },
        edits: vec![lsp::OneOf::Left(lsp::TextEdit::new(whole, content))],
    }));
    Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(pos, d)]),
        edit: Some(lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Operations(operations)),
            ..Default::default()
        }),
        is_preferred: Some(false),
        ..Default::default()
    }))
}

/// A path written into a `file:` URI (reserved characters percent-encoded).
fn percent_encode_path(path: &std::path::Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
