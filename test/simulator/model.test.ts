// Behaviour beyond the six reference scenarios: merging rules, plug batching and the
// MAX_EVENTS limit, worker growth, notification suppression, alignment, flushes,
// determinism, exactly-once completion, checkpoints.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { Simulator } from '../../simulator/simulator';
import { StopReason } from '../../simulator/engine/types';
import { EventLines } from '../../simulator/output/events';
import { LineBuffer } from '../../simulator/output/line-buffer';
import { entered, run } from '../helpers/sim';

function multireqs(input: ScenarioInput): number[][] {
  return run(input)
    .traces.filter((t) => t.event === 'virtio_blk_submit_multireq')
    .map((t) => [t.args[3] as number, t.args[5] as number]);
}

describe('request merging (virtio_blk_submit_multireq)', () => {
  const seq = { rw: 'write' as const, bs: 4096, iodepth: 4, batch: 4, requests: 4 };

  test('four sequential writes in one kick become one 16 KiB request', () => {
    assert.deepEqual(multireqs({ workload: seq }), [[4, 16384]]);
  });

  test('request-merging=off submits each on its own', () => {
    const r = run({ requestMerging: false, workload: seq });
    assert.equal(r.traces.filter((t) => t.event === 'virtio_blk_submit_multireq').length, 0);
    assert.equal(r.traces.filter((t) => t.event === 'blk_co_pwritev').length, 4);
  });

  test('a direction change flushes the buffer: reads and writes never merge', () => {
    const r = run({ workload: { rw: 'rw', rwmixread: 50, bs: 4096, iodepth: 16, batch: 16, requests: 16 }, seed: 3 });
    const blk = r.traces.filter((t) => t.event === 'blk_co_pwritev' || t.event === 'blk_co_preadv');
    assert.ok(blk.length >= 2);
    assert.equal(r.sim.stats().requests.completed, 16);
  });

  test('random (non-adjacent) requests are sorted but not merged', () => {
    const r = run({ workload: { rw: 'randwrite', bs: 4096, iodepth: 8, batch: 8, requests: 8 }, seed: 7 });
    const sectors = r.traces
      .filter((t) => t.event === 'bdrv_co_pwritev' && t.args[0] === 0)
      .map((t) => t.args[1] as number);
    assert.equal(sectors.length, 8);
    assert.deepEqual(
      [...sectors].sort((a, b) => a - b),
      sectors,
      'submitted in sector order',
    );
  });

  test('more than 32 buffered requests are submitted in 32-request chunks', () => {
    const m = multireqs({ workload: { rw: 'write', bs: 4096, iodepth: 40, batch: 40, requests: 40 } });
    assert.deepEqual(m, [
      [32, 131072],
      [8, 32768],
    ]);
  });
});

describe('Linux AIO plug batching and MAX_EVENTS', () => {
  test('16 requests in one kick: one io_submit of 16 iocbs at unplug', () => {
    const r = run({ aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 16, batch: 16, requests: 16 } });
    const submits = r.events.filter((e) => e.function === 'io_submit' && e.phase === 'enter');
    assert.equal(submits.length, 1);
    const snap = r.sim.snapshot();
    assert.equal(snap.linuxAio[0].maxInFlight, 16);
    assert.equal(r.sim.stats().requests.completed, 16);
  });

  test('in_flight never exceeds 128; the queue blocks and the completion path resubmits', () => {
    const r = run({
      aio: 'native',
      cache: 'none',
      queueSize: 256,
      workload: { rw: 'randread', iodepth: 200, batch: 200, requests: 400 },
    });
    const st = r.sim.stats();
    assert.equal(st.queueDepth.laioMaxInFlight, 128);
    assert.equal(st.requests.completed, 400);
    const main = entered(r, 'main-loop');
    assert.ok(main.includes('qemu_laio_process_completions_and_submit'));
    // a submission while plugged: laio_do_submit itself called ioq_submit when 128 were queued
    const doSubmitThenIoq = r.events.some(
      (e, i) =>
        e.function === 'ioq_submit' &&
        e.phase === 'enter' &&
        r.events.slice(Math.max(0, i - 3), i).some((p) => p.function === 'laio_do_submit' && p.phase === 'enter'),
    );
    assert.ok(doSubmitThenIoq);
  });
});

