//! `pcl lsp` as a subprocess, spoken to as an editor does: JSON-RPC over
//! stdio with `Content-Length` framing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{Value, json};

const URI: &str = "file:///work/policies.pcl";
const TEXT: &str = "param partition: partition = \"aws\";\nactionset reads = [s3:GetObjet];\npolicy p {\n    allow \"S3\" { action [@reads]; resource \"arn:${partition}:s3:::b/*\"; }\n}\n";

fn position(line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
}

/// What an editor (VS Code, Neovim) says it supports, of what changes the
/// server's answers: Markdown hovers, prepared renames, code actions.
fn editor_capabilities() -> Value {
    json!({"textDocument": {
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "rename": {"prepareSupport": true},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}}
    }})
}

/// A client that says none of that gets what the protocol allows it
/// (found by review: each was announced to every client): plain-text
/// hovers, renames not prepared, no code actions; a document that is not
/// pcl is not analysed; a second `shutdown` is refused as any request
/// after it.
#[test]
fn what_a_client_cannot_take_it_is_not_given() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request("initialize", json!({"capabilities": {}}));
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(capabilities["renameProvider"], json!(true), "{init}");
    assert!(capabilities.get("codeActionProvider").is_none(), "{init}");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": "policy p { allow { action s3:GetObject; resource \"${pat}\"; } }\nparam pat: string = \"a**b\";\n"}}),
    );
    c.diagnostics();
    let hover = c.request("textDocument/hover", position(0, 30));
    assert_eq!(hover["result"]["contents"]["kind"], json!("plaintext"), "{hover}");
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.starts_with("s3:GetObject (") && !shown.contains("```"), "{hover}");
    // what the user wrote is shown as written (a review found `**` cut out of it)
    let hover = c.request("textDocument/hover", position(1, 7));
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert_eq!(shown, "param pat: string = \"a**b\";", "{hover}");
    let range = json!({"start": {"line": 0, "character": 30}, "end": {"line": 0, "character": 30}});
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"], json!([]), "{actions}");
    // an outline without hierarchy: each symbol with its location
    let outline = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": URI}}));
    assert_eq!(outline["result"][0]["location"]["uri"], json!(URI), "{outline}");
    assert!(outline["result"][0].get("selectionRange").is_none(), "{outline}");
    // not pcl: not opened (a request on it is one on a document not open)
    let json_uri = "file:///tmp/settings.json";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": json_uri, "languageId": "json", "version": 1, "text": "{\"a\": 1}"}}),
    );
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": json_uri}}));
    assert_eq!(symbols["error"]["code"], json!(-32602), "{symbols}");
    let found = c.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(found["result"].as_array().map(Vec::len), Some(2), "{found}");
    assert_eq!(c.request("shutdown", Value::Null)["result"], Value::Null);
    let again = c.request("shutdown", Value::Null);
    assert_eq!(again["error"]["code"], json!(-32600), "{again}");
}

