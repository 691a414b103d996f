// vl.c and cpus.c: the VM's run state. A device that must stop the VM (werror=stop) only
// *requests* it; the main loop performs vm_stop on its next iteration. A simulated
// management tool answers the STOP with `cont` after a delay, which restarts the vCPUs and
// lets devices replay what they parked.

import { Fn } from '../catalog';
import { ctxOf, MAIN_CTX, newBh } from '../aio/aio-context';
import { Machine, Step, tailCall, Wait, World } from '../engine/machine';

/** QAPI RunState values of 4.1.0 (their numbers appear in the runstate_set trace). */
export const RunStateId = { 'io-error': 3, paused: 4, running: 9 } as const;
export const RUN_STATE_NAMES: Record<number, string> = { 3: 'io-error', 4: 'paused', 9: 'running' };

export interface QmpEvent {
  time: number;
  event: string;
  data: Record<string, string | number | boolean>;
}

export interface RunStateState {
  state: number;
  /** A vmstop request recorded by qemu_system_vmstop_request, or -1. */
  stopRequest: number;
  /** vm_change_state_head: (handler fn id, opaque) in registration order. */
  changeHandlers: { fn: number; arg: number }[];
  /** qemu_notify_event's BH in the main context. */
  notifyBh: number;
  /** The simulated management tool: `cont` this long after each STOP, at most this often. */
  resumeAfterNs: number;
  maxResumes: number;
  resumes: number;
  stops: number;
  /** QMP events, newest last (capped). */
  qmp: QmpEvent[];
  monitorTimer: number;
}

declare module '../engine/machine' {
  interface World {
    runstate: RunStateState;
  }
}

const QMP_LOG_MAX = 256;

export function initRunState(w: World, resumeAfterNs: number, maxResumes: number): void {
  const notifyBh = newBh(w, w.aio.contexts[MAIN_CTX], 'qemu_notify_bh', Fn.notify_event_cb, -1);
  w.runstate = {
    state: RunStateId.running,
    stopRequest: -1,
    changeHandlers: [],
    notifyBh: notifyBh.id,
    resumeAfterNs,
    maxResumes,
    resumes: 0,
    stops: 0,
    qmp: [],
    monitorTimer: -1,
  };
}

export function vmRunning(w: World): boolean {
  return w.runstate.state === RunStateId.running;
}

export function qmpEvent(m: Machine, event: string, data: QmpEvent['data']): void {
  const log = m.s.w.runstate.qmp;
  log.push({ time: m.s.now, event, data });
  if (log.length > QMP_LOG_MAX) log.shift();
}

/** The management tool's `cont` arrives on the QMP monitor, a glib source of the main loop. */
export function monitorCommandArrives(m: Machine): void {
  const ctx = ctxOf(m, MAIN_CTX);
  ctx.glibReady = true;
  const home = m.s.threads[ctx.thread];
  if (home.wait === Wait.fd) m.wake(home, m.s.now + m.s.w.aio.wakeNs);
}

const nothing: Step = (m, t) => m.ret(t);

/** qemu_system_vmstop_request(state = a): record it and wake the main loop. */
const qemu_system_vmstop_request: Step = (m, t, f) => {
  if (f.pc === 0) {
    m.s.w.runstate.stopRequest = f.a;
    f.pc = 1;
    return m.call(t, Fn.qemu_bh_schedule, f.req, m.s.w.runstate.notifyBh);
  }
  return m.ret(t);
};

/** main_loop_should_exit: performs a requested vm_stop; never asks the loop to exit. */
const main_loop_should_exit: Step = (m, t, f) => {
  const rs = m.s.w.runstate;
  if (f.pc === 0 && rs.stopRequest >= 0) {
    const state = rs.stopRequest;
    rs.stopRequest = -1;
    f.pc = 1;
    return m.call(t, Fn.vm_stop, -1, state);
  }
  return m.ret(t, 0);
};

/** vm_stop(state = a): on the main thread, do_vm_stop at once. */
const vm_stop = tailCall(Fn.do_vm_stop);

