// Checks real properties of the QEMU 4.1.0 catalog data (simulator/catalog/qemu-4.1.0.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CATALOG_4_1_0 } from '../simulator/catalog/qemu-4.1.0';
import type { FunctionEntry, StageGroupId, StageId, TraceEventDecl } from '../simulator/catalog/types';

const cat = CATALOG_4_1_0;
const fns: readonly FunctionEntry[] = cat.functions;
const events: readonly TraceEventDecl[] = cat.traceEvents;
const byName = new Map<string, FunctionEntry[]>();
for (const f of fns) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);

// [name, file, line] of every function of the verified reference set (catalog-4.1.0.json).
const REFERENCE: ReadonlyArray<readonly [string, string, number]> = [
  ['virtio_pci_notify_write', 'hw/virtio/virtio-pci.c', 1302],
  ['virtio_queue_notify', 'hw/virtio/virtio.c', 1564],
  ['main_loop_wait', 'util/main-loop.c', 488],
  ['os_host_main_loop_wait', 'util/main-loop.c', 224],
  ['aio_ctx_dispatch', 'util/async.c', 253],
  ['aio_dispatch', 'util/aio-posix.c', 456],
  ['aio_bh_poll', 'util/async.c', 96],
  ['aio_dispatch_handlers', 'util/aio-posix.c', 414],
  ['aio_poll', 'util/aio-posix.c', 610],
  ['try_poll_mode', 'util/aio-posix.c', 590],
  ['run_poll_handlers', 'util/aio-posix.c', 550],
  ['run_poll_handlers_once', 'util/aio-posix.c', 512],
  ['qemu_bh_schedule', 'util/async.c', 154],
  ['iothread_run', 'iothread.c', 51],
  ['virtio_queue_host_notifier_aio_read', 'hw/virtio/virtio.c', 2482],
  ['virtio_queue_host_notifier_aio_poll', 'hw/virtio/virtio.c', 2497],
  ['virtio_queue_notify_aio_vq', 'hw/virtio/virtio.c', 1528],
  ['virtio_blk_data_plane_handle_output', 'hw/block/dataplane/virtio-blk.c', 156],
  ['virtio_blk_handle_output', 'hw/block/virtio-blk.c', 796],
  ['virtio_blk_handle_vq', 'hw/block/virtio-blk.c', 758],
  ['virtqueue_pop', 'hw/virtio/virtio.c', 850],
  ['virtio_blk_handle_request', 'hw/block/virtio-blk.c', 609],
  ['virtio_blk_submit_multireq', 'hw/block/virtio-blk.c', 442],
  ['submit_requests', 'hw/block/virtio-blk.c', 379],
  ['blk_io_plug', 'block/block-backend.c', 1990],
  ['bdrv_io_plug', 'block/io.c', 2943],
  ['raw_aio_plug', 'block/file-posix.c', 1925],
  ['laio_io_plug', 'block/linux-aio.c', 334],
  ['blk_io_unplug', 'block/block-backend.c', 1999],
  ['bdrv_io_unplug', 'block/io.c', 2959],
  ['raw_aio_unplug', 'block/file-posix.c', 1936],
  ['laio_io_unplug', 'block/linux-aio.c', 339],
  ['blk_aio_pwritev', 'block/block-backend.c', 1449],
  ['blk_aio_preadv', 'block/block-backend.c', 1441],
  ['blk_aio_prwv', 'block/block-backend.c', 1330],
  ['bdrv_coroutine_enter', 'block.c', 5847],
  ['blk_aio_write_entry', 'block/block-backend.c', 1374],
  ['blk_aio_read_entry', 'block/block-backend.c', 1362],
  ['blk_aio_complete', 'block/block-backend.c', 1314],
  ['blk_co_pwritev', 'block/block-backend.c', 1157],
  ['blk_co_preadv', 'block/block-backend.c', 1130],
  ['qemu_coroutine_create', 'util/qemu-coroutine.c', 45],
  ['qemu_coroutine_new', 'util/coroutine-ucontext.c', 120],
  ['coroutine_trampoline', 'util/coroutine-ucontext.c', 91],
  ['qemu_aio_coroutine_enter', 'util/qemu-coroutine.c', 104],
  ['qemu_coroutine_enter', 'util/qemu-coroutine.c', 168],
  ['qemu_coroutine_switch', 'util/coroutine-ucontext.c', 207],
  ['qemu_coroutine_yield', 'util/qemu-coroutine.c', 180],
  ['coroutine_delete', 'util/qemu-coroutine.c', 84],
  ['aio_co_enter', 'util/async.c', 480],
  ['aio_co_wake', 'util/async.c', 467],
  ['aio_co_schedule', 'util/async.c', 449],
  ['co_schedule_bh_cb', 'util/async.c', 380],
  ['bdrv_co_pwritev', 'block/io.c', 1858],
  ['bdrv_co_preadv', 'block/io.c', 1413],
  ['tracked_request_begin', 'block/io.c', 671],
  ['tracked_request_end', 'block/io.c', 656],
  ['wait_serialising_requests', 'block/io.c', 787],
  ['bdrv_aligned_pwritev', 'block/io.c', 1688],
  ['bdrv_aligned_preadv', 'block/io.c', 1312],
  ['bdrv_co_write_req_prepare', 'block/io.c', 1599],
  ['bdrv_co_write_req_finish', 'block/io.c', 1647],
  ['bdrv_driver_pwritev', 'block/io.c', 1090],
  ['bdrv_driver_preadv', 'block/io.c', 1044],
  ['raw_co_pwritev', 'block/raw-format.c', 209],
  ['raw_co_preadv', 'block/raw-format.c', 194],
  ['raw_co_pwritev', 'block/file-posix.c', 1917],
  ['raw_co_preadv', 'block/file-posix.c', 1910],
  ['raw_co_prw', 'block/file-posix.c', 1867],
  ['raw_thread_pool_submit', 'block/file-posix.c', 1859],
  ['laio_co_submit', 'block/linux-aio.c', 381],
  ['laio_do_submit', 'block/linux-aio.c', 348],
  ['ioq_submit', 'block/linux-aio.c', 280],
  ['qemu_laio_completion_cb', 'block/linux-aio.c', 248],
  ['qemu_laio_poll_cb', 'block/linux-aio.c', 257],
  ['qemu_laio_process_completions_and_submit', 'block/linux-aio.c', 230],
  ['qemu_laio_process_completions', 'block/linux-aio.c', 198],
  ['qemu_laio_process_completion', 'block/linux-aio.c', 75],
  ['thread_pool_submit_co', 'util/thread-pool.c', 283],
  ['thread_pool_submit_aio', 'util/thread-pool.c', 244],
  ['spawn_thread', 'util/thread-pool.c', 146],
  ['spawn_thread_bh_fn', 'util/thread-pool.c', 137],
  ['do_spawn_thread', 'util/thread-pool.c', 122],
  ['worker_thread', 'util/thread-pool.c', 76],
  ['handle_aiocb_rw', 'block/file-posix.c', 1353],
  ['handle_aiocb_rw_linear', 'block/file-posix.c', 1313],
  ['handle_aiocb_rw_vector', 'block/file-posix.c', 1284],
  ['thread_pool_completion_bh', 'util/thread-pool.c', 162],
  ['thread_pool_co_cb', 'util/thread-pool.c', 275],
  ['virtio_blk_rw_complete', 'hw/block/virtio-blk.c', 110],
  ['virtio_blk_handle_rw_error', 'hw/block/virtio-blk.c', 86],
  ['blk_get_error_action', 'block/block-backend.c', 1619],
  ['blk_error_action', 'block/block-backend.c', 1658],
  ['vm_stop', 'cpus.c', 2121],
  ['virtio_blk_dma_restart_cb', 'hw/block/virtio-blk.c', 848],
  ['virtio_blk_dma_restart_bh', 'hw/block/virtio-blk.c', 812],
  ['virtio_blk_req_complete', 'hw/block/virtio-blk.c', 70],
  ['virtqueue_push', 'hw/virtio/virtio.c', 526],
  ['virtqueue_fill', 'hw/virtio/virtio.c', 477],
  ['virtqueue_flush', 'hw/virtio/virtio.c', 502],
  ['virtio_blk_data_plane_notify', 'hw/block/dataplane/virtio-blk.c', 48],
  ['notify_guest_bh', 'hw/block/dataplane/virtio-blk.c', 58],
  ['virtio_notify_irqfd', 'hw/virtio/virtio.c', 1677],
  ['virtio_should_notify', 'hw/virtio/virtio.c', 1654],
  ['virtio_notify', 'hw/virtio/virtio.c', 1715],
  ['virtio_blk_data_plane_start', 'hw/block/dataplane/virtio-blk.c', 168],
  ['virtio_queue_aio_set_host_notifier_handler', 'hw/virtio/virtio.c', 2522],
  ['blk_set_aio_context', 'block/block-backend.c', 1901],
  ['aio_setup_linux_aio', 'util/async.c', 325],
];

