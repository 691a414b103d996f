// Assembles one machine from a scenario, for the QEMU version it names: the layers' state, the
// version's steps, the CPU cost of each function, and the threads that exist at start (main loop,
// optional iothread, vCPU). Worker threads come and go as the thread pool decides.

import { Catalog, CATALOG_VERSIONS, Fn, functionIdCount, getCatalog } from './catalog';
import * as aioContext from './aio/aio-context';
import { initAio, newAioContext } from './aio/aio-context';
import * as aioPoll from './aio/aio-poll';
import * as coWake from './aio/co-wake';
import * as deferCall from './aio/defer-call';
import { initDeferCall } from './aio/defer-call';
import { copyDeviceState, initDevice, registerDeviceTimers } from './backends/device';
import { copyHostIoState, initHostIo } from './backends/host-io';
import * as ioUring from './backends/io-uring';
import { copyUringState, initIoUring, registerIoUringTimers } from './backends/io-uring';
import * as linuxAio from './backends/linux-aio';
import { attachLinuxAio, copyLaioState, initLinuxAio, registerLinuxAioTimers } from './backends/linux-aio';
import * as threadPool from './backends/thread-pool';
import { copyPoolState, initThreadPools } from './backends/thread-pool';
import * as blockBackend from './block/block-backend';
import { copyBlkState, initBlockBackend } from './block/block-backend';
import * as blkdebug from './block/blkdebug';
import * as filePosix from './block/file-posix';
import { initFilePosix, registerFilePosixTimers } from './block/file-posix';
import * as blockIo from './block/io';
import { copyBlockState, initBlockGraph } from './block/io';
import * as rawFormat from './block/raw-format';
import { Scenario } from './config/scenario';
import * as coroutine from './coroutine/coroutine';
import { copyCoroutineState, initCoroutines, relinkCoroutines } from './coroutine/coroutine';
import { Machine, resolveTailCalls, StepDef } from './engine/machine';
import { World } from './engine/types';
import { initVersion, ModelledVersion, traceRenames } from './version';
import * as guest from './guest/driver';
import { copyGuestState, initGuest, registerGuestTimers } from './guest/driver';
import * as iothread from './loop/iothread';
import * as mainLoop from './loop/main-loop';
import * as runState from './loop/runstate';
import { initRunState, registerRunStateTimers } from './loop/runstate';
import * as dataplane from './virtio/dataplane';
import * as virtioBlk from './virtio/virtio-blk';
import { copyVirtioBlkState, initVirtioBlk } from './virtio/virtio-blk';
import * as virtqueue from './virtio/virtqueue';
import { initVirtio, newVirtQueue } from './virtio/virtqueue';

/** Linux thread ids printed in qemu-trace output (the main thread's equals the pid). */
export const TID = { main: 4200, iothread: 4202, vcpu: 4203, firstWorker: 4210, ioWqWorker: 4260 } as const;

/** The modules that define steps (each models one QEMU source file, or the guest). */
export const STEP_MODULES: readonly Readonly<Record<string, unknown>>[] = [
  aioContext,
  aioPoll,
  coWake,
  deferCall,
  coroutine,
  mainLoop,
  iothread,
  runState,
  threadPool,
  linuxAio,
  ioUring,
  blockIo,
  blkdebug,
  rawFormat,
  filePosix,
  blockBackend,
  virtqueue,
  virtioBlk,
  dataplane,
  guest,
];

export function isStep(v: unknown): v is StepDef {
  return typeof v === 'object' && v !== null && typeof (v as StepDef).run === 'function' && 'key' in v;
}

/** Every step the model declares, each under the QEMU name of its function in some version. */
export const STEP_DEFS: readonly StepDef[] = (() => {
  resolveTailCalls();
  const defs = new Map<string, StepDef>();
  for (const mod of STEP_MODULES) {
    for (const v of Object.values(mod)) {
      if (!isStep(v)) continue;
      if (defs.has(v.key) && defs.get(v.key) !== v) throw new Error(`internal: ${v.key} has two steps`);
      defs.set(v.key, v);
    }
  }
  return [...defs.values()];
})();

const stepTables = new Map<ModelledVersion, readonly (StepDef | undefined)[]>();

/**
 * The steps a version runs, by function id: the step declared under the function's name in that
 * version, else the one declared under an earlier name of it (a plain rename changes nothing the
 * model does). Functions the version does not have get none.
 */
export function stepsOf(version: ModelledVersion): readonly (StepDef | undefined)[] {
  let table = stepTables.get(version);
  if (!table) {
    const older = CATALOG_VERSIONS.slice(0, CATALOG_VERSIONS.indexOf(version) + 1)
      .reverse()
      .map((v) => getCatalog(v));
    const byKey = new Map(STEP_DEFS.map((d) => [d.key, d]));
    const steps = new Array<StepDef | undefined>(functionIdCount());
    for (const id of older[0].ids) {
      for (const c of older) {
        const def = c.entry(id) && byKey.get(c.key(id));
        if (def) {
          steps[id] = def;
          break;
        }
      }
    }
    table = steps;
    stepTables.set(version, table);
  }
  return table;
}

