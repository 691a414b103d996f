// block/block-backend.c (+ bdrv_coroutine_enter from block.c): the device's entry into the
// block layer. blk_aio_prwv creates the request's coroutine and enters it at once (from 8.0
// with aio_co_enter, in the submitting thread's context from 8.2); the coroutine runs blk_co_*
// (blk_co_do_*_part from 6.2) down the node graph until a backend makes it yield. When it
// finishes, blk_aio_complete calls the device's callback — inside the coroutine — unless
// the coroutine finished before blk_aio_prwv returned, in which case a one-shot BH does it.

import { aio_bh_schedule_oneshot, ctxOf, currentCtx, newOneshotBh } from '../aio/aio-context';
import { aio_co_enter } from '../aio/co-wake';
import { IoOp } from '../backends/device';
import { aio_setup_linux_aio } from '../backends/linux-aio';
import { FnName } from '../catalog';
import { ErrorPolicy, ERRNO, ERRNO_TEXT } from '../config/scenario';
import { qemu_coroutine_create } from '../coroutine/coroutine';
import { Machine, StepDef } from '../engine/machine';
import { ENTRY, World } from '../engine/types';
import { qemu_system_vmstop_request, qemu_system_vmstop_request_prepare, qmpEvent, RunStateId } from '../loop/runstate';
import { step } from '../step';
import {
  aioWaitKick,
  bdrv_co_flush,
  bdrv_co_preadv,
  bdrv_co_preadv_part,
  bdrv_co_pwritev,
  bdrv_co_pwritev_part,
  bdrv_io_plug,
  bdrv_io_unplug,
  BDRV_REQ_FUA,
  BDRV_REQ_REGISTERED_BUF,
  freeBdrvReq,
  newBdrvReq,
  NOT_DONE,
  RAW_NODE,
} from './io';

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

