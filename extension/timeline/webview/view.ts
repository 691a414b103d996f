// The visible time range of the timeline and the arithmetic around it: time ↔ pixels, zooming
// about a point, panning, keeping inside the run, tick marks and time labels. No DOM, so it is
// unit-tested in Node.

/** Shortest range one can zoom into (ns). */
export const MIN_SPAN_NS = 200;

export class TimeView {
  from = 0;
  to = 1;

  constructor(
    /** End of the run (ns); the view stays inside [0, end]. */
    public end = 1,
  ) {
    this.to = end;
  }

  get span(): number {
    return this.to - this.from;
  }

  /** Pixel of time `t` in a lane area `width` px wide. */
  x(t: number, width: number): number {
    return ((t - this.from) / this.span) * width;
  }

  /** Time at pixel `x`. */
  time(x: number, width: number): number {
    return this.from + (x / width) * this.span;
  }

  set(from: number, to: number): void {
    let span = Math.max(MIN_SPAN_NS, to - from);
    span = Math.min(span, Math.max(MIN_SPAN_NS, this.end));
    let f = from;
    if (f + span > this.end) f = this.end - span;
    if (f < 0) f = 0;
    this.from = f;
    this.to = f + span;
  }

  whole(): void {
    this.set(0, this.end);
  }

  /** Zoom by `factor` (< 1 zooms in) keeping time `at` where it is on screen. */
  zoom(factor: number, at = (this.from + this.to) / 2): void {
    const k = (at - this.from) / this.span;
    const span = this.span * factor;
    this.set(at - k * span, at - k * span + span);
  }

  /** Pan by a fraction of the visible span (negative: back in time). */
  pan(fraction: number): void {
    const d = fraction * this.span;
    this.set(this.from + d, this.to + d);
  }

  /** Keep the zoom, put `t` in the middle. */
  center(t: number): void {
    const half = this.span / 2;
    this.set(t - half, t + half);
  }

  isWhole(): boolean {
    return this.from <= 0 && this.to >= this.end;
  }
}

/** Nice tick marks (1, 2, 5 × 10^k ns) at least `minPx` apart. */
export function ticks(from: number, to: number, width: number, minPx = 90): number[] {
  const span = to - from;
  if (!(span > 0) || width <= 0) return [];
  const raw = (span * minPx) / width;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** A time in the unit that reads best: 850 ns, 12.3 µs, 4.56 ms, 1.234 s. */
export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1_000) return `${trim(ns, 0)} ns`;
  if (a < 1_000_000) return `${trim(ns / 1e3, a < 1e4 ? 2 : 1)} µs`;
  if (a < 1_000_000_000) return `${trim(ns / 1e6, a < 1e7 ? 3 : 2)} ms`;
  return `${trim(ns / 1e9, 3)} s`;
}

function trim(v: number, digits: number): string {
  return v
    .toFixed(digits)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}
