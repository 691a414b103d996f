// block/io_uring.c as of 8.2–10.1: aio=io_uring. One LuringState per AioContext, set up by the
// first request that thread submits. A request becomes a submission-queue entry queued on
// io_q.submit_queue; unless the ring is full, the submission waits for the end of the current
// deferred-call section (luring_deferred_fn), where one io_uring_enter hands the kernel every
// queued entry. The kernel posts each result to the completion ring and makes the ring's fd
// readable; QEMU reaps the ring from that fd's handler, from polling, or right after submitting.
// Reads and writes of an O_DIRECT file complete from the device; an fsync cannot run without
// blocking, so the kernel hands it to its io-wq worker thread, iou-wrk-<pid>.

import {
  addHandler,
  AioContext,
  ctxOf,
  currentCtx,
  fdsReady,
  newBh,
  pokePoller,
  qemu_bh_schedule,
  signalNotifier,
} from '../aio/aio-context';
import { aio_co_wake } from '../aio/co-wake';
import { defer_call, defer_call_begin, defer_call_end } from '../aio/defer-call';
import { FILE_NODE } from '../block/io';
import { coroutine, coroutineEntered, qemu_coroutine_yield } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, SimThread, Wait, World } from '../engine/types';
import { fdatasync } from '../block/file-posix';
import { step, tailCall } from '../step';
import { deviceResult, deviceSubmit, IoOp } from './device';
import { hostIo } from './host-io';
import { EINPROGRESS } from './linux-aio';

/** io_uring_queue_init's ring size (MAX_ENTRIES): at most this many entries wait or run at once. */
export const MAX_ENTRIES = 128;
/** QEMU_AIO_READ, QEMU_AIO_WRITE, QEMU_AIO_FLUSH: the `type` luring_co_submit traces. */
const AIO_TYPE = [1, 2, 8];
/** The image's file descriptor as the traces print it (a made-up but plausible number). */
export const IMAGE_FD = 11;

export interface LuringCb {
  id: number;
  luring: number;
  co: number;
  req: number;
  op: number;
  offset: number;
  bytes: number;
  /** The host I/O description (RawPosixAIOData), for a job the io-wq worker runs. */
  hostio: number;
  ret: number;
  /** The device I/O the kernel started, -1 before submission (or while iou-wrk has it). */
  io: number;
  /** The completion's res: bytes or -errno. */
  res: number;
}

export interface LuringState {
  id: number;
  ctx: number;
  /** io_q.submit_queue: entries not yet given to the kernel, FIFO. */
  queue: number[];
  inFlight: number;
  blocked: boolean;
  /** The completion ring: finished entries not reaped yet. */
  cq: number[];
  /** The ring fd's handler and the completion BH in the context. */
  handler: number;
  completionBh: number;
  submits: number;
  submitted: number;
}

export interface UringState {
  states: LuringState[];
  byCtx: number[];
  cbs: LuringCb[];
  freeCbs: number[];
  /** Timer kind: the device finished an entry. */
  doneTimer: number;
  /** The kernel's io-wq worker (iou-wrk) thread id once created, and the fsyncs handed to it. */
  worker: number;
  workQueue: number[];
  workerTid: number;
}

declare module '../engine/types' {
  interface World {
    uring: UringState;
  }
}

export function initIoUring(w: World, workerTid: number): void {
  w.uring = { states: [], byCtx: [], cbs: [], freeCbs: [], doneTimer: -1, worker: -1, workQueue: [], workerTid };
}

function newLuringCb(
  id: number,
  luring: number,
  co: number,
  req: number,
  op: number,
  offset: number,
  bytes: number,
  hostio: number,
  ret: number,
  io: number,
  res: number,
): LuringCb {
  return { id, luring, co, req, op, offset, bytes, hostio, ret, io, res };
}

export function copyUringState(u: UringState): UringState {
  return {
    ...copyPlain({ ...u, cbs: [] }),
    cbs: u.cbs.map((c) =>
      newLuringCb(c.id, c.luring, c.co, c.req, c.op, c.offset, c.bytes, c.hostio, c.ret, c.io, c.res),
    ),
  };
}

export function registerIoUringTimers(m: Machine): void {
  m.s.w.uring.doneTimer = m.addTimer(entryDone);
}

