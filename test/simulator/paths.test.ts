// The six scenarios of ../shared/qemu/paths-4.1.0.md, checked as ordered function sequences
// per thread and as the QEMU trace events they fire.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { entered, missingFromSequence, requestTraces, run } from '../helpers/sim';

const TRACE_A = [
  'virtio_queue_notify',
  'virtqueue_alloc_element',
  'virtqueue_pop',
  'virtio_blk_handle_write',
  'qemu_aio_coroutine_enter',
  'blk_co_pwritev',
  'bdrv_co_pwritev',
  'qemu_co_mutex_lock_uncontended',
  'qemu_co_mutex_unlock_entry',
  'bdrv_co_pwritev',
  'qemu_co_mutex_lock_uncontended',
  'qemu_co_mutex_unlock_entry',
  'thread_pool_submit',
  'qemu_coroutine_yield',
  'thread_pool_complete',
  'qemu_aio_coroutine_enter',
  'qemu_co_mutex_lock_uncontended',
  'qemu_co_mutex_unlock_entry',
  'qemu_co_mutex_lock_uncontended',
  'qemu_co_mutex_unlock_entry',
  'virtio_blk_rw_complete',
  'virtio_blk_req_complete',
  'virtqueue_fill',
  'virtqueue_flush',
  'virtio_notify_irqfd',
  'qemu_coroutine_terminate',
];

describe('(a) one 4 KiB write, aio=threads, no iothread', () => {
  const r = run({ aio: 'threads', cache: 'writeback', workload: { rw: 'write', bs: 4096, requests: 1, iodepth: 1 } });

  test('fires the 26 trace events of the reference table, in order, all on the main loop', () => {
    const tr = requestTraces(r);
    assert.deepEqual(
      tr.map((t) => t.event),
      TRACE_A,
    );
    assert.ok(
      tr.every((t) => t.thread === 'main-loop'),
      'every traced event runs on the main loop',
    );
  });

  test('the main loop dispatches the kick, creates the coroutine, submits and yields', () => {
    const missing = missingFromSequence(entered(r, 'main-loop'), [
      'aio_dispatch',
      'aio_dispatch_handlers',
      'virtio_queue_host_notifier_aio_read',
      'virtio_queue_notify_aio_vq',
      'virtio_blk_data_plane_handle_output',
      'virtio_blk_handle_vq',
      'blk_io_plug',
      'virtio_blk_get_request',
      'virtqueue_pop',
      'virtio_blk_handle_request',
      'virtio_blk_submit_multireq',
      'submit_requests',
      'blk_aio_pwritev',
      'blk_aio_prwv',
      'qemu_coroutine_create',
      'qemu_coroutine_new',
      'bdrv_coroutine_enter',
      'aio_co_enter',
      'qemu_aio_coroutine_enter',
      'coroutine_trampoline',
      'blk_aio_write_entry',
      'blk_co_pwritev',
      'bdrv_co_pwritev',
      'tracked_request_begin',
      'bdrv_aligned_pwritev',
      'bdrv_driver_pwritev',
      'raw_co_pwritev',
      'raw_adjust_offset',
      'bdrv_co_pwritev',
      'raw_co_pwritev',
      'raw_co_prw',
      'raw_thread_pool_submit',
      'thread_pool_submit_co',
      'thread_pool_submit_aio',
      'spawn_thread',
      'qemu_bh_schedule',
      'qemu_coroutine_yield',
      'blk_io_unplug',
      // next iteration: the BH creates the first worker
      'aio_bh_poll',
      'spawn_thread_bh_fn',
      'do_spawn_thread',
      'qemu_thread_create',
      // completion
      'thread_pool_completion_bh',
      'thread_pool_co_cb',
      'aio_co_wake',
      'qemu_aio_coroutine_enter',
      'bdrv_co_write_req_finish',
      'tracked_request_end',
      'blk_aio_complete',
      'virtio_blk_rw_complete',
      'virtio_blk_req_complete',
      'virtqueue_push',
      'virtio_blk_data_plane_notify',
      'virtio_notify_irqfd',
      'coroutine_delete',
    ]);
    assert.equal(missing, null, `main-loop sequence is missing ${missing}`);
  });

  test('the coroutine yields once in thread_pool_submit_co and is re-entered by the completion BH', () => {
    const co = r.events.filter((e) => e.coroutine !== null && (e.phase === 'yield' || e.phase === 'resume'));
    assert.deepEqual(
      co.map((e) => `${e.phase}:${e.function}:${e.thread}`),
      ['yield:qemu_coroutine_yield:main-loop', 'resume:qemu_coroutine_yield:main-loop'],
    );
    const yieldAt = r.events.findIndex((e) => e.phase === 'yield');
    const depth = r.events[yieldAt].depth;
    const caller = r.events
      .slice(0, yieldAt)
      .reverse()
      .find((e) => e.coroutine !== null && e.phase === 'enter' && e.depth === depth - 1);
    assert.equal(caller?.function, 'thread_pool_submit_co');
    const resumeAt = r.events.findIndex((e) => e.phase === 'resume');
    const waker = r.events
      .slice(0, resumeAt)
      .reverse()
      .find((e) => e.thread === 'main-loop' && e.phase === 'enter' && e.coroutine === null);
    assert.equal(waker?.function, 'qemu_aio_coroutine_enter');
    assert.ok(r.events.slice(0, resumeAt).some((e) => e.function === 'thread_pool_completion_bh'));
  });

  test('a worker thread does the pwrite and schedules the completion BH', () => {
    const missing = missingFromSequence(entered(r, 'worker-1'), [
      'do_spawn_thread',
      'qemu_sem_timedwait',
      'handle_aiocb_rw',
      'handle_aiocb_rw_linear',
      'pwrite',
      'qemu_bh_schedule',
      'aio_notify',
    ]);
    assert.equal(missing, null, `worker-1 sequence is missing ${missing}`);
  });

  test('the guest gets its interrupt and the request completes once', () => {
    const st = r.sim.stats();
    assert.equal(st.requests.completed, 1);
    assert.equal(st.requests.duplicates, 0);
    assert.equal(st.interrupts.raised, 1);
    assert.ok(entered(r, 'vcpu0').includes('virtblk_done'));
  });
});

