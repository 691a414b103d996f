// util/aio-posix.c: aio_poll, the loop an iothread runs, with adaptive busy polling; and the
// blocking poll both loops share (qemu_poll_ns → ppoll; an iothread of 10.0 waits in its
// fd-monitoring io_uring instead). 4.1.0 polls every handler that can poll, and io_poll does the
// work; from 5.0 only handlers that had an event are polled, and from 7.0 io_poll only reports, the
// work being io_poll_ready's, run by aio_dispatch_ready_handlers. 4.1.0 adapts one busy-poll time
// per context after each aio_poll; 10.0 one per handler, after the handler is dispatched.

import { Machine } from '../engine/machine';
import { ENTRY, SimThread, Wait } from '../engine/types';
import { step, tailCall } from '../step';
import { io_uring_enter } from '../backends/io-uring';
import {
  AioContext,
  AioHandler,
  aio_bh_poll,
  aio_dispatch_handler,
  aio_dispatch_handlers,
  acceptSilent,
  bhPending,
  ctxOf,
  fdsReady,
} from './aio-context';

/** Busy polling starts at 4 µs and doubles up to poll-max-ns (poll-grow = 0 means ×2). */
export const POLL_START_NS = 4000;

/** ppoll(ctx, timeout: 0 or -1): blocks the thread until one of the context's fds is readable. */
export const ppoll = step(
  'ppoll',
  { args: ['ctx: ctx', 'timeout: ns'], at: ['woken'] },
  ({ ctx, timeout }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY && f[timeout] !== 0 && !fdsReady(m, c)) {
        f.pc = at.woken;
        return m.block(t, Wait.fd);
      }
      return m.ret(t, fdsReady(m, c) ? 1 : 0);
    },
);

/** qemu_poll_ns(ctx, timeout) → ppoll. Returns the number of ready fds. */
export const qemu_poll_ns = tailCall('qemu_poll_ns', () => ppoll);

/** fdmon_io_uring_wait(ctx, timeout), 5.0+: an IOThread's wait for its fds, in its io_uring. */
export const fdmon_io_uring_wait = step(
  'fdmon_io_uring_wait',
  { args: ['ctx: ctx', 'timeout: ns'], at: ['waited'] },
  ({ ctx, timeout }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t, f.ret);
      f.pc = at.waited;
      return m.call(t, io_uring_enter, -1, f[ctx], f[timeout], 0);
    },
);

/**
 * The adaptive polling rule: after a block of `blockNs`, a poll time `ns` shrinks to 0 when
 * polling that long would exceed poll-max-ns, and grows (from 4 µs, doubling) when the block was
 * short. Returns the new time, or -1 when it stays (the sweet spot, or already at the maximum).
 */
function adaptedPollNs(ns: number, blockNs: number, maxNs: number): number {
  if (blockNs <= ns) return -1;
  if (blockNs > maxNs) return 0;
  if (ns < maxNs && blockNs < maxNs) return ns ? Math.min(ns * 2, maxNs) : Math.min(POLL_START_NS, maxNs);
  return -1;
}

/** 4.1.0: aio_poll adapts the context's one poll time after every iteration. */
function adjustPolling(m: Machine, t: SimThread, ctx: AioContext): void {
  if (ctx.pollMaxNs === 0) return;
  const old = ctx.pollNs;
  const ns = adaptedPollNs(old, t.time - ctx.pollStart, ctx.pollMaxNs);
  if (ns < 0) return;
  ctx.pollNs = ns;
  m.trace(t, ns > old ? 'poll_grow' : 'poll_shrink', ctx.id, old, ns);
}

/** adjust_polling_time(ctx, node, block_ns), 10.0: the same rule for one handler's own poll time. */
export const adjust_polling_time = step(
  'adjust_polling_time',
  { args: ['ctx: ctx', 'node: handler', 'block_ns: ns'] },
  ({ ctx, node, block_ns }) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const h = m.s.w.aio.handlers[f[node]];
      const old = h.pollNs;
      const ns = adaptedPollNs(old, f[block_ns], c.pollMaxNs);
      if (ns >= 0) {
        h.pollNs = ns;
        m.trace(t, ns > old ? 'poll_grow' : 'poll_shrink', c.id, old, ns);
      }
      return m.ret(t);
    },
);

/** The handlers a context polls: 4.1.0 every one that can, from 5.0 those that had an event. */
function polled(m: Machine, h: AioHandler): boolean {
  return h.ioPoll >= 0 && (h.inPoll || !m.s.w.qemu.pollReady);
}

/**
 * poll_set_started(ctx, started): call each polled handler's io_poll_begin / io_poll_end (`next`
 * walks them). From 7.0, ending also polls each handler once more, in case an event raced with
 * io_poll_end; what it finds is ready for dispatch, and it returns whether it found any (`progress`).
 */
