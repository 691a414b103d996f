// util/thread-pool.c: one pool per AioContext. A submission queues an element and posts a
// semaphore; a worker is spawned only when none is idle (at most max_threads = 64), and
// only one thread is being created at a time — the BH creates the first, each new worker
// creates the next. A finished element schedules the pool's completion BH in the owning
// context, which calls the element's callback there (thread_pool_co_cb wakes the coroutine).
// From 8.1 the pool is the submitting thread's context's; from 8.2 the completion BH runs the
// callbacks inside a deferred-call section. 10.0 renames the AIO pool ThreadPoolAio (its events
// thread_pool_*_aio) and waits on a condition variable instead of a semaphore.

import { AioContext, ctxOf, newBh, qemu_bh_schedule } from '../aio/aio-context';
import { aio_co_wake } from '../aio/co-wake';
import { currentCtx } from '../aio/aio-context';
import { defer_call_begin, defer_call_end } from '../aio/defer-call';
import { coroutine, qemu_coroutine_yield } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, Wait, World } from '../engine/types';
import { step, tailCall } from '../step';

export const ElemState = { queued: 0, active: 1, done: 2 } as const;
export const ELEM_STATE_NAMES = ['QUEUED', 'ACTIVE', 'DONE'] as const;

export interface PoolElement {
  id: number;
  pool: number;
  /** ThreadPoolFunc (handle_aiocb_rw / handle_aiocb_flush) and its argument (a block request id). */
  func: number;
  arg: number;
  req: number;
  state: number;
  ret: number;
  /** Completion callback (thread_pool_co_cb) and its opaque (the coroutine id). */
  cb: number;
  opaque: number;
  /** Worker thread that ran it, -1 until one did. */
  worker: number;
  submittedAt: number;
}

export interface ThreadPool {
  id: number;
  ctx: number;
  /** pool->head: elements not yet completed, newest first. */
  head: number[];
  /** pool->request_list: elements waiting for a worker, FIFO. */
  requestList: number[];
  curThreads: number;
  idleThreads: number;
  newThreads: number;
  pendingThreads: number;
  maxThreads: number;
  /** The semaphore's count, and the workers blocked in qemu_sem_timedwait (FIFO). */
  sem: number;
  semWaiters: number[];
  completionBh: number;
  newThreadBh: number;
  /** Live worker thread ids. */
  workers: number[];
  spawned: number;
  exited: number;
  maxQueued: number;
}

export interface PoolState {
  pools: ThreadPool[];
  /** Pool of each AioContext, -1 until aio_get_thread_pool creates it. */
  byCtx: number[];
  elems: PoolElement[];
  freeElems: number[];
  /** Workers exit after this long with nothing to do (10 s in QEMU). */
  idleTimeoutNs: number;
  threadCreateNs: number;
  /** Names workers worker-1, worker-2, ... across all pools. */
  workerSeq: number;
  nextTid: number;
}

declare module '../engine/types' {
  interface World {
    pool: PoolState;
  }
}

export const MAX_THREADS = 64;
export const WORKER_IDLE_NS = 10_000_000_000;

export function initThreadPools(w: World, threadCreateNs: number, firstTid: number): void {
  w.pool = {
    pools: [],
    byCtx: [],
    elems: [],
    freeElems: [],
    idleTimeoutNs: WORKER_IDLE_NS,
    threadCreateNs,
    workerSeq: 0,
    nextTid: firstTid,
  };
}

function newElement(
  id: number,
  pool: number,
  func: number,
  arg: number,
  req: number,
  state: number,
  ret: number,
  cb: number,
  opaque: number,
  worker: number,
  submittedAt: number,
): PoolElement {
  return { id, pool, func, arg, req, state, ret, cb, opaque, worker, submittedAt };
}

/** Checkpoint copy: elements through their constructor, the rest as plain data. */
export function copyPoolState(ps: PoolState): PoolState {
  return {
    ...copyPlain({ ...ps, elems: [] }),
    elems: ps.elems.map((e) =>
      newElement(e.id, e.pool, e.func, e.arg, e.req, e.state, e.ret, e.cb, e.opaque, e.worker, e.submittedAt),
    ),
  };
}

