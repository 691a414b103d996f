// Version detection and argument parsing against the shared real QEMU logs (7.2.22 and 10.0.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectQemuVersion } from '../simulator/catalog/detect';
import { getCatalog } from '../simulator/catalog/index';
import { argsRecord, compileFormat } from '../simulator/trace/format';

const SHARED = '/work/shared/qemu';
const DIRS: Array<[string, '7.2' | '10.0']> = [
  ['traces', '7.2'],
  ['traces-10.0', '10.0'],
];
const logs = existsSync(SHARED)
  ? DIRS.flatMap(([dir, version]) =>
      readdirSync(join(SHARED, dir))
        .filter((f) => f.endsWith('.log') || f.endsWith('.with-syscalls.txt'))
        .map((f) => ({ path: join(SHARED, dir, f), version })),
    )
  : [];
const skip = logs.length ? false : 'shared QEMU logs not available';

// `tid@sec.usec:name args` (or `name args`), and the strace-merged `time tid [thread] T name args`.
const LOG_LINE = /^(?:\d+@\d+\.\d+:)?([a-z_][a-z0-9_]*)(?: (.*))?$/;
const MERGED_LINE = /^\S+ \d+ \[[^\]]*\] T ([a-z_][a-z0-9_]*)(?: (.*))?$/;

function events(path: string): Array<{ name: string; args: string; line: number }> {
  const merged = path.endsWith('.with-syscalls.txt');
  const out: Array<{ name: string; args: string; line: number }> = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text) return;
      if (merged && !/\] T /.test(text)) return;
      const m = (merged ? MERGED_LINE : LOG_LINE).exec(text);
      assert.ok(m, `${path}:${i + 1}: not a trace line: ${text.slice(0, 80)}`);
      out.push({ name: m[1], args: m[2] ?? '', line: i + 1 });
    });
  return out;
}

test('every event of the shared logs is declared in its version and its arguments parse every line', { skip }, () => {
  for (const { path, version } of logs) {
    const catalog = getCatalog(version);
    const evs = events(path);
    assert.ok(evs.length > 100, `${path}: ${evs.length} events`);
    for (const e of evs) {
      const decl = catalog.traceEvent(e.name);
      assert.ok(decl, `${path}:${e.line}: ${e.name} is not declared in the ${version} catalog`);
      const names = decl.args.map((a) => a.name);
      const values = argsRecord(compileFormat(decl), names, e.args, 0, e.args.length);
      assert.ok(values, `${path}:${e.line}: "${e.args}" does not match "${decl.format}"`);
      assert.deepEqual(Object.keys(values), names);
      assert.ok(catalog.firedBy(e.name).length > 0, `${version}: nothing fires ${e.name}`);
    }
  }
});

test('detection picks 7.2 for every 7.2 log and 10.0 for every 10.0 log, with evidence', { skip }, () => {
  for (const { path, version } of logs) {
    const d = detectQemuVersion(events(path).map((e) => e.name));
    assert.equal(d.catalog, version, `${path}: ${d.reason}`);
    assert.deepEqual(d.conflicts, [], path);
    assert.deepEqual(d.unknown, [], path);
    assert.ok(d.evidence.length >= 2, path);
    assert.ok(d.reason.includes(version), d.reason);
  }
});

test('the name fingerprints bound the release as QEMU history says', () => {
  const range = (...names: string[]) => {
    const d = detectQemuVersion(names);
    return `${d.from}..${d.to}`;
  };
  assert.equal(range('thread_pool_submit_aio'), '10.0..10.2');
  assert.equal(range('thread_pool_submit'), '4.1..9.2');
  assert.equal(range('bdrv_co_pwritev_part'), '6.0..10.2');
  assert.equal(range('bdrv_co_pwritev'), '4.1..5.2');
  assert.equal(range('virtio_blk_data_plane_start'), '4.1..8.2');
  assert.equal(range('luring_unplug_fn'), '8.1..10.1');
  assert.equal(range('luring_io_plug'), '5.0..8.0');
  assert.equal(range('virtio_notify_irqfd_deferred_fn'), '8.2..10.2');
  assert.equal(range('virtio_pci_notify_write'), '7.1..10.2');
  assert.equal(range('blk_co_pwritev', 'luring_cqe_handler'), '10.2..10.2');
  // reentrant_aio is 8.1 upstream but Debian's 7.2.22 declares it too (stable backport).
  assert.equal(range('reentrant_aio'), '7.2..10.2');
  assert.equal(detectQemuVersion(['reentrant_aio', 'virtio_blk_data_plane_stop', 'thread_pool_submit']).catalog, '7.2');
});

