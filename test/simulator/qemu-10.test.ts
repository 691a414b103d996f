// QEMU 10.0 in the model: what a request does in each configuration of the shared real 10.0 capture
// (test/fixtures/traces/10.0, QEMU 10.0.2 under TCG), compared event for event with what the
// simulated 10.0 prints for the same request; the mechanisms 10.0 changed (defer_call batching,
// the deferred irqfd write, io_uring, the Linux AIO flush and batch limit, per-handler polling);
// blkdebug in both versions; and that a 10.0 run names 10.0's functions.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getCatalog } from '../../simulator/catalog';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { Simulator } from '../../simulator/simulator';
import { root } from '../extension/root';
import { BLKDEBUG_CONF } from '../helpers/scenarios';
import { run } from '../helpers/sim';

interface Line {
  event: string;
  args: string;
}

/** Events that say nothing about one request: adaptive polling, device status. */
const NOT_PER_REQUEST = /^(poll_|run_poll_handlers_|virtio_set_status)/;

function parse(lines: readonly string[]): Line[] {
  return lines.flatMap((l) => {
    const m = /^\d+@[\d.]+:(\w+) ?(.*)$/.exec(l);
    return m && !NOT_PER_REQUEST.test(m[1]) ? [{ event: m[1], args: m[2] }] : [];
  });
}

function realLog(config: string): Line[] {
  return parse(
    readFileSync(join(root, 'test', 'fixtures', 'traces', '10.0', `${config}.10.0.log`), 'utf8').split('\n'),
  );
}

function simulated(input: ScenarioInput): Line[] {
  return parse(run({ qemuVersion: '10.0', ...input }).traces.map((t) => t.line));
}

/**
 * The event names of the first request whose pop is followed by `first` (a QD1 request: its lines are
 * contiguous), from the kick that brought it to its coroutine's end and the deferred irqfd write.
 */
function requestEvents(log: readonly Line[], first: (l: Line) => boolean): string[] {
  const at = log.findIndex((l, i) => l.event === 'virtqueue_pop' && i + 1 < log.length && first(log[i + 1]));
  assert.ok(at > 0, 'no such request in the log');
  let start = at;
  while (start > 0 && log[start].event !== 'virtio_queue_notify') start--;
  let end = log.findIndex((l, i) => i > at && l.event === 'qemu_coroutine_terminate');
  if (log[end + 1]?.event === 'virtio_notify_irqfd_deferred_fn') end++;
  return log.slice(start, end + 1).map((l) => l.event);
}

const arg = (l: Line, name: string): string | undefined => new RegExp(`(?:^| )${name} (\\S+)`).exec(l.args)?.[1];
const firstWriteAt0 = (l: Line): boolean => l.event === 'virtio_blk_handle_write' && arg(l, 'sector') === '0';
const firstReadAt0 = (l: Line): boolean => l.event === 'virtio_blk_handle_read' && arg(l, 'sector') === '0';
/** A flush: the pop is followed directly by the coroutine (no handle_read/handle_write). */
const flush = (l: Line): boolean => l.event === 'qemu_aio_coroutine_enter';

const CONFIGS: ReadonlyArray<readonly [config: string, input: ScenarioInput]> = [
  ['threads', { aio: 'threads', cache: 'none' }],
  ['native', { aio: 'native', cache: 'none' }],
  // The TCG guest takes milliseconds between requests, so in the real run the IOThread's poll times had
  // shrunk to 0 (its `poll_shrink old 0 new 0` lines) whenever a request came; poll-max-ns=0 puts the
  // simulated IOThread, whose guest is a hundred times faster, in the same state.
  ['iothread-native', { aio: 'native', cache: 'none', iothread: true, pollMaxNs: 0 }],
  ['io_uring', { aio: 'io_uring', cache: 'none' }],
];

