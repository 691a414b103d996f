// The launch configuration's `workload: {"fromTrace": FILE}`: a session replays a real log's
// requests; a path that is no trace log gets an error naming the field, at once. And the QEMU
// scope says which QEMU version runs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { launch, open, resume, root, scopeVars } from '../helpers/dap';

const log = join(root, 'test', 'fixtures', 'traces', '7.2', 'native.log');

describe('a launch configuration with a workload from a trace', () => {
  test("replays the log's requests to the end; the QEMU scope names the version", async () => {
    const s = await open();
    try {
      const stop = await launch(s, { aio: 'native', cache: 'none', workload: { fromTrace: log } });
      assert.equal(stop.body.reason, 'entry');
      const output = s
        .events('output')
        .map((e) => e.body.output)
        .join('');
      assert.match(output, /replaying 44 requests in 18 kicks from .*native\.log/);
      const frame = (await s.dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0];
      const qemu = await scopeVars(s, frame.id, /^QEMU$/);
      assert.equal(qemu.version, '4.1.0');
      const end = await resume(s, () => s.dc.continueRequest({ threadId: stop.body.threadId! }));
      assert.match(end.body.description ?? '', /Simulation finished: 43 request\(s\) completed/);
      const stats = s
        .events('output')
        .map((e) => e.body.output)
        .join('');
      assert.match(stats, /43 completed, 1 flushes, 0 with errors, 0 outstanding/);
    } finally {
      await s.close();
    }
  });

  test('the 10.0 io_uring log through the 10.0 model: the QEMU scope says 10.0', async () => {
    const s = await open();
    try {
      const log10 = join(root, 'test', 'fixtures', 'traces', '10.0', 'io_uring.10.0.log');
      const stop = await launch(s, {
        qemuVersion: '10.0',
        qemu: '-drive file=d.raw,format=raw,if=none,id=d0,aio=io_uring,cache=none -device virtio-blk-pci,drive=d0',
        workload: { fromTrace: log10 },
      });
      assert.match(
        s
          .events('output')
          .map((e) => e.body.output)
          .join(''),
        /replaying 300 requests in 173 kicks/,
      );
      const frame = (await s.dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0];
      assert.equal((await scopeVars(s, frame.id, /^QEMU$/)).version, '10.0');
    } finally {
      await s.close();
    }
  });

  for (const [what, path, pattern] of [
    ['a missing file', '/no/such/trace.log', /"workload\.fromTrace" "\/no\/such\/trace\.log": no such file/],
    ['a FIFO', 'fifo', /"workload\.fromTrace" ".*fifo": a FIFO \(named pipe\), not a trace log/],
    ['a number', 7, /"workload\.fromTrace" is 7; expected a string/],
  ] as const) {
    test(`${what}: an error naming workload.fromTrace, and the adapter answers on`, async () => {
      let file: string | number = path;
      if (path === 'fifo') {
        file = join(mkdtempSync(join(tmpdir(), 'qemu-io-fifo-')), 'fifo');
        execFileSync('mkfifo', [file]);
      }
      const s = await open();
      try {
        await s.dc.initializeRequest();
        await assert.rejects(
          s.dc.launchRequest({
            type: 'qemu-io',
            request: 'launch',
            name: 'bad',
            workload: { fromTrace: file },
          } as never),
          (e: Error) => {
            assert.match(e.message, pattern);
            return true;
          },
        );
        assert.deepEqual((await s.dc.threadsRequest()).body.threads, []);
      } finally {
        await s.close();
      }
    });
  }
});
