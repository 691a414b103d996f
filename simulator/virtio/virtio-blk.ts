// hw/block/virtio-blk.c and hw/block/dataplane/virtio-blk.c: the device. handle_vq pops
// requests with notifications off, buffers reads/writes in a MultiReqBuffer (up to 32),
// and submits them sorted by sector with adjacent ones merged into one blk_aio request —
// all between blk_io_plug and blk_io_unplug (a deferred-call section from 8.2). Completion
// walks the merge chain and interrupts the guest (from 9.0: virtio_notify_irqfd in an IOThread,
// virtio_notify in the main loop); an error goes through the werror/rerror policy (report,
// ignore, or park the request and stop).

import { aio_bh_schedule_oneshot, ctxOf, newBh, newOneshotBh, qemu_bh_schedule } from '../aio/aio-context';
import { defer_call_begin, defer_call_end } from '../aio/defer-call';
import { IoOp } from '../backends/device';
import {
  blk_aio_flush,
  blk_aio_preadv,
  blk_aio_pwritev,
  blk_error_action,
  blk_get_error_action,
  blk_io_plug,
  blk_io_unplug,
  ErrorAction,
  newAcb,
} from '../block/block-backend';
import { coroutine } from '../coroutine/coroutine';
import { Machine } from '../engine/machine';
import { ENTRY, World } from '../engine/types';
import { returns, step, tailCall } from '../step';
import { virtio_blk_data_plane_notify } from './dataplane';
import {
  virtio_notify,
  virtio_notify_irqfd,
  virtio_queue_empty,
  virtio_queue_set_notification,
  virtqueue_pop,
  virtqueue_push,
} from './virtqueue';

export const VIRTIO_BLK_MAX_MERGE_REQS = 32;
/** blk_get_max_iov for a node without `file` child limits: IOV_MAX. */
export const MAX_IOV = 1024;
/** blk_get_max_transfer: bl.max_transfer is 0 for a regular file, so INT_MAX. */
export const MAX_TRANSFER = 0x7fffffff;
export const BDRV_REQUEST_MAX_BYTES = 2_147_483_136;
export const Status = { ok: 0, ioerr: 1, unsupp: 2 } as const;
export const STATUS_NAMES = ['OK', 'IOERR', 'UNSUPP'] as const;

/** Where a request is, for people looking at it. */
export const ReqState = {
  queued: 0,
  avail: 1,
  parsed: 2,
  submitted: 3,
  backend: 4,
  completing: 5,
  used: 6,
  parked: 7,
  done: 8,
} as const;
export const REQ_STATE_NAMES = [
  'queued in guest',
  'in avail ring',
  'parsed (in MultiReqBuffer)',
  'submitted to block layer',
  'in backend',
  'completing',
  'in used ring',
  'parked (VM stopped)',
  'completed',
] as const;

/** A guest request: the virtqueue element and QEMU's VirtIOBlockReq in one. */
export interface VirtioBlkReq {
  id: number;
  op: number;
  sector: number;
  bytes: number;
  /** Data iovecs (descriptors besides header and status). */
  niov: number;
  status: number;
  /** mr_next (merge chain) and next (parked list), request ids or -1. */
  mrNext: number;
  next: number;
  state: number;
  /** Times (ns): guest queued it, QEMU popped it, the backend got it, the backend finished, pushed used, guest saw it. */
  tQueued: number;
  tPop: number;
  tBackend: number;
  tBackendDone: number;
  tUsed: number;
  tDone: number;
  /** Completed to the guest this many times (must end up exactly 1). */
  completions: number;
  /** QEMU freed its VirtIOBlockReq; the record goes away once the guest has reaped it too. */
  qemuFreed: boolean;
  retries: number;
  mergedInto: number;
}

export interface Mrb {
  id: number;
  reqs: number[];
  isWrite: boolean;
  /** virtio_blk_submit_multireq's groups: [start, count, niov] after sorting. */
  groups: number[][];
}

