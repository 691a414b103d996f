// util/aio-posix.c: aio_poll, the loop an iothread runs, with adaptive busy polling; and the
// blocking poll both loops share (qemu_poll_ns → ppoll).

import { Machine } from '../engine/machine';
import { ENTRY, SimThread, Wait } from '../engine/types';
import { step, tailCall } from '../step';
import { AioContext, aio_bh_poll, aio_dispatch_handlers, bhPending, collectRevents, ctxOf } from './aio-context';

/** Busy polling starts at 4 µs and doubles up to poll-max-ns (poll-grow = 0 means ×2). */
export const POLL_START_NS = 4000;

function pollReady(m: Machine, ctx: AioContext): boolean {
  return collectRevents(m.s.w, ctx) || ctx.glibReady;
}

/** ppoll(ctx, timeout: 0 or -1): blocks the thread until one of the context's fds is readable. */
export const ppoll = step(
  'ppoll',
  { args: ['ctx: ctx', 'timeout: ns'], at: ['woken'] },
  ({ ctx, timeout }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY && f[timeout] !== 0 && !pollReady(m, c)) {
        f.pc = at.woken;
        return m.block(t, Wait.fd);
      }
      return m.ret(t, pollReady(m, c) ? 1 : 0);
    },
);

/** qemu_poll_ns(ctx, timeout) → ppoll. Returns the number of ready fds. */
export const qemu_poll_ns = tailCall('qemu_poll_ns', () => ppoll);

/** The adaptive polling rule of aio_poll: grow after short blocks, reset after long ones. */
function adjustPolling(m: Machine, t: SimThread, ctx: AioContext): void {
  if (ctx.pollMaxNs === 0) return;
  const blockNs = t.time - ctx.pollStart;
  if (blockNs <= ctx.pollNs) return;
  const old = ctx.pollNs;
  if (blockNs > ctx.pollMaxNs) {
    ctx.pollNs = 0;
    m.trace(t, 'poll_shrink', ctx.id, old, 0);
  } else if (ctx.pollNs < ctx.pollMaxNs && blockNs < ctx.pollMaxNs) {
    ctx.pollNs = ctx.pollNs ? Math.min(ctx.pollNs * 2, ctx.pollMaxNs) : Math.min(POLL_START_NS, ctx.pollMaxNs);
    m.trace(t, 'poll_grow', ctx.id, old, ctx.pollNs);
  }
}

/** poll_set_started(ctx, started): call each handler's io_poll_begin / io_poll_end (`next` walks them). */
export const poll_set_started = step(
  'poll_set_started',
  { args: ['ctx: ctx', 'started: bool'], locals: ['next: int'], at: ['walking'] },
  ({ ctx, started, next }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY) {
        if (c.pollStarted === (f[started] === 1)) return m.ret(t);
        c.pollStarted = f[started] === 1;
        f.pc = at.walking;
        f[next] = c.handlers.length;
      }
      const all = m.s.w.aio.handlers;
      while (f[next] > 0) {
        const h = all[c.handlers[--f[next]]];
        const hook = f[started] ? h.pollBegin : h.pollEnd;
        if (hook >= 0) return m.callIndirect(t, hook, -1, h.arg);
      }
      return m.ret(t);
    },
);

/** run_poll_handlers_once(ctx): every handler's io_poll once (`next` walks them); did one make progress? */
export const run_poll_handlers_once = step(
  'run_poll_handlers_once',
  { args: ['ctx: ctx'], locals: ['next: int', 'progress: bool'], at: ['polled'] },
  ({ ctx, next, progress }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY) {
        f.pc = at.polled;
        f[next] = c.handlers.length;
        f[progress] = 0;
      } else if (f.ret) {
        f[progress] = 1;
      }
      const all = m.s.w.aio.handlers;
      while (f[next] > 0) {
        const h = all[c.handlers[--f[next]]];
        if (h.ioPoll < 0) continue;
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

/** try_poll_mode(ctx, timeout): busy-poll for up to poll_ns (max_ns), else poll once. */
export const try_poll_mode = step(
  'try_poll_mode',
  { args: ['ctx: ctx', 'timeout: ns'], locals: ['max_ns: ns'], at: ['started', 'ran', 'stopped', 'polled'] },
  ({ ctx, timeout, max_ns }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      switch (f.pc) {
        case ENTRY:
          f[max_ns] = f[timeout] === 0 ? 0 : c.pollNs;
          if (f[max_ns] > 0) {
            f.pc = at.started;
            return m.call(t, poll_set_started, -1, c.id, 1);
          }
          f.pc = at.stopped;
          return m.call(t, poll_set_started, -1, c.id, 0);
        case at.started:
          f.pc = at.ran;
          return m.call(t, run_poll_handlers, -1, c.id, f[max_ns]);
        case at.ran:
          if (f.ret) return m.ret(t, 1);
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
 * poll_ns, run BHs and dispatch the fds ppoll reported (`fds`).
 */
export const aio_poll = step(
  'aio_poll',
  { args: ['ctx: ctx', 'blocking: bool'], locals: ['fds: int'], at: ['tried', 'polled', 'bhs_run', 'dispatched'] },
  ({ ctx, blocking, fds }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      switch (f.pc) {
        case ENTRY: {
          if (f[blocking]) c.notifyMe = true;
          c.pollStart = t.time;
          c.iterations++;
          f[fds] = 0;
          f.pc = at.tried;
          const timeout = f[blocking] && !bhPending(m.s.w, c) ? -1 : 0;
          return m.call(t, try_poll_mode, -1, c.id, timeout);
        }
        case at.tried: {
          const progress = f.ret !== 0;
          const timeout = progress || !f[blocking] || bhPending(m.s.w, c) ? 0 : -1;
          f.pc = at.polled;
          if (timeout !== 0) return m.call(t, qemu_poll_ns, -1, c.id, timeout);
          f.ret = 0;
        }
        // fallthrough
        case at.polled:
          f[fds] = f.ret;
          if (f[blocking]) {
            c.notifyMe = false;
            if (c.notified) {
              c.notified = false;
              m.s.w.aio.handlers[c.notifier].ready = false;
            }
          }
          adjustPolling(m, t, c);
          f.pc = at.bhs_run;
          return m.call(t, aio_bh_poll, -1, c.id);
        case at.bhs_run:
          f.pc = at.dispatched;
          if (f[fds] > 0) return m.call(t, aio_dispatch_handlers, -1, c.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);