test('detection: no evidence, a range without a catalog, contradictions and unknown names', () => {
  const none = detectQemuVersion(['virtio_queue_notify', 'virtqueue_pop']);
  assert.equal(none.catalog, '10.0');
  assert.equal(`${none.from}..${none.to}`, '4.1..10.2');
  assert.match(none.reason, /no event in the log is specific/);

  const between = detectQemuVersion(['luring_io_plug', 'bdrv_co_pwritev']); // 5.0..5.2
  assert.equal(`${between.from}..${between.to}`, '5.0..5.2');
  assert.equal(between.catalog, '4.1.0');
  assert.match(between.reason, /no catalog; using the nearest, 4\.1\.0/);

  // Two logs pasted together: the majority wins, the rest is reported.
  const mixed = detectQemuVersion(['thread_pool_submit_aio', 'thread_pool_complete_aio', 'virtio_blk_data_plane_stop']);
  assert.equal(mixed.catalog, '10.0');
  assert.deepEqual(
    mixed.conflicts.map((e) => e.events[0]),
    ['virtio_blk_data_plane_stop'],
  );

  const unknown = detectQemuVersion(['thread_pool_submit_aio', 'my_own_event', 'my_own_event']);
  assert.deepEqual(unknown.unknown, ['my_own_event']);
  assert.equal(unknown.catalog, '10.0');
});

test('trace formats parse what the log backend prints, and only that', () => {
  const c = getCatalog('10.0');
  const parse = (name: string, text: string) => {
    const decl = c.traceEvent(name)!;
    return argsRecord(
      compileFormat(decl),
      decl.args.map((a) => a.name),
      text,
      0,
      text.length,
    );
  };
  assert.deepEqual(parse('qemu_coroutine_terminate', 'self 0x5581c4f0a2c0'), { co: 0x5581c4f0a2c0 });
  assert.deepEqual(parse('qemu_aio_coroutine_enter', 'ctx 0x1 from (nil) to 0x2 opaque 0x3'), {
    ctx: 1,
    from: 0,
    to: 2,
    opaque: 3,
  });
  assert.deepEqual(parse('run_poll_handlers_end', 'ctx 0x1 progress 1 new timeout -1'), {
    ctx: 1,
    progress: 1,
    timeout: -1,
  });
  assert.deepEqual(parse('blk_co_pwritev', 'blk 0x1 bs 0x2 offset 4096 bytes 65536 flags 0x0'), {
    blk: 1,
    bs: 2,
    offset: 4096,
    bytes: 65536,
    flags: 0,
  });
  assert.deepEqual(parse('runstate_set', 'current_run_state 9 (running) new_state 7 (shutdown)'), {
    current_state: 9,
    current_state_str: 'running',
    new_state: 7,
    new_state_str: 'shutdown',
  });
  assert.deepEqual(parse('virtio_pci_notify_write', '0x3000 = 0x0 (2)'), { addr: 0x3000, val: 0, size: 2 });
  assert.equal(parse('virtio_blk_rw_complete', 'vdev 0x1 req 0x2 ret x'), null);
  assert.equal(parse('virtio_blk_rw_complete', 'vdev 0x1 req 0x2'), null);
  assert.throws(
    () => compileFormat({ name: 'bad', file: 'trace-events', args: [{ type: 'int', name: 'a' }], format: 'a %d b %d' }),
    /bad: format has 2 conversions for 1 arguments/,
  );
});