export interface VirtioBlkState {
  reqs: Map<number, VirtioBlkReq>;
  nextReq: number;
  mrbs: Mrb[];
  freeMrbs: number[];
  vq: number;
  /** s->rq: parked requests (LIFO), head id or -1. */
  rq: number;
  /** s->bh: the restart BH while one is pending, else -1. */
  restartBh: number;
  dataplaneStarted: boolean;
  /** The context the dataplane runs in: the iothread's, or the main loop's. */
  dataplaneCtx: number;
  requestMerging: boolean;
  diskSectors: number;
  /** Without EVENT_IDX the dataplane batches interrupts in notify_guest_bh. */
  notifyGuestBh: number;
  notifyPending: boolean;
  merged: number;
  blkRequests: number;
  failed: number;
}

declare module '../engine/types' {
  interface World {
    vblk: VirtioBlkState;
  }
}

export function initVirtioBlk(
  w: World,
  vq: number,
  dataplaneCtx: number,
  requestMerging: boolean,
  diskBytes: number,
): void {
  w.vblk = {
    reqs: new Map(),
    nextReq: 1,
    mrbs: [],
    freeMrbs: [],
    vq,
    rq: -1,
    restartBh: -1,
    dataplaneStarted: false,
    dataplaneCtx,
    requestMerging,
    diskSectors: Math.floor(diskBytes / 512),
    notifyGuestBh: -1,
    notifyPending: false,
    merged: 0,
    blkRequests: 0,
    failed: 0,
  };
}

/** The guest driver builds a request (virtio_queue_rq). */
export function newVirtioBlkReq(w: World, op: number, sector: number, bytes: number, now: number): VirtioBlkReq {
  const r = vreqRecord(
    w.vblk.nextReq++,
    op,
    sector,
    bytes,
    op === IoOp.flush ? 0 : 1,
    -1,
    -1,
    -1,
    ReqState.queued,
    now,
    -1,
    -1,
    -1,
    -1,
    -1,
    0,
    false,
    0,
    -1,
  );
  w.vblk.reqs.set(r.id, r);
  return r;
}

function vreqRecord(
  id: number,
  op: number,
  sector: number,
  bytes: number,
  niov: number,
  status: number,
  mrNext: number,
  next: number,
  state: number,
  tQueued: number,
  tPop: number,
  tBackend: number,
  tBackendDone: number,
  tUsed: number,
  tDone: number,
  completions: number,
  qemuFreed: boolean,
  retries: number,
  mergedInto: number,
): VirtioBlkReq {
  return {
    id,
    op,
    sector,
    bytes,
    niov,
    status,
    mrNext,
    next,
    state,
    tQueued,
    tPop,
    tBackend,
    tBackendDone,
    tUsed,
    tDone,
    completions,
    qemuFreed,
    retries,
    mergedInto,
  };
}

function mrbRecord(id: number, reqs: number[], isWrite: boolean, groups: number[][]): Mrb {
  return { id, reqs, isWrite, groups };
}

export function copyVirtioBlkState(v: VirtioBlkState): VirtioBlkState {
  const reqs = new Map<number, VirtioBlkReq>();
  for (const [id, r] of v.reqs) {
    reqs.set(
      id,
      vreqRecord(
        r.id,
        r.op,
        r.sector,
        r.bytes,
        r.niov,
        r.status,
        r.mrNext,
        r.next,
        r.state,
        r.tQueued,
        r.tPop,
        r.tBackend,
        r.tBackendDone,
        r.tUsed,
        r.tDone,
        r.completions,
        r.qemuFreed,
        r.retries,
        r.mergedInto,
      ),
    );
  }
  return {
    ...v,
    reqs,
    freeMrbs: [...v.freeMrbs],
    mrbs: v.mrbs.map((b) =>
      mrbRecord(
        b.id,
        [...b.reqs],
        b.isWrite,
        b.groups.map((g) => [...g]),
      ),
    ),
  };
}

