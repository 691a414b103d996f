// QEMU's trace-events declaration syntax, read as data: `[props] name(type arg, ...) "format"`,
// where the format may be several C string literals with PRI macros between them
// (`"offset %" PRId64 " bytes %u"`). Used for the user's trace-events-all file (the simple
// backend's records carry only an event id and raw argument words) and for version tables.

import type { TraceArg, TraceEventDecl } from '../catalog';

/** PRI macros as glibc spells them on x86-64 Linux, where QEMU's log backend runs. */
const PRI: Record<string, string> = {};
for (const conv of ['d', 'i', 'u', 'x', 'X', 'o']) {
  PRI[`PRI${conv}64`] = `l${conv}`;
  for (const bits of [8, 16, 32]) PRI[`PRI${conv}${bits}`] = conv;
  PRI[`PRI${conv}PTR`] = `l${conv}`;
}

export class TraceEventsSyntaxError extends Error {}

/** One declaration line; null for blank lines and comments. */
export function parseTraceEventDecl(line: string, file = ''): TraceEventDecl | null {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return null;
  const open = text.indexOf('(');
  const close = text.indexOf(')', open);
  if (open < 0 || close < 0) throw new TraceEventsSyntaxError(`not a trace-event declaration: ${text.slice(0, 80)}`);
  const head = text.slice(0, open).trim().split(/\s+/);
  const name = head[head.length - 1];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TraceEventsSyntaxError(`bad trace-event name "${name}"`);
  const argText = text.slice(open + 1, close).trim();
  const args: TraceArg[] =
    argText === '' || argText === 'void'
      ? []
      : argText.split(',').map((a) => {
          const m = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(a.trim());
          if (!m) throw new TraceEventsSyntaxError(`bad argument "${a.trim()}" of ${name}`);
          return { type: m[1].trim(), name: m[2] };
        });
  return { name, args, format: joinFormat(text.slice(close + 1), name), file };
}

/** `"a %" PRId64 " b"` → `a %ld b`. */
function joinFormat(rest: string, name: string): string {
  let out = '';
  let i = 0;
  while (i < rest.length) {
    const c = rest[i];
    if (c === '"') {
      let j = i + 1;
      while (j < rest.length && rest[j] !== '"') j += rest[j] === '\\' ? 2 : 1;
      out += rest.slice(i + 1, j).replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest.slice(i))!;
      if (PRI[m[0]] === undefined) throw new TraceEventsSyntaxError(`unknown macro ${m[0]} in the format of ${name}`);
      out += PRI[m[0]];
      i += m[0].length;
    } else i++;
  }
  return out;
}

/** Every declaration of a trace-events(-all) file; `@file` comment lines are not needed. */
export function parseTraceEventsFile(text: string, file = ''): TraceEventDecl[] {
  const out: TraceEventDecl[] = [];
  text.split('\n').forEach((line, i) => {
    try {
      const d = parseTraceEventDecl(line, file);
      if (d) out.push(d);
    } catch (e) {
      throw new TraceEventsSyntaxError(`${file || 'trace-events'}:${i + 1}: ${(e as Error).message}`);
    }
  });
  return out;
}
