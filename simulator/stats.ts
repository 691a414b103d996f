// What a run measured: throughput, latency (with a per-stage breakdown), queue depths,
// interrupts, kicks, merges, and the bookkeeping that proves every request completed once.

import { Scenario } from './config/scenario';
import { Machine } from './engine/machine';
import { vmRunning } from './loop/runstate';
import { mean, percentile } from './guest/latency';
import { STAGE_NAMES } from './guest/driver';
import { parkedRequests, ReqState } from './virtio/virtio-blk';

export interface SimStats {
  simulatedNs: number;
  events: number;
  requests: {
    issued: number;
    completed: number;
    flushes: number;
    errors: number;
    duplicates: number;
    /** Issued and not completed to the guest: parked + unseen + those still on their way. */
    outstanding: number;
    /** Parked now by werror/rerror=stop (on s->rq, waiting for the VM to resume). */
    parked: number;
    /** Answered by QEMU (in the used ring) but not yet seen by the guest. */
    unseen: number;
  };
  iops: number;
  bandwidthMBps: number;
  latencyNs: { mean: number; p50: number; p99: number; min: number; max: number };
  stages: { name: string; meanNs: number; count: number }[];
  interrupts: { raised: number; suppressed: number; handledByGuest: number };
  kicks: { doorbells: number; handledByQemu: number };
  merging: { blkRequests: number; requestsMerged: number };
  queueDepth: { deviceAvg: number; deviceMax: number; laioMaxInFlight: number; poolMaxQueued: number };
  threadPool: { workersSpawned: number; workersExited: number; workersAlive: number };
  coroutines: { created: number; reusedFromPool: number };
  loops: { mainIterations: number; iothreadIterations: number; iothreadPollHits: number };
  vm: { stops: number; resumes: number; state: string };
}

export function collectStats(m: Machine, sc: Scenario): SimStats {
  const w = m.s.w;
  const g = w.guest;
  const st = g.stats;
  const now = m.s.now;
  const span = Math.max(1, (st.lastComplete || now) - Math.max(0, st.firstSubmit));
  const vq = w.virtio.vqs[w.vblk.vq];
  const dev = w.dev;
  const devDepth = dev.depthArea + dev.busy * (now - dev.depthSince);
  const ctxs = w.aio.contexts;
  return {
    simulatedNs: now,
    events: m.s.events,
    requests: {
      issued: g.work.issued,
      completed: st.completed,
      flushes: st.flushesCompleted,
      errors: st.errors,
      duplicates: st.duplicates,
      outstanding: g.inflight,
      parked: parkedRequests(w).length,
      unseen: [...w.vblk.reqs.values()].filter((r) => r.state === ReqState.used).length,
    },
    iops: (st.completed / span) * 1e9,
    bandwidthMBps: ((st.bytes / span) * 1e9) / 1e6,
    latencyNs: {
      mean: mean(st.latency),
      p50: percentile(st.latency, 0.5),
      p99: percentile(st.latency, 0.99),
      min: st.latency.n ? st.latency.min : 0,
      max: st.latency.max,
    },
    stages: STAGE_NAMES.map((name, i) => ({
      name,
      meanNs: st.stageCount[i] ? st.stageSum[i] / st.stageCount[i] : 0,
      count: st.stageCount[i],
    })),
    interrupts: { raised: vq.interrupts, suppressed: vq.suppressedInterrupts, handledByGuest: st.interruptsHandled },
    kicks: { doorbells: st.doorbells, handledByQemu: vq.kicks },
    merging: { blkRequests: w.vblk.blkRequests, requestsMerged: w.vblk.merged },
    queueDepth: {
      deviceAvg: now > 0 ? devDepth / now : 0,
      deviceMax: dev.maxDepth,
      laioMaxInFlight: Math.max(0, ...w.laio.states.map((s) => s.maxInFlight)),
      poolMaxQueued: Math.max(0, ...w.pool.pools.map((p) => p.maxQueued)),
    },
    threadPool: {
      workersSpawned: w.pool.pools.reduce((n, p) => n + p.spawned, 0),
      workersExited: w.pool.pools.reduce((n, p) => n + p.exited, 0),
      workersAlive: w.pool.pools.reduce((n, p) => n + p.workers.length, 0),
    },
    coroutines: { created: w.co.newCount, reusedFromPool: w.co.reuseCount },
    loops: {
      mainIterations: ctxs[0].iterations,
      iothreadIterations: sc.iothread ? ctxs[1].iterations : 0,
      iothreadPollHits: sc.iothread ? ctxs[1].pollHits : 0,
    },
    vm: {
      stops: w.runstate.stops,
      resumes: w.runstate.resumes,
      state: vmRunning(w) ? 'running' : 'stopped (io-error)',
    },
  };
}

/**
 * Why requests are left over when the run settled with the VM running, if the model can tell:
 * requests in the avail ring that nobody will look at.
 */
export function stallNote(m: Machine): string | null {
  const w = m.s.w;
  if (!vmRunning(w)) return null;
  const vq = w.virtio.vqs[w.vblk.vq];
  const waiting = vq.avail.length;
  if (waiting === 0) return null;
  if (!w.virtio.eventIdx && vq.noNotifyFlag) {
    return (
      `${waiting} request(s) sit in the avail ring unseen: VRING_USED_F_NO_NOTIFY is still set, so the guest does not kick. ` +
      "QEMU 4.1.0's virtio_queue_host_notifier_aio_poll clears notifications after each batch it handles (also in the " +
      'one poll round aio_poll makes when it is not busy-polling), and only poll_end sets them again, which runs when ' +
      'busy-polling stops, never when it did not start (poll-max-ns=0, or after a long sleep). ' +
      'With event_idx=on (the default) clearing them has no effect, so this cannot happen.'
    );
  }
  return `${waiting} request(s) sit in the avail ring, but no thread is left to notice them`;
}

/** What the requests not completed are, in one phrase: `8 request(s) not completed: 1 parked ..., 7 answered ...`. */
export function outstandingText(st: SimStats): string {
  const r = st.requests;
  const parts = [];
  if (r.parked) parts.push(`${r.parked} parked by werror/rerror=stop`);
  if (r.unseen)
    parts.push(
      `${r.unseen} answered by QEMU but not yet seen by the guest${st.vm.state === 'running' ? '' : ' (its vCPU is paused while the VM is stopped)'}`,
    );
  const rest = r.outstanding - r.parked - r.unseen;
  if (rest > 0 && parts.length) parts.push(`${rest} still on their way`);
  return `${r.outstanding} request(s) not completed${parts.length ? `: ${parts.join(', ')}` : ''} (VM ${st.vm.state})`;
}
