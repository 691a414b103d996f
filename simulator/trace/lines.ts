// One line of what a user pastes, told apart by hand (no regular expression per line):
//   tid@sec.usec:event args                 QEMU's log backend with -msg timestamp=on
//   event args                              the same without timestamps (order only)
//   sec.usec tid [thread] T event args      a trace merged with strace (the *.with-syscalls.txt shape)
//   sec.usec tid [thread] S syscall(...)    … and its syscalls
//   tid sec.usec syscall(...)               strace -f -ttt -o FILE
//   [pid tid] sec.usec syscall(...)         strace -f -ttt on stderr
// Anything else (guest console, QEMU warnings, the header comment) is another line: counted
// and skipped. The parser fills one reusable record; nothing is allocated but the event name.

export const enum LineKind {
  trace,
  syscall,
  other,
  /** Looked like a trace line (a `tid@` or timestamp prefix) but did not parse. */
  malformed,
  blank,
}

export class ParsedLine {
  kind: LineKind = LineKind.blank;
  text = '';
  start = 0;
  end = 0;
  /** Linux thread id, or -1 when the line has none. */
  tid = -1;
  /** Nanoseconds since the first timestamp of the file, or -1 when the line has none. */
  timeNs = -1;
  /** Event or syscall name. */
  name = '';
  /** The arguments: `text[argsStart, end)`. */
  argsStart = 0;
  /** Thread name given by the line itself (strace-merged files), else ''. */
  threadName = '';
  /** An strace line (kind other when it is not a call: a signal, an exit, a line cut short). */
  strace = false;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95; /* _ */

export class LineParser {
  /** Whole seconds of the first timestamp seen: times are kept relative to it (so they stay exact). */
  baseSec = -1;
  private numEnd = 0;

  /** An event name that parses as a bare `event args` line (a log without timestamps). */
  constructor(private readonly isEventName: (name: string) => boolean) {}

  parse(text: string, start: number, end: number, out: ParsedLine): LineKind {
    out.text = text;
    out.start = start;
    out.end = end;
    out.tid = -1;
    out.timeNs = -1;
    out.threadName = '';
    out.strace = false;
    if (end > start && text.charCodeAt(end - 1) === 13) end = out.end = end - 1; // CRLF
    if (start >= end) return (out.kind = LineKind.blank);
    const c0 = text.charCodeAt(start);
    if (isDigit(c0)) {
      const n = this.int(text, start, end);
      const p = this.numEnd;
      const sep = text.charCodeAt(p);
      if (sep === 64 /* @ */) return (out.kind = this.logLine(text, p + 1, end, n, out));
      if (sep === 46 /* . */) return (out.kind = this.mergedLine(text, start, end, out));
      if (sep === 32 /* space */) return (out.kind = this.straceLine(text, p, end, n, out));
      return (out.kind = LineKind.other);
    }
    if (c0 === 91 /* [ */ && text.startsWith('[pid', start)) {
      let p = start + 4;
      while (text.charCodeAt(p) === 32) p++;
      const tid = this.int(text, p, end);
      if (this.numEnd === p || text.charCodeAt(this.numEnd) !== 93 /* ] */) return (out.kind = LineKind.other);
      return (out.kind = this.straceLine(text, this.numEnd + 1, end, tid, out));
    }
    if ((c0 >= 97 && c0 <= 122) || c0 === 95) {
      let p = start + 1;
      while (p < end && isNameChar(text.charCodeAt(p))) p++;
      if (p < end && text.charCodeAt(p) !== 32) return (out.kind = LineKind.other);
      const name = text.slice(start, p);
      if (!this.isEventName(name)) return (out.kind = LineKind.other);
      out.name = name;
      out.argsStart = p < end ? p + 1 : p;
      return (out.kind = LineKind.trace);
    }
    return (out.kind = LineKind.other);
  }

  /** Event names seen, by a hash of their characters: a line's name costs no new string. */
  private readonly names: string[] = new Array<string>(1024).fill('');

  private intern(text: string, start: number, end: number, hash: number): string {
    const len = end - start;
    for (let i = hash & 1023, n = 0; n < 1024; i = (i + 1) & 1023, n++) {
      const e = this.names[i];
      if (e === '') return (this.names[i] = text.slice(start, end));
      if (e.length === len && text.startsWith(e, start)) return e;
    }
    return text.slice(start, end); // table full: a log with over a thousand event names
  }

