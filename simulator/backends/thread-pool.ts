// util/thread-pool.c: one pool per AioContext. A submission queues an element and posts a
// semaphore; a worker is spawned only when none is idle (at most max_threads = 64), and
// only one thread is being created at a time — the BH creates the first, each new worker
// creates the next. A finished element schedules the pool's completion BH in the owning
// context, which calls the element's callback there (thread_pool_co_cb wakes the coroutine).

import { Fn } from '../catalog';
import { AioContext, ctxOf, newBh } from '../aio/aio-context';
import { coroutine } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine, Step, tailCall, Wait, World } from '../engine/machine';

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

declare module '../engine/machine' {
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

function pool(m: Machine, id: number): ThreadPool {
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
  p.completionBh = newBh(w, ctx, 'thread_pool_completion_bh', Fn.thread_pool_completion_bh, id).id;
  p.newThreadBh = newBh(w, ctx, 'spawn_thread_bh_fn', Fn.spawn_thread_bh_fn, id).id;
  w.pool.pools.push(p);
  w.pool.byCtx[ctx.id] = id;
  return p;
}

/** aio_get_thread_pool(ctx = a): the context's pool, created on first use. Returns its id. */
const aio_get_thread_pool: Step = (m, t, f) => {
  const w = m.s.w;
  const id = w.pool.byCtx[f.a] ?? -1;
  return m.ret(t, id >= 0 ? id : createPool(w, ctxOf(m, f.a)).id);
};

/** thread_pool_submit_co(pool = a, func = b, arg = c): submit, yield, return the job's result. */
const thread_pool_submit_co: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.thread_pool_submit_aio, f.req, f.a, f.b, f.c);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.qemu_coroutine_yield, f.req);
    default:
      return m.ret(t, coroutine(m, t.co).wakeRet);
  }
};

/** thread_pool_submit_aio(pool = a, func = b, arg = c), callback thread_pool_co_cb(self). */
const thread_pool_submit_aio: Step = (m, t, f) => {
  const ps = m.s.w.pool;
  const p = pool(m, f.a);
  switch (f.pc) {
    case 0: {
      const id = ps.freeElems.length > 0 ? ps.freeElems.pop()! : ps.elems.length;
      ps.elems[id] = newElement(id, p.id, f.b, f.c, f.req, ElemState.queued, 0, Fn.thread_pool_co_cb, t.co, -1, t.time);
      p.head.unshift(id);
      m.trace(t, 'thread_pool_submit', p.id, id, f.c);
      f.c = id;
      if (p.idleThreads === 0 && p.curThreads < p.maxThreads) {
        f.pc = 1;
        return m.call(t, Fn.spawn_thread, f.req, p.id);
      }
    }
    // fallthrough
    case 1:
      p.requestList.push(f.c);
      if (p.requestList.length > p.maxQueued) p.maxQueued = p.requestList.length;
      f.pc = 2;
      return m.call(t, Fn.qemu_sem_post, f.req, p.id);
    default:
      return m.ret(t, f.c);
  }
};

/** spawn_thread(pool = a): count a thread to create; ask the BH only if none is being created. */
const spawn_thread: Step = (m, t, f) => {
  const p = pool(m, f.a);
  if (f.pc === 0) {
    p.curThreads++;
    p.newThreads++;
    if (p.pendingThreads === 0) {
      f.pc = 1;
      return m.call(t, Fn.qemu_bh_schedule, f.req, p.newThreadBh);
    }
  }
  return m.ret(t);
};

/** spawn_thread_bh_fn(pool = a), a BH in the pool's context. */
const spawn_thread_bh_fn = tailCall(Fn.do_spawn_thread);

/** do_spawn_thread(pool = a): create one thread of the backlog, if any. */
const do_spawn_thread: Step = (m, t, f) => {
  const p = pool(m, f.a);
  if (f.pc === 0 && p.newThreads > 0) {
    p.newThreads--;
    p.pendingThreads++;
    f.pc = 1;
    return m.call(t, Fn.qemu_thread_create, -1, p.id);
  }
  return m.ret(t);
};

/** qemu_thread_create(pool = a): a new "worker" thread starting in worker_thread. */
const qemu_thread_create: Step = (m, t, f) => {
  const ps = m.s.w.pool;
  const p = pool(m, f.a);
  const n = ++ps.workerSeq;
  const w = m.spawnThread(
    `worker-${n}`,
    'worker',
    -1,
    Fn.worker_thread,
    t.time + ps.threadCreateNs,
    ps.nextTid++,
    p.id,
  );
  p.workers.push(w.id);
  p.spawned++;
  return m.ret(t);
};

/**
 * worker_thread(pool = a), the base frame of a worker. Locals: c = the element it runs.
 * Wait on the semaphore (10 s); take the oldest element; run it; mark it done and schedule
 * the completion BH; repeat. Exit after an idle timeout with an empty queue.
 */
