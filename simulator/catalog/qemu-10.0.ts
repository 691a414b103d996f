// QEMU 10.0 (release commit 7c949c53e936aa3a658d84ab53bae5cadaa5d59c) as the 7.2 catalog plus what
// changed on the virtio-blk path from 8.0 to 10.0. Each entry names the first release whose release
// commit has the change; an entry that adds a function describes it as it is at 10.0. Facts from
// QEMU's tree at the 10.0.0 release commit; summaries, notes and reasons are the project's own words.
// The shared real logs come from Debian's 10.0.2 build, which has the same path.
import { PLAIN_QEMU, type VersionDelta } from './delta';

/** The AioContext lock's calls, dropped from the path between 8.1 and 9.0. */
const AIO_LOCK = ['aio_context_acquire', 'aio_context_release'];
/** reqs_lock as a QemuMutex (8.2): no CoMutex calls, no CoMutex trace events. */
const REQS_LOCK_MUTEX = {
  removeCalls: ['qemu_co_mutex_lock', 'qemu_co_mutex_unlock'],
  addCalls: ['qemu_mutex_lock', 'qemu_mutex_unlock'],
};
const CO_MUTEX_EVENTS = ['qemu_co_mutex_lock_uncontended', 'qemu_co_mutex_unlock_entry'];

