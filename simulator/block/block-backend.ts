// block/block-backend.c (+ bdrv_coroutine_enter from block.c): the device's entry into the
// block layer. blk_aio_prwv creates the request's coroutine and enters it at once; the
// coroutine runs blk_co_* down the node graph until a backend makes it yield. When it
// finishes, blk_aio_complete calls the device's callback — inside the coroutine — unless
// the coroutine finished before blk_aio_prwv returned, in which case a one-shot BH does it.

import { Fn } from '../catalog';
import { ctxOf, newOneshotBh } from '../aio/aio-context';
import { IoOp } from '../backends/device';
import { ErrorPolicy, ERRNO, ERRNO_TEXT } from '../config/scenario';
import { Machine, Step, World } from '../engine/machine';
import { qmpEvent } from '../loop/runstate';
import { aioWaitKick, BDRV_REQ_FUA, freeBdrvReq, newBdrvReq, NOT_DONE, RAW_NODE } from './io';

export const ErrorAction = { report: 0, ignore: 1, stop: 2 } as const;
export const ERROR_ACTION_NAMES = ['report', 'ignore', 'stop'] as const;

/** BlkAioEmAIOCB: one blk_aio_* request. */
export interface BlkAcb {
  id: number;
  op: number;
  offset: number;
  bytes: number;
  niov: number;
  /** The device's completion callback (fn id) and its opaque (the head virtio-blk request). */
  cb: number;
  opaque: number;
  ret: number;
  hasReturned: boolean;
  co: number;
}

export interface BlkState {
  acbs: BlkAcb[];
  freeAcbs: number[];
  /** Guest-visible write cache (WCE): off adds FUA to every write. */
  writeback: boolean;
  werror: ErrorPolicy;
  rerror: ErrorPolicy;
  /** blk_iostatus: 'ok' or 'failed' / 'nospace' after a stop. */
  iostatus: string;
  completedViaBh: number;
}

declare module '../engine/machine' {
  interface World {
    blk: BlkState;
  }
}

export function initBlockBackend(w: World, writeback: boolean, werror: ErrorPolicy, rerror: ErrorPolicy): void {
  w.blk = { acbs: [], freeAcbs: [], writeback, werror, rerror, iostatus: 'ok', completedViaBh: 0 };
}

/** blk_aio_get: a new AIOCB for (op, offset, bytes), completing into cb(opaque, ret). */
export function newAcb(
  w: World,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  cb: number,
  opaque: number,
): number {
  const b = w.blk;
  const id = b.freeAcbs.length > 0 ? b.freeAcbs.pop()! : b.acbs.length;
  b.acbs[id] = acbRecord(id, op, offset, bytes, niov, cb, opaque, NOT_DONE, false, -1);
  return id;
}

function acbRecord(
  id: number,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  cb: number,
  opaque: number,
  ret: number,
  hasReturned: boolean,
  co: number,
): BlkAcb {
  return { id, op, offset, bytes, niov, cb, opaque, ret, hasReturned, co };
}

export function copyBlkState(b: BlkState): BlkState {
  return {
    ...b,
    freeAcbs: [...b.freeAcbs],
    acbs: b.acbs.map((a) =>
      acbRecord(a.id, a.op, a.offset, a.bytes, a.niov, a.cb, a.opaque, a.ret, a.hasReturned, a.co),
    ),
  };
}

export function acb(m: Machine, id: number): BlkAcb {
  return m.s.w.blk.acbs[id];
}

/** blk_aio_pwritev / blk_aio_preadv / blk_aio_flush (acb = a): blk_aio_prwv with the entry. */
function blkAio(entry: number): Step {
  return (m, t, f) => {
    if (f.pc === 0) {
      f.pc = 1;
      return m.call(t, Fn.blk_aio_prwv, f.req, f.a, entry);
    }
    return m.ret(t, f.a);
  };
}