declare module '../engine/types' {
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
  cb: StepDef<readonly [opaque: unknown, ret: unknown]>,
  opaque: number,
): number {
  const b = w.blk;
  const id = b.freeAcbs.length > 0 ? b.freeAcbs.pop()! : b.acbs.length;
  b.acbs[id] = acbRecord(id, op, offset, bytes, niov, cb.id, opaque, NOT_DONE, false, -1);
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

/** bdrv_coroutine_enter(bs, co) → aio_co_enter(bdrv_get_aio_context(bs), co). */
export const bdrv_coroutine_enter = step(
  'bdrv_coroutine_enter',
  { args: ['bs: node', 'co: co'], at: ['entered'] },
  ({ co }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      f.pc = at.entered;
      return m.call(t, aio_co_enter, f.req, m.s.w.block.ctx, f[co]);
    },
);

/** blk_aio_prwv(acb, co_entry): create the coroutine, enter it, then note we returned. */
export const blk_aio_prwv = step(
  'blk_aio_prwv',
  { args: ['acb: acb', 'co_entry: fn'], at: ['created', 'entered', 'completion_scheduled'] },
  ({ acb: acbSlot, co_entry }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const a = acb(m, f[acbSlot]);
      switch (f.pc) {
        case ENTRY:
          w.block.blkInFlight++;
          a.ret = NOT_DONE;
          a.hasReturned = false;
          f.pc = at.created;
          return m.call(t, qemu_coroutine_create, f.req, f[co_entry], f[acbSlot]);
        case at.created:
          a.co = f.ret;
          f.pc = at.entered;
          if (w.qemu.coEnterCurrentCtx) return m.call(t, aio_co_enter, f.req, currentCtx(t), a.co);
          return m.call(t, bdrv_coroutine_enter, f.req, RAW_NODE, a.co);
        case at.entered:
          a.hasReturned = true;
          if (a.ret !== NOT_DONE) {
            // finished without yielding: complete from a BH, after we returned to the caller
            w.blk.completedViaBh++;
            newOneshotBh(w, ctxOf(m, w.block.ctx), 'blk_aio_complete_bh', blk_aio_complete_bh, f[acbSlot]);
            f.pc = at.completion_scheduled;
            return m.call(t, aio_bh_schedule_oneshot, f.req, w.block.ctx);
          }
        // fallthrough
        default:
          return m.ret(t, f[acbSlot]);
      }
    },
);

/** blk_aio_pwritev / blk_aio_preadv / blk_aio_flush (acb): blk_aio_prwv with the coroutine's entry. */
function blkAio(key: FnName, entry: StepDef) {
  return step(key, { args: ['acb: acb'], at: ['submitted'] }, ({ acb: acbSlot }, at) => (m, t, f) => {
    if (f.pc !== ENTRY) return m.ret(t, f[acbSlot]);
    f.pc = at.submitted;
    return m.call(t, blk_aio_prwv, f.req, f[acbSlot], entry.id);
  });
}

/** blk_aio_complete(acb): call the device's callback once blk_aio_prwv has returned. */
export const blk_aio_complete = step(
  'blk_aio_complete',
  { args: ['acb: acb'], at: ['called_back'] },
  ({ acb: acbSlot }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const a = acb(m, f[acbSlot]);
      if (f.pc === ENTRY) {
        if (!a.hasReturned) return m.ret(t);
        f.pc = at.called_back;
        return m.callIndirect(t, a.cb, f.req, a.opaque, a.ret);
      }
      w.block.blkInFlight--;
      aioWaitKick(m);
      w.blk.freeAcbs.push(f[acbSlot]);
      return m.ret(t);
    },
);

/** blk_aio_complete_bh(acb). */
export const blk_aio_complete_bh = step(
  'blk_aio_complete_bh',
  { args: ['acb: acb'], at: ['completed'] },
  ({ acb: acbSlot }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      f.pc = at.completed;
      return m.call(t, blk_aio_complete, acb(m, f[acbSlot]).opaque, f[acbSlot]);
    },
);

/**
 * blk_co_pwritev / blk_co_preadv (acb), blk_co_do_pwritev_part / _preadv_part from 6.2: the request
 * (`req`) on the raw node, traced with the device's flags (7.2+: BDRV_REQ_REGISTERED_BUF); a write
 * without a write cache then becomes FUA. From 4.2 the _part functions of the generic layer run it.
 */
function blkCo(key: FnName, op: number) {
  return step(
    key,
    { args: ['acb: acb'], locals: ['req: breq'], at: ['done'] },
    ({ acb: acbSlot, req }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        if (f.pc === ENTRY) {
          const a = acb(m, f[acbSlot]);
          const flags = w.qemu.registeredBuf ? BDRV_REQ_REGISTERED_BUF : 0;
          m.trace(t, key, 0, RAW_NODE, a.offset, a.bytes, flags);
          const fua = op === IoOp.write && !w.blk.writeback ? BDRV_REQ_FUA : 0;
          f[req] = newBdrvReq(w, RAW_NODE, op, a.offset, a.bytes, a.niov, flags | fua, f.req);
          f.pc = at.done;
          const part = w.qemu.partApi;
          const callee =
            op === IoOp.write
              ? part
                ? bdrv_co_pwritev_part
                : bdrv_co_pwritev
              : part
                ? bdrv_co_preadv_part
                : bdrv_co_preadv;
          return m.call(t, callee, f.req, RAW_NODE, f[req]);
        }
        freeBdrvReq(w, f[req]);
        return m.ret(t, f.ret);
      },
  );
}

export const blk_co_pwritev = blkCo('blk_co_pwritev', IoOp.write);
export const blk_co_preadv = blkCo('blk_co_preadv', IoOp.read);

/** blk_co_flush(acb). */
export const blk_co_flush = step('blk_co_flush', { args: ['acb: acb'], at: ['flushed'] }, (_, at) => (m, t, f) => {
  if (f.pc !== ENTRY) return m.ret(t, f.ret);
  f.pc = at.flushed;
  return m.call(t, bdrv_co_flush, f.req, RAW_NODE);
});

/** blk_aio_write_entry / read_entry / flush_entry (opaque = the acb), the coroutine's entry function. */
function coEntry(key: FnName, coFn: StepDef<readonly [unknown]>) {
  return step(key, { args: ['opaque: acb'], at: ['done', 'completed'] }, ({ opaque }, at) => (m, t, f) => {
    switch (f.pc) {
      case ENTRY:
        f.pc = at.done;
        return m.call(t, coFn, f.req, f[opaque]);
      case at.done:
        acb(m, f[opaque]).ret = f.ret;
        f.pc = at.completed;
        return m.call(t, blk_aio_complete, f.req, f[opaque]);
      default:
        return m.ret(t);
    }
  });
}

export const blk_aio_write_entry = coEntry('blk_aio_write_entry', blk_co_pwritev);
export const blk_aio_read_entry = coEntry('blk_aio_read_entry', blk_co_preadv);
export const blk_aio_flush_entry = coEntry('blk_aio_flush_entry', blk_co_flush);

export const blk_aio_pwritev = blkAio('blk_aio_pwritev', blk_aio_write_entry);
export const blk_aio_preadv = blkAio('blk_aio_preadv', blk_aio_read_entry);
export const blk_aio_flush = blkAio('blk_aio_flush', blk_aio_flush_entry);

/** blk_io_plug / blk_io_unplug: plug the root node (which plugs its children). */
function plugRoot(key: FnName, plug: boolean) {
  return step(key, { at: ['done'] }, (_, at) => (m, t, f) => {
    if (f.pc !== ENTRY) return m.ret(t);
    f.pc = at.done;
    return m.call(t, plug ? bdrv_io_plug : bdrv_io_unplug, f.req, RAW_NODE);
  });
}

export const blk_io_plug = plugRoot('blk_io_plug', true);
export const blk_io_unplug = plugRoot('blk_io_unplug', false);

/** blk_get_error_action(is_read, error): the drive's rerror/werror policy for this errno. */
export const blk_get_error_action = step(
  'blk_get_error_action',
  { args: ['is_read: bool', 'error: errno'] },
  ({ is_read, error }) =>
    (m, t, f) => {
      const policy = f[is_read] ? m.s.w.blk.rerror : m.s.w.blk.werror;
      let action: number = ErrorAction.report;
      if (policy === 'ignore') action = ErrorAction.ignore;
      else if (policy === 'stop' || (policy === 'enospc' && f[error] === ERRNO.ENOSPC)) action = ErrorAction.stop;
      return m.ret(t, action);
    },
);

/** blk_iostatus_set_err(error). */
export const blk_iostatus_set_err = step(
  'blk_iostatus_set_err',
  { args: ['error: errno'] },
  ({ error }) =>
    (m, t, f) => {
      const b = m.s.w.blk;
      if (b.iostatus === 'ok') b.iostatus = f[error] === ERRNO.ENOSPC ? 'nospace' : 'failed';
      return m.ret(t);
    },
);

/** send_qmp_error_event(action, is_read, error): BLOCK_IO_ERROR. */
export const send_qmp_error_event = step(
  'send_qmp_error_event',
  { args: ['action: action', 'is_read: bool', 'error: errno'] },
  ({ action, is_read, error }) =>
    (m, t, f) => {
      qmpEvent(m, 'BLOCK_IO_ERROR', {
        device: 'drive0',
        'node-name': 'raw',
        operation: f[is_read] ? 'read' : 'write',
        action: ERROR_ACTION_NAMES[f[action]],
        nospace: f[error] === ERRNO.ENOSPC,
        reason: ERRNO_TEXT[f[error]] ?? `errno ${f[error]}`,
        req: f.req,
      });
      return m.ret(t);
    },
);

/** blk_error_action(action, is_read, error): stop → iostatus, vmstop request, event. */
export const blk_error_action = step(
  'blk_error_action',
  {
    args: ['action: action', 'is_read: bool', 'error: errno'],
    at: ['iostatus_set', 'stop_prepared', 'event_sent', 'done'],
  },
  ({ action, is_read, error }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          if (f[action] !== ErrorAction.stop) {
            f.pc = at.done;
            return m.call(t, send_qmp_error_event, f.req, f[action], f[is_read], f[error]);
          }
          f.pc = at.iostatus_set;
          return m.call(t, blk_iostatus_set_err, f.req, f[error]);
        case at.iostatus_set:
          f.pc = at.stop_prepared;
          return m.call(t, qemu_system_vmstop_request_prepare, f.req);
        case at.stop_prepared:
          f.pc = at.event_sent;
          return m.call(t, send_qmp_error_event, f.req, f[action], f[is_read], f[error]);
        case at.event_sent:
          f.pc = at.done;
          return m.call(t, qemu_system_vmstop_request, f.req, RunStateId['io-error']);
        default:
          return m.ret(t);
      }
    },
);

/** blk_set_aio_context(new_context): move the drive (and its Linux AIO state) to a context. */
export const blk_set_aio_context = step(
  'blk_set_aio_context',
  { args: ['new_context: ctx'], at: ['attached'] },
  ({ new_context }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      if (f.pc === ENTRY && w.block.ctx !== f[new_context]) {
        w.block.ctx = f[new_context];
        if (w.filePosix.aio === 'native' && w.filePosix.direct) {
          f.pc = at.attached;
          return m.call(t, aio_setup_linux_aio, -1, f[new_context]);
        }
      }
      return m.ret(t);
    },
);
