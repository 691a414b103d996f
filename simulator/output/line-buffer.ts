// Output lines written as bytes into large buffers: numbers as digits, names as pre-encoded
// bytes. The CLI prints a line per stage event, millions a run; building each as a JS string
// and encoding it afterwards cost several times the simulation itself. The put* functions
// write at a position and return the next one, so a hot writer can reserve room for a whole
// line once and fill it without a call per piece.

const CHUNK = 1 << 20;

/** Copies `b` to `buf` at `p`, by hand: for the short pieces of a line, faster than a native call. */
export function putBytes(buf: Buffer, p: number, b: Buffer): number {
  if (b.length > 16) {
    buf.set(b, p);
    return p + b.length;
  }
  for (let i = 0; i < b.length; i++) buf[p++] = b[i];
  return p;
}

/** A non-negative integer below 2^53 in decimal; at most 16 bytes. */
export function putUint(buf: Buffer, p: number, n: number): number {
  if (n >= 1e9) {
    const hi = Math.floor(n / 1e9);
    return putPadded(buf, putUint(buf, p, hi), n - hi * 1e9, 9);
  }
  // below 1e9: small-integer arithmetic, digits written back to front
  const len =
    n < 1e4
      ? n < 10
        ? 1
        : n < 100
          ? 2
          : n < 1e3
            ? 3
            : 4
      : n < 1e6
        ? n < 1e5
          ? 5
          : 6
        : n < 1e7
          ? 7
          : n < 1e8
            ? 8
            : 9;
  return putPadded(buf, p, n, len);
}

/** A non-negative integer below 10^width (width ≤ 9), zero-padded to `width` digits. */
export function putPadded(buf: Buffer, p: number, n: number, width: number): number {
  const end = p + width;
  let v = n | 0;
  for (let q = end - 1; q >= p; q--) {
    const d = (v / 10) | 0;
    buf[q] = 48 + v - d * 10;
    v = d;
  }
  return end;
}

/** A non-negative number to at most three decimals, trailing zeros dropped (12, 12.5, 12.345). */
export function putMilli(buf: Buffer, p: number, n: number): number {
  let whole = Math.floor(n);
  let frac = Math.round((n - whole) * 1000);
  if (frac === 1000) {
    whole++;
    frac = 0;
  }
  p = putUint(buf, p, whole);
  if (frac === 0) return p;
  buf[p++] = 46;
  if (frac % 100 === 0) return putPadded(buf, p, frac / 100, 1);
  if (frac % 10 === 0) return putPadded(buf, p, frac / 10, 2);
  return putPadded(buf, p, frac, 3);
}

/** A non-negative integer below 2^53 in lowercase hex, no prefix; at most 14 bytes. */
export function putHex(buf: Buffer, p: number, n: number): number {
  let len = 1;
  for (let v = n; v >= 16; v = Math.floor(v / 16)) len++;
  const end = p + len;
  let v = n;
  for (let q = end - 1; q >= p; q--) {
    const d = Math.floor(v / 16);
    const x = v - d * 16;
    buf[q] = x < 10 ? 48 + x : 87 + x;
    v = d;
  }
  return end;
}

export class LineBuffer {
  private buf = Buffer.allocUnsafe(CHUNK);
  /** Where the next byte goes in the buffer reserve() returned. */
  pos = 0;
  /** Chunks filled and not yet taken. */
  private readonly full: Buffer[] = [];

  /** The buffer, with room for `n` more bytes at `pos`. */
  reserve(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      if (this.pos > 0) this.full.push(this.buf.subarray(0, this.pos));
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
      this.pos = 0;
    }
    return this.buf;
  }

  /** Bytes written and not yet taken. */
  get pending(): number {
    return this.pos + this.full.reduce((n, b) => n + b.length, 0);
  }

  /** Everything written so far, in chunks; the buffer starts afresh (the chunks stay valid). */
  take(): Buffer[] {
    if (this.pos > 0) {
      this.full.push(this.buf.subarray(0, this.pos));
      this.buf = this.buf.length - this.pos >= 64 << 10 ? this.buf.subarray(this.pos) : Buffer.allocUnsafe(CHUNK);
      this.pos = 0;
    }
    return this.full.splice(0);
  }

  /** Everything written so far as one string (for callers that want a line, not bytes). */
  takeString(): string {
    return Buffer.concat(this.take()).toString('utf8');
  }

  bytes(b: Buffer): void {
    this.pos = putBytes(this.reserve(b.length), this.pos, b);
  }

  /** Any text, UTF-8 encoded. */
  text(s: string): void {
    const buf = this.reserve(s.length * 3);
    this.pos += buf.write(s, this.pos);
  }

  byte(c: number): void {
    this.reserve(1)[this.pos++] = c;
  }

  uint(n: number): void {
    this.pos = putUint(this.reserve(16), this.pos, n);
  }

  /** An integer (|n| below 2^53), in decimal. */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    this.uint(n);
  }

  hex(n: number): void {
    this.pos = putHex(this.reserve(14), this.pos, n);
  }

  padded(n: number, width: number): void {
    if (n >= 10 ** width) return this.uint(n);
    this.pos = putPadded(this.reserve(width), this.pos, n, width);
  }
}

/** Text as bytes, encoded once. */
export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
