// The rebuild: a state machine fed one parsed line at a time, keyed by the pointers QEMU's
// events share (virtio-blk `req` = virtqueue `elem`; a coroutine's `to` in enter = `from` in
// yield = `co` in terminate; the thread pool's `req`; io_uring's `luringcb`). Pointers are
// reused, so each key lives from its first event to its terminal one (pop → req_complete,
// enter → terminate, submit → complete). Out come the simulator's kind of stage events
// (time, thread, coroutine, function, phase, requests, traced or inferred) and, for each
// request when its interrupt is decided, its stage times.
//
// The state is plain data (Maps of records, ids rather than references), so a checkpoint is a
// structuredClone and a seek restores one and re-reads the lines after it.

import { EventInfo, EventTable, Role } from './events';
import { readArgs } from './format';
import { ParsedLine } from './lines';
import { Op, RequestTimes, TraceStats } from './stats';
import { readSyscall, syscallOffset, syscallOp } from './syscalls';

export type Phase = 'enter' | 'exit' | 'yield' | 'resume';

/** One stage event, as the simulator's: plus whether it was traced or inferred, and from where. */
export interface TraceStageEvent {
  /** ns since the log's first timestamp; null in a log without timestamps. */
  time_ns: number | null;
  thread: string;
  /** Linux tid; -1 for a log without thread ids, -2 for the untraced pool-worker lane. */
  tid: number;
  coroutine: number | null;
  function: string;
  phase: Phase;
  requests: number[];
  traced: boolean;
  /** The trace event or syscall the line names ('' for an inferred event). */
  event: string;
  /** 1-based line of the log it comes from (for inferred events: the line that implied it). */
  line: number;
}

export type ThreadRole = 'main-loop' | 'iothread' | 'vcpu' | 'pool-worker' | 'other';

/** Stage marks a request passes, in the order they happen. */
export type StageMark =
  | 'kick'
  | 'pop'
  | 'handle'
  | 'coroutine'
  | 'submit'
  | 'worker'
  | 'yield'
  | 'backend-done'
  | 'reenter'
  | 'complete'
  | 'irq'
  | 'irq-suppressed';

export interface RequestRecord {
  id: number;
  elem: number;
  op: Op;
  sector: number;
  nsectors: number;
  thread: string;
  tid: number;
  coroutine: number | null;
  /** Requests submitted together by virtio_blk_submit_multireq (1 when not merged). */
  merged: number;
  status: number;
  irq: 'raised' | 'suppressed';
  /** Worker thread that did its I/O, when strace lines showed it. */
  workerTid: number;
  stages: { stage: StageMark; time_ns: number | null; line: number }[];
  /** kick_to_pop, pop_to_submit, backend, reenter_to_notify, total, in ns (NaN: not traced). */
  split: number[];
}

interface ThreadRec {
  tid: number;
  nameHint: string;
  evidence: { poll: number; vcpu: number; path: number; status: number; data: number; events: number };
  /** Coroutine ids running on it, innermost last. */
  coStack: number[];
  kickNs: number;
  kickLine: number;
  /** Handled (read/write) requests waiting for their coroutine, in handling order. */
  handled: number[];
  /** Popped requests with no handle event yet (a flush, or a request type with no event). */
  unhandled: number[];
  multireq: { offset: number; size: number; isWrite: boolean; n: number } | null;
  /** Completed requests whose interrupt is not decided yet. */
  notifyPending: number[];
  lastNs: number;
}

interface ReqRec {
  id: number;
  elem: number;
  tid: number;
  op: Op;
  sector: number;
  nsectors: number;
  co: number;
  merged: number;
  status: number;
  workerTid: number;
  kickNs: number;
  popNs: number;
  submitNs: number;
  reenterNs: number;
  flushNs: number;
  stages: { stage: StageMark; time_ns: number | null; line: number }[];
}

interface CoRec {
  id: number;
  ptr: number;
  reqs: number[];
  tid: number;
  running: boolean;
}

