// util/async.c and util/aio-posix.c: an AioContext is a set of fd handlers (each an
// EventNotifier here) plus a list of bottom halves, run by one home thread — the main loop
// (through glib) or an iothread (through aio_poll). Upper layers register their handlers and
// BHs by function id; this layer calls them without knowing what they are.

import { Fn } from '../catalog';
import { Machine, SimThread, Step, Wait, World } from '../engine/machine';

export interface AioHandler {
  id: number;
  ctx: number;
  name: string;
  /** io_read handler (fn id) and its argument. */
  ioRead: number;
  /** io_poll handler (fn id), or -1. */
  ioPoll: number;
  /** io_poll_begin / io_poll_end hooks (fn ids), or -1. */
  pollBegin: number;
  pollEnd: number;
  arg: number;
  /** The eventfd's counter is non-zero. */
  ready: boolean;
  /** Readable when the last ppoll returned: what aio_dispatch_handlers acts on. */
  revents: boolean;
  /** Handlers that do nothing visible (the context's own notifier) emit no stage events. */
  silent: boolean;
}

export interface Bh {
  id: number;
  ctx: number;
  name: string;
  fn: number;
  arg: number;
  scheduled: boolean;
  deleted: boolean;
}

export interface AioContext {
  id: number;
  name: string;
  /** Home thread id, -1 until the thread exists. */
  thread: number;
  /**
   * Handler and BH ids, oldest first. QEMU inserts at the head and walks from there, so
   * walks here go from the end: newest first, and what is added during a walk is not seen.
   */
  handlers: number[];
  bhs: number[];
  /** ctx->notify_me: the home thread is about to block, so aio_notify must write the eventfd. */
  notifyMe: boolean;
  notified: boolean;
  /** Another glib source of this loop (the QMP monitor) has input: ppoll returns for it too. */
  glibReady: boolean;
  pollNs: number;
  pollMaxNs: number;
  pollStarted: boolean;
  /** Time aio_poll started, for the adaptive polling adjustment. */
  pollStart: number;
  /** Handler id of the context's own EventNotifier (aio_notify writes it). */
  notifier: number;
  /** Coroutines handed over by aio_co_schedule, oldest first, and the BH that enters them. */
  scheduledCos: number[];
  coScheduleBh: number;
  /** Counters for statistics. */
  iterations: number;
  bhRuns: number;
  pollHits: number;
}

export interface AioState {
  contexts: AioContext[];
  /** Every handler and BH ever created, by id (ids stay valid across checkpoints). */
  handlers: AioHandler[];
  bhs: Bh[];
  /** Latency (ns) from an eventfd write to a thread blocked in ppoll running again. */
  wakeNs: number;
  /** How soon a busy-polling thread notices new work (ns). */
  pollDetectNs: number;
}

declare module '../engine/machine' {
  interface World {
    aio: AioState;
  }
}

export const MAIN_CTX = 0;

export function initAio(w: World, wakeNs: number, pollDetectNs: number): void {
  w.aio = { contexts: [], handlers: [], bhs: [], wakeNs, pollDetectNs };
}

export function newAioContext(w: World, name: string, pollMaxNs: number): AioContext {
  const ctx: AioContext = {
    id: w.aio.contexts.length,
    name,
    thread: -1,
    handlers: [],
    bhs: [],
    notifyMe: false,
    notified: false,
    glibReady: false,
    pollNs: 0,
    pollMaxNs,
    pollStarted: false,
    pollStart: 0,
    notifier: -1,
    scheduledCos: [],
    coScheduleBh: -1,
    iterations: 0,
    bhRuns: 0,
    pollHits: 0,
  };
  w.aio.contexts.push(ctx);
  // aio_context_new creates the co_schedule BH first, so it is the last one aio_bh_poll visits
  ctx.coScheduleBh = newBh(w, ctx, 'co_schedule_bh', Fn.co_schedule_bh_cb, ctx.id).id;
  const n = addHandler(w, ctx, { name: 'ctx->notifier', ioRead: -1, ioPoll: -1, pollBegin: -1, pollEnd: -1, arg: -1 });
  n.silent = true;
  ctx.notifier = n.id;
  return ctx;
}

