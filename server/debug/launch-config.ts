// The `qemu-io` launch configuration, typed once. The TypeScript type, the JSON schema that
// package.json's debugger contribution carries (generated at build time), and the
// validation that turns a client's arguments into a simulator scenario all come from the
// field table below.

import {
  AIO_MODES,
  CACHE_MODES,
  ConfigError,
  excerpt,
  ERROR_POLICIES,
  MODELLED_VERSIONS,
  ModelledVersion,
  parseDuration,
  parseSize,
  RW_MODES,
  ScenarioInput,
} from '../../simulator';

/** `quantity`: a size or duration, as a string with a unit ("4k", "80us") or a bare number. */
type FieldType = 'string' | 'quantity' | 'boolean' | 'integer' | 'number' | 'stringArray' | 'object';

/**
 * Which sessions read a field: a simulation (the default), a trace replay or follow (`traceFile`
 * given), or both. A simulation-only field next to `traceFile` is an error naming it.
 */
type FieldUse = 'simulation' | 'trace' | 'both';

interface FieldSpec {
  type: FieldType;
  description: string;
  use?: FieldUse;
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** For objects: their own fields. */
  properties?: Record<string, FieldSpec>;
  /** An object field that may also be given as a string (a file path). */
  orString?: string;
}

const WORKLOAD = {
  rw: { type: 'string', enum: RW_MODES, description: "I/O pattern, as fio's rw=.", default: 'write' },
  rwmixread: { type: 'integer', minimum: 0, maximum: 100, description: 'Percentage of reads for randrw and rw.' },
  bs: { type: 'quantity', description: 'Request size: bytes, or with a unit (4096, "4k", "64k").', default: '4k' },
  iodepth: {
    type: 'integer',
    minimum: 1,
    maximum: 1024,
    description: 'Requests the guest keeps in flight.',
    default: 1,
  },
  batch: {
    type: 'integer',
    minimum: 1,
    maximum: 1024,
    description: "Requests queued per doorbell write (fio's iodepth_batch_submit).",
  },
  requests: { type: 'integer', minimum: 1, description: "Number of requests to issue (fio's number_ios).", default: 1 },
  runtime: {
    type: 'quantity',
    description: 'Stop issuing after this much simulated time ("500us", "10ms"; a bare number is seconds, as in fio).',
  },
  offset: { type: 'quantity', description: 'First byte the workload touches (bytes, or "4k", "1M", ...).' },
  size: { type: 'quantity', description: 'Length of the region the workload touches (bytes, or "64M", ...).' },
  flushEvery: { type: 'integer', minimum: 0, description: "Issue a flush after every N writes (fio's fsync=N)." },
  thinktime: {
    type: 'quantity',
    description:
      'Pause issuing for this long after every thinktimeBlocks requests (fio\'s thinktime: "100us", "2ms"; a bare number is µs, as in fio).',
  },
  thinktimeBlocks: {
    type: 'integer',
    minimum: 1,
    description: "Requests between two thinktime pauses (fio's thinktime_blocks).",
  },
  fromTrace: {
    type: 'string',
    description:
      'Path of a real QEMU trace log: the guest replays its requests (op, sector, size, the kick each came in, in order) instead of the fields above.',
  },
} as const satisfies Record<string, FieldSpec>;

const DEVICE = {
  queueDepth: { type: 'integer', minimum: 1, description: 'Requests the host device services at once.' },
  readLatency: { type: 'quantity', description: 'Device read latency ("80us"; a bare number is ns).' },
  writeLatency: { type: 'quantity', description: 'Device write latency ("20us"; a bare number is ns).' },
  flushLatency: { type: 'quantity', description: 'Device flush latency ("150us"; a bare number is ns).' },
  bandwidth: { type: 'quantity', description: 'Device bandwidth in bytes per second ("3G", or a bare number).' },
  jitter: {
    type: 'number',
    minimum: 0,
    maximum: 0.99,
    description: 'Random variation of each latency, as a fraction.',
  },
} as const satisfies Record<string, FieldSpec>;