interface Job {
  co: number;
  reqs: number[];
  op: Op;
  offset: number;
  worker: number;
}

export interface RebuildState {
  threads: Map<number, ThreadRec>;
  reqs: Map<number, ReqRec>;
  reqByElem: Map<number, number>;
  cos: Map<number, CoRec>;
  coByPtr: Map<number, number>;
  poolJobs: Map<number, Job>;
  uringJobs: Map<number, Job>;
  /** Open syscalls (`<unfinished ...>`) per tid, for their `resumed` line. */
  openSyscalls: Map<number, { name: string; reqs: number[] }>;
  nextReq: number;
  nextCo: number;
  lastNs: number;
  /** The I/O of an untraced pool worker: jobs between submit and complete (the inferred lane). */
  poolLaneBusy: number;
  /** Do strace lines show the workers? Then their I/O is placed on them, not on the inferred lane. */
  workersSeen: boolean;
}

export const POOL_LANE = 'pool workers (not traced)';
const POOL_LANE_TID = -2;
const NO_TID = -1;

const DATA_SYSCALLS = new Set([
  'pread64',
  'pwrite64',
  'preadv',
  'pwritev',
  'preadv2',
  'pwritev2',
  'fdatasync',
  'fsync',
]);

function newThread(tid: number): ThreadRec {
  return {
    tid,
    nameHint: '',
    evidence: { poll: 0, vcpu: 0, path: 0, status: 0, data: 0, events: 0 },
    coStack: [],
    kickNs: -1,
    kickLine: 0,
    handled: [],
    unhandled: [],
    multireq: null,
    notifyPending: [],
    lastNs: -1,
  };
}

export function emptyState(): RebuildState {
  return {
    threads: new Map(),
    reqs: new Map(),
    reqByElem: new Map(),
    cos: new Map(),
    coByPtr: new Map(),
    poolJobs: new Map(),
    uringJobs: new Map(),
    openSyscalls: new Map(),
    nextReq: 0,
    nextCo: 0,
    lastNs: -1,
    poolLaneBusy: 0,
    workersSeen: false,
  };
}

export class Rebuild {
  s: RebuildState = emptyState();
  listener: ((ev: TraceStageEvent) => void) | null = null;
  onRequest: ((r: RequestRecord) => void) | null = null;
  /** Thread names by tid, from roles (recomputed when the evidence changes). */
  private names = new Map<number, string>();
  private roles = new Map<number, ThreadRole>();
  private rolesDirty = true;
  private readonly nums = new Float64Array(32);
  private line = 0;
  private p!: ParsedLine;

  constructor(
    readonly table: EventTable,
    readonly stats: TraceStats,
  ) {}

  // ---- input ----------------------------------------------------------------------------

  /** A trace-event line (kind trace). */
  traceLine(p: ParsedLine, lineNo: number): void {
    this.p = p;
    this.line = lineNo;
    const ev = this.table.get(p.name);
    if (ev.needsArgs && ev.format && !readArgs(ev.format, p.text, p.argsStart, p.end, this.nums)) {
      this.stats.noteMalformed(lineNo, p.text.slice(p.start, p.end));
      return;
    }
    const t = this.thread(p.tid, p.threadName);
    this.clock(t, p, lineNo);
    t.evidence.events++;
    if (!ev.known) this.stats.noteUnknown(ev.name);
    this.stats.lines.trace++;
    this.dispatch(ev, t, p.timeNs);
  }

