// Records a run for the timeline while it runs forward, cheaply enough to stay on in every
// debug session (a few typed-array writes per stage event, no allocation): per thread, the time
// it ran in each stage group per bin; kicks and interrupts per bin; requests in flight and
// coroutines running and parked as levels over time; the time of every 1024th event (the
// time ↔ event index); and each request's stage times. Events it has already seen (after a step
// back, the run is replayed) are ignored. The same recorder on a fixed grid bins a replayed window.

import { CATALOG_VERSIONS, Catalog, Fn, functionIdCount, getCatalog } from '../catalog';
import { CoState } from '../coroutine/coroutine';
import { Machine } from '../engine/machine';
import { Phase, SimThread, StageEvent } from '../engine/types';
import { addAt, addSpan, BinGrid, foldPairs, resample, Series } from './bins';
import { F64List } from './columns';
import { RequestTable } from './requests';

const CATALOGS: readonly Catalog[] = CATALOG_VERSIONS.map((v) => getCatalog(v));
/** Stage groups in catalog order, those of every version (the newest has them all): a thread lane's time is split among them. */
export const GROUPS = CATALOGS[CATALOGS.length - 1].groups.map((g) => g.id);
const G = GROUPS.length;
/** The group index of each function, by id (ids are shared by the versions). */
export const FN_GROUP = new Uint8Array(functionIdCount());
for (const c of CATALOGS) {
  c.functions.forEach((f, i) => {
    FN_GROUP[c.ids[i]] = Math.max(0, GROUPS.indexOf(c.stage(f.stage)?.group ?? GROUPS[0]));
  });
}

/** Events per entry of the time index (a power of two). */
export const INDEX_EVERY = 1024;

/** Columns of the counter series. */
export const COUNTERS = ['kicks', 'interrupts'] as const;
/** Columns of the level series (time-weighted: their bins hold level × time). */
export const LEVELS = ['inflight', 'coroutinesRunning', 'coroutinesParked'] as const;
const L_INFLIGHT = 0;
const L_RUNNING = 1;
const L_PARKED = 2;

export interface ThreadLane {
  id: number;
  name: string;
  kind: string;
  /** Time run per bin and stage group (size × G). */
  busy: Float32Array;
  /** Time of the thread's last event, and its token then (a change means it blocked since). */
  lastTime: number;
  lastToken: number;
  /** The run not yet added to `busy`: since when (-1: none), in which stage group. */
  runStart: number;
  group: number;
  firstNs: number;
  lastNs: number;
}

const F_QUEUE_RQ = Fn.virtio_queue_rq;
const F_KICK = Fn.vp_notify;
const F_IRQ = Fn.vring_interrupt;
const F_TRAMPOLINE = Fn.coroutine_trampoline;

export class TimelineRecorder {
  /** The next event sequence number to record: everything before it is known. */
  next = 0;
  /** Time of the last recorded event. */
  endNs = 0;
  readonly lanes: ThreadLane[] = [];
  /** Time of event k × INDEX_EVERY. */
  readonly index = new F64List();
  counts: Float32Array;
  levels: Float64Array;
  private readonly level = new Float64Array(LEVELS.length);
  private levelSince = 0;
  readonly requests: RequestTable | null;
  private m: Machine | null = null;
  private gridEnd: number;

  constructor(
    readonly grid: BinGrid,
    opts: { requests: boolean },
  ) {
    this.counts = new Float32Array(grid.size * COUNTERS.length);
    this.levels = new Float64Array(grid.size * LEVELS.length);
    this.requests = opts.requests ? new RequestTable() : null;
    this.gridEnd = grid.end;
  }

  /** A recorder for a whole run: ≈ 1 µs bins to start with, doubling as the run grows. */
  static forRun(): TimelineRecorder {
    return new TimelineRecorder(new BinGrid(0, 1024, 4096, true), { requests: true });
  }

  /** The machine recorded, once attached. */
  get machine(): Machine | null {
    return this.m;
  }

  /** Record what machine `m` does from now on (a fresh run, or the same run restarted). */
  attach(m: Machine): void {
    this.m = m;
    m.listener = this.listener;
    m.requestListener = this.requests ? this.requestDone : null;
    if (this.next === 0) this.startLevels(m);
  }