describe('10.0: a request prints what the real 10.0 log prints for it', () => {
  for (const [config, input] of CONFIGS) {
    const real = realLog(config);
    test(`${config}: one 4 KiB write (step 1)`, () => {
      const sim = simulated({ ...input, workload: { rw: 'write', requests: 1 } });
      assert.deepEqual(requestEvents(sim, firstWriteAt0), requestEvents(real, firstWriteAt0));
    });
    test(`${config}: one 4 KiB read (step 2)`, () => {
      const sim = simulated({ ...input, workload: { rw: 'read', requests: 1 } });
      assert.deepEqual(requestEvents(sim, firstReadAt0), requestEvents(real, firstReadAt0));
    });
    test(`${config}: a flush after a write (step 5)`, () => {
      const sim = simulated({ ...input, workload: { rw: 'write', requests: 1, flushEvery: 1 } });
      assert.deepEqual(requestEvents(sim, flush), requestEvents(real, flush));
    });
    test(`${config}: 16 adjacent writes in one kick are one request to the block layer (step 6)`, () => {
      const count = (log: readonly Line[], from: number, event: string): number =>
        log.slice(from).filter((l) => l.event === event).length;
      const sim = simulated({ ...input, workload: { rw: 'write', iodepth: 16, batch: 16, requests: 16 } });
      for (const log of [sim, real]) {
        const at = log.findIndex((l) => l.event === 'virtio_blk_submit_multireq' && arg(l, 'num_reqs') === '16');
        assert.ok(at >= 0, 'one virtio_blk_submit_multireq of 16');
        assert.equal(arg(log[at], 'size'), '65536');
        const end = log.findIndex((l, i) => i > at && l.event === 'qemu_coroutine_terminate');
        const batch = log.slice(at, end + 2);
        assert.equal(count(batch, 0, 'blk_co_pwritev'), 1, 'one blk_co_pwritev of 64 KiB');
        assert.equal(count(batch, 0, 'virtio_blk_req_complete'), 16, 'each request completes');
        if (config === 'iothread-native') {
          // the irqfd write is deferred to the end of the completion batch: one for the 16
          assert.equal(count(batch, 0, 'virtio_notify_irqfd'), 1);
          assert.equal(count(batch, 0, 'virtio_notify_irqfd_deferred_fn'), 1);
        }
      }
    });
  }
});