export const LAUNCH_FIELDS = {
  aio: {
    type: 'string',
    enum: AIO_MODES,
    description:
      "The drive's aio= mode: the thread pool, Linux AIO (needs cache=none or directsync), or io_uring (qemuVersion 10.0).",
    default: 'threads',
  },
  iothread: {
    type: 'boolean',
    description: 'Run the virtio-blk dataplane in an iothread (with adaptive polling) instead of the main loop.',
    default: false,
  },
  cache: { type: 'string', enum: CACHE_MODES, description: "The drive's cache= mode.", default: 'writeback' },
  qemu: {
    type: 'string',
    description:
      'A QEMU command-line fragment (-drive/-blockdev, -device virtio-blk-pci, -object iothread) to take the settings from.',
  },
  workload: {
    type: 'object',
    properties: WORKLOAD,
    orString: 'Path of a fio job file.',
    description: "The guest's workload: an object, or the path of a fio job file.",
  },
  device: { type: 'object', properties: DEVICE, description: 'The host device model.' },
  faults: {
    type: 'stringArray',
    description: 'Injected errors, each op:sectors:errno[:times], e.g. "write:0-2047:EIO", "read:#3:EIO".',
  },
  blkdebug: {
    type: 'string',
    description:
      'A blkdebug node under the format: the path of its config file ([inject-error] rules), or "on" to inject the faults at blkdebug\'s layer instead of the host device.',
  },
  werror: { type: 'string', enum: ERROR_POLICIES, description: "What a failed write does (QEMU's default: enospc)." },
  rerror: {
    type: 'string',
    enum: ['report', 'ignore', 'stop'],
    description: "What a failed read does (QEMU's default: report).",
  },
  requestMerging: { type: 'boolean', description: 'virtio-blk request-merging (on by default).' },
  ioeventfd: {
    type: 'boolean',
    description: 'virtio-blk-pci ioeventfd (on by default); off runs handle_vq on the vCPU thread.',
  },
  eventIdx: { type: 'boolean', description: 'VIRTIO_RING_F_EVENT_IDX negotiated (on by default).' },
  queueSize: {
    type: 'integer',
    minimum: 2,
    maximum: 1024,
    description: 'virtqueue size (a power of two; 128 by default).',
  },
  pollMaxNs: { type: 'integer', minimum: 0, description: "The iothread's poll-max-ns (32768 by default)." },
  hostBlockSize: {
    type: 'integer',
    enum: ['512', '1024', '2048', '4096'],
    description: 'O_DIRECT alignment of the host file system (512 by default).',
  },
  seed: {
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    description: 'Seed of the deterministic simulation.',
    default: 1,
  },
  stopOnEntry: {
    type: 'boolean',
    use: 'both',
    description:
      'Stop at the first stage event (default: true for a simulation or a replay, false when following a trace).',
    default: true,
  },
  traceFile: {
    type: 'string',
    use: 'trace',
    description:
      'Path of a real QEMU trace log (-trace with the log backend, best with -msg timestamp=on) to step through instead of simulating: "launch" replays it (.gz and .zst too), "attach" follows it while QEMU appends to it.',
  },
  qemuVersion: {
    type: 'string',
    use: 'both',
    enum: ['auto', '4.1.0', '7.2', '10.0'],
    description:
      'QEMU version: for a simulation the modelled one (4.1.0, the default and the I/O path document, or 10.0: defer_call batching, io_uring, deferred irqfd writes, per-handler polling); for a traceFile the catalog its events are read with (auto, the default: detected from the event names).',
  },
  qemuSource: {
    type: 'string',
    use: 'both',
    description:
      'Path of a QEMU source checkout (of the traced version, for a traceFile): frames and breakpoints then use its files.',
  },
  document: {
    type: 'string',
    use: 'both',
    description: "Path of the I/O path document frames point into (default: the extension's docs/qemu-io-path.md).",
  },
  trace: {
    type: 'boolean',
    use: 'both',
    description:
      "Print each stage's QEMU trace-event line in the Debug Console (for a traceFile: each log line a run passes).",
    default: false,
  },
} as const satisfies Record<string, FieldSpec>;

/** What a session's configuration is for: simulating QEMU 4.1.0, replaying a log, or following one. */
export type SessionMode = 'simulate' | 'replay' | 'follow';

