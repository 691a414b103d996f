// The timeline's custom DAP requests (docs/timeline.md), for any client: `qemuIo/timeline` answers
// a time range at a resolution with binned lanes (and exact spans when the range is short),
// `qemuIo/timelineGoTo` moves the session to an event or a time (then a `stopped` event with
// reason `goto` follows), `qemuIo/timelineExport` writes a range as a Chrome trace for Perfetto.
// Arguments are checked here; a bad one gets an error naming it. Thread ids are DAP's.

import { statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LANE_KINDS, MAX_BINS } from '../../simulator';
import type { LaneKind, TimelineData } from '../../simulator';
import type { Debuggee } from './debuggee';
import type { Stop } from './execution';
import { TIMELINE_REQUESTS, TimelineResponse } from './timeline-protocol';

export { TIMELINE_REQUESTS };

export class TimelineArgError extends Error {}

export interface TimelineHost {
  debuggee(): Debuggee | null;
  /** Run something that ends in a stop and report it (the session's `run`). */
  run(what: () => Promise<Stop>): void;
  respond(response: DebugProtocol.Response): void;
  fail(response: DebugProtocol.Response, e: unknown, id: number): void;
}

type Args = Record<string, unknown>;

function args(command: string, raw: unknown, allowed: readonly string[]): Args {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new TimelineArgError(`${command}: the arguments must be an object`);
  const a = raw as Args;
  for (const k of Object.keys(a))
    if (!allowed.includes(k))
      throw new TimelineArgError(`${command}: unknown argument "${k}"; expected ${allowed.join(', ')}`);
  return a;
}

function number(
  command: string,
  a: Args,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const v = a[name];
  if (v === undefined) return undefined;
  const { integer = false, min = 0, max = Number.MAX_SAFE_INTEGER } = opts;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    const what = integer ? 'a whole number' : 'a number';
    throw new TimelineArgError(
      `${command}: "${name}" is ${JSON.stringify(v)}; expected ${what} from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any size' : max}`,
    );
  }
  return v;
}

function range(command: string, a: Args): { fromNs?: number; toNs?: number } {
  const fromNs = number(command, a, 'fromNs');
  const toNs = number(command, a, 'toNs');
  if (fromNs !== undefined && toNs !== undefined && toNs <= fromNs)
    throw new TimelineArgError(`${command}: "toNs" (${toNs}) must be greater than "fromNs" (${fromNs})`);
  return { fromNs, toNs };
}

/** Parses `qemuIo/timeline`'s arguments (exported for tests and other front ends). */
export function timelineArgs(raw: unknown): {
  fromNs?: number;
  toNs?: number;
  bins: number;
  lanes?: LaneKind[];
  detail?: boolean;
} {
  const c = TIMELINE_REQUESTS.timeline;
  const a = args(c, raw, ['fromNs', 'toNs', 'bins', 'lanes', 'detail']);
  const bins = number(c, a, 'bins', { integer: true, min: 1, max: MAX_BINS }) ?? 1000;
  let lanes: LaneKind[] | undefined;
  if (a.lanes !== undefined) {
    if (!Array.isArray(a.lanes) || a.lanes.some((l) => !LANE_KINDS.includes(l as LaneKind)))
      throw new TimelineArgError(
        `${c}: "lanes" is ${JSON.stringify(a.lanes)}; expected a list of ${LANE_KINDS.join(', ')}`,
      );
    lanes = a.lanes as LaneKind[];
  }
  if (a.detail !== undefined && typeof a.detail !== 'boolean')
    throw new TimelineArgError(`${c}: "detail" is ${JSON.stringify(a.detail)}; expected true or false`);
  return { ...range(c, a), bins, lanes, detail: a.detail as boolean | undefined };
}

export function goToArgs(raw: unknown): { event: number } | { timeNs: number } {
  const c = TIMELINE_REQUESTS.goTo;
  const a = args(c, raw, ['event', 'timeNs']);
  const event = number(c, a, 'event', { integer: true });
  const timeNs = number(c, a, 'timeNs');
  if ((event === undefined) === (timeNs === undefined))
    throw new TimelineArgError(`${c}: give exactly one of "event" (an event number) and "timeNs" (a time in ns)`);
  return event !== undefined ? { event } : { timeNs: timeNs! };
}

export function exportArgs(raw: unknown): { path: string; fromNs?: number; toNs?: number } {
  const c = TIMELINE_REQUESTS.export;
  const a = args(c, raw, ['path', 'fromNs', 'toNs']);
  if (typeof a.path !== 'string' || !isAbsolute(a.path))
    throw new TimelineArgError(`${c}: "path" is ${JSON.stringify(a.path)}; expected an absolute file path`);
  const dir = dirname(a.path);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new TimelineArgError(`${c}: "path": the folder ${dir} does not exist`);
  return { path: a.path, ...range(c, a) };
}

/** The timeline's data with DAP thread ids, and where the session stands. */
function forDap(d: TimelineData, target: Debuggee): TimelineResponse {
  const dap = (t: number): number => target.dapThread(t);
  const pos = target.position;
  return {
    ...d,
    threads: d.threads?.map((t) => ({ ...t, thread: dap(t.thread) })),
    detail: d.detail && {
      ...d.detail,
      slices: d.detail.slices.map((s) => ({ ...s, thread: dap(s.thread) })),
      waits: d.detail.waits.map((s) => ({ ...s, thread: dap(s.thread) })),
      coroutines: d.detail.coroutines.map((s) => ({ ...s, thread: dap(s.thread) })),
    },
    position: pos ? { event: pos.seq, timeNs: pos.timeNs, threadId: pos.thread } : null,
  };
}

/** Answers the timeline's requests; false for any other command. */
export function handleTimelineRequest(
  host: TimelineHost,
  command: string,
  response: DebugProtocol.Response,
  raw: unknown,
): boolean {
  if (!(Object.values(TIMELINE_REQUESTS) as string[]).includes(command)) return false;
  const target = host.debuggee();
  try {
    if (!target) throw new TimelineArgError(`${command}: the session has not been launched`);
    if (target.busy) throw new TimelineArgError(`${command}: the session is running; pause it first`);
    switch (command) {
      case TIMELINE_REQUESTS.timeline:
        response.body = forDap(target.timeline(timelineArgs(raw)), target);
        host.respond(response);
        return true;
      case TIMELINE_REQUESTS.goTo: {
        const to = goToArgs(raw);
        host.respond(response);
        host.run(() => target.seek(to));
        return true;
      }
      default: {
        const a = exportArgs(raw);
        let events: number;
        try {
          events = target.exportRange(a.path, a.fromNs, a.toNs);
        } catch (e) {
          if (e instanceof RangeError) throw new TimelineArgError(`${command}: ${e.message}`);
          throw e;
        }
        response.body = { path: a.path, events };
        host.respond(response);
        return true;
      }
    }
  } catch (e) {
    host.fail(response, e instanceof TimelineArgError ? e : new Error(`${command}: ${(e as Error).message}`), 1100);
    return true;
  }
}
