// Seeded randomness for the fuzzers: a small PRNG (mulberry32), and generators of hostile
// values — wrong types, huge and tiny numbers, long, control-character and non-BMP strings,
// prototype names, deep nesting — and of mutations of otherwise valid arguments.

export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  /** In [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((n, [, w]) => n + w, 0);
    let x = this.next() * total;
    for (const [v, w] of items) if ((x -= w) < 0) return v;
    return items[items.length - 1][0];
  }
}

const STRINGS = [
  '',
  ' ',
  'x',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'null',
  '../../../../etc/passwd',
  '/dev/zero',
  '\u0000\u0001\u0007\u001b[31m',
  '\ud800',
  '😀'.repeat(20),
  '{_stack}',
  '{name}',
  '%s%s%n',
  'Content-Length: 5\r\n\r\n',
  '-1',
  '1e309',
];

/** Any JSON value, biased towards what breaks handlers. */
export function hostileValue(r: Rng, depth = 0): unknown {
  switch (r.int(0, depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return r.pick([true, false]);
    case 2:
      return r.pick([0, -1, 1, -1_000_000, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, -0.0001, 1e-300]);
    case 3:
      return r.int(-5, 100_000);
    case 4:
      return r.pick(STRINGS);
    case 5:
      return 'x'.repeat(r.pick([100, 10_000, 120_000]));
    case 6:
      return String.fromCharCode(...Array.from({ length: r.int(1, 40) }, () => r.int(0, 0xffff)));
    case 7:
      return r.pick(['read', 'write', 'threads', 'native', 'laio_co_submit', 'aio_poll', '4k', '10ms']);
    case 8:
      return Array.from({ length: r.int(0, 4) }, () => hostileValue(r, depth + 1));
    case 9:
      return Object.fromEntries(
        Array.from({ length: r.int(0, 4) }, () => [
          r.pick([...STRINGS, 'a', 'name', 'line']),
          hostileValue(r, depth + 1),
        ]),
      );
    default: {
      // deep nesting
      let v: unknown = 1;
      for (let i = r.int(10, 200); i > 0; i--) v = r.chance(0.5) ? [v] : { a: v };
      return v;
    }
  }
}

/** `value` with one field (at any depth) replaced, dropped or added — or replaced whole. */
export function mutate(r: Rng, value: unknown): unknown {
  if (r.chance(0.15) || value === null || typeof value !== 'object') return hostileValue(r);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as object) };
  const keys = Object.keys(copy);
  const key = keys.length && r.chance(0.85) ? r.pick(keys) : r.pick(['extra', 'constructor', '__proto__', '0']);
  const rec = copy as Record<string, unknown>;
  const action = r.int(0, 3);
  const set = (v: unknown): void => {
    // defined, not assigned: `__proto__` becomes an own key that JSON carries
    Object.defineProperty(rec, key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (action === 0) delete rec[key];
  else if (action === 1 && rec[key] !== null && typeof rec[key] === 'object') set(mutate(r, rec[key]));
  else set(hostileValue(r));
  return copy;
}