describe('thread pool', () => {
  test('grows to 64 workers and queues beyond; idle workers exit after 10 s', () => {
    const r = run({ workload: { rw: 'randread', iodepth: 100, batch: 100, requests: 300 } });
    const st = r.sim.stats();
    assert.equal(st.threadPool.workersSpawned, 64);
    assert.ok(st.queueDepth.poolMaxQueued > 64);
    assert.equal(st.requests.completed, 300);
    // let time pass: every worker times out in qemu_sem_timedwait and exits
    r.sim.m.s.done = false;
    r.sim.run(Infinity, null, r.sim.now + 11e9);
    assert.equal(r.sim.stats().threadPool.workersExited, 64);
    assert.equal(r.sim.threads().filter((t) => t.kind === 'worker').length, 0);
  });

  test('a warm pool reuses idle workers instead of spawning', () => {
    const st = run({ workload: { rw: 'randread', iodepth: 1, requests: 50 } }).sim.stats();
    assert.equal(st.threadPool.workersSpawned, 1);
    assert.equal(st.coroutines.created, 1);
    assert.equal(st.coroutines.reusedFromPool, 49);
  });
});

describe('notifications', () => {
  test('EVENT_IDX: fewer interrupts than completions at queue depth', () => {
    const st = run({
      aio: 'native',
      cache: 'none',
      workload: { rw: 'randread', iodepth: 32, requests: 2000 },
    }).sim.stats();
    assert.equal(st.requests.completed, 2000);
    assert.ok(
      st.interrupts.raised < st.requests.completed,
      `${st.interrupts.raised} interrupts for ${st.requests.completed} completions`,
    );
    assert.ok(st.interrupts.suppressed > 0);
    assert.ok(st.kicks.doorbells < 2000, 'kicks are suppressed while QEMU processes the queue');
  });

  test('without EVENT_IDX interrupts are batched by notify_guest_bh', () => {
    const r = run({
      eventIdx: false,
      aio: 'native',
      cache: 'none',
      workload: { rw: 'randread', iodepth: 8, requests: 200 },
    });
    assert.ok(entered(r, 'main-loop').includes('notify_guest_bh'));
    assert.equal(r.sim.stats().requests.completed, 200);
  });

  test('ioeventfd=off: the vCPU thread runs handle_vq and completion uses virtio_notify', () => {
    const r = run({ ioeventfd: false, workload: { rw: 'write', requests: 3 } });
    const vcpu = entered(r, 'vcpu0');
    for (const fn of [
      'virtio_pci_notify_write',
      'virtio_queue_notify',
      'virtio_blk_handle_output',
      'virtio_blk_handle_output_do',
      'virtio_blk_handle_vq',
      'blk_aio_prwv',
      'qemu_coroutine_yield',
    ]) {
      assert.ok(vcpu.includes(fn), `vcpu0 runs ${fn}`);
    }
    assert.ok(entered(r, 'main-loop').includes('virtio_notify'), 'completion on the main loop uses virtio_notify');
    assert.ok(!r.events.some((e) => e.function === 'virtio_notify_irqfd'));
    assert.equal(r.sim.stats().requests.completed, 3);
  });

  test('ioeventfd=off with Linux AIO at depth: vCPU and main loop share the submission queue without losing an iocb', () => {
    // the model does not serialise the BQL, so the vCPU's io_submit can run while the main
    // loop's is on its way; the later one submits what is still pending
    const r = run({
      aio: 'native',
      cache: 'none',
      ioeventfd: false,
      queueSize: 1024,
      workload: { rw: 'rw', bs: 1536, iodepth: 256, requests: 400, flushEvery: 7, size: 1 << 20 },
      seed: 3215080,
      hostBlockSize: 512,
    });
    const st = r.sim.stats();
    assert.equal(st.requests.completed, 400);
    assert.equal(st.requests.outstanding, 0);
  });

  test('event_idx=off, an iothread that never busy-polls: the left-over requests are explained, not silently lost', () => {
    const input = {
      aio: 'threads',
      cache: 'unsafe',
      iothread: true,
      eventIdx: false,
      requestMerging: false,
      hostBlockSize: 512,
      seed: 5071084,
      queueSize: 1024,
      pollMaxNs: 0,
      workload: { rw: 'randrw', rwmixread: 30, bs: 512, iodepth: 64, batch: 5, requests: 400, flushEvery: 1 },
    } as const satisfies ScenarioInput;
    const stalled = run(input).sim;
    const left = stalled.stats().requests.outstanding;
    assert.ok(left > 0);
    assert.match(
      stalled.stallNote() ?? '',
      new RegExp(`^${left} request\\(s\\) sit in the avail ring unseen: VRING_USED_F_NO_NOTIFY is still set`),
    );
    assert.equal(stalled.snapshot().virtqueue.availRing.length, left);
    assert.equal(stalled.snapshot().virtqueue.noNotify, true);
    for (const fix of [{ eventIdx: true }, { pollMaxNs: 32768 }]) {
      const ok = run({ ...input, ...fix }).sim;
      assert.equal(ok.stats().requests.completed, 400, JSON.stringify(fix));
      assert.equal(ok.stallNote(), null);
    }
  });

  test('an iothread finds requests by busy polling once poll_ns has grown', () => {
    const st = run({
      aio: 'native',
      cache: 'none',
      iothread: true,
      workload: { rw: 'randread', iodepth: 4, requests: 500 },
    }).sim.stats();
    assert.ok(st.loops.iothreadPollHits > 0);
    assert.equal(st.loops.mainIterations < 10, true, 'the main loop is idle');
  });
});

