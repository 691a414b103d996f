// hw/block/virtio-blk.c and hw/block/dataplane/virtio-blk.c: the device. handle_vq pops
// requests with notifications off, buffers reads/writes in a MultiReqBuffer (up to 32),
// and submits them sorted by sector with adjacent ones merged into one blk_aio request —
// all between blk_io_plug and blk_io_unplug. Completion walks the merge chain; an error
// goes through the werror/rerror policy (report, ignore, or park the request and stop).

import { Fn } from '../catalog';
import { ctxOf, newBh } from '../aio/aio-context';
import { IoOp } from '../backends/device';
import { ErrorAction, newAcb } from '../block/block-backend';
import { coroutine } from '../coroutine/coroutine';
import { Machine, Step, tailCall, World } from '../engine/machine';

export const VIRTIO_BLK_MAX_MERGE_REQS = 32;
/** blk_get_max_iov for a node without `file` child limits: IOV_MAX. */
export const MAX_IOV = 1024;
/** blk_get_max_transfer: bl.max_transfer is 0 for a regular file, so INT_MAX. */
export const MAX_TRANSFER = 0x7fffffff;
export const BDRV_REQUEST_MAX_BYTES = 2_147_483_136;
export const Status = { ok: 0, ioerr: 1, unsupp: 2 } as const;

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

declare module '../engine/machine' {
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

/** virtio_blk_data_plane_handle_output(vq = a) and virtio_blk_handle_output_do(vq = a). */
const toHandleVq = tailCall(Fn.virtio_blk_handle_vq);

/** virtio_blk_handle_output(vq = a): the non-dataplane hook, on the vCPU thread. */
const virtio_blk_handle_output = tailCall(Fn.virtio_blk_handle_output_do);

/**
 * virtio_blk_handle_vq(vq = a). Locals: b = progress, c = MultiReqBuffer.
 * plug; do { notifications off; pop and handle every request; notifications on }
 * while (queue not empty); submit what is buffered; unplug.
 */
const virtio_blk_handle_vq: Step = (m, t, f) => {
  const w = m.s.w;
  switch (f.pc) {
    case 0:
      f.c = newMrb(w);
      f.pc = 1;
      return m.call(t, Fn.blk_io_plug, -1);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.virtio_queue_set_notification, -1, f.a, 0);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.virtio_blk_get_request, -1, f.a);
    case 3:
      if (f.ret >= 0) {
        f.b = 1;
        f.pc = 2;
        return m.call(t, Fn.virtio_blk_handle_request, f.ret, f.ret, f.c);
      }
      f.pc = 4;
      return m.call(t, Fn.virtio_queue_set_notification, -1, f.a, 1);
    case 4:
      f.pc = 5;
      return m.call(t, Fn.virtio_queue_empty, -1, f.a);
    case 5:
      if (!f.ret) {
        f.pc = 2;
        return m.call(t, Fn.virtio_queue_set_notification, -1, f.a, 0);
      }
      f.pc = 6;
      if (w.vblk.mrbs[f.c].reqs.length > 0) return m.call(t, Fn.virtio_blk_submit_multireq, -1, f.c);
    // fallthrough
    case 6:
      f.pc = 7;
      return m.call(t, Fn.blk_io_unplug, -1);
    default:
      w.vblk.freeMrbs.push(f.c);
      return m.ret(t, f.b);
  }
};

/** virtio_blk_get_request(vq = a) → virtqueue_pop. */
const virtio_blk_get_request: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.virtqueue_pop, -1, f.a);
  }
  if (f.ret >= 0) {
    const r = vreq(m, f.ret);
    r.tPop = t.time;
    r.state = ReqState.parsed;
  }
  return m.ret(t, f.ret);
};

/**
 * virtio_blk_handle_request(req = a, mrb = b): validate, account, and buffer a read/write,
 * first flushing the buffer when it is full (32), the direction changes or merging is off.
 */
