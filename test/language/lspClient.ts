// Test helper: starts the bundled language server (dist/languageServer.js) as a child process and
// speaks real LSP to it over stdio through vscode-jsonrpc.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  ShowMessageNotification,
  type ClientCapabilities,
  type InitializeResult,
  type ShowMessageParams,
} from 'vscode-languageserver-protocol';

/** The repository root (the directory with this project's package.json). */
export function repoRoot(): string {
  let d = __dirname;
  for (;;) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'scripts', 'build.mjs'))) return d;
    const up = dirname(d);
    if (up === d) throw new Error(`no repository root above ${__dirname}`);
    d = up;
  }
}

export const ROOT = repoRoot();
export const SERVER = join(ROOT, 'dist', 'languageServer.js');
export const DOC_PATH = join(ROOT, 'docs', 'qemu-io-path.md');
export const DOC_URI = pathToFileURL(DOC_PATH).href;

function newestSource(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newestSource(p) : st.mtimeMs);
  }
  return t;
}

/** Builds the bundle when it is missing or older than the server's sources. */
export function ensureBuilt(): void {
  const stale =
    !existsSync(SERVER) ||
    statSync(SERVER).mtimeMs <
      Math.max(newestSource(join(ROOT, 'server', 'language')), newestSource(join(ROOT, 'simulator', 'catalog')));
  if (!stale) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('node scripts/build.mjs failed');
}

export interface StartOptions {
  initializationOptions?: unknown;
  /** Answer to workspace/configuration for the qemuIoExplorer section (enables the capability). */
  configuration?: Record<string, unknown>;
  capabilities?: ClientCapabilities;
  rootUri?: string | null;
}

export interface Session {
  readonly conn: MessageConnection;
  readonly proc: ChildProcess;
  readonly init: InitializeResult;
  readonly initMs: number;
  readonly messages: ShowMessageParams[];
  readonly configRequests: number[];
  configuration: Record<string, unknown> | undefined;
  open(uri: string, languageId: string, text: string, version?: number): void;
  close(): Promise<void>;
}

export async function startServer(opts: StartOptions = {}): Promise<Session> {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const messages: ShowMessageParams[] = [];
  const configRequests: number[] = [];
  const session: Session = {
    conn,
    proc,
    messages,
    configRequests,
    init: undefined as unknown as InitializeResult,
    initMs: 0,
    configuration: opts.configuration,
    open(uri, languageId, text, version = 1) {
      void conn.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId, version, text },
      });
    },
    async close() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
      await new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        const t = setTimeout(() => {
          proc.kill();
          r();
        }, 2000);
        proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
      conn.dispose();
    },
  };
  conn.onNotification(ShowMessageNotification.type, (p) => {
    messages.push(p);
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => {
    configRequests.push(Date.now());
    return p.items.map(() => session.configuration ?? null);
  });
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('client/unregisterCapability', () => null);
  conn.listen();
  proc.on('exit', (code) => {
    if (code && code !== 0) process.stderr.write(`language server exited with ${code}\n${stderr}`);
  });
  const t0 = performance.now();
  const capabilities: ClientCapabilities = opts.capabilities ?? {
    workspace: {
      configuration: opts.configuration !== undefined,
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    },
    textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } },
  };
  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: opts.rootUri ?? null,
    capabilities,
    initializationOptions: opts.initializationOptions,
  });
  (session as { initMs: number }).initMs = performance.now() - t0;
  (session as { init: InitializeResult }).init = init;
  await conn.sendNotification(InitializedNotification.type, {});
  return session;
}

/** One server for the tests of a file: built if needed and started before them, closed after them. */
export function serverForTests(opts: StartOptions = {}): () => Session {
  let s: Session | undefined;
  before(async () => {
    ensureBuilt();
    s = await startServer(opts);
  });
  after(async () => {
    await s?.close();
  });
  return () => s!;
}

/** Waits until `cond()` holds (polling), or fails after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Position (zero-based line/character) of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" not found`);
  }
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
