// The 7.2 and 10.0 catalogs (4.1.0 plus a delta each): they load, their deltas apply cleanly, every
// call edge and trace event resolves, and the facts the trace replay leans on hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta, type VersionDelta } from '../simulator/catalog/delta';
import { HELPERS } from '../simulator/catalog/helpers';
import { Catalog, CATALOG_VERSIONS, DELTAS, getCatalog, fnKey } from '../simulator/catalog/index';
import { CATALOG_4_1_0 } from '../simulator/catalog/qemu-4.1.0';
import { releaseCommit, releaseIndex, releaseOf } from '../simulator/catalog/releases';
import { compileFormat } from '../simulator/trace/format';
import { lookupEvent, lookupFunction } from '../simulator/catalog/versions';

const catalogs = CATALOG_VERSIONS.map((v) => getCatalog(v));
const later = catalogs.filter((c) => c.version !== '4.1.0');
const v72 = getCatalog('7.2');
const v10 = getCatalog('10.0');
const fn = (c: Catalog, name: string) => {
  const f = c.byName(name);
  assert.ok(f, `${c.version}: no function ${name}`);
  return f;
};

test('every catalog loads as a Catalog, with its release commit', () => {
  assert.deepEqual(CATALOG_VERSIONS, ['4.1.0', '7.2', '10.0']);
  for (const c of catalogs) {
    assert.ok(c instanceof Catalog);
    assert.equal(c.data.releaseCommit, releaseCommit(releaseOf(c.version)!), c.version);
    assert.ok(c.size > 150, `${c.version}: ${c.size} functions`);
  }
  assert.throws(() => getCatalog('8.2'), /unknown QEMU version "8\.2" \(known: 4\.1\.0, 7\.2, 10\.0\)/);
});

test('deltas: each entry is dated inside its version span, or marked as a catalogued older fact', () => {
  for (const d of DELTAS) {
    const [lo, hi] = [releaseIndex(releaseOf(d.base)!), releaseIndex(releaseOf(d.version)!)];
    for (const c of [...d.events, ...d.functions]) {
      const at = releaseIndex(c.since);
      assert.ok(at >= 0 && at <= hi, `${d.version}: since ${c.since}`);
      assert.ok(at > lo || (c.catalogued === true && at === lo), `${d.version}: ${JSON.stringify(c).slice(0, 80)}`);
      assert.ok(c.why.trim().length > 10 && c.why.length <= 400, `${d.version}: reason of ${c.since} entry`);
    }
  }
});

test('a delta entry that refers to something missing is an error naming it', () => {
  const bad = (patch: Partial<VersionDelta>) => () =>
    applyDelta(CATALOG_4_1_0, {
      version: '7.2',
      base: '4.1.0',
      releaseCommit: 'x',
      events: [],
      functions: [],
      locations: {},
      ...patch,
    });
  assert.throws(
    bad({ functions: [{ since: '5.0', why: 'gone', remove: 'no_such_fn' }] }),
    /remove no_such_fn \(since 5\.0\): no function no_such_fn/,
  );
  assert.throws(bad({ events: [{ since: '6.0', why: 'renamed', rename: 'nope', to: 'x' }] }), /no event nope/);
  assert.throws(
    bad({ functions: [{ since: '6.0', why: 'edge', change: 'aio_poll', patch: { removeCalls: ['not_called'] } }] }),
    /aio_poll has no call edge to not_called/,
  );
  assert.throws(
    bad({ functions: [{ since: '6.0', why: 'event', change: 'aio_poll', patch: { addTraceEvents: ['undeclared'] } }] }),
    /would fire undeclared event undeclared/,
  );
  assert.throws(
    bad({ functions: [{ since: '4.1', why: 'too early', remove: 'aio_poll' }] }),
    /since 4\.1 is outside 4\.1\.0\.\.7\.2/,
  );
  assert.throws(
    bad({ functions: [{ since: '9.9', why: 'no such release', remove: 'aio_poll' }] }),
    /unknown release "9\.9"/,
  );
  assert.throws(bad({}), /no location for/);
});