  /** An strace line (kind syscall). */
  syscallLine(p: ParsedLine, lineNo: number): void {
    this.p = p;
    this.line = lineNo;
    const t = this.thread(p.tid, p.threadName);
    this.clock(t, p, lineNo);
    const sc = readSyscall(p.text, p.argsStart, p.end);
    const s = this.s;
    s.workersSeen = true; // strace shows the workers: their I/O goes on them, not on an inferred lane
    if (sc.resumed) {
      const open = s.openSyscalls.get(p.tid);
      s.openSyscalls.delete(p.tid);
      this.stats.syscalls.placed++;
      this.stats.lines.syscall++;
      this.emit(t.tid, null, p.name, 'exit', open?.reqs ?? [], true, p.name, p.timeNs);
      return;
    }
    this.stats.syscalls.placed++;
    this.stats.lines.syscall++;
    let reqs: number[] = [];
    if (DATA_SYSCALLS.has(p.name)) {
      t.evidence.data++;
      const job = this.placeWorkerIo(p.name, syscallOffset(sc), t.tid);
      if (job) {
        reqs = job.reqs;
        this.stats.syscalls.poolJobsMatched++;
      }
      this.rolesDirty = true;
    }
    this.emit(t.tid, null, p.name, 'enter', reqs, true, p.name, p.timeNs);
    if (sc.unfinished) s.openSyscalls.set(p.tid, { name: p.name, reqs });
    else if (!Number.isNaN(sc.durationNs) && p.timeNs >= 0)
      this.emit(t.tid, null, p.name, 'exit', reqs, true, p.name, p.timeNs + sc.durationNs);
  }

  /** Skipped lines still count for the statistics. */
  otherLine(): void {
    this.stats.lines.other++;
  }

  /** The log ended: what is still in flight never completed (as far as the log shows). */
  finish(): void {
    const s = this.s;
    for (const t of s.threads.values()) this.settle(t, false, -1);
    this.stats.neverCompleted = [...s.reqs.values()].map((r) => ({
      id: r.id,
      op: r.op,
      sector: r.sector,
      stage: r.stages.length ? r.stages[r.stages.length - 1].stage : 'pop',
    }));
  }

  // ---- threads --------------------------------------------------------------------------

  private thread(tid: number, nameHint: string): ThreadRec {
    let t = this.s.threads.get(tid);
    if (!t) {
      t = newThread(tid);
      this.s.threads.set(tid, t);
      this.rolesDirty = true;
    }
    if (nameHint && t.nameHint !== nameHint) {
      t.nameHint = nameHint;
      this.rolesDirty = true;
    }
    return t;
  }

  private clock(t: ThreadRec, p: ParsedLine, lineNo: number): void {
    const now = p.timeNs;
    if (now < 0) return;
    const s = this.s;
    if (now < s.lastNs) this.stats.noteBackwards(lineNo, p.text.slice(p.start, p.end), now < t.lastNs);
    else s.lastNs = now;
    if (now > t.lastNs) t.lastNs = now;
  }

  /** Roles from what each thread did: polling → iothread; vCPU-side events → vCPU; the request path → main loop. */
  private settleRoles(): void {
    this.rolesDirty = false;
    const threads = [...this.s.threads.values()].sort((a, b) => a.tid - b.tid);
    const roles = new Map<number, ThreadRole>();
    let main = false;
    for (const t of threads) {
      const e = t.evidence;
      const hint = t.nameHint;
      let role: ThreadRole = 'other';
      if (hint.startsWith('IO ') || e.poll > 0) role = 'iothread';
      else if (hint.startsWith('CPU ') || e.vcpu > 0 || (e.status > 0 && e.path === 0)) role = 'vcpu';
      // (a seeded thread's event count starts again at 0, its path evidence does not)
      else if (hint === 'worker' || (e.data > 0 && e.events === 0 && e.path === 0)) role = 'pool-worker';
      else if (e.path > 0 && !main) {
        role = 'main-loop';
        main = true;
      }
      roles.set(t.tid, role);
    }
    const count: Record<string, number> = {};
    const names = new Map<number, string>();
    for (const t of threads) {
      const role = roles.get(t.tid)!;
      const n = (count[role] = (count[role] ?? 0) + 1);
      let name: string;
      if (t.tid === NO_TID) name = 'qemu (no thread ids)';
      else if (role === 'main-loop') name = 'main-loop';
      else if (role === 'iothread')
        name = t.nameHint.startsWith('IO ') ? `iothread ${t.nameHint.slice(3)}` : `iothread ${n}`;
      else if (role === 'vcpu')
        name = /^CPU (\d+)/.exec(t.nameHint) ? `vcpu${/^CPU (\d+)/.exec(t.nameHint)![1]}` : `vcpu${n - 1}`;
      else if (role === 'pool-worker') name = `worker-${n}`;
      else name = `thread ${t.tid}`;
      names.set(t.tid, name);
    }
    this.roles = roles;
    this.names = names;
  }

