// util/defer-call.c (8.2; block/plug.c's blk_io_plug/unplug/plug_call before): deferred calls. A
// thread opens a section with defer_call_begin; defer_call(fn, opaque) inside it queues fn once,
// however often it is asked; the outermost defer_call_end runs the queue. virtio-blk opens one around
// a virtqueue pass (Linux AIO and io_uring submit at its end), the completion paths around a batch of
// completions (virtio_notify_irqfd's eventfd writes coalesce). The state is per thread.

import { ENTRY, World } from '../engine/types';
import { step } from '../step';

export interface DeferState {
  /** Per thread id: how deep its sections are nested. */
  nesting: Map<number, number>;
  /** Per thread id: the queued calls, as (fn id, opaque) pairs. */
  calls: Map<number, number[]>;
}

declare module '../engine/types' {
  interface World {
    defer: DeferState;
  }
}

export function initDeferCall(w: World): void {
  w.defer = { nesting: new Map(), calls: new Map() };
}

function callsOf(d: DeferState, thread: number): number[] {
  let calls = d.calls.get(thread);
  if (!calls) d.calls.set(thread, (calls = []));
  return calls;
}

/** defer_call_begin(): open (or nest) the calling thread's section. */
export const defer_call_begin = step('defer_call_begin', {}, () => (m, t) => {
  const d = m.s.w.defer;
  d.nesting.set(t.id, (d.nesting.get(t.id) ?? 0) + 1);
  return m.ret(t);
});

/**
 * defer_call_end(): the outermost end runs the queued calls in order (`next`), then empties the queue.
 * A call that opens and ends a section of its own (a completion batch run from a submission) runs
 * the same queue again from the start and empties it, which ends this loop too: so io_uring's
 * deferred function runs twice after one submission, as the traces show.
 */
export const defer_call_end = step(
  'defer_call_end',
  { locals: ['next: int'], at: ['called'] },
  ({ next }, at) =>
    (m, t, f) => {
      const d = m.s.w.defer;
      if (f.pc === ENTRY) {
        const nesting = d.nesting.get(t.id)! - 1;
        d.nesting.set(t.id, nesting);
        if (nesting > 0) return m.ret(t);
        f[next] = 0;
        f.pc = at.called;
      }
      const calls = callsOf(d, t.id);
      if (f[next] * 2 < calls.length) {
        const i = f[next]++ * 2;
        return m.callIndirect(t, calls[i], -1, calls[i + 1]);
      }
      calls.length = 0;
      return m.ret(t);
    },
);

/** defer_call(fn, opaque): queue fn(opaque) for the end of the section, once; outside a section, call it now. */
export const defer_call = step(
  'defer_call',
  { args: ['fn: fn', 'opaque: int'], at: ['called'] },
  ({ fn, opaque }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      const d = m.s.w.defer;
      if (!d.nesting.get(t.id)) {
        f.pc = at.called;
        return m.callIndirect(t, f[fn], f.req, f[opaque]);
      }
      const calls = callsOf(d, t.id);
      for (let i = 0; i < calls.length; i += 2) if (calls[i] === f[fn] && calls[i + 1] === f[opaque]) return m.ret(t);
      calls.push(f[fn], f[opaque]);
      return m.ret(t);
    },
);
