// Every shared real QEMU log (7.2 and 10.0, each configuration, the strace-merged runs) read by
// the trace library, checked against an independent computation written here from the
// READMEs' correlation keys (a regular expression per line and plain arrays: nothing of the
// library), and against the figures the READMEs report.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RequestRecord } from '../../simulator/trace/rebuild';
import { TraceReader } from '../../simulator/trace/reader';
import { traceReport } from '../../simulator/trace/report';

const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'traces');

// ---- the independent computation --------------------------------------------------------

interface Ev {
  tid: number;
  us: number;
  name: string;
  a: Record<string, string>;
  line: number;
}

/** `tid@sec.usec:name k v k v…` or `sec.usec tid [name] T name k v…`; args as key/value pairs. */
function events(text: string): Ev[] {
  const out: Ev[] = [];
  let base = -1;
  text.split('\n').forEach((l, i) => {
    const m = /^(\d+)@(\d+)\.(\d{6}):(\w+) ?(.*)$/.exec(l) ?? /^(\d+)\.(\d{6}) (\d+) \[[^\]]*\] T (\w+) ?(.*)$/.exec(l);
    if (!m) return;
    const [tid, sec, usec] = l.includes('@') ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
    if (base < 0) base = Number(sec);
    const words = m[5].split(' ');
    const a: Record<string, string> = {};
    for (let k = 0; k + 1 < words.length; k += 2) a[words[k]] = words[k + 1];
    out.push({ tid: Number(tid), us: (Number(sec) - base) * 1e6 + Number(usec), name: m[4], a, line: i + 1 });
  });
  return out;
}

interface Expected {
  op: string;
  sector: number;
  nsectors: number;
  tid: number;
  kick: number | null;
  pop: number;
  submit: number | null;
  reenter: number | null;
  notify: number;
  raised: boolean;
}

const IRQ = new Set(['virtio_notify_irqfd', 'virtio_notify']);
const SUBMIT = new Set(['thread_pool_submit', 'thread_pool_submit_aio', 'luring_co_submit']);

/**
 * Requests as the READMEs' keys give them: virtio-blk req = virtqueue elem; a coroutine's `to`
 * in enter = `from` in yield = `self` in terminate; a request completes inside its coroutine.
 * kick = the thread's last virtio_queue_notify before the pop; submit = the coroutine's first
 * backend submit, else its first yield; re-enter = its last enter before the completion;
 * notify = the irq event right after the request's virtqueue_flush, else that flush (suppressed).
 */
function expected(evs: Ev[]): Expected[] {
  const lastNotify = new Map<number, number>();
  const stack = new Map<number, string[]>();
  const byElem = new Map<string, Expected & { co?: CoLife }>();
  interface CoLife {
    submit: number | null;
    enters: number[];
  }
  const lives = new Map<string, CoLife>();
  const done: Expected[] = [];
  const stackOf = (tid: number): string[] => stack.get(tid) ?? (stack.set(tid, []), stack.get(tid)!);
  evs.forEach((e, i) => {
    const st = stackOf(e.tid);
    switch (e.name) {
      case 'virtio_queue_notify':
        lastNotify.set(e.tid, e.us);
        break;
      case 'virtqueue_pop':
        byElem.set(e.a.elem, {
          op: 'flush',
          sector: -1,
          nsectors: 0,
          tid: e.tid,
          kick: lastNotify.get(e.tid) ?? null,
          pop: e.us,
          submit: null,
          reenter: null,
          notify: -1,
          raised: false,
        });
        break;
      case 'virtio_blk_handle_read':
      case 'virtio_blk_handle_write': {
        const r = byElem.get(e.a.req)!;
        r.op = e.name.endsWith('read') ? 'read' : 'write';
        r.sector = Number(e.a.sector);
        r.nsectors = Number(e.a.nsectors);
        break;
      }
      case 'qemu_aio_coroutine_enter': {
        if (!lives.has(e.a.to)) lives.set(e.a.to, { submit: null, enters: [] });
        lives.get(e.a.to)!.enters.push(e.us);
        st.push(e.a.to);
        break;
      }
      case 'qemu_coroutine_yield': {
        const life = lives.get(e.a.from);
        if (life && life.submit === null) life.submit = e.us;
        st.pop();
        break;
      }
      case 'qemu_coroutine_terminate':
        lives.delete(e.a.self);
        st.pop();
        break;
      case 'virtio_blk_req_complete': {
        const r = byElem.get(e.a.req)!;
        byElem.delete(e.a.req);
        const life = lives.get(st[st.length - 1])!;
        r.submit = life.submit;
        r.reenter = life.enters.length > 1 ? life.enters[life.enters.length - 1] : null;
        // the request's virtqueue_flush, and whether an irq event comes right after it on this thread
        let j = i + 1;
        while (!(evs[j].tid === e.tid && evs[j].name === 'virtqueue_flush')) j++;
        let k = j + 1;
        while (k < evs.length && evs[k].tid !== e.tid) k++;
        r.raised = k < evs.length && IRQ.has(evs[k].name);
        r.notify = r.raised ? evs[k].us : evs[j].us;
        done.push(r);
        break;
      }
      default:
        if (SUBMIT.has(e.name)) {
          const life = lives.get(st[st.length - 1]);
          if (life && life.submit === null) life.submit = e.us;
        }
    }
  });
  return done;
}