/** blk_aio_prwv(acb = a, entry = b): create the coroutine, enter it, then note we returned. */
const blk_aio_prwv: Step = (m, t, f) => {
  const w = m.s.w;
  const a = acb(m, f.a);
  switch (f.pc) {
    case 0:
      w.block.blkInFlight++;
      a.ret = NOT_DONE;
      a.hasReturned = false;
      f.pc = 1;
      return m.call(t, Fn.qemu_coroutine_create, f.req, f.b, f.a);
    case 1:
      a.co = f.ret;
      f.pc = 2;
      return m.call(t, Fn.bdrv_coroutine_enter, f.req, RAW_NODE, a.co);
    case 2:
      a.hasReturned = true;
      if (a.ret !== NOT_DONE) {
        // finished without yielding: complete from a BH, after we returned to the caller
        w.blk.completedViaBh++;
        newOneshotBh(w, ctxOf(m, w.block.ctx), 'blk_aio_complete_bh', Fn.blk_aio_complete_bh, f.a);
        f.pc = 3;
        return m.call(t, Fn.aio_bh_schedule_oneshot, f.req, w.block.ctx);
      }
    // fallthrough
    default:
      return m.ret(t, f.a);
  }
};

/** bdrv_coroutine_enter(node = a, co = b) → aio_co_enter(bdrv_get_aio_context(bs), co). */
const bdrv_coroutine_enter: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.aio_co_enter, f.req, m.s.w.block.ctx, f.b);
  }
  return m.ret(t);
};

/** blk_aio_write_entry / read_entry / flush_entry (acb = a), the coroutine's entry function. */
function entry(coFn: number): Step {
  return (m, t, f) => {
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return m.call(t, coFn, f.req, f.a);
      case 1:
        acb(m, f.a).ret = f.ret;
        f.pc = 2;
        return m.call(t, Fn.blk_aio_complete, f.req, f.a);
      default:
        return m.ret(t);
    }
  };
}

/** blk_aio_complete(acb = a): call the device's callback once blk_aio_prwv has returned. */
const blk_aio_complete: Step = (m, t, f) => {
  const w = m.s.w;
  const a = acb(m, f.a);
  switch (f.pc) {
    case 0:
      if (!a.hasReturned) return m.ret(t);
      f.pc = 1;
      return m.call(t, a.cb, f.req, a.opaque, a.ret);
    default:
      w.block.blkInFlight--;
      aioWaitKick(m);
      w.blk.freeAcbs.push(f.a);
      return m.ret(t);
  }
};

/** blk_aio_complete_bh(acb = a). */
const blk_aio_complete_bh: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.blk_aio_complete, acbReq(m, f.a), f.a);
  }
  return m.ret(t);
};

function acbReq(m: Machine, id: number): number {
  return acb(m, id).opaque;
}

/** blk_co_pwritev / blk_co_preadv (acb = a): down to the raw node; no write cache → FUA. Locals: c = node request. */
function blkCo(op: number, generic: number, trace: string): Step {
  return (m, t, f) => {
    const w = m.s.w;
    if (f.pc === 0) {
      const a = acb(m, f.a);
      const flags = op === IoOp.write && !w.blk.writeback ? BDRV_REQ_FUA : 0;
      m.trace(t, trace, 0, RAW_NODE, a.offset, a.bytes, flags);
      f.c = newBdrvReq(w, RAW_NODE, op, a.offset, a.bytes, a.niov, flags, f.req);
      f.pc = 1;
      return m.call(t, generic, f.req, RAW_NODE, f.c);
    }
    freeBdrvReq(w, f.c);
    return m.ret(t, f.ret);
  };
}

/** blk_co_flush (acb = a). */
const blk_co_flush: Step = (m, t, f) => {
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, Fn.bdrv_co_flush, f.req, RAW_NODE);
  }
  return m.ret(t, f.ret);
};

/** blk_io_plug / blk_io_unplug: plug the root node (which plugs its children). */
function plugRoot(fn: number): Step {
  return (m, t, f) => {
    if (f.pc === 0) {
      f.pc = 1;
      return m.call(t, fn, f.req, RAW_NODE);
    }
    return m.ret(t);
  };
}

/** blk_get_error_action(is_read = a, errno = b). */
const blk_get_error_action: Step = (m, t, f) => {
  const policy = f.a ? m.s.w.blk.rerror : m.s.w.blk.werror;
  let action: number = ErrorAction.report;
  if (policy === 'ignore') action = ErrorAction.ignore;
  else if (policy === 'stop' || (policy === 'enospc' && f.b === ERRNO.ENOSPC)) action = ErrorAction.stop;
  return m.ret(t, action);
};

