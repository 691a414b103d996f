// vl.c main_loop and util/main-loop.c: the main thread's glib loop. Every iteration prepares
// the AioContext source (aio_ctx_prepare announces it may sleep), drops the BQL, blocks in
// ppoll, re-takes the BQL and dispatches: BHs first, then ready fd handlers. It never
// busy-polls.

import { aio_dispatch, bhPending, ctxOf, MAIN_CTX } from '../aio/aio-context';
import { qemu_poll_ns } from '../aio/aio-poll';
import { ENTRY } from '../engine/types';
import { step, tailCall } from '../step';
import { main_loop_should_exit, qmp_cont } from './runstate';

/** aio_ctx_prepare(ctx): set notify_me; a scheduled BH makes the poll non-blocking (timeout 0). */
export const aio_ctx_prepare = step('aio_ctx_prepare', { args: ['ctx: ctx'] }, ({ ctx }) => (m, t, f) => {
  const c = ctxOf(m, f[ctx]);
  c.notifyMe = true;
  c.pollStarted = false;
  c.iterations++;
  return m.ret(t, bhPending(m.s.w, c) ? 0 : -1);
});

/** glib_pollfds_fill(ctx) → g_main_context_prepare → aio_ctx_prepare; returns the timeout. */
export const glib_pollfds_fill = tailCall('glib_pollfds_fill', () => aio_ctx_prepare);

/** aio_ctx_check(ctx): clear notify_me, accept the notification, report whether to dispatch. */
export const aio_ctx_check = step('aio_ctx_check', { args: ['ctx: ctx'] }, ({ ctx }) => (m, t, f) => {
  const w = m.s.w;
  const c = ctxOf(m, f[ctx]);
  c.notifyMe = false;
  if (c.notified) {
    c.notified = false;
    w.aio.handlers[c.notifier].ready = false;
  }
  let pending = bhPending(w, c);
  for (const id of c.handlers) if (w.aio.handlers[id].revents && !w.aio.handlers[id].silent) pending = true;
  return m.ret(t, pending ? 1 : 0);
});

/** aio_ctx_dispatch(ctx): the AioContext's GSource dispatch → aio_dispatch. */
export const aio_ctx_dispatch = tailCall('aio_ctx_dispatch', () => aio_dispatch);

/** g_main_context_dispatch(ctx): the QMP monitor's source (when it has a command), then aio_ctx_dispatch. */
export const g_main_context_dispatch = step(
  'g_main_context_dispatch',
  { args: ['ctx: ctx'], at: ['monitor_done', 'dispatched'] },
  ({ ctx }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.monitor_done;
          if (c.glibReady) {
            c.glibReady = false;
            return m.call(t, qmp_cont, -1);
          }
        // fallthrough
        case at.monitor_done:
          f.pc = at.dispatched;
          return m.call(t, aio_ctx_dispatch, -1, c.id);
        default:
          return m.ret(t);
      }
    },
);

/** glib_pollfds_poll(ctx) → g_main_context_check (aio_ctx_check) → g_main_context_dispatch. */
export const glib_pollfds_poll = step(
  'glib_pollfds_poll',
  { args: ['ctx: ctx'], at: ['checked', 'dispatched'] },
  ({ ctx }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.checked;
          return m.call(t, aio_ctx_check, -1, f[ctx]);
        case at.checked:
          if (!f.ret && !ctxOf(m, f[ctx]).glibReady) return m.ret(t);
          f.pc = at.dispatched;
          return m.call(t, g_main_context_dispatch, -1, f[ctx]);
        default:
          return m.ret(t);
      }
    },
);

/** os_host_main_loop_wait(ctx): fill, drop the BQL, qemu_poll_ns, take the BQL, dispatch. */
export const os_host_main_loop_wait = step(
  'os_host_main_loop_wait',
  { args: ['ctx: ctx'], at: ['filled', 'polled', 'dispatched'] },
  ({ ctx }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.filled;
          return m.call(t, glib_pollfds_fill, -1, f[ctx]);
        case at.filled:
          f.pc = at.polled;
          return m.call(t, qemu_poll_ns, -1, f[ctx], f.ret);
        case at.polled:
          f.pc = at.dispatched;
          return m.call(t, glib_pollfds_poll, -1, f[ctx]);
        default:
          return m.ret(t);
      }
    },
);

/** main_loop_wait: one iteration (timers are not modelled). */
export const main_loop_wait = step('main_loop_wait', { at: ['waited'] }, (_, at) => (m, t, f) => {
  if (f.pc !== ENTRY) return m.ret(t);
  f.pc = at.waited;
  return m.call(t, os_host_main_loop_wait, -1, MAIN_CTX);
});

/** main_loop: `while (!main_loop_should_exit()) main_loop_wait(false);` */
export const main_loop = step('main_loop', { at: ['checked'] }, (_, at) => (m, t, f) => {
  if (f.pc === ENTRY) {
    f.pc = at.checked;
    return m.call(t, main_loop_should_exit, -1);
  }
  f.pc = ENTRY;
  return m.call(t, main_loop_wait, -1);
});
