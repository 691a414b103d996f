// The discrete-event core: simulated threads that each execute an explicit stack of frames,
// one step at a time, ordered by simulated time (ns). A step is one QEMU function doing one
// thing: calling a callee (enter), returning (exit), or suspending/resuming a coroutine.
// Every step emits exactly one stage event; a thread that only waits emits none.
//
// All mutable state lives in `Machine.s` as plain data, so a checkpoint is a structured
// clone and the model replays identically from it. Functions (steps, timers, listeners)
// live outside that state and are looked up by small integer ids.

import { cloneState, WorldCopiers } from './clone';
import { seedRng } from './rng';
import {
  ENTRY,
  Frame,
  Heap,
  Phase,
  PhaseValue,
  SimState,
  SimThread,
  Slot,
  SLOTS,
  Stack,
  StageEvent,
  StopReason,
  StopReasonValue,
  ThreadKindName,
  ThreadState,
  TraceArg,
  TraceSink,
  Wait,
  World,
} from './types';

export type Step = (m: Machine, t: SimThread, f: Frame) => void;
export type TimerFn = (m: Machine, arg: number) => void;

// ---- steps and their frame layouts ------------------------------------------------------------

/** A named frame slot and the kind of value it holds (for people looking at it): `name: kind`. */
export type SlotDecl<K extends string = string> = `${string}: ${K}`;

/** How a function uses its frame, declared once next to its step. */
export interface Layout<K extends string = string> {
  /** The call's arguments, in call order: they fill the first slots and are never written. */
  readonly args?: readonly SlotDecl<K>[];
  /** What the function keeps across its steps, in the slots after the arguments. */
  readonly locals?: readonly SlotDecl<K>[];
  /** Resume points: where the function continues after a callee returned or it was woken (pc 1, 2, ...). */
  readonly at?: readonly string[];
}

export interface SlotInfo {
  readonly name: string;
  readonly kind: string;
  readonly slot: Slot;
}

/** A QEMU function's step, with its frame layout. `A` types its call sites' arguments. */
export interface StepDef<A extends readonly unknown[] = readonly unknown[]> {
  /** Catalog id (Frame.fn). */
  readonly id: number;
  /** Catalog key: the QEMU name, or `name@qualifier`. */
  readonly key: string;
  readonly args: readonly SlotInfo[];
  readonly locals: readonly SlotInfo[];
  /** Resume point names: pc n ≥ 1 is at[n - 1]. */
  readonly at: readonly string[];
  readonly run: Step;
  /** Only carries the argument list's type. */
  readonly callArgs?: A;
}

/** What a BH, fd handler or completion calls through a pointer: a function of its opaque. */
export type Callback = StepDef<readonly [] | readonly [opaque: unknown]>;

type NameOf<D> = D extends `${infer N}: ${string}` ? N : never;
type ElemOf<T> = T extends readonly (infer E)[] ? E : never;
/** The slot of each named argument and local. */
export type SlotsOf<L extends Layout> = {
  readonly [N in NameOf<ElemOf<L['args']>> | NameOf<ElemOf<L['locals']>>]: Slot;
};
/** The pc of each resume point. */
export type ResumePoints<L extends Layout> = { readonly [N in ElemOf<L['at']>]: number };
export type ArgsOf<L extends Layout> = L['args'] extends readonly unknown[] ? L['args'] : [];
type CallArgs<A extends readonly unknown[]> = { -readonly [I in keyof A]: number };

/**
 * A step from its layout: `body` receives the slot of each name and the pc of each resume
 * point, once, and returns the step function, which reads and writes `f[name]`.
 */