const virtio_blk_handle_request: Step = (m, t, f) => {
  const w = m.s.w;
  const r = vreq(m, f.a);
  const mrb = w.vblk.mrbs[f.b];
  const isWrite = isWriteOp(r.op);
  switch (f.pc) {
    case 0:
      if (r.op === IoOp.flush) {
        f.pc = 9;
        return m.call(t, Fn.virtio_blk_handle_flush, r.id, r.id, f.b);
      }
      m.trace(t, isWrite ? 'virtio_blk_handle_write' : 'virtio_blk_handle_read', 0, r.id, r.sector, r.bytes / 512);
      f.pc = 1;
      return m.call(t, Fn.virtio_blk_sect_range_ok, r.id, r.id);
    case 1:
      if (!f.ret) {
        f.pc = 2;
        return m.call(t, Fn.virtio_blk_req_complete, r.id, r.id, Status.ioerr);
      }
      f.pc = 4;
      return m.call(t, Fn.block_acct_start, r.id);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.virtio_blk_free_request, r.id, r.id);
    case 4:
      f.pc = 5;
      if (
        mrb.reqs.length > 0 &&
        (mrb.reqs.length === VIRTIO_BLK_MAX_MERGE_REQS || isWrite !== mrb.isWrite || !w.vblk.requestMerging)
      ) {
        return m.call(t, Fn.virtio_blk_submit_multireq, -1, f.b);
      }
    // fallthrough
    case 5:
      mrb.reqs.push(r.id);
      mrb.isWrite = isWrite;
    // fallthrough
    default:
      return m.ret(t, 0);
  }
};

/** virtio_blk_sect_range_ok(req = a): within the disk, a multiple of the block size, not too big. */
const virtio_blk_sect_range_ok: Step = (m, t, f) => {
  const r = vreq(m, f.a);
  const sectors = r.bytes / 512;
  const ok = r.bytes <= BDRV_REQUEST_MAX_BYTES && r.bytes % 512 === 0 && r.sector + sectors <= m.s.w.vblk.diskSectors;
  return m.ret(t, ok ? 1 : 0);
};

/** virtio_blk_handle_flush(req = a, mrb = b): buffered writes go out first, then blk_aio_flush. */
const virtio_blk_handle_flush: Step = (m, t, f) => {
  const w = m.s.w;
  const mrb = w.vblk.mrbs[f.b];
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.block_acct_start, f.req);
    case 1:
      f.pc = 2;
      if (mrb.isWrite && mrb.reqs.length > 0) return m.call(t, Fn.virtio_blk_submit_multireq, -1, f.b);
    // fallthrough
    case 2: {
      const r = vreq(m, f.a);
      r.state = ReqState.submitted;
      w.vblk.blkRequests++;
      const id = newAcb(w, IoOp.flush, 0, 0, 0, Fn.virtio_blk_flush_complete, r.id);
      f.pc = 3;
      return m.call(t, Fn.blk_aio_flush, r.id, id);
    }
    default:
      return m.ret(t);
  }
};

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

/** virtio_blk_submit_multireq(mrb = a): sort by sector, then one submit_requests per run of adjacent requests. */
const virtio_blk_submit_multireq: Step = (m, t, f) => {
  const w = m.s.w;
  const mrb = w.vblk.mrbs[f.a];
  if (f.pc === 0) {
    if (mrb.reqs.length === 1) {
      mrb.groups = [[0, 1, -1]];
    } else {
      mrb.reqs.sort((x, y) => w.vblk.reqs.get(x)!.sector - w.vblk.reqs.get(y)!.sector);
      mrb.groups = planGroups(w, mrb);
    }
    f.pc = 1;
    f.b = 0;
  }
  if (f.b < mrb.groups.length) {
    const g = f.b++;
    return m.call(t, Fn.submit_requests, mrb.reqs[mrb.groups[g][0]], f.a, g);
  }
  mrb.reqs = [];
  mrb.groups = [];
  return m.ret(t);
};

/** submit_requests(mrb = a, group = b): chain merged requests and issue one blk_aio_preadv/pwritev. */
const submit_requests: Step = (m, t, f) => {
  const w = m.s.w;
  const mrb = w.vblk.mrbs[f.a];
  const [start, num, niov] = mrb.groups[f.b];
  const head = vreq(m, mrb.reqs[start]);
  switch (f.pc) {
    case 0:
      if (num > 1) {
        let bytes = 0;
        for (let i = start; i < start + num; i++) {
          const r = vreq(m, mrb.reqs[i]);
          bytes += r.bytes;
          if (i > start) {
            vreq(m, mrb.reqs[i - 1]).mrNext = r.id;
            r.mergedInto = head.id;
          }
        }
        w.vblk.merged += num - 1;
        m.trace(t, 'virtio_blk_submit_multireq', 0, mrb.id, start, num, head.sector * 512, bytes, mrb.isWrite ? 1 : 0);
        f.pc = 1;
        return m.call(t, Fn.block_acct_merge_done, head.id);
      }
    // fallthrough
    case 1: {
      let bytes = 0;
      for (let i = start; i < start + num; i++) {
        const r = vreq(m, mrb.reqs[i]);
        bytes += r.bytes;
        r.state = ReqState.submitted;
      }
      w.vblk.blkRequests++;
      const id = newAcb(
        w,
        head.op,
        head.sector * 512,
        bytes,
        num > 1 ? niov : head.niov,
        Fn.virtio_blk_rw_complete,
        head.id,
      );
      f.pc = 2;
      return m.call(t, mrb.isWrite ? Fn.blk_aio_pwritev : Fn.blk_aio_preadv, head.id, id);
    }
    default:
      return m.ret(t);
  }
};

