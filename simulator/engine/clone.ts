// Copying the simulation state for checkpoints. Two things matter:
// - the state is plain data whose only shared references are the stacks a thread or
//   coroutine executes (re-established by the relink hooks), so a straight recursive copy
//   without an identity map does, and stacks are copied only up to their depth;
// - records the model creates while it runs (frames, threads, coroutines, requests) are
//   copied with the same object literal that creates them, so restored and new ones share
//   V8's hidden classes — copied any other way, the model runs several times slower on a
//   restored state. Layers register such copiers for their part of the state.

import type { Frame, SimState, SimThread, Stack, World } from './types';

/** A deep copy of plain data (arrays, typed arrays, Maps, objects). */
export function copyPlain<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyPlain(v[i]);
    return out as T;
  }
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): T }).slice();
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(k, copyPlain(x));
    return out as T;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = { ...o };
  for (const k in out) {
    const x = out[k];
    if (x !== null && typeof x === 'object') out[k] = copyPlain(x);
  }
  return out as T;
}

export function copyFrame(f: Frame): Frame {
  return { fn: f.fn, pc: f.pc, req: f.req, a: f.a, b: f.b, c: f.c, d: f.d, ret: f.ret };
}

export function copyStack(st: Stack): Stack {
  const frames = new Array<Frame>(st.depth);
  for (let i = 0; i < st.depth; i++) frames[i] = copyFrame(st.frames[i]);
  return { frames, depth: st.depth };
}

function copyThread(t: SimThread): SimThread {
  const native = copyStack(t.native);
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    tid: t.tid,
    native,
    stack: native,
    co: t.co,
    ctx: t.ctx,
    time: t.time,
    state: t.state,
    wait: t.wait,
    timedOut: t.timedOut,
    token: t.token,
    timeoutAt: t.timeoutAt,
    timeoutQueuedAt: t.timeoutQueuedAt,
    createdAt: t.createdAt,
    exitedAt: t.exitedAt,
    idleSince: t.idleSince,
    fresh: t.fresh,
  };
}

export type Copier<T> = (v: T) => T;
export type WorldCopiers = { [K in keyof World]?: Copier<World[K]> };

export function cloneState(s: SimState, copiers: WorldCopiers, relink: readonly ((s: SimState) => void)[]): SimState {
  const w = {} as Record<string, unknown>;
  for (const k in s.w) {
    const copier = (copiers as Record<string, Copier<unknown> | undefined>)[k];
    const slice = (s.w as unknown as Record<string, unknown>)[k];
    w[k] = copier ? copier(slice) : copyPlain(slice);
  }
  const c: SimState = {
    now: s.now,
    seq: s.seq,
    events: s.events,
    cur: s.cur,
    done: s.done,
    heap: copyPlain(s.heap),
    threads: s.threads.map(copyThread),
    rng: { ...s.rng },
    w: w as unknown as World,
  };
  for (const fix of relink) fix(c);
  return c;
}
