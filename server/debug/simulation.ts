// A simulation of QEMU 4.1.0 as the session debugs it: the model run by Execution (stepping,
// reverse execution, the timeline), its threads' stacks with the running coroutine's frames on
// top of a label frame, parked coroutines, and the scopes of a frame (Request, Locals,
// Coroutine, Thread, QEMU). Execution's thread numbers are the model's; DAP's are one more.

import { formatFrameName } from '../../common/frame-name';
import {
  Catalog,
  getCatalog,
  ChromeTraceWriter,
  frameLocals,
  mergeChain,
  modelledFunctions,
  Plain,
  qemuTraceLine,
  recordOf,
  requestInfo,
  Scenario,
  Stack,
  statsText,
  threadInfo,
  checkExportSize,
  writeLines,
} from '../../simulator';
import type { Frame, Machine, TimelineData, TimelineQuery } from '../../simulator';
import { Breakpoints } from './breakpoints';
import { Debuggee, DebuggeeHooks, FrameInfo, PARKED_THREAD, ScopeInfo, StageInfo } from './debuggee';
import { Execution, Stop } from './execution';
import type { Scope } from './expr/evaluate';
import { frameScope } from './scope';
import type { SourceMap } from './sources';

interface SimFrame {
  thread: number;
  frame: Frame | null;
  fnId: number;
  req: number;
  coroutine: number | null;
}

/** A stop with DAP's thread id. */
const dap = (s: Stop): Stop => ({ ...s, thread: s.thread + 1 });

export class SimulationDebuggee implements Debuggee {
  readonly catalog: Catalog;
  readonly breakpoints: Breakpoints;
  private readonly exec: Execution;
  private outputBudget = 0;
  private outputDropped = 0;

  constructor(
    scenario: Scenario,
    sources: SourceMap,
    private readonly trace: boolean,
    private readonly maxOutput: number,
    private readonly hooks: DebuggeeHooks,
  ) {
    this.catalog = getCatalog(scenario.qemuVersion);
    this.breakpoints = new Breakpoints(this.catalog, sources, modelledFunctions(scenario.qemuVersion));
    this.exec = new Execution(scenario, this.breakpoints, {
      threadsChanged: (started, exited) =>
        hooks.threadsChanged(
          started.map((id) => id + 1),
          exited.map((id) => id + 1),
        ),
      output: (lines) => hooks.output(lines),
    });
    this.installTracer();
  }

  get busy(): boolean {
    return this.exec.busy;
  }

  get finished(): boolean {
    return this.exec.finished;
  }

  get position(): { seq: number; timeNs: number; thread: number } | null {
    const ev = this.exec.position;
    return ev ? { seq: ev.seq, timeNs: ev.time, thread: ev.thread + 1 } : null;
  }

  // ---- running --------------------------------------------------------------------------

  /** Each run's trace lines are capped (the CLI prints them all). */
  private async run(what: () => Promise<Stop>): Promise<Stop> {
    this.outputBudget = this.maxOutput;
    this.outputDropped = 0;
    const stop = await what();
    this.hooks.output(this.exec.pendingOutput.splice(0));
    return dap(stop);
  }

  begin(stopOnEntry: boolean): Promise<Stop> {
    const exec = this.exec;
    if (!stopOnEntry) return this.run(() => exec.forward(null));
    return this.run(() =>
      exec.forward(() => ({ kind: 'entry', thread: 0, description: 'Entry', breakpoints: [] }), { breakpoints: false }),
    );
  }

  resume(): Promise<Stop> {
    return this.run(() => this.exec.forward(null));
  }

  /** The model's thread a DAP thread steps (the pseudo-thread steps the thread of the current event). */
  private simThread(thread: number): number {
    return thread === PARKED_THREAD ? (this.exec.position?.thread ?? 0) : thread - 1;
  }

  next(thread: number): Promise<Stop> {
    return this.run(() => this.exec.next(this.simThread(thread)));
  }

  stepIn(thread: number): Promise<Stop> {
    return this.run(() => this.exec.stepIn(this.simThread(thread)));
  }

  stepOut(thread: number): Promise<Stop> {
    return this.run(() => this.exec.stepOut(this.simThread(thread)));
  }