#[test]
fn an_editor_session() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    // before initialize: an error, not a crash
    let early = c.request("textDocument/hover", position(0, 0));
    assert_eq!(early["error"]["code"], json!(-32002), "{early}");
    let mut shows_links = editor_capabilities();
    shows_links["textDocument"]["publishDiagnostics"] = json!({"codeDescriptionSupport": true});
    let init = c.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": shows_links}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-16"), "{init}");
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], json!(true));
    c.notify("initialized", json!({}));

    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": TEXT}}),
    );
    let diagnostics = c.diagnostics();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], json!("E0311"));
    assert_eq!(diagnostics[0]["range"]["start"], json!({"line": 1, "character": 19}));
    // the code links to its `pcl explain` text, written in the cache directory
    let href = diagnostics[0]["codeDescription"]["href"].as_str().unwrap();
    let explained = c.cache.path().join("pcl/explain").join(env!("CARGO_PKG_VERSION")).join("E0311.md");
    assert_eq!(href, format!("file://{}", explained.display()));
    let text = std::fs::read_to_string(&explained).unwrap();
    assert!(text.starts_with("# E0311 (error): ") && text.contains("```pcl fixed"), "{text}");

    // the did-you-mean is a quick fix
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 1, "character": 20}, "end": {"line": 1, "character": 20}}, "context": {"diagnostics": []}}),
    );
    let fix = &actions["result"][0];
    assert_eq!(fix["title"], json!("Replace with `s3:GetObject`"), "{actions}");
    assert_eq!(fix["edit"]["changes"][URI][0]["newText"], json!("s3:GetObject"));

    // an incremental edit fixes it: `GetObjet` -> `GetObject`
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 1, "character": 29}, "end": {"line": 1, "character": 29}}, "text": "c"}]}),
    );
    let diagnostics = c.diagnostics();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let hover = c.request("textDocument/hover", position(1, 24));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(markdown.starts_with("**s3:GetObject**"), "{hover}");

    let definition = c.request("textDocument/definition", position(3, 28));
    assert_eq!(definition["result"]["range"]["start"], json!({"line": 1, "character": 10}), "{definition}");
    let references = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 12}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(references["result"].as_array().unwrap().len(), 2, "{references}");

    let folds = c.request("textDocument/foldingRange", json!({"textDocument": {"uri": URI}}));
    assert_eq!(folds["result"][0]["startLine"], json!(2), "{folds}");
    let found = c.request("workspace/symbol", json!({"query": "read"}));
    assert_eq!(found["result"][0]["name"], json!("reads"), "{found}");
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": URI}}));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["partition", "reads", "p"]);

    // asked first, the range and name the editor offers to rename; refused off a name
    assert_eq!(init["result"]["capabilities"]["renameProvider"], json!({"prepareProvider": true}));
    let prepared = c.request("textDocument/prepareRename", position(3, 28));
    assert_eq!(
        prepared["result"],
        json!({"range": {"start": {"line": 3, "character": 26}, "end": {"line": 3, "character": 31}}, "placeholder": "reads"}),
        "{prepared}"
    );
    let refused = c.request("textDocument/prepareRename", position(3, 5));
    assert!(refused["error"]["message"].as_str().unwrap().contains("no item name here"), "{refused}");
    // highlights tell the declaration (write) from the uses (read)
    let highlights = c.request("textDocument/documentHighlight", position(3, 28));
    let kinds: Vec<&Value> = highlights["result"].as_array().unwrap().iter().map(|h| &h["kind"]).collect();
    assert_eq!(kinds, [&json!(3), &json!(2)], "{highlights}");

    let rename = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 12}, "newName": "s3_reads"}),
    );
    let edits = rename["result"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2, "{rename}");
    let taken = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 12}, "newName": "p"}),
    );
    assert!(taken["error"]["message"].as_str().unwrap().contains("already the name"), "{taken}");

    // completion of a service's actions after `s3:`
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": TEXT.replace("s3:GetObjet", "s3:Put")}]}),
    );
    let _ = c.diagnostics();
    let completion = c.request("textDocument/completion", position(1, 25));
    // complete: typing on filters it
    assert_eq!(completion["result"]["isIncomplete"], json!(false), "{completion}");
    // pcl's order kept among the items an editor's filter scores alike
    let order: Vec<&str> =
        completion["result"]["items"].as_array().unwrap().iter().map(|i| i["sortText"].as_str().unwrap()).collect();
    assert!(order.first() == Some(&"00000") && order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let items = completion["result"]["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"s3:PutObject"), "{labels:?}");
    // accepted, it replaces all of `s3:Put`, whatever the editor takes a word to be
    let put = items.iter().find(|i| i["label"] == "s3:PutObject").unwrap();
    assert_eq!(
        put["textEdit"],
        json!({"range": {"start": {"line": 1, "character": 19}, "end": {"line": 1, "character": 25}}, "newText": "s3:PutObject"}),
    );

    // a malformed message is skipped, and the server goes on
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let after = c.request("textDocument/hover", position(1, 24));
    assert!(after.get("result").is_some(), "{after}");

    // robustness: an unknown method, a position outside the document, an unknown document
    let unknown = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": URI}}));
    assert_eq!(unknown["error"]["code"], json!(-32601), "{unknown}");
    let outside = c.request("textDocument/hover", position(999, 999));
    assert!(outside.get("result").is_some(), "{outside}");
    let closed = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope.pcl"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(closed["error"]["code"], json!(-32602), "{closed}");
    // formatting: `pcl fmt`'s layout as one edit of what changes; nothing for
    // a laid out document, nor for one that does not parse
    let messy = "file:///work/messy.pcl";
    let open = |c: &mut Client, uri: &str, text: &str| {
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "pcl", "version": 1, "text": text}}),
        );
        let _ = c.diagnostics();
    };
    open(&mut c, messy, "policy p {\nallow { action s3:GetObject ; resource \"*\"; }\n}\n");
    let format = |c: &mut Client, uri: &str| {
        c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
    };
    let edits = format(&mut c, messy);
    assert_eq!(
        edits["result"],
        json!([{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 28}}, "newText": "    allow { action s3:GetObject"}]),
        "{edits}"
    );
    let laid_out = format(&mut c, URI);
    assert_eq!(laid_out["result"], json!([]), "{laid_out}");
    let broken = "file:///work/broken.pcl";
    open(&mut c, broken, "policy p {\n");
    // quietly nothing: the syntax error is on screen already (format on save
    // would otherwise complain at every save)
    let refused = format(&mut c, broken);
    assert_eq!(refused["result"], json!([]), "{refused}");

    let shutdown = c.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// Completion as an editor that takes a list's edit range once
