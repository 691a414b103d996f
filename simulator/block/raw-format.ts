// block/raw-format.c: the format node. It adds nothing but an offset check and passes the
// request to its `file` child through the generic layer again — which is why bdrv_co_*
// and its trace events run twice per request.

import { ENTRY } from '../engine/types';
import { FnName } from '../catalog';
import { returns, step } from '../step';
import { bdrv_co_preadv, bdrv_co_pwritev, bdrvReq, BDRV_REQ_FUA, freeBdrvReq, newBdrvReq } from './io';

/** raw_adjust_offset(bs, req): no offset/size options are set, so nothing changes. */
export const raw_adjust_offset = returns('raw_adjust_offset', { args: ['bs: node', 'req: breq'] });

/** raw_co_pwritev / raw_co_preadv of raw-format (bs, req): the same request (`child_req`) on the `file` child. */
function rawFormatRw(key: FnName, write: boolean) {
  return step(
    key,
    { args: ['bs: node', 'req: breq'], locals: ['child_req: breq'], at: ['adjusted', 'done'] },
    ({ bs, req, child_req }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        switch (f.pc) {
          case ENTRY:
            f.pc = at.adjusted;
            return m.call(t, raw_adjust_offset, f.req, f[bs], f[req]);
          case at.adjusted: {
            const r = bdrvReq(m, f[req]);
            const child = w.block.nodes[f[bs]].child;
            // FUA is emulated above this node, so it does not reach the child
            f[child_req] = newBdrvReq(w, child, r.op, r.offset, r.bytes, r.niov, r.flags & ~BDRV_REQ_FUA, f.req);
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