/** aio_set_event_notifier: the new handler comes first in dispatch order. */
export function addHandler(
  w: World,
  ctx: AioContext,
  h: Pick<AioHandler, 'name' | 'ioRead' | 'ioPoll' | 'pollBegin' | 'pollEnd' | 'arg'>,
): AioHandler {
  const handler: AioHandler = {
    ...h,
    id: w.aio.handlers.length,
    ctx: ctx.id,
    ready: false,
    revents: false,
    silent: false,
  };
  w.aio.handlers.push(handler);
  ctx.handlers.push(handler.id);
  return handler;
}

/** aio_bh_new. */
export function newBh(w: World, ctx: AioContext, name: string, fn: number, arg: number): Bh {
  const bh: Bh = { id: w.aio.bhs.length, ctx: ctx.id, name, fn, arg, scheduled: false, deleted: false };
  w.aio.bhs.push(bh);
  ctx.bhs.push(bh.id);
  return bh;
}

/** aio_bh_schedule_oneshot's BH: scheduled at once, deleted after it ran. */
export function newOneshotBh(w: World, ctx: AioContext, name: string, fn: number, arg: number): Bh {
  const bh = newBh(w, ctx, name, fn, arg);
  bh.scheduled = true;
  bh.deleted = true;
  return bh;
}

export function ctxOf(m: Machine, id: number): AioContext {
  return m.s.w.aio.contexts[id];
}

/** qemu_get_current_aio_context(): an iothread's own context, the main context elsewhere. */
export function currentCtx(t: SimThread): number {
  return t.kind === 'iothread' ? t.ctx : MAIN_CTX;
}

/** Wake the context's home thread if it sleeps in ppoll or is busy-polling. */
function kickHome(m: Machine, ctx: AioContext, at: number): void {
  if (ctx.thread < 0) return;
  const home = m.s.threads[ctx.thread];
  if (home.wait === Wait.fd) m.wake(home, at + m.s.w.aio.wakeNs);
  else if (home.wait === Wait.busyPoll) m.wake(home, at + m.s.w.aio.pollDetectNs);
}

/** event_notifier_set without a stage event: used by the kernel side (ioeventfd, AIO eventfd). */
export function signalNotifier(m: Machine, h: AioHandler, at: number): void {
  h.ready = true;
  kickHome(m, ctxOf(m, h.ctx), at);
}

/** New work a poll handler can see without any fd being written (avail ring, AIO ring). */
export function pokePoller(m: Machine, ctx: AioContext, at: number): void {
  if (ctx.thread < 0) return;
  const home = m.s.threads[ctx.thread];
  if (home.wait === Wait.busyPoll) m.wake(home, at + m.s.w.aio.pollDetectNs);
}

/** Would aio_ctx_prepare / aio_compute_timeout return 0? */
export function bhPending(w: World, ctx: AioContext): boolean {
  for (const id of ctx.bhs) if (w.aio.bhs[id].scheduled) return true;
  return false;
}

/** What ppoll returns: each handler's readiness becomes its revents. */
export function collectRevents(w: World, ctx: AioContext): boolean {
  let any = false;
  for (const id of ctx.handlers) {
    const h = w.aio.handlers[id];
    h.revents = h.ready;
    if (h.ready) any = true;
  }
  return any;
}

// ---- steps ---------------------------------------------------------------------------------

/** qemu_bh_schedule(bh): a = BH id. */
const qemu_bh_schedule: Step = (m, t, f) => {
  switch (f.pc) {
    case 0: {
      const bh = m.s.w.aio.bhs[f.a];
      const was = bh.scheduled;
      bh.scheduled = true;
      if (was) return m.ret(t);
      f.pc = 1;
      return m.call(t, Fn.aio_notify, f.req, bh.ctx);
    }
    default:
      return m.ret(t);
  }
};