  stepBack(thread: number): Promise<Stop> {
    return this.run(() => this.exec.stepBack(this.simThread(thread)));
  }

  reverseContinue(): Promise<Stop> {
    return this.run(() => this.exec.reverseContinue());
  }

  seek(to: { event: number } | { timeNs: number }): Promise<Stop> {
    return this.run(() => this.exec.seek(to));
  }

  pause(): void {
    this.exec.pause();
  }

  restart(): void {
    this.exec.restart();
    this.installTracer();
  }

  private installTracer(): void {
    const exec = this.exec;
    const m = exec.sim.m;
    m.tracer = this.trace
      ? (t, event, args) => {
          if (this.outputBudget > 0) {
            this.outputBudget--;
            exec.pendingOutput.push(qemuTraceLine(m, t, event, args));
          } else this.outputDropped++;
        }
      : null;
  }

  stopLines(stop: Stop): string[] {
    const out: string[] = [];
    if (this.outputDropped > 0)
      out.push(`… ${this.outputDropped} more trace line(s) not shown (the CLI's --format qemu-trace prints them all)`);
    if (stop.kind === 'end')
      out.push(
        statsText(stop.stats ?? this.exec.sim.stats()),
        `${stop.description}. Step back or reverse-continue to look around; continue ends the session.`,
      );
    return out;
  }

  // ---- threads and frames ---------------------------------------------------------------

  threads(): { id: number; name: string }[] {
    return this.exec.sim.threads().map((t) => ({ id: t.id + 1, name: t.name }));
  }

  hasThread(id: number): boolean {
    return id === PARKED_THREAD || this.exec.sim.m.s.threads[id - 1] !== undefined;
  }

  parkedCount(): number {
    return this.exec.sim.parkedCount();
  }

  /** Plumbing is subtle — except the frame a thread is stopped in, which VS Code must focus. */
  private hint(fnId: number, isTop: boolean): 'subtle' | undefined {
    return !isTop && this.catalog.entry(fnId)!.plumbing ? 'subtle' : undefined;
  }

  private frame(ref: SimFrame, name: string, hint?: 'label' | 'subtle', at = ref.fnId): FrameInfo {
    return { name, hint, source: at >= 0 ? { fn: at } : null, ref };
  }

  /** A stack's frames, innermost first; with `topAware`, the thread's very first frame is never subtle. */
  private pushFrames(
    all: FrameInfo[],
    thread: number,
    stack: Stack,
    coroutine: number | null,
    topAware: boolean,
  ): void {
    for (let i = stack.depth - 1; i >= 0; i--) {
      const f = stack.frames[i];
      all.push(
        this.frame(
          { thread, frame: f, fnId: f.fn, req: f.req, coroutine },
          formatFrameName(this.catalog.entry(f.fn)!),
          this.hint(f.fn, topAware && all.length === 0),
        ),
      );
    }
  }

  stack(threadId: number): FrameInfo[] {
    const sim = this.exec.sim;
    const all: FrameInfo[] = [];
    if (threadId === PARKED_THREAD) {
      for (const co of sim.parkedCoroutines()) {
        const top = co.frames[0];
        const where = top
          ? `${co.state} in ${co.frames.find((f) => f.name !== 'qemu_coroutine_yield')?.name ?? top.name}`
          : co.state;
        const live = sim.m.s.w.co.live.get(co.id)!;
        all.push(
          this.frame(
            { thread: co.thread, frame: null, fnId: -1, req: co.req, coroutine: co.id },
            `coroutine #${co.id} · ${co.entry} — ${where}${co.req >= 0 ? ` (request ${co.req})` : ''}`,
            'label',
            live.entry,
          ),
        );
        this.pushFrames(all, co.thread, live.stack, co.id, false);
      }
      return all;
    }
    const thread = threadId - 1;
    const t = sim.m.s.threads[thread];
    if (!t) return all;
    if (t.co >= 0) {
      const co = sim.m.s.w.co.live.get(t.co)!;
      this.pushFrames(all, thread, co.stack, co.id, true);
      all.push(
        this.frame(
          { thread, frame: null, fnId: -1, req: co.req, coroutine: co.id },
          `coroutine #${co.id} · ${this.catalog.name(co.entry)}`,
          'label',
          co.entry,
        ),
      );
    }
    this.pushFrames(all, thread, t.native, null, true);
    return all;
  }

