// block/io.c: the generic block layer, run once per node of the graph
// BlockBackend → raw-format node → file-posix node. Each level tracks its request (with the
// reqs_lock CoMutex round trips that show in traces), pads unaligned requests to the node's
// request_alignment (a read-modify-write for writes), lets serialising requests wait for
// overlapping ones, and emulates FUA with a flush when the driver cannot do it.

import { Fn } from '../catalog';
import { ctxOf, MAIN_CTX, newOneshotBh, signalNotifier } from '../aio/aio-context';
import { coroutine } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine, Step, World } from '../engine/machine';
import { IoOp } from '../backends/device';

export const RAW_NODE = 0;
/** A result not there yet (QEMU's NOT_DONE), while a synchronous wrapper polls for it. */
export const NOT_DONE = 0x7fffffff;
export const FILE_NODE = 1;
export const BDRV_REQ_FUA = 0x10;

export interface BdrvNode {
  id: number;
  name: string;
  driver: 'raw-format' | 'file-posix';
  /** The node's `file` child, or -1. */
  child: number;
  /** BDRV_O_NO_FLUSH (cache=unsafe): flushes stop at this node. */
  noFlush: boolean;
  /** bl.request_alignment. */
  align: number;
  ioPlugged: number;
  writeGen: number;
  flushedGen: number;
  activeFlush: boolean;
  /** Coroutines waiting for the running flush (bs->flush_queue). */
  flushQueue: number[];
  /** Tracked requests in flight (BdrvReq ids). */
  tracked: number[];
  /** bs->serialising_in_flight: while 0, wait_serialising_requests has nothing to look at. */
  serialisingInFlight: number;
  inFlight: number;
}

/** One request at one node: what bdrv_co_preadv/pwritev were called with, and its tracking. */
export interface BdrvReq {
  id: number;
  node: number;
  op: number;
  offset: number;
  bytes: number;
  niov: number;
  flags: number;
  serialising: boolean;
  /** Coroutines waiting in wait_serialising_requests for this one to end. */
  waiters: number[];
  /** The request this one waits for in wait_serialising_requests, or -1 (QEMU's waiting_for). */
  waitingFor: number;
  req: number;
  co: number;
  /** The tracked request this one belongs to: itself, or the write whose head/tail it reads. */
  tracked: number;
}

export interface BlockState {
  nodes: BdrvNode[];
  reqs: BdrvReq[];
  freeReqs: number[];
  /** AioContext the nodes (and the BlockBackend) belong to. */
  ctx: number;
  /** BlockBackend in-flight count (blk_inc/dec_in_flight); bdrv_drain_all waits for 0. */
  blkInFlight: number;
  /** The main thread waits in a poll loop (bdrv_drain_all, bdrv_flush): aio_wait_kick wakes it. */
  mainWaits: boolean;
  /** Result of the bdrv_flush the main thread waits for, NOT_DONE until its coroutine ends. */
  syncFlushRet: number;
  rmwCount: number;
  serialisingWaits: number;
}

declare module '../engine/machine' {
  interface World {
    block: BlockState;
  }
}

export function initBlockGraph(w: World, ctx: number, hostAlign: number, noFlush: boolean): void {
  const node = (id: number, name: string, driver: BdrvNode['driver'], child: number, align: number): BdrvNode => ({
    id,
    name,
    driver,
    child,
    noFlush,
    align,
    ioPlugged: 0,
    writeGen: 0,
    flushedGen: 0,
    activeFlush: false,
    flushQueue: [],
    tracked: [],
    serialisingInFlight: 0,
    inFlight: 0,
  });
  w.block = {
    nodes: [node(RAW_NODE, 'raw', 'raw-format', FILE_NODE, 1), node(FILE_NODE, 'file', 'file-posix', -1, hostAlign)],
    reqs: [],
    freeReqs: [],
    ctx,
    blkInFlight: 0,
    mainWaits: false,
    syncFlushRet: 0,
    rmwCount: 0,
    serialisingWaits: 0,
  };
}

/** A block-layer request; `tracked` is the tracked request it belongs to (itself by default). */
export function newBdrvReq(
  w: World,
  node: number,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  flags: number,
  req: number,
  tracked = -1,
): number {
  const bs = w.block;
  const id = bs.freeReqs.length > 0 ? bs.freeReqs.pop()! : bs.reqs.length;
  bs.reqs[id] = bdrvReqRecord(
    id,
    node,
    op,
    offset,
    bytes,
    niov,
    flags,
    false,
    [],
    -1,
    req,
    -1,
    tracked >= 0 ? tracked : id,
  );
  return id;
}