const STAGE_OF = (r: Expected): Record<string, number | null> => {
  const start = r.kick ?? r.pop;
  const d = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  return {
    kick_to_pop: d(r.kick, r.pop),
    pop_to_submit: d(r.pop, r.submit),
    backend: d(r.submit, r.reenter),
    reenter_to_notify: d(r.reenter, r.notify),
    total: d(start, r.notify),
  };
};

/** Median as the README and the report define it: the nearest-rank 50th percentile. */
function median(v: number[]): number | null {
  if (!v.length) return null;
  const s = [...v].sort((x, y) => x - y);
  return s[Math.ceil(s.length / 2) - 1];
}

// ---- the library --------------------------------------------------------------------------

type Done = RequestRecord & { doneAtLine: number };

function rebuild(file: string): { reqs: Done[]; reader: TraceReader; text: string } {
  const text = readFileSync(file, 'latin1');
  const reqs: Done[] = [];
  const reader: TraceReader = new TraceReader(null, {
    onRequest: (r) => reqs.push({ ...r, doneAtLine: reader.lineNo }),
    checkpointEvery: 100,
  });
  reader.push(Buffer.from(text, 'latin1'));
  reader.end();
  return { reqs, reader, text };
}

interface Case {
  file: string;
  version: string;
  requests: number;
  irqs?: number;
  /** Median kick → interrupt of the 9 QD1 4 KiB writes, µs (traces/README.md, comparison.md). */
  qd1Total?: number;
  merges: number[];
  /** Peak requests in flight in step 8's writes and reads (10.0 README). */
  qd8?: [number, number];
  iothread?: boolean;
  /** Interrupts raised for the 16 merged writes of step 6: one, except 7.2's iothread (README: 16). */
  w16Irqs?: number;
}

const CASES: Case[] = [
  { file: '7.2/threads.log', version: '7.2', requests: 44, qd1Total: 159, merges: [16, 4] },
  { file: '7.2/native.log', version: '7.2', requests: 44, qd1Total: 166, merges: [16, 12] },
  {
    file: '7.2/iothread-native.log',
    version: '7.2',
    requests: 44,
    qd1Total: 189,
    merges: [16, 7],
    iothread: true,
    w16Irqs: 16,
  },
  { file: '7.2/threads.with-syscalls.txt', version: '7.2', requests: 44, merges: [16, 15] },
  {
    file: '10.0/threads.10.0.log',
    version: '10.0',
    requests: 300,
    irqs: 228,
    qd1Total: 565,
    merges: [16, 10],
    qd8: [6, 3],
  },
  {
    file: '10.0/native.10.0.log',
    version: '10.0',
    requests: 300,
    irqs: 156,
    qd1Total: 423,
    merges: [16, 10],
    qd8: [8, 8],
  },
  {
    file: '10.0/iothread-native.10.0.log',
    version: '10.0',
    requests: 300,
    irqs: 108,
    qd1Total: 3211,
    merges: [16, 14],
    qd8: [8, 8],
    iothread: true,
  },
  {
    file: '10.0/io_uring.10.0.log',
    version: '10.0',
    requests: 300,
    irqs: 110,
    qd1Total: 313,
    merges: [16, 14],
    qd8: [8, 8],
  },
  { file: '10.0/threads.10.0.with-syscalls.txt', version: '10.0', requests: 300, merges: [16, 11, 4] },
];

function peakInFlight(reqs: RequestRecord[]): number {
  const at = (r: RequestRecord, s: string): number => r.stages.find((x) => x.stage === s)!.time_ns!;
  const edges = reqs.flatMap((r) => [
    [at(r, 'pop'), 1],
    [at(r, 'complete'), -1],
  ]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let n = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (n += d));
  return peak;
}

