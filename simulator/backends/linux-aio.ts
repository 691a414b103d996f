// block/linux-aio.c: aio=native. One LinuxAioState per AioContext. A request becomes an
// iocb queued on io_q.pending; in 4.1.0 io_submit happens at unplug, or at once when the queue
// is not plugged or in_flight + in_queue reaches MAX_EVENTS (128). From 6.1 it happens at once
// when the queue reaches the batch limit (32 by default, aio-max-batch), and from 8.2 otherwise at
// the end of the current deferred-call section (laio_deferred_fn); MAX_EVENTS is 1024 from 5.0.
// Whatever the kernel did not take leaves the queue "blocked" until the completion path
// resubmits it. The kernel posts completions to a ring shared with user space and signals an
// eventfd; QEMU reaps the ring from the eventfd handler, from a poll handler (iothread busy
// polling), or right after a submission. From 9.1 a flush is an fdsync iocb here too.

import {
  addHandler,
  AioContext,
  ctxOf,
  currentCtx,
  event_notifier_test_and_clear,
  newBh,
  pokePoller,
  qemu_bh_schedule,
  signalNotifier,
} from '../aio/aio-context';
import { aio_co_wake } from '../aio/co-wake';
import { defer_call, defer_call_begin, defer_call_end } from '../aio/defer-call';
import { coroutine, coroutineEntered, qemu_coroutine_yield } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, World } from '../engine/types';
import { aio_get_linux_aio } from '../block/file-posix';
import { step, tailCall } from '../step';
import { deviceResult, deviceSubmit } from './device';
import { hostIo } from './host-io';

/** laiocb.ret while the kernel still has the request. */
export const EINPROGRESS = -115;

export interface LaioCb {
  id: number;
  laio: number;
  co: number;
  req: number;
  op: number;
  offset: number;
  bytes: number;
  ret: number;
  /** The device I/O the kernel started for it, -1 before io_submit. */
  io: number;
}

export interface LinuxAioState {
  id: number;
  ctx: number;
  /** io_q.pending: iocbs not yet given to the kernel, FIFO. */
  pending: number[];
  inFlight: number;
  plugged: number;
  blocked: boolean;
  /** Completed iocbs in the shared ring, not yet reaped, with their results. */
  ring: number[];
  /** The eventfd handler id and the completion BH id in the context. */
  handler: number;
  completionBh: number;
  submits: number;
  submitted: number;
  maxInFlight: number;
}

export interface LaioState {
  /** MAX_EVENTS (io_setup's size, the in-flight cap) and the batch limit (0: none) of the version. */
  maxEvents: number;
  maxBatch: number;
  /** The drive's aio-max-batch (6.2+), 0 for none. */
  driveMaxBatch: number;
  states: LinuxAioState[];
  byCtx: number[];
  cbs: LaioCb[];
  freeCbs: number[];
  /** Timer kind for "the kernel completed this iocb". */
  doneTimer: number;
  perIocbNs: number;
}

declare module '../engine/types' {
  interface World {
    laio: LaioState;
  }
}

export function initLinuxAio(
  w: World,
  perIocbNs: number,
  maxEvents: number,
  maxBatch: number,
  driveMaxBatch: number,
): void {
  w.laio = {
    maxEvents,
    maxBatch,
    driveMaxBatch,
    states: [],
    byCtx: [],
    cbs: [],
    freeCbs: [],
    doneTimer: -1,
    perIocbNs,
  };
}

/** laio_init + laio_attach_aio_context: the eventfd handler and the completion BH. */
export function attachLinuxAio(w: World, ctx: AioContext): LinuxAioState {
  const id = w.laio.states.length;
  const s: LinuxAioState = {
    id,
    ctx: ctx.id,
    pending: [],
    inFlight: 0,
    plugged: 0,
    blocked: false,
    ring: [],
    handler: -1,
    completionBh: -1,
    submits: 0,
    submitted: 0,
    maxInFlight: 0,
  };
  s.completionBh = newBh(w, ctx, 'qemu_laio_completion_bh', qemu_laio_completion_bh, id).id;
  s.handler = addHandler(w, ctx, 'linux-aio eventfd', id, {
    read: qemu_laio_completion_cb,
    poll: qemu_laio_poll_cb,
    pollReady: w.qemu.pollReady ? qemu_laio_poll_ready : undefined,
  }).id;
  w.laio.states.push(s);
  while (w.laio.byCtx.length <= ctx.id) w.laio.byCtx.push(-1);
  w.laio.byCtx[ctx.id] = id;
  return s;
}

