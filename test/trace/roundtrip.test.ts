// Round trip: the simulator's own `--format qemu-trace` lines, read back by the trace library,
// give the simulation's requests, threads and stage split (to the trace's 1 µs resolution),
// checked against what the simulator itself knows: its request records and its stage events.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IoOp } from '../../simulator/backends/device';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { qemuTraceLine } from '../../simulator/output/qemu-trace';
import { Simulator } from '../../simulator/simulator';
import type { RequestRecord } from '../../simulator/trace/rebuild';
import { TraceReader } from '../../simulator/trace/reader';

const OP = { [IoOp.read]: 'read', [IoOp.write]: 'write', [IoOp.flush]: 'flush' } as Record<number, string>;

interface Truth {
  op: string;
  sector: number;
  nsectors: number;
  thread: string;
  pop: number;
  submit?: number;
  reenter?: number;
  irq?: number;
}

function simulate(input: ScenarioInput) {
  const { scenario } = buildScenario(input);
  const sim = new Simulator(scenario);
  const lines: string[] = [];
  const kinds = new Map<number, string>();
  const truth = new Map<number, Truth>();
  sim.m.tracer = (t, event, args) => {
    kinds.set(t.tid, t.kind);
    lines.push(qemuTraceLine(sim.m, t, event, args));
    // the interrupt is raised when its trace line is printed (virtio_should_notify said yes)
    if ((event === 'virtio_notify_irqfd' || event === 'virtio_notify') && truth.has(completing))
      truth.get(completing)!.irq = sim.now;
  };
  let completing = -1;
  sim.listener = (raw) => {
    const ev = sim.record(raw);
    for (const id of ev.requests) {
      const r = sim.m.s.w.vblk.reqs.get(id);
      if (r && !truth.has(id))
        // a flush names no sector in the trace (there is no handle event for it)
        truth.set(id, {
          op: OP[r.op],
          sector: r.op === IoOp.flush ? -1 : r.sector,
          nsectors: r.bytes / 512,
          thread: '',
          pop: -1,
        });
      const tr = truth.get(id);
      if (!tr) continue;
      if (r && tr.pop < 0 && r.tPop >= 0) tr.pop = r.tPop;
      if (ev.function === 'virtio_blk_handle_request' && ev.phase === 'enter') tr.thread = ev.thread;
      // the request completing is the head of the event's merge chain
      if (ev.function === 'virtio_blk_req_complete' && ev.phase === 'enter' && id === ev.requests[0]) completing = id;
      if (ev.function === 'thread_pool_submit_aio' && ev.phase === 'enter') tr.submit ??= ev.time_ns;
      if (ev.phase === 'yield') tr.submit ??= ev.time_ns;
      if (ev.phase === 'resume') tr.reenter = ev.time_ns;
    }
  };
  sim.run();
  return { sim, lines, kinds, truth: [...truth.values()] };
}

const SCENARIOS: [string, ScenarioInput][] = [
  [
    'aio=threads, QD4 writes in batches (merging)',
    { aio: 'threads', workload: { rw: 'write', iodepth: 4, batch: 4, requests: 40 } },
  ],
  [
    'aio=native, random reads at QD8',
    { aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 8, requests: 60 } },
  ],
  [
    'iothread, aio=native, mixed with flushes',
    {
      aio: 'native',
      cache: 'none',
      iothread: true,
      workload: { rw: 'randrw', iodepth: 4, requests: 40, flushEvery: 8 },
    },
  ],
];

for (const [name, input] of SCENARIOS) {
  describe(`round trip: ${name}`, () => {
    const { lines, kinds, truth } = simulate(input);
    const reqs: RequestRecord[] = [];
    const reader = new TraceReader(null, { onRequest: (r) => reqs.push(r) });
    reader.push(Buffer.from(lines.join('\n') + '\n', 'latin1'));
    reader.end();
    /** A trace line's µs timestamp against the simulated ns: the line is printed within the same µs or the next. */
    const near = (traced: number | undefined, simulated: number): boolean =>
      traced !== undefined && traced >= Math.floor(simulated / 1000) * 1000 - 1000 && traced <= simulated + 1000;
    const base = reader.parser.baseSec * 1e9;

    test('nothing is malformed, unknown or left over', () => {
      assert.equal(reader.stats.malformed.count, 0);
      assert.equal(reader.stats.neverCompleted.length, 0);
      assert.equal(reader.stats.completedNeverStarted, 0);
      assert.equal(reader.stats.unknownEvents.size, 0);
    });

    test('the same requests: op, sector and size of every one', () => {
      const key = (r: { op: string; sector: number; nsectors: number }): string => `${r.op} ${r.sector} ${r.nsectors}`;
      assert.deepEqual(reqs.map(key).sort(), truth.map(key).sort());
    });

    test('the same threads, by role', () => {
      const roles = reader.rebuild.threadList().map((t) => [t.tid, t.role]);
      const want = [...kinds].map(([tid, kind]) => [tid, kind === 'worker' ? 'pool-worker' : kind]);
      assert.deepEqual(roles.sort(), want.sort());
      const byRole = new Map(reader.rebuild.threadList().map((t) => [t.role, t.name]));
      for (const t of truth) {
        const r = reqs.find((q) => q.op === t.op && q.sector === t.sector)!;
        assert.equal(r.thread, byRole.get(t.thread === 'main-loop' ? 'main-loop' : 'iothread'));
      }
    });

    test('the same stage split: pop, backend submit, re-entry and interrupt at the simulated times', () => {
      for (const t of truth) {
        const popOf = (q: RequestRecord): number => q.stages.find((x) => x.stage === 'pop')!.time_ns! + base;
        const r = reqs.find((q) => q.op === t.op && q.sector === t.sector && near(popOf(q), t.pop))!;
        assert.ok(r, `${t.op} sector ${t.sector} popped at ${t.pop} ns`);
        const at = (s: string): number | undefined => {
          const v = r.stages.find((x) => x.stage === s)?.time_ns;
          return v === undefined || v === null ? undefined : v + base;
        };
        const what = `${t.op} sector ${t.sector}`;
        if (t.submit !== undefined) assert.ok(near(at('submit') ?? at('yield'), t.submit), `${what} submit`);
        const reenter = r.stages.filter((s) => s.stage === 'reenter').pop();
        if (t.reenter !== undefined) assert.ok(near(reenter!.time_ns! + base, t.reenter), `${what} re-entry`);
        assert.equal(r.irq, t.irq === undefined ? 'suppressed' : 'raised', what);
        if (t.irq !== undefined) assert.ok(near(at('irq'), t.irq), `${what} interrupt`);
      }
    });
  });
}
