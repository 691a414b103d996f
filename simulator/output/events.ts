// Stage events as text lines (per thread, indented by call depth) and as JSON lines, written
// straight from the machine's raw events into a LineBuffer: names are encoded once per thread
// and function, numbers are written as digits (the CLI prints millions of lines a run).
// JSON lines: {"time_ns":…,"thread":…,"coroutine":…,"function":…,"phase":…,"requests":[…]},
// time_ns to the picosecond.

import { catalog } from '../catalog';
import { PHASE_NAMES, StageEvent } from '../engine/types';
import { Simulator, StageEventRecord } from '../simulator';
import { LineBuffer, putBytes, putMilli, putUint, utf8 } from './line-buffer';

/** The mark of each phase, by its number (PHASE_NAMES order) and by its name. */
const MARK = ['→', '←', '⟂', '↻'] as const;
export const PHASE_MARK = Object.fromEntries(PHASE_NAMES.map((p, i) => [p, MARK[i]])) as Record<
  (typeof PHASE_NAMES)[number],
  string
>;
const OPEN = utf8('{"time_ns":');
const NULL = utf8('null');
const CLOSE = utf8(']}\n');

export function formatTime(ns: number): string {
  return `${(ns / 1000).toFixed(3).padStart(12)} µs`;
}

/** Per-thread bytes that only change when the thread's name does. */
interface ThreadText {
  name: string;
  /** `,"thread":"<name>","coroutine":` */
  json: Buffer;
  padded: string;
}

export class EventLines {
  private readonly threads: ThreadText[] = [];
  /** `,"function":"<name>","phase":"<phase>","requests":[` by function id and phase. */
  private readonly fnJson: Buffer[] = [];

  constructor(
    private readonly sim: Simulator,
    readonly out: LineBuffer,
  ) {}

  private thread(id: number): ThreadText {
    const name = this.sim.m.s.threads[id].name;
    let t = this.threads[id];
    if (t === undefined || t.name !== name)
      t = this.threads[id] = {
        name,
        json: utf8(`,"thread":${JSON.stringify(name)},"coroutine":`),
        padded: name.padEnd(10),
      };
    return t;
  }

  /** The event's request and the ones merged behind it (at most 64), comma-separated. */
  private requests(ev: StageEvent, buf: Buffer, p: number): number {
    const reqs = this.sim.m.s.w.vblk.reqs;
    for (let id = ev.req, n = 0; id >= 0 && n < 64; n++) {
      if (n > 0) buf[p++] = 44;
      p = putUint(buf, p, id);
      id = reqs.get(id)?.mrNext ?? -1;
    }
    return p;
  }

  json(ev: StageEvent): void {
    const thread = this.thread(ev.thread).json;
    const k = ev.fn * 4 + ev.phase;
    const fn = (this.fnJson[k] ??= utf8(
      `,"function":${JSON.stringify(catalog.name(ev.fn))},"phase":"${PHASE_NAMES[ev.phase]}","requests":[`,
    ));
    // room for the whole line: numbers take at most 17 bytes each
    const buf = this.out.reserve(OPEN.length + 20 + thread.length + 16 + fn.length + 64 * 17 + CLOSE.length);
    let p = putBytes(buf, this.out.pos, OPEN);
    p = putMilli(buf, p, ev.time);
    p = putBytes(buf, p, thread);
    p = ev.co >= 0 ? putUint(buf, p, ev.co) : putBytes(buf, p, NULL);
    p = putBytes(buf, p, fn);
    if (ev.req >= 0) p = this.requests(ev, buf, p);
    this.out.pos = putBytes(buf, p, CLOSE);
  }

  /** `   12.345 µs  main-loop  co#1   → function  req 1,2` */
  text(ev: StageEvent): void {
    const co = ev.co < 0 ? '      ' : `co#${String(ev.co).padEnd(3)}`;
    const indent = '  '.repeat(Math.max(0, Math.min(ev.depth - 1, 40)));
    const out = this.out;
    out.text(
      `${formatTime(ev.time)}  ${this.thread(ev.thread).padded} ${co} ${indent}${MARK[ev.phase]} ${catalog.name(ev.fn)}`,
    );
    if (ev.req >= 0) {
      out.text('  req ');
      out.pos = this.requests(ev, out.reserve(64 * 17), out.pos);
    }
    out.byte(10);
  }
}

/** The six fields every stage event has, in their documented order (the JSON lines above, as an object). */
export function stageFields(
  ev: Pick<StageEventRecord, 'thread' | 'coroutine' | 'function' | 'phase' | 'requests'> & { time_ns: number | null },
) {
  return {
    time_ns: ev.time_ns,
    thread: ev.thread,
    coroutine: ev.coroutine,
    function: ev.function,
    phase: ev.phase,
    requests: ev.requests,
  };
}
