// QEMU 7.2 (release commit b67b00e6b4c7831a3f5bc684bc0df7a9bfd1bd56) as the 4.1.0 catalog plus what
// changed on the virtio-blk path from 4.2 to 7.2. Each entry names the first release whose release
// commit has the change; an entry that adds a function describes it as it is at 7.2. Names, files,
// lines, argument lists and formats are facts from QEMU's tree at the 7.2.0 release commit; summaries,
// notes and reasons are the project's own words. The shared real logs come from Debian's 7.2.22 build,
// which has the same path (it also declares reentrant_aio, a stable backport: see qemu-10.0.ts).
import { PLAIN_QEMU, type VersionDelta } from './delta';

export const DELTA_7_2: VersionDelta = {
  version: '7.2',
  base: '4.1.0',
  releaseCommit: 'b67b00e6b4c7831a3f5bc684bc0df7a9bfd1bd56',

  groups: [
    {
      after: 'laio',
      group: {
        id: 'uring',
        label: 'io_uring',
        description:
          'aio=io_uring (5.0+): requests become submission-queue entries, one io_uring_enter submits the batch, and completions are read from the completion ring after its eventfd fires or while polling.',
      },
    },
  ],
  stages: [
    { after: 'laio-complete', stage: { id: 'uring-submit', group: 'uring', label: 'io_uring submit' } },
    { after: 'uring-submit', stage: { id: 'uring-complete', group: 'uring', label: 'io_uring completion' } },
  ],

  events: [
    // Declared at 4.1.0 already but not in its catalog (off the simulated path, or fired only at setup).
    {
      since: '4.1',
      catalogued: true,
      why: 'Fires on every write of the device status (by the guest on its vCPU, or by a reset); in real logs it marks the vCPU thread.',
      add: {
        name: 'virtio_set_status',
        file: 'hw/virtio/trace-events',
        args: [
          { type: 'void *', name: 'vdev' },
          { type: 'uint8_t', name: 'val' },
        ],
        format: 'vdev %p val %u',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Fires when the dataplane is torn down (device reset, guest shutdown).',
      add: {
        name: 'virtio_blk_data_plane_stop',
        file: 'hw/block/dataplane/trace-events',
        args: [{ type: 'void *', name: 's' }],
        format: 'dataplane %p',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Write-zeroes requests; not used by plain guest writes. Arguments as at 7.2 (64-bit byte count since 6.0).',
      add: {
        name: 'bdrv_co_pwrite_zeroes',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'bs' },
          { type: 'int64_t', name: 'offset' },
          { type: 'int64_t', name: 'bytes' },
          { type: 'int', name: 'flags' },
        ],
        format: 'bs %p offset %ld bytes %ld flags 0x%x',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Copy-on-read only (copy-on-read=on or a backing chain being streamed). Arguments as at 7.2 (64-bit since 6.0).',
      add: {
        name: 'bdrv_co_do_copy_on_readv',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'bs' },
          { type: 'int64_t', name: 'offset' },
          { type: 'int64_t', name: 'bytes' },
          { type: 'int64_t', name: 'cluster_offset' },
          { type: 'int64_t', name: 'cluster_bytes' },
        ],
        format: 'bs %p offset %ld bytes %ld cluster_offset %ld cluster_bytes %ld',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Offloaded copies (copy_file_range) only; never on a guest request. Arguments as at 7.2 (signed 64-bit since 6.0).',
      add: {
        name: 'bdrv_co_copy_range_from',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'src' },
          { type: 'int64_t', name: 'src_offset' },
          { type: 'void *', name: 'dst' },
          { type: 'int64_t', name: 'dst_offset' },
          { type: 'int64_t', name: 'bytes' },
          { type: 'int', name: 'read_flags' },
          { type: 'int', name: 'write_flags' },
        ],
        format: 'src %p offset %ld dst %p offset %ld bytes %ld rw flags 0x%x 0x%x',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Destination side of an offloaded copy; never on a guest request. Arguments as at 7.2 (signed 64-bit since 6.0).',
      add: {
        name: 'bdrv_co_copy_range_to',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'src' },
          { type: 'int64_t', name: 'src_offset' },
          { type: 'void *', name: 'dst' },
          { type: 'int64_t', name: 'dst_offset' },
          { type: 'int64_t', name: 'bytes' },
          { type: 'int', name: 'read_flags' },
          { type: 'int', name: 'write_flags' },
        ],
        format: 'src %p offset %ld dst %p offset %ld bytes %ld rw flags 0x%x 0x%x',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      why: 'Declared for every host but fired only by the Windows file driver; a Linux trace never shows it.',
      add: {
        name: 'file_paio_submit',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'acb' },
          { type: 'void *', name: 'opaque' },
          { type: 'int64_t', name: 'offset' },
          { type: 'int', name: 'count' },
          { type: 'int', name: 'type' },
        ],
        format: 'acb %p opaque %p offset %ld count %d type %d',
      },
    },
    // 5.0: io_uring, and the poll-handler list of the new fd-monitoring layer.
    {
      since: '5.0',
      why: 'aio=io_uring arrives with its own trace events; this one fires when a ring is created for an AioContext.',
      add: {
        name: 'luring_init_state',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'size_t', name: 'size' },
        ],
        format: 's %p size %zu',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: the ring of an AioContext is freed.',
      add: {
        name: 'luring_cleanup_state',
        file: 'block/trace-events',
        args: [{ type: 'void *', name: 's' }],
        format: '%p freed',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: plug, the start of a batch of submissions.',
      add: {
        name: 'luring_io_plug',
        file: 'block/trace-events',
        args: [{ type: 'void *', name: 's' }],
        format: 'LuringState %p plug',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: unplug, which submits what the batch queued once the outermost plug ends.',
      add: {
        name: 'luring_io_unplug',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'int', name: 'blocked' },
          { type: 'int', name: 'plugged' },
          { type: 'int', name: 'queued' },
          { type: 'int', name: 'inflight' },
        ],
        format: 'LuringState %p blocked %d plugged %d queued %d inflight %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: a request was queued as a submission entry.',
      add: {
        name: 'luring_do_submit',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'int', name: 'blocked' },
          { type: 'int', name: 'plugged' },
          { type: 'int', name: 'queued' },
          { type: 'int', name: 'inflight' },
        ],
        format: 'LuringState %p blocked %d plugged %d queued %d inflight %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: a submission made right away from luring_do_submit (not plugged, or the ring is full).',
      add: {
        name: 'luring_do_submit_done',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'int', name: 'ret' },
        ],
        format: 'LuringState %p submitted to kernel %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: a request enters the backend from its coroutine; luringcb links it to its completion.',
      add: {
        name: 'luring_co_submit',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 'bs' },
          { type: 'void *', name: 's' },
          { type: 'void *', name: 'luringcb' },
          { type: 'int', name: 'fd' },
          { type: 'uint64_t', name: 'offset' },
          { type: 'size_t', name: 'nbytes' },
          { type: 'int', name: 'type' },
        ],
        format: 'bs %p s %p luringcb %p fd %d offset %ld nbytes %zd type %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: one completion reaped from the completion ring (luringcb as in luring_co_submit).',
      add: {
        name: 'luring_process_completion',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'void *', name: 'aiocb' },
          { type: 'int', name: 'ret' },
        ],
        format: 'LuringState %p luringcb %p ret %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: io_uring_submit returned; ret is how many entries the kernel took.',
      add: {
        name: 'luring_io_uring_submit',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'int', name: 'ret' },
        ],
        format: 'LuringState %p ret %d',
      },
    },
    {
      since: '5.0',
      why: 'io_uring: a short read is queued again for the remaining bytes.',
      add: {
        name: 'luring_resubmit_short_read',
        file: 'block/trace-events',
        args: [
          { type: 'void *', name: 's' },
          { type: 'void *', name: 'luringcb' },
          { type: 'int', name: 'nread' },
        ],
        format: 'LuringState %p luringcb %p nread %d',
      },
    },
    {
      since: '5.0',
      why: 'Adaptive polling now keeps a list of handlers worth polling; a handler joins it when its fd first fires.',
      add: {
        name: 'poll_add',
        file: 'util/trace-events',
        args: [
          { type: 'void *', name: 'ctx' },
          { type: 'void *', name: 'node' },
          { type: 'int', name: 'fd' },
          { type: 'unsigned', name: 'revents' },
        ],
        format: 'ctx %p node %p fd %d revents 0x%x',
      },
    },
    {
      since: '5.0',
      why: 'A handler idle for the poll idle interval (7 s) leaves the polled list.',
      add: {
        name: 'poll_remove',
        file: 'util/trace-events',
        args: [
          { type: 'void *', name: 'ctx' },
          { type: 'void *', name: 'node' },
          { type: 'int', name: 'fd' },
        ],
        format: 'ctx %p node %p fd %d',
      },
    },
    {
      since: '5.2',
      why: 'The run-state events move from the top-level trace-events file to softmmu/ with the run-state code.',
      change: 'runstate_set',
      file: 'softmmu/trace-events',
    },
    {
      since: '5.2',
      why: 'The run-state events move from the top-level trace-events file to softmmu/ with the run-state code.',
      change: 'vm_state_notify',
      file: 'softmmu/trace-events',
    },
    // 6.0: the generic layer's events are named after the _part functions that fire them.
    {
      since: '6.0',
      why: 'Renamed after bdrv_co_pwritev_part, which has fired it since 4.2; the length becomes `bytes`.',
      rename: 'bdrv_co_pwritev',
      to: 'bdrv_co_pwritev_part',
      args: [
        { type: 'void *', name: 'bs' },
        { type: 'int64_t', name: 'offset' },
        { type: 'int64_t', name: 'bytes' },
        { type: 'unsigned int', name: 'flags' },
      ],
      format: 'bs %p offset %ld bytes %ld flags 0x%x',
    },
    {
      since: '6.0',
      why: 'Renamed after bdrv_co_preadv_part, which has fired it since 4.2; the length becomes `bytes`.',
      rename: 'bdrv_co_preadv',
      to: 'bdrv_co_preadv_part',
      args: [
        { type: 'void *', name: 'bs' },
        { type: 'int64_t', name: 'offset' },
        { type: 'int64_t', name: 'bytes' },
        { type: 'unsigned int', name: 'flags' },
      ],
      format: 'bs %p offset %ld bytes %ld flags 0x%x',
    },
    {
      since: '6.1',
      why: 'A failed fdatasync on a pool worker is now traced (the image is then treated as unflushable).',
      add: {
        name: 'file_flush_fdatasync_failed',
        file: 'block/trace-events',
        args: [{ type: 'int', name: 'err' }],
        format: 'errno %d',
      },
    },
    {
      since: '6.2',
      why: 'BlockBackend request lengths become 64-bit, so `bytes` is printed as a 64-bit number.',
      change: 'blk_co_pwritev',
      args: [
        { type: 'void *', name: 'blk' },
        { type: 'void *', name: 'bs' },
        { type: 'int64_t', name: 'offset' },
        { type: 'int64_t', name: 'bytes' },
        { type: 'int', name: 'flags' },
      ],
      format: 'blk %p bs %p offset %ld bytes %ld flags 0x%x',
    },
    {
      since: '6.2',
      why: 'BlockBackend request lengths become 64-bit, so `bytes` is printed as a 64-bit number.',
      change: 'blk_co_preadv',
      args: [
        { type: 'void *', name: 'blk' },
        { type: 'void *', name: 'bs' },
        { type: 'int64_t', name: 'offset' },
        { type: 'int64_t', name: 'bytes' },
        { type: 'int', name: 'flags' },
      ],
      format: 'blk %p bs %p offset %ld bytes %ld flags 0x%x',
    },
    // 7.1: virtio-pci notification events.
    {
      since: '7.1',
      why: 'Declared with the other virtio-pci notification events, but no QEMU code fires it (checked at 7.2 and 10.0): an interrupt sent by virtio_notify leaves no virtio_pci line.',
      add: {
        name: 'virtio_pci_notify',
        file: 'hw/virtio/trace-events',
        args: [{ type: 'uint16_t', name: 'vector' }],
        format: 'virtio_pci_notify vec 0x%x',
        notes: 'Declared only: enabling it prints nothing.',
      },
    },
    {
      since: '7.1',
      why: 'A guest kick that exits to QEMU (no ioeventfd bound to the notify address) is now traced.',
      add: {
        name: 'virtio_pci_notify_write',
        file: 'hw/virtio/trace-events',
        args: [
          { type: 'uint64_t', name: 'addr' },
          { type: 'uint64_t', name: 'val' },
          { type: 'unsigned int', name: 'size' },
        ],
        format: '0x%lx = 0x%lx (%d)',
      },
    },
    {
      since: '7.1',
      why: 'The same for the legacy port-I/O notify register.',
      add: {
        name: 'virtio_pci_notify_write_pio',
        file: 'hw/virtio/trace-events',
        args: [
          { type: 'uint64_t', name: 'addr' },
          { type: 'uint64_t', name: 'val' },
          { type: 'unsigned int', name: 'size' },
        ],
        format: '0x%lx = 0x%lx (%d)',
      },
    },
  ],

  functions: [
    // ── vCPU and main loop: renamed and moved, same role ──
    {
      since: '5.2',
      why: 'KVM code leaves cpus.c: the vCPU thread body becomes kvm_vcpu_thread_fn (accel/kvm/kvm-accel-ops.c since 6.0).',
      rename: 'qemu_kvm_cpu_thread_fn',
      to: 'kvm_vcpu_thread_fn',
    },
    {
      since: '5.0',
      why: 'vl.c is split: the main loop becomes qemu_main_loop (softmmu/runstate.c since 6.0), returning an exit status.',
      rename: 'main_loop',
      to: 'qemu_main_loop',
    },
    {
      since: '7.1',
      why: 'A guest kick that traps to QEMU is traced before it reaches virtio_queue_notify.',
      change: 'virtio_pci_notify_write',
      patch: { addTraceEvents: ['virtio_pci_notify_write'] },
    },
    {
      since: '5.2',
      why: 'aio_notify_accept only clears ctx->notified now; the wake-up eventfd is drained by its own handler.',
      change: 'aio_notify_accept',
      patch: {
        removeCalls: ['event_notifier_test_and_clear'],
        summary:
          "Clears the context's notified flag after the loop woke up, with a barrier so that work posted before the matching aio_notify (scheduled BHs, for one) is seen; the wake-up eventfd itself is drained by its own handler.",
      },
    },

    // ── AioContext: fd monitoring layer and ready lists (5.0), poll/ready split (7.0) ──
    {
      since: '5.0',
      why: 'Dispatch of one handler is factored out; both the glib path and aio_poll use it.',
      change: 'aio_dispatch_handlers',
      patch: {
        calls: ['aio_dispatch_handler'],
        summary:
          'Glib-path dispatch of an AioContext: offers every registered handler to aio_dispatch_handler, which runs the ones whose fd glib reported ready. aio_poll uses the cheaper ready list instead.',
      },
    },
    {
      since: '5.0',
      after: 'aio_dispatch_handlers',
      why: 'Per-handler dispatch, shared by the glib path and the ready list of aio_poll.',
      add: {
        name: 'aio_dispatch_handler',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['virtio_queue_host_notifier_aio_read', 'qemu_laio_completion_cb', 'qemu_luring_completion_cb'],
        indirectCalls: ['virtio_queue_host_notifier_aio_read', 'qemu_laio_completion_cb', 'qemu_luring_completion_cb'],
        traceEvents: ['poll_add'],
        summary:
          "Runs one AioHandler: its read handler when the fd is readable or, since 7.0, its io_poll_ready handler when polling found work. A handler that fires for the first time joins the context's list of polled handlers (poll_add).",
      },
    },
    {
      since: '5.0',
      after: 'aio_dispatch_handler',
      why: 'aio_poll dispatches only the handlers the fd monitor reported ready, instead of walking them all.',
      add: {
        name: 'aio_dispatch_ready_handlers',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['aio_dispatch_handler'],
        traceEvents: [],
        summary:
          'Drains the ready list that the fd monitor and the poll handlers filled during this aio_poll and dispatches each handler on it, so the cost follows the number of ready handlers rather than of registered ones.',
      },
    },
    {
      since: '5.0',
      why: 'The blocking wait goes through the context fd monitor (ppoll, epoll or io_uring) and dispatch through the ready list.',
      change: 'aio_poll',
      patch: {
        removeCalls: ['qemu_poll_ns', 'aio_dispatch_handlers'],
        addCalls: ['fdmon_poll_wait', 'fdmon_epoll_wait', 'fdmon_io_uring_wait', 'aio_dispatch_ready_handlers'],
        indirectCalls: ['fdmon_poll_wait', 'fdmon_epoll_wait', 'fdmon_io_uring_wait'],
        summary:
          "One iteration of an AioContext's own loop (IOThreads, and synchronous waits such as drain): may busy-poll first, else sleeps in the context's fd monitor (ppoll, epoll or io_uring), adjusts the polling window, then runs BHs, the handlers on the ready list and timers.",
      },
    },
    {
      since: '5.0',
      why: 'Leaving poll mode polls each handler once more, in case an event raced with io_poll_end.',
      change: 'poll_set_started',
      patch: { addIndirectCalls: ['virtio_queue_host_notifier_aio_poll', 'qemu_laio_poll_cb', 'qemu_luring_poll_cb'] },
    },
    {
      since: '5.0',
      why: "aio=io_uring: io_uring's completion BH runs when a completion callback ran a nested event loop.",
      change: 'aio_bh_poll',
      patch: { addIndirectCalls: ['qemu_luring_completion_bh'] },
    },
    {
      since: '5.0',
      why: 'try_poll_mode no longer runs a lone poll pass when polling is off; it only busy-polls or turns polling off.',
      change: 'try_poll_mode',
      patch: {
        removeCalls: ['run_poll_handlers_once'],
        summary:
          'Decides whether this aio_poll busy-waits: with a non-zero window and an fd monitor that allows it, it enters poll mode (queues stop asking for kicks) and spins in run_poll_handlers; otherwise, or when nothing turns up, poll mode is left so kicks are wanted again.',
      },
    },
    {
      since: '5.0',
      after: 'aio_poll',
      why: 'ppoll-based fd monitor, the default of every AioContext without io_uring monitoring.',
      add: {
        name: 'fdmon_poll_wait',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['qemu_poll_ns'],
        traceEvents: [],
        summary:
          'Fd monitor built on ppoll: gathers the pollfds of the registered handlers, sleeps in qemu_poll_ns and puts each handler whose fd fired on the ready list. Past a threshold of handlers it switches the context to epoll.',
      },
    },
    {
      since: '5.0',
      after: 'fdmon_poll_wait',
      why: 'epoll-based fd monitor for contexts with many handlers.',
      add: {
        name: 'fdmon_epoll_wait',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['epoll_wait', 'qemu_poll_ns'],
        traceEvents: [],
        summary:
          "Fd monitor built on epoll, used once a context's handler count makes ppoll expensive: waits on the epoll fd (through qemu_poll_ns when a timeout needs nanosecond precision) and queues the ready handlers.",
      },
    },
    {
      since: '5.0',
      after: 'fdmon_epoll_wait',
      why: 'io_uring-based fd monitor, chosen for every AioContext when QEMU is built with liburing and the kernel allows it.',
      add: {
        name: 'fdmon_io_uring_wait',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['io_uring_enter'],
        traceEvents: [],
        summary:
          'Fd monitor built on a per-context io_uring: poll requests for the handler fds sit in the ring and one io_uring_enter both submits changes and waits; completed poll entries put their handlers on the ready list.',
        notes:
          'aio_context_setup tries this monitor first, so an IOThread of a liburing build sleeps in io_uring_enter rather than ppoll. The glib main loop still uses ppoll.',
      },
    },
    {
      since: '5.0',
      why: 'Polling can drop handlers that stayed idle; io_uring adds its completion poller.',
      change: 'run_poll_handlers',
      patch: { addCalls: ['remove_idle_poll_handlers'] },
    },
    {
      since: '5.0',
      after: 'run_poll_handlers',
      why: 'Handlers idle for POLL_IDLE_INTERVAL_NS (7 s) stop being busy-polled.',
      add: {
        name: 'remove_idle_poll_handlers',
        ...PLAIN_QEMU,
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: ['virtio_queue_host_notifier_aio_poll_end'],
        indirectCalls: ['virtio_queue_host_notifier_aio_poll_end'],
        traceEvents: ['poll_remove'],
        summary:
          "After a polling round, takes out of the polled list every handler that found no work for 7 s (poll_remove) and, if polling is on, calls its poll_end hook so the guest's notifications come back for that queue.",
      },
    },
    {
      since: '5.0',
      why: 'io_uring completions are polled too.',
      change: 'run_poll_handlers_once',
      patch: {
        summary:
          "One round over the polled handlers' io_poll callbacks (virtqueue avail check, Linux AIO and io_uring completion peeks). Since 7.0 a callback that finds work only puts its handler on the ready list; the work runs at dispatch, and the next sleep's timeout drops to zero.",
        addCalls: ['qemu_luring_poll_cb'],
        indirectCalls: ['virtio_queue_host_notifier_aio_poll', 'qemu_laio_poll_cb', 'qemu_luring_poll_cb'],
      },
    },

    // ── virtqueue handling: split/packed rings (4.2), one handler path (7.0) ──
    {
      since: '7.0',
      why: 'The AioContext read handler of a host notifier is the one the main loop used already; the _aio_ variant is gone.',
      rename: 'virtio_queue_host_notifier_aio_read',
      to: 'virtio_queue_host_notifier_read',
      patch: {
        calls: ['event_notifier_test_and_clear', 'virtio_queue_notify_vq'],
        summary:
          "Read handler of a virtqueue's host notifier in whichever context owns it (main loop or IOThread): clears the eventfd the kick set and, if it was set, runs the queue through virtio_queue_notify_vq.",
      },
    },
    {
      since: '7.0',
      why: 'Dataplane and main-loop kicks share virtio_queue_notify_vq and vq->handle_output; handle_aio_output is gone.',
      rename: 'virtio_queue_notify_aio_vq',
      to: 'virtio_queue_notify_vq',
      patch: {
        calls: ['virtio_blk_handle_output'],
        indirectCalls: ['virtio_blk_handle_output'],
        summary:
          "Runs a virtqueue's device handler (vq->handle_output, virtio_blk_handle_output for virtio-blk) for a kick taken by a host notifier, after tracing virtio_queue_notify. Broken devices and queues without a ring are skipped.",
      },
    },
    {
      since: '7.0',
      why: 'The dataplane no longer has a handler of its own: virtio_blk_handle_output serves both cases.',
      remove: 'virtio_blk_data_plane_handle_output',
    },
    {
      since: '7.0',
      why: 'Folded into virtio_blk_handle_output when the two handler paths were unified.',
      remove: 'virtio_blk_handle_output_do',
    },
    {
      since: '7.0',
      why: 'The one virtio-blk queue handler: reached from host notifiers in the main loop or an IOThread, and on a vCPU only when no ioeventfd is active.',
      change: 'virtio_blk_handle_output',
      patch: {
        calls: ['virtio_device_start_ioeventfd', 'virtio_blk_handle_vq'],
        thread: 'main-loop-or-iothread',
        altThreads: ['vcpu'],
        summary:
          "virtio-blk's queue handler for every kick: if the dataplane (ioeventfd) should be running but has not started, it starts it and lets the host notifier deliver the kick; otherwise it processes the queue with virtio_blk_handle_vq.",
      },
    },
    {
      since: '7.0',
      why: 'The poll callback only checks for work; processing moves to the io_poll_ready handler.',
      change: 'virtio_queue_host_notifier_aio_poll',
      patch: {
        calls: ['virtio_queue_empty'],
        summary:
          "io_poll callback of a virtqueue's host notifier while the IOThread busy-polls: reports whether the avail ring holds new requests, without processing them; a true result puts the handler on the ready list for its io_poll_ready callback.",
      },
    },
    {
      since: '7.0',
      after: 'virtio_queue_host_notifier_aio_poll',
      why: 'New io_poll_ready callback: processing found by polling is dispatched like a ready fd.',
      add: {
        name: 'virtio_queue_host_notifier_aio_poll_ready',
        ...PLAIN_QEMU,
        stage: 'virtio',
        thread: 'main-loop-or-iothread',
        calls: ['virtio_queue_notify_vq'],
        traceEvents: [],
        summary:
          'Runs the queue that busy-polling found non-empty, through virtio_queue_notify_vq, from the dispatch phase of aio_poll. No eventfd was involved, so there is nothing to clear.',
      },
    },
    {
      since: '7.0',
      why: 'Poll callbacks only check; dispatch calls the io_poll_ready callbacks.',
      change: 'aio_dispatch_handler',
      patch: {
        addCalls: ['virtio_queue_host_notifier_aio_poll_ready', 'qemu_laio_poll_ready', 'qemu_luring_poll_ready'],
        indirectCalls: [
          'virtio_queue_host_notifier_read',
          'qemu_laio_completion_cb',
          'qemu_luring_completion_cb',
          'virtio_queue_host_notifier_aio_poll_ready',
          'qemu_laio_poll_ready',
          'qemu_luring_poll_ready',
        ],
      },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: popping dispatches to a split-ring or packed-ring variant, which fires the pop events.',
      change: 'virtqueue_pop',
      patch: {
        calls: ['virtqueue_split_pop', 'virtqueue_packed_pop', 'virtqueue_alloc_element'],
        notes: 'Split and packed rings each have their own pop since 4.2; virtio-blk guests normally use split rings.',
      },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: the used-ring write has split and packed variants.',
      change: 'virtqueue_fill',
      patch: { calls: ['virtqueue_unmap_sg', 'virtqueue_split_fill', 'virtqueue_packed_fill'] },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: publishing the used index has split and packed variants; the split one fires virtqueue_flush.',
      change: 'virtqueue_flush',
      patch: { calls: ['virtqueue_split_flush', 'virtqueue_packed_flush'] },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: the interrupt-suppression test has split and packed variants.',
      change: 'virtio_should_notify',
      patch: { calls: ['virtio_split_should_notify', 'virtio_packed_should_notify'] },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: notification suppression has split and packed variants.',
      change: 'virtio_queue_set_notification',
      patch: { calls: ['virtio_queue_split_set_notification', 'virtio_queue_packed_set_notification'] },
    },
    {
      since: '4.2',
      why: 'Packed virtqueues: the emptiness test has split and packed variants.',
      change: 'virtio_queue_empty',
      patch: { calls: ['virtio_queue_split_empty', 'virtio_queue_packed_empty'] },
    },
    {
      since: '4.1',
      catalogued: true,
      after: 'virtio_blk_data_plane_start',
      why: 'Present at 4.1.0; listed because its trace event identifies the vCPU thread in real logs.',
      add: {
        name: 'virtio_set_status',
        ...PLAIN_QEMU,
        stage: 'setup',
        thread: 'vcpu',
        altThreads: ['main-loop'],
        calls: ['virtio_blk_data_plane_start', 'virtio_blk_data_plane_stop'],
        indirectCalls: ['virtio_blk_data_plane_start', 'virtio_blk_data_plane_stop'],
        traceEvents: ['virtio_set_status'],
        summary:
          "Handles the guest's write of the device status byte on the vCPU that trapped: validates features, passes the new status to the device and the transport, which start ioeventfd/dataplane on DRIVER_OK and stop it on reset.",
        notes:
          'In the shared logs the guest’s status writes come from the vCPU thread; the last line, at QEMU exit, comes from the main loop resetting the device.',
      },
    },
    {
      since: '4.1',
      catalogued: true,
      after: 'virtio_set_status',
      why: 'Present at 4.1.0; listed because real logs end with its trace event.',
      add: {
        name: 'virtio_blk_data_plane_stop',
        ...PLAIN_QEMU,
        stage: 'setup',
        thread: 'vcpu',
        altThreads: ['main-loop'],
        calls: ['blk_set_aio_context'],
        traceEvents: ['virtio_blk_data_plane_stop'],
        summary:
          "Undoes the dataplane start when the guest resets the device or QEMU shuts down: detaches the host notifiers from the IOThread, moves the drive back to the main loop's AioContext and releases the guest notifiers.",
      },
    },
    {
      since: '7.0',
      why: 'Attaching host notifiers to an AioContext gets a dedicated helper with the io_poll_ready callback.',
      rename: 'virtio_queue_aio_set_host_notifier_handler',
      to: 'virtio_queue_aio_attach_host_notifier',
      patch: {
        summary:
          "Registers a virtqueue's host notifier with an AioContext: read handler, io_poll check, io_poll_ready processing and the poll begin/end hooks that toggle guest notifications.",
      },
    },

    // ── BlockBackend: _part entry points (4.2), in-flight counting (5.0), _co_do_ names (6.2) ──
    {
      since: '4.2',
      why: 'The BlockBackend AIO entries wait here while the backend is drained, which is a new yield point.',
      add: {
        name: 'blk_wait_while_drained',
        origin: 'qemu',
        stage: 'blk-co',
        thread: 'any',
        runsIn: 'coroutine',
        yields: true,
        directYield: true,
        calls: ['blk_dec_in_flight', 'qemu_co_queue_wait', 'blk_inc_in_flight'],
        traceEvents: [],
        summary:
          'Parks the request coroutine on the BlockBackend queue while the backend is quiesced (drain, graph change), releasing its in-flight count so the drain can finish, and resumes it when the drain ends. Free when nothing is draining.',
      },
      after: 'blk_aio_flush_entry',
    },
    {
      since: '5.0',
      why: 'The coroutine entry calls the internal writer directly (blk_do_pwritev_part in 5.0, renamed in 6.2); blk_co_pwritev remains only as an API wrapper that virtio-blk no longer passes through.',
      rename: 'blk_co_pwritev',
      to: 'blk_co_do_pwritev_part',
      patch: {
        calls: [
          'blk_wait_while_drained',
          'blk_check_byte_request',
          'bdrv_inc_in_flight',
          'throttle_group_co_io_limits_intercept',
          'bdrv_co_pwritev_part',
          'bdrv_dec_in_flight',
        ],
        summary:
          "BlockBackend write in the request coroutine: waits out a drain, traces blk_co_pwritev, checks the range, applies I/O throttling, sets FUA when the guest disabled the write cache and passes the request to the root node's bdrv_co_pwritev_part.",
      },
    },
    {
      since: '5.0',
      why: 'The read entry calls the internal reader directly (blk_do_preadv in 5.0, blk_co_do_preadv in 6.2, _part in 7.1).',
      rename: 'blk_co_preadv',
      to: 'blk_co_do_preadv_part',
      patch: {
        calls: [
          'blk_wait_while_drained',
          'blk_check_byte_request',
          'bdrv_inc_in_flight',
          'throttle_group_co_io_limits_intercept',
          'bdrv_co_preadv_part',
          'bdrv_dec_in_flight',
        ],
        summary:
          "BlockBackend read in the request coroutine: waits out a drain, traces blk_co_preadv, checks the range, applies throttling and hands the request to the root node's bdrv_co_preadv_part.",
      },
    },
    {
      since: '5.0',
      why: 'Flushes from the AIO entry go through the internal blk_do_flush (renamed blk_co_do_flush in 6.2), which also waits out a drain.',
      rename: 'blk_co_flush',
      to: 'blk_co_do_flush',
      patch: {
        calls: ['blk_wait_while_drained', 'blk_is_available', 'bdrv_co_flush'],
        summary:
          'BlockBackend flush in the request coroutine: waits out a drain, fails with ENOMEDIUM when no medium is attached, and flushes the root node with bdrv_co_flush.',
      },
    },
    {
      since: '4.2',
      why: 'The one-shot completion BH is scheduled through the record/replay layer, which falls back to aio_bh_schedule_oneshot.',
      change: 'blk_aio_prwv',
      patch: { addCalls: ['replay_bh_schedule_oneshot_event'], indirectCalls: ['aio_bh_schedule_oneshot'] },
    },
    {
      since: '6.1',
      why: 'Bottom halves carry a name for debugging; the one-shot scheduler takes it (aio_bh_schedule_oneshot is a macro).',
      rename: 'aio_bh_schedule_oneshot',
      to: 'aio_bh_schedule_oneshot_full',
    },
    {
      since: '5.0',
      why: 'The direct call to the internal reader replaces blk_co_preadv.',
      change: 'blk_aio_read_entry',
      patch: {
        summary:
          'Coroutine body of a BlockBackend AIO read: calls blk_co_do_preadv_part (it may suspend), stores the result and completes the AIOCB with blk_aio_complete.',
      },
    },
    {
      since: '5.0',
      why: 'The direct call to the internal flush replaces blk_co_flush.',
      change: 'blk_aio_flush_entry',
      patch: {
        summary:
          'Coroutine body of a callback-style flush: runs blk_co_do_flush (suspended while the host flush runs), stores the result and finishes through blk_aio_complete, which calls virtio_blk_flush_complete.',
      },
    },
    {
      since: '5.0',
      why: 'The direct call to the internal writer replaces blk_co_pwritev.',
      change: 'blk_aio_write_entry',
      patch: {
        summary:
          "Coroutine body of a BlockBackend AIO write: calls blk_co_do_pwritev_part with the request's offset and vector, stores the result and completes the AIOCB with blk_aio_complete (in place, or later from the BH of blk_aio_prwv).",
      },
    },

    // ── Generic block layer: _part functions (4.2), serialisation helpers (4.2, 6.0) ──
    {
      since: '4.2',
      why: 'The write body moves to bdrv_co_pwritev_part; bdrv_co_pwritev is a thin wrapper that raw-format still calls.',
      change: 'bdrv_co_pwritev',
      patch: {
        calls: ['bdrv_co_pwritev_part'],
        removeTraceEvents: ['bdrv_co_pwritev'],
        summary:
          'Thin wrapper kept for callers without a vector offset (raw-format passing a request to its file child): forwards to bdrv_co_pwritev_part with offset 0 into the vector.',
      },
    },
    {
      since: '4.2',
      after: 'bdrv_co_pwritev',
      why: 'Generic write path for a vector slice; it fires the write trace event (renamed after it in 6.0).',
      add: {
        name: 'bdrv_co_pwritev_part',
        origin: 'qemu',
        stage: 'bdrv',
        thread: 'any',
        runsIn: 'coroutine',
        yields: true,
        directYield: false,
        calls: [
          'bdrv_check_request32',
          'bdrv_pad_request',
          'bdrv_inc_in_flight',
          'tracked_request_begin',
          'bdrv_make_request_serialising',
          'bdrv_wait_serialising_requests',
          'bdrv_padding_rmw_read',
          'bdrv_aligned_preadv',
          'bdrv_aligned_pwritev',
          'tracked_request_end',
          'bdrv_dec_in_flight',
        ],
        // the serialising wait and the reads of the unaligned edges, through the padding helpers
        indirectCalls: ['bdrv_wait_serialising_requests', 'bdrv_aligned_preadv'],
        traceEvents: ['bdrv_co_pwritev'],
        summary:
          "Per-node write: traces the request, checks it, pads an unaligned request to the node's alignment (reading the edges first), registers it as a tracked request and writes it with bdrv_aligned_pwritev. Runs once for the format node and once for the file node.",
        notes:
          'Padding became bdrv_pad_request/bdrv_padding_rmw_read in 4.2; the range check became bdrv_check_request32 with 64-bit lengths in 6.0.',
      },
    },
    {
      since: '4.2',
      why: 'The read body moves to bdrv_co_preadv_part; bdrv_co_preadv is a thin wrapper.',
      change: 'bdrv_co_preadv',
      patch: {
        calls: ['bdrv_co_preadv_part'],
        removeTraceEvents: ['bdrv_co_preadv'],
        summary:
          'Thin wrapper for callers without a vector offset (raw-format reading its file child): forwards to bdrv_co_preadv_part.',
      },
    },
    {
      since: '4.2',
      after: 'bdrv_co_preadv',
      why: 'Generic read path for a vector slice; it fires the read trace event (renamed after it in 6.0).',
      add: {
        name: 'bdrv_co_preadv_part',
        origin: 'qemu',
        stage: 'bdrv',
        thread: 'any',
        runsIn: 'coroutine',
        yields: true,
        directYield: false,
        calls: [
          'bdrv_check_request32',
          'bdrv_inc_in_flight',
          'bdrv_pad_request',
          'tracked_request_begin',
          'bdrv_aligned_preadv',
          'tracked_request_end',
          'bdrv_dec_in_flight',
        ],
        traceEvents: ['bdrv_co_preadv'],
        summary:
          'Per-node read: traces the request, checks it, pads it to the alignment when needed, tracks it and reads with bdrv_aligned_preadv. Format and file node each run it once per guest read.',
      },
    },
    {
      since: '4.2',
      why: 'Serialisation helpers become public under bdrv_ names; in 5.0 the waiting loop moves to a _locked variant.',
      rename: 'wait_serialising_requests',
      to: 'bdrv_wait_serialising_requests',
      patch: {
        calls: [
          'qemu_co_mutex_lock',
          'bdrv_wait_serialising_requests_locked',
          'qemu_co_mutex_unlock',
          'qemu_coroutine_yield',
        ],
        // it waits in bdrv_wait_serialising_requests_locked's qemu_co_queue_wait
        indirectCalls: ['qemu_coroutine_yield'],
        directYield: false,
        summary:
          'Waits, under the node request lock, until no serialising request overlaps this one; cheap when the node has no serialising requests in flight.',
      },
    },
    {
      since: '5.0',
      after: 'bdrv_wait_serialising_requests',
      why: 'The wait loop is split out so callers holding reqs_lock can use it.',
      add: {
        name: 'bdrv_wait_serialising_requests_locked',
        origin: 'qemu',
        stage: 'bdrv',
        thread: 'any',
        runsIn: 'coroutine',
        yields: true,
        directYield: true,
        calls: ['bdrv_find_conflicting_request', 'qemu_co_queue_wait'],
        traceEvents: [],
        summary:
          "Loop behind bdrv_wait_serialising_requests for callers that already hold the node's reqs_lock: sleeps on the conflicting request's queue until no overlapping serialising request is left.",
      },
    },
    {
      since: '4.2',
      why: 'The serialisation helpers become public under bdrv_ names.',
      change: 'bdrv_co_write_req_prepare',
      patch: { removeCalls: ['mark_request_serialising'], addCalls: ['bdrv_mark_request_serialising'] },
    },
    {
      since: '6.0',
      why: 'Serialising is split from waiting (tracked_request_set_serialising, then a _locked wait).',
      change: 'bdrv_co_write_req_prepare',
      patch: {
        removeCalls: ['bdrv_mark_request_serialising'],
        addCalls: ['tracked_request_set_serialising', 'bdrv_wait_serialising_requests_locked'],
      },
    },
    {
      since: '6.1',
      why: 'The write-threshold check is a direct call instead of a before-write notifier.',
      change: 'bdrv_co_write_req_prepare',
      patch: {
        removeCalls: ['notifier_with_return_list_notify'],
        addCalls: ['bdrv_write_threshold_check_write'],
        summary:
          'Checks before a write may go ahead: node writable and permission held, serialisation when the flags ask for it, waiting for overlapping serialising requests, and the write-threshold check that raises a QMP event when a watermark is crossed.',
      },
    },
    {
      since: '5.2',
      why: 'Synchronous flush is generated by block-coroutine-wrapper; its coroutine entry is generated too.',
      rename: 'bdrv_flush_co_entry',
      to: 'bdrv_flush_entry',
      patch: {
        calls: ['bdrv_co_flush', 'aio_wait_kick'],
        summary:
          'Generated coroutine entry of the synchronous bdrv_flush wrapper: runs bdrv_co_flush, stores the result and kicks the waiter polling for it.',
        notes: 'Generated at build time into block/block-gen.c, so it has no line in the source tree.',
      },
    },
    {
      since: '5.2',
      why: 'The synchronous wrapper is generated by scripts/block-coroutine-wrapper.py.',
      change: 'bdrv_flush',
      patch: {
        summary:
          'Synchronous flush of one node, generated: in a coroutine it calls bdrv_co_flush directly; outside one, as on the VM-stop path, it creates a coroutine on bdrv_flush_entry, enters it in the node’s AioContext and polls until it has stored a result.',
        notes: 'Generated at build time into block/block-gen.c from its declaration in include/block/block-io.h.',
      },
    },

    // ── file-posix and io_uring (5.0) ──
    {
      since: '5.0',
      why: 'aio=io_uring: aligned requests go to io_uring before Linux AIO is considered.',
      change: 'raw_co_prw',
      patch: {
        addCalls: ['aio_get_linux_io_uring', 'luring_co_submit'],
        summary:
          'Picks the backend of a file-posix read or write: a misaligned O_DIRECT request goes to the thread pool; else io_uring with aio=io_uring, Linux AIO with aio=native, the thread pool otherwise.',
      },
    },
    {
      since: '5.0',
      why: 'aio=io_uring flushes with an io_uring fsync entry instead of the thread pool.',
      change: 'raw_co_flush_to_disk',
      patch: {
        addCalls: ['aio_get_linux_io_uring', 'luring_co_submit'],
        summary:
          'file-posix flush hook: with aio=io_uring an fsync entry on the ring; otherwise an fdatasync job (handle_aiocb_flush) on the thread pool, the coroutine suspended until it returns.',
        notes: 'With aio=native the flush still goes to the thread pool until 9.1.',
      },
    },
    {
      since: '5.0',
      why: 'Plugging also batches io_uring submissions.',
      change: 'raw_aio_plug',
      patch: { addCalls: ['aio_get_linux_io_uring', 'luring_io_plug'] },
    },
    {
      since: '5.0',
      why: 'Unplugging also submits the queued io_uring entries.',
      change: 'raw_aio_unplug',
      patch: { addCalls: ['aio_get_linux_io_uring', 'luring_io_unplug'] },
    },
    {
      since: '5.0',
      why: 'io_uring.c has a static ioq_submit of its own; this one is linux-aio.c’s.',
      change: 'ioq_submit',
      patch: { qualifier: 'linux-aio' },
    },
    {
      since: '5.0',
      why: 'Linux AIO MAX_EVENTS grows from 128 to 1024.',
      change: 'ioq_submit@linux-aio',
      patch: {
        summary:
          'Moves pending iocbs into the kernel with io_submit, never letting more than 1024 be in flight. EAGAIN ends the attempt and flags the queue blocked; another error completes the first iocb with it and retries the rest. Then, if anything is in flight, it checks the completion ring at once.',
      },
    },
    {
      since: '6.1',
      why: 'With plugging, Linux AIO still submits once the queue reaches the batch size (aio-max-batch, 32 by default); 6.2 adds a per-drive limit.',
      change: 'laio_do_submit',
      patch: {
        summary:
          'Builds the iocb (completion signalled on the Linux AIO eventfd) and queues it; io_submit follows at once unless the queue is blocked, and only when nothing is plugged or the queue reached the batch limit.',
        notes:
          'MAX_EVENTS (the io_setup size and in-flight cap) is 1024 since 5.0. The batch limit is the smallest of the IOThread aio-max-batch (32 when 0), the drive aio-max-batch and the free events.',
      },
    },
    {
      since: '7.0',
      why: 'The Linux AIO poll callback only checks the completion ring; processing moves to qemu_laio_poll_ready.',
      change: 'qemu_laio_poll_cb',
      patch: {
        calls: ['io_getevents_peek'],
        summary:
          'io_poll callback of the Linux AIO eventfd: reports whether the shared completion ring holds events, without reaping them (qemu_laio_poll_ready does that from dispatch).',
      },
    },
    {
      since: '7.0',
      after: 'qemu_laio_poll_cb',
      why: 'New io_poll_ready callback of the Linux AIO handler.',
      add: {
        name: 'qemu_laio_poll_ready',
        ...PLAIN_QEMU,
        stage: 'laio-complete',
        thread: 'main-loop-or-iothread',
        calls: ['qemu_laio_process_completions_and_submit'],
        traceEvents: [],
        summary:
          'Reaps the Linux AIO completions that busy-polling saw and resubmits any queued iocbs, from the dispatch phase of aio_poll.',
      },
    },
    ...uringFunctions(),

    // ── Thread pool: condition variable instead of a semaphore (7.1) ──
    {
      since: '7.1',
      why: 'Workers wait on a condition variable: submitting signals it instead of posting a semaphore.',
      rename: 'qemu_sem_post',
      to: 'qemu_cond_signal',
      patch: {
        calls: ['pthread_cond_signal'],
        summary:
          "Wakes one pool worker waiting on the pool's request condition variable after a job was queued; with no idle worker the signal is lost harmlessly, since a new worker is being spawned.",
      },
    },
    {
      since: '7.1',
      why: 'Idle workers wait on a condition variable with a 10 s timeout (qemu_cond_timedwait is a macro for _impl).',
      rename: 'qemu_sem_timedwait',
      to: 'qemu_cond_timedwait_impl',
      patch: {
        calls: ['pthread_cond_timedwait'],
        summary:
          "An idle pool worker's wait for work on the request condition variable, under the pool lock, for at most 10 s; on timeout a worker above the pool minimum exits.",
      },
    },
    {
      since: '7.1',
      why: 'Submitting signals the request condition variable instead of posting a semaphore.',
      change: 'thread_pool_submit_aio',
      patch: {
        summary:
          "Enqueues one job: creates a ThreadPoolElement in state QUEUED on the pool's element list; with the pool mutex held, asks for another worker when none is idle and the pool is below thread-pool-max (64 by default), queues the job and signals the request condition variable. Fires thread_pool_submit.",
      },
    },
    {
      since: '7.1',
      why: 'Workers wait on a condition variable; above thread-pool-min an idle worker exits after 10 s.',
      change: 'worker_thread',
      patch: {
        summary:
          'Worker loop: starts the next owed worker, then waits on the request condition variable (an idle worker above thread-pool-min leaves after 10 s), takes the oldest job, runs it without the pool lock, stores the result before marking it DONE and schedules the pool completion BH.',
      },
    },
    {
      since: '6.1',
      why: 'A failed fdatasync is traced.',
      change: 'handle_aiocb_flush',
      patch: { addTraceEvents: ['file_flush_fdatasync_failed'] },
    },

    // ── Errors, stop and resume ──
    {
      since: '7.0',
      why: 'Renamed: cont re-activates the block nodes with bdrv_activate_all.',
      change: 'qmp_cont',
      patch: { removeCalls: ['bdrv_invalidate_cache_all'], addCalls: ['bdrv_activate_all'] },
    },
    {
      since: '7.2',
      why: 'AioContext moves use the new change-context API inside blk_do_set_aio_context.',
      change: 'blk_set_aio_context',
      patch: { removeCalls: ['bdrv_child_try_set_aio_context'] },
    },
    {
      since: '5.1',
      why: 'Parked requests are replayed by a helper that runs in the BlockBackend AioContext.',
      change: 'virtio_blk_dma_restart_bh',
      patch: {
        calls: ['qemu_bh_delete', 'virtio_blk_process_queued_requests'],
        summary:
          'BH that retries the requests parked by werror/rerror=stop once the VM runs again: deletes itself and hands the parked list to virtio_blk_process_queued_requests.',
      },
    },
    {
      since: '5.1',
      after: 'virtio_blk_dma_restart_bh',
      why: 'Replay of parked requests is factored out (the dataplane start calls it too).',
      add: {
        name: 'virtio_blk_process_queued_requests',
        ...PLAIN_QEMU,
        stage: 'error',
        thread: 'main-loop-or-iothread',
        calls: [
          'aio_context_acquire',
          'virtio_blk_handle_request',
          'virtio_blk_submit_multireq',
          'blk_dec_in_flight',
          'aio_context_release',
        ],
        traceEvents: [],
        summary:
          'Takes the list of requests parked by werror/rerror=stop and submits each again as if just popped (merging as usual), in the BlockBackend AioContext; drops them all if the device turned out broken.',
      },
    },
  ],

  // Events fired off the simulated path, and the function that fires each at 7.2.0.
  emitters: {
    bdrv_co_pwrite_zeroes: ['bdrv_co_pwrite_zeroes', 'block/io.c', 2309],
    bdrv_co_do_copy_on_readv: ['bdrv_co_do_copy_on_readv', 'block/io.c', 1309],
    bdrv_co_copy_range_from: ['bdrv_co_copy_range_from', 'block/io.c', 3418],
    bdrv_co_copy_range_to: ['bdrv_co_copy_range_to', 'block/io.c', 3435],
    file_paio_submit: ['paio_submit', 'block/file-win32.c', 150],
    luring_init_state: ['luring_init', 'block/io_uring.c', 417],
    luring_cleanup_state: ['luring_cleanup', 'block/io_uring.c', 437],
    virtio_pci_notify_write_pio: ['virtio_pci_notify_write_pio', 'hw/virtio/virtio-pci.c', 1440],
    qemu_co_mutex_lock_entry: ['qemu_co_mutex_lock_slowpath', 'util/qemu-coroutine-lock.c', 195],
    qemu_co_mutex_lock_return: ['qemu_co_mutex_lock_slowpath', 'util/qemu-coroutine-lock.c', 195],
    qemu_co_mutex_unlock_return: ['qemu_co_mutex_unlock', 'util/qemu-coroutine-lock.c', 271],
    thread_pool_cancel: ['thread_pool_cancel', 'util/thread-pool.c', 217],
  },

  // Where each function is at 7.2.0 (line of its name); generated functions have no line in the tree.
  locations: {
    kvm_vcpu_thread_fn: ['accel/kvm/kvm-accel-ops.c', 29],
    kvm_cpu_exec: ['accel/kvm/kvm-all.c', 2811],
    virtio_pci_notify_write: ['hw/virtio/virtio-pci.c', 1426],
    virtio_queue_notify: ['hw/virtio/virtio.c', 2855],
    qemu_main_loop: ['softmmu/runstate.c', 728],
    main_loop_should_exit: ['softmmu/runstate.c', 671],
    main_loop_wait: ['util/main-loop.c', 577],
    os_host_main_loop_wait: ['util/main-loop.c', 303],
    glib_pollfds_fill: ['util/main-loop.c', 262],
    aio_ctx_prepare: ['util/async.c', 262],
    qemu_poll_ns: ['util/qemu-timer.c', 335],
    glib_pollfds_poll: ['util/main-loop.c', 291],
    aio_ctx_check: ['util/async.c', 286],
    aio_notify_accept: ['util/async.c', 465],
    aio_ctx_dispatch: ['util/async.c', 313],
    notify_event_cb: ['util/main-loop.c', 137],
    aio_dispatch: ['util/aio-posix.c', 418],
    aio_bh_poll: ['util/async.c', 154],
    aio_dispatch_handlers: ['util/aio-posix.c', 406],
    aio_dispatch_handler: ['util/aio-posix.c', 325],
    aio_dispatch_ready_handlers: ['util/aio-posix.c', 391],
    iothread_run: ['iothread.c', 43],
    aio_poll: ['util/aio-posix.c', 603],
    fdmon_poll_wait: ['util/fdmon-poll.c', 59],
    fdmon_epoll_wait: ['util/fdmon-epoll.c', 56],
    fdmon_io_uring_wait: ['util/fdmon-io_uring.c', 273],
    try_poll_mode: ['util/aio-posix.c', 577],
    poll_set_started: ['util/aio-posix.c', 219],
    run_poll_handlers: ['util/aio-posix.c', 521],
    remove_idle_poll_handlers: ['util/aio-posix.c', 466],
    run_poll_handlers_once: ['util/aio-posix.c', 429],
    qemu_bh_schedule: ['util/async.c', 193],
    aio_bh_schedule_oneshot_full: ['util/async.c', 120],
    aio_notify: ['util/async.c', 446],
    event_notifier_set: ['util/event_notifier-posix.c', 104],
    event_notifier_test_and_clear: ['util/event_notifier-posix.c', 124],
    virtio_queue_host_notifier_read: ['hw/virtio/virtio.c', 4099],
    virtio_queue_host_notifier_aio_poll_begin: ['hw/virtio/virtio.c', 4037],
    virtio_queue_host_notifier_aio_poll: ['hw/virtio/virtio.c', 4044],
    virtio_queue_host_notifier_aio_poll_ready: ['hw/virtio/virtio.c', 4052],
    virtio_queue_host_notifier_aio_poll_end: ['hw/virtio/virtio.c', 4059],
    virtio_queue_notify_vq: ['hw/virtio/virtio.c', 2837],
    virtio_blk_handle_output: ['hw/block/virtio-blk.c', 793],
    virtio_blk_handle_vq: ['hw/block/virtio-blk.c', 758],
    virtio_queue_set_notification: ['hw/virtio/virtio.c', 974],
    virtio_queue_empty: ['hw/virtio/virtio.c', 1148],
    virtio_blk_get_request: ['hw/block/virtio-blk.c', 236],
    virtqueue_pop: ['hw/virtio/virtio.c', 2168],
    virtio_blk_handle_request: ['hw/block/virtio-blk.c', 604],
    virtio_blk_sect_range_ok: ['hw/block/virtio-blk.c', 504],
    block_acct_start: ['block/accounting.c', 105],
    virtio_blk_handle_flush: ['hw/block/virtio-blk.c', 488],
    virtio_blk_submit_multireq: ['hw/block/virtio-blk.c', 437],
    submit_requests: ['hw/block/virtio-blk.c', 366],
    block_acct_merge_done: ['block/accounting.c', 271],
    blk_io_plug: ['block/block-backend.c', 2297],
    bdrv_io_plug: ['block/io.c', 3247],
    raw_aio_plug: ['block/file-posix.c', 2139],
    laio_io_plug: ['block/linux-aio.c', 357],
    luring_io_plug: ['block/io_uring.c', 309],
    blk_io_unplug: ['block/block-backend.c', 2307],
    bdrv_io_unplug: ['block/io.c', 3264],
    raw_aio_unplug: ['block/file-posix.c', 2156],
    laio_io_unplug: ['block/linux-aio.c', 362],
    luring_io_unplug: ['block/io_uring.c', 315],
    blk_aio_pwritev: ['block/block-backend.c', 1621],
    blk_aio_preadv: ['block/block-backend.c', 1611],
    blk_aio_flush: ['block/block-backend.c', 1758],
    blk_aio_prwv: ['block/block-backend.c', 1515],
    bdrv_coroutine_enter: ['block.c', 7145],
    qemu_coroutine_create: ['util/qemu-coroutine.c', 57],
    qemu_coroutine_new: ['util/coroutine-ucontext.c', 182],
    coroutine_trampoline: ['util/coroutine-ucontext.c', 150],
    aio_co_enter: ['util/async.c', 652],
    qemu_aio_coroutine_enter: ['util/qemu-coroutine.c', 119],
    qemu_coroutine_enter: ['util/qemu-coroutine.c', 183],
    qemu_coroutine_switch: ['util/coroutine-ucontext.c', 296],
    qemu_coroutine_yield: ['util/qemu-coroutine.c', 195],
    qemu_coroutine_self: ['util/coroutine-ucontext.c', 320],
    qemu_coroutine_entered: ['util/qemu-coroutine.c', 211],
    coroutine_delete: ['util/qemu-coroutine.c', 99],
    aio_co_wake: ['util/async.c', 639],
    aio_co_schedule: ['util/async.c', 583],
    co_schedule_bh_cb: ['util/async.c', 502],
    blk_aio_write_entry: ['block/block-backend.c', 1560],
    blk_aio_read_entry: ['block/block-backend.c', 1548],
    blk_aio_flush_entry: ['block/block-backend.c', 1749],
    blk_wait_while_drained: ['block/block-backend.c', 1270],
    blk_co_do_pwritev_part: ['block/block-backend.c', 1357],
    blk_co_do_preadv_part: ['block/block-backend.c', 1283],
    blk_co_do_flush: ['block/block-backend.c', 1737],
    bdrv_co_pwritev: ['block/io.c', 2209],
    bdrv_co_pwritev_part: ['block/io.c', 2217],
    bdrv_co_preadv: ['block/io.c', 1765],
    bdrv_co_preadv_part: ['block/io.c', 1773],
    bdrv_co_flush: ['block/io.c', 2935],
    tracked_request_begin: ['block/io.c', 756],
    tracked_request_end: ['block/io.c', 741],
    bdrv_wait_serialising_requests: ['block/io.c', 936],
    bdrv_wait_serialising_requests_locked: ['block/io.c', 834],
    bdrv_aligned_pwritev: ['block/io.c', 2053],
    bdrv_aligned_preadv: ['block/io.c', 1473],
    bdrv_co_write_req_prepare: ['block/io.c', 1956],
    bdrv_co_write_req_finish: ['block/io.c', 2010],
    bdrv_driver_pwritev: ['block/io.c', 1192],
    bdrv_driver_preadv: ['block/io.c', 1123],
    'raw_co_pwritev@raw-format': ['block/raw-format.c', 220],
    'raw_co_preadv@raw-format': ['block/raw-format.c', 205],
    raw_adjust_offset: ['block/raw-format.c', 185],
    bdrv_debug_event: ['block.c', 6307],
    blkdebug_debug_event: ['block/blkdebug.c', 840],
    blkdebug_co_pwritev: ['block/blkdebug.c', 652],
    blkdebug_co_preadv: ['block/blkdebug.c', 631],
    blkdebug_co_flush: ['block/blkdebug.c', 672],
    rule_check: ['block/blkdebug.c', 587],
    'raw_co_pwritev@file-posix': ['block/file-posix.c', 2132],
    'raw_co_preadv@file-posix': ['block/file-posix.c', 2125],
    raw_co_prw: ['block/file-posix.c', 2077],
    raw_co_flush_to_disk: ['block/file-posix.c', 2173],
    aio_get_linux_aio: ['util/async.c', 416],
    laio_co_submit: ['block/linux-aio.c', 414],
    laio_do_submit: ['block/linux-aio.c', 381],
    'ioq_submit@linux-aio': ['block/linux-aio.c', 286],
    qemu_laio_completion_cb: ['block/linux-aio.c', 251],
    qemu_laio_poll_cb: ['block/linux-aio.c', 260],
    qemu_laio_poll_ready: ['block/linux-aio.c', 269],
    qemu_laio_completion_bh: ['block/linux-aio.c', 244],
    qemu_laio_process_completions_and_submit: ['block/linux-aio.c', 233],
    qemu_laio_process_completions: ['block/linux-aio.c', 201],
    io_getevents_peek: ['block/linux-aio.c', 140],
    io_getevents_advance_and_peek: ['block/linux-aio.c', 181],
    qemu_laio_process_completion: ['block/linux-aio.c', 78],
    luring_co_submit: ['block/io_uring.c', 376],
    luring_do_submit: ['block/io_uring.c', 337],
    'ioq_submit@io_uring': ['block/io_uring.c', 219],
    qemu_luring_completion_cb: ['block/io_uring.c', 280],
    qemu_luring_poll_cb: ['block/io_uring.c', 286],
    qemu_luring_poll_ready: ['block/io_uring.c', 293],
    qemu_luring_completion_bh: ['block/io_uring.c', 274],
    luring_process_completions_and_submit: ['block/io_uring.c', 263],
    luring_process_completions: ['block/io_uring.c', 121],
    luring_resubmit_short_read: ['block/io_uring.c', 78],
    raw_thread_pool_submit: ['block/file-posix.c', 2047],
    aio_get_thread_pool: ['util/async.c', 396],
    thread_pool_submit_co: ['util/thread-pool.c', 287],
    thread_pool_submit_aio: ['util/thread-pool.c', 248],
    qemu_cond_signal: ['util/qemu-thread-posix.c', 194],
    spawn_thread: ['util/thread-pool.c', 157],
    spawn_thread_bh_fn: ['util/thread-pool.c', 148],
    do_spawn_thread: ['util/thread-pool.c', 133],
    qemu_thread_create: ['util/qemu-thread-posix.c', 513],
    worker_thread: ['util/thread-pool.c', 76],
    qemu_cond_timedwait_impl: ['util/qemu-thread-posix.c', 242],
    handle_aiocb_rw: ['block/file-posix.c', 1531],
    handle_aiocb_rw_linear: ['block/file-posix.c', 1491],
    handle_aiocb_rw_vector: ['block/file-posix.c', 1462],
    handle_aiocb_flush: ['block/file-posix.c', 1393],
    thread_pool_completion_bh: ['util/thread-pool.c', 173],
    thread_pool_co_cb: ['util/thread-pool.c', 279],
    blk_aio_complete: ['block/block-backend.c', 1499],
    blk_aio_complete_bh: ['block/block-backend.c', 1508],
    virtio_blk_rw_complete: ['hw/block/virtio-blk.c', 97],
    virtio_blk_flush_complete: ['hw/block/virtio-blk.c', 139],
    block_acct_done: ['block/accounting.c', 244],
    virtio_blk_free_request: ['hw/block/virtio-blk.c', 50],
    virtio_blk_req_complete: ['hw/block/virtio-blk.c', 55],
    virtqueue_push: ['hw/virtio/virtio.c', 1400],
    virtqueue_fill: ['hw/virtio/virtio.c', 1324],
    virtqueue_flush: ['hw/virtio/virtio.c', 1386],
    virtio_blk_data_plane_notify: ['hw/block/dataplane/virtio-blk.c', 49],
    notify_guest_bh: ['hw/block/dataplane/virtio-blk.c', 59],
    virtio_notify_irqfd: ['hw/virtio/virtio.c', 3028],
    virtio_should_notify: ['hw/virtio/virtio.c', 3019],
    virtio_notify: ['hw/virtio/virtio.c', 3063],
    virtio_blk_handle_rw_error: ['hw/block/virtio-blk.c', 73],
    block_acct_failed: ['block/accounting.c', 249],
    blk_get_error_action: ['block/block-backend.c', 1833],
    blk_error_action: ['block/block-backend.c', 1873],
    blk_iostatus_set_err: ['block/block-backend.c', 1210],
    send_qmp_error_event: ['block/block-backend.c', 1855],
    qemu_system_vmstop_request_prepare: ['softmmu/runstate.c', 254],
    qemu_system_vmstop_request: ['softmmu/runstate.c', 259],
    vm_stop: ['softmmu/cpus.c', 662],
    do_vm_stop: ['softmmu/cpus.c', 254],
    bdrv_drain_all: ['block/io.c', 729],
    bdrv_flush_all: ['block/io.c', 2326],
    bdrv_flush: ['block/block-gen.c'],
    bdrv_flush_entry: ['block/block-gen.c'],
    pause_all_vcpus: ['softmmu/cpus.c', 552],
    runstate_set: ['softmmu/runstate.c', 202],
    vm_state_notify: ['softmmu/runstate.c', 322],
    qmp_cont: ['monitor/qmp-cmds.c', 111],
    vm_start: ['softmmu/cpus.c', 720],
    vm_prepare_start: ['softmmu/cpus.c', 683],
    resume_all_vcpus: ['softmmu/cpus.c', 590],
    virtio_blk_dma_restart_cb: ['hw/block/virtio-blk.c', 853],
    virtio_blk_dma_restart_bh: ['hw/block/virtio-blk.c', 843],
    virtio_blk_process_queued_requests: ['hw/block/virtio-blk.c', 809],
    virtio_blk_data_plane_start: ['hw/block/dataplane/virtio-blk.c', 158],
    virtio_set_status: ['hw/virtio/virtio.c', 2420],
    virtio_blk_data_plane_stop: ['hw/block/dataplane/virtio-blk.c', 303],
    virtio_queue_aio_attach_host_notifier: ['hw/virtio/virtio.c', 4067],
    blk_set_aio_context: ['block/block-backend.c', 2181],
    aio_setup_linux_aio: ['util/async.c', 405],
  },
};