/** aio_setup_linux_io_uring + luring_attach_aio_context: the ring's fd handler and completion BH. */
function attachLuring(w: World, ctx: AioContext): LuringState {
  const id = w.uring.states.length;
  const s: LuringState = {
    id,
    ctx: ctx.id,
    queue: [],
    inFlight: 0,
    blocked: false,
    cq: [],
    handler: -1,
    completionBh: -1,
    submits: 0,
    submitted: 0,
  };
  s.completionBh = newBh(w, ctx, 'qemu_luring_completion_bh', qemu_luring_completion_bh, id).id;
  s.handler = addHandler(w, ctx, 'io_uring ring fd', id, {
    read: qemu_luring_completion_cb,
    poll: qemu_luring_poll_cb,
    pollReady: qemu_luring_poll_ready,
  }).id;
  w.uring.states.push(s);
  while (w.uring.byCtx.length <= ctx.id) w.uring.byCtx.push(-1);
  w.uring.byCtx[ctx.id] = id;
  return s;
}

/** The LuringState of the thread's context, set up on first use (raw_check_linux_io_uring, 9.0+). */
function luringOf(m: Machine, t: SimThread): LuringState {
  const w = m.s.w;
  const ctx = currentCtx(t);
  const id = w.uring.byCtx[ctx] ?? -1;
  return id >= 0 ? w.uring.states[id] : attachLuring(w, ctxOf(m, ctx));
}

function luring(m: Machine, id: number): LuringState {
  return m.s.w.uring.states[id];
}

/** The kernel posts a completion: into the ring, whose fd becomes readable. */
function postCompletion(m: Machine, cb: LuringCb): void {
  const s = luring(m, cb.luring);
  s.cq.push(cb.id);
  signalNotifier(m, m.s.w.aio.handlers[s.handler], m.s.now);
  pokePoller(m, ctxOf(m, s.ctx), m.s.now);
}

function entryDone(m: Machine, cbId: number): void {
  const cb = m.s.w.uring.cbs[cbId];
  const r = deviceResult(m, cb.io);
  cb.io = -1;
  cb.res = r < 0 ? r : cb.bytes;
  postCompletion(m, cb);
}

/**
 * The kernel's side of io_uring_enter on a LuringState's ring: it takes up to `n` queued entries.
 * Reads and writes start on the device; an fsync goes to the io-wq worker (created the first time).
 */
function submitEntries(m: Machine, t: SimThread, s: LuringState, n: number): number {
  const u = m.s.w.uring;
  const taken = s.queue.splice(0, Math.min(n, MAX_ENTRIES));
  for (const id of taken) {
    const cb = u.cbs[id];
    if (cb.op === IoOp.flush) {
      u.workQueue.push(id);
      if (u.worker < 0) {
        u.worker = m.spawnThread(`iou-wrk-${m.s.threads[0].tid}`, 'kernel', -1, io_wq_worker, t.time, u.workerTid).id;
      } else m.wake(m.s.threads[u.worker], t.time + m.s.w.aio.wakeNs);
    } else {
      cb.io = deviceSubmit(m, cb.op, cb.offset, cb.bytes, true, cb.req, u.doneTimer, id);
    }
  }
  s.submits++;
  s.submitted += taken.length;
  return taken.length;
}

/**
 * io_uring_enter(ring, timeout, to_submit). With a context's fd-monitoring ring (ring ≥ 0, the
 * context's id) it waits like ppoll for one of the context's fds (an IOThread of 10.0 waits this
 * way); with a LuringState's ring (-1 - its id) it starts `to_submit` queued entries.
 */
export const io_uring_enter = step(
  'io_uring_enter',
  { args: ['ring: int', 'timeout: ns', 'to_submit: int'], at: ['woken'] },
  ({ ring, timeout, to_submit }, at) =>
    (m, t, f) => {
      if (f[ring] < 0) return m.ret(t, submitEntries(m, t, luring(m, -1 - f[ring]), f[to_submit]));
      const c = ctxOf(m, f[ring]);
      if (f.pc === ENTRY && f[timeout] !== 0 && !fdsReady(m, c)) {
        f.pc = at.woken;
        return m.block(t, Wait.fd);
      }
      return m.ret(t, fdsReady(m, c) ? 1 : 0);
    },
);

