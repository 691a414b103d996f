// block/linux-aio.c: aio=native. One LinuxAioState per AioContext. A request becomes an
// iocb queued on io_q.pending; io_submit happens at unplug, or at once when the queue is
// not plugged or in_flight + in_queue reaches MAX_EVENTS (128). Whatever the kernel did not
// take leaves the queue "blocked" until the completion path resubmits it. The kernel posts
// completions to a ring shared with user space and signals an eventfd; QEMU reaps the ring
// from the eventfd handler, from a poll handler (iothread busy polling), or right after a
// submission.

import { Fn } from '../catalog';
import { addHandler, AioContext, ctxOf, newBh, pokePoller, signalNotifier } from '../aio/aio-context';
import { coroutine, coroutineEntered } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine, Step, tailCall, World } from '../engine/machine';
import { deviceResult, deviceSubmit } from './device';
import { hostIo } from './host-io';

export const MAX_EVENTS = 128;
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
  states: LinuxAioState[];
  byCtx: number[];
  cbs: LaioCb[];
  freeCbs: number[];
  /** Timer kind for "the kernel completed this iocb". */
  doneTimer: number;
  perIocbNs: number;
}

declare module '../engine/machine' {
  interface World {
    laio: LaioState;
  }
}

export function initLinuxAio(w: World, perIocbNs: number): void {
  w.laio = { states: [], byCtx: [], cbs: [], freeCbs: [], doneTimer: -1, perIocbNs };
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
  s.completionBh = newBh(w, ctx, 'qemu_laio_completion_bh', Fn.qemu_laio_completion_bh, id).id;
  s.handler = addHandler(w, ctx, {
    name: 'linux-aio eventfd',
    ioRead: Fn.qemu_laio_completion_cb,
    ioPoll: Fn.qemu_laio_poll_cb,
    pollBegin: -1,
    pollEnd: -1,
    arg: id,
  }).id;
  w.laio.states.push(s);
  w.laio.byCtx[ctx.id] = id;
  return s;
}

/** aio_setup_linux_aio(ctx = a): the context's LinuxAioState, created on first use. */
const aio_setup_linux_aio: Step = (m, t, f) => {
  const w = m.s.w;
  if ((w.laio.byCtx[f.a] ?? -1) < 0) attachLinuxAio(w, ctxOf(m, f.a));
  return m.ret(t);
};

export function registerLinuxAio(m: Machine): void {
  m.s.w.laio.doneTimer = m.addTimer(kernelCompletes);
  const steps = m.steps;
  steps[Fn.aio_setup_linux_aio] = aio_setup_linux_aio;
  steps[Fn.laio_co_submit] = laio_co_submit;
  steps[Fn.laio_do_submit] = laio_do_submit;
  steps[Fn.ioq_submit] = ioq_submit;
  steps[Fn.io_submit] = io_submit;
  steps[Fn.laio_io_plug] = laio_io_plug;
  steps[Fn.laio_io_unplug] = laio_io_unplug;
  steps[Fn.qemu_laio_completion_cb] = qemu_laio_completion_cb;
  steps[Fn.qemu_laio_poll_cb] = qemu_laio_poll_cb;
  steps[Fn.qemu_laio_completion_bh] = qemu_laio_completion_bh;
  steps[Fn.qemu_laio_process_completions_and_submit] = qemu_laio_process_completions_and_submit;
  steps[Fn.qemu_laio_process_completions] = qemu_laio_process_completions;
  steps[Fn.qemu_laio_process_completion] = qemu_laio_process_completion;
  steps[Fn.event_notifier_test_and_clear] = event_notifier_test_and_clear;
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

/** laio_co_submit(laio = a, host io = b). Locals: c = the laiocb. */
const laio_co_submit: Step = (m, t, f) => {
  const ls = m.s.w.laio;
  switch (f.pc) {
    case 0: {
      const id = ls.freeCbs.length > 0 ? ls.freeCbs.pop()! : ls.cbs.length;
      const io = hostIo(m.s.w, f.b);
      ls.cbs[id] = newLaioCb(id, f.a, t.co, f.req, io.op, io.offset, io.bytes, EINPROGRESS, -1);
      f.c = id;
      f.pc = 1;
      return m.call(t, Fn.laio_do_submit, f.req, f.a, id);
    }
    case 1:
      f.pc = 2;
      if (ls.cbs[f.c].ret === EINPROGRESS) return m.call(t, Fn.qemu_coroutine_yield, f.req);
    // fallthrough: completed while we were still submitting
    default: {
      const ret = ls.cbs[f.c].ret;
      ls.freeCbs.push(f.c);
      return m.ret(t, ret);
    }
  }
};

/** laio_do_submit(laio = a, laiocb = b): queue the iocb; submit now unless plugged. */
const laio_do_submit: Step = (m, t, f) => {
  const s = laio(m, f.a);
  if (f.pc === 0) {
    s.pending.push(f.b);
    if (!s.blocked && (!s.plugged || s.inFlight + s.pending.length >= MAX_EVENTS)) {
      f.pc = 1;
      return m.call(t, Fn.ioq_submit, f.req, s.id);
    }
  }
  return m.ret(t, 0);
};

/**
 * ioq_submit(laio = a): io_submit as many pending iocbs as fit under MAX_EVENTS, mark the
 * queue blocked if some are left, then reap whatever already completed.
 */
const ioq_submit: Step = (m, t, f) => {
  const s = laio(m, f.a);
  switch (f.pc) {
    case 0: {
      const len = Math.min(s.pending.length, MAX_EVENTS - s.inFlight);
      if (s.inFlight >= MAX_EVENTS || len === 0) {
        f.pc = 2;
        return ioq_submit(m, t, f);
      }
      f.pc = 1;
      return m.call(t, Fn.io_submit, -1, s.id, len);
    }
    case 1:
      // the kernel took them all; loop only if more are pending and room is left
      if (s.pending.length > 0 && s.inFlight < MAX_EVENTS) {
        f.pc = 0;
        return ioq_submit(m, t, f);
      }
    // fallthrough
    case 2:
      s.blocked = s.pending.length > 0;
      if (s.inFlight > 0) {
        f.pc = 3;
        return m.call(t, Fn.qemu_laio_process_completions, -1, s.id);
      }
    // fallthrough
    default:
      return m.ret(t);
  }
};

/**
 * io_submit(laio = a, n = b): the kernel starts the first n pending iocbs — or fewer, if
 * another thread took some meanwhile (the model does not serialise the BQL: with
 * ioeventfd=off a vCPU thread submits to the same queue as the main loop).
 */
const io_submit: Step = (m, t, f) => {
  const s = laio(m, f.a);
  const ls = m.s.w.laio;
  f.b = Math.min(f.b, s.pending.length, MAX_EVENTS - s.inFlight);
  for (let i = 0; i < f.b; i++) {
    const cb = ls.cbs[s.pending[i]];
    // aio=native always means O_DIRECT (QEMU refuses it otherwise)
    cb.io = deviceSubmit(m, cb.op, cb.offset, cb.bytes, true, cb.req, ls.doneTimer, cb.id);
  }
  s.pending.splice(0, f.b);
  s.inFlight += f.b;
  if (s.inFlight > s.maxInFlight) s.maxInFlight = s.inFlight;
  s.submits++;
  s.submitted += f.b;
  t.time += ls.perIocbNs * f.b;
  return m.ret(t, f.b);
};

/** laio_io_plug(laio = a). */
const laio_io_plug: Step = (m, t, f) => {
  laio(m, f.a).plugged++;
  return m.ret(t);
};

/** laio_io_unplug(laio = a): at the outermost unplug, submit what the batch queued. */
const laio_io_unplug: Step = (m, t, f) => {
  const s = laio(m, f.a);
  if (f.pc === 0) {
    if (--s.plugged === 0 && !s.blocked && s.pending.length > 0) {
      f.pc = 1;
      return m.call(t, Fn.ioq_submit, -1, s.id);
    }
  }
  return m.ret(t);
};

/** event_notifier_test_and_clear(handler = a): read the eventfd; was it set? */
const event_notifier_test_and_clear: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.eventfd_read, -1);
  }
  const h = m.s.w.aio.handlers[f.a];
  const was = h.ready;
  h.ready = false;
  return m.ret(t, was ? 1 : 0);
};

