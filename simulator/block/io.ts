// block/io.c: the generic block layer, run once per node of the graph
// BlockBackend → raw-format node → file-posix node. Each level tracks its request (with the
// reqs_lock CoMutex round trips that show in traces), pads unaligned requests to the node's
// request_alignment (a read-modify-write for writes), lets serialising requests wait for
// overlapping ones, and emulates FUA with a flush when the driver cannot do it.

import { ctxOf, MAIN_CTX, newOneshotBh, signalNotifier } from '../aio/aio-context';
import { aio_poll } from '../aio/aio-poll';
import { aio_co_enter } from '../aio/co-wake';
import { IoOp } from '../backends/device';
import { coroutine, qemu_coroutine_create, qemu_coroutine_yield } from '../coroutine/coroutine';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, SimThread, World } from '../engine/types';
import { notify_event_cb } from '../loop/runstate';
import { step } from '../step';
import { bdrv_coroutine_enter } from './block-backend';
import * as protocolDriver from './file-posix';
import { raw_aio_plug, raw_aio_unplug, raw_co_flush_to_disk } from './file-posix';
import * as formatDriver from './raw-format';
import * as filterDriver from './blkdebug';
import { BLKDEBUG_EVENTS, BlkdebugRule } from '../config/scenario';

export const RAW_NODE = 0;
/** A result not there yet (QEMU's NOT_DONE), while a synchronous wrapper polls for it. */
export const NOT_DONE = 0x7fffffff;
export const FILE_NODE = 1;
/** With file.driver=blkdebug, the blkdebug node between the format and the image. */
export const BLKDEBUG_NODE = 2;
export const BDRV_REQ_FUA = 0x10;
/** 7.2+: the buffer is guest RAM registered with the block layer (virtio-blk sets it). */
export const BDRV_REQ_REGISTERED_BUF = 0x8;

export interface BdrvNode {
  id: number;
  name: string;
  driver: 'raw-format' | 'file-posix' | 'blkdebug';
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
  /** The blkdebug node's rules, which of them are active (indices, first match first), and which a once=on hit removed. */
  blkdebug: { rules: readonly BlkdebugRule[]; active: number[]; removed: boolean[] } | null;
}

declare module '../engine/types' {
  interface World {
    block: BlockState;
  }
}

