// util/async.c and util/aio-posix.c: an AioContext is a set of fd handlers (each an
// EventNotifier here) plus a list of bottom halves, run by one home thread — the main loop
// (through glib) or an iothread (through aio_poll). Upper layers register their handlers and
// BHs by function id; this layer calls them without knowing what they are.

import { Callback, Machine } from '../engine/machine';
import { ENTRY, SimThread, Wait, World } from '../engine/types';
import { returns, step } from '../step';
import { co_schedule_bh_cb } from './co-wake';

export interface AioHandler {
  id: number;
  ctx: number;
  name: string;
  /** io_read handler (fn id) and its argument. */
  ioRead: number;
  /** io_poll handler (fn id), or -1. */
  ioPoll: number;
  /** io_poll_ready (7.0+: the work a successful io_poll found), or -1. */
  pollReady: number;
  /** io_poll_begin / io_poll_end hooks (fn ids), or -1. */
  pollBegin: number;
  pollEnd: number;
  /** 5.0+: in ctx->poll_aio_handlers (it is polled once it was first dispatched). */
  inPoll: boolean;
  /** Its io_poll said ready: aio_dispatch_handler runs io_poll_ready (node->poll_ready). */
  pollFlag: boolean;
  /** 10.0: its own adaptive busy-poll time (node->poll.ns). */
  pollNs: number;
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
  /** aio-max-batch (6.1+): Linux AIO's batch limit in this context, 0 for the default. */
  aioMaxBatch: number;
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

declare module '../engine/types' {
  interface World {
    aio: AioState;
  }
}

export const MAIN_CTX = 0;

export function initAio(w: World, wakeNs: number, pollDetectNs: number): void {
  w.aio = { contexts: [], handlers: [], bhs: [], wakeNs, pollDetectNs };
}

export function newAioContext(w: World, name: string, pollMaxNs: number, aioMaxBatch = 0): AioContext {
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
    aioMaxBatch,
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
  ctx.coScheduleBh = newBh(w, ctx, 'co_schedule_bh', co_schedule_bh_cb, ctx.id).id;
  const n = addHandler(w, ctx, 'ctx->notifier', -1, {});
  n.silent = true;
  ctx.notifier = n.id;
  return ctx;
}

/** The functions an fd handler calls with its opaque: io_read, io_poll and the poll begin/end hooks. */
export interface HandlerFns {
  read?: Callback;
  poll?: Callback;
  pollReady?: Callback;
  pollBegin?: Callback;
  pollEnd?: Callback;
}

/** aio_set_event_notifier: the new handler comes first in dispatch order. */
export function addHandler(w: World, ctx: AioContext, name: string, arg: number, fns: HandlerFns): AioHandler {
  const id = (cb: Callback | undefined): number => (cb ? cb.id : -1);
  const handler: AioHandler = {
    id: w.aio.handlers.length,
    ctx: ctx.id,
    name,
    ioRead: id(fns.read),
    ioPoll: id(fns.poll),
    pollReady: id(fns.pollReady),
    pollBegin: id(fns.pollBegin),
    pollEnd: id(fns.pollEnd),
    inPoll: false,
    pollFlag: false,
    pollNs: 0,
    arg,
    ready: false,
    revents: false,
    silent: false,
  };
  w.aio.handlers.push(handler);
  ctx.handlers.push(handler.id);
  return handler;
}

/** aio_bh_new: a BH of `ctx` that calls `cb(arg)`. */
export function newBh(w: World, ctx: AioContext, name: string, cb: Callback, arg: number): Bh {
  const bh: Bh = { id: w.aio.bhs.length, ctx: ctx.id, name, fn: cb.id, arg, scheduled: false, deleted: false };
  w.aio.bhs.push(bh);
  ctx.bhs.push(bh.id);
  return bh;
}

/** aio_bh_schedule_oneshot's BH: scheduled at once, deleted after it ran. */
export function newOneshotBh(w: World, ctx: AioContext, name: string, cb: Callback, arg: number): Bh {
  const bh = newBh(w, ctx, name, cb, arg);
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

/** Does a wait on the context's fds return at once (an fd is readable, or another glib source has input)? */
export function fdsReady(m: Machine, ctx: AioContext): boolean {
  return collectRevents(m.s.w, ctx) || ctx.glibReady;
}

// ---- steps ---------------------------------------------------------------------------------

/** qemu_bh_schedule(bh): mark it scheduled and, if it was not, notify its context. */
export const qemu_bh_schedule = step(
  'qemu_bh_schedule',
  { args: ['bh: bh'], at: ['notified'] },
  ({ bh }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      const b = m.s.w.aio.bhs[f[bh]];
      const was = b.scheduled;
      b.scheduled = true;
      if (was) return m.ret(t);
      f.pc = at.notified;
      return m.call(t, aio_notify, f.req, b.ctx);
    },
);

/** aio_notify(ctx): only writes the eventfd when the home thread announced it may block. */
export const aio_notify = step('aio_notify', { args: ['ctx: ctx'], at: ['set'] }, ({ ctx }, at) => (m, t, f) => {
  const c = ctxOf(m, f[ctx]);
  if (f.pc === ENTRY) {
    if (!c.notifyMe) return m.ret(t);
    f.pc = at.set;
    return m.call(t, event_notifier_set, f.req, c.notifier);
  }
  c.notified = true;
  return m.ret(t);
});

/**
 * event_notifier_set(notifier): write(2) 8 bytes to the eventfd. The notifier is an AioContext's
 * handler, or -1 for one only KVM watches (a guest notifier used as irqfd).
 */
export const event_notifier_set = step(
  'event_notifier_set',
  { args: ['notifier: handler'], at: ['written'] },
  ({ notifier }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY) {
        f.pc = at.written;
        return m.call(t, write, f.req);
      }
      if (f[notifier] >= 0) signalNotifier(m, m.s.w.aio.handlers[f[notifier]], t.time);
      return m.ret(t);
    },
);

/** event_notifier_test_and_clear(notifier): read(2) the eventfd; was it set? */
export const event_notifier_test_and_clear = step(
  'event_notifier_test_and_clear',
  { args: ['notifier: handler'], at: ['read'] },
  ({ notifier }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY) {
        f.pc = at.read;
        return m.call(t, read, -1);
      }
      const h = m.s.w.aio.handlers[f[notifier]];
      const was = h.ready;
      h.ready = false;
      return m.ret(t, was ? 1 : 0);
    },
);

