//! Request handlers for editor features: LSP params in, `ide` call, LSP result out. Each
//! takes the snapshot of the document's current version; a document that is not open or not
//! a Dockerfile answers `None`.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::capabilities::ClientSupport;
use super::convert::Positions;
use super::documents::{Snapshot, file_path};
use crate::ide::{self, DockerfileAnalysis};
use crate::syntax::TextRange;
use crate::text::PositionEncoding;

/// What every handler gets.
pub(crate) struct Request<'a> {
    pub uri: &'a Uri,
    pub snapshot: &'a Snapshot,
    pub encoding: PositionEncoding,
    pub client: &'a ClientSupport,
}

impl Request<'_> {
    fn positions(&self) -> Positions<'_> {
        Positions {
            snapshot: self.snapshot,
            encoding: self.encoding,
        }
    }

    fn analysis(&self) -> Option<&DockerfileAnalysis> {
        self.snapshot.analysis.as_deref()
    }

    fn markup(&self, markdown: String) -> lsp::MarkupContent {
        if self.client.markdown {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: markdown,
            }
        } else {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::PlainText,
                value: markdown,
            }
        }
    }

    fn text_edit(&self, edit: &ide::TextEdit) -> lsp::TextEdit {
        lsp::TextEdit::new(self.positions().range(edit.range), edit.new_text.clone())
    }
}

fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

/// A snippet's text with its placeholders resolved, for clients without snippet support:
/// `${1:name}` becomes `name`, `$1`/`$0` disappear, `\$` stays `$`.
pub(crate) fn strip_snippet(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                // Skip the tab stop number and `:`, keep the default text.
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                if chars.peek() == Some(&':') {
                    chars.next();
                }
                // The default text runs to the matching `}`; it may hold placeholders too.
                let mut depth = 1;
                let mut inner = String::new();
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                out.push_str(&strip_snippet(&inner));
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn completion(
    req: &Request<'_>,
    position: lsp::Position,
) -> Option<lsp::CompletionResponse> {
    let offset = req.positions().offset(position);
    let compose = req.snapshot.compose.as_deref();
    let found = match (req.analysis(), compose) {
        (Some(analysis), _) => ide::completion::completions(analysis, offset),
        (None, Some(compose)) => {
            ide::compose::completion::completions(compose, &req.snapshot.text, offset)
        }
        (None, None) => return None,
    };
    let items: Vec<lsp::CompletionItem> = found
        .into_iter()
        .map(|item| {
            let snippet = item.is_snippet && req.client.snippets;
            let new_text = if item.is_snippet && !snippet {
                strip_snippet(&item.edit.new_text)
            } else {
                item.edit.new_text.clone()
            };
            lsp::CompletionItem {
                label: item.label,
                kind: Some(match item.kind {
                    ide::CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
                    ide::CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
                    ide::CompletionKind::Property => lsp::CompletionItemKind::PROPERTY,
                    ide::CompletionKind::EnumMember => lsp::CompletionItemKind::ENUM_MEMBER,
                    ide::CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
                    ide::CompletionKind::Reference => lsp::CompletionItemKind::REFERENCE,
                    ide::CompletionKind::Module => lsp::CompletionItemKind::MODULE,
                }),
                detail: item.detail,
                documentation: item
                    .documentation
                    .map(|d| lsp::Documentation::MarkupContent(req.markup(d))),
                deprecated: item.deprecated.then_some(true),
                tags: item
                    .deprecated
                    .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
                sort_text: item.sort_text,
                filter_text: item.filter_text,
                insert_text_format: Some(if snippet {
                    lsp::InsertTextFormat::SNIPPET
                } else {
                    lsp::InsertTextFormat::PLAIN_TEXT
                }),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    req.positions().range(item.edit.range),
                    new_text,
                ))),
                // Compose blocks carry their own indentation.
                insert_text_mode: compose.map(|_| lsp::InsertTextMode::AS_IS),
                ..Default::default()
            }
        })
        .collect();
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        // Items depend on the word being typed; ask again as it grows.
        is_incomplete: false,
        items,
    }))
}

pub(crate) fn hover(req: &Request<'_>, position: lsp::Position) -> Option<lsp::Hover> {
    let offset = req.positions().offset(position);
    let hover = match (req.analysis(), req.snapshot.compose.as_deref()) {
        (Some(analysis), _) => ide::hover::hover(analysis, offset)?,
        (None, Some(compose)) => ide::compose::hover::hover(compose, &req.snapshot.text, offset)?,
        (None, None) => return None,
    };
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(req.markup(hover.markdown)),
        range: Some(req.positions().range(hover.range)),
    })
}