  /** Digits at p as a number; this.numEnd is where they stop. */
  private int(text: string, p: number, end: number): number {
    let v = 0;
    let c;
    while (p < end && isDigit((c = text.charCodeAt(p)))) {
      v = v * 10 + (c - 48);
      p++;
    }
    this.numEnd = p;
    return v;
  }

  /** `sec.frac` at p (any number of fraction digits) → relative ns, or -1. */
  private time(text: string, p: number, end: number): number {
    const sec = this.int(text, p, end);
    if (this.numEnd === p || text.charCodeAt(this.numEnd) !== 46) return -1;
    const f0 = this.numEnd + 1;
    const frac = this.int(text, f0, end);
    const digits = this.numEnd - f0;
    if (digits === 0 || digits > 9) return -1;
    if (this.baseSec < 0) this.baseSec = sec;
    return (sec - this.baseSec) * 1e9 + frac * 10 ** (9 - digits);
  }

  /** After `tid@`: `sec.usec:event args`. */
  private logLine(text: string, p: number, end: number, tid: number, out: ParsedLine): LineKind {
    const t = this.time(text, p, end);
    p = this.numEnd;
    if (t < 0 || text.charCodeAt(p) !== 58 /* : */) return LineKind.malformed;
    out.tid = tid;
    out.timeNs = t;
    return this.eventAt(text, p + 1, end, out);
  }

  private eventAt(text: string, p: number, end: number, out: ParsedLine): LineKind {
    const n0 = p;
    let h = 0x811c9dc5;
    for (let c; p < end && isNameChar((c = text.charCodeAt(p))); p++) h = Math.imul(h ^ c, 16777619);
    if (p === n0 || (p < end && text.charCodeAt(p) !== 32)) return LineKind.malformed;
    out.name = this.intern(text, n0, p, h);
    out.argsStart = p < end ? p + 1 : p;
    return LineKind.trace;
  }

  /** `sec.usec tid [thread name] T|S text`. */
  private mergedLine(text: string, p: number, end: number, out: ParsedLine): LineKind {
    const t = this.time(text, p, end);
    p = this.numEnd;
    if (t < 0 || text.charCodeAt(p) !== 32) return LineKind.other;
    const tid = this.int(text, p + 1, end);
    if (this.numEnd === p + 1) return LineKind.other;
    p = this.numEnd;
    out.tid = tid;
    out.timeNs = t;
    if (text.charCodeAt(p + 1) === 91 /* [ */) {
      const close = text.indexOf('] ', p + 2);
      if (close < 0 || close > end) return LineKind.other;
      out.threadName = text.slice(p + 2, close);
      p = close + 1;
    }
    const kind = text.charCodeAt(p + 1);
    if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 2) !== 32) return LineKind.other;
    if (kind === 84 /* T */) return this.eventAt(text, p + 3, end, out);
    if (kind === 83 /* S */) {
      out.strace = true;
      return this.syscallAt(text, p + 3, end, out);
    }
    return LineKind.other;
  }

  /** After the tid of an strace line: ` sec.usec syscall(...)`. */
  private straceLine(text: string, p: number, end: number, tid: number, out: ParsedLine): LineKind {
    while (text.charCodeAt(p) === 32) p++;
    const t = this.time(text, p, end);
    if (t < 0 || text.charCodeAt(this.numEnd) !== 32) return LineKind.other;
    out.tid = tid;
    out.timeNs = t;
    out.strace = true;
    return this.syscallAt(text, this.numEnd + 1, end, out);
  }

  /** `name(args…` or `<... name resumed>…`; the name is the syscall's, args start after it. */
  private syscallAt(text: string, p: number, end: number, out: ParsedLine): LineKind {
    if (text.startsWith('<... ', p)) {
      const e = text.indexOf(' resumed>', p + 5);
      if (e < 0 || e > end) return LineKind.other;
      out.name = text.slice(p + 5, e);
      out.argsStart = p; // the "<..." marks a resumption
      return LineKind.syscall;
    }
    const n0 = p;
    while (p < end && isNameChar(text.charCodeAt(p))) p++;
    if (p === n0 || text.charCodeAt(p) !== 40 /* ( */) return LineKind.other; // signals, exits: not syscalls
    out.name = text.slice(n0, p);
    out.argsStart = p + 1;
    return LineKind.syscall;
  }
}
