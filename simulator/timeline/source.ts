// What a timeline asks of a run, whatever the run is: a simulation (recorded as it runs, details
// replayed from checkpoints) or, later, a recording of a real QEMU (an index over its trace). A
// client asks for a time range at a resolution and gets bins, plus exact spans when few enough
// events fall in the range, so it never holds the whole run. Times are simulated nanoseconds
// from the start of the run; thread ids are the run's own (the debug adapter maps them to DAP's).

import type { Detail } from './detail';
import type { LatencySplit, RequestSpan } from './requests';

export type LaneKind = 'threads' | 'coroutines' | 'requests' | 'counters' | 'latency';
export const LANE_KINDS: readonly LaneKind[] = ['threads', 'coroutines', 'requests', 'counters', 'latency'];

export interface TimelineQuery {
  /** Range start (ns); default the start of the run. */
  fromNs?: number;
  /** Range end (ns); default the end of what is known. */
  toNs?: number;
  /** How many bins to cut the range into. */
  bins: number;
  /** Which lanes to answer (default all). */
  lanes?: readonly LaneKind[];
  /** Exact spans when the range is short enough (default true). */
  detail?: boolean;
}

export interface TimelineExtent {
  startNs: number;
  /** The time of the last event known (for a simulation: run so far). */
  endNs: number;
  events: number;
  /** Nothing will be added: the run ended (a simulation may still run further). */
  complete: boolean;
}

export interface ThreadBins {
  thread: number;
  name: string;
  kind: string;
  /** Fraction of each bin the thread ran (0..1). */
  busy: number[];
  /** The stage group it ran longest in per bin (index into `groups`), -1 when it did not run. */
  group: number[];
}

export interface TimelineData {
  fromNs: number;
  toNs: number;
  binNs: number;
  bins: number;
  extent: TimelineExtent;
  /** Where the bins came from: the recording's own bins, or a replay of the range at the resolution asked for. */
  resolution: 'recorded' | 'replayed';
  /** Stage groups (thread lane colours) and request stages, by index. */
  groups: { id: string; label: string }[];
  stages: readonly string[];
  threads?: ThreadBins[];
  coroutines?: { running: number[]; parked: number[] };
  requests?: {
    /** Per stage (five, then "in flight at the end"), the average number of requests in it per bin. */
    byStage: number[][];
    /** Each request, when few enough overlap the range. */
    spans?: RequestSpan[];
    /** How many requests overlap the range (counted up to the span limit + 1). */
    count: number;
  };
  counters?: { kicks: number[]; interrupts: number[]; inflight: number[] };
  latency?: LatencySplit;
  /** Exact spans, when few enough events fall in the range; `functions` names their fn ids. */
  detail?: Detail & { functions: Record<number, { name: string; group: number }> };
}

/** One run as a timeline sees it. */
export interface TimelineSource {
  extent(): TimelineExtent;
  query(q: TimelineQuery): TimelineData;
  /** The first known event at or after `ns` (its sequence number), or null past the end. */
  eventAt(ns: number): number | null;
}