// [name, file, line] of the extra QEMU functions, each checked against the 4.1.0 tree.
const EXTRAS: ReadonlyArray<readonly [string, string, number]> = [
  ['qemu_kvm_cpu_thread_fn', 'cpus.c', 1257],
  ['kvm_cpu_exec', 'accel/kvm/kvm-all.c', 2197],
  ['main_loop', 'vl.c', 1782],
  ['notify_event_cb', 'util/main-loop.c', 124],
  ['bdrv_drain_all', 'block/io.c', 645],
  ['bdrv_flush_all', 'block/io.c', 1994],
  ['bdrv_flush', 'block/io.c', 2684],
  ['bdrv_flush_co_entry', 'block/io.c', 2564],
  ['main_loop_should_exit', 'vl.c', 1727],
  ['glib_pollfds_fill', 'util/main-loop.c', 183],
  ['aio_ctx_prepare', 'util/async.c', 219],
  ['qemu_poll_ns', 'util/qemu-timer.c', 318],
  ['glib_pollfds_poll', 'util/main-loop.c', 212],
  ['aio_ctx_check', 'util/async.c', 236],
  ['aio_notify_accept', 'util/async.c', 355],
  ['poll_set_started', 'util/aio-posix.c', 343],
  ['aio_bh_schedule_oneshot', 'util/async.c', 49],
  ['aio_notify', 'util/async.c', 343],
  ['event_notifier_set', 'util/event_notifier-posix.c', 94],
  ['event_notifier_test_and_clear', 'util/event_notifier-posix.c', 110],
  ['virtio_queue_host_notifier_aio_poll_begin', 'hw/virtio/virtio.c', 2490],
  ['virtio_queue_host_notifier_aio_poll_end', 'hw/virtio/virtio.c', 2514],
  ['virtio_queue_set_notification', 'hw/virtio/virtio.c', 328],
  ['virtio_queue_empty', 'hw/virtio/virtio.c', 376],
  ['virtio_blk_handle_output_do', 'hw/block/virtio-blk.c', 791],
  ['virtio_blk_get_request', 'hw/block/virtio-blk.c', 249],
  ['virtio_blk_sect_range_ok', 'hw/block/virtio-blk.c', 509],
  ['block_acct_start', 'block/accounting.c', 87],
  ['virtio_blk_handle_flush', 'hw/block/virtio-blk.c', 493],
  ['block_acct_merge_done', 'block/accounting.c', 249],
  ['blk_aio_flush', 'block/block-backend.c', 1466],
  ['blk_aio_flush_entry', 'block/block-backend.c', 1457],
  ['blk_co_flush', 'block/block-backend.c', 1549],
  ['qemu_coroutine_self', 'util/coroutine-ucontext.c', 229],
  ['qemu_coroutine_entered', 'util/qemu-coroutine.c', 196],
  ['bdrv_co_flush', 'block/io.c', 2572],
  ['raw_adjust_offset', 'block/raw-format.c', 174],
  ['bdrv_debug_event', 'block.c', 5126],
  ['blkdebug_debug_event', 'block/blkdebug.c', 757],
  ['blkdebug_co_pwritev', 'block/blkdebug.c', 567],
  ['blkdebug_co_preadv', 'block/blkdebug.c', 546],
  ['blkdebug_co_flush', 'block/blkdebug.c', 587],
  ['rule_check', 'block/blkdebug.c', 505],
  ['raw_co_flush_to_disk', 'block/file-posix.c', 1947],
  ['aio_get_linux_aio', 'util/async.c', 336],
  ['qemu_laio_completion_bh', 'block/linux-aio.c', 241],
  ['io_getevents_peek', 'block/linux-aio.c', 137],
  ['io_getevents_advance_and_peek', 'block/linux-aio.c', 178],
  ['aio_get_thread_pool', 'util/async.c', 316],
  ['qemu_sem_post', 'util/qemu-thread-posix.c', 216],
  ['qemu_thread_create', 'util/qemu-thread-posix.c', 507],
  ['qemu_sem_timedwait', 'util/qemu-thread-posix.c', 253],
  ['handle_aiocb_flush', 'block/file-posix.c', 1217],
  ['blk_aio_complete_bh', 'block/block-backend.c', 1323],
  ['virtio_blk_flush_complete', 'hw/block/virtio-blk.c', 152],
  ['block_acct_done', 'block/accounting.c', 222],
  ['virtio_blk_free_request', 'hw/block/virtio-blk.c', 65],
  ['block_acct_failed', 'block/accounting.c', 227],
  ['blk_iostatus_set_err', 'block/block-backend.c', 1080],
  ['send_qmp_error_event', 'block/block-backend.c', 1640],
  ['qemu_system_vmstop_request_prepare', 'vl.c', 754],
  ['qemu_system_vmstop_request', 'vl.c', 759],
  ['do_vm_stop', 'cpus.c', 1069],
  ['pause_all_vcpus', 'cpus.c', 1883],
  ['runstate_set', 'vl.c', 702],
  ['vm_state_notify', 'vl.c', 1421],
  ['qmp_cont', 'monitor/qmp-cmds.c', 127],
  ['vm_start', 'cpus.c', 2172],
  ['vm_prepare_start', 'cpus.c', 2142],
  ['resume_all_vcpus', 'cpus.c', 1921],
];

