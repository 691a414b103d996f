// vl.c main_loop and util/main-loop.c: the main thread's glib loop. Every iteration prepares
// the AioContext source (aio_ctx_prepare announces it may sleep), drops the BQL, blocks in
// ppoll, re-takes the BQL and dispatches: BHs first, then ready fd handlers. It never
// busy-polls.

import { Fn } from '../catalog';
import { bhPending, ctxOf, MAIN_CTX } from '../aio/aio-context';
import { Step, tailCall } from '../engine/machine';

/** main_loop: `while (!main_loop_should_exit()) main_loop_wait(false);` */
const main_loop: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.main_loop_should_exit, -1);
  }
  f.pc = 0;
  return m.call(t, Fn.main_loop_wait, -1);
};

/** main_loop_wait: one iteration (timers are not modelled). */
const main_loop_wait: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.os_host_main_loop_wait, -1, MAIN_CTX);
  }
  return m.ret(t);
};

/** os_host_main_loop_wait: fill, drop the BQL, qemu_poll_ns, take the BQL, dispatch. */
const os_host_main_loop_wait: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.glib_pollfds_fill, -1, f.a);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.qemu_poll_ns, -1, f.a, f.ret);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.glib_pollfds_poll, -1, f.a);
    default:
      return m.ret(t);
  }
};

/** glib_pollfds_fill → g_main_context_prepare → aio_ctx_prepare; returns the timeout. */
const glib_pollfds_fill = tailCall(Fn.aio_ctx_prepare);

/** aio_ctx_prepare: set notify_me; a scheduled BH makes the poll non-blocking (timeout 0). */
const aio_ctx_prepare: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  ctx.notifyMe = true;
  ctx.pollStarted = false;
  ctx.iterations++;
  return m.ret(t, bhPending(m.s.w, ctx) ? 0 : -1);
};

/** glib_pollfds_poll → g_main_context_check (aio_ctx_check) → g_main_context_dispatch. */
const glib_pollfds_poll: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.aio_ctx_check, -1, f.a);
    case 1:
      if (!f.ret && !ctxOf(m, f.a).glibReady) return m.ret(t);
      f.pc = 2;
      return m.call(t, Fn.g_main_context_dispatch, -1, f.a);
    default:
      return m.ret(t);
  }
};

/** aio_ctx_check: clear notify_me, accept the notification, report whether to dispatch. */
const aio_ctx_check: Step = (m, t, f) => {
  const w = m.s.w;
  const ctx = ctxOf(m, f.a);
  ctx.notifyMe = false;
  if (ctx.notified) {
    ctx.notified = false;
    w.aio.handlers[ctx.notifier].ready = false;
  }
  let pending = bhPending(w, ctx);
  for (const id of ctx.handlers) if (w.aio.handlers[id].revents && !w.aio.handlers[id].silent) pending = true;
  return m.ret(t, pending ? 1 : 0);
};

/** g_main_context_dispatch: the QMP monitor's source (when it has a command), then aio_ctx_dispatch. */
const g_main_context_dispatch: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      if (ctx.glibReady) {
        ctx.glibReady = false;
        return m.call(t, Fn.qmp_cont, -1);
      }
    // fallthrough
    case 1:
      f.pc = 2;
      return m.call(t, Fn.aio_ctx_dispatch, -1, f.a);
    default:
      return m.ret(t);
  }
};

const aio_ctx_dispatch = tailCall(Fn.aio_dispatch);

export function registerMainLoopSteps(steps: Step[]): void {
  steps[Fn.main_loop] = main_loop;
  steps[Fn.main_loop_wait] = main_loop_wait;
  steps[Fn.os_host_main_loop_wait] = os_host_main_loop_wait;
  steps[Fn.glib_pollfds_fill] = glib_pollfds_fill;
  steps[Fn.aio_ctx_prepare] = aio_ctx_prepare;
  steps[Fn.glib_pollfds_poll] = glib_pollfds_poll;
  steps[Fn.aio_ctx_check] = aio_ctx_check;
  steps[Fn.g_main_context_dispatch] = g_main_context_dispatch;
  steps[Fn.aio_ctx_dispatch] = aio_ctx_dispatch;
}
