// A column of per-request figures that grows by fixed chunks and never copies: a replayed 1 GiB
// log holds ~650k requests, and growing one array by copying keeps the old and the new alive at
// once and leaves the old for the collector (tens of MB of the peak, varying with GC timing).

type Typed = Float64Array | Float32Array | Uint8Array | Int32Array;

const BITS = 14;
const ROWS = 1 << BITS;
const MASK = ROWS - 1;

export class Column<T extends Typed> {
  private readonly chunks: T[] = [];

  /** `width` values a row; rows never set read as `empty`. */
  constructor(
    private readonly make: new (n: number) => T,
    private readonly width = 1,
    private readonly empty = 0,
  ) {}

  get(row: number, k = 0): number {
    const c = this.chunks[row >> BITS];
    return c === undefined ? this.empty : c[(row & MASK) * this.width + k];
  }

  set(row: number, v: number, k = 0): void {
    const n = row >> BITS;
    while (this.chunks.length <= n) {
      const c = new this.make(ROWS * this.width);
      if (this.empty !== 0) c.fill(this.empty);
      this.chunks.push(c);
    }
    this.chunks[n][(row & MASK) * this.width + k] = v;
  }
}

/** A growable array of float64, append-only and read whole (`data` up to `length`): indexes, samples. */
export class F64List {
  data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}