// SHA-256 of each reference summary and note (whitespace collapsed). Our texts must be our own,
// so none of them may hash to one of these.
const REFERENCE_TEXT_SHA256 = new Set<string>([
  '00ae663d3b3065c3392af1172c11686fd3ad9354965e616be2c48ef63eb974cb',
  '0195691db4fc89a768548c35b3db00c87b31669c8dce0969cd9615425540380e',
  '02d66741eb5de4802d05ed17cccdd7cc1222050a10f18f80809b793d6c92b0c9',
  '06ee30bf2860a7414a21463998ff4412478b5834a1fe0f877c055e10f0ec73e5',
  '074eb20ec0411a27c22c0a3009c4446014e985db5660362d0018b98ef3457321',
  '0795af2b6994ea449c034b06d75c97d34a51fe9537f446bea31cc223126114fb',
  '089faaf8230780ff477167c46bf33a83fcf14dbee74bf26b49e1106d3ef754f0',
  '0b833c6b2a637e9d2213e848bb043112dd0178ee6e0efb39315ad952a0cf7737',
  '0bd7955bd894c4941546d2e846f9ddb3b1f7bced273a7e11c0df485cf986a2c8',
  '0fd2524fb92cc1a00510f3e8aed5dc76b520e010193c0471d8bcd05cccee1259',
  '114c1ce1773659a1c52a0088bb8cd1a87f0b66fb59e70cca7155932a5c01c447',
  '12af5aa044b94ef003e82bda9d4b3552ec80deb7d3048378aa28806dafc1c3f5',
  '1c601c948aa38801d9d681efb712925e62b6c5085a916e1c1e05157029be3067',
  '1f142403a21b4266001d5e87c31ae24cd4bd6125fe675ee36ae15ef4c6160c55',
  '200baac66d4ae257123e9ae5198dd673332946bba7260469644067fead4d6476',
  '2101d03d550ab22c8c344937b816bd41c1536430620d3ed530be83410df95758',
  '2116535a18bf7d6583b45ccb5779a2ab1da9e2bbfef18f8d87d6439d2bcec7ac',
  '2433aefc7a618e0ce34f174e6c6ef82ec653a15854219596b961c277bc13ca12',
  '24a7cfb26cbc42473c3fb3288e970025bd8caf7ce4e3db22c59e1cdb5102fd69',
  '24b3b9796115e7f959d28ced5911214bd1a2187186578a4413e2f0ad06e127dc',
  '26b0b4dd8b21402e0c6b0bbc708bfe3a1047edcb9aea05685ba7c47058115b2a',
  '2a7cc5b9ec7de153a7711eb993d0a62b91c8748702510950e14f9099647f373f',
  '2b21c29e352f62fe10528581a43b8a77e566683340041331f0b2c1bc1f604738',
  '2cc84f8a2031ee9fa2a348f1249c344950c83d2e556054c13f21669e305dd4c5',
  '3548a5d184de20b0a27487f4d973b45286dd0a09ebc8005f02a9d686c54c17c9',
  '382ddc1b129ea7c242b25d8ba0b73907edeca24eb3f7f52ebaf4351cbe4c0254',
  '3a5411e1a6d12b9b424c8da9c7d41fe80384ab9344d1b8f0dc7e7aa00bae1b32',
  '3aab552177e9dfefe7e9a6efceac5d0c3a523cc70d8794707da05a9ebe77d990',
  '3dcdb15cb377bb987fcf901292c5e2dace97f64370f14943e76790e5c4e4eeef',
  '464a1ea83ecbdba03cc1121826f97fec7ee1e836900ec1ef19ae6ae46e45be79',
  '478f677455fbd87222eeda5ee95c902f7993eec3be1beaef62c81357de990c96',
  '4a3325a522699ad36252a12235d4fdd4e25f34b02f486a3468d0e14ba75b4f17',
  '4b4c2bff2fe709cfa0531650a567df5891fee9973ca70a52b0959cfcb785109b',
  '4ca6c78a9b08210b86a1bfcfb8e416af427a655b96569e91e61ab8c0de6ed672',
  '51f2a06d9214a2782d2da43ddaee8c7d2b637a0cf392f1f834d024fc4297e176',
  '5464611f2bafc3a09a408ff66660e62bb5407602c148d63162d45385e880bea5',
  '57e7b0846fa09c4998cdc5ba56e7cc154ebc1cfa094295b61470845637b6be83',
  '59fbe75589eb12ea4877b04fb8fffcfc036a3488898d80f581489fa5a419c4a1',
  '5aa98692f495acfab91fe0b715238bf593615bc0656e41d0938da8f8981c2a73',
  '5b4970fcbc7e49e21d9cdf29dd18af094a7822bc238e8da8817311aeec6c3682',
  '5c74205ad78e858c8fcf02c622ffc276e743fd465cde1b282e6f840e9bd148d9',
  '5dd538575c8ec3c6f5affbe55d7dc21035290c6be078055fea04d96a5f139017',
  '5f0b95bac27bb3ef187dc54ec49cadd4359cbb6dbf0317e2cffb203177781dbd',
  '61b603322cc89fd81d130245cf6a89ef83fcfea10172fdbd32e61fded47dde97',
  '62179b466c6cc571ca93acb56effc715aef414ea01e3afe61f62cc043b5fad1f',
  '6569be5512b6ed8c0ceb39326b94b6fa0ab58ca95867d892db1c6f1b602b57e2',
  '65d8ec3e1e23a24c463b54d035811365ba5fc3daf932df7fb733b26a296090dc',
  '66939e52ef7cb99f22bc49fa558dc60a398dd8b7b1cd7d680aefb7b98be5b0a1',
  '66d40a7d2afd4656a239e51d6c9ac89b5801144d074ca41c6b7aabeb7d9f68c1',
  '6b2f0e8f683a8bbdc3f1f65cb05a486d40b99b538c9b2bac8b25954fb21e2fb7',
  '6d8a8e2cec9040bf55dda908b0d7d12a25713728d47036ed215ce86f7a55a9e1',
  '6ffb4969f205d9feff8c5ab397a48e42b5925006f4555508a7a50262772fbe25',
  '70ec19dc36c946f6e201e64a164b2a192f41665b6f5cc5624564e26990a838fd',
  '73920d90de749c928b68a46f0cd99e495192032b1f71901ebc0fefc39fca179c',
  '73c741e106e4b5955eef237a5dc54c92f272f88a64af64d43198535278f0b41a',
  '73e2f153f16adc3058aafa66b3a7750f71acba08d7726604c357da2180c724bf',
  '766b2b5f63a9c69eb6a001e62520bd1d54b0ec5ea15970d18b9f0fa2f2285881',
  '7735779091aee51ac370f06fb5c64eeeeff54ecefe2e5d59446fc95a197fe7b5',
  '7e36ab8eb2033f996ee4d9445349e14d802edd3334b5321f08d72c9a66d302f0',
  '7fbc4326a3e8ceafe2c0389621cbe028f9a834ac8b2baa3ff8ac92525dd8a206',
  '8251c93fe9a69c3f4b2889ecb12e7d723df607822147c6d8d049d14cb7b782ec',
  '8524ac8133a686698845e56e8b11d7e6fdd29a6999410c29e1b5fad0d6f600f1',
  '852fcc2c0a10c64455e731b2c5de441dd7ceb0da831054c84ac2bcfe14ed93c7',
  '85746f5ff707e6cb4277c6a1cd3e9d6cc293bc6b333b2b48961e72f537d9d9c2',
  '883c788360257599c924ab5ed15d922a55f567986999deeab80ee9a3dcea062d',
  '887943495678a412c291f20cc1fd71d580a747708e75e3a03f63d187405d9f9b',
  '896252e7205987305572d4511855b925e46ecb59386a0da629e15529290a4d17',
  '9392d9e436b976fbb9f51bccc2c98b50f85b1469434f9f0ab8f71e536592b852',
  '947e6542738026cec1467a9a007ab93b1752dfbc7961f1b207bfcdbcf64c998b',
  '96be6ad1a223d4c8d06675e130e92526f928e57bbabf8ea5cafe1856b6c80d5d',
  '9a476da31ad6707ff9e16cce6ab72025d30234baa53e28752f4001c4431dbc26',
  '9a787b2d43b9a478786964b4c33f996d59c0fb68dc13efff24f70b06c546faa5',
  '9b3758f57d2525ed2fb44694d02b065d185859baebf66984545e0356afaeed58',
  '9c5b25828d692e41012038d89b818beece1a5a6dbb8446682eef2c68925f0425',
  'a070716d225e2c83a8c7e84b49d57045dff91bbe1e7532c5641ab29295f8ebf1',
  'a48c4f997b309f34c89b74c3b03deb5fa8810fa0bf1cc00b2ae94df682634cf7',
  'a5ce87c90fdf407bee8045d078e7ff7908e465dda5cb91b88d1368fc4121ba34',
  'aa9fc0238d8fcab9aa2c866626dbb84461a8e69e41fecab1b268a97846275ecf',
  'aaeda5151a7887e0a12863752db783b382e832cd2ee8f0bc199267a929f7ef8f',
  'aaf49742eae213a8d91945447c9e61078a2239f3b89be65c5f1ae3e8027a25d8',
  'ae8d9071fe322dd5769d2fbecd4d9f4953dea8e5a6cdb5f94cf3128fa78d6a4e',
  'b0f99be4b2ca08c0c5f28dfff8c7d3bdc205401d41f108b37631feeeb7a55faf',
  'b4b27e4bd407fc78f403531cbf72f3215b94f6537098eedd6b5592044c10f6e5',
  'b8685fb7db4837e178d133dc2a2e811f9b9d74e97ec846f80efc5ca25b859270',
  'b89ccebffbaa22ce6f5243135ff1f41d76570e85a84551437759dc19d48d83f0',
  'b9624e3af17247b560bdcf530929b218c3d1ba6d64d58af686b5f21a600c0778',
  'bab6cb462087267ceb182b0ab1b6ceba145fc737c940a956dacf8e4ec447d3f0',
  'bb218306a909fbeca21ffe9da992de148be2780eb95cfd21a5670f5b7a6abce7',
  'bd1bc2ec5d41ff58aa6e4ba967b2f60d4ffaeac9ec68a265addbaae0c48de546',
  'bf8a74651f2cae8204cc05f1afa4db4ba253e6963fc241950916ce63c1aa341d',
  'c2dab5ef98e81acd3bd3b06ddc0b30729cd884e506728046ebe4ef32b509bc01',
  'c5c82b3369e6b3acdb9db7068226aee85201ee194ae40940eff53866b0211085',
  'c6a6368c02bacd09f6a0c84a882881de0b2304cada77af2f29ffba14f17e8773',
  'c7773c9ab68f6d8a28ca98658b0a612b96b9c16c3b52ec4a5ec788c96ce31a3f',
  'c79e6c548dcbf88be8df213f8319bc2ee6182fda34616ceaaf925190ca48c176',
  'c857b9eed82bde47711a738b7b9ff52a2d4adcef1c2acbda08e864c48ce660af',
  'cd9f2a3f54a92527f0702de900310e0dfac749f1ac8caa95a55c5462c556c68b',
  'cdeb32c4856932bca7f4c146a53784154727efdc374a242a9efb46ccaf9a8ac1',
  'd041bbc6313a678ad0c5b606327e5f9c90ce6cb3a786f87d57e23b58cddfc97d',
  'd2ec1458faf33f1eb14b93f1b9ebd530258e5f819090ebc34ed43c6b71ad0497',
  'd589039329365ac5890ef95891c934150b0735eb04547bc23ce2c23e288a6c12',
  'd88360eb812352aca86f970b3584f004b79842d9d5a320550e7afb3c02f721f6',
  'db59a0e11228daf8f343dfe004b47ac91e0cb24f35ec4606cb78bed09a69b6f7',
  'dc0695fb2fc22437abab98c4b5d8c81f74521e03b2b96cbd5acd705f7fdcedd7',
  'dccb78ccd8a6b95257b2f4b40810e2f6c1b613cad811677a861f28e227a6db3f',
  'df591dcc5b1fc0a2e8d6cdf939df4723eb07646d218a286589b79af1882ca6a2',
  'dfbb578ced9c6d6bce3b3e70a94d8ef12e1840a285702f87f4c9ffbed33152ed',
  'e33219da1a77dedc2f499d6a6088977e4b906911ca9f3fbb27fe33b63987211c',
  'e4d64f4acce19ce72b68385e9a5552fd8ea39517e67832a0bdc3dd851d587113',
  'e535f12c379607fb513752e387e51f40e106b964adc6bb4ab272b69d33d29b46',
  'e604656df406e72aaee34b890be6d240650425f74b2977af4e5d308993472ead',
  'eaca1b21089be3e59e274503d1aa1a11ce4492eeacac6e7ca4b5afc1738daa66',
  'ec46b9fbb1eeb56462707e34b3a60550e685753d7cb2f70aa32a27898927196d',
  'eff89ba1c8ad30b427fdcb8a268171440fa504350fa3d9aecaf41b38ac3fd90e',
  'f423862e731631b930f26512a2f075515c09eb9b0d2989b617982b825dcf0d9f',
  'f9ff920ddd85e4420cc4b34699f75c15957ec98cbefaba1d0608a6fb8a879837',
  'fd7df11e53b24f394ee4ee029fe6491cb72e03d5da013882035612df437bc308',
  'fe6313434a9c66129a868579e72161df95e9f31f7e6e173e23e85e0b2ef87e47',
]);