describe('alignment and flushes', () => {
  test('a 512-byte write on a 4096-byte O_DIRECT host is a serialising read-modify-write', () => {
    const r = run({
      aio: 'native',
      cache: 'none',
      hostBlockSize: 4096,
      workload: { rw: 'write', bs: 512, requests: 1 },
    });
    const yields = r.events.filter((e) => e.phase === 'yield').length;
    assert.equal(yields, 2, 'head read, then the widened write');
    const fileNodeReqs = r.traces.filter((t) => t.event === 'bdrv_co_pwritev').map((t) => [t.args[0], t.args[2]]);
    assert.deepEqual(fileNodeReqs, [
      [0, 512],
      [1, 512],
    ]);
    assert.ok(r.events.some((e) => e.function === 'bdrv_aligned_preadv'));
    assert.equal(r.sim.stats().requests.completed, 1);
  });

  test("writes waiting on a serialising read-modify-write do not deadlock with it (QEMU's waiting_for rule)", () => {
    // three 512-byte writes into one 4 KiB host block: the first pads and serialises, the
    // other two wait for it; when the first comes back to write, it must pass the waiting ones
    const r = run({
      aio: 'native',
      cache: 'none',
      hostBlockSize: 4096,
      requestMerging: false,
      werror: 'ignore',
      faults: ['write:#3:EIO'],
      workload: { rw: 'write', bs: 512, iodepth: 3, batch: 3, requests: 3 },
    });
    assert.ok(r.sim.m.s.w.block.serialisingWaits >= 2, 'the later writes did wait');
    assert.equal(r.sim.stats().requests.completed, 3);
    assert.equal(r.sim.stats().requests.outstanding, 0);
  });

  test('a flush is forced after buffered writes and goes through the thread pool even with aio=native', () => {
    const r = run({
      aio: 'native',
      cache: 'none',
      workload: { rw: 'write', iodepth: 2, batch: 2, requests: 4, flushEvery: 2 },
    });
    const st = r.sim.stats();
    assert.equal(st.requests.flushes, 2);
    assert.ok(
      r.events.some((e) => e.function === 'fdatasync'),
      'fdatasync runs on a worker',
    );
    assert.ok(r.events.some((e) => e.function === 'raw_co_flush_to_disk'));
  });

  test('cache=writethrough adds FUA, emulated by a flush after each write', () => {
    const r = run({ cache: 'writethrough', workload: { rw: 'write', requests: 1 } });
    // blk_co_pwritev traces the device's flags and adds FUA after; raw-format does not pass it down
    const flags = (event: string) => r.traces.filter((t) => t.event === event).map((t) => t.args.at(-1));
    assert.deepEqual(flags('blk_co_pwritev'), [0]);
    assert.deepEqual(flags('bdrv_co_pwritev'), [0x10, 0]);
    assert.ok(r.events.some((e) => e.function === 'bdrv_co_flush'));
    assert.ok(r.events.some((e) => e.function === 'fdatasync'));
  });

  test('a failed fdatasync makes every later flush fail (page cache inconsistent)', () => {
    const r = run({
      werror: 'report',
      faults: ['flush:*:EIO:1'],
      workload: { rw: 'write', iodepth: 1, requests: 4, flushEvery: 1 },
    });
    const st = r.sim.stats();
    assert.equal(st.requests.flushes, 4);
    assert.equal(st.requests.errors, 4, 'the first flush failed on the device, the next ones from the poisoned state');
  });
});

