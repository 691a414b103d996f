// Replaying the shared real QEMU logs (7.2 and 10.0) over real DAP: threads named by role,
// breakpoints whose conditions read an event's arguments and the request, hit counts and
// logpoints, stepping each way, stepping back to exactly the state a user saw, the scopes, and
// sources that always open.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { frames, launch, open, resume, Session } from '../helpers/dap';
import { consoleText, eventScope, linesMatching, TRACES, vars, visibleState } from '../helpers/replay';

interface Log {
  file: string;
  version: string;
  /** Threads at the first stop of a thread-pool read (in order). */
  threads: string[];
  /** The thread requests are handled on. */
  handler: string;
}

const LOGS: Log[] = [
  { file: '7.2/threads.log', version: '7.2', threads: ['main-loop', 'vcpu0'], handler: 'main-loop' },
  { file: '10.0/threads.10.0.log', version: '10.0', threads: ['main-loop', 'vcpu0'], handler: 'main-loop' },
  {
    file: '10.0/iothread-native.10.0.log',
    version: '10.0',
    threads: ['main-loop', 'iothread 1', 'vcpu0'],
    handler: 'iothread 1',
  },
  {
    file: '10.0/threads.10.0.with-syscalls.txt',
    version: '10.0',
    threads: ['main-loop', 'vcpu0', 'worker-1'],
    handler: 'main-loop',
  },
];

async function replay(
  s: Session,
  file: string,
  bps: { name: string; condition?: string; hitCondition?: string; logMessage?: string }[] = [],
  extra: Record<string, unknown> = {},
) {
  let verdicts: { verified: boolean; message?: string }[] = [];
  const stop = await launch(s, { traceFile: file, ...extra }, async (dc) => {
    if (bps.length) verdicts = (await dc.setFunctionBreakpointsRequest({ breakpoints: bps })).body.breakpoints;
  });
  return { stop, verdicts };
}

const cont = (s: Session) => resume(s, () => s.dc.continueRequest({ threadId: 1 }));