/** aio_setup_linux_aio(ctx): the context's LinuxAioState, created on first use. */
export const aio_setup_linux_aio = step('aio_setup_linux_aio', { args: ['ctx: ctx'] }, ({ ctx }) => (m, t, f) => {
  const w = m.s.w;
  if ((w.laio.byCtx[f[ctx]] ?? -1) < 0) attachLinuxAio(w, ctxOf(m, f[ctx]));
  return m.ret(t);
});

export function registerLinuxAioTimers(m: Machine): void {
  m.s.w.laio.doneTimer = m.addTimer(kernelCompletes);
}

function newLaioCb(
  id: number,
  laio: number,
  co: number,
  req: number,
  op: number,
  offset: number,
  bytes: number,
  ret: number,
  io: number,
): LaioCb {
  return { id, laio, co, req, op, offset, bytes, ret, io };
}

export function copyLaioState(ls: LaioState): LaioState {
  return {
    ...copyPlain({ ...ls, cbs: [] }),
    cbs: ls.cbs.map((c) => newLaioCb(c.id, c.laio, c.co, c.req, c.op, c.offset, c.bytes, c.ret, c.io)),
  };
}

function laio(m: Machine, id: number): LinuxAioState {
  return m.s.w.laio.states[id];
}

/** The kernel finished an iocb: post it to the ring and signal the eventfd. */
function kernelCompletes(m: Machine, cbId: number): void {
  const cb = m.s.w.laio.cbs[cbId];
  const s = laio(m, cb.laio);
  s.ring.push(cbId);
  signalNotifier(m, m.s.w.aio.handlers[s.handler], m.s.now);
  pokePoller(m, ctxOf(m, s.ctx), m.s.now);
}

/**
 * io_submit(s, nr): the kernel starts the first nr pending iocbs — or fewer, if another
 * thread took some meanwhile (the model does not serialise the BQL: with ioeventfd=off a vCPU
 * thread submits to the same queue as the main loop). Returns how many it took.
 */
export const io_submit = step('io_submit', { args: ['s: laio', 'nr: int'] }, ({ s, nr }) => (m, t, f) => {
  const st = laio(m, f[s]);
  const ls = m.s.w.laio;
  const n = Math.min(f[nr], st.pending.length, ls.maxEvents - st.inFlight);
  for (let i = 0; i < n; i++) {
    const cb = ls.cbs[st.pending[i]];
    // aio=native always means O_DIRECT (QEMU refuses it otherwise)
    cb.io = deviceSubmit(m, cb.op, cb.offset, cb.bytes, true, cb.req, ls.doneTimer, cb.id);
  }
  st.pending.splice(0, n);
  st.inFlight += n;
  if (st.inFlight > st.maxInFlight) st.maxInFlight = st.inFlight;
  st.submits++;
  st.submitted += n;
  t.time += ls.perIocbNs * n;
  return m.ret(t, n);
});

/** qemu_laio_process_completion(laiocb): full length → 0; wake the coroutine unless it is running. */
export const qemu_laio_process_completion = step(
  'qemu_laio_process_completion',
  { args: ['laiocb: laiocb'], at: ['woken'] },
  ({ laiocb }, at) =>
    (m, t, f) => {
      const cb = m.s.w.laio.cbs[f[laiocb]];
      if (f.pc === ENTRY) {
        if (cb.ret === cb.bytes) cb.ret = 0;
        else if (cb.ret >= 0) cb.ret = cb.op === 0 ? 0 : -28;
        const co = coroutine(m, cb.co);
        co.wakeRet = cb.ret;
        if (!coroutineEntered(co)) {
          f.pc = at.woken;
          return m.call(t, aio_co_wake, cb.req, cb.co);
        }
      }
      return m.ret(t);
    },
);

/**
 * qemu_laio_process_completions(s): schedule the safety BH, complete every event in the ring
 * (re-peeking until it is empty), cancel the BH; from 8.2 inside a deferred-call section, so the
 * completions' interrupts are batched.
 */
