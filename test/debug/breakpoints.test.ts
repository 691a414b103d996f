// Breakpoints on stages: conditions, hit conditions, logpoints, document and C-source line
// breakpoints, unknown names, exception filters — over the real protocol.

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { docLine, documentPath, frames, launch, open, resume, scopeVars } from '../helpers/dap';

describe('conditions, hit counts and logpoints', () => {
  test('a condition over request fields stops only where it holds', async () => {
    const s = await open();
    try {
      const stop = await launch(s, { stopOnEntry: false, workload: { rw: 'write', iodepth: 1, requests: 10 } }, (dc) =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'blk_aio_pwritev', condition: 'req.sector == 24 && thread == "main-loop"' }],
        }),
      );
      assert.equal(stop.body.reason, 'function breakpoint');
      const fr = await frames(s, stop.body.threadId!);
      assert.equal((await scopeVars(s, fr[0].id, /^Request/)).sector, '24');
    } finally {
      await s.close();
    }
  });

  test('a hit condition stops at the 3rd hit; ">= N" keeps stopping', async () => {
    const s = await open();
    try {
      const stop = await launch(s, { stopOnEntry: false, workload: { rw: 'write', iodepth: 1, requests: 6 } }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'virtio_blk_req_complete', hitCondition: '3' }] }),
      );
      let fr = await frames(s, stop.body.threadId!);
      assert.equal((await scopeVars(s, fr[0].id, /^Request/)).id, '3');
      await s.dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'virtio_blk_req_complete', hitCondition: '>= 2' }],
      });
      const next = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      fr = await frames(s, next.body.threadId!);
      assert.equal(
        (await scopeVars(s, fr[0].id, /^Request/)).id,
        '5',
        'breakpoints set anew count from zero: request 4 is hit 1, request 5 hit 2',
      );
    } finally {
      await s.close();
    }
  });

  test('a logpoint prints its message with {expressions} and does not stop', async () => {
    const s = await open();
    try {
      const stop = await launch(s, { stopOnEntry: false, workload: { rw: 'read', iodepth: 2, requests: 3 } }, (dc) =>
        dc.setBreakpointsRequest({
          source: { path: documentPath },
          breakpoints: [
            {
              line: docLine('virtio_blk_req_complete'),
              logMessage: 'done {req.id} {req.op} on {thread} at sector {req.sector}',
            },
          ],
        }),
      );
      assert.equal(stop.body.text, 'end of simulation');
      const out = s
        .events('output')
        .map((e) => e.body.output)
        .join('');
      assert.match(out, /done 1 read on main-loop at sector \d+/);
      assert.equal(out.match(/^done \d+ read on main-loop/gm)?.length, 3);
    } finally {
      await s.close();
    }
  });

  test('unknown names, unreachable helpers and bad conditions are unverified with a reason', async () => {
    const s = await open();
    try {
      await launch(s, {}, async (dc) => {
        const r = await dc.setFunctionBreakpointsRequest({
          breakpoints: [
            { name: 'laio_co_submitt' },
            { name: 'qemu_coroutine_switch' },
            { name: 'bdrv_co_pwritev', condition: 'req.sector >' },
            { name: 'bdrv_co_pwritev', hitCondition: 'often' },
            { name: 'file-posix.c:raw_co_pwritev' },
            { name: 'raw_co_pwritev@raw-format' },
          ],
        });
        const [unknown, helper, cond, hit, byFile, byKey] = r.body.breakpoints;
        assert.equal(unknown.verified, false);
        assert.match(unknown.message!, /unknown QEMU function "laio_co_submitt" — did you mean laio_co_submit/);
        assert.equal(helper.verified, false);
        assert.match(helper.message!, /never calls it/);
        assert.equal(cond.verified, false);
        assert.match(cond.message!, /expected a value, found end of expression at column 13/);
        assert.equal(hit.verified, false);
        assert.match(hit.message!, /hit condition "often"/);
        assert.equal(byFile.verified, true);
        assert.equal(byKey.verified, true);
      });
    } finally {
      await s.close();
    }
  });
});