/** Descriptor counts of a request: header + data out for writes, data + status in for reads. */
export function descCounts(r: VirtioBlkReq): [inNum: number, outNum: number] {
  if (r.op === IoOp.write) return [1, 1 + r.niov];
  if (r.op === IoOp.read) return [1 + r.niov, 1];
  return [1, 1];
}

export function vreq(m: Machine, id: number): VirtioBlkReq {
  const r = m.s.w.vblk.reqs.get(id);
  if (r === undefined) throw new Error(`no virtio-blk request ${id}`);
  return r;
}

/** The requests a head request stands for (its merge chain). */
export function mergeChain(w: World, head: number): number[] {
  const out: number[] = [];
  for (let id = head; id >= 0 && out.length < 64;) {
    out.push(id);
    id = w.vblk.reqs.get(id)?.mrNext ?? -1;
  }
  return out;
}

function newMrb(w: World): number {
  const v = w.vblk;
  const id = v.freeMrbs.length > 0 ? v.freeMrbs.pop()! : v.mrbs.length;
  v.mrbs[id] = mrbRecord(id, [], false, []);
  return id;
}

function isWriteOp(op: number): boolean {
  return op === IoOp.write;
}

// ---- submission ----------------------------------------------------------------------------

/** block_acct_start / _done / _failed / _merge_done: accounting only. */
export const block_acct_start = returns('block_acct_start', {});
export const block_acct_done = returns('block_acct_done', {});
export const block_acct_failed = returns('block_acct_failed', {});
export const block_acct_merge_done = returns('block_acct_merge_done', {});

/** virtio_blk_get_request(vq) → virtqueue_pop. */
export const virtio_blk_get_request = step(
  'virtio_blk_get_request',
  { args: ['vq: vq'], at: ['popped'] },
  ({ vq }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY) {
        f.pc = at.popped;
        return m.call(t, virtqueue_pop, -1, f[vq]);
      }
      if (f.ret >= 0) {
        const r = vreq(m, f.ret);
        r.tPop = t.time;
        r.state = ReqState.parsed;
      }
      return m.ret(t, f.ret);
    },
);

/** virtio_blk_sect_range_ok(req): within the disk, a multiple of the block size, not too big. */
export const virtio_blk_sect_range_ok = step(
  'virtio_blk_sect_range_ok',
  { args: ['req: vreq'] },
  ({ req }) =>
    (m, t, f) => {
      const r = vreq(m, f[req]);
      const sectors = r.bytes / 512;
      const ok =
        r.bytes <= BDRV_REQUEST_MAX_BYTES && r.bytes % 512 === 0 && r.sector + sectors <= m.s.w.vblk.diskSectors;
      return m.ret(t, ok ? 1 : 0);
    },
);

/** The merging rule of virtio_blk_submit_multireq, on requests already sorted by sector. */
function planGroups(w: World, mrb: Mrb): number[][] {
  const groups: number[][] = [];
  let start = 0;
  let num = 0;
  let niov = 0;
  let sector = 0;
  let nbSectors = 0;
  mrb.reqs.forEach((id, i) => {
    const r = w.vblk.reqs.get(id)!;
    if (
      num > 0 &&
      (sector + nbSectors !== r.sector ||
        niov > MAX_IOV - r.niov ||
        r.bytes > MAX_TRANSFER ||
        nbSectors > (MAX_TRANSFER - r.bytes) / 512)
    ) {
      groups.push([start, num, niov]);
      num = 0;
    }
    if (num === 0) {
      sector = r.sector;
      nbSectors = 0;
      niov = 0;
      start = i;
    }
    nbSectors += r.bytes / 512;
    niov += r.niov;
    num++;
  });
  groups.push([start, num, niov]);
  return groups;
}