  threadName(tid: number): string {
    if (tid === POOL_LANE_TID) return POOL_LANE;
    if (this.rolesDirty) this.settleRoles();
    return this.names.get(tid) ?? `thread ${tid}`;
  }

  threadRole(tid: number): ThreadRole {
    if (this.rolesDirty) this.settleRoles();
    return this.roles.get(tid) ?? 'other';
  }

  /** Every thread seen, with its role and name. */
  threadList(): { tid: number; name: string; role: ThreadRole; events: number }[] {
    return [...this.s.threads.values()]
      .sort((a, b) => a.tid - b.tid)
      .map((t) => ({
        tid: t.tid,
        name: this.threadName(t.tid),
        role: this.threadRole(t.tid),
        events: t.evidence.events,
      }));
  }

  private evidence(t: ThreadRec, key: 'poll' | 'vcpu' | 'path' | 'status'): void {
    if (t.evidence[key]++ === 0) this.rolesDirty = true;
  }

  // ---- events ---------------------------------------------------------------------------

  private dispatch(ev: EventInfo, t: ThreadRec, now: number): void {
    const s = this.s;
    const a = ev.arg;
    const n = this.nums;
    const role = ev.role;
    if (t.notifyPending.length && role !== Role.fill && role !== Role.vqFlush && role !== Role.irq)
      this.settle(t, false, -1);
    switch (role) {
      case Role.notify:
        this.evidence(t, 'path');
        t.kickNs = now;
        t.kickLine = this.line;
        return this.emitTraced(ev, t, 'enter', []);
      case Role.alloc:
        return this.emitTraced(ev, t, 'enter', []);
      case Role.pop: {
        this.evidence(t, 'path');
        const elem = n[a.elem];
        const old = s.reqByElem.get(elem);
        if (old !== undefined) this.drop(old); // reused before we saw it complete
        const r: ReqRec = {
          id: ++s.nextReq,
          elem,
          tid: t.tid,
          op: 'other',
          sector: -1,
          nsectors: 0,
          co: -1,
          merged: 1,
          status: 0,
          workerTid: -1,
          kickNs: t.kickNs,
          popNs: now,
          submitNs: -1,
          reenterNs: -1,
          flushNs: -1,
          stages: [],
        };
        if (t.kickNs >= 0 || t.kickLine > 0) this.mark(r, 'kick', t.kickNs, t.kickLine);
        this.mark(r, 'pop', now);
        s.reqs.set(r.id, r);
        s.reqByElem.set(elem, r.id);
        t.unhandled.push(r.id);
        this.stats.requests++;
        if (now >= 0) this.stats.inFlight.change(now, 1);
        return this.emitTraced(ev, t, 'enter', [r.id]);
      }
      case Role.handleRead:
      case Role.handleWrite: {
        const r = this.reqOf(n[a.req]);
        if (!r) return this.emitTraced(ev, t, 'enter', []);
        r.op = role === Role.handleRead ? 'read' : 'write';
        r.sector = n[a.sector];
        r.nsectors = n[a.nsectors];
        this.mark(r, 'handle', now);
        remove(t.unhandled, r.id);
        t.handled.push(r.id);
        return this.emitTraced(ev, t, 'enter', [r.id]);
      }
      case Role.multireq: {
        t.multireq = { offset: n[a.offset], size: n[a.size], isWrite: n[a.isWrite] !== 0, n: n[a.numReqs] };
        const st = this.stats.merges;
        st.batches++;
        st.requests += n[a.numReqs];
        if (n[a.numReqs] > st.largest) st.largest = n[a.numReqs];
        return this.emitTraced(ev, t, 'enter', []);
      }
      case Role.coEnter:
        return this.coEnter(ev, t, n[a.to], now);
      case Role.blkRead:
      case Role.blkWrite: {
        const co = this.current(t);
        if (co) this.attachByRange(t, co, role === Role.blkRead ? 'read' : 'write', n[a.offset], n[a.bytes]);
        return this.emitTraced(ev, t, 'enter', co ? co.reqs : []);
      }
      case Role.poolSubmit:
      case Role.luringSubmit: {
        const co = this.current(t);
        const reqs = co ? co.reqs : [];
        for (const id of reqs) {
          const r = s.reqs.get(id);
          if (r && r.submitNs < 0) {
            r.submitNs = now;
            this.mark(r, 'submit', now);
          }
        }
        const job: Job = { co: co ? co.id : -1, reqs, op: this.opOf(reqs), offset: this.offsetOf(reqs), worker: -1 };
        if (role === Role.poolSubmit) {
          s.poolJobs.set(n[a.req], job);
          this.emitTraced(ev, t, 'enter', reqs);
          if (!s.workersSeen) {
            s.poolLaneBusy++;
            this.emit(POOL_LANE_TID, null, 'worker_thread', 'enter', reqs, false, '', now);
          }
          return;
        }
        s.uringJobs.set(n[a.luringcb], job);
        return this.emitTraced(ev, t, 'enter', reqs);
      }
      case Role.coYield: {
        const co = this.coByPtr(n[a.from]);
        if (co) {
          co.running = false;
          remove(t.coStack, co.id);
          for (const id of co.reqs) {
            const r = s.reqs.get(id);
            if (!r) continue;
            if (r.submitNs < 0) r.submitNs = now; // no submit event (Linux AIO): the backend starts at the yield
            this.mark(r, 'yield', now);
          }
        }
        return this.emit(t.tid, co ? co.id : null, ev.functionName, 'yield', co ? co.reqs : [], true, ev.name, now);
      }
      case Role.poolComplete:
      case Role.luringComplete: {
        t.kickNs = -1;
        t.kickLine = 0;
        const map = role === Role.poolComplete ? s.poolJobs : s.uringJobs;
        const key = role === Role.poolComplete ? n[a.req] : n[a.luringcb];
        const job = map.get(key);
        map.delete(key);
        const reqs = job ? job.reqs : [];
        for (const id of reqs) {
          const r = s.reqs.get(id);
          if (r) this.mark(r, 'backend-done', now);
        }
        if (role === Role.poolComplete && job && job.worker < 0 && !s.workersSeen && s.poolLaneBusy > 0) {
          s.poolLaneBusy--;
          this.emit(POOL_LANE_TID, null, 'worker_thread', 'exit', reqs, false, '', now);
        }
        return this.emitTraced(ev, t, 'enter', reqs);
      }
      case Role.coTerminate: {
        const co = this.coByPtr(n[a.co]);
        if (co) {
          remove(t.coStack, co.id);
          s.cos.delete(co.id);
          if (s.coByPtr.get(co.ptr) === co.id) s.coByPtr.delete(co.ptr);
        }
        return this.emit(t.tid, co ? co.id : null, ev.functionName, 'exit', co ? co.reqs : [], true, ev.name, now);
      }
      case Role.rwComplete: {
        const r = this.reqOf(n[a.req]);
        if (r && n[a.ret] < 0) r.status = n[a.ret];
        if (!r) this.stats.completedNeverStarted++;
        return this.emitTraced(ev, t, 'enter', r ? [r.id] : []);
      }
      case Role.reqComplete: {
        const r = this.reqOf(n[a.req]);
        if (!r) {
          this.stats.completedNeverStarted++;
          return this.emitTraced(ev, t, 'enter', []);
        }
        if (n[a.status] !== 0) r.status = r.status || n[a.status];
        s.reqByElem.delete(r.elem);
        remove(t.unhandled, r.id);
        remove(t.handled, r.id);
        if (r.op === 'other' && r.co >= 0) r.op = 'flush';
        const co = s.cos.get(r.co);
        if (co && co.running && r.reenterNs < 0 && r.submitNs >= 0) r.reenterNs = now;
        this.mark(r, 'complete', now);
        r.flushNs = now;
        if (now >= 0) this.stats.inFlight.change(now, -1);
        t.notifyPending.push(r.id);
        return this.emitTraced(ev, t, 'enter', [r.id]);
      }
      case Role.fill:
      case Role.vqFlush: {
        const pending = t.notifyPending;
        const last = pending.length ? s.reqs.get(pending[pending.length - 1]) : undefined;
        if (last && role === Role.vqFlush) last.flushNs = now;
        return this.emitTraced(ev, t, 'enter', last ? [last.id] : []);
      }
      case Role.irq: {
        this.stats.interrupts.events++;
        const pending = t.notifyPending;
        const reqs = pending.slice();
        if (pending.length === 0) this.stats.interrupts.withoutRequest++;
        else this.settle(t, true, now);
        return this.emitTraced(ev, t, 'enter', reqs);
      }
      case Role.coScheduleBh:
      case Role.irqDeferred:
        t.kickNs = -1;
        t.kickLine = 0;
        return this.emitTraced(ev, t, 'enter', this.current(t)?.reqs ?? []);
      case Role.pollBegin:
        t.kickNs = -1;
        t.kickLine = 0;
        this.evidence(t, 'poll');
        return this.emitTraced(ev, t, 'enter', []);
      case Role.pollOther:
        this.evidence(t, 'poll');
        return this.emitTraced(ev, t, 'enter', []);
      case Role.vcpuSide:
        this.evidence(t, 'vcpu');
        return this.emitTraced(ev, t, 'enter', []);
      case Role.setStatus:
        this.evidence(t, 'status');
        return this.emitTraced(ev, t, 'enter', []);
      default:
        return this.emitTraced(ev, t, 'enter', this.current(t)?.reqs ?? []);
    }
  }