function hashRun(input: ScenarioInput): string {
  const { scenario } = buildScenario(input);
  const sim = new Simulator(scenario);
  const h = createHash('sha256');
  const out = new LineBuffer();
  const lines = new EventLines(sim, out);
  sim.listener = (ev) => lines.json(ev);
  while (sim.run(10_000) === StopReason.limit) for (const b of out.take()) h.update(b);
  for (const b of out.take()) h.update(b);
  return h.digest('hex');
}

describe('determinism', () => {
  const input: ScenarioInput = { aio: 'threads', workload: { rw: 'randrw', iodepth: 16, requests: 500 }, seed: 42 };

  test('the same seed gives the same event stream', () => {
    assert.equal(hashRun(input), hashRun(input));
  });

  test('another seed gives another stream', () => {
    assert.notEqual(hashRun(input), hashRun({ ...input, seed: 43 }));
  });

  const varied: ScenarioInput[] = [
    input,
    { aio: 'native', cache: 'none', iothread: true, workload: { rw: 'randread', iodepth: 8, requests: 400 } },
    { werror: 'stop', faults: ['write:#3:EIO:1'], workload: { rw: 'write', iodepth: 4, requests: 30 } },
    {
      aio: 'native',
      cache: 'none',
      hostBlockSize: 4096,
      workload: { rw: 'randwrite', bs: 512, iodepth: 16, requests: 200, size: 65536 },
    },
    { workload: { rw: 'randread', iodepth: 64, batch: 64, requests: 128, thinktimeNs: 11e9, thinktimeBlocks: 64 } },
    {
      qemuVersion: '10.0',
      aio: 'io_uring',
      iothread: true,
      workload: { rw: 'randrw', iodepth: 16, requests: 300, flushEvery: 9 },
    },
    {
      qemuVersion: '10.0',
      aio: 'native',
      cache: 'none',
      werror: 'stop',
      faults: ['write:#3:EIO:1'],
      workload: { rw: 'randwrite', iodepth: 8, requests: 60, flushEvery: 5 },
    },
  ];
  /** The state as data: stacks cut at their depth (frames above are leftovers kept for reuse). */
  const asData = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(asData);
    if (ArrayBuffer.isView(v)) return v;
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, asData(x)]));
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.frames) && typeof o.depth === 'number')
      return { frames: (o.frames as unknown[]).slice(0, o.depth as number).map(asData), depth: o.depth };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, asData(x)]));
  };

  test('a checkpoint holds exactly the state, field for field, with stacks shared as before', () => {
    for (const sc of varied) {
      const { scenario } = buildScenario(sc);
      const sim = new Simulator(scenario);
      for (const n of [3000, 20_000]) {
        sim.run(n);
        const cp = sim.checkpoint();
        assert.deepStrictEqual(asData(cp), asData(sim.m.s));
        for (const t of cp.threads) {
          const expected = t.co >= 0 ? cp.w.co.live.get(t.co)!.stack : t.native;
          assert.equal(t.stack, expected, "a thread executes its own stack or its coroutine's");
        }
        for (const co of cp.w.co.live.values()) assert.equal(co.stack, cp.w.co.slots[co.slot]);
      }
    }
  });

  for (const [i, sc] of varied.entries()) {
    test(`checkpoints taken anywhere replay exactly (scenario ${i})`, () => {
      const { scenario } = buildScenario(sc);
      const whole = new Simulator(scenario);
      whole.run(Infinity);
      const total = whole.eventCount;
      const sim = new Simulator(scenario);
      const out = new LineBuffer();
      const lines = new EventLines(sim, out);
      const span = Math.min(1500, Math.floor(total / 4));
      for (const at of [1, Math.floor(total * 0.4), Math.floor(total * 0.7)]) {
        sim.listener = null;
        if (sim.eventCount >= at) continue;
        sim.run(at - sim.eventCount);
        const cp = sim.checkpoint();
        sim.listener = (ev) => lines.json(ev);
        sim.run(span);
        const a = out.takeString().split('\n');
        sim.restore(cp);
        sim.run(span);
        const b = out.takeString().split('\n');
        assert.ok(a.length > 1);
        assert.deepEqual(b, a, `replay from event ${sim.eventCount}`);
      }
    });
  }
});