/** do_vm_stop(state = a): pause vCPUs, change state, tell devices, then drain and flush all I/O. */
const do_vm_stop: Step = (m, t, f) => {
  const rs = m.s.w.runstate;
  switch (f.pc) {
    case 0:
      if (rs.state !== RunStateId.running) {
        f.pc = 4;
        return m.call(t, Fn.bdrv_drain_all, -1);
      }
      f.pc = 1;
      return m.call(t, Fn.pause_all_vcpus, -1);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.runstate_set, -1, f.a);
    case 2:
      f.pc = 3;
      return m.call(t, Fn.vm_state_notify, -1, 0, f.a);
    case 3:
      qmpEvent(m, 'STOP', {});
      rs.stops++;
      if (rs.resumes < rs.maxResumes) {
        rs.resumes++;
        m.at(t.time + rs.resumeAfterNs, rs.monitorTimer, 0);
      }
      f.pc = 4;
      return m.call(t, Fn.bdrv_drain_all, -1);
    case 4:
      f.pc = 5;
      return m.call(t, Fn.bdrv_flush_all, -1);
    default:
      return m.ret(t);
  }
};

/** pause_all_vcpus / resume_all_vcpus: vCPU threads look at the run state themselves. */
const pause_all_vcpus: Step = (m, t) => m.ret(t);

const resume_all_vcpus: Step = (m, t) => {
  for (const th of m.s.threads) if (th.kind === 'vcpu' && th.wait === Wait.halted) m.wake(th, t.time);
  return m.ret(t);
};

/** runstate_set(state = a). */
const runstate_set: Step = (m, t, f) => {
  const rs = m.s.w.runstate;
  m.trace(t, 'runstate_set', rs.state, RUN_STATE_NAMES[rs.state] ?? '?', f.a, RUN_STATE_NAMES[f.a] ?? '?');
  rs.state = f.a;
  return m.ret(t);
};

/** vm_state_notify(running = a, state = b): handlers in order when starting, reversed when stopping. */
const vm_state_notify: Step = (m, t, f) => {
  const hs = m.s.w.runstate.changeHandlers;
  if (f.pc === 0) {
    m.trace(t, 'vm_state_notify', f.a, f.b, RUN_STATE_NAMES[f.b] ?? '?');
    f.pc = 1;
    f.c = 0;
  }
  if (f.c < hs.length) {
    const h = f.a ? hs[f.c] : hs[hs.length - 1 - f.c];
    f.c++;
    return m.call(t, h.fn, -1, h.arg, f.a);
  }
  return m.ret(t);
};

/** qmp_cont: the management tool resumes the VM. */
const qmp_cont = tailCall(Fn.vm_start);

const vm_start: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.vm_prepare_start, -1);
    case 1:
      if (f.ret !== 0) return m.ret(t);
      f.pc = 2;
      return m.call(t, Fn.resume_all_vcpus, -1);
    default:
      return m.ret(t);
  }
};

const vm_prepare_start: Step = (m, t, f) => {
  const rs = m.s.w.runstate;
  switch (f.pc) {
    case 0:
      if (rs.state === RunStateId.running) return m.ret(t, -1);
      qmpEvent(m, 'RESUME', {});
      f.pc = 1;
      return m.call(t, Fn.runstate_set, -1, RunStateId.running);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.vm_state_notify, -1, 1, RunStateId.running);
    default:
      return m.ret(t, 0);
  }
};

export function registerRunStateSteps(m: Machine): void {
  const steps = m.steps;
  m.s.w.runstate.monitorTimer = m.addTimer(monitorCommandArrives);
  steps[Fn.notify_event_cb] = nothing;
  steps[Fn.qemu_system_vmstop_request_prepare] = nothing;
  steps[Fn.qemu_system_vmstop_request] = qemu_system_vmstop_request;
  steps[Fn.main_loop_should_exit] = main_loop_should_exit;
  steps[Fn.vm_stop] = vm_stop;
  steps[Fn.do_vm_stop] = do_vm_stop;
  steps[Fn.pause_all_vcpus] = pause_all_vcpus;
  steps[Fn.resume_all_vcpus] = resume_all_vcpus;
  steps[Fn.runstate_set] = runstate_set;
  steps[Fn.vm_state_notify] = vm_state_notify;
  steps[Fn.qmp_cont] = qmp_cont;
  steps[Fn.vm_start] = vm_start;
  steps[Fn.vm_prepare_start] = vm_prepare_start;
}
