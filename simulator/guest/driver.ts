// The guest side, on the vCPU thread: Linux's virtio-blk driver fed by a fio-like job. It
// queues requests (virtio_queue_rq → virtqueue_add_sgs), rings the doorbell only when
// EVENT_IDX says the device wants a kick, and reaps used entries in its interrupt handler
// (vring_interrupt → virtblk_done), re-arming interrupts with used_event. These functions
// are guest code: they run while the vCPU is in KVM_RUN, shown on top of kvm_cpu_exec.

import { IoOp } from '../backends/device';
import { copyPlain } from '../engine/clone';
import { Machine } from '../engine/machine';
import { ENTRY, Wait, World } from '../engine/types';
import { vmRunning } from '../loop/runstate';
import { step, tailCall } from '../step';
import { virtio_blk_data_plane_start } from '../virtio/dataplane';
import { descCounts, guestReaped, newVirtioBlkReq, ReqState, vreq } from '../virtio/virtio-blk';
import { guestAddAvail, guestNeedsKick, ioeventfdSignal, virtio_pci_notify_write, vqOf } from '../virtio/virtqueue';
import { Histogram, newHistogram, record } from './latency';
import {
  batchSize,
  finished,
  initWorkload,
  mayIssue,
  nextRequest,
  Progress,
  resumeAt,
  WorkloadState,
} from './workload';
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
  iodepth: number;
  inflight: number;
  irqPending: boolean;
  /** A doorbell write trapped to QEMU (ioeventfd off) waiting to be handled by kvm_cpu_exec. */
  mmioPending: number;
  setupDone: boolean;
  /** The last request id the guest issued, for "stop on the n-th request" style predicates. */
  lastIssued: number;
  stats: GuestStats;
  irqTimer: number;
}

declare module '../engine/types' {
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
    iodepth: wl.iodepth,
    inflight: 0,
    irqPending: false,
    mmioPending: -1,
    setupDone: false,
    lastIssued: -1,
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

const scratch: Progress = { now: 0, inflight: 0, reaped: 0, room: 0 };

/** Where the guest stands, for the workload's pacing (one reused record: read at once, never kept). */
function progress(m: Machine, g: GuestState, now: number): Progress {
  scratch.now = now;
  scratch.inflight = g.inflight;
  scratch.reaped = g.stats.completed + g.stats.flushesCompleted;
  scratch.room = vqOf(m, g.vq).size - g.inflight;
  return scratch;
}

/** An interrupt reached the guest (irqfd → KVM → vCPU). */
function interruptArrives(m: Machine): void {
  const g = m.s.w.guest;
  g.irqPending = true;
  const vcpu = m.s.threads[g.vcpu];
  if (vcpu.wait === Wait.halted && vmRunning(m.s.w)) m.wake(vcpu, m.s.now);
}

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

/** virtqueue_add_sgs(vq, req): put the request's descriptor chain in the avail ring. */
export const virtqueue_add_sgs = step(
  'virtqueue_add_sgs',
  { args: ['vq: vq', 'req: vreq'] },
  ({ vq, req }) =>
    (m, t, f) => {
      const r = vreq(m, f[req]);
      const [inNum, outNum] = descCounts(r);
      r.state = ReqState.avail;
      guestAddAvail(m, vqOf(m, f[vq]), r.id, inNum, outNum);
      return m.ret(t);
    },
);

/** virtio_queue_rq(vq, req): build the descriptor chain and add it. */
export const virtio_queue_rq = tailCall('virtio_queue_rq', () => virtqueue_add_sgs);

/** virtqueue_kick_prepare(vq, old_idx): does the device want a kick for what was added since old_idx? */
export const virtqueue_kick_prepare = step(
  'virtqueue_kick_prepare',
  { args: ['vq: vq', 'old_idx: int'] },
  ({ vq, old_idx }) =>
    (m, t, f) =>
      m.ret(t, guestNeedsKick(m, vqOf(m, f[vq]), f[old_idx]) ? 1 : 0),
);

/** vp_notify(vq): the doorbell write. KVM turns it into an ioeventfd signal, or traps to QEMU. */
export const vp_notify = step('vp_notify', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const g = m.s.w.guest;
  g.stats.doorbells++;
  if (g.ioeventfd) ioeventfdSignal(m, vqOf(m, f[vq]));
  else g.mmioPending = f[vq];
  return m.ret(t);
});

export const virtqueue_notify = tailCall('virtqueue_notify', () => vp_notify);

export const virtqueue_disable_cb = step('virtqueue_disable_cb', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  if (!m.s.w.virtio.eventIdx) vqOf(m, f[vq]).noInterruptFlag = true;
  return m.ret(t);
});

/** virtqueue_get_buf(vq): the next used request, or -1. */
export const virtqueue_get_buf = step('virtqueue_get_buf', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const q = vqOf(m, f[vq]);
  if (q.guestUsedIdx === q.usedIdx) return m.ret(t, -1);
  q.guestUsedIdx++;
  return m.ret(t, q.used.shift()!);
});

/** virtqueue_enable_cb(vq): publish used_event; false if more entries arrived meanwhile. */
export const virtqueue_enable_cb = step('virtqueue_enable_cb', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const q = vqOf(m, f[vq]);
  if (m.s.w.virtio.eventIdx) q.usedEvent = q.guestUsedIdx;
  else q.noInterruptFlag = false;
  return m.ret(t, q.guestUsedIdx === q.usedIdx ? 1 : 0);
});

