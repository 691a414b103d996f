// A workload read from a trace: the log's requests, kick by kick, replayed by the simulated
// guest; and what a path that is not a trace log gets.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { IoOp } from '../../simulator/backends/device';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { ConfigError } from '../../simulator/config/errors';
import { TraceWorkload } from '../../simulator/config/scenario';
import { readTraceWorkload } from '../../simulator/config/trace-workload';
import { qemuTraceLine } from '../../simulator/output/qemu-trace';
import { Simulator } from '../../simulator/simulator';

const root = join(__dirname, '..', '..', '..');
const traces = join(root, 'test', 'fixtures', 'traces');
const tmp = mkdtempSync(join(tmpdir(), 'qemu-io-trace-workload-'));

const OP = ['read', 'write', 'flush'];
const flat = (w: TraceWorkload) => w.kicks.flatMap((k) => k.requests);

/** Runs a scenario to its end; the guest's requests in the order QEMU popped them, and the trace lines. */
function simulate(input: ScenarioInput) {
  const { scenario } = buildScenario(input);
  const sim = new Simulator(scenario);
  const lines: string[] = [];
  sim.m.tracer = (t, event, args) => lines.push(qemuTraceLine(sim.m, t, event, args));
  const reaped: { tPop: number; id: number; op: string; sector: number; bytes: number }[] = [];
  sim.m.requestListener = (id) => {
    const r = sim.m.s.w.vblk.reqs.get(id)!;
    const flush = r.op === IoOp.flush;
    reaped.push({ tPop: r.tPop, id, op: OP[r.op], sector: flush ? 0 : r.sector, bytes: flush ? 0 : r.bytes });
  };
  sim.run(5_000_000);
  assert.ok(sim.done);
  reaped.sort((a, b) => a.tPop - b.tPop || a.id - b.id);
  const popped = reaped.map(({ op, sector, bytes }) => ({ op, sector, bytes }));
  return { sim, popped, text: lines.join('\n') + '\n' };
}

const fails = async (p: Promise<unknown>, pattern: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.match(e.message, pattern);
    return true;
  });

describe('a workload read from a real trace', () => {
  test('the 7.2 log: its 44 requests in pop order, grouped by the kick they came in', async () => {
    const { workload: w, notes } = await readTraceWorkload(join(traces, '7.2/threads.log'), '--workload-from-trace');
    assert.equal(w.requests, 44);
    assert.equal(w.kicks.length, 26);
    assert.deepEqual(w.kicks[0], { requests: [{ op: 'write', sector: 0, bytes: 4096 }], after: 0, gapNs: 0 });
    assert.deepEqual(w.kicks[1].requests, [{ op: 'read', sector: 0, bytes: 4096 }]);
    assert.equal(w.kicks[1].after, 1, 'the write completed before the read was kicked');
    assert.ok(w.kicks[1].gapNs > 1_000_000, 'about 11 ms between the two dd runs');
    assert.deepEqual(w.kicks[11].requests, [{ op: 'flush', sector: 0, bytes: 0 }]);
    // step 6: sixteen 4 KiB writes queued together, after the 12 requests before them completed
    const w16 = w.kicks[12];
    assert.deepEqual(
      w16.requests.map((r) => r.sector),
      Array.from({ length: 16 }, (_, i) => 8192 + 8 * i),
    );
    assert.equal(w16.after, 12);
    assert.ok(w.kicks.every((k, i) => i === 0 || k.after >= w.kicks[i - 1].after));
    assert.match(notes.join('\n'), /replaying 44 requests in 26 kicks/);
    const zst = await readTraceWorkload(join(traces, '7.2/threads.log.zst'), 'x');
    assert.deepEqual(zst.workload.kicks, w.kicks, 'the same from the zstd-compressed copy');
  });

  test('replayed: the guest issues them in that order, and merging sees the same batches', async () => {
    const { workload } = await readTraceWorkload(join(traces, '7.2/threads.log'), 'x');
    const r = simulate({ traceWorkload: workload, cache: 'none' });
    assert.deepEqual(r.popped, flat(workload));
    const st = r.sim.stats();
    assert.equal(st.requests.outstanding, 0);
    assert.equal(r.sim.m.s.w.guest.stats.doorbells, workload.kicks.length, 'a doorbell write for each kick of the log');
    // QEMU merged the 16 writes of step 6 into one, and the last 4 reads of step 7 (as in the log)
    const merges = r.text
      .match(/virtio_blk_submit_multireq .* num_reqs (\d+)/g)
      ?.map((l) => Number(l.split(' ').pop()));
    assert.deepEqual(merges, [16, 4]);
  });

  test('a simulated run read back is the same workload, and replays to the same requests', async () => {
    const first = simulate({
      workload: { rw: 'randrw', bs: 4096, iodepth: 8, batch: 4, requests: 200, flushEvery: 16, size: 64 << 20 },
    });
    const file = join(tmp, 'sim.log');
    writeFileSync(file, first.text);
    const { workload } = await readTraceWorkload(file, 'x');
    assert.deepEqual(flat(workload), first.popped);
    const again = simulate({ traceWorkload: workload });
    assert.deepEqual(again.popped, first.popped);
    assert.equal(again.sim.stats().requests.outstanding, 0);
  });

  test('checkpoints share the trace (it never changes) and a restored run replays exactly', async () => {
    const { workload } = await readTraceWorkload(join(traces, '7.2/native.log'), 'x');
    const { scenario } = buildScenario({ traceWorkload: workload, aio: 'native', cache: 'none' });
    const sim = new Simulator(scenario);
    sim.run(3000);
    const cp = sim.checkpoint();
    assert.equal(cp.w.guest.work.wl, sim.m.s.w.guest.work.wl);
    const rest = (): number[] => {
      const seen: number[] = [];
      sim.listener = (ev) => seen.push(ev.fn, ev.time);
      sim.run(Infinity);
      return seen;
    };
    const a = rest();
    sim.restore(cp);
    assert.deepEqual(rest(), a);
  });
});

