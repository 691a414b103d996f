// QEMU trace logs open in the editor: which documents are ones, the QEMU version their events
// fit, and the lines that get a "Replay from this line" lens. A document is a trace log when its
// language id says so (`qemu-trace`, contributed by the VS Code extension) or, in any other
// language but Markdown and C, when its text looks like one (common/trace-line.ts) — so Neovim
// and eglot, which call it `text`, `log` or something else, get the same features.

import { looksLikeQemuTrace, traceEventOnLine, type TraceEventSpan } from '../../common/trace-line';
import { QEMU_TRACE_LANGUAGE } from '../../common/ids';
import type { VersionDetection } from '../../simulator/catalog';
import type { IsCancelled } from './documentScan';

/** Languages whose documents only quote trace lines: never sniffed. */
const NOT_LOGS = new Set(['markdown', 'c', 'cpp', 'objective-c']);

/** The event a lens marks the start of a replay on, first present in the log wins: the guest's kick, else the pop. */
const START_EVENTS = ['virtio_queue_notify', 'virtqueue_pop'] as const;

/** Lenses per document (as for prose documents' lens pairs). */
export const MAX_REPLAY_LENSES = 500;

/** Characters scanned between two yields to the event loop. */
const SLICE = 1 << 20;

export interface ReplayStart {
  /** Zero-based line and the event name's columns on it. */
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export interface TraceLog {
  /** Every event name of the log. */
  readonly names: ReadonlySet<string>;
  /** The QEMU version its events fit (the catalog to read it with). */
  readonly detection: VersionDetection;
  /** Lines a replay can usefully start from (capped at MAX_REPLAY_LENSES). */
  readonly starts: readonly ReplayStart[];
}

/** What the catalogs know of event names (passed in: the catalog is loaded after initialize). */
export interface EventKnowledge {
  /** An event some QEMU release on the path declares: a bare `event args` line with it is a trace line. */
  isKnownEvent(name: string): boolean;
  detect(names: Iterable<string>): VersionDetection;
}

/** Whether a document is served as a trace log. */
export function isTraceLog(languageId: string, text: string): boolean {
  if (languageId === QEMU_TRACE_LANGUAGE) return true;
  return !NOT_LOGS.has(languageId) && looksLikeQemuTrace(text);
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class TraceLogs {
  private readonly cache = new Map<string, { version: number; log: TraceLog | null }>();

  constructor(private readonly knows: EventKnowledge) {}

  /** The trace event whose name spans `character` on line text[lineStart, lineEnd) (a cursor just after it included). */
  eventAt(
    text: string,
    lineStart: number,
    lineEnd: number,
    character: number,
  ): (TraceEventSpan & { name: string }) | undefined {
    const span = traceEventOnLine(text, lineStart, lineEnd, (n) => this.knows.isKnownEvent(n));
    const at = lineStart + character;
    if (!span || at < span.nameStart || at > span.nameEnd) return undefined;
    return { ...span, name: text.slice(span.nameStart, span.nameEnd) };
  }

  /** The trace log of a document version; null when it is not one, undefined when cancelled. */
  async analyse(
    uri: string,
    version: number,
    languageId: string,
    text: string,
    isCancelled: IsCancelled,
  ): Promise<TraceLog | null | undefined> {
    const hit = this.cache.get(uri);
    if (hit && hit.version === version) return hit.log;
    let log: TraceLog | null = null;
    if (isTraceLog(languageId, text)) {
      const scanned = await scan(this.knows, text, isCancelled);
      if (!scanned) return undefined;
      log = scanned;
    }
    this.cache.set(uri, { version, log });
    return log;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

async function scan(knows: EventKnowledge, text: string, isCancelled: IsCancelled): Promise<TraceLog | undefined> {
  const names = new Set<string>();
  const byName = new Map<string, ReplayStart[]>(START_EVENTS.map((n) => [n, []]));
  let line = 0;
  let budget = SLICE;
  const isKnownEvent = (n: string): boolean => knows.isKnownEvent(n);
  for (let s = 0; s <= text.length; line++) {
    let e = text.indexOf('\n', s);
    if (e < 0) e = text.length;
    const span = traceEventOnLine(text, s, e, isKnownEvent);
    if (span) {
      const name = text.slice(span.nameStart, span.nameEnd);
      names.add(name);
      const list = byName.get(name);
      if (list && list.length < MAX_REPLAY_LENSES)
        list.push({ line, start: span.nameStart - s, end: span.nameEnd - s });
    }
    budget -= e - s + 1;
    s = e + 1;
    if (budget <= 0) {
      budget = SLICE;
      await yieldToLoop();
      if (isCancelled()) return undefined;
    }
  }
  const starts = START_EVENTS.map((n) => byName.get(n)!).find((l) => l.length > 0) ?? [];
  return { names, detection: knows.detect(names), starts };
}