const accounting: Step = (m, t) => m.ret(t);

// ---- completion ----------------------------------------------------------------------------

/**
 * virtio_blk_rw_complete(head = a, ret = b), the blk_aio callback, inside the coroutine.
 * Locals: c = request being completed, d = the next one in the chain.
 */
const virtio_blk_rw_complete: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.c = f.a;
      if (t.co >= 0) {
        // the coroutine's yield and re-entry are when the backend had the request
        const co = coroutine(m, t.co);
        for (const id of mergeChain(m.s.w, f.a)) {
          const r = vreq(m, id);
          r.tBackend = co.firstYieldAt;
          r.tBackendDone = co.resumedAt;
        }
      }
    // fallthrough
    case 1: {
      if (f.c < 0) return m.ret(t);
      const r = vreq(m, f.c);
      f.d = r.mrNext;
      r.state = ReqState.completing;
      m.trace(t, 'virtio_blk_rw_complete', 0, r.id, f.b);
      if (f.b !== 0) {
        f.pc = 2;
        return m.call(t, Fn.virtio_blk_handle_rw_error, r.id, r.id, -f.b, r.op === IoOp.read ? 1 : 0);
      }
      f.pc = 3;
      return m.call(t, Fn.virtio_blk_req_complete, r.id, r.id, Status.ok);
    }
    case 2:
      if (f.ret) {
        f.c = f.d;
        f.pc = 1;
        return virtio_blk_rw_complete(m, t, f);
      }
      f.pc = 3;
      return m.call(t, Fn.virtio_blk_req_complete, f.c, f.c, Status.ok);
    case 3:
      f.pc = 4;
      return m.call(t, Fn.block_acct_done, f.c);
    case 4:
      f.pc = 5;
      return m.call(t, Fn.virtio_blk_free_request, f.c, f.c);
    default:
      f.c = f.d;
      f.pc = 1;
      return virtio_blk_rw_complete(m, t, f);
  }
};

/** virtio_blk_flush_complete(req = a, ret = b). */
const virtio_blk_flush_complete: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      if (f.b !== 0) {
        f.pc = 1;
        return m.call(t, Fn.virtio_blk_handle_rw_error, f.a, f.a, -f.b, 0);
      }
    // fallthrough
    case 1:
      if (f.pc === 1 && f.ret) return m.ret(t);
      f.pc = 2;
      return m.call(t, Fn.virtio_blk_req_complete, f.a, f.a, Status.ok);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.block_acct_done, f.a);
    case 3:
      f.pc = 4;
      return m.call(t, Fn.virtio_blk_free_request, f.a, f.a);
    default:
      return m.ret(t);
  }
};

/**
 * virtio_blk_handle_rw_error(req = a, errno = b, is_read = c). Locals: d = action.
 * stop → park the request on s->rq (it stays in flight for the guest); report → complete
 * it with IOERR; ignore → the caller completes it OK. Returns whether it was handled.
 */
const virtio_blk_handle_rw_error: Step = (m, t, f) => {
  const w = m.s.w;
  const r = vreq(m, f.a);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.blk_get_error_action, f.req, f.c, f.b);
    case 1:
      f.d = f.ret;
      w.vblk.failed++;
      if (f.d === ErrorAction.stop) {
        r.mrNext = -1;
        r.next = w.vblk.rq;
        w.vblk.rq = r.id;
        r.state = ReqState.parked;
      } else if (f.d === ErrorAction.report) {
        f.pc = 2;
        return m.call(t, Fn.virtio_blk_req_complete, r.id, r.id, Status.ioerr);
      }
      f.pc = 4;
      return m.call(t, Fn.blk_error_action, f.req, f.d, f.c, f.b);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.block_acct_failed, f.req);
    case 3:
      f.pc = 4;
      return m.call(t, Fn.blk_error_action, f.req, f.d, f.c, f.b);
    default:
      return m.ret(t, f.d !== ErrorAction.ignore ? 1 : 0);
  }
};

