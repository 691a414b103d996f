// A trace session given a file it cannot replay is refused with one line naming the file (or
// the field) and what was found there, and the adapter goes on answering.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { open, root } from '../helpers/dap';
import { TRACES } from '../helpers/replay';

const dir = mkdtempSync(join(tmpdir(), 'replay-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const fifo = join(dir, 'trace.fifo');
execFileSync('mkfifo', [fifo]);
const missing = join(dir, 'no-such.log');
const notTrace = join(root, 'package.json');
const empty = file('empty.log', '');
const binary = file('binary.log', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
// a real QEMU log, but of events off the virtio-blk path: nothing tells the version
const undetectable = file(
  'other.log',
  Array.from(
    { length: 20 },
    (_, i) => `1234@1700000000.${String(100 + i).padStart(6, '0')}:kvm_run_exit cpu_index 0, reason 2\n`,
  ).join(''),
);
const real = join(TRACES, '7.2/threads.log');

const CASES: [string, 'launch' | 'attach', Record<string, unknown>, RegExp][] = [
  ['a missing file', 'launch', { traceFile: missing }, /cannot read .*no-such\.log: no such file/],
  ['a directory', 'launch', { traceFile: dir }, /it is a directory, not a trace log file/],
  ['a FIFO', 'launch', { traceFile: fifo }, /trace\.fifo: it is a FIFO \(named pipe\), not a trace log file/],
  ['a FIFO to follow', 'attach', { traceFile: fifo }, /trace\.fifo: it is a FIFO/],
  [
    'a file that is not a trace',
    'launch',
    { traceFile: notTrace },
    /package\.json is not a QEMU trace: .*its first lines are "\("/,
  ],
  ['binary data', 'launch', { traceFile: binary }, /binary\.log is binary data, not a QEMU trace/],
  ['an empty file', 'launch', { traceFile: empty }, /empty\.log is empty: no trace events to replay/],
  [
    'an empty file to follow, version unknown',
    'attach',
    { traceFile: empty },
    /empty\.log is empty, so its QEMU version cannot be told yet: set "qemuVersion"/,
  ],
  [
    'a version that cannot be detected',
    'launch',
    { traceFile: undetectable },
    /other\.log: the QEMU version cannot be told from its events \(.*\): set "qemuVersion" \(4\.1\.0, 7\.2, 10\.0\)/,
  ],
  ['an empty path', 'launch', { traceFile: ' ' }, /"traceFile" is empty/],
  ['attach without a trace', 'attach', {}, /attach configuration: "traceFile" is missing/],
  [
    'a simulation field with a trace',
    'launch',
    { traceFile: real, workload: { iodepth: 4 } },
    /"workload" sets up a simulation and cannot be used with "traceFile"/,
  ],
  [
    'a simulation field when following',
    'attach',
    { traceFile: real, seed: 3 },
    /attach configuration: "seed" sets up a simulation/,
  ],
  [
    'a version no trace is read with',
    'launch',
    { traceFile: real, qemuVersion: '9.9' },
    /"qemuVersion" is "9\.9"; expected one of/,
  ],
  ['a document that is missing', 'launch', { traceFile: real, document: missing }, /"document" is ".*no-such\.log": /],
];

describe('bad trace sessions', () => {
  for (const [what, request, config, pattern] of CASES) {
    test(what, async () => {
      const s = await open();
      try {
        await s.dc.initializeRequest();
        const args = { type: 'qemu-io', request, name: 'bad', ...config } as never;
        const sent = request === 'launch' ? s.dc.launchRequest(args) : s.dc.attachRequest(args);
        await assert.rejects(sent, (e: Error) => {
          assert.match(e.message, pattern);
          assert.ok(!e.message.includes('\n') && e.message.length <= 600, `one short line: ${e.message}`);
          assert.doesNotMatch(e.message, /at .*\.js:\d+/, 'no stack');
          return true;
        });
        // still alive: it answers the next request
        assert.deepEqual((await s.dc.threadsRequest()).body.threads, []);
      } finally {
        await s.close();
      }
    });
  }

  test('a given version that does not fit the log still replays it, saying what was given', async () => {
    const s = await open();
    try {
      await s.dc.initializeRequest();
      const stopped = s.dc.waitForEvent('stopped');
      const launched = s.dc.launchRequest({
        type: 'qemu-io',
        request: 'launch',
        name: 'v',
        traceFile: real,
        qemuVersion: '10.0',
      } as never);
      await s.dc.waitForEvent('initialized');
      await s.dc.configurationDoneRequest();
      await launched;
      await stopped;
      const text = s
        .events('output')
        .map((e) => e.body.output)
        .join('');
      assert.match(text, /as QEMU 10\.0 \(given by the "qemuVersion" field\)/);
      assert.ok(readFileSync(real, 'latin1').length > 0);
    } finally {
      await s.close();
    }
  });
});