/// (`itemDefaults.editRange`) sees it: what the cursor's place allows, a
/// condition key template shown whole and inserted up to its variable,
/// nothing in prose (a space asks too).
#[test]
fn completion_follows_the_cursor_and_shares_its_edit_range() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let takes_defaults = json!({"textDocument": {"completion": {"completionList": {"itemDefaults": ["editRange"]}}}});
    let init = c.request("initialize", json!({"capabilities": takes_defaults}));
    let triggers = &init["result"]["capabilities"]["completionProvider"]["triggerCharacters"];
    assert!(triggers.as_array().unwrap().contains(&json!("/")), "{triggers}");
    c.notify("initialized", json!({}));
    let text = "policy p {\n    description \"Used when \";\n    allow {\n        condition StringEquals \"s3:Buck\" \"x\";\n        re\n    }\n}\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": text}}),
    );
    c.diagnostics();
    let complete =
        |c: &mut Client, line: u32, character: u32| c.request("textDocument/completion", position(line, character));

    // in a statement: its fields, not `allow`; the range once, not per item
    let fields = complete(&mut c, 4, 10);
    assert_eq!(
        fields["result"]["itemDefaults"]["editRange"],
        json!({"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 10}})
    );
    assert_eq!(
        fields["result"]["items"],
        json!([{"label": "resource", "kind": 14, "detail": "field", "sortText": "00000"}]),
        "{fields}"
    );

    // a key template: shown whole, inserted up to its variable
    let keys = complete(&mut c, 3, 39);
    let items = keys["result"]["items"].as_array().unwrap();
    let template = items.iter().find(|i| i["label"] == "s3:BucketTag/${TagKey}").unwrap_or_else(|| panic!("{keys}"));
    assert_eq!(
        template["textEdit"],
        json!({"range": {"start": {"line": 3, "character": 32}, "end": {"line": 3, "character": 39}}, "newText": "s3:BucketTag/"})
    );
    assert!(items.iter().all(|i| !i["textEdit"]["newText"].as_str().unwrap_or_default().contains("${")), "{keys}");

    // prose: nothing, after a space as after a word
    let prose = complete(&mut c, 1, 26);
    assert_eq!(prose["result"]["items"], json!([]), "{prose}");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}

/// A client that offers UTF-8 positions gets them.
#[test]
fn utf8_positions_when_offered() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init =
        c.request("initialize", json!({"capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-8"), "{init}");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}

/// A field of `initialize` that pcl does not read, in a shape lsp-types
/// does not take, costs no capability (a review found every capability
/// dropped, without a word, for a `rootUri` with a space or `trace:
/// "compact"`); an unreadable group of capabilities costs itself, and is
/// logged.
#[test]
fn capabilities_are_read_whatever_else_initialize_holds() {
    let offered = json!({
        "general": {"positionEncodings": ["utf-8"]},
        "textDocument": {"codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}},
    });
    for (field, value) in [
        ("rootUri", json!("file:///home/u/my project")),
        ("trace", json!("compact")),
        ("processId", json!("1234")),
        ("workspaceFolders", json!([{"uri": "file:///w", "name": 7}])),
    ] {
        let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
        let mut params = json!({"capabilities": offered.clone()});
        params[field] = value;
        let init = c.request("initialize", params);
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-8"), "{field}: {init}");
        assert!(init["result"]["capabilities"]["codeActionProvider"].is_object(), "{field}: {init}");
        c.notify("exit", Value::Null);
        let _ = c.child.wait();
    }
    // a group given as `null` is one not given: nothing to log
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request(
        "initialize",
        json!({"capabilities": {"textDocument": null, "general": {"positionEncodings": ["utf-8"]}}}),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-8"), "{init}");
    let shutdown = c.request("shutdown", Value::Null);
    assert!(c.notifications.is_empty(), "{:?} {shutdown}", c.notifications);
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
    // capabilities that are no object: logged
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request("initialize", json!({"capabilities": "all of them"}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-16"), "{init}");
    let log = c.receive();
    assert!(log["params"]["message"].as_str().unwrap().contains("`capabilities`, which is not an object"), "{log}");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request(
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": ["utf-8"]}, "window": {"workDoneProgress": "yes"}}}),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], json!("utf-8"), "{init}");
    let log = c.receive();
    assert_eq!(log["method"], json!("window/logMessage"), "{log}");
    assert!(log["params"]["message"].as_str().unwrap().contains("`capabilities.window`"), "{log}");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}

/// Requests made stale while queued get an answer all the same (the result,
/// or "content modified" / "cancelled" when the server saw the later edit or
/// cancellation first: which one depends on timing; `lsp::stale` is tested
/// on its own), and the edit is applied.
#[test]
fn stale_requests_are_answered_and_edits_applied() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    c.request("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": TEXT}}),
    );
    assert_eq!(c.diagnostics().len(), 1);
    // written together, so that the server may find them queued
    let hover = json!({"jsonrpc": "2.0", "id": 100, "method": "textDocument/hover", "params": position(1, 24)});
    let change = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": TEXT.replace("GetObjet", "GetObject")}]}});
    let cancelled = json!({"jsonrpc": "2.0", "id": 101, "method": "textDocument/hover", "params": position(1, 24)});
    let cancel = json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 101}});
    c.send_all(&[hover, change, cancelled, cancel]);
    let (mut answers, mut diagnostics) = (std::collections::BTreeMap::new(), None);
    while answers.len() < 2 || diagnostics.is_none() {
        let m = c.receive();
        match m.get("id").and_then(Value::as_i64) {
            Some(id) => {
                answers.insert(id, m);
            }
            None => diagnostics = Some(m["params"]["diagnostics"].clone()),
        }
    }
    for (id, stale_code) in [(100, -32801), (101, -32800)] {
        let a = &answers[&id];
        assert!(a.get("result").is_some() || a["error"]["code"] == json!(stale_code), "{a}");
    }
    assert_eq!(diagnostics, Some(json!([])), "the edit was applied");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}