const SYSCALLS = [
  'ppoll',
  'epoll_wait',
  'pread',
  'pwrite',
  'preadv',
  'pwritev',
  'pread64',
  'pwrite64',
  'fdatasync',
  'io_setup',
  'io_submit',
  'io_getevents',
  'eventfd',
  'eventfd_read',
  'eventfd_write',
  'read',
  'write',
];
const GUEST = [
  'virtio_queue_rq',
  'virtqueue_add_sgs',
  'virtqueue_kick_prepare',
  'virtqueue_notify',
  'vp_notify',
  'vring_interrupt',
  'virtblk_done',
  'virtqueue_get_buf',
  'virtqueue_enable_cb',
  'virtqueue_disable_cb',
];
const MOVED_TO_ERROR = [
  'virtio_blk_handle_rw_error',
  'blk_get_error_action',
  'blk_error_action',
  'vm_stop',
  'virtio_blk_dma_restart_cb',
  'virtio_blk_dma_restart_bh',
];
const REQUIRED_EVENTS = [
  'virtio_queue_notify',
  'virtqueue_alloc_element',
  'virtqueue_pop',
  'virtqueue_fill',
  'virtqueue_flush',
  'virtio_notify',
  'virtio_notify_irqfd',
  'virtio_blk_handle_write',
  'virtio_blk_handle_read',
  'virtio_blk_submit_multireq',
  'virtio_blk_rw_complete',
  'virtio_blk_req_complete',
  'virtio_blk_data_plane_start',
  'blk_co_pwritev',
  'blk_co_preadv',
  'bdrv_co_pwritev',
  'bdrv_co_preadv',
  'qemu_aio_coroutine_enter',
  'qemu_coroutine_yield',
  'qemu_coroutine_terminate',
  'qemu_co_mutex_lock_uncontended',
  'qemu_co_mutex_unlock_entry',
  'aio_co_schedule',
  'aio_co_schedule_bh_cb',
  'thread_pool_submit',
  'thread_pool_complete',
  'thread_pool_cancel',
  'run_poll_handlers_begin',
  'run_poll_handlers_end',
  'poll_grow',
  'poll_shrink',
  'runstate_set',
  'vm_state_notify',
];

