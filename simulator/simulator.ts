// The simulator's public face: build a machine from a scenario, run it (to a predicate, a
// number of events or the end), step one stage event, and look at it — threads, call stacks
// with coroutine frames on top, parked coroutines, the state of every layer, statistics —
// and rewind it through checkpoints. Nothing here knows about DAP or VS Code.

import { Catalog } from './catalog';
import { Scenario } from './config/scenario';
import { Coroutine, CoState, CO_STATE_NAMES } from './coroutine/coroutine';
import { Machine } from './engine/machine';
import {
  Frame,
  PHASE_NAMES,
  SimState,
  StageEvent,
  StopReason,
  StopReasonValue,
  ThreadState,
  WAIT_NAMES,
} from './engine/types';
import { buildMachine } from './model';
import { mergeChain } from './virtio/virtio-blk';
import { collectStats, SimStats, stallNote } from './stats';
import { snapshotState, StateSnapshot } from './snapshot';
import { catalogOf } from './version';

export type PhaseName = (typeof PHASE_NAMES)[number];

/** A stage event as data, for writers and clients. */
export interface StageEventRecord {
  seq: number;
  time_ns: number;
  thread: string;
  threadId: number;
  coroutine: number | null;
  function: string;
  /** Catalog key (differs from `function` only for raw_co_pwritev@raw-format and the like). */
  key: string;
  fnId: number;
  phase: PhaseName;
  requests: number[];
  depth: number;
}

export interface ThreadView {
  id: number;
  name: string;
  kind: string;
  tid: number;
  state: 'running' | 'blocked' | 'exited';
  /** What it waits for when blocked ('ppoll', 'qemu_sem_timedwait', ...). */
  wait: string;
  coroutine: number | null;
}

export interface FrameView {
  fnId: number;
  name: string;
  key: string;
  /** The guest request the call works for (head of a merged group), or -1. */
  req: number;
  /** Set for frames on a coroutine's stack. */
  coroutine: number | null;
  args: { a: number; b: number; c: number };
  pc: number;
}

export interface CoroutineView {
  id: number;
  state: string;
  entry: string;
  req: number;
  thread: number;
  yieldedAt: number;
  /** Top first. */
  frames: FrameView[];
}

export { StopReason };
export type { StopReasonValue, SimState, StateSnapshot, SimStats };

export class Simulator {
  readonly m: Machine;
  /** The catalog of the QEMU version simulated: what the function ids of its events and frames mean. */
  readonly catalog: Catalog;

  constructor(readonly scenario: Scenario) {
    this.m = buildMachine(scenario);
    this.catalog = catalogOf(this.m);
  }

  get now(): number {
    return this.m.s.now;
  }

  get eventCount(): number {
    return this.m.s.events;
  }

  get done(): boolean {
    return this.m.s.done;
  }

  /** Observe every stage event (as the machine's reusable record: copy what you keep). */
  set listener(fn: ((ev: StageEvent) => void) | null) {
    this.m.listener = fn;
  }

  run(maxEvents = Infinity, until: ((ev: StageEvent) => boolean) | null = null, untilTime = Infinity): StopReasonValue {
    return this.m.run(maxEvents, until, untilTime);
  }

  /** Advance exactly one stage event; null when nothing is left to run. */
  step(): StageEventRecord | null {
    const before = this.m.s.events;
    this.m.run(1);
    return this.m.s.events > before ? this.record(this.m.ev) : null;
  }

  /** Materialise a stage event. */
  record(ev: StageEvent): StageEventRecord {
    return recordOf(this.m, ev);
  }

  threads(includeExited = false): ThreadView[] {
    return this.m.s.threads
      .filter((t) => includeExited || t.state !== ThreadState.exited)
      .map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind,
        tid: t.tid,
        state: t.state === ThreadState.runnable ? 'running' : t.state === ThreadState.blocked ? 'blocked' : 'exited',
        wait: WAIT_NAMES[t.wait],
        coroutine: t.co >= 0 ? t.co : null,
      }));
  }

  /** A thread's call stack, top first: the running coroutine's frames, then the thread's own. */
  stack(threadId: number): FrameView[] {
    const t = this.m.s.threads[threadId];
    if (!t) return [];
    const out: FrameView[] = [];
    if (t.co >= 0) {
      const co = this.m.s.w.co.live.get(t.co);
      if (co)
        for (let i = co.stack.depth - 1; i >= 0; i--) out.push(frameView(this.catalog, co.stack.frames[i], co.id));
    }
    for (let i = t.native.depth - 1; i >= 0; i--) out.push(frameView(this.catalog, t.native.frames[i], null));
    return out;
  }

  /** Coroutines that exist but are not running: yielded in a backend, waiting, or not yet entered. */
  parkedCoroutines(): CoroutineView[] {
    const out: CoroutineView[] = [];
    for (const co of this.m.s.w.co.live.values()) {
      if (co.state === CoState.running) continue;
      out.push(coroutineView(this.catalog, co));
    }
    return out;
  }

  /** How many coroutines are parked (cheap; parkedCoroutines() builds their stacks). */
  parkedCount(): number {
    let n = 0;
    for (const co of this.m.s.w.co.live.values()) if (co.state !== CoState.running) n++;
    return n;
  }

  coroutine(id: number): CoroutineView | null {
    const co = this.m.s.w.co.live.get(id);
    return co ? coroutineView(this.catalog, co) : null;
  }

  snapshot(): StateSnapshot {
    return snapshotState(this.m);
  }

  stats(): SimStats {
    return collectStats(this.m, this.scenario);
  }

  /** Why requests are left over with the VM running, when the model can tell; else null. */
  stallNote(): string | null {
    return stallNote(this.m);
  }

  checkpoint(): SimState {
    return this.m.checkpoint();
  }

  restore(cp: SimState): void {
    this.m.restore(cp);
  }
}

/** A stage event of machine `m` as data (the machine's record is reused: this copies it). */
export function recordOf(m: Machine, ev: StageEvent): StageEventRecord {
  const t = m.s.threads[ev.thread];
  const catalog = catalogOf(m);
  return {
    seq: ev.seq,
    time_ns: ev.time,
    thread: t.name,
    threadId: t.id,
    coroutine: ev.co >= 0 ? ev.co : null,
    function: catalog.name(ev.fn),
    key: catalog.key(ev.fn),
    fnId: ev.fn,
    phase: PHASE_NAMES[ev.phase],
    requests: ev.req >= 0 ? mergeChain(m.s.w, ev.req) : [],
    depth: ev.depth,
  };
}

function frameView(catalog: Catalog, f: Frame, co: number | null): FrameView {
  return {
    fnId: f.fn,
    name: catalog.name(f.fn),
    key: catalog.key(f.fn),
    req: f.req,
    coroutine: co,
    args: { a: f.a, b: f.b, c: f.c },
    pc: f.pc,
  };
}

function coroutineView(catalog: Catalog, co: Coroutine): CoroutineView {
  const frames: FrameView[] = [];
  for (let i = co.stack.depth - 1; i >= 0; i--) frames.push(frameView(catalog, co.stack.frames[i], co.id));
  return {
    id: co.id,
    state: CO_STATE_NAMES[co.state],
    entry: catalog.name(co.entry),
    req: co.req,
    thread: co.thread,
    yieldedAt: co.yieldedAt,
    frames,
  };
}