/**
 * io_wq_worker(): the kernel's io-wq worker (iou-wrk-<pid>): runs the entries io_uring could not
 * complete without blocking (here the fsyncs), one at a time (`cb`), and posts their completions.
 */
export const io_wq_worker = step(
  'io_wq_worker',
  { locals: ['cb: luringcb'], at: ['synced'] },
  ({ cb }, at) =>
    (m, t, f) => {
      const u = m.s.w.uring;
      if (f.pc === at.synced) {
        const c = u.cbs[f[cb]];
        c.res = f.ret < 0 ? f.ret : 0;
        postCompletion(m, c);
      }
      const id = u.workQueue.shift();
      if (id === undefined) {
        f.pc = ENTRY;
        return m.block(t, Wait.kernelWork);
      }
      f[cb] = id;
      f.pc = at.synced;
      return m.call(t, fdatasync, u.cbs[id].req, u.cbs[id].hostio);
    },
);

/**
 * luring_co_submit(hostio): an entry (`luringcb`) for the request on the LuringState (`s`) of the
 * thread's context; yield until it completed.
 */
export const luring_co_submit = step(
  'luring_co_submit',
  { args: ['hostio: hostio'], locals: ['s: luring', 'luringcb: luringcb'], at: ['queued', 'woken'] },
  ({ hostio, s, luringcb }, at) =>
    (m, t, f) => {
      const u = m.s.w.uring;
      switch (f.pc) {
        case ENTRY: {
          const st = luringOf(m, t);
          const io = hostIo(m.s.w, f[hostio]);
          const id = u.freeCbs.length > 0 ? u.freeCbs.pop()! : u.cbs.length;
          u.cbs[id] = newLuringCb(id, st.id, t.co, f.req, io.op, io.offset, io.bytes, f[hostio], EINPROGRESS, -1, 0);
          f[s] = st.id;
          f[luringcb] = id;
          m.trace(t, 'luring_co_submit', FILE_NODE, st.id, id, IMAGE_FD, io.offset, io.bytes, AIO_TYPE[io.op]);
          f.pc = at.queued;
          return m.call(t, luring_do_submit, f.req, st.id, id);
        }
        case at.queued:
          f.pc = at.woken;
          if (u.cbs[f[luringcb]].ret === EINPROGRESS) return m.call(t, qemu_coroutine_yield, f.req);
        // fallthrough: completed while we were still submitting
        default: {
          const ret = u.cbs[f[luringcb]].ret;
          u.freeCbs.push(f[luringcb]);
          return m.ret(t, ret);
        }
      }
    },
);

/** luring_do_submit(s, luringcb): queue the entry; submit at once only when the ring would be full. */
export const luring_do_submit = step(
  'luring_do_submit',
  { args: ['s: luring', 'luringcb: luringcb'], at: ['submitted', 'deferred'] },
  ({ s, luringcb }, at) =>
    (m, t, f) => {
      const st = luring(m, f[s]);
      switch (f.pc) {
        case ENTRY:
          st.queue.push(f[luringcb]);
          m.trace(t, 'luring_do_submit', st.id, st.blocked ? 1 : 0, st.queue.length, st.inFlight);
          if (st.blocked) return m.ret(t, 0);
          if (st.inFlight + st.queue.length >= MAX_ENTRIES) {
            f.pc = at.submitted;
            return m.call(t, ioq_submit, f.req, st.id);
          }
          f.pc = at.deferred;
          return m.call(t, defer_call, f.req, luring_deferred_fn.id, st.id);
        case at.submitted:
          m.trace(t, 'luring_do_submit_done', st.id, f.ret);
          return m.ret(t, f.ret);
        default:
          return m.ret(t, 0);
      }
    },
);

/**
 * ioq_submit(s): io_uring_enter for every queued entry (again while some are left and the kernel
 * took any), mark the queue blocked if entries are left, then reap whatever already completed.
 */