function bdrvReqRecord(
  id: number,
  node: number,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  flags: number,
  serialising: boolean,
  waiters: number[],
  waitingFor: number,
  req: number,
  co: number,
  tracked: number,
): BdrvReq {
  return { id, node, op, offset, bytes, niov, flags, serialising, waiters, waitingFor, req, co, tracked };
}

export function copyBlockState(b: BlockState): BlockState {
  return {
    ...copyPlain({ ...b, reqs: [] }),
    reqs: b.reqs.map((r) =>
      bdrvReqRecord(
        r.id,
        r.node,
        r.op,
        r.offset,
        r.bytes,
        r.niov,
        r.flags,
        r.serialising,
        [...r.waiters],
        r.waitingFor,
        r.req,
        r.co,
        r.tracked,
      ),
    ),
  };
}

export function freeBdrvReq(w: World, id: number): void {
  w.block.freeReqs.push(id);
}

export function bdrvReq(m: Machine, id: number): BdrvReq {
  return m.s.w.block.reqs[id];
}

/** aio_wait_kick: a drain on the main thread re-checks its condition when a request ends. */
export function aioWaitKick(m: Machine): void {
  const w = m.s.w;
  if (!w.block.mainWaits) return;
  const main = ctxOf(m, MAIN_CTX);
  newOneshotBh(w, main, 'dummy_bh_cb', Fn.notify_event_cb, -1);
  if (main.notifyMe) signalNotifier(m, w.aio.handlers[main.notifier], m.s.now);
}

function overlaps(a: BdrvReq, b: BdrvReq, align: number): boolean {
  const lo = (x: BdrvReq): number => (x.serialising ? Math.floor(x.offset / align) * align : x.offset);
  const hi = (x: BdrvReq): number =>
    x.serialising ? Math.ceil((x.offset + x.bytes) / align) * align : x.offset + x.bytes;
  return lo(a) < hi(b) && lo(b) < hi(a);
}

const DRIVER_PWRITEV = [Fn['raw_co_pwritev@raw-format'], Fn['raw_co_pwritev@file-posix']];
const DRIVER_PREADV = [Fn['raw_co_preadv@raw-format'], Fn['raw_co_preadv@file-posix']];

/** The reqs_lock CoMutex round trip of tracked_request_begin/end and bdrv_co_flush (uncontended). */
function traceReqsLock(m: Machine, t: Parameters<Step>[1], node: number): void {
  if (m.tracer === null) return;
  const slot = coroutine(m, t.co).slot;
  m.trace(t, 'qemu_co_mutex_lock_uncontended', node, slot);
  m.trace(t, 'qemu_co_mutex_unlock_entry', node, slot);
}

/**
 * bdrv_co_pwritev(node = a, request = b). Locals: c = result. Aligned requests go straight to
 * bdrv_aligned_pwritev; unaligned ones become a serialising read-modify-write of the
 * aligned head and tail blocks (each read a driver request with its own yield).
 */
const bdrv_co_pwritev: Step = (m, t, f) => {
  const w = m.s.w;
  const r = bdrvReq(m, f.b);
  const node = w.block.nodes[f.a];
  const align = node.align;
  switch (f.pc) {
    case 0:
      m.trace(t, 'bdrv_co_pwritev', f.a, r.offset, r.bytes, r.flags);
      node.inFlight++;
      f.pc = 1;
      return m.call(t, Fn.tracked_request_begin, f.req, f.a, f.b);
    case 1: {
      const head = r.offset % align;
      const tail = (r.offset + r.bytes) % align;
      if (head === 0 && tail === 0) {
        f.pc = 6;
        return m.call(t, Fn.bdrv_aligned_pwritev, f.req, f.a, f.b);
      }
      // mark_request_serialising + wait_serialising_requests, then read the head block
      w.block.rmwCount++;
      r.serialising = true;
      node.serialisingInFlight++;
      f.pc = 2;
      return m.call(t, Fn.wait_serialising_requests, f.req, f.a, f.b);
    }
    case 2: {
      f.pc = 3;
      if (r.offset % align !== 0) {
        const start = r.offset - (r.offset % align);
        f.c = newBdrvReq(w, f.a, IoOp.read, start, align, 1, 0, f.req, f.b);
        return m.call(t, Fn.bdrv_aligned_preadv, f.req, f.a, f.c);
      }
      f.c = -1;
    }
    // fallthrough
    case 3: {
      if (f.c >= 0) freeBdrvReq(w, f.c);
      const end = r.offset + r.bytes;
      const headBlock = Math.floor(r.offset / align);
      const tailBlock = Math.floor((end - 1) / align);
      f.pc = 4;
      // the tail block needs its own read unless the head read already covered it
      if (end % align !== 0 && !(r.offset % align !== 0 && tailBlock === headBlock)) {
        f.c = newBdrvReq(w, f.a, IoOp.read, tailBlock * align, align, 1, 0, f.req, f.b);
        return m.call(t, Fn.bdrv_aligned_preadv, f.req, f.a, f.c);
      }
      f.c = -1;
    }
    // fallthrough
    case 4: {
      if (f.c >= 0) freeBdrvReq(w, f.c);
      const start = r.offset - (r.offset % align);
      const end = Math.ceil((r.offset + r.bytes) / align) * align;
      f.c = newBdrvReq(w, f.a, IoOp.write, start, end - start, r.niov + 2, r.flags, f.req, f.b);
      f.pc = 5;
      return m.call(t, Fn.bdrv_aligned_pwritev, f.req, f.a, f.c);
    }
    case 5:
      freeBdrvReq(w, f.c);
    // fallthrough
    case 6:
      f.c = f.ret;
      f.pc = 7;
      return m.call(t, Fn.tracked_request_end, f.req, f.a, f.b);
    default:
      node.inFlight--;
      return m.ret(t, f.c);
  }
};

