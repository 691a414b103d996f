// util/async.c: how a coroutine is (re-)entered from an AioContext's point of view.

import { Fn } from '../catalog';
import { coroutine } from '../coroutine/coroutine';
import { Step } from '../engine/machine';
import { currentCtx } from './aio-context';

/**
 * aio_co_enter(ctx = a, co = b). Three cases, in QEMU's order: another thread's context →
 * aio_co_schedule (never taken on this path in 4.1.0, see the model's README); called from
 * inside a coroutine → queue on its wake-up list; otherwise enter right away.
 */
const aio_co_enter: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      if (f.a !== currentCtx(t)) {
        throw new Error(`aio_co_enter: coroutine #${f.b} woken from another AioContext (aio_co_schedule is not modelled)`);
      }
      if (t.co >= 0) {
        coroutine(m, t.co).wakeup.push(f.b);
        return m.ret(t);
      }
      f.pc = 1;
      return m.call(t, Fn.qemu_aio_coroutine_enter, f.req, f.a, f.b);
    default:
      return m.ret(t);
  }
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
}