/** blk_error_action(action = a, is_read = b, errno = c): stop → iostatus, vmstop request, event. */
const blk_error_action: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      if (f.a !== ErrorAction.stop) {
        f.pc = 4;
        return m.call(t, Fn.send_qmp_error_event, f.req, f.a, f.b, f.c);
      }
      f.pc = 1;
      return m.call(t, Fn.blk_iostatus_set_err, f.req, f.c);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.qemu_system_vmstop_request_prepare, f.req);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.send_qmp_error_event, f.req, f.a, f.b, f.c);
    case 3:
      f.pc = 4;
      return m.call(t, Fn.qemu_system_vmstop_request, f.req, 3 /* RUN_STATE_IO_ERROR */);
    default:
      return m.ret(t);
  }
};

const blk_iostatus_set_err: Step = (m, t, f) => {
  const b = m.s.w.blk;
  if (b.iostatus === 'ok') b.iostatus = f.a === ERRNO.ENOSPC ? 'nospace' : 'failed';
  return m.ret(t);
};

/** send_qmp_error_event(action = a, is_read = b, errno = c): BLOCK_IO_ERROR. */
const send_qmp_error_event: Step = (m, t, f) => {
  qmpEvent(m, 'BLOCK_IO_ERROR', {
    device: 'drive0',
    'node-name': 'raw',
    operation: f.b ? 'read' : 'write',
    action: ERROR_ACTION_NAMES[f.a],
    nospace: f.c === ERRNO.ENOSPC,
    reason: ERRNO_TEXT[f.c] ?? `errno ${f.c}`,
    req: f.req,
  });
  return m.ret(t);
};

/** blk_set_aio_context(ctx = a): move the drive (and its Linux AIO state) to a context. */
const blk_set_aio_context: Step = (m, t, f) => {
  const w = m.s.w;
  if (f.pc === 0 && w.block.ctx !== f.a) {
    w.block.ctx = f.a;
    if (w.filePosix.aio === 'native' && w.filePosix.direct) {
      f.pc = 1;
      return m.call(t, Fn.aio_setup_linux_aio, -1, f.a);
    }
  }
  return m.ret(t);
};

export function registerBlockBackendSteps(steps: Step[]): void {
  steps[Fn.blk_set_aio_context] = blk_set_aio_context;
  steps[Fn.blk_aio_pwritev] = blkAio(Fn.blk_aio_write_entry);
  steps[Fn.blk_aio_preadv] = blkAio(Fn.blk_aio_read_entry);
  steps[Fn.blk_aio_flush] = blkAio(Fn.blk_aio_flush_entry);
  steps[Fn.blk_aio_prwv] = blk_aio_prwv;
  steps[Fn.bdrv_coroutine_enter] = bdrv_coroutine_enter;
  steps[Fn.blk_aio_write_entry] = entry(Fn.blk_co_pwritev);
  steps[Fn.blk_aio_read_entry] = entry(Fn.blk_co_preadv);
  steps[Fn.blk_aio_flush_entry] = entry(Fn.blk_co_flush);
  steps[Fn.blk_aio_complete] = blk_aio_complete;
  steps[Fn.blk_aio_complete_bh] = blk_aio_complete_bh;
  steps[Fn.blk_co_pwritev] = blkCo(IoOp.write, Fn.bdrv_co_pwritev, 'blk_co_pwritev');
  steps[Fn.blk_co_preadv] = blkCo(IoOp.read, Fn.bdrv_co_preadv, 'blk_co_preadv');
  steps[Fn.blk_co_flush] = blk_co_flush;
  steps[Fn.blk_io_plug] = plugRoot(Fn.bdrv_io_plug);
  steps[Fn.blk_io_unplug] = plugRoot(Fn.bdrv_io_unplug);
  steps[Fn.blk_get_error_action] = blk_get_error_action;
  steps[Fn.blk_error_action] = blk_error_action;
  steps[Fn.blk_iostatus_set_err] = blk_iostatus_set_err;
  steps[Fn.send_qmp_error_event] = send_qmp_error_event;
}
