// Every guest request of a run with its stage times, kept flat (≈ 42 bytes a request, in
// columns that grow by chunks) so a million fit: when the guest queued it and, once it completed, how long each of its five
// stages took (guest/driver.ts STAGE_NAMES). Completions arrive in time order, so the
// completion list is sorted by completion time and a range is found by bisection.

import { Histogram, newHistogram, percentile, record } from '../guest/latency';
import { STAGE_NAMES } from '../guest/driver';
import { IoOp } from '../backends/device';
import { vreq } from '../virtio/virtio-blk';
import type { Machine } from '../engine/machine';
import { BinGrid } from './bins';
import { Column } from './columns';

export const STAGES = STAGE_NAMES;
const S = STAGES.length;

/** One request as a timeline shows it; `marks` are the six stage boundaries (ns, -1 unknown). */
export interface RequestSpan {
  id: number;
  op: 'read' | 'write' | 'flush' | 'other';
  failed: boolean;
  /** queued, popped, backend submit, backend done, used ring, guest saw it; -1 when not reached (in flight). */
  marks: number[];
  /** Row to draw it on: requests overlapping in time get different rows. */
  row: number;
}

export interface LatencySplit {
  requests: number;
  stages: { name: string; p50: number; p99: number; mean: number; count: number }[];
  total: { p50: number; p99: number; mean: number; max: number };
  /** Histogram of total latencies: log-spaced bucket edges (ns) and counts. */
  histogram: { edges: number[]; counts: number[] };
}

const OPS: Record<number, RequestSpan['op']> = { [IoOp.read]: 'read', [IoOp.write]: 'write', [IoOp.flush]: 'flush' };
const OP_CODES: Record<RequestSpan['op'], number> = {
  read: IoOp.read,
  write: IoOp.write,
  flush: IoOp.flush,
  other: 255,
};

/** The time from mark a to mark b, NaN when the request skipped one of them. */
function span(a: number, b: number): number {
  return a >= 0 && b >= 0 ? b - a : NaN;
}

export class RequestTable {
  /** By request id: when it was queued (NaN: never seen). */
  private readonly queued = new Column(Float64Array, 1, NaN);
  /** By id, five a row: each stage's duration (ns), NaN when it had no such stage. */
  private readonly stages = new Column(Float32Array, S);
  private readonly op = new Column(Uint8Array);
  /** By id: 0 in flight (or never seen), 1 completed, 2 completed with an error. */
  private readonly state = new Column(Uint8Array);
  /** Ids in completion order, and their completion times. */
  private readonly doneIds = new Column(Int32Array);
  private readonly doneAt = new Column(Float64Array);
  done = 0;
  /** Queued and not completed. */
  private readonly open = new Set<number>();
  /** Longest total latency so far: bounds how far back a range search must look. */
  private longest = 0;

  onQueued(id: number, t: number): void {
    this.queued.set(id, t);
    this.open.add(id);
  }

  /** Read the request's stage times from the model as it completes. */
  onDone(m: Machine, id: number): void {
    const r = vreq(m, id);
    this.done6(id, OPS[r.op] ?? 'other', r.status !== 0, [
      r.tQueued,
      r.tPop,
      r.tBackend,
      r.tBackendDone,
      r.tUsed,
      r.tDone,
    ]);
  }

  /** A request completed: its six marks (queued, popped, backend submit and done, used ring, seen; -1 unknown). */
  done6(id: number, op: RequestSpan['op'], failed: boolean, marks: readonly number[]): void {
    if (!(this.queued.get(id) >= 0)) this.onQueued(id, marks[0]);
    this.open.delete(id);
    for (let i = 0; i < S; i++) this.stages.set(id, span(marks[i], marks[i + 1]), i);
    this.op.set(id, OP_CODES[op]);
    this.state.set(id, failed ? 2 : 1);
    this.doneIds.set(this.done, id);
    this.doneAt.set(this.done++, marks[S]);
    this.longest = Math.max(this.longest, marks[S] - marks[0]);
  }

  /** The six marks of request `id`; unreached ones -1 (in flight at the end of the recording). */
  marks(id: number): number[] {
    const q = this.queued.get(id);
    const out = [q, -1, -1, -1, -1, -1];
    if (!this.state.get(id)) return out;
    let t = q;
    for (let i = 0; i < S; i++) {
      const d = this.stages.get(id, i);
      if (Number.isNaN(d)) continue;
      t += d;
      out[i + 1] = t;
    }
    return out;
  }