export const ioq_submit = step(
  'ioq_submit@io_uring',
  { args: ['s: luring'], locals: ['ret: int'], at: ['entered', 'reaped'] },
  ({ s, ret }, at) =>
    (m, t, f) => {
      const st = luring(m, f[s]);
      let refused = false;
      switch (f.pc) {
        case ENTRY:
          f[ret] = 0;
          break;
        case at.entered:
          f[ret] = f.ret;
          m.trace(t, 'luring_io_uring_submit', st.id, f.ret);
          st.inFlight += f.ret;
          refused = f.ret <= 0;
          break;
        default:
          return m.ret(t, f[ret]);
      }
      if (st.queue.length > 0 && !refused) {
        f.pc = at.entered;
        return m.call(t, io_uring_enter, -1, -1 - st.id, 0, st.queue.length);
      }
      st.blocked = st.queue.length > 0;
      f.pc = at.reaped;
      if (st.inFlight > 0) return m.call(t, luring_process_completions, -1, st.id);
      return m.ret(t, f[ret]);
    },
);

/** luring_deferred_fn(s): at the end of a deferred-call section, submit what is queued unless blocked. */
export const luring_deferred_fn = step(
  'luring_deferred_fn',
  { args: ['s: luring'], at: ['submitted'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = luring(m, f[s]);
      if (f.pc !== ENTRY) return m.ret(t);
      m.trace(t, 'luring_unplug_fn', st.id, st.blocked ? 1 : 0, st.queue.length, st.inFlight);
      if (st.blocked || st.queue.length === 0) return m.ret(t);
      f.pc = at.submitted;
      return m.call(t, ioq_submit, -1, st.id);
    },
);

/**
 * luring_process_completions(s), in a deferred-call section: schedule the safety BH, complete every
 * entry in the completion ring, cancel the BH. A full-length read or write returns 0, a short write
 * -ENOSPC; the coroutine is woken unless it is the one running.
 */
export const luring_process_completions = step(
  'luring_process_completions',
  { args: ['s: luring'], at: ['opened', 'reaping', 'closed'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = luring(m, f[s]);
      const u = m.s.w.uring;
      switch (f.pc) {
        case ENTRY:
          f.pc = at.opened;
          return m.call(t, defer_call_begin, -1);
        case at.opened:
          f.pc = at.reaping;
          return m.call(t, qemu_bh_schedule, -1, st.completionBh);
        case at.closed:
          return m.ret(t);
      }
      for (;;) {
        const id = st.cq.shift();
        if (id === undefined) {
          // the ring is empty: its fd is no longer readable; qemu_bh_cancel
          m.s.w.aio.handlers[st.handler].ready = false;
          m.s.w.aio.bhs[st.completionBh].scheduled = false;
          f.pc = at.closed;
          return m.call(t, defer_call_end, -1);
        }
        const cb = u.cbs[id];
        st.inFlight--;
        m.trace(t, 'luring_process_completion', st.id, id, cb.res);
        cb.ret = cb.res < 0 || cb.op === IoOp.flush ? cb.res : cb.res === cb.bytes ? 0 : cb.op === IoOp.read ? 0 : -28;
        const co = coroutine(m, cb.co);
        co.wakeRet = cb.ret;
        if (!coroutineEntered(co)) return m.call(t, aio_co_wake, cb.req, cb.co);
      }
    },
);

/** luring_process_completions_and_submit(s): reap, then submit what is still queued. */
export const luring_process_completions_and_submit = step(
  'luring_process_completions_and_submit',
  { args: ['s: luring'], at: ['reaped', 'submitted'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = luring(m, f[s]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.reaped;
          return m.call(t, luring_process_completions, -1, st.id);
        case at.reaped:
          f.pc = at.submitted;
          if (st.queue.length > 0) return m.call(t, ioq_submit, -1, st.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** qemu_luring_completion_cb(s): the ring fd's handler. */
export const qemu_luring_completion_cb = tailCall(
  'qemu_luring_completion_cb',
  () => luring_process_completions_and_submit,
);

/** qemu_luring_completion_bh(s): the safety BH. */
export const qemu_luring_completion_bh = tailCall(
  'qemu_luring_completion_bh',
  () => luring_process_completions_and_submit,
);

/** qemu_luring_poll_ready(s): polling saw completions. */
export const qemu_luring_poll_ready = tailCall('qemu_luring_poll_ready', () => luring_process_completions_and_submit);

/** qemu_luring_poll_cb(s): are there completions in the ring? */
export const qemu_luring_poll_cb = step(
  'qemu_luring_poll_cb',
  { args: ['s: luring'] },
  ({ s }) =>
    (m, t, f) =>
      m.ret(t, luring(m, f[s]).cq.length > 0 ? 1 : 0),
);
