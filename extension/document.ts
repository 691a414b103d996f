// The project's I/O path document: `qemuIoExplorer.document` when set, else the copy of
// docs/qemu-io-path.md shipped in the extension. Used by the "open" command and as the stage tree's
// fallback text.

import * as vscode from 'vscode';
import { readConfig, settingPath } from './config';

export function bundledDocument(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'docs', 'qemu-io-path.md');
}

export function projectDocument(extensionUri: vscode.Uri): vscode.Uri {
  const custom = settingPath(readConfig().document);
  return custom ? vscode.Uri.file(custom) : bundledDocument(extensionUri);
}

/** The document's text: the open editor's (unsaved edits included) or the file's. */
export async function readDocument(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  const bytes = await vscode.workspace.fs.readFile(uri);
  return new TextDecoder('utf-8').decode(bytes);
}

export async function openDocument(extensionUri: vscode.Uri, line?: number): Promise<vscode.TextEditor> {
  const uri = projectDocument(extensionUri);
  const doc = await vscode.workspace.openTextDocument(uri);
  const at = line !== undefined ? new vscode.Range(line, 0, line, 0) : undefined;
  return vscode.window.showTextDocument(doc, { preview: false, selection: at });
}
