// The guest's workload: which request comes next (direction, offset, size) and when the guest
// may queue it. Two kinds: fio-like (rw, bs, iodepth, ..., deterministic for the run's seed)
// and the replay of a real trace's requests, kick by kick (Workload.fromTrace).

import { IoOp } from '../backends/device';
import { TraceWorkload, Workload } from '../config/scenario';
import { RngState, nextFloat, nextInt } from '../engine/rng';

export interface WorkloadState {
  wl: Workload;
  /** Region start and length (bytes) the workload touches. */
  regionStart: number;
  regionBytes: number;
  /** Next offset of a sequential workload, relative to the region. */
  seqOffset: number;
  writesSinceFlush: number;
  issued: number;
  flushesIssued: number;
  /** No new request before this time (fio's thinktime; a trace's gap between two kicks). */
  thinkUntil: number;
  /** A trace replay: the next kick, and how many of its requests are queued already. */
  kick: number;
  inKick: number;
}

export interface NextRequest {
  op: number;
  sector: number;
  bytes: number;
}

/** How far the guest and the device are: what a workload's pacing may depend on. */
export interface Progress {
  now: number;
  inflight: number;
  /** Requests the guest has reaped (flushes included). */
  reaped: number;
  /** Free entries in the ring. */
  room: number;
}

export function initWorkload(wl: Workload, diskBytes: number): WorkloadState {
  const regionStart = wl.offset;
  const regionBytes = wl.size > 0 ? wl.size : diskBytes - wl.offset;
  return {
    wl,
    regionStart,
    regionBytes,
    seqOffset: 0,
    writesSinceFlush: 0,
    issued: 0,
    flushesIssued: 0,
    thinkUntil: 0,
    kick: 0,
    inKick: 0,
  };
}

function flushDue(s: WorkloadState): boolean {
  return s.wl.flushEvery > 0 && s.writesSinceFlush >= s.wl.flushEvery;
}

/** May the guest queue a request now? (Within a trace's kick: always, the kick's requests go together.) */
export function mayIssue(s: WorkloadState, p: Progress): boolean {
  const trace = s.wl.fromTrace;
  if (trace) {
    if (s.inKick > 0) return true;
    const k = trace.kicks[s.kick];
    return k !== undefined && p.now >= s.thinkUntil && p.reaped >= k.after && p.room >= k.requests.length;
  }
  const wl = s.wl;
  if (p.inflight >= wl.iodepth || p.now < s.thinkUntil) return false;
  // fio's fsync=N also follows the last N writes
  if (flushDue(s)) return true;
  if (s.issued >= wl.requests) return false;
  if (wl.runtimeNs > 0 && p.now >= wl.runtimeNs) return false;
  return true;
}

/** Requests the guest queues before it checks whether to ring the doorbell. */
export function batchSize(s: WorkloadState): number {
  const trace = s.wl.fromTrace;
  return trace ? (trace.kicks[s.kick]?.requests.length ?? 0) : s.wl.batch;
}

/** Nothing more will be issued and nothing is in flight. */
export function finished(s: WorkloadState, p: Progress): boolean {
  const trace = s.wl.fromTrace;
  if (trace) return s.kick >= trace.kicks.length && p.inflight === 0;
  const stopped = s.issued >= s.wl.requests || (s.wl.runtimeNs > 0 && p.now >= s.wl.runtimeNs);
  return stopped && !flushDue(s) && p.inflight === 0;
}

/** When the guest, idle only because of a pause, should look again (-1: it waits for an interrupt). */
export function resumeAt(s: WorkloadState, p: Progress): number {
  if (s.thinkUntil <= p.now) return -1;
  const trace = s.wl.fromTrace;
  if (trace) {
    const k = trace.kicks[s.kick];
    return k !== undefined && p.reaped >= k.after ? s.thinkUntil : -1;
  }
  return p.inflight < s.wl.iodepth ? s.thinkUntil : -1;
}

/** The next request; fio-like: flushes (fsync=N) come after every N writes. */
export function nextRequest(s: WorkloadState, rng: RngState, now: number): NextRequest {
  if (s.wl.fromTrace) return nextTraced(s, s.wl.fromTrace, now);
  const wl = s.wl;
  if (flushDue(s)) {
    s.writesSinceFlush = 0;
    s.flushesIssued++;
    return { op: IoOp.flush, sector: 0, bytes: 0 };
  }
  let op: number;
  switch (wl.rw) {
    case 'read':
    case 'randread':
      op = IoOp.read;
      break;
    case 'write':
    case 'randwrite':
      op = IoOp.write;
      break;
    default:
      op = nextFloat(rng) * 100 < wl.rwmixread ? IoOp.read : IoOp.write;
  }
  const blocks = Math.max(1, Math.floor(s.regionBytes / wl.bs));
  let rel: number;
  if (wl.rw.startsWith('rand')) {
    rel = nextInt(rng, blocks) * wl.bs;
  } else {
    rel = s.seqOffset;
    s.seqOffset = (s.seqOffset + wl.bs) % (blocks * wl.bs);
  }
  s.issued++;
  if (op === IoOp.write) s.writesSinceFlush++;
  if (wl.thinktimeNs > 0 && s.issued % wl.thinktimeBlocks === 0) s.thinkUntil = now + wl.thinktimeNs;
  return { op, sector: (s.regionStart + rel) / 512, bytes: wl.bs };
}

/** A trace's next request; the first of a kick also starts the log's gap to the kick after it. */
function nextTraced(s: WorkloadState, trace: TraceWorkload, now: number): NextRequest {
  const kick = trace.kicks[s.kick];
  const r = kick.requests[s.inKick++];
  if (s.inKick === 1 && s.kick + 1 < trace.kicks.length) s.thinkUntil = now + trace.kicks[s.kick + 1].gapNs;
  if (s.inKick === kick.requests.length) {
    s.kick++;
    s.inKick = 0;
  }
  s.issued++;
  if (r.op === 'flush') s.flushesIssued++;
  return { op: IoOp[r.op], sector: r.sector, bytes: r.bytes };
}
