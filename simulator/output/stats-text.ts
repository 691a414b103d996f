// --stats: the run's figures as a readable table.

import { SimStats } from '../stats';

const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;

export function statsText(s: SimStats): string {
  const lines = [
    `simulated time      ${us(s.simulatedNs)}   stage events ${s.events}`,
    `requests            ${s.requests.completed} completed, ${s.requests.flushes} flushes, ${s.requests.errors} with errors, ${s.requests.outstanding} outstanding${s.requests.parked || s.requests.unseen ? ` (${s.requests.parked} parked by werror/rerror=stop, ${s.requests.unseen} answered but not yet seen by the guest)` : ''}`,
    `throughput          ${Math.round(s.iops)} IOPS, ${s.bandwidthMBps.toFixed(1)} MB/s`,
    `latency (guest)     mean ${us(s.latencyNs.mean)}, p50 ${us(s.latencyNs.p50)}, p99 ${us(s.latencyNs.p99)}, max ${us(s.latencyNs.max)}`,
    'per-stage breakdown (mean):',
    ...s.stages.map((st) => `  ${st.name.padEnd(28)} ${us(st.meanNs).padStart(12)}  (${st.count} requests)`),
    `interrupts          ${s.interrupts.raised} raised for ${s.requests.completed + s.requests.flushes} completions (${s.interrupts.suppressed} suppressed by EVENT_IDX), ${s.interrupts.handledByGuest} handled`,
    `doorbells           ${s.kicks.doorbells} guest kicks`,
    `merging             ${s.merging.requestsMerged} requests merged; ${s.merging.blkRequests} block-layer requests`,
    `queue depths        device avg ${s.queueDepth.deviceAvg.toFixed(2)} (max ${s.queueDepth.deviceMax}), Linux AIO max in flight ${s.queueDepth.laioMaxInFlight}, thread-pool max queued ${s.queueDepth.poolMaxQueued}`,
    `thread pool         ${s.threadPool.workersSpawned} workers spawned, ${s.threadPool.workersExited} exited, ${s.threadPool.workersAlive} alive`,
    `coroutines          ${s.coroutines.created} created (qemu_coroutine_new), ${s.coroutines.reusedFromPool} from the pool`,
    `event loops         main loop ${s.loops.mainIterations} iterations${s.loops.iothreadIterations ? `, iothread ${s.loops.iothreadIterations} (${s.loops.iothreadPollHits} found work by polling)` : ''}`,
  ];
  if (s.vm.stops)
    lines.push(`VM                  stopped ${s.vm.stops} time(s), resumed ${s.vm.resumes}; now ${s.vm.state}`);
  return lines.join('\n');
}
