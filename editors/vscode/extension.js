// Starts `pcl lsp` for .pcl files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("pcl").get("path", "pcl");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "pcl",
    "pcl language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "pcl" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
