// One scenario from its sources, in order of precedence: defaults, then a QEMU command-line
// fragment, then a fio job, then explicit settings (CLI flags or a launch configuration).

import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import { parseFault } from './faults';
import { parseFioJob } from './fio';
import { parseQemuCommandLine } from './qemu-cmdline';
import {
  AioMode,
  CACHE_MODES,
  cacheFlags,
  CacheMode,
  defaultScenario,
  DeviceModel,
  ErrorPolicy,
  RwMode,
  Scenario,
  TraceWorkload,
  Workload,
} from './scenario';
import { oneOf } from './units';
import { validateScenario } from './validate';

export interface ScenarioInput {
  qemu?: string;
  /** fio job text, or a path to read it from. */
  fioText?: string;
  fioFile?: string;
  aio?: AioMode;
  iothread?: boolean;
  cache?: CacheMode;
  werror?: ErrorPolicy;
  rerror?: ErrorPolicy;
  requestMerging?: boolean;
  ioeventfd?: boolean;
  eventIdx?: boolean;
  queueSize?: number;
  pollMaxNs?: number;
  diskBytes?: number;
  hostBlockSize?: number;
  seed?: number;
  workload?: Partial<Omit<Workload, 'fromTrace'>> & { rw?: RwMode };
  /** A trace whose requests the guest replays (readTraceWorkload reads it), and where it came from. */
  traceFile?: string;
  traceWorkload?: TraceWorkload;
  device?: Partial<DeviceModel>;
  faults?: string[];
  resumeAfterNs?: number;
  maxResumes?: number;
}

export interface BuiltScenario {
  scenario: Scenario;
  /** Things worth telling the user (ignored QEMU options, ...). */
  notes: string[];
}

export function buildScenario(input: ScenarioInput): BuiltScenario {
  const sc = defaultScenario();
  const notes: string[] = [];
  if (input.qemu !== undefined) {
    const q = parseQemuCommandLine(input.qemu);
    if (q.ignored.length) notes.push(`QEMU options not used by the simulator: ${q.ignored.join(' ')}`);
    if (q.aio) sc.aio = q.aio;
    if (q.cache) sc.cache = q.cache;
    if (q.iothread !== undefined) sc.iothread = q.iothread;
    if (q.werror) sc.werror = q.werror;
    if (q.rerror) sc.rerror = q.rerror;
    if (q.requestMerging !== undefined) sc.requestMerging = q.requestMerging;
    if (q.ioeventfd !== undefined) sc.ioeventfd = q.ioeventfd;
    if (q.eventIdx !== undefined) sc.eventIdx = q.eventIdx;
    if (q.queueSize !== undefined) sc.queueSize = q.queueSize;
    if (q.pollMaxNs !== undefined) sc.pollMaxNs = q.pollMaxNs;
    if (q.traceEvents) sc.traceEvents = q.traceEvents;
  }
  let fioText = input.fioText;
  if (input.fioFile !== undefined) {
    try {
      fioText = readFileSync(input.fioFile, 'utf8');
    } catch (e) {
      throw new ConfigError(
        `fio job file ${input.fioFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        'workload',
      );
    }
  }
  if (fioText !== undefined) {
    const fio = parseFioJob(fioText, input.fioFile ?? 'fio job');
    Object.assign(sc.workload, fio.workload);
    if (fio.seed !== undefined) sc.seed = fio.seed;
  }
  if (input.aio !== undefined) sc.aio = oneOf(input.aio, ['threads', 'native'], 'aio');
  if (input.cache !== undefined) sc.cache = cacheFlags(oneOf(input.cache, CACHE_MODES, 'cache'));
  if (input.iothread !== undefined) sc.iothread = input.iothread;
  if (input.werror !== undefined) sc.werror = input.werror;
  if (input.rerror !== undefined) sc.rerror = input.rerror;
  if (input.requestMerging !== undefined) sc.requestMerging = input.requestMerging;
  if (input.ioeventfd !== undefined) sc.ioeventfd = input.ioeventfd;
  if (input.eventIdx !== undefined) sc.eventIdx = input.eventIdx;
  if (input.queueSize !== undefined) sc.queueSize = input.queueSize;
  if (input.pollMaxNs !== undefined) sc.pollMaxNs = input.pollMaxNs;
  if (input.diskBytes !== undefined) sc.diskBytes = input.diskBytes;
  if (input.hostBlockSize !== undefined) sc.hostBlockSize = input.hostBlockSize;
  if (input.seed !== undefined) sc.seed = input.seed;
  if (input.resumeAfterNs !== undefined) sc.resumeAfterNs = input.resumeAfterNs;
  if (input.maxResumes !== undefined) sc.maxResumes = input.maxResumes;
  if (input.workload) {
    for (const [k, v] of Object.entries(input.workload))
      if (v !== undefined) (sc.workload as unknown as Record<string, unknown>)[k] = v;
  }
  if (input.device) {
    for (const [k, v] of Object.entries(input.device))
      if (v !== undefined) (sc.device as unknown as Record<string, unknown>)[k] = v;
  }
  if (input.faults) sc.faults = input.faults.map(parseFault);
  if (input.traceFile !== undefined && input.traceWorkload === undefined)
    throw new Error('buildScenario: read the trace workload first (readTraceWorkload)');
  if (input.traceWorkload) {
    const other =
      fioText !== undefined
        ? 'a fio job'
        : Object.keys(input.workload ?? {}).find((k) => (input.workload as Record<string, unknown>)[k] !== undefined);
    if (other)
      throw new ConfigError(
        `a workload from a trace replays the trace's own requests: it cannot be combined with ${other.includes(' ') ? other : `workload.${other}`}`,
        'workload.fromTrace',
      );
    sc.workload.fromTrace = input.traceWorkload;
  }
  // a runtime bounds the job by time unless a count was given too
  const countGiven =
    input.workload?.requests !== undefined || (fioText !== undefined && /^\s*number_ios\s*=/m.test(fioText));
  if (sc.workload.runtimeNs > 0 && !countGiven) sc.workload.requests = Infinity;
  return { scenario: validateScenario(sc), notes };
}
