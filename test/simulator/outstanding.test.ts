// The requests left at the end of a run, counted three ways that must agree: the event stream
// (a request QEMU answered has a virtio_blk_req_complete), the statistics, and the closing
// message of the CLI. Under werror=stop a run can end with the VM stopped: one request parked
// by the error policy, others answered by QEMU but not seen by the guest, whose vCPU is paused.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { statsText } from '../../simulator/output/stats-text';
import { run } from '../helpers/sim';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');

// the scenario of issue 10, finding 9
const FLAGS = [
  '--aio',
  'threads',
  '--cache',
  'writethrough',
  '--rw',
  'randwrite',
  '--bs',
  '1536',
  '--iodepth',
  '8',
  '--batch',
  '6',
  '--requests',
  '5000',
  '--fault',
  'write:0-2047:EIO',
  '--werror',
  'stop',
  '--rerror',
  'stop',
  '--flush-every',
  '2',
  '--seed',
  '2648027122',
];

test('the event stream, the statistics and the closing message agree on what is left', () => {
  const r = run({
    aio: 'threads',
    cache: 'writethrough',
    werror: 'stop',
    rerror: 'stop',
    faults: ['write:0-2047:EIO'],
    seed: 2648027122,
    workload: { rw: 'randwrite', bs: 1536, iodepth: 8, batch: 6, requests: 5000, flushEvery: 2 },
  });
  const seen = new Set<number>();
  const answered = new Set<number>();
  for (const e of r.events) {
    for (const id of e.requests) seen.add(id);
    if (e.function === 'virtio_blk_req_complete' && e.phase === 'enter') for (const id of e.requests) answered.add(id);
  }
  const neverAnswered = [...seen].filter((id) => !answered.has(id));
  const st = r.sim.stats();
  assert.equal(st.vm.state, 'stopped (io-error)', 'the run ends with the VM stopped');
  assert.equal(st.requests.parked, neverAnswered.length, 'parked = requests QEMU never answered');
  assert.equal(
    st.requests.outstanding,
    st.requests.parked + st.requests.unseen,
    'outstanding = parked + answered but not seen by the guest',
  );
  assert.equal(seen.size - st.requests.completed - st.requests.flushes, st.requests.outstanding);
  assert.ok(st.requests.unseen > 0, 'this run leaves answered requests the guest has not seen');
  assert.match(
    statsText(st),
    new RegExp(
      `${st.requests.outstanding} outstanding \\(${st.requests.parked} parked by werror/rerror=stop, ${st.requests.unseen} answered`,
    ),
  );

  if (!existsSync(cli)) return;
  const c = spawnSync(process.execPath, [cli, 'simulate', ...FLAGS, '--format', 'none'], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
  assert.match(
    c.stderr,
    new RegExp(
      `the run ended with ${st.requests.outstanding} request\\(s\\) not completed: ${st.requests.parked} parked by werror/rerror=stop, ${st.requests.unseen} answered by QEMU but not yet seen by the guest`,
    ),
  );
});