export const poll_set_started = step(
  'poll_set_started',
  { args: ['ctx: ctx', 'started: bool'], locals: ['next: int', 'progress: bool'], at: ['walking', 'hooked', 'polled'] },
  ({ ctx, started, next, progress }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const all = m.s.w.aio.handlers;
      const recheck = !f[started] && m.s.w.qemu.pollReady;
      switch (f.pc) {
        case ENTRY:
          if (c.pollStarted === (f[started] === 1)) return m.ret(t, 0);
          c.pollStarted = f[started] === 1;
          f[next] = c.handlers.length;
          f[progress] = 0;
          break;
        case at.hooked: {
          const h = all[c.handlers[f[next]]];
          if (recheck) {
            f.pc = at.polled;
            return m.callIndirect(t, h.ioPoll, -1, h.arg);
          }
          break;
        }
        case at.polled:
          if (f.ret) {
            all[c.handlers[f[next]]].pollFlag = true;
            f[progress] = 1;
          }
          break;
      }
      while (f[next] > 0) {
        const h = all[c.handlers[--f[next]]];
        if (!polled(m, h)) continue;
        const hook = f[started] ? h.pollBegin : h.pollEnd;
        if (hook >= 0) {
          f.pc = at.hooked;
          return m.callIndirect(t, hook, -1, h.arg);
        }
        if (recheck) {
          f.pc = at.polled;
          return m.callIndirect(t, h.ioPoll, -1, h.arg);
        }
      }
      f.pc = at.walking;
      return m.ret(t, f[progress]);
    },
);

/**
 * run_poll_handlers_once(ctx): every polled handler's io_poll once (`next` walks them); did one
 * make progress? From 7.0 a handler whose io_poll says so is marked ready for dispatch.
 */
export const run_poll_handlers_once = step(
  'run_poll_handlers_once',
  { args: ['ctx: ctx'], locals: ['next: int', 'progress: bool'], at: ['polled'] },
  ({ ctx, next, progress }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const all = m.s.w.aio.handlers;
      if (f.pc === ENTRY) {
        f.pc = at.polled;
        f[next] = c.handlers.length;
        f[progress] = 0;
      } else if (f.ret) {
        f[progress] = 1;
        if (m.s.w.qemu.pollReady) all[c.handlers[f[next]]].pollFlag = true;
      }
      while (f[next] > 0) {
        const h = all[c.handlers[--f[next]]];
        if (!polled(m, h)) continue;
        return m.callIndirect(t, h.ioPoll, -1, h.arg);
      }
      return m.ret(t, f[progress]);
    },
);
/**
 * run_poll_handlers(ctx, max_ns). The spinning itself is not shown event by event: the
 * thread stays busy until a handler would make progress or max_ns ran out (since `start`),
 * then runs one visible round of run_poll_handlers_once.
 */
export const run_poll_handlers = step(
  'run_poll_handlers',
  { args: ['ctx: ctx', 'max_ns: ns'], locals: ['start: ns'], at: ['polled', 'spun'] },
  ({ ctx, max_ns, start }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      switch (f.pc) {
        case ENTRY:
          m.trace(t, 'run_poll_handlers_begin', c.id, f[max_ns], -1);
          f[start] = t.time;
          f.pc = at.polled;
          return m.call(t, run_poll_handlers_once, -1, c.id);
        case at.polled:
          if (f.ret || c.notified || t.time - f[start] >= f[max_ns]) {
            if (f.ret) c.pollHits++;
            m.trace(t, 'run_poll_handlers_end', c.id, f.ret ? 1 : 0, f.ret || c.notified ? 0 : -1);
            return m.ret(t, f.ret);
          }
          f.pc = at.spun;
          return m.block(t, Wait.busyPoll, f[start] + f[max_ns]);
        default:
          f.pc = at.polled;
          return m.call(t, run_poll_handlers_once, -1, c.id);
      }
    },
);

/** 10.0: the longest poll time of the handlers the context polls. */
function handlersPollNs(m: Machine, ctx: AioContext): number {
  let ns = -1;
  for (const id of ctx.handlers) {
    const h = m.s.w.aio.handlers[id];
    if (h.inPoll) ns = Math.max(ns, h.pollNs);
  }
  return ns;
}

/**
 * try_poll_mode(ctx, timeout): busy-poll for up to poll_ns (max_ns), else poll once. From 7.0 there
 * is no single round without busy polling, and from 10.0 max_ns is the longest of the polled
 * handlers' own poll times (nothing to poll: no polling at all).
 */