export const qemu_laio_process_completions = step(
  'qemu_laio_process_completions',
  { args: ['s: laio'], at: ['reaping', 'opened', 'closed'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      const ls = m.s.w.laio;
      const deferred = m.s.w.qemu.deferCall;
      switch (f.pc) {
        case ENTRY:
          if (deferred) {
            f.pc = at.opened;
            return m.call(t, defer_call_begin, -1);
          }
        // fallthrough
        case at.opened:
          f.pc = at.reaping;
          return m.call(t, qemu_bh_schedule, -1, st.completionBh);
        case at.closed:
          return m.ret(t);
      }
      const id = st.ring.shift();
      if (id === undefined) {
        m.s.w.aio.bhs[st.completionBh].scheduled = false;
        if (!deferred) return m.ret(t);
        f.pc = at.closed;
        return m.call(t, defer_call_end, -1);
      }
      const cb = ls.cbs[id];
      // the io_event's res: bytes transferred, or -errno
      const res = deviceResult(m, cb.io);
      cb.ret = res === 0 ? cb.bytes : res;
      st.inFlight--;
      return m.call(t, qemu_laio_process_completion, cb.req, id);
    },
);

/**
 * ioq_submit(s): io_submit as many pending iocbs as fit under MAX_EVENTS (again while the
 * kernel took them all and more are pending), mark the queue blocked if some are left, then
 * reap whatever already completed.
 */
export const ioq_submit = step(
  'ioq_submit',
  { args: ['s: laio'], at: ['submitted', 'reaped'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      switch (f.pc) {
        case ENTRY:
        case at.submitted: {
          const len = Math.min(st.pending.length, m.s.w.laio.maxEvents - st.inFlight);
          if (len > 0) {
            f.pc = at.submitted;
            return m.call(t, io_submit, -1, st.id, len);
          }
          st.blocked = st.pending.length > 0;
          if (st.inFlight > 0) {
            f.pc = at.reaped;
            return m.call(t, qemu_laio_process_completions, -1, st.id);
          }
        }
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** laio_max_batch (6.1+): the smallest of the context's and the drive's batch limits and the free events. */
function maxBatch(m: Machine, st: LinuxAioState): number {
  const ls = m.s.w.laio;
  const minNonZero = (a: number, b: number): number => (a && b ? Math.min(a, b) : a || b);
  const batch = minNonZero(ls.driveMaxBatch, ctxOf(m, st.ctx).aioMaxBatch || ls.maxBatch);
  return minNonZero(ls.maxEvents - st.inFlight, batch);
}

/**
 * laio_do_submit(s, laiocb): queue the iocb; 4.1.0 submits now unless plugged; from 6.1 once the
 * queue reaches the batch limit, else (8.2+) at the end of the deferred-call section.
 */
export const laio_do_submit = step(
  'laio_do_submit',
  { args: ['s: laio', 'laiocb: laiocb'], at: ['submitted'] },
  ({ s, laiocb }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      if (f.pc === ENTRY) {
        st.pending.push(f[laiocb]);
        if (st.blocked) return m.ret(t, 0);
        f.pc = at.submitted;
        if (m.s.w.qemu.deferCall) {
          if (st.pending.length >= maxBatch(m, st)) return m.call(t, ioq_submit, f.req, st.id);
          return m.call(t, defer_call, f.req, laio_deferred_fn.id, st.id);
        }
        if (!st.plugged || st.inFlight + st.pending.length >= m.s.w.laio.maxEvents)
          return m.call(t, ioq_submit, f.req, st.id);
      }
      return m.ret(t, 0);
    },
);

/** laio_deferred_fn(s), 8.2+: at the end of a deferred-call section, submit what is queued unless blocked. */
export const laio_deferred_fn = step(
  'laio_deferred_fn',
  { args: ['s: laio'], at: ['submitted'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      if (f.pc === ENTRY && !st.blocked && st.pending.length > 0) {
        f.pc = at.submitted;
        return m.call(t, ioq_submit, -1, st.id);
      }
      return m.ret(t);
    },
);

/**
 * laio_co_submit(s, hostio): an iocb (`laiocb`) for the request; yield until it completed. From
 * 8.1 the caller passes no state (s -1): the running thread's context's (`state`) is used, set
 * up by the first request that thread submits (9.0).
 */
export const laio_co_submit = step(
  'laio_co_submit',
  {
    args: ['s: laio', 'hostio: hostio'],
    locals: ['laiocb: laiocb', 'state: laio'],
    at: ['got_state', 'queued', 'woken'],
  },
  ({ s, hostio, laiocb, state }, at) =>
    (m, t, f) => {
      const ls = m.s.w.laio;
      switch (f.pc) {
        case ENTRY:
          f[state] = f[s];
          if (f[s] < 0) {
            const ctx = currentCtx(t);
            if ((ls.byCtx[ctx] ?? -1) < 0) attachLinuxAio(m.s.w, ctxOf(m, ctx));
            f.pc = at.got_state;
            return m.call(t, aio_get_linux_aio, f.req, ctx);
          }
        // fallthrough
        case at.got_state: {
          if (f.pc === at.got_state) f[state] = f.ret;
          const id = ls.freeCbs.length > 0 ? ls.freeCbs.pop()! : ls.cbs.length;
          const io = hostIo(m.s.w, f[hostio]);
          ls.cbs[id] = newLaioCb(id, f[state], t.co, f.req, io.op, io.offset, io.bytes, EINPROGRESS, -1);
          f[laiocb] = id;
          f.pc = at.queued;
          return m.call(t, laio_do_submit, f.req, f[state], id);
        }
        case at.queued:
          f.pc = at.woken;
          if (ls.cbs[f[laiocb]].ret === EINPROGRESS) return m.call(t, qemu_coroutine_yield, f.req);
        // fallthrough: completed while we were still submitting
        default: {
          const ret = ls.cbs[f[laiocb]].ret;
          ls.freeCbs.push(f[laiocb]);
          return m.ret(t, ret);
        }
      }
    },
);

/** laio_io_plug(s). */
export const laio_io_plug = step('laio_io_plug', { args: ['s: laio'] }, ({ s }) => (m, t, f) => {
  laio(m, f[s]).plugged++;
  return m.ret(t);
});

/** laio_io_unplug(s): at the outermost unplug, submit what the batch queued. */
export const laio_io_unplug = step(
  'laio_io_unplug',
  { args: ['s: laio'], at: ['submitted'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      if (f.pc === ENTRY && --st.plugged === 0 && !st.blocked && st.pending.length > 0) {
        f.pc = at.submitted;
        return m.call(t, ioq_submit, -1, st.id);
      }
      return m.ret(t);
    },
);

/** qemu_laio_process_completions_and_submit(s): reap, then resubmit a blocked queue — in 4.1.0 only while not plugged. */
export const qemu_laio_process_completions_and_submit = step(
  'qemu_laio_process_completions_and_submit',
  { args: ['s: laio'], at: ['reaped', 'resubmitted'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.reaped;
          return m.call(t, qemu_laio_process_completions, -1, st.id);
        case at.reaped:
          f.pc = at.resubmitted;
          if (!st.plugged && st.pending.length > 0) return m.call(t, ioq_submit, -1, st.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** qemu_laio_completion_cb(s): the eventfd handler. */
export const qemu_laio_completion_cb = step(
  'qemu_laio_completion_cb',
  { args: ['s: laio'], at: ['cleared', 'done'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.cleared;
          return m.call(t, event_notifier_test_and_clear, -1, st.handler);
        case at.cleared:
          f.pc = at.done;
          if (f.ret) return m.call(t, qemu_laio_process_completions_and_submit, -1, st.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** qemu_laio_poll_cb(s): the poll handler; progress if the ring has events (7.0+: only reports them). */
export const qemu_laio_poll_cb = step(
  'qemu_laio_poll_cb',
  { args: ['s: laio'], at: ['done'] },
  ({ s }, at) =>
    (m, t, f) => {
      const st = laio(m, f[s]);
      if (f.pc !== ENTRY) return m.ret(t, 1);
      if (st.ring.length === 0) return m.ret(t, 0);
      if (m.s.w.qemu.pollReady) return m.ret(t, 1);
      f.pc = at.done;
      return m.call(t, qemu_laio_process_completions_and_submit, -1, st.id);
    },
);

/** qemu_laio_poll_ready(s), 7.0+: polling saw events; reap them. */
export const qemu_laio_poll_ready = tailCall('qemu_laio_poll_ready', () => qemu_laio_process_completions_and_submit);

/** qemu_laio_completion_bh(s). */
export const qemu_laio_completion_bh = tailCall(
  'qemu_laio_completion_bh',
  () => qemu_laio_process_completions_and_submit,
);
