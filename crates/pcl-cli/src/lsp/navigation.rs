//! The requests about names: go to definition, references, highlights,
//! the outline, workspace symbols and rename.

use lsp_server::ErrorCode;
use lsp_types::*;

use super::{Answer, LineIndex, Server, to_value};

impl Server {
    pub(super) fn definition(&self, p: GotoDefinitionParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position_params)?;
        let lines = LineIndex::new(&text, self.encoding);
        let uri = p.text_document_position_params.text_document.uri;
        to_value(
            self.host
                .definition(&key, offset)
                .map(|span| GotoDefinitionResponse::Scalar(Location { uri, range: lines.range(span) })),
        )
    }

    pub(super) fn references(&self, p: ReferenceParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position)?;
        let lines = LineIndex::new(&text, self.encoding);
        let uri = p.text_document_position.text_document.uri;
        let spans = self.host.references(&key, offset, p.context.include_declaration);
        to_value(spans.into_iter().map(|s| Location { uri: uri.clone(), range: lines.range(s) }).collect::<Vec<_>>())
    }

    pub(super) fn highlight(&self, p: DocumentHighlightParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position_params)?;
        let lines = LineIndex::new(&text, self.encoding);
        // the declaration is where the name is given its meaning; the rest read it
        let declared = self.host.definition(&key, offset);
        let highlights: Vec<DocumentHighlight> = (self.host.references(&key, offset, true).into_iter())
            .map(|s| DocumentHighlight {
                range: lines.range(s),
                kind: Some(if Some(s) == declared {
                    DocumentHighlightKind::WRITE
                } else {
                    DocumentHighlightKind::READ
                }),
            })
            .collect();
        to_value(highlights)
    }

    #[allow(deprecated, reason = "DocumentSymbol's `deprecated` field must still be given")]
    pub(super) fn symbols(&self, p: DocumentSymbolParams) -> Answer {
        let (key, text) = self.document(&p.text_document.uri)?;
        let lines = LineIndex::new(&text, self.encoding);
        let found = self.host.document_symbols(&key);
        // a client that takes no hierarchy gets the flat form (LSP 3.17)
        if !self.client.hierarchical_symbols {
            let flat: Vec<SymbolInformation> = found
                .into_iter()
                .map(|s| SymbolInformation {
                    name: s.name,
                    kind: symbol_kind(s.kind),
                    tags: None,
                    deprecated: None,
                    location: Location { uri: p.text_document.uri.clone(), range: lines.range(s.span) },
                    container_name: Some(s.kind.to_string()),
                })
                .collect();
            return to_value(DocumentSymbolResponse::Flat(flat));
        }
        let symbols: Vec<DocumentSymbol> = found
            .into_iter()
            .map(|s| DocumentSymbol {
                name: s.name,
                detail: Some(s.kind.to_string()),
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                range: lines.range(s.span),
                selection_range: lines.range(s.name_span),
                children: None,
            })
            .collect();
        to_value(DocumentSymbolResponse::Nested(symbols))
    }

    /// The name the cursor is on and its range, or why it cannot be
    /// renamed: the editor says so before it asks for a new name.
    pub(super) fn prepare_rename(&self, p: TextDocumentPositionParams) -> Answer {
        let (key, text, offset) = self.at(&p)?;
        let lines = LineIndex::new(&text, self.encoding);
        let (span, name) =
            self.host.prepare_rename(&key, offset).map_err(|e| (ErrorCode::RequestFailed, e.to_string()))?;
        to_value(PrepareRenameResponse::RangeWithPlaceholder { range: lines.range(span), placeholder: name })
    }

    pub(super) fn rename(&self, p: RenameParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position)?;
        let lines = LineIndex::new(&text, self.encoding);
        let edits =
            self.host.rename(&key, offset, &p.new_name).map_err(|e| (ErrorCode::RequestFailed, e.to_string()))?;
        let edits: Vec<TextEdit> =
            edits.into_iter().map(|(span, new_text)| TextEdit { range: lines.range(span), new_text }).collect();
        let uri = p.text_document_position.text_document.uri;
        to_value(WorkspaceEdit { changes: Some([(uri, edits)].into_iter().collect()), ..WorkspaceEdit::default() })
    }

    #[allow(deprecated, reason = "SymbolInformation's `deprecated` field must still be given")]
    pub(super) fn workspace_symbols(&self, p: WorkspaceSymbolParams) -> Answer {
        let mut out = Vec::new();
        let symbols = self.host.workspace_symbols(&p.query);
        // they come file by file: one line index per file, not per symbol
        // (a file of thousands of items was scanned again for each)
        for file in symbols.chunk_by(|(a, _), (b, _)| a == b) {
            let Some((path, _)) = file.first() else { continue };
            let Ok(uri) = path.parse::<Uri>() else { continue };
            let lines = LineIndex::new(self.host.text(path).unwrap_or_default(), self.encoding);
            out.extend(file.iter().map(|(_, symbol)| SymbolInformation {
                name: symbol.name.clone(),
                kind: symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                location: Location { uri: uri.clone(), range: lines.range(symbol.name_span) },
                container_name: Some(symbol.kind.to_string()),
            }));
        }
        to_value(out)
    }
}

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "param" => SymbolKind::VARIABLE,
        "feature" => SymbolKind::ENUM,
        "constraint" => SymbolKind::BOOLEAN,
        "policy" => SymbolKind::OBJECT,
        "role" => SymbolKind::CLASS,
        _ => SymbolKind::ARRAY,
    }
}
