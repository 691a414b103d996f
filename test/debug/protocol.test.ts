// Every message a recorded session sends must validate against the Debug Adapter Protocol's
// JSON schema: VS Code forgives some mistakes, other clients do not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { docLine, documentPath, frames, launch, open, resume } from '../helpers/dap';
import { definitionFor, schemaProblem } from '../helpers/dapSchema';

test('every message of a full session validates against the DAP schema', async () => {
  const s = await open();
  try {
    await launch(
      s,
      {
        aio: 'native',
        cache: 'none',
        trace: true,
        workload: { rw: 'randwrite', iodepth: 4, requests: 20 },
        faults: ['write:#5:EIO'],
        werror: 'stop',
      },
      async (dc) => {
        await dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'laio_co_submit', hitCondition: '2' }, { name: 'nope' }],
        });
        await dc.setBreakpointsRequest({
          source: { path: documentPath },
          breakpoints: [
            { line: docLine('virtio_blk_rw_complete'), condition: 'req.id == 3' },
            { line: docLine('io_submit'), logMessage: 'io_submit on {thread}' },
          ],
        });
        await dc.setExceptionBreakpointsRequest({ filters: ['ioError', 'vmStop'] });
      },
    );
    for (let i = 0; i < 8; i++) {
      const stop = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      if (stop.body.text === 'end of simulation') break;
      const threads = (await s.dc.threadsRequest()).body.threads;
      for (const t of threads) {
        const fr = await frames(s, t.id);
        if (!fr.length) continue;
        const scopes = (await s.dc.scopesRequest({ frameId: fr[0].id })).body.scopes;
        for (const sc of scopes) await s.dc.variablesRequest({ variablesReference: sc.variablesReference });
        await s.dc
          .evaluateRequest({ expression: 'req ? req.sector : -1', frameId: fr[0].id, context: 'watch' })
          .catch(() => undefined);
      }
      if (stop.body.reason === 'exception') await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
      await resume(s, () => s.dc.nextRequest({ threadId: stop.body.threadId! }));
      await resume(s, () => s.dc.stepBackRequest({ threadId: stop.body.threadId! }));
    }
    await s.dc.evaluateRequest({ expression: 'req.', context: 'repl' }).catch(() => undefined);
    await s.dc.send('cancel', { requestId: 1 });
  } finally {
    await s.close();
  }
  const kinds = new Set(s.messages.map((m) => definitionFor(m)));
  const problems = s.messages.map((m) => schemaProblem(m)).filter((p) => p !== null);
  assert.deepEqual(problems, []);
  for (const k of [
    'InitializeResponse',
    'LaunchResponse',
    'StoppedEvent',
    'StackTraceResponse',
    'ScopesResponse',
    'VariablesResponse',
    'OutputEvent',
    'ThreadsResponse',
    'ErrorResponse',
    'SetFunctionBreakpointsResponse',
    'StepBackResponse',
  ]) {
    assert.ok(kinds.has(k), `the session exercised ${k}`);
  }
  assert.ok(s.messages.length > 100);
});