test('every call edge names a function of its version or a declared helper; indirect calls are calls', () => {
  for (const c of catalogs) {
    for (const f of c.functions) {
      for (const n of f.calls)
        assert.ok(c.idOf(n) >= 0 || c.has(n) || HELPERS.has(n), `${c.version}: ${fnKey(f)} calls unknown ${n}`);
      for (const n of f.indirectCalls ?? [])
        assert.ok(f.calls.includes(n), `${c.version}: ${fnKey(f)}: indirect ${n} not in calls`);
    }
  }
  for (const c of catalogs)
    for (const f of c.functions) assert.ok(!HELPERS.has(f.name), `${f.name} is a helper and a ${c.version} function`);
});

test('functions: unique keys, qualifiers on every shared name, QEMU functions located (lines only where verified)', () => {
  for (const c of later) {
    const keys = c.functions.map(fnKey);
    assert.equal(new Set(keys).size, keys.length, c.version);
    const counts = new Map<string, number>();
    for (const f of c.functions) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
    for (const f of c.functions)
      if (counts.get(f.name)! > 1) assert.ok(f.qualifier, `${c.version}: ${f.name} needs a qualifier`);
    const unlined: string[] = [];
    for (const f of c.functions) {
      if (f.origin !== 'qemu') continue;
      assert.ok(f.file && !f.file.startsWith('/'), `${c.version}: ${f.name} file`);
      if (f.line === undefined) unlined.push(f.name);
      else assert.ok(Number.isInteger(f.line) && f.line > 0);
      assert.notEqual(f.stage, 'syscall');
      assert.ok(c.stage(f.stage), `${c.version}: ${f.name} stage ${f.stage}`);
    }
    // Only the functions generated at build time have no line in the source tree.
    assert.deepEqual(unlined.sort(), ['bdrv_flush', 'bdrv_flush_entry'], c.version);
  }
  // A carried-over function takes its line from the version's own table, never from 4.1.0.
  assert.equal(fn(v72, 'virtio_queue_notify').line, 2855);
  assert.equal(fn(v10, 'virtio_queue_notify').line, 2492);
  assert.equal(fn(v10, 'kvm_vcpu_thread_fn').file, 'accel/kvm/kvm-accel-ops.c');
});

