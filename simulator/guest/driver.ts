// The guest side, on the vCPU thread: Linux's virtio-blk driver fed by a fio-like job. It
// queues requests (virtio_queue_rq → virtqueue_add_sgs), rings the doorbell only when
// EVENT_IDX says the device wants a kick, and reaps used entries in its interrupt handler
// (vring_interrupt → virtblk_done), re-arming interrupts with used_event. These functions
// are guest code: they run while the vCPU is in KVM_RUN, shown on top of kvm_cpu_exec.

import { Fn } from '../catalog';
import { IoOp } from '../backends/device';
import { Machine, Step, tailCall, Wait, World } from '../engine/machine';
import { vmRunning } from '../loop/runstate';
import { descCounts, guestReaped, newVirtioBlkReq, ReqState, vreq } from '../virtio/virtio-blk';
import { guestAddAvail, guestNeedsKick, ioeventfdSignal, vqOf } from '../virtio/virtqueue';
import { Histogram, newHistogram, record } from './latency';
import { flushDue, initWorkload, nextRequest, WorkloadState } from './workload';
import { Workload } from '../config/scenario';

export interface GuestStats {
  latency: Histogram;
  /** Summed stage times (ns) over completed requests, and how many had each stage. */
  stageSum: number[];
  stageCount: number[];
  completed: number;
  flushesCompleted: number;
  errors: number;
  bytes: number;
  /** A request reaped twice — must stay 0. */
  duplicates: number;
  interruptsHandled: number;
  doorbells: number;
  firstSubmit: number;
  lastComplete: number;
}

/** When the workload starts: after the dataplane's start-up kick has been handled. */
export const GUEST_START_NS = 20_000;

export const STAGE_NAMES = [
  'guest queue → QEMU pops it',
  'pop → backend submit',
  'backend (host I/O)',
  'backend done → used ring',
  'used ring → guest sees it',
] as const;

export interface GuestState {
  vcpu: number;
  vq: number;
  ioeventfd: boolean;
  work: WorkloadState;
  requests: number;
  runtimeNs: number;
  iodepth: number;
  batch: number;
  inflight: number;
  irqPending: boolean;
  /** A doorbell write trapped to QEMU (ioeventfd off) waiting to be handled by kvm_cpu_exec. */
  mmioPending: number;
  setupDone: boolean;
  /** The last request id the guest issued, for "stop on the n-th request" style predicates. */
  lastIssued: number;
  /** fio thinktime: no new requests before this time. */
  thinkUntil: number;
  stats: GuestStats;
  irqTimer: number;
}

declare module '../engine/machine' {
  interface World {
    guest: GuestState;
  }
}

export function initGuest(w: World, wl: Workload, diskBytes: number, ioeventfd: boolean): void {
  w.guest = {
    vcpu: -1,
    vq: 0,
    ioeventfd,
    work: initWorkload(wl, diskBytes),
    requests: wl.requests,
    runtimeNs: wl.runtimeNs,
    iodepth: wl.iodepth,
    batch: wl.batch,
    inflight: 0,
    irqPending: false,
    mmioPending: -1,
    setupDone: false,
    lastIssued: -1,
    thinkUntil: 0,
    stats: {
      latency: newHistogram(),
      stageSum: [0, 0, 0, 0, 0],
      stageCount: [0, 0, 0, 0, 0],
      completed: 0,
      flushesCompleted: 0,
      errors: 0,
      bytes: 0,
      duplicates: 0,
      interruptsHandled: 0,
      doorbells: 0,
      firstSubmit: -1,
      lastComplete: 0,
    },
    irqTimer: -1,
  };
}

function mayIssue(m: Machine, g: GuestState, now: number): boolean {
  if (g.inflight >= g.iodepth || now < g.thinkUntil) return false;
  // fio's fsync=N also follows the last N writes
  if (flushDue(g.work)) return true;
  if (g.work.issued >= g.requests) return false;
  if (g.runtimeNs > 0 && now >= g.runtimeNs) return false;
  return true;
}

function finished(g: GuestState, now: number): boolean {
  const stopped = g.work.issued >= g.requests || (g.runtimeNs > 0 && now >= g.runtimeNs);
  return stopped && !flushDue(g.work) && g.inflight === 0;
}

