//! `pcl lsp`: a language server over stdio (`lsp-server`), answering from
//! `pcl_ide::AnalysisHost`. Full and incremental text sync; diagnostics on
//! open and on every change; hover, definition, references, highlights,
//! outline, completion, rename (and its prepare), code actions, folding, workspace symbols and
//! semantic tokens. Every request gets an answer or an error
//! response; nothing a client sends can crash it.

mod capabilities;
mod completion;
mod convert;
mod edits;
mod explain_links;
mod navigation;
mod queue;
mod semantic;
mod transport;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::*;
use pcl_ide::AnalysisHost;
use serde_json::Value;

pub use convert::{Encoding, LineIndex};

/// Runs the server on stdin/stdout until `exit`.
///
/// lsp-server's connection, over our own framing (`transport`): a bad
/// frame costs that frame only, nothing a client sends can stop the server.
pub fn run_stdio() -> Result<(), String> {
    let (to_client, outgoing) = crossbeam_channel::bounded::<Message>(0);
    // room for what the client sends while an analysis runs: the queue
    // then sees the edits behind one another, and publishes the last only
    // (`queue::superseded`); with none, it saw one message ahead at most
    let (incoming, from_client) = crossbeam_channel::bounded::<Message>(256);
    let writer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        outgoing.into_iter().try_for_each(|message| transport::write(&mut stdout, &message))
    });
    // not joined: it may be blocked on stdin when the server ends
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut stdin = stdin.lock();
        loop {
            match transport::read(&mut stdin) {
                Ok(transport::Read::Message(message)) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == notification::Exit::METHOD);
                    if incoming.send(message).is_err() || exit {
                        return;
                    }
                }
                Ok(transport::Read::Skipped(why)) => eprintln!("pcl lsp: skipped a malformed message: {why}"),
                Ok(transport::Read::Refused { why, reply }) => {
                    eprintln!("pcl lsp: refused a malformed message: {why}");
                    if incoming.send(transport::carried(&reply)).is_err() {
                        return;
                    }
                }
                Ok(transport::Read::End) | Err(_) => return,
            }
        }
    });
    let connection = Connection { sender: to_client, receiver: from_client };
    let result = serve(&connection);
    drop(connection);
    match writer.join() {
        Ok(Ok(())) => result,
        Ok(Err(e)) => Err(format!("cannot write to the client: {e}")),
        Err(_) => Err("the writer thread failed".into()),
    }
}

