// Each guest request's trace events, in order, from a QEMU log-backend trace — written for the
// fidelity test from the correlation keys the shared traces' READMEs give, independently of the
// trace library (a regular expression per line, plain maps): virtio-blk `req` = virtqueue `elem`;
// a coroutine's `to` in enter = `from` in yield = `self` in terminate; a request completes
// (virtio_blk_req_complete) inside the coroutine that served it; the thread pool's submit and
// complete share `req`, io_uring's submit and completion `luringcb`.
//
// A request's sequence is its own events (keyed by its elem) and those of the coroutine that
// served it (keyed by the coroutine, or fired on the thread while the coroutine runs, or keyed by
// the pool job or io_uring request the coroutine submitted), plus: the virtqueue_flush and the
// interrupt right after its virtqueue_fill; the deferred irqfd write after its interrupt; a
// virtio_blk_submit_multireq before its coroutine started; the io_uring ring events (unplug,
// io_uring_enter) while its request waited in the ring to be submitted. Everything else (kicks,
// polling, device status) belongs to no request.

export interface TracedRequest {
  /** 'read' | 'write' | 'flush' (a request with no handle event). */
  op: string;
  sector: number;
  nsectors: number;
  /** Line of its virtqueue_pop. */
  popLine: number;
  /** Trace event names, in log order. */
  events: string[];
}

export interface RequestSequences {
  requests: TracedRequest[];
  /** Events of no request, by name. */
  other: Map<string, number>;
}

interface Ev {
  line: number;
  tid: number;
  name: string;
  a: Record<string, string>;
}

function parse(text: string): Ev[] {
  const out: Ev[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^(\d+)@\d+\.\d+:(\w+) ?(.*)$/.exec(l);
    if (!m) return;
    const words = m[3].split(' ');
    const a: Record<string, string> = {};
    for (let k = 0; k + 1 < words.length; k += 2) a[words[k]] = words[k + 1];
    out.push({ line: i + 1, tid: Number(m[1]), name: m[2], a });
  });
  return out;
}

interface Req {
  r: TracedRequest;
  own: Ev[];
  life: Life | null;
}

interface Life {
  events: Ev[];
}

const ELEM_KEYED: Record<string, string> = {
  virtqueue_alloc_element: 'elem',
  virtqueue_pop: 'elem',
  virtio_blk_handle_read: 'req',
  virtio_blk_handle_write: 'req',
  virtio_blk_rw_complete: 'req',
  virtio_blk_req_complete: 'req',
  virtqueue_fill: 'elem',
};
const CO_KEYED: Record<string, string> = {
  qemu_aio_coroutine_enter: 'to',
  qemu_coroutine_yield: 'from',
  qemu_coroutine_terminate: 'self',
  aio_co_schedule: 'co',
  aio_co_schedule_bh_cb: 'co',
};
const IRQ = new Set(['virtio_notify', 'virtio_notify_irqfd']);
const POOL_SUBMIT = new Set(['thread_pool_submit', 'thread_pool_submit_aio']);
const POOL_COMPLETE = new Set(['thread_pool_complete', 'thread_pool_complete_aio']);
const RING = new Set(['luring_unplug_fn', 'luring_io_unplug', 'luring_io_uring_submit']);

