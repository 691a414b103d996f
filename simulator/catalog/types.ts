// The shape of a version's catalog: plain data, so a new QEMU version is a new data file
// (see qemu-4.1.0.ts), never a fork of the code that reads it.

/** Fine-grained stage of the path a function belongs to. */
export type StageId =
  | 'guest'
  | 'kick'
  | 'mainloop'
  | 'poll'
  | 'iothread'
  | 'virtio'
  | 'merge'
  | 'plug'
  | 'blk-aio'
  | 'blk-co'
  | 'coroutine'
  | 'bdrv'
  | 'raw-format'
  | 'raw'
  | 'laio-submit'
  | 'laio-complete'
  | 'pool-submit'
  | 'pool-worker'
  | 'pool-complete'
  | 'completion'
  | 'notify'
  | 'error'
  | 'setup'
  | 'syscall'
  // Added by the later versions' deltas (qemu-7.2.ts, qemu-10.0.ts):
  | 'uring-submit'
  | 'uring-complete'
  | 'blkdebug';

/** Coarse group shown as the top level of the stage tree. */
export type StageGroupId =
  'guest' | 'poll' | 'virtio' | 'blk' | 'driver' | 'laio' | 'uring' | 'pool' | 'completion' | 'error' | 'setup';

/** Which kind of QEMU thread runs a function. */
export type ThreadKind = 'vcpu' | 'main-loop' | 'iothread' | 'main-loop-or-iothread' | 'pool-worker' | 'any' | 'kernel';

/** plain: never on a coroutine stack; coroutine: only there; either: both happen on the path. */
export type RunsIn = 'plain' | 'coroutine' | 'either';

/** Where the function lives: QEMU itself, glib, the host kernel (system calls) or the guest's driver. */
export type Origin = 'qemu' | 'glib' | 'syscall' | 'guest';

export interface TraceArg {
  /** C type as declared in QEMU's trace-events file, e.g. `void *`, `int64_t`. */
  readonly type: string;
  readonly name: string;
}

export interface TraceEventDecl {
  readonly name: string;
  readonly args: readonly TraceArg[];
  /** The printf-style format QEMU's log backend prints after the event name, with PRI macros expanded as on x86-64 Linux (`%"PRId64"` becomes `%ld`). */
  readonly format: string;
  /** trace-events file that declares it, e.g. `block/trace-events`. */
  readonly file: string;
  /**
   * The function that fires it, for events no catalog function fires (off the path, e.g. the zoned
   * virtio-blk commands). Events fired on the path are found through FunctionEntry.traceEvents instead.
   */
  readonly emitter?: { readonly name: string; readonly file: string; readonly line?: number };
  /** Facts worth a hover: when it fires, version caveats. Own words. */
  readonly notes?: string;
}

export interface FunctionEntry {
  readonly name: string;
  /**
   * Set when another catalog function has the same name (QEMU has two static
   * `raw_co_pwritev`: raw-format.c and file-posix.c); the entry's key is `name@qualifier`.
   */
  readonly qualifier?: string;
  readonly stage: StageId;
  readonly thread: ThreadKind;
  readonly runsIn: RunsIn;
  /** Can suspend the coroutine it runs in, directly or through a callee. */
  readonly yields: boolean;
  /** Calls qemu_coroutine_yield itself. */
  readonly directYield: boolean;
  /**
   * Names of the functions it calls on the path, directly or through a helper that is not in the catalog
   * (helpers themselves may be listed: see helpers.ts). A shared name is written `name@qualifier`.
   */
  readonly calls: readonly string[];
  /**
   * The names in `calls` it reaches other than by a direct call in its body: through a function
   * pointer (a BH, fd handler or completion callback, a coroutine's entry, a driver method), a
   * coroutine switch, guest code running in KVM_RUN, or a one-line helper the catalog does not list.
   */
  readonly indirectCalls?: readonly string[];
  /** Plumbing (event-loop dispatch, coroutine switching) rather than the I/O path: shown subtle in call stacks. */
  readonly plumbing?: boolean;
  /** Names of trace events it fires (keys of CatalogData.traceEvents). */
  readonly traceEvents: readonly string[];
  /** Source file relative to the project's root (QEMU tree, glib, Linux). Absent when unknown. */
  readonly file?: string;
  /** Line of the function's name in `file` at this version. Absent when not verified. */
  readonly line?: number;
  /** One or two sentences in the project's own words. */
  readonly summary: string;
  readonly origin: Origin;
  /** Other threads it also runs on, when `thread` alone would mislead. */
  readonly altThreads?: readonly ThreadKind[];
  /** Extra facts worth a hover: conditions, version caveats. Own words. */
  readonly notes?: string;
}

export interface StageDef {
  readonly id: StageId;
  readonly group: StageGroupId;
  readonly label: string;
}

export interface StageGroupDef {
  readonly id: StageGroupId;
  readonly label: string;
  readonly description: string;
}

export interface CatalogData {
  readonly version: string;
  readonly releaseCommit: string;
  readonly groups: readonly StageGroupDef[];
  readonly stages: readonly StageDef[];
  readonly functions: readonly FunctionEntry[];
  readonly traceEvents: readonly TraceEventDecl[];
  /** Why this version differs from 4.1.0, per function or event name (set on the versions built from a delta). */
  readonly changes?: readonly ChangeNote[];
  /**
   * For a version built from a delta: per function, the key it has in the base catalog (after a rename,
   * its old name), or null for a function the delta added. Functions keep their id along it.
   */
  readonly lineage?: readonly (string | null)[];
}

/** One change between QEMU releases, as a later version's catalog records it ("renamed in 6.0"). */
export interface ChangeNote {
  /** First QEMU release (`X.Y`) whose release commit has the change. */
  readonly since: string;
  /** Function or trace-event names the change concerns (old and new name for a rename). */
  readonly names: readonly string[];
  readonly kind: 'function' | 'event';
  readonly op: 'add' | 'remove' | 'rename' | 'change';
  /** What changed, in the project's own words. */
  readonly why: string;
}