function poolOf(m: Machine, id: number): ThreadPool {
  return m.s.w.pool.pools[id];
}

/** thread_pool_init_one: the completion BH, then the thread-creation BH, in the pool's context. */
function createPool(w: World, ctx: AioContext): ThreadPool {
  const id = w.pool.pools.length;
  const p: ThreadPool = {
    id,
    ctx: ctx.id,
    head: [],
    requestList: [],
    curThreads: 0,
    idleThreads: 0,
    newThreads: 0,
    pendingThreads: 0,
    maxThreads: MAX_THREADS,
    sem: 0,
    semWaiters: [],
    completionBh: -1,
    newThreadBh: -1,
    workers: [],
    spawned: 0,
    exited: 0,
    maxQueued: 0,
  };
  p.completionBh = newBh(w, ctx, 'thread_pool_completion_bh', thread_pool_completion_bh, id).id;
  p.newThreadBh = newBh(w, ctx, 'spawn_thread_bh_fn', spawn_thread_bh_fn, id).id;
  w.pool.pools.push(p);
  while (w.pool.byCtx.length <= ctx.id) w.pool.byCtx.push(-1);
  w.pool.byCtx[ctx.id] = id;
  return p;
}

/** aio_get_thread_pool(ctx): the context's pool, created on first use. Returns its id. */
export const aio_get_thread_pool = step('aio_get_thread_pool', { args: ['ctx: ctx'] }, ({ ctx }) => (m, t, f) => {
  const w = m.s.w;
  const id = w.pool.byCtx[f[ctx]] ?? -1;
  return m.ret(t, id >= 0 ? id : createPool(w, ctxOf(m, f[ctx])).id);
});

/** qemu_sem_post(pool): hand the count to the longest-waiting worker, or keep it. */
export const qemu_sem_post = step('qemu_sem_post', { args: ['pool: pool'] }, ({ pool }) => (m, t, f) => {
  const p = poolOf(m, f[pool]);
  const waiter = p.semWaiters.shift();
  if (waiter === undefined) p.sem++;
  else m.wake(m.s.threads[waiter], t.time + m.s.w.aio.wakeNs);
  return m.ret(t);
});

/** qemu_sem_timedwait(pool): take a count, or sleep until a post or the idle timeout. */
export const qemu_sem_timedwait = step(
  'qemu_sem_timedwait',
  { args: ['pool: pool'], at: ['woken'] },
  ({ pool }, at) =>
    (m, t, f) => {
      const p = poolOf(m, f[pool]);
      if (f.pc === ENTRY) {
        if (p.sem > 0) {
          p.sem--;
          return m.ret(t, 0);
        }
        p.semWaiters.push(t.id);
        f.pc = at.woken;
        return m.block(t, Wait.semaphore, t.time + m.s.w.pool.idleTimeoutNs);
      }
      if (t.timedOut) {
        p.semWaiters.splice(p.semWaiters.indexOf(t.id), 1);
        return m.ret(t, -1);
      }
      return m.ret(t, 0);
    },
);

/** spawn_thread(pool): count a thread to create; ask the BH only if none is being created. */
export const spawn_thread = step(
  'spawn_thread',
  { args: ['pool: pool'], at: ['scheduled'] },
  ({ pool }, at) =>
    (m, t, f) => {
      const p = poolOf(m, f[pool]);
      if (f.pc === ENTRY) {
        p.curThreads++;
        p.newThreads++;
        if (p.pendingThreads === 0) {
          f.pc = at.scheduled;
          return m.call(t, qemu_bh_schedule, f.req, p.newThreadBh);
        }
      }
      return m.ret(t);
    },
);

/**
 * thread_pool_submit_aio(pool, func, arg): queue an element (`elem`) for the workers; returns its
 * id. From 8.1 the caller passes no pool (-1): the running thread's context's is looked up.
 */
