// hw/virtio/virtio.c: the split virtqueue shared with the guest, and the two notification
// directions with EVENT_IDX suppression. The device re-arms kicks by publishing avail_event
// (only while its notifications are on); the guest re-arms interrupts by publishing
// used_event. Indices here grow without wrapping; vring_need_event compares them mod 2^16
// as the real rings do. From 7.0 the host notifier's handler calls vq->handle_output and
// polling only checks the ring (the work is io_poll_ready's); from 8.2 virtio_notify_irqfd
// defers its eventfd write to the end of the current deferred-call section.

import {
  addHandler,
  ctxOf,
  event_notifier_test_and_clear,
  event_notifier_set,
  pokePoller,
  signalNotifier,
} from '../aio/aio-context';
import { defer_call } from '../aio/defer-call';
import { FnName } from '../catalog';
import { Callback, Machine } from '../engine/machine';
import { ENTRY, World } from '../engine/types';
import { step, tailCall } from '../step';

export interface VirtQueue {
  id: number;
  /** AioContext whose thread handles this queue (its host notifier lives there). */
  ctx: number;
  size: number;
  /** Head requests the guest made available, in ring order, not yet popped... */
  avail: number[];
  /** ...and each one's descriptor counts, in_num * 256 + out_num. */
  availDescs: number[];
  /** avail->idx as the guest published it, and the device's last_avail_idx. */
  availIdx: number;
  lastAvailIdx: number;
  /** Requests pushed to the used ring that the guest has not reaped yet. */
  used: number[];
  usedIdx: number;
  /** The guest's last_used_idx. */
  guestUsedIdx: number;
  /** vq->notification, and what the device published for the guest (avail_event / NO_NOTIFY). */
  notification: boolean;
  availEvent: number;
  noNotifyFlag: boolean;
  /** What the guest published (used_event / VRING_AVAIL_F_NO_INTERRUPT). */
  usedEvent: number;
  noInterruptFlag: boolean;
  signalledUsed: number;
  signalledUsedValid: boolean;
  inuse: number;
  /** Host notifier (ioeventfd) handler id, -1 until set up. */
  hostNotifier: number;
  /** vq->handle_aio_output (dataplane), or -1; vq->handle_output otherwise. */
  handleAioOutput: number;
  handleOutput: number;
  /** A vCPU-side (virtio_notify) or irqfd interrupt is raised through this guest callback. */
  kicks: number;
  interrupts: number;
  suppressedInterrupts: number;
}

export interface VirtioState {
  vqs: VirtQueue[];
  eventIdx: boolean;
  /** Timer kind that delivers an interrupt to the guest (registered by the guest driver). */
  irqTimer: number;
  irqNs: number;
}

declare module '../engine/types' {
  interface World {
    virtio: VirtioState;
  }
}

export function initVirtio(w: World, eventIdx: boolean, irqNs: number): void {
  w.virtio = { vqs: [], eventIdx, irqTimer: -1, irqNs };
}

export function newVirtQueue(w: World, ctx: number, size: number, handleOutput: Callback): VirtQueue {
  const vq: VirtQueue = {
    id: w.virtio.vqs.length,
    ctx,
    size,
    avail: [],
    availDescs: [],
    availIdx: 0,
    lastAvailIdx: 0,
    used: [],
    usedIdx: 0,
    guestUsedIdx: 0,
    notification: true,
    availEvent: 0,
    noNotifyFlag: false,
    usedEvent: 0,
    noInterruptFlag: false,
    signalledUsed: 0,
    signalledUsedValid: false,
    inuse: 0,
    hostNotifier: -1,
    handleAioOutput: -1,
    handleOutput: handleOutput.id,
    kicks: 0,
    interrupts: 0,
    suppressedInterrupts: 0,
  };
  w.virtio.vqs.push(vq);
  return vq;
}

export function vqOf(m: Machine, id: number): VirtQueue {
  return m.s.w.virtio.vqs[id];
}

/** vring_need_event: did new_idx just move past event_idx (since old_idx)? */
export function vringNeedEvent(eventIdx: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}

// ---- the guest's side of the ring (used by the guest driver) --------------------------------

