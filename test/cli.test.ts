// The qemu-io-explorer command, run as a user runs it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// npm test builds dist/ first; rebuilding here would rewrite bundles other test files are running
before(() => {
  if (existsSync(cli)) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  assert.equal(r.status, 0, 'build');
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
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.length > 100);
    for (const ev of lines)
      assert.deepEqual(Object.keys(ev), ['time_ns', 'thread', 'coroutine', 'function', 'phase', 'requests']);
    assert.ok(lines.some((e) => e.function === 'io_submit' && e.thread === 'main-loop'));
    assert.ok(lines.some((e) => e.phase === 'yield' && typeof e.coroutine === 'number'));
    const times = lines.map((e) => e.time_ns);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'events are in time order',
    );
  });

  test('--format qemu-trace prints tid@sec.usec:name args lines', () => {
    const r = sim('simulate', '--format', 'qemu-trace');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    for (const l of lines) assert.match(l, /^\d+@\d+\.\d{6}:[a-z_]+ /);
    assert.ok(
      lines.some((l) =>
        /^4200@0\.\d{6}:blk_co_pwritev blk 0x[0-9a-f]+ bs 0x[0-9a-f]+ offset 0 bytes 4096 flags 0x0$/.test(l),
      ),
    );
  });

  describe('--format chrome: a trace Perfetto and chrome://tracing open', () => {
    interface TraceEvent {
      ph: string;
      name?: string;
      ts?: number;
      tid: number;
      id?: number;
      args?: Record<string, unknown>;
    }
    function trace(...args: string[]): TraceEvent[] {
      const r = sim('simulate', ...args, '--format', 'chrome');
      assert.equal(r.code, 0, r.err);
      const doc = JSON.parse(r.out);
      assert.equal(doc.displayTimeUnit, 'ns');
      return doc.traceEvents;
    }
    /** Slices nest per thread, time runs forward per thread, every slice and coroutine span ends. */
    function assertWellFormed(events: TraceEvent[]): void {
      const depth = new Map<number, number>();
      const last = new Map<number, number>();
      const asyncOpen = new Map<number, string[]>();
      for (const e of events) {
        if (e.ts !== undefined) {
          assert.ok(e.ts >= (last.get(e.tid) ?? 0), `time goes back on tid ${e.tid} at ${JSON.stringify(e)}`);
          last.set(e.tid, e.ts);
        }
        if (e.ph === 'B') depth.set(e.tid, (depth.get(e.tid) ?? 0) + 1);
        if (e.ph === 'E') {
          assert.ok((depth.get(e.tid) ?? 0) > 0, `an end with nothing open on tid ${e.tid}`);
          depth.set(e.tid, depth.get(e.tid)! - 1);
        }
        if (e.ph === 'b') asyncOpen.set(e.id!, [...(asyncOpen.get(e.id!) ?? []), e.name!]);
        if (e.ph === 'e') assert.equal(asyncOpen.get(e.id!)?.pop(), e.name, `coroutine span ${e.id} ends in order`);
      }
      for (const [tid, d] of depth) assert.equal(d, 0, `slices left open on tid ${tid}`);
      for (const [id, open] of asyncOpen) assert.deepEqual(open, [], `coroutine ${id} spans left open`);
    }

    test('threads are named tracks; a coroutine’s frames leave the thread at the yield and come back at the resume', () => {
      const events = trace('--iothread', '--rw', 'randwrite', '--iodepth', '8', '--requests', '40');
      assertWellFormed(events);
      const names = new Map(
        events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args!.name)]),
      );
      for (const n of ['main-loop', 'iothread0', 'worker-1', 'vcpu0'])
        assert.ok([...names.values()].includes(n), `a ${n} track`);
      const coroutines = events.filter((e) => e.ph === 'b' && e.name!.startsWith('coroutine #'));
      assert.equal(coroutines.length, 40, 'one span per request coroutine (random writes do not merge)');
      assert.ok(coroutines.every((e) => / · blk_aio_write_entry$/.test(e.name!)));
      // the pwrite of each request on a worker track, the coroutine's frames on the iothread's
      const tidOf = (n: string) => [...names].find(([, v]) => v === n)![0];
      assert.equal(
        events.filter((e) => e.ph === 'B' && e.name === 'pwrite' && names.get(e.tid)!.startsWith('worker-')).length,
        40,
      );
      const resumed = events.filter((e) => e.ph === 'B' && e.args?.resumed === true);
      assert.ok(resumed.length >= 40 * 5, "each resume reopens the coroutine's stack");
      assert.ok(resumed.every((e) => e.tid === tidOf('iothread0')));
      assert.ok(
        resumed.some((e) => e.name === 'blk_aio_write_entry') &&
          resumed.some((e) => e.name === 'thread_pool_submit_co'),
      );
    });

    test('a request parked by werror=stop ends the trace with its coroutine span closed', () => {
      const events = trace(
        '--rw',
        'write',
        '--requests',
        '2',
        '--fault',
        'write:*:EIO',
        '--werror',
        'stop',
        '--max-resumes',
        '0',
      );
      assertWellFormed(events);
      assert.ok(events.some((e) => e.ph === 'B' && e.name === 'vm_stop'));
    });
  });

  test('requests left in the avail ring are explained on stderr', () => {
    const r = sim(
      'simulate',
      '--aio',
      'threads',
      '--cache',
      'unsafe',
      '--iothread',
      '--event-idx',
      'off',
      '--request-merging',
      'off',
      '--host-block-size',
      '512',
      '--seed',
      '5071084',
      '--queue-size',
      '1024',
      '--poll-max-ns',
      '0',
      '--rw',
      'randrw',
      '--rwmixread',
      '30',
      '--bs',
      '512',
      '--iodepth',
      '64',
      '--batch',
      '5',
      '--requests',
      '400',
      '--flush-every',
      '1',
      '--format',
      'none',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /note: the run ended with \d+ request\(s\) not completed \(VM running\)/);
    assert.match(r.err, /note: \d+ request\(s\) sit in the avail ring unseen: VRING_USED_F_NO_NOTIFY is still set/);
  });

  test('--stats reports IOPS, per-stage latency, interrupts and merges', () => {
    const r = sim(
      'simulate',
      '--rw',
      'randread',
      '--iodepth',
      '32',
      '--requests',
      '2000',
      '--aio',
      'native',
      '--cache',
      'none',
      '--format',
      'none',
      '--stats',
    );
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
    const r = sim(
      'simulate',
      '--qemu',
      '-drive if=none,id=d0,file=x.img,format=raw -device virtio-blk-pci,drive=d0',
      '--fio',
      job,
      '--format',
      'qemu-trace',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /virtio_blk_submit_multireq .* num_reqs 2 offset 0 size 8192 is_write 1/);
  });
});