/// Semantic tokens, whole and for a range, decoded as an editor does; and a
/// document whose lines end with a lone CR is counted in those lines.
#[test]
fn semantic_tokens_and_cr_line_endings() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request("initialize", json!({"capabilities": {}}));
    let legend = &init["result"]["capabilities"]["semanticTokensProvider"]["legend"];
    let types: Vec<String> =
        legend["tokenTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": TEXT}}),
    );
    c.diagnostics();
    let decode = |answer: &Value| -> Vec<(u32, u32, u32, String, u64)> {
        let data: Vec<u64> = answer["result"]["data"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
        assert_eq!(data.len() % 5, 0);
        let (mut line, mut column) = (0u32, 0u32);
        data.chunks(5)
            .map(|t| {
                line += t[0] as u32;
                column = if t[0] == 0 { column + t[1] as u32 } else { t[1] as u32 };
                (line, column, t[2] as u32, types[t[3] as usize].clone(), t[4])
            })
            .collect()
    };
    let all = decode(&c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": URI}})));
    assert_eq!(all[0], (0, 0, 5, "keyword".to_string(), 0), "{all:?}");
    assert_eq!(all[1], (0, 6, 9, "parameter".to_string(), 1), "`partition` is declared: {all:?}");
    // `@reads` on line 3 is the actionset, `${partition}` the param
    assert!(all.contains(&(3, 26, 5, "enum".to_string(), 0)), "{all:?}");
    assert!(all.contains(&(3, 50, 9, "parameter".to_string(), 0)), "{all:?}");
    let range = json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 0}}});
    let some = decode(&c.request("textDocument/semanticTokens/range", range));
    assert!(!some.is_empty() && some.iter().all(|t| t.0 == 3), "{some:?}");

    // lone CRs end lines: the error is on the third line
    let cr = "CR";
    let uri = "file:///work/cr.pcl";
    let text = "param bucket: string = \"b\";\ractionset reads = [s3:GetObjet];\r";
    let text = format!("// {cr}\r{text}");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "pcl", "version": 1, "text": text}}),
    );
    let diagnostics = c.diagnostics();
    let unknown = diagnostics.iter().find(|d| d["code"] == json!("E0311")).unwrap();
    assert_eq!(unknown["range"]["start"], json!({"line": 2, "character": 19}), "{diagnostics:?}");
    let unused = diagnostics.iter().find(|d| d["code"] == json!("W0502")).unwrap();
    assert_eq!(unused["range"]["start"], json!({"line": 1, "character": 6}), "{diagnostics:?}");
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}