export function initBlockGraph(
  w: World,
  ctx: number,
  hostAlign: number,
  noFlush: boolean,
  blkdebug: readonly BlkdebugRule[] | null,
): void {
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
  const nodes = [
    node(RAW_NODE, 'raw', 'raw-format', FILE_NODE, 1),
    node(FILE_NODE, 'file', 'file-posix', -1, hostAlign),
  ];
  if (blkdebug) {
    nodes[RAW_NODE].child = BLKDEBUG_NODE;
    nodes.push(node(BLKDEBUG_NODE, 'blkdebug', 'blkdebug', FILE_NODE, hostAlign));
  }
  w.block = {
    nodes,
    reqs: [],
    freeReqs: [],
    ctx,
    blkInFlight: 0,
    mainWaits: false,
    syncFlushRet: 0,
    rmwCount: 0,
    serialisingWaits: 0,
    blkdebug: blkdebug ? { rules: blkdebug, active: [], removed: blkdebug.map(() => false) } : null,
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
  newOneshotBh(w, main, 'dummy_bh_cb', notify_event_cb, -1);
  if (main.notifyMe) signalNotifier(m, w.aio.handlers[main.notifier], m.s.now);
}

function overlaps(a: BdrvReq, b: BdrvReq, align: number): boolean {
  const lo = (x: BdrvReq): number => (x.serialising ? Math.floor(x.offset / align) * align : x.offset);
  const hi = (x: BdrvReq): number =>
    x.serialising ? Math.ceil((x.offset + x.bytes) / align) * align : x.offset + x.bytes;
  return lo(a) < hi(b) && lo(b) < hi(a);
}

/** The reqs_lock CoMutex round trip of tracked_request_begin/end and bdrv_co_flush (uncontended; 8.2+: a QemuMutex, no events). */
function traceReqsLock(m: Machine, t: SimThread, node: number): void {
  if (m.tracer === null || m.s.w.qemu.reqsLockMutex) return;
  const slot = coroutine(m, t.co).slot;
  m.trace(t, 'qemu_co_mutex_lock_uncontended', node, slot);
  m.trace(t, 'qemu_co_mutex_unlock_entry', node, slot);
}

/** tracked_request_begin(bs, req): add to the node's list under reqs_lock. */
export const tracked_request_begin = step(
  'tracked_request_begin',
  { args: ['bs: node', 'req: breq'] },
  ({ bs, req }) =>
    (m, t, f) => {
      bdrvReq(m, f[req]).co = t.co;
      traceReqsLock(m, t, f[bs]);
      m.s.w.block.nodes[f[bs]].tracked.push(f[req]);
      return m.ret(t);
    },
);

/** tracked_request_end(bs, req): remove it and restart whoever waited on it. */
export const tracked_request_end = step(
  'tracked_request_end',
  { args: ['bs: node', 'req: breq'] },
  ({ bs, req }) =>
    (m, t, f) => {
      const r = bdrvReq(m, f[req]);
      const node = m.s.w.block.nodes[f[bs]];
      traceReqsLock(m, t, f[bs]);
      node.tracked.splice(node.tracked.indexOf(f[req]), 1);
      if (r.waiters.length > 0) {
        // qemu_co_queue_restart_all from inside a coroutine: they run when this one yields or ends
        coroutine(m, t.co).wakeup.push(...r.waiters);
        r.waiters.length = 0;
      }
      if (r.serialising) node.serialisingInFlight--;
      r.serialising = false;
      return m.ret(t);
    },
);

/**
 * wait_serialising_requests(bs, req): while an overlapping request is in flight and either
 * of the two is serialising, queue on it and yield. Returns whether it waited.
 */
export const wait_serialising_requests = step(
  'wait_serialising_requests',
  { args: ['bs: node', 'req: breq'], at: ['waited'] },
  ({ bs, req }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const self = bdrvReq(m, bdrvReq(m, f[req]).tracked);
      const node = w.block.nodes[f[bs]];
      const waited = f.pc === at.waited ? 1 : 0;
      self.waitingFor = -1;
      if (node.serialisingInFlight === 0) return m.ret(t, waited);
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
        f.pc = at.waited;
        return m.call(t, qemu_coroutine_yield, f.req);
      }
      return m.ret(t, waited);
    },
);

/** bdrv_co_write_req_prepare(bs, req): wait for overlapping serialising requests. */
export const bdrv_co_write_req_prepare = step(
  'bdrv_co_write_req_prepare',
  { args: ['bs: node', 'req: breq'], at: ['waited'] },
  ({ bs, req }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t, 0);
      f.pc = at.waited;
      return m.call(t, wait_serialising_requests, f.req, f[bs], f[req]);
    },
);

/** bdrv_co_write_req_finish(bs, req): write_gen++ (4.1.0 does it even when the write failed). */
export const bdrv_co_write_req_finish = step(
  'bdrv_co_write_req_finish',
  { args: ['bs: node', 'req: breq'] },
  ({ bs }) =>
    (m, t, f) => {
      m.s.w.block.nodes[f[bs]].writeGen++;
      return m.ret(t);
    },
);

/** The node's driver method (bs->drv->bdrv_co_pwritev / _preadv): raw-format's, blkdebug's or file-posix's. */
function driverRw(m: Machine, node: number, op: 'pwritev' | 'preadv'): number {
  const write = op === 'pwritev';
  switch (m.s.w.block.nodes[node].driver) {
    case 'raw-format':
      return write ? formatDriver.raw_co_pwritev.id : formatDriver.raw_co_preadv.id;
    case 'blkdebug':
      return write ? filterDriver.blkdebug_co_pwritev.id : filterDriver.blkdebug_co_preadv.id;
    default:
      return write ? protocolDriver.raw_co_pwritev.id : protocolDriver.raw_co_preadv.id;
  }
}

/**
 * bdrv_driver_pwritev(bs, req): the driver; FUA emulated by a flush when the driver cannot do it
 * (none can at 4.1.0; from 10.0 file-posix can, and raw-format and blkdebug pass it down).
 */