/** The step a version runs for a function, or undefined when the model never runs it. */
export function stepOf(fn: number, version: ModelledVersion = '4.1.0'): StepDef | undefined {
  return stepsOf(version)[fn];
}

/** Ids of the functions the model can reach in a version (the rest are documented only). */
export function modelledFunctions(version: ModelledVersion = '4.1.0'): ReadonlySet<number> {
  return new Set(stepsOf(version).flatMap((s) => (s ? [s.id] : [])));
}

export function buildMachine(sc: Scenario): Machine {
  const version = sc.qemuVersion;
  const catalog = getCatalog(version);
  const cpu = sc.cpu;
  const { direct, writeback, noFlush } = sc.cache;
  const w = {} as World;

  initVersion(w, version);
  const q = w.qemu;
  initAio(w, cpu.wakeNs, cpu.pollDetectNs);
  const main = newAioContext(w, 'qemu_aio_context', 0); // the main loop never busy-polls
  const io = sc.iothread ? newAioContext(w, 'iothread0', sc.pollMaxNs, sc.aioMaxBatch.iothread) : null;
  initCoroutines(w);
  initDeferCall(w);
  initRunState(w, sc.resumeAfterNs, sc.maxResumes);
  initDevice(w, sc.device, sc.faults);
  initHostIo(w);
  initThreadPools(w, cpu.threadCreateNs, TID.firstWorker);
  initLinuxAio(w, cpu.syscallNs / 4, q.laioMaxEvents, q.laioMaxBatch, sc.aioMaxBatch.drive);
  initIoUring(w, TID.ioWqWorker);
  initBlockGraph(w, aioContext.MAIN_CTX, direct ? sc.hostBlockSize : 1, noFlush, sc.blkdebug);
  initFilePosix(w, sc.aio, direct);
  initBlockBackend(w, writeback, sc.werror, sc.rerror);
  // raw_open_common: aio=native sets up Linux AIO in the drive's (main) context at open time
  if (sc.aio === 'native' && direct) attachLinuxAio(w, main);
  initVirtio(w, sc.eventIdx, cpu.irqNs);
  const vq = newVirtQueue(w, aioContext.MAIN_CTX, sc.queueSize, virtioBlk.virtio_blk_handle_output);
  initVirtioBlk(w, vq.id, io ? io.id : aioContext.MAIN_CTX, sc.requestMerging, sc.diskBytes);
  w.runstate.changeHandlers.push({ fn: virtioBlk.virtio_blk_dma_restart_cb.id, arg: 0 });
  initGuest(w, sc.workload, sc.diskBytes, sc.ioeventfd);

  const m = new Machine(functionIdCount(), sc.seed, w);
  m.traceNames = traceRenames(version);
  m.relink.push(relinkCoroutines);
  Object.assign(m.copiers, {
    co: copyCoroutineState,
    pool: copyPoolState,
    laio: copyLaioState,
    uring: copyUringState,
    dev: copyDeviceState,
    hostio: copyHostIoState,
    block: copyBlockState,
    blk: copyBlkState,
    vblk: copyVirtioBlkState,
    guest: copyGuestState,
  });
  const steps = stepsOf(version);
  for (let i = 0; i < m.steps.length; i++) m.steps[i] = steps[i]?.run ?? notModelled(catalog.key(i));
  // timer kinds are numbered in registration order: keep it
  registerRunStateTimers(m);
  registerDeviceTimers(m);
  registerLinuxAioTimers(m);
  registerFilePosixTimers(m);
  registerGuestTimers(m);
  registerIoUringTimers(m);
  setCosts(m, sc, catalog);

  main.thread = m.spawnThread('main-loop', 'main-loop', main.id, mainLoop.main_loop, 0, TID.main).id;
  if (io) io.thread = m.spawnThread('iothread0', 'iothread', io.id, iothread.iothread_run, 0, TID.iothread).id;
  w.guest.vcpu = m.spawnThread('vcpu0', 'vcpu', -1, guest.qemu_kvm_cpu_thread_fn, 0, TID.vcpu).id;
  return m;
}

/** Catalog functions the model never calls (helpers the docs describe) fail loudly if it does. */
function notModelled(name: string) {
  return (): void => {
    throw new Error(`internal: ${name} is in the catalog but not modelled`);
  };
}

function setCosts(m: Machine, sc: Scenario, catalog: Catalog): void {
  const cpu = sc.cpu;
  catalog.functions.forEach((f, i) => {
    m.cost[catalog.ids[i]] =
      f.origin === 'syscall' ? cpu.syscallNs : f.origin === 'guest' ? cpu.callNs * 2 : cpu.callNs;
  });
  m.cost[Fn.qemu_coroutine_new] = cpu.coroutineNewNs;
  m.cost[Fn.virtio_queue_rq] = cpu.guestSubmitNs;
  m.cost[Fn.vp_notify] = cpu.kickNs;
  // blocking calls cost their entry; the wait itself is the device's time
  m.cost[Fn.ppoll] = cpu.syscallNs / 2;
}
