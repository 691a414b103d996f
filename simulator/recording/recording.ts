// A real QEMU run, recorded in a trace log, as a debugger steps through it: where the view
// stands (an event of the log), its threads and their stacks, going forward to the next event a
// predicate accepts, back to any earlier one, and to an event or a time. The log is never loaded:
// a *front* pass reads what has not been read yet, saving its state every few thousand lines
// (the index) and noting what it learns (thread ids, decided requests, the timeline); the view
// is that same pass while it stands at the front, and a pass restored from the nearest saved
// state when it stands earlier. Followed while QEMU writes it, the front keeps reading while the
// view is stopped; running on catches the view up.

import type { Catalog } from '../catalog';
import { getCatalog } from '../catalog';
import type { TraceReader } from '../trace/reader';
import type { RequestRecord, TraceStageEvent, ThreadRole } from '../trace/rebuild';
import { POOL_LANE } from '../trace/rebuild';
import type { TraceVersion } from '../trace/versions';
import { CallPaths } from './call-paths';
import { LogFile, LostLogError } from './log-file';
import { Pass, PassContext, PassState, RecEvent } from './pass';
import { RequestLog } from './request-log';
import { RecordingTimeline } from './timeline';

export type { RecEvent } from './pass';

/** Accepts an event (seen from the pass that took it). */
export type EventPredicate = (e: RecEvent, pass: Pass) => boolean;

export type RunResult = 'hit' | 'budget' | 'end' | 'wait';

export interface RecordingThread {
  /** Small stable number (1-based), in the order threads were first seen, by role at the start. */
  id: number;
  /** Linux tid (-2: the untraced pool-worker lane, -1: a log without thread ids). */
  tid: number;
  name: string;
  role: ThreadRole | 'pool-lane';
}

/** Lines between two saved states of the index (doubles when the index is thinned). */
const CHECKPOINT_LINES = 4096;
const MAX_CHECKPOINTS = 400;
/** Saved states left near a step-back target, and how far before it. */
const MAX_LADDER = 96;
const LADDER = 16;
/** Events whose thread is remembered for stepping back (a power of two). */
const HISTORY = 1 << 16;
/** Restores per view pass before it gets a new reader (its throwaway statistics grow). */
const RESTORES_PER_READER = 2000;
const ROLE_ORDER: Record<string, number> = { 'main-loop': 0, iothread: 1, vcpu: 2, 'pool-worker': 3, other: 4 };

export class Recording implements PassContext {
  readonly paths: CallPaths;
  readonly catalog: Catalog;
  readonly requests = new RequestLog();
  /** What a view should tell the user (lines cut short, truncation, rotation), taken by `takeNotes`. */
  private notes: string[] = [];
  front: Pass;
  private view: Pass;
  /** The index: the front's saved states, every `every` lines, in order. */
  private checkpoints: PassState[] = [];
  private every = CHECKPOINT_LINES;
  private lastCheckpointLine = 0;
  private ladder: PassState[] = [];
  private scratch: Pass | null = null;
  private restores = 0;
  private readonly ids = new Map<number, number>();
  private readonly ringSeq = new Float64Array(HISTORY).fill(-1);
  private readonly ringTid = new Float64Array(HISTORY);
  private readonly firerCache = new Map<string, number[]>();
  private readonly plainFns: Uint8Array;
  readonly timeline: RecordingTimeline;