/** submit_requests(mrb, group): chain merged requests and issue one blk_aio_preadv/pwritev. */
export const submit_requests = step(
  'submit_requests',
  { args: ['mrb: mrb', 'group: int'], at: ['merged', 'submitted'] },
  ({ mrb, group }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const b = w.vblk.mrbs[f[mrb]];
      const [start, num, niov] = b.groups[f[group]];
      const head = vreq(m, b.reqs[start]);
      switch (f.pc) {
        case ENTRY:
          if (num > 1) {
            let bytes = 0;
            for (let i = start; i < start + num; i++) {
              const r = vreq(m, b.reqs[i]);
              bytes += r.bytes;
              if (i > start) {
                vreq(m, b.reqs[i - 1]).mrNext = r.id;
                r.mergedInto = head.id;
              }
            }
            w.vblk.merged += num - 1;
            m.trace(t, 'virtio_blk_submit_multireq', 0, b.id, start, num, head.sector * 512, bytes, b.isWrite ? 1 : 0);
            f.pc = at.merged;
            return m.call(t, block_acct_merge_done, head.id);
          }
        // fallthrough
        case at.merged: {
          let bytes = 0;
          for (let i = start; i < start + num; i++) {
            const r = vreq(m, b.reqs[i]);
            bytes += r.bytes;
            r.state = ReqState.submitted;
          }
          w.vblk.blkRequests++;
          const niovs = num > 1 ? niov : head.niov;
          const acb = newAcb(w, head.op, head.sector * 512, bytes, niovs, virtio_blk_rw_complete, head.id);
          f.pc = at.submitted;
          return m.call(t, b.isWrite ? blk_aio_pwritev : blk_aio_preadv, head.id, acb);
        }
        default:
          return m.ret(t);
      }
    },
);

/** virtio_blk_submit_multireq(mrb): sort by sector, then one submit_requests per run of adjacent requests. */
export const virtio_blk_submit_multireq = step(
  'virtio_blk_submit_multireq',
  { args: ['mrb: mrb'], locals: ['group: int'], at: ['submitting'] },
  ({ mrb, group }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const b = w.vblk.mrbs[f[mrb]];
      if (f.pc === ENTRY) {
        if (b.reqs.length === 1) {
          b.groups = [[0, 1, -1]];
        } else {
          b.reqs.sort((x, y) => w.vblk.reqs.get(x)!.sector - w.vblk.reqs.get(y)!.sector);
          b.groups = planGroups(w, b);
        }
        f.pc = at.submitting;
        f[group] = 0;
      }
      if (f[group] < b.groups.length) {
        const g = f[group]++;
        return m.call(t, submit_requests, b.reqs[b.groups[g][0]], f[mrb], g);
      }
      b.reqs = [];
      b.groups = [];
      return m.ret(t);
    },
);

/** virtio_blk_handle_flush(req, mrb): buffered writes go out first, then blk_aio_flush. */
export const virtio_blk_handle_flush = step(
  'virtio_blk_handle_flush',
  { args: ['req: vreq', 'mrb: mrb'], at: ['accounted', 'writes_submitted', 'submitted'] },
  ({ req, mrb }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const b = w.vblk.mrbs[f[mrb]];
      switch (f.pc) {
        case ENTRY:
          f.pc = at.accounted;
          return m.call(t, block_acct_start, f.req);
        case at.accounted:
          f.pc = at.writes_submitted;
          if (b.isWrite && b.reqs.length > 0) return m.call(t, virtio_blk_submit_multireq, -1, f[mrb]);
        // fallthrough
        case at.writes_submitted: {
          const r = vreq(m, f[req]);
          r.state = ReqState.submitted;
          w.vblk.blkRequests++;
          const acb = newAcb(w, IoOp.flush, 0, 0, 0, virtio_blk_flush_complete, r.id);
          f.pc = at.submitted;
          return m.call(t, blk_aio_flush, r.id, acb);
        }
        default:
          return m.ret(t);
      }
    },
);

/**
 * virtio_blk_handle_request(req, mrb): validate, account, and buffer a read/write, first
 * flushing the buffer when it is full (32), the direction changes or merging is off.
 */
