// util/async.c: how a coroutine is (re-)entered from an AioContext's point of view.

import { Fn } from '../catalog';
import { coroutine } from '../coroutine/coroutine';
import { Step } from '../engine/machine';
import { ctxOf, currentCtx } from './aio-context';

/**
 * aio_co_enter(ctx = a, co = b). Three cases, in QEMU's order: another thread's context →
 * aio_co_schedule (on this path only the main thread's bdrv_flush of an iothread's node);
 * called from inside a coroutine → queue on its wake-up list; otherwise enter right away.
 */
const aio_co_enter: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      if (f.a !== currentCtx(t)) return m.call(t, Fn.aio_co_schedule, f.req, f.a, f.b);
      if (t.co >= 0) {
        coroutine(m, t.co).wakeup.push(f.b);
        return m.ret(t);
      }
      return m.call(t, Fn.qemu_aio_coroutine_enter, f.req, f.a, f.b);
    default:
      return m.ret(t);
  }
};

/** aio_co_schedule(ctx = a, co = b): queue the coroutine for the context's thread and wake it. */
const aio_co_schedule: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  switch (f.pc) {
    case 0:
      m.trace(t, 'aio_co_schedule', ctx.id, coroutine(m, f.b).slot);
      ctx.scheduledCos.push(f.b);
      f.pc = 1;
      return m.call(t, Fn.qemu_bh_schedule, f.req, ctx.coScheduleBh);
    default:
      return m.ret(t);
  }
};

/**
 * co_schedule_bh_cb(ctx = a), in the receiving context: enter, oldest first, the coroutines
 * scheduled before it started (b counts them); later ones wait for the BH's next run.
 */
const co_schedule_bh_cb: Step = (m, t, f) => {
  const ctx = ctxOf(m, f.a);
  if (f.pc === 0) {
    f.pc = 1;
    f.b = ctx.scheduledCos.length;
  }
  if (f.b > 0) {
    f.b--;
    const id = ctx.scheduledCos.shift()!;
    const co = coroutine(m, id);
    m.trace(t, 'aio_co_schedule_bh_cb', ctx.id, co.slot);
    return m.call(t, Fn.qemu_aio_coroutine_enter, co.req, ctx.id, id);
  }
  return m.ret(t);
};

/** aio_co_wake(co = b): resume the coroutine in the context it last ran in. */
const aio_co_wake: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.aio_co_enter, f.req, coroutine(m, f.b).ctx, f.b);
    default:
      return m.ret(t);
  }
};

export function registerCoWakeSteps(steps: Step[]): void {
  steps[Fn.aio_co_enter] = aio_co_enter;
  steps[Fn.aio_co_wake] = aio_co_wake;
  steps[Fn.aio_co_schedule] = aio_co_schedule;
  steps[Fn.co_schedule_bh_cb] = co_schedule_bh_cb;
}