for (const c of CASES) {
  describe(`real log ${c.file}`, () => {
    const { reqs, reader, text } = rebuild(join(dir, c.file));
    const exp = expected(events(text));

    test('every request found, with its op, sector, size, thread and stage times', () => {
      assert.equal(reqs.length, c.requests);
      assert.equal(exp.length, c.requests);
      assert.equal(reader.stats.neverCompleted.length, 0);
      assert.equal(reader.stats.malformed.count, 0);
      const byPop = [...reqs].sort((a, b) => a.stages[1].time_ns! - b.stages[1].time_ns! || a.id - b.id);
      exp.sort((a, b) => a.pop - b.pop);
      byPop.forEach((r, i) => {
        const e = exp[i];
        const at = (s: string): number | null => r.stages.find((x) => x.stage === s)?.time_ns ?? null;
        const what = `request #${r.id} (line ${r.stages[1].line})`;
        assert.equal(r.op, e.op, what);
        assert.equal(r.sector, e.sector, what);
        assert.equal(r.nsectors, e.nsectors, what);
        assert.equal(r.tid, e.tid, what);
        assert.equal(at('pop'), e.pop * 1000, what);
        assert.equal(at('kick'), e.kick === null ? null : e.kick * 1000, what);
        assert.equal(r.irq === 'raised', e.raised, what);
        const split = STAGE_OF(e);
        ['kick_to_pop', 'pop_to_submit', 'backend', 'reenter_to_notify', 'total'].forEach((s, k) =>
          assert.equal(Number.isNaN(r.split[k]) ? null : r.split[k] / 1000, split[s], `${what} ${s}`),
        );
      });
    });

    test('each request passes its stages in order', () => {
      for (const r of reqs) {
        const names = r.stages.map((s) => s.stage);
        const want = r.op === 'flush' ? ['pop', 'coroutine'] : ['pop', 'handle', 'coroutine'];
        assert.deepEqual(
          names.filter((n) => want.includes(n)),
          want,
          `#${r.id}: ${names.join(',')}`,
        );
        assert.ok(names.indexOf('yield') > names.indexOf('coroutine'), `#${r.id} yields in its coroutine`);
        assert.ok(names.indexOf('reenter') > names.indexOf('yield'), `#${r.id}: ${names.join(',')}`);
        assert.ok(['irq', 'irq-suppressed'].includes(names[names.length - 1]), `#${r.id} ends at its interrupt`);
        const times = r.stages.map((s) => s.time_ns!);
        assert.deepEqual(
          times,
          [...times].sort((x, y) => x - y),
          `#${r.id} stage times in order`,
        );
      }
    });

    test('per-stage medians equal the independent computation, per op and for all', () => {
      const rep = traceReport(reader.stats, {
        file: c.file,
        version: c.version,
        versionFrom: '',
        timestamps: true,
        threads: [],
      });
      for (const s of ['kick_to_pop', 'pop_to_submit', 'backend', 'reenter_to_notify', 'total']) {
        for (const op of ['read', 'write', 'flush', 'all'] as const) {
          const vals = exp
            .filter((e) => op === 'all' || e.op === op)
            .map((e) => STAGE_OF(e)[s])
            .filter((v): v is number => v !== null);
          const fig = op === 'all' ? rep.all[s as 'total'] : rep.by_op[op][s as 'total'];
          assert.equal(fig.count, vals.length, `${s} ${op} count`);
          assert.equal(fig.p50_us, median(vals), `${s} ${op} p50`);
        }
      }
    });

    if (c.qd1Total !== undefined)
      test("the 9 QD1 4 KiB writes' median kick → interrupt is the README's", () => {
        const qd1 = reqs.filter(
          (r) => r.op === 'write' && r.nsectors === 8 && (r.sector === 0 || (r.sector >= 2048 && r.sector <= 2104)),
        );
        assert.equal(qd1.length, 9);
        assert.equal(median(qd1.map((r) => r.split[4] / 1000)), c.qd1Total);
      });

    test('version, threads and their roles', () => {
      const threads = reader.rebuild.threadList();
      assert.equal(threads.filter((t) => t.role === 'main-loop').length, 1);
      assert.equal(threads.filter((t) => t.role === 'vcpu').length, 1);
      assert.equal(threads.filter((t) => t.role === 'iothread').length, c.iothread ? 1 : 0);
      const busy = c.iothread ? 'iothread' : 'main-loop';
      const onBusy = threads.find((t) => t.role === busy)!;
      for (const r of reqs) assert.equal(r.tid, onBusy.tid, `#${r.id} runs on the ${busy}`);
    });

    test('merges: virtio_blk_submit_multireq batches become one coroutine, one backend op, many completions', () => {
      const groups = new Map<number, RequestRecord[]>();
      for (const r of reqs) if (r.merged > 1) groups.set(r.coroutine!, [...(groups.get(r.coroutine!) ?? []), r]);
      assert.deepEqual(
        [...groups.values()].map((g) => g.length),
        c.merges,
      );
      for (const g of groups.values()) {
        assert.equal(new Set(g.map((r) => r.split[2])).size, 1, 'one backend time for the batch');
        assert.ok(g.every((r) => r.merged === g.length));
      }
      // the 16 split writes of step 6: one merge, and (but for 7.2's iothread) one interrupt
      const w16 = groups.get(reqs.find((r) => r.op === 'write' && r.sector === 8192)!.coroutine!)!;
      assert.equal(w16.length, 16);
      assert.equal(w16.filter((r) => r.irq === 'raised').length, c.w16Irqs ?? 1);
    });

    if (c.irqs !== undefined)
      test("interrupts: the README's count", () => {
        assert.equal(reader.stats.interrupts.events, c.irqs);
        assert.equal(reqs.filter((r) => r.irq === 'raised').length, c.irqs);
      });

    if (c.qd8)
      test('step 8 (QD8): requests in flight reach the README figures', () => {
        const step8 = reqs.filter((r) => r.sector >= 16384);
        assert.equal(step8.length, 256);
        assert.equal(peakInFlight(step8.filter((r) => r.op === 'write')), c.qd8![0]);
        assert.equal(peakInFlight(step8.filter((r) => r.op === 'read')), c.qd8![1]);
      });

    test('a seek from any checkpoint re-reads to the same requests', () => {
      const cp = reader.checkpoints[Math.floor(reader.checkpoints.length / 2)];
      assert.ok(cp && cp.line > 0);
      const again: RequestRecord[] = [];
      const r2 = new TraceReader(null, { onRequest: (r) => again.push(r) });
      r2.restore(cp);
      r2.push(Buffer.from(text, 'latin1').subarray(cp.offset));
      r2.end();
      const after = reqs.filter((r) => r.doneAtLine > cp.line);
      assert.deepEqual(
        again.map((r) => [r.id, r.op, r.sector, r.split]),
        after.map((r) => [r.id, r.op, r.sector, r.split]),
      );
    });
  });
}