  constructor(
    readonly file: LogFile,
    readonly version: TraceVersion,
    seed: TraceReader | null,
  ) {
    this.catalog = getCatalog(version);
    this.paths = CallPaths.of(this.catalog);
    this.plainFns = new Uint8Array(this.paths.size);
    this.catalog.functions.forEach((f, i) => (this.plainFns[this.catalog.ids[i]] = f.runsIn === 'plain' ? 1 : 0));
    this.timeline = new RecordingTimeline(this);
    this.front = new Pass(this, this.frontHooks, seed ?? undefined);
    this.view = this.front;
    // threads known from the start (the probe's) get their ids by role, main loop first
    const known = [...this.front.state.threads.keys()].map((tid) => ({
      tid,
      role: this.front.reader.rebuild.threadRole(tid),
    }));
    known.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.tid - b.tid);
    for (const t of known) this.idOf(t.tid);
    this.checkpoints.push(this.front.save());
  }

  private readonly frontHooks = {
    beforeLine: (p: Pass): void => {
      if (p.reader.lineNo - this.lastCheckpointLine < this.every) return;
      this.lastCheckpointLine = p.reader.lineNo;
      this.checkpoints.push(p.save());
      if (this.checkpoints.length > MAX_CHECKPOINTS) this.thin();
    },
    request: (r: RequestRecord, seq: number): void => {
      this.requests.add(r, seq);
      this.timeline.decided(r);
    },
    note: (text: string): void => void this.notes.push(text),
  };

  /** Keep every other saved state (never the first): the index stays bounded, seeks twice as long. */
  private thin(): void {
    this.checkpoints = this.checkpoints.filter((_, i) => i % 2 === 0);
    this.every *= 2;
  }

  // ---- PassContext ------------------------------------------------------------------------

  firers(ev: TraceStageEvent): readonly number[] {
    const key = ev.event || ev.function;
    let ids = this.firerCache.get(key);
    if (!ids) {
      // catalog functions by their entry (QEMU has two ioq_submit), others by name
      const fired = ev.event && ev.traced ? this.catalog.firedBy(ev.event) : [];
      ids = fired.length
        ? fired.map((f) =>
            f.entry ? this.catalog.ids[this.catalog.functions.indexOf(f.entry)] : this.paths.idOf(f.name),
          )
        : [this.paths.idOf(ev.function)];
      this.firerCache.set(key, ids);
    }
    return ids;
  }

  plain(fn: number): boolean {
    return fn < this.plainFns.length && this.plainFns[fn] === 1;
  }

  taken(seq: number, tid: number): void {
    const slot = seq & (HISTORY - 1);
    this.ringSeq[slot] = seq;
    this.ringTid[slot] = tid;
  }

  // ---- where the view stands --------------------------------------------------------------

  /** The event the view stands at (null before the first). */
  get position(): RecEvent | null {
    return this.view.cur;
  }

  /** The pass the view reads (for its state: threads, stacks, requests). */
  get pass(): Pass {
    return this.view;
  }

  /** Events the front has taken (all events known so far). */
  get known(): number {
    return this.front.cur ? this.front.cur.seq + 1 : 0;
  }

  /** Events known beyond the view (a followed log read on while the view was stopped). */
  get waiting(): number {
    return this.known - (this.view.cur ? this.view.cur.seq + 1 : 0);
  }

  /** The log was read to its end (a replay; a followed log never ends). */
  get complete(): boolean {
    return this.front.finished;
  }

  /** At the end of a replayed log. */
  get atEnd(): boolean {
    return this.view === this.front && this.front.finished && this.front.queued === 0;
  }

  takeNotes(): string[] {
    return this.notes.splice(0);
  }

  /** A thread's stable number (given on first sight). */
  idOf(tid: number): number {
    let id = this.ids.get(tid);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(tid, id);
    }
    return id;
  }

  /** The Linux tid of a thread number, or undefined. */
  tidOf(id: number): number | undefined {
    for (const [tid, n] of this.ids) if (n === id) return tid;
    return undefined;
  }

  /** The threads at the view's event: those seen so far, and the pool lane while a job is out. */
  threads(): RecordingThread[] {
    const p = this.view;
    const rb = p.reader.rebuild;
    const out: RecordingThread[] = [...p.state.threads.keys()].map((tid) => ({
      id: this.idOf(tid),
      tid,
      name: rb.threadName(tid),
      role: rb.threadRole(tid),
    }));
    if (p.state.poolLaneBusy > 0 && !p.state.workersSeen)
      out.push({ id: this.idOf(-2), tid: -2, name: POOL_LANE, role: 'pool-lane' });
    return out.sort((a, b) => a.id - b.id);
  }

  /** The text of an event's log line. */
  lineText(e: RecEvent): string {
    try {
      return this.file.read(e.offset, e.length).toString('latin1');
    } catch (err) {
      if (err instanceof LostLogError) return '(the log was truncated since: this line is gone)';
      throw err;
    }
  }

  // ---- going forward ----------------------------------------------------------------------

  /**
   * Take events until `pred` accepts one (the view then stands there), `budget` events were
   * taken, the log ends, or a followed log has nothing more yet.
   */
  run(pred: EventPredicate | null, budget: number): RunResult {
    for (let i = 0; i < budget; i++) {
      let e: RecEvent | null;
      const p = this.view;
      try {
        e = p.take();
      } catch (err) {
        if (!(err instanceof LostLogError) || p === this.front) throw err;
        this.notes.push(
          `the view skipped ${this.waiting} event(s) to where the log goes on: that part was truncated before it was shown`,
        );
        this.join();
        continue;
      }
      if (e === null) return p.finished ? 'end' : 'wait';
      if (p === this.front) this.frontTook(e);
      else if (this.front.cur && e.seq === this.front.cur.seq) this.join();
      if (pred !== null && pred(e, this.view)) return 'hit';
    }
    return 'budget';
  }

  /** The view stands where the front stands: they are the same pass again. */
  private join(): void {
    this.view = this.front;
  }

  /**
   * A followed log: read what QEMU wrote since the last look (at most `budget` events) without
   * moving a stopped view; returns how many events were read. `poll` notes truncation and rotation.
   */
  readAhead(budget: number): number {
    for (const n of this.file.poll()) this.notes.push(n);
    if (this.front.offset >= this.file.end && this.front.queued === 0) return 0;
    if (this.view === this.front) this.view = this.front.fork({});
    let n = 0;
    for (; n < budget; n++) {
      const e = this.front.take();
      if (e === null) break;
      this.frontTook(e);
    }
    return n;
  }

  /** A new event: its thread gets its number, the timeline sees it. */
  private frontTook(e: RecEvent): void {
    this.idOf(e.ev.tid);
    this.timeline.observe(e, this.front);
  }

  /** Look for what QEMU appended (a followed log), for runs that wait at the front. */
  poll(): void {
    for (const n of this.file.poll()) this.notes.push(n);
  }

  // ---- going back -------------------------------------------------------------------------

  /** Put the view at event `seq` (earlier or later): restore the nearest saved state and re-read. */
  goTo(seq: number): void {
    const v = this.view;
    if (v.cur && v.cur.seq === seq) return;
    if (seq >= this.known) {
      // not read yet: the front reads on to it
      this.runTo(seq);
      return;
    }
    const from = this.nearest(seq);
    const pass = this.viewPass();
    const viewFits = v.cur !== null && v.cur.seq < seq && (from.cur === null || v.cur.seq >= from.cur.seq);
    if (!viewFits) this.restoreInto(pass, from);
    else if (pass !== v) pass.restore(v.save());
    this.view = pass;
    const start = pass.cur ? pass.cur.seq : -1;
    if (seq - start > 2 * LADDER) {
      // a long re-read leaves a rung every LADDER events before the target, not one: stepping
      // back one event at a time then re-reads the whole stretch once per MAX_LADDER × LADDER
      // events instead of once per LADDER (each up to `every` lines: tens of ms deep in a log)
      const lowest = Math.max(start + LADDER, seq - LADDER * MAX_LADDER);
      for (let at = lowest; at <= seq - LADDER; at += LADDER) {
        this.takeUntil(pass, at);
        this.ladder.push(pass.save());
        if (this.ladder.length > MAX_LADDER) this.ladder.shift();
      }
    }
    this.takeUntil(pass, seq);
    if (this.front.cur && pass.cur && pass.cur.seq === this.front.cur.seq) this.join();
  }

  /** Put the view before the first event (a restart). */
  rewind(): void {
    const pass = this.viewPass();
    this.restoreInto(pass, this.checkpoints[0]);
    this.view = pass;
  }

  /** The first event at or after time `ns` (from the timeline's time index), or null past the end. */
  eventAt(ns: number): number | null {
    return this.timeline.eventAt(ns);
  }

  /**
   * The first event read from line `line` of the log or a later one, among the events read so
   * far (null when there is none yet): re-read from the last saved state before the line.
   */
  firstEventFrom(line: number): { seq: number; line: number; name: string } | null {
    let from = this.checkpoints[0];
    for (const c of this.checkpoints) {
      if (c.reader.line >= line) break;
      from = c;
    }
    let found: { seq: number; line: number; name: string } | null = null;
    this.scan(from.emitted, (e) => {
      if (e.ev.line < line) return false;
      found = { seq: e.seq, line: e.ev.line, name: e.ev.event || e.ev.function };
      return true;
    });
    return found;
  }

  /** Re-read from the saved state before event `fromSeq` with a pass of its own (the view does not move). */
  scan(fromSeq: number, visit: EventPredicate): void {
    const pass = (this.scratch ??= new Pass(this, {}));
    this.restoreInto(pass, this.nearest(fromSeq - 1));
    for (;;) {
      const e = pass.take();
      if (e === null || e.seq >= this.known) return;
      if (e.seq >= fromSeq && visit(e, pass)) return;
    }
  }

  /** A Chrome trace of a time range (re-read from the log); how many events it holds. */
  exportRange(path: string, fromNs: number | undefined, toNs: number | undefined): number {
    return this.timeline.exportRange(path, fromNs, toNs, `QEMU ${this.version} (trace of ${this.file.path})`);
  }

  private runTo(seq: number): void {
    this.goTo(this.known - 1);
    this.run((e) => e.seq >= seq, Number.MAX_SAFE_INTEGER);
  }

  /** A pass for the view other than the front (made once, kept). */
  private viewPass(): Pass {
    if (this.view !== this.front) return this.view;
    return (this.spare ??= new Pass(this, {}));
  }
  private spare: Pass | null = null;

  private restoreInto(pass: Pass, st: PassState): void {
    pass.restore(st, ++this.restores % RESTORES_PER_READER === 0);
  }

  private takeUntil(pass: Pass, seq: number): void {
    while (!pass.cur || pass.cur.seq < seq) {
      if (pass.take() === null) break;
    }
  }

  /** The saved state closest before event `seq` (index or ladder). */
  private nearest(seq: number): PassState {
    let best = this.checkpoints[0];
    const better = (c: PassState): void => {
      const at = c.cur ? c.cur.seq : -1;
      if (at <= seq && at >= (best.cur ? best.cur.seq : -1)) best = c;
    };
    // the index is in order: bisect it
    let lo = 0;
    let hi = this.checkpoints.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.checkpoints[mid].cur;
      if ((c ? c.seq : -1) <= seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) better(this.checkpoints[lo - 1]);
    for (const c of this.ladder) better(c);
    return best;
  }

  /** The latest event before the view's on thread `tid`, if the recent history still holds it. */
  recentOn(tid: number): number | null {
    const cur = this.view.cur;
    if (!cur) return null;
    for (let seq = cur.seq - 1; seq >= 0 && seq > cur.seq - HISTORY; seq--) {
      const slot = seq & (HISTORY - 1);
      if (this.ringSeq[slot] !== seq) return null;
      if (this.ringTid[slot] === tid) return seq;
    }
    return null;
  }

  /**
   * A search back from the view for the latest earlier event `pred` accepts, one stretch of the
   * log between two saved states per `step()` (so a long search can yield and be paused). The
   * view does not move.
   */
  searchBack(pred: EventPredicate): BackSearch {
    const upper0 = this.view.cur ? this.view.cur.seq : 0;
    const states = [...this.checkpoints, ...this.ladder].sort(
      (a, b) => (a.cur ? a.cur.seq : -1) - (b.cur ? b.cur.seq : -1),
    );
    const pass = (this.scratch ??= new Pass(this, {}));
    let upper = upper0;
    let i = states.length - 1;
    const search: BackSearch = {
      found: null,
      done: upper0 <= 0,
      step: () => {
        // a state that has taken event upper-1 cannot show it: start from one before it
        while (i >= 0 && (states[i].cur ? states[i].cur!.seq : -1) >= upper - 1) i--;
        if (i < 0) {
          search.done = true;
          return;
        }
        const st = states[i];
        this.restoreInto(pass, st);
        let found: number | null = null;
        for (;;) {
          const e = pass.take();
          if (e === null || e.seq >= upper) break;
          if (pred(e, pass)) found = e.seq;
        }
        upper = st.cur ? st.cur.seq + 1 : 0;
        if (found !== null) {
          search.found = found;
          search.done = true;
        } else if (upper <= 0) search.done = true;
      },
    };
    return search;
  }

  close(): void {
    this.file.close();
  }
}

export interface BackSearch {
  found: number | null;
  done: boolean;
  step(): void;
}