type TypeOf<F> = F extends { type: 'string'; enum: readonly (infer E)[] }
  ? E
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'quantity' }
      ? string | number
      : F extends { type: 'boolean' }
        ? boolean
        : F extends { type: 'integer' | 'number' }
          ? number
          : F extends { type: 'stringArray' }
            ? string[]
            : F extends { type: 'object'; properties: infer P; orString: string }
              ? { [K in keyof P]?: TypeOf<P[K]> } | string
              : F extends { type: 'object'; properties: infer P }
                ? { [K in keyof P]?: TypeOf<P[K]> }
                : never;

/** The launch request's arguments (besides type/request/name). */
export type LaunchConfig = { [K in keyof typeof LAUNCH_FIELDS]?: TypeOf<(typeof LAUNCH_FIELDS)[K]> };

// ---- JSON schema ------------------------------------------------------------------------------

function fieldSchema(f: FieldSpec): Record<string, unknown> {
  const base: Record<string, unknown> = { description: f.description };
  if (f.default !== undefined) base.default = f.default;
  switch (f.type) {
    case 'string':
      return { type: 'string', ...base, ...(f.enum ? { enum: [...f.enum] } : {}) };
    case 'quantity':
      return { type: ['string', 'number'], ...base };
    case 'boolean':
      return { type: 'boolean', ...base };
    case 'integer':
    case 'number':
      if (f.enum) return { type: 'integer', ...base, enum: f.enum.map(Number) };
      return {
        type: f.type,
        ...base,
        ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
        ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
      };
    case 'stringArray':
      return { type: 'array', items: { type: 'string' }, ...base };
    case 'object': {
      const obj = {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Object.entries(f.properties ?? {}).map(([k, v]) => [k, fieldSchema(v)])),
      };
      return f.orString ? { ...base, anyOf: [obj, { type: 'string', description: f.orString }] } : { ...obj, ...base };
    }
  }
}

/** `configurationAttributes.launch` for package.json. */
export function launchSchema(): Record<string, unknown> {
  return { properties: Object.fromEntries(Object.entries(LAUNCH_FIELDS).map(([k, v]) => [k, fieldSchema(v)])) };
}

/** `configurationAttributes.attach`: following a trace log, so only the fields a trace session reads. */
export function attachSchema(): Record<string, unknown> {
  const fields = Object.entries(LAUNCH_FIELDS).filter(([, f]) => (f as FieldSpec).use !== undefined);
  const properties = Object.fromEntries(
    fields.map(([k, v]) => [k, fieldSchema(k === 'stopOnEntry' ? { ...v, default: false } : v)]),
  );
  return { required: ['traceFile'], properties };
}

// ---- validation ------------------------------------------------------------------------------

export class LaunchError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function describeAllowed(f: FieldSpec): string {
  if (f.enum) return `one of ${f.enum.join(', ')}`;
  switch (f.type) {
    case 'boolean':
      return 'true or false';
    case 'quantity':
      return 'a number, or a string with a unit';
    case 'integer':
      return `a whole number${f.minimum !== undefined ? ` ≥ ${f.minimum}` : ''}${f.maximum !== undefined ? ` and ≤ ${f.maximum}` : ''}`;
    case 'number':
      return f.minimum !== undefined && f.maximum !== undefined
        ? `a number from ${f.minimum} to ${f.maximum}`
        : `a number${f.minimum !== undefined ? ` ≥ ${f.minimum}` : ''}${f.maximum !== undefined ? ` ≤ ${f.maximum}` : ''}`;
    case 'stringArray':
      return 'a list of strings';
    case 'object':
      return f.orString ? 'an object or a file path' : 'an object';
    default:
      return 'a string';
  }
}

