// The Locals view shows the arguments each frame was called with. At QD32 randrw many
// thread_pool_submit_aio calls are in flight on the coroutines of different requests; stopping
// in its callees, every shown argument must describe the request that frame works for.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { frames, launch, open, resume, scopeVars, Session } from '../helpers/dap';

describe('Locals of thread_pool_submit_aio at QD32 randrw', () => {
  let s: Session;
  before(async () => {
    s = await open();
  });
  after(async () => {
    await s.close();
  });

  test("each stop inside its callees shows the frame's own request as `arg`", async () => {
    let ev = await launch(
      s,
      {
        aio: 'threads',
        stopOnEntry: false,
        workload: { rw: 'randrw', bs: '4k', iodepth: 32, requests: 1000, flushEvery: 2 },
      },
      (dc) =>
        dc.setFunctionBreakpointsRequest({
          // every third call, so the stops spread over the whole run (element and host I/O ids drift apart)
          breakpoints: [
            { name: 'qemu_sem_post', hitCondition: '% 3' },
            { name: 'spawn_thread', hitCondition: '% 3' },
          ],
        }),
    );
    const ops = new Set<string>();
    let stops = 0;
    for (; ev.body.reason !== 'step'; stops++) {
      const fr = await frames(s, ev.body.threadId!);
      assert.match(fr[0].name, /^(qemu_sem_post|spawn_thread)$/);
      const submit = fr[1];
      assert.equal(submit.name, 'thread_pool_submit_aio');
      const req = await scopeVars(s, submit.id, /^Request \d+$/);
      const locals = await scopeVars(s, submit.id, /^Locals$/);
      ops.add(req.op);
      if (req.op === 'flush') {
        assert.equal(locals.func, 'handle_aiocb_flush');
        assert.equal(locals.arg, 'flush 0 bytes at 0');
      } else {
        assert.equal(locals.func, 'handle_aiocb_rw');
        // a merged request's I/O starts at its head and covers the whole chain
        if (req.merged_with === '[]') assert.equal(locals.arg, `${req.op} ${req.bytes} bytes at ${req.offset}`);
        else assert.match(locals.arg, new RegExp(`^${req.op} \\d+ bytes at ${req.offset}$`));
      }
      assert.match(locals.elem, new RegExp(`^element \\d+: ${locals.func} QUEUED`));
      assert.equal(locals.resumes_at, fr[0].name === 'spawn_thread' ? 'spawned' : 'posted');
      ev = await resume(s, () => s.dc.continueRequest({ threadId: ev.body.threadId! }));
    }
    assert.ok(stops > 300, `${stops} stops`);
    assert.deepEqual([...ops].sort(), ['flush', 'read', 'write']);
  });
});
