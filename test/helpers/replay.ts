// Replaying real QEMU logs over DAP in tests: where the shared logs are, the line numbers of
// their events (read from the file itself, so assertions follow the log), and a session's
// visible state at a stop (stacks and variables, without the ids that change from stop to stop).

import { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frames, root, Session } from './dap';

export const TRACES = join(root, 'test', 'fixtures', 'traces');

/** 1-based line numbers of the log's lines that match `re`. */
export function linesMatching(file: string, re: RegExp): number[] {
  const out: number[] = [];
  readFileSync(file, 'latin1')
    .split('\n')
    .forEach((l, i) => {
      if (re.test(l)) out.push(i + 1);
    });
  return out;
}

/** A scope's variables by name (values as the client shows them). */
export async function vars(s: Session, ref: number): Promise<Record<string, string>> {
  const v = (await s.dc.variablesRequest({ variablesReference: ref })).body.variables;
  return Object.fromEntries(v.map((x) => [x.name, x.value]));
}

/** All scopes of a frame, each with its variables (one level, and the children of each object one level down). */
export async function scopesOf(s: Session, frameId: number): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const sc of (await s.dc.scopesRequest({ frameId })).body.scopes) {
    const list = (await s.dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
    const shown: Record<string, unknown> = {};
    for (const v of list)
      shown[v.name] = v.variablesReference > 0 ? { value: v.value, of: await vars(s, v.variablesReference) } : v.value;
    out[sc.name] = shown;
  }
  return out;
}

/** The state a user sees at a stop: threads, each thread's frames, and the scopes of each top frame. */
export async function visibleState(s: Session): Promise<unknown> {
  const threads = (await s.dc.threadsRequest()).body.threads;
  const out: unknown[] = [];
  for (const t of threads) {
    const fr = await frames(s, t.id);
    out.push({
      thread: t.name,
      frames: fr.map(
        (f) => `${f.name}|${f.presentationHint ?? ''}|${f.source?.path ?? f.source?.name ?? ''}:${f.line}`,
      ),
      scopes: fr.length ? await scopesOf(s, fr[0].id) : null,
    });
  }
  return out;
}

/** The Event scope of the top frame of a thread. */
export async function eventScope(s: Session, threadId: number): Promise<Record<string, string>> {
  const fr = await frames(s, threadId);
  const sc = (await s.dc.scopesRequest({ frameId: fr[0].id })).body.scopes.find((x) => x.name === 'Event');
  if (!sc) throw new Error(`no Event scope on thread ${threadId}`);
  return vars(s, sc.variablesReference);
}

/** The Debug Console text so far. */
export function consoleText(s: Session): string {
  return s
    .events('output')
    .map((e) => (e as DebugProtocol.OutputEvent).body.output)
    .join('');
}