  private coEnter(ev: EventInfo, t: ThreadRec, to: number, now: number): void {
    const s = this.s;
    this.evidence(t, 'path');
    const known = this.coByPtr(to);
    if (known && !known.running) {
      known.running = true;
      known.tid = t.tid;
      t.coStack.push(known.id);
      t.kickNs = -1;
      t.kickLine = 0;
      for (const id of known.reqs) {
        const r = s.reqs.get(id);
        if (r && r.submitNs >= 0) {
          r.reenterNs = now;
          this.mark(r, 'reenter', now);
        }
      }
      return this.emit(t.tid, known.id, ev.functionName, 'resume', known.reqs, true, ev.name, now);
    }
    if (known) s.coByPtr.delete(to); // entered while running: the log missed its end; start over
    const co: CoRec = { id: ++s.nextCo, ptr: to, reqs: [], tid: t.tid, running: true };
    s.cos.set(co.id, co);
    s.coByPtr.set(to, co.id);
    t.coStack.push(co.id);
    // Which requests it serves: a merged batch just announced, else the next handled request
    // (blk_co_preadv/pwritev then confirms by range), else a popped request with no handle event: a flush.
    const mr = t.multireq;
    t.multireq = null;
    if (mr) this.attachByRange(t, co, mr.isWrite ? 'write' : 'read', mr.offset, mr.size);
    else if (t.handled.length) this.attach(t, co, [lowestSector(s, t.handled)]);
    else if (t.unhandled.length) {
      const id = t.unhandled.shift()!;
      const r = s.reqs.get(id);
      if (r) r.op = 'flush';
      this.attach(t, co, [id]);
    }
    this.emit(t.tid, co.id, ev.functionName, 'enter', co.reqs, true, ev.name, now);
  }

