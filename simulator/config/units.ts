// Sizes (`4096`, `4k`, `1M`, `2GiB`) and durations (`10ms`, `250us`, `1s`, `5000ns`).

import { ConfigError, excerpt } from './errors';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new ConfigError(`${what}: ${excerpt(text, 40)} is not a size (examples: 4096, 4k, 1M, 2G)`, what);
  const v = Number(m[1]) * unit;
  if (!Number.isSafeInteger(v))
    throw new ConfigError(`${what}: ${excerpt(text, 40)} is not a whole number of bytes`, what);
  return v;
}

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9 };

/** A duration in ns; a bare number is in `defaultUnit`. */
export function parseDuration(text: string, what: string, defaultUnit: keyof typeof TIME_UNITS = 'ns'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]*)\s*$/i.exec(text);
  const unit = m ? TIME_UNITS[(m[2] || defaultUnit).toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new ConfigError(`${what}: ${excerpt(text, 40)} is not a duration (examples: 500us, 10ms, 2s)`, what);
  return Math.round(Number(m[1]) * unit);
}

export function parseInteger(text: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new ConfigError(`${what}: ${excerpt(text, 40)} is not a whole number`, what);
  const v = Number(text);
  if (v < min || v > max)
    throw new ConfigError(
      `${what}: ${v} is out of range (${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max})`,
      what,
    );
  return v;
}

export function parseBool(text: string, what: string): boolean {
  const v = text.trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new ConfigError(`${what}: ${excerpt(text, 40)} is not on/off`, what);
}

export function oneOf<T extends string>(text: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new ConfigError(`${what}: ${excerpt(text, 40)} is not one of ${allowed.join(', ')}`, what);
}