export const bdrv_driver_pwritev = step(
  'bdrv_driver_pwritev',
  { args: ['bs: node', 'req: breq'], at: ['written', 'flushed'] },
  ({ bs, req }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.written;
          return m.callIndirect(t, driverRw(m, f[bs], 'pwritev'), f.req, f[bs], f[req]);
        case at.written:
          if (f.ret === 0 && bdrvReq(m, f[req]).flags & BDRV_REQ_FUA && !m.s.w.qemu.fua) {
            f.pc = at.flushed;
            return m.call(t, bdrv_co_flush, f.req, f[bs]);
          }
        // fallthrough
        default:
          return m.ret(t, f.ret);
      }
    },
);

/** bdrv_driver_preadv(bs, req). */
export const bdrv_driver_preadv = step(
  'bdrv_driver_preadv',
  { args: ['bs: node', 'req: breq'], at: ['read'] },
  ({ bs, req }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t, f.ret);
      f.pc = at.read;
      return m.callIndirect(t, driverRw(m, f[bs], 'preadv'), f.req, f[bs], f[req]);
    },
);

/** bdrv_aligned_pwritev(bs, req): prepare, the driver, finish; returns the driver's result. */
export const bdrv_aligned_pwritev = step(
  'bdrv_aligned_pwritev',
  { args: ['bs: node', 'req: breq'], locals: ['result: int'], at: ['prepared', 'written', 'finished'] },
  ({ bs, req, result }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.prepared;
          return m.call(t, bdrv_co_write_req_prepare, f.req, f[bs], f[req]);
        case at.prepared:
          f.pc = at.written;
          return m.call(t, bdrv_driver_pwritev, f.req, f[bs], f[req]);
        case at.written:
          f[result] = f.ret;
          f.pc = at.finished;
          return m.call(t, bdrv_co_write_req_finish, f.req, f[bs], f[req]);
        default:
          return m.ret(t, f[result]);
      }
    },
);

/** bdrv_aligned_preadv(bs, req). */
export const bdrv_aligned_preadv = step(
  'bdrv_aligned_preadv',
  { args: ['bs: node', 'req: breq'], at: ['waited', 'read'] },
  ({ bs, req }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.waited;
          return m.call(t, wait_serialising_requests, f.req, f[bs], f[req]);
        case at.waited:
          f.pc = at.read;
          return m.call(t, bdrv_driver_preadv, f.req, f[bs], f[req]);
        default:
          return m.ret(t, f.ret);
      }
    },
);

/**
 * bdrv_co_pwritev(bs, req), bdrv_co_pwritev_part(bs, req) from 4.2 (with bdrv_co_pwritev a wrapper
 * around it). Aligned requests go straight to bdrv_aligned_pwritev; unaligned ones become a
 * serialising read-modify-write of the aligned head and tail blocks (each read a driver request,
 * `pad`, with its own yield), then one padded write.
 */
