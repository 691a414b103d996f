// The timeline of a simulation: what the recorder keeps while the model runs forward agrees with
// the model's own statistics; zoomed-in queries (replays beside the debuggee) agree with the
// recorded bins; exact spans match the events; and going to a time or an event lands exactly
// where running the model there does, forward and back.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { Simulator, StageEventRecord } from '../../simulator/simulator';
import { Execution, Stop } from '../../server/debug/execution';
import type { CoroutineSpan } from '../../simulator/timeline/detail';

const WORKLOAD: ScenarioInput = { aio: 'threads', workload: { rw: 'randwrite', iodepth: 8, requests: 300 } };

function execution(input: ScenarioInput = WORKLOAD): Execution {
  const { scenario } = buildScenario(input);
  return new Execution(scenario, { check: () => null }, { threadsChanged: () => undefined, output: () => undefined });
}

/** Every event of the same run, from a plain simulator. */
function reference(input: ScenarioInput = WORKLOAD): { sim: Simulator; events: StageEventRecord[] } {
  const { scenario } = buildScenario(input);
  const sim = new Simulator(scenario);
  const events: StageEventRecord[] = [];
  sim.listener = (ev) => events.push(sim.record(ev));
  sim.run();
  return { sim, events };
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
const close = (a: number, b: number, rel: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

async function toEnd(exec: Execution): Promise<Stop> {
  const stop = await exec.forward(null);
  assert.equal(stop.kind, 'end');
  return stop;
}

describe('recording', () => {
  test('kicks, interrupts, requests and their latency agree with the run statistics', async () => {
    const exec = execution();
    await toEnd(exec);
    const st = exec.sim.stats();
    const d = exec.timeline.query({ bins: 500, detail: false });
    assert.equal(d.resolution, 'recorded');
    assert.equal(d.extent.events, st.events);
    assert.equal(d.extent.complete, true);
    assert.equal(Math.round(sum(d.counters!.kicks)), st.kicks.doorbells);
    assert.equal(Math.round(sum(d.counters!.interrupts)), st.interrupts.handledByGuest);
    assert.equal(d.latency!.requests, st.requests.completed + st.requests.flushes);
    // the in-flight level's area is every request's total latency
    const area = sum(d.counters!.inflight) * d.binNs;
    const spans = exec.recorder.requests!.spans(0, d.toNs, d.toNs);
    assert.equal(spans.length, 300);
    const latencies = sum(spans.map((s) => s.marks[5] - s.marks[0]));
    close(area, latencies, 1e-3, 'in-flight area vs summed latencies');
    // the requests-by-stage lanes hold the same time, split by stage
    const byStage = sum(d.requests!.byStage.slice(0, 5).map(sum)) * d.binNs;
    close(byStage, latencies, 1e-3, 'requests by stage vs summed latencies');
    for (const s of spans) {
      for (let i = 1; i < 6; i++) assert.ok(s.marks[i] >= s.marks[i - 1], `request ${s.id} marks in order`);
    }
    // p50 of the total is within the recorded min/max
    assert.ok(d.latency!.total.p50 > 0 && d.latency!.total.p50 <= d.latency!.total.max);
    assert.equal(sum(d.latency!.histogram.counts), d.latency!.requests);
    // threads: fractions, and the main loop ran at some point
    for (const t of d.threads!) for (const b of t.busy) assert.ok(b >= 0 && b <= 1, `${t.name} busy ${b}`);
    assert.ok(sum(d.threads!.find((t) => t.name === 'main-loop')!.busy) > 0);
  });

  test('stepping back and running forward again records nothing twice', async () => {
    const once = execution();
    await toEnd(once);
    const twice = execution();
    await twice.forward((ev) =>
      ev.seq === 20_000 ? { kind: 'step', thread: ev.thread, description: '', breakpoints: [] } : null,
    );
    await twice.stepBack(0);
    twice.goTo(5_000);
    await toEnd(twice);
    const a = once.timeline.query({ bins: 200 });
    const b = twice.timeline.query({ bins: 200 });
    assert.deepEqual(b.counters, a.counters);
    assert.deepEqual(b.threads, a.threads);
    assert.deepEqual(b.latency, a.latency);
  });

  test('a replayed range bins the same time as the recording', async () => {
    const exec = execution();
    await toEnd(exec);
    const rec = exec.recorder;
    const w = rec.grid.width;
    // a range on recorded bin edges, asked at 8× the resolution: replayed, same totals per thread
    const from = 10 * w;
    const to = 30 * w;
    const coarse = exec.timeline.query({ fromNs: from, toNs: to, bins: 20, detail: false });
    const fine = exec.timeline.query({ fromNs: from, toNs: to, bins: 160, detail: false });
    assert.equal(coarse.resolution, 'recorded');
    assert.equal(fine.resolution, 'replayed');
    for (const t of coarse.threads!) {
      const f = fine.threads!.find((x) => x.thread === t.thread)!;
      close(sum(f.busy) * fine.binNs, sum(t.busy) * coarse.binNs, 1e-3, `${t.name} busy time`); // fractions come rounded to 0.001
    }
    close(sum(fine.counters!.kicks), sum(coarse.counters!.kicks), 1e-9, 'kicks');
    close(sum(fine.counters!.inflight) * fine.binNs, sum(coarse.counters!.inflight) * coarse.binNs, 1e-3, 'in flight');
  });
});

describe('exact spans', () => {
  test('every slice begins at its enter event and nests on its thread; a window shows the same slices', async () => {
    const exec = execution();
    await toEnd(exec);
    const ref = reference();
    const end = exec.recorder.endNs;
    const mid = end / 2;
    const from = mid - 20_000;
    const to = mid + 20_000;
    const d = exec.timeline.query({ fromNs: from, toNs: to, bins: 10_000 }); // 4 ns bins: spans under 2 ns are left out
    assert.equal(d.resolution, 'replayed');
    const slices = d.detail!.slices;
    assert.ok(slices.length > 50, `${slices.length} slices`);
    let known = 0;
    for (const s of slices) {
      assert.ok(s.end >= s.start && s.end >= from && s.start <= to);
      if (s.seq < 0) continue;
      known++;
      const ev = ref.events[s.seq];
      assert.equal(ev.phase, 'enter');
      assert.equal(ev.fnId, s.fn);
      assert.equal(ev.time_ns, s.start);
      assert.equal(ev.threadId, s.thread);
    }
    assert.ok(known > 10);
    // each exit event in the window closes exactly one slice of that function on that thread
    const exits = ref.events.filter((e) => e.phase === 'exit' && e.time_ns >= from && e.time_ns <= to);
    for (const e of exits.slice(0, 200)) {
      assert.ok(
        slices.some((s) => s.fn === e.fnId && s.end === e.time_ns && s.thread === e.threadId),
        `exit of ${e.function} at ${e.time_ns}`,
      );
    }
    // coroutine spans alternate running and parked without overlapping
    const byCo = new Map<number, CoroutineSpan[]>();
    for (const c of d.detail!.coroutines) byCo.set(c.co, [...(byCo.get(c.co) ?? []), c]);
    assert.ok(byCo.size > 0);
    for (const spans of byCo.values())
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i].start >= spans[i - 1].end, 'coroutine spans in order');
  });
});