for (const log of LOGS) {
  const file = join(TRACES, log.file);
  describe(`replay ${log.file}`, () => {
    test('the first stop, threads by role, and the version in the Debug Console', async () => {
      const s = await open();
      try {
        const { stop } = await replay(s, file);
        assert.equal(stop.body.reason, 'entry');
        const ev = await eventScope(s, stop.body.threadId!);
        // the first event is the log's first line (a syscall in an strace merge is an event too)
        assert.equal(ev.line, String(linesMatching(file, /./)[log.file.endsWith('.txt') ? 1 : 0]));
        assert.match(consoleText(s), new RegExp(`Replaying .*${log.file.split('/')[1]} as QEMU ${log.version}`));
      } finally {
        await s.close();
      }
    });

    test('a function breakpoint with a condition on an event argument, thread names at the stop', async () => {
      const s = await open();
      try {
        const { verdicts } = await replay(s, file, [
          { name: 'virtio_blk_handle_read', condition: 'sector >= 2048' },
          { name: 'virtio_blk_handle_reed' },
        ]);
        assert.equal(verdicts[0].verified, true);
        assert.equal(verdicts[1].verified, false);
        assert.match(
          verdicts[1].message!,
          /unknown event or function "virtio_blk_handle_reed".*did you mean.*virtio_blk_handle_read/,
        );
        const stop = await cont(s);
        assert.equal(stop.body.reason, 'function breakpoint');
        const expected = linesMatching(file, /virtio_blk_handle_read .*sector (\d+)/).find((n) => {
          const l = readFileSync(file, 'latin1').split('\n')[n - 1];
          return Number(/sector (\d+)/.exec(l)![1]) >= 2048;
        });
        const ev = await eventScope(s, stop.body.threadId!);
        assert.equal(ev.event, 'virtio_blk_handle_read');
        assert.equal(ev.line, String(expected));
        const names = (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
        for (const n of log.threads) assert.ok(names.includes(n), `thread ${n} in ${names.join(', ')}`);
        const thread = names[(await s.dc.threadsRequest()).body.threads.findIndex((t) => t.id === stop.body.threadId)];
        assert.equal(thread, log.handler);
        // the next one with the condition is the next matching line
        const again = await cont(s);
        const ev2 = await eventScope(s, again.body.threadId!);
        assert.ok(Number(ev2.line) > Number(ev.line));
        assert.ok(Number(/sector (\d+)/.exec(ev2.text)![1]) >= 2048);
      } finally {
        await s.close();
      }
    });

    test('a condition on the request, a hit count and a logpoint', async () => {
      const s = await open();
      try {
        await replay(s, file, [
          { name: 'virtio_blk_req_complete', condition: 'req.op == write', hitCondition: '3' },
          { name: 'virtio_blk_rw_complete', logMessage: 'rw_complete req {req.id} ret={ret}' },
        ]);
        const stop = await cont(s);
        assert.equal(stop.body.reason, 'function breakpoint');
        const fr = await frames(s, stop.body.threadId!);
        const scopes = (await s.dc.scopesRequest({ frameId: fr[0].id })).body.scopes;
        const reqScope = scopes.find((x) => /^Request \d+$/.test(x.name));
        assert.ok(reqScope, `a Request scope in ${scopes.map((x) => x.name).join(', ')}`);
        const req = await vars(s, reqScope.variablesReference);
        assert.equal(req.op, 'write');
        // the third completion of a write, by the log's own lines
        const ev = await eventScope(s, stop.body.threadId!);
        assert.equal(ev.event, 'virtio_blk_req_complete');
        const completes = linesMatching(file, /virtio_blk_req_complete /);
        assert.ok(completes.indexOf(Number(ev.line)) >= 2);
        // every rw_complete before the stop was logged, none stopped
        const logged = consoleText(s).match(/rw_complete req \d+ ret=0/g) ?? [];
        const before = linesMatching(file, /virtio_blk_rw_complete /).filter((n) => n < Number(ev.line));
        assert.equal(logged.length, before.length);
      } finally {
        await s.close();
      }
    });

    test('stepping in, over and out, and stepping back to exactly the same state', async () => {
      const s = await open();
      try {
        await replay(s, file, [{ name: 'virtio_blk_handle_write' }]);
        const hit = await cont(s);
        const t = hit.body.threadId!;
        const at = await visibleState(s);
        const ev0 = await eventScope(s, t);
        const depth0 = (await frames(s, t)).length;

        const into = await resume(s, () => s.dc.stepInRequest({ threadId: t }));
        assert.equal(into.body.reason, 'step');
        assert.equal(into.body.threadId, t);
        const ev1 = await eventScope(s, t);
        assert.ok(Number(ev1.seq) > Number(ev0.seq));
        assert.equal(ev1.thread, ev0.thread, 'step in stays on the thread');

        await resume(s, () => s.dc.nextRequest({ threadId: t }));
        const ev2 = await eventScope(s, t);
        assert.ok(Number(ev2.seq) > Number(ev1.seq));

        await resume(s, () => s.dc.stepOutRequest({ threadId: t }));
        const ev3 = await eventScope(s, t);
        assert.ok(Number(ev3.seq) > Number(ev2.seq));
        const out = await frames(s, t);
        assert.ok(out.length > 0);

        // back three events on this thread: the state first seen, to the variable
        for (let i = 0; i < 3; i++) await resume(s, () => s.dc.stepBackRequest({ threadId: t }));
        const backAt = await eventScope(s, t);
        // step out may pass more than one event of the thread; step back from the end to the hit
        for (let n = 0; Number(backAt.seq) > Number(ev0.seq) && n < 200; n++) {
          await resume(s, () => s.dc.stepBackRequest({ threadId: t }));
          const e = await eventScope(s, t);
          backAt.seq = e.seq;
        }
        assert.equal(backAt.seq, ev0.seq);
        assert.deepEqual(await visibleState(s), at);
        assert.equal((await frames(s, t)).length, depth0);
      } finally {
        await s.close();
      }
    });

    test('reverse continue returns to the previous breakpoint stop, same state', async () => {
      const s = await open();
      try {
        await replay(s, file, [{ name: 'virtio_blk_handle_write' }]);
        await cont(s);
        const second = await cont(s);
        const seen = await visibleState(s);
        const ev = await eventScope(s, second.body.threadId!);
        await cont(s);
        await cont(s);
        const back1 = await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
        assert.equal(back1.body.reason, 'function breakpoint');
        const back2 = await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
        assert.equal(back2.body.reason, 'function breakpoint');
        assert.equal((await eventScope(s, back2.body.threadId!)).seq, ev.seq);
        assert.deepEqual(await visibleState(s), seen);
        // before the first write there is only the start
        await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
        const start = await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
        assert.equal(start.body.reason, 'entry');
      } finally {
        await s.close();
      }
    });

    test('the scopes: Request, Event (raw line and its line number), Thread, Statistics', async () => {
      const s = await open();
      try {
        await replay(s, file, [{ name: 'virtio_blk_rw_complete' }]);
        const stop = await cont(s);
        const fr = await frames(s, stop.body.threadId!);
        const scopes = (await s.dc.scopesRequest({ frameId: fr[0].id })).body.scopes;
        const names = scopes.map((x) => x.name);
        assert.ok(
          names.some((n) => /^Request \d+$/.test(n)),
          names.join(', '),
        );
        assert.ok(names.includes('Event'));
        assert.ok(
          names.some((n) => n === `Thread ${log.handler}`),
          names.join(', '),
        );
        const stats = scopes.find((x) => x.name === 'Statistics')!;
        assert.equal(stats.expensive, true);

        const ev = await eventScope(s, stop.body.threadId!);
        const lines = readFileSync(file, 'latin1').split('\n');
        assert.equal(ev.line, String(linesMatching(file, /virtio_blk_rw_complete /)[0]));
        assert.equal(ev.text, lines[Number(ev.line) - 1]);
        const argsRef = (
          await s.dc.variablesRequest({
            variablesReference: scopes.find((x) => x.name === 'Event')!.variablesReference,
          })
        ).body.variables.find((v) => v.name === 'args')!.variablesReference;
        const args = await vars(s, argsRef);
        assert.equal(args.ret, '0');
        assert.match(args.req, /^0x[0-9a-f]+$/);

        const req = await vars(s, scopes.find((x) => /^Request/.test(x.name))!.variablesReference);
        assert.match(req.op, /^(read|write)$/);
        assert.ok(Number(req.total_us) > 0, `total_us ${req.total_us}`);
        assert.equal(req.status, 'ok');

        const th = await vars(s, scopes.find((x) => x.name.startsWith('Thread'))!.variablesReference);
        assert.equal(th.name, log.handler);
        const st = await vars(s, stats.variablesReference);
        assert.equal(st.completed, '0');
        assert.equal(st.in_flight, '1');
      } finally {
        await s.close();
      }
    });

    test('every frame has a source that opens: a file line or a generated page', async () => {
      const s = await open();
      try {
        // a kick's stack passes through aio_dispatch_handler, which the document has no section for
        await replay(s, file, [
          { name: 'virtio_queue_notify' },
          { name: 'thread_pool_submit' },
          { name: 'qemu_coroutine_yield' },
          { name: 'virtio_notify' },
        ]);
        let pages = 0;
        for (let i = 0; i < 4; i++) {
          await cont(s);
          for (const t of (await s.dc.threadsRequest()).body.threads) {
            for (const f of await frames(s, t.id)) {
              assert.ok(f.source, `frame ${f.name} has a source`);
              const ref = f.source.sourceReference ?? 0;
              if (ref > 0) {
                pages++;
                const page = await s.dc.sourceRequest({ source: f.source, sourceReference: ref });
                assert.ok(page.body.content.length > 20, `page of ${f.name}`);
                assert.match(page.body.content, new RegExp(f.name.replace(/ .*/, '')));
              } else {
                assert.ok(f.source.path && existsSync(f.source.path), `${f.name}: ${f.source.path}`);
                const n = readFileSync(f.source.path, 'utf8').split('\n').length;
                assert.ok(f.line >= 1 && f.line <= n, `${f.name} line ${f.line} of ${n}`);
                assert.match(f.source.path, /qemu-io-path\.md$/);
              }
            }
          }
        }
        assert.ok(pages > 0, 'functions the document does not cover get a page');
      } finally {
        await s.close();
      }
    });
  });
}

test('num_reqs > 1 on a 7.2 log stops on a merged submission', async () => {
  const file = join(TRACES, '7.2/threads.log');
  const s = await open();
  try {
    await replay(s, file, [{ name: 'virtio_blk_submit_multireq', condition: 'num_reqs > 1' }]);
    const stop = await cont(s);
    const ev = await eventScope(s, stop.body.threadId!);
    assert.equal(ev.line, String(linesMatching(file, /submit_multireq .*num_reqs ([2-9]|\d\d)/)[0]));
  } finally {
    await s.close();
  }
});

test('a name of another version is refused with what this version calls it', async () => {
  const s = await open();
  try {
    const { verdicts } = await replay(s, join(TRACES, '10.0/threads.10.0.log'), [
      { name: 'thread_pool_submit' },
      { name: 'thread_pool_submit_aio' },
      { name: 'virtio_blk_handle_read', condition: 'sector >=' },
    ]);
    assert.equal(verdicts[1].verified, true);
    assert.equal(verdicts[0].verified, false);
    assert.match(verdicts[0].message!, /thread_pool_submit.*QEMU 10\.0/);
    assert.equal(verdicts[2].verified, false);
    assert.match(verdicts[2].message!, /condition/);
  } finally {
    await s.close();
  }
});