const worker_thread: Step = (m, t, f) => {
  const ps = m.s.w.pool;
  const p = pool(m, f.a);
  switch (f.pc) {
    case 0:
      p.pendingThreads--;
      f.pc = 1;
      return m.call(t, Fn.do_spawn_thread, -1, p.id);
    case 1:
      p.idleThreads++;
      f.pc = 2;
      return m.call(t, Fn.qemu_sem_timedwait, -1, p.id);
    case 2: {
      p.idleThreads--;
      if (f.ret === -1) {
        if (p.requestList.length > 0) {
          f.pc = 1;
          return worker_thread(m, t, f);
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
      f.c = id;
      f.pc = 3;
      return m.call(t, el.func, el.req, el.arg, id);
    }
    case 3: {
      const el = ps.elems[f.c];
      el.ret = f.ret;
      el.state = ElemState.done;
      f.pc = 1;
      return m.call(t, Fn.qemu_bh_schedule, el.req, p.completionBh);
    }
    default:
      throw new Error('worker_thread: bad pc');
  }
};

/** qemu_sem_timedwait(pool = a): take a count, or sleep until a post or the idle timeout. */
const qemu_sem_timedwait: Step = (m, t, f) => {
  const p = pool(m, f.a);
  if (f.pc === 0) {
    if (p.sem > 0) {
      p.sem--;
      return m.ret(t, 0);
    }
    p.semWaiters.push(t.id);
    f.pc = 1;
    return m.block(t, Wait.semaphore, t.time + m.s.w.pool.idleTimeoutNs);
  }
  if (t.timedOut) {
    p.semWaiters.splice(p.semWaiters.indexOf(t.id), 1);
    return m.ret(t, -1);
  }
  return m.ret(t, 0);
};

/** qemu_sem_post(pool = a): hand the count to the longest-waiting worker, or keep it. */
const qemu_sem_post: Step = (m, t, f) => {
  const p = pool(m, f.a);
  const waiter = p.semWaiters.shift();
  if (waiter === undefined) p.sem++;
  else m.wake(m.s.threads[waiter], t.time + m.s.w.aio.wakeNs);
  return m.ret(t);
};

/**
 * thread_pool_completion_bh(pool = a). Locals: c = element being completed. Scan for a DONE
 * element, re-schedule itself, run the callback, cancel the re-schedule, free the element,
 * and scan again from the start.
 */
const thread_pool_completion_bh: Step = (m, t, f) => {
  const ps = m.s.w.pool;
  const p = pool(m, f.a);
  switch (f.pc) {
    case 0: {
      const id = p.head.find((e) => ps.elems[e].state === ElemState.done);
      if (id === undefined) return m.ret(t);
      const el = ps.elems[id];
      m.trace(t, 'thread_pool_complete', p.id, id, el.arg, el.ret);
      p.head.splice(p.head.indexOf(id), 1);
      f.c = id;
      f.pc = 1;
      return m.call(t, Fn.qemu_bh_schedule, el.req, p.completionBh);
    }
    case 1: {
      const el = ps.elems[f.c];
      f.pc = 2;
      return m.call(t, el.cb, el.req, f.c);
    }
    default:
      // qemu_bh_cancel, qemu_aio_unref, goto restart
      m.s.w.aio.bhs[p.completionBh].scheduled = false;
      ps.freeElems.push(f.c);
      f.pc = 0;
      return thread_pool_completion_bh(m, t, f);
  }
};

/** thread_pool_co_cb(element = a): hand the result to the coroutine and wake it. */
const thread_pool_co_cb: Step = (m, t, f) => {
  if (f.pc === 0) {
    const el = m.s.w.pool.elems[f.a];
    coroutine(m, el.opaque).wakeRet = el.ret;
    f.pc = 1;
    return m.call(t, Fn.aio_co_wake, f.req, 0, el.opaque);
  }
  return m.ret(t);
};

export function registerThreadPoolSteps(steps: Step[]): void {
  steps[Fn.aio_get_thread_pool] = aio_get_thread_pool;
  steps[Fn.thread_pool_submit_co] = thread_pool_submit_co;
  steps[Fn.thread_pool_submit_aio] = thread_pool_submit_aio;
  steps[Fn.spawn_thread] = spawn_thread;
  steps[Fn.spawn_thread_bh_fn] = spawn_thread_bh_fn;
  steps[Fn.do_spawn_thread] = do_spawn_thread;
  steps[Fn.qemu_thread_create] = qemu_thread_create;
  steps[Fn.worker_thread] = worker_thread;
  steps[Fn.qemu_sem_timedwait] = qemu_sem_timedwait;
  steps[Fn.qemu_sem_post] = qemu_sem_post;
  steps[Fn.thread_pool_completion_bh] = thread_pool_completion_bh;
  steps[Fn.thread_pool_co_cb] = thread_pool_co_cb;
}