  /** First index in completion order with a completion time ≥ t. */
  private firstDoneAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.done;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.doneAt.get(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Calls `fn` with each completed request overlapping [from, to], in completion order, until it
   * returns true (plain loops: a million requests are walked per whole-run query).
   */
  private eachCompleted(from: number, to: number, fn: (id: number) => boolean | void): void {
    for (let i = this.firstDoneAtOrAfter(from); i < this.done; i++) {
      const id = this.doneIds.get(i);
      if (this.queued.get(id) > to) {
        // completions are in time order: past `to + longest` nothing can start before `to`
        if (this.doneAt.get(i) > to + this.longest) return;
        continue;
      }
      if (fn(id) === true) return;
    }
  }

  /** Requests queued by `to` and not completed (in flight at the end of the recording). */
  private inFlight(to: number): number[] {
    return [...this.open].filter((id) => this.queued.get(id) <= to);
  }

  /** How many requests overlap [from, to], counting no further than `limit` + 1. */
  countIn(from: number, to: number, limit: number): number {
    let n = this.inFlight(to).length;
    this.eachCompleted(from, to, () => ++n > limit);
    return n;
  }

  /** The requests overlapping [from, to] as spans with rows (greedy: the lowest row free at its start). */
  spans(from: number, to: number, end: number): RequestSpan[] {
    const ids: number[] = [];
    this.eachCompleted(from, to, (id) => void ids.push(id));
    ids.push(...this.inFlight(to));
    const spans = ids.map((id) => {
      const marks = this.marks(id);
      return {
        id,
        op: OPS[this.op.get(id)] ?? 'other',
        failed: this.state.get(id) === 2,
        marks,
        row: 0,
        endsAt: marks[S] >= 0 ? marks[S] : end,
      };
    });
    spans.sort((a, b) => a.marks[0] - b.marks[0] || a.id - b.id);
    const rowEnds: number[] = [];
    for (const s of spans) {
      let row = rowEnds.findIndex((e) => e <= s.marks[0]);
      if (row < 0) row = rowEnds.push(0) - 1;
      rowEnds[row] = s.endsAt;
      s.row = row;
    }
    return spans.map(({ endsAt: _, ...s }) => s);
  }

  /**
   * Per bin of `grid`, the average number of requests in each of the five stages, and (sixth)
   * of those queued but not completed by `end`: the time spent in it over the bin's width.
   */
  byStage(grid: BinGrid, end: number): Float64Array[] {
    const occ = Array.from({ length: S + 1 }, () => new Occupancy(grid));
    const st = this.stages;
    this.eachCompleted(grid.origin, grid.end, (id) => {
      // the marks, as marks() adds them up, without an array per request
      let t = this.queued.get(id);
      let known = true;
      for (let i = 0; i < S; i++) {
        const d = st.get(id, i);
        if (Number.isNaN(d)) {
          known = false;
          continue;
        }
        if (known) occ[i].add(t, t + d);
        t += d;
        known = true;
      }
    });
    for (const id of this.inFlight(grid.end)) occ[S].add(this.queued.get(id), end);
    return occ.map((o) => o.averages());
  }

  /** The latency split of the requests completed within [from, to]. */
  latency(from: number, to: number): LatencySplit {
    const hs = STAGES.map(() => newHistogram());
    const total = newHistogram();
    let n = 0;
    for (let i = this.firstDoneAtOrAfter(from); i < this.done && this.doneAt.get(i) <= to; i++) {
      const id = this.doneIds.get(i);
      n++;
      let sum = 0;
      for (let k = 0; k < S; k++) {
        const d = this.stages.get(id, k);
        if (Number.isNaN(d)) continue;
        record(hs[k], d);
        sum += d;
      }
      record(total, sum);
    }
    return {
      requests: n,
      stages: STAGES.map((name, k) => ({
        name,
        p50: percentile(hs[k], 0.5),
        p99: percentile(hs[k], 0.99),
        mean: hs[k].n ? hs[k].sum / hs[k].n : 0,
        count: hs[k].n,
      })),
      total: {
        p50: percentile(total, 0.5),
        p99: percentile(total, 0.99),
        mean: total.n ? total.sum / total.n : 0,
        max: total.max,
      },
      histogram: histogramOf(total),
    };
  }
}

/**
 * How many intervals cover each bin on average, in O(1) per interval: the partial bins at the
 * ends are added directly, the whole bins between them through a difference array.
 */
export class Occupancy {
  private readonly part: Float64Array;
  private readonly diff: Float64Array;

  constructor(private readonly grid: BinGrid) {
    this.part = new Float64Array(grid.size);
    this.diff = new Float64Array(grid.size + 1);
  }

  add(t0: number, t1: number): void {
    const g = this.grid;
    const a = (Math.max(t0, g.origin) - g.origin) / g.width;
    const b = (Math.min(t1, g.end) - g.origin) / g.width;
    if (!(b > a)) return;
    const ia = Math.floor(a);
    const ib = Math.min(g.size - 1, Math.floor(b));
    if (ia === ib) {
      this.part[ia] += b - a;
      return;
    }
    this.part[ia] += ia + 1 - a;
    this.part[ib] += b - ib;
    this.diff[ia + 1] += 1;
    this.diff[ib] -= 1;
  }

  averages(): Float64Array {
    const out = new Float64Array(this.grid.size);
    let whole = 0;
    for (let i = 0; i < out.length; i++) {
      whole += this.diff[i];
      out[i] = whole + this.part[i];
    }
    return out;
  }
}

/** The non-empty span of a latency histogram, merged 4 buckets at a time (≈ 19 % wide bars). */
function histogramOf(h: Histogram): { edges: number[]; counts: number[] } {
  const edges: number[] = [];
  const counts: number[] = [];
  if (h.n === 0) return { edges, counts };
  const SUB = 16;
  const MERGE = 4;
  let first = -1;
  let last = -1;
  for (let b = 0; b < h.counts.length; b++) {
    if (h.counts[b] === 0) continue;
    if (first < 0) first = b;
    last = b;
  }
  first -= first % MERGE;
  for (let b = first; b <= last; b += MERGE) {
    let c = 0;
    for (let k = 0; k < MERGE && b + k < h.counts.length; k++) c += h.counts[b + k];
    edges.push(Math.round(2 ** (b / SUB)));
    counts.push(c);
  }
  edges.push(Math.round(2 ** ((last - (last % MERGE) + MERGE) / SUB)));
  return { edges, counts };
}
