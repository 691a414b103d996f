// The QEMU versions the model runs, and the places where their I/O paths differ. Each version is
// its catalog (simulator/catalog: the functions, their names and trace events) plus this profile:
// the mechanisms a step looks at when QEMU changed what it does. The rest of the model is shared.
// A profile is plain data in the run's state (World.qemu), so a checkpoint carries it.

import { Catalog, catalog as reference, getCatalog } from './catalog';
import { eventLifetimes } from './catalog/versions';
import type { Machine } from './engine/machine';
import type { World } from './engine/types';

export const MODELLED_VERSIONS = ['4.1.0', '10.0'] as const;
export type ModelledVersion = (typeof MODELLED_VERSIONS)[number];

export interface QemuProfile {
  readonly version: ModelledVersion;
  /** 4.2–6.2: blk_co_do_*_part and bdrv_co_*_part do the work; bdrv_co_pwritev/preadv are wrappers. */
  readonly partApi: boolean;
  /** 5.0: aio=io_uring exists. */
  readonly ioUring: boolean;
  /** 5.0: virtio-blk's queue-size defaults to 256 (128 before). */
  readonly queueSizeDefault: number;
  /** 5.0: Linux AIO's MAX_EVENTS (128 before). */
  readonly laioMaxEvents: number;
  /** 6.1: Linux AIO submits once this many iocbs are queued (0: only at unplug). */
  readonly laioMaxBatch: number;
  /** 5.0: handle_vq toggles guest notifications only when they are on (not while polling). */
  readonly notifyToggleIfEnabled: boolean;
  /**
   * 7.0: the host notifier runs virtio_queue_host_notifier_read → virtio_queue_notify_vq →
   * vq->handle_output, and polling is split into io_poll (a check) and io_poll_ready (the work).
   */
  readonly pollReady: boolean;
  /** 7.2: virtio-blk marks its requests BDRV_REQ_REGISTERED_BUF (flags 0x8 in the traces). */
  readonly registeredBuf: boolean;
  /** 8.0: blk_aio_prwv enters the coroutine with aio_co_enter in the current context (no bdrv_coroutine_enter). */
  readonly coEnterCurrentCtx: boolean;
  /** 8.1: Linux AIO and the thread pool use the running thread's context's state; callers pass none. */
  readonly backendsPerThread: boolean;
  /**
   * 8.2: defer_call_begin/end/defer_call in place of plug/unplug; completion batches run inside a
   * deferred-call section, and virtio_notify_irqfd defers its eventfd write to the section's end.
   */
  readonly deferCall: boolean;
  /** 8.2: reqs_lock is a QemuMutex: tracking a request fires no CoMutex trace events. */
  readonly reqsLockMutex: boolean;
  /**
   * 9.0: no dataplane (virtio_blk_start_ioeventfd, no trace event); completion interrupts through
   * virtio_notify_irqfd in an IOThread and virtio_notify in the main loop.
   */
  readonly notifyByThread: boolean;
  /** 9.1: with aio=native a flush is a Linux AIO fdsync, not a pool job. */
  readonly laioFdsync: boolean;
  /** 10.0: adaptive polling time is kept per handler (adjust_polling_time after each dispatch). */
  readonly perHandlerPolling: boolean;
  /** 10.0: virtio_blk_free_request is gone (a plain g_free). */
  readonly gFreeRequest: boolean;
  /** 10.0: file-posix takes FUA writes (RWF_DSYNC, or a flush after a pool write); nothing above emulates it. */
  readonly fua: boolean;
}

const QEMU_4_1_0: QemuProfile = {
  version: '4.1.0',
  partApi: false,
  ioUring: false,
  queueSizeDefault: 128,
  laioMaxEvents: 128,
  laioMaxBatch: 0,
  notifyToggleIfEnabled: false,
  pollReady: false,
  registeredBuf: false,
  coEnterCurrentCtx: false,
  backendsPerThread: false,
  deferCall: false,
  reqsLockMutex: false,
  notifyByThread: false,
  laioFdsync: false,
  perHandlerPolling: false,
  gFreeRequest: false,
  fua: false,
};

const QEMU_10_0: QemuProfile = {
  version: '10.0',
  partApi: true,
  ioUring: true,
  queueSizeDefault: 256,
  laioMaxEvents: 1024,
  laioMaxBatch: 32,
  notifyToggleIfEnabled: true,
  pollReady: true,
  registeredBuf: true,
  coEnterCurrentCtx: true,
  backendsPerThread: true,
  deferCall: true,
  reqsLockMutex: true,
  notifyByThread: true,
  laioFdsync: true,
  perHandlerPolling: true,
  gFreeRequest: true,
  fua: true,
};

const PROFILES: Readonly<Record<ModelledVersion, QemuProfile>> = { '4.1.0': QEMU_4_1_0, '10.0': QEMU_10_0 };

export function isModelled(version: string): version is ModelledVersion {
  return (MODELLED_VERSIONS as readonly string[]).includes(version);
}

export function profileOf(version: ModelledVersion): QemuProfile {
  return PROFILES[version];
}

declare module './engine/types' {
  interface World {
    qemu: QemuProfile;
  }
}

export function initVersion(w: World, version: ModelledVersion): void {
  w.qemu = PROFILES[version];
}

/**
 * The model fires trace events under their 4.1.0 names; a later version may have renamed one (same
 * arguments, e.g. thread_pool_submit → thread_pool_submit_aio) or dropped it. Its name there, or
 * null when it has none; absent for an event the version still has.
 */
export function traceRenames(version: ModelledVersion): ReadonlyMap<string, string | null> | null {
  if (version === '4.1.0') return null;
  let out = renames.get(version);
  if (out) return out;
  out = new Map<string, string | null>();
  renames.set(version, out);
  const c = getCatalog(version);
  const lives = eventLifetimes();
  for (const e of reference.data.traceEvents) {
    if (c.traceEvent(e.name)) continue;
    let next = lives.get(e.name)?.next;
    while (next && !c.traceEvent(next.name)) next = lives.get(next.name)?.next;
    out.set(e.name, next ? next.name : null);
  }
  return out;
}
const renames = new Map<ModelledVersion, Map<string, string | null>>();

/** The catalog of the version a machine runs: what its stage events' function ids mean. */
export function catalogOf(m: Machine): Catalog {
  return getCatalog(m.s.w.qemu.version);
}