/** bdrv_co_preadv(node = a, request = b): unaligned reads are widened (bounce buffers), never serialised. */
const bdrv_co_preadv: Step = (m, t, f) => {
  const w = m.s.w;
  const r = bdrvReq(m, f.b);
  const node = w.block.nodes[f.a];
  const align = node.align;
  switch (f.pc) {
    case 0:
      m.trace(t, 'bdrv_co_preadv', f.a, r.offset, r.bytes, r.flags);
      node.inFlight++;
      f.pc = 1;
      return m.call(t, Fn.tracked_request_begin, f.req, f.a, f.b);
    case 1: {
      f.pc = 2;
      if (r.offset % align === 0 && (r.offset + r.bytes) % align === 0) {
        f.c = -1;
        return m.call(t, Fn.bdrv_aligned_preadv, f.req, f.a, f.b);
      }
      const start = r.offset - (r.offset % align);
      const end = Math.ceil((r.offset + r.bytes) / align) * align;
      f.c = newBdrvReq(w, f.a, IoOp.read, start, end - start, r.niov + 2, 0, f.req, f.b);
      return m.call(t, Fn.bdrv_aligned_preadv, f.req, f.a, f.c);
    }
    case 2:
      if (f.c >= 0) freeBdrvReq(w, f.c);
      f.c = f.ret;
      f.pc = 3;
      return m.call(t, Fn.tracked_request_end, f.req, f.a, f.b);
    default:
      node.inFlight--;
      return m.ret(t, f.c);
  }
};

/** tracked_request_begin(node = a, request = b): add to the node's list under reqs_lock. */
const tracked_request_begin: Step = (m, t, f) => {
  const r = bdrvReq(m, f.b);
  r.co = t.co;
  traceReqsLock(m, t, f.a);
  m.s.w.block.nodes[f.a].tracked.push(f.b);
  return m.ret(t);
};

/** tracked_request_end(node = a, request = b): remove it and restart whoever waited on it. */
const tracked_request_end: Step = (m, t, f) => {
  const r = bdrvReq(m, f.b);
  const tracked = m.s.w.block.nodes[f.a].tracked;
  traceReqsLock(m, t, f.a);
  tracked.splice(tracked.indexOf(f.b), 1);
  if (r.waiters.length > 0) {
    // qemu_co_queue_restart_all from inside a coroutine: they run when this one yields or ends
    const self = coroutine(m, t.co);
    self.wakeup.push(...r.waiters);
    r.waiters.length = 0;
  }
  if (r.serialising) m.s.w.block.nodes[f.a].serialisingInFlight--;
  r.serialising = false;
  return m.ret(t);
};

/**
 * wait_serialising_requests(node = a, request = b): while an overlapping request is in
 * flight and either of the two is serialising, queue on it and yield.
 */
const wait_serialising_requests: Step = (m, t, f) => {
  const w = m.s.w;
  const self = bdrvReq(m, bdrvReq(m, f.b).tracked);
  const node = w.block.nodes[f.a];
  self.waitingFor = -1;
  if (node.serialisingInFlight === 0) return m.ret(t, f.pc);
  for (const id of node.tracked) {
    if (id === self.id) continue;
    const other = w.block.reqs[id];
    if (!self.serialising && !other.serialising) continue;
    if (!overlaps(self, other, node.align)) continue;
    // one that waits itself (perhaps for us) is passed: two requests never wait for each other
    if (other.waitingFor >= 0) continue;
    self.waitingFor = other.id;
    other.waiters.push(t.co);
    w.block.serialisingWaits++;
    f.pc = 1;
    return m.call(t, Fn.qemu_coroutine_yield, f.req);
  }
  return m.ret(t, f.pc);
};