export const virtio_blk_handle_request = step(
  'virtio_blk_handle_request',
  {
    args: ['req: vreq', 'mrb: mrb'],
    at: ['flush_handled', 'range_checked', 'failed', 'freed', 'accounted', 'buffer_submitted'],
  },
  ({ req, mrb }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const r = vreq(m, f[req]);
      const b = w.vblk.mrbs[f[mrb]];
      const isWrite = isWriteOp(r.op);
      switch (f.pc) {
        case ENTRY:
          if (r.op === IoOp.flush) {
            f.pc = at.flush_handled;
            return m.call(t, virtio_blk_handle_flush, r.id, r.id, f[mrb]);
          }
          m.trace(t, isWrite ? 'virtio_blk_handle_write' : 'virtio_blk_handle_read', 0, r.id, r.sector, r.bytes / 512);
          f.pc = at.range_checked;
          return m.call(t, virtio_blk_sect_range_ok, r.id, r.id);
        case at.range_checked:
          if (!f.ret) {
            f.pc = at.failed;
            return m.call(t, virtio_blk_req_complete, r.id, r.id, Status.ioerr);
          }
          f.pc = at.accounted;
          return m.call(t, block_acct_start, r.id);
        case at.failed:
          f.pc = at.freed;
          if (!w.qemu.gFreeRequest) return m.call(t, virtio_blk_free_request, r.id, r.id);
          freeRequest(w, r);
          return m.ret(t, 0);
        case at.accounted:
          f.pc = at.buffer_submitted;
          if (
            b.reqs.length > 0 &&
            (b.reqs.length === VIRTIO_BLK_MAX_MERGE_REQS || isWrite !== b.isWrite || !w.vblk.requestMerging)
          ) {
            return m.call(t, virtio_blk_submit_multireq, -1, f[mrb]);
          }
        // fallthrough
        case at.buffer_submitted:
          b.reqs.push(r.id);
          b.isWrite = isWrite;
        // fallthrough
        default:
          return m.ret(t, 0);
      }
    },
);

/**
 * virtio_blk_handle_vq(vq): plug (8.2+: open a deferred-call section); do { notifications off;
 * pop and handle every request; notifications on } while (queue not empty); submit what is
 * buffered (`mrb`); unplug (end the section). From 5.0 notifications are switched only when they
 * were on at entry (`suppress`; off while the IOThread busy-polls). Returns whether it handled any
 * request (`progress`).
 */
export const virtio_blk_handle_vq = step(
  'virtio_blk_handle_vq',
  {
    args: ['vq: vq'],
    locals: ['progress: bool', 'mrb: mrb', 'suppress: bool'],
    at: ['plugged', 'ready_to_pop', 'popped', 'notifying', 'checked_empty', 'submitted', 'unplugged'],
  },
  ({ vq, progress, mrb, suppress }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const q = w.qemu;
      switch (f.pc) {
        case ENTRY:
          f[mrb] = newMrb(w);
          f[suppress] = !q.notifyToggleIfEnabled || w.virtio.vqs[f[vq]].notification ? 1 : 0;
          f.pc = at.plugged;
          return m.call(t, q.deferCall ? defer_call_begin : blk_io_plug, -1);
        case at.plugged:
          f.pc = at.ready_to_pop;
          if (!f[suppress]) return virtio_blk_handle_vq.run(m, t, f);
          return m.call(t, virtio_queue_set_notification, -1, f[vq], 0);
        case at.ready_to_pop:
          f.pc = at.popped;
          return m.call(t, virtio_blk_get_request, -1, f[vq]);
        case at.popped:
          if (f.ret >= 0) {
            f[progress] = 1;
            f.pc = at.ready_to_pop;
            return m.call(t, virtio_blk_handle_request, f.ret, f.ret, f[mrb]);
          }
          f.pc = at.notifying;
          if (f[suppress]) return m.call(t, virtio_queue_set_notification, -1, f[vq], 1);
        // fallthrough
        case at.notifying:
          f.pc = at.checked_empty;
          return m.call(t, virtio_queue_empty, -1, f[vq]);
        case at.checked_empty:
          if (!f.ret) {
            f.pc = at.ready_to_pop;
            if (!f[suppress]) return virtio_blk_handle_vq.run(m, t, f);
            return m.call(t, virtio_queue_set_notification, -1, f[vq], 0);
          }
          f.pc = at.submitted;
          if (w.vblk.mrbs[f[mrb]].reqs.length > 0) return m.call(t, virtio_blk_submit_multireq, -1, f[mrb]);
        // fallthrough
        case at.submitted:
          f.pc = at.unplugged;
          return m.call(t, q.deferCall ? defer_call_end : blk_io_unplug, -1);
        default:
          w.vblk.freeMrbs.push(f[mrb]);
          return m.ret(t, f[progress]);
      }
    },
);