describe('10.0 mechanisms', () => {
  test('aio=native: a flush is a Linux AIO fdsync, with no pool job (4.1.0: the pool)', () => {
    const flushing = { aio: 'native', cache: 'none', workload: { rw: 'write', requests: 2, flushEvery: 1 } } as const;
    const v10 = run({ qemuVersion: '10.0', ...flushing });
    assert.ok(!v10.events.some((e) => e.function === 'handle_aiocb_flush' || e.thread.startsWith('worker')));
    assert.ok(v10.events.some((e) => e.function === 'laio_co_submit' && e.requests.length === 1));
    const v41 = run(flushing);
    assert.ok(v41.events.some((e) => e.function === 'handle_aiocb_flush'));
  });

  test('Linux AIO: 40 requests in one kick go out as io_submit of 32 (the batch limit) and of the 8 left at the end of the section', () => {
    const kick = { aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 40, batch: 40, requests: 40 } };
    const iocbs = (input: ScenarioInput): number[] => {
      const r = run(input);
      const laio = r.sim.m.s.w.laio.states[0];
      assert.equal(laio.submitted, 40);
      return [laio.submits, laio.maxInFlight];
    };
    assert.deepEqual(iocbs({ qemuVersion: '10.0', ...kick } as ScenarioInput), [2, 40]);
    assert.deepEqual(iocbs(kick as ScenarioInput), [1, 40], '4.1.0: one io_submit at unplug');
  });

  test('io_uring: one io_uring_enter per kick for all its requests; an fsync runs on the kernel worker iou-wrk', () => {
    const r = run({
      qemuVersion: '10.0',
      aio: 'io_uring',
      cache: 'none',
      workload: { rw: 'randwrite', iodepth: 8, batch: 8, requests: 8, flushEvery: 8 },
    });
    const submits = r.traces.filter((t) => t.event === 'luring_io_uring_submit').map((t) => t.args[1]);
    assert.equal(submits[0], 8, 'the 8 requests of the kick in one submission');
    const worker = r.sim.threads(true).find((t) => t.name.startsWith('iou-wrk'));
    assert.ok(worker, 'an iou-wrk thread');
    assert.equal(worker.kind, 'kernel');
    assert.ok(r.events.some((e) => e.thread === worker.name && e.function === 'fdatasync'));
    assert.equal(r.sim.stats().requests.completed, 8);
  });

  test('the deferred-call section runs io_uring’s deferred function again when the submission reaps (two luring_unplug_fn)', () => {
    const r = run({ qemuVersion: '10.0', aio: 'io_uring', cache: 'none', workload: { rw: 'write', requests: 1 } });
    const unplugs = r.traces.filter((t) => t.event === 'luring_unplug_fn').map((t) => t.args.slice(2).join(' '));
    assert.deepEqual(unplugs, ['1 0', '0 1'], 'queued 1 inflight 0, then queued 0 inflight 1');
  });

  test('an IOThread adapts each handler’s poll time: poll_grow and poll_shrink come after a dispatch', () => {
    const r = run({
      qemuVersion: '10.0',
      aio: 'native',
      cache: 'none',
      iothread: true,
      workload: { rw: 'randread', iodepth: 4, requests: 60, thinktimeNs: 200_000, thinktimeBlocks: 10 },
    });
    const polls = r.traces.filter((t) => t.event === 'poll_grow' || t.event === 'poll_shrink');
    assert.ok(polls.some((t) => t.event === 'poll_grow') && polls.some((t) => t.event === 'poll_shrink'));
    // each adjustment follows the dispatch of a handler that had an event, in adjust_polling_time
    const adjusts = r.events.filter((e) => e.function === 'adjust_polling_time' && e.phase === 'enter').length;
    assert.ok(adjusts >= polls.length);
    assert.ok(!r.events.some((e) => e.function === 'aio_poll' && e.phase === 'enter' && e.thread === 'main-loop'));
  });

  test('defaults that changed: queue-size 256; the main loop completes with virtio_notify, an IOThread with the irqfd', () => {
    assert.equal(buildScenario({ qemuVersion: '10.0' }).scenario.queueSize, 256);
    assert.equal(buildScenario({}).scenario.queueSize, 128);
    const main = run({ qemuVersion: '10.0', workload: { rw: 'write', requests: 3 } });
    assert.ok(main.traces.some((t) => t.event === 'virtio_notify'));
    assert.ok(!main.traces.some((t) => t.event.startsWith('virtio_notify_irqfd')));
    assert.ok(!main.traces.some((t) => t.event.startsWith('virtio_blk_data_plane')));
  });

  test('a 10.0 run names 10.0’s functions; the same run on 4.1.0 names 4.1.0’s', () => {
    const functions = (input: ScenarioInput): Set<string> => new Set(run(input).events.map((e) => e.function));
    const v10 = functions({ qemuVersion: '10.0', aio: 'io_uring', cache: 'none', iothread: true });
    for (const name of [
      'qemu_main_loop',
      'kvm_vcpu_thread_fn',
      'virtio_blk_start_ioeventfd',
      'virtio_queue_host_notifier_read',
      'virtio_queue_notify_vq',
      'defer_call_begin',
      'defer_call_end',
      'defer_call',
      'blk_co_do_pwritev_part',
      'bdrv_co_pwritev_part',
      'luring_co_submit',
      'luring_deferred_fn',
      'virtio_notify_irqfd_deferred_fn',
      'aio_dispatch_ready_handlers',
    ])
      assert.ok(v10.has(name), name);
    for (const name of ['main_loop', 'blk_io_plug', 'blk_co_pwritev', 'virtio_blk_data_plane_start'])
      assert.ok(!v10.has(name), name);
    const v10threads = functions({ qemuVersion: '10.0', workload: { rw: 'write', requests: 2, flushEvery: 1 } });
    assert.ok(v10threads.has('thread_pool_submit_aio') && v10threads.has('qemu_cond_signal'));
    const v41 = functions({ workload: { rw: 'write', requests: 2, flushEvery: 1 } });
    assert.ok(v41.has('main_loop') && v41.has('blk_io_plug') && v41.has('qemu_sem_post'));
    assert.ok(!v41.has('defer_call_begin'));
  });
});