  /** Bin the events of a replay that starts in the middle of a run (they are passed to `event`). */
  bind(m: Machine): void {
    this.m = m;
    this.startLevels(m);
  }

  /** Take the levels from the model's state (a replay starts in the middle of a run). */
  private startLevels(m: Machine): void {
    const w = m.s.w;
    let running = 0;
    let parked = 0;
    for (const co of w.co.live.values()) {
      if (co.state === CoState.running) running++;
      else if (co.stack.depth > 0) parked++;
    }
    this.level[L_INFLIGHT] = w.guest.inflight;
    this.level[L_RUNNING] = running;
    this.level[L_PARKED] = parked;
    this.levelSince = m.s.now;
  }

  private readonly requestDone = (id: number): void => {
    const m = this.m!;
    if (m.s.events <= this.doneWatermark) return;
    this.doneWatermark = m.s.events;
    this.requests!.onDone(m, id);
    this.changeLevel(L_INFLIGHT, m.s.now, -1);
  };
  /** Completions are recorded once: a replay after a step back sees them again. */
  private doneWatermark = 0;

  /** The machine's listener: `event`, without a second call per event. */
  readonly listener = (ev: StageEvent): void => this.event(ev);

  /**
   * One stage event. A thread's time is accounted in runs — from an event until it blocks or
   * moves to another stage group — so most events only compare two numbers.
   */
  event(ev: StageEvent): void {
    const seq = ev.seq;
    if (seq < this.next) return;
    this.next = seq + 1;
    const time = ev.time;
    if ((seq & (INDEX_EVERY - 1)) === 0) this.index.push(time);
    this.endNs = time;
    if (time >= this.gridEnd) this.grow(time);
    const mt = this.m!.s.threads[ev.thread];
    const lane = this.lanes[ev.thread] ?? this.addLane(mt, time);
    if (mt.token !== lane.lastToken) {
      // it blocked since its last event: the run ended when it blocked
      if (lane.runStart >= 0) {
        const idle = mt.idleSince;
        const stop = idle < lane.lastTime ? lane.lastTime : idle > time ? time : idle;
        if (stop > lane.runStart) addSpan(lane.busy, G, lane.group, this.grid, lane.runStart, stop);
      }
      lane.runStart = time;
      lane.lastToken = mt.token;
    }
    lane.lastTime = time;
    const fn = ev.fn;
    let group: number;
    switch (ev.phase) {
      case Phase.enter:
        group = FN_GROUP[fn];
        if (fn === F_QUEUE_RQ) {
          this.requests?.onQueued(ev.req, time);
          this.changeLevel(L_INFLIGHT, time, 1);
        } else if (fn === F_KICK) addAt(this.counts, COUNTERS.length, 0, this.grid, time, 1);
        else if (fn === F_IRQ) addAt(this.counts, COUNTERS.length, 1, this.grid, time, 1);
        else if (fn === F_TRAMPOLINE) this.changeLevel(L_RUNNING, time, 1);
        break;
      // after a return or a yield the thread's next event comes a few ns later (exitCost): the
      // group stays what it was rather than looking up the caller's frame on every return
      case Phase.exit:
        group = lane.group;
        if (fn === F_TRAMPOLINE) this.changeLevel(L_RUNNING, time, -1);
        break;
      case Phase.yield:
        group = lane.group;
        this.changeLevel(L_RUNNING, time, -1);
        this.changeLevel(L_PARKED, time, 1);
        break;
      default:
        group = FN_GROUP[fn];
        this.changeLevel(L_PARKED, time, -1);
        this.changeLevel(L_RUNNING, time, 1);
    }
    if (group !== lane.group) {
      if (lane.runStart >= 0 && time > lane.runStart) addSpan(lane.busy, G, lane.group, this.grid, lane.runStart, time);
      lane.runStart = time;
      lane.group = group;
    }
  }

  private changeLevel(k: number, time: number, delta: number): void {
    this.flushLevels(time);
    this.level[k] += delta;
  }