function pwritev(key: 'bdrv_co_pwritev' | 'bdrv_co_pwritev_part', event: string) {
  return step(
    key,
    {
      args: ['bs: node', 'req: breq'],
      locals: ['pad: breq', 'result: int'],
      at: ['tracked', 'serialised', 'head_read', 'tail_read', 'padded_written', 'written', 'untracked', 'wrapped'],
    },
    ({ bs, req, pad, result }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        const r = bdrvReq(m, f[req]);
        const node = w.block.nodes[f[bs]];
        const align = node.align;
        switch (f.pc) {
          case ENTRY:
            if (key === 'bdrv_co_pwritev' && w.qemu.partApi) {
              f.pc = at.wrapped;
              return m.call(t, bdrv_co_pwritev_part, f.req, f[bs], f[req]);
            }
            m.trace(t, event, f[bs], r.offset, r.bytes, r.flags);
            node.inFlight++;
            f.pc = at.tracked;
            return m.call(t, tracked_request_begin, f.req, f[bs], f[req]);
          case at.tracked: {
            const head = r.offset % align;
            const tail = (r.offset + r.bytes) % align;
            if (head === 0 && tail === 0) {
              f.pc = at.written;
              return m.call(t, bdrv_aligned_pwritev, f.req, f[bs], f[req]);
            }
            // mark_request_serialising + wait_serialising_requests, then read the head block
            w.block.rmwCount++;
            r.serialising = true;
            node.serialisingInFlight++;
            f.pc = at.serialised;
            return m.call(t, wait_serialising_requests, f.req, f[bs], f[req]);
          }
          case at.serialised: {
            f.pc = at.head_read;
            if (r.offset % align !== 0) {
              const start = r.offset - (r.offset % align);
              f[pad] = newBdrvReq(w, f[bs], IoOp.read, start, align, 1, 0, f.req, f[req]);
              return m.call(t, bdrv_aligned_preadv, f.req, f[bs], f[pad]);
            }
            f[pad] = -1;
          }
          // fallthrough
          case at.head_read: {
            if (f[pad] >= 0) freeBdrvReq(w, f[pad]);
            const end = r.offset + r.bytes;
            const headBlock = Math.floor(r.offset / align);
            const tailBlock = Math.floor((end - 1) / align);
            f.pc = at.tail_read;
            // the tail block needs its own read unless the head read already covered it
            if (end % align !== 0 && !(r.offset % align !== 0 && tailBlock === headBlock)) {
              f[pad] = newBdrvReq(w, f[bs], IoOp.read, tailBlock * align, align, 1, 0, f.req, f[req]);
              return m.call(t, bdrv_aligned_preadv, f.req, f[bs], f[pad]);
            }
            f[pad] = -1;
          }
          // fallthrough
          case at.tail_read: {
            if (f[pad] >= 0) freeBdrvReq(w, f[pad]);
            const start = r.offset - (r.offset % align);
            const end = Math.ceil((r.offset + r.bytes) / align) * align;
            f[pad] = newBdrvReq(w, f[bs], IoOp.write, start, end - start, r.niov + 2, r.flags, f.req, f[req]);
            f.pc = at.padded_written;
            return m.call(t, bdrv_aligned_pwritev, f.req, f[bs], f[pad]);
          }
          case at.padded_written:
            freeBdrvReq(w, f[pad]);
          // fallthrough
          case at.written:
            f[result] = f.ret;
            f.pc = at.untracked;
            return m.call(t, tracked_request_end, f.req, f[bs], f[req]);
          case at.wrapped:
            return m.ret(t, f.ret);
          default:
            node.inFlight--;
            return m.ret(t, f[result]);
        }
      },
  );
}

export const bdrv_co_pwritev = pwritev('bdrv_co_pwritev', 'bdrv_co_pwritev');
export const bdrv_co_pwritev_part = pwritev('bdrv_co_pwritev_part', 'bdrv_co_pwritev_part');

/**
 * bdrv_co_preadv(bs, req), bdrv_co_preadv_part(bs, req) from 4.2 (bdrv_co_preadv wraps it):
 * unaligned reads are widened (`pad`, bounce buffers), never serialised.
 */
function preadv(key: 'bdrv_co_preadv' | 'bdrv_co_preadv_part', event: string) {
  return step(
    key,
    {
      args: ['bs: node', 'req: breq'],
      locals: ['pad: breq', 'result: int'],
      at: ['tracked', 'read', 'untracked', 'wrapped'],
    },
    ({ bs, req, pad, result }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        const r = bdrvReq(m, f[req]);
        const node = w.block.nodes[f[bs]];
        const align = node.align;
        switch (f.pc) {
          case ENTRY:
            if (key === 'bdrv_co_preadv' && w.qemu.partApi) {
              f.pc = at.wrapped;
              return m.call(t, bdrv_co_preadv_part, f.req, f[bs], f[req]);
            }
            m.trace(t, event, f[bs], r.offset, r.bytes, r.flags);
            node.inFlight++;
            f.pc = at.tracked;
            return m.call(t, tracked_request_begin, f.req, f[bs], f[req]);
          case at.tracked: {
            f.pc = at.read;
            if (r.offset % align === 0 && (r.offset + r.bytes) % align === 0) {
              f[pad] = -1;
              return m.call(t, bdrv_aligned_preadv, f.req, f[bs], f[req]);
            }
            const start = r.offset - (r.offset % align);
            const end = Math.ceil((r.offset + r.bytes) / align) * align;
            f[pad] = newBdrvReq(w, f[bs], IoOp.read, start, end - start, r.niov + 2, 0, f.req, f[req]);
            return m.call(t, bdrv_aligned_preadv, f.req, f[bs], f[pad]);
          }
          case at.read:
            if (f[pad] >= 0) freeBdrvReq(w, f[pad]);
            f[result] = f.ret;
            f.pc = at.untracked;
            return m.call(t, tracked_request_end, f.req, f[bs], f[req]);
          case at.wrapped:
            return m.ret(t, f.ret);
          default:
            node.inFlight--;
            return m.ret(t, f[result]);
        }
      },
  );
}

