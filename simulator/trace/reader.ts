// Bytes → lines → events → rebuild, streaming. Lines are split by hand on '\n' in latin1 text
// (one character per byte, so a line's byte offset is its index plus the chunk's offset), and
// every `checkpointEvery` lines the reader keeps (line, byte offset, rebuild state) instead of
// the events: a seek restores the nearest checkpoint and re-reads at most that many lines.

import type { TraceEventDecl } from '../catalog';
import { EventTable, isKnownEventName } from './events';
import { LineKind, LineParser, ParsedLine } from './lines';
import { Rebuild, RebuildState, RequestRecord, TraceStageEvent } from './rebuild';
import { TraceStats } from './stats';
import { Detection, detectVersion, TraceVersion } from './versions';

export interface Checkpoint {
  /** Lines read before it (the next line is line + 1). */
  line: number;
  /** Byte offset of that next line in the (decompressed) log. */
  offset: number;
  baseSec: number;
  state: RebuildState;
}

export interface ReaderOptions {
  /** Declarations from the user's trace-events file, consulted before the built-in ones. */
  decls?: ReadonlyMap<string, TraceEventDecl>;
  checkpointEvery?: number;
  listener?: (ev: TraceStageEvent) => void;
  onRequest?: (r: RequestRecord) => void;
}

export class TraceReader {
  readonly parser: LineParser;
  readonly rebuild: Rebuild;
  readonly stats = new TraceStats();
  readonly table: EventTable;
  readonly checkpoints: Checkpoint[] = [];
  /** Lines read so far. */
  lineNo = 0;
  /** Bytes consumed so far (including a partial line carried to the next chunk). */
  offset = 0;
  private carry = '';
  private readonly pl = new ParsedLine();
  private readonly every: number;

  constructor(
    readonly version: TraceVersion | null,
    opts: ReaderOptions = {},
  ) {
    const decls = opts.decls ?? new Map<string, TraceEventDecl>();
    this.table = new EventTable(version, decls);
    this.parser = new LineParser((name) => isKnownEventName(name, decls));
    this.rebuild = new Rebuild(this.table, this.stats);
    this.rebuild.listener = opts.listener ?? null;
    this.rebuild.onRequest = opts.onRequest ?? null;
    this.every = opts.checkpointEvery ?? 0;
  }

  /** Feed the next bytes of the log; complete lines are processed, a partial one waits. */
  push(chunk: Buffer): void {
    const text = this.carry + chunk.toString('latin1');
    const base = this.offset - this.carry.length;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.lineAt(text, start, nl, base + start);
      start = nl + 1;
    }
    this.carry = start < text.length ? text.slice(start) : '';
    this.offset += chunk.length;
  }

  /** Bytes of a line not yet ended by a newline. */
  get pending(): number {
    return this.carry.length;
  }

  /** The log ended: a last line without a newline is read too (counted as malformed if it does not parse). */
  end(): void {
    if (this.carry.length) {
      const text = this.carry;
      this.carry = '';
      this.lastLine(text, this.offset - text.length);
    }
    this.rebuild.finish();
  }

  /** The log's last line, which has no newline: read if it parses, else counted as cut short. */
  lastLine(text: string, offset: number): void {
    const kind = this.parser.parse(text, 0, text.length, this.pl);
    if (kind === LineKind.trace && !this.table.get(this.pl.name).known) {
      this.lineNo++;
      this.stats.lines.total++;
      this.stats.noteMalformed(this.lineNo, `${text} (cut short: the file ends mid-line)`);
    } else this.lineAt(text, 0, text.length, offset);
  }

  /** One complete line, `text[start, end)` without its newline, at byte `offset` of the log (for readers that split lines themselves). */
  lineAt(text: string, start: number, end: number, offset: number): void {
    const n = ++this.lineNo;
    if (this.every > 0 && n % this.every === 1) this.checkpoint(n - 1, offset);
    const pl = this.pl;
    const st = this.stats;
    st.lines.total++;
    switch (this.parser.parse(text, start, end, pl)) {
      case LineKind.trace:
        this.rebuild.traceLine(pl, n);
        return;
      case LineKind.syscall:
        this.rebuild.syscallLine(pl, n);
        return;
      case LineKind.malformed:
        st.noteMalformed(n, text.slice(start, end));
        return;
      case LineKind.other:
        if (pl.strace) st.syscalls.skipped++;
        this.rebuild.otherLine();
        return;
      default:
        st.lines.blank++;
    }
  }

  private checkpoint(line: number, offset: number): void {
    this.checkpoints.push({ line, offset, baseSec: this.parser.baseSec, state: this.rebuild.snapshot() });
  }

  /** Continue from a checkpoint: the caller then pushes the log's bytes from `cp.offset`. */
  restore(cp: Checkpoint): void {
    this.lineNo = cp.line;
    this.offset = cp.offset;
    this.carry = '';
    this.parser.baseSec = cp.baseSec;
    this.rebuild.restore(cp.state);
  }

  /** Start with the thread roles another reader learned (a probe of the same log's beginning). */
  seedThreads(from: TraceReader): void {
    for (const [tid, t] of from.rebuild.s.threads) {
      this.rebuild.s.threads.set(tid, {
        ...structuredClone(t),
        evidence: { ...t.evidence, events: 0 },
        coStack: [],
        handled: [],
        unhandled: [],
        notifyPending: [],
        multireq: null,
        kickNs: -1,
        kickLine: 0,
        lastNs: -1,
      });
    }
  }
}

export interface Probe {
  reader: TraceReader;
  names: Set<string>;
  detection: Detection;
  /** The first lines that are not blank, for messages about what the file is. */
  firstLines: string[];
  /** Looks like binary data (NUL bytes or mostly control characters). */
  binary: boolean;
  bytes: number;
}

export const PROBE_BYTES = 4 << 20;

/** Read the beginning of a log: is it a trace, which version, which thread does what. */
export async function probe(
  chunks: AsyncIterable<Buffer>,
  decls?: ReadonlyMap<string, TraceEventDecl>,
): Promise<Probe> {
  const reader = new TraceReader(null, { decls });
  const names = new Set<string>();
  const firstLines: string[] = [];
  let bytes = 0;
  let binary = false;
  reader.rebuild.listener = (ev) => {
    if (ev.event) names.add(ev.event);
  };
  for await (const chunk of chunks) {
    if (bytes === 0) binary = looksBinary(chunk);
    if (firstLines.length < 3) {
      for (const l of chunk.toString('latin1', 0, Math.min(chunk.length, 4096)).split('\n')) {
        if (l.trim() && firstLines.length < 3) firstLines.push(l);
      }
    }
    if (binary) break;
    reader.push(chunk);
    bytes += chunk.length;
    if (bytes >= PROBE_BYTES) break;
  }
  return { reader, names, detection: detectVersion(names), firstLines, binary, bytes };
}

function looksBinary(b: Buffer): boolean {
  const n = Math.min(b.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  return n > 0 && control / n > 0.1;
}
