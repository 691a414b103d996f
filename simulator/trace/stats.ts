// Where the time went, btt-style: per request the time from the kick to the pop, from the pop
// to the backend submit, in the backend, and from the re-entry to the interrupt decision; each
// with count and percentiles per operation and for all; the slowest requests, merges,
// interrupts per completion, requests in flight over time, and what the log got wrong.

import { F64List } from '../timeline/columns';

export const STAGES = ['kick_to_pop', 'pop_to_submit', 'backend', 'reenter_to_notify', 'total'] as const;
export type StageName = (typeof STAGES)[number];
export const OPS = ['read', 'write', 'flush', 'other'] as const;
export type Op = (typeof OPS)[number];

export interface StageFigures {
  count: number;
  p50_us: number | null;
  p90_us: number | null;
  p99_us: number | null;
  max_us: number | null;
}

/** A rebuilt request as the statistics see it. */
export interface RequestTimes {
  id: number;
  op: Op;
  sector: number;
  bytes: number;
  thread: string;
  merged: number;
  status: number;
  /** Stage durations in ns (NaN when a stage's ends were not both traced). */
  split: Float64Array;
}

/** Nearest-rank percentile (the value below which p of the samples fall), of sorted values. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function figures(col: F64List): StageFigures {
  if (col.length === 0) return { count: 0, p50_us: null, p90_us: null, p99_us: null, max_us: null };
  const v = col.data.slice(0, col.length).sort();
  const us = (ns: number): number => Math.round(ns) / 1000;
  return {
    count: v.length,
    p50_us: us(nearestRank(v, 0.5)),
    p90_us: us(nearestRank(v, 0.9)),
    p99_us: us(nearestRank(v, 0.99)),
    max_us: us(v[v.length - 1]),
  };
}

/** Requests in flight over time: a bounded number of bins whose width doubles as the run grows. */
class InFlight {
  binNs = 1e6;
  readonly maxBins = 256;
  max: number[] = [];
  /** Time-weighted sum (ns × requests) per bin. */
  area: number[] = [];
  current = 0;
  peak = 0;
  private lastNs = 0;

  change(t: number, delta: number): void {
    if (t < this.lastNs) t = this.lastNs; // clocks of different threads may step back a little
    this.advance(t);
    this.current += delta;
    if (this.current > this.peak) this.peak = this.current;
    const b = Math.floor(t / this.binNs);
    if (this.current > this.max[b]) this.max[b] = this.current;
  }

  private advance(t: number): void {
    while (Math.floor(t / this.binNs) >= this.maxBins) this.coarsen();
    let b = Math.floor(this.lastNs / this.binNs);
    const last = Math.floor(t / this.binNs);
    while (this.max.length <= last) {
      this.max.push(this.current);
      this.area.push(0);
    }
    let from = this.lastNs;
    while (b <= last) {
      const to = Math.min(t, (b + 1) * this.binNs);
      this.area[b] += (to - from) * this.current;
      if (this.current > this.max[b]) this.max[b] = this.current;
      from = to;
      b++;
    }
    this.lastNs = t;
  }

  private coarsen(): void {
    const max: number[] = [];
    const area: number[] = [];
    for (let i = 0; i < this.max.length; i += 2) {
      max.push(Math.max(this.max[i], this.max[i + 1] ?? 0));
      area.push(this.area[i] + (this.area[i + 1] ?? 0));
    }
    this.max = max;
    this.area = area;
    this.binNs *= 2;
  }

  bins(): { start_us: number; max: number; mean: number }[] {
    return this.max.map((m, i) => ({
      start_us: (i * this.binNs) / 1000,
      max: m,
      mean: Math.round((this.area[i] / this.binNs) * 100) / 100,
    }));
  }
}

export interface LineNote {
  line: number;
  text: string;
}

const KEEP_NOTES = 5;

export class TraceStats {
  private readonly cols: F64List[][] = OPS.map(() => STAGES.map(() => new F64List()));
  readonly slowest: RequestTimes[] = [];
  requests = 0;
  completed = 0;
  errors = 0;
  readonly byOp: Record<Op, number> = { read: 0, write: 0, flush: 0, other: 0 };
  merges = { batches: 0, requests: 0, largest: 0 };
  interrupts = { events: 0, raised: 0, suppressed: 0, withoutRequest: 0 };
  readonly inFlight = new InFlight();
  lines = { total: 0, trace: 0, syscall: 0, other: 0, blank: 0 };
  malformed = { count: 0, first: [] as LineNote[] };
  backwards = { count: 0, sameThread: 0, first: [] as LineNote[] };
  negativeDurations = 0;
  /** Completions of requests the log never showed start (it begins mid-flight). */
  completedNeverStarted = 0;
  /** Requests still in flight at the end (it ends mid-flight), filled in at the end. */
  neverCompleted: { id: number; op: Op; sector: number; stage: string }[] = [];
  syscalls = { placed: 0, poolJobsMatched: 0, skipped: 0 };
  readonly unknownEvents = new Map<string, number>();

  add(r: RequestTimes): void {
    this.completed++;
    if (r.status !== 0) this.errors++;
    const byOp = this.cols[OPS.indexOf(r.op)];
    for (let s = 0; s < STAGES.length; s++) {
      const v = r.split[s];
      if (Number.isNaN(v)) continue;
      if (v < 0) {
        this.negativeDurations++;
        continue;
      }
      byOp[s].push(v);
    }
    const total = r.split[STAGES.length - 1];
    if (!Number.isNaN(total)) this.keepSlowest(r);
  }

  private keepSlowest(r: RequestTimes): void {
    const total = (x: RequestTimes): number => x.split[STAGES.length - 1];
    if (this.slowest.length === 10 && total(r) <= total(this.slowest[9])) return;
    this.slowest.push({ ...r, split: r.split.slice() });
    this.slowest.sort((a, b) => total(b) - total(a));
    if (this.slowest.length > 10) this.slowest.pop();
  }

  noteMalformed(line: number, text: string): void {
    this.malformed.count++;
    if (this.malformed.first.length < KEEP_NOTES) this.malformed.first.push({ line, text: text.slice(0, 160) });
  }

  noteBackwards(line: number, text: string, sameThread: boolean): void {
    this.backwards.count++;
    if (sameThread) this.backwards.sameThread++;
    if (this.backwards.first.length < KEEP_NOTES) this.backwards.first.push({ line, text: text.slice(0, 160) });
  }

  noteUnknown(name: string): void {
    this.unknownEvents.set(name, (this.unknownEvents.get(name) ?? 0) + 1);
  }

  /** Figures of one stage over some operations. */
  stage(stage: StageName, ops: readonly Op[]): StageFigures {
    const s = STAGES.indexOf(stage);
    const merged = new F64List();
    for (const op of ops) {
      const c = this.cols[OPS.indexOf(op)][s];
      for (let i = 0; i < c.length; i++) merged.push(c.data[i]);
    }
    return figures(merged);
  }
}