describe('blkdebug: the error is injected at blkdebug’s layer, in both versions', () => {
  const FAILED_WRITE_10_0 = [
    'virtio_queue_notify',
    'virtqueue_alloc_element',
    'virtqueue_pop',
    'virtio_blk_handle_write',
    'qemu_aio_coroutine_enter',
    'blk_co_pwritev',
    'bdrv_co_pwritev_part',
    'bdrv_co_pwritev_part',
    'aio_co_schedule',
    'qemu_coroutine_yield',
    'aio_co_schedule_bh_cb',
    'qemu_aio_coroutine_enter',
    'virtio_blk_rw_complete',
    'virtio_blk_req_complete',
    'virtqueue_fill',
    'virtqueue_flush',
    'virtio_notify',
    'qemu_coroutine_terminate',
  ];
  const blkdebugEio = (version: string): ScenarioInput => ({
    qemuVersion: version,
    qemu:
      '-drive if=none,id=d0,format=raw,cache=none,werror=report,rerror=report,file.driver=blkdebug,' +
      `file.config=${BLKDEBUG_CONF},file.image.driver=file,file.image.filename=disk.raw,file.image.aio=threads ` +
      '-device virtio-blk-pci,drive=d0',
    workload: { rw: 'write', requests: 2 },
  });

  test('10.0: the failed write prints what the shared blkdebug-eio capture describes; the next one reaches the image', () => {
    const r = run(blkdebugEio('10.0'));
    const log = parse(r.traces.map((t) => t.line));
    assert.deepEqual(requestEvents(log, firstWriteAt0), FAILED_WRITE_10_0);
    const done = log.filter((l) => l.event === 'virtio_blk_rw_complete').map((l) => arg(l, 'ret'));
    assert.deepEqual(done, ['-5', '0']);
    assert.deepEqual(
      log.filter((l) => l.event === 'virtio_blk_req_complete').map((l) => arg(l, 'status')),
      ['1', '0'],
    );
    assert.equal(r.sim.m.s.w.dev.completed, 1, 'only the second write reached the host');
    assert.equal(r.traces.filter((t) => t.event === 'bdrv_co_pwritev_part').length, 2 + 3);
  });

  test('4.1.0: the same rule, through bdrv_debug_event and rule_check, with 4.1.0’s events', () => {
    const r = run(blkdebugEio('4.1.0'));
    const failed = requestEvents(parse(r.traces.map((t) => t.line)), firstWriteAt0).filter(
      (e) => !e.startsWith('qemu_co_mutex'),
    );
    assert.deepEqual(
      failed,
      FAILED_WRITE_10_0.map((e) =>
        e === 'bdrv_co_pwritev_part' ? 'bdrv_co_pwritev' : e === 'virtio_notify' ? 'virtio_notify_irqfd' : e,
      ),
    );
    const fns = r.events.map((e) => e.function);
    for (const f of ['bdrv_debug_event', 'blkdebug_debug_event', 'blkdebug_co_pwritev', 'rule_check'])
      assert.ok(fns.includes(f), f);
  });

  test('--fault rules become blkdebug rules: a flush fails in blkdebug_co_flush, reported to the guest', () => {
    for (const qemuVersion of ['4.1.0', '10.0']) {
      const r = run({
        qemuVersion,
        blkdebug: true,
        werror: 'report',
        faults: ['flush:*:EIO:1'],
        workload: { rw: 'write', requests: 2, flushEvery: 1 },
      });
      assert.equal(r.sim.stats().requests.errors, 1, qemuVersion);
      const check = r.events.find((e) => e.function === 'rule_check' && e.phase === 'enter' && e.requests.length);
      assert.ok(check);
      assert.ok(r.events.some((e) => e.function === 'blkdebug_co_flush'));
    }
  });

  test('immediately=on fails without the reschedule; once=on fires once', () => {
    const r = run({
      qemuVersion: '10.0',
      blkdebug: BLKDEBUG_CONF,
      workload: { rw: 'read', requests: 3, offset: 4096 },
    });
    const reads = r.traces.filter((t) => t.event === 'virtio_blk_rw_complete').map((t) => t.args[2]);
    assert.deepEqual(reads, [-5, 0, 0], 'the rule covers sector 8 of the first read only');
    assert.ok(!r.traces.some((t) => t.event === 'aio_co_schedule'));
  });
});

