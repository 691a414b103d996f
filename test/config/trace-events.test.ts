// `-trace` in a QEMU command line: which events the simulator's qemu-trace output prints.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQemuCommandLine } from '../../simulator/config/qemu-cmdline';
import { traceEventFilter } from '../../simulator/output/trace-filter';

describe('-trace event patterns', () => {
  test('enable=PATTERN and bare patterns are read in order; other -trace forms are listed as not used', () => {
    const q = parseQemuCommandLine(
      "qemu-system-x86_64 -trace enable=virtio_blk_\\* -trace 'qemu_co*' -trace -qemu_co_mutex_* -trace events=/tmp/ev -drive if=virtio,file=d.img,format=raw",
    );
    assert.deepEqual(q.traceEvents, ['virtio_blk_*', 'qemu_co*', '-qemu_co_mutex_*']);
    assert.deepEqual(q.ignored, ['-trace events=/tmp/ev']);
    assert.equal(parseQemuCommandLine('-drive if=virtio,file=d.img,format=raw').traceEvents, undefined);
  });

  test('globs enable, a leading - disables, the last matching pattern decides; none given: all', () => {
    const on = traceEventFilter(['virtio_blk_*', 'qemu_co*', '-qemu_co_mutex_*', 'virtqueue_po?']);
    assert.equal(on('virtio_blk_handle_write'), true);
    assert.equal(on('qemu_coroutine_yield'), true);
    assert.equal(on('qemu_co_mutex_lock_uncontended'), false);
    assert.equal(on('virtqueue_pop'), true);
    assert.equal(on('virtqueue_fill'), false);
    assert.equal(on('thread_pool_submit'), false);
    assert.equal(traceEventFilter(null)('anything'), true);
    assert.equal(traceEventFilter([])('anything'), false);
  });
});
