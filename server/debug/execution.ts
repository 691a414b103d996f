// Runs the simulator for a debugger, knowing nothing of DAP: stage-granular stepping (next,
// step in, step out), continue to breakpoints, pause, and exact reverse execution through
// checkpoints plus deterministic replay. Long runs go in slices so a pause is seen quickly.
// Forward runs are recorded for the timeline; going to a time or an event is a replay back or
// a run forward (seek).

import {
  Phase,
  Scenario,
  SimState,
  SimulationTimeline,
  Simulator,
  StageEvent,
  StopReason,
  TimelineRecorder,
} from '../../simulator';
import { outstandingText } from '../../simulator';
import type { Machine, SimStats, WindowReplayer } from '../../simulator';

export type StopKind = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'exception' | 'pause' | 'goto' | 'end';

export interface Stop {
  kind: StopKind;
  /** Simulator thread id the stop is about. */
  thread: number;
  description: string;
  /** Breakpoint ids that matched, for DAP's hitBreakpointIds. */
  breakpoints: number[];
  /** For exceptions: which filter and what happened. */
  exception?: { filter: string; text: string };
  /** For the end of the run: its statistics. */
  stats?: SimStats;
  /** For the end of the run: what the stopped event's text says (default: end of simulation). */
  text?: string;
}

/** What decides whether an event stops a forward run (breakpoints, exception filters). */
export interface StopPolicy {
  /** Called for every event during continue/step runs; returns a stop, or null. */
  check(ev: StageEvent, sim: Simulator, counting: boolean): Stop | null;
}

interface Checkpoint {
  events: number;
  state: SimState;
  ev: StageEvent;
}

/** Events per slice of a long run (~2-4 ms); between slices the adapter reads its messages. */
const SLICE_EVENTS = 20_000;
/** Longest stretch (ms) without letting the event loop see a pause request. */
const YIELD_MS = 5;
const MAX_CHECKPOINTS = 160;
/** How far before a step-back target a replay leaves a checkpoint. */
const LADDER = 2_000;
/** Events whose thread is remembered for stepping back (a power of two). */
const HISTORY = 1 << 16;

export interface ExecutionHooks {
  /** Worker threads come and go; told after each slice (and after time travel). */
  threadsChanged(started: number[], exited: number[]): void;
  /** The last slice's output (trace lines, logpoints). */
  output(lines: string[]): void;
}

export class Execution implements WindowReplayer {
  sim: Simulator;
  /** Everything run so far, for the timeline (kept across restarts: the run is the same). */
  readonly recorder = TimelineRecorder.forRun();
  readonly timeline = new SimulationTimeline(this.recorder, this);
  /** A second model for the timeline's replays, so the debuggee stays where it is. */
  private side: Simulator | null = null;
  private checkpoints: Checkpoint[] = [];
  private checkpointEvery = 20_000;
  private pauseRequested = false;
  private running = false;
  private finishedOnce = false;
  /** The run has reached its end at least once (since launch: restarts replay the same run). */
  private ended = false;
  private liveThreads = new Set<number>();
  /** Collected by the machine's observers during a slice. */
  private startedNow: number[] = [];
  private exitedNow: number[] = [];
  readonly pendingOutput: string[] = [];

  constructor(
    private readonly scenario: Scenario,
    private readonly policy: StopPolicy,
    private readonly hooks: ExecutionHooks,
  ) {
    this.sim = this.fresh();
  }

  private fresh(): Simulator {
    const sim = new Simulator(this.scenario);
    sim.m.threadListener = (t, what) => (what === 'started' ? this.startedNow : this.exitedNow).push(t.id);
    sim.m.history = new Int32Array(HISTORY).fill(-1);
    this.recorder.attach(sim.m);
    this.checkpoints = [capture(sim)];
    this.liveThreads = new Set(sim.threads().map((t) => t.id));
    this.finishedOnce = false;
    return sim;
  }

  restart(): void {
    const before = this.liveThreads;
    this.sim = this.fresh();
    this.syncThreads(before);
  }

  /** Tell the session which threads appeared and went since `before`, and remember the live set. */
  private syncThreads(before: Set<number>): void {
    const after = new Set(this.sim.threads().map((t) => t.id));
    this.liveThreads = after;
    this.hooks.threadsChanged(
      [...after].filter((id) => !before.has(id)),
      [...before].filter((id) => !after.has(id)),
    );
  }

