// Trace-event changes after the newest catalog (10.0), up to 10.2. No catalog is built from them;
// version detection uses them to bound a log's release from above (and to recognise 10.2 logs).
// Facts from QEMU's trace-events files at the 10.1.0 and 10.2.0 release commits; 10.1 changed none
// of the events on this path.
import type { EventChange } from './delta';

const luring10_2 = 'io_uring is rebuilt on the AioContext’s own fdmon io_uring ring; the old LuringState events go.';

export const EVENT_CHANGES_AFTER_10_0: readonly EventChange[] = [
  {
    since: '10.2',
    why: 'virtio_notify_irqfd is merged into virtio_notify, which now chooses the deferred irqfd write itself.',
    remove: 'virtio_notify_irqfd',
  },
  ...[
    'luring_unplug_fn',
    'luring_do_submit',
    'luring_do_submit_done',
    'luring_io_uring_submit',
    'luring_process_completion',
    'luring_init_state',
    'luring_cleanup_state',
  ].map((remove) => ({ since: '10.2', why: luring10_2, remove })),
  {
    since: '10.2',
    why: luring10_2,
    change: 'luring_co_submit',
    args: [
      { type: 'void *', name: 'bs' },
      { type: 'void *', name: 'req' },
      { type: 'int', name: 'fd' },
      { type: 'uint64_t', name: 'offset' },
      { type: 'size_t', name: 'nbytes' },
      { type: 'int', name: 'type' },
    ],
    format: 'bs %p req %p fd %d offset %ld nbytes %zd type %d',
  },
  {
    since: '10.2',
    why: luring10_2,
    change: 'luring_resubmit_short_read',
    args: [
      { type: 'void *', name: 'req' },
      { type: 'int', name: 'nread' },
    ],
    format: 'req %p nread %d',
  },
  {
    since: '10.2',
    why: 'One io_uring completion handled (replaces luring_process_completion).',
    add: {
      name: 'luring_cqe_handler',
      file: 'block/trace-events',
      args: [
        { type: 'void *', name: 'req' },
        { type: 'int', name: 'ret' },
      ],
      format: 'req %p ret %d',
    },
  },
  {
    since: '10.2',
    why: 'A submission entry added to the AioContext io_uring ring.',
    add: {
      name: 'fdmon_io_uring_add_sqe',
      file: 'util/trace-events',
      args: [
        { type: 'void *', name: 'ctx' },
        { type: 'void *', name: 'opaque' },
        { type: 'int', name: 'opcode' },
        { type: 'int', name: 'fd' },
        { type: 'uint64_t', name: 'off' },
        { type: 'void *', name: 'cqe_handler' },
      ],
      format: 'ctx %p opaque %p opcode %d fd %d off %ld cqe_handler %p',
    },
  },
  {
    since: '10.2',
    why: 'A completion of the AioContext io_uring ring handed to its handler.',
    add: {
      name: 'fdmon_io_uring_cqe_handler',
      file: 'util/trace-events',
      args: [
        { type: 'void *', name: 'ctx' },
        { type: 'void *', name: 'cqe_handler' },
        { type: 'int', name: 'cqe_res' },
      ],
      format: 'ctx %p cqe_handler %p cqe_res %d',
    },
  },
];
