// Looking at the model the way QEMU's data looks: a frame's arguments with their names and
// what they point to, a request as virtio-blk sees it, the fields breakpoint conditions use.
// Plain data only, built on demand.

import { catalog } from './catalog';
import { IO_OP_NAMES, IoOp } from './backends/device';
import { EINPROGRESS } from './backends/linux-aio';
import { NOT_DONE } from './block/io';
import { RUN_STATE_NAMES } from './loop/runstate';
import { ctxQueues } from './snapshot';
import { ELEM_STATE_NAMES } from './backends/thread-pool';
import { ERROR_ACTION_NAMES } from './block/block-backend';
import { CO_STATE_NAMES } from './coroutine/coroutine';
import { ERRNO_NAMES } from './config/scenario';
import { Frame, Machine, SimThread, ThreadState, WAIT_NAMES } from './engine/machine';
import { mergeChain, REQ_STATE_NAMES } from './virtio/virtio-blk';

export type Plain = number | string | boolean | null | Plain[] | { [k: string]: Plain };

/**
 * What each frame slot (a, b, c, d) means, per function: `name:kind`, `_` for unused.
 * Kinds: ctx vq vreq mrb acb breq node co bh handler pool elem laio laiocb hostio fn
 * runstate errno action bool int ns.
 */
