// Simulated time cut into equal bins, and series of sums over them. A recording grid starts fine
// and doubles its bin width when the run outgrows it (pairs of bins are added up), so a run of
// any length is summarised in a fixed amount of memory; a query grid is fixed to the range asked
// for. Series are flat typed arrays with `stride` values per bin.

export type Series = Float32Array | Float64Array;

export class BinGrid {
  constructor(
    /** Start of bin 0 (ns). */
    public origin: number,
    /** Bin width (ns). */
    public width: number,
    /** Number of bins. */
    readonly size: number,
    /** Whether the width may double to make room (recording) or stays (a query's range). */
    readonly adaptive: boolean,
  ) {}

  /** The end of the last bin (ns). */
  get end(): number {
    return this.origin + this.width * this.size;
  }

  /** How many times the width must double so that time `t` falls inside the grid. */
  doublingsFor(t: number): number {
    if (!this.adaptive) return 0;
    let n = 0;
    for (let end = this.end; t >= end; end = this.origin + this.width * 2 ** ++n * this.size);
    return n;
  }
}

/** Adds up pairs of bins into the first half of the series (the grid's width doubles). */
export function foldPairs(a: Series, stride: number): void {
  const bins = a.length / stride;
  for (let i = 0; i < bins / 2; i++) {
    for (let k = 0; k < stride; k++) a[i * stride + k] = a[2 * i * stride + k] + a[(2 * i + 1) * stride + k];
  }
  a.fill(0, (bins / 2) * stride);
}

/** Adds `amount` to the bin holding time `t` (ignored outside the grid). */
export function addAt(a: Series, stride: number, k: number, g: BinGrid, t: number, amount: number): void {
  const i = Math.floor((t - g.origin) / g.width);
  if (i >= 0 && i < g.size) a[i * stride + k] += amount;
}

/**
 * Adds `weight` × the time each bin shares with [t0, t1): busy time (weight 1), or the area
 * under a level (weight = the level). The part outside the grid is dropped.
 */
export function addSpan(a: Series, stride: number, k: number, g: BinGrid, t0: number, t1: number, weight = 1): void {
  const lo = Math.max(t0, g.origin);
  const hi = Math.min(t1, g.end);
  if (!(hi > lo) || weight === 0) return;
  const w = g.width;
  let i = Math.floor((lo - g.origin) / w);
  const j = Math.min(g.size - 1, Math.floor((hi - g.origin) / w));
  if (i === j) {
    a[i * stride + k] += (hi - lo) * weight;
    return;
  }
  a[i * stride + k] += (g.origin + (i + 1) * w - lo) * weight;
  for (i++; i < j; i++) a[i * stride + k] += w * weight;
  a[j * stride + k] += (hi - (g.origin + j * w)) * weight;
}

/**
 * Re-bins column `k` of a series over [from, to) into `n` equal bins, sharing each source bin
 * among the output bins in proportion to their overlap (sums are kept).
 */
export function resample(
  a: Series,
  stride: number,
  k: number,
  g: BinGrid,
  from: number,
  to: number,
  n: number,
): Float64Array {
  const out = new Float64Array(n);
  // prefix sums at the source bins' edges, linear inside a bin
  const prefix = new Float64Array(g.size + 1);
  for (let i = 0; i < g.size; i++) prefix[i + 1] = prefix[i] + a[i * stride + k];
  const at = (t: number): number => {
    const x = (t - g.origin) / g.width;
    if (x <= 0) return 0;
    if (x >= g.size) return prefix[g.size];
    const i = Math.floor(x);
    return prefix[i] + (prefix[i + 1] - prefix[i]) * (x - i);
  };
  const step = (to - from) / n;
  let prev = at(from);
  for (let i = 0; i < n; i++) {
    const next = at(from + (i + 1) * step);
    out[i] = next - prev;
    prev = next;
  }
  return out;
}
