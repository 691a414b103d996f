// Running, pausing and going back: pause during a long continue, step back and reverse
// continue landing on exactly the earlier state.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DebugProtocol } from '@vscode/debugprotocol';
import { frames, launch, open, resume, Session } from '../helpers/dap';

/** Everything a person sees at a stop: threads, every frame, every scope's variables (ids left out). */
async function picture(s: Session): Promise<unknown> {
  const threads = (await s.dc.threadsRequest()).body.threads;
  const out: unknown[] = [];
  for (const t of threads) {
    const fr = await frames(s, t.id);
    const top = fr.find((f) => f.presentationHint !== 'label');
    const vars: Record<string, unknown> = {};
    if (top) {
      for (const sc of (await s.dc.scopesRequest({ frameId: top.id })).body.scopes) {
        if (sc.name === 'QEMU') continue;
        vars[sc.name] = (await s.dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables.map(
          (v: DebugProtocol.Variable) => [v.name, v.value],
        );
      }
    }
    out.push({ thread: t.name, frames: fr.map((f) => [f.name, f.line, f.presentationHint ?? '']), vars });
  }
  return out;
}

describe('pause', () => {
  // the 100 ms target is a bench figure (dap.pause_ms): on a shared machine a timed test flakes;
  // this checks the pause stops the run long before its end (~2M requests take many seconds)
  test('a continue over millions of events pauses promptly', async (t) => {
    const s = await open();
    try {
      await launch(s, { aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 32, requests: 2_000_000 } });
      const stopped = s.dc.waitForEvent('stopped');
      await s.dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      await s.dc.pauseRequest({ threadId: 1 });
      const ev = (await stopped) as DebugProtocol.StoppedEvent;
      const ms = performance.now() - t0;
      assert.equal(ev.body.reason, 'pause');
      assert.ok(ms < 2000, `paused after ${ms.toFixed(1)} ms`);
      const stats = await s.dc.evaluateRequest({ expression: 'guest.completed', context: 'repl' });
      assert.ok(Number(stats.body.result) < 1_000_000, `paused mid-run, at ${stats.body.result} requests`);
      t.diagnostic(`paused ${ms.toFixed(1)} ms after the pause request`);
      const fr = await frames(s, ev.body.threadId!);
      assert.ok(fr.length > 0);
    } finally {
      await s.close();
    }
  });
});

describe('reverse execution', () => {
  test('step back N times after N steps returns to an identical picture', async () => {
    const s = await open();
    try {
      await launch(s, { workload: { rw: 'randwrite', iodepth: 8, requests: 40 } }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'thread_pool_completion_bh' }] }),
      );
      const at = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      const before = await picture(s);
      const thread = at.body.threadId!;
      for (let i = 0; i < 12; i++) await resume(s, () => s.dc.stepInRequest({ threadId: thread }));
      assert.notDeepEqual(await picture(s), before);
      for (let i = 0; i < 12; i++) await resume(s, () => s.dc.stepBackRequest({ threadId: thread }));
      assert.deepEqual(await picture(s), before);
    } finally {
      await s.close();
    }
  });

  test('reverse continue goes back to the previous breakpoint hit, exactly', async () => {
    const s = await open();
    try {
      await launch(
        s,
        { aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 16, requests: 5000 } },
        (dc) =>
          dc.setFunctionBreakpointsRequest({
            breakpoints: [{ name: 'qemu_laio_process_completion', condition: 'req.id % 1000 == 0' }],
          }),
      );
      await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      const first = await picture(s);
      await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      const second = await picture(s);
      assert.notDeepEqual(second, first);
      const back = await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
      assert.equal(back.body.reason, 'function breakpoint');
      assert.deepEqual(await picture(s), first);
      const again = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      assert.equal(again.body.reason, 'function breakpoint');
      assert.deepEqual(await picture(s), second, 'going forward again reaches the same later stop');
    } finally {
      await s.close();
    }
  });

  test('restart starts over at the entry', async () => {
    const s = await open();
    try {
      await launch(s, { workload: { rw: 'write', requests: 3 } });
      const entry = await picture(s);
      for (let i = 0; i < 20; i++) await resume(s, () => s.dc.stepInRequest({ threadId: 1 }));
      const stopped = s.dc.waitForEvent('stopped');
      await s.dc.send('restart', {});
      const ev = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(ev.body.reason, 'entry');
      assert.deepEqual(await picture(s), entry);
    } finally {
      await s.close();
    }
  });
});

describe('stale frame ids', () => {
  test('scopes for a frame of an earlier stop answer empty; a never-issued frame id is an error', async () => {
    const s = await open();
    try {
      await launch(s, { workload: { rw: 'write', requests: 1 } });
      const old = (await frames(s, 1))[0];
      assert.ok((await s.dc.scopesRequest({ frameId: old.id })).body.scopes.length > 0);
      await resume(s, () => s.dc.nextRequest({ threadId: 1 }));
      // what VS Code sends when a step lands before its request for the previous stop's scopes
      assert.deepEqual((await s.dc.scopesRequest({ frameId: old.id })).body.scopes, []);
      await assert.rejects(s.dc.scopesRequest({ frameId: 1_000_000 }), /unknown frame 1000000/);
      const fresh = (await frames(s, 1))[0];
      assert.notEqual(fresh.id, old.id);
      assert.ok((await s.dc.scopesRequest({ frameId: fresh.id })).body.scopes.length > 0);
    } finally {
      await s.close();
    }
  });
});
