// The timeline of a recorded run, fed by the recording's front as it reads new events: the
// same lanes a simulation's timeline has, from what a trace shows. A thread is drawn busy over a
// run of its events (events less than RUN_GAP apart; a trace has no return events, so how long
// the last call of a run took is not known); coroutines running and parked, requests in flight,
// kicks and interrupts are exact; each decided request is a span split into its stages (the
// kick, the pop, the backend submit, the backend done, the completion, the interrupt decision).
// A query answers from these bins; an export re-reads the range into a Chrome trace.

import type { Catalog } from '../catalog';
import { checkExportSize, writeLines } from '../output/export-file';
import { ChromeTraceOfLog } from '../trace/writers';
import type { RequestRecord } from '../trace/rebuild';
import { addAt, addSpan, BinGrid, foldPairs, resample, Series } from '../timeline/bins';
import { F64List } from '../timeline/columns';
import { FN_GROUP, GROUPS } from '../timeline/recorder';
import { RequestTable, STAGES } from '../timeline/requests';
import { LANE_KINDS, TimelineData, TimelineExtent, TimelineQuery, TimelineSource } from '../timeline/source';
import type { Pass, RecEvent } from './pass';

const G = GROUPS.length;
/** Events of a thread closer than this belong to one run of work. */
const RUN_GAP = 20_000;
/** What the last event of a run is taken to last. */
const EVENT_NS = 1_000;
const INDEX_EVERY = 1024;
const MAX_BINS = 10_000;

interface Lane {
  id: number;
  name: string;
  kind: string;
  busy: Float32Array;
  runStart: number;
  runEnd: number;
  group: number;
  firstNs: number;
}

const round = (x: number, d = 1000): number => Math.round(x * d) / d;
const list = (a: ArrayLike<number>, scale = 1): number[] => Array.from(a, (x) => round(x * scale));

export interface TimelineHost {
  readonly catalog: Catalog;
  readonly known: number;
  readonly complete: boolean;
  idOf(tid: number): number;
  /** Re-read from the saved state before event `fromSeq`, calling `visit` until it returns true. */
  scan(fromSeq: number, visit: (e: RecEvent, pass: Pass) => boolean): void;
}

export class RecordingTimeline implements TimelineSource {
  private readonly grid = new BinGrid(0, 1024, 4096, true);
  private readonly lanes = new Map<number, Lane>();
  private counts = new Float32Array(this.grid.size * 2);
  private levels = new Float64Array(this.grid.size * 3);
  private readonly level = new Float64Array(3);
  private levelSince = 0;
  private readonly index = new F64List();
  readonly requests = new RequestTable();
  endNs = 0;
  private readonly fnGroup: Uint8Array;

  constructor(private readonly host: TimelineHost) {
    this.fnGroup = FN_GROUP;
  }

  /** A new event the front read. */
  observe(e: RecEvent, pass: Pass): void {
    const ev = e.ev;
    const t = ev.time_ns ?? 0;
    if ((e.seq & (INDEX_EVERY - 1)) === 0) this.index.push(t);
    if (t > this.endNs) this.endNs = t;
    if (t >= this.grid.end) this.grow(t);
    const id = this.host.idOf(ev.tid);
    const lane = this.lanes.get(id) ?? this.addLane(id, ev.thread, t, pass, ev.tid);
    const group = e.fn < this.fnGroup.length ? this.fnGroup[e.fn] : lane.group < 0 ? 0 : lane.group;
    if (lane.runStart >= 0 && (t - lane.runEnd > RUN_GAP || group !== lane.group)) this.closeRun(lane, t);
    if (lane.runStart < 0) {
      lane.runStart = t;
      lane.group = group;
    }
    lane.runEnd = t;
    switch (ev.event) {
      case 'virtio_queue_notify':
        addAt(this.counts, 2, 0, this.grid, t, 1);
        break;
      case 'virtio_notify':
      case 'virtio_notify_irqfd':
        addAt(this.counts, 2, 1, this.grid, t, 1);
        break;
      case 'virtqueue_pop': {
        const r = ev.requests.length ? pass.state.reqs.get(ev.requests[0]) : undefined;
        if (r) this.requests.onQueued(r.id, r.stages[0]?.time_ns ?? t);
        break;
      }
    }
    this.setLevel(t, 0, pass.state.reqs.size);
    if (ev.coroutine !== null) {
      // coroutines switch on these events only: count the running ones as they go
      if (ev.event === 'qemu_aio_coroutine_enter') this.running++;
      else if (ev.event === 'qemu_coroutine_yield' || ev.event === 'qemu_coroutine_terminate')
        this.running = Math.max(0, this.running - 1);
      this.setLevel(t, 1, this.running);
      this.setLevel(t, 2, Math.max(0, pass.state.cos.size - this.running));
    }
  }
  private running = 0;