describe('(b) the same write with aio=native', () => {
  const r = run({ aio: 'native', cache: 'none', workload: { rw: 'write', requests: 1 } });

  test('trace events are (a) without thread_pool_submit/complete', () => {
    const tr = requestTraces(r).map((t) => t.event);
    assert.deepEqual(
      tr,
      TRACE_A.filter((e) => e !== 'thread_pool_submit' && e !== 'thread_pool_complete'),
    );
  });

  test('io_submit happens after the yield, at unplug; completion comes through the eventfd handler', () => {
    const main = entered(r, 'main-loop');
    const missing = missingFromSequence(main, [
      'raw_co_prw',
      'laio_co_submit',
      'laio_do_submit',
      'qemu_coroutine_yield',
      'blk_io_unplug',
      'bdrv_io_unplug',
      'raw_aio_unplug',
      'laio_io_unplug',
      'ioq_submit',
      'io_submit',
      'qemu_laio_process_completions',
      'qemu_laio_completion_cb',
      'event_notifier_test_and_clear',
      'qemu_laio_process_completions_and_submit',
      'qemu_laio_process_completions',
      'qemu_laio_process_completion',
      'aio_co_wake',
      'qemu_aio_coroutine_enter',
      'virtio_blk_rw_complete',
      'virtio_notify_irqfd',
    ]);
    assert.equal(missing, null, `main-loop sequence is missing ${missing}`);
    const yieldAt = r.events.findIndex((e) => e.phase === 'yield');
    const submitAt = r.events.findIndex((e) => e.function === 'io_submit');
    assert.ok(submitAt > yieldAt, 'io_submit runs after the coroutine yielded');
    assert.equal(r.events.filter((e) => e.function === 'laio_do_submit' && e.phase === 'enter').length, 1);
    assert.ok(!r.events.some((e) => e.thread.startsWith('worker')), 'no worker threads with aio=native');
  });

  test('no laio_* trace events exist in 4.1.0', () => {
    assert.ok(!r.traces.some((t) => t.event.startsWith('laio')));
  });
});