const ARGS: Record<string, string> = {
  os_host_main_loop_wait: 'ctx:ctx',
  glib_pollfds_fill: 'ctx:ctx',
  aio_ctx_prepare: 'ctx:ctx',
  qemu_poll_ns: 'ctx:ctx timeout:ns',
  ppoll: 'ctx:ctx timeout:ns',
  glib_pollfds_poll: 'ctx:ctx',
  aio_ctx_check: 'ctx:ctx',
  g_main_context_dispatch: 'ctx:ctx',
  aio_ctx_dispatch: 'ctx:ctx',
  aio_dispatch: 'ctx:ctx',
  aio_bh_poll: 'ctx:ctx',
  aio_dispatch_handlers: 'ctx:ctx',
  aio_poll: 'ctx:ctx blocking:bool',
  try_poll_mode: 'ctx:ctx timeout:ns',
  run_poll_handlers: 'ctx:ctx max_ns:ns start:ns',
  run_poll_handlers_once: 'ctx:ctx',
  poll_set_started: 'ctx:ctx started:bool',
  qemu_bh_schedule: 'bh:bh',
  aio_notify: 'ctx:ctx',
  event_notifier_set: 'notifier:handler',
  event_notifier_test_and_clear: 'notifier:handler',
  aio_bh_schedule_oneshot: 'ctx:ctx',
  qemu_coroutine_create: 'entry:fn opaque:acb',
  qemu_aio_coroutine_enter: 'ctx:ctx co:co',
  coroutine_trampoline: 'co:co',
  coroutine_delete: 'co:co',
  aio_co_enter: 'ctx:ctx co:co',
  aio_co_wake: '_ co:co',
  vm_stop: 'state:runstate',
  do_vm_stop: 'state:runstate',
  runstate_set: 'new_state:runstate',
  vm_state_notify: 'running:bool state:runstate',
  qemu_system_vmstop_request: 'state:runstate',
  aio_get_thread_pool: 'ctx:ctx',
  thread_pool_submit_co: 'pool:pool func:fn arg:hostio',
  thread_pool_submit_aio: 'pool:pool func:fn arg:hostio',
  spawn_thread: 'pool:pool',
  spawn_thread_bh_fn: 'pool:pool',
  do_spawn_thread: 'pool:pool',
  qemu_thread_create: 'pool:pool',
  worker_thread: 'pool:pool _ req:elem',
  qemu_sem_timedwait: 'pool:pool',
  qemu_sem_post: 'pool:pool',
  thread_pool_completion_bh: 'pool:pool _ elem:elem',
  thread_pool_co_cb: 'elem:elem',
  laio_co_submit: 's:laio _ laiocb:laiocb',
  laio_do_submit: 's:laio laiocb:laiocb',
  ioq_submit: 's:laio',
  io_submit: 's:laio nr:int',
  laio_io_plug: 's:laio',
  laio_io_unplug: 's:laio',
  qemu_laio_completion_cb: 's:laio',
  qemu_laio_poll_cb: 's:laio',
  qemu_laio_completion_bh: 's:laio',
  qemu_laio_process_completions_and_submit: 's:laio',
  qemu_laio_process_completions: 's:laio',
  qemu_laio_process_completion: 'laiocb:laiocb',
  aio_setup_linux_aio: 'ctx:ctx',
  bdrv_co_pwritev: 'bs:node req:breq',
  bdrv_co_preadv: 'bs:node req:breq',
  tracked_request_begin: 'bs:node req:breq',
  tracked_request_end: 'bs:node req:breq',
  wait_serialising_requests: 'bs:node req:breq',
  bdrv_aligned_pwritev: 'bs:node req:breq',
  bdrv_aligned_preadv: 'bs:node req:breq',
  bdrv_co_write_req_prepare: 'bs:node req:breq',
  bdrv_co_write_req_finish: 'bs:node req:breq',
  bdrv_driver_pwritev: 'bs:node req:breq',
  bdrv_driver_preadv: 'bs:node req:breq',
  bdrv_co_flush: 'bs:node current_gen:int',
  bdrv_io_plug: 'bs:node',
  bdrv_io_unplug: 'bs:node',
  'raw_co_pwritev@raw-format': 'bs:node req:breq child_req:breq',
  'raw_co_preadv@raw-format': 'bs:node req:breq child_req:breq',
  raw_adjust_offset: 'bs:node req:breq',
  'raw_co_pwritev@file-posix': 'bs:node req:breq',
  'raw_co_preadv@file-posix': 'bs:node req:breq',
  raw_co_prw: 'bs:node req:breq acb:hostio',
  raw_thread_pool_submit: 'bs:node func:fn arg:hostio',
  raw_co_flush_to_disk: 'bs:node _ acb:hostio',
  raw_aio_plug: 'bs:node',
  raw_aio_unplug: 'bs:node',
  handle_aiocb_rw: 'aiocb:hostio elem:elem',
  handle_aiocb_rw_linear: 'aiocb:hostio',
  handle_aiocb_rw_vector: 'aiocb:hostio',
  handle_aiocb_flush: 'aiocb:hostio',
  pread: 'aiocb:hostio',
  pwrite: 'aiocb:hostio',
  preadv: 'aiocb:hostio',
  pwritev: 'aiocb:hostio',
  fdatasync: 'aiocb:hostio',
  aio_get_linux_aio: 'ctx:ctx',
  blk_aio_pwritev: 'acb:acb',
  blk_aio_preadv: 'acb:acb',
  blk_aio_flush: 'acb:acb',
  blk_aio_prwv: 'acb:acb co_entry:fn',
  bdrv_coroutine_enter: 'bs:node co:co',
  blk_aio_write_entry: 'acb:acb',
  blk_aio_read_entry: 'acb:acb',
  blk_aio_flush_entry: 'acb:acb',
  blk_aio_complete: 'acb:acb',
  blk_aio_complete_bh: 'acb:acb',
  blk_co_pwritev: 'acb:acb _ req:breq',
  blk_co_preadv: 'acb:acb _ req:breq',
  blk_co_flush: 'acb:acb',
  blk_get_error_action: 'is_read:bool error:errno',
  blk_error_action: 'action:action is_read:bool error:errno',
  blk_iostatus_set_err: 'error:errno',
  send_qmp_error_event: 'action:action is_read:bool error:errno',
  blk_set_aio_context: 'new_context:ctx',
  virtio_queue_aio_set_host_notifier_handler: 'vq:vq ctx:ctx',
  virtio_queue_host_notifier_aio_read: 'vq:vq',
  virtio_queue_notify_aio_vq: 'vq:vq',
  virtio_queue_host_notifier_aio_poll: 'vq:vq',
  virtio_queue_host_notifier_aio_poll_begin: 'vq:vq',
  virtio_queue_host_notifier_aio_poll_end: 'vq:vq',
  virtio_queue_set_notification: 'vq:vq enable:bool',
  virtio_queue_empty: 'vq:vq',
  virtqueue_pop: 'vq:vq',
  virtqueue_push: 'vq:vq elem:vreq len:int',
  virtqueue_fill: 'vq:vq elem:vreq len:int',
  virtqueue_flush: 'vq:vq count:int',
  virtio_should_notify: 'vq:vq',
  virtio_notify_irqfd: 'vq:vq',
  virtio_notify: 'vq:vq',
  virtio_queue_notify: 'vq:vq',
  virtio_pci_notify_write: 'vq:vq',
  virtio_blk_data_plane_handle_output: 'vq:vq',
  virtio_blk_handle_output: 'vq:vq',
  virtio_blk_handle_output_do: 'vq:vq',
  virtio_blk_handle_vq: 'vq:vq progress:bool mrb:mrb',
  virtio_blk_get_request: 'vq:vq',
  virtio_blk_handle_request: 'req:vreq mrb:mrb',
  virtio_blk_sect_range_ok: 'req:vreq',
  virtio_blk_handle_flush: 'req:vreq mrb:mrb',
  virtio_blk_submit_multireq: 'mrb:mrb',
  submit_requests: 'mrb:mrb',
  virtio_blk_rw_complete: 'opaque:vreq ret:int req:vreq next:vreq',
  virtio_blk_flush_complete: 'opaque:vreq ret:int',
  virtio_blk_handle_rw_error: 'req:vreq error:errno is_read:bool action:action',
  virtio_blk_req_complete: 'req:vreq status:int',
  virtio_blk_free_request: 'req:vreq',
  virtio_blk_data_plane_notify: 'vq:vq',
  virtio_blk_dma_restart_cb: '_ running:bool',
  virtio_blk_dma_restart_bh: '_ _ req:vreq mrb:mrb',
  virtio_blk_data_plane_start: 'vq:vq _ ctx:ctx',
  virtio_queue_rq: 'vq:vq req:vreq',
  virtqueue_add_sgs: 'vq:vq req:vreq',
  virtqueue_kick_prepare: 'vq:vq old_idx:int',
  virtqueue_notify: 'vq:vq',
  vp_notify: 'vq:vq',
  vring_interrupt: 'vq:vq',
  virtblk_done: 'vq:vq',
  virtqueue_disable_cb: 'vq:vq',
  virtqueue_get_buf: 'vq:vq',
  virtqueue_enable_cb: 'vq:vq',
};

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
    status: r.status < 0 ? null : r.status === 0 ? 'OK' : r.status === 1 ? 'IOERR' : 'UNSUPP',
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

