// iothread.c: an IOThread runs nothing but its own AioContext, forever, with aio_poll.

import { Fn } from '../catalog';
import { Step } from '../engine/machine';

/** iothread_run: `while (running) aio_poll(ctx, true);` — the thread's ctx is its own. */
const iothread_run: Step = (m, t) => m.call(t, Fn.aio_poll, -1, t.ctx, 1);

export function registerIothreadSteps(steps: Step[]): void {
  steps[Fn.iothread_run] = iothread_run;
}
