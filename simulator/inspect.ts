// Looking at the model the way QEMU's data looks: a frame's arguments with their names and
// what they point to, a request as virtio-blk sees it, the fields breakpoint conditions use.
// Plain data only, built on demand.

import { IO_OP_NAMES, IoOp } from './backends/device';
import { EINPROGRESS } from './backends/linux-aio';
import { NOT_DONE } from './block/io';
import { RUN_STATE_NAMES } from './loop/runstate';
import { ctxQueues } from './snapshot';
import { ELEM_STATE_NAMES } from './backends/thread-pool';
import { ERROR_ACTION_NAMES } from './block/block-backend';
import { CO_STATE_NAMES } from './coroutine/coroutine';
import { ERRNO_NAMES } from './config/scenario';
import { Machine } from './engine/machine';
import { ENTRY, Frame, SimThread, ThreadState, WAIT_NAMES } from './engine/types';
import { stepOf } from './model';
import { Kind } from './step';
import { catalogOf } from './version';
import { mergeChain, REQ_STATE_NAMES, STATUS_NAMES } from './virtio/virtio-blk';

export type Plain = number | string | boolean | null | Plain[] | { [k: string]: Plain };

/** A guest request as virtio-blk sees it. */
export function requestInfo(m: Machine, id: number): { [k: string]: Plain } | null {
  const r = m.s.w.vblk.reqs.get(id);
  if (!r) return null;
  const t = (v: number): Plain => (v >= 0 ? v : null);
  return {
    id: r.id,
    op: IO_OP_NAMES[r.op],
    is_write: r.op === IoOp.write,
    is_read: r.op === IoOp.read,
    is_flush: r.op === IoOp.flush,
    sector: r.sector,
    nsectors: r.bytes / 512,
    bytes: r.bytes,
    offset: r.sector * 512,
    state: REQ_STATE_NAMES[r.state],
    status: r.status < 0 ? null : STATUS_NAMES[r.status],
    merged_with: mergeChain(m.s.w, r.id).slice(1),
    merged_into: r.mergedInto >= 0 ? r.mergedInto : null,
    retries: r.retries,
    times_ns: {
      queued: t(r.tQueued),
      popped: t(r.tPop),
      backend: t(r.tBackend),
      backend_done: t(r.tBackendDone),
      used: t(r.tUsed),
      done: t(r.tDone),
    },
  };
}