describe('every guest request completes exactly once', () => {
  // QEMU 10.0: the same check over its own draw of scenarios (io_uring, blkdebug, batch limits)
  let y = 54321;
  const pick10 = <T>(xs: readonly T[]): T => {
    y = (y * 1103515245 + 12345) % 2 ** 31;
    return xs[(y >>> 12) % xs.length];
  };
  for (let i = 0; i < 30; i++) {
    const aio = pick10(['threads', 'native', 'io_uring'] as const);
    const iodepth = pick10([1, 8, 32, 128, 200]);
    const iothread = pick10([false, true]);
    const blkdebug = pick10([false, false, true]);
    const input: ScenarioInput = {
      qemuVersion: '10.0',
      aio,
      iothread,
      ioeventfd: iothread || pick10([true, true, false]),
      cache: aio === 'threads' ? pick10(['writeback', 'none', 'writethrough', 'unsafe'] as const) : 'none',
      eventIdx: pick10([true, true, false]),
      requestMerging: pick10([true, false]),
      werror: pick10(['report', 'ignore', 'stop'] as const),
      hostBlockSize: pick10([512, 4096]),
      driveMaxBatch: aio === 'native' ? pick10([0, 0, 4]) : 0,
      seed: 1000 + i,
      blkdebug,
      workload: {
        rw: pick10(['read', 'write', 'randread', 'randwrite', 'randrw', 'rw'] as const),
        bs: pick10([512, 4096, 65536]),
        iodepth,
        batch: pick10([1, iodepth]),
        requests: pick10([1, 50, 300]),
        flushEvery: pick10([0, 0, 7]),
      },
      faults: blkdebug
        ? pick10([[], ['write:0:EIO'], ['flush:*:EIO:1'], ['read:*:EIO:1']])
        : pick10([[], ['write:#3:EIO'], ['any:*:EIO:2'], ['flush:#1:EIO']]),
    };
    test(`random 10.0 scenario ${i}: ${JSON.stringify(input)}`, () => completesEachOnce(input));
  }

  // a small PRNG of the test's own, so the scenario list itself is fixed; the high bits,
  // since an LCG's low bits repeat with a short period (they once hid a deadlock here)
  let x = 12345;
  const pick = <T>(xs: readonly T[]): T => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return xs[(x >>> 12) % xs.length];
  };
  for (let i = 0; i < 60; i++) {
    const aio = pick(['threads', 'native'] as const);
    const iodepth = pick([1, 2, 8, 32, 64, 128]);
    const iothread = pick([false, true]);
    const input: ScenarioInput = {
      aio,
      iothread,
      ioeventfd: iothread || pick([true, true, false]), // QEMU needs ioeventfd for an iothread
      queueSize: 256,
      cache:
        aio === 'native'
          ? pick(['none', 'directsync'] as const)
          : pick(['writeback', 'none', 'writethrough', 'unsafe'] as const),
      eventIdx: pick([true, true, false]),
      requestMerging: pick([true, false]),
      werror: pick(['report', 'ignore', 'stop', 'enospc'] as const),
      hostBlockSize: pick([512, 4096]),
      seed: i,
      workload: {
        rw: pick(['read', 'write', 'randread', 'randwrite', 'randrw', 'rw'] as const),
        bs: pick([512, 1536, 4096, 65536]),
        iodepth,
        batch: pick([1, iodepth]),
        requests: pick([1, 50, 300]),
        flushEvery: pick([0, 0, 7]),
      },
      faults: pick([[], [], ['write:#3:EIO'], ['any:*:EIO:2'], ['read:0-100000:ENOSPC:1'], ['flush:#1:EIO']]),
    };
    test(`random scenario ${i}: ${JSON.stringify(input)}`, () => completesEachOnce(input));
  }
});

/** Every request the guest issued (flushes too) completed, once, through virtio_blk_req_complete. */
function completesEachOnce(input: ScenarioInput): void {
  const r = run(input);
  const st = r.sim.stats();
  assert.equal(st.requests.duplicates, 0, 'no request reaped twice');
  const total = input.workload!.requests!;
  const flushes = r.sim.m.s.w.guest.work.flushesIssued;
  assert.equal(st.requests.completed + st.requests.flushes, total + flushes, 'all issued requests completed');
  assert.equal(st.requests.outstanding, 0);
  assert.equal(r.traces.filter((t) => t.event === 'virtio_blk_req_complete').length, total + flushes);
}
