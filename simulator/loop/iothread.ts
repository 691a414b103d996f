// iothread.c: an IOThread runs nothing but its own AioContext, forever, with aio_poll.

import { aio_poll } from '../aio/aio-poll';
import { step } from '../step';

/** iothread_run: `while (running) aio_poll(ctx, true);` — the thread's ctx is its own. */
export const iothread_run = step('iothread_run', {}, () => (m, t) => m.call(t, aio_poll, -1, t.ctx, 1));
