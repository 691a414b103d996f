// The engine's data: plain records every layer shares (frames, stacks, threads, the state a
// checkpoint copies, stage events). No behaviour here, and nothing about QEMU: the interpreter
// is machine.ts, checkpoint copying clone.ts, and each layer adds its state to World.

import type { RngState } from './rng';

export const Phase = { enter: 0, exit: 1, yield: 2, resume: 3 } as const;
export type PhaseValue = (typeof Phase)[keyof typeof Phase];
export const PHASE_NAMES = ['enter', 'exit', 'yield', 'resume'] as const;

export const ThreadState = { runnable: 0, blocked: 1, exited: 2 } as const;

/** What a blocked thread waits for; shown to users and used to wake the right threads. */
export const Wait = {
  none: 0,
  /** In ppoll/epoll: woken when one of its AioContext's fds becomes readable. */
  fd: 1,
  /** Busy-polling an AioContext: woken as soon as a poll handler would make progress. */
  busyPoll: 2,
  /** In a blocking system call until the device answers. */
  syscall: 3,
  /** A thread-pool worker in qemu_sem_timedwait. */
  semaphore: 4,
  /** A vCPU with nothing to do (guest idle or VM paused). */
  halted: 5,
  /** Being created (qemu_thread_create until the thread first runs). */
  starting: 6,
  /** A kernel worker thread with no work queued. */
  kernelWork: 7,
} as const;
export const WAIT_NAMES = [
  'running',
  'ppoll',
  'busy-polling',
  'in system call',
  'qemu_sem_timedwait',
  'halted',
  'starting',
  'waiting for work',
] as const;

export interface Frame {
  fn: number;
  /** Where the function is in its body: 0 at entry, else the resume point its step set. */
  pc: number;
  /** The head guest request this call works for, or -1. */
  req: number;
  /**
   * Four slots: the call's arguments first, then the locals the function keeps across steps.
   * Which slot holds what is the step's layout (see StepDef); steps name them, never a–d.
   */
  a: number;
  b: number;
  c: number;
  d: number;
  /** The last callee's return value. */
  ret: number;
}

/** A frame slot. */
export type Slot = 'a' | 'b' | 'c' | 'd';
export const SLOTS: readonly Slot[] = ['a', 'b', 'c', 'd'];
/** Frame.pc of a function just entered. */
export const ENTRY = 0;

export interface Stack {
  frames: Frame[];
  depth: number;
}

/** `kernel`: a thread of the host kernel that runs work for QEMU (io_uring's iou-wrk). */
export type ThreadKindName = 'main-loop' | 'iothread' | 'worker' | 'vcpu' | 'kernel';

export interface SimThread {
  id: number;
  name: string;
  kind: ThreadKindName;
  /** Linux thread id printed in qemu-trace output. */
  tid: number;
  /** The thread's own stack. */
  native: Stack;
  /** The stack being executed: `native`, or a coroutine's while one runs on this thread. */
  stack: Stack;
  /** Id of the coroutine running on this thread, -1 when on the native stack. */
  co: number;
  /** Home AioContext (-1 for vCPUs and workers, which use the main context as "current"). */
  ctx: number;
  time: number;
  state: number;
  wait: number;
  /** Set when a timed wait ended by timeout rather than by a wake-up. */
  timedOut: boolean;
  /** Invalidates queued wake-ups when the thread is re-blocked or woken another way. */
  token: number;
  /** Deadline of the current timed wait (-1: none), and the time of the one timeout entry it has queued. */
  timeoutAt: number;
  timeoutQueuedAt: number;
  createdAt: number;
  exitedAt: number;
  /** When it last blocked: a timeline tells the time it ran from the time it waited by it. */
  idleSince: number;
  /** Not run yet: its first step is entering its base function (main_loop, worker_thread, ...). */
  fresh: boolean;
}

/** The state each layer adds (by module augmentation); the engine knows none of it. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by module augmentation
export interface World {}

/** A min-heap on (time, seq) in parallel arrays: no allocation per scheduled item. */
export interface Heap {
  size: number;
  time: Float64Array;
  seq: Float64Array;
  kind: Int32Array;
  arg: Int32Array;
  token: Int32Array;
}

export interface SimState {
  now: number;
  seq: number;
  events: number;
  heap: Heap;
  threads: SimThread[];
  cur: number;
  rng: RngState;
  /** The workload is finished; the run ends once the host has settled. */
  done: boolean;
  w: World;
}

export interface StageEvent {
  seq: number;
  time: number;
  thread: number;
  co: number;
  fn: number;
  phase: PhaseValue;
  req: number;
  /** Depth of the stack the event happened on (coroutine stack or native), after an enter. */
  depth: number;
}

export const StopReason = { limit: 0, predicate: 1, idle: 2, done: 3, time: 4 } as const;
export type StopReasonValue = (typeof StopReason)[keyof typeof StopReason];

export type TraceArg = number | string | boolean;
export type TraceSink = (t: SimThread, event: string, args: readonly TraceArg[]) => void;
