// util/aio-posix.c: aio_poll, the loop an iothread runs, with adaptive busy polling; and the
// blocking poll both loops share (qemu_poll_ns → ppoll).

import { Fn } from '../catalog';
import { Machine, SimThread, Step, tailCall, Wait } from '../engine/machine';
import { AioContext, bhPending, collectRevents, ctxOf } from './aio-context';

/** Busy polling starts at 4 µs and doubles up to poll-max-ns (poll-grow = 0 means ×2). */
export const POLL_START_NS = 4000;

/** qemu_poll_ns(ctx = a, timeout = b: 0 or -1) → ppoll. Returns the number of ready fds. */
const qemu_poll_ns = tailCall(Fn.ppoll);

function pollReady(m: Machine, ctx: AioContext): boolean {
  return collectRevents(m.s.w, ctx) || ctx.glibReady;
}

/** ppoll(ctx = a, timeout = b): blocks the thread until one of the context's fds is readable. */
const ppoll: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0:
      if (f.b === 0 || pollReady(m, ctx)) return m.ret(t, pollReady(m, ctx) ? 1 : 0);
      f.pc = 1;
      return m.block(t, Wait.fd);
    default:
      return m.ret(t, pollReady(m, ctx) ? 1 : 0);
  }
};

/**
 * aio_poll(ctx = a, blocking = b). Locals: c = whether ppoll reported fds.
 * Busy-poll first when poll_ns > 0, else block in ppoll; then adjust poll_ns, run BHs and
 * dispatch the fds ppoll returned.
 */
const aio_poll: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0: {
      if (f.b) ctx.notifyMe = true;
      ctx.pollStart = t.time;
      ctx.iterations++;
      f.c = 0;
      f.pc = 1;
      const timeout = f.b && !bhPending(m.s.w, ctx) ? -1 : 0;
      return m.call(t, Fn.try_poll_mode, -1, ctx.id, timeout);
    }
    case 1: {
      const progress = f.ret !== 0;
      const timeout = progress || !f.b || bhPending(m.s.w, ctx) ? 0 : -1;
      f.pc = 2;
      if (timeout !== 0) return m.call(t, Fn.qemu_poll_ns, -1, ctx.id, timeout);
      f.ret = 0;
    }
    // fallthrough
    case 2: {
      f.c = f.ret;
      if (f.b) {
        ctx.notifyMe = false;
        if (ctx.notified) {
          ctx.notified = false;
          m.s.w.aio.handlers[ctx.notifier].ready = false;
        }
      }
      adjustPolling(m, t, ctx);
      f.pc = 3;
      return m.call(t, Fn.aio_bh_poll, -1, ctx.id);
    }
    case 3:
      f.pc = 4;
      if (f.c > 0) return m.call(t, Fn.aio_dispatch_handlers, -1, ctx.id);
    // fallthrough
    default:
      return m.ret(t);
  }
};

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

/** try_poll_mode(ctx = a, timeout = b): busy-poll for up to poll_ns, else poll once. */
const try_poll_mode: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0: {
      const maxNs = f.b === 0 ? 0 : ctx.pollNs;
      f.c = maxNs;
      if (maxNs > 0) {
        f.pc = 1;
        return m.call(t, Fn.poll_set_started, -1, ctx.id, 1);
      }
      f.pc = 3;
      return m.call(t, Fn.poll_set_started, -1, ctx.id, 0);
    }
    case 1:
      f.pc = 2;
      return m.call(t, Fn.run_poll_handlers, -1, ctx.id, f.c);
    case 2:
      if (f.ret) return m.ret(t, 1);
      f.pc = 3;
      return m.call(t, Fn.poll_set_started, -1, ctx.id, 0);
    case 3:
      f.pc = 4;
      return m.call(t, Fn.run_poll_handlers_once, -1, ctx.id);
    default:
      return m.ret(t, f.ret);
  }
};

/**
 * run_poll_handlers(ctx = a, max_ns = b). Locals: c = start time. The spinning itself is not
 * shown event by event: the thread stays busy until a handler would make progress or max_ns
 * ran out, then runs one visible round of run_poll_handlers_once.
 */
const run_poll_handlers: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0:
      m.trace(t, 'run_poll_handlers_begin', ctx.id, f.b, -1);
      f.c = t.time;
      f.pc = 1;
      return m.call(t, Fn.run_poll_handlers_once, -1, ctx.id);
    case 1:
      if (f.ret || ctx.notified || t.time - f.c >= f.b) {
        if (f.ret) ctx.pollHits++;
        m.trace(t, 'run_poll_handlers_end', ctx.id, f.ret ? 1 : 0, f.ret || ctx.notified ? 0 : -1);
        return m.ret(t, f.ret);
      }
      f.pc = 2;
      return m.block(t, Wait.busyPoll, f.c + f.b);
    default:
      f.pc = 1;
      return m.call(t, Fn.run_poll_handlers_once, -1, ctx.id);
  }
};

/** run_poll_handlers_once(ctx = a): every handler's io_poll once; b walks the list. */
const run_poll_handlers_once: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  if (f.pc === 0) {
    f.pc = 1;
    f.b = ctx.handlers.length;
    f.c = 0;
  } else if (f.ret) {
    f.c = 1;
  }
  const all = m.s.w.aio.handlers;
  while (f.b > 0) {
    const h = all[ctx.handlers[--f.b]];
    if (h.ioPoll < 0) continue;
    return m.call(t, h.ioPoll, -1, h.arg, ctx.id);
  }
  return m.ret(t, f.c);
};

/** poll_set_started(ctx = a, started = b): call each handler's io_poll_begin / io_poll_end. */
const poll_set_started: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  if (f.pc === 0) {
    if (ctx.pollStarted === (f.b === 1)) return m.ret(t);
    ctx.pollStarted = f.b === 1;
    f.pc = 1;
    f.c = ctx.handlers.length;
  }
  const all = m.s.w.aio.handlers;
  while (f.c > 0) {
    const h = all[ctx.handlers[--f.c]];
    const hook = f.b ? h.pollBegin : h.pollEnd;
    if (hook >= 0) return m.call(t, hook, -1, h.arg, ctx.id);
  }
  return m.ret(t);
};

export function registerAioPollSteps(steps: Step[]): void {
  steps[Fn.qemu_poll_ns] = qemu_poll_ns;
  steps[Fn.ppoll] = ppoll;
  steps[Fn.aio_poll] = aio_poll;
  steps[Fn.try_poll_mode] = try_poll_mode;
  steps[Fn.run_poll_handlers] = run_poll_handlers;
  steps[Fn.run_poll_handlers_once] = run_poll_handlers_once;
  steps[Fn.poll_set_started] = poll_set_started;
}