  /** Give `co` exactly the handled requests of `op` inside [offset, offset+bytes). */
  private attachByRange(t: ThreadRec, co: CoRec, op: Op, offset: number, bytes: number): void {
    const s = this.s;
    const inRange = (id: number): boolean => {
      const r = s.reqs.get(id);
      return !!r && r.op === op && r.sector * 512 >= offset && (r.sector + r.nsectors) * 512 <= offset + bytes;
    };
    if (co.reqs.length && co.reqs.every(inRange)) return;
    for (const id of co.reqs) {
      const r = s.reqs.get(id);
      if (r && r.op !== 'flush') {
        r.co = -1;
        t.handled.push(id);
      }
    }
    co.reqs = [];
    this.attach(t, co, t.handled.filter(inRange));
  }

  private attach(t: ThreadRec, co: CoRec, ids: number[]): void {
    const s = this.s;
    for (const id of ids) {
      remove(t.handled, id);
      const r = s.reqs.get(id);
      if (!r) continue;
      r.co = co.id;
      r.merged = ids.length;
      if (!r.stages.some((m) => m.stage === 'coroutine')) this.mark(r, 'coroutine', this.p.timeNs);
      co.reqs.push(id);
    }
  }

  /** Decide the pending interrupts of `t`: with `irq`, the last raised by it at `irqNs`; the rest suppressed. */
  private settle(t: ThreadRec, irq: boolean, irqNs: number): void {
    const pending = t.notifyPending;
    t.notifyPending = [];
    const s = this.s;
    pending.forEach((id, i) => {
      const r = s.reqs.get(id);
      if (!r) return;
      const raised = irq && i === pending.length - 1;
      const at = raised ? irqNs : r.flushNs;
      this.mark(r, raised ? 'irq' : 'irq-suppressed', at, raised ? this.line : r.stages[r.stages.length - 1].line);
      if (raised) this.stats.interrupts.raised++;
      else {
        this.stats.interrupts.suppressed++;
        this.emit(t.tid, null, 'virtio_should_notify', 'exit', [r.id], false, '', at);
      }
      this.finalise(r, raised, at);
    });
  }