export const try_poll_mode = step(
  'try_poll_mode',
  { args: ['ctx: ctx', 'timeout: ns'], locals: ['max_ns: ns'], at: ['started', 'ran', 'stopped', 'polled'] },
  ({ ctx, timeout, max_ns }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const q = m.s.w.qemu;
      switch (f.pc) {
        case ENTRY: {
          const ns = q.perHandlerPolling ? handlersPollNs(m, c) : c.pollNs;
          if (ns < 0) return m.ret(t, 0);
          f[max_ns] = f[timeout] === 0 ? 0 : ns;
          if (f[max_ns] > 0) {
            f.pc = at.started;
            return m.call(t, poll_set_started, -1, c.id, 1);
          }
          if (q.pollReady) return m.ret(t, 0);
          f.pc = at.stopped;
          return m.call(t, poll_set_started, -1, c.id, 0);
        }
        case at.started:
          f.pc = at.ran;
          return m.call(t, run_poll_handlers, -1, c.id, f[max_ns]);
        case at.ran:
          if (f.ret || q.pollReady) return m.ret(t, f.ret);
          f.pc = at.stopped;
          return m.call(t, poll_set_started, -1, c.id, 0);
        case at.stopped:
          f.pc = at.polled;
          return m.call(t, run_poll_handlers_once, -1, c.id);
        default:
          return m.ret(t, f.ret);
      }
    },
);

/**
 * aio_poll(ctx, blocking). Busy-poll first when poll_ns > 0, else block in ppoll; then adjust
 * poll_ns, run BHs and dispatch the fds ppoll reported (`fds`). From 7.0 (and in 10.0's steps),
 * the wait is skipped when polling found work; polling is switched off just before blocking
 * (which polls once more); the ready handlers are dispatched with the time aio_poll blocked
 * (`block_ns`), by which 10.0 adapts each one's poll time; and 10.0's IOThread waits in its
 * fd-monitoring io_uring.
 */
export const aio_poll = step(
  'aio_poll',
  {
    args: ['ctx: ctx', 'blocking: bool'],
    locals: ['fds: int', 'block_ns: ns'],
    at: ['tried', 'polled', 'bhs_run', 'dispatched', 'stopped'],
  },
  ({ ctx, blocking, fds, block_ns }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const ready = m.s.w.qemu.pollReady;
      switch (f.pc) {
        case ENTRY: {
          if (f[blocking] && !ready) c.notifyMe = true;
          c.pollStart = t.time;
          c.iterations++;
          f[fds] = 0;
          f.pc = at.tried;
          const timeout = f[blocking] && !bhPending(m.s.w, c) ? -1 : 0;
          return m.call(t, try_poll_mode, -1, c.id, timeout);
        }
        case at.stopped: {
          // polling once more found work: do not block
          f.pc = at.polled;
          return m.call(t, fdmon_io_uring_wait, -1, c.id, f.ret ? 0 : -1);
        }
        case at.tried: {
          const progress = f.ret !== 0;
          const timeout = progress || !f[blocking] || bhPending(m.s.w, c) ? 0 : -1;
          if (ready && timeout !== 0) {
            c.notifyMe = true;
            // aio_notify came first: no wait; else switch polling off (polling once more) and wait
            if (!c.notified) {
              f.pc = at.stopped;
              return m.call(t, poll_set_started, -1, c.id, 0);
            }
          } else if (timeout !== 0) {
            f.pc = at.polled;
            return m.call(t, qemu_poll_ns, -1, c.id, timeout);
          }
          f.ret = 0;
        }
        // fallthrough
        case at.polled:
          f[fds] = f.ret;
          if (f[blocking]) c.notifyMe = false;
          // aio_notify_accept (4.1.0 only when it may have blocked)
          if ((f[blocking] || ready) && c.notified) {
            c.notified = false;
            m.s.w.aio.handlers[c.notifier].ready = false;
          }
          if (ready) f[block_ns] = c.pollMaxNs ? t.time - c.pollStart : 0;
          else adjustPolling(m, t, c);
          f.pc = at.bhs_run;
          return m.call(t, aio_bh_poll, -1, c.id);
        case at.bhs_run:
          f.pc = at.dispatched;
          if (ready) return m.call(t, aio_dispatch_ready_handlers, -1, c.id, f[block_ns]);
          if (f[fds] > 0) return m.call(t, aio_dispatch_handlers, -1, c.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/**
 * aio_dispatch_ready_handlers(ctx, block_ns), 5.0+: dispatch each handler the wait or polling
 * found ready (`node`; `next` walks them); 10.0 then adapts that handler's poll time.
 */
export const aio_dispatch_ready_handlers = step(
  'aio_dispatch_ready_handlers',
  { args: ['ctx: ctx', 'block_ns: ns'], locals: ['next: int', 'node: handler'], at: ['dispatched', 'adjusted'] },
  ({ ctx, block_ns, next, node }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      const all = m.s.w.aio.handlers;
      if (f.pc === ENTRY) f[next] = c.handlers.length;
      else if (f.pc === at.dispatched) {
        const h = all[f[node]];
        if (c.pollMaxNs && h.inPoll && m.s.w.qemu.perHandlerPolling) {
          f.pc = at.adjusted;
          return m.call(t, adjust_polling_time, -1, c.id, h.id, f[block_ns]);
        }
      }
      while (f[next] > 0) {
        const h = all[c.handlers[--f[next]]];
        if (!(h.revents || h.pollFlag) || acceptSilent(h)) continue;
        f[node] = h.id;
        f.pc = at.dispatched;
        return m.call(t, aio_dispatch_handler, -1, c.id, h.id);
      }
      return m.ret(t);
    },
);
