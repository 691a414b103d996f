// The qemu-io-explorer command, run as a user runs it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
});

describe('qemu-io-explorer simulate', () => {
  test('the default scenario prints the path of one write, thread by thread', () => {
    const r = sim('simulate');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /main-loop .*→ virtio_blk_handle_vq/);
    assert.match(r.out, /co#1 .*⟂ qemu_coroutine_yield/);
    assert.match(r.out, /worker-1 .*→ pwrite\s+req 1/);
    assert.match(r.out, /vcpu0 .*→ virtblk_done/);
  });

  test('--format jsonl: one stage event per line with the documented fields', () => {
    const r = sim('simulate', '--aio', 'native', '--cache', 'none', '--format', 'jsonl');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length > 100);
    for (const ev of lines) assert.deepEqual(Object.keys(ev), ['time_ns', 'thread', 'coroutine', 'function', 'phase', 'requests']);
    assert.ok(lines.some((e) => e.function === 'io_submit' && e.thread === 'main-loop'));
    assert.ok(lines.some((e) => e.phase === 'yield' && typeof e.coroutine === 'number'));
    const times = lines.map((e) => e.time_ns);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'events are in time order');
  });

  test('--format qemu-trace prints tid@sec.usec:name args lines', () => {
    const r = sim('simulate', '--format', 'qemu-trace');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    for (const l of lines) assert.match(l, /^\d+@\d+\.\d{6}:[a-z_]+ /);
    assert.ok(lines.some((l) => /^4200@0\.\d{6}:blk_co_pwritev blk 0x[0-9a-f]+ bs 0x[0-9a-f]+ offset 0 bytes 4096 flags 0x0$/.test(l)));
  });

  test('--stats reports IOPS, per-stage latency, interrupts and merges', () => {
    const r = sim('simulate', '--rw', 'randread', '--iodepth', '32', '--requests', '2000', '--aio', 'native', '--cache', 'none', '--format', 'none', '--stats');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2000 completed/);
    assert.match(r.out, /\d+ IOPS/);
    assert.match(r.out, /backend \(host I\/O\)\s+[\d.]+ µs/);
    assert.match(r.out, /interrupts\s+\d+ raised for 2000 completions/);
  });

  test('--qemu and --fio take their settings from what the user runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qie-'));
    const job = join(dir, 'job.fio');
    writeFileSync(job, '[w]\nrw=write\nbs=4k\niodepth=2\niodepth_batch_submit=2\nnumber_ios=2\n');
    const r = sim('simulate', '--qemu', '-drive if=none,id=d0,file=x.img,format=raw -device virtio-blk-pci,drive=d0', '--fio', job, '--format', 'qemu-trace');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /virtio_blk_submit_multireq .* num_reqs 2 offset 0 size 8192 is_write 1/);
  });

  test('bad input: one line naming the problem, exit code 2, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['simulate', '--bogus'], /Unknown option '--bogus'/],
      [['simulate', '--bs', 'huge'], /--bs: "huge" is not a size/],
      [['simulate', '--aio', 'native'], /aio=native requires cache.direct=on/],
      [['simulate', '--qemu', '-drive id=d0,frobnicate=1 -device virtio-blk-pci,drive=d0'], /-drive has no option "frobnicate"/],
      [['simulate', '--fio', '/no/such/job.fio'], /no such file/],
      [['simulate', '--fault', 'write:x:EIO'], /sector range "x"/],
      [['simulate', '--rw', 'sideways'], /--rw sideways: expected one of/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ];
    for (const [args, pattern] of cases) {
      const r = sim(...args);
      assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}`);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.err}`);
      assert.match(lines[0], /^qemu-io-explorer: error: /);
      assert.match(lines[0], pattern);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });
});
