// The debug adapter over the real protocol, on stdio and on TCP: one 4 KiB write stepped
// through aio=threads and aio=native with function breakpoints; threads, frames, sources,
// variables; worker threads coming and going.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { docLine, documentPath, frames, launch, open, resume, scopeVars, Session, threadNames } from '../helpers/dap';

for (const mode of ['stdio', 'tcp'] as const) {
  describe(`aio=threads write, over ${mode}`, () => {
    let s: Session;
    before(async () => {
      s = await open(mode);
    });
    after(async () => s.close());

    test('stops on entry with the QEMU threads', async () => {
      const stop = await launch(s, { aio: 'threads', stopOnEntry: true }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'thread_pool_submit_aio' }] }),
      );
      assert.equal(stop.body.reason, 'entry');
      assert.deepEqual(await threadNames(s), ['main-loop', 'vcpu0']);
      assert.notEqual(
        (await frames(s, 1))[0].presentationHint,
        'subtle',
        'the frame a thread stopped in is never subtle',
      );
    });

    test('a function breakpoint stops in the coroutine, shown above a label frame', async () => {
      const stop = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      assert.equal(stop.body.reason, 'function breakpoint');
      assert.equal(stop.body.threadId, 1);
      const fr = await frames(s, 1);
      const names = fr.map((f) => f.name);
      assert.equal(names[0], 'thread_pool_submit_aio');
      const label = fr.findIndex((f) => f.presentationHint === 'label');
      assert.ok(label > 0, 'a label frame separates the coroutine');
      assert.match(fr[label].name, /^coroutine #1 · blk_aio_write_entry$/);
      assert.deepEqual(names.slice(0, label), [
        'thread_pool_submit_aio',
        'thread_pool_submit_co',
        'raw_thread_pool_submit',
        'raw_co_prw',
        'raw_co_pwritev [file-posix]',
        'bdrv_driver_pwritev',
        'bdrv_aligned_pwritev',
        'bdrv_co_pwritev',
        'raw_co_pwritev [raw-format]',
        'bdrv_driver_pwritev',
        'bdrv_aligned_pwritev',
        'bdrv_co_pwritev',
        'blk_co_pwritev',
        'blk_aio_write_entry',
        'coroutine_trampoline',
      ]);
      const below = names.slice(label + 1);
      for (const fn of [
        'qemu_aio_coroutine_enter',
        'blk_aio_prwv',
        'virtio_blk_handle_vq',
        'aio_dispatch_handlers',
        'main_loop',
      ]) {
        assert.ok(below.includes(fn), `${fn} is below the label`);
      }
      assert.equal(fr[label + 1].name, 'qemu_aio_coroutine_enter');
      assert.equal(fr[label + 1].presentationHint, 'subtle');
      // frames point at the line naming the function in the I/O path document
      assert.equal(fr[0].source?.path, documentPath);
      assert.equal(fr[0].line, docLine('thread_pool_submit_aio'));
      assert.equal(fr[1].line, docLine('thread_pool_submit_co'));
    });

    test("variables: the request, the frame's locals, the thread and QEMU's state", async () => {
      const fr = await frames(s, 1);
      const req = await scopeVars(s, fr[0].id, /^Request 1$/);
      assert.equal(req.op, 'write');
      assert.equal(req.sector, '0');
      assert.equal(req.bytes, '4096');
      const locals = await scopeVars(s, fr[0].id, /^Locals$/);
      assert.equal(locals.pool, 'thread pool of qemu_aio_context');
      assert.equal(locals.func, 'handle_aiocb_rw');
      const bdrv = fr.find((f) => f.name === 'bdrv_co_pwritev')!;
      assert.equal((await scopeVars(s, bdrv.id, /^Locals$/)).bs, 'file (file-posix)');
      const thread = await scopeVars(s, fr[0].id, /^Thread main-loop$/);
      assert.match(thread.coroutine, /coroutine #1 \(running, blk_aio_write_entry\)/);
      const qemu = await scopeVars(s, fr[0].id, /^QEMU$/);
      for (const k of ['virtqueue', 'aioContexts', 'threadPools', 'device', 'block', 'requests', 'statistics'])
        assert.ok(k in qemu, `QEMU scope has ${k}`);
      const ev = await s.dc.evaluateRequest({
        expression: 'req.bytes / 512 + pool.cur_threads',
        frameId: fr[0].id,
        context: 'watch',
      });
      assert.equal(ev.body.result, '8');
    });

    test('next steps over calls at stage granularity; over the yield it waits for the I/O', async () => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const stop = await resume(s, () => s.dc.nextRequest({ threadId: 1 }));
        assert.equal(stop.body.reason, 'step');
        seen.push((await frames(s, 1))[0].name);
      }
      // return to thread_pool_submit_co, enter qemu_coroutine_yield, yield (main loop back in
      // qemu_aio_coroutine_enter), then the coroutine resumes once the worker is done
      assert.deepEqual(seen, [
        'thread_pool_submit_co',
        'qemu_coroutine_yield',
        'qemu_aio_coroutine_enter',
        'qemu_coroutine_yield',
      ]);
      const names = await threadNames(s);
      assert.ok(names.includes('worker-1'), `a worker thread exists now: ${names}`);
      const worker = (await s.dc.threadsRequest()).body.threads.find((t) => t.name === 'worker-1')!;
      assert.ok(
        s.events('thread').some((e) => e.body.reason === 'started' && e.body.threadId === worker.id),
        'a started event for worker-1',
      );
    });

    test('running to the end stops once, then continue terminates', async () => {
      const end = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
      assert.equal(end.body.text, 'end of simulation');
      const terminated = s.dc.waitForEvent('terminated');
      await s.dc.continueRequest({ threadId: 1 });
      await terminated;
    });
  });
}

