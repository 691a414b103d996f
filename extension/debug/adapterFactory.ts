// How VS Code gets a `qemu-io` debug adapter: inline by default (the adapter runs in the extension
// host: no process start, the fastest steps), or as a separate Node process running the bundled
// dist/debugAdapter.js when `qemuIoExplorer.adapterMode` is "external" (isolates the simulator from
// the extension host, and is how other editors run it).

import * as vscode from 'vscode';
import type * as SessionChunk from '../chunks/debugSession';
import { CHUNKS, loadChunk } from '../chunks/load';
import { readConfig } from '../config';
import type { Log } from '../output';

export class QemuIoAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
  ) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const mode = readConfig(session.workspaceFolder?.uri).adapterMode;
    if (mode === 'external') {
      const adapter = vscode.Uri.joinPath(this.extensionUri, 'dist', 'debugAdapter.js').fsPath;
      this.log.info(`session "${session.name}": external debug adapter ${adapter}`);
      // process.execPath is Node in a server/remote extension host and Electron in desktop VS Code;
      // ELECTRON_RUN_AS_NODE makes the latter behave as Node too (and the former ignores it).
      return new vscode.DebugAdapterExecutable(process.execPath, [adapter], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
    this.log.info(`session "${session.name}": inline debug adapter`);
    // loaded on first use, so activation does not pay for the simulator
    const { QemuIoDebugSession } = loadChunk<typeof SessionChunk>(CHUNKS.debugSession);
    return new vscode.DebugAdapterInlineImplementation(new QemuIoDebugSession());
  }
}