  /** The event the simulation stands at (null before the first). */
  get position(): StageEvent | null {
    return this.sim.eventCount > 0 ? this.sim.m.ev : null;
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  /** A forward run is under way (it yields between slices). */
  get busy(): boolean {
    return this.running;
  }

  // ---- forward -----------------------------------------------------------------------------

  /** Run forward until `extra` accepts an event, the policy stops, the end, or a pause. */
  async forward(
    extra: ((ev: StageEvent) => Stop | null) | null,
    opts: { breakpoints: boolean } = { breakpoints: true },
  ): Promise<Stop> {
    if (this.running) throw new Error('already running');
    this.running = true;
    this.pauseRequested = false;
    const found: { stop: Stop | null } = { stop: null };
    const sim = this.sim;
    const pred = (ev: StageEvent): boolean => {
      if (extra !== null) found.stop = extra(ev);
      if (found.stop === null && opts.breakpoints) found.stop = this.policy.check(ev, sim, true);
      return found.stop !== null;
    };
    try {
      let lastYield = performance.now();
      for (;;) {
        const budget = Math.min(SLICE_EVENTS, this.checkpointDue());
        const reason = sim.run(budget, pred);
        this.afterSlice();
        if (found.stop !== null) return found.stop;
        if (reason === StopReason.done || reason === StopReason.idle) return this.end(reason);
        if (this.pauseRequested) {
          this.pauseRequested = false;
          return { kind: 'pause', thread: sim.m.ev.thread, description: 'Paused', breakpoints: [] };
        }
        if (performance.now() - lastYield >= YIELD_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private end(reason: number): Stop {
    const ev = this.sim.m.ev;
    const st = this.sim.stats();
    let why = `Simulation finished: ${st.requests.completed} request(s) completed`;
    if (reason !== StopReason.done) {
      const stall = this.sim.stallNote();
      why = `Nothing left to run: ${outstandingText(st)}${stall ? `. ${stall}` : ''}`;
    }
    this.finishedOnce = true;
    this.ended = true;
    return { kind: 'end', thread: ev.thread, description: why, breakpoints: [], stats: st };
  }

  /** At the end of the run (not merely stepped back to a point after the workload finished). */
  get finished(): boolean {
    return (
      this.finishedOnce && this.sim.eventCount >= this.recorder.next && (this.sim.done || this.sim.m.s.heap.size === 0)
    );
  }

  private checkpointDue(): number {
    const last = this.checkpoints[this.checkpoints.length - 1];
    return Math.max(1, last.events + this.checkpointEvery - this.sim.eventCount);
  }

  /** After a slice: threads that came and went, output, maybe a checkpoint. */
  private afterSlice(): void {
    if (this.startedNow.length || this.exitedNow.length) {
      const started = this.startedNow.filter((id) => !this.liveThreads.has(id));
      for (const id of started) this.liveThreads.add(id);
      const exited = this.exitedNow.filter((id) => this.liveThreads.delete(id));
      this.startedNow = [];
      this.exitedNow = [];
      this.hooks.threadsChanged(started, exited);
    }
    if (this.pendingOutput.length) this.hooks.output(this.pendingOutput.splice(0));
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (this.sim.eventCount - last.events >= this.checkpointEvery) this.addCheckpoint();
  }

  /** Periodic checkpoints bound the replay of any step back (sized to cost ~10 % of run time). */
  private addCheckpoint(): void {
    const t0 = performance.now();
    this.checkpoints.push(capture(this.sim));
    const ms = performance.now() - t0;
    // a checkpoint every ~5 clone-times of simulation (~8000 events per ms): about 20 % of a
    // long run's time, and a step back replays ~2.5 clone-times on average
    this.checkpointEvery = Math.max(10_000, Math.min(200_000, Math.round(ms * 8000 * 5)));
    if (this.checkpoints.length > MAX_CHECKPOINTS) this.thin();
  }

  /**
   * Keep checkpoints spread evenly over the run, so a replay to any point (a step back, a jump
   * from the timeline) is bounded: drop those whose neighbours are closest together, never the
   * first or the two latest (stepping back from where the run is stays cheap).
   */
  private thin(): void {
    const cps = this.checkpoints;
    while (cps.length > MAX_CHECKPOINTS * 0.75) {
      let best = 1;
      let bestGap = Infinity;
      for (let i = 1; i < cps.length - 2; i++) {
        const gap = cps[i + 1].events - cps[i - 1].events;
        if (gap < bestGap) {
          bestGap = gap;
          best = i;
        }
      }
      cps.splice(best, 1);
    }
  }

  // ---- stepping ----------------------------------------------------------------------------

  /** Step in: the next event on this thread (into callees, into a coroutine it enters). */
  stepIn(thread: number): Promise<Stop> {
    return this.forward((ev) => (ev.thread === thread || this.threadGone(thread) ? this.stepStop(ev) : null));
  }

  /** Next: the next event in the same context (coroutine, or the thread's own stack) not inside a callee. */
  next(thread: number): Promise<Stop> {
    const at = this.sim.m.ev;
    if (this.sim.eventCount === 0 || at.thread !== thread) return this.stepIn(thread);
    const co = at.co;
    const depth = at.depth;
    return this.forward((ev) => {
      if (co >= 0) {
        if (ev.co === co && ev.depth <= depth) return this.stepStop(ev);
        // the coroutine ended: continue on its thread
        if (ev.thread === thread && ev.co < 0 && !this.sim.m.s.w.co.live.has(co)) return this.stepStop(ev);
        return null;
      }
      if (ev.thread === thread && ev.co < 0 && ev.depth <= depth) return this.stepStop(ev);
      return this.threadGone(thread) ? this.stepStop(ev) : null;
    });
  }

  /** Step out: until the function on top of this context returns. */
  stepOut(thread: number): Promise<Stop> {
    const at = this.sim.m.ev;
    if (this.sim.eventCount === 0 || at.thread !== thread) return this.stepIn(thread);
    const co = at.co;
    const top = at.phase === Phase.exit ? at.depth - 1 : at.depth;
    return this.forward((ev) => {
      const same = co >= 0 ? ev.co === co : ev.thread === thread && ev.co < 0;
      if (same && ((ev.phase === Phase.exit && ev.depth === top) || ev.depth < top)) return this.stepStop(ev);
      if (co >= 0 && ev.thread === thread && ev.co < 0 && !this.sim.m.s.w.co.live.has(co)) return this.stepStop(ev);
      return co < 0 && this.threadGone(thread) ? this.stepStop(ev) : null;
    });
  }

  private threadGone(thread: number): boolean {
    return this.sim.m.s.threads[thread]?.state === 2;
  }

  private stepStop(ev: StageEvent): Stop {
    return { kind: 'step', thread: ev.thread, description: 'Step', breakpoints: [] };
  }

  // ---- reverse -----------------------------------------------------------------------------

  /** Step back: to the previous event on this thread (or the previous event at all). */
  async stepBack(thread: number): Promise<Stop> {
    const current = this.sim.eventCount - 1;
    const target =
      this.recentOn(thread) ?? this.findBackward((ev) => ev.thread === thread) ?? (current > 0 ? current - 1 : null);
    if (target === null)
      return { kind: 'entry', thread, description: 'At the start of the simulation', breakpoints: [] };
    this.goTo(target);
    return this.stepStop(this.sim.m.ev);
  }

  /** Reverse continue: back to the latest earlier event a breakpoint stops at, or the start. */
  async reverseContinue(): Promise<Stop> {
    let hit: Stop | null = null;
    const target = this.findBackward((ev) => this.policy.check(ev, this.sim, false) !== null);
    if (target !== null) {
      this.goTo(target);
      hit = this.policy.check(this.sim.m.ev, this.sim, false);
    } else {
      this.goTo(0);
    }
    return (
      hit ?? {
        kind: 'entry',
        thread: this.sim.m.ev.thread,
        description: 'Reached the start of the simulation',
        breakpoints: [],
      }
    );
  }

  /** The previous event on `thread`, from the history ring, if it still holds it. */
  private recentOn(thread: number): number | null {
    const h = this.sim.m.history;
    const current = this.sim.eventCount - 1;
    if (h === null) return null;
    const oldest = Math.max(0, current - h.length + 1);
    for (let seq = current - 1; seq >= oldest; seq--) if (h[seq & (h.length - 1)] === thread) return seq;
    return null;
  }

  /**
   * The sequence number of the latest event before the current one that `pred` accepts,
   * scanning checkpoint windows from the newest back. Null if none. Leaves the simulation
   * wherever the scan ended: callers go to the result (or elsewhere) afterwards.
   */
  private findBackward(pred: (ev: StageEvent) => boolean): number | null {
    const current = this.sim.eventCount - 1;
    if (current <= 0) return null;
    let upper = current; // exclusive: events with seq < upper
    let found: number | null = null;
    for (let i = this.checkpoints.length - 1; i >= 0 && found === null; i--) {
      const cp = this.checkpoints[i];
      if (cp.events >= upper) continue;
      this.replayFrom(cp, upper - cp.events, (ev) => {
        if (pred(ev)) found = ev.seq;
      });
      upper = cp.events;
    }
    return found;
  }

  /**
   * Put the simulation exactly at event `seq` (as if it had just happened). A long replay
   * leaves a checkpoint a little before `seq`, so stepping back again and again stays cheap.
   */
  goTo(seq: number): void {
    const before = this.liveThreads;
    let cp = this.checkpoints[0];
    for (const c of this.checkpoints) if (c.events <= seq + 1 && c.events >= cp.events) cp = c;
    const distance = seq + 1 - cp.events;
    if (distance > 2 * LADDER) {
      this.replayFrom(cp, distance - LADDER, null);
      cp = this.insertCheckpoint();
    }
    this.replayFrom(cp, seq + 1 - cp.events, null);
    this.syncThreads(before);
  }

  /** A checkpoint of the current state, kept in order among the others. */
  private insertCheckpoint(): Checkpoint {
    const cp = capture(this.sim);
    const at = this.checkpoints.findIndex((c) => c.events > cp.events);
    if (at < 0) this.checkpoints.push(cp);
    else this.checkpoints.splice(at, 0, cp);
    if (this.checkpoints.length > MAX_CHECKPOINTS) this.thin();
    return cp;
  }

  /**
   * Restore a checkpoint and run `n` events (or until `until` accepts one) with only `observe`
   * watching (no output, no hit counts).
   */
  private replayFrom(
    cp: Checkpoint,
    n: number,
    observe: ((ev: StageEvent) => void) | null,
    until: ((ev: StageEvent) => boolean) | null = null,
  ): void {
    const m = this.sim.m;
    const listener = m.listener;
    const tracer = m.tracer;
    const threads = m.threadListener;
    const requests = m.requestListener;
    this.sim.restore(cp.state);
    Object.assign(m.ev, cp.ev);
    m.listener = observe;
    m.tracer = null;
    m.threadListener = null;
    m.requestListener = null;
    try {
      if (n > 0) m.run(n, until);
    } finally {
      m.listener = listener;
      m.tracer = tracer;
      m.threadListener = threads;
      m.requestListener = requests;
    }
  }

  // ---- the timeline --------------------------------------------------------------------------

  /** Go to an event or the first event at or after a time: back by replay, beyond what has run by running on. */
  seek(to: { event: number } | { timeNs: number }): Promise<Stop> {
    const rec = this.recorder;
    const ahead = 'event' in to ? to.event >= rec.next : to.timeNs > rec.endNs || rec.next === 0;
    if (ahead) {
      const reached = 'event' in to ? (ev: StageEvent) => ev.seq >= to.event : (ev: StageEvent) => ev.time >= to.timeNs;
      return this.forward((ev) => (reached(ev) ? this.gotoStop(ev) : null), { breakpoints: false });
    }
    if ('event' in to) this.goTo(to.event);
    else this.goToTime(to.timeNs);
    return Promise.resolve(this.gotoStop(this.sim.m.ev));
  }

  /** Put the simulation at the first recorded event at or after `ns`: one replay from the latest checkpoint before it. */
  private goToTime(ns: number): void {
    const before = this.liveThreads;
    let cp = this.checkpoints[0];
    for (const c of this.checkpoints) if (c.events > 0 && c.ev.time < ns && c.events >= cp.events) cp = c;
    this.replayFrom(cp, this.recorder.next - cp.events, null, (ev) => ev.time >= ns);
    this.syncThreads(before);
  }

  private gotoStop(ev: StageEvent): Stop {
    return { kind: 'goto', thread: ev.thread, description: `Went to event ${ev.seq}`, breakpoints: [] };
  }

  complete(): boolean {
    return this.ended;
  }

  /** WindowReplayer: replay recorded events on the side model, from a clean state before `fromSeq`. */
  replay(fromSeq: number, begin: (m: Machine) => void, observe: (ev: StageEvent) => boolean): void {
    const side = (this.side ??= new Simulator(this.scenario));
    let cp = this.checkpoints[0];
    for (const c of this.checkpoints) if (c.events <= fromSeq && c.events >= cp.events) cp = c;
    const m = side.m;
    side.restore(cp.state);
    Object.assign(m.ev, cp.ev);
    if (fromSeq > cp.events) m.run(fromSeq - cp.events);
    begin(m);
    const left = this.recorder.next - m.s.events;
    if (left > 0) m.run(left, observe);
  }
}

function capture(sim: Simulator): Checkpoint {
  return { events: sim.eventCount, state: sim.checkpoint(), ev: { ...sim.m.ev } };
}