/** virtio_blk_req_complete(req = a, status = b): status byte, used ring, interrupt. */
const virtio_blk_req_complete: Step = (m, t, f) => {
  const w = m.s.w;
  const r = vreq(m, f.a);
  switch (f.pc) {
    case 0: {
      m.trace(t, 'virtio_blk_req_complete', 0, r.id, f.b);
      r.status = f.b;
      r.state = ReqState.used;
      r.tUsed = t.time;
      f.pc = 1;
      const inLen = r.op === IoOp.read ? r.bytes + 1 : 1;
      return m.call(t, Fn.virtqueue_push, r.id, w.vblk.vq, r.id, inLen);
    }
    case 1:
      f.pc = 2;
      return m.call(t, w.vblk.dataplaneStarted ? Fn.virtio_blk_data_plane_notify : Fn.virtio_notify, r.id, w.vblk.vq);
    default:
      return m.ret(t);
  }
};

/** virtio_blk_free_request(req = a): QEMU is done with the request. */
const virtio_blk_free_request: Step = (m, t, f) => {
  const w = m.s.w;
  const r = vreq(m, f.a);
  r.qemuFreed = true;
  if (r.state === ReqState.done) w.vblk.reqs.delete(r.id);
  return m.ret(t);
};

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

/** virtio_blk_dma_restart_cb(opaque = a, running = b): on resume, schedule the restart BH. */
const virtio_blk_dma_restart_cb: Step = (m, t, f) => {
  const w = m.s.w;
  if (f.pc === 0 && f.b && w.vblk.restartBh < 0) {
    w.vblk.restartBh = newBh(w, ctxOf(m, w.block.ctx), 'virtio_blk_dma_restart_bh', Fn.virtio_blk_dma_restart_bh, 0).id;
    w.block.blkInFlight++;
    f.pc = 1;
    return m.call(t, Fn.qemu_bh_schedule, -1, w.vblk.restartBh);
  }
  return m.ret(t);
};

/**
 * virtio_blk_dma_restart_bh: re-parse every parked request (newest first, as the list is
 * LIFO) into a fresh MultiReqBuffer and submit — no plug around it. Locals: c = request, d = mrb.
 */
const virtio_blk_dma_restart_bh: Step = (m, t, f) => {
  const w = m.s.w;
  switch (f.pc) {
    case 0:
      w.aio.bhs[w.vblk.restartBh].deleted = true;
      w.vblk.restartBh = -1;
      f.c = w.vblk.rq;
      w.vblk.rq = -1;
      f.d = newMrb(w);
      f.pc = 1;
    // fallthrough
    case 1:
      if (f.c >= 0) {
        const r = vreq(m, f.c);
        f.c = r.next;
        r.next = -1;
        r.retries++;
        r.state = ReqState.parsed;
        return m.call(t, Fn.virtio_blk_handle_request, r.id, r.id, f.d);
      }
      f.pc = 2;
      if (w.vblk.mrbs[f.d].reqs.length > 0) return m.call(t, Fn.virtio_blk_submit_multireq, -1, f.d);
    // fallthrough
    default:
      w.vblk.freeMrbs.push(f.d);
      w.block.blkInFlight--;
      return m.ret(t);
  }
};

export function registerVirtioBlkSteps(steps: Step[]): void {
  steps[Fn.virtio_blk_data_plane_handle_output] = toHandleVq;
  steps[Fn.virtio_blk_handle_output_do] = toHandleVq;
  steps[Fn.virtio_blk_handle_output] = virtio_blk_handle_output;
  steps[Fn.virtio_blk_handle_vq] = virtio_blk_handle_vq;
  steps[Fn.virtio_blk_get_request] = virtio_blk_get_request;
  steps[Fn.virtio_blk_handle_request] = virtio_blk_handle_request;
  steps[Fn.virtio_blk_sect_range_ok] = virtio_blk_sect_range_ok;
  steps[Fn.virtio_blk_handle_flush] = virtio_blk_handle_flush;
  steps[Fn.virtio_blk_submit_multireq] = virtio_blk_submit_multireq;
  steps[Fn.submit_requests] = submit_requests;
  steps[Fn.block_acct_start] = accounting;
  steps[Fn.block_acct_done] = accounting;
  steps[Fn.block_acct_failed] = accounting;
  steps[Fn.block_acct_merge_done] = accounting;
  steps[Fn.virtio_blk_rw_complete] = virtio_blk_rw_complete;
  steps[Fn.virtio_blk_flush_complete] = virtio_blk_flush_complete;
  steps[Fn.virtio_blk_handle_rw_error] = virtio_blk_handle_rw_error;
  steps[Fn.virtio_blk_req_complete] = virtio_blk_req_complete;
  steps[Fn.virtio_blk_free_request] = virtio_blk_free_request;
  steps[Fn.virtio_blk_dma_restart_cb] = virtio_blk_dma_restart_cb;
  steps[Fn.virtio_blk_dma_restart_bh] = virtio_blk_dma_restart_bh;
}