/** virtqueue_add_sgs: make a request available; also visible to a busy-polling iothread. */
export function guestAddAvail(m: Machine, vq: VirtQueue, req: number, inNum: number, outNum: number): void {
  vq.avail.push(req);
  vq.availDescs.push(inNum * 256 + outNum);
  vq.availIdx++;
  pokePoller(m, ctxOf(m, vq.ctx), m.s.now);
}

/** virtqueue_kick_prepare: should the guest notify for the requests added since `oldIdx`? */
export function guestNeedsKick(m: Machine, vq: VirtQueue, oldIdx: number): boolean {
  if (m.s.w.virtio.eventIdx) return vringNeedEvent(vq.availEvent, vq.availIdx, oldIdx);
  return !vq.noNotifyFlag;
}

/** KVM's ioeventfd: the doorbell write signals the host notifier without running QEMU code. */
export function ioeventfdSignal(m: Machine, vq: VirtQueue): void {
  vq.kicks++;
  signalNotifier(m, m.s.w.aio.handlers[vq.hostNotifier], m.s.now);
}

// ---- steps ----------------------------------------------------------------------------------

/** virtio_queue_set_notification(vq, enable). */
export const virtio_queue_set_notification = step(
  'virtio_queue_set_notification',
  { args: ['vq: vq', 'enable: bool'] },
  ({ vq, enable }) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      q.notification = f[enable] === 1;
      if (m.s.w.virtio.eventIdx) {
        if (q.notification) q.availEvent = q.availIdx;
      } else {
        q.noNotifyFlag = !q.notification;
      }
      return m.ret(t);
    },
);

/** virtio_queue_notify_aio_vq(vq): run the device's handle_aio_output (7.0+: virtio_queue_notify_vq, handle_output). */
export const virtio_queue_notify_aio_vq = step(
  'virtio_queue_notify_aio_vq',
  { args: ['vq: vq'], at: ['handled'] },
  ({ vq }, at) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      const handler = m.s.w.qemu.pollReady ? q.handleOutput : q.handleAioOutput;
      if (f.pc === ENTRY && handler >= 0) {
        m.trace(t, 'virtio_queue_notify', 0, 0, q.id);
        f.pc = at.handled;
        return m.callIndirect(t, handler, -1, q.id);
      }
      return m.ret(t, f.pc === at.handled ? f.ret : 0);
    },
);

/** virtio_queue_host_notifier_aio_read(vq): the ioeventfd became readable. */
export const virtio_queue_host_notifier_aio_read = step(
  'virtio_queue_host_notifier_aio_read',
  { args: ['vq: vq'], at: ['cleared', 'notified'] },
  ({ vq }, at) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      switch (f.pc) {
        case ENTRY:
          f.pc = at.cleared;
          return m.call(t, event_notifier_test_and_clear, -1, q.hostNotifier);
        case at.cleared:
          f.pc = at.notified;
          if (f.ret) return m.call(t, virtio_queue_notify_aio_vq, -1, q.id);
        // fallthrough
        default:
          return m.ret(t);
      }
    },
);

/**
 * virtio_queue_host_notifier_aio_poll(vq): a non-empty ring is processed right here (`progress`);
 * from 7.0 it is only reported, and io_poll_ready does the work.
 */
export const virtio_queue_host_notifier_aio_poll = step(
  'virtio_queue_host_notifier_aio_poll',
  { args: ['vq: vq'], locals: ['progress: bool'], at: ['handled', 'disabled'] },
  ({ vq, progress }, at) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      switch (f.pc) {
        case ENTRY:
          if (q.availIdx === q.lastAvailIdx) return m.ret(t, 0);
          if (m.s.w.qemu.pollReady) return m.ret(t, 1);
          f.pc = at.handled;
          return m.call(t, virtio_queue_notify_aio_vq, -1, q.id);
        case at.handled:
          f[progress] = f.ret;
          f.pc = at.disabled;
          return m.call(t, virtio_queue_set_notification, -1, q.id, 0);
        default:
          return m.ret(t, f[progress]);
      }
    },
);

