// Exact spans of a short window, built from a replay of it: each thread's call slices (a
// coroutine's frames leave the thread when it yields and come back, maybe on another thread,
// when it is re-entered, as in chrome-trace.ts), the time each thread waited (blocked in ppoll,
// a semaphore, a system call), and each coroutine's running and parked spans. The replay starts
// from a clean state between two events (`begin`), so frames open then are known to be open.

import { CoState } from '../coroutine/coroutine';
import { Machine } from '../engine/machine';
import { Phase, StageEvent, ThreadState } from '../engine/types';

/** A call: [start, end) on a thread; `seq` is its enter event (-1: it began before the window). */
export interface Slice {
  thread: number;
  start: number;
  end: number;
  fn: number;
  depth: number;
  seq: number;
  /** The coroutine it ran in, or -1. */
  co: number;
}

/** A thread blocked, from when it blocked until the event that followed its wake-up. */
export interface WaitSpan {
  thread: number;
  start: number;
  end: number;
  /** The function it blocked in. */
  fn: number;
}

export interface CoroutineSpan {
  co: number;
  state: 'running' | 'parked';
  start: number;
  end: number;
  /** Running: the thread; parked: the thread it left. */
  thread: number;
  /** Running: the coroutine's entry function; parked: where it waits (the caller of the yield). */
  fn: number;
  /** The event that began it (-1: before the window). */
  seq: number;
}

export interface Detail {
  slices: Slice[];
  waits: WaitSpan[];
  coroutines: CoroutineSpan[];
}

interface Open {
  fn: number;
  start: number;
  seq: number;
  co: number;
}