export function defineStep<const L extends Layout>(
  id: number,
  key: string,
  layout: L,
  body: (slots: SlotsOf<L>, at: ResumePoints<L>) => Step,
): StepDef<ArgsOf<L>> {
  const nArgs = layout.args?.length ?? 0;
  const decls = [...(layout.args ?? []), ...(layout.locals ?? [])];
  if (nArgs > 3 || decls.length > SLOTS.length)
    throw new Error(`${key}: a frame has ${SLOTS.length} slots and a call at most 3 arguments`);
  const slots: Record<string, Slot> = {};
  const infos = decls.map((d, i): SlotInfo => {
    const [name, kind] = d.split(': ');
    if (!name || !kind || name in slots) throw new Error(`${key}: bad or repeated slot "${d}"`);
    slots[name] = SLOTS[i];
    return { name, kind, slot: SLOTS[i] };
  });
  const at: Record<string, number> = {};
  (layout.at ?? []).forEach((name, i) => (at[name] = i + 1));
  const run = body(slots as SlotsOf<L>, at as ResumePoints<L>);
  return stepDef(id, key, infos.slice(0, nArgs), infos.slice(nArgs), layout.at ?? [], run);
}

/**
 * Every StepDef comes from this one literal, so they all share one hidden class and the
 * interpreter's `callee.id` stays monomorphic (two shapes cost the simulator ~1%).
 */
function stepDef<A extends readonly unknown[]>(
  id: number,
  key: string,
  args: readonly SlotInfo[],
  locals: readonly SlotInfo[],
  at: readonly string[],
  run: Step,
): StepDef<A> {
  return { id, key, args, locals, at, run };
}

/** Tail calls whose callee's arguments are not known yet (see resolveTailCalls). */
const unresolved = new Map<StepDef, () => StepDef>();

/**
 * A function whose whole body is one call with its own arguments, returning what the callee
 * returns: `return callee(args);` (wrappers, dispatch glue, one-line callbacks). It takes the
 * callee's arguments. The callee is named through a function so that it may be defined later,
 * in a module that imports this one; resolveTailCalls gives the step its arguments once all are.
 */
export function tailCall<A extends readonly unknown[]>(id: number, key: string, callee: () => StepDef<A>): StepDef<A> {
  let target: StepDef<readonly number[]> | undefined;
  const def = stepDef<A>(id, key, [], [], ['returned'], (m, t, f) => {
    if (f.pc === ENTRY) {
      f.pc = 1;
      return m.call(t, (target ??= callee() as StepDef<readonly number[]>), f.req, f.a, f.b, f.c);
    }
    return m.ret(t, f.ret);
  });
  unresolved.set(def, callee);
  return def;
}

/** Gives each tail call its callee's arguments; call it once every step module is loaded. */
export function resolveTailCalls(): void {
  const resolve = (def: StepDef): readonly SlotInfo[] => {
    const callee = unresolved.get(def);
    if (callee) {
      unresolved.delete(def);
      (def as { args: readonly SlotInfo[] }).args = resolve(callee());
    }
    return def.args;
  };
  for (const def of [...unresolved.keys()]) resolve(def);
}

/** Heap item kinds below FIRST_TIMER are the engine's own. */
const KIND_THREAD = 0;
const KIND_TIMEOUT = 1;
export const FIRST_TIMER = 2;

export class Machine {
  s: SimState;
  /** Step function per catalog function id. */
  readonly steps: Step[];
  /** Timer callbacks per timer kind (>= FIRST_TIMER). */
  readonly timers: TimerFn[] = [];
  /** CPU cost (ns) of entering each function. */
  readonly cost: Float64Array;
  exitCost = 10;
  /** Optional observer of every stage event (output writers, breakpoints). */
  listener: ((ev: StageEvent) => void) | null = null;
  /** Optional receiver of QEMU trace-event points; steps only build arguments when set. */
  tracer: TraceSink | null = null;
  /**
   * Names the tracer sees for events the model fires under another name: a later version's name
   * for a renamed event, or null for one that version no longer has. Null: names as fired.
   */
  traceNames: ReadonlyMap<string, string | null> | null = null;
  /** Optional observer of threads coming and going (worker threads do). */
  threadListener: ((t: SimThread, event: 'started' | 'exited') => void) | null = null;
  /** Optional observer of guest requests completing, by id (a timeline records their stage times). */
  requestListener: ((req: number) => void) | null = null;
  readonly ev: StageEvent = { seq: 0, time: 0, thread: 0, co: -1, fn: 0, phase: 0, req: -1, depth: 0 };
  /**
   * Optional ring of the thread of each recent event (indexed by seq & mask), kept by a
   * debugger so stepping back can find "the previous event on this thread" without replaying.
   */
  history: Int32Array | null = null;