/** virtio_blk_handle_output_do(vq) → virtio_blk_handle_vq. */
export const virtio_blk_handle_output_do = tailCall('virtio_blk_handle_output_do', () => virtio_blk_handle_vq);

/**
 * virtio_blk_handle_output(vq): the non-dataplane hook, on the vCPU thread; from 7.0 also what the
 * host notifier runs in the main loop or an IOThread, calling virtio_blk_handle_vq directly.
 */
export const virtio_blk_handle_output = step(
  'virtio_blk_handle_output',
  { args: ['vq: vq'], at: ['handled'] },
  ({ vq }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t, f.ret);
      f.pc = at.handled;
      return m.call(t, m.s.w.qemu.pollReady ? virtio_blk_handle_vq : virtio_blk_handle_output_do, -1, f[vq]);
    },
);

// ---- completion ----------------------------------------------------------------------------

/** virtio_blk_req_complete(req, status): status byte, used ring, interrupt. */
export const virtio_blk_req_complete = step(
  'virtio_blk_req_complete',
  { args: ['req: vreq', 'status: status'], at: ['pushed', 'notified'] },
  ({ req, status }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const r = vreq(m, f[req]);
      switch (f.pc) {
        case ENTRY: {
          m.trace(t, 'virtio_blk_req_complete', 0, r.id, f[status]);
          r.status = f[status];
          r.state = ReqState.used;
          r.tUsed = t.time;
          f.pc = at.pushed;
          const inLen = r.op === IoOp.read ? r.bytes + 1 : 1;
          return m.call(t, virtqueue_push, r.id, w.vblk.vq, r.id, inLen);
        }
        case at.pushed:
          f.pc = at.notified;
          if (w.qemu.notifyByThread)
            return m.call(t, t.kind === 'iothread' ? virtio_notify_irqfd : virtio_notify, r.id, w.vblk.vq);
          if (w.vblk.dataplaneStarted) return m.call(t, virtio_blk_data_plane_notify, r.id, w.vblk.vq);
          return m.call(t, virtio_notify, r.id, w.vblk.vq);
        default:
          return m.ret(t);
      }
    },
);

/** QEMU frees the request (virtio_blk_free_request; 10.0: a plain g_free the model does not show). */
function freeRequest(w: World, r: VirtioBlkReq): void {
  r.qemuFreed = true;
  if (r.state === ReqState.done) w.vblk.reqs.delete(r.id);
}

/** virtio_blk_free_request(req): QEMU is done with the request. */
export const virtio_blk_free_request = step(
  'virtio_blk_free_request',
  { args: ['req: vreq'] },
  ({ req }) =>
    (m, t, f) => {
      freeRequest(m.s.w, vreq(m, f[req]));
      return m.ret(t);
    },
);

/**
 * virtio_blk_handle_rw_error(req, error, is_read): the drive's `action`. stop → park the
 * request on s->rq (it stays in flight for the guest); report → complete it with IOERR;
 * ignore → the caller completes it OK. Returns whether it was handled.
 */
