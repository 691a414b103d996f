// A real QEMU's trace log as the session debugs it: replayed (launch) or followed while QEMU
// writes it (attach). Stepping moves event by event — step in: the thread's next event; next:
// the next event of the same coroutine or stack not deeper than this one; out: up to the
// caller's level — and back by restoring the recording's nearest saved state. Runs go in slices
// so a pause is seen; a followed log that has nothing new yet is polled. While the view is
// stopped on a followed log, the recording reads on (how far is said in the Debug Console) and
// continuing catches up through the breakpoints.

import { formatFrameName } from '../../../common/frame-name';
import { frameFn, frameTraced, LostLogError, figuresText } from '../../../simulator';
import type {
  EventPredicate,
  OpenedTrace,
  PackedFrame,
  Pass,
  RecEvent,
  Recording,
  RunResult,
  TimelineData,
  TimelineQuery,
} from '../../../simulator';
import { Debuggee, DebuggeeHooks, FrameInfo, PARKED_THREAD, ScopeInfo, StageInfo } from '../debuggee';
import type { Stop } from '../execution';
import type { Scope } from '../expr/evaluate';
import type { SourceMap } from '../sources';
import { ReplayBreakpoints } from './breakpoints';
import { coroutineInfo, eventInfo, eventScope, requestAt, statistics, threadInfo } from './view';

/** Events per slice of a run; between slices the adapter reads its messages. */
const SLICE_EVENTS = 20_000;
/** Longest stretch (ms) without letting the event loop see a pause request. */
const YIELD_MS = 5;
/** How often a followed log is looked at when there is nothing new. */
const POLL_MS = 50;
/** Events read ahead per look while the view is stopped on a followed log. */
const READ_AHEAD_EVENTS = 200_000;
/** How often the Debug Console hears how many events wait, while stopped on a followed log. */
const WAITING_NOTE_MS = 2_000;

export interface ReplayOptions {
  follow: boolean;
  trace: boolean;
  maxOutput: number;
  hooks: DebuggeeHooks;
}

interface ReplayFrame {
  tid: number;
  /** The coroutine whose stack the frame is on, or -1. */
  co: number;
  /** The frame's function (CallPaths id), -1 for a label frame. */
  fn: number;
  /** It is the frame of the event the view stands at. */
  current: boolean;
}

export class ReplayDebuggee implements Debuggee {
  readonly catalog;
  readonly breakpoints: ReplayBreakpoints;
  private readonly rec: Recording;
  private running = false;
  private pauseRequested = false;
  private live = new Set<number>();
  private outputBudget = 0;
  private outputDropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastWaitingNote = 0;
  private noted = 0;
  private lastLineEvent: { line: number; at: NonNullable<ReturnType<Recording['firstEventFrom']>> } | null = null;

  constructor(
    private readonly opened: OpenedTrace,
    sources: SourceMap,
    private readonly opts: ReplayOptions,
  ) {
    this.rec = opened.recording;
    this.catalog = this.rec.catalog;
    this.breakpoints = new ReplayBreakpoints(this.rec, sources, this.rec.file.path);
    this.live = new Set(this.rec.threads().map((t) => t.id));
    if (opts.follow) {
      // while stopped, the log is read on; running, the run itself reads it
      this.timer = setInterval(() => this.readAhead(), 200);
      this.timer.unref();
    }
  }

  /** What the Debug Console says at the start. */
  startLines(): string[] {
    const o = this.opened;
    return [
      `${this.opts.follow ? 'Following' : 'Replaying'} ${this.rec.file.path} as QEMU ${o.version} (${o.versionFrom}).`,
      ...o.notes.map((n) => `note: ${n}`),
    ];
  }

  get busy(): boolean {
    return this.running;
  }

  get finished(): boolean {
    return this.rec.atEnd;
  }

  get position(): { seq: number; timeNs: number; thread: number } | null {
    const e = this.rec.position;
    return e ? { seq: e.seq, timeNs: e.ev.time_ns ?? 0, thread: this.rec.idOf(e.ev.tid) } : null;
  }

  // ---- running ----------------------------------------------------------------------------

  private stopAt(kind: Stop['kind'], description: string, e: RecEvent | null = this.rec.position): Stop {
    return { kind, thread: e ? this.rec.idOf(e.ev.tid) : 0, description, breakpoints: [] };
  }