/** io_poll_begin / io_poll_end (vq): notifications off while busy polling, back on after. */
function pollHook(key: FnName, enable: number) {
  return step(key, { args: ['vq: vq'], at: ['set'] }, ({ vq }, at) => (m, t, f) => {
    if (f.pc !== ENTRY) return m.ret(t);
    f.pc = at.set;
    return m.call(t, virtio_queue_set_notification, -1, f[vq], enable);
  });
}

export const virtio_queue_host_notifier_aio_poll_begin = pollHook('virtio_queue_host_notifier_aio_poll_begin', 0);
export const virtio_queue_host_notifier_aio_poll_end = pollHook('virtio_queue_host_notifier_aio_poll_end', 1);

/** virtio_queue_host_notifier_aio_poll_ready(vq), 7.0+: polling saw requests; process them. */
export const virtio_queue_host_notifier_aio_poll_ready = tailCall(
  'virtio_queue_host_notifier_aio_poll_ready',
  () => virtio_queue_notify_aio_vq,
);

/**
 * virtio_queue_aio_set_host_notifier_handler(vq, ctx, handle_output): attach the ioeventfd to a
 * context (9.0+: virtio_queue_aio_attach_host_notifier, which takes no handle_output).
 */
export const virtio_queue_aio_set_host_notifier_handler = step(
  'virtio_queue_aio_set_host_notifier_handler',
  { args: ['vq: vq', 'ctx: ctx', 'handle_output: fn'] },
  ({ vq, ctx, handle_output }) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      q.ctx = f[ctx];
      q.handleAioOutput = f[handle_output];
      q.hostNotifier = addHandler(m.s.w, ctxOf(m, f[ctx]), `virtqueue ${q.id} host notifier`, q.id, {
        read: virtio_queue_host_notifier_aio_read,
        poll: virtio_queue_host_notifier_aio_poll,
        pollReady: m.s.w.qemu.pollReady ? virtio_queue_host_notifier_aio_poll_ready : undefined,
        pollBegin: virtio_queue_host_notifier_aio_poll_begin,
        pollEnd: virtio_queue_host_notifier_aio_poll_end,
      }).id;
      return m.ret(t);
    },
);

/** virtio_queue_empty(vq). */
export const virtio_queue_empty = step('virtio_queue_empty', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const q = vqOf(m, f[vq]);
  return m.ret(t, q.availIdx === q.lastAvailIdx ? 1 : 0);
});

/** virtqueue_pop(vq): the next available request id, or -1. */
export const virtqueue_pop = step('virtqueue_pop', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const q = vqOf(m, f[vq]);
  const req = q.avail.shift();
  if (req === undefined) return m.ret(t, -1);
  const descs = q.availDescs.shift()!;
  const inNum = descs >> 8;
  const outNum = descs & 0xff;
  q.lastAvailIdx++;
  if (m.s.w.virtio.eventIdx && q.notification) q.availEvent = q.lastAvailIdx;
  q.inuse++;
  m.trace(t, 'virtqueue_alloc_element', req, 240, inNum, outNum);
  m.trace(t, 'virtqueue_pop', q.id, req, inNum, outNum);
  return m.ret(t, req);
});

/** virtqueue_fill(vq, elem, len). */
export const virtqueue_fill = step(
  'virtqueue_fill',
  { args: ['vq: vq', 'elem: vreq', 'len: int'] },
  ({ vq, elem, len }) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      m.trace(t, 'virtqueue_fill', q.id, f[elem], f[len], 0);
      q.used.push(f[elem]);
      q.inuse--;
      return m.ret(t);
    },
);

/** virtqueue_flush(vq, count): publish used->idx. */
export const virtqueue_flush = step(
  'virtqueue_flush',
  { args: ['vq: vq', 'count: int'] },
  ({ vq, count }) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      m.trace(t, 'virtqueue_flush', q.id, f[count]);
      q.usedIdx += f[count];
      return m.ret(t);
    },
);

/** virtqueue_push(vq, elem, len): fill then flush one used entry. */
export const virtqueue_push = step(
  'virtqueue_push',
  { args: ['vq: vq', 'elem: vreq', 'len: int'], at: ['filled', 'flushed'] },
  ({ vq, elem, len }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          f.pc = at.filled;
          return m.call(t, virtqueue_fill, f.req, f[vq], f[elem], f[len]);
        case at.filled:
          f.pc = at.flushed;
          return m.call(t, virtqueue_flush, f.req, f[vq], 1);
        default:
          return m.ret(t);
      }
    },
);