function describe(m: Machine, kind: Kind, v: number): Plain {
  const w = m.s.w;
  switch (kind) {
    case 'ctx':
      return w.aio.contexts[v]?.name ?? null;
    case 'vq':
      return v >= 0 ? `virtqueue ${v}` : null;
    case 'vreq': {
      const r = requestInfo(m, v);
      return r
        ? { summary: `request ${v}: ${r.op} sector ${r.sector} (${r.bytes} bytes)`, ...r }
        : v >= 0
          ? `request ${v} (completed)`
          : null;
    }
    case 'node': {
      const n = w.block.nodes[v];
      return n ? `${n.name} (${n.driver})` : null;
    }
    case 'breq': {
      const r = w.block.reqs[v];
      return r
        ? {
            summary: `${IO_OP_NAMES[r.op]} offset ${r.offset} bytes ${r.bytes}`,
            op: IO_OP_NAMES[r.op],
            offset: r.offset,
            bytes: r.bytes,
            niov: r.niov,
            flags: r.flags,
            serialising: r.serialising,
            node: w.block.nodes[r.node].name,
          }
        : null;
    }
    case 'acb': {
      const a = w.blk.acbs[v];
      return a
        ? {
            summary: `${IO_OP_NAMES[a.op]} offset ${a.offset} bytes ${a.bytes}`,
            op: IO_OP_NAMES[a.op],
            offset: a.offset,
            bytes: a.bytes,
            niov: a.niov,
            has_returned: a.hasReturned,
            ret: a.ret === NOT_DONE ? 'NOT_DONE' : a.ret,
            co: a.co,
            cb: catalogOf(m).name(a.cb),
          }
        : null;
    }
    case 'co': {
      const co = w.co.live.get(v);
      return co
        ? `coroutine #${co.id} (${CO_STATE_NAMES[co.state]}, ${catalogOf(m).name(co.entry)})`
        : v >= 0
          ? `coroutine #${v} (terminated)`
          : null;
    }
    case 'bh':
      return w.aio.bhs[v] ? `${w.aio.bhs[v].name}${w.aio.bhs[v].scheduled ? ' (scheduled)' : ''}` : null;
    case 'handler':
      return w.aio.handlers[v] ? `${w.aio.handlers[v].name}${w.aio.handlers[v].ready ? ' (readable)' : ''}` : null;
    case 'pool': {
      const p = w.pool.pools[v];
      return p
        ? {
            summary: `thread pool of ${w.aio.contexts[p.ctx].name}`,
            cur_threads: p.curThreads,
            idle_threads: p.idleThreads,
            new_threads: p.newThreads,
            pending_threads: p.pendingThreads,
            queued: p.requestList.length,
          }
        : null;
    }
    case 'elem': {
      const e = w.pool.elems[v];
      return e
        ? `element ${v}: ${catalogOf(m).name(e.func)} ${ELEM_STATE_NAMES[e.state]}${e.worker >= 0 ? ` on ${m.s.threads[e.worker].name}` : ''}`
        : null;
    }
    case 'laio': {
      const s = w.laio.states[v];
      return s
        ? {
            summary: `LinuxAioState of ${w.aio.contexts[s.ctx].name}`,
            plugged: s.plugged,
            blocked: s.blocked,
            in_queue: s.pending.length,
            in_flight: s.inFlight,
            ring: s.ring.length,
          }
        : null;
    }
    case 'laiocb': {
      const c = w.laio.cbs[v];
      return c
        ? `laiocb ${v}: ${IO_OP_NAMES[c.op]} ${c.bytes} bytes at ${c.offset}, ret ${c.ret === EINPROGRESS ? '-EINPROGRESS' : c.ret}`
        : null;
    }
    case 'luring': {
      const s = w.uring.states[v];
      return s
        ? {
            summary: `LuringState of ${w.aio.contexts[s.ctx].name}`,
            blocked: s.blocked,
            in_queue: s.queue.length,
            in_flight: s.inFlight,
            completions: s.cq.length,
          }
        : null;
    }
    case 'luringcb': {
      const c = w.uring.cbs[v];
      return c
        ? `luringcb ${v}: ${IO_OP_NAMES[c.op]} ${c.bytes} bytes at ${c.offset}, ret ${c.ret === EINPROGRESS ? '-EINPROGRESS' : c.ret}`
        : null;
    }
    case 'hostio': {
      const h = w.hostio.ios[v];
      return h
        ? `${IO_OP_NAMES[h.op]} ${h.bytes} bytes at ${h.offset}${h.niov > 1 ? ` (${h.niov} iovecs)` : ''}`
        : null;
    }
    case 'mrb': {
      const b = w.vblk.mrbs[v];
      return b
        ? {
            summary: `MultiReqBuffer: ${b.reqs.length} request(s)`,
            reqs: [...b.reqs],
            is_write: b.isWrite,
            num_reqs: b.reqs.length,
          }
        : null;
    }
    case 'fn':
      return v >= 0 ? catalogOf(m).name(v) : null;
    case 'runstate':
      return RUN_STATE_NAMES[v] ?? v;
    case 'errno':
      return `${ERRNO_NAMES[v] ?? 'errno'} (${v})`;
    case 'action':
      return ERROR_ACTION_NAMES[v] ?? v;
    case 'bool':
      return v !== 0;
    case 'op':
      return IO_OP_NAMES[v] ?? v;
    case 'status':
      return STATUS_NAMES[v] ?? v;
    case 'int':
    case 'ns':
      return v;
  }
}

/** A frame's arguments and locals, named as in QEMU, resolved to what they refer to, and where it resumes. */
export function frameLocals(m: Machine, f: Frame): { [k: string]: Plain } {
  const out: { [k: string]: Plain } = {};
  const def = stepOf(f.fn, m.s.w.qemu.version);
  if (def) for (const s of [...def.args, ...def.locals]) out[s.name] = describe(m, s.kind as Kind, f[s.slot]);
  if (f.req >= 0 && !('req' in out)) out.request = describe(m, 'vreq', f.req);
  out.resumes_at = f.pc === ENTRY ? 'entry' : (def?.at[f.pc - 1] ?? f.pc);
  return out;
}

/** What a thread is and where it waits. */
export function threadInfo(m: Machine, t: SimThread): { [k: string]: Plain } {
  const ctxId = t.kind === 'iothread' || t.kind === 'main-loop' ? t.ctx : -1;
  const info: { [k: string]: Plain } = {
    name: t.name,
    kind: t.kind,
    tid: t.tid,
    state:
      t.state === ThreadState.runnable
        ? 'running'
        : t.state === ThreadState.blocked
          ? `blocked: ${WAIT_NAMES[t.wait]}`
          : 'exited',
    coroutine: t.co >= 0 ? describe(m, 'co', t.co) : null,
    created_at_ns: t.createdAt,
  };
  if (ctxId >= 0) {
    const c = m.s.w.aio.contexts[ctxId];
    const q = ctxQueues(m.s.w, c);
    info.aio_context = {
      name: c.name,
      notify_me: c.notifyMe,
      notified: c.notified,
      poll_ns: c.pollNs,
      poll_max_ns: c.pollMaxNs,
      poll_started: c.pollStarted,
      iterations: c.iterations,
      handlers: q.handlers,
      bottom_halves: q.bottomHalves,
    };
  }
  if (t.kind === 'worker') {
    const pool = m.s.w.pool.pools.find((p) => p.workers.includes(t.id));
    if (pool) info.pool = describe(m, 'pool', pool.id);
  }
  return info;
}
