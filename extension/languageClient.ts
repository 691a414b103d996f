// Starts the QEMU I/O language server (dist/languageServer.js, over Node IPC) for Markdown, plain
// text and C: hover, go to definition, document links and the code lenses that call our
// toggle-breakpoint and reveal-in-tree commands. The client library (a bundle of its own) is loaded
// just after activation, so activating the extension does not wait for it.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type * as ClientChunk from './chunks/languageClient';
import { CHUNKS, loadChunk } from './chunks/load';
import { readConfig, settingPath } from './config';
import { DOCUMENT_LANGUAGES } from '../common/ids';
import { SETTINGS_SECTION } from '../common/settings';
import type { Log } from './output';

/** The settings the server reads, with paths made absolute. */
function serverSettings(): { qemuSource: string | null; document: string | null } {
  const c = readConfig();
  return { qemuSource: settingPath(c.qemuSource) ?? null, document: settingPath(c.document) ?? null };
}

export class LanguageClientHost implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
  ) {}

  start(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.starting ??= this.doStart().catch((e: Error) => {
      this.log.error(`language server did not start: ${e.message}`);
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const t0 = performance.now();
    const { LanguageClient, TransportKind } = loadChunk<typeof ClientChunk>(CHUNKS.languageClient);
    const loaded = performance.now();
    const module = vscode.Uri.joinPath(this.extensionUri, 'dist', 'languageServer.js').fsPath;
    const transport = { module, transport: TransportKind.ipc };
    this.client = new LanguageClient(
      'qemuIoExplorer',
      'QEMU I/O Explorer language server',
      { run: transport, debug: transport },
      {
        documentSelector: DOCUMENT_LANGUAGES.flatMap((language) => [
          { language, scheme: 'file' },
          { language, scheme: 'untitled' },
        ]),
        initializationOptions: serverSettings(),
        // the server also pulls `qemuIoExplorer` with workspace/configuration; this pushes changes
        synchronize: { configurationSection: SETTINGS_SECTION },
        outputChannel: this.log,
      },
    );
    await this.client.start();
    this.log.info(
      `language client loaded in ${(loaded - t0).toFixed(0)} ms; language server ready ${(performance.now() - loaded).toFixed(0)} ms later (${module})`,
    );
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.starting;
    await this.client?.stop().catch(() => undefined);
    this.client = undefined;
  }
}
