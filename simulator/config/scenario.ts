// Everything one simulation run is made of, with defaults. The model reads only this shape;
// the CLI, QEMU command-line and fio parsers and the debug adapter's launch configuration all
// produce it.

import type { ModelledVersion } from '../version';

export type AioMode = 'threads' | 'native' | 'io_uring';
export type CacheMode = 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe';
export type ErrorPolicy = 'report' | 'ignore' | 'stop' | 'enospc';
export type RwMode = 'read' | 'write' | 'randread' | 'randwrite' | 'randrw' | 'rw';
export type FaultOp = 'read' | 'write' | 'flush' | 'any';

export const AIO_MODES: readonly AioMode[] = ['threads', 'native', 'io_uring'];
export const CACHE_MODES: readonly CacheMode[] = ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'];
export const ERROR_POLICIES: readonly ErrorPolicy[] = ['report', 'ignore', 'stop', 'enospc'];
export const RW_MODES: readonly RwMode[] = ['read', 'write', 'randread', 'randwrite', 'randrw', 'rw'];

export interface Workload {
  rw: RwMode;
  /** Percentage of reads for randrw / rw. */
  rwmixread: number;
  /** Request size in bytes (a multiple of 512). */
  bs: number;
  iodepth: number;
  /** Requests queued per doorbell write (fio's iodepth_batch_submit). */
  batch: number;
  /** Stop issuing after this many requests (flushes not counted)... */
  requests: number;
  /** ...or after this much simulated time (ns), whichever comes first; 0 = no limit. */
  runtimeNs: number;
  /** First byte of the region the workload touches, and its length (0 = to the end of the disk). */
  offset: number;
  size: number;
  /** A flush after every N writes (fio's fsync=N); 0 = never. */
  flushEvery: number;
  /** fio's thinktime: the guest stops issuing for this long (ns) after every thinktimeBlocks requests. */
  thinktimeNs: number;
  thinktimeBlocks: number;
  /** Replay a real trace's requests instead (the fio-like fields above are then unused). */
  fromTrace: TraceWorkload | null;
}

/** A guest request as a trace shows it. */
export interface TraceRequest {
  op: 'read' | 'write' | 'flush';
  sector: number;
  bytes: number;
}

/**
 * The requests a log shows QEMU popping after one kick (virtio_queue_notify), in pop order: the
 * guest queues them together and then rings the doorbell (if the device wants a kick).
 */
export interface TraceKick {
  requests: readonly TraceRequest[];
  /** Completions the log shows before this kick: the guest reaps as many before it queues these. */
  after: number;
  /** Time from the kick before to this one in the log (0 without timestamps): the guest waits as long. */
  gapNs: number;
}

/** A workload read from a QEMU trace log (config/trace-workload.ts): its kicks, in order. */
export interface TraceWorkload {
  file: string;
  kicks: readonly TraceKick[];
  requests: number;
}

export interface DeviceModel {
  /** Requests the device services at once; more wait in its queue. */
  queueDepth: number;
  readLatencyNs: number;
  writeLatencyNs: number;
  flushLatencyNs: number;
  bandwidthBytesPerSec: number;
  /** ± fraction of random variation on each latency. */
  jitter: number;
  /** Copy speed into the host page cache for buffered (non-O_DIRECT) writes. */
  pageCacheBytesPerSec: number;
}

export interface CpuModel {
  /** CPU time to enter an ordinary QEMU function. */
  callNs: number;
  /** Cost of a short system call (eventfd read/write, io_submit of one iocb). */
  syscallNs: number;
  /** A thread sleeping in ppoll/futex runs again this long after being woken. */
  wakeNs: number;
  /** A busy-polling iothread notices new work this fast. */
  pollDetectNs: number;
  coroutineNewNs: number;
  threadCreateNs: number;
  /** Guest: preparing and queueing one request in the driver. */
  guestSubmitNs: number;
  /** Guest: a doorbell write that KVM turns into an ioeventfd signal. */
  kickNs: number;
  /** Guest: from the irqfd write to the guest's interrupt handler running. */
  irqNs: number;
}

export interface FaultRule {
  op: FaultOp;
  /** Inclusive sector range, or null for any sector. */
  sectors: [number, number] | null;
  /** Fail only the n-th request of this op reaching the host (1-based), or 0. */
  nth: number;
  errno: number;
  /** How many times the rule fires; Infinity = every match. */
  times: number;
}

/** A blkdebug inject-error rule: armed by `event`, it fails the next matching request at blkdebug's layer. */
export interface BlkdebugRule {
  /** The blkdebug event that arms it (BLKDBG_WRITE_AIO is `write_aio`, ...). */
  event: BlkdebugEvent;
  /** The I/O types it fails (blkdebug's iotype; all of them by default). */
  iotypes: readonly BlkdebugIoType[];
  errno: number;
  /** A byte the request must cover (blkdebug's sector × 512), or -1 for any request. */
  offset: number;
  /** Removed after its first hit. */
  once: boolean;
  /** Fail without first rescheduling the coroutine (no aio_co_schedule, no yield). */
  immediately: boolean;
}

/** The blkdebug events the model announces: raw-format before a read or write, a flush before each step. */
export const BLKDEBUG_EVENTS = ['read_aio', 'write_aio', 'flush_to_os', 'flush_to_disk'] as const;
export type BlkdebugEvent = (typeof BLKDEBUG_EVENTS)[number];
export const BLKDEBUG_IO_TYPES = ['read', 'write', 'write-zeroes', 'discard', 'flush', 'block-status'] as const;
export type BlkdebugIoType = (typeof BLKDEBUG_IO_TYPES)[number];