describe('(c) one 4 KiB read with an iothread and aio=native', () => {
  const r = run({ aio: 'native', cache: 'none', iothread: true, workload: { rw: 'read', requests: 1 } });

  test('every per-request step runs on iothread0; the main loop is not involved', () => {
    const perRequest = r.events.filter((e) => e.requests.length > 0);
    assert.ok(perRequest.length > 50);
    const threads = new Set(perRequest.map((e) => e.thread));
    assert.deepEqual(
      [...threads].filter((t) => t !== 'vcpu0'),
      ['iothread0'],
    );
    const tr = requestTraces(r);
    assert.ok(
      tr
        .filter((t) => !t.event.startsWith('poll_') && !t.event.startsWith('run_poll'))
        .every((t) => t.thread === 'iothread0'),
    );
    assert.ok(tr.some((t) => t.event === 'virtio_blk_handle_read' && t.args[3] === 8));
  });

  test('the iothread loops in aio_poll with adaptive polling', () => {
    const io = entered(r, 'iothread0');
    assert.ok(io.includes('aio_poll') && io.includes('try_poll_mode') && io.includes('run_poll_handlers_once'));
    assert.ok(
      r.traces.some((t) => t.event === 'poll_grow' && t.args[1] === 0 && t.args[2] === 4000),
      'poll_ns grows 0 → 4000',
    );
    const missing = missingFromSequence(io, [
      'virtio_blk_handle_vq',
      'laio_io_plug',
      'blk_aio_preadv',
      'blk_aio_read_entry',
      'blk_co_preadv',
      'bdrv_co_preadv',
      'bdrv_aligned_preadv',
      'bdrv_driver_preadv',
      'raw_co_preadv',
      'bdrv_co_preadv',
      'raw_co_preadv',
      'raw_co_prw',
      'laio_co_submit',
      'qemu_coroutine_yield',
      'laio_io_unplug',
      'io_submit',
      'qemu_laio_process_completion',
      'aio_co_wake',
      'virtio_blk_rw_complete',
      'virtio_notify_irqfd',
    ]);
    assert.equal(missing, null, `iothread0 sequence is missing ${missing}`);
    assert.ok(!entered(r, 'main-loop').includes('virtio_blk_handle_vq'));
  });
});

describe('(d) two adjacent 4 KiB writes in one kick are merged', () => {
  const r = run({ aio: 'threads', workload: { rw: 'write', bs: 4096, iodepth: 2, batch: 2, requests: 2 } });

  test('one merged request: submit_multireq with 2 requests, one blk/bdrv request of 8192 bytes, one pool job', () => {
    const tr = requestTraces(r);
    const names = tr.map((t) => t.event);
    assert.equal(names.filter((n) => n === 'virtio_blk_handle_write').length, 2);
    const multi = tr.filter((t) => t.event === 'virtio_blk_submit_multireq');
    assert.equal(multi.length, 1);
    assert.deepEqual(multi[0].args.slice(2), [0, 2, 0, 8192, 1]);
    assert.deepEqual(
      tr.filter((t) => t.event === 'blk_co_pwritev').map((t) => t.args[3]),
      [8192],
    );
    assert.deepEqual(
      tr.filter((t) => t.event === 'bdrv_co_pwritev').map((t) => t.args[2]),
      [8192, 8192],
    );
    assert.equal(names.filter((n) => n === 'thread_pool_submit').length, 1);
    assert.ok(entered(r, 'worker-1').includes('handle_aiocb_rw_vector'), 'two iovecs → pwritev');
    assert.ok(entered(r, 'worker-1').includes('pwritev'));
  });

  test('completion walks the chain: two used entries, one interrupt', () => {
    const tr = requestTraces(r).map((t) => t.event);
    assert.equal(tr.filter((n) => n === 'virtio_blk_rw_complete').length, 2);
    assert.equal(tr.filter((n) => n === 'virtqueue_fill').length, 2);
    assert.equal(tr.filter((n) => n === 'virtio_notify_irqfd').length, 1);
    const st = r.sim.stats();
    assert.equal(st.requests.completed, 2);
    assert.equal(st.merging.requestsMerged, 1);
    assert.equal(st.interrupts.raised, 1);
  });
});

