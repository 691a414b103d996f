// block/raw-format.c: the format node. It adds nothing but an offset check and passes the
// request to its `file` child through the generic layer again — which is why bdrv_co_*
// and its trace events run twice per request (three times with a blkdebug node in between,
// which it first tells that a read or write is coming).

import { ENTRY } from '../engine/types';
import { BLKDEBUG_EVENTS } from '../config/scenario';
import { returns, step } from '../step';
import { bdrv_debug_event } from './blkdebug';
import { bdrv_co_preadv, bdrv_co_pwritev, bdrvReq, BDRV_REQ_FUA, freeBdrvReq, newBdrvReq } from './io';

/** raw_adjust_offset(bs, req): no offset/size options are set, so nothing changes. */
export const raw_adjust_offset = returns('raw_adjust_offset', { args: ['bs: node', 'req: breq'] });

/**
 * raw_co_pwritev / raw_co_preadv of raw-format (bs, req): announce the request to the child when
 * it is blkdebug (BLKDBG_WRITE_AIO / _READ_AIO), then the same request (`child_req`) on the `file`
 * child. FUA reaches the child only when it can honour it (10.0's file-posix); else it is emulated
 * above this node.
 */
function rawFormatRw(key: 'raw_co_pwritev@raw-format' | 'raw_co_preadv@raw-format', write: boolean) {
  const event = BLKDEBUG_EVENTS.indexOf(write ? 'write_aio' : 'read_aio');
  return step(
    key,
    { args: ['bs: node', 'req: breq'], locals: ['child_req: breq'], at: ['adjusted', 'announced', 'done'] },
    ({ bs, req, child_req }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        const child = w.block.nodes[f[bs]].child;
        switch (f.pc) {
          case ENTRY:
            f.pc = at.adjusted;
            return m.call(t, raw_adjust_offset, f.req, f[bs], f[req]);
          case at.adjusted:
            if (w.block.nodes[child].driver === 'blkdebug') {
              f.pc = at.announced;
              return m.call(t, bdrv_debug_event, f.req, child, event);
            }
          // fallthrough
          case at.announced: {
            const r = bdrvReq(m, f[req]);
            const flags = w.qemu.fua ? r.flags : r.flags & ~BDRV_REQ_FUA;
            f[child_req] = newBdrvReq(w, child, r.op, r.offset, r.bytes, r.niov, flags, f.req);
            f.pc = at.done;
            return m.call(t, write ? bdrv_co_pwritev : bdrv_co_preadv, f.req, child, f[child_req]);
          }
          default:
            freeBdrvReq(w, f[child_req]);
            return m.ret(t, f.ret);
        }
      },
  );
}

export const raw_co_pwritev = rawFormatRw('raw_co_pwritev@raw-format', true);
export const raw_co_preadv = rawFormatRw('raw_co_preadv@raw-format', false);