/// What a fuzzing campaign found: a request before `initialized`, a huge or
/// wrong `Content-Length`, and ids that are not 32-bit integers all leave the
/// server answering.
#[test]
fn broken_frames_and_early_requests_leave_the_server_answering() {
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    c.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    // before `initialized`: answered, not the end of the connection
    let early = c.request("textDocument/hover", position(0, 0));
    assert_eq!(early["error"]["code"], json!(-32602), "{early}");
    let again = c.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    assert_eq!(again["error"]["code"], json!(-32600), "{again}");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": TEXT}}),
    );
    c.diagnostics();

    // a size no body has: refused before anything is allocated
    c.send_raw(b"Content-Length: 18446744073709551615\r\n\r\n{}");
    let after = c.request("textDocument/hover", position(1, 24));
    assert!(after.get("result").is_some(), "{after}");
    // a body shorter than announced: the next frame is found again
    let body = json!({"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover", "params": position(1, 24)});
    let body = body.to_string();
    c.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10).as_bytes());
    let after = c.request("textDocument/hover", position(1, 24));
    assert!(after.get("result").is_some(), "{after}");

    // ids beyond 32 bits, and not integers, come back as they were sent
    for id in ["2147483648", "9007199254740992", "1.5"] {
        let body =
            format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{}}}"#, position(1, 24));
        c.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        let answer = c.receive();
        assert_eq!(answer["id"].to_string(), id, "{answer}");
        assert!(answer.get("result").is_some(), "{answer}");
    }

    // a body that is no request gets an error response (JSON-RPC: a parse
    // error, or an invalid request), with its id when it can be read; the
    // review's got none, and the client waited for ever
    let hover = |id: &str, query: &[u8]| {
        let head = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"workspace/symbol","params":{{"query":""#);
        [head.as_bytes(), query, b"\"}}"].concat()
    };
    let refused: [(Vec<u8>, Value, i64); 5] = [
        (hover("701", b"\xff"), json!(701), -32700),
        (hover("702", br"\ud800"), json!(702), -32700),
        (br#"{"jsonrpc":"2.0","id":703,"method":42}"#.to_vec(), json!(703), -32600),
        (hover("null", b""), Value::Null, -32600),
        (br#"{"jsonrpc":"2.0","id":"\u0000pcl-id:42","method":"nope"}"#.to_vec(), json!("\u{0}pcl-id:42"), -32601),
    ];
    for (body, id, code) in refused {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        c.send_raw(&frame);
        let answer = c.receive();
        assert_eq!((&answer["id"], &answer["error"]["code"]), (&id, &json!(code)), "{answer}");
    }
    // a notification whose params cannot be read is said in the client's log
    let unescaped = json!({"textDocument": {"uri": "file:///a b.pcl", "languageId": "pcl", "version": 1, "text": ""}});
    c.notify("textDocument/didOpen", unescaped);
    let log = c.receive();
    assert_eq!(log["method"], "window/logMessage", "{log}");
    assert!(log["params"]["message"].as_str().unwrap().contains("ignored `textDocument/didOpen`"), "{log}");

    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
}

/// `source.fixAll`: every safe fix of the file as one action (what an
/// editor runs on save, asking for that kind alone: no wider grant, which
/// stays a quick fix); a quick fix is not offered then, and both are when
/// no kind is asked for.
#[test]
fn every_suggested_fix_at_once() {
    let text = "param partition: partition = \"aws\";\npolicy p {\n    allow \"S3\" { action [s3:GetObject, s3:GetObject]; resource \"arn:${partition}:s3:::b/*\"; }\n    allow \"List\" { action [s3:ListBucket, s3:ListBucket]; resource \"arn:${partition}:s3:::b\"; }\n}\nrole r {\n    trust service \"pods.eks.amazonaws.com\";\n    inline p;\n}\n";
    let mut c = Client::start(env!("CARGO_BIN_EXE_pcl"));
    let init = c.request("initialize", json!({"capabilities": editor_capabilities()}));
    let kinds = &init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert_eq!(kinds, &json!(["quickfix", "source.fixAll"]), "{init}");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": text}}),
    );
    let diagnostics = c.diagnostics();
    let codes: Vec<&str> = diagnostics.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["W0512", "W0512", "W0513"], "{diagnostics:?}");
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let ask = |c: &mut Client, only: Value| {
        let context = match only {
            Value::Null => json!({"diagnostics": []}),
            only => json!({"diagnostics": [], "only": only}),
        };
        c.request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": whole, "context": context}))
    };
    let all = ask(&mut c, json!(["source.fixAll"]));
    let actions = all["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{all}");
    assert_eq!(actions[0]["kind"], json!("source.fixAll"));
    assert_eq!(actions[0]["title"], json!("Apply the 2 safe fixes in this file"));
    let edits = actions[0]["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 1, "one edit of the changed middle: {all}");
    // the edit applied as the editor would (the text is ASCII: a character
    // is a byte)
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let before: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        before + p["character"].as_u64().unwrap() as usize
    };
    let edit = &edits[0];
    let (from, to) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
    let fixed = format!("{}{}{}", &text[..from], edit["newText"].as_str().unwrap(), &text[to..]);
    // the copies removed; the grant (a wider trust policy) left for a person
    assert_eq!(
        fixed,
        text.replace("s3:GetObject, s3:GetObject", "s3:GetObject")
            .replace("s3:ListBucket, s3:ListBucket", "s3:ListBucket")
    );
    // the grant is a quick fix of its own
    let quick = ask(&mut c, json!(["quickfix"]));
    let titles: Vec<&str> = quick["result"].as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Grant `sts:TagSession` in this trust block"), "{titles:?}");
    // no kind asked (the lightbulb, at every move of the cursor): the quick
    // fixes only; the source actions' menu (`source`) gets the fix of them all
    let every = ask(&mut c, Value::Null);
    let kinds: Vec<&str> = every["result"].as_array().unwrap().iter().filter_map(|a| a["kind"].as_str()).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "quickfix"), "{kinds:?}");
    let source = ask(&mut c, json!(["source"]));
    assert_eq!(source["result"][0]["kind"], json!("source.fixAll"), "{source}");
    // quick fixes alone: no fix of them all
    let quick = ask(&mut c, json!(["quickfix"]));
    assert!(quick["result"].as_array().unwrap().iter().all(|a| a["kind"] == "quickfix"), "{quick}");
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
}