export interface Scenario {
  qemuVersion: ModelledVersion;
  seed: number;
  aio: AioMode;
  iothread: boolean;
  /** What cache= (or cache.direct / cache.writeback / cache.no-flush) selects. */
  cache: CacheFlags;
  werror: ErrorPolicy;
  rerror: ErrorPolicy;
  requestMerging: boolean;
  /** virtio-blk-pci ioeventfd (on by default): off makes the vCPU thread run handle_vq. */
  ioeventfd: boolean;
  /** VIRTIO_RING_F_EVENT_IDX negotiated (on by default). */
  eventIdx: boolean;
  queueSize: number;
  /** The iothread's poll-max-ns (the main loop never polls). */
  pollMaxNs: number;
  /** Linux AIO's batch limit (6.1+): the iothread's and the drive's aio-max-batch, 0 for the default. */
  aioMaxBatch: { iothread: number; drive: number };
  /** Disk size in bytes. */
  diskBytes: number;
  /** O_DIRECT alignment the host file system imposes (request_alignment of the file node). */
  hostBlockSize: number;
  workload: Workload;
  device: DeviceModel;
  cpu: CpuModel;
  /** Errors the host device returns (without blkdebug). */
  faults: FaultRule[];
  /** The trace events a QEMU command line's -trace options enable, as patterns in order; null: all. */
  traceEvents: readonly string[] | null;
  /** A blkdebug node between raw-format and file-posix (file.driver=blkdebug), with its rules; null: none. */
  blkdebug: BlkdebugRule[] | null;
  /** The simulated management tool: `cont` this long after a STOP, at most maxResumes times. */
  resumeAfterNs: number;
  maxResumes: number;
}

export const GiB = 1024 * 1024 * 1024;

export function defaultScenario(): Scenario {
  return {
    qemuVersion: '4.1.0',
    seed: 1,
    aio: 'threads',
    iothread: false,
    cache: cacheFlags('writeback'),
    werror: 'enospc',
    rerror: 'report',
    requestMerging: true,
    ioeventfd: true,
    eventIdx: true,
    queueSize: 128,
    pollMaxNs: 32768,
    aioMaxBatch: { iothread: 0, drive: 0 },
    diskBytes: 1 * GiB,
    hostBlockSize: 512,
    workload: {
      rw: 'write',
      rwmixread: 50,
      bs: 4096,
      iodepth: 1,
      batch: 1,
      requests: 1,
      runtimeNs: 0,
      offset: 0,
      size: 0,
      flushEvery: 0,
      thinktimeNs: 0,
      thinktimeBlocks: 1,
      fromTrace: null,
    },
    device: {
      queueDepth: 64,
      readLatencyNs: 80_000,
      writeLatencyNs: 20_000,
      flushLatencyNs: 150_000,
      bandwidthBytesPerSec: 3_000_000_000,
      jitter: 0.1,
      pageCacheBytesPerSec: 8_000_000_000,
    },
    cpu: {
      callNs: 60,
      syscallNs: 700,
      wakeNs: 4_000,
      pollDetectNs: 200,
      coroutineNewNs: 3_000,
      threadCreateNs: 40_000,
      guestSubmitNs: 1_500,
      kickNs: 1_200,
      irqNs: 3_000,
    },
    faults: [],
    traceEvents: null,
    blkdebug: null,
    resumeAfterNs: 1_000_000,
    maxResumes: 3,
  };
}

export interface CacheFlags {
  /** O_DIRECT on the image file. */
  direct: boolean;
  /** The write cache the guest sees (WCE); off means every write is FUA. */
  writeback: boolean;
  /** Flushes are ignored (cache=unsafe). */
  noFlush: boolean;
}

/** cache= mode → flags, as QEMU maps them. */
export function cacheFlags(mode: CacheMode): CacheFlags {
  switch (mode) {
    case 'none':
      return { direct: true, writeback: true, noFlush: false };
    case 'writeback':
      return { direct: false, writeback: true, noFlush: false };
    case 'writethrough':
      return { direct: false, writeback: false, noFlush: false };
    case 'directsync':
      return { direct: true, writeback: false, noFlush: false };
    case 'unsafe':
      return { direct: false, writeback: true, noFlush: true };
  }
}

/** The cache= name of a flag combination, if it has one. */
export function cacheModeName(c: CacheFlags): string {
  for (const mode of CACHE_MODES) {
    const f = cacheFlags(mode);
    if (f.direct === c.direct && f.writeback === c.writeback && f.noFlush === c.noFlush) return mode;
  }
  return `direct=${c.direct ? 'on' : 'off'},writeback=${c.writeback ? 'on' : 'off'},no-flush=${c.noFlush ? 'on' : 'off'}`;
}

export const ERRNO = { EIO: 5, ENOSPC: 28, EINVAL: 22 } as const;
export const ERRNO_NAMES: Record<number, string> = { 5: 'EIO', 28: 'ENOSPC', 22: 'EINVAL' };
export const ERRNO_TEXT: Record<number, string> = {
  5: 'Input/output error',
  28: 'No space left on device',
  22: 'Invalid argument',
};
