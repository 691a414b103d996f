// util/async.c: how a coroutine is (re-)entered from an AioContext's point of view.

import { coroutine, qemu_aio_coroutine_enter } from '../coroutine/coroutine';
import { ENTRY } from '../engine/types';
import { step } from '../step';
import { ctxOf, currentCtx, qemu_bh_schedule } from './aio-context';

/**
 * aio_co_enter(ctx, co). Three cases, in QEMU's order: another thread's context →
 * aio_co_schedule (on this path only the main thread's bdrv_flush of an iothread's node);
 * called from inside a coroutine → queue on its wake-up list; otherwise enter right away.
 */
export const aio_co_enter = step(
  'aio_co_enter',
  { args: ['ctx: ctx', 'co: co'], at: ['handed_on'] },
  ({ ctx, co }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      f.pc = at.handed_on;
      if (f[ctx] !== currentCtx(t)) return m.call(t, aio_co_schedule, f.req, f[ctx], f[co]);
      if (t.co >= 0) {
        coroutine(m, t.co).wakeup.push(f[co]);
        return m.ret(t);
      }
      return m.call(t, qemu_aio_coroutine_enter, f.req, f[ctx], f[co]);
    },
);

/** aio_co_schedule(ctx, co): queue the coroutine for the context's thread and wake it. */
export const aio_co_schedule = step(
  'aio_co_schedule',
  { args: ['ctx: ctx', 'co: co'], at: ['scheduled'] },
  ({ ctx, co }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      const c = ctxOf(m, f[ctx]);
      m.trace(t, 'aio_co_schedule', c.id, coroutine(m, f[co]).slot);
      c.scheduledCos.push(f[co]);
      f.pc = at.scheduled;
      return m.call(t, qemu_bh_schedule, f.req, c.coScheduleBh);
    },
);

/**
 * co_schedule_bh_cb(ctx), in the receiving context: enter, oldest first, the coroutines
 * scheduled before it started (`left` counts them); later ones wait for the BH's next run.
 */
export const co_schedule_bh_cb = step(
  'co_schedule_bh_cb',
  { args: ['ctx: ctx'], locals: ['left: int'], at: ['entering'] },
  ({ ctx, left }, at) =>
    (m, t, f) => {
      const c = ctxOf(m, f[ctx]);
      if (f.pc === ENTRY) {
        f.pc = at.entering;
        f[left] = c.scheduledCos.length;
      }
      if (f[left] > 0) {
        f[left]--;
        const id = c.scheduledCos.shift()!;
        const co = coroutine(m, id);
        m.trace(t, 'aio_co_schedule_bh_cb', c.id, co.slot);
        return m.call(t, qemu_aio_coroutine_enter, co.req, c.id, id);
      }
      return m.ret(t);
    },
);

/** aio_co_wake(co): resume the coroutine in the context it last ran in. */
export const aio_co_wake = step('aio_co_wake', { args: ['co: co'], at: ['entered'] }, ({ co }, at) => (m, t, f) => {
  if (f.pc !== ENTRY) return m.ret(t);
  f.pc = at.entered;
  return m.call(t, aio_co_enter, f.req, coroutine(m, f[co]).ctx, f[co]);
});