export function requestSequences(text: string): RequestSequences {
  const evs = parse(text);
  const reqs: Req[] = [];
  const byElem = new Map<string, Req>();
  const lives = new Map<string, Life>();
  const stacks = new Map<number, string[]>();
  const lastFilled = new Map<number, Req>();
  const lastIrq = new Map<number, Req>();
  const multireq = new Map<number, Ev>();
  const pool = new Map<string, Life>();
  const uring = new Map<string, Life>();
  let unsubmitted: Life[] = [];
  const other = new Map<string, number>();
  const stackOf = (tid: number): string[] => stacks.get(tid) ?? (stacks.set(tid, []), stacks.get(tid)!);
  const running = (tid: number): Life | undefined => {
    const st = stackOf(tid);
    return st.length ? lives.get(st[st.length - 1]) : undefined;
  };
  const none = (e: Ev): void => void other.set(e.name, (other.get(e.name) ?? 0) + 1);

  for (const e of evs) {
    const elemKey = ELEM_KEYED[e.name];
    if (elemKey) {
      let q = byElem.get(e.a[elemKey]);
      if (e.name === 'virtqueue_alloc_element' || (e.name === 'virtqueue_pop' && !q)) {
        if (e.name === 'virtqueue_alloc_element' || !q) {
          q = { r: { op: 'flush', sector: -1, nsectors: 0, popLine: 0, events: [] }, own: [], life: null };
          reqs.push(q);
          byElem.set(e.a[elemKey], q);
        }
      }
      if (!q) {
        none(e);
        continue;
      }
      q.own.push(e);
      if (e.name === 'virtqueue_pop') q.r.popLine = e.line;
      if (e.name === 'virtio_blk_handle_read' || e.name === 'virtio_blk_handle_write') {
        q.r.op = e.name.endsWith('read') ? 'read' : 'write';
        q.r.sector = Number(e.a.sector);
        q.r.nsectors = Number(e.a.nsectors);
      }
      if (e.name === 'virtio_blk_req_complete') q.life = running(e.tid) ?? null;
      if (e.name === 'virtqueue_fill') lastFilled.set(e.tid, q);
      continue;
    }
    const coKey = CO_KEYED[e.name];
    if (coKey) {
      const ptr = e.a[coKey];
      let life = lives.get(ptr);
      if (e.name === 'qemu_aio_coroutine_enter') {
        if (!life) {
          life = { events: [] };
          lives.set(ptr, life);
          const mr = multireq.get(e.tid);
          if (mr) life.events.push(mr);
          multireq.delete(e.tid);
        }
        stackOf(e.tid).push(ptr);
      }
      if (!life) {
        none(e);
        continue;
      }
      life.events.push(e);
      if (e.name === 'qemu_coroutine_yield' || e.name === 'qemu_coroutine_terminate') {
        const st = stackOf(e.tid);
        const at = st.lastIndexOf(ptr);
        if (at >= 0) st.splice(at, 1);
      }
      if (e.name === 'qemu_coroutine_terminate') lives.delete(ptr);
      continue;
    }
    if (e.name === 'virtqueue_flush' || IRQ.has(e.name)) {
      const q = lastFilled.get(e.tid);
      if (!q) none(e);
      else q.own.push(e);
      if (q && IRQ.has(e.name)) {
        lastIrq.set(e.tid, q);
        lastFilled.delete(e.tid);
      }
      continue;
    }
    if (e.name === 'virtio_notify_irqfd_deferred_fn') {
      const q = lastIrq.get(e.tid);
      lastIrq.delete(e.tid);
      if (!q) none(e);
      else q.own.push(e);
      continue;
    }
    if (e.name === 'virtio_blk_submit_multireq') {
      multireq.set(e.tid, e);
      continue;
    }
    if (POOL_COMPLETE.has(e.name) || e.name === 'luring_process_completion') {
      const map = POOL_COMPLETE.has(e.name) ? pool : uring;
      const key = POOL_COMPLETE.has(e.name) ? e.a.req : e.a.luringcb;
      const life = map.get(key);
      map.delete(key);
      if (!life) none(e);
      else life.events.push(e);
      continue;
    }
    if (RING.has(e.name)) {
      if (!unsubmitted.length) none(e);
      for (const life of unsubmitted) life.events.push(e);
      if (e.name === 'luring_io_uring_submit') unsubmitted = [];
      continue;
    }
    const life = running(e.tid);
    if (!life) {
      none(e);
      continue;
    }
    life.events.push(e);
    if (POOL_SUBMIT.has(e.name)) pool.set(e.a.req, life);
    if (e.name === 'luring_co_submit') {
      uring.set(e.a.luringcb, life);
      unsubmitted.push(life);
    }
  }
  for (const q of reqs) {
    const all = [...q.own, ...(q.life ? q.life.events : [])].sort((x, y) => x.line - y.line);
    q.r.events = all.map((e) => e.name);
  }
  return { requests: reqs.map((q) => q.r), other };
}