  constructor(fnCount: number, seed: number, w: World) {
    this.steps = new Array<Step>(fnCount);
    this.cost = new Float64Array(fnCount);
    this.s = {
      now: 0,
      seq: 0,
      events: 0,
      cur: -1,
      done: false,
      heap: newHeap(256),
      threads: [],
      rng: seedRng(seed),
      w,
    };
  }

  // ---- threads -------------------------------------------------------------------------

  spawnThread(
    name: string,
    kind: ThreadKindName,
    ctx: number,
    base: StepDef,
    at: number,
    tid: number,
    arg = 0,
  ): SimThread {
    const native: Stack = { frames: [], depth: 0 };
    const t: SimThread = {
      id: this.s.threads.length,
      name,
      kind,
      tid,
      native,
      stack: native,
      co: -1,
      ctx,
      time: at,
      state: ThreadState.runnable,
      wait: Wait.none,
      timedOut: false,
      token: 0,
      timeoutAt: -1,
      timeoutQueuedAt: -1,
      createdAt: at,
      exitedAt: -1,
      idleSince: at,
      fresh: true,
    };
    this.s.threads.push(t);
    pushFrame(native, base.id, -1, arg, 0, 0);
    this.schedule(at, KIND_THREAD, t.id, t.token);
    if (this.threadListener !== null) this.threadListener(t, 'started');
    return t;
  }

  /**
   * Park `t` until woken; with `timeoutAt` it also wakes then, with `timedOut` set. A thread
   * keeps at most one timeout entry queued (re-armed when it fires early), so an idle worker
   * waiting 10 s again and again does not fill the heap.
   */
  block(t: SimThread, wait: number, timeoutAt = -1): void {
    t.state = ThreadState.blocked;
    t.wait = wait;
    t.idleSince = t.time;
    t.timedOut = false;
    t.token++;
    t.timeoutAt = timeoutAt;
    if (timeoutAt >= 0 && (t.timeoutQueuedAt < 0 || t.timeoutQueuedAt > timeoutAt)) {
      t.timeoutQueuedAt = timeoutAt;
      this.schedule(timeoutAt, KIND_TIMEOUT, t.id, 0);
    }
  }

  wake(t: SimThread, at: number): void {
    if (t.state !== ThreadState.blocked) return;
    t.timeoutAt = -1;
    t.state = ThreadState.runnable;
    t.wait = Wait.none;
    t.token++;
    if (t.time < at) t.time = at;
    this.schedule(t.time, KIND_THREAD, t.id, t.token);
  }

  exitThread(t: SimThread): void {
    t.state = ThreadState.exited;
    t.token++;
    t.exitedAt = t.time;
    if (this.threadListener !== null) this.threadListener(t, 'exited');
  }

  // ---- timers ----------------------------------------------------------------------------

  /** Register a timer callback; the returned kind is stable for a given registration order. */
  addTimer(fn: TimerFn): number {
    if (this.timers.length < FIRST_TIMER) this.timers.length = FIRST_TIMER;
    this.timers.push(fn);
    return this.timers.length - 1;
  }

  at(time: number, kind: number, arg: number): void {
    this.schedule(time, kind, arg, 0);
  }

  private schedule(time: number, kind: number, arg: number, token: number): void {
    heapPush(this.s.heap, time, this.s.seq++, kind, arg, token);
  }

  // ---- the interpreter's primitives, used by every step function --------------------------

  /** Call `callee` on the stack `t` is executing: `callee(args)` in QEMU. */
  call<A extends readonly unknown[]>(t: SimThread, callee: StepDef<A>, req: number, ...args: CallArgs<A>): void;
  call(t: SimThread, callee: StepDef, req: number, a = 0, b = 0, c = 0): void {
    const st = t.stack;
    const fn = callee.id;
    pushFrame(st, fn, req, a, b, c);
    this.emit(t, fn, Phase.enter, req, st.depth);
    t.time += this.cost[fn];
  }