pub(crate) fn signature_help(
    req: &Request<'_>,
    position: lsp::Position,
) -> Option<lsp::SignatureHelp> {
    let analysis = req.analysis()?;
    let offset = req.positions().offset(position);
    let help = ide::signature_help::signature_help(analysis, offset)?;
    Some(lsp::SignatureHelp {
        signatures: help
            .signatures
            .into_iter()
            .map(|s| lsp::SignatureInformation {
                label: s.label,
                documentation: s
                    .documentation
                    .map(|d| lsp::Documentation::MarkupContent(req.markup(d))),
                parameters: Some(
                    s.parameters
                        .into_iter()
                        .map(|p| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets([p.label.start, p.label.end]),
                            documentation: p
                                .documentation
                                .map(|d| lsp::Documentation::MarkupContent(req.markup(d))),
                        })
                        .collect(),
                ),
                active_parameter: None,
            })
            .collect(),
        active_signature: Some(help.active_signature),
        active_parameter: help.active_parameter,
    })
}

pub(crate) fn definition(
    req: &Request<'_>,
    position: lsp::Position,
) -> Option<lsp::GotoDefinitionResponse> {
    let offset = req.positions().offset(position);
    let target = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::navigation::definition(compose, &req.snapshot.text, offset)?,
        None => ide::navigation::definition(req.analysis()?, offset)?,
    };
    let pos = req.positions();
    Some(lsp::GotoDefinitionResponse::Link(vec![lsp::LocationLink {
        origin_selection_range: None,
        target_uri: req.uri.clone(),
        target_range: pos.range(target.full),
        target_selection_range: pos.range(target.focus),
    }]))
}

pub(crate) fn references(
    req: &Request<'_>,
    position: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let offset = req.positions().offset(position);
    let refs = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::navigation::references(
            compose,
            &req.snapshot.text,
            offset,
            include_declaration,
        ),
        None => ide::navigation::references(req.analysis()?, offset, include_declaration),
    };
    (!refs.is_empty()).then(|| {
        refs.iter()
            .map(|r| lsp::Location::new(req.uri.clone(), req.positions().range(r.range)))
            .collect()
    })
}

pub(crate) fn highlights(
    req: &Request<'_>,
    position: lsp::Position,
) -> Option<Vec<lsp::DocumentHighlight>> {
    let offset = req.positions().offset(position);
    let refs = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::navigation::highlights(compose, &req.snapshot.text, offset),
        None => ide::navigation::highlights(req.analysis()?, offset),
    };
    (!refs.is_empty()).then(|| {
        refs.iter()
            .map(|r| lsp::DocumentHighlight {
                range: req.positions().range(r.range),
                kind: Some(if r.is_declaration {
                    lsp::DocumentHighlightKind::WRITE
                } else {
                    lsp::DocumentHighlightKind::READ
                }),
            })
            .collect()
    })
}

pub(crate) fn prepare_rename(
    req: &Request<'_>,
    position: lsp::Position,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    let offset = req.positions().offset(position);
    let prepared = match (req.snapshot.compose.as_deref(), req.analysis()) {
        (Some(compose), _) => {
            ide::compose::navigation::prepare_rename(compose, &req.snapshot.text, offset)
        }
        (None, Some(analysis)) => ide::navigation::prepare_rename(analysis, offset),
        (None, None) => return Ok(None),
    };
    match prepared {
        Ok(range) => Ok(Some(lsp::PrepareRenameResponse::Range(
            req.positions().range(range),
        ))),
        Err(message) => Err(failed(message)),
    }
}

pub(crate) fn rename(
    req: &Request<'_>,
    position: lsp::Position,
    new_name: &str,
) -> Result<Option<lsp::WorkspaceEdit>> {
    let offset = req.positions().offset(position);
    let edits = match (req.snapshot.compose.as_deref(), req.analysis()) {
        (Some(compose), _) => {
            ide::compose::navigation::rename(compose, &req.snapshot.text, offset, new_name)
        }
        (None, Some(analysis)) => ide::navigation::rename(analysis, offset, new_name),
        (None, None) => return Ok(None),
    }
    .map_err(failed)?;
    let mut changes = HashMap::new();
    changes.insert(
        req.uri.clone(),
        edits.iter().map(|e| req.text_edit(e)).collect(),
    );
    Ok(Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }))
}

/// The old name of the Dockerfile stage a rename at `position` renames, if it renames one
/// (its edits include the stage's `AS` name).
pub(crate) fn renamed_stage(
    req: &Request<'_>,
    position: lsp::Position,
    new_name: &str,
) -> Option<String> {
    let analysis = req.analysis()?;
    let offset = req.positions().offset(position);
    let edits = ide::navigation::rename(analysis, offset, new_name).ok()?;
    analysis
        .model
        .stages
        .iter()
        .filter_map(|s| s.name.as_ref())
        .find(|n| edits.iter().any(|e| e.range == n.range))
        .map(|n| n.text.clone())
}