describe('line breakpoints', () => {
  test('on the document line that names a function: verified and hit', async () => {
    const s = await open();
    try {
      const line = docLine('laio_co_submit');
      let verified: unknown;
      const stop = await launch(s, { aio: 'native', cache: 'none', stopOnEntry: false }, async (dc) => {
        const r = await dc.setBreakpointsRequest({
          source: { path: documentPath },
          breakpoints: [{ line }, { line: 1 }],
        });
        verified = r.body.breakpoints.map((b) => [b.verified, b.line]);
      });
      assert.equal((verified as [boolean, number][])[0][0], true);
      assert.equal((verified as [boolean, number][])[0][1], line);
      assert.equal(stop.body.reason, 'breakpoint');
      assert.equal((await frames(s, stop.body.threadId!))[0].name, 'laio_co_submit');
    } finally {
      await s.close();
    }
  });

  test('in a QEMU source file: moved to the definition of the path function that contains the line', async () => {
    const qemu = mkdtempSync(join(tmpdir(), 'qemu-src-'));
    mkdirSync(join(qemu, 'util'));
    const src = [
      '/* a small stand-in for util/thread-pool.c */',
      '#include "qemu/osdep.h"',
      '',
      'static void helper(void)',
      '{',
      '}',
      '',
      'int coroutine_fn thread_pool_submit_co(ThreadPool *pool, ThreadPoolFunc *func,',
      '                                       void *arg)',
      '{',
      '    ThreadPoolCo tpc = { .co = qemu_coroutine_self(), .ret = -EINPROGRESS };',
      '    qemu_coroutine_yield();',
      '    return tpc.ret;',
      '}',
      '',
    ].join('\n');
    const file = join(qemu, 'util', 'thread-pool.c');
    writeFileSync(file, src);
    const s = await open();
    try {
      let res: { verified: boolean; line?: number; message?: string }[] = [];
      const stop = await launch(s, { qemuSource: qemu, stopOnEntry: false }, async (dc) => {
        res = (await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 12 }, { line: 5 }] }))
          .body.breakpoints;
      });
      assert.equal(res[0].verified, true);
      assert.equal(res[0].line, 8, 'moved to the line of the definition');
      assert.equal(res[1].verified, false);
      assert.match(res[1].message!, /helper is not a function on the simulated I\/O path/);
      assert.equal(stop.body.reason, 'breakpoint');
      const fr = await frames(s, stop.body.threadId!);
      assert.equal(fr[0].name, 'thread_pool_submit_co');
      assert.equal(fr[0].source?.path, file, 'with qemuSource, frames point into the checkout');
      assert.equal(fr[0].line, 8);
    } finally {
      await s.close();
    }
  });
});

describe('exception filters', () => {
  test('"I/O error" stops where virtio-blk handles a failed request; exceptionInfo explains', async () => {
    const s = await open();
    try {
      const stop = await launch(s, { stopOnEntry: false, faults: ['write:*:EIO'], werror: 'report' }, (dc) =>
        dc.setExceptionBreakpointsRequest({ filters: ['ioError'] }),
      );
      assert.equal(stop.body.reason, 'exception');
      assert.equal((await frames(s, stop.body.threadId!))[0].name, 'virtio_blk_handle_rw_error');
      const info = await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
      assert.equal(info.body.exceptionId, 'ioError');
      assert.match(info.body.description!, /Request 1 \(write, sector 0\) failed; policy werror=report/);
    } finally {
      await s.close();
    }
  });

  test('"VM stopped" stops in vm_stop on the main loop under werror=stop', async () => {
    const s = await open();
    try {
      const stop = await launch(s, { stopOnEntry: false, faults: ['write:*:EIO:1'], werror: 'stop' }, (dc) =>
        dc.setExceptionBreakpointsRequest({ filters: ['vmStop'] }),
      );
      assert.equal(stop.body.reason, 'exception');
      const fr = await frames(s, stop.body.threadId!);
      assert.deepEqual(
        fr.slice(0, 3).map((f) => f.name),
        ['vm_stop', 'main_loop_should_exit', 'main_loop'],
      );
    } finally {
      await s.close();
    }
  });
});