/** The eventfd reads and writes: system calls that just cost time. */
export const write = returns('write', {});
export const read = returns('read', {});

/** aio_bh_poll(ctx): run every scheduled BH once, in list order (`next` walks the list). */
export const aio_bh_poll = step(
  'aio_bh_poll',
  { args: ['ctx: ctx'], locals: ['next: int'], at: ['walking', 'ran'] },
  ({ ctx, next }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY) {
        f.pc = at.walking;
        f[next] = c.bhs.length;
      }
      const all = m.s.w.aio.bhs;
      const list = c.bhs;
      while (f[next] > 0) {
        const bh = all[list[--f[next]]];
        if (bh.scheduled) {
          bh.scheduled = false;
          f.pc = at.ran;
          c.bhRuns++;
          return m.callIndirect(t, bh.fn, -1, bh.arg);
        }
      }
      // drop one-shot BHs that have run
      if (list.some((id) => all[id].deleted && !all[id].scheduled)) {
        c.bhs = list.filter((id) => !(all[id].deleted && !all[id].scheduled));
      }
      return m.ret(t, f.pc === at.ran ? 1 : 0);
    },
);

/**
 * The context's own notifier, the one handler that never does anything visible: reading it is all
 * there is to do. Returns whether `h` was it.
 */
export function acceptSilent(h: AioHandler): boolean {
  if (!h.silent) return false;
  h.ready = false;
  h.revents = false;
  h.pollFlag = false;
  return true;
}

/**
 * aio_dispatch_handlers(ctx): call io_read of each handler that ppoll reported readable (5.0+:
 * through aio_dispatch_handler, which also polls the handler from then on).
 */
export const aio_dispatch_handlers = step(
  'aio_dispatch_handlers',
  { args: ['ctx: ctx'], locals: ['next: int'], at: ['walking', 'dispatched'] },
  ({ ctx, next }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY) {
        f.pc = at.walking;
        f[next] = c.handlers.length;
      }
      const list = c.handlers;
      while (f[next] > 0) {
        const h = m.s.w.aio.handlers[list[--f[next]]];
        if (!h.revents || acceptSilent(h)) continue;
        f.pc = at.dispatched;
        if (m.s.w.qemu.pollReady) return m.call(t, aio_dispatch_handler, -1, c.id, h.id);
        h.revents = false;
        return m.callIndirect(t, h.ioRead, -1, h.arg);
      }
      return m.ret(t, f.pc === at.dispatched ? 1 : 0);
    },
);

/**
 * aio_dispatch_handler(ctx, node), 5.0+: a handler that can poll joins the context's poll list on
 * its first event; then its io_poll_ready runs if polling found it ready, else its io_read.
 */
export const aio_dispatch_handler = step(
  'aio_dispatch_handler',
  { args: ['ctx: ctx', 'node: handler'], at: ['begun', 'ran'] },
  ({ ctx, node }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const h = m.s.w.aio.handlers[f[node]];
      switch (f.pc) {
        case ENTRY:
          if (!h.inPoll && h.ioPoll >= 0) {
            h.inPoll = true;
            // one that joins while polling is on gets its io_poll_begin (guest notifications off)
            if (c.pollStarted && h.pollBegin >= 0) {
              f.pc = at.begun;
              return m.callIndirect(t, h.pollBegin, -1, h.arg);
            }
          }
        // fallthrough
        case at.begun: {
          const revents = h.revents;
          const pollReady = h.pollFlag;
          h.revents = false;
          h.pollFlag = false;
          f.pc = at.ran;
          if (pollReady && !revents && h.pollReady >= 0) return m.callIndirect(t, h.pollReady, -1, h.arg);
          if (revents) return m.callIndirect(t, h.ioRead, -1, h.arg);
          return m.ret(t, 0);
        }
        default:
          return m.ret(t, 1);
      }
    },
);

/** aio_dispatch(ctx): the glib path — BHs, then ready handlers (timers are not modelled). */
export const aio_dispatch = step(
  'aio_dispatch',
  { args: ['ctx: ctx'], at: ['bhs_run', 'dispatched'] },
  ({ ctx }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.bhs_run;
          return m.call(t, aio_bh_poll, -1, f[ctx]);
        case at.bhs_run:
          f.pc = at.dispatched;
          return m.call(t, aio_dispatch_handlers, -1, f[ctx]);
        default:
          return m.ret(t);
      }
    },
);

/** aio_bh_schedule_oneshot(ctx): the caller created the BH with newOneshotBh; notify the context. */
export const aio_bh_schedule_oneshot = step(
  'aio_bh_schedule_oneshot',
  { args: ['ctx: ctx'], at: ['notified'] },
  ({ ctx }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY) {
        f.pc = at.notified;
        return m.call(t, aio_notify, f.req, f[ctx]);
      }
      return m.ret(t);
    },
);