  // ---- variables ------------------------------------------------------------------------

  scopes(r: object): ScopeInfo[] {
    const ref = r as SimFrame;
    const sim = this.exec.sim;
    const scopes: ScopeInfo[] = [];
    const req = ref.req >= 0 ? requestInfo(sim.m, ref.req) : null;
    if (req) scopes.push({ name: `Request ${ref.req}`, value: req });
    if (ref.frame) scopes.push({ name: 'Locals', value: frameLocals(sim.m, ref.frame) });
    if (ref.coroutine !== null) {
      const co = sim.coroutine(ref.coroutine);
      if (co)
        scopes.push({
          name: `Coroutine #${co.id}`,
          value: {
            id: co.id,
            state: co.state,
            entry: co.entry,
            request: co.req,
            thread: sim.m.s.threads[co.thread]?.name ?? null,
            yielded_at_ns: co.yieldedAt >= 0 ? co.yieldedAt : null,
            backtrace: co.frames.map((f) => f.name),
          },
        });
    }
    const t = sim.m.s.threads[ref.thread];
    if (t) scopes.push({ name: `Thread ${t.name}`, value: threadInfo(sim.m, t) });
    scopes.push({
      name: 'QEMU',
      value: () => ({
        version: sim.scenario.qemuVersion,
        ...(sim.snapshot() as unknown as { [k: string]: Plain }),
        statistics: sim.stats() as unknown as Plain,
      }),
      expensive: true,
    });
    return scopes;
  }

  expressionScope(r: object | null): Scope {
    const ref = r as SimFrame | null;
    const thread = ref?.thread ?? this.exec.position?.thread ?? 0;
    return frameScope(
      this.exec.sim,
      thread,
      ref && ref.frame ? { fnId: ref.fnId, req: ref.req, coroutine: ref.coroutine, raw: ref.frame } : null,
    );
  }

  stage(threadId: number): StageInfo {
    const exec = this.exec;
    const stack = exec.sim.stack(threadId - 1);
    const top = stack[0];
    const f = top ? this.catalog.entry(top.fnId)! : undefined;
    return {
      thread: exec.sim.m.s.threads[threadId - 1]?.name ?? '',
      function: f?.name ?? '',
      stage: f?.stage ?? '',
      group: f ? (this.catalog.stage(f.stage)?.group ?? '') : '',
      requestIds: top && top.req >= 0 ? mergeChain(exec.sim.m.s.w, top.req) : [],
      event: exec.position?.seq ?? -1,
      timeNs: exec.position?.time ?? 0,
    };
  }

  // ---- the timeline ---------------------------------------------------------------------

  timeline(q: TimelineQuery): TimelineData {
    return this.exec.timeline.query(q);
  }

  dapThread(t: number): number {
    return t + 1;
  }

  /** Writes the range as a Chrome trace (a replay of it); returns how many events it holds. */
  exportRange(path: string, fromNs: number | undefined, toNs: number | undefined): number {
    const exec = this.exec;
    const rec = exec.recorder;
    const from = fromNs ?? 0;
    const to = toNs ?? rec.endNs;
    const { first, last } = rec.seqRange(from, to);
    checkExportSize(first, last);
    return writeLines(path, (line) => {
      let n = 0;
      let writer: ChromeTraceWriter | null = null;
      let machine: { m: Machine } | null = null;
      exec.replay(
        first,
        (m) => {
          machine = { m };
          writer = new ChromeTraceWriter(machine, line);
        },
        (ev) => {
          if (ev.time < from) return false;
          if (ev.time > to) return true;
          if (n === 0) writer!.openAt(from);
          writer!.event(recordOf(machine!.m, ev));
          n++;
          return false;
        },
      );
      if (writer === null) throw new RangeError('nothing has run yet');
      if (n === 0) (writer as ChromeTraceWriter).openAt(from);
      (writer as ChromeTraceWriter).finish();
      return n;
    });
  }

  dispose(): void {
    this.exec.pause();
  }
}
