// What the DAP session debugs, whatever it is: a simulation of QEMU 4.1.0 (simulation.ts) or
// a real QEMU's trace log, replayed or followed (replay/debuggee.ts). The session talks to this
// interface only — threads and their stacks, the scopes of a frame, the names an expression can
// read, running forward or back to a stop, seeking — and turns it into DAP. Thread ids here are
// DAP's.

import type { Catalog, Plain, TimelineData, TimelineQuery } from '../../simulator';
import type { BreakpointBook } from './breakpoints';
import type { Stop } from './execution';
import type { Scope } from './expr/evaluate';

/** Where a frame's source is: a catalog function (its file or the document), or a generated page. */
export type FrameSource = { fn: number } | { page: string } | null;

export interface FrameInfo {
  name: string;
  hint?: 'label' | 'subtle';
  source: FrameSource;
  /** Handed back for scopes and expressions (the debuggee's own). */
  ref: object;
}

export interface ScopeInfo {
  name: string;
  /** Computed when the client expands it (`expensive` scopes). */
  value: Plain | (() => Plain);
  expensive?: boolean;
}

/** The `qemuIo/stage` event's body (extension/debug/stageState.ts reads it). */
export interface StageInfo {
  thread: string;
  function: string;
  stage: string;
  group: string;
  requestIds: number[];
  event: number;
  timeNs: number;
  /** A replay's: the 1-based line of the log the event was read from. */
  line?: number;
}

/** DAP thread id and name of the pseudo-thread listing parked coroutines (stable, for nvim-dap). */
export const PARKED_THREAD = 100_000;
export const PARKED_THREAD_NAME = 'parked coroutines';

export interface DebuggeeHooks {
  /** Threads came and went (told after each slice of a run, and after time travel). */
  threadsChanged(started: number[], exited: number[]): void;
  /** Lines for the Debug Console (trace lines, notes). */
  output(lines: string[], category?: 'stdout' | 'console' | 'stderr'): void;
}

export interface Debuggee {
  /** The catalog of the QEMU version it runs or was recorded with (frames, hovers, breakpoints). */
  readonly catalog: Catalog;
  readonly breakpoints: BreakpointBook;
  /** A run is under way (it yields between slices). */
  readonly busy: boolean;
  /** Going on ends the session (the end of a simulation or of a replayed log). */
  readonly finished: boolean;
  /** Where it stands: the event, its time and thread; null before the first event. */
  readonly position: { seq: number; timeNs: number; thread: number } | null;

  /** The first stop: the first event (`stopOnEntry`), else the first breakpoint. */
  begin(stopOnEntry: boolean): Promise<Stop>;
  resume(): Promise<Stop>;
  next(thread: number): Promise<Stop>;
  stepIn(thread: number): Promise<Stop>;
  stepOut(thread: number): Promise<Stop>;
  stepBack(thread: number): Promise<Stop>;
  reverseContinue(): Promise<Stop>;
  /** To an event or the first event at or after a time. */
  seek(to: { event: number } | { timeNs: number }): Promise<Stop>;
  /** The first event of a line of `logFile` or a later one, if the log has one (DAP gotoTargets). */
  logLineTarget?(line: number): { label: string; line: number } | null;
  /** To that event (DAP goto). */
  seekLogLine?(line: number): Promise<Stop>;
  pause(): void;
  restart(): void;

  threads(): { id: number; name: string }[];
  hasThread(id: number): boolean;
  /** A thread's frames, innermost first (the parked-coroutines pseudo-thread has its own id). */
  stack(thread: number): FrameInfo[];
  /** Coroutines not running, for the `parked coroutines` pseudo-thread. */
  parkedCount(): number;
  scopes(ref: object): ScopeInfo[];
  /** The names an expression reads for a frame (or the current event's thread when null). */
  expressionScope(ref: object | null): Scope;
  stage(thread: number): StageInfo;
  /** Lines for the Debug Console at a stop (the statistics at the end). */
  stopLines(stop: Stop): string[];

  // the timeline (server/debug/timeline.ts)
  timeline(query: TimelineQuery): TimelineData;
  exportRange(path: string, fromNs: number | undefined, toNs: number | undefined): number;
  /** A timeline thread id as DAP's. */
  dapThread(timelineThread: number): number;

  dispose(): void;
}