function check(path: string, f: FieldSpec, v: unknown): void {
  const bad = (): never => {
    const hint = v === null ? ' (leave the field out for the default)' : '';
    throw new LaunchError(
      path,
      `launch configuration: "${path}" is ${excerpt(v)}; expected ${describeAllowed(f)}${hint}`,
    );
  };
  if (v === null) bad();
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') bad();
      if (f.enum && !f.enum.includes(v as string)) bad();
      return;
    case 'quantity':
      if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v) && v >= 0))) bad();
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad();
      return;
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v))) bad();
      const n = v as number;
      if (f.enum && !f.enum.includes(String(n))) bad();
      if ((f.minimum !== undefined && n < f.minimum) || (f.maximum !== undefined && n > f.maximum)) bad();
      return;
    }
    case 'stringArray':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad();
      return;
    case 'object': {
      if (typeof v === 'string' && f.orString) return;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad();
      for (const [k, sub] of Object.entries(v as Record<string, unknown>)) {
        const spec = ownField(f.properties ?? {}, k);
        if (!spec) {
          throw new LaunchError(
            `${path}.${k}`,
            `launch configuration: "${path}" has no field ${excerpt(k)} (known: ${Object.keys(f.properties ?? {}).join(', ')})`,
          );
        }
        if (sub !== undefined) check(`${path}.${k}`, spec, sub);
      }
    }
  }
}

/** Fields every DAP client sends, or VS Code adds, that are not ours to check. */
const CLIENT_FIELDS = new Set([
  'type',
  'request',
  'name',
  '__sessionId',
  '__configurationTarget',
  'noDebug',
  '__restart',
  'internalConsoleOptions',
  'presentation',
  'preLaunchTask',
  'postDebugTask',
  'debugServer',
  'cwd',
  'env',
  'console',
]);

/** A field's spec by name: own fields only (never `constructor` or `toString` from the prototype). */
function ownField(fields: Record<string, FieldSpec>, name: string): FieldSpec | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/**
 * Check a launch (or attach) request's arguments against the field table, and that they fit the
 * session they ask for: with `traceFile`, no simulation-only field; without it, no attach and no
 * other version than the modelled one.
 */
export function validateLaunch(args: Record<string, unknown>, request: 'launch' | 'attach' = 'launch'): LaunchConfig {
  checkFields(args);
  const c = args as LaunchConfig;
  if (c.traceFile === undefined) {
    if (request === 'attach')
      throw new LaunchError(
        'traceFile',
        'attach configuration: "traceFile" is missing; attach follows a QEMU trace log as QEMU writes it (give its path)',
      );
    if (
      c.qemuVersion !== undefined &&
      c.qemuVersion !== 'auto' &&
      !(MODELLED_VERSIONS as readonly string[]).includes(c.qemuVersion)
    )
      throw new LaunchError(
        'qemuVersion',
        `launch configuration: "qemuVersion" is ${excerpt(c.qemuVersion)}, but only ${MODELLED_VERSIONS.join(' and ')} are simulated; other versions are read from a "traceFile"`,
      );
    return c;
  }
  for (const k of Object.keys(args)) {
    const spec = ownField(LAUNCH_FIELDS, k) as FieldSpec | undefined;
    if (spec && spec.use === undefined && args[k] !== undefined)
      throw new LaunchError(
        k,
        `${request} configuration: "${k}" sets up a simulation and cannot be used with "traceFile" (a trace session reads ${Object.entries(
          LAUNCH_FIELDS,
        )
          .filter(([, f]) => (f as FieldSpec).use !== undefined)
          .map(([n]) => n)
          .join(', ')})`,
      );
  }
  if (c.traceFile.trim() === '')
    throw new LaunchError('traceFile', `${request} configuration: "traceFile" is empty; give the path of a trace log`);
  return c;
}

/** The session a validated configuration asks for. */
export function sessionMode(c: LaunchConfig, request: 'launch' | 'attach'): SessionMode {
  if (c.traceFile === undefined) return 'simulate';
  return request === 'attach' ? 'follow' : 'replay';
}

function checkFields(args: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(args)) {
    if (CLIENT_FIELDS.has(k) || k.startsWith('__')) continue;
    const spec = ownField(LAUNCH_FIELDS, k);
    if (!spec) {
      throw new LaunchError(
        k,
        `launch configuration: unknown field ${excerpt(k)} (known: ${Object.keys(LAUNCH_FIELDS).join(', ')})`,
      );
    }
    if (v !== undefined) check(k, spec, v);
  }
}

