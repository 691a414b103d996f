// Assembles one QEMU 4.1.0 machine from a scenario: the layers' state, their step functions,
// the CPU cost of each function, and the threads that exist at start (main loop, optional
// iothread, vCPU). Worker threads come and go as the thread pool decides.

import { catalog, Fn } from './catalog';
import { initAio, MAIN_CTX, newAioContext, registerAioContextSteps } from './aio/aio-context';
import { registerAioPollSteps } from './aio/aio-poll';
import { registerCoWakeSteps } from './aio/co-wake';
import { copyDeviceState, initDevice, registerDevice } from './backends/device';
import { copyHostIoState, initHostIo } from './backends/host-io';
import { attachLinuxAio, copyLaioState, initLinuxAio, registerLinuxAio } from './backends/linux-aio';
import { copyPoolState, initThreadPools, registerThreadPoolSteps } from './backends/thread-pool';
import { copyBlkState, initBlockBackend, registerBlockBackendSteps } from './block/block-backend';
import { initFilePosix, registerFilePosix } from './block/file-posix';
import { copyBlockState, initBlockGraph, registerBlockIoSteps } from './block/io';
import { registerRawFormatSteps } from './block/raw-format';
import { defaultScenario, Scenario } from './config/scenario';
import { copyCoroutineState, initCoroutines, registerCoroutineSteps, relinkCoroutines } from './coroutine/coroutine';
import { Machine, Step, World } from './engine/machine';
import { initGuest, registerGuest } from './guest/driver';
import { registerIothreadSteps } from './loop/iothread';
import { registerMainLoopSteps } from './loop/main-loop';
import { initRunState, registerRunStateSteps } from './loop/runstate';
import { registerDataplaneSteps } from './virtio/dataplane';
import { copyVirtioBlkState, initVirtioBlk, registerVirtioBlkSteps } from './virtio/virtio-blk';
import { initVirtio, newVirtQueue, registerVirtqueueSteps } from './virtio/virtqueue';

/** Linux thread ids printed in qemu-trace output (the main thread's equals the pid). */
export const TID = { main: 4200, iothread: 4202, vcpu: 4203, firstWorker: 4210 } as const;

export function buildMachine(sc: Scenario): Machine {
  const cpu = sc.cpu;
  const { direct, writeback, noFlush } = sc.cache;
  const w = {} as World;

  initAio(w, cpu.wakeNs, cpu.pollDetectNs);
  const main = newAioContext(w, 'qemu_aio_context', 0); // the main loop never busy-polls
  const io = sc.iothread ? newAioContext(w, 'iothread0', sc.pollMaxNs) : null;
  initCoroutines(w);
  initRunState(w, sc.resumeAfterNs, sc.maxResumes);
  initDevice(w, sc.device, sc.faults);
  initHostIo(w);
  initThreadPools(w, cpu.threadCreateNs, TID.firstWorker);
  initLinuxAio(w, cpu.syscallNs / 4);
  initBlockGraph(w, MAIN_CTX, direct ? sc.hostBlockSize : 1, noFlush);
  initFilePosix(w, sc.aio, direct);
  initBlockBackend(w, writeback, sc.werror, sc.rerror);
  // raw_open_common: aio=native sets up Linux AIO in the drive's (main) context at open time
  if (sc.aio === 'native' && direct) attachLinuxAio(w, main);
  initVirtio(w, sc.eventIdx, cpu.irqNs);
  const vq = newVirtQueue(w, MAIN_CTX, sc.queueSize, Fn.virtio_blk_handle_output);
  initVirtioBlk(w, vq.id, io ? io.id : MAIN_CTX, sc.requestMerging, sc.diskBytes);
  w.runstate.changeHandlers.push({ fn: Fn.virtio_blk_dma_restart_cb, arg: 0 });
  initGuest(w, sc.workload, sc.diskBytes, sc.ioeventfd);

  const m = new Machine(catalog.size, sc.seed, w);
  m.relink.push(relinkCoroutines);
  Object.assign(m.copiers, {
    co: copyCoroutineState,
    pool: copyPoolState,
    laio: copyLaioState,
    dev: copyDeviceState,
    hostio: copyHostIoState,
    block: copyBlockState,
    blk: copyBlkState,
    vblk: copyVirtioBlkState,
  });
  registerSteps(m);
  setCosts(m, sc);

  main.thread = m.spawnThread('main-loop', 'main-loop', main.id, Fn.main_loop, 0, TID.main).id;
  if (io) io.thread = m.spawnThread('iothread0', 'iothread', io.id, Fn.iothread_run, 0, TID.iothread).id;
  w.guest.vcpu = m.spawnThread('vcpu0', 'vcpu', -1, Fn.qemu_kvm_cpu_thread_fn, 0, TID.vcpu).id;
  return m;
}

function registerSteps(m: Machine): void {
  const steps = m.steps;
  registerCoroutineSteps(steps);
  registerAioContextSteps(steps);
  registerAioPollSteps(steps);
  registerCoWakeSteps(steps);
  registerMainLoopSteps(steps);
  registerIothreadSteps(steps);
  registerRunStateSteps(m);
  registerDevice(m);
  registerThreadPoolSteps(steps);
  registerLinuxAio(m);
  registerBlockIoSteps(steps);
  registerRawFormatSteps(steps);
  registerFilePosix(m);
  registerBlockBackendSteps(steps);
  registerVirtqueueSteps(steps);
  registerVirtioBlkSteps(steps);
  registerDataplaneSteps(steps);
  registerGuest(m);
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] === undefined) steps[i] = notModelled(catalog.key(i));
  }
}

/** Catalog functions the model never calls (helpers the docs describe) fail loudly if it does. */
function notModelled(name: string): Step {
  const step: Step = () => {
    throw new Error(`internal: ${name} is in the catalog but not modelled`);
  };
  NOT_MODELLED.add(step);
  return step;
}

const NOT_MODELLED = new WeakSet<Step>();
let modelled: ReadonlySet<number> | null = null;

/** Ids of the catalog functions the model can reach (the rest are documented only). */
export function modelledFunctions(): ReadonlySet<number> {
  if (modelled === null) {
    const m = buildMachine(defaultScenario());
    modelled = new Set(m.steps.map((s, i) => (NOT_MODELLED.has(s) ? -1 : i)).filter((i) => i >= 0));
  }
  return modelled;
}

function setCosts(m: Machine, sc: Scenario): void {
  const cpu = sc.cpu;
  catalog.functions.forEach((f, i) => {
    m.cost[i] = f.origin === 'syscall' ? cpu.syscallNs : f.origin === 'guest' ? cpu.callNs * 2 : cpu.callNs;
  });
  m.cost[Fn.qemu_coroutine_new] = cpu.coroutineNewNs;
  m.cost[Fn.virtio_queue_rq] = cpu.guestSubmitNs;
  m.cost[Fn.vp_notify] = cpu.kickNs;
  // blocking calls cost their entry; the wait itself is the device's time
  m.cost[Fn.ppoll] = cpu.syscallNs / 2;
}