/// The `build.target` edits in open compose files (`composes`) that follow the rename of
/// stage `old` of the Dockerfile at `dockerfile` to `new`, by document.
pub(crate) fn compose_build_target_edits(
    composes: &[(Uri, std::sync::Arc<Snapshot>)],
    encoding: PositionEncoding,
    dockerfile: &std::path::Path,
    old: &str,
    new: &str,
) -> HashMap<Uri, Vec<lsp::TextEdit>> {
    let mut changes = HashMap::new();
    for (uri, snapshot) in composes {
        let Some(compose) = snapshot.compose.as_deref() else {
            continue;
        };
        let edits = ide::compose::navigation::build_target_renames(
            compose,
            &snapshot.text,
            dockerfile,
            old,
            new,
        );
        if edits.is_empty() {
            continue;
        }
        let pos = Positions { snapshot, encoding };
        changes.insert(
            uri.clone(),
            edits
                .iter()
                .map(|e| lsp::TextEdit::new(pos.range(e.range), e.new_text.clone()))
                .collect(),
        );
    }
    changes
}

fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
    match kind {
        ide::SymbolKind::Stage => lsp::SymbolKind::MODULE,
        ide::SymbolKind::Instruction => lsp::SymbolKind::FUNCTION,
        ide::SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        ide::SymbolKind::Directive => lsp::SymbolKind::KEY,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP types
fn nested_symbol(pos: &Positions<'_>, s: ide::DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "?".to_owned()
        } else {
            s.name
        },
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: pos.range(s.range),
        selection_range: pos.range(s.selection_range),
        children: Some(
            s.children
                .into_iter()
                .map(|c| nested_symbol(pos, c))
                .collect(),
        ),
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP types
fn flat_symbols(
    pos: &Positions<'_>,
    uri: &Uri,
    symbols: Vec<ide::DocumentSymbol>,
    container: Option<&str>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    for s in symbols {
        out.push(lsp::SymbolInformation {
            name: if s.name.is_empty() {
                "?".to_owned()
            } else {
                s.name.clone()
            },
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), pos.range(s.selection_range)),
            container_name: container.map(str::to_owned),
        });
        flat_symbols(pos, uri, s.children, Some(&s.name), out);
    }
}

pub(crate) fn document_symbols(req: &Request<'_>) -> Option<lsp::DocumentSymbolResponse> {
    let symbols = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::symbols::document_symbols(compose, &req.snapshot.text),
        None => ide::symbols::document_symbols(req.analysis()?),
    };
    let pos = req.positions();
    Some(if req.client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(
            symbols
                .into_iter()
                .map(|s| nested_symbol(&pos, s))
                .collect(),
        )
    } else {
        let mut flat = Vec::new();
        flat_symbols(&pos, req.uri, symbols, None, &mut flat);
        lsp::DocumentSymbolResponse::Flat(flat)
    })
}

pub(crate) fn folding_ranges(req: &Request<'_>) -> Option<Vec<lsp::FoldingRange>> {
    let folds = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::folding::folding_ranges(compose, &req.snapshot.text),
        None => ide::folding::folding_ranges(req.analysis()?),
    };
    let pos = req.positions();
    let ranges = folds
        .into_iter()
        .filter_map(|f| {
            let start = pos.position(f.range.start).line;
            let end = pos.position(f.range.end).line;
            (end > start).then_some(lsp::FoldingRange {
                start_line: start,
                start_character: None,
                end_line: end,
                end_character: None,
                kind: Some(match f.kind {
                    ide::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                    ide::FoldKind::Region => lsp::FoldingRangeKind::Region,
                }),
                collapsed_text: None,
            })
        })
        .collect();
    Some(ranges)
}

pub(crate) fn semantic_tokens_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: ide::semantic_tokens::TOKEN_TYPES
            .iter()
            .map(|t| lsp::SemanticTokenType::new(t))
            .collect(),
        token_modifiers: ide::semantic_tokens::TOKEN_MODIFIERS
            .iter()
            .map(|m| lsp::SemanticTokenModifier::new(m))
            .collect(),
    }
}