const only = (name: string): FunctionEntry => {
  const list = byName.get(name);
  assert.ok(list && list.length === 1, `expected exactly one function named ${name}`);
  return list[0];
};
const sha256 = (s: string): string =>
  createHash('sha256').update(s.split(/\s+/).filter(Boolean).join(' ')).digest('hex');

test('version and release commit', () => {
  assert.equal(cat.version, '4.1.0');
  assert.match(cat.releaseCommit, /^[0-9a-f]{40}$/);
});

test('function keys (name, or name@qualifier) are unique; qualifiers only on the two static raw_co_* pairs', () => {
  const keys = fns.map((f) => (f.qualifier ? `${f.name}@${f.qualifier}` : f.name));
  assert.equal(new Set(keys).size, keys.length, 'function keys must be unique');
  const repeated = [...byName]
    .filter(([, l]) => l.length > 1)
    .map(([n]) => n)
    .sort();
  assert.deepEqual(repeated, ['raw_co_preadv', 'raw_co_pwritev']);
  for (const f of fns) {
    const dup = byName.get(f.name)!.length > 1;
    assert.equal(f.qualifier !== undefined, dup, `${f.name}: qualifier must be set exactly when the name repeats`);
  }
  for (const n of repeated) {
    const pairs = byName
      .get(n)!
      .map((f) => `${f.qualifier}:${f.file}`)
      .sort();
    assert.deepEqual(pairs, ['file-posix:block/file-posix.c', 'raw-format:block/raw-format.c']);
  }
});