  /** A request the front saw decided. */
  decided(r: RequestRecord): void {
    const at = (...stages: string[]): number => {
      for (const s of stages) {
        const m = r.stages.find((x) => x.stage === s);
        if (m && m.time_ns !== null) return m.time_ns;
      }
      return -1;
    };
    const marks = [
      at('kick', 'pop'),
      at('pop'),
      at('submit', 'yield'),
      at('backend-done', 'reenter'),
      at('complete'),
      at('irq', 'irq-suppressed'),
    ];
    if (marks[0] < 0) return;
    this.requests.done6(r.id, r.op, r.status !== 0, marks);
  }

  private setLevel(t: number, k: number, v: number): void {
    if (this.level[k] === v) return;
    this.flushLevels(t);
    this.level[k] = v;
  }

  private flushLevels(t: number): void {
    if (t <= this.levelSince) return;
    for (let k = 0; k < 3; k++) addSpan(this.levels, 3, k, this.grid, this.levelSince, t, this.level[k]);
    this.levelSince = t;
  }

  private closeRun(lane: Lane, t: number): void {
    const end = Math.min(lane.runEnd + EVENT_NS, Math.max(t, lane.runEnd));
    addSpan(lane.busy, G, lane.group, this.grid, lane.runStart, end);
    lane.runStart = -1;
  }

  private addLane(id: number, name: string, t: number, pass: Pass, tid: number): Lane {
    const lane: Lane = {
      id,
      name,
      kind: tid === -2 ? 'pool-lane' : pass.reader.rebuild.threadRole(tid),
      busy: new Float32Array(this.grid.size * G),
      runStart: -1,
      runEnd: -1,
      group: -1,
      firstNs: t,
    };
    this.lanes.set(id, lane);
    return lane;
  }

  private grow(t: number): void {
    const n = this.grid.doublingsFor(t);
    for (let i = 0; i < n; i++) {
      for (const lane of this.lanes.values()) foldPairs(lane.busy, G);
      foldPairs(this.counts, 2);
      foldPairs(this.levels, 3);
      this.grid.width *= 2;
    }
  }

  // ---- TimelineSource --------------------------------------------------------------------

  extent(): TimelineExtent {
    return { startNs: 0, endNs: this.endNs, events: this.host.known, complete: this.host.complete };
  }

  /** The event range whose times bracket [from, to] (from the time of every 1024th event). */
  private seqRange(from: number, to: number): { first: number; last: number } {
    const idx = this.index.data;
    const n = this.index.length;
    let lo = 0;
    while (lo < n && idx[lo] < from) lo++;
    const first = Math.max(0, lo - 1) * INDEX_EVERY;
    let hi = lo;
    while (hi < n && idx[hi] <= to) hi++;
    return { first, last: hi < n ? hi * INDEX_EVERY : this.host.known };
  }