/** An interrupt reached the guest (irqfd → KVM → vCPU). */
function interruptArrives(m: Machine): void {
  const g = m.s.w.guest;
  g.irqPending = true;
  const vcpu = m.s.threads[g.vcpu];
  if (vcpu.wait === Wait.halted && vmRunning(m.s.w)) m.wake(vcpu, m.s.now);
}

/** qemu_kvm_cpu_thread_fn: the vCPU thread runs kvm_cpu_exec for ever. */
const qemu_kvm_cpu_thread_fn: Step = (m, t) => m.call(t, Fn.kvm_cpu_exec, -1);

/**
 * kvm_cpu_exec. Locals: c = avail index before the batch, d = requests left in the batch.
 * Runs the guest: at DRIVER_OK QEMU starts the dataplane; then the guest handles pending
 * interrupts, queues requests and kicks; a trapped doorbell (ioeventfd off) is handled
 * here, in QEMU, before returning to the guest. With nothing to do the vCPU halts.
 */
const kvm_cpu_exec: Step = (m, t, f) => {
  const w = m.s.w;
  const g = w.guest;
  const vq = vqOf(m, g.vq);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      if (!g.setupDone) {
        g.setupDone = true;
        if (g.ioeventfd) return m.call(t, Fn.virtio_blk_data_plane_start, -1, g.vq);
      }
    // fallthrough
    case 1: {
      if (t.time < GUEST_START_NS) {
        // the guest boots on after DRIVER_OK; its first I/O comes a little later
        return m.block(t, Wait.halted, GUEST_START_NS);
      }
      if (g.mmioPending >= 0) {
        const id = g.mmioPending;
        g.mmioPending = -1;
        return m.call(t, Fn.virtio_pci_notify_write, -1, id);
      }
      if (!vmRunning(w)) return m.block(t, Wait.halted);
      if (g.irqPending) {
        g.irqPending = false;
        return m.call(t, Fn.vring_interrupt, -1, g.vq);
      }
      if (mayIssue(m, g, t.time)) {
        f.c = vq.availIdx;
        f.d = g.batch;
        f.pc = 2;
        return kvm_cpu_exec(m, t, f);
      }
      const fin = finished(g, t.time);
      if (fin) m.s.done = true;
      // thinking (fio thinktime): wake up when the pause is over
      if (g.thinkUntil > t.time && g.inflight < g.iodepth && !fin) return m.block(t, Wait.halted, g.thinkUntil);
      return m.block(t, Wait.halted);
    }
    case 2:
      if (f.d > 0 && mayIssue(m, g, t.time)) {
        f.d--;
        const next = nextRequest(g.work, m.s.rng);
        const wl = g.work.wl;
        if (wl.thinktimeNs > 0 && next.op !== IoOp.flush && g.work.issued % wl.thinktimeBlocks === 0)
          g.thinkUntil = t.time + wl.thinktimeNs;
        const r = newVirtioBlkReq(w, next.op, next.sector, next.bytes, t.time);
        g.inflight++;
        g.lastIssued = r.id;
        if (g.stats.firstSubmit < 0) g.stats.firstSubmit = t.time;
        return m.call(t, Fn.virtio_queue_rq, r.id, g.vq, r.id);
      }
      f.pc = 3;
      return m.call(t, Fn.virtqueue_kick_prepare, -1, g.vq, f.c);
    default:
      f.pc = 1;
      if (f.ret) return m.call(t, Fn.virtqueue_notify, -1, g.vq);
      return kvm_cpu_exec(m, t, f);
  }
};

/** virtio_queue_rq(vq = a, req = b): build the descriptor chain and add it. */
const virtio_queue_rq = tailCall(Fn.virtqueue_add_sgs);

const virtqueue_add_sgs: Step = (m, t, f) => {
  const r = vreq(m, f.b);
  const [inNum, outNum] = descCounts(r);
  r.state = ReqState.avail;
  guestAddAvail(m, vqOf(m, f.a), r.id, inNum, outNum);
  return m.ret(t);
};

/** virtqueue_kick_prepare(vq = a, old avail idx = b). */
const virtqueue_kick_prepare: Step = (m, t, f) => m.ret(t, guestNeedsKick(m, vqOf(m, f.a), f.b) ? 1 : 0);

const virtqueue_notify = tailCall(Fn.vp_notify);

