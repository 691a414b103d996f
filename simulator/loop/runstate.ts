// vl.c and cpus.c: the VM's run state. A device that must stop the VM (werror=stop) only
// *requests* it; the main loop performs vm_stop on its next iteration. A simulated
// management tool answers the STOP with `cont` after a delay, which restarts the vCPUs and
// lets devices replay what they parked.

import { ctxOf, MAIN_CTX, newBh, qemu_bh_schedule } from '../aio/aio-context';
import { bdrv_drain_all, bdrv_flush_all } from '../block/io';
import { Machine } from '../engine/machine';
import { ENTRY, Wait, World } from '../engine/types';
import { returns, step, tailCall } from '../step';

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

declare module '../engine/types' {
  interface World {
    runstate: RunStateState;
  }
}

const QMP_LOG_MAX = 256;

export function initRunState(w: World, resumeAfterNs: number, maxResumes: number): void {
  const notifyBh = newBh(w, w.aio.contexts[MAIN_CTX], 'qemu_notify_bh', notify_event_cb, -1);
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

/** notify_event_cb: qemu_notify_event's BH only wakes the main loop up. */
export const notify_event_cb = returns('notify_event_cb', { args: ['opaque: int'] });

/** qemu_system_vmstop_request_prepare: takes vmstop_lock (never contended here). */
export const qemu_system_vmstop_request_prepare = returns('qemu_system_vmstop_request_prepare', {});

/** qemu_system_vmstop_request(state): record it and wake the main loop (qemu_notify_event). */
export const qemu_system_vmstop_request = step(
  'qemu_system_vmstop_request',
  { args: ['state: runstate'], at: ['notified'] },
  ({ state }, at) =>
    (m, t, f) => {
      if (f.pc !== ENTRY) return m.ret(t);
      m.s.w.runstate.stopRequest = f[state];
      f.pc = at.notified;
      return m.call(t, qemu_bh_schedule, f.req, m.s.w.runstate.notifyBh);
    },
);

/** pause_all_vcpus: vCPU threads look at the run state themselves. */
export const pause_all_vcpus = returns('pause_all_vcpus', {});

export const resume_all_vcpus = step('resume_all_vcpus', {}, () => (m, t) => {
  for (const th of m.s.threads) if (th.kind === 'vcpu' && th.wait === Wait.halted) m.wake(th, t.time);
  return m.ret(t);
});

/** runstate_set(new_state). */
export const runstate_set = step('runstate_set', { args: ['new_state: runstate'] }, ({ new_state }) => (m, t, f) => {
  const rs = m.s.w.runstate;
  const to = f[new_state];
  m.trace(t, 'runstate_set', rs.state, RUN_STATE_NAMES[rs.state] ?? '?', to, RUN_STATE_NAMES[to] ?? '?');
  rs.state = to;
  return m.ret(t);
});

/** vm_state_notify(running, state): handlers in order when starting, reversed when stopping (`next` counts them). */
export const vm_state_notify = step(
  'vm_state_notify',
  { args: ['running: bool', 'state: runstate'], locals: ['next: int'], at: ['notifying'] },
  ({ running, state, next }, at) =>
    (m, t, f) => {
      const hs = m.s.w.runstate.changeHandlers;
      if (f.pc === ENTRY) {
        m.trace(t, 'vm_state_notify', f[running], f[state], RUN_STATE_NAMES[f[state]] ?? '?');
        f.pc = at.notifying;
        f[next] = 0;
      }
      if (f[next] < hs.length) {
        const h = f[running] ? hs[f[next]] : hs[hs.length - 1 - f[next]];
        f[next]++;
        return m.callIndirect(t, h.fn, -1, h.arg, f[running]);
      }
      return m.ret(t);
    },
);

/** do_vm_stop(state): pause vCPUs, change state, tell devices, then drain and flush all I/O. */
export const do_vm_stop = step(
  'do_vm_stop',
  { args: ['state: runstate'], at: ['paused', 'state_set', 'notified', 'drained', 'flushed'] },
  ({ state }, at) =>
    (m, t, f) => {
      const rs = m.s.w.runstate;
      switch (f.pc) {
        case ENTRY:
          if (rs.state !== RunStateId.running) {
            f.pc = at.drained;
            return m.call(t, bdrv_drain_all, -1);
          }
          f.pc = at.paused;
          return m.call(t, pause_all_vcpus, -1);
        case at.paused:
          f.pc = at.state_set;
          return m.call(t, runstate_set, -1, f[state]);
        case at.state_set:
          f.pc = at.notified;
          return m.call(t, vm_state_notify, -1, 0, f[state]);
        case at.notified:
          qmpEvent(m, 'STOP', {});
          rs.stops++;
          if (rs.resumes < rs.maxResumes) {
            rs.resumes++;
            m.at(t.time + rs.resumeAfterNs, rs.monitorTimer, 0);
          }
          f.pc = at.drained;
          return m.call(t, bdrv_drain_all, -1);
        case at.drained:
          f.pc = at.flushed;
          return m.call(t, bdrv_flush_all, -1);
        default:
          return m.ret(t);
      }
    },
);

/** vm_stop(state): on the main thread, do_vm_stop at once. */
export const vm_stop = tailCall('vm_stop', () => do_vm_stop);

/** main_loop_should_exit: performs a requested vm_stop; never asks the loop to exit. */
export const main_loop_should_exit = step('main_loop_should_exit', { at: ['stopped'] }, (_, at) => (m, t, f) => {
  const rs = m.s.w.runstate;
  if (f.pc === ENTRY && rs.stopRequest >= 0) {
    const state = rs.stopRequest;
    rs.stopRequest = -1;
    f.pc = at.stopped;
    return m.call(t, vm_stop, -1, state);
  }
  return m.ret(t, 0);
});

export const vm_prepare_start = step('vm_prepare_start', { at: ['state_set', 'notified'] }, (_, at) => (m, t, f) => {
  const rs = m.s.w.runstate;
  switch (f.pc) {
    case ENTRY:
      if (rs.state === RunStateId.running) return m.ret(t, -1);
      qmpEvent(m, 'RESUME', {});
      f.pc = at.state_set;
      return m.call(t, runstate_set, -1, RunStateId.running);
    case at.state_set:
      f.pc = at.notified;
      return m.call(t, vm_state_notify, -1, 1, RunStateId.running);
    default:
      return m.ret(t, 0);
  }
});

export const vm_start = step('vm_start', { at: ['prepared', 'resumed'] }, (_, at) => (m, t, f) => {
  switch (f.pc) {
    case ENTRY:
      f.pc = at.prepared;
      return m.call(t, vm_prepare_start, -1);
    case at.prepared:
      if (f.ret !== 0) return m.ret(t);
      f.pc = at.resumed;
      return m.call(t, resume_all_vcpus, -1);
    default:
      return m.ret(t);
  }
});

/** qmp_cont: the management tool resumes the VM. */
export const qmp_cont = tailCall('qmp_cont', () => vm_start);

export function registerRunStateTimers(m: Machine): void {
  m.s.w.runstate.monitorTimer = m.addTimer(monitorCommandArrives);
}