/** qemu_laio_completion_cb(laio = a): the eventfd handler. */
const qemu_laio_completion_cb: Step = (m, t, f) => {
  const s = laio(m, f.a);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.event_notifier_test_and_clear, -1, s.handler);
    case 1:
      f.pc = 2;
      if (f.ret) return m.call(t, Fn.qemu_laio_process_completions_and_submit, -1, s.id);
    // fallthrough
    default:
      return m.ret(t);
  }
};

/** qemu_laio_poll_cb(laio = a): the poll handler; progress if the ring has events. */
const qemu_laio_poll_cb: Step = (m, t, f) => {
  const s = laio(m, f.a);
  if (f.pc === 0) {
    if (s.ring.length === 0) return m.ret(t, 0);
    f.pc = 1;
    return m.call(t, Fn.qemu_laio_process_completions_and_submit, -1, s.id);
  }
  return m.ret(t, 1);
};

/** qemu_laio_completion_bh(laio = a). */
const qemu_laio_completion_bh = tailCall(Fn.qemu_laio_process_completions_and_submit);

/** Reap, then resubmit a blocked queue — only while not plugged. */
const qemu_laio_process_completions_and_submit: Step = (m, t, f) => {
  const s = laio(m, f.a);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.qemu_laio_process_completions, -1, s.id);
    case 1:
      f.pc = 2;
      if (!s.plugged && s.pending.length > 0) return m.call(t, Fn.ioq_submit, -1, s.id);
    // fallthrough
    default:
      return m.ret(t);
  }
};

/**
 * qemu_laio_process_completions(laio = a): schedule the safety BH, complete every event in
 * the ring (re-peeking until it is empty), cancel the BH.
 */
const qemu_laio_process_completions: Step = (m, t, f) => {
  const s = laio(m, f.a);
  const ls = m.s.w.laio;
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.qemu_bh_schedule, -1, s.completionBh);
    case 1: {
      const id = s.ring.shift();
      if (id === undefined) {
        m.s.w.aio.bhs[s.completionBh].scheduled = false;
        return m.ret(t);
      }
      const cb = ls.cbs[id];
      // the io_event's res: bytes transferred, or -errno
      const res = deviceResult(m, cb.io);
      cb.ret = res === 0 ? cb.bytes : res;
      s.inFlight--;
      return m.call(t, Fn.qemu_laio_process_completion, cb.req, id);
    }
    default:
      throw new Error('qemu_laio_process_completions: bad pc');
  }
};

/** qemu_laio_process_completion(laiocb = a): full length → 0; wake the coroutine unless it is running. */
const qemu_laio_process_completion: Step = (m, t, f) => {
  const cb = m.s.w.laio.cbs[f.a];
  if (f.pc === 0) {
    if (cb.ret === cb.bytes) cb.ret = 0;
    else if (cb.ret >= 0) cb.ret = cb.op === 0 ? 0 : -28;
    const co = coroutine(m, cb.co);
    co.wakeRet = cb.ret;
    if (!coroutineEntered(co)) {
      f.pc = 1;
      return m.call(t, Fn.aio_co_wake, cb.req, 0, cb.co);
    }
  }
  return m.ret(t);
};