export const virtio_blk_handle_rw_error = step(
  'virtio_blk_handle_rw_error',
  {
    args: ['req: vreq', 'error: errno', 'is_read: bool'],
    locals: ['action: action'],
    at: ['decided', 'completed', 'accounted', 'acted'],
  },
  ({ req, error, is_read, action }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const r = vreq(m, f[req]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.decided;
          return m.call(t, blk_get_error_action, f.req, f[is_read], f[error]);
        case at.decided:
          f[action] = f.ret;
          w.vblk.failed++;
          if (f[action] === ErrorAction.stop) {
            r.mrNext = -1;
            r.next = w.vblk.rq;
            w.vblk.rq = r.id;
            r.state = ReqState.parked;
          } else if (f[action] === ErrorAction.report) {
            f.pc = at.completed;
            return m.call(t, virtio_blk_req_complete, r.id, r.id, Status.ioerr);
          }
          f.pc = at.acted;
          return m.call(t, blk_error_action, f.req, f[action], f[is_read], f[error]);
        case at.completed:
          f.pc = at.accounted;
          return m.call(t, block_acct_failed, f.req);
        case at.accounted:
          f.pc = at.acted;
          return m.call(t, blk_error_action, f.req, f[action], f[is_read], f[error]);
        default:
          return m.ret(t, f[action] !== ErrorAction.ignore ? 1 : 0);
      }
    },
);

/**
 * virtio_blk_rw_complete(opaque = the head request, ret), the blk_aio callback, inside the
 * coroutine: completes each request of the merge chain in turn (`req`, then `next`).
 */
export const virtio_blk_rw_complete = step(
  'virtio_blk_rw_complete',
  {
    args: ['opaque: vreq', 'ret: int'],
    locals: ['req: vreq', 'next: vreq'],
    at: ['next_req', 'error_handled', 'completed', 'accounted', 'freed'],
  },
  ({ opaque, ret: result, req, next }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f[req] = f[opaque];
          if (t.co >= 0) {
            // the coroutine's yield and re-entry are when the backend had the request
            const co = coroutine(m, t.co);
            for (const id of mergeChain(m.s.w, f[opaque])) {
              const r = vreq(m, id);
              r.tBackend = co.firstYieldAt;
              r.tBackendDone = co.resumedAt;
            }
          }
        // fallthrough
        case at.next_req: {
          if (f[req] < 0) return m.ret(t);
          const r = vreq(m, f[req]);
          f[next] = r.mrNext;
          r.state = ReqState.completing;
          m.trace(t, 'virtio_blk_rw_complete', 0, r.id, f[result]);
          if (f[result] !== 0) {
            f.pc = at.error_handled;
            return m.call(t, virtio_blk_handle_rw_error, r.id, r.id, -f[result], r.op === IoOp.read ? 1 : 0);
          }
          f.pc = at.completed;
          return m.call(t, virtio_blk_req_complete, r.id, r.id, Status.ok);
        }
        case at.error_handled:
          if (f.ret) {
            f[req] = f[next];
            f.pc = at.next_req;
            return virtio_blk_rw_complete.run(m, t, f);
          }
          f.pc = at.completed;
          return m.call(t, virtio_blk_req_complete, f[req], f[req], Status.ok);
        case at.completed:
          f.pc = at.accounted;
          return m.call(t, block_acct_done, f[req]);
        case at.accounted:
          f.pc = at.freed;
          if (!m.s.w.qemu.gFreeRequest) return m.call(t, virtio_blk_free_request, f[req], f[req]);
          freeRequest(m.s.w, vreq(m, f[req]));
        // fallthrough
        default:
          f[req] = f[next];
          f.pc = at.next_req;
          return virtio_blk_rw_complete.run(m, t, f);
      }
    },
);