function describe(m: Machine, kind: string, v: number): Plain {
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
            cb: catalog.name(a.cb),
          }
        : null;
    }
    case 'co': {
      const co = w.co.live.get(v);
      return co
        ? `coroutine #${co.id} (${CO_STATE_NAMES[co.state]}, ${catalog.name(co.entry)})`
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
        ? `element ${v}: ${catalog.name(e.func)} ${ELEM_STATE_NAMES[e.state]}${e.worker >= 0 ? ` on ${m.s.threads[e.worker].name}` : ''}`
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
      return v >= 0 ? catalog.name(v) : null;
    case 'runstate':
      return RUN_STATE_NAMES[v] ?? v;
    case 'errno':
      return `${ERRNO_NAMES[v] ?? 'errno'} (${v})`;
    case 'action':
      return ERROR_ACTION_NAMES[v] ?? v;
    case 'bool':
      return v !== 0;
    default:
      return v;
  }
}

/** ARGS parsed once per function: [slot, name, kind] of each named argument. */
const parsed = new Map<number, Array<[number, string, string]>>();
function parsedArgs(fn: number): Array<[number, string, string]> {
  let p = parsed.get(fn);
  if (!p) {
    p = [];
    (ARGS[catalog.key(fn)] ?? '').split(' ').forEach((s, i) => {
      if (s === '_' || s === '') return;
      const [name, kind] = s.split(':');
      p!.push([i, name, kind]);
    });
    parsed.set(fn, p);
  }
  return p;
}

/** A frame's arguments and locals, named as in QEMU, resolved to what they refer to. */
export function frameLocals(m: Machine, f: Frame): { [k: string]: Plain } {
  const out: { [k: string]: Plain } = {};
  const slots = [f.a, f.b, f.c, f.d];
  for (const [i, name, kind] of parsedArgs(f.fn)) out[name] = describe(m, kind, slots[i]);
  if (f.req >= 0 && !('req' in out)) out.request = describe(m, 'vreq', f.req);
  out.step = f.pc;
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