test('groups: the ten groups with the agreed labels, each used by a stage', () => {
  const expected: Array<[StageGroupId, string]> = [
    ['guest', 'Guest & kick'],
    ['poll', 'Poll & dispatch'],
    ['virtio', 'virtio-blk'],
    ['blk', 'Block backend & coroutine'],
    ['driver', 'Block driver'],
    ['laio', 'Linux AIO'],
    ['pool', 'Thread pool'],
    ['completion', 'Completion'],
    ['error', 'Errors & VM stop'],
    ['setup', 'Setup'],
  ];
  assert.deepEqual(
    cat.groups.map((g) => [g.id, g.label]),
    expected,
  );
  for (const g of cat.groups) {
    assert.ok(g.description.length > 0);
    assert.ok(
      cat.stages.some((s) => s.group === g.id),
      `group ${g.id} has no stage`,
    );
  }
});

test('stages: unique, each in a declared group; every function stage is declared; syscall stage unused', () => {
  const groupIds = new Set<string>(cat.groups.map((g) => g.id));
  const stageIds = cat.stages.map((s) => s.id);
  assert.equal(new Set(stageIds).size, stageIds.length);
  for (const s of cat.stages) {
    assert.ok(groupIds.has(s.group), `stage ${s.id} has unknown group ${s.group}`);
    assert.ok(s.label.length > 0);
  }
  const expectedGroup: Record<string, StageGroupId> = {
    guest: 'guest',
    kick: 'guest',
    mainloop: 'poll',
    poll: 'poll',
    iothread: 'poll',
    virtio: 'virtio',
    merge: 'virtio',
    plug: 'driver',
    'blk-aio': 'blk',
    'blk-co': 'blk',
    coroutine: 'blk',
    bdrv: 'driver',
    'raw-format': 'driver',
    raw: 'driver',
    blkdebug: 'driver',
    'laio-submit': 'laio',
    'laio-complete': 'laio',
    'pool-submit': 'pool',
    'pool-worker': 'pool',
    'pool-complete': 'pool',
    completion: 'completion',
    notify: 'completion',
    error: 'error',
    setup: 'setup',
  };
  assert.deepEqual(Object.fromEntries(cat.stages.map((s) => [s.id, s.group])), expectedGroup);
  const declared = new Set<StageId>(stageIds);
  for (const f of fns) {
    assert.ok(declared.has(f.stage), `${f.name}: stage ${f.stage} not declared`);
    assert.notEqual(f.stage, 'syscall', `${f.name} uses the syscall stage`);
  }
});