  private finalise(r: ReqRec, raised: boolean, notifyNs: number): void {
    const s = this.s;
    s.reqs.delete(r.id);
    const d = (a: number, b: number): number => (a >= 0 && b >= 0 ? b - a : NaN);
    const start = r.kickNs >= 0 ? r.kickNs : r.popNs;
    const split = [
      d(r.kickNs, r.popNs),
      d(r.popNs, r.submitNs),
      d(r.submitNs, r.reenterNs),
      d(r.reenterNs, notifyNs),
      d(start, notifyNs),
    ];
    const thread = this.threadName(r.tid);
    const times: RequestTimes = {
      id: r.id,
      op: r.op,
      sector: r.sector,
      bytes: r.nsectors * 512,
      thread,
      merged: r.merged,
      status: r.status,
      split: Float64Array.from(split),
    };
    this.stats.byOp[r.op]++;
    this.stats.add(times);
    this.onRequest?.({
      id: r.id,
      elem: r.elem,
      op: r.op,
      sector: r.sector,
      nsectors: r.nsectors,
      thread,
      tid: r.tid,
      coroutine: r.co >= 0 ? r.co : null,
      merged: r.merged,
      status: r.status,
      irq: raised ? 'raised' : 'suppressed',
      workerTid: r.workerTid,
      stages: r.stages,
      split,
    });
  }

  /** A request whose elem came back before we saw it complete: forget it, counted as never completed. */
  private drop(id: number): void {
    const r = this.s.reqs.get(id);
    if (!r) return;
    this.s.reqs.delete(id);
    this.stats.neverCompleted.push({ id, op: r.op, sector: r.sector, stage: r.stages[r.stages.length - 1].stage });
  }