/** aio=io_uring (block/io_uring.c, 5.0), as it is at 7.2: plugged batches, eventfd or polled completions. */
function uringFunctions(): VersionDelta['functions'] {
  return [
    {
      since: '5.0',
      after: 'qemu_laio_process_completion',
      why: 'aio=io_uring: a request coroutine queues an io_uring entry and yields until its completion.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_co_submit',
        stage: 'uring-submit',
        thread: 'any',
        runsIn: 'coroutine',
        yields: true,
        directYield: true,
        calls: ['qemu_coroutine_self', 'luring_do_submit', 'qemu_coroutine_yield'],
        traceEvents: ['luring_co_submit'],
        summary:
          'io_uring entry of a file-posix request (read, write or fsync), in its coroutine: records the coroutine in a LuringAIOCB on its stack, queues the entry and yields until the completion sets the result.',
      },
    },
    {
      since: '5.0',
      after: 'luring_co_submit',
      why: 'aio=io_uring: prepares the submission entry and submits at once unless plugged.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_do_submit',
        stage: 'uring-submit',
        thread: 'any',
        runsIn: 'coroutine',
        calls: ['io_uring_prep_writev', 'io_uring_prep_readv', 'io_uring_prep_fsync', 'ioq_submit@io_uring'],
        traceEvents: ['luring_do_submit', 'luring_do_submit_done'],
        summary:
          'Fills the submission entry (readv, writev or fdatasync-style fsync) and appends it to the submit queue; it submits right away when not plugged or when the ring would be full, otherwise unplug does it.',
      },
    },
    {
      since: '5.0',
      after: 'luring_do_submit',
      why: 'aio=io_uring: moves queued entries into the ring and enters the kernel.',
      add: {
        ...PLAIN_QEMU,
        name: 'ioq_submit',
        qualifier: 'io_uring',
        stage: 'uring-submit',
        thread: 'main-loop-or-iothread',
        runsIn: 'either',
        calls: ['io_uring_get_sqe', 'io_uring_submit', 'io_uring_enter', 'luring_process_completions'],
        indirectCalls: ['io_uring_enter'],
        traceEvents: ['luring_io_uring_submit'],
        summary:
          "io_uring's submit loop: copies queued entries into free ring slots and calls io_uring_submit (one io_uring_enter for the batch); marks the queue blocked if entries are left, then reaps any completions already there.",
      },
    },
    {
      since: '5.0',
      after: 'laio_io_plug',
      why: 'aio=io_uring: plug counts nesting so submissions wait for unplug.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_io_plug',
        stage: 'plug',
        thread: 'main-loop-or-iothread',
        calls: [],
        traceEvents: ['luring_io_plug'],
        summary:
          'Raises the io_uring plug count at the start of a virtqueue pass so entries queue up instead of being submitted one by one.',
      },
    },
    {
      since: '5.0',
      after: 'laio_io_unplug',
      why: 'aio=io_uring: unplug submits what was queued.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_io_unplug',
        stage: 'plug',
        thread: 'main-loop-or-iothread',
        calls: ['ioq_submit@io_uring'],
        traceEvents: ['luring_io_unplug'],
        summary:
          'Lowers the io_uring plug count and, when the outermost plug ends with entries queued and the queue not blocked, submits them all with one io_uring_enter.',
      },
    },
    {
      since: '5.0',
      after: 'ioq_submit@io_uring',
      why: 'aio=io_uring: the ring eventfd handler.',
      add: {
        ...PLAIN_QEMU,
        name: 'qemu_luring_completion_cb',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        calls: ['luring_process_completions_and_submit'],
        traceEvents: [],
        summary:
          "Read handler of the ring's eventfd: the kernel posted completions, so reap them and submit what waited for room.",
      },
    },
    {
      since: '5.0',
      after: 'qemu_luring_completion_cb',
      why: 'aio=io_uring: completions can be polled.',
      add: {
        ...PLAIN_QEMU,
        name: 'qemu_luring_poll_cb',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        calls: ['io_uring_cq_ready'],
        traceEvents: [],
        summary:
          'io_poll callback of the io_uring handler: reports whether the completion ring has entries (since 7.0 without reaping them).',
      },
    },
    {
      since: '7.0',
      after: 'qemu_luring_poll_cb',
      why: 'The poll/ready split: reaping after a successful poll is its own callback.',
      add: {
        ...PLAIN_QEMU,
        name: 'qemu_luring_poll_ready',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        calls: ['luring_process_completions_and_submit'],
        traceEvents: [],
        summary: 'io_poll_ready callback: reaps the completions polling found, from the dispatch phase of aio_poll.',
      },
    },
    {
      since: '5.0',
      after: 'qemu_luring_poll_cb',
      why: 'aio=io_uring: BH that finishes reaping when a completion callback ran a nested event loop.',
      add: {
        ...PLAIN_QEMU,
        name: 'qemu_luring_completion_bh',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        calls: ['luring_process_completions_and_submit'],
        traceEvents: [],
        summary:
          'Bottom half scheduled while completions are processed, so a nested event loop inside a completion callback still sees the remaining completions; cancelled when the pass finishes normally.',
      },
    },
    {
      since: '5.0',
      after: 'qemu_luring_completion_bh',
      why: 'aio=io_uring: reap, then resubmit what was left queued.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_process_completions_and_submit',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        calls: ['aio_context_acquire', 'luring_process_completions', 'ioq_submit@io_uring', 'aio_context_release'],
        traceEvents: [],
        summary:
          'Reaps the completion ring and, if entries are still queued and no plug is open, submits them; under the AioContext lock.',
      },
    },
    {
      since: '5.0',
      after: 'luring_process_completions_and_submit',
      why: 'aio=io_uring: walks the completion ring and wakes each request coroutine.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_process_completions',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        runsIn: 'either',
        calls: [
          'qemu_bh_schedule',
          'io_uring_peek_cqe',
          'io_uring_cqe_seen',
          'luring_resubmit_short_read',
          'qemu_coroutine_entered',
          'aio_co_wake',
          'qemu_bh_cancel',
        ],
        traceEvents: ['luring_process_completion'],
        summary:
          'Takes each completion from the ring: retries EINTR/EAGAIN, resubmits the rest of a short read, turns a short write into ENOSPC, stores the result and wakes the request coroutine with aio_co_wake unless it is the one running.',
        notes: 'A flush or fsync entry has no vector, so its result is taken as is.',
      },
    },
    {
      since: '5.0',
      after: 'luring_process_completions',
      why: 'aio=io_uring: short reads are completed by resubmitting the remainder.',
      add: {
        ...PLAIN_QEMU,
        name: 'luring_resubmit_short_read',
        stage: 'uring-complete',
        thread: 'main-loop-or-iothread',
        runsIn: 'either',
        calls: ['qemu_iovec_init', 'qemu_iovec_concat'],
        traceEvents: ['luring_resubmit_short_read'],
        summary:
          'Builds a vector for the bytes a short read did not return, moves the entry offset forward and queues it again; the request completes when the total reaches its size.',
      },
    },
    {
      since: '5.0',
      why: 'aio=io_uring enters the kernel through io_uring_enter (liburing io_uring_submit and the io_uring fd monitor).',
      add: {
        name: 'io_uring_enter',
        origin: 'syscall',
        stage: 'uring-submit',
        thread: 'main-loop-or-iothread',
        runsIn: 'either',
        yields: false,
        directYield: false,
        calls: [],
        traceEvents: [],
        summary:
          'System call behind io_uring_submit: hands the new submission entries to the kernel and, when asked, waits for completions. Buffered I/O the kernel cannot finish inline is handed to its iou-wrk worker threads.',
        notes: 'In strace with aio=io_uring, one io_uring_enter per batch replaces io_submit.',
      },
      after: 'io_submit',
    },
    {
      since: '5.0',
      why: "aio=io_uring: an fsync entry cannot complete without blocking, so the kernel runs it on io_uring's worker thread (iou-wrk-<pid> in the thread list).",
      add: {
        name: 'io_wq_worker',
        origin: 'syscall',
        stage: 'uring-complete',
        thread: 'kernel',
        runsIn: 'plain',
        yields: false,
        directYield: false,
        calls: ['fdatasync'],
        traceEvents: [],
        summary:
          "The kernel's io_uring worker thread (iou-wrk-<pid>): runs the submitted entries that would block, such as an fsync, and posts their completions to the ring, which wakes QEMU's ring fd handler. It fires no QEMU trace event.",
        notes:
          'Reads and writes of an O_DIRECT file go straight to the device and complete without it. The Linux function is in io_uring/io-wq.c.',
      },
      after: 'io_uring_enter',
    },
  ];
}