/** bdrv_aligned_pwritev(node = a, request = b). Locals: c = result. */
const bdrv_aligned_pwritev: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.bdrv_co_write_req_prepare, f.req, f.a, f.b);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.bdrv_driver_pwritev, f.req, f.a, f.b);
    case 2:
      f.c = f.ret;
      f.pc = 3;
      return m.call(t, Fn.bdrv_co_write_req_finish, f.req, f.a, f.b);
    default:
      return m.ret(t, f.c);
  }
};

/** bdrv_co_write_req_prepare(node = a, request = b): wait for overlapping serialising requests. */
const bdrv_co_write_req_prepare: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.wait_serialising_requests, f.req, f.a, f.b);
  }
  return m.ret(t, 0);
};

/** bdrv_co_write_req_finish(node = a): write_gen++ (4.1.0 does it even when the write failed). */
const bdrv_co_write_req_finish: Step = (m, t, f) => {
  m.s.w.block.nodes[f.a].writeGen++;
  return m.ret(t);
};

/** bdrv_aligned_preadv(node = a, request = b). */
const bdrv_aligned_preadv: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.wait_serialising_requests, f.req, f.a, f.b);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.bdrv_driver_preadv, f.req, f.a, f.b);
    default:
      return m.ret(t, f.ret);
  }
};

/** bdrv_driver_pwritev(node = a, request = b): the driver; FUA emulated by a flush (no driver supports FUA at 4.1.0). */
const bdrv_driver_pwritev: Step = (m, t, f) => {
  const r = bdrvReq(m, f.b);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, DRIVER_PWRITEV[f.a], f.req, f.a, f.b);
    case 1:
      if (f.ret === 0 && r.flags & BDRV_REQ_FUA) {
        f.pc = 2;
        return m.call(t, Fn.bdrv_co_flush, f.req, f.a);
      }
    // fallthrough
    default:
      return m.ret(t, f.ret);
  }
};

/** bdrv_driver_preadv(node = a, request = b). */
const bdrv_driver_preadv: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, DRIVER_PREADV[f.a], f.req, f.a, f.b);
  }
  return m.ret(t, f.ret);
};

/**
 * bdrv_co_flush(node = a). Locals: b = write_gen at entry, c = result. Wait behind a running
 * flush; flush to disk only if the node was written since its last flush (file-posix
 * only — raw-format has no hook, and cache=unsafe skips it); then flush the `file` child.
 */
const bdrv_co_flush: Step = (m, t, f) => {
  const node = m.s.w.block.nodes[f.a];
  switch (f.pc) {
    case 0:
      node.inFlight++;
      traceReqsLock(m, t, f.a);
      f.b = node.writeGen;
      f.pc = 1;
    // fallthrough
    case 1:
      if (node.activeFlush) {
        node.flushQueue.push(t.co);
        return m.call(t, Fn.qemu_coroutine_yield, f.req);
      }
      node.activeFlush = true;
      f.pc = 2;
      if (node.driver === 'file-posix' && node.flushedGen !== f.b && !node.noFlush) {
        return m.call(t, Fn.raw_co_flush_to_disk, f.req, f.a);
      }
      f.ret = 0;
    // fallthrough
    case 2:
      f.c = f.ret;
      if (f.c === 0 && node.child >= 0) {
        f.pc = 3;
        return m.call(t, Fn.bdrv_co_flush, f.req, node.child);
      }
      f.ret = f.c;
    // fallthrough
    default: {
      f.c = f.ret;
      if (f.c === 0) node.flushedGen = f.b;
      traceReqsLock(m, t, f.a);
      node.activeFlush = false;
      const next = node.flushQueue.shift();
      if (next !== undefined) coroutine(m, t.co).wakeup.push(next);
      node.inFlight--;
      return m.ret(t, f.c);
    }
  }
};

/** bdrv_io_plug(node = a): children first, then the driver hook on the 0 → 1 transition. */
const bdrv_io_plug: Step = (m, t, f) => {
  const node = m.s.w.block.nodes[f.a];
  switch (f.pc) {
    case 0:
      f.pc = 1;
      if (node.child >= 0) return m.call(t, Fn.bdrv_io_plug, f.req, node.child);
    // fallthrough
    case 1:
      f.pc = 2;
      if (node.ioPlugged++ === 0 && node.driver === 'file-posix') return m.call(t, Fn.raw_aio_plug, f.req, f.a);
    // fallthrough
    default:
      return m.ret(t);
  }
};

