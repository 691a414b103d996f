// Reading the arguments of a `log`-backend trace line back through the event's declared format.
// QEMU prints `name ` then the printf format filled in; labels are not always the argument names
// ("self %p" for `co`, "0x%lx = 0x%lx (%d)"), so the format, not the names, drives the match.

import type { TraceEventDecl } from './types';

export interface CompiledFormat {
  /** Argument names in format order (the declaration's order). */
  readonly names: readonly string[];
  /** The values of `text` (what follows the event name and one space), one string per argument, or undefined. */
  parse(text: string): string[] | undefined;
}

// What each printf conversion of a trace format can print (glibc, x86-64).
const CONVERSION: Record<string, string> = {
  p: '(0x[0-9a-f]+|\\(nil\\))',
  d: '(-?\\d+)',
  i: '(-?\\d+)',
  u: '(\\d+)',
  x: '([0-9a-f]+)',
  X: '([0-9A-F]+)',
  o: '([0-7]+)',
  c: '([\\s\\S])',
  s: '(.*?)',
};
const SPEC = /%([-#0 +]*)(\d*)(?:hh|h|ll|l|z|j|t)?([diouxXcsp%])/g;

const cache = new WeakMap<TraceEventDecl, CompiledFormat>();

/** A matcher for lines of this event; throws on a format with a conversion the log backend cannot print. */
export function compileFormat(decl: TraceEventDecl): CompiledFormat {
  const hit = cache.get(decl);
  if (hit) return hit;
  let source = '';
  let last = 0;
  let count = 0;
  for (const m of decl.format.matchAll(SPEC)) {
    source += escape(decl.format.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[3] === '%') {
      source += '%';
      continue;
    }
    // Width pads with spaces (or zeros); `#` adds 0x to hex.
    const pad = m[2] ? ' *' : '';
    const alt = m[1].includes('#') && /[xX]/.test(m[3]) ? '(?:0[xX])?' : '';
    source += pad + alt + CONVERSION[m[3]];
    count++;
  }
  source += escape(decl.format.slice(last));
  if (count !== decl.args.length)
    throw new Error(`trace event ${decl.name}: format has ${count} conversions for ${decl.args.length} arguments`);
  const re = new RegExp(`^${source}$`);
  const compiled: CompiledFormat = {
    names: decl.args.map((a) => a.name),
    parse(text) {
      const m = re.exec(text);
      return m ? m.slice(1) : undefined;
    },
  };
  cache.set(decl, compiled);
  return compiled;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