  /** Account the levels' area up to `time`. */
  flushLevels(time: number): void {
    if (time <= this.levelSince) return;
    const n = LEVELS.length;
    for (let k = 0; k < n; k++) addSpan(this.levels, n, k, this.grid, this.levelSince, time, this.level[k]);
    this.levelSince = time;
  }

  /** Add the threads' open runs up to their last events (before reading the bins). */
  flushRuns(): void {
    for (const lane of this.lanes) {
      if (!lane || lane.runStart < 0 || lane.lastTime <= lane.runStart) continue;
      addSpan(lane.busy, G, lane.group, this.grid, lane.runStart, lane.lastTime);
      lane.runStart = lane.lastTime;
    }
  }

  /** End a replayed range at `time`: the threads' running time up to it counts (levels too). */
  closeAt(time: number): void {
    const threads = this.m!.s.threads;
    for (const lane of this.lanes) {
      if (!lane || lane.runStart < 0 || lane.runStart >= time) continue;
      const mt = threads[lane.id];
      const idle = mt.idleSince;
      const stop = mt.token === lane.lastToken ? time : idle < lane.lastTime ? lane.lastTime : Math.min(idle, time);
      if (stop > lane.runStart) addSpan(lane.busy, G, lane.group, this.grid, lane.runStart, stop);
      lane.runStart = -1;
    }
    this.flushLevels(time);
  }

  private addLane(mt: SimThread, time: number): ThreadLane {
    const lane: ThreadLane = {
      id: mt.id,
      name: mt.name,
      kind: mt.kind,
      busy: new Float32Array(this.grid.size * G),
      lastTime: -1,
      lastToken: mt.token,
      runStart: -1,
      group: -1,
      firstNs: time,
      lastNs: time,
    };
    this.lanes[mt.id] = lane;
    return lane;
  }

  /** Double the bin width until `time` fits. */
  private grow(time: number): void {
    const n = this.grid.doublingsFor(time);
    for (let i = 0; i < n; i++) {
      for (const lane of this.lanes) if (lane) foldPairs(lane.busy, G);
      foldPairs(this.counts, COUNTERS.length);
      foldPairs(this.levels, LEVELS.length);
      this.grid.width *= 2;
    }
    this.gridEnd = this.grid.end;
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Column `k` of a series re-binned onto `out` (sums). */
  rebin(a: Series, stride: number, k: number, out: BinGrid): Float64Array {
    return resample(a, stride, k, this.grid, out.origin, out.end, out.size);
  }

  /**
   * A thread lane on `out`'s bins: the fraction of each bin it ran, and the stage group it ran
   * longest in (-1 when it did not run).
   */
  threadBins(lane: ThreadLane, out: BinGrid): { busy: number[]; group: number[]; byGroup: Float64Array[] } {
    const byGroup = GROUPS.map((_, g) => this.rebin(lane.busy, G, g, out));
    const busy: number[] = [];
    const group: number[] = [];
    for (let i = 0; i < out.size; i++) {
      let sum = 0;
      let best = -1;
      let bestT = 0;
      for (let g = 0; g < G; g++) {
        const t = byGroup[g][i];
        sum += t;
        if (t > bestT) {
          bestT = t;
          best = g;
        }
      }
      busy.push(Math.min(1, sum / out.width));
      group.push(best);
    }
    return { busy, group, byGroup };
  }

  /** Lanes in thread-id order. */
  threadLanes(): ThreadLane[] {
    return this.lanes.filter((l): l is ThreadLane => l !== undefined);
  }

  /**
   * The event range whose times bracket [from, to]: `first` ≤ every event at or after `from`
   * (an index entry whose time is before `from`), `last` past every event at or before `to`.
   */
  seqRange(from: number, to: number): { first: number; last: number } {
    const idx = this.index.data;
    const n = this.index.length;
    // last entry with time < from
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idx[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    const first = Math.max(0, lo - 1) * INDEX_EVERY;
    // first entry with time > to
    lo = 0;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idx[mid] <= to) lo = mid + 1;
      else hi = mid;
    }
    const last = lo < n ? lo * INDEX_EVERY : this.next;
    return { first, last: Math.min(last, this.next) };
  }
}
