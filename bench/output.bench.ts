// Output speed of the CLI's --format writers (issue 10: printing must cost at most the
// simulation's own time, ≤ 2× --format none, for jsonl and qemu-trace). Two figures, each
// taken in alternating rounds so a busy machine slows every format alike:
//   - in this process: the same scenario with no output and with each writer into a LineBuffer
//     flushed to /dev/null — lines/s, and the run time relative to no output;
//   - the command itself (node dist/cli.js simulate … > /dev/null): wall time relative to
//     --format none, best of three rounds — the figure the target is about.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario } from '../simulator/config/build';
import { StopReason } from '../simulator/engine/types';
import { EventLines } from '../simulator/output/events';
import { LineBuffer } from '../simulator/output/line-buffer';
import { qemuTraceSink } from '../simulator/output/qemu-trace';
import { Simulator } from '../simulator/simulator';

const REQUESTS = 20_000;
const FORMATS = ['none', 'jsonl', 'qemu-trace', 'text'] as const;
type Format = (typeof FORMATS)[number];
const ROUNDS = 3;

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const { scenario } = buildScenario({ workload: { rw: 'randwrite', iodepth: 8, requests: REQUESTS } });

function inProcess(format: Format, fd: number): { ms: number; lines: number; bytes: number } {
  const sim = new Simulator(scenario);
  const out = new LineBuffer();
  const lines = new EventLines(sim, out);
  let count = 0;
  if (format === 'jsonl') sim.listener = (ev) => (lines.json(ev), count++);
  if (format === 'text') sim.listener = (ev) => (lines.text(ev), count++);
  if (format === 'qemu-trace') {
    const sink = qemuTraceSink(sim.m, out);
    sim.m.tracer = (t, event, args) => (sink(t, event, args), count++);
  }
  let bytes = 0;
  const t0 = performance.now();
  for (;;) {
    const reason = sim.run(20_000);
    for (const b of out.take()) bytes += writeSync(fd, b);
    if (reason !== StopReason.limit) break;
  }
  return { ms: performance.now() - t0, lines: count, bytes };
}

function cli(format: Format, fd: number): number {
  const args = ['simulate', '--rw', 'randwrite', '--iodepth', '8', '--requests', String(REQUESTS), '--format', format];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), ...args], {
    stdio: ['ignore', fd, 'inherit'],
  });
  if (r.status !== 0) throw new Error(`cli --format ${format} exited with ${r.status}`);
  return performance.now() - t0;
}

const fd = openSync('/dev/null', 'w');
const best: Record<string, { ms: number; lines: number; bytes: number }> = {};
const cliBest: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const f of FORMATS) {
    const r = inProcess(f, fd);
    if (!best[f] || r.ms < best[f].ms) best[f] = r;
  }
  for (const f of FORMATS) cliBest[f] = Math.min(cliBest[f] ?? Infinity, cli(f, fd));
}
closeSync(fd);

const none = best.none.ms;
for (const f of FORMATS) {
  const r = best[f];
  if (f === 'none') {
    console.log(`output.none: the simulation alone, ${fmt(REQUESTS)} requests: ${fmt(r.ms)} ms`);
    continue;
  }
  const printing = r.ms - none;
  console.log(
    `output.${f}: ${fmt(r.lines)} lines (${fmt(r.bytes / 2 ** 20, 1)} MiB) in ${fmt(r.ms)} ms = ${fmt(r.ms / none, 2)}× no output;` +
      ` printing ${fmt(printing)} ms = ${fmt(r.lines / (printing / 1000) / 1e6, 2)} M lines/s (${fmt((printing * 1e6) / r.lines)} ns a line)`,
  );
}
console.log(
  `output.cli (node dist/cli.js simulate, best of ${ROUNDS}): ` +
    FORMATS.map(
      (f) => `${f} ${fmt(cliBest[f])} ms${f === 'none' ? '' : ` (${fmt(cliBest[f] / cliBest.none, 2)}×)`}`,
    ).join(', ') +
    '; target for jsonl and qemu-trace ≤ 2×',
);