  /** Call the function whose id the model keeps as data: a callback, handler or method pointer in QEMU. */
  callIndirect(t: SimThread, fn: number, req: number, a = 0, b = 0, c = 0): void {
    const st = t.stack;
    pushFrame(st, fn, req, a, b, c);
    this.emit(t, fn, Phase.enter, req, st.depth);
    t.time += this.cost[fn];
  }

  /** Return from the function on top of `t`'s stack, handing `value` to its caller. */
  ret(t: SimThread, value = 0): void {
    const st = t.stack;
    const f = st.frames[st.depth - 1];
    this.emit(t, f.fn, Phase.exit, f.req, st.depth);
    st.depth--;
    if (st.depth > 0) st.frames[st.depth - 1].ret = value;
    t.time += this.exitCost;
  }

  emit(t: SimThread, fn: number, phase: PhaseValue, req: number, depth: number): void {
    const ev = this.ev;
    ev.seq = this.s.events++;
    ev.time = t.time;
    ev.thread = t.id;
    ev.co = t.co;
    ev.fn = fn;
    ev.phase = phase;
    ev.req = req;
    ev.depth = depth;
    if (this.history !== null) this.history[ev.seq & (this.history.length - 1)] = t.id;
    if (this.listener !== null) this.listener(ev);
  }

  /** A QEMU trace point; the argument list is only built when someone traces. */
  trace(
    t: SimThread,
    event: string,
    a0?: TraceArg,
    a1?: TraceArg,
    a2?: TraceArg,
    a3?: TraceArg,
    a4?: TraceArg,
    a5?: TraceArg,
    a6?: TraceArg,
  ): void {
    if (this.tracer === null) return;
    const renamed = this.traceNames?.get(event);
    if (renamed === null) return;
    if (renamed !== undefined) event = renamed;
    const args = [a0, a1, a2, a3, a4, a5, a6];
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    this.tracer(t, event, args as TraceArg[]);
  }

  // ---- running ---------------------------------------------------------------------------

  /**
   * Run until `maxEvents` more stage events happened, `pred` accepted one, simulated time
   * passed `untilTime`, the model said it is done, or nothing is left to run.
   */
  run(maxEvents: number, pred: ((ev: StageEvent) => boolean) | null = null, untilTime = Infinity): StopReasonValue {
    const s = this.s;
    const heap = s.heap;
    const threads = s.threads;
    const steps = this.steps;
    const target = s.events + maxEvents;
    let t: SimThread | null = s.cur >= 0 ? threads[s.cur] : null;
    for (;;) {
      if (s.done && (t === null || t.state !== ThreadState.runnable) && this.quiescent()) return StopReason.done;
      if (s.events >= target) return StopReason.limit;
      if (t === null || t.state !== ThreadState.runnable || (heap.size > 0 && heap.time[0] < t.time)) {
        if (t !== null && t.state === ThreadState.runnable) this.schedule(t.time, KIND_THREAD, t.id, t.token);
        s.cur = -1;
        t = null;
        if (heap.size === 0) return StopReason.idle;
        if (heap.time[0] > untilTime) return StopReason.time;
        const time = heap.time[0];
        const kind = heap.kind[0];
        const arg = heap.arg[0];
        const token = heap.token[0];
        heapPop(heap);
        s.now = time;
        if (kind === KIND_THREAD) {
          const th = threads[arg];
          if (th.token !== token || th.state !== ThreadState.runnable) continue;
          t = th;
          s.cur = th.id;
        } else if (kind === KIND_TIMEOUT) {
          const th = threads[arg];
          if (th.timeoutQueuedAt === time) th.timeoutQueuedAt = -1;
          if (th.state === ThreadState.blocked && th.timeoutAt >= 0) {
            if (time >= th.timeoutAt) {
              this.wake(th, time);
              th.timedOut = true;
            } else if (th.timeoutQueuedAt < 0) {
              th.timeoutQueuedAt = th.timeoutAt;
              this.schedule(th.timeoutAt, KIND_TIMEOUT, th.id, 0);
            }
          }
        } else {
          this.timers[kind](this, arg);
        }
        continue;
      }
      s.now = t.time;
      const st = t.stack;
      const f = st.frames[st.depth - 1];
      const before = s.events;
      if (t.fresh) {
        // a new thread starts by entering its base function
        t.fresh = false;
        this.emit(t, f.fn, Phase.enter, f.req, st.depth);
        t.time += this.cost[f.fn];
      } else steps[f.fn](this, t, f);
      if (pred !== null && s.events !== before && pred(this.ev)) return StopReason.predicate;
    }
  }