export class DetailBuilder {
  private readonly out: Detail = { slices: [], waits: [], coroutines: [] };
  /** Open frames per thread, bottom first. */
  private readonly stacks: Open[][] = [];
  /** Frames a parked coroutine took with it. */
  private readonly parked = new Map<number, Open[]>();
  /** Each coroutine's open span. */
  private readonly coSpans = new Map<number, CoroutineSpan>();
  private readonly lastToken: number[] = [];
  private m: Machine | null = null;

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}

  /** The state between two events, when the window's events begin. */
  begin(m: Machine): void {
    this.m = m;
    const from = this.from;
    const w = m.s.w;
    for (const t of m.s.threads) {
      if (t.state === ThreadState.exited) continue;
      this.lastToken[t.id] = t.token;
      const s: Open[] = [];
      for (let i = 0; i < t.native.depth; i++) s.push({ fn: t.native.frames[i].fn, start: from, seq: -1, co: -1 });
      if (t.co >= 0) {
        const co = w.co.live.get(t.co);
        if (co)
          for (let i = 0; i < co.stack.depth; i++)
            s.push({ fn: co.stack.frames[i].fn, start: from, seq: -1, co: co.id });
      }
      this.stacks[t.id] = s;
      if (t.state === ThreadState.blocked) this.waitStart.set(t.id, Math.max(from, t.idleSince));
    }
    for (const co of w.co.live.values()) {
      if (co.state === CoState.running) {
        this.coSpans.set(co.id, {
          co: co.id,
          state: 'running',
          start: from,
          end: from,
          thread: co.thread,
          fn: co.entry,
          seq: -1,
        });
      } else if (co.stack.depth > 0) {
        const frames: Open[] = [];
        for (let i = 0; i < co.stack.depth; i++)
          frames.push({ fn: co.stack.frames[i].fn, start: from, seq: -1, co: co.id });
        this.parked.set(co.id, frames);
        const where = co.stack.depth >= 2 ? co.stack.frames[co.stack.depth - 2].fn : co.entry;
        this.coSpans.set(co.id, {
          co: co.id,
          state: 'parked',
          start: Math.max(from, co.yieldedAt),
          end: from,
          thread: co.thread,
          fn: where,
          seq: -1,
        });
      }
    }
  }

  /** Threads blocked at `begin`, and when. */
  private readonly waitStart = new Map<number, number>();

  event(ev: StageEvent): void {
    const m = this.m!;
    const mt = m.s.threads[ev.thread];
    const time = ev.time;
    const tid = ev.thread;
    let stack = this.stacks[tid];
    if (stack === undefined) stack = this.stacks[tid] = [];
    // a thread that blocked since its last event waited from then until now
    const blockedAt = this.waitStart.get(tid);
    if (blockedAt !== undefined || (this.lastToken[tid] !== undefined && mt.token !== this.lastToken[tid])) {
      const start = blockedAt ?? mt.idleSince;
      if (time > start && start < this.to)
        this.out.waits.push({ thread: tid, start, end: time, fn: stack.length ? stack[stack.length - 1].fn : ev.fn });
      this.waitStart.delete(tid);
    }
    this.lastToken[tid] = mt.token;
    switch (ev.phase) {
      case Phase.enter:
        stack.push({ fn: ev.fn, start: time, seq: ev.seq, co: ev.co });
        // a coroutine starts on its trampoline
        if (ev.co >= 0 && ev.depth === 1) this.openCo(ev, 'running', m.s.w.co.live.get(ev.co)?.entry ?? ev.fn);
        return;
      case Phase.exit: {
        const f = stack.pop();
        if (f) this.slice(tid, f, time, stack.length);
        if (ev.co >= 0 && ev.depth === 1) this.endCo(ev.co, time);
        return;
      }
      case Phase.yield: {
        const taken: Open[] = [];
        while (stack.length > 0 && stack[stack.length - 1].co === ev.co && ev.co >= 0) {
          const f = stack.pop()!;
          this.slice(tid, f, time, stack.length);
          taken.unshift({ ...f, start: time, seq: -1 });
        }
        this.parked.set(ev.co, taken);
        this.endCo(ev.co, time);
        // where it waits: the caller of qemu_coroutine_yield
        this.openCo(ev, 'parked', taken.length >= 2 ? taken[taken.length - 2].fn : ev.fn);
        return;
      }
      default: {
        for (const f of this.parked.get(ev.co) ?? []) stack.push({ ...f, start: time });
        this.parked.delete(ev.co);
        this.endCo(ev.co, time);
        this.openCo(ev, 'running', m.s.w.co.live.get(ev.co)?.entry ?? ev.fn);
      }
    }
  }

  private openCo(ev: StageEvent, state: CoroutineSpan['state'], fn: number): void {
    this.coSpans.set(ev.co, { co: ev.co, state, start: ev.time, end: ev.time, thread: ev.thread, fn, seq: ev.seq });
  }

  private slice(thread: number, f: Open, end: number, depth: number): void {
    if (end < this.from || f.start > this.to) return;
    this.out.slices.push({ thread, start: f.start, end, fn: f.fn, depth, seq: f.seq, co: f.co });
  }

  private endCo(co: number, time: number): void {
    const s = this.coSpans.get(co);
    if (!s) return;
    this.coSpans.delete(co);
    s.end = time;
    if (s.end >= this.from && s.start <= this.to && s.end > s.start) this.out.coroutines.push(s);
  }

  /** Close what is still open at `end` (the window's end, or the end of what was run). */
  finish(end: number): Detail {
    for (const [tid, stack] of this.stacks.entries()) {
      if (!stack) continue;
      for (let d = stack.length - 1; d >= 0; d--) this.slice(tid, stack[d], end, d);
    }
    // threads blocked since their last event wait on to the end
    for (const t of this.m?.s.threads ?? []) {
      if (t.state !== ThreadState.blocked) continue;
      const since = this.waitStart.get(t.id) ?? (t.token !== this.lastToken[t.id] ? t.idleSince : -1);
      const start = Math.max(this.from, since);
      const stack = this.stacks[t.id];
      if (since >= 0 && end > start)
        this.out.waits.push({ thread: t.id, start, end, fn: stack?.length ? stack[stack.length - 1].fn : 0 });
    }
    for (const co of [...this.coSpans.keys()]) this.endCo(co, end);
    this.out.slices.sort((a, b) => a.start - b.start || a.depth - b.depth);
    this.out.coroutines.sort((a, b) => a.co - b.co || a.start - b.start);
    return this.out;
  }
}
