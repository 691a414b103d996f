// The stacks a replay shows, checked against the QEMU version's call graph: every frame is
// called by the frame under it (a call edge of that version's catalog), for the first stops of
// each shared log and of the example, and the example's first stops read as QEMU's main loop
// runs them. Coroutine label frames separate two stacks and are not edges.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { getCatalog, type CatalogVersion } from '../../simulator/catalog';
import { frames, launch, open, resume, root, Session } from '../helpers/dap';
import { TRACES } from '../helpers/replay';

/** A frame's function name: the name without `[qualifier]` and ` (inferred)`. */
const fnName = (f: DebugProtocol.StackFrame) => f.name.replace(/ \(inferred\)$/, '').replace(/ \[[^\]]*\]$/, '');

/** Pairs (callee above, caller below) of a stack that are not call edges of `version`. */
function nonEdges(version: CatalogVersion, stack: DebugProtocol.StackFrame[]): string[] {
  const c = getCatalog(version);
  const bad: string[] = [];
  for (let i = 0; i + 1 < stack.length; i++) {
    const [callee, caller] = [stack[i], stack[i + 1]];
    if (callee.presentationHint === 'label' || caller.presentationHint === 'label') continue;
    const [a, b] = [fnName(callee), fnName(caller)];
    if (!c.has(a) || !c.has(b)) continue;
    const calls = c.allNamed(b).some((f) => f.calls.some((x) => x === a || x.split('@')[0] === a));
    if (!calls) bad.push(`${a} ← ${b}`);
  }
  return bad;
}

/** Steps in `steps` times from the first event; every stop's stack must be a chain of call edges. */
async function walk(file: string, version: CatalogVersion, steps: number): Promise<DebugProtocol.StackFrame[][]> {
  const s: Session = await open();
  const seen: DebugProtocol.StackFrame[][] = [];
  try {
    let stop = await launch(s, { traceFile: file, stopOnEntry: true });
    for (let i = 0; i < steps; i++) {
      const stack = await frames(s, stop.body.threadId!);
      assert.deepEqual(nonEdges(version, stack), [], `stop ${i}: ${stack.map((f) => f.name).join(' ← ')}`);
      seen.push(stack);
      stop = await resume(s, () => s.dc.stepInRequest({ threadId: stop.body.threadId! }));
      if (stop.body.reason !== 'step') break;
    }
  } finally {
    await s.close();
  }
  return seen;
}

describe('replayed stacks follow the call graph of the version', () => {
  for (const [log, version] of [
    ['7.2/threads.log', '7.2'],
    ['7.2/iothread-native.log', '7.2'],
    ['10.0/native.10.0.log', '10.0'],
    ['10.0/io_uring.10.0.log', '10.0'],
  ] as const)
    test(`${log}: 150 stops`, async () => {
      const seen = await walk(join(TRACES, log), version, 150);
      assert.ok(seen.length > 100, `${seen.length} stops`);
    });

  test('the example (10.0, aio=threads): a kick from the main loop, then a write down to the pool', async () => {
    const seen = await walk(join(root, 'examples', 'qemu-trace.log'), '10.0', 12);
    assert.deepEqual(seen[0].map(fnName), [
      'virtio_queue_notify_vq',
      'virtio_queue_host_notifier_read',
      'aio_dispatch_handler',
      'aio_dispatch_handlers',
      'aio_dispatch',
      'aio_ctx_dispatch',
      'glib_pollfds_poll',
      'os_host_main_loop_wait',
      'main_loop_wait',
      'qemu_main_loop',
    ]);
    const submit = seen.find((st) => fnName(st[0]) === 'thread_pool_submit_aio');
    assert.ok(submit, 'a stop in thread_pool_submit_aio');
    const names = submit.map(fnName);
    for (const f of ['raw_co_prw', 'bdrv_co_pwritev_part', 'blk_aio_write_entry', 'qemu_main_loop'])
      assert.ok(names.includes(f), `${f} under thread_pool_submit_aio: ${names.join(' ← ')}`);
    assert.ok(
      submit.some((f) => f.presentationHint === 'label' && /^coroutine #\d+ · blk_aio_write_entry$/.test(f.name)),
      'the coroutine boundary is a label frame',
    );
    // the pool's completion wakes the coroutine from its bottom half, not from a scheduled one
    const wake = seen.findIndex((st) => fnName(st[0]) === 'thread_pool_completion_bh');
    assert.deepEqual(seen[wake + 1].slice(0, 5).map(fnName), [
      'qemu_aio_coroutine_enter',
      'aio_co_enter',
      'aio_co_wake',
      'thread_pool_co_cb',
      'thread_pool_completion_bh',
    ]);
  });

  test('7.2 with an iothread: a request coroutine is entered from the submission, under the handler', async () => {
    const seen = await walk(join(TRACES, '7.2/iothread-native.log'), '7.2', 8);
    const enter = seen.find((st) => fnName(st[0]) === 'qemu_aio_coroutine_enter');
    assert.ok(enter, 'a stop in qemu_aio_coroutine_enter');
    const names = enter.map(fnName);
    for (const f of ['blk_aio_prwv', 'virtio_blk_handle_request', 'aio_poll'])
      assert.ok(names.includes(f), `${f} under qemu_aio_coroutine_enter: ${names.join(' ← ')}`);
  });
});