  /** A worker's data syscall: the oldest unplaced pool job of its direction (and file offset, when shown). */
  private placeWorkerIo(name: string, offset: number, tid: number): Job | null {
    const s = this.s;
    const op = syscallOp(name);
    let best: Job | null = null;
    for (const job of s.poolJobs.values()) {
      if (job.worker >= 0 || (job.op !== op && !(op === 'flush' && job.op === 'other'))) continue;
      if (!Number.isNaN(offset) && job.offset >= 0 && job.offset !== offset) continue;
      best = job;
      break;
    }
    if (!best) return null;
    best.worker = tid;
    for (const id of best.reqs) {
      const r = s.reqs.get(id);
      if (!r) continue;
      r.workerTid = tid;
      this.mark(r, 'worker', this.p.timeNs);
    }
    return best;
  }

  // ---- helpers --------------------------------------------------------------------------

  private reqOf(elem: number): ReqRec | undefined {
    const id = this.s.reqByElem.get(elem);
    return id === undefined ? undefined : this.s.reqs.get(id);
  }

  private coByPtr(ptr: number): CoRec | undefined {
    const id = this.s.coByPtr.get(ptr);
    return id === undefined ? undefined : this.s.cos.get(id);
  }

  private current(t: ThreadRec): CoRec | undefined {
    return t.coStack.length ? this.s.cos.get(t.coStack[t.coStack.length - 1]) : undefined;
  }

  private opOf(reqs: number[]): Op {
    const r = reqs.length ? this.s.reqs.get(reqs[0]) : undefined;
    return r ? r.op : 'other';
  }

  private offsetOf(reqs: number[]): number {
    let min = Infinity;
    for (const id of reqs) {
      const r = this.s.reqs.get(id);
      if (r && r.sector >= 0) min = Math.min(min, r.sector * 512);
    }
    return min === Infinity ? -1 : min;
  }

  private mark(r: ReqRec, stage: StageMark, ns: number, line = this.line): void {
    r.stages.push({ stage, time_ns: ns >= 0 ? ns : null, line });
  }

  private emitTraced(ev: EventInfo, t: ThreadRec, phase: Phase, reqs: number[]): void {
    if (!this.listener) return;
    const co = this.current(t);
    this.emit(t.tid, co ? co.id : null, ev.functionName, phase, reqs, true, ev.name, this.p.timeNs);
  }

  private emit(
    tid: number,
    co: number | null,
    fn: string,
    phase: Phase,
    reqs: number[],
    traced: boolean,
    event: string,
    ns: number,
  ): void {
    if (!this.listener) return;
    this.listener({
      time_ns: ns >= 0 ? ns : null,
      thread: this.threadName(tid),
      tid,
      coroutine: co,
      function: fn,
      phase,
      requests: reqs.slice(),
      traced,
      event,
      line: this.line,
    });
  }

  // ---- checkpoints ----------------------------------------------------------------------

  snapshot(): RebuildState {
    return structuredClone(this.s);
  }

  restore(state: RebuildState): void {
    this.s = structuredClone(state);
    this.rolesDirty = true;
  }

  /** Live requests and the stage each is in now (for views that stop mid-log). */
  inFlight(): { id: number; op: Op; sector: number; nsectors: number; thread: string; stage: StageMark }[] {
    return [...this.s.reqs.values()].map((r) => ({
      id: r.id,
      op: r.op,
      sector: r.sector,
      nsectors: r.nsectors,
      thread: this.threadName(r.tid),
      stage: r.stages[r.stages.length - 1].stage,
    }));
  }
}

function remove(list: number[], id: number): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}

function lowestSector(s: RebuildState, ids: number[]): number {
  let best = ids[0];
  for (const id of ids) if ((s.reqs.get(id)?.sector ?? Infinity) < (s.reqs.get(best)?.sector ?? Infinity)) best = id;
  return best;
}
