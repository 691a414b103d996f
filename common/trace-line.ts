// Where the event name is on a line of a QEMU trace log, for the editor: the language server's
// hover and lenses, and the extension's guess that a `.log` or plain-text file is a trace. The
// shapes are the ones the trace reader (simulator/trace/lines.ts) parses on its hot path; this is
// the line-at-a-time version for documents, and test/language/trace-line.test.ts holds the two to
// the same answers on the real logs.
//   tid@sec.usec:event args              the log backend with -msg timestamp=on
//   sec.usec tid [thread] T event args   a trace merged with strace (*.with-syscalls.txt)
//   event args                           no timestamps: only when the caller knows the name

import { isIdentPart, isIdentStart } from './identifiers';

export interface TraceEventSpan {
  /** The event name: text[nameStart, nameEnd). */
  readonly nameStart: number;
  readonly nameEnd: number;
  /** The line had a `tid@time:` or merged-trace prefix (false: a bare `event args` line). */
  readonly prefixed: boolean;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** End of the digits starting at p (p itself when there are none). */
function digits(text: string, p: number, end: number): number {
  while (p < end && isDigit(text.charCodeAt(p))) p++;
  return p;
}

/** `sec.frac` at p with 1 to 9 fraction digits: the index after it, or -1. */
function time(text: string, p: number, end: number): number {
  const s = digits(text, p, end);
  if (s === p || text.charCodeAt(s) !== 46 /* . */) return -1;
  const f = digits(text, s + 1, end);
  return f === s + 1 || f - s - 1 > 9 ? -1 : f;
}

/** An event name at p, ended by a space or the end of the line. */
function nameAt(text: string, p: number, end: number): number {
  if (p >= end || !isIdentPart(text.charCodeAt(p))) return -1;
  let q = p + 1;
  while (q < end && isIdentPart(text.charCodeAt(q))) q++;
  return q < end && text.charCodeAt(q) !== 32 ? -1 : q;
}

/**
 * The trace event on the line text[start, end) (no line break inside), or undefined. A bare
 * `event args` line counts only when `isEventName` accepts its first word.
 */
export function traceEventOnLine(
  text: string,
  start: number,
  end: number,
  isEventName?: (name: string) => boolean,
): TraceEventSpan | undefined {
  if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
  if (start >= end) return undefined;
  const c0 = text.charCodeAt(start);
  if (isDigit(c0)) {
    const n = digits(text, start, end);
    const sep = text.charCodeAt(n);
    if (sep === 64 /* @ */) {
      const t = time(text, n + 1, end);
      if (t < 0 || text.charCodeAt(t) !== 58 /* : */) return undefined;
      const e = nameAt(text, t + 1, end);
      return e < 0 ? undefined : { nameStart: t + 1, nameEnd: e, prefixed: true };
    }
    if (sep !== 46 /* . */) return undefined;
    // sec.usec tid [thread name] T event args
    const t = time(text, start, end);
    if (t < 0 || text.charCodeAt(t) !== 32) return undefined;
    let p = digits(text, t + 1, end);
    if (p === t + 1) return undefined;
    if (text.charCodeAt(p + 1) === 91 /* [ */) {
      const close = text.indexOf('] ', p + 2);
      if (close < 0 || close > end) return undefined;
      p = close + 1;
    }
    if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 84 /* T */ || text.charCodeAt(p + 2) !== 32)
      return undefined;
    const e = nameAt(text, p + 3, end);
    return e < 0 ? undefined : { nameStart: p + 3, nameEnd: e, prefixed: true };
  }
  if (!isEventName || !isIdentStart(c0)) return undefined;
  const e = nameAt(text, start, end);
  return e >= 0 && isEventName(text.slice(start, e)) ? { nameStart: start, nameEnd: e, prefixed: false } : undefined;
}

/** How much of a document the sniffer reads. */
export const SNIFF_CHARS = 64 * 1024;

/**
 * Whether a text looks like a QEMU trace log: among the lines of its first SNIFF_CHARS characters,
 * at least two are prefixed trace lines and they are at least a quarter of the non-blank lines (a
 * log mixed with QEMU's stderr still counts; a note quoting a line or two does not).
 */
export function looksLikeQemuTrace(text: string): boolean {
  const limit = Math.min(text.length, SNIFF_CHARS);
  let traced = 0;
  let other = 0;
  for (let s = 0; s < limit;) {
    let e = text.indexOf('\n', s);
    if (e < 0 || e > limit) e = limit;
    if (traceEventOnLine(text, s, e)) traced++;
    else if (text.slice(s, e).trim()) other++;
    s = e + 1;
  }
  return traced >= 2 && traced * 3 >= other;
}