  eventAt(ns: number): number | null {
    if (this.host.known === 0 || ns > this.endNs) return null;
    let found: number | null = null;
    this.host.scan(this.seqRange(ns, ns).first, (e) => {
      if ((e.ev.time_ns ?? 0) < ns) return false;
      found = e.seq;
      return true;
    });
    return found;
  }

  query(q: TimelineQuery): TimelineData {
    const end = Math.max(1, this.endNs);
    const from = Math.min(Math.max(0, q.fromNs ?? 0), end);
    const to = Math.max(from + 1, Math.min(q.toNs ?? end, end));
    const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(q.bins)));
    const want = new Set(q.lanes ?? LANE_KINDS);
    const out = new BinGrid(from, (to - from) / bins, bins, false);
    this.flushLevels(this.endNs);
    for (const lane of this.lanes.values()) if (lane.runStart >= 0) this.closeRun(lane, lane.runEnd + EVENT_NS);
    const rebin = (a: Series, stride: number, k: number): Float64Array =>
      resample(a, stride, k, this.grid, out.origin, out.end, out.size);
    const c = this.host.catalog;
    const data: TimelineData = {
      fromNs: from,
      toNs: to,
      binNs: out.width,
      bins,
      extent: this.extent(),
      resolution: 'recorded',
      groups: GROUPS.map((id) => ({ id, label: c.groups.find((g) => g.id === id)?.label ?? id })),
      stages: STAGES,
    };
    if (want.has('threads'))
      data.threads = [...this.lanes.values()]
        .filter((l) => l.firstNs <= to)
        .sort((a, b) => a.id - b.id)
        .map((l) => {
          const byGroup = GROUPS.map((_, g) => rebin(l.busy, G, g));
          const busy: number[] = [];
          const group: number[] = [];
          for (let i = 0; i < bins; i++) {
            let sum = 0;
            let best = -1;
            let bestT = 0;
            for (let g = 0; g < G; g++) {
              sum += byGroup[g][i];
              if (byGroup[g][i] > bestT) [bestT, best] = [byGroup[g][i], g];
            }
            busy.push(round(Math.min(1, sum / out.width)));
            group.push(best);
          }
          return { thread: l.id, name: l.name, kind: l.kind, busy, group };
        });
    const level = (k: number): number[] => list(rebin(this.levels, 3, k), 1 / out.width);
    if (want.has('coroutines')) data.coroutines = { running: level(1), parked: level(2) };
    if (want.has('counters'))
      data.counters = {
        kicks: list(rebin(this.counts, 2, 0)),
        interrupts: list(rebin(this.counts, 2, 1)),
        inflight: level(0),
      };
    if (want.has('requests')) {
      const count = this.requests.countIn(from, to, 3000);
      data.requests = {
        byStage: this.requests.byStage(out, this.endNs).map((x) => list(x)),
        count,
        spans: count <= 3000 ? this.requests.spans(from, to, this.endNs) : undefined,
      };
    }
    if (want.has('latency')) data.latency = this.requests.latency(from, to);
    return data;
  }

  /** Writes [fromNs, toNs] as a Chrome trace (re-read from the log); returns how many events it holds. */
  exportRange(path: string, fromNs: number | undefined, toNs: number | undefined, title: string): number {
    const from = fromNs ?? 0;
    const to = toNs ?? this.endNs;
    const { first, last } = this.seqRange(from, to);
    checkExportSize(first, last);
    return writeLines(path, (line) => {
      let n = 0;
      const chrome = new ChromeTraceOfLog(title, line);
      let lastLine = -1;
      this.host.scan(first, (e, pass) => {
        const t = e.ev.time_ns ?? 0;
        if (t > to) return true;
        if (t < from) return false;
        chrome.event(e.ev);
        n++;
        if (e.ev.line !== lastLine) {
          lastLine = e.ev.line;
          for (const r of pass.doneNow) chrome.request(r);
        }
        return false;
      });
      chrome.finish();
      return n;
    });
  }
}
