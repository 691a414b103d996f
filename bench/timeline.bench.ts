// The timeline on a 1M-request simulation (4 KiB randread, QD32, aio=native): what the recorder
// costs the forward run (simulator alone vs with the recorder, alternating blocks in one process),
// how long a debug session's run to the end takes with it, then the adapter's side of the panel —
// the whole-run query (what the panel shows first), zoomed queries (recorded bins, replayed bins,
// exact spans), their JSON size (what the webview holds), going to a time (click-to-time) — and
// the memory the recording takes.

import { buildScenario, ScenarioInput } from '../simulator/config/build';
import { Simulator } from '../simulator/simulator';
import { TimelineRecorder } from '../simulator/timeline/recorder';
import { Execution } from '../server/debug/execution';

const fmt = (n: number, d = 1): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const mib = (): number => process.memoryUsage().rss / 2 ** 20;

const INPUT: ScenarioInput = {
  aio: 'native' as const,
  cache: 'none' as const,
  workload: { rw: 'randread', bs: 4096, iodepth: 32, requests: 1_000_000 },
};

/** Events per second over `n` events, with or without a recorder listening. */
function speed(sim: Simulator, n: number): number {
  const t0 = performance.now();
  sim.run(n);
  return n / ((performance.now() - t0) / 1000);
}

function recorderOverhead(): void {
  const { scenario } = buildScenario(INPUT);
  const plain = new Simulator(scenario);
  const recorded = new Simulator(scenario);
  TimelineRecorder.forRun().attach(recorded.m);
  const a: number[] = [];
  const b: number[] = [];
  speed(plain, 1_000_000);
  speed(recorded, 1_000_000);
  for (let i = 0; i < 8; i++) {
    a.push(speed(plain, 2_000_000));
    b.push(speed(recorded, 2_000_000));
  }
  const pa = pct(a, 0.5);
  const pb = pct(b, 0.5);
  console.log(
    `timeline.recorder: ${fmt(pa / 1e6, 2)} M events/s without, ${fmt(pb / 1e6, 2)} M events/s recording (${fmt((pa / pb - 1) * 100)} % slower; medians of 8 alternating blocks of 2M events)`,
  );
}

async function main(): Promise<void> {
  recorderOverhead();
  gc();
  const before = mib();
  const { scenario } = buildScenario(INPUT);
  const exec = new Execution(
    scenario,
    { check: () => null },
    { threadsChanged: () => undefined, output: () => undefined },
  );
  const t0 = performance.now();
  const stop = await exec.forward(null);
  const runS = (performance.now() - t0) / 1000;
  const events = exec.recorder.next;
  console.log(
    `timeline.run: ${stop.description}: ${fmt(events / 1e6, 1)} M events in ${fmt(runS, 1)} s (${fmt(events / runS / 1e6, 2)} M/s: model, recorder and checkpoints, as a debug session's continue runs)`,
  );
  gc();
  console.log(
    `timeline.memory: RSS ${fmt(mib(), 0)} MiB after the run (${fmt(mib() - before, 0)} MiB more than before it; recorder: ${exec.recorder.threadLanes().length} thread lanes × ${exec.recorder.grid.size} bins of ${fmt(exec.recorder.grid.width / 1000, 0)} µs, ${exec.recorder.requests!.done.toLocaleString('en-US')} requests)`,
  );

  const end = exec.recorder.endNs;
  const bins = 1400;
  const timed = (what: () => unknown): { ms: number; bytes: number; out: unknown } => {
    const s = performance.now();
    const out = what();
    const ms = performance.now() - s;
    return { ms, bytes: JSON.stringify(out).length, out };
  };
  const whole: number[] = [];
  let wholeBytes = 0;
  for (let i = 0; i < 5; i++) {
    const r = timed(() => exec.timeline.query({ bins }));
    whole.push(r.ms);
    wholeBytes = r.bytes;
  }
  console.log(
    `timeline.query.whole: p50 ${fmt(pct(whole, 0.5))} ms, max ${fmt(Math.max(...whole))} ms, ${fmt(wholeBytes / 1024, 0)} KiB of JSON (${bins} bins; target: the panel shows the whole run within 1 s)`,
  );
  for (const frac of [0.1, 0.01, 0.001, 0.0001, 0.00001]) {
    const times: number[] = [];
    let info = '';
    for (let i = 0; i < 5; i++) {
      const from = (end - end * frac) * ((i * 0.37) % 1);
      const r = timed(() => exec.timeline.query({ fromNs: from, toNs: from + end * frac, bins }));
      times.push(r.ms);
      const d = r.out as ReturnType<typeof exec.timeline.query>;
      info = `${d.resolution}${d.detail ? `, ${d.detail.slices.length} slices` : ''}${d.requests?.spans ? `, ${d.requests.spans.length} request spans` : ''}, ${fmt(r.bytes / 1024, 0)} KiB`;
    }
    console.log(
      `timeline.query.${frac * 100}%: p50 ${fmt(pct(times, 0.5))} ms, max ${fmt(Math.max(...times))} ms (${fmt((end * frac) / 1000, 1)} µs of ${fmt(end / 1e6, 0)} ms: ${info})`,
    );
  }
  const seeks: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = end * ((i * 0.6180339887) % 1);
    const s = performance.now();
    await exec.seek({ timeNs: t });
    seeks.push(performance.now() - s);
    if (exec.position!.time < t) throw new Error(`seek to ${t} landed at ${exec.position!.time}`);
  }
  console.log(
    `timeline.goto: p50 ${fmt(pct(seeks, 0.5))} ms, p95 ${fmt(pct(seeks, 0.95))} ms, max ${fmt(Math.max(...seeks))} ms (going to 30 times spread over the run, back and forth; target ≤ 200 ms click-to-time)`,
  );
}

void main();