describe('bad input names the version', () => {
  const refuses = (input: ScenarioInput, pattern: RegExp): void => {
    assert.throws(
      () => new Simulator(buildScenario(input).scenario),
      (e: Error) => {
        assert.match(e.message, pattern);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      },
    );
  };

  test('aio=io_uring with 4.1.0 is the error it was; options of one version are refused for the other', () => {
    refuses({ aio: 'io_uring' }, /aio=io_uring is not available in QEMU 4.1.0 \(io_uring came in 5.0\)/);
    refuses(
      { qemu: '-drive id=d0,aio=io_uring,cache=none -device virtio-blk-pci,drive=d0' },
      /aio=io_uring is not available in QEMU 4.1.0 \(it came in 5.0\); choose qemuVersion 10.0/,
    );
    refuses(
      { qemu: '-drive id=d0 -device virtio-blk-pci,drive=d0,seg-max-adjust=on' },
      /seg-max-adjust is not available in QEMU 4.1.0 \(it came in 5.0\)/,
    );
    refuses(
      { qemuVersion: '10.0', qemu: '-drive id=d0 -device virtio-blk-pci,drive=d0,scsi=off' },
      /scsi is not available in QEMU 10.0 \(removed in 9.1\)/,
    );
    refuses(
      { qemu: '-object iothread,id=io0,aio-max-batch=8 -drive id=d0 -device virtio-blk-pci,drive=d0,iothread=io0' },
      /aio-max-batch is not available in QEMU 4.1.0 \(it came in 6.1\)/,
    );
    refuses({ driveMaxBatch: 4 }, /aio-max-batch is not in QEMU 4.1.0 \(it came in 6.1\)/);
    refuses(
      { qemuVersion: '10.0', qemu: '-drive id=d0 -device virtio-blk-pci,drive=d0,iothread-vq-mapping=x' },
      /iothread-vq-mapping is not modelled/,
    );
    refuses({ qemuVersion: '7.2' }, /QEMU version "7.2" is not modelled \(available: 4.1.0, 10.0\)/);
  });

  test('blkdebug: a bad config or a fault blkdebug cannot express is named', () => {
    refuses({ blkdebug: '/nonexistent/blkdebug.conf' }, /blkdebug config \/nonexistent\/blkdebug.conf: no such file/);
    refuses({ blkdebug: true, faults: ['read:#3:EIO'] }, /blkdebug cannot fail the n-th request/);
    refuses({ blkdebug: true, faults: ['write:0-7:EIO'] }, /a blkdebug rule matches one sector, not a range/);
    refuses({ blkdebug: true, faults: ['write:*:EIO:3'] }, /fires once or always, not 3 times/);
    refuses(
      { qemu: '-drive id=d0,file.driver=blkdebug,aio=native -device virtio-blk-pci,drive=d0' },
      /aio= belongs to file.image.aio/,
    );
  });
});

test('every 10.0 function the model runs is in the 10.0 catalog, and the 10.0 catalog gives the stage events their names', () => {
  const sim = new Simulator(buildScenario({ qemuVersion: '10.0', aio: 'io_uring', cache: 'none' }).scenario);
  assert.equal(sim.catalog, getCatalog('10.0'));
  const names = new Set<string>();
  sim.listener = (ev) => names.add(sim.record(ev).function);
  sim.run(100_000);
  for (const n of names) assert.ok(getCatalog('10.0').has(n), n);
});
