// The guest's workload, fio-like: which request comes next (direction, offset, size),
// deterministic for the run's seed.

import { IoOp } from '../backends/device';
import { Workload } from '../config/scenario';
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
}

export interface NextRequest {
  op: number;
  sector: number;
  bytes: number;
}

export function initWorkload(wl: Workload, diskBytes: number): WorkloadState {
  const regionStart = wl.offset;
  const regionBytes = wl.size > 0 ? wl.size : diskBytes - wl.offset;
  return { wl, regionStart, regionBytes, seqOffset: 0, writesSinceFlush: 0, issued: 0, flushesIssued: 0 };
}

export function flushDue(s: WorkloadState): boolean {
  return s.wl.flushEvery > 0 && s.writesSinceFlush >= s.wl.flushEvery;
}

/** The next request of the workload; flushes (fsync=N) come after every N writes. */
export function nextRequest(s: WorkloadState, rng: RngState): NextRequest {
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
  return { op, sector: (s.regionStart + rel) / 512, bytes: wl.bs };
}
