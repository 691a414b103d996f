// Entry point of dist/extension.js: activation only. Each part lives in its own module — settings
// (config), commands, the debugger (debug/), the language client, the stage tree (tree/), trace
// logs (traceLogs), the output channel — and is wired here.

import * as vscode from 'vscode';
import { onConfigChange } from './config';
import { registerCommands } from './commands';
import { registerDebugger } from './debug/wiring';
import { settingKey } from '../common/settings';
import { LanguageClientHost } from './languageClient';
import { createLog } from './output';
import { StageTreeProvider } from './tree/provider';
import { gotoOnFirstStop, watchTraceLogs } from './traceLogs';

let languageClient: LanguageClientHost | undefined;

export function activate(context: vscode.ExtensionContext): { activationMs: number } {
  const t0 = performance.now();
  const log = createLog();
  const debug = registerDebugger(context.extensionUri, log);
  const tree = new StageTreeProvider(context.extensionUri, debug.stages, log);
  languageClient = new LanguageClientHost(context.extensionUri, log);
  context.subscriptions.push(
    log,
    debug,
    tree,
    languageClient,
    debug.onStagesChanged(() => tree.stagesChanged()),
    registerCommands(context.extensionUri, tree, log),
    watchTraceLogs(log),
    gotoOnFirstStop(log),
    onConfigChange((e) => {
      if (e.affectsConfiguration(settingKey('document'))) tree.reloadProject();
    }),
  );
  // after activation: loading the client library and starting the server need not hold VS Code up
  const client = languageClient;
  setTimeout(() => void client.start(), 0);
  const activationMs = performance.now() - t0;
  const version = (context.extension.packageJSON as { version?: string }).version ?? '';
  log.info(
    `QEMU I/O Explorer ${version} activated in ${activationMs.toFixed(1)} ms (extension kind ${vscode.ExtensionKind[context.extension.extensionKind]}, ${context.extensionMode === vscode.ExtensionMode.Production ? 'production' : 'development'})`,
  );
  return { activationMs };
}

export async function deactivate(): Promise<void> {
  await languageClient?.dispose();
  languageClient = undefined;
}