describe('real io_uring log', () => {
  test('submit is luring_co_submit, the backend ends at luring_process_completion, before the re-entry', () => {
    const { reqs } = rebuild(join(dir, '10.0/io_uring.10.0.log'));
    for (const r of reqs) {
      const names = r.stages.map((s) => s.stage);
      assert.ok(names.includes('submit') && names.includes('backend-done'), `#${r.id}: ${names.join(',')}`);
      assert.ok(names.indexOf('submit') < names.indexOf('yield'), 'luring_co_submit comes before the yield');
      assert.ok(names.indexOf('backend-done') < names.lastIndexOf('reenter'));
    }
  });
});

describe('real strace-merged logs', () => {
  for (const file of ['7.2/threads.with-syscalls.txt', '10.0/threads.10.0.with-syscalls.txt']) {
    test(`${file}: syscalls placed on their threads, pool jobs on the worker that did them`, () => {
      const events: { thread: string; fn: string; reqs: number[]; traced: boolean }[] = [];
      const reqs: RequestRecord[] = [];
      const reader = new TraceReader(null, {
        listener: (ev) => events.push({ thread: ev.thread, fn: ev.function, reqs: ev.requests, traced: ev.traced }),
        onRequest: (r) => reqs.push(r),
      });
      reader.push(readFileSync(join(dir, file)));
      reader.end();
      const workers = reader.rebuild.threadList().filter((t) => t.role === 'pool-worker');
      assert.ok(workers.length >= 1);
      assert.ok(workers.every((w) => /^worker-\d+$/.test(w.name)));
      // every read and write went through a worker whose pread/pwrite the strace lines show
      for (const r of reqs.filter((q) => q.op !== 'flush')) {
        assert.ok(
          workers.some((w) => w.tid === r.workerTid),
          `#${r.id} ${r.op} placed on a worker`,
        );
        const io = events.find((e) => e.reqs.includes(r.id) && /^p(read|write)/.test(e.fn));
        assert.ok(io && io.thread.startsWith('worker-'), `#${r.id}: its ${r.op} syscall is on the worker lane`);
      }
      assert.ok(events.some((e) => e.fn === 'ppoll' && e.thread === 'main-loop'));
      assert.ok(
        !events.some((e) => e.thread === 'pool workers (not traced)'),
        'no inferred lane when workers are seen',
      );
      assert.equal(reader.stats.lines.other, 1, 'only the header comment is skipped');
    });
  }

  test('without syscalls the pool work is one inferred lane between submit and complete', () => {
    const lane: { phase: string; traced: boolean }[] = [];
    const reader = new TraceReader(null, {
      listener: (ev) => {
        if (ev.thread === 'pool workers (not traced)') lane.push({ phase: ev.phase, traced: ev.traced });
      },
    });
    reader.push(readFileSync(join(dir, '7.2/threads.log')));
    reader.end();
    assert.equal(lane.filter((e) => e.phase === 'enter').length, 27);
    assert.equal(lane.filter((e) => e.phase === 'exit').length, 27);
    assert.ok(lane.every((e) => !e.traced));
  });
});
