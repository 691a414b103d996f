// Run a scenario to the end and keep what tests look at: every stage event and every
// QEMU trace line (with its thread).

import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { qemuTraceLine } from '../../simulator/output/qemu-trace';
import { Simulator, StageEventRecord } from '../../simulator/simulator';

export interface TraceRecord {
  thread: string;
  event: string;
  args: readonly (number | string | boolean)[];
  line: string;
}

export interface Run {
  sim: Simulator;
  events: StageEventRecord[];
  traces: TraceRecord[];
  reason: number;
}

export function run(input: ScenarioInput, maxEvents = 5_000_000): Run {
  const { scenario } = buildScenario(input);
  const sim = new Simulator(scenario);
  const events: StageEventRecord[] = [];
  const traces: TraceRecord[] = [];
  sim.listener = (ev) => events.push(sim.record(ev));
  sim.m.tracer = (t, event, args) =>
    traces.push({ thread: t.name, event, args: [...args], line: qemuTraceLine(sim.m, t, event, args) });
  const reason = sim.run(maxEvents);
  return { sim, events, traces, reason };
}

/** Names of the functions entered on one thread, in order. */
export function entered(r: Run, thread: string): string[] {
  return r.events.filter((e) => e.thread === thread && e.phase === 'enter').map((e) => e.function);
}

/** Is `want` a subsequence of `have`? Returns the first missing element, or null. */
export function missingFromSequence(have: readonly string[], want: readonly string[]): string | null {
  let i = 0;
  for (const w of want) {
    while (i < have.length && have[i] !== w) i++;
    if (i === have.length) return w;
    i++;
  }
  return null;
}

/** Trace event names from the first request on (drops the dataplane start-up kick). */
export function requestTraces(r: Run): TraceRecord[] {
  const first = r.traces.findIndex(
    (t) => t.event === 'virtio_blk_handle_write' || t.event === 'virtio_blk_handle_read',
  );
  // keep the virtio_queue_notify that led to the first request
  let start = first;
  while (start > 0 && r.traces[start].event !== 'virtio_queue_notify') start--;
  return r.traces.slice(start);
}
