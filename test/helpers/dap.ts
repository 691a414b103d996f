// A real DAP client (@vscode/debugadapter-testsupport) talking to the bundled adapter, on
// stdio or over TCP, recording every message the adapter sends.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root: the nearest folder above the (bundled) test with a package.json. */
function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  throw new Error(`no package.json above ${dir}`);
}

export const root = findRoot(__dirname);
export const adapter = join(root, 'dist', 'debugAdapter.js');
export const documentPath = join(root, 'docs', 'qemu-io-path.md');

export function ensureBuilt(): void {
  if (existsSync(adapter)) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

export interface Session {
  dc: DebugClient;
  /** Every message the adapter sent, in order. */
  messages: DebugProtocol.ProtocolMessage[];
  events(name: string): DebugProtocol.Event[];
  close(): Promise<void>;
}

function record(dc: DebugClient): DebugProtocol.ProtocolMessage[] {
  const messages: DebugProtocol.ProtocolMessage[] = [];
  const client = dc as unknown as { dispatch(body: string): void };
  const orig = client.dispatch.bind(dc);
  client.dispatch = (body: string) => {
    messages.push(JSON.parse(body));
    orig(body);
  };
  return messages;
}

export async function open(mode: 'stdio' | 'tcp' = 'stdio'): Promise<Session> {
  ensureBuilt();
  const dc = new DebugClient('node', adapter, 'qemu-io', undefined, true);
  dc.defaultTimeout = 20_000;
  const messages = record(dc);
  let server: ChildProcess | null = null;
  if (mode === 'tcp') {
    server = spawn(process.execPath, [adapter, '--server=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      server!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      server!.on('exit', (code) => reject(new Error(`adapter server exited (${code}): ${err}`)));
    });
    await dc.start(port);
  } else {
    await dc.start();
  }
  return {
    dc,
    messages,
    events: (name) =>
      messages.filter((m) => m.type === 'event' && (m as DebugProtocol.Event).event === name) as DebugProtocol.Event[],
    close: async () => {
      try {
        await dc.stop();
      } catch {
        // already gone
      }
      server?.kill();
    },
  };
}

/** Launch with `config`, set breakpoints, and wait for the first stop. */
export async function launch(
  s: Session,
  config: Record<string, unknown>,
  setup?: (dc: DebugClient) => Promise<unknown>,
): Promise<DebugProtocol.StoppedEvent> {
  await s.dc.initializeRequest({
    adapterID: 'qemu-io',
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: 'path',
  });
  const stopped = s.dc.waitForEvent('stopped');
  const launched = s.dc.launchRequest({
    type: 'qemu-io',
    request: 'launch',
    name: 'test',
    ...config,
  } as DebugProtocol.LaunchRequestArguments);
  await s.dc.waitForEvent('initialized');
  if (setup) await setup(s.dc);
  await s.dc.configurationDoneRequest();
  await launched;
  return (await stopped) as DebugProtocol.StoppedEvent;
}

/** Send a request that resumes, then wait for the stop it ends in. */
export async function resume(s: Session, send: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = s.dc.waitForEvent('stopped');
  await send();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

export async function frames(s: Session, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await s.dc.stackTraceRequest({ threadId })).body.stackFrames;
}

export async function threadNames(s: Session): Promise<string[]> {
  return (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
}

export async function scopeVars(s: Session, frameId: number, scopeName: RegExp): Promise<Record<string, string>> {
  const scopes = (await s.dc.scopesRequest({ frameId })).body.scopes;
  const scope = scopes.find((x) => scopeName.test(x.name));
  if (!scope) throw new Error(`no scope ${scopeName} in ${scopes.map((x) => x.name).join(', ')}`);
  const vars = (await s.dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}

/** Line (1-based) of the heading that introduces `fn` in the I/O path document. */
export function docLine(fn: string): number {
  const lines = readFileSync(documentPath, 'utf8').split('\n');
  const re = new RegExp(`(^|[^A-Za-z0-9_])${fn}([^A-Za-z0-9_]|$)`);
  return lines.findIndex((l) => re.test(l)) + 1;
}
