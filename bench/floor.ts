// The protocol floor the DAP benches compare against: a minimal adapter that answers everything
// at once with constant data, run from the same bundle (QIE_MINIMAL_ADAPTER=1), and the step
// round trip both are measured with (request → stopped → stackTrace + scopes + variables).

import { DebugSession, InitializedEvent, Scope, StackFrame, StoppedEvent, Thread } from '@vscode/debugadapter';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The floor: answers everything at once with constant data. */
class MinimalSession extends DebugSession {
  protected override initializeRequest(r: DebugProtocol.InitializeResponse): void {
    r.body = { supportsConfigurationDoneRequest: true };
    this.sendResponse(r);
    this.sendEvent(new InitializedEvent());
  }
  protected override launchRequest(r: DebugProtocol.LaunchResponse): void {
    this.sendResponse(r);
  }
  protected override configurationDoneRequest(r: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(r);
    this.sendEvent(new StoppedEvent('entry', 1));
  }
  protected override threadsRequest(r: DebugProtocol.ThreadsResponse): void {
    r.body = { threads: [new Thread(1, 'main-loop')] };
    this.sendResponse(r);
  }
  protected override nextRequest(r: DebugProtocol.NextResponse): void {
    this.sendResponse(r);
    this.sendEvent(new StoppedEvent('step', 1));
  }
  protected override stackTraceRequest(r: DebugProtocol.StackTraceResponse): void {
    r.body = { stackFrames: [new StackFrame(1, 'f', undefined, 1)], totalFrames: 1 };
    this.sendResponse(r);
  }
  protected override scopesRequest(r: DebugProtocol.ScopesResponse): void {
    r.body = { scopes: [new Scope('Locals', 1, false)] };
    this.sendResponse(r);
  }
  protected override variablesRequest(r: DebugProtocol.VariablesResponse): void {
    r.body = { variables: [{ name: 'x', value: '1', variablesReference: 0 }] };
    this.sendResponse(r);
  }
}

if (process.env.QIE_MINIMAL_ADAPTER === '1') new MinimalSession().start(process.stdin, process.stdout);

export function root(): string {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  throw new Error('no project root');
}

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
export const fmt = (n: number, digits = 3): string => n.toFixed(digits);

export async function stepRoundTrip(dc: DebugClient, threadId: number, send: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await send();
  const ev = await stopped;
  const fr = (await dc.stackTraceRequest({ threadId: ev.body.threadId ?? threadId, startFrame: 0, levels: 20 })).body
    .stackFrames;
  const scopes = (await dc.scopesRequest({ frameId: fr[0].id })).body.scopes;
  await dc.variablesRequest({ variablesReference: scopes[0].variablesReference });
  return performance.now() - t0;
}

export async function measure(
  dc: DebugClient,
  n: number,
  send: (dc: DebugClient) => Promise<unknown>,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await stepRoundTrip(dc, 1, () => send(dc)));
  return times;
}

/** The minimal adapter, launched and stopped on entry. */
export async function startFloor(): Promise<DebugClient> {
  const floor = new DebugClient(process.execPath, __filename, 'minimal', {
    env: { ...process.env, QIE_MINIMAL_ADAPTER: '1' },
  });
  floor.defaultTimeout = 60_000;
  await floor.start();
  await floor.initializeRequest();
  const entry = floor.waitForEvent('stopped');
  await floor.launchRequest({});
  await floor.configurationDoneRequest();
  await entry;
  return floor;
}
