// Simulator speed and memory: 4 KiB randread at QD32, both aio modes, 200k and 1M requests,
// no listener attached (what `--format none` and the adapter's long continues do). Each
// configuration runs in a fresh process so its peak RSS is its own; the heap is measured
// after a GC at each quarter of the run to show memory stays flat.

import { spawnSync } from 'node:child_process';
import { buildScenario } from '../simulator/config/build';
import { StopReason } from '../simulator/engine/types';
import { Simulator } from '../simulator/simulator';

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

function measure(aio: 'threads' | 'native', requests: number): void {
  const { scenario } = buildScenario({
    aio,
    cache: aio === 'native' ? 'none' : 'writeback',
    workload: { rw: 'randread', bs: 4096, iodepth: 32, requests },
  });
  const sim = new Simulator(scenario);
  const heaps: number[] = [];
  let peak = process.memoryUsage().rss;
  let busy = 0;
  let quarter = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    const reason = sim.run(1_000_000);
    busy += Number(process.hrtime.bigint() - t0) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    const done = reason === StopReason.done || reason === StopReason.idle;
    if (done || sim.m.s.w.guest.stats.completed >= (requests * quarter) / 4) {
      gc();
      heaps.push(process.memoryUsage().heapUsed / 2 ** 20);
      quarter++;
    }
    if (done) break;
  }
  const st = sim.stats();
  if (st.requests.completed !== requests || st.requests.duplicates !== 0)
    throw new Error(`bad run: ${JSON.stringify(st.requests)}`);
  console.log(
    `sim.${aio}.${requests / 1000}k: ${fmt(st.events)} stage events (${fmt(st.events / requests, 1)} per request) in ${fmt(busy, 2)} s` +
      ` = ${fmt(st.events / busy / 1e6, 2)} M stage events/s, ${fmt(requests / busy)} requests/s` +
      ` (simulated device: ${fmt(st.iops)} IOPS, ${fmt(st.simulatedNs / 1e9, 2)} s simulated: ${fmt(st.simulatedNs / 1e9 / busy, 2)}× real time)`,
  );
  console.log(
    `sim.${aio}.${requests / 1000}k: peak RSS ${fmt(peak / 2 ** 20, 1)} MiB; heap after GC at each quarter ${heaps
      .slice(0, 4)
      .map((h) => fmt(h, 1))
      .join(' / ')} MiB`,
  );
}

const [aio, n] = process.argv.slice(2);
if (aio) {
  measure(aio as 'threads' | 'native', Number(n));
} else {
  for (const a of ['threads', 'native']) {
    for (const reqs of [200_000, 1_000_000]) {
      const r = spawnSync(process.execPath, ['--expose-gc', __filename, a, String(reqs)], { stdio: 'inherit' });
      if (r.status !== 0) process.exitCode = 1;
    }
  }
}
