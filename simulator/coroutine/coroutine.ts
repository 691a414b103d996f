// util/qemu-coroutine.c and util/coroutine-ucontext.c: a coroutine is a stack of frames of
// its own. Entering it makes the entering thread execute that stack; yielding hands the
// thread back to whoever entered it. A coroutine always runs in the thread that entered it.

import { copyStack } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, Phase, SimState, SimThread, Stack, World } from '../engine/types';
import { returns, step } from '../step';

export const CoState = { created: 0, running: 1, yielded: 2, terminated: 3 } as const;
export const CO_STATE_NAMES = ['created', 'running', 'yielded', 'terminated'] as const;

export interface Coroutine {
  /** Unique number shown to users (`coroutine #7`). */
  id: number;
  /** Pooled Coroutine object it occupies: QEMU reuses these, so trace pointers repeat. */
  slot: number;
  entry: number;
  /** The entry function's opaque argument (an AIOCB id). */
  acb: number;
  req: number;
  stack: Stack;
  state: number;
  /** co->ctx: the AioContext it was last entered in (aio_co_wake resumes it there). */
  ctx: number;
  /** Thread it runs on / last ran on. */
  thread: number;
  /** co_queue_wakeup: coroutines to run once this one yields or terminates. */
  wakeup: number[];
  createdAt: number;
  yieldedAt: number;
  firstYieldAt: number;
  resumedAt: number;
  yields: number;
  /** The result its waker leaves for it (ThreadPoolCo.ret, qemu_laiocb.ret). */
  wakeRet: number;
}

export interface CoroutineState {
  live: Map<number, Coroutine>;
  nextId: number;
  /** Stacks of every Coroutine object ever allocated, by slot. */
  slots: Stack[];
  /** Slots back in the pool. */
  free: number[];
  /** Slots whose Coroutine QEMU freed (pool full): reused as new allocations, keeping memory flat. */
  dead: number[];
  /** Pool capacity: the global release pool (128) plus one thread's local pool (64). */
  poolMax: number;
  /** Coroutines waiting to be entered by each thread's running qemu_aio_coroutine_enter. */
  pending: number[][];
  newCount: number;
  reuseCount: number;
}

declare module '../engine/types' {
  interface World {
    co: CoroutineState;
  }
}

export function initCoroutines(w: World): void {
  w.co = {
    live: new Map(),
    nextId: 1,
    slots: [],
    free: [],
    dead: [],
    poolMax: 192,
    pending: [],
    newCount: 0,
    reuseCount: 0,
  };
}

export function coroutine(m: Machine, id: number): Coroutine {
  const co = m.s.w.co.live.get(id);
  if (co === undefined) throw new Error(`no live coroutine #${id}`);
  return co;
}

/** qemu_coroutine_entered(): true while the coroutine is on some thread's CPU. */
export function coroutineEntered(co: Coroutine): boolean {
  return co.state === CoState.running;
}

function pendingOf(m: Machine, t: SimThread): number[] {
  const p = m.s.w.co.pending;
  return p[t.id] ?? (p[t.id] = []);
}

function allocate(m: Machine, t: SimThread, entry: number, opaque: number, req: number, slot: number): number {
  const cs = m.s.w.co;
  const co = newCoroutine(cs.nextId++, slot, entry, opaque, req, cs.slots[slot], t.id, t.time);
  co.stack.depth = 0;
  cs.live.set(co.id, co);
  return co.id;
}

/** qemu_coroutine_new: a 1 MiB stack and a ucontext — the expensive part of a cold pool. */
export const qemu_coroutine_new = returns('qemu_coroutine_new', {});

/** qemu_coroutine_create(entry, opaque): from the pool, or a fresh stack. Returns the coroutine's id. */
export const qemu_coroutine_create = step(
  'qemu_coroutine_create',
  { args: ['entry: fn', 'opaque: int'], at: ['allocated'] },
  ({ entry, opaque }, at) =>
    (m, t, f) => {
      const cs = m.s.w.co;
      if (f.pc === ENTRY) {
        if (cs.free.length === 0) {
          f.pc = at.allocated;
          return m.call(t, qemu_coroutine_new, f.req);
        }
        cs.reuseCount++;
        return m.ret(t, allocate(m, t, f[entry], f[opaque], f.req, cs.free.pop()!));
      }
      cs.newCount++;
      let slot = cs.dead.pop();
      if (slot === undefined) {
        slot = cs.slots.length;
        cs.slots.push({ frames: [], depth: 0 });
      }
      return m.ret(t, allocate(m, t, f[entry], f[opaque], f.req, slot));
    },
);

function switchIn(m: Machine, t: SimThread, ctx: number, co: Coroutine): void {
  m.trace(t, 'qemu_aio_coroutine_enter', ctx, -1, co.slot, co.acb);
  co.state = CoState.running;
  co.thread = t.id;
  co.ctx = ctx;
  t.stack = co.stack;
  t.co = co.id;
  if (co.stack.depth === 0) {
    // qemu_coroutine_switch lands a new coroutine in coroutine_trampoline
    m.call(t, coroutine_trampoline, co.req, co.id);
  } else {
    const top = co.stack.frames[co.stack.depth - 1];
    co.resumedAt = t.time;
    m.emit(t, top.fn, Phase.resume, co.req, co.stack.depth);
    t.time += m.exitCost;
  }
}