export const DELTA_10_0: VersionDelta = {
  version: '10.0',
  base: '7.2',
  releaseCommit: '7c949c53e936aa3a658d84ab53bae5cadaa5d59c',

  relabel: [{ id: 'plug', label: 'Deferred calls (defer_call batching)' }],

  events: [
    {
      since: '8.1',
      why: 'The plug/unplug hooks of io_uring are gone, and their plug event with them.',
      remove: 'luring_io_plug',
    },
    {
      since: '8.1',
      replaced: true,
      why: 'Unplug becomes a callback run when the batch ends (blk_io_plug_call, defer_call in 8.2); its event loses the plug depth.',
      rename: 'luring_io_unplug',
      to: 'luring_unplug_fn',
      args: [
        { type: 'void *', name: 's' },
        { type: 'int', name: 'blocked' },
        { type: 'int', name: 'queued' },
        { type: 'int', name: 'inflight' },
      ],
      format: 'LuringState %p blocked %d queued %d inflight %d',
    },
    {
      since: '8.1',
      why: 'No plug depth any more: the `plugged` field is dropped.',
      change: 'luring_do_submit',
      args: [
        { type: 'void *', name: 's' },
        { type: 'int', name: 'blocked' },
        { type: 'int', name: 'queued' },
        { type: 'int', name: 'inflight' },
      ],
      format: 'LuringState %p blocked %d queued %d inflight %d',
    },
    {
      since: '8.1',
      backportedTo: ['7.2'],
      why: 'Bottom halves get a re-entrancy guard against a device DMA-ing into its own MMIO; the event reports a blocked re-entry. Also declared by 7.2.x stable builds (Debian 7.2.22).',
      add: {
        name: 'reentrant_aio',
        file: 'util/trace-events',
        args: [
          { type: 'void *', name: 'ctx' },
          { type: 'const char *', name: 'name' },
        ],
        format: 'ctx %p name %s',
        notes:
          'Never seen on a healthy virtio-blk path; a line means a BH tried to run while its device was already active.',
      },
    },
    ...zoneEvents(),
    {
      since: '8.2',
      why: 'The irqfd write is deferred to the end of the completion batch; this event marks the actual eventfd write.',
      add: {
        name: 'virtio_notify_irqfd_deferred_fn',
        file: 'hw/virtio/trace-events',
        args: [
          { type: 'void *', name: 'vdev' },
          { type: 'void *', name: 'vq' },
        ],
        format: 'vdev %p vq %p',
      },
    },
    {
      since: '8.2',
      why: 'softmmu/ is renamed system/, with its trace-events file.',
      change: 'runstate_set',
      file: 'system/trace-events',
    },
    {
      since: '8.2',
      why: 'softmmu/ is renamed system/, with its trace-events file.',
      change: 'vm_state_notify',
      file: 'system/trace-events',
    },
    {
      since: '9.0',
      why: 'The dataplane is folded into virtio-blk as "ioeventfd" start/stop, which fire no trace event.',
      remove: 'virtio_blk_data_plane_start',
    },
    {
      since: '9.0',
      why: 'The dataplane is folded into virtio-blk as "ioeventfd" start/stop, which fire no trace event.',
      remove: 'virtio_blk_data_plane_stop',
    },
    {
      since: '10.0',
      why: 'The AIO thread pool becomes ThreadPoolAio beside a new GThreadPool-based pool; its events get an _aio suffix, same arguments.',
      rename: 'thread_pool_submit',
      to: 'thread_pool_submit_aio',
    },
    {
      since: '10.0',
      why: 'Thread-pool events get an _aio suffix, same arguments.',
      rename: 'thread_pool_complete',
      to: 'thread_pool_complete_aio',
    },
    {
      since: '10.0',
      why: 'Thread-pool events get an _aio suffix, same arguments.',
      rename: 'thread_pool_cancel',
      to: 'thread_pool_cancel_aio',
    },
  ],

  functions: [
    // ── The main loop ──
    {
      since: '9.0',
      why: 'The big QEMU lock gets its short name: qemu_mutex_lock_iothread/unlock become bql_lock/bql_unlock.',
      change: 'os_host_main_loop_wait',
      patch: {
        removeCalls: ['qemu_mutex_unlock_iothread', 'qemu_mutex_lock_iothread'],
        addCalls: ['bql_unlock', 'bql_lock'],
      },
    },
    // ── AioContext polling ──
    {
      since: '8.0',
      why: 'Poll mode is switched off just before blocking, from aio_poll, instead of in try_poll_mode.',
      change: 'aio_poll',
      patch: { addCalls: ['poll_set_started'] },
    },
    {
      since: '8.0',
      why: 'Poll mode is left only when the loop is about to block.',
      change: 'poll_set_started',
      patch: {
        notes:
          'The glib main loop calls it only to keep poll mode off; IOThreads enter poll mode from try_poll_mode and leave it from aio_poll just before sleeping.',
      },
    },
    {
      since: '10.0',
      why: 'Adaptive polling is per handler: the poll time grows or shrinks after each handler is dispatched.',
      change: 'aio_poll',
      patch: {
        removeTraceEvents: ['poll_shrink', 'poll_grow'],
        notes:
          'Since 10.0 each AioHandler keeps its own poll time; aio_poll passes the time it blocked to the dispatch, which adjusts the time of every handler it runs.',
      },
    },
    {
      since: '10.0',
      after: 'aio_dispatch_ready_handlers',
      why: 'Per-handler adaptive polling.',
      add: {
        ...PLAIN_QEMU,
        name: 'adjust_polling_time',
        stage: 'poll',
        thread: 'main-loop-or-iothread',
        calls: [],
        traceEvents: ['poll_shrink', 'poll_grow'],
        summary:
          "Adapts one handler's busy-poll time to how long the loop blocked before that handler's event: above poll-max-ns it shrinks (to 0 by default, poll_shrink), below it grows from 4 µs by doubling up to poll-max-ns (poll_grow).",
        notes:
          'The many `poll_shrink old 0 new 0` lines of 10.0 IOThread logs come from handlers that are not worth polling.',
      },
    },
    {
      since: '10.0',
      why: 'Each dispatched handler adjusts its own poll time.',
      change: 'aio_dispatch_ready_handlers',
      patch: { addCalls: ['adjust_polling_time'] },
    },

    // ── Batching: plug/unplug → blk_io_plug_call (8.1) → defer_call (8.2) ──
    {
      since: '8.1',
      why: 'Plugging is no longer passed down the graph: blk_io_plug() takes no argument and only opens a batch (block/plug.c).',
      change: 'blk_io_plug',
      patch: {
        calls: [],
        summary:
          'Opens a batch for the calling thread: callbacks queued with blk_io_plug_call run when the outermost blk_io_unplug closes it.',
      },
    },
    {
      since: '8.1',
      why: 'Unplug runs the callbacks the drivers queued during the batch instead of calling into each node.',
      change: 'blk_io_unplug',
      patch: {
        calls: ['laio_io_unplug', 'luring_io_unplug'],
        indirectCalls: ['laio_io_unplug', 'luring_io_unplug'],
        summary:
          "Closes the thread's batch; the outermost close runs each queued callback once (Linux AIO and io_uring submit their queues there).",
      },
    },
    {
      since: '8.1',
      after: 'blk_io_unplug',
      why: 'Drivers queue their submission as a callback of the open batch.',
      add: {
        ...PLAIN_QEMU,
        name: 'blk_io_plug_call',
        stage: 'plug',
        thread: 'any',
        runsIn: 'either',
        calls: ['laio_io_unplug', 'luring_io_unplug'],
        indirectCalls: ['laio_io_unplug', 'luring_io_unplug'],
        traceEvents: [],
        summary:
          'Queues fn(opaque) to run when the batch closes, once however often it is queued; outside a batch it runs the function at once.',
      },
    },
    {
      since: '8.1',
      why: 'Linux AIO submits from a callback at the end of the batch.',
      rename: 'laio_io_unplug',
      to: 'laio_unplug_fn',
      patch: {
        calls: ['ioq_submit@linux-aio'],
        summary:
          'Batch-end callback of Linux AIO: submits the queued iocbs with one io_submit unless the queue is blocked.',
      },
    },
    {
      since: '8.1',
      why: 'io_uring submits from a callback at the end of the batch; the event keeps this name after the function is renamed in 8.2.',
      rename: 'luring_io_unplug',
      to: 'luring_unplug_fn',
      patch: {
        summary:
          'Batch-end callback of io_uring: traces the queue state (luring_unplug_fn) and, unless blocked, submits all queued entries with one io_uring_enter.',
      },
    },
    { since: '8.1', why: 'The plug counters are gone; batching is per thread.', remove: 'laio_io_plug' },
    { since: '8.1', why: 'The plug counters are gone; batching is per thread.', remove: 'luring_io_plug' },
    ...[
      ['bdrv_io_plug', 'bdrv_co_io_plug'],
      ['bdrv_io_unplug', 'bdrv_co_io_unplug'],
      ['raw_aio_plug', 'raw_co_io_plug'],
      ['raw_aio_unplug', 'raw_co_io_unplug'],
    ].flatMap(([name, co]) => [
      {
        since: '8.0',
        why: 'Plugging runs in coroutine context under the graph lock: the node hooks become coroutine functions.',
        rename: name,
        to: co,
      },
      {
        since: '8.1',
        why: 'Plugging no longer walks the block graph: batching is per thread (blk_io_plug_call).',
        remove: co,
      },
    ]),
    {
      since: '8.1',
      why: 'Below the batch size, the submission is queued as a batch-end callback.',
      change: 'laio_do_submit',
      patch: {
        addCalls: ['blk_io_plug_call'],
        summary:
          'Builds the iocb and queues it; unless the queue is blocked it submits at once when the queue reached the batch limit, and otherwise leaves the io_submit to a callback run when the current batch ends.',
      },
    },
    {
      since: '8.1',
      why: 'Unless the ring is full, the submission is queued as a batch-end callback.',
      change: 'luring_do_submit',
      patch: { addCalls: ['blk_io_plug_call'] },
    },
    {
      since: '8.2',
      why: 'The batching API is generalised as defer_call in util/defer-call.c.',
      rename: 'blk_io_plug',
      to: 'defer_call_begin',
      patch: {
        summary:
          'Opens a deferred-call section for the calling thread; functions passed to defer_call inside it run once, when the outermost section ends.',
      },
    },
    {
      since: '8.2',
      why: 'The batching API is generalised as defer_call in util/defer-call.c.',
      rename: 'blk_io_unplug',
      to: 'defer_call_end',
      patch: {
        summary:
          'Closes a deferred-call section; the outermost close runs every queued function once, in order: Linux AIO or io_uring submissions after a virtqueue pass, deferred irqfd writes after a completion batch.',
      },
    },
    {
      since: '8.2',
      why: 'The batching API is generalised as defer_call in util/defer-call.c.',
      rename: 'blk_io_plug_call',
      to: 'defer_call',
      patch: {
        summary:
          'Queues fn(opaque) for the end of the current deferred-call section, dropping duplicates; with no section open it runs fn at once.',
      },
    },
    { since: '8.2', why: 'Renamed with the defer_call API.', rename: 'laio_unplug_fn', to: 'laio_deferred_fn' },
    {
      since: '8.2',
      why: 'Renamed with the defer_call API; it still fires the luring_unplug_fn event.',
      rename: 'luring_unplug_fn',
      to: 'luring_deferred_fn',
    },
    {
      since: '8.2',
      why: 'The irqfd write can be deferred too.',
      change: 'defer_call_end',
      patch: {
        addCalls: ['virtio_notify_irqfd_deferred_fn'],
        indirectCalls: ['laio_deferred_fn', 'luring_deferred_fn', 'virtio_notify_irqfd_deferred_fn'],
      },
    },
    {
      since: '8.2',
      why: 'The irqfd write can be deferred too.',
      change: 'defer_call',
      patch: {
        addCalls: ['virtio_notify_irqfd_deferred_fn'],
        indirectCalls: ['laio_deferred_fn', 'luring_deferred_fn', 'virtio_notify_irqfd_deferred_fn'],
      },
    },
    {
      since: '8.2',
      why: 'Completions are batched: callbacks run inside a deferred-call section, so their irqfd writes coalesce.',
      change: 'thread_pool_completion_bh',
      patch: {
        addCalls: ['defer_call_begin', 'defer_call_end'],
        summary:
          'Pool completion BH in the submitting AioContext: for each DONE job it re-arms itself (in case the callback runs a nested loop), runs the callback, disarms and frees the job, and rescans; all inside one deferred-call section, so the interrupts of a batch are written once.',
      },
    },
    {
      since: '8.2',
      why: 'Completions are batched: callbacks run inside a deferred-call section, so their irqfd writes coalesce.',
      change: 'qemu_laio_process_completions',
      patch: { addCalls: ['defer_call_begin', 'defer_call_end'] },
    },
    {
      since: '8.2',
      why: 'Completions are batched: callbacks run inside a deferred-call section, so their irqfd writes coalesce.',
      change: 'luring_process_completions',
      patch: { addCalls: ['defer_call_begin', 'defer_call_end'] },
    },
    {
      since: '9.1',
      why: 'With aio=native a flush is a Linux AIO IOCB_CMD_FDSYNC (when the kernel accepts it) instead of a pool job.',
      change: 'laio_do_submit',
      patch: {
        notes:
          'Prepares writes with io_prep_pwritev2 so FUA becomes RWF_DSYNC (10.0), and flushes with io_prep_fdsync (9.1). MAX_EVENTS is 1024; the batch limit is the smallest of the IOThread aio-max-batch (32 when 0), the drive aio-max-batch and the free events.',
      },
    },

    // ── virtqueue pass, completion and interrupts ──
    {
      since: '9.0',
      why: 'The AioContext lock is gone from virtio-blk submission.',
      change: 'virtio_blk_handle_vq',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          'Processes one virtqueue inside a deferred-call section: pops and parses requests with notifications suppressed, re-checks for late arrivals, submits the merged batch, and closes the section so the backend submits everything at once.',
      },
    },
    {
      since: '8.2',
      why: 'virtio_notify_irqfd defers the eventfd write to the end of the current batch.',
      change: 'virtio_notify_irqfd',
      patch: {
        removeCalls: ['event_notifier_set'],
        addCalls: ['defer_call'],
        summary:
          'Interrupt path for a queue served outside the BQL: if the guest wants an interrupt it sets the ISR bit, traces virtio_notify_irqfd and queues the irqfd write with defer_call, so one write covers a whole completion batch.',
      },
    },
    {
      since: '8.2',
      after: 'virtio_notify_irqfd',
      why: 'The deferred irqfd write.',
      add: {
        ...PLAIN_QEMU,
        name: 'virtio_notify_irqfd_deferred_fn',
        stage: 'notify',
        thread: 'any',
        runsIn: 'either',
        calls: ['event_notifier_set'],
        traceEvents: ['virtio_notify_irqfd_deferred_fn'],
        summary:
          "Writes the queue's irqfd (guest notifier eventfd) when the deferred-call section that queued it ends, so KVM, or the main loop under TCG, injects the interrupt. In traces it follows the coroutine's terminate.",
      },
    },
    {
      since: '8.2',
      why: 'Interrupt batching without EVENT_IDX is done by defer_call; the notify BH is gone.',
      remove: 'notify_guest_bh',
    },
    { since: '8.2', why: 'The notify BH is gone.', change: 'aio_bh_poll', patch: { removeCalls: ['notify_guest_bh'] } },
    {
      since: '8.2',
      why: 'No batching BH: the dataplane notify is a plain virtio_notify_irqfd.',
      change: 'virtio_blk_data_plane_notify',
      patch: { calls: ['virtio_notify_irqfd'] },
    },
    {
      since: '9.0',
      why: 'The dataplane code moves into virtio-blk.c; completion picks the interrupt path by thread.',
      remove: 'virtio_blk_data_plane_notify',
    },
    {
      since: '9.0',
      why: 'Completion raises the interrupt with virtio_notify_irqfd in an IOThread and with virtio_notify (MSI under the BQL) in the main loop.',
      change: 'virtio_blk_req_complete',
      patch: {
        removeCalls: ['virtio_blk_data_plane_notify'],
        addCalls: ['qemu_in_iothread', 'virtio_notify_irqfd'],
        summary:
          'Finishes a virtio-blk request: traces it, writes the status byte, pushes the element to the used ring (fill and flush) and interrupts the guest if needed: virtio_notify_irqfd in an IOThread, virtio_notify from the main loop.',
        notes:
          'Before 9.0 the choice was "dataplane started", which is true even without an IOThread (and always under TCG), so 7.2 logs show virtio_notify_irqfd where 10.0 logs show virtio_notify.',
      },
    },
    {
      since: '9.0',
      why: 'virtio-blk completions in the main loop use virtio_notify, not the irqfd.',
      change: 'virtio_notify',
      patch: {
        summary:
          'Interrupt path under the BQL: checks suppression, traces virtio_notify, sets the ISR and has the transport raise MSI-X or INTx. virtio-blk uses it for completions in the main loop (and without ioeventfd).',
      },
    },
    {
      since: '9.0',
      why: 'The AioContext lock is gone from virtio-blk completion.',
      change: 'virtio_blk_rw_complete',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          "virtio-blk's block-layer completion callback, usually entered from blk_aio_complete on the request coroutine: visits every request merged into this one (mr_next), destroys a merged request's own vector, passes errors to virtio_blk_handle_rw_error and completes the others with VIRTIO_BLK_S_OK.",
      },
    },
    {
      since: '9.0',
      why: 'The AioContext lock is gone from virtio-blk completion.',
      change: 'virtio_blk_flush_complete',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          'Completion callback of a guest FLUSH, run from blk_aio_complete in the flush coroutine: a failure goes through the werror policy, otherwise the guest gets status OK and the flush accounting is closed.',
      },
    },
    { since: '10.0', why: 'Requests are freed with a plain g_free.', remove: 'virtio_blk_free_request' },
    {
      since: '10.0',
      why: 'Requests are freed with a plain g_free.',
      change: 'virtio_blk_rw_complete',
      patch: { removeCalls: ['virtio_blk_free_request'], addCalls: ['g_free'] },
    },
    {
      since: '10.0',
      why: 'Requests are freed with a plain g_free.',
      change: 'virtio_blk_flush_complete',
      patch: { removeCalls: ['virtio_blk_free_request'], addCalls: ['g_free'] },
    },
    {
      since: '10.0',
      why: 'Requests are freed with a plain g_free.',
      change: 'virtio_blk_handle_rw_error',
      patch: { removeCalls: ['virtio_blk_free_request'], addCalls: ['g_free'] },
    },

    // ── Coroutine entry and the AioContext lock ──
    {
      since: '8.0',
      why: 'bdrv_coroutine_enter is removed; blk_aio_prwv calls aio_co_enter itself.',
      remove: 'bdrv_coroutine_enter',
    },
    {
      since: '8.0',
      why: 'The request coroutine is entered with aio_co_enter, in the BlockBackend AioContext.',
      change: 'blk_aio_prwv',
      patch: {
        removeCalls: ['bdrv_coroutine_enter'],
        addCalls: ['aio_co_enter'],
        summary:
          'Shared core of blk_aio_preadv/pwritev/flush: allocates the AIOCB, counts the request in flight, creates the request coroutine and enters it at once with aio_co_enter. It gets control back at the first yield or the end; a request already finished by then has its callback deferred to a one-shot BH.',
      },
    },
    {
      since: '8.2',
      why: 'Multi-queue groundwork: the request coroutine runs in the AioContext of the thread that submitted it.',
      change: 'blk_aio_prwv',
      patch: {
        addCalls: ['qemu_get_current_aio_context'],
        notes:
          'Since 8.2 a request runs in the AioContext of the submitting thread, so with iothread-vq-mapping (9.0) each queue IOThread runs its own requests.',
      },
    },
    {
      since: '8.0',
      why: 'The generated synchronous wrappers enter their coroutine with aio_co_enter.',
      change: 'bdrv_flush',
      patch: { removeCalls: ['bdrv_coroutine_enter'], addCalls: ['aio_co_enter'] },
    },
    {
      since: '9.0',
      why: 'The AioContext lock is removed.',
      change: 'aio_co_enter',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          'Resumes a coroutine in a given AioContext: another thread owns the context → hand it over with aio_co_schedule; the caller is itself a coroutine → queue the target to run when the caller yields or ends; otherwise enter it at once.',
      },
    },
    {
      since: '9.0',
      why: 'The AioContext lock is removed.',
      change: 'co_schedule_bh_cb',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          'Bottom half of the receiving context: takes the scheduled_coroutines list, restores the order they were scheduled in and enters each one (aio_co_schedule_bh_cb).',
      },
    },
    {
      since: '9.0',
      why: 'The AioContext lock is removed.',
      change: 'bdrv_flush_all',
      patch: { removeCalls: AIO_LOCK },
    },
    {
      since: '8.2',
      why: 'reqs_lock becomes a QemuMutex, so tracking a request no longer fires the CoMutex events.',
      change: 'tracked_request_begin',
      patch: {
        ...REQS_LOCK_MUTEX,
        removeTraceEvents: CO_MUTEX_EVENTS,
        summary:
          "Describes [offset, offset+bytes) in a BdrvTrackedRequest and adds it to the node's in-flight list under reqs_lock, a plain mutex since 8.2 that never suspends the coroutine and fires no trace event.",
        notes: 'Per-request qemu_co_mutex_* lines, present in 7.2 logs when enabled, are gone from 8.2 on.',
      },
    },
    {
      since: '8.2',
      why: 'reqs_lock becomes a QemuMutex, so tracking a request no longer fires the CoMutex events.',
      change: 'tracked_request_end',
      patch: { ...REQS_LOCK_MUTEX, removeTraceEvents: CO_MUTEX_EVENTS },
    },
    {
      since: '8.2',
      why: 'reqs_lock becomes a QemuMutex.',
      change: 'bdrv_co_flush',
      patch: {
        ...REQS_LOCK_MUTEX,
        removeTraceEvents: CO_MUTEX_EVENTS,
        notes:
          'Suspends while waiting behind another flush and while the host flush runs (pool fdatasync, Linux AIO fdsync or io_uring fsync). cache=unsafe skips the disk flush. No CoMutex events since 8.2.',
      },
    },
    {
      since: '8.2',
      why: 'reqs_lock becomes a QemuMutex.',
      change: 'bdrv_wait_serialising_requests',
      patch: REQS_LOCK_MUTEX,
    },

    // ── Backends take their state from the running thread (8.1), lazily (9.0) ──
    {
      since: '8.1',
      why: 'The thread pool is the one of the current AioContext; callers no longer pass it.',
      change: 'raw_thread_pool_submit',
      patch: {
        removeCalls: ['bdrv_get_aio_context', 'aio_get_thread_pool'],
        summary:
          'Runs a worker function (read/write, flush) on the thread pool of the AioContext the coroutine runs in, through thread_pool_submit_co; the coroutine stays suspended until the result is back.',
      },
    },
    {
      since: '8.1',
      why: 'The thread pool is looked up from the current AioContext at submission.',
      change: 'thread_pool_submit_aio',
      patch: { addCalls: ['aio_get_thread_pool'] },
    },
    {
      since: '8.1',
      why: 'The AioContext lock is no longer taken around completion callbacks.',
      change: 'thread_pool_completion_bh',
      patch: { removeCalls: AIO_LOCK },
    },
    {
      since: '10.0',
      why: 'The AIO pool type is ThreadPoolAio, created by thread_pool_new_aio.',
      change: 'aio_get_thread_pool',
      patch: { removeCalls: ['thread_pool_new'], addCalls: ['thread_pool_new_aio'] },
    },
    {
      since: '8.1',
      why: 'Linux AIO state comes from the running thread, not from the node.',
      change: 'laio_co_submit',
      patch: { addCalls: ['qemu_get_current_aio_context', 'aio_get_linux_aio'] },
    },
    {
      since: '8.1',
      why: 'io_uring state comes from the running thread, not from the node.',
      change: 'luring_co_submit',
      patch: { addCalls: ['qemu_get_current_aio_context', 'aio_get_linux_io_uring'] },
    },
    {
      since: '8.1',
      why: 'The AioContext lock is no longer taken around Linux AIO completions.',
      change: 'qemu_laio_process_completions_and_submit',
      patch: {
        removeCalls: AIO_LOCK,
        summary:
          'Reaps finished Linux AIO events, then submits any iocbs still queued because submission had been blocked or the window was full.',
      },
    },
    {
      since: '8.1',
      why: 'The AioContext lock is no longer taken around io_uring completions.',
      change: 'luring_process_completions_and_submit',
      patch: { removeCalls: AIO_LOCK },
    },
    {
      since: '8.1',
      why: 'Linux AIO and io_uring find their state in the running thread themselves.',
      change: 'raw_co_prw',
      patch: { removeCalls: ['aio_get_linux_aio', 'aio_get_linux_io_uring'] },
    },
    {
      since: '8.1',
      why: 'io_uring finds its state in the running thread itself.',
      change: 'raw_co_flush_to_disk',
      patch: { removeCalls: ['aio_get_linux_io_uring'] },
    },
    {
      since: '9.0',
      why: 'Linux AIO and io_uring are set up lazily in the thread that first uses them (raw_check_linux_aio/io_uring).',
      change: 'raw_co_prw',
      patch: { addCalls: ['raw_check_linux_io_uring', 'raw_check_linux_aio'] },
    },
    {
      since: '9.0',
      why: 'io_uring is set up lazily in the thread that first uses it.',
      change: 'raw_co_flush_to_disk',
      patch: { addCalls: ['raw_check_linux_io_uring'] },
    },
    {
      since: '10.0',
      why: 'FUA support in file-posix: with the thread pool a FUA write is followed by a flush here.',
      change: 'raw_co_prw',
      patch: {
        addCalls: ['raw_co_flush_to_disk'],
        notes:
          'Linux AIO and io_uring write FUA requests with RWF_DSYNC instead. Guest writes with a write-back cache (the shared logs) carry no FUA.',
      },
    },
    {
      since: '9.1',
      why: 'aio=native flushes through Linux AIO (IOCB_CMD_FDSYNC) when the kernel supports it, so no pool job and no thread_pool event.',
      change: 'raw_co_flush_to_disk',
      patch: {
        addCalls: ['raw_check_linux_aio', 'laio_co_submit'],
        summary:
          'file-posix flush: an io_uring fsync entry with aio=io_uring, a Linux AIO fdsync with aio=native when the kernel has it, otherwise an fdatasync job on the thread pool.',
        notes: 'In 10.0 logs, native and iothread-native flushes therefore show no thread_pool event at all.',
      },
    },

    // ── Dataplane → ioeventfd (9.0); error replay per queue ──
    {
      since: '9.0',
      why: 'The dataplane code moves into virtio-blk.c and is named after ioeventfd; it fires no trace event any more.',
      rename: 'virtio_blk_data_plane_start',
      to: 'virtio_blk_start_ioeventfd',
      patch: {
        calls: [
          'set_guest_notifiers',
          'virtio_bus_set_host_notifier',
          'blk_set_aio_context',
          'virtio_blk_ioeventfd_attach',
          'virtio_queue_aio_attach_host_notifier',
        ],
        summary:
          "Starts ioeventfd processing on DRIVER_OK (or a kick that comes first): binds guest and host notifiers, moves the drive to the IOThread's context and attaches every queue's host notifier to the context of its queue (iothread-vq-mapping allows one IOThread per queue).",
      },
    },
    {
      since: '9.0',
      why: 'The dataplane stop becomes virtio_blk_stop_ioeventfd, without a trace event.',
      rename: 'virtio_blk_data_plane_stop',
      to: 'virtio_blk_stop_ioeventfd',
      patch: {
        calls: ['blk_set_aio_context'],
        summary:
          'Stops ioeventfd processing on reset or shutdown: detaches the host notifiers in their contexts, drains, moves the drive back to the main loop and releases the guest notifiers.',
      },
    },
    {
      since: '8.0',
      why: 'The replay helper is folded back into the restart BH.',
      remove: 'virtio_blk_process_queued_requests',
    },
    {
      since: '9.0',
      why: 'Parked requests are split per virtqueue and replayed by a one-shot BH in each queue’s AioContext, without the AioContext lock.',
      change: 'virtio_blk_dma_restart_bh',
      patch: {
        calls: ['virtio_blk_handle_request', 'virtio_blk_submit_multireq', 'blk_dec_in_flight'],
        summary:
          "One-shot BH, one per virtqueue with parked requests, run in that queue's AioContext: replays the queue's requests parked by werror/rerror=stop through virtio_blk_handle_request, then submits the merge buffer.",
      },
    },
    {
      since: '9.0',
      why: 'On resume the parked list is split per virtqueue and each part handed to a one-shot BH in its queue’s context.',
      change: 'virtio_blk_dma_restart_cb',
      patch: {
        calls: ['blk_inc_in_flight', 'aio_bh_schedule_oneshot_full'],
        summary:
          "VM change-state handler: when the VM runs again it splits the requests parked by werror/rerror=stop by virtqueue and schedules a one-shot BH per queue in that queue's AioContext, holding an in-flight reference for each.",
      },
    },
    {
      since: '8.0',
      why: 'Debug events become coroutine functions: bdrv_debug_event is a generated wrapper around bdrv_co_debug_event (which raw-format calls directly since 8.1).',
      rename: 'bdrv_debug_event',
      to: 'bdrv_co_debug_event',
    },
    {
      since: '8.0',
      why: "blkdebug's debug hook becomes a coroutine function.",
      rename: 'blkdebug_debug_event',
      to: 'blkdebug_co_debug_event',
    },
    {
      since: '8.1',
      why: 'blk_do_set_aio_context is split up; the move is done by bdrv_try_change_aio_context.',
      change: 'blk_set_aio_context',
      patch: { removeCalls: ['blk_do_set_aio_context'], addCalls: ['bdrv_try_change_aio_context'] },
    },
    {
      since: '8.0',
      why: 'Under the graph read lock, the medium test uses the coroutine variant.',
      change: 'blk_co_do_flush',
      patch: { removeCalls: ['blk_is_available'], addCalls: ['blk_co_is_available'] },
    },
    {
      since: '8.1',
      why: 'In coroutine context the length is read with bdrv_co_getlength.',
      change: 'bdrv_aligned_preadv',
      patch: { removeCalls: ['bdrv_getlength'], addCalls: ['bdrv_co_getlength'] },
    },
    {
      since: '10.0',
      why: 'Block nodes are re-activated through the migration code.',
      change: 'qmp_cont',
      patch: { removeCalls: ['bdrv_activate_all'], addCalls: ['migration_block_activate'] },
    },
  ],

  // Events fired off the simulated path, and the function that fires each at 10.0.0.
  emitters: {
    bdrv_co_pwrite_zeroes: ['bdrv_co_pwrite_zeroes', 'block/io.c', 2320],
    bdrv_co_do_copy_on_readv: ['bdrv_co_do_copy_on_readv', 'block/io.c', 1165],
    bdrv_co_copy_range_from: ['bdrv_co_copy_range_from', 'block/io.c', 3477],
    bdrv_co_copy_range_to: ['bdrv_co_copy_range_to', 'block/io.c', 3495],
    file_paio_submit: ['paio_submit', 'block/file-win32.c', 151],
    luring_init_state: ['luring_init', 'block/io_uring.c', 435],
    luring_cleanup_state: ['luring_cleanup', 'block/io_uring.c', 455],
    virtio_pci_notify_write_pio: ['virtio_pci_notify_write_pio', 'hw/virtio/virtio-pci.c', 1724],
    qemu_co_mutex_lock_entry: ['qemu_co_mutex_lock_slowpath', 'util/qemu-coroutine-lock.c', 194],
    qemu_co_mutex_lock_return: ['qemu_co_mutex_lock_slowpath', 'util/qemu-coroutine-lock.c', 194],
    qemu_co_mutex_unlock_return: ['qemu_co_mutex_unlock', 'util/qemu-coroutine-lock.c', 276],
    qemu_co_mutex_lock_uncontended: ['qemu_co_mutex_lock', 'util/qemu-coroutine-lock.c', 236],
    qemu_co_mutex_unlock_entry: ['qemu_co_mutex_unlock', 'util/qemu-coroutine-lock.c', 276],
    thread_pool_cancel_aio: ['thread_pool_cancel', 'util/thread-pool.c', 218],
    reentrant_aio: ['aio_bh_call', 'util/async.c', 158],
    virtio_blk_zone_report_complete: ['virtio_blk_zone_report_complete', 'hw/block/virtio-blk.c', 516],
    virtio_blk_zone_mgmt_complete: ['virtio_blk_zone_mgmt_complete', 'hw/block/virtio-blk.c', 663],
    virtio_blk_zone_append_complete: ['virtio_blk_zone_append_complete', 'hw/block/virtio-blk.c', 722],
    virtio_blk_handle_zone_report: ['virtio_blk_handle_zone_report', 'hw/block/virtio-blk.c', 616],
    virtio_blk_handle_zone_mgmt: ['virtio_blk_handle_zone_mgmt', 'hw/block/virtio-blk.c', 679],
    virtio_blk_handle_zone_reset_all: ['virtio_blk_handle_zone_mgmt', 'hw/block/virtio-blk.c', 679],
    virtio_blk_handle_zone_append: ['virtio_blk_handle_zone_append', 'hw/block/virtio-blk.c', 753],
  },

  // Where each function is at 10.0.0 (line of its name); generated functions have no line in the tree.
  locations: {
    kvm_vcpu_thread_fn: ['accel/kvm/kvm-accel-ops.c', 30],
    kvm_cpu_exec: ['accel/kvm/kvm-all.c', 3094],
    virtio_pci_notify_write: ['hw/virtio/virtio-pci.c', 1710],
    virtio_queue_notify: ['hw/virtio/virtio.c', 2492],
    qemu_main_loop: ['system/runstate.c', 830],
    main_loop_should_exit: ['system/runstate.c', 771],
    main_loop_wait: ['util/main-loop.c', 560],
    os_host_main_loop_wait: ['util/main-loop.c', 293],
    glib_pollfds_fill: ['util/main-loop.c', 252],
    aio_ctx_prepare: ['util/async.c', 303],
    qemu_poll_ns: ['util/qemu-timer.c', 325],
    glib_pollfds_poll: ['util/main-loop.c', 281],
    aio_ctx_check: ['util/async.c', 327],
    aio_notify_accept: ['util/async.c', 507],
    aio_ctx_dispatch: ['util/async.c', 354],
    notify_event_cb: ['util/main-loop.c', 134],
    aio_dispatch: ['util/aio-posix.c', 433],
    aio_bh_poll: ['util/async.c', 180],
    aio_dispatch_handlers: ['util/aio-posix.c', 421],
    aio_dispatch_handler: ['util/aio-posix.c', 324],
    aio_dispatch_ready_handlers: ['util/aio-posix.c', 397],
    adjust_polling_time: ['util/aio-posix.c', 621],
    iothread_run: ['iothread.c', 39],
    aio_poll: ['util/aio-posix.c', 661],
    fdmon_poll_wait: ['util/fdmon-poll.c', 59],
    fdmon_epoll_wait: ['util/fdmon-epoll.c', 57],
    fdmon_io_uring_wait: ['util/fdmon-io_uring.c', 275],
    try_poll_mode: ['util/aio-posix.c', 591],
    poll_set_started: ['util/aio-posix.c', 220],
    run_poll_handlers: ['util/aio-posix.c', 535],
    remove_idle_poll_handlers: ['util/aio-posix.c', 480],
    run_poll_handlers_once: ['util/aio-posix.c', 444],
    qemu_bh_schedule: ['util/async.c', 234],
    aio_bh_schedule_oneshot_full: ['util/async.c', 129],
    aio_notify: ['util/async.c', 488],
    event_notifier_set: ['util/event_notifier-posix.c', 104],
    event_notifier_test_and_clear: ['util/event_notifier-posix.c', 124],
    virtio_queue_host_notifier_read: ['hw/virtio/virtio.c', 3865],
    virtio_queue_host_notifier_aio_poll_begin: ['hw/virtio/virtio.c', 3764],
    virtio_queue_host_notifier_aio_poll: ['hw/virtio/virtio.c', 3771],
    virtio_queue_host_notifier_aio_poll_ready: ['hw/virtio/virtio.c', 3779],
    virtio_queue_host_notifier_aio_poll_end: ['hw/virtio/virtio.c', 3786],
    virtio_queue_notify_vq: ['hw/virtio/virtio.c', 2474],
    virtio_blk_handle_output: ['hw/block/virtio-blk.c', 1014],
    virtio_blk_handle_vq: ['hw/block/virtio-blk.c', 981],
    virtio_queue_set_notification: ['hw/virtio/virtio.c', 564],
    virtio_queue_empty: ['hw/virtio/virtio.c', 738],
    virtio_blk_get_request: ['hw/block/virtio-blk.c', 171],
    virtqueue_pop: ['hw/virtio/virtio.c', 1968],
    virtio_blk_handle_request: ['hw/block/virtio-blk.c', 791],
    virtio_blk_sect_range_ok: ['hw/block/virtio-blk.c', 354],
    block_acct_start: ['block/accounting.c', 105],
    virtio_blk_handle_flush: ['hw/block/virtio-blk.c', 338],
    virtio_blk_submit_multireq: ['hw/block/virtio-blk.c', 287],
    submit_requests: ['hw/block/virtio-blk.c', 216],
    block_acct_merge_done: ['block/accounting.c', 271],
    defer_call_begin: ['util/defer-call.c', 115],
    defer_call_end: ['util/defer-call.c', 130],
    defer_call: ['util/defer-call.c', 67],
    laio_deferred_fn: ['block/linux-aio.c', 361],
    luring_deferred_fn: ['block/io_uring.c', 316],
    blk_aio_pwritev: ['block/block-backend.c', 1716],
    blk_aio_preadv: ['block/block-backend.c', 1706],
    blk_aio_flush: ['block/block-backend.c', 1856],
    blk_aio_prwv: ['block/block-backend.c', 1579],
    qemu_coroutine_create: ['util/qemu-coroutine.c', 217],
    qemu_coroutine_new: ['util/coroutine-ucontext.c', 180],
    coroutine_trampoline: ['util/coroutine-ucontext.c', 148],
    aio_co_enter: ['util/async.c', 698],
    qemu_aio_coroutine_enter: ['util/qemu-coroutine.c', 246],
    qemu_coroutine_enter: ['util/qemu-coroutine.c', 314],
    qemu_coroutine_switch: ['util/coroutine-ucontext.c', 311],
    qemu_coroutine_yield: ['util/qemu-coroutine.c', 326],
    qemu_coroutine_self: ['util/coroutine-ucontext.c', 337],
    qemu_coroutine_entered: ['util/qemu-coroutine.c', 342],
    coroutine_delete: ['util/qemu-coroutine.c', 235],
    aio_co_wake: ['util/async.c', 685],
    aio_co_schedule: ['util/async.c', 629],
    co_schedule_bh_cb: ['util/async.c', 550],
    blk_aio_write_entry: ['block/block-backend.c', 1624],
    blk_aio_read_entry: ['block/block-backend.c', 1612],
    blk_aio_flush_entry: ['block/block-backend.c', 1847],
    blk_wait_while_drained: ['block/block-backend.c', 1309],
    blk_co_do_pwritev_part: ['block/block-backend.c', 1405],
    blk_co_do_preadv_part: ['block/block-backend.c', 1330],
    blk_co_do_flush: ['block/block-backend.c', 1834],
    bdrv_co_pwritev: ['block/io.c', 2220],
    bdrv_co_pwritev_part: ['block/io.c', 2228],
    bdrv_co_preadv: ['block/io.c', 1767],
    bdrv_co_preadv_part: ['block/io.c', 1775],
    bdrv_co_flush: ['block/io.c', 2951],
    tracked_request_begin: ['block/io.c', 606],
    tracked_request_end: ['block/io.c', 585],
    bdrv_wait_serialising_requests: ['block/io.c', 785],
    bdrv_wait_serialising_requests_locked: ['block/io.c', 684],
    bdrv_aligned_pwritev: ['block/io.c', 2063],
    bdrv_aligned_preadv: ['block/io.c', 1329],
    bdrv_co_write_req_prepare: ['block/io.c', 1965],
    bdrv_co_write_req_finish: ['block/io.c', 2019],
    bdrv_driver_pwritev: ['block/io.c', 1043],
    bdrv_driver_preadv: ['block/io.c', 974],
    'raw_co_pwritev@raw-format': ['block/raw-format.c', 225],
    'raw_co_preadv@raw-format': ['block/raw-format.c', 210],
    raw_adjust_offset: ['block/raw-format.c', 189],
    bdrv_co_debug_event: ['block.c', 6632],
    blkdebug_co_debug_event: ['block/blkdebug.c', 841],
    blkdebug_co_pwritev: ['block/blkdebug.c', 655],
    blkdebug_co_preadv: ['block/blkdebug.c', 634],
    blkdebug_co_flush: ['block/blkdebug.c', 675],
    rule_check: ['block/blkdebug.c', 590],
    'raw_co_pwritev@file-posix': ['block/file-posix.c', 2590],
    'raw_co_preadv@file-posix': ['block/file-posix.c', 2583],
    raw_co_prw: ['block/file-posix.c', 2487],
    raw_co_flush_to_disk: ['block/file-posix.c', 2597],
    aio_get_linux_aio: ['util/async.c', 458],
    laio_co_submit: ['block/linux-aio.c', 420],
    laio_do_submit: ['block/linux-aio.c', 370],
    'ioq_submit@linux-aio': ['block/linux-aio.c', 290],
    qemu_laio_completion_cb: ['block/linux-aio.c', 256],
    qemu_laio_poll_cb: ['block/linux-aio.c', 265],
    qemu_laio_poll_ready: ['block/linux-aio.c', 274],
    qemu_laio_completion_bh: ['block/linux-aio.c', 249],
    qemu_laio_process_completions_and_submit: ['block/linux-aio.c', 240],
    qemu_laio_process_completions: ['block/linux-aio.c', 204],
    io_getevents_peek: ['block/linux-aio.c', 143],
    io_getevents_advance_and_peek: ['block/linux-aio.c', 184],
    qemu_laio_process_completion: ['block/linux-aio.c', 80],
    luring_co_submit: ['block/io_uring.c', 391],
    luring_do_submit: ['block/io_uring.c', 337],
    'ioq_submit@io_uring': ['block/io_uring.c', 229],
    qemu_luring_completion_cb: ['block/io_uring.c', 288],
    qemu_luring_poll_cb: ['block/io_uring.c', 294],
    qemu_luring_poll_ready: ['block/io_uring.c', 301],
    qemu_luring_completion_bh: ['block/io_uring.c', 282],
    luring_process_completions_and_submit: ['block/io_uring.c', 273],
    luring_process_completions: ['block/io_uring.c', 124],
    luring_resubmit_short_read: ['block/io_uring.c', 81],
    raw_thread_pool_submit: ['block/file-posix.c', 2418],
    aio_get_thread_pool: ['util/async.c', 438],
    thread_pool_submit_co: ['util/thread-pool.c', 284],
    thread_pool_submit_aio: ['util/thread-pool.c', 241],
    qemu_cond_signal: ['util/qemu-thread-posix.c', 199],
    spawn_thread: ['util/thread-pool.c', 158],
    spawn_thread_bh_fn: ['util/thread-pool.c', 149],
    do_spawn_thread: ['util/thread-pool.c', 134],
    qemu_thread_create: ['util/qemu-thread-posix.c', 549],
    worker_thread: ['util/thread-pool.c', 77],
    qemu_cond_timedwait_impl: ['util/qemu-thread-posix.c', 247],
    handle_aiocb_rw: ['block/file-posix.c', 1763],
    handle_aiocb_rw_linear: ['block/file-posix.c', 1723],
    handle_aiocb_rw_vector: ['block/file-posix.c', 1695],
    handle_aiocb_flush: ['block/file-posix.c', 1626],
    thread_pool_completion_bh: ['util/thread-pool.c', 174],
    thread_pool_co_cb: ['util/thread-pool.c', 276],
    blk_aio_complete: ['block/block-backend.c', 1563],
    blk_aio_complete_bh: ['block/block-backend.c', 1572],
    virtio_blk_rw_complete: ['hw/block/virtio-blk.c', 99],
    virtio_blk_flush_complete: ['hw/block/virtio-blk.c', 139],
    block_acct_done: ['block/accounting.c', 244],
    virtio_blk_req_complete: ['hw/block/virtio-blk.c', 54],
    virtqueue_push: ['hw/virtio/virtio.c', 1163],
    virtqueue_fill: ['hw/virtio/virtio.c', 1008],
    virtqueue_flush: ['hw/virtio/virtio.c', 1147],
    virtio_notify_irqfd: ['hw/virtio/virtio.c', 2675],
    virtio_notify_irqfd_deferred_fn: ['hw/virtio/virtio.c', 2666],
    virtio_should_notify: ['hw/virtio/virtio.c', 2656],
    virtio_notify: ['hw/virtio/virtio.c', 2710],
    virtio_blk_handle_rw_error: ['hw/block/virtio-blk.c', 72],
    block_acct_failed: ['block/accounting.c', 249],
    blk_get_error_action: ['block/block-backend.c', 2123],
    blk_error_action: ['block/block-backend.c', 2164],
    blk_iostatus_set_err: ['block/block-backend.c', 1242],
    send_qmp_error_event: ['block/block-backend.c', 2145],
    qemu_system_vmstop_request_prepare: ['system/runstate.c', 286],
    qemu_system_vmstop_request: ['system/runstate.c', 291],
    vm_stop: ['system/cpus.c', 720],
    do_vm_stop: ['system/cpus.c', 290],
    bdrv_drain_all: ['block/io.c', 573],
    bdrv_flush_all: ['block/io.c', 2334],
    bdrv_flush: ['block/block-gen.c'],
    bdrv_flush_entry: ['block/block-gen.c'],
    pause_all_vcpus: ['system/cpus.c', 623],
    runstate_set: ['system/runstate.c', 230],
    vm_state_notify: ['system/runstate.c', 382],
    qmp_cont: ['monitor/qmp-cmds.c', 66],
    vm_start: ['system/cpus.c', 781],
    vm_prepare_start: ['system/cpus.c', 741],
    resume_all_vcpus: ['system/cpus.c', 649],
    virtio_blk_dma_restart_cb: ['hw/block/virtio-blk.c', 1063],
    virtio_blk_dma_restart_bh: ['hw/block/virtio-blk.c', 1031],
    virtio_blk_start_ioeventfd: ['hw/block/virtio-blk.c', 1505],
    virtio_set_status: ['hw/virtio/virtio.c', 2220],
    virtio_blk_stop_ioeventfd: ['hw/block/virtio-blk.c', 1622],
    virtio_queue_aio_attach_host_notifier: ['hw/virtio/virtio.c', 3794],
    blk_set_aio_context: ['block/block-backend.c', 2379],
    aio_setup_linux_aio: ['util/async.c', 447],
  },
};