export const bdrv_co_preadv = preadv('bdrv_co_preadv', 'bdrv_co_preadv');
export const bdrv_co_preadv_part = preadv('bdrv_co_preadv_part', 'bdrv_co_preadv_part');

/**
 * bdrv_co_flush(bs). Wait behind a running flush; flush to disk only if the node was written
 * since its last flush (write_gen at entry, `current_gen`; file-posix only — raw-format has no
 * hook, and cache=unsafe skips it); then flush the `file` child.
 */
export const bdrv_co_flush = step(
  'bdrv_co_flush',
  {
    args: ['bs: node'],
    locals: ['current_gen: int', 'result: int'],
    at: ['queued', 'flushed', 'child_flushed', 'os_announced', 'disk_announced'],
  },
  ({ bs, current_gen, result }, at) =>
    (m, t, f) => {
      const nodes = m.s.w.block.nodes;
      const node = nodes[f[bs]];
      const toDisk = (): boolean => node.flushedGen !== f[current_gen] && !node.noFlush;
      // the steps are announced to the child (BLKDBG_FLUSH_TO_OS/_DISK): only blkdebug listens
      const announce = node.child >= 0 && nodes[node.child].driver === 'blkdebug';
      switch (f.pc) {
        case ENTRY:
          node.inFlight++;
          traceReqsLock(m, t, f[bs]);
          f[current_gen] = node.writeGen;
          f.pc = at.queued;
        // fallthrough
        case at.queued:
          if (node.activeFlush) {
            node.flushQueue.push(t.co);
            return m.call(t, qemu_coroutine_yield, f.req);
          }
          node.activeFlush = true;
          if (announce) {
            f.pc = at.os_announced;
            return m.call(t, filterDriver.bdrv_debug_event, f.req, node.child, BLKDEBUG_EVENTS.indexOf('flush_to_os'));
          }
        // fallthrough
        case at.os_announced:
          if (announce && toDisk()) {
            f.pc = at.disk_announced;
            return m.call(
              t,
              filterDriver.bdrv_debug_event,
              f.req,
              node.child,
              BLKDEBUG_EVENTS.indexOf('flush_to_disk'),
            );
          }
        // fallthrough
        case at.disk_announced:
          f.pc = at.flushed;
          if (toDisk() && node.driver === 'file-posix') return m.call(t, raw_co_flush_to_disk, f.req, f[bs]);
          if (toDisk() && node.driver === 'blkdebug') return m.call(t, filterDriver.blkdebug_co_flush, f.req, f[bs]);
          f.ret = 0;
        // fallthrough
        case at.flushed:
          f[result] = f.ret;
          if (f[result] === 0 && node.child >= 0) {
            f.pc = at.child_flushed;
            return m.call(t, bdrv_co_flush, f.req, node.child);
          }
          f.ret = f[result];
        // fallthrough
        default: {
          f[result] = f.ret;
          if (f[result] === 0) node.flushedGen = f[current_gen];
          traceReqsLock(m, t, f[bs]);
          node.activeFlush = false;
          const next = node.flushQueue.shift();
          if (next !== undefined) coroutine(m, t.co).wakeup.push(next);
          node.inFlight--;
          return m.ret(t, f[result]);
        }
      }
    },
);