/// Serves one client on `connection`: initialize, then requests until exit.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let Some((id, params)) = initialize(connection)? else { return Err("exit before initialize".into()) };
    let (capabilities, unread) = capabilities::client_capabilities(&params);
    let utf8 = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
    let shows_links = (capabilities.text_document.as_ref())
        .and_then(|t| t.publish_diagnostics.as_ref())
        .and_then(|p| p.code_description_support)
        .unwrap_or(false);
    // a completion list's items may share one edit range (LSP 3.17)
    let default_edit_range = (capabilities.text_document.as_ref())
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_list.as_ref())
        .and_then(|l| l.item_defaults.as_ref())
        .is_some_and(|defaults| defaults.iter().any(|d| d == "editRange"));
    let client = capabilities::ClientSupport::of(&capabilities);
    let result = InitializeResult {
        capabilities: capabilities::capabilities(encoding, client),
        server_info: Some(ServerInfo { name: "pcl".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    // The `initialized` notification is not waited for (lsp-server's
    // `initialize_finish` ended the connection on anything else): a request
    // sent before it is answered as any other.
    send(connection, Response::new_ok(id, result));
    for why in unread {
        let message = format!("read `initialize` without {why}");
        eprintln!("pcl lsp: {message}");
        let params = LogMessageParams { typ: MessageType::WARNING, message: format!("pcl: {message}") };
        send(connection, Notification::new(notification::LogMessage::METHOD.into(), params));
    }
    let links = explain_links::ExplainLinks::new(shows_links);
    let mut server =
        Server { host: AnalysisHost::new(), encoding, shutting_down: false, links, default_edit_range, client };
    let mut queue: std::collections::VecDeque<Message> = std::collections::VecDeque::new();
    loop {
        if queue.is_empty() {
            match connection.receiver.recv() {
                Ok(message) => queue.push_back(message),
                Err(_) => return Ok(()),
            }
        }
        // what has arrived meanwhile: a request that a later edit of its
        // document (or a `$/cancelRequest`) makes stale is not answered
        queue.extend(connection.receiver.try_iter());
        let Some(message) = queue.pop_front() else { continue };
        if let Message::Request(request) = &message
            && let Some(code) = queue::stale(request, &queue)
        {
            let why = if matches!(code, ErrorCode::RequestCanceled) { "cancelled" } else { "the document changed" };
            send(connection, Response::new_err(request.id.clone(), code as i32, why.into()));
            continue;
        }
        match message {
            Message::Request(request) => {
                // (a second `shutdown` is a request after shutdown: refused)
                if request.method == request::Shutdown::METHOD && !server.shutting_down {
                    server.shutting_down = true;
                    send(connection, Response::new_ok(request.id, Value::Null));
                    continue;
                }
                let response = server.request(request);
                send(connection, response);
            }
            Message::Notification(n) if n.method == transport::REPLY => {
                if let Some(reply) = transport::carried_reply(n.params) {
                    send(connection, reply);
                }
            }
            Message::Notification(n) if n.method == notification::Exit::METHOD => {
                // the protocol: exit code 1 when `shutdown` did not come first
                return if server.shutting_down { Ok(()) } else { Err("exit without shutdown".into()) };
            }
            Message::Notification(n) => {
                let publish = !queue::superseded(&n, &queue);
                for published in server.notification(n, publish) {
                    send(connection, published);
                }
            }
            Message::Response(_) => {}
        }
    }
}

/// Waits for `initialize`: its id and params, or `None` if the client exits
/// first. A request before it is answered `ServerNotInitialized`; a
/// notification before it is dropped, as the protocol says.
fn initialize(connection: &Connection) -> Result<Option<(RequestId, Value)>, String> {
    loop {
        let Ok(message) = connection.receiver.recv() else { return Err("the client left before initialize".into()) };
        match message {
            Message::Request(r) if r.method == request::Initialize::METHOD => return Ok(Some((r.id, r.params))),
            Message::Request(r) => {
                let why = "the server is not initialized yet".to_string();
                send(connection, Response::new_err(r.id, ErrorCode::ServerNotInitialized as i32, why));
            }
            Message::Notification(n) if n.method == notification::Exit::METHOD => return Ok(None),
            Message::Notification(n) if n.method == transport::REPLY => {
                if let Some(reply) = transport::carried_reply(n.params) {
                    send(connection, reply);
                }
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}

fn send(connection: &Connection, message: impl Into<Message>) {
    // the client went away: the loop ends when the receiver does
    let _ = connection.sender.send(message.into());
}

/// A notification whose params cannot be read (a URI not percent-encoded,
/// `file:///a b.pcl`): it gets no response, so the client is told in its
/// log, and so is the server's (it was dropped without a word).
fn ignored(method: &str, error: &serde_json::Error) -> Vec<Notification> {
    let message = format!("ignored `{method}`: its params cannot be read: {error}");
    eprintln!("pcl lsp: {message}");
    let params = LogMessageParams { typ: MessageType::ERROR, message: format!("pcl: {message}") };
    vec![Notification::new(notification::LogMessage::METHOD.into(), params)]
}

struct Server {
    host: AnalysisHost,
    encoding: Encoding,
    shutting_down: bool,
    /// Each diagnostic's code linked to its `pcl explain` text.
    links: explain_links::ExplainLinks,
    /// The client takes a completion list's edit range once for all its
    /// items (`itemDefaults.editRange`).
    default_edit_range: bool,
    /// What else the client supports.
    client: capabilities::ClientSupport,
}

/// A request's answer, or why there is none.
type Answer = Result<Value, (ErrorCode, String)>;

fn params<P: serde::de::DeserializeOwned>(value: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(value).map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn to_value(v: impl serde::Serialize) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let Request { id, method, params: p } = request;
        if self.shutting_down {
            return Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into());
        }
        let answer: Answer = match method.as_str() {
            request::HoverRequest::METHOD => params(p).and_then(|p| self.hover(p)),
            request::GotoDefinition::METHOD => params(p).and_then(|p| self.definition(p)),
            request::References::METHOD => params(p).and_then(|p| self.references(p)),
            request::DocumentHighlightRequest::METHOD => params(p).and_then(|p| self.highlight(p)),
            request::DocumentSymbolRequest::METHOD => params(p).and_then(|p| self.symbols(p)),
            request::Completion::METHOD => params(p).and_then(|p| self.completion(p)),
            request::Rename::METHOD => params(p).and_then(|p| self.rename(p)),
            request::PrepareRenameRequest::METHOD => params(p).and_then(|p| self.prepare_rename(p)),
            request::CodeActionRequest::METHOD => params(p).and_then(|p| self.code_actions(p)),
            request::FoldingRangeRequest::METHOD => params(p).and_then(|p| self.folding(p)),
            request::WorkspaceSymbolRequest::METHOD => params(p).and_then(|p| self.workspace_symbols(p)),
            request::SemanticTokensFullRequest::METHOD => {
                params(p).and_then(|p: SemanticTokensParams| self.semantic_tokens(&p.text_document.uri, None))
            }
            request::SemanticTokensRangeRequest::METHOD => params(p)
                .and_then(|p: SemanticTokensRangeParams| self.semantic_tokens(&p.text_document.uri, Some(p.range))),
            request::Initialize::METHOD => Err((ErrorCode::InvalidRequest, "the server is already initialized".into())),
            request::Formatting::METHOD => params(p).and_then(|p| self.formatting(p)),
            other => Err((ErrorCode::MethodNotFound, format!("`{other}` is not supported"))),
        };
        respond(id, answer)
    }

    /// The document's text and line index, or an error for an unknown one.
    fn document(&self, uri: &Uri) -> Result<(String, String), (ErrorCode, String)> {
        let key = uri.as_str().to_string();
        match self.host.text(&key) {
            Some(text) => Ok((key, text.to_string())),
            None => Err((ErrorCode::InvalidParams, format!("{} is not open", uri.as_str()))),
        }
    }

    fn at(&self, position: &TextDocumentPositionParams) -> Result<(String, String, usize), (ErrorCode, String)> {
        let (key, text) = self.document(&position.text_document.uri)?;
        let offset = LineIndex::new(&text, self.encoding).offset(position.position);
        Ok((key, text, offset))
    }

    /// `pcl fmt`'s layout, as one edit of the lines that change (the rest of
    /// the document, and the cursor in it, stay where they are).
    fn formatting(&self, p: DocumentFormattingParams) -> Answer {
        let (key, text) = self.document(&p.text_document.uri)?;
        match self.host.format(&key) {
            Ok(None) => to_value(Vec::<TextEdit>::new()),
            Ok(Some(formatted)) => {
                let (start, old_end, new_end) = edits::changed_middle(&text, &formatted);
                let lines = LineIndex::new(&text, self.encoding);
                let new_text = formatted.get(start..new_end).unwrap_or_default().to_string();
                to_value(vec![TextEdit { range: lines.range(pcl_syntax::Span::new(start, old_end)), new_text }])
            }
            Err(message) => Err((ErrorCode::RequestFailed, message)),
        }
    }

    fn hover(&self, p: HoverParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position_params)?;
        let lines = LineIndex::new(&text, self.encoding);
        to_value(self.host.hover(&key, offset).map(|h| {
            let range = Some(lines.range(h.span));
            Hover { contents: HoverContents::Markup(self.client.hover_markup(h)), range }
        }))
    }

    fn completion(&self, p: CompletionParams) -> Answer {
        let (key, text, offset) = self.at(&p.text_document_position)?;
        let lines = LineIndex::new(&text, self.encoding);
        completion::list(self.host.completions(&key, offset), &lines, self.default_edit_range)
            .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    fn semantic_tokens(&self, uri: &Uri, within: Option<Range>) -> Answer {
        let (key, text) = self.document(uri)?;
        let lines = LineIndex::new(&text, self.encoding);
        to_value(semantic::encode(&self.host.highlights(&key), &lines, within))
    }

    fn folding(&self, p: FoldingRangeParams) -> Answer {
        let (key, text) = self.document(&p.text_document.uri)?;
        let lines = LineIndex::new(&text, self.encoding);
        let ranges: Vec<FoldingRange> = self
            .host
            .folding_ranges(&key)
            .into_iter()
            .map(|span| {
                let range = lines.range(span);
                FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    kind: Some(FoldingRangeKind::Region),
                    ..FoldingRange::default()
                }
            })
            .collect();
        to_value(ranges)
    }

    fn code_actions(&self, p: CodeActionParams) -> Answer {
        // a client that takes commands only gets none: the server has no command
        if !self.client.code_action_literals {
            return to_value(Vec::<CodeActionOrCommand>::new());
        }
        let (key, text) = self.document(&p.text_document.uri)?;
        let lines = LineIndex::new(&text, self.encoding);
        let range = pcl_syntax::Span::new(lines.offset(p.range.start), lines.offset(p.range.end));
        let uri = p.text_document.uri;
        // the kinds asked for (none: every kind): an editor that fixes all
        // on save asks for `source.fixAll` alone
        let wanted = |kind: &CodeActionKind| {
            p.context.only.as_ref().is_none_or(|only| {
                only.iter()
                    .any(|o| kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str())))
            })
        };
        let action =
            |title: String, kind: CodeActionKind, preferred: Option<bool>, edits: Vec<(pcl_syntax::Span, String)>| {
                let edits: Vec<TextEdit> =
                    edits.into_iter().map(|(span, new_text)| TextEdit { range: lines.range(span), new_text }).collect();
                CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(kind),
                    is_preferred: preferred,
                    edit: Some(WorkspaceEdit {
                        changes: Some([(uri.clone(), edits)].into_iter().collect()),
                        ..WorkspaceEdit::default()
                    }),
                    ..CodeAction::default()
                })
            };
        let mut actions: Vec<CodeActionOrCommand> = Vec::new();
        if wanted(&CodeActionKind::QUICKFIX) {
            let fixes = self.host.fixes(&key, range).into_iter();
            actions
                .extend(fixes.map(|fix| action(fix.title, CodeActionKind::QUICKFIX, Some(fix.preferred), fix.edits)));
        }
        // asked for by kind only (an editor's "source action" menu, a fix on
        // save): the lightbulb asks at every move of the cursor, and the
        // fix of them all costs a pass over the file
        let asked_for_source = p.context.only.as_ref().is_some_and(|_| wanted(&CodeActionKind::SOURCE_FIX_ALL));
        if asked_for_source && let Some(all) = self.host.fix_all(&key) {
            actions.push(action(all.title, CodeActionKind::SOURCE_FIX_ALL, None, vec![all.edit]));
        }
        to_value(actions)
    }

    /// A change of the open documents; the diagnostics to publish (none for
    /// an edit or open when not `publish`: a later edit is queued).
    fn notification(&mut self, n: Notification, publish: bool) -> Vec<Notification> {
        let uri = match n.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let p = match serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    Ok(p) => p,
                    Err(e) => return ignored(&n.method, &e),
                };
                // a client may send every buffer it opens: one that is not
                // pcl is not analysed as pcl (found by review: a JSON file
                // got syntax errors, and its items came up in workspace symbols)
                if !capabilities::is_pcl(&p.text_document) {
                    return Vec::new();
                }
                self.host.set_text(p.text_document.uri.as_str(), p.text_document.text);
                p.text_document.uri
            }
            notification::DidChangeTextDocument::METHOD => {
                let p = match serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    Ok(p) => p,
                    Err(e) => return ignored(&n.method, &e),
                };
                let key = p.text_document.uri.as_str().to_string();
                // a document never opened is not created by an edit
                let Some(text) = self.host.text(&key) else { return Vec::new() };
                match edits::apply(text, p.content_changes, self.encoding) {
                    edits::Applied::Splice { range, inserted } => {
                        edits::splice_or_log(&mut self.host, &key, range, &inserted)
                    }
                    edits::Applied::Whole(text) => self.host.set_text(&key, text),
                }
                p.text_document.uri
            }
            notification::DidCloseTextDocument::METHOD => {
                let p = match serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    Ok(p) => p,
                    Err(e) => return ignored(&n.method, &e),
                };
                self.host.close(p.text_document.uri.as_str());
                // a closed document's diagnostics are cleared
                let cleared =
                    PublishDiagnosticsParams { uri: p.text_document.uri, diagnostics: Vec::new(), version: None };
                return vec![publish_diagnostics(cleared)];
            }
            _ => return Vec::new(),
        };
        if !publish {
            return Vec::new();
        }
        vec![publish_diagnostics(self.diagnostics(&uri))]
    }

    fn diagnostics(&mut self, uri: &Uri) -> PublishDiagnosticsParams {
        let key = uri.as_str();
        let text = self.host.text(key).unwrap_or_default();
        let lines = LineIndex::new(text, self.encoding);
        let diagnostics = self
            .host
            .diagnostics(key)
            .into_iter()
            .map(|d| {
                let severity = match d.severity() {
                    pcl_semantics::Severity::Error => DiagnosticSeverity::ERROR,
                    pcl_semantics::Severity::Warning => DiagnosticSeverity::WARNING,
                };
                use pcl_semantics::Code;
                let unnecessary = matches!(
                    d.code,
                    Code::UnusedParam | Code::UnusedFeature | Code::UnusedSet | Code::UnfulfilledExpect
                );
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                let related: Vec<DiagnosticRelatedInformation> = d
                    .secondary
                    .iter()
                    .map(|l| DiagnosticRelatedInformation {
                        location: Location { uri: uri.clone(), range: lines.range(l.span) },
                        message: l.message.clone(),
                    })
                    .collect();
                Diagnostic {
                    range: lines.range(d.span),
                    severity: Some(severity),
                    code: Some(NumberOrString::String(d.code.as_str().to_string())),
                    code_description: self.links.link(d.code),
                    source: Some("pcl".into()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    tags: unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
                    ..Diagnostic::default()
                }
            })
            .collect();
        PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version: None }
    }
}

fn publish_diagnostics(params: PublishDiagnosticsParams) -> Notification {
    Notification::new(notification::PublishDiagnostics::METHOD.to_string(), params)
}

fn respond(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    }
}

#[cfg(test)]
mod tests;