describe('aio=native write', () => {
  let s: Session;
  before(async () => {
    s = await open();
  });
  after(async () => s.close());

  test('laio_co_submit runs in the coroutine; io_submit happens later, at unplug, with the coroutine parked', async () => {
    await launch(s, { aio: 'native', cache: 'none', stopOnEntry: false }, (dc) =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'laio_co_submit' }, { name: 'io_submit' }] }),
    );
    // stopOnEntry false: the first stop is the first breakpoint
    const first = s.events('stopped')[0];
    assert.equal(first.body.reason, 'function breakpoint');
    let fr = await frames(s, 1);
    assert.equal(fr[0].name, 'laio_co_submit');
    assert.ok(fr.some((f) => f.presentationHint === 'label' && /coroutine #1 · blk_aio_write_entry/.test(f.name)));
    const second = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
    assert.equal(second.body.reason, 'function breakpoint');
    fr = await frames(s, 1);
    assert.equal(fr[0].name, 'io_submit');
    assert.ok(!fr.some((f) => f.presentationHint === 'label'), "io_submit runs on the main loop's own stack");
    assert.deepEqual(
      fr.slice(0, 6).map((f) => f.name),
      ['io_submit', 'ioq_submit', 'laio_io_unplug', 'raw_aio_unplug', 'bdrv_io_unplug', 'bdrv_io_unplug'],
    );
    // the parked coroutine is visible as a pseudo-thread, like `qemu bt`
    const threads = (await s.dc.threadsRequest()).body.threads;
    const parked = threads.find((t) => t.name.startsWith('parked coroutines'));
    assert.ok(parked, `threads: ${threads.map((t) => t.name)}`);
    const pf = await frames(s, parked.id);
    assert.match(pf[0].name, /^coroutine #1 · blk_aio_write_entry — yielded in laio_co_submit \(request 1\)$/);
    assert.deepEqual(
      pf.slice(1, 3).map((f) => f.name),
      ['qemu_coroutine_yield', 'laio_co_submit'],
    );
  });

  test("the qemuIo/stage event names the stop's function, stage and requests", async () => {
    const stages = s.events('qemuIo/stage');
    const last = stages[stages.length - 1].body;
    assert.equal(last.function, 'io_submit');
    assert.equal(last.thread, 'main-loop');
    assert.equal(last.group, 'laio');
    assert.equal(last.hitCounts.io_submit, 1);
    assert.equal(last.qemuVersion, '4.1.0');
  });
});

describe('worker threads come and go', () => {
  let s: Session;
  before(async () => {
    s = await open();
  });
  after(async () => s.close());

  test('thread events: 64 workers start for a burst and exit after 10 s idle', async () => {
    await launch(s, {
      aio: 'threads',
      stopOnEntry: false,
      workload: { rw: 'randread', iodepth: 64, batch: 64, requests: 128, thinktime: '11s', thinktimeBlocks: 64 },
    });
    const started = s.events('thread').filter((e) => e.body.reason === 'started');
    const exited = s.events('thread').filter((e) => e.body.reason === 'exited');
    assert.equal(started.length, 128, 'two bursts of 64 workers');
    assert.equal(exited.length, 64, 'the first 64 exited while the guest was thinking');
    assert.ok(exited.every((e) => started.some((x) => x.body.threadId === e.body.threadId)));
  });
});
