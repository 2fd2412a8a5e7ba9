//! What the server announces at `initialize`: the position encoding it
//! agreed to, incremental sync, and every request it answers; and what the
//! client said it supports.

use lsp_types::*;
use serde_json::Value;

use super::Encoding;

/// What the client said it supports, where the protocol makes an answer
/// depend on it (found by review: each was announced to every client).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    /// `textDocument.rename.prepareSupport`: only then may `RenameOptions`
    /// announce `prepareProvider`.
    pub prepare_rename: bool,
    /// `textDocument.codeAction.codeActionLiteralSupport`: without it a
    /// client takes `Command`s only, and the server has none to give.
    pub code_action_literals: bool,
    /// `textDocument.hover.contentFormat` lists Markdown: else hovers are
    /// plain text.
    pub hover_markdown: bool,
    /// `textDocument.documentSymbol.hierarchicalDocumentSymbolSupport`:
    /// else the outline is `SymbolInformation`s.
    pub hierarchical_symbols: bool,
}

impl ClientSupport {
    pub fn of(capabilities: &ClientCapabilities) -> ClientSupport {
        let text = capabilities.text_document.as_ref();
        ClientSupport {
            prepare_rename: text.and_then(|t| t.rename.as_ref()).and_then(|r| r.prepare_support).unwrap_or(false),
            code_action_literals: text
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|c| c.code_action_literal_support.is_some()),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            hover_markdown: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
        }
    }

    /// A hover as the client shows it: Markdown, or plain text.
    pub fn hover_markup(self, hover: pcl_ide::Hover) -> MarkupContent {
        match self.hover_markdown {
            true => MarkupContent { kind: MarkupKind::Markdown, value: hover.markdown },
            false => MarkupContent { kind: MarkupKind::PlainText, value: hover.plain },
        }
    }
}

/// Whether an opened document is pcl: its language is `pcl`, or its name
/// ends with `.pcl` (a client that knows no language for it).
pub fn is_pcl(document: &TextDocumentItem) -> bool {
    let path = document.uri.path().as_str();
    let named = path.rsplit('/').next().is_some_and(|name| name.to_ascii_lowercase().ends_with(".pcl"));
    document.language_id.eq_ignore_ascii_case("pcl") || named
}

pub fn capabilities(encoding: Encoding, client: ClientSupport) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(if encoding == Encoding::Utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        // prepared: an editor refuses a rename off a name before it prompts
        rename_provider: Some(match client.prepare_rename {
            true => OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            false => OneOf::Left(true),
        }),
        // quick fixes, and every suggested fix of a file at once (what an
        // editor may run on save)
        code_action_provider: client.code_action_literals.then(|| {
            CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::SOURCE_FIX_ALL]),
                ..CodeActionOptions::default()
            })
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::semantic::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(true),
                ..SemanticTokensOptions::default()
            },
        )),
        // a space asks too: where it starts prose (in a description, a
        // comment), the answer is an empty list, and no popup shows; `/`
        // goes on a condition key (`aws:RequestTag/`)
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([":", "@", "{", "\"", " ", "/"].into_iter().map(String::from).collect()),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// The client's capabilities, read group by group from `initialize`'s
/// params, and what could not be read. The rest of the params is not read:
/// a field in a shape lsp-types does not take (`trace: "compact"`, a
/// `rootUri` with a space) cost every capability when the params were read
/// whole (found by review: UTF-8 positions, code actions and prepared
/// renames were dropped without a word). An unreadable group costs itself.
pub(super) fn client_capabilities(params: &Value) -> (ClientCapabilities, Vec<String>) {
    fn group<T: serde::de::DeserializeOwned>(given: Option<&Value>, name: &str, unread: &mut Vec<String>) -> Option<T> {
        let value = given?.get(name).filter(|v| !v.is_null())?;
        serde_json::from_value(value.clone())
            .map_err(|e| unread.push(format!("`capabilities.{name}`, which cannot be read: {e}")))
            .ok()
    }
    let mut unread = Vec::new();
    let given = params.get("capabilities").filter(|v| !v.is_null());
    if given.is_some_and(|v| !v.is_object()) {
        unread.push("`capabilities`, which is not an object".to_string());
    }
    let capabilities = ClientCapabilities {
        workspace: group(given, "workspace", &mut unread),
        text_document: group(given, "textDocument", &mut unread),
        notebook_document: group(given, "notebookDocument", &mut unread),
        window: group(given, "window", &mut unread),
        general: group(given, "general", &mut unread),
        experimental: given.and_then(|c| c.get("experimental")).cloned(),
    };
    (capabilities, unread)
}