function switchOut(t: SimThread): void {
  t.stack = t.native;
  t.co = -1;
}

/**
 * qemu_aio_coroutine_enter(ctx, co): switch to the coroutine; when it yields or terminates,
 * run (depth first) the coroutines it queued for wake-up, each in turn the one entered (to).
 */
export const qemu_aio_coroutine_enter = step(
  'qemu_aio_coroutine_enter',
  { args: ['ctx: ctx', 'co: co'], locals: ['to: co'], at: ['switched', 'deleted'] },
  ({ ctx, co, to }, at) =>
    (m, t, f) => {
      const pending = pendingOf(m, t);
      switch (f.pc) {
        case ENTRY:
          f[to] = f[co];
          f.pc = at.switched;
          return switchIn(m, t, f[ctx], coroutine(m, f[to]));
        case at.switched: {
          const c = coroutine(m, f[to]);
          pending.unshift(...c.wakeup);
          c.wakeup.length = 0;
          if (c.state === CoState.terminated) {
            m.trace(t, 'qemu_coroutine_terminate', c.slot);
            f.pc = at.deleted;
            return m.call(t, coroutine_delete, c.req, c.id);
          }
        }
        // fallthrough: the coroutine yielded
        default:
          if (pending.length > 0) {
            f[to] = pending.shift()!;
            f.pc = at.switched;
            return switchIn(m, t, f[ctx], coroutine(m, f[to]));
          }
          return m.ret(t);
      }
    },
);

/** coroutine_trampoline(co): runs the entry function, then terminates the coroutine. */
export const coroutine_trampoline = step(
  'coroutine_trampoline',
  { args: ['co: co'], at: ['returned'] },
  ({ co }, at) =>
    (m, t, f) => {
      const c = coroutine(m, f[co]);
      if (f.pc === ENTRY) {
        f.pc = at.returned;
        return m.callIndirect(t, c.entry, c.req, c.acb);
      }
      c.state = CoState.terminated;
      m.ret(t);
      return switchOut(t);
    },
);

/** qemu_coroutine_yield(): suspend the running coroutine; the thread goes back to its caller. */
export const qemu_coroutine_yield = step('qemu_coroutine_yield', { at: ['resumed'] }, (_, at) => (m, t, f) => {
  if (f.pc !== ENTRY) return m.ret(t);
  const co = coroutine(m, t.co);
  m.trace(t, 'qemu_coroutine_yield', co.slot, -1);
  co.state = CoState.yielded;
  co.yieldedAt = t.time;
  if (co.firstYieldAt < 0) co.firstYieldAt = t.time;
  co.yields++;
  f.pc = at.resumed;
  m.emit(t, f.fn, Phase.yield, f.req, co.stack.depth);
  t.time += m.exitCost;
  return switchOut(t);
});

/** coroutine_delete(co): back to the pool, or freed when the pool is full. */
export const coroutine_delete = step('coroutine_delete', { args: ['co: co'] }, ({ co }) => (m, t, f) => {
  const cs = m.s.w.co;
  const c = coroutine(m, f[co]);
  cs.live.delete(c.id);
  if (cs.free.length < cs.poolMax) cs.free.push(c.slot);
  else cs.dead.push(c.slot);
  return m.ret(t);
});

function newCoroutine(
  id: number,
  slot: number,
  entry: number,
  acb: number,
  req: number,
  stack: Stack,
  thread: number,
  now: number,
): Coroutine {
  return {
    id,
    slot,
    entry,
    acb,
    req,
    stack,
    state: CoState.created,
    ctx: -1,
    thread,
    wakeup: [],
    createdAt: now,
    yieldedAt: -1,
    firstYieldAt: -1,
    resumedAt: -1,
    yields: 0,
    wakeRet: 0,
  };
}

function copyCoroutine(c: Coroutine): Coroutine {
  return {
    id: c.id,
    slot: c.slot,
    entry: c.entry,
    acb: c.acb,
    req: c.req,
    stack: c.stack,
    state: c.state,
    ctx: c.ctx,
    thread: c.thread,
    wakeup: [...c.wakeup],
    createdAt: c.createdAt,
    yieldedAt: c.yieldedAt,
    firstYieldAt: c.firstYieldAt,
    resumedAt: c.resumedAt,
    yields: c.yields,
    wakeRet: c.wakeRet,
  };
}

/** Checkpoint copy of the coroutine state (stacks are relinked afterwards). */
export function copyCoroutineState(cs: CoroutineState): CoroutineState {
  const live = new Map<number, Coroutine>();
  for (const [id, c] of cs.live) live.set(id, copyCoroutine(c));
  return {
    live,
    nextId: cs.nextId,
    slots: cs.slots.map(copyStack),
    free: [...cs.free],
    dead: [...cs.dead],
    poolMax: cs.poolMax,
    pending: cs.pending.map((p) => (p ? [...p] : p)),
    newCount: cs.newCount,
    reuseCount: cs.reuseCount,
  };
}

/** After a checkpoint copy: a coroutine runs on its slot's stack, and so does the thread running it. */
export function relinkCoroutines(s: SimState): void {
  const cs = s.w.co;
  for (const co of cs.live.values()) co.stack = cs.slots[co.slot];
  for (const t of s.threads) if (t.co >= 0) t.stack = cs.live.get(t.co)!.stack;
}
