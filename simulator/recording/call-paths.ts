// Call stacks for the events of a real trace, inferred from a version's call edges. A trace
// names one function per event (the one that fires it); the frames above it are the path from
// what the context was already running: a frame still on the stack that can reach the new
// function through the catalog's `calls` (the deepest one not much dearer than the cheapest),
// else the thread's base function (`qemu_main_loop`, `iothread_run`, ...). So consecutive events
// of one context keep the frames they share, the way the real stack does, and everything
// between two traced functions is marked as inferred. Paths prefer the common, direct calls, and
// for a request of known operation they avoid the functions of the other operations.

import { functionIdCount, type Catalog } from '../catalog';

/** A frame on an inferred stack: `fn << 1 | traced`. */
export type PackedFrame = number;
export const frameFn = (f: PackedFrame): number => f >> 1;
export const frameTraced = (f: PackedFrame): boolean => (f & 1) === 1;

/** The operation of the request an event works for ('' when none or unknown). */
export type PathOp = '' | 'read' | 'write' | 'flush';
const OPS: readonly PathOp[] = ['', 'read', 'write', 'flush'];
/** Block-layer functions that only one operation runs, by name. */
const OP_OF_NAME: readonly [PathOp, RegExp][] = [
  ['read', /preadv|read_entry/],
  ['write', /pwritev|write_entry|write_req|write_zeroes/],
  ['flush', /^(?!virtqueue_)(.*_)?flush(_|$)/],
];

/** Thread roles (the rebuild's) and the functions their stacks start from, newest name first. */
const BASES: Record<string, readonly string[]> = {
  'main-loop': ['qemu_main_loop', 'main_loop'],
  iothread: ['iothread_run'],
  vcpu: ['kvm_vcpu_thread_fn', 'qemu_kvm_cpu_thread_fn'],
  'pool-worker': ['worker_thread'],
};
const COROUTINE_BASE = 'coroutine_trampoline';
/** A coroutine's entry by the operation of the request it serves. */
const ENTRIES: Record<string, string> = {
  read: 'blk_aio_read_entry',
  write: 'blk_aio_write_entry',
  flush: 'blk_aio_flush_entry',
};
/** Longer inferred stacks are cut back to a fresh path from the base. */
const MAX_DEPTH = 64;
const FAR = 255;
const MAX_OTHER_NAMES = 4096;
/** What entering a function on a rarely run path costs (a common one costs 1). */
const RARE = 8;
/** What a call through a pointer costs more than a direct one (a callback may only be scheduled there). */
const INDIRECT = 2;
/** A deeper caller is preferred while it costs at most this much more than the cheapest. */
const SLACK = 2;

/** Shortest paths between catalog functions: dist[i * n + j] (FAR: unreachable), hop: the first callee. */
interface Paths {
  dist: Uint8Array;
  hop: Int16Array;
}

const cache = new WeakMap<Catalog, CallPaths>();

export class CallPaths {
  /**
   * Function names by id: the catalog ids first (shared by the versions, so a function of
   * another version leaves a hole), then other names events are fired by.
   */
  readonly names: string[];
  /** Ids below this are catalog ids (of this version, or holes). */
  readonly size: number;
  private readonly byName = new Map<string, number>();
  private readonly byOp = new Map<PathOp, Paths>();
  readonly coroutineBase: number;

  /** One per catalog (the paths take a few milliseconds to compute). */
  static of(catalog: Catalog): CallPaths {
    let p = cache.get(catalog);
    if (!p) cache.set(catalog, (p = new CallPaths(catalog)));
    return p;
  }

  private constructor(readonly catalog: Catalog) {
    const n = functionIdCount();
    this.size = n;
    this.names = Array.from({ length: n }, (_, id) => catalog.entry(id)?.name ?? '(not in this version)');
    const rare: boolean[] = [];
    const opOf: string[] = [];
    const callees: number[][] = Array.from({ length: n }, () => []);
    const costs: number[][] = Array.from({ length: n }, () => []);
    catalog.functions.forEach((f, i) => {
      const id = catalog.ids[i];
      if (!this.byName.has(f.name)) this.byName.set(f.name, id);
      const group = catalog.stage(f.stage)?.group;
      rare[id] = group === 'error' || group === 'setup' || f.stage === 'blkdebug';
      opOf[id] = OP_OF_NAME.find(([, re]) => re.test(f.name))?.[0] ?? '';
    });
    catalog.functions.forEach((f, i) => {
      const out = callees[catalog.ids[i]];
      const cost = costs[catalog.ids[i]];
      // a call by a name QEMU defines twice (`raw_co_pwritev`) may reach either
      for (const c of f.calls)
        for (const id of catalog.idOf(c) >= 0 ? [catalog.idOf(c)] : catalog.idsOf(c)) {
          if (out.includes(id)) continue;
          out.push(id);
          cost.push((rare[id] ? RARE : 1) + (f.indirectCalls?.includes(c) ? INDIRECT : 0));
        }
    });
    for (const op of OPS)
      this.byOp.set(
        op,
        shortestPaths(n, callees, costs, (i) => !op || !opOf[i] || opOf[i] === op),
      );
    this.coroutineBase = this.idOf(COROUTINE_BASE);
  }