/** virtblk_done(vq): do { callbacks off; reap every used entry } while (!virtqueue_enable_cb). */
export const virtblk_done = step(
  'virtblk_done',
  { args: ['vq: vq'], at: ['disabled', 'got_buf', 'enabled'] },
  ({ vq }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.disabled;
          return m.call(t, virtqueue_disable_cb, -1, f[vq]);
        case at.disabled:
          f.pc = at.got_buf;
          return m.call(t, virtqueue_get_buf, -1, f[vq]);
        case at.got_buf:
          if (f.ret >= 0) {
            complete(m, f.ret, t.time);
            return m.call(t, virtqueue_get_buf, -1, f[vq]);
          }
          f.pc = at.enabled;
          return m.call(t, virtqueue_enable_cb, -1, f[vq]);
        default:
          if (!f.ret) {
            f.pc = at.disabled;
            return m.call(t, virtqueue_disable_cb, -1, f[vq]);
          }
          return m.ret(t);
      }
    },
);

/** vring_interrupt(vq): the interrupt handler. */
export const vring_interrupt = step(
  'vring_interrupt',
  { args: ['vq: vq'], at: ['handled'] },
  ({ vq }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      m.s.w.guest.stats.interruptsHandled++;
      f.pc = at.handled;
      return m.call(t, virtblk_done, -1, f[vq]);
    },
);

/**
 * kvm_cpu_exec: runs the guest. At DRIVER_OK QEMU starts the dataplane; then the guest handles
 * pending interrupts, queues a batch of requests (`batch_left`) and kicks if the device wants
 * it for what it added since `old_idx`; a trapped doorbell (ioeventfd off) is handled here, in
 * QEMU, before returning to the guest. With nothing to do the vCPU halts.
 */
export const kvm_cpu_exec = step(
  'kvm_cpu_exec',
  { locals: ['old_idx: int', 'batch_left: int'], at: ['running', 'queueing', 'kick_checked'] },
  ({ old_idx, batch_left }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const g = w.guest;
      const vq = vqOf(m, g.vq);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.running;
          if (!g.setupDone) {
            g.setupDone = true;
            if (g.ioeventfd) return m.call(t, virtio_blk_data_plane_start, -1, g.vq);
          }
        // fallthrough
        case at.running: {
          if (t.time < GUEST_START_NS) {
            // the guest boots on after DRIVER_OK; its first I/O comes a little later
            return m.block(t, Wait.halted, GUEST_START_NS);
          }
          if (g.mmioPending >= 0) {
            const id = g.mmioPending;
            g.mmioPending = -1;
            return m.call(t, virtio_pci_notify_write, -1, id);
          }
          if (!vmRunning(w)) return m.block(t, Wait.halted);
          if (g.irqPending) {
            g.irqPending = false;
            return m.call(t, vring_interrupt, -1, g.vq);
          }
          if (mayIssue(g.work, progress(m, g, t.time))) {
            f[old_idx] = vq.availIdx;
            f[batch_left] = batchSize(g.work);
            f.pc = at.queueing;
            return kvm_cpu_exec.run(m, t, f);
          }
          if (finished(g.work, progress(m, g, t.time))) {
            m.s.done = true;
            return m.block(t, Wait.halted);
          }
          // thinking (fio thinktime, a trace's gap between kicks): wake up when the pause is over
          const until = resumeAt(g.work, progress(m, g, t.time));
          return until >= 0 ? m.block(t, Wait.halted, until) : m.block(t, Wait.halted);
        }
        case at.queueing:
          if (f[batch_left] > 0 && mayIssue(g.work, progress(m, g, t.time))) {
            f[batch_left]--;
            const next = nextRequest(g.work, m.s.rng, t.time);
            const r = newVirtioBlkReq(w, next.op, next.sector, next.bytes, t.time);
            g.inflight++;
            g.lastIssued = r.id;
            if (g.stats.firstSubmit < 0) g.stats.firstSubmit = t.time;
            return m.call(t, virtio_queue_rq, r.id, g.vq, r.id);
          }
          f.pc = at.kick_checked;
          return m.call(t, virtqueue_kick_prepare, -1, g.vq, f[old_idx]);
        default:
          f.pc = at.running;
          if (f.ret) return m.call(t, virtqueue_notify, -1, g.vq);
          return kvm_cpu_exec.run(m, t, f);
      }
    },
);

/** qemu_kvm_cpu_thread_fn: the vCPU thread runs kvm_cpu_exec for ever. */
export const qemu_kvm_cpu_thread_fn = step('qemu_kvm_cpu_thread_fn', {}, () => (m, t) => m.call(t, kvm_cpu_exec, -1));

/** A checkpoint's copy; the workload's definition is shared, as it never changes (a trace's can be large). */
export function copyGuestState(g: GuestState): GuestState {
  const { wl, ...work } = g.work;
  const c = copyPlain({ ...g, work });
  return { ...c, work: { ...c.work, wl } };
}

export function registerGuestTimers(m: Machine): void {
  const w = m.s.w;
  w.guest.irqTimer = m.addTimer(interruptArrives);
  w.virtio.irqTimer = w.guest.irqTimer;
}
