// A trace event's declared printf format, compiled once into literal pieces and conversions so
// a log line's arguments can be read back in one pass over its characters, without a regular
// expression: numbers (pointers, integers, hex) land in a Float64Array by argument position.

import type { TraceEventDecl } from '../catalog/types';

const enum Conv {
  pointer, // 0x55d0c389be30 or (nil)
  signed,
  unsigned,
  hex, // digits only; the format spells any 0x prefix as a literal
  string,
  char,
  float,
}

export interface CompiledFormat {
  /** lits[0] conv[0] lits[1] conv[1] … lits[n]. */
  readonly lits: readonly string[];
  readonly convs: readonly Conv[];
}

/** Compile a declaration's format; throws when it has not one conversion per declared argument. */
export function compileFormat(decl: TraceEventDecl): CompiledFormat {
  const cf = compileFormatText(decl.format);
  if (cf.convs.length !== decl.args.length)
    throw new Error(
      `trace event ${decl.name}: format has ${cf.convs.length} conversions for ${decl.args.length} arguments`,
    );
  return cf;
}

function compileFormatText(fmt: string): CompiledFormat {
  const lits: string[] = [];
  const convs: Conv[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    let j = i + 1;
    while (j < fmt.length && '-+ #0123456789.'.includes(fmt[j])) j++;
    while (j < fmt.length && 'hlLqjzt'.includes(fmt[j])) j++;
    const conv = fmt[j];
    if (conv === 'o') throw new Error(`trace format "${fmt}": %o is not read back`);
    lits.push(lit);
    lit = '';
    convs.push(
      conv === 'p'
        ? Conv.pointer
        : conv === 'd' || conv === 'i'
          ? Conv.signed
          : conv === 'u'
            ? Conv.unsigned
            : conv === 'x' || conv === 'X'
              ? Conv.hex
              : conv === 's'
                ? Conv.string
                : conv === 'c'
                  ? Conv.char
                  : Conv.float,
    );
    i = j;
  }
  lits.push(lit);
  return { lits, convs };
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Read the arguments of `text[start, end)` by the format: numbers into `nums[i]` (strings as
 * NaN), strings into `strs[i]` when given. Returns false when the text does not follow the
 * format (a malformed or truncated line).
 */
export function readArgs(
  cf: CompiledFormat,
  text: string,
  start: number,
  end: number,
  nums: Float64Array,
  strs?: (string | null)[],
): boolean {
  const { lits, convs } = cf;
  let p = start;
  for (let k = 0; k <= convs.length; k++) {
    const lit = lits[k];
    if (lit.length > 0) {
      if (end - p < lit.length) return false;
      for (let q = 0; q < lit.length; q++) if (text.charCodeAt(p + q) !== lit.charCodeAt(q)) return false;
      p += lit.length;
    }
    if (k === convs.length) break;
    const conv = convs[k];
    let v = 0;
    const from = p;
    switch (conv) {
      case Conv.pointer:
      case Conv.hex: {
        if (conv === Conv.pointer) {
          if (text.startsWith('(nil)', p)) {
            p += 5;
            break;
          }
          if (text.charCodeAt(p) !== 48 || text.charCodeAt(p + 1) !== 120) return false;
          p += 2;
        }
        const d0 = p;
        for (let d; p < end && (d = hexDigit(text.charCodeAt(p))) >= 0; p++) v = v * 16 + d;
        if (p === d0) return false;
        break;
      }
      case Conv.signed:
      case Conv.unsigned: {
        const neg = text.charCodeAt(p) === 45;
        if (neg) p++;
        const d0 = p;
        for (let c; p < end && (c = text.charCodeAt(p)) >= 48 && c <= 57; p++) v = v * 10 + (c - 48);
        if (p === d0) return false;
        if (neg) v = -v;
        break;
      }
      case Conv.char:
        if (p >= end) return false;
        v = text.charCodeAt(p++);
        break;
      case Conv.float: {
        while (p < end && '+-.0123456789eEinfa'.includes(text[p])) p++;
        v = Number(text.slice(from, p));
        break;
      }
      case Conv.string: {
        const next = lits[k + 1];
        const stop = next.length === 0 ? end : text.indexOf(next, p);
        if (stop < 0 || stop > end) return false;
        if (strs) strs[k] = text.slice(p, stop);
        p = stop;
        v = NaN;
        break;
      }
    }
    nums[k] = v;
  }
  return p === end;
}

/** The arguments as a name → value record (for writers and breakpoint conditions; off the hot path). */
export function argsRecord(
  cf: CompiledFormat,
  names: readonly string[],
  text: string,
  start: number,
  end: number,
): Record<string, number | string> | null {
  const nums = new Float64Array(cf.convs.length);
  const strs: (string | null)[] = new Array<string | null>(cf.convs.length).fill(null);
  if (!readArgs(cf, text, start, end, nums, strs)) return null;
  const out: Record<string, number | string> = {};
  for (let i = 0; i < cf.convs.length; i++) out[names[i] ?? `arg${i}`] = strs[i] ?? nums[i];
  return out;
}