/** virtio_blk_flush_complete(opaque = the request, ret). */
export const virtio_blk_flush_complete = step(
  'virtio_blk_flush_complete',
  { args: ['opaque: vreq', 'ret: int'], at: ['error_handled', 'completed', 'accounted', 'freed'] },
  ({ opaque, ret: result }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          if (f[result] !== 0) {
            f.pc = at.error_handled;
            return m.call(t, virtio_blk_handle_rw_error, f[opaque], f[opaque], -f[result], 0);
          }
        // fallthrough
        case at.error_handled:
          if (f.pc === at.error_handled && f.ret) return m.ret(t);
          f.pc = at.completed;
          return m.call(t, virtio_blk_req_complete, f[opaque], f[opaque], Status.ok);
        case at.completed:
          f.pc = at.accounted;
          return m.call(t, block_acct_done, f[opaque]);
        case at.accounted:
          f.pc = at.freed;
          if (!m.s.w.qemu.gFreeRequest) return m.call(t, virtio_blk_free_request, f[opaque], f[opaque]);
          freeRequest(m.s.w, vreq(m, f[opaque]));
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/** The requests parked on s->rq now, newest first. */
export function parkedRequests(w: World): number[] {
  const out: number[] = [];
  for (let id = w.vblk.rq; id >= 0 && out.length < 1024;) {
    out.push(id);
    id = w.vblk.reqs.get(id)?.next ?? -1;
  }
  return out;
}

/** The guest reaped a request: forget it once QEMU has freed it too. */
export function guestReaped(w: World, r: VirtioBlkReq): void {
  if (r.qemuFreed) w.vblk.reqs.delete(r.id);
}

// ---- restart after `cont` ----------------------------------------------------------------------

/**
 * virtio_blk_dma_restart_bh(opaque): re-parse every parked request (`req`; newest first, as
 * the list is LIFO) into a fresh MultiReqBuffer (`mrb`) and submit — no plug around it.
 */
export const virtio_blk_dma_restart_bh = step(
  'virtio_blk_dma_restart_bh',
  { args: ['opaque: int'], locals: ['req: vreq', 'mrb: mrb'], at: ['handling', 'submitted'] },
  ({ req, mrb }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      switch (f.pc) {
        case ENTRY:
          w.aio.bhs[w.vblk.restartBh].deleted = true;
          w.vblk.restartBh = -1;
          f[req] = w.vblk.rq;
          w.vblk.rq = -1;
          f[mrb] = newMrb(w);
          f.pc = at.handling;
        // fallthrough
        case at.handling:
          if (f[req] >= 0) {
            const r = vreq(m, f[req]);
            f[req] = r.next;
            r.next = -1;
            r.retries++;
            r.state = ReqState.parsed;
            return m.call(t, virtio_blk_handle_request, r.id, r.id, f[mrb]);
          }
          f.pc = at.submitted;
          if (w.vblk.mrbs[f[mrb]].reqs.length > 0) return m.call(t, virtio_blk_submit_multireq, -1, f[mrb]);
        // fallthrough
        default:
          w.vblk.freeMrbs.push(f[mrb]);
          w.block.blkInFlight--;
          return m.ret(t);
      }
    },
);

/**
 * virtio_blk_dma_restart_cb(opaque, running): on resume, schedule the restart BH (9.0+: a one-shot
 * BH in the queue's AioContext, for the queue's parked requests).
 */
export const virtio_blk_dma_restart_cb = step(
  'virtio_blk_dma_restart_cb',
  { args: ['opaque: int', 'running: bool'], at: ['scheduled'] },
  ({ running }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      // 9.0+: only a queue with parked requests gets a BH
      if (f.pc === ENTRY && f[running] && w.vblk.restartBh < 0 && (w.vblk.rq >= 0 || !w.qemu.notifyByThread)) {
        const ctx = ctxOf(m, w.block.ctx);
        w.block.blkInFlight++;
        f.pc = at.scheduled;
        if (w.qemu.notifyByThread) {
          w.vblk.restartBh = newOneshotBh(w, ctx, 'virtio_blk_dma_restart_bh', virtio_blk_dma_restart_bh, 0).id;
          return m.call(t, aio_bh_schedule_oneshot, -1, ctx.id);
        }
        w.vblk.restartBh = newBh(w, ctx, 'virtio_blk_dma_restart_bh', virtio_blk_dma_restart_bh, 0).id;
        return m.call(t, qemu_bh_schedule, -1, w.vblk.restartBh);
      }
      return m.ret(t);
    },
);
