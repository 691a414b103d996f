// A plain-data picture of every layer's state at the current instant, for people (the
// debugger's QEMU scope, tests). Built only on demand.

import { IO_OP_NAMES } from './backends/device';
import { ELEM_STATE_NAMES } from './backends/thread-pool';
import { Machine } from './engine/machine';
import { World } from './engine/types';
import { vmRunning } from './loop/runstate';
import type { AioContext } from './aio/aio-context';
import { parkedRequests, REQ_STATE_NAMES } from './virtio/virtio-blk';
import { catalogOf } from './version';

export interface RequestView {
  id: number;
  op: string;
  sector: number;
  bytes: number;
  state: string;
  mergedInto: number | null;
  retries: number;
}

export function snapshotState(m: Machine) {
  const w = m.s.w;
  const vq = w.virtio.vqs[w.vblk.vq];
  const name = (id: number): string => m.s.threads[id]?.name ?? '-';
  return {
    time_ns: m.s.now,
    virtqueue: {
      size: vq.size,
      availIdx: vq.availIdx,
      lastAvailIdx: vq.lastAvailIdx,
      usedIdx: vq.usedIdx,
      guestLastUsedIdx: vq.guestUsedIdx,
      inuse: vq.inuse,
      notification: vq.notification,
      availEvent: vq.availEvent,
      noNotify: vq.noNotifyFlag,
      usedEvent: vq.usedEvent,
      availRing: [...vq.avail],
      kicks: vq.kicks,
      interrupts: vq.interrupts,
      suppressedInterrupts: vq.suppressedInterrupts,
    },
    aioContexts: w.aio.contexts.map((c) => ({
      name: c.name,
      thread: c.thread >= 0 ? name(c.thread) : '-',
      notifyMe: c.notifyMe,
      notified: c.notified,
      pollNs: c.pollNs,
      pollMaxNs: c.pollMaxNs,
      pollStarted: c.pollStarted,
      iterations: c.iterations,
      ...ctxQueues(w, c),
    })),
    threadPools: w.pool.pools.map((p) => ({
      context: w.aio.contexts[p.ctx].name,
      maxThreads: p.maxThreads,
      curThreads: p.curThreads,
      idleThreads: p.idleThreads,
      newThreads: p.newThreads,
      pendingThreads: p.pendingThreads,
      semaphore: p.sem,
      workers: p.workers.map(name),
      requestList: p.requestList.map((id) => ({ element: id, req: w.pool.elems[id].req })),
      elements: p.head.map((id) => {
        const e = w.pool.elems[id];
        return {
          element: id,
          func: catalogOf(m).name(e.func),
          state: ELEM_STATE_NAMES[e.state],
          req: e.req,
          worker: e.worker >= 0 ? name(e.worker) : '-',
        };
      }),
    })),
    linuxAio: w.laio.states.map((s) => ({
      context: w.aio.contexts[s.ctx].name,
      plugged: s.plugged,
      blocked: s.blocked,
      inQueue: s.pending.length,
      inFlight: s.inFlight,
      completedInRing: s.ring.length,
      ioSubmitCalls: s.submits,
      maxInFlight: s.maxInFlight,
    })),
    device: {
      queueDepth: w.dev.cfg.queueDepth,
      busy: w.dev.busy,
      waiting: w.dev.waiting.length,
      completed: w.dev.completed,
      errors: w.dev.errors,
      dirtyBytes: w.dev.dirtyBytes,
    },
    block: {
      context: w.aio.contexts[w.block.ctx].name,
      blkInFlight: w.block.blkInFlight,
      nodes: w.block.nodes.map((n) => ({
        name: n.name,
        driver: n.driver,
        requestAlignment: n.align,
        ioPlugged: n.ioPlugged,
        inFlight: n.inFlight,
        trackedRequests: n.tracked.length,
        writeGen: n.writeGen,
        flushedGen: n.flushedGen,
      })),
      iostatus: w.blk.iostatus,
      werror: w.blk.werror,
      rerror: w.blk.rerror,
      writeCache: w.blk.writeback,
    },
    coroutines: { live: w.co.live.size, pooled: w.co.free.length, created: w.co.newCount, reused: w.co.reuseCount },
    runstate: {
      state: vmRunning(w) ? 'running' : 'io-error',
      stops: w.runstate.stops,
      resumes: w.runstate.resumes,
      parkedRequests: parkedRequests(w),
      qmpEvents: w.runstate.qmp.slice(-10),
    },
    requests: [...w.vblk.reqs.values()].map((r): RequestView => ({
      id: r.id,
      op: IO_OP_NAMES[r.op],
      sector: r.sector,
      bytes: r.bytes,
      state: REQ_STATE_NAMES[r.state],
      mergedInto: r.mergedInto >= 0 ? r.mergedInto : null,
      retries: r.retries,
    })),
    guest: {
      issued: w.guest.work.issued,
      inFlight: w.guest.inflight,
      completed: w.guest.stats.completed,
      iodepth: w.guest.iodepth,
      interruptPending: w.guest.irqPending,
    },
  };
}

export type StateSnapshot = ReturnType<typeof snapshotState>;

/** An AioContext's handlers and bottom halves, in the order QEMU walks them (newest first). */
export function ctxQueues(w: World, c: AioContext) {
  return {
    handlers: [...c.handlers]
      .reverse()
      .map((id) => ({ name: w.aio.handlers[id].name, readable: w.aio.handlers[id].ready })),
    bottomHalves: [...c.bhs].reverse().map((id) => ({ name: w.aio.bhs[id].name, scheduled: w.aio.bhs[id].scheduled })),
  };
}
