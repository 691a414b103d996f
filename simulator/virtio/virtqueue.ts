// hw/virtio/virtio.c: the split virtqueue shared with the guest, and the two notification
// directions with EVENT_IDX suppression. The device re-arms kicks by publishing avail_event
// (only while its notifications are on); the guest re-arms interrupts by publishing
// used_event. Indices here grow without wrapping; vring_need_event compares them mod 2^16
// as the real rings do.

import { Fn } from '../catalog';
import { addHandler, ctxOf, pokePoller, signalNotifier } from '../aio/aio-context';
import { Machine, Step, tailCall, World } from '../engine/machine';

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

declare module '../engine/machine' {
  interface World {
    virtio: VirtioState;
  }
}

export function initVirtio(w: World, eventIdx: boolean, irqNs: number): void {
  w.virtio = { vqs: [], eventIdx, irqTimer: -1, irqNs };
}

export function newVirtQueue(w: World, ctx: number, size: number, handleOutput: number): VirtQueue {
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
    handleOutput,
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

/** virtio_queue_aio_set_host_notifier_handler(vq = a, ctx = b): attach the ioeventfd to a context. */
const virtio_queue_aio_set_host_notifier_handler: Step = (m, t, f) => {
  const w = m.s.w;
  const vq = vqOf(m, f.a);
  vq.ctx = f.b;
  vq.handleAioOutput = Fn.virtio_blk_data_plane_handle_output;
  vq.hostNotifier = addHandler(w, ctxOf(m, f.b), {
    name: `virtqueue ${vq.id} host notifier`,
    ioRead: Fn.virtio_queue_host_notifier_aio_read,
    ioPoll: Fn.virtio_queue_host_notifier_aio_poll,
    pollBegin: Fn.virtio_queue_host_notifier_aio_poll_begin,
    pollEnd: Fn.virtio_queue_host_notifier_aio_poll_end,
    arg: vq.id,
  }).id;
  return m.ret(t);
};

/** virtio_queue_host_notifier_aio_read(vq = a): the ioeventfd became readable. */
const virtio_queue_host_notifier_aio_read: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.event_notifier_test_and_clear, -1, vq.hostNotifier);
    case 1:
      f.pc = 2;
      if (f.ret) return m.call(t, Fn.virtio_queue_notify_aio_vq, -1, vq.id);
    // fallthrough
    default:
      return m.ret(t);
  }
};

/** virtio_queue_notify_aio_vq(vq = a): run the device's handle_aio_output. */
const virtio_queue_notify_aio_vq: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  if (f.pc === 0 && vq.handleAioOutput >= 0) {
    m.trace(t, 'virtio_queue_notify', 0, 0, vq.id);
    f.pc = 1;
    return m.call(t, vq.handleAioOutput, -1, vq.id);
  }
  return m.ret(t, f.pc === 1 ? f.ret : 0);
};

/** virtio_queue_host_notifier_aio_poll(vq = a): a non-empty ring is processed right here. */
const virtio_queue_host_notifier_aio_poll: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  switch (f.pc) {
    case 0:
      if (vq.availIdx === vq.lastAvailIdx) return m.ret(t, 0);
      f.pc = 1;
      return m.call(t, Fn.virtio_queue_notify_aio_vq, -1, vq.id);
    case 1:
      f.c = f.ret;
      f.pc = 2;
      return m.call(t, Fn.virtio_queue_set_notification, -1, vq.id, 0);
    default:
      return m.ret(t, f.c);
  }
};

/** io_poll_begin / io_poll_end (vq = a): notifications off while busy polling, back on after. */
function pollHook(enable: number): Step {
  return (m, t, f) => {
    if (f.pc === 0) {
      f.pc = 1;
      return m.call(t, Fn.virtio_queue_set_notification, -1, f.a, enable);
    }
    return m.ret(t);
  };
}

/** virtio_queue_set_notification(vq = a, enable = b). */
const virtio_queue_set_notification: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  vq.notification = f.b === 1;
  if (m.s.w.virtio.eventIdx) {
    if (vq.notification) vq.availEvent = vq.availIdx;
  } else {
    vq.noNotifyFlag = !vq.notification;
  }
  return m.ret(t);
};

/** virtio_queue_empty(vq = a). */
const virtio_queue_empty: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  return m.ret(t, vq.availIdx === vq.lastAvailIdx ? 1 : 0);
};

/** virtqueue_pop(vq = a): the next available request id, or -1. */
const virtqueue_pop: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  const req = vq.avail.shift();
  if (req === undefined) return m.ret(t, -1);
  const descs = vq.availDescs.shift()!;
  const inNum = descs >> 8;
  const outNum = descs & 0xff;
  vq.lastAvailIdx++;
  if (m.s.w.virtio.eventIdx && vq.notification) vq.availEvent = vq.lastAvailIdx;
  vq.inuse++;
  m.trace(t, 'virtqueue_alloc_element', req, 240, inNum, outNum);
  m.trace(t, 'virtqueue_pop', vq.id, req, inNum, outNum);
  return m.ret(t, req);
};

