// Stage events as a Chrome trace (the JSON "Trace Event Format" that ui.perfetto.dev and
// chrome://tracing open): one track per QEMU thread with its call slices, and one async track
// per coroutine from creation to termination, with its parked (yielded) spans nested inside.
//
// Per-thread slices must nest, but a coroutine's frames leave their thread when it yields and
// may come back on another thread. So at a yield the coroutine's open frames are closed on the
// thread it leaves and reopened, at the resume, on the thread that re-enters it.

import { Catalog, Fn } from '../catalog';
import { CoState } from '../coroutine/coroutine';
import { Machine } from '../engine/machine';
import { ThreadState } from '../engine/types';
import { StageEventRecord } from '../simulator';
import { catalogOf } from '../version';

interface Open {
  name: string;
  co: number | null;
  stage: string;
}

const us = (ns: number): number => ns / 1000;

export class ChromeTraceWriter {
  private first = true;
  private readonly named = new Set<number>();
  /** Open call slices per thread, bottom first. */
  private readonly open = new Map<number, Open[]>();
  /** The frames a parked coroutine took with it, bottom first. */
  private readonly parked = new Map<number, Open[]>();
  private lastNs = 0;

  /** Coroutines begun and not yet terminated, with their track's name. */
  private readonly live = new Map<number, string>();
  /** The catalog of the version the machine runs. */
  private readonly catalog: Catalog;

