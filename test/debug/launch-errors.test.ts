// A wrong launch configuration gets an error response naming the field, the value and what
// is allowed — and the adapter stays alive and answers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { open } from '../helpers/dap';

const CASES: [string, Record<string, unknown>, RegExp][] = [
  ['unknown field', { aoi: 'threads' }, /unknown field "aoi" \(known: aio, iothread, cache,/],
  ['wrong type', { iothread: 'yes' }, /"iothread" is "yes"; expected true or false/],
  ['value outside an enum', { aio: 'posix' }, /"aio" is "posix"; expected one of threads, native, io_uring/],
  [
    'an option of another QEMU version',
    { aio: 'io_uring' },
    /aio=io_uring is not available in QEMU 4.1.0 \(io_uring came in 5.0\); choose qemuVersion 10.0/,
  ],
  ['unknown nested field', { workload: { blocksize: '4k' } }, /"workload" has no field "blocksize"/],
  ['bad size', { workload: { bs: '4q' } }, /workload.bs: "4q" is not a size/],
  ['integer out of range', { workload: { iodepth: 0 } }, /"workload.iodepth" is 0; expected a whole number ≥ 1/],
  ['impossible combination', { aio: 'native' }, /aio=native requires cache.direct=on/],
  [
    'bad QEMU fragment',
    { qemu: '-drive id=d0,bogus=1 -device virtio-blk-pci,drive=d0' },
    /-drive has no option "bogus"/,
  ],
  [
    'missing fio file',
    { workload: '/no/such/job.fio' },
    /"workload": fio job file "\/no\/such\/job.fio": no such file/,
  ],
  ['bad fault', { faults: ['write:all:EIO'] }, /sector range "all"/],
  [
    'qemuSource not a directory',
    { qemuSource: '/no/such/qemu' },
    /"qemuSource" is "\/no\/such\/qemu", which is not a directory/,
  ],
  [
    'unknown QEMU version',
    { qemuVersion: '7.2.0' },
    /"qemuVersion" is "7.2.0"; expected one of auto, 4.1.0, 7.2, 10.0/,
  ],
  [
    'a traced version without a trace',
    { qemuVersion: '7.2' },
    /"qemuVersion" is "7.2", but only 4.1.0 and 10.0 are simulated/,
  ],
  [
    'a simulation field with a trace',
    { traceFile: '/tmp/x.log', aio: 'native' },
    /"aio" sets up a simulation and cannot be used with "traceFile"/,
  ],
  ['null for a field', { aio: null }, /"aio" is null; expected one of threads, native, io_uring \(leave the field out/],
  ['a prototype name is not a field', { constructor: 'x' }, /unknown field "constructor"/],
  ['a prototype name is not a nested field', { workload: { toString: 1 } }, /"workload" has no field "toString"/],
  ['a number out of its range', { device: { jitter: 5 } }, /"device.jitter" is 5; expected a number from 0 to 0.99/],
  ['a long value is cut', { aio: 'x'.repeat(120_000) }, /^launch configuration: "aio" is "x{20,60}…; expected/],
  ['a scenario error names the launch field', { device: { bandwidth: 0 } }, /"device.bandwidth": device bandwidth/],
  ['a QEMU fragment with nothing to read', { qemu: 'garbage' }, /"qemu": QEMU command line: nothing to take/],
];

describe('bad launch configurations', () => {
  for (const [what, config, pattern] of CASES) {
    test(what, async () => {
      const s = await open();
      try {
        await s.dc.initializeRequest();
        await assert.rejects(
          s.dc.launchRequest({ type: 'qemu-io', request: 'launch', name: 'bad', ...config } as never),
          (e: Error) => {
            assert.match(e.message, pattern);
            assert.ok(e.message.length <= 600, `short: ${e.message.length} chars`);
            return true;
          },
        );
        // still alive: it answers the next request
        const threads = await s.dc.threadsRequest();
        assert.deepEqual(threads.body.threads, []);
      } finally {
        await s.close();
      }
    });
  }
});
