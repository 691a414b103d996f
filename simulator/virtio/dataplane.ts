// hw/block/dataplane/virtio-blk.c: in 4.1.0 the "dataplane" runs whenever ioeventfd is on —
// in the iothread's context with iothread=, else in the main loop's. Starting it (at
// DRIVER_OK, on the vCPU thread) moves the drive to that context and attaches the queue's
// ioeventfd there; completions notify the guest through irqfd.

import { Fn } from '../catalog';
import { ctxOf, newBh, signalNotifier } from '../aio/aio-context';
import { Step } from '../engine/machine';
import { vqOf } from './virtqueue';

/** virtio_blk_data_plane_start(vq = a). Locals: c = target context. */
const virtio_blk_data_plane_start: Step = (m, t, f) => {
  const w = m.s.w;
  switch (f.pc) {
    case 0:
      m.trace(t, 'virtio_blk_data_plane_start', 0);
      f.c = w.vblk.dataplaneCtx;
      if (!w.virtio.eventIdx) {
        w.vblk.notifyGuestBh = newBh(w, ctxOf(m, f.c), 'notify_guest_bh', Fn.notify_guest_bh, 0).id;
      }
      f.pc = 1;
      return m.call(t, Fn.blk_set_aio_context, -1, f.c);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.virtio_queue_aio_set_host_notifier_handler, -1, f.a, f.c);
    default: {
      // the start-up kick of every host notifier, so requests queued early are not missed
      const vq = vqOf(m, f.a);
      signalNotifier(m, w.aio.handlers[vq.hostNotifier], t.time);
      w.vblk.dataplaneStarted = true;
      return m.ret(t);
    }
  }
};

/** virtio_blk_data_plane_notify(vq = a): EVENT_IDX → irqfd now; else batch in notify_guest_bh. */
const virtio_blk_data_plane_notify: Step = (m, t, f) => {
  const w = m.s.w;
  if (f.pc === 0) {
    f.pc = 1;
    if (w.virtio.eventIdx) return m.call(t, Fn.virtio_notify_irqfd, f.req, f.a);
    w.vblk.notifyPending = true;
    return m.call(t, Fn.qemu_bh_schedule, f.req, w.vblk.notifyGuestBh);
  }
  return m.ret(t);
};

/** notify_guest_bh: one virtio_notify_irqfd for everything completed since the last run. */
const notify_guest_bh: Step = (m, t, f) => {
  const w = m.s.w;
  if (f.pc === 0 && w.vblk.notifyPending) {
    w.vblk.notifyPending = false;
    f.pc = 1;
    return m.call(t, Fn.virtio_notify_irqfd, -1, w.vblk.vq);
  }
  return m.ret(t);
};

export function registerDataplaneSteps(steps: Step[]): void {
  steps[Fn.virtio_blk_data_plane_start] = virtio_blk_data_plane_start;
  steps[Fn.virtio_blk_data_plane_notify] = virtio_blk_data_plane_notify;
  steps[Fn.notify_guest_bh] = notify_guest_bh;
}