/** bdrv_io_unplug(node = a): the driver hook on the 1 → 0 transition, then children. */
const bdrv_io_unplug: Step = (m, t, f) => {
  const node = m.s.w.block.nodes[f.a];
  switch (f.pc) {
    case 0:
      f.pc = 1;
      if (--node.ioPlugged === 0 && node.driver === 'file-posix') return m.call(t, Fn.raw_aio_unplug, f.req, f.a);
    // fallthrough
    case 1:
      f.pc = 2;
      if (node.child >= 0) return m.call(t, Fn.bdrv_io_unplug, f.req, node.child);
    // fallthrough
    default:
      return m.ret(t);
  }
};

/** bdrv_drain_all: on the main thread, aio_poll the main context until no request is in flight. */
const bdrv_drain_all: Step = (m, t) => aioWaitWhile(m, t, m.s.w.block.blkInFlight > 0, 0);

/**
 * AIO_WAIT_WHILE on the main thread: while `busy`, poll the main context (aio_wait_kick wakes
 * it); once not, return `value`. The caller's step runs again after each poll.
 */
function aioWaitWhile(m: Machine, t: Parameters<Step>[1], busy: boolean, value: number): void {
  m.s.w.block.mainWaits = busy;
  if (busy) return m.call(t, Fn.aio_poll, -1, MAIN_CTX, 1);
  return m.ret(t, value);
}

/** bdrv_flush_all: on the main thread, flush each root node (here the drive's raw node). */
const bdrv_flush_all: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.bdrv_flush, -1, RAW_NODE);
  }
  return m.ret(t, f.ret);
};

/**
 * bdrv_flush(node = a) outside coroutine context: a coroutine runs bdrv_flush_co_entry in
 * the node's AioContext (handed to the iothread by aio_co_schedule when it owns the node)
 * while this thread polls its own context until the coroutine has a result.
 */
const bdrv_flush: Step = (m, t, f) => {
  const bs = m.s.w.block;
  switch (f.pc) {
    case 0:
      bs.syncFlushRet = NOT_DONE;
      f.pc = 1;
      return m.call(t, Fn.qemu_coroutine_create, -1, Fn.bdrv_flush_co_entry, f.a);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.bdrv_coroutine_enter, -1, f.a, f.ret);
    default:
      return aioWaitWhile(m, t, bs.syncFlushRet === NOT_DONE, bs.syncFlushRet);
  }
};

/** bdrv_flush_co_entry(node = a), the coroutine: flush, publish the result, kick the waiter. */
const bdrv_flush_co_entry: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.bdrv_co_flush, -1, f.a);
  }
  m.s.w.block.syncFlushRet = f.ret;
  aioWaitKick(m);
  return m.ret(t);
};

export function registerBlockIoSteps(steps: Step[]): void {
  steps[Fn.bdrv_flush_all] = bdrv_flush_all;
  steps[Fn.bdrv_flush] = bdrv_flush;
  steps[Fn.bdrv_flush_co_entry] = bdrv_flush_co_entry;
  steps[Fn.bdrv_co_pwritev] = bdrv_co_pwritev;
  steps[Fn.bdrv_co_preadv] = bdrv_co_preadv;
  steps[Fn.tracked_request_begin] = tracked_request_begin;
  steps[Fn.tracked_request_end] = tracked_request_end;
  steps[Fn.wait_serialising_requests] = wait_serialising_requests;
  steps[Fn.bdrv_aligned_pwritev] = bdrv_aligned_pwritev;
  steps[Fn.bdrv_co_write_req_prepare] = bdrv_co_write_req_prepare;
  steps[Fn.bdrv_co_write_req_finish] = bdrv_co_write_req_finish;
  steps[Fn.bdrv_aligned_preadv] = bdrv_aligned_preadv;
  steps[Fn.bdrv_driver_pwritev] = bdrv_driver_pwritev;
  steps[Fn.bdrv_driver_preadv] = bdrv_driver_preadv;
  steps[Fn.bdrv_co_flush] = bdrv_co_flush;
  steps[Fn.bdrv_io_plug] = bdrv_io_plug;
  steps[Fn.bdrv_io_unplug] = bdrv_io_unplug;
  steps[Fn.bdrv_drain_all] = bdrv_drain_all;
}