/** virtqueue_push(vq = a, request = b, len = c): fill then flush one used entry. */
const virtqueue_push: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.virtqueue_fill, f.req, f.a, f.b, f.c);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.virtqueue_flush, f.req, f.a, 1);
    default:
      return m.ret(t);
  }
};

/** virtqueue_fill(vq = a, request = b, len = c). */
const virtqueue_fill: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  m.trace(t, 'virtqueue_fill', vq.id, f.b, f.c, 0);
  vq.used.push(f.b);
  vq.inuse--;
  return m.ret(t);
};

/** virtqueue_flush(vq = a, count = b): publish used->idx. */
const virtqueue_flush: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  m.trace(t, 'virtqueue_flush', vq.id, f.b);
  vq.usedIdx += f.b;
  return m.ret(t);
};

/** virtio_should_notify(vq = a): EVENT_IDX → did used->idx just cross used_event? */
const virtio_should_notify: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  if (!m.s.w.virtio.eventIdx) return m.ret(t, vq.noInterruptFlag ? 0 : 1);
  const v = vq.signalledUsedValid;
  vq.signalledUsedValid = true;
  const old = vq.signalledUsed;
  vq.signalledUsed = vq.usedIdx;
  return m.ret(t, !v || vringNeedEvent(vq.usedEvent, vq.usedIdx, old) ? 1 : 0);
};

function raiseInterrupt(m: Machine, at: number, vq: VirtQueue): void {
  vq.interrupts++;
  const v = m.s.w.virtio;
  m.at(at + v.irqNs, v.irqTimer, vq.id);
}

/** virtio_notify_irqfd(vq = a) / virtio_notify(vq = a): interrupt the guest unless suppressed. */
function notifyVia(traceName: string, viaIrqfd: boolean): Step {
  return (m, t, f) => {
    const vq = vqOf(m, f.a);
    switch (f.pc) {
      case 0:
        f.pc = 1;
        return m.call(t, Fn.virtio_should_notify, f.req, f.a);
      case 1:
        if (!f.ret) {
          vq.suppressedInterrupts++;
          return m.ret(t);
        }
        m.trace(t, traceName, 0, vq.id);
        raiseInterrupt(m, t.time, vq);
        f.pc = 2;
        // irqfd: an eventfd write that KVM turns into an MSI; otherwise the BQL path (MSI-X write)
        if (viaIrqfd) return m.call(t, Fn.eventfd_write, f.req);
      // fallthrough
      default:
        return m.ret(t);
    }
  };
}

/** virtio_queue_notify(vq = a): the vCPU-side kick with ioeventfd off. */
const virtio_queue_notify: Step = (m, t, f) => {
  const vq = vqOf(m, f.a);
  if (f.pc === 0) {
    m.trace(t, 'virtio_queue_notify', 0, 0, vq.id);
    vq.kicks++;
    f.pc = 1;
    return m.call(t, vq.handleOutput, -1, vq.id);
  }
  return m.ret(t);
};

/** virtio_pci_notify_write(vq = a): the doorbell MMIO write trapped to the vCPU thread. */
const virtio_pci_notify_write = tailCall(Fn.virtio_queue_notify);

export function registerVirtqueueSteps(steps: Step[]): void {
  steps[Fn.virtio_queue_aio_set_host_notifier_handler] = virtio_queue_aio_set_host_notifier_handler;
  steps[Fn.virtio_queue_host_notifier_aio_read] = virtio_queue_host_notifier_aio_read;
  steps[Fn.virtio_queue_notify_aio_vq] = virtio_queue_notify_aio_vq;
  steps[Fn.virtio_queue_host_notifier_aio_poll] = virtio_queue_host_notifier_aio_poll;
  steps[Fn.virtio_queue_host_notifier_aio_poll_begin] = pollHook(0);
  steps[Fn.virtio_queue_host_notifier_aio_poll_end] = pollHook(1);
  steps[Fn.virtio_queue_set_notification] = virtio_queue_set_notification;
  steps[Fn.virtio_queue_empty] = virtio_queue_empty;
  steps[Fn.virtqueue_pop] = virtqueue_pop;
  steps[Fn.virtqueue_push] = virtqueue_push;
  steps[Fn.virtqueue_fill] = virtqueue_fill;
  steps[Fn.virtqueue_flush] = virtqueue_flush;
  steps[Fn.virtio_should_notify] = virtio_should_notify;
  steps[Fn.virtio_notify_irqfd] = notifyVia('virtio_notify_irqfd', true);
  steps[Fn.virtio_notify] = notifyVia('virtio_notify', false);
  steps[Fn.virtio_queue_notify] = virtio_queue_notify;
  steps[Fn.virtio_pci_notify_write] = virtio_pci_notify_write;
}