/** virtio_should_notify(vq): EVENT_IDX → did used->idx just cross used_event? */
export const virtio_should_notify = step('virtio_should_notify', { args: ['vq: vq'] }, ({ vq }) => (m, t, f) => {
  const q = vqOf(m, f[vq]);
  if (!m.s.w.virtio.eventIdx) return m.ret(t, q.noInterruptFlag ? 0 : 1);
  const v = q.signalledUsedValid;
  q.signalledUsedValid = true;
  const old = q.signalledUsed;
  q.signalledUsed = q.usedIdx;
  return m.ret(t, !v || vringNeedEvent(q.usedEvent, q.usedIdx, old) ? 1 : 0);
});

function raiseInterrupt(m: Machine, at: number, vq: VirtQueue): void {
  vq.interrupts++;
  const v = m.s.w.virtio;
  m.at(at + v.irqNs, v.irqTimer, vq.id);
}

/**
 * virtio_notify_irqfd(vq) / virtio_notify(vq): interrupt the guest unless suppressed. The irqfd is
 * the guest notifier's eventfd, which KVM (or the main loop under TCG) turns into an MSI; from 8.2
 * its write waits for the end of the deferred-call section (virtio_notify_irqfd_deferred_fn), so a
 * batch of completions raises one interrupt. virtio_notify takes the BQL path (an MSI-X write).
 */
function notifyVia(key: 'virtio_notify_irqfd' | 'virtio_notify', viaIrqfd: boolean) {
  return step(key, { args: ['vq: vq'], at: ['checked', 'raised'] }, ({ vq }, at) => (m, t, f) => {
    const q = vqOf(m, f[vq]);
    switch (f.pc) {
      case ENTRY:
        f.pc = at.checked;
        return m.call(t, virtio_should_notify, f.req, f[vq]);
      case at.checked:
        if (!f.ret) {
          q.suppressedInterrupts++;
          return m.ret(t);
        }
        m.trace(t, key, 0, q.id);
        f.pc = at.raised;
        if (viaIrqfd && m.s.w.qemu.deferCall)
          return m.call(t, defer_call, f.req, virtio_notify_irqfd_deferred_fn.id, q.id);
        raiseInterrupt(m, t.time, q);
        if (viaIrqfd) return m.call(t, event_notifier_set, f.req, -1);
      // fallthrough
      default:
        return m.ret(t);
    }
  });
}

/** virtio_notify_irqfd_deferred_fn(vq), 8.2+: the deferred irqfd write. */
export const virtio_notify_irqfd_deferred_fn = step(
  'virtio_notify_irqfd_deferred_fn',
  { args: ['vq: vq'], at: ['written'] },
  ({ vq }, at) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      if (f.pc !== ENTRY) return m.ret(t);
      m.trace(t, 'virtio_notify_irqfd_deferred_fn', 0, q.id);
      raiseInterrupt(m, t.time, q);
      f.pc = at.written;
      return m.call(t, event_notifier_set, f.req, -1);
    },
);

export const virtio_notify_irqfd = notifyVia('virtio_notify_irqfd', true);
export const virtio_notify = notifyVia('virtio_notify', false);

/** virtio_queue_notify(vq): the vCPU-side kick with ioeventfd off → the device's handle_output. */
export const virtio_queue_notify = step(
  'virtio_queue_notify',
  { args: ['vq: vq'], at: ['handled'] },
  ({ vq }, at) =>
    (m, t, f) => {
      const q = vqOf(m, f[vq]);
      if (f.pc !== ENTRY) return m.ret(t);
      m.trace(t, 'virtio_queue_notify', 0, 0, q.id);
      q.kicks++;
      f.pc = at.handled;
      return m.callIndirect(t, q.handleOutput, -1, q.id);
    },
);

/** virtio_pci_notify_write(vq): the doorbell MMIO write trapped to the vCPU thread. */
export const virtio_pci_notify_write = tailCall('virtio_pci_notify_write', () => virtio_queue_notify);