describe('what is not a trace to replay', () => {
  const log = join(traces, '7.2/threads.log');
  test('missing, a directory, a FIFO, empty, text or binary that is no trace: one line naming the flag', async () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(tmp, 'empty.log'), '');
    writeFileSync(join(tmp, 'notes.txt'), 'dd if=/dev/zero of=/dev/vda bs=4k count=1\n');
    writeFileSync(join(tmp, 'bytes.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 0]));
    writeFileSync(join(tmp, 'polls.log'), '4200@1.000000:poll_grow ctx 0x1 old 0 new 4000\n');
    const f = '--workload-from-trace';
    await fails(readTraceWorkload('/no/such.log', f), /^--workload-from-trace "\/no\/such.log": no such file$/);
    await fails(readTraceWorkload(tmp, f), /: a directory, not a trace log/);
    await fails(readTraceWorkload(fifo, f), /: a FIFO \(named pipe\), not a trace log/);
    await fails(readTraceWorkload(join(tmp, 'empty.log'), f), /the file is empty/);
    await fails(readTraceWorkload(join(tmp, 'notes.txt'), f), /not a QEMU trace: no trace-event lines/);
    await fails(readTraceWorkload(join(tmp, 'bytes.bin'), f), /not a QEMU trace/);
    await fails(readTraceWorkload(join(tmp, 'polls.log'), f), /no guest requests in it \(no virtqueue_pop/);
  });

  test('a trace with other workload settings, on too small a disk, or with a kick the ring cannot hold', async () => {
    const { workload } = await readTraceWorkload(log, 'x');
    assert.throws(
      () => buildScenario({ traceWorkload: workload, workload: { rw: 'read' } }),
      /replays the trace's own requests: it cannot be combined with workload.rw/,
    );
    assert.throws(
      () => buildScenario({ traceWorkload: workload, diskBytes: 4 << 20 }),
      /request 13 \(write of 4096 bytes at sector 8192\) ends past the end of the 4194304-byte disk/,
    );
    assert.throws(
      () => buildScenario({ traceWorkload: workload, queueSize: 8 }),
      /a kick with 16 requests does not fit the virtqueue's queue-size 8/,
    );
  });

  test('the command line: exit code 2 and one line, without waiting on a FIFO', () => {
    const cli = join(root, 'dist', 'cli.js');
    for (const [path, pattern] of [
      [
        join(tmp, 'fifo'),
        /^qemu-io-explorer: error: --workload-from-trace ".*fifo": a FIFO \(named pipe\), not a trace log\n$/,
      ],
      ['/no/such.log', /^qemu-io-explorer: error: --workload-from-trace "\/no\/such.log": no such file\n$/],
    ] as const) {
      const r = spawnSync(process.execPath, [cli, 'simulate', '--workload-from-trace', path], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, pattern);
    }
    const ok = spawnSync(
      process.execPath,
      [cli, 'simulate', '--workload-from-trace', log, '--format', 'none', '--stats'],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /note: replaying 44 requests in 26 kicks/);
    assert.match(ok.stdout, /43 completed, 1 flushes, 0 with errors, 0 outstanding/);
  });
});