/// Encodes tokens relative to each other, splitting any that span lines (clients accept
/// one line per token unless they say otherwise).
pub(crate) fn semantic_tokens(
    req: &Request<'_>,
    range: Option<lsp::Range>,
) -> Option<Vec<lsp::SemanticToken>> {
    let analysis = req.analysis()?;
    let pos = req.positions();
    let range = range.map(|r| pos.text_range(r));
    let text = &req.snapshot.text;
    let mut out = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for token in ide::semantic_tokens::semantic_tokens(analysis, range) {
        let mut start = token.range.start as usize;
        let end = (token.range.end as usize).min(text.len());
        while start < end {
            // One piece per line: up to the next line break.
            let piece_end = text[start..end]
                .find(['\n', '\r'])
                .map_or(end, |i| start + i);
            if piece_end > start {
                let from = pos.position(start as u32);
                let to = pos.position(piece_end as u32);
                let delta_line = from.line - prev_line;
                let delta_start = if delta_line == 0 {
                    from.character - prev_col
                } else {
                    from.character
                };
                out.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: to.character.saturating_sub(from.character),
                    token_type: token.token_type,
                    token_modifiers_bitset: token.modifiers,
                });
                prev_line = from.line;
                prev_col = from.character;
            }
            // Skip the line break itself.
            start = piece_end;
            while start < end && matches!(text.as_bytes()[start], b'\n' | b'\r') {
                start += 1;
            }
        }
    }
    Some(out)
}

pub(crate) fn selection_ranges(
    req: &Request<'_>,
    positions: &[lsp::Position],
) -> Option<Vec<lsp::SelectionRange>> {
    let analysis = req.analysis()?;
    let pos = req.positions();
    Some(
        positions
            .iter()
            .map(|p| {
                let ranges = ide::selection::selection_ranges(analysis, pos.offset(*p));
                // Innermost first: build the chain from the outside in.
                let mut parent: Option<Box<lsp::SelectionRange>> = None;
                for range in ranges.iter().rev() {
                    parent = Some(Box::new(lsp::SelectionRange {
                        range: pos.range(*range),
                        parent,
                    }));
                }
                parent.map_or(
                    lsp::SelectionRange {
                        range: lsp::Range::new(*p, *p),
                        parent: None,
                    },
                    |b| *b,
                )
            })
            .collect(),
    )
}

/// A `file:` URI for a local path.
fn file_uri(path: &std::path::Path) -> Option<Uri> {
    let mut encoded = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded.parse().ok()
}

pub(crate) fn document_links(req: &Request<'_>) -> Option<Vec<lsp::DocumentLink>> {
    let links = match req.snapshot.compose.as_deref() {
        Some(compose) => ide::compose::links::document_links(compose, &req.snapshot.text),
        None => ide::links::document_links(req.analysis()?),
    };
    let dir = file_path(req.uri).and_then(|p| p.parent().map(std::path::Path::to_path_buf));
    let pos = req.positions();
    Some(
        links
            .into_iter()
            .filter_map(|link| {
                let target = match &link.target {
                    ide::LinkTarget::Url(url) => url.parse().ok()?,
                    ide::LinkTarget::RelativePath(rel) => file_uri(&dir.as_ref()?.join(rel))?,
                };
                Some(lsp::DocumentLink {
                    range: pos.range(link.range),
                    target: Some(target),
                    tooltip: link.tooltip,
                    data: None,
                })
            })
            .collect(),
    )
}

fn format_options(options: &lsp::FormattingOptions) -> ide::FormatOptions {
    ide::FormatOptions {
        indent: if options.insert_spaces {
            " ".repeat(options.tab_size.clamp(1, 16) as usize)
        } else {
            "\t".to_owned()
        },
    }
}

pub(crate) fn formatting(
    req: &Request<'_>,
    options: &lsp::FormattingOptions,
    range: Option<lsp::Range>,
) -> Option<Vec<lsp::TextEdit>> {
    let analysis = req.analysis()?;
    let range: Option<TextRange> = range.map(|r| req.positions().text_range(r));
    let edits = ide::formatting::format(analysis, &format_options(options), range);
    Some(edits.iter().map(|e| req.text_edit(e)).collect())
}

pub(crate) fn on_type_formatting(
    req: &Request<'_>,
    position: lsp::Position,
    ch: &str,
    options: &lsp::FormattingOptions,
) -> Option<Vec<lsp::TextEdit>> {
    let analysis = req.analysis()?;
    let offset = req.positions().offset(position);
    let typed = ch.chars().next()?;
    let edits = ide::formatting::format_on_type(analysis, offset, typed, &format_options(options));
    (!edits.is_empty()).then(|| edits.iter().map(|e| req.text_edit(e)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_without_snippet_support() {
        assert_eq!(strip_snippet("COPY ${1:src} ${2:dest}$0"), "COPY src dest");
        assert_eq!(strip_snippet("ARG ${1:name}=${2:value}"), "ARG name=value");
        assert_eq!(strip_snippet("echo \\$HOME $1"), "echo $HOME ");
        assert_eq!(strip_snippet("${1:a ${2:b}}"), "a b");
    }

    #[test]
    fn file_uris_are_encoded() {
        let uri = file_uri(std::path::Path::new("/work/my app/src")).unwrap();
        assert_eq!(uri.as_str(), "file:///work/my%20app/src");
    }
}