describe('time ↔ event', () => {
  test('going to a time lands on the first event at or after it, forward past what has run and back', async () => {
    const ref = reference();
    const exec = execution();
    await exec.forward((ev) =>
      ev.seq === 3000 ? { kind: 'step', thread: ev.thread, description: '', breakpoints: [] } : null,
    );
    const firstAtOrAfter = (t: number): StageEventRecord => ref.events.find((e) => e.time_ns >= t)!;
    const end = ref.events[ref.events.length - 1].time_ns;
    // forward beyond the recording (runs on), back (replays), forward within the recording (replays)
    for (const t of [end * 0.6, end * 0.1, end * 0.35, end * 0.35 + 1, 0, end * 0.9, end * 0.2]) {
      const want = firstAtOrAfter(t);
      const stop = await exec.seek({ timeNs: t });
      assert.equal(stop.kind, 'goto');
      const at = exec.position!;
      assert.equal(at.seq, want.seq, `time ${t}`);
      assert.equal(at.time, want.time_ns);
      assert.equal(at.thread, want.threadId);
      assert.equal(exec.timeline.eventAt(t), want.seq);
    }
    // going to an event is exact too, and the model's state is the one the plain run had there
    for (const seq of [12_345, 400, ref.events.length - 2]) {
      await exec.seek({ event: seq });
      assert.equal(exec.position!.seq, seq);
      const probe = new Simulator(buildScenario(WORKLOAD).scenario);
      probe.run(seq + 1);
      assert.deepEqual(exec.sim.snapshot(), probe.snapshot());
      assert.deepEqual(exec.sim.threads(), probe.threads());
    }
    assert.equal(exec.timeline.eventAt(end + 1), null);
  });

  test('stepped back from the end, the run is not finished: stepping on runs to the end again', async () => {
    const exec = execution({ workload: { rw: 'write', requests: 2 } });
    await toEnd(exec);
    assert.equal(exec.finished, true);
    await exec.stepBack(exec.position!.thread);
    assert.equal(exec.finished, false);
    assert.equal((await exec.forward(null)).kind, 'end');
    assert.equal(exec.finished, true);
  });

  test('going past the end of the run stops at the end', async () => {
    const exec = execution({ workload: { rw: 'write', requests: 2 } });
    const stop = await exec.seek({ timeNs: 1e12 });
    assert.equal(stop.kind, 'end');
  });
});