test('trace events: unique, well-formed, formats expanded for x86-64 and matching the argument count', () => {
  const names = events.map((e) => e.name);
  assert.equal(new Set(names).size, names.length);
  for (const e of events) {
    assert.match(e.file, /^(.+\/)?trace-events$/, `${e.name}: file`);
    assert.ok(e.args.length > 0, `${e.name}: args`);
    for (const a of e.args) assert.ok(a.type.length > 0 && /^\w+$/.test(a.name), `${e.name}: arg ${a.name}`);
    assert.doesNotMatch(e.format, /PRI[diuxX]\d+|"/, `${e.name}: format still has a macro or quote`);
    const conversions = e.format.match(/%[-#0 +]*\d*(?:hh|h|ll|l|z|j|t)?[diouxXcsp]/g) ?? [];
    assert.equal(conversions.length, e.args.length, `${e.name}: ${e.format}`);
  }
  for (const r of REQUIRED_EVENTS) assert.ok(names.includes(r), `missing trace event ${r}`);
  assert.ok(!names.includes('bdrv_co_flush'), 'bdrv_co_flush has no trace event at 4.1.0');
  const ev = new Map(events.map((e) => [e.name, e]));
  assert.equal(ev.get('blk_co_pwritev')!.format, 'blk %p bs %p offset %ld bytes %u flags 0x%x');
  assert.equal(ev.get('virtio_blk_handle_write')!.format, 'vdev %p req %p sector %lu nsectors %zu');
  assert.equal(ev.get('virtio_blk_data_plane_start')!.file, 'hw/block/dataplane/trace-events');
});

test('every traceEvents entry of a function names a declared trace event, and the firing sites are right', () => {
  const declared = new Set(events.map((e) => e.name));
  for (const f of fns) {
    assert.equal(new Set(f.traceEvents).size, f.traceEvents.length, `${f.name}: duplicate trace names`);
    for (const t of f.traceEvents) assert.ok(declared.has(t), `${f.name}: undeclared trace event ${t}`);
  }
  const fires = (fn: string, ev: string) => assert.ok(only(fn).traceEvents.includes(ev), `${fn} should fire ${ev}`);
  fires('qemu_aio_coroutine_enter', 'qemu_aio_coroutine_enter');
  fires('qemu_aio_coroutine_enter', 'qemu_coroutine_terminate');
  for (const fn of ['tracked_request_begin', 'tracked_request_end']) {
    fires(fn, 'qemu_co_mutex_lock_uncontended');
    fires(fn, 'qemu_co_mutex_unlock_entry');
  }
  fires('qemu_coroutine_yield', 'qemu_coroutine_yield');
  fires('thread_pool_submit_aio', 'thread_pool_submit');
  fires('thread_pool_completion_bh', 'thread_pool_complete');
  fires('runstate_set', 'runstate_set');
  fires('vm_state_notify', 'vm_state_notify');
  fires('virtio_blk_data_plane_start', 'virtio_blk_data_plane_start');
  // Every declared event except the off-path/contended ones is fired by some function.
  const fired = new Set(fns.flatMap((f) => f.traceEvents));
  const unfired = events
    .map((e) => e.name)
    .filter((n) => !fired.has(n))
    .sort();
  assert.deepEqual(unfired, [
    'qemu_co_mutex_lock_entry',
    'qemu_co_mutex_lock_return',
    'qemu_co_mutex_unlock_return',
    'thread_pool_cancel',
  ]);
});

test('origins: qemu functions have file and line; syscalls neither; guest functions a Linux file and no line', () => {
  for (const f of fns) {
    if (f.line !== undefined) {
      assert.ok(f.file, `${f.name} has a line but no file`);
      assert.ok(Number.isInteger(f.line) && f.line > 0, `${f.name}: line`);
    }
    if (f.origin === 'qemu') assert.ok(f.file && f.line, `${f.name}: qemu function without file:line`);
    if (f.origin === 'syscall') assert.ok(f.file === undefined && f.line === undefined, `${f.name}: syscall location`);
    if (f.origin === 'guest') {
      assert.ok(f.file?.startsWith('drivers/') && f.line === undefined, `${f.name}: guest location`);
      assert.equal(f.thread, 'vcpu');
      assert.equal(f.stage, 'guest');
    }
  }
  assert.deepEqual(
    fns
      .filter((f) => f.origin === 'syscall')
      .map((f) => f.name)
      .sort(),
    [...SYSCALLS].sort(),
  );
  assert.deepEqual(
    fns
      .filter((f) => f.origin === 'guest')
      .map((f) => f.name)
      .sort(),
    [...GUEST].sort(),
  );
  // glib functions: a glib source file, no line (glib's version is not pinned)
  for (const f of fns.filter((x) => x.origin === 'glib'))
    assert.ok(f.file?.startsWith('glib/') && f.line === undefined, `${f.name}: glib location`);
  assert.deepEqual(
    fns.filter((f) => f.origin === 'glib').map((f) => f.name),
    ['g_main_context_dispatch'],
  );
});

test('every qemu function of the reference set and of the extras is present with its file:line', () => {
  const at = new Map(fns.map((f) => [`${f.name}@${f.file}`, f]));
  for (const [name, file, line] of [...REFERENCE, ...EXTRAS]) {
    const f = at.get(`${name}@${file}`);
    assert.ok(f, `missing ${name} (${file})`);
    assert.equal(f.origin, 'qemu');
    assert.equal(f.line, line, `${name}: line`);
  }
  assert.equal(REFERENCE.length, 109);
  assert.equal(fns.filter((f) => f.origin === 'qemu').length, REFERENCE.length + EXTRAS.length);
  for (const n of MOVED_TO_ERROR) assert.equal(only(n).stage, 'error', `${n} belongs to the error stage`);
});

test('calls that name a catalog function resolve; syscalls are referenced by their plain name', () => {
  const known = new Set([...REFERENCE, ...EXTRAS].map(([n]) => n).concat(SYSCALLS, GUEST));
  let resolved = 0;
  for (const f of fns) {
    for (const c of f.calls) {
      assert.doesNotMatch(c, /\s/, `${f.name}: call "${c}" is not a plain name`);
      if (known.has(c)) {
        assert.ok(byName.has(c), `${f.name} calls ${c}, which is missing`);
        resolved++;
      }
    }
  }
  assert.ok(resolved > 200, `only ${resolved} resolvable call edges`);
  const callsOf = (n: string) => only(n).calls as readonly string[];
  assert.ok(callsOf('handle_aiocb_rw_linear').includes('pwrite'));
  assert.equal(byName.get('pwrite')![0].origin, 'syscall');
  assert.ok(callsOf('ioq_submit').includes('io_submit'));
  assert.ok(callsOf('event_notifier_set').includes('write'));
  assert.ok(callsOf('qemu_poll_ns').includes('ppoll'));
});

test('yield facts are consistent', () => {
  for (const f of fns) {
    if (f.directYield) assert.ok(f.yields, `${f.name}: directYield without yields`);
    if (f.yields) assert.notEqual(f.runsIn, 'plain', `${f.name}: yields but never runs in a coroutine`);
    if (f.origin !== 'qemu') assert.ok(!f.yields, `${f.name}: only QEMU code can yield`);
  }
  assert.ok(only('qemu_coroutine_yield').directYield);
  for (const n of ['thread_pool_submit_co', 'laio_co_submit']) assert.ok(only(n).directYield, n);
});

test('texts: summaries non-empty, at most 400 chars, distinct, and not the reference wording', () => {
  const seen = new Set<string>();
  for (const f of fns) {
    const s = f.summary.trim();
    assert.ok(s.length > 0, `${f.name}: empty summary`);
    assert.ok(s.length <= 400, `${f.name}: summary has ${s.length} chars`);
    assert.ok(!seen.has(s), `${f.name}: summary repeated`);
    seen.add(s);
    assert.ok(!REFERENCE_TEXT_SHA256.has(sha256(s)), `${f.name}: summary equals the reference text`);
    if (f.notes !== undefined) {
      assert.ok(f.notes.trim().length > 0 && f.notes.length <= 400, `${f.name}: notes length`);
      assert.ok(!REFERENCE_TEXT_SHA256.has(sha256(f.notes)), `${f.name}: notes equal the reference text`);
    }
  }
});

const REFERENCE_JSON = '/work/shared/qemu/catalog-4.1.0.json';
test(
  'texts share no run of 8 words with the reference text of the same function',
  { skip: existsSync(REFERENCE_JSON) ? false : 'reference JSON not available' },
  () => {
    const words = (s: string) => s.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
    const runs = (s: string, n = 8) => {
      const w = words(s);
      const out = new Set<string>();
      for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
      return out;
    };
    const ref = JSON.parse(readFileSync(REFERENCE_JSON, 'utf8')) as Array<{
      name: string;
      file: string;
      summary: string;
      notes?: string;
    }>;
    for (const r of ref) {
      const theirs = runs(`${r.summary} ${r.notes ?? ''}`);
      const f = fns.find((x) => x.name === r.name && x.file === r.file)!;
      for (const run of runs(`${f.summary} ${f.notes ?? ''}`)) {
        assert.ok(!theirs.has(run), `${r.name}: copies "${run}"`);
      }
    }
  },
);

test('functions are ordered along the path: guest first, syscalls last', () => {
  assert.equal(fns[0].origin, 'guest');
  const firstSys = fns.findIndex((f) => f.origin === 'syscall');
  assert.ok(
    fns.slice(firstSys).every((f) => f.origin === 'syscall'),
    'syscalls form the final block',
  );
  const setupIdx = fns.findIndex((f) => f.stage === 'setup');
  const errorIdx = fns.findIndex((f) => f.stage === 'error');
  assert.ok(errorIdx < setupIdx && setupIdx < firstSys);
});

test('indirect calls are calls; plumbing marks the dispatch and coroutine-switch frames', () => {
  for (const f of fns) {
    for (const c of f.indirectCalls ?? [])
      assert.ok(f.calls.includes(c), `${f.name}: indirect call ${c} is not in calls`);
    assert.equal(new Set(f.indirectCalls).size, f.indirectCalls?.length ?? 0, `${f.name}: indirect calls repeat`);
  }
  // the completion callback and the pool job are called through pointers
  assert.ok(only('blk_aio_complete').indirectCalls?.includes('virtio_blk_rw_complete'));
  assert.ok(only('worker_thread').indirectCalls?.includes('handle_aiocb_rw'));
  const plumbing = fns.filter((f) => f.plumbing).map((f) => f.name);
  assert.ok(plumbing.includes('qemu_aio_coroutine_enter') && plumbing.includes('main_loop'));
  assert.ok(!plumbing.includes('virtio_blk_handle_vq') && !plumbing.includes('laio_co_submit'));
});