  /** `line` receives the JSON a line at a time, without the newline. */
  constructor(
    private readonly sim: { readonly m: Machine },
    private readonly line: (text: string) => void,
  ) {
    this.catalog = catalogOf(sim.m);
    const v = this.catalog.version;
    this.line(`{"displayTimeUnit":"ns","otherData":{"generator":"qemu-io-explorer","qemu":"${v}"},"traceEvents":[`);
    this.emit({ ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: `QEMU ${v} (simulated)` } });
  }

  /**
   * Start in the middle of a run (an exported window): open, at `ns`, the frames the threads are
   * in and the coroutines that exist, from the model's state between two events.
   */
  openAt(ns: number): void {
    const w = this.sim.m.s.w;
    const ts = us(ns);
    this.lastNs = ns;
    for (const t of this.sim.m.s.threads) {
      if (t.state === ThreadState.exited) continue;
      const tid = t.id + 1;
      this.name(tid, t.name);
      const stack = this.stackOf(tid);
      const co = t.co >= 0 ? w.co.live.get(t.co) : undefined;
      const frames = [
        ...t.native.frames.slice(0, t.native.depth),
        ...(co ? co.stack.frames.slice(0, co.stack.depth) : []),
      ];
      frames.forEach((f, i) => {
        const name = this.catalog.name(f.fn);
        const inCo = co && i >= t.native.depth ? co.id : null;
        const stage = this.catalog.entry(f.fn)!.stage;
        stack.push({ name, co: inCo, stage });
        this.emit({ ph: 'B', name, cat: stage, ts, pid: 1, tid, args: { before: true } });
      });
    }
    for (const co of w.co.live.values()) {
      if (co.stack.depth === 0) continue;
      const name = `coroutine #${co.id} · ${this.catalog.name(co.entry)}`;
      this.live.set(co.id, name);
      this.emit({ ph: 'b', name, cat: 'coroutine', id: co.id, ts, pid: 1, tid: co.thread + 1, args: {} });
      if (co.state === CoState.running) continue;
      const taken = co.stack.frames
        .slice(0, co.stack.depth)
        .map((f) => ({ name: this.catalog.name(f.fn), co: co.id, stage: this.catalog.entry(f.fn)!.stage }));
      this.parked.set(co.id, taken);
      this.emit({ ph: 'b', name: 'yielded', cat: 'coroutine', id: co.id, ts, pid: 1, tid: co.thread + 1 });
    }
  }

  private name(tid: number, name: string): void {
    if (this.named.has(tid)) return;
    this.named.add(tid);
    this.emit({ ph: 'M', name: 'thread_name', pid: 1, tid, args: { name } });
    this.emit({ ph: 'M', name: 'thread_sort_index', pid: 1, tid, args: { sort_index: tid } });
  }

  /** Feed one stage event (the simulator's listener). */
  event(ev: StageEventRecord): void {
    const tid = ev.threadId + 1;
    this.lastNs = ev.time_ns;
    this.name(tid, ev.thread);
    const stack = this.stackOf(tid);
    const ts = us(ev.time_ns);
    switch (ev.phase) {
      case 'enter': {
        const stage = this.catalog.entry(ev.fnId)!.stage;
        stack.push({ name: ev.function, co: ev.coroutine, stage });
        this.emit({ ph: 'B', name: ev.function, cat: stage, ts, pid: 1, tid, args: this.args(ev) });
        if (ev.fnId === Fn.coroutine_trampoline && ev.coroutine !== null) {
          const co = this.sim.m.s.w.co.live.get(ev.coroutine);
          const name = `coroutine #${ev.coroutine} · ${co ? this.catalog.name(co.entry) : '?'}`;
          this.live.set(ev.coroutine, name);
          this.emit({ ph: 'b', name, cat: 'coroutine', id: ev.coroutine, ts, pid: 1, tid, args: this.args(ev) });
        }
        return;
      }
      case 'exit': {
        stack.pop();
        this.emit({ ph: 'E', ts, pid: 1, tid });
        if (ev.fnId === Fn.coroutine_trampoline && ev.coroutine !== null) {
          const name = this.live.get(ev.coroutine);
          this.live.delete(ev.coroutine);
          this.emit({ ph: 'e', name, cat: 'coroutine', id: ev.coroutine, ts, pid: 1, tid });
        }
        return;
      }
      case 'yield': {
        const co = ev.coroutine;
        const taken: Open[] = [];
        while (stack.length > 0 && co !== null && stack[stack.length - 1].co === co) {
          taken.unshift(stack.pop()!);
          this.emit({ ph: 'E', ts, pid: 1, tid });
        }
        if (co !== null) {
          this.parked.set(co, taken);
          this.emit({ ph: 'b', name: 'yielded', cat: 'coroutine', id: co, ts, pid: 1, tid });
        }
        return;
      }
      case 'resume': {
        const co = ev.coroutine;
        if (co === null) return;
        this.emit({ ph: 'e', name: 'yielded', cat: 'coroutine', id: co, ts, pid: 1, tid });
        for (const f of this.parked.get(co) ?? []) {
          stack.push(f);
          this.emit({ ph: 'B', name: f.name, cat: f.stage, ts, pid: 1, tid, args: { coroutine: co, resumed: true } });
        }
        this.parked.delete(co);
      }
    }
  }

  /** Close what is still open (threads blocked in ppoll, parked coroutines) and end the JSON. */
  finish(): void {
    const ts = us(this.lastNs);
    for (const [tid, stack] of this.open) {
      while (stack.pop()) this.emit({ ph: 'E', ts, pid: 1, tid });
    }
    for (const co of this.parked.keys())
      this.emit({ ph: 'e', name: 'yielded', cat: 'coroutine', id: co, ts, pid: 1, tid: 0 });
    for (const [co, name] of this.live) this.emit({ ph: 'e', name, cat: 'coroutine', id: co, ts, pid: 1, tid: 0 });
    this.line(']}');
  }

  private stackOf(tid: number): Open[] {
    let s = this.open.get(tid);
    if (!s) this.open.set(tid, (s = []));
    return s;
  }

  private args(ev: StageEventRecord): Record<string, unknown> {
    const a: Record<string, unknown> = {};
    if (ev.coroutine !== null) a.coroutine = ev.coroutine;
    if (ev.requests.length) a.requests = ev.requests;
    return a;
  }

  private emit(e: Record<string, unknown>): void {
    this.line((this.first ? '' : ',') + JSON.stringify(e));
    this.first = false;
  }
}
