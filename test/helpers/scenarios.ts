// A spread of scenarios that together take every modelled path: both aio modes, the iothread,
// errors with each policy, VM stop and `cont`, event_idx off, ioeventfd off, read-modify-write,
// write-through FUA, cache=unsafe, a blocked Linux AIO queue, worker spawning, merging, blkdebug.
// SPREAD_10_0 runs the same on QEMU 10.0, plus io_uring and the batch limits that only it has.

import { join } from 'node:path';
import { ScenarioInput } from '../../simulator/config/build';
import { root } from '../extension/root';

/** A blkdebug config: every write covering sector 0 fails (after a reschedule), the first read of sector 8 at once. */
export const BLKDEBUG_CONF = join(root, 'test', 'fixtures', 'blkdebug.conf');

export const SPREAD: readonly (readonly [name: string, input: ScenarioInput])[] = [
  ['aio=threads randrw + flushes', { workload: { rw: 'randrw', iodepth: 32, requests: 200, flushEvery: 4 } }],
  [
    'aio=native randrw + flushes',
    { aio: 'native', cache: 'none', workload: { rw: 'randrw', iodepth: 32, requests: 200, flushEvery: 4 } },
  ],
  [
    'iothread, aio=native',
    { iothread: true, aio: 'native', cache: 'none', workload: { rw: 'randrw', iodepth: 8, requests: 100 } },
  ],
  ['iothread, aio=threads', { iothread: true, workload: { rw: 'randrw', iodepth: 8, requests: 100, flushEvery: 3 } }],
  [
    'werror=stop',
    { werror: 'stop', faults: ['write:*:EIO:2'], workload: { rw: 'randwrite', iodepth: 4, requests: 30 } },
  ],
  [
    'werror=stop in an iothread',
    {
      iothread: true,
      werror: 'stop',
      faults: ['write:*:EIO:2'],
      workload: { rw: 'randwrite', iodepth: 4, requests: 30 },
    },
  ],
  [
    'rerror=stop, aio=native',
    {
      aio: 'native',
      cache: 'none',
      rerror: 'stop',
      faults: ['read:#2:EIO:1'],
      workload: { rw: 'randread', iodepth: 4, requests: 20 },
    },
  ],
  [
    'errors reported',
    { faults: ['read:*:EIO:2', 'flush:*:EIO:1'], workload: { rw: 'randrw', iodepth: 4, requests: 30, flushEvery: 2 } },
  ],
  [
    'werror=ignore',
    { werror: 'ignore', faults: ['write:*:EIO:2'], workload: { rw: 'randwrite', iodepth: 4, requests: 20 } },
  ],
  ['event_idx=off', { eventIdx: false, workload: { rw: 'randwrite', iodepth: 8, requests: 40 } }],
  [
    'event_idx=off in an iothread',
    {
      eventIdx: false,
      iothread: true,
      aio: 'native',
      cache: 'none',
      workload: { rw: 'randwrite', iodepth: 8, requests: 40 },
    },
  ],
  ['ioeventfd=off', { ioeventfd: false, workload: { rw: 'randrw', iodepth: 8, requests: 40, flushEvery: 5 } }],
  [
    'ioeventfd=off, aio=native',
    { ioeventfd: false, aio: 'native', cache: 'none', workload: { rw: 'randwrite', iodepth: 8, requests: 40 } },
  ],
  [
    'unaligned writes (read-modify-write, serialising waits)',
    {
      aio: 'native',
      cache: 'none',
      hostBlockSize: 4096,
      workload: { rw: 'write', bs: 1536, iodepth: 8, requests: 40 },
    },
  ],
  [
    'unaligned reads',
    { cache: 'none', hostBlockSize: 4096, workload: { rw: 'randread', bs: 1536, iodepth: 4, requests: 20 } },
  ],
  [
    'cache=writethrough (FUA)',
    { cache: 'writethrough', workload: { rw: 'write', iodepth: 8, batch: 8, requests: 40 } },
  ],
  ['cache=unsafe', { cache: 'unsafe', workload: { rw: 'write', iodepth: 4, requests: 20, flushEvery: 2 } }],
  [
    'a blocked Linux AIO queue',
    {
      aio: 'native',
      cache: 'none',
      queueSize: 256,
      workload: { rw: 'randread', iodepth: 200, batch: 200, requests: 400 },
    },
  ],
  ['merging, no merging', { requestMerging: false, workload: { rw: 'write', iodepth: 8, batch: 8, requests: 32 } }],
  ['sequential merges', { workload: { rw: 'write', iodepth: 40, batch: 40, requests: 80 } }],
  [
    'blkdebug, its config file',
    {
      blkdebug: BLKDEBUG_CONF,
      werror: 'report',
      workload: { rw: 'randrw', iodepth: 4, requests: 40, size: 64 * 1024, flushEvery: 3 },
    },
  ],
  [
    'blkdebug, faults at its layer',
    {
      blkdebug: true,
      cache: 'none',
      aio: 'native',
      werror: 'report',
      faults: ['flush:*:EIO:1', 'write:16:EIO'],
      workload: { rw: 'write', iodepth: 2, requests: 20, size: 64 * 1024, flushEvery: 2 },
    },
  ],
];

export const SPREAD_10_0: readonly (readonly [name: string, input: ScenarioInput])[] = [
  ...SPREAD.map(([name, input]) => [name, { ...input, qemuVersion: '10.0' }] as const),
  ...(<[string, ScenarioInput][]>[
    [
      'aio=io_uring randrw + flushes',
      { aio: 'io_uring', cache: 'none', workload: { rw: 'randrw', iodepth: 32, requests: 200, flushEvery: 4 } },
    ],
    [
      'iothread, aio=io_uring',
      { iothread: true, aio: 'io_uring', workload: { rw: 'randrw', iodepth: 8, requests: 100, flushEvery: 5 } },
    ],
    [
      'io_uring errors reported',
      {
        aio: 'io_uring',
        cache: 'none',
        faults: ['write:*:EIO:2', 'flush:*:EIO:1'],
        workload: { rw: 'randwrite', iodepth: 4, requests: 30, flushEvery: 2 },
      },
    ],
    [
      'werror=stop, aio=io_uring (a nested loop while completions are reaped)',
      {
        aio: 'io_uring',
        cache: 'none',
        werror: 'stop',
        faults: ['write:*:EIO:2'],
        workload: { rw: 'randwrite', iodepth: 4, requests: 30 },
      },
    ],
    [
      'ioeventfd=off, aio=io_uring (the vCPU thread submits and reaps too)',
      { ioeventfd: false, aio: 'io_uring', cache: 'none', workload: { rw: 'randwrite', iodepth: 8, requests: 40 } },
    ],
    [
      'a full io_uring ring',
      {
        aio: 'io_uring',
        cache: 'none',
        queueSize: 512,
        workload: { rw: 'randread', iodepth: 300, batch: 300, requests: 600 },
      },
    ],
    [
      'Linux AIO batch limits (aio-max-batch)',
      {
        iothread: true,
        aio: 'native',
        cache: 'none',
        iothreadMaxBatch: 4,
        driveMaxBatch: 2,
        workload: { rw: 'randwrite', iodepth: 16, batch: 16, requests: 64 },
      },
    ],
  ]).map(([name, input]) => [name, { ...input, qemuVersion: '10.0' }] as const),
];