  /** Run forward until `extra` stops, a breakpoint (unless told not to), the end, or a pause. */
  private async forward(
    extra: ((e: RecEvent, pass: Pass) => Stop | null) | null,
    opts: { breakpoints: boolean } = { breakpoints: true },
  ): Promise<Stop> {
    this.running = true;
    this.pauseRequested = false;
    this.outputBudget = this.opts.maxOutput;
    this.outputDropped = 0;
    let found: Stop | null = null;
    const bps = this.breakpoints;
    const trace = this.opts.trace;
    const pred: EventPredicate = (e, pass) => {
      if (trace && e.first && e.ev.traced) this.traceLine(e, pass);
      if (extra !== null) found = extra(e, pass);
      if (found === null && opts.breakpoints) found = bps.check(e, pass, true);
      return found !== null;
    };
    try {
      let lastYield = performance.now();
      for (;;) {
        let r: RunResult;
        try {
          r = this.rec.run(pred, SLICE_EVENTS);
        } catch (e) {
          if (e instanceof LostLogError) return this.stopAt('pause', e.message);
          throw e;
        }
        this.afterSlice();
        if (found !== null) return found;
        if (r === 'end') return this.end();
        if (this.pauseRequested) return this.stopAt('pause', 'Paused');
        if (r === 'wait') {
          await new Promise((res) => setTimeout(res, POLL_MS));
          this.rec.poll();
          lastYield = performance.now();
          continue;
        }
        if (performance.now() - lastYield >= YIELD_MS) {
          await new Promise<void>((res) => setImmediate(res));
          lastYield = performance.now();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private traceLine(e: RecEvent, pass: Pass): void {
    if (this.outputBudget-- > 0) this.pending.push(pass.lineText(e) ?? this.rec.lineText(e));
    else this.outputDropped++;
  }
  private pending: string[] = [];

  private end(): Stop {
    // the figures themselves are computed once, for stopLines
    return {
      ...this.stopAt(
        'end',
        `End of the trace: ${this.rec.known} events, ${this.rec.requests.count} request(s) completed`,
      ),
      text: 'end of the trace',
    };
  }

  /** After a slice: threads that came and went, notes about the log, trace lines. */
  private afterSlice(): void {
    const now = new Set(this.rec.threads().map((t) => t.id));
    const started = [...now].filter((id) => !this.live.has(id));
    const exited = [...this.live].filter((id) => !now.has(id));
    this.live = now;
    if (started.length || exited.length) this.opts.hooks.threadsChanged(started, exited);
    const notes = this.rec.takeNotes();
    if (notes.length)
      this.opts.hooks.output(
        notes.map((n) => `note: ${n}`),
        'console',
      );
    if (this.pending.length) this.opts.hooks.output(this.pending.splice(0));
  }

  begin(stopOnEntry: boolean): Promise<Stop> {
    if (!stopOnEntry) return this.forward(null);
    return this.forward(() => this.stopAt('entry', 'Entry'), { breakpoints: false });
  }

  resume(): Promise<Stop> {
    return this.forward(null);
  }

  /** The tid a DAP thread steps (the pseudo-thread: the current event's). */
  private tid(thread: number): number {
    const cur = this.rec.position;
    if (thread === PARKED_THREAD) return cur ? cur.ev.tid : -1;
    return this.rec.tidOf(thread) ?? -1;
  }

  private step = (e: RecEvent): Stop => this.stopAt('step', 'Step', e);

  stepIn(thread: number): Promise<Stop> {
    const tid = this.tid(thread);
    return this.forward((e) => (e.ev.tid === tid ? this.step(e) : null));
  }

  /**
   * Next: the next event of the same context (coroutine, or the thread's own stack) that is not
   * inside the current function (its stack no longer has it where it was, or is not deeper); a
   * coroutine that ended goes on on its thread.
   */
  next(thread: number): Promise<Stop> {
    return this.within(thread, (inside, deeper) => !(inside && deeper));
  }

  /** Step out: the next event of the same context where the current function has returned. */
  stepOut(thread: number): Promise<Stop> {
    return this.within(thread, (inside) => !inside);
  }

  private within(thread: number, stops: (inside: boolean, deeper: boolean) => boolean): Promise<Stop> {
    const at = this.rec.position;
    const tid = this.tid(thread);
    if (!at || at.ev.tid !== tid) return this.stepIn(thread);
    const co = at.co;
    const level = at.depth - 1;
    const fnAt = (pass: Pass, ctx: number): number => {
      const stack = ctx >= 0 ? pass.cos.get(ctx) : pass.native.get(tid);
      return stack && stack.length > level ? frameFn(stack[level]) : -1;
    };
    const fn = fnAt(this.rec.pass, co);
    return this.forward((e, pass) => {
      const same = co >= 0 ? e.co === co : e.ev.tid === tid && e.co < 0;
      if (same) return stops(fnAt(pass, co) === fn, e.depth > at.depth) ? this.step(e) : null;
      // the coroutine ended: go on on its thread
      if (co >= 0 && e.ev.tid === tid && e.co < 0 && !pass.state.cos.has(co)) return this.step(e);
      return null;
    });
  }

  /** Back to the previous event on this thread (or the previous event at all). */
  async stepBack(thread: number): Promise<Stop> {
    const tid = this.tid(thread);
    const cur = this.rec.position;
    if (!cur || cur.seq === 0) return this.stopAt('entry', 'At the start of the trace');
    const target = this.rec.recentOn(tid) ?? (await this.searchBack((e) => e.ev.tid === tid)) ?? cur.seq - 1;
    return this.goTo(target, (e) => this.step(e));
  }

  /** Back to the latest earlier event a breakpoint stops at, or the start. */
  async reverseContinue(): Promise<Stop> {
    const target = await this.searchBack((e, pass) => this.breakpoints.check(e, pass, false) !== null);
    if (target === null) {
      this.rec.rewind();
      this.afterSlice();
      return this.stopAt('entry', 'Reached the start of the trace', null);
    }
    return this.goTo(target, (e, pass) => this.breakpoints.check(e, pass, false) ?? this.step(e));
  }

  /** The latest event before the view's that `pred` accepts, searched back a stretch per slice. */
  private async searchBack(pred: EventPredicate): Promise<number | null> {
    this.running = true;
    this.pauseRequested = false;
    try {
      const search = this.rec.searchBack(pred);
      let lastYield = performance.now();
      while (!search.done) {
        search.step();
        if (this.pauseRequested) return null;
        if (performance.now() - lastYield >= YIELD_MS) {
          await new Promise<void>((res) => setImmediate(res));
          lastYield = performance.now();
        }
      }
      return search.found;
    } catch (e) {
      if (e instanceof LostLogError) return null;
      throw e;
    } finally {
      this.running = false;
    }
  }

  private goTo(seq: number, stop: (e: RecEvent, pass: Pass) => Stop): Stop {
    try {
      this.rec.goTo(seq);
    } catch (e) {
      if (!(e instanceof LostLogError)) throw e;
      this.opts.hooks.output([`note: ${e.message}`], 'console');
    }
    this.afterSlice();
    const at = this.rec.position;
    return at ? stop(at, this.rec.pass) : this.stopAt('entry', 'At the start of the trace', null);
  }

  seek(to: { event: number } | { timeNs: number }): Promise<Stop> {
    const went = (e: RecEvent): Stop => this.stopAt('goto', `Went to event ${e.seq}`, e);
    if ('event' in to) {
      if (to.event >= this.rec.known)
        return this.forward((e) => (e.seq >= to.event ? went(e) : null), { breakpoints: false });
      return Promise.resolve(this.goTo(to.event, went));
    }
    const seq = this.rec.eventAt(to.timeNs);
    if (seq === null)
      return this.forward((e) => ((e.ev.time_ns ?? 0) >= to.timeNs ? went(e) : null), { breakpoints: false });
    return Promise.resolve(this.goTo(seq, went));
  }

  logLineTarget(line: number): { label: string; line: number } | null {
    const at = this.eventFromLine(line);
    if (at) return { label: `${at.name} (line ${at.line})`, line: at.line };
    // not read yet: the goto reads on to it; a whole log read has none
    return this.rec.front.finished ? null : { label: `line ${line} (not read yet)`, line };
  }

  seekLogLine(line: number): Promise<Stop> {
    const went = (e: RecEvent): Stop => this.stopAt('goto', `Went to line ${e.ev.line} of the log (event ${e.seq})`, e);
    const at = this.eventFromLine(line);
    if (at) return Promise.resolve(this.goTo(at.seq, went));
    // not read yet: read on to it (pausable, like any run)
    return this.forward((e) => (e.ev.line >= line ? went(e) : null), { breakpoints: false });
  }

  /** The recording's firstEventFrom, remembered for the goto that follows a gotoTargets (a read event never moves). */
  private eventFromLine(line: number): ReturnType<Recording['firstEventFrom']> {
    if (this.lastLineEvent?.line !== line) {
      const at = this.rec.firstEventFrom(line);
      if (!at) return null;
      this.lastLineEvent = { line, at };
    }
    return this.lastLineEvent.at;
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  restart(): void {
    this.rec.rewind();
    this.afterSlice();
  }

  /** While stopped on a followed log: read on, and say now and then how far. */
  private readAhead(): void {
    if (this.running) return;
    try {
      this.rec.readAhead(READ_AHEAD_EVENTS);
    } catch (e) {
      this.opts.hooks.output([`note: ${(e as Error).message}`], 'console');
      return;
    }
    const notes = this.rec.takeNotes();
    if (notes.length)
      this.opts.hooks.output(
        notes.map((n) => `note: ${n}`),
        'console',
      );
    const waiting = this.rec.waiting;
    const now = Date.now();
    if (waiting > 0 && waiting !== this.noted && now - this.lastWaitingNote >= WAITING_NOTE_MS) {
      this.lastWaitingNote = now;
      this.noted = waiting;
      this.opts.hooks.output(
        [`following: ${waiting} event(s) logged since this stop are waiting; continue catches up`],
        'console',
      );
    }
  }

  stopLines(stop: Stop): string[] {
    const out: string[] = [];
    if (this.outputDropped > 0) out.push(`… ${this.outputDropped} more log line(s) not shown`);
    if (stop.kind === 'end')
      out.push(
        ...figuresText(this.rec.requests.figuresAt(Number.MAX_SAFE_INTEGER)),
        `${stop.description}. Step back or reverse-continue to look around; continue ends the session.`,
      );
    if (this.opts.follow && this.rec.waiting > 0)
      out.push(`following: ${this.rec.waiting} event(s) are waiting beyond this stop; continue catches up`);
    return out;
  }

  // ---- threads and frames -----------------------------------------------------------------

  threads(): { id: number; name: string }[] {
    return this.rec.threads().map((t) => ({ id: t.id, name: t.name }));
  }

  hasThread(id: number): boolean {
    return id === PARKED_THREAD || this.live.has(id) || this.rec.threads().some((t) => t.id === id);
  }

  parkedCount(): number {
    let n = 0;
    for (const c of this.rec.pass.state.cos.values()) if (!c.running) n++;
    return n;
  }

  private frameName(fn: number, traced: boolean): string {
    const f = fn < this.rec.paths.size ? this.catalog.entry(fn) : undefined;
    const name = f ? formatFrameName(f) : this.rec.paths.names[fn];
    return traced ? name : formatFrameName({ name: f?.name ?? name, qualifier: f?.qualifier }, true);
  }

  /** A stack's frames, innermost first. */
  private pushFrames(all: FrameInfo[], stack: readonly PackedFrame[], tid: number, co: number, current: boolean): void {
    for (let i = stack.length - 1; i >= 0; i--) {
      const fn = frameFn(stack[i]);
      const traced = frameTraced(stack[i]);
      const top = all.length === 0;
      const f = fn < this.rec.paths.size ? this.catalog.entry(fn) : undefined;
      all.push({
        name: this.frameName(fn, traced),
        hint: !traced || (!top && f?.plumbing) ? 'subtle' : undefined,
        source: f ? { fn } : { page: this.rec.paths.names[fn] },
        ref: { tid, co, fn, current: current && i === stack.length - 1 } satisfies ReplayFrame,
      });
    }
  }

  stack(thread: number): FrameInfo[] {
    const pass = this.rec.pass;
    const all: FrameInfo[] = [];
    const cur = this.rec.position;
    if (thread === PARKED_THREAD) {
      for (const c of pass.state.cos.values()) {
        if (c.running) continue;
        const frames = pass.cos.get(c.id) ?? [];
        const top = frames.length ? this.rec.paths.names[frameFn(frames[frames.length - 1])] : '';
        const waitsIn = frames.length > 1 ? this.rec.paths.names[frameFn(frames[frames.length - 2])] : top;
        all.push({
          name: `coroutine #${c.id} · ${this.entryName(frames)} — yielded${waitsIn ? ` in ${waitsIn}` : ''}${c.reqs.length ? ` (request ${c.reqs.join(', ')})` : ''}`,
          hint: 'label',
          source: frames.length > 1 ? { fn: frameFn(frames[1]) } : { page: 'coroutine_trampoline' },
          ref: { tid: c.tid, co: c.id, fn: -1, current: false } satisfies ReplayFrame,
        });
        this.pushFrames(all, frames, c.tid, c.id, false);
      }
      return all;
    }
    const tid = this.rec.tidOf(thread);
    if (tid === undefined) return all;
    const isCurrent = cur !== null && cur.ev.tid === tid;
    const t = pass.state.threads.get(tid);
    // the coroutine on top: the current event's (even one that just yielded or ended), else the one running
    const running = isCurrent ? cur!.co : t?.coStack.length ? t.coStack[t.coStack.length - 1] : -1;
    if (running >= 0 && pass.cos.has(running)) {
      const frames = pass.cos.get(running)!;
      this.pushFrames(all, frames, tid, running, isCurrent && cur!.co === running);
      all.push({
        name: `coroutine #${running} · ${this.entryName(frames)}`,
        hint: 'label',
        source: frames.length > 1 ? { fn: frameFn(frames[1]) } : { page: 'coroutine_trampoline' },
        ref: { tid, co: running, fn: -1, current: false } satisfies ReplayFrame,
      });
    }
    this.pushFrames(all, pass.native.get(tid) ?? [], tid, -1, isCurrent && cur!.co < 0);
    return all;
  }

  /** A coroutine's entry function (the frame above the trampoline), as its label names it. */
  private entryName(frames: readonly PackedFrame[]): string {
    return frames.length > 1 ? this.rec.paths.names[frameFn(frames[1])] : 'coroutine_trampoline';
  }

  // ---- variables --------------------------------------------------------------------------

  /** The requests a frame works for: its coroutine's, or the current event's on its thread. */
  private requestsOf(ref: ReplayFrame): number[] {
    const pass = this.rec.pass;
    if (ref.co >= 0) return pass.state.cos.get(ref.co)?.reqs ?? [];
    const cur = this.rec.position;
    return cur && cur.ev.tid === ref.tid && cur.co < 0 ? cur.ev.requests : [];
  }

  scopes(r: object): ScopeInfo[] {
    const ref = r as ReplayFrame;
    const rec = this.rec;
    const pass = rec.pass;
    const cur = rec.position;
    const scopes: ScopeInfo[] = [];
    const reqs = this.requestsOf(ref);
    const req = reqs.length ? requestAt(pass, reqs[0], cur?.ev.time_ns ?? null) : null;
    if (req) scopes.push({ name: `Request ${reqs[0]}`, value: req });
    if (cur && cur.ev.tid === ref.tid) scopes.push({ name: 'Event', value: eventInfo(rec, pass, cur) });
    if (ref.co >= 0) {
      const co = coroutineInfo(rec, pass, ref.co);
      if (co) scopes.push({ name: `Coroutine #${ref.co}`, value: co });
    }
    scopes.push({ name: `Thread ${pass.reader.rebuild.threadName(ref.tid)}`, value: threadInfo(pass, ref.tid) });
    scopes.push({ name: 'Statistics', value: () => statistics(rec, pass), expensive: true });
    return scopes;
  }

  expressionScope(r: object | null): Scope {
    const rec = this.rec;
    const pass = rec.pass;
    const cur = rec.position;
    const base: Scope = cur
      ? eventScope(rec, pass, cur, 0)
      : { event: null, fn: null, thread: null, req: null, requests: [], read: 'read', write: 'write', flush: 'flush' };
    const ref = r as ReplayFrame | null;
    if (ref) {
      const reqs = this.requestsOf(ref);
      base.req = () => (reqs.length ? requestAt(pass, reqs[0], cur?.ev.time_ns ?? null) : null);
      base.requests = reqs;
      if (ref.fn >= 0) base.fn = rec.paths.names[ref.fn];
      base.thread = pass.reader.rebuild.threadName(ref.tid);
      base.thread_info = () => threadInfo(pass, ref.tid);
    }
    base.stats = () => statistics(rec, pass);
    return base;
  }

  stage(thread: number): StageInfo {
    const top = this.stack(thread)[0];
    const ref = top?.ref as ReplayFrame | undefined;
    const f = ref && ref.fn >= 0 && ref.fn < this.rec.paths.size ? this.catalog.entry(ref.fn) : undefined;
    const cur = this.rec.position;
    return {
      thread: this.threads().find((t) => t.id === thread)?.name ?? '',
      function: ref && ref.fn >= 0 ? this.rec.paths.names[ref.fn] : '',
      stage: f?.stage ?? '',
      group: f ? (this.catalog.stage(f.stage)?.group ?? '') : '',
      requestIds: ref ? this.requestsOf(ref) : [],
      event: cur?.seq ?? -1,
      timeNs: cur?.ev.time_ns ?? 0,
      line: cur?.ev.line,
    };
  }

  // ---- the timeline -----------------------------------------------------------------------

  timeline(q: TimelineQuery): TimelineData {
    return this.rec.timeline.query(q);
  }

  dapThread(t: number): number {
    return t;
  }

  exportRange(path: string, fromNs: number | undefined, toNs: number | undefined): number {
    return this.rec.exportRange(path, fromNs, toNs);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pauseRequested = true;
    this.rec.close();
    this.opened.dispose();
  }
}
