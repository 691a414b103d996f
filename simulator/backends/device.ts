// The host below QEMU: the kernel's page cache and the disk. O_DIRECT I/O and reads go to a
// device that services `queueDepth` requests at once, each taking a per-op latency (with
// jitter) and sharing one bandwidth; buffered writes only copy into the page cache, and a
// flush writes the dirty data back. Injected faults make matching requests fail.

import { DeviceModel, FaultRule } from '../config/scenario';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { World } from '../engine/types';
import { nextFloat } from '../engine/rng';

export const IoOp = { read: 0, write: 1, flush: 2 } as const;
export const IO_OP_NAMES = ['read', 'write', 'flush'] as const;

export interface DeviceIo {
  id: number;
  op: number;
  offset: number;
  bytes: number;
  direct: boolean;
  req: number;
  submitAt: number;
  startAt: number;
  doneAt: number;
  /** 0 or -errno. */
  result: number;
  /** Who to tell when it completes: a timer kind and its argument. */
  notifyKind: number;
  notifyArg: number;
}

export interface DeviceState {
  cfg: DeviceModel;
  ios: DeviceIo[];
  free: number[];
  busy: number;
  waiting: number[];
  /** When the shared transfer pipe is free again. */
  pipeFreeAt: number;
  /** Buffered bytes written since the last flush. */
  dirtyBytes: number;
  faults: (FaultRule & { fired: number })[];
  /** Requests per op seen so far (for n-th-request faults). */
  seen: number[];
  doneTimer: number;
  completed: number;
  errors: number;
  bytes: number;
  /** Integral of in-flight count over time, for the average queue depth. */
  depthArea: number;
  depthSince: number;
  maxDepth: number;
}

declare module '../engine/types' {
  interface World {
    dev: DeviceState;
  }
}

function newIo(
  id: number,
  op: number,
  offset: number,
  bytes: number,
  direct: boolean,
  req: number,
  submitAt: number,
  startAt: number,
  doneAt: number,
  result: number,
  notifyKind: number,
  notifyArg: number,
): DeviceIo {
  return { id, op, offset, bytes, direct, req, submitAt, startAt, doneAt, result, notifyKind, notifyArg };
}

export function copyDeviceState(d: DeviceState): DeviceState {
  return {
    ...copyPlain({ ...d, ios: [] }),
    ios: d.ios.map((i) =>
      newIo(
        i.id,
        i.op,
        i.offset,
        i.bytes,
        i.direct,
        i.req,
        i.submitAt,
        i.startAt,
        i.doneAt,
        i.result,
        i.notifyKind,
        i.notifyArg,
      ),
    ),
  };
}

export function initDevice(w: World, cfg: DeviceModel, faults: FaultRule[]): void {
  w.dev = {
    cfg,
    ios: [],
    free: [],
    busy: 0,
    waiting: [],
    pipeFreeAt: 0,
    dirtyBytes: 0,
    faults: faults.map((f) => ({ ...f, fired: 0 })),
    seen: [0, 0, 0],
    doneTimer: -1,
    completed: 0,
    errors: 0,
    bytes: 0,
    depthArea: 0,
    depthSince: 0,
    maxDepth: 0,
  };
}

export function registerDeviceTimers(m: Machine): void {
  m.s.w.dev.doneTimer = m.addTimer(deviceDone);
}

function faultFor(dev: DeviceState, op: number, offset: number, bytes: number): number {
  const n = ++dev.seen[op];
  for (const f of dev.faults) {
    if (f.fired >= f.times) continue;
    if (f.op !== 'any' && f.op !== IO_OP_NAMES[op]) continue;
    if (f.nth > 0 && f.nth !== n) continue;
    if (f.sectors !== null && op !== IoOp.flush) {
      const first = Math.floor(offset / 512);
      const last = Math.floor((offset + Math.max(bytes, 1) - 1) / 512);
      if (last < f.sectors[0] || first > f.sectors[1]) continue;
    }
    f.fired++;
    return -f.errno;
  }
  return 0;
}

function trackDepth(dev: DeviceState, now: number, delta: number): void {
  dev.depthArea += dev.busy * (now - dev.depthSince);
  dev.depthSince = now;
  dev.busy += delta;
  if (dev.busy > dev.maxDepth) dev.maxDepth = dev.busy;
}

/** Hand an I/O to the host; `notifyKind(arg)` runs when it completes. Returns the io id. */
export function deviceSubmit(
  m: Machine,
  op: number,
  offset: number,
  bytes: number,
  direct: boolean,
  req: number,
  notifyKind: number,
  notifyArg: number,
): number {
  const dev = m.s.w.dev;
  const now = m.s.now;
  const id = dev.free.length > 0 ? dev.free.pop()! : dev.ios.length;
  const io = newIo(
    id,
    op,
    offset,
    bytes,
    direct,
    req,
    now,
    -1,
    -1,
    faultFor(dev, op, offset, bytes),
    notifyKind,
    notifyArg,
  );
  dev.ios[id] = io;
  if (op === IoOp.write && !direct) {
    // buffered write: a copy into the page cache, no device involved
    dev.dirtyBytes += bytes;
    io.startAt = now;
    io.doneAt = now + (bytes / dev.cfg.pageCacheBytesPerSec) * 1e9;
    m.at(io.doneAt, dev.doneTimer, id);
    return id;
  }
  if (dev.busy < dev.cfg.queueDepth) start(m, io);
  else dev.waiting.push(id);
  return id;
}

function start(m: Machine, io: DeviceIo): void {
  const dev = m.s.w.dev;
  const cfg = dev.cfg;
  const now = m.s.now;
  trackDepth(dev, now, +1);
  io.startAt = now;
  const base = io.op === IoOp.read ? cfg.readLatencyNs : io.op === IoOp.write ? cfg.writeLatencyNs : cfg.flushLatencyNs;
  const service = base * (1 + cfg.jitter * (2 * nextFloat(m.s.rng) - 1));
  const bytes = io.op === IoOp.flush ? dev.dirtyBytes : io.bytes;
  if (io.op === IoOp.flush) dev.dirtyBytes = 0;
  const transfer = (bytes / cfg.bandwidthBytesPerSec) * 1e9;
  dev.pipeFreeAt = Math.max(dev.pipeFreeAt, now) + transfer;
  io.doneAt = Math.max(now + service, dev.pipeFreeAt);
  m.at(io.doneAt, dev.doneTimer, io.id);
}

function deviceDone(m: Machine, id: number): void {
  const dev = m.s.w.dev;
  const io = dev.ios[id];
  const queued = io.op !== IoOp.write || io.direct;
  if (queued) {
    trackDepth(dev, m.s.now, -1);
    const next = dev.waiting.shift();
    if (next !== undefined) start(m, dev.ios[next]);
  }
  dev.completed++;
  if (io.result < 0) dev.errors++;
  else dev.bytes += io.bytes;
  m.timers[io.notifyKind](m, io.notifyArg);
}

/** Result of a completed I/O; its slot is reused afterwards. */
export function deviceResult(m: Machine, id: number): number {
  const dev = m.s.w.dev;
  const r = dev.ios[id].result;
  dev.free.push(id);
  return r;
}