/** Zoned virtio-blk (8.1): declared, and enabled by `-trace virtio_blk_*`, but never fired for a regular disk. */
function zoneEvents(): VersionDelta['events'] {
  const vr = [
    { type: 'void *', name: 'vdev' },
    { type: 'void *', name: 'req' },
  ] as const;
  const why = 'Zoned storage emulation for virtio-blk; these fire only for a zoned host device.';
  const add = (name: string, args: ReadonlyArray<{ type: string; name: string }>, format: string) => ({
    since: '8.1',
    why,
    add: { name, file: 'hw/block/trace-events', args: [...vr, ...args], format },
  });
  return [
    add(
      'virtio_blk_zone_report_complete',
      [
        { type: 'unsigned int', name: 'nr_zones' },
        { type: 'int', name: 'ret' },
      ],
      'vdev %p req %p nr_zones %u ret %d',
    ),
    add('virtio_blk_zone_mgmt_complete', [{ type: 'int', name: 'ret' }], 'vdev %p req %p ret %d'),
    add(
      'virtio_blk_zone_append_complete',
      [
        { type: 'int64_t', name: 'sector' },
        { type: 'int', name: 'ret' },
      ],
      'vdev %p req %p, append sector 0x%lx ret %d',
    ),
    add(
      'virtio_blk_handle_zone_report',
      [
        { type: 'int64_t', name: 'sector' },
        { type: 'unsigned int', name: 'nr_zones' },
      ],
      'vdev %p req %p sector 0x%lx nr_zones %u',
    ),
    add(
      'virtio_blk_handle_zone_mgmt',
      [
        { type: 'uint8_t', name: 'op' },
        { type: 'int64_t', name: 'sector' },
        { type: 'int64_t', name: 'len' },
      ],
      'vdev %p req %p op 0x%x sector 0x%lx len 0x%lx',
    ),
    add(
      'virtio_blk_handle_zone_reset_all',
      [
        { type: 'int64_t', name: 'sector' },
        { type: 'int64_t', name: 'len' },
      ],
      'vdev %p req %p sector 0x%lx cap 0x%lx',
    ),
    add('virtio_blk_handle_zone_append', [{ type: 'int64_t', name: 'sector' }], 'vdev %p req %p, append sector 0x%lx'),
  ];
}
