// The names breakpoint conditions, log messages, watch and REPL expressions can use. Values
// are computed only when an expression reads them.

import {
  frameLocals,
  mergeChain,
  PHASE_NAMES,
  Plain,
  requestInfo,
  Simulator,
  StageEvent,
  threadInfo,
  vmRunning,
} from '../../simulator';
import { Scope, Value } from './expr/evaluate';

/* The names are documented in docs/expressions.md: keep the two in step. */

function common(sim: Simulator, threadId: number): Scope {
  const m = sim.m;
  const w = m.s.w;
  const t = m.s.threads[threadId];
  return {
    thread: t?.name ?? null,
    thread_kind: t?.kind ?? null,
    co: t && t.co >= 0 ? t.co : null,
    time_ns: m.s.now,
    time_us: m.s.now / 1000,
    events: m.s.events,
    vq: () => {
      const q = w.virtio.vqs[w.vblk.vq];
      return {
        avail_idx: q.availIdx,
        last_avail_idx: q.lastAvailIdx,
        used_idx: q.usedIdx,
        in_avail: q.avail.length,
        inuse: q.inuse,
        notification: q.notification,
        kicks: q.kicks,
        interrupts: q.interrupts,
      };
    },
    pool: () => {
      const p = w.pool.pools[w.pool.byCtx[w.block.ctx] ?? -1];
      return p
        ? {
            cur_threads: p.curThreads,
            idle_threads: p.idleThreads,
            new_threads: p.newThreads,
            pending_threads: p.pendingThreads,
            queued: p.requestList.length,
            max_threads: p.maxThreads,
          }
        : null;
    },
    laio: () => {
      const s = w.laio.states[w.laio.byCtx[w.block.ctx] ?? -1];
      return s
        ? {
            in_flight: s.inFlight,
            in_queue: s.pending.length,
            plugged: s.plugged,
            blocked: s.blocked,
            ring: s.ring.length,
          }
        : null;
    },
    device: () => ({ busy: w.dev.busy, waiting: w.dev.waiting.length, completed: w.dev.completed }),
    guest: () => ({ inflight: w.guest.inflight, issued: w.guest.work.issued, completed: w.guest.stats.completed }),
    vm: () => ({ running: vmRunning(w), stops: w.runstate.stops }),
  };
}

/** Scope of a stage event (breakpoint conditions and log messages). */
export function eventScope(sim: Simulator, ev: StageEvent, hits: number): Scope {
  const f = sim.catalog.entry(ev.fn)!;
  const stage = sim.catalog.stage(f.stage);
  return {
    ...common(sim, ev.thread),
    co: ev.co >= 0 ? ev.co : null,
    req: () => (ev.req >= 0 ? (requestInfo(sim.m, ev.req) as Value) : null),
    requests: () => (ev.req >= 0 ? mergeChain(sim.m.s.w, ev.req) : []),
    fn: f.name,
    phase: PHASE_NAMES[ev.phase],
    stage: f.stage,
    group: stage?.group ?? null,
    time_ns: ev.time,
    time_us: ev.time / 1000,
    depth: ev.depth,
    hits,
    locals: () => null,
  };
}

/** Scope of a stack frame (watch, hover and REPL evaluation while stopped). */
export function frameScope(
  sim: Simulator,
  threadId: number,
  frame: { fnId: number; req: number; coroutine: number | null; raw: import('../../simulator').Frame } | null,
): Scope {
  const base = common(sim, threadId);
  if (!frame)
    return {
      ...base,
      req: null,
      requests: [],
      fn: null,
      thread_info: () => (sim.m.s.threads[threadId] ? (threadInfo(sim.m, sim.m.s.threads[threadId]) as Value) : null),
    };
  const f = sim.catalog.entry(frame.fnId)!;
  return {
    ...base,
    co: frame.coroutine,
    req: () => (frame.req >= 0 ? (requestInfo(sim.m, frame.req) as Value) : null),
    requests: () => (frame.req >= 0 ? mergeChain(sim.m.s.w, frame.req) : []),
    fn: f.name,
    stage: f.stage,
    group: sim.catalog.stage(f.stage)?.group ?? null,
    locals: () => frameLocals(sim.m, frame.raw) as Plain as Value,
    thread_info: () => threadInfo(sim.m, sim.m.s.threads[threadId]) as Value,
  };
}
