// The requests a recording has seen complete, in completion order, flat (≈ 29 bytes each, in columns that grow by chunks): their
// operation, status, the five-stage split of `trace --stats` and the event at which each was
// decided. A view standing anywhere in the log asks for the figures of what completed before it,
// so stepping back shows the statistics of that moment.

import { nearestRank, OPS, Op, StageFigures, STAGES } from '../trace/stats';
import type { RequestRecord } from '../trace/rebuild';
import { Column } from '../timeline/columns';

const S = STAGES.length;

export interface FiguresSoFar {
  completed: number;
  errors: number;
  by_op: Record<Op, number>;
  /** Per stage, over every completed request (µs, nearest-rank percentiles). */
  split: Record<(typeof STAGES)[number], StageFigures>;
}

export class RequestLog {
  count = 0;
  private readonly seq = new Column(Float64Array);
  /** The op's index in OPS, times two, plus one when it failed. */
  private readonly kind = new Column(Uint8Array);
  /** ns per stage; float32 keeps µs figures exact to well past a second. */
  private readonly split = new Column(Float32Array, S);

  /** Request `r` was decided (its interrupt raised or suppressed) at event `seq`. */
  add(r: RequestRecord, seq: number): void {
    const i = this.count++;
    this.seq.set(i, seq);
    this.kind.set(i, OPS.indexOf(r.op) * 2 + (r.status !== 0 ? 1 : 0));
    for (let s = 0; s < S; s++) this.split.set(i, r.split[s], s);
  }

  /** How many were decided at or before event `seq`. */
  countAt(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seq.get(mid) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forget what was decided after event `seq` (a followed log truncated back, or a re-read). */
  truncate(seq: number): void {
    this.count = this.countAt(seq);
  }

  /** The figures of the requests decided at or before event `seq`. */
  figuresAt(seq: number): FiguresSoFar {
    const n = this.countAt(seq);
    const byOp = { read: 0, write: 0, flush: 0, other: 0 } as Record<Op, number>;
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const k = this.kind.get(i);
      byOp[OPS[k >> 1]]++;
      errors += k & 1;
    }
    const split = {} as FiguresSoFar['split'];
    // one typed column reused for every stage, sorted natively: at the end of a 1 GiB log a
    // number[] per stage sorted with a comparator took ~100 MB and seconds
    const v = new Float32Array(n);
    STAGES.forEach((name, s) => {
      let k = 0;
      for (let i = 0; i < n; i++) {
        const x = this.split.get(i, s);
        if (x >= 0) v[k++] = x;
      }
      const col = v.subarray(0, k).sort();
      const us = (ns: number): number => Math.round(ns) / 1000;
      split[name] = k
        ? {
            count: k,
            p50_us: us(nearestRank(col, 0.5)),
            p90_us: us(nearestRank(col, 0.9)),
            p99_us: us(nearestRank(col, 0.99)),
            max_us: us(col[k - 1]),
          }
        : { count: 0, p50_us: null, p90_us: null, p99_us: null, max_us: null };
    });
    return { completed: n, errors, by_op: byOp, split };
  }
}

/** The figures as a few lines of text (the Debug Console at the end of a replay). */
export function figuresText(f: FiguresSoFar): string[] {
  const cell = (v: number | null): string => (v === null ? '–' : String(v));
  const lines = [
    `${f.completed} request(s) completed (${
      OPS.filter((o) => f.by_op[o])
        .map((o) => `${f.by_op[o]} ${o}`)
        .join(', ') || 'none'
    }), ${f.errors} failed`,
    `stage              count    p50 µs    p90 µs    p99 µs    max µs`,
  ];
  for (const s of STAGES) {
    const x = f.split[s];
    lines.push(
      `${s.padEnd(18)} ${String(x.count).padStart(5)} ${cell(x.p50_us).padStart(9)} ${cell(x.p90_us).padStart(9)} ${cell(x.p99_us).padStart(9)} ${cell(x.max_us).padStart(9)}`,
    );
  }
  return lines;
}
