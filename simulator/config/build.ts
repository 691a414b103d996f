// One scenario from its sources, in order of precedence: defaults, then a QEMU command-line
// fragment, then a fio job, then explicit settings (CLI flags or a launch configuration).

import { isModelled, MODELLED_VERSIONS, profileOf } from '../version';
import { blkdebugRuleOfFault, readBlkdebugConfig } from './blkdebug';
import { ConfigError, excerpt, shortText } from './errors';
import { parseFault } from './faults';
import { parseFioJob } from './fio';
import { parseQemuCommandLine } from './qemu-cmdline';
import {
  AIO_MODES,
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
import { readUserFile, UserFileError } from '../../common/userFile';
import { validateScenario } from './validate';

/** A fio job is a few lines; anything bigger is not one. */
const MAX_FIO_BYTES = 1 << 20;

export interface ScenarioInput {
  /** The QEMU version whose path is simulated (4.1.0 by default). */
  qemuVersion?: string;
  qemu?: string;
  /** fio job text (readFioFile reads it), and the path it came from. */
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
  /** A blkdebug node under the format (file.driver=blkdebug): the path of its config file, or true for one whose rules come from `faults`. */
  blkdebug?: string | boolean;
  /** aio-max-batch of the iothread and of the drive (Linux AIO's batch; 6.1+). */
  iothreadMaxBatch?: number;
  driveMaxBatch?: number;
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
  if (input.qemuVersion !== undefined) {
    if (!isModelled(input.qemuVersion)) {
      throw new ConfigError(
        `QEMU version "${input.qemuVersion}" is not modelled (available: ${MODELLED_VERSIONS.join(', ')})`,
        'qemuVersion',
      );
    }
    sc.qemuVersion = input.qemuVersion;
  }
  // the defaults that changed (queue-size 256 from 5.0), before anything sets them
  sc.queueSize = profileOf(sc.qemuVersion).queueSizeDefault;
  let blkdebug: string | boolean | undefined = input.blkdebug;
  if (input.qemu !== undefined) {
    const q = parseQemuCommandLine(input.qemu, sc.qemuVersion);
    if (q.ignored.length) notes.push(`QEMU options not used by the simulator: ${shortText(q.ignored.join(' '), 200)}`);
    if (q.aio) sc.aio = q.aio;
    if (q.blkdebug) {
      sc.blkdebug = q.blkdebug;
      blkdebug ??= true;
    }
    if (q.iothreadMaxBatch !== undefined) sc.aioMaxBatch.iothread = q.iothreadMaxBatch;
    if (q.driveMaxBatch !== undefined) sc.aioMaxBatch.drive = q.driveMaxBatch;
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
  const fioText = input.fioText;
  if (input.fioFile !== undefined && fioText === undefined) throw new Error('buildScenario: read the fio job first');
  if (fioText !== undefined) {
    const fio = parseFioJob(fioText, input.fioFile ?? 'fio job');
    Object.assign(sc.workload, fio.workload);
    if (fio.seed !== undefined) sc.seed = fio.seed;
    if (fio.ignored.length) notes.push(fio.ignored);
  }
  if (input.aio !== undefined) sc.aio = oneOf(input.aio, AIO_MODES, 'aio');
  if (input.iothreadMaxBatch !== undefined) sc.aioMaxBatch.iothread = input.iothreadMaxBatch;
  if (input.driveMaxBatch !== undefined) sc.aioMaxBatch.drive = input.driveMaxBatch;
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
  // blkdebug: its config's rules, then the faults, which it injects instead of the host device
  if (typeof blkdebug === 'string') sc.blkdebug = readBlkdebugConfig(blkdebug);
  else if (blkdebug === true) sc.blkdebug ??= [];
  if (sc.blkdebug && blkdebug !== false) {
    sc.blkdebug = [...sc.blkdebug, ...sc.faults.map((f, i) => blkdebugRuleOfFault(f, input.faults![i]))];
    sc.faults = [];
  } else sc.blkdebug = null;
  // a runtime bounds the job by time unless a count was given too
  const countGiven =
    input.workload?.requests !== undefined || (fioText !== undefined && /^\s*number_ios\s*=/m.test(fioText));
  if (sc.workload.runtimeNs > 0 && !countGiven) sc.workload.requests = Infinity;
  return { scenario: validateScenario(sc), notes };
}

/**
 * The text of a fio job file, read asynchronously as a file a user names: a FIFO, a device, a
 * directory or a huge file is refused with `field` (the flag or launch field) named.
 */
export async function readFioFile(path: string, field: string): Promise<string> {
  try {
    return await readUserFile(path, MAX_FIO_BYTES);
  } catch (e) {
    if (e instanceof UserFileError)
      throw new ConfigError(`${field}: fio job file ${excerpt(path)}: ${e.message}`, 'workload');
    throw e;
  }
}