  /** The id of a function name (names outside the catalog get ids of their own, once: a few thousand at most). */
  idOf(name: string): number {
    let id = this.byName.get(name);
    if (id === undefined) {
      if (this.names.length - this.size >= MAX_OTHER_NAMES) return this.idOf('(other events)');
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
    }
    return id;
  }

  /** Id of a catalog function name, or -1. */
  catalogId(name: string): number {
    const id = this.byName.get(name);
    return id !== undefined && id < this.size ? id : -1;
  }

  /** The base function of a thread role, or -1. */
  base(role: string): number {
    for (const name of BASES[role] ?? []) {
      const id = this.catalogId(name);
      if (id >= 0) return id;
    }
    return -1;
  }

  /** The entry function of a request coroutine serving `op`, or -1. */
  entry(op: string): number {
    return ENTRIES[op] ? this.catalogId(ENTRIES[op]) : -1;
  }

  /** What calling `to` from `from` adds (0: it is `from` itself; FAR: it cannot). */
  private cost(p: Paths, from: number, to: number): number {
    if (from === to) return 0;
    return from < this.size && to < this.size ? p.dist[from * this.size + to] : FAR;
  }

  /** Of the functions that may fire an event, the one the stack (or the base) reaches, else the first. */
  choose(candidates: readonly number[], stack: readonly PackedFrame[], base: number, op: PathOp): number {
    if (candidates.length === 1) return candidates[0];
    const p = this.byOp.get(op)!;
    for (let i = stack.length - 1; i >= 0; i--) {
      const g = frameFn(stack[i]);
      for (const c of candidates) if (this.cost(p, g, c) < FAR) return c;
    }
    if (base >= 0) for (const c of candidates) if (this.cost(p, base, c) < FAR) return c;
    return candidates[0];
  }

  /**
   * Traced function `fn` runs in a context whose stack is `stack` (bottom first). It was called
   * from a frame of that stack: the deepest one that reaches it at most SLACK dearer than the
   * cheapest (reaching costs nothing when it is the function itself), so the frames below stay,
   * the inferred ones between are added and `fn` goes on top, traced. Returns the index of the
   * first frame the event added (`stack.length` when it added none).
   */
  enter(stack: PackedFrame[], fn: number, base: number, op: PathOp): number {
    const p = this.byOp.get(op)!;
    let cheapest = FAR;
    for (let i = stack.length - 1; i >= 0; i--) {
      const c = this.cost(p, frameFn(stack[i]), fn);
      if (c < cheapest && i + 1 + c <= MAX_DEPTH) cheapest = c;
    }
    if (cheapest < FAR) {
      for (let i = stack.length - 1; i >= 0; i--) {
        const g = frameFn(stack[i]);
        const c = this.cost(p, g, fn);
        if (c > cheapest + SLACK || i + 1 + c > MAX_DEPTH) continue;
        stack.length = i + 1;
        if (g === fn) {
          stack[i] |= 1;
          return i + 1;
        }
        this.append(p, stack, g, fn);
        return i + 1;
      }
    }
    stack.length = 0;
    if (base >= 0 && base !== fn && this.cost(p, base, fn) < FAR) {
      stack.push(base << 1);
      this.append(p, stack, base, fn);
    } else stack.push((fn << 1) | 1);
    return 0;
  }

  /** Push the path from `from` (exclusive) to `to`: inferred frames, then `to` traced. */
  private append(p: Paths, stack: PackedFrame[], from: number, to: number): void {
    const n = this.size;
    for (let g = from; g !== to;) {
      g = p.hop[g * n + to];
      stack.push(g === to ? (g << 1) | 1 : g << 1);
    }
  }
}

/**
 * Cheapest paths from every function to every other over the functions `usable` allows (costs
 * are small whole numbers: a bucket queue; on a tie the callee listed first wins).
 */
function shortestPaths(n: number, callees: number[][], costs: number[][], usable: (fn: number) => boolean): Paths {
  const dist = new Uint8Array(n * n).fill(FAR);
  const hop = new Int16Array(n * n).fill(-1);
  const d = new Int32Array(n);
  const first = new Int16Array(n);
  const buckets: number[][] = Array.from({ length: FAR }, () => []);
  for (let s = 0; s < n; s++) {
    if (!usable(s)) continue;
    d.fill(FAR);
    d[s] = 0;
    buckets[0].push(s);
    for (let k = 0; k < FAR; k++) {
      const bucket = buckets[k];
      for (let b = 0; b < bucket.length; b++) {
        const u = bucket[b];
        if (d[u] !== k) continue;
        const cs = callees[u];
        for (let j = 0; j < cs.length; j++) {
          const c = cs[j];
          const nd = k + costs[u][j];
          if (nd >= FAR || nd >= d[c] || !usable(c)) continue;
          d[c] = nd;
          first[c] = u === s ? c : first[u];
          buckets[nd].push(c);
        }
      }
      bucket.length = 0;
    }
    for (let t = 0; t < n; t++) {
      if (t === s || d[t] >= FAR) continue;
      dist[s * n + t] = d[t];
      hop[s * n + t] = first[t];
    }
  }
  return { dist, hop };
}
