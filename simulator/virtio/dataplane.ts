// hw/block/dataplane/virtio-blk.c: in 4.1.0 the "dataplane" runs whenever ioeventfd is on —
// in the iothread's context with iothread=, else in the main loop's. Starting it (at
// DRIVER_OK, on the vCPU thread) moves the drive to that context and attaches the queue's
// ioeventfd there; completions notify the guest through irqfd. 9.0 folds it into virtio-blk.c
// as virtio_blk_start_ioeventfd, which fires no trace event.

import { ctxOf, newBh, qemu_bh_schedule, signalNotifier } from '../aio/aio-context';
import { blk_set_aio_context } from '../block/block-backend';
import { ENTRY } from '../engine/types';
import { step, tailCall } from '../step';
import { virtio_blk_handle_vq } from './virtio-blk';
import { virtio_notify_irqfd, virtio_queue_aio_set_host_notifier_handler, vqOf } from './virtqueue';

/** virtio_blk_data_plane_handle_output(vq) → virtio_blk_handle_vq. */
export const virtio_blk_data_plane_handle_output = tailCall(
  'virtio_blk_data_plane_handle_output',
  () => virtio_blk_handle_vq,
);

/** notify_guest_bh(opaque): one virtio_notify_irqfd for everything completed since the last run. */
export const notify_guest_bh = step(
  'notify_guest_bh',
  { args: ['opaque: int'], at: ['notified'] },
  (_, at) => (m, t, f) => {
    const w = m.s.w;
    if (f.pc === ENTRY && w.vblk.notifyPending) {
      w.vblk.notifyPending = false;
      f.pc = at.notified;
      return m.call(t, virtio_notify_irqfd, -1, w.vblk.vq);
    }
    return m.ret(t);
  },
);

/** virtio_blk_data_plane_start(vq): the drive and the queue's ioeventfd move to the dataplane's context (`ctx`). */
export const virtio_blk_data_plane_start = step(
  'virtio_blk_data_plane_start',
  { args: ['vq: vq'], locals: ['ctx: ctx'], at: ['drive_moved', 'notifier_set'] },
  ({ vq, ctx }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      switch (f.pc) {
        case ENTRY:
          m.trace(t, 'virtio_blk_data_plane_start', 0);
          f[ctx] = w.vblk.dataplaneCtx;
          // without EVENT_IDX, 4.1.0 batches interrupts in a BH (8.2: defer_call does it)
          if (!w.virtio.eventIdx && !w.qemu.deferCall) {
            w.vblk.notifyGuestBh = newBh(w, ctxOf(m, f[ctx]), 'notify_guest_bh', notify_guest_bh, 0).id;
          }
          f.pc = at.drive_moved;
          return m.call(t, blk_set_aio_context, -1, f[ctx]);
        case at.drive_moved:
          f.pc = at.notifier_set;
          return m.call(
            t,
            virtio_queue_aio_set_host_notifier_handler,
            -1,
            f[vq],
            f[ctx],
            virtio_blk_data_plane_handle_output.id,
          );
        default: {
          // the start-up kick of every host notifier, so requests queued early are not missed
          const q = vqOf(m, f[vq]);
          signalNotifier(m, w.aio.handlers[q.hostNotifier], t.time);
          w.vblk.dataplaneStarted = true;
          return m.ret(t);
        }
      }
    },
);

/** virtio_blk_data_plane_notify(vq): EVENT_IDX → irqfd now; else batch in notify_guest_bh. */
export const virtio_blk_data_plane_notify = step(
  'virtio_blk_data_plane_notify',
  { args: ['vq: vq'], at: ['notified'] },
  ({ vq }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      if (f.pc !== ENTRY) return m.ret(t);
      f.pc = at.notified;
      if (w.virtio.eventIdx) return m.call(t, virtio_notify_irqfd, f.req, f[vq]);
      w.vblk.notifyPending = true;
      return m.call(t, qemu_bh_schedule, f.req, w.vblk.notifyGuestBh);
    },
);
