// A spread of scenarios that together take every modelled path: both aio modes, the iothread,
// errors with each policy, VM stop and `cont`, event_idx off, ioeventfd off, read-modify-write,
// write-through FUA, cache=unsafe, a blocked Linux AIO queue, worker spawning, merging.

import { ScenarioInput } from '../../simulator/config/build';

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
];