export const thread_pool_submit_aio = step(
  'thread_pool_submit_aio',
  { args: ['pool: pool', 'func: fn', 'arg: hostio'], locals: ['elem: elem'], at: ['got_pool', 'spawned', 'posted'] },
  ({ pool, func, arg, elem }, at) =>
    (m, t, f) => {
      const ps = m.s.w.pool;
      if (f.pc === ENTRY && f[pool] < 0) {
        f.pc = at.got_pool;
        return m.call(t, aio_get_thread_pool, f.req, currentCtx(t));
      }
      const p = poolOf(m, f.pc === ENTRY ? f[pool] : f.pc === at.got_pool ? f.ret : ps.elems[f[elem]].pool);
      switch (f.pc) {
        case ENTRY:
        case at.got_pool: {
          const id = ps.freeElems.length > 0 ? ps.freeElems.pop()! : ps.elems.length;
          const cb = thread_pool_co_cb.id;
          ps.elems[id] = newElement(id, p.id, f[func], f[arg], f.req, ElemState.queued, 0, cb, t.co, -1, t.time);
          p.head.unshift(id);
          m.trace(t, 'thread_pool_submit', p.id, id, f[arg]);
          f[elem] = id;
          if (p.idleThreads === 0 && p.curThreads < p.maxThreads) {
            f.pc = at.spawned;
            return m.call(t, spawn_thread, f.req, p.id);
          }
        }
        // fallthrough
        case at.spawned:
          p.requestList.push(f[elem]);
          if (p.requestList.length > p.maxQueued) p.maxQueued = p.requestList.length;
          f.pc = at.posted;
          return m.call(t, qemu_sem_post, f.req, p.id);
        default:
          return m.ret(t, f[elem]);
      }
    },
);

/** thread_pool_submit_co(pool, func, arg): submit, yield, return the job's result. */
export const thread_pool_submit_co = step(
  'thread_pool_submit_co',
  { args: ['pool: pool', 'func: fn', 'arg: hostio'], at: ['submitted', 'woken'] },
  ({ pool, func, arg }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.submitted;
          return m.call(t, thread_pool_submit_aio, f.req, f[pool], f[func], f[arg]);
        case at.submitted:
          f.pc = at.woken;
          return m.call(t, qemu_coroutine_yield, f.req);
        default:
          return m.ret(t, coroutine(m, t.co).wakeRet);
      }
    },
);

/** qemu_thread_create(pool): a new "worker" thread starting in worker_thread. */
export const qemu_thread_create = step('qemu_thread_create', { args: ['pool: pool'] }, ({ pool }) => (m, t, f) => {
  const ps = m.s.w.pool;
  const p = poolOf(m, f[pool]);
  const n = ++ps.workerSeq;
  const w = m.spawnThread(`worker-${n}`, 'worker', -1, worker_thread, t.time + ps.threadCreateNs, ps.nextTid++, p.id);
  p.workers.push(w.id);
  p.spawned++;
  return m.ret(t);
});

/** do_spawn_thread(pool): create one thread of the backlog, if any. */
export const do_spawn_thread = step(
  'do_spawn_thread',
  { args: ['pool: pool'], at: ['created'] },
  ({ pool }, at) =>
    (m, t, f) => {
      const p = poolOf(m, f[pool]);
      if (f.pc === ENTRY && p.newThreads > 0) {
        p.newThreads--;
        p.pendingThreads++;
        f.pc = at.created;
        return m.call(t, qemu_thread_create, -1, p.id);
      }
      return m.ret(t);
    },
);

/** spawn_thread_bh_fn(pool), a BH in the pool's context. */
export const spawn_thread_bh_fn = tailCall('spawn_thread_bh_fn', () => do_spawn_thread);

/**
 * worker_thread(pool), the base frame of a worker. Wait on the semaphore (10 s); take the
 * oldest element (`req`); run it; mark it done and schedule the completion BH; repeat. Exit
 * after an idle timeout with an empty queue.
 */
