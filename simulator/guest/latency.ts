// Latency accounting with flat memory: a log-scale histogram (16 buckets per power of two,
// ≈ 4 % resolution) plus per-stage sums, whatever the number of requests.

const SUB = 16;
const BUCKETS = 64 * SUB;

export interface Histogram {
  counts: Float64Array;
  n: number;
  sum: number;
  min: number;
  max: number;
}

export function newHistogram(): Histogram {
  return { counts: new Float64Array(BUCKETS), n: 0, sum: 0, min: Infinity, max: 0 };
}

export function record(h: Histogram, ns: number): void {
  const v = Math.max(1, ns);
  const b = Math.min(BUCKETS - 1, Math.floor(Math.log2(v) * SUB));
  h.counts[b]++;
  h.n++;
  h.sum += ns;
  if (ns < h.min) h.min = ns;
  if (ns > h.max) h.max = ns;
}

/** The value below which a fraction `p` of the samples fall (bucket upper bound, clamped to max). */
export function percentile(h: Histogram, p: number): number {
  if (h.n === 0) return 0;
  const target = p * h.n;
  let acc = 0;
  for (let b = 0; b < BUCKETS; b++) {
    acc += h.counts[b];
    if (acc >= target) return Math.min(h.max, Math.max(h.min, 2 ** ((b + 1) / SUB)));
  }
  return h.max;
}

export function mean(h: Histogram): number {
  return h.n === 0 ? 0 : h.sum / h.n;
}