/** bdrv_io_plug(bs): children first, then the driver hook on the 0 → 1 transition. */
export const bdrv_io_plug = step(
  'bdrv_io_plug',
  { args: ['bs: node'], at: ['child_plugged', 'driver_plugged'] },
  ({ bs }, at) =>
    (m, t, f) => {
      const node = m.s.w.block.nodes[f[bs]];
      switch (f.pc) {
        case ENTRY:
          f.pc = at.child_plugged;
          if (node.child >= 0) return m.call(t, bdrv_io_plug, f.req, node.child);
        // fallthrough
        case at.child_plugged:
          f.pc = at.driver_plugged;
          if (node.ioPlugged++ === 0 && node.driver === 'file-posix') return m.call(t, raw_aio_plug, f.req, f[bs]);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** bdrv_io_unplug(bs): the driver hook on the 1 → 0 transition, then children. */
export const bdrv_io_unplug = step(
  'bdrv_io_unplug',
  { args: ['bs: node'], at: ['driver_unplugged', 'child_unplugged'] },
  ({ bs }, at) =>
    (m, t, f) => {
      const node = m.s.w.block.nodes[f[bs]];
      switch (f.pc) {
        case ENTRY:
          f.pc = at.driver_unplugged;
          if (--node.ioPlugged === 0 && node.driver === 'file-posix') return m.call(t, raw_aio_unplug, f.req, f[bs]);
        // fallthrough
        case at.driver_unplugged:
          f.pc = at.child_unplugged;
          if (node.child >= 0) return m.call(t, bdrv_io_unplug, f.req, node.child);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/**
 * AIO_WAIT_WHILE on the main thread: while `busy`, poll the main context (aio_wait_kick wakes
 * it); once not, return `value`. The caller's step runs again after each poll.
 */
function aioWaitWhile(m: Machine, t: SimThread, busy: boolean, value: number): void {
  m.s.w.block.mainWaits = busy;
  if (busy) return m.call(t, aio_poll, -1, MAIN_CTX, 1);
  return m.ret(t, value);
}

/** bdrv_drain_all: on the main thread, aio_poll the main context until no request is in flight. */
export const bdrv_drain_all = step(
  'bdrv_drain_all',
  {},
  () => (m, t) => aioWaitWhile(m, t, m.s.w.block.blkInFlight > 0, 0),
);

/** bdrv_flush_co_entry(bs), the coroutine: flush, publish the result, kick the waiter. */
export const bdrv_flush_co_entry = step(
  'bdrv_flush_co_entry',
  { args: ['bs: node'], at: ['flushed'] },
  ({ bs }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY) {
        f.pc = at.flushed;
        return m.call(t, bdrv_co_flush, -1, f[bs]);
      }
      m.s.w.block.syncFlushRet = f.ret;
      aioWaitKick(m);
      return m.ret(t);
    },
);

/**
 * bdrv_flush(bs) outside coroutine context: a coroutine runs bdrv_flush_co_entry in the node's
 * AioContext (handed to the iothread by aio_co_schedule when it owns the node) while this
 * thread polls its own context until the coroutine has a result.
 */
export const bdrv_flush = step(
  'bdrv_flush',
  { args: ['bs: node'], at: ['created', 'entered'] },
  ({ bs }, at) =>
    (m, t, f) => {
      const b = m.s.w.block;
      switch (f.pc) {
        case ENTRY:
          b.syncFlushRet = NOT_DONE;
          f.pc = at.created;
          return m.call(t, qemu_coroutine_create, -1, bdrv_flush_co_entry.id, f[bs]);
        case at.created:
          f.pc = at.entered;
          // 8.0+: the generated wrapper enters it with aio_co_enter in the node's context
          if (m.s.w.qemu.coEnterCurrentCtx) return m.call(t, aio_co_enter, -1, b.ctx, f.ret);
          return m.call(t, bdrv_coroutine_enter, -1, f[bs], f.ret);
        default:
          return aioWaitWhile(m, t, b.syncFlushRet === NOT_DONE, b.syncFlushRet);
      }
    },
);

/** bdrv_flush_all: on the main thread, flush each root node (here the drive's raw node). */
export const bdrv_flush_all = step('bdrv_flush_all', { at: ['flushed'] }, (_, at) => (m, t, f) => {
  if (f.pc !== ENTRY) return m.ret(t, f.ret);
  f.pc = at.flushed;
  return m.call(t, bdrv_flush, -1, RAW_NODE);
});