export const worker_thread = step(
  'worker_thread',
  { args: ['pool: pool'], locals: ['req: elem'], at: ['waiting', 'woken', 'ran'] },
  ({ pool, req }, at) =>
    (m, t, f) => {
      const ps = m.s.w.pool;
      const p = poolOf(m, f[pool]);
      switch (f.pc) {
        case ENTRY:
          p.pendingThreads--;
          f.pc = at.waiting;
          return m.call(t, do_spawn_thread, -1, p.id);
        case at.waiting:
          p.idleThreads++;
          f.pc = at.woken;
          return m.call(t, qemu_sem_timedwait, -1, p.id);
        case at.woken: {
          p.idleThreads--;
          if (f.ret === -1) {
            if (p.requestList.length > 0) {
              f.pc = at.waiting;
              return worker_thread.run(m, t, f);
            }
            p.curThreads--;
            p.exited++;
            p.workers.splice(p.workers.indexOf(t.id), 1);
            return m.exitThread(t);
          }
          const id = p.requestList.shift()!;
          const el = ps.elems[id];
          el.state = ElemState.active;
          el.worker = t.id;
          f[req] = id;
          f.pc = at.ran;
          return m.callIndirect(t, el.func, el.req, el.arg);
        }
        default: {
          const el = ps.elems[f[req]];
          el.ret = f.ret;
          el.state = ElemState.done;
          f.pc = at.waiting;
          return m.call(t, qemu_bh_schedule, el.req, p.completionBh);
        }
      }
    },
);

/** thread_pool_co_cb(opaque = the element): hand the result to the coroutine and wake it. */
export const thread_pool_co_cb = step(
  'thread_pool_co_cb',
  { args: ['opaque: elem'], at: ['woken'] },
  ({ opaque }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      const el = m.s.w.pool.elems[f[opaque]];
      coroutine(m, el.opaque).wakeRet = el.ret;
      f.pc = at.woken;
      return m.call(t, aio_co_wake, f.req, el.opaque);
    },
);

/**
 * thread_pool_completion_bh(pool). Scan for a DONE element (`elem`), re-schedule itself, run
 * the callback, cancel the re-schedule, free the element, and scan again from the start; from
 * 8.2 all inside a deferred-call section.
 */
export const thread_pool_completion_bh = step(
  'thread_pool_completion_bh',
  { args: ['pool: pool'], locals: ['elem: elem'], at: ['opened', 'rescheduled', 'called_back', 'closed'] },
  ({ pool, elem }, at) =>
    (m, t, f) => {
      const ps = m.s.w.pool;
      const p = poolOf(m, f[pool]);
      const deferred = m.s.w.qemu.deferCall;
      switch (f.pc) {
        case ENTRY:
          if (deferred) {
            f.pc = at.opened;
            return m.call(t, defer_call_begin, -1);
          }
        // fallthrough
        case at.opened: {
          const id = p.head.find((e) => ps.elems[e].state === ElemState.done);
          if (id === undefined) {
            if (!deferred) return m.ret(t);
            f.pc = at.closed;
            return m.call(t, defer_call_end, -1);
          }
          const el = ps.elems[id];
          m.trace(t, 'thread_pool_complete', p.id, id, el.arg, el.ret);
          p.head.splice(p.head.indexOf(id), 1);
          f[elem] = id;
          f.pc = at.rescheduled;
          return m.call(t, qemu_bh_schedule, el.req, p.completionBh);
        }
        case at.rescheduled: {
          const el = ps.elems[f[elem]];
          f.pc = at.called_back;
          return m.callIndirect(t, el.cb, el.req, f[elem]);
        }
        case at.called_back:
          // qemu_bh_cancel, qemu_aio_unref, goto restart
          m.s.w.aio.bhs[p.completionBh].scheduled = false;
          ps.freeElems.push(f[elem]);
          f.pc = at.opened;
          return thread_pool_completion_bh.run(m, t, f);
        default:
          return m.ret(t);
      }
    },
);