  /** Nothing left but threads waiting for a timeout (idle workers): the host has settled. */
  private quiescent(): boolean {
    const h = this.s.heap;
    for (let i = 0; i < h.size; i++) {
      if (h.kind[i] === KIND_TIMEOUT) continue;
      if (h.kind[i] === KIND_THREAD) {
        const th = this.s.threads[h.arg[i]];
        if (th.token !== h.token[i] || th.state !== ThreadState.runnable) continue;
      }
      return false;
    }
    return true;
  }

  /** How layers copy their part of the state, and re-establish references inside it. */
  readonly copiers: WorldCopiers = {};
  readonly relink: ((s: SimState) => void)[] = [];

  checkpoint(): SimState {
    return cloneState(this.s, this.copiers, this.relink);
  }

  restore(cp: SimState): void {
    this.s = cloneState(cp, this.copiers, this.relink);
  }
}

export function pushFrame(st: Stack, fn: number, req: number, a: number, b: number, c: number): void {
  let f = st.frames[st.depth];
  if (f === undefined) {
    f = { fn, pc: 0, req, a, b, c, d: 0, ret: 0 };
    st.frames.push(f);
  } else {
    f.fn = fn;
    f.pc = 0;
    f.req = req;
    f.a = a;
    f.b = b;
    f.c = c;
    f.d = 0;
    f.ret = 0;
  }
  st.depth++;
}

// ---- the heap ------------------------------------------------------------------------------

function newHeap(cap: number): Heap {
  return {
    size: 0,
    time: new Float64Array(cap),
    seq: new Float64Array(cap),
    kind: new Int32Array(cap),
    arg: new Int32Array(cap),
    token: new Int32Array(cap),
  };
}

function grow(h: Heap): void {
  const cap = h.time.length * 2;
  const t = new Float64Array(cap);
  t.set(h.time);
  h.time = t;
  const q = new Float64Array(cap);
  q.set(h.seq);
  h.seq = q;
  const k = new Int32Array(cap);
  k.set(h.kind);
  h.kind = k;
  const a = new Int32Array(cap);
  a.set(h.arg);
  h.arg = a;
  const o = new Int32Array(cap);
  o.set(h.token);
  h.token = o;
}

function less(h: Heap, i: number, j: number): boolean {
  return h.time[i] < h.time[j] || (h.time[i] === h.time[j] && h.seq[i] < h.seq[j]);
}

function swap(h: Heap, i: number, j: number): void {
  let x: number;
  x = h.time[i];
  h.time[i] = h.time[j];
  h.time[j] = x;
  x = h.seq[i];
  h.seq[i] = h.seq[j];
  h.seq[j] = x;
  x = h.kind[i];
  h.kind[i] = h.kind[j];
  h.kind[j] = x;
  x = h.arg[i];
  h.arg[i] = h.arg[j];
  h.arg[j] = x;
  x = h.token[i];
  h.token[i] = h.token[j];
  h.token[j] = x;
}

function heapPush(h: Heap, time: number, seq: number, kind: number, arg: number, token: number): void {
  if (h.size === h.time.length) grow(h);
  let i = h.size++;
  h.time[i] = time;
  h.seq[i] = seq;
  h.kind[i] = kind;
  h.arg[i] = arg;
  h.token[i] = token;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h, i, p)) break;
    swap(h, i, p);
    i = p;
  }
}

function heapPop(h: Heap): void {
  const last = --h.size;
  if (last === 0) return;
  h.time[0] = h.time[last];
  h.seq[0] = h.seq[last];
  h.kind[0] = h.kind[last];
  h.arg[0] = h.arg[last];
  h.token[0] = h.token[last];
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= last) break;
    const r = l + 1;
    const c = r < last && less(h, r, l) ? r : l;
    if (!less(h, c, i)) break;
    swap(h, i, c);
    i = c;
  }
}