describe('(e) 64 concurrent reads, aio=threads, cold pool', () => {
  const r = run({ aio: 'threads', workload: { rw: 'randread', iodepth: 64, batch: 64, requests: 64 } });

  test('the 33rd request is parsed before the first 32 are submitted', () => {
    const tr = requestTraces(r);
    const reads = tr.map((t, i) => (t.event === 'virtio_blk_handle_read' ? i : -1)).filter((i) => i >= 0);
    const firstSubmit = tr.findIndex((t) => t.event === 'thread_pool_submit');
    assert.equal(reads.filter((i) => i < firstSubmit).length, 33);
  });

  test('64 workers, created one at a time: the BH creates the first, each worker the next', () => {
    const creators = r.events
      .filter((e) => e.function === 'qemu_thread_create' && e.phase === 'enter')
      .map((e) => e.thread);
    assert.equal(creators.length, 64);
    assert.equal(creators[0], 'main-loop');
    for (let k = 1; k < 64; k++) assert.equal(creators[k], `worker-${k}`, `worker-${k + 1} is created by worker-${k}`);
    const st = r.sim.stats();
    assert.equal(st.threadPool.workersSpawned, 64);
    assert.equal(st.requests.completed, 64);
  });

  test('the submission burst yields 64 coroutines on a cold pool', () => {
    assert.equal(r.events.filter((e) => e.function === 'qemu_coroutine_new' && e.phase === 'enter').length, 64);
    assert.equal(r.events.filter((e) => e.phase === 'yield').length, 64);
  });

  test('a 65th request only queues: cur_threads stays at max_threads', () => {
    const r65 = run({ aio: 'threads', workload: { rw: 'randread', iodepth: 65, batch: 65, requests: 65 } });
    const st = r65.sim.stats();
    assert.equal(st.threadPool.workersSpawned, 64);
    assert.ok(st.queueDepth.poolMaxQueued >= 65);
    assert.equal(st.requests.completed, 65);
  });
});

