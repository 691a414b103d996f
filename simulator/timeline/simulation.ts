// The timeline of a simulation: a recorder fed while the model runs forward, and replays of a
// window from the nearest checkpoint (the model is deterministic) when the window is finer than
// the recorded bins or short enough for exact spans. The replays run beside the debuggee; it
// stays where it is.

import { catalog as reference } from '../catalog';
import { catalogOf } from '../version';
import type { Machine } from '../engine/machine';
import type { StageEvent } from '../engine/types';
import { BinGrid } from './bins';
import { DetailBuilder } from './detail';
import { COUNTERS, FN_GROUP, GROUPS, LEVELS, TimelineRecorder } from './recorder';
import { STAGES } from './requests';
import { LANE_KINDS, TimelineData, TimelineExtent, TimelineQuery, TimelineSource } from './source';

/** What a simulation timeline needs from whoever runs the model. */
export interface WindowReplayer {
  /**
   * Replay from just before event `fromSeq` (a state between two events, handed to `begin`),
   * calling `observe` with each event until it returns true or the recorded events run out.
   * The model being debugged is not moved.
   */
  replay(fromSeq: number, begin: (m: Machine) => void, observe: (ev: StageEvent) => boolean): void;
  /** The run has ended: nothing more will be recorded. */
  complete(): boolean;
}

/** Most events a query replays for bins finer than the recording's (≈ 0.1–0.3 s here). */
export const REPLAY_EVENTS = 1_500_000;
/** Most events a query replays for exact spans. */
export const DETAIL_EVENTS = 120_000;
/** Most requests listed one by one. */
export const SPAN_REQUESTS = 3_000;
export const MAX_BINS = 10_000;

const round = (x: number, d = 1000): number => Math.round(x * d) / d;
const list = (a: ArrayLike<number>, scale = 1, d = 1000): number[] => Array.from(a, (x) => round(x * scale, d));

export class SimulationTimeline implements TimelineSource {
  constructor(
    readonly recorder: TimelineRecorder,
    private readonly replayer: WindowReplayer,
  ) {}

  extent(): TimelineExtent {
    const r = this.recorder;
    return { startNs: 0, endNs: r.endNs, events: r.next, complete: this.replayer.complete() };
  }

  eventAt(ns: number): number | null {
    const r = this.recorder;
    if (r.next === 0 || ns > r.endNs) return null;
    const { first } = r.seqRange(ns, ns);
    let found: number | null = null;
    this.replayer.replay(
      first,
      () => undefined,
      (ev) => {
        if (ev.time < ns) return false;
        found = ev.seq;
        return true;
      },
    );
    return found;
  }

  query(q: TimelineQuery): TimelineData {
    const rec = this.recorder;
    const catalog = rec.machine ? catalogOf(rec.machine) : reference;
    const extent = this.extent();
    const end = Math.max(1, rec.endNs);
    const from = Math.min(Math.max(0, q.fromNs ?? 0), end);
    const to = Math.max(from + 1, Math.min(q.toNs ?? end, end));
    const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(q.bins)));
    const want = new Set(q.lanes ?? LANE_KINDS);
    const out = new BinGrid(from, (to - from) / bins, bins, false);
    rec.flushLevels(rec.endNs);
    rec.flushRuns();

    // finer than the recording, or short enough for spans: replay the range
    let src = rec;
    let detail: ReturnType<DetailBuilder['finish']> | undefined;
    const { first, last } = rec.seqRange(from, to);
    const events = last - first;
    const spans = q.detail !== false && events <= DETAIL_EVENTS && want.has('threads');
    if (events > 0 && (spans || (out.width < rec.grid.width && events <= REPLAY_EVENTS))) {
      const fine = new TimelineRecorder(out, { requests: false });
      const db = spans ? new DetailBuilder(from, to) : null;
      let lastTime = from;
      this.replayer.replay(
        first,
        (m) => {
          fine.bind(m);
          db?.begin(m);
        },
        (ev) => {
          // the first event past the range still closes the time threads ran up to it
          fine.event(ev);
          if (ev.time > to) return true;
          db?.event(ev);
          lastTime = ev.time;
          return false;
        },
      );
      const stop = Math.min(to, Math.max(lastTime, rec.endNs));
      fine.closeAt(stop);
      src = fine;
      detail = db?.finish(stop);
    }

    const data: TimelineData = {
      fromNs: from,
      toNs: to,
      binNs: out.width,
      bins,
      extent,
      resolution: src === rec ? 'recorded' : 'replayed',
      groups: GROUPS.map((id) => ({ id, label: catalog.groups.find((g) => g.id === id)?.label ?? id })),
      stages: STAGES,
    };
    if (want.has('threads')) {
      data.threads = rec
        .threadLanes()
        .filter((l) => l.firstNs <= to)
        .map((l) => {
          const lane = src.lanes[l.id];
          const b = lane
            ? src.threadBins(lane, out)
            : { busy: new Array<number>(bins).fill(0), group: new Array<number>(bins).fill(-1) };
          return { thread: l.id, name: l.name, kind: l.kind, busy: list(b.busy), group: b.group };
        });
    }
    const level = (k: number): number[] => list(src.rebin(src.levels, LEVELS.length, k, out), 1 / out.width);
    if (want.has('coroutines')) data.coroutines = { running: level(1), parked: level(2) };
    if (want.has('counters')) {
      data.counters = {
        kicks: list(src.rebin(src.counts, COUNTERS.length, 0, out)),
        interrupts: list(src.rebin(src.counts, COUNTERS.length, 1, out)),
        inflight: level(0),
      };
    }
    const reqs = rec.requests!;
    if (want.has('requests')) {
      const count = reqs.countIn(from, to, SPAN_REQUESTS);
      data.requests = {
        byStage: reqs.byStage(out, rec.endNs).map((c) => list(c)),
        count,
        spans: count <= SPAN_REQUESTS ? reqs.spans(from, to, rec.endNs) : undefined,
      };
    }
    if (want.has('latency')) data.latency = reqs.latency(from, to);
    if (detail) {
      const functions: Record<number, { name: string; group: number }> = {};
      const name = (fn: number): void => {
        functions[fn] ??= {
          name: catalog.entry(fn)?.qualifier
            ? `${catalog.name(fn)} [${catalog.entry(fn)!.qualifier}]`
            : catalog.name(fn),
          group: FN_GROUP[fn],
        };
      };
      // spans narrower than half a bin cannot be seen (their caller is drawn there instead): leave
      // them out, which keeps a zoomed-out answer small; times to the nanosecond
      const minNs = out.width / 2;
      const keep = <T extends { start: number; end: number }>(xs: T[]): T[] =>
        xs
          .filter((x) => x.end - x.start >= minNs)
          .map((x) => ({ ...x, start: Math.round(x.start), end: Math.round(x.end) }));
      detail.slices = keep(detail.slices);
      detail.waits = keep(detail.waits);
      detail.coroutines = keep(detail.coroutines);
      for (const s of detail.slices) name(s.fn);
      for (const s of detail.waits) name(s.fn);
      for (const s of detail.coroutines) name(s.fn);
      data.detail = { ...detail, functions };
    }
    return data;
  }
}