/** aio_notify(ctx): only writes the eventfd when the home thread announced it may block. */
const aio_notify: Step = (m, t, f) => {
  switch (f.pc) {
    case 0: {
      const ctx = ctxOf(m, f.a);
      if (!ctx.notifyMe) return m.ret(t);
      f.pc = 1;
      return m.call(t, Fn.event_notifier_set, f.req, ctx.notifier);
    }
    default:
      ctxOf(m, f.a).notified = true;
      return m.ret(t);
  }
};

/** event_notifier_set(handler id). */
const event_notifier_set: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.eventfd_write, f.req);
    default:
      signalNotifier(m, m.s.w.aio.handlers[f.a], t.time);
      return m.ret(t);
  }
};

/** A system call that just costs time: eventfd reads/writes. */
const quickSyscall: Step = (m, t) => m.ret(t);

/** aio_bh_poll(ctx): run every scheduled BH once, in list order; b walks the list. */
const aio_bh_poll: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  if (f.pc === 0) {
    f.pc = 1;
    f.b = ctx.bhs.length;
  }
  const all = m.s.w.aio.bhs;
  const list = ctx.bhs;
  while (f.b > 0) {
    const bh = all[list[--f.b]];
    if (bh.scheduled) {
      bh.scheduled = false;
      f.pc = 2;
      ctx.bhRuns++;
      return m.call(t, bh.fn, -1, bh.arg, ctx.id);
    }
  }
  // drop one-shot BHs that have run
  if (list.some((id) => all[id].deleted && !all[id].scheduled)) {
    ctx.bhs = list.filter((id) => !(all[id].deleted && !all[id].scheduled));
  }
  return m.ret(t, f.pc === 2 ? 1 : 0);
};

/** aio_dispatch_handlers(ctx): call io_read of each handler that ppoll reported readable. */
const aio_dispatch_handlers: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  if (f.pc === 0) {
    f.pc = 1;
    f.b = ctx.handlers.length;
  }
  const list = ctx.handlers;
  while (f.b > 0) {
    const h = m.s.w.aio.handlers[list[--f.b]];
    if (!h.revents) continue;
    h.revents = false;
    if (h.silent) {
      // the context's own notifier: reading it is all there is to do
      h.ready = false;
      continue;
    }
    f.pc = 2;
    return m.call(t, h.ioRead, -1, h.arg, ctx.id);
  }
  return m.ret(t, f.pc === 2 ? 1 : 0);
};

/** aio_dispatch(ctx): the glib path — BHs, then ready handlers (timers are not modelled). */
const aio_dispatch: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.aio_bh_poll, -1, f.a);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.aio_dispatch_handlers, -1, f.a);
    default:
      return m.ret(t);
  }
};

/** aio_bh_schedule_oneshot: a = ctx; the caller created the BH with newOneshotBh. */
const aio_bh_schedule_oneshot: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.aio_notify, f.req, f.a);
    default:
      return m.ret(t);
  }
};

export function registerAioContextSteps(steps: Step[]): void {
  steps[Fn.qemu_bh_schedule] = qemu_bh_schedule;
  steps[Fn.aio_notify] = aio_notify;
  steps[Fn.event_notifier_set] = event_notifier_set;
  steps[Fn.eventfd_write] = quickSyscall;
  steps[Fn.eventfd_read] = quickSyscall;
  steps[Fn.aio_bh_poll] = aio_bh_poll;
  steps[Fn.aio_dispatch_handlers] = aio_dispatch_handlers;
  steps[Fn.aio_dispatch] = aio_dispatch;
  steps[Fn.aio_bh_schedule_oneshot] = aio_bh_schedule_oneshot;
}
