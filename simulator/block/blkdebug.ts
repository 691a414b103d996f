// block/blkdebug.c (and block.c's bdrv_debug_event): a filter node between the format and the
// image (file.driver=blkdebug) that fails requests on purpose. Drivers announce debug events to
// the node below them (raw-format: BLKDBG_WRITE_AIO before a write, ...); an event arms the
// inject-error rules configured for it; the next read, write or flush a rule matches fails at
// blkdebug's own layer, without reaching the host. Unless the rule says immediately=on, the
// request coroutine first reschedules itself (aio_co_schedule) and yields, so the error comes back
// from a later loop iteration. 8.0 turned the two debug-event functions into coroutine functions
// (bdrv_co_debug_event, blkdebug_co_debug_event): same place, same work.

import { currentCtx } from '../aio/aio-context';
import { aio_co_schedule } from '../aio/co-wake';
import { IoOp } from '../backends/device';
import { BLKDEBUG_EVENTS, BlkdebugIoType } from '../config/scenario';
import { qemu_coroutine_yield } from '../coroutine/coroutine';
import { ENTRY } from '../engine/types';
import { step } from '../step';
import { bdrv_co_flush, bdrv_co_preadv, bdrv_co_pwritev, bdrvReq, freeBdrvReq, newBdrvReq } from './io';

const IO_TYPES: readonly BlkdebugIoType[] = ['read', 'write', 'flush'];

/** blkdebug's I/O type of a model op (read, write, flush). */
function ioType(op: number): BlkdebugIoType {
  return IO_TYPES[op];
}

/** bdrv_debug_event(bs, event): hand the event to the node's driver, if it listens (only blkdebug). */
export const bdrv_debug_event = step(
  'bdrv_debug_event',
  { args: ['bs: node', 'event: int'], at: ['heard'] },
  ({ bs, event }, at) =>
    (m, t, f) => {
      if (f.pc === ENTRY && m.s.w.block.nodes[f[bs]].driver === 'blkdebug') {
        f.pc = at.heard;
        return m.callIndirect(t, blkdebug_debug_event.id, f.req, f[bs], f[event]);
      }
      return m.ret(t);
    },
);

/**
 * blkdebug_debug_event(bs, event): the inject-error rules of this event become the active ones
 * (the first such rule empties the list; the others join it in their order). An event without
 * inject-error rules leaves the active rules as they are.
 */
export const blkdebug_debug_event = step(
  'blkdebug_debug_event',
  { args: ['bs: node', 'event: int'] },
  ({ event }) =>
    (m, t, f) => {
      const bd = m.s.w.block.blkdebug!;
      const name = BLKDEBUG_EVENTS[f[event]];
      const armed = bd.rules.flatMap((r, i) => (r.event === name && !bd.removed[i] ? [i] : []));
      if (armed.length > 0) bd.active = armed;
      return m.ret(t);
    },
);

/**
 * rule_check(bs, req, iotype): the first active rule whose byte falls in the request (or that names
 * none) and whose I/O type matches fails it: a once=on rule is then dropped; unless immediately=on,
 * the coroutine reschedules itself in its context and yields first. Returns 0 or minus the errno.
 */
export const rule_check = step(
  'rule_check',
  { args: ['bs: node', 'req: breq', 'iotype: op'], locals: ['error: errno'], at: ['scheduled', 'resumed'] },
  ({ req, iotype, error }, at) =>
    (m, t, f) => {
      const bd = m.s.w.block.blkdebug!;
      switch (f.pc) {
        case ENTRY: {
          const r = f[iotype] === IoOp.flush ? null : bdrvReq(m, f[req]);
          const i = bd.active.find((k) => {
            const rule = bd.rules[k];
            const covers =
              rule.offset < 0 ||
              (r !== null && r.bytes > 0 && rule.offset >= r.offset && rule.offset < r.offset + r.bytes);
            return covers && rule.iotypes.includes(ioType(f[iotype]));
          });
          if (i === undefined) return m.ret(t, 0);
          const rule = bd.rules[i];
          f[error] = rule.errno;
          if (rule.once) {
            bd.active = bd.active.filter((k) => k !== i);
            bd.removed[i] = true;
          }
          if (rule.immediately) return m.ret(t, -f[error]);
          f.pc = at.scheduled;
          return m.call(t, aio_co_schedule, f.req, currentCtx(t), t.co);
        }
        case at.scheduled:
          f.pc = at.resumed;
          return m.call(t, qemu_coroutine_yield, f.req);
        default:
          return m.ret(t, -f[error]);
      }
    },
);

/** blkdebug_co_pwritev / _preadv (bs, req): fail the request if a rule says so, else pass it (`child_req`) to the image. */
function filterRw(key: 'blkdebug_co_pwritev' | 'blkdebug_co_preadv', op: number) {
  return step(
    key,
    { args: ['bs: node', 'req: breq'], locals: ['child_req: breq'], at: ['checked', 'done'] },
    ({ bs, req, child_req }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        switch (f.pc) {
          case ENTRY:
            f.pc = at.checked;
            return m.call(t, rule_check, f.req, f[bs], f[req], op);
          case at.checked: {
            if (f.ret < 0) return m.ret(t, f.ret);
            const r = bdrvReq(m, f[req]);
            const child = w.block.nodes[f[bs]].child;
            f[child_req] = newBdrvReq(w, child, r.op, r.offset, r.bytes, r.niov, r.flags, f.req);
            f.pc = at.done;
            return m.call(t, op === IoOp.write ? bdrv_co_pwritev : bdrv_co_preadv, f.req, child, f[child_req]);
          }
          default:
            freeBdrvReq(w, f[child_req]);
            return m.ret(t, f.ret);
        }
      },
  );
}

export const blkdebug_co_pwritev = filterRw('blkdebug_co_pwritev', IoOp.write);
export const blkdebug_co_preadv = filterRw('blkdebug_co_preadv', IoOp.read);

/** blkdebug_co_flush(bs): fail the flush if a rule says so, else flush the image. */
export const blkdebug_co_flush = step(
  'blkdebug_co_flush',
  { args: ['bs: node'], at: ['checked', 'flushed'] },
  ({ bs }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.checked;
          return m.call(t, rule_check, f.req, f[bs], -1, IoOp.flush);
        case at.checked:
          if (f.ret < 0) return m.ret(t, f.ret);
          f.pc = at.flushed;
          return m.call(t, bdrv_co_flush, f.req, m.s.w.block.nodes[f[bs]].child);
        default:
          return m.ret(t, f.ret);
      }
    },
);