test('trace events: declared once, formats expanded and matching the arguments, each with the function that fires it', () => {
  for (const c of catalogs) {
    const names = c.data.traceEvents.map((e) => e.name);
    assert.equal(new Set(names).size, names.length, c.version);
    for (const e of c.data.traceEvents) {
      assert.match(e.file, /^(.+\/)?trace-events$/, `${c.version} ${e.name}`);
      assert.doesNotMatch(e.format, /PRI[diuxX]\d+|"/, `${c.version} ${e.name}`);
      assert.doesNotThrow(() => compileFormat(e), `${c.version} ${e.name}`);
    }
    for (const f of c.functions)
      for (const t of f.traceEvents) assert.ok(c.traceEvent(t), `${c.version}: ${f.name} fires undeclared ${t}`);
  }
  for (const c of later) {
    const silent = c.data.traceEvents.filter((e) => c.firedBy(e.name).length === 0).map((e) => e.name);
    assert.deepEqual(silent, ['virtio_pci_notify'], `${c.version}: declared but fired by nothing known`);
    for (const e of c.data.traceEvents)
      for (const w of c.firedBy(e.name))
        assert.ok(w.file && w.line && w.line > 0, `${c.version}: ${e.name} fired from ${w.name} without a location`);
  }
});

test('the deltas carry the path changes the replay and the 10.0 model need', () => {
  const calls = (c: Catalog, a: string, b: string) =>
    assert.ok(fn(c, a).calls.includes(b), `${c.version}: ${a} → ${b}`);
  const notCalls = (c: Catalog, a: string, b: string) =>
    assert.ok(!fn(c, a).calls.includes(b), `${c.version}: ${a} ↛ ${b}`);
  const fires = (c: Catalog, f: string, e: string) =>
    assert.ok(fn(c, f).traceEvents.includes(e), `${c.version}: ${f} fires ${e}`);
  for (const c of later) {
    // io_poll checks, io_poll_ready processes (7.0)
    assert.deepEqual(fn(c, 'virtio_queue_host_notifier_aio_poll').calls, ['virtio_queue_empty']);
    calls(c, 'virtio_queue_host_notifier_aio_poll_ready', 'virtio_queue_notify_vq');
    calls(c, 'aio_dispatch_handler', 'virtio_queue_host_notifier_aio_poll_ready');
    calls(c, 'virtio_queue_host_notifier_read', 'virtio_queue_notify_vq');
    calls(c, 'virtio_queue_notify_vq', 'virtio_blk_handle_output');
    fires(c, 'virtio_queue_notify_vq', 'virtio_queue_notify');
    assert.equal(c.byName('virtio_blk_data_plane_handle_output'), undefined);
    // _part functions and the BlockBackend internals
    calls(c, 'blk_aio_write_entry', 'blk_co_do_pwritev_part');
    calls(c, 'blk_co_do_pwritev_part', 'bdrv_co_pwritev_part');
    fires(c, 'blk_co_do_pwritev_part', 'blk_co_pwritev');
    fires(c, 'bdrv_co_pwritev_part', 'bdrv_co_pwritev_part');
    calls(c, 'bdrv_co_pwritev', 'bdrv_co_pwritev_part');
    // blkdebug injects at its own layer through aio_co_schedule
    assert.deepEqual(fn(c, 'rule_check').calls, ['aio_co_schedule', 'qemu_coroutine_yield']);
    calls(c, 'bdrv_driver_pwritev', 'blkdebug_co_pwritev');
    calls(c, 'blkdebug_co_pwritev', 'rule_check');
    // io_uring
    fires(c, 'luring_co_submit', 'luring_co_submit');
    fires(c, 'luring_process_completions', 'luring_process_completion');
    calls(c, 'raw_co_prw', 'luring_co_submit');
  }
  // 7.2: plug/unplug, dataplane, semaphore-free pool
  calls(v72, 'virtio_blk_handle_vq', 'blk_io_unplug');
  fires(v72, 'luring_io_unplug', 'luring_io_unplug');
  fires(v72, 'virtio_blk_data_plane_start', 'virtio_blk_data_plane_start');
  calls(v72, 'virtio_blk_req_complete', 'virtio_blk_data_plane_notify');
  fires(v72, 'thread_pool_submit_aio', 'thread_pool_submit');
  notCalls(v72, 'raw_co_flush_to_disk', 'laio_co_submit');
  fires(v72, 'tracked_request_begin', 'qemu_co_mutex_lock_uncontended');
  calls(v72, 'blk_aio_prwv', 'bdrv_coroutine_enter');
  // 10.0: defer_call, irqfd vs notify, FDSYNC flush, thread_pool_*_aio, no dataplane events
  calls(v10, 'virtio_blk_handle_vq', 'defer_call_begin');
  calls(v10, 'virtio_blk_handle_vq', 'defer_call_end');
  notCalls(v10, 'virtio_blk_handle_vq', 'aio_context_acquire');
  calls(v10, 'laio_do_submit', 'defer_call');
  calls(v10, 'luring_do_submit', 'defer_call');
  fires(v10, 'luring_deferred_fn', 'luring_unplug_fn');
  calls(v10, 'defer_call_end', 'virtio_notify_irqfd_deferred_fn');
  calls(v10, 'virtio_notify_irqfd', 'defer_call');
  calls(v10, 'virtio_notify_irqfd_deferred_fn', 'event_notifier_set');
  fires(v10, 'virtio_notify_irqfd_deferred_fn', 'virtio_notify_irqfd_deferred_fn');
  calls(v10, 'virtio_blk_req_complete', 'virtio_notify_irqfd');
  calls(v10, 'virtio_blk_req_complete', 'virtio_notify');
  calls(v10, 'raw_co_flush_to_disk', 'laio_co_submit');
  fires(v10, 'thread_pool_submit_aio', 'thread_pool_submit_aio');
  fires(v10, 'thread_pool_completion_bh', 'thread_pool_complete_aio');
  calls(v10, 'blk_aio_prwv', 'aio_co_enter');
  fires(v10, 'adjust_polling_time', 'poll_grow');
  assert.deepEqual(fn(v10, 'tracked_request_begin').traceEvents, []);
  for (const gone of [
    'virtio_blk_data_plane_start',
    'virtio_blk_data_plane_stop',
    'thread_pool_submit',
    'luring_io_plug',
  ])
    assert.equal(v10.traceEvent(gone), undefined, gone);
  for (const gone of [
    'blk_io_plug',
    'laio_io_plug',
    'bdrv_coroutine_enter',
    'notify_guest_bh',
    'virtio_blk_free_request',
  ])
    assert.equal(v10.byName(gone), undefined, gone);
  assert.equal(fn(v10, 'defer_call_end').stage, 'plug');
  assert.equal(v10.stage('plug')!.label, 'Deferred calls (defer_call batching)');
  assert.equal(v72.stage('plug')!.label, 'Plug / unplug batching');
});

test('changesOf says when and why a name changed', () => {
  const c = v10.changesOf('thread_pool_submit_aio').find((n) => n.kind === 'event');
  assert.ok(c && c.since === '10.0' && c.op === 'rename' && c.names[0] === 'thread_pool_submit');
  assert.deepEqual(
    v10.changesOf('luring_deferred_fn').map((n) => [n.since, n.op]),
    [['8.2', 'rename']],
  );
  assert.deepEqual(getCatalog('4.1.0').changesOf('aio_poll'), []);
  assert.ok(v72.changesOf('bdrv_co_pwritev_part').some((n) => n.since === '6.0' && n.kind === 'event'));
});

test('lookupEvent and lookupFunction map names across versions, and keep unknown names', () => {
  const tp = lookupEvent('thread_pool_submit');
  assert.deepEqual(
    tp.versions.map((v) => [v.version, v.name, v.firedBy[0]?.name, v.firedBy[0]?.line]),
    [
      ['4.1.0', 'thread_pool_submit', 'thread_pool_submit_aio', 244],
      ['7.2', 'thread_pool_submit', 'thread_pool_submit_aio', 248],
      ['10.0', 'thread_pool_submit_aio', 'thread_pool_submit_aio', 241],
    ],
  );
  const bdrv = lookupEvent('bdrv_co_pwritev_part');
  assert.deepEqual(
    bdrv.versions.map((v) => v.name),
    ['bdrv_co_pwritev', 'bdrv_co_pwritev_part', 'bdrv_co_pwritev_part'],
  );
  assert.equal(bdrv.lifetime!.from, '6.0');
  const unplug = lookupEvent('luring_unplug_fn');
  assert.deepEqual(
    unplug.versions.map((v) => [v.name, v.replaced ?? false]),
    [
      [undefined, false],
      ['luring_io_unplug', true],
      ['luring_unplug_fn', false],
    ],
  );
  assert.equal(unplug.versions[2].firedBy[0].name, 'luring_deferred_fn');
  const dp = lookupEvent('virtio_blk_data_plane_start');
  assert.equal(dp.versions[2].name, undefined);
  assert.equal(dp.lifetime!.until, '9.0');
  const unknown = lookupEvent('my_private_event');
  assert.equal(unknown.known, false);
  assert.ok(unknown.versions.every((v) => v.name === undefined));
  assert.deepEqual(
    lookupFunction('blk_co_pwritev').map((v) => v.name),
    ['blk_co_pwritev', 'blk_co_do_pwritev_part', 'blk_co_do_pwritev_part'],
  );
  assert.deepEqual(
    lookupFunction('laio_deferred_fn').map((v) => v.name),
    ['laio_io_unplug', 'laio_io_unplug', 'laio_deferred_fn'],
  );
  assert.deepEqual(
    lookupFunction('virtio_blk_data_plane_handle_output').map((v) => v.name),
    ['virtio_blk_data_plane_handle_output', undefined, undefined],
  );
});

test('callers are found by plain name and by name@qualifier', () => {
  assert.ok(v10.callersOf('ioq_submit@io_uring').includes('luring_deferred_fn'));
  assert.ok(v10.callersOf('ioq_submit').includes('laio_deferred_fn'));
  assert.ok(v10.callersOf('ioq_submit').includes('luring_deferred_fn'));
});

test('summaries and notes: present, short, distinct within a version', () => {
  for (const c of later) {
    const seen = new Set<string>();
    for (const f of c.functions) {
      assert.ok(f.summary.trim().length > 0 && f.summary.length <= 400, `${c.version} ${f.name}`);
      assert.ok(!seen.has(f.summary), `${c.version}: ${f.name} repeats a summary`);
      seen.add(f.summary);
      if (f.notes !== undefined) assert.ok(f.notes.length > 0 && f.notes.length <= 400, `${c.version} ${f.name} notes`);
    }
  }
});