/** The simulator scenario a (validated) launch configuration asks for. */
export function scenarioInputFrom(c: LaunchConfig): ScenarioInput {
  const size = (v: string | number | undefined, field: string): number | undefined =>
    v === undefined ? undefined : wrap(field, () => parseSize(String(v), field));
  const dur = (v: string | number | undefined, field: string, unit: 'ns' | 'us' | 's' = 'ns'): number | undefined =>
    v === undefined ? undefined : wrap(field, () => parseDuration(String(v), field, unit));
  const wl = typeof c.workload === 'object' ? c.workload : undefined;
  const dev = c.device;
  return {
    // validated: a simulation's version is a modelled one ('auto' is the default)
    qemuVersion: c.qemuVersion === 'auto' ? undefined : (c.qemuVersion as ModelledVersion | undefined),
    qemu: c.qemu,
    blkdebug: c.blkdebug === 'on' ? true : c.blkdebug,
    fioFile: typeof c.workload === 'string' ? c.workload : undefined,
    aio: c.aio,
    iothread: c.iothread,
    cache: c.cache,
    werror: c.werror,
    rerror: c.rerror,
    requestMerging: c.requestMerging,
    ioeventfd: c.ioeventfd,
    eventIdx: c.eventIdx,
    queueSize: c.queueSize,
    pollMaxNs: c.pollMaxNs,
    hostBlockSize: c.hostBlockSize,
    seed: c.seed,
    faults: c.faults,
    traceFile: wl?.fromTrace,
    workload: wl && {
      rw: wl.rw,
      rwmixread: wl.rwmixread,
      iodepth: wl.iodepth,
      batch: wl.batch,
      requests: wl.requests,
      flushEvery: wl.flushEvery,
      bs: size(wl.bs, 'workload.bs'),
      offset: size(wl.offset, 'workload.offset'),
      size: size(wl.size, 'workload.size'),
      runtimeNs: dur(wl.runtime, 'workload.runtime', 's'),
      thinktimeNs: dur(wl.thinktime, 'workload.thinktime', 'us'),
      thinktimeBlocks: wl.thinktimeBlocks,
    },
    device: dev && {
      queueDepth: dev.queueDepth,
      jitter: dev.jitter,
      readLatencyNs: dur(dev.readLatency, 'device.readLatency'),
      writeLatencyNs: dur(dev.writeLatency, 'device.writeLatency'),
      flushLatencyNs: dur(dev.flushLatency, 'device.flushLatency'),
      bandwidthBytesPerSec: size(dev.bandwidth, 'device.bandwidth'),
    },
  };
}

/** The launch field that sets each scenario field (ConfigError.field of validate.ts). */
const LAUNCH_FIELD_OF: Record<string, string> = {
  rw: 'workload.rw',
  rwmixread: 'workload.rwmixread',
  bs: 'workload.bs',
  iodepth: 'workload.iodepth',
  batch: 'workload.batch',
  requests: 'workload.requests',
  runtime: 'workload.runtime',
  offset: 'workload.offset',
  size: 'workload.size',
  flushEvery: 'workload.flushEvery',
  thinktime: 'workload.thinktime',
  thinktimeBlocks: 'workload.thinktimeBlocks',
  'device.readLatencyNs': 'device.readLatency',
  'device.writeLatencyNs': 'device.writeLatency',
  'device.flushLatencyNs': 'device.flushLatency',
  'device.bandwidthBytesPerSec': 'device.bandwidth',
};

/** A scenario error, naming the launch field it is about when the configuration set that field. */
export function launchErrorFrom(e: ConfigError, c: LaunchConfig): LaunchError {
  const field = e.field && (LAUNCH_FIELD_OF[e.field] ?? e.field);
  const [top, sub] = (field ?? '').split('.');
  const part = (c as Record<string, unknown>)[top];
  const set = sub === undefined ? part !== undefined : typeof part === 'object' && part !== null && sub in part;
  const named = field && set && Object.hasOwn(LAUNCH_FIELDS, top);
  return new LaunchError(
    field ?? '',
    `launch configuration: ${named ? `"${field}": ` : ''}${e.message.replace(/^launch configuration: /, '')}`,
  );
}

function wrap<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) throw new LaunchError(field, `launch configuration: ${e.message}`);
    throw e;
  }
}