describe('(f) a write that fails with EIO', () => {
  test('werror=report: IOERR to the guest, BLOCK_IO_ERROR(report), the VM keeps running', () => {
    const r = run({ werror: 'report', faults: ['write:*:EIO'], workload: { rw: 'write', requests: 1 } });
    const tr = requestTraces(r);
    assert.deepEqual(
      tr.filter((t) => t.event === 'thread_pool_complete').map((t) => t.args[3]),
      [-5],
    );
    assert.deepEqual(
      tr.filter((t) => t.event === 'virtio_blk_rw_complete').map((t) => t.args[2]),
      [-5],
    );
    assert.deepEqual(
      tr.filter((t) => t.event === 'virtio_blk_req_complete').map((t) => t.args[2]),
      [1],
    );
    const missing = missingFromSequence(entered(r, 'main-loop'), [
      'virtio_blk_rw_complete',
      'virtio_blk_handle_rw_error',
      'blk_get_error_action',
      'virtio_blk_req_complete',
      'virtio_notify_irqfd',
      'block_acct_failed',
      'blk_error_action',
      'send_qmp_error_event',
    ]);
    assert.equal(missing, null, `missing ${missing}`);
    const snap = r.sim.snapshot();
    assert.deepEqual(
      snap.runstate.qmpEvents.map((e) => [e.event, e.data.action]),
      [['BLOCK_IO_ERROR', 'report']],
    );
    assert.equal(snap.runstate.state, 'running');
    const st = r.sim.stats();
    assert.equal(st.requests.errors, 1);
    assert.equal(st.requests.completed, 1);
  });

  test('default werror=enospc reports EIO but stops the VM on ENOSPC', () => {
    const eio = run({ faults: ['write:*:EIO'], workload: { rw: 'write', requests: 1 } });
    assert.equal(eio.sim.snapshot().runstate.qmpEvents[0].data.action, 'report');
    const enospc = run({ faults: ['write:*:ENOSPC:1'], workload: { rw: 'write', requests: 1 } });
    assert.equal(enospc.sim.snapshot().runstate.qmpEvents[0].data.action, 'stop');
    assert.equal(enospc.sim.stats().vm.stops, 1);
  });

  test('werror=stop: the request is parked, the main loop stops the VM, cont replays it, the guest gets OK once', () => {
    const r = run({ werror: 'stop', faults: ['write:*:EIO:1'], workload: { rw: 'write', requests: 1 } });
    const main = entered(r, 'main-loop');
    const missing = missingFromSequence(main, [
      'virtio_blk_handle_rw_error',
      'blk_get_error_action',
      'blk_error_action',
      'blk_iostatus_set_err',
      'qemu_system_vmstop_request_prepare',
      'send_qmp_error_event',
      'qemu_system_vmstop_request',
      'main_loop_should_exit',
      'vm_stop',
      'do_vm_stop',
      'pause_all_vcpus',
      'runstate_set',
      'vm_state_notify',
      'virtio_blk_dma_restart_cb',
      'bdrv_drain_all',
      // do_vm_stop ends with bdrv_flush_all: a flush coroutine, polled for on the main thread
      'bdrv_flush_all',
      'bdrv_flush',
      'qemu_coroutine_create',
      'bdrv_coroutine_enter',
      'aio_co_enter',
      'qemu_aio_coroutine_enter',
      'coroutine_trampoline',
      'bdrv_flush_co_entry',
      'bdrv_co_flush',
      'bdrv_co_flush',
      'raw_co_flush_to_disk',
      'thread_pool_submit_co',
      'qemu_coroutine_yield',
      'aio_poll',
      'thread_pool_completion_bh',
      'thread_pool_co_cb',
      'aio_co_wake',
      'qemu_aio_coroutine_enter',
      'coroutine_delete',
      'qmp_cont',
      'vm_start',
      'vm_prepare_start',
      'runstate_set',
      'vm_state_notify',
      'virtio_blk_dma_restart_cb',
      'qemu_bh_schedule',
      'resume_all_vcpus',
      'virtio_blk_dma_restart_bh',
      'virtio_blk_handle_request',
      'virtio_blk_submit_multireq',
      'blk_aio_pwritev',
      'virtio_blk_rw_complete',
      'virtio_blk_req_complete',
    ]);
    assert.equal(missing, null, `missing ${missing}`);
    const tr = requestTraces(r);
    assert.deepEqual(
      tr.filter((t) => t.event === 'runstate_set').map((t) => [t.args[1], t.args[3]]),
      [
        ['running', 'io-error'],
        ['io-error', 'running'],
      ],
    );
    assert.equal(
      tr.filter((t) => t.event === 'virtio_blk_handle_write').length,
      2,
      'the write is parsed again on restart',
    );
    assert.deepEqual(
      tr.filter((t) => t.event === 'virtio_blk_req_complete').map((t) => t.args[2]),
      [0],
      'completed once, with OK',
    );
    const st = r.sim.stats();
    assert.equal(st.requests.completed, 1);
    assert.equal(st.requests.errors, 0);
    assert.equal(st.vm.stops, 1);
    assert.equal(st.vm.resumes, 1);
    assert.deepEqual(
      r.sim.snapshot().runstate.qmpEvents.map((e) => e.event),
      ['BLOCK_IO_ERROR', 'STOP', 'RESUME'],
    );
  });

  test('the VM-stop flush: fdatasync on a worker while the main thread polls; skipped when nothing was written', () => {
    const r = run({ werror: 'stop', faults: ['write:*:EIO:1'], workload: { rw: 'write', requests: 1 } });
    const workers = r.events
      .filter((e) => e.thread.startsWith('worker-') && e.phase === 'enter')
      .map((e) => e.function);
    assert.deepEqual(
      workers.filter((n) => n === 'handle_aiocb_flush' || n === 'fdatasync'),
      ['handle_aiocb_flush', 'fdatasync'],
      'the failed write bumped write_gen',
    );
    const flush = r.events.filter((e) => e.function === 'bdrv_flush');
    assert.deepEqual(
      flush.map((e) => [e.thread, e.phase]),
      [
        ['main-loop', 'enter'],
        ['main-loop', 'exit'],
      ],
    );
    const fsync = r.events.find((e) => e.function === 'fdatasync' && e.phase === 'exit')!;
    assert.ok(flush[1].time_ns > fsync.time_ns, 'bdrv_flush returns only after the fdatasync');
    // a failed read writes nothing: the flush walks both nodes but never reaches the disk
    const rd = run({ rerror: 'stop', faults: ['read:*:EIO:1'], workload: { rw: 'read', requests: 1 } });
    const rdMain = entered(rd, 'main-loop');
    assert.equal(
      missingFromSequence(rdMain, [
        'bdrv_flush_all',
        'bdrv_flush_co_entry',
        'bdrv_co_flush',
        'bdrv_co_flush',
        'qmp_cont',
      ]),
      null,
    );
    assert.ok(!rd.events.some((e) => e.function === 'raw_co_flush_to_disk' || e.function === 'fdatasync'));
  });

  test('with an iothread the main thread hands the flush coroutine over with aio_co_schedule', () => {
    const r = run({
      iothread: true,
      werror: 'stop',
      faults: ['write:*:EIO:1'],
      workload: { rw: 'write', requests: 1 },
    });
    assert.equal(
      missingFromSequence(entered(r, 'main-loop'), [
        'bdrv_drain_all',
        'bdrv_flush_all',
        'bdrv_flush',
        'qemu_coroutine_create',
        'bdrv_coroutine_enter',
        'aio_co_enter',
        'aio_co_schedule',
        'qemu_bh_schedule',
        'aio_poll',
        'qemu_poll_ns',
        'notify_event_cb',
        'qmp_cont',
      ]),
      null,
    );
    const io = entered(r, 'iothread0');
    assert.equal(
      missingFromSequence(io, [
        'co_schedule_bh_cb',
        'qemu_aio_coroutine_enter',
        'coroutine_trampoline',
        'bdrv_flush_co_entry',
        'bdrv_co_flush',
        'raw_co_flush_to_disk',
        'thread_pool_submit_co',
        'qemu_coroutine_yield',
        'thread_pool_completion_bh',
        'aio_co_wake',
      ]),
      null,
    );
    assert.ok(
      !entered(r, 'main-loop').includes('bdrv_flush_co_entry'),
      'the flush coroutine never runs on the main thread',
    );
    const tr = r.traces.map((t) => [t.thread, t.event]);
    assert.deepEqual(
      tr.filter(([, e]) => e.startsWith('aio_co_schedule')),
      [
        ['main-loop', 'aio_co_schedule'],
        ['iothread0', 'aio_co_schedule_bh_cb'],
      ],
    );
    assert.equal(r.sim.stats().requests.completed, 1);
  });

  test('werror=ignore: BLOCK_IO_ERROR(ignore) and the guest is told OK', () => {
    const r = run({ werror: 'ignore', faults: ['write:*:EIO'], workload: { rw: 'write', requests: 1 } });
    const tr = requestTraces(r);
    assert.deepEqual(
      tr.filter((t) => t.event === 'virtio_blk_req_complete').map((t) => t.args[2]),
      [0],
    );
    assert.equal(r.sim.snapshot().runstate.qmpEvents[0].data.action, 'ignore');
    assert.equal(r.sim.stats().requests.errors, 0);
  });

  test('reads follow rerror (default report)', () => {
    const r = run({ faults: ['read:*:EIO'], workload: { rw: 'read', requests: 1 } });
    const ev = r.sim.snapshot().runstate.qmpEvents[0];
    assert.equal(ev.data.operation, 'read');
    assert.equal(ev.data.action, 'report');
    const stop = run({ rerror: 'stop', faults: ['read:*:EIO:1'], workload: { rw: 'read', requests: 1 } });
    assert.equal(stop.sim.stats().vm.stops, 1);
    assert.equal(stop.sim.stats().requests.completed, 1);
  });

  test('a persistent fault under werror=stop leaves the request parked after the last resume, never lost or doubled', () => {
    const r = run({ werror: 'stop', maxResumes: 2, faults: ['write:*:EIO'], workload: { rw: 'write', requests: 1 } });
    const st = r.sim.stats();
    assert.equal(st.vm.stops, 3);
    assert.equal(st.vm.resumes, 2);
    assert.equal(st.requests.completed, 0);
    assert.equal(st.requests.outstanding, 1);
    assert.deepEqual(r.sim.snapshot().runstate.parkedRequests, [1]);
  });
});