/** vp_notify(vq = a): the doorbell write. KVM turns it into an ioeventfd signal, or traps to QEMU. */
const vp_notify: Step = (m, t, f) => {
  const g = m.s.w.guest;
  g.stats.doorbells++;
  if (g.ioeventfd) ioeventfdSignal(m, vqOf(m, f.a));
  else g.mmioPending = f.a;
  return m.ret(t);
};

const vring_interrupt: Step = (m, t, f) => {
  if (f.pc === 0) {
    m.s.w.guest.stats.interruptsHandled++;
    f.pc = 1;
    return m.call(t, Fn.virtblk_done, -1, f.a);
  }
  return m.ret(t);
};

/** virtblk_done(vq = a): do { callbacks off; reap every used entry } while (!virtqueue_enable_cb). */
const virtblk_done: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.virtqueue_disable_cb, -1, f.a);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.virtqueue_get_buf, -1, f.a);
    case 2:
      if (f.ret >= 0) {
        complete(m, f.ret, t.time);
        f.pc = 2;
        return m.call(t, Fn.virtqueue_get_buf, -1, f.a);
      }
      f.pc = 3;
      return m.call(t, Fn.virtqueue_enable_cb, -1, f.a);
    default:
      if (!f.ret) {
        f.pc = 1;
        return m.call(t, Fn.virtqueue_disable_cb, -1, f.a);
      }
      return m.ret(t);
  }
};

/** The guest completes a request to fio: exactly once, with its stage times recorded. */
function complete(m: Machine, id: number, now: number): void {
  const w = m.s.w;
  const g = w.guest;
  const st = g.stats;
  const r = vreq(m, id);
  r.completions++;
  if (r.completions > 1) {
    st.duplicates++;
    return;
  }
  r.tDone = now;
  r.state = ReqState.done;
  g.inflight--;
  st.lastComplete = now;
  if (r.status !== 0) st.errors++;
  if (r.op === IoOp.flush) st.flushesCompleted++;
  else {
    st.completed++;
    st.bytes += r.bytes;
  }
  record(st.latency, now - r.tQueued);
  const marks = [r.tQueued, r.tPop, r.tBackend, r.tBackendDone, r.tUsed, r.tDone];
  for (let i = 0; i < 5; i++) {
    if (marks[i] >= 0 && marks[i + 1] >= 0) {
      st.stageSum[i] += marks[i + 1] - marks[i];
      st.stageCount[i]++;
    }
  }
  if (m.requestListener !== null) m.requestListener(id);
  guestReaped(w, r);
}

const virtqueue_disable_cb: Step = (m, t, f) => {
  if (!m.s.w.virtio.eventIdx) vqOf(m, f.a).noInterruptFlag = true;
  return m.ret(t);
};

const virtqueue_get_buf: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  if (vq.guestUsedIdx === vq.usedIdx) return m.ret(t, -1);
  vq.guestUsedIdx++;
  return m.ret(t, vq.used.shift()!);
};

/** virtqueue_enable_cb(vq = a): publish used_event; false if more entries arrived meanwhile. */
const virtqueue_enable_cb: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  if (m.s.w.virtio.eventIdx) vq.usedEvent = vq.guestUsedIdx;
  else vq.noInterruptFlag = false;
  return m.ret(t, vq.guestUsedIdx === vq.usedIdx ? 1 : 0);
};

export function registerGuest(m: Machine): void {
  const w = m.s.w;
  w.guest.irqTimer = m.addTimer(interruptArrives);
  w.virtio.irqTimer = w.guest.irqTimer;
  const steps = m.steps;
  steps[Fn.qemu_kvm_cpu_thread_fn] = qemu_kvm_cpu_thread_fn;
  steps[Fn.kvm_cpu_exec] = kvm_cpu_exec;
  steps[Fn.virtio_queue_rq] = virtio_queue_rq;
  steps[Fn.virtqueue_add_sgs] = virtqueue_add_sgs;
  steps[Fn.virtqueue_kick_prepare] = virtqueue_kick_prepare;
  steps[Fn.virtqueue_notify] = virtqueue_notify;
  steps[Fn.vp_notify] = vp_notify;
  steps[Fn.vring_interrupt] = vring_interrupt;
  steps[Fn.virtblk_done] = virtblk_done;
  steps[Fn.virtqueue_disable_cb] = virtqueue_disable_cb;
  steps[Fn.virtqueue_get_buf] = virtqueue_get_buf;
  steps[Fn.virtqueue_enable_cb] = virtqueue_enable_cb;
}
