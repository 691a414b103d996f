// The "QEMU I/O Explorer" output channel: the extension's own log (activation, adapter mode,
// language server state) and, when `qemuIoExplorer.traceDapTraffic` is on, every DAP message.

import * as vscode from 'vscode';
import { OUTPUT_CHANNEL } from '../common/ids';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
}
