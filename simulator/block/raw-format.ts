// block/raw-format.c: the format node. It adds nothing but an offset check and passes the
// request to its `file` child through the generic layer again — which is why bdrv_co_*
// and its trace events run twice per request.

import { Fn } from '../catalog';
import { Step } from '../engine/machine';
import { bdrvReq, BDRV_REQ_FUA, freeBdrvReq, newBdrvReq } from './io';

/** raw_co_pwritev / raw_co_preadv of raw-format (node = a, request = b). Locals: c = child request. */
function rawFormatRw(generic: number): Step {
  return (m, t, f) => {
    const w = m.s.w;
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return m.call(t, Fn.raw_adjust_offset, f.req, f.a, f.b);
      case 1: {
        const r = bdrvReq(m, f.b);
        const child = w.block.nodes[f.a].child;
        // FUA is emulated above this node, so it does not reach the child
        f.c = newBdrvReq(w, child, r.op, r.offset, r.bytes, r.niov, r.flags & ~BDRV_REQ_FUA, f.req);
        f.pc = 2;
        return m.call(t, generic, f.req, child, f.c);
      }
      default:
        freeBdrvReq(w, f.c);
        return m.ret(t, f.ret);
    }
  };
}

/** raw_adjust_offset: no offset/size options are set, so nothing changes. */
const raw_adjust_offset: Step = (m, t) => m.ret(t, 0);

export function registerRawFormatSteps(steps: Step[]): void {
  steps[Fn['raw_co_pwritev@raw-format']] = rawFormatRw(Fn.bdrv_co_pwritev);
  steps[Fn['raw_co_preadv@raw-format']] = rawFormatRw(Fn.bdrv_co_preadv);
  steps[Fn.raw_adjust_offset] = raw_adjust_offset;
}
