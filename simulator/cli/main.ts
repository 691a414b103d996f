// qemu-io-explorer: run the simulator from a shell.
//
//   qemu-io-explorer simulate [settings] [--format text|jsonl|qemu-trace|chrome|none] [--stats]
//   qemu-io-explorer trace FILE [...]   (see trace.ts)

import { parseArgs } from 'node:util';
import { buildScenario, readFioFile, ScenarioInput } from '../config/build';
import { ConfigError, excerpt, shortText } from '../config/errors';
import { readTraceWorkload } from '../config/trace-workload';
import { AIO_MODES, ERROR_POLICIES, RW_MODES } from '../config/scenario';
import { MODELLED_VERSIONS } from '../version';
import { parseBool, parseDuration, parseInteger, parseSize } from '../config/units';
import { StopReason } from '../engine/types';
import { ChromeTraceWriter } from '../output/chrome-trace';
import { EventLines } from '../output/events';
import { qemuTraceSink } from '../output/qemu-trace';
import { onlyEnabled } from '../output/trace-filter';
import { statsText } from '../output/stats-text';
import { Simulator } from '../simulator';
import { Out } from './out';
import { traceCommand } from './trace';
import { outstandingText } from '../stats';

const USAGE = `usage: qemu-io-explorer simulate [options]

Simulates QEMU's virtio-blk I/O path (4.1.0, or 10.0) and prints every stage it goes through.

  --qemu-version 4.1.0|10.0   the version simulated (default 4.1.0, the I/O path document's)

Where the settings come from (later ones win):
  --qemu "<fragment>"     -drive/-blockdev, -device virtio-blk-pci and -object iothread options
  --fio FILE              a fio job file (rw, bs, iodepth, number_ios, size, runtime, fsync, ...)
  the flags below

Device and backend:
  --aio threads|native|io_uring (10.0)    --cache none|writeback|writethrough|directsync|unsafe
  --iothread              run the dataplane in an iothread (adaptive polling)
  --werror report|ignore|stop|enospc      --rerror report|ignore|stop
  --request-merging on|off   --ioeventfd on|off   --event-idx on|off
  --queue-size N          --poll-max-ns DURATION   --host-block-size 512|4096
Workload:
  --rw read|write|randread|randwrite|randrw|rw   --rwmixread PCT
  --bs SIZE   --iodepth N   --batch N (requests per kick)   --requests N   --runtime DURATION
  --offset SIZE   --size SIZE   --flush-every N (a flush after every N writes)   --disk-size SIZE
  --thinktime DURATION --thinktime-blocks N (pause issuing after every N requests)
  --workload-from-trace FILE   replay the requests of a real QEMU trace log instead (op, sector,
                          size, the kick each came in, in order; see 'qemu-io-explorer trace')
Host device model:
  --device-read-latency D   --device-write-latency D   --device-flush-latency D
  --device-queue-depth N    --device-bandwidth SIZE (per second)
Errors:
  --fault op:sectors:errno[:times]   e.g. write:0-2047:EIO, read:#3:EIO, flush:*:EIO:1 (repeatable)
  --blkdebug FILE|on       a blkdebug node under the format: the rules of its config file ([inject-error]),
                           or on: --fault rules, injected at blkdebug's layer instead of the host device
  --resume-after DURATION  --max-resumes N   (the simulated management tool's 'cont' after a stop)
Run and output:
  --seed N   --format text|jsonl|qemu-trace|chrome|none   --stats   --max-events N
  (chrome: a trace for ui.perfetto.dev or chrome://tracing — threads, call slices, coroutines)

Sizes: 4096, 4k, 1M, 2G.  Durations: 500ns, 20us, 10ms, 2s.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'qemu-version': { type: 'string' },
  blkdebug: { type: 'string' },
  qemu: { type: 'string' },
  fio: { type: 'string' },
  aio: { type: 'string' },
  cache: { type: 'string' },
  iothread: { type: 'boolean' },
  werror: { type: 'string' },
  rerror: { type: 'string' },
  'request-merging': { type: 'string' },
  ioeventfd: { type: 'string' },
  'event-idx': { type: 'string' },
  'queue-size': { type: 'string' },
  'poll-max-ns': { type: 'string' },
  'host-block-size': { type: 'string' },
  rw: { type: 'string' },
  rwmixread: { type: 'string' },
  bs: { type: 'string' },
  iodepth: { type: 'string' },
  batch: { type: 'string' },
  requests: { type: 'string' },
  runtime: { type: 'string' },
  offset: { type: 'string' },
  size: { type: 'string' },
  'flush-every': { type: 'string' },
  thinktime: { type: 'string' },
  'thinktime-blocks': { type: 'string' },
  'workload-from-trace': { type: 'string' },
  'disk-size': { type: 'string' },
  'device-read-latency': { type: 'string' },
  'device-write-latency': { type: 'string' },
  'device-flush-latency': { type: 'string' },
  'device-queue-depth': { type: 'string' },
  'device-bandwidth': { type: 'string' },
  fault: { type: 'string', multiple: true },
  'resume-after': { type: 'string' },
  'max-resumes': { type: 'string' },
  seed: { type: 'string' },
  format: { type: 'string' },
  stats: { type: 'boolean' },
  'max-events': { type: 'string' },
} as const;

/** The flag that sets each scenario field (ConfigError.field of validate.ts), to name it in errors. */
const FLAG_OF_FIELD: Record<string, keyof typeof OPTIONS> = {
  aio: 'aio',
  werror: 'werror',
  rerror: 'rerror',
  ioeventfd: 'ioeventfd',
  queueSize: 'queue-size',
  pollMaxNs: 'poll-max-ns',
  hostBlockSize: 'host-block-size',
  diskBytes: 'disk-size',
  seed: 'seed',
  maxResumes: 'max-resumes',
  rw: 'rw',
  rwmixread: 'rwmixread',
  bs: 'bs',
  iodepth: 'iodepth',
  batch: 'batch',
  requests: 'requests',
  runtime: 'runtime',
  offset: 'offset',
  size: 'size',
  flushEvery: 'flush-every',
  thinktime: 'thinktime',
  thinktimeBlocks: 'thinktime-blocks',
  'device.readLatencyNs': 'device-read-latency',
  'device.writeLatencyNs': 'device-write-latency',
  'device.flushLatencyNs': 'device-flush-latency',
  'device.queueDepth': 'device-queue-depth',
  'device.bandwidthBytesPerSec': 'device-bandwidth',
};

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

function enumFlag<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new ConfigError(`--${flag} ${shortText(v, 40)}: expected one of ${allowed.join(', ')}`);
  return v as T;
}

function opt<T>(v: string | undefined, parse: (s: string) => T): T | undefined {
  return v === undefined ? undefined : parse(v);
}

export function scenarioInput(f: Flags): ScenarioInput {
  return {
    qemuVersion: enumFlag(f['qemu-version'], MODELLED_VERSIONS, 'qemu-version'),
    qemu: f.qemu,
    fioFile: f.fio,
    aio: enumFlag(f.aio, AIO_MODES, 'aio'),
    blkdebug: f.blkdebug === 'on' ? true : f.blkdebug,
    cache: enumFlag(f.cache, ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'], 'cache'),
    iothread: f.iothread,
    werror: enumFlag(f.werror, ERROR_POLICIES, 'werror'),
    rerror: enumFlag(f.rerror, ['report', 'ignore', 'stop'], 'rerror'),
    requestMerging: opt(f['request-merging'], (s) => parseBool(s, '--request-merging')),
    ioeventfd: opt(f.ioeventfd, (s) => parseBool(s, '--ioeventfd')),
    eventIdx: opt(f['event-idx'], (s) => parseBool(s, '--event-idx')),
    queueSize: opt(f['queue-size'], (s) => parseInteger(s, '--queue-size', 2, 1024)),
    pollMaxNs: opt(f['poll-max-ns'], (s) => parseDuration(s, '--poll-max-ns')),
    hostBlockSize: opt(f['host-block-size'], (s) => parseSize(s, '--host-block-size')),
    diskBytes: opt(f['disk-size'], (s) => parseSize(s, '--disk-size')),
    seed: opt(f.seed, (s) => parseInteger(s, '--seed', 0, 0xffffffff)),
    faults: f.fault,
    traceFile: f['workload-from-trace'],
    resumeAfterNs: opt(f['resume-after'], (s) => parseDuration(s, '--resume-after')),
    maxResumes: opt(f['max-resumes'], (s) => parseInteger(s, '--max-resumes', 0, 1000)),
    workload: {
      rw: enumFlag(f.rw, RW_MODES, 'rw'),
      rwmixread: opt(f.rwmixread, (s) => parseInteger(s, '--rwmixread', 0, 100)),
      bs: opt(f.bs, (s) => parseSize(s, '--bs')),
      iodepth: opt(f.iodepth, (s) => parseInteger(s, '--iodepth', 1, 1024)),
      batch: opt(f.batch, (s) => parseInteger(s, '--batch', 1, 1024)),
      requests: opt(f.requests, (s) => parseInteger(s, '--requests', 1)),
      runtimeNs: opt(f.runtime, (s) => parseDuration(s, '--runtime', 's')),
      offset: opt(f.offset, (s) => parseSize(s, '--offset')),
      size: opt(f.size, (s) => parseSize(s, '--size')),
      flushEvery: opt(f['flush-every'], (s) => parseInteger(s, '--flush-every', 0)),
      thinktimeNs: opt(f.thinktime, (s) => parseDuration(s, '--thinktime', 'us')),
      thinktimeBlocks: opt(f['thinktime-blocks'], (s) => parseInteger(s, '--thinktime-blocks', 1)),
    },
    device: {
      readLatencyNs: opt(f['device-read-latency'], (s) => parseDuration(s, '--device-read-latency')),
      writeLatencyNs: opt(f['device-write-latency'], (s) => parseDuration(s, '--device-write-latency')),
      flushLatencyNs: opt(f['device-flush-latency'], (s) => parseDuration(s, '--device-flush-latency')),
      queueDepth: opt(f['device-queue-depth'], (s) => parseInteger(s, '--device-queue-depth', 1, 65536)),
      bandwidthBytesPerSec: opt(f['device-bandwidth'], (s) => parseSize(s, '--device-bandwidth')),
    },
  };
}

/** Runs `build`, naming the flag (and the value given) when a scenario error is about one the user set. */
function namingFlags<T>(f: Flags, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const flag = e instanceof ConfigError && e.field ? FLAG_OF_FIELD[e.field] : undefined;
    const given = flag && (f as Record<string, unknown>)[flag];
    if (typeof given === 'string')
      throw new ConfigError(`--${flag} ${shortText(given, 40)}: ${e instanceof Error ? e.message : e}`);
    throw e;
  }
}

/** `--qemu "-drive ..."`: a value may start with a dash, which parseArgs would take for an option. */
function joinValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') && !args[i].includes('=') ? args[i].slice(2) : null;
    const spec = name !== null ? (OPTIONS as Record<string, { type: string }>)[name] : undefined;
    if (spec?.type === 'string' && i + 1 < args.length) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

async function simulate(args: string[]): Promise<number> {
  const { values: f, positionals } = parseArgs({
    args: joinValues(args),
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (f.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length) throw new ConfigError(`unexpected argument ${excerpt(positionals[0], 40)}`);
  const format = enumFlag(f.format, ['text', 'jsonl', 'qemu-trace', 'chrome', 'none'], 'format') ?? 'text';
  const maxEvents = opt(f['max-events'], (s) => parseInteger(s, '--max-events', 1)) ?? Infinity;
  const input = scenarioInput(f);
  if (input.fioFile !== undefined) input.fioText = await readFioFile(input.fioFile, '--fio');
  const traced =
    input.traceFile !== undefined ? await readTraceWorkload(input.traceFile, '--workload-from-trace') : null;
  const { scenario, notes } = namingFlags(f, () => buildScenario({ ...input, traceWorkload: traced?.workload }));
  for (const n of [...(traced?.notes ?? []), ...notes]) process.stderr.write(`qemu-io-explorer: note: ${n}\n`);

  const sim = new Simulator(scenario);
  const out = new Out();
  const lines = new EventLines(sim, out.lines);
  if (format === 'text') sim.listener = (ev) => lines.text(ev);
  else if (format === 'jsonl') sim.listener = (ev) => lines.json(ev);
  else if (format === 'qemu-trace') sim.m.tracer = onlyEnabled(scenario.traceEvents, qemuTraceSink(sim.m, out.lines));
  const chrome = format === 'chrome' ? new ChromeTraceWriter(sim, (l) => out.line(l)) : null;
  if (chrome) sim.listener = (ev) => chrome.event(sim.record(ev));

  // run in slices so output streams and memory stays flat on long runs
  const limitNs = scenario.workload.runtimeNs > 0 ? scenario.workload.runtimeNs * 4 + 1e9 : Infinity;
  let reason: number = StopReason.limit;
  while (!out.closed) {
    const left = maxEvents - sim.eventCount;
    reason = sim.run(Math.min(left, 20_000), null, limitNs);
    if (out.pending > 0) await out.flush();
    if (reason !== StopReason.limit || sim.eventCount >= maxEvents) break;
  }
  chrome?.finish();
  await out.flush();
  const stats = sim.stats();
  if (f.stats) {
    const text = statsText(stats) + '\n';
    if (format === 'text' || format === 'none') process.stdout.write(text);
    else process.stderr.write(text);
  }
  if (reason === StopReason.idle && stats.requests.outstanding > 0) {
    process.stderr.write(`qemu-io-explorer: note: the run ended with ${outstandingText(stats)}\n`);
    const why = sim.stallNote();
    if (why) process.stderr.write(`qemu-io-explorer: note: ${why}\n`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === 'trace') return traceCommand(rest);
  if (cmd !== 'simulate')
    throw new ConfigError(`unknown command ${excerpt(cmd, 40)} (try: qemu-io-explorer simulate --help)`);
  return simulate(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error & { code?: string };
    if (e instanceof ConfigError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /^Unknown option '(.*?)'\./s.exec(err.message);
      const message = unknown
        ? `unknown option ${excerpt(unknown[1], 40)} (see: qemu-io-explorer simulate --help)`
        : err.message;
      process.stderr.write(`qemu-io-explorer: error: ${shortText(message.split('\n')[0], 400)}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`qemu-io-explorer: internal error: ${shortText(err.message.split('\n')[0], 400)}\n`);
      if (process.env.QEMU_IO_EXPLORER_DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  },
);
