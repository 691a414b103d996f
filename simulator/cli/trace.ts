// qemu-io-explorer trace FILE: read a real QEMU trace log, rebuild its threads, coroutines and
// requests, and print the stage events and/or where the time went.

import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TraceEventDecl } from '../catalog';
import { ConfigError } from '../config/errors';
import { CHUNK_BYTES, readHead, sourceKind, traceChunks, TraceInputError } from '../trace/input';
import { probe, Probe, TraceReader } from '../trace/reader';
import type { RequestRecord, TraceStageEvent } from '../trace/rebuild';
import { traceReport, traceReportText } from '../trace/report';
import { parseTraceEventsFile, TraceEventsSyntaxError } from '../trace/trace-events';
import { TRACE_VERSIONS, TraceVersion } from '../trace/versions';
import { ChromeTraceOfLog, traceJsonLine, traceTextLine } from '../trace/writers';
import { Out } from './out';

const USAGE = `usage: qemu-io-explorer trace FILE [--qemu-version auto|7.2|10.0] [--format text|jsonl|chrome|none]
                              [--stats [--stats-format text|json]] [--follow] [--trace-events FILE]

Reads a QEMU trace and rebuilds what happened: threads by role, requests from the kick to the
interrupt, merges, coroutines, and the stage each request was in.

  FILE                QEMU's log trace backend (-trace ... -D FILE, best with -msg timestamp=on),
                      or stderr with the trace mixed in, or a trace merged with strace lines;
                      FILE.gz / FILE.zst are decompressed; a simple-backend binary trace needs
                      --trace-events (the trace-events-all of the QEMU that wrote it)
  --qemu-version V    auto (default: from the events), 7.2 or 10.0 (4.1.0: the simulator's own)
  --format F          text (default), jsonl (one stage event per line), chrome (a Perfetto
                      trace: threads, and each request as an async span by stage), none
  --stats             per-stage latency like btt (kick_to_pop, pop_to_submit, backend,
                      reenter_to_notify, total), slowest requests, merges, interrupts, in flight
  --stats-format F    text (default) or json (one object; see the README)
  --follow            keep reading as QEMU appends to FILE (like tail -f), until Ctrl-C`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'qemu-version': { type: 'string' },
  format: { type: 'string' },
  stats: { type: 'boolean' },
  'stats-format': { type: 'string' },
  follow: { type: 'boolean' },
  'trace-events': { type: 'string' },
} as const;

const FORMATS = ['text', 'jsonl', 'chrome', 'none'] as const;
type Format = (typeof FORMATS)[number];

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string, dflt: T): T {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v))
    throw new ConfigError(`--${flag} ${v}: expected one of ${allowed.join(', ')}`);
  return v as T;
}

const note = (s: string): void => void process.stderr.write(`qemu-io-explorer: note: ${s}\n`);

function readDecls(path: string | undefined): Map<string, TraceEventDecl> | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--trace-events ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return new Map(parseTraceEventsFile(text, path).map((d) => [d.name, d]));
  } catch (e) {
    if (e instanceof TraceEventsSyntaxError) throw new ConfigError(`--trace-events: ${e.message}`);
    throw e;
  }
}

/** What a file that is not a trace looks like, in one line. */
function notATrace(file: string, p: Probe): ConfigError {
  if (p.binary)
    return new ConfigError(
      `${file} is binary data, not a QEMU trace: expected the log backend's text lines or a simple-backend file (its header magic is missing)`,
    );
  const seen = p.firstLines.map((l) => JSON.stringify(l.length > 60 ? `${l.slice(0, 60)}…` : l)).join(', ');
  return new ConfigError(
    `${file} is not a QEMU trace: expected lines like "<tid>@<sec>.<usec>:<event> <args>" or "<event> <args>" ` +
      `(QEMU's log trace backend); its first lines are ${seen}`,
  );
}

export async function traceCommand(args: string[]): Promise<number> {
  const { values: f, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (f.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new ConfigError(
      positionals.length ? `unexpected argument "${positionals[1]}"` : 'trace: which FILE? (see --help)',
    );
  const file = positionals[0];
  const format: Format = oneOf(f.format, FORMATS, 'format', 'text');
  const statsFormat = oneOf(f['stats-format'], ['text', 'json'] as const, 'stats-format', 'text');
  if (f['stats-format'] !== undefined && !f.stats) throw new ConfigError('--stats-format needs --stats');
  const wanted = oneOf(f['qemu-version'], ['auto', ...TRACE_VERSIONS] as const, 'qemu-version', 'auto');
  const decls = readDecls(f['trace-events']);

  try {
    const head = readHead(file);
    const kind = sourceKind(file, head);
    if (f.follow && kind !== 'log') throw new ConfigError(`--follow reads a plain log; ${file} is ${kind} data`);
    const declList = decls ? [...decls.values()] : undefined;
    const empty = statSync(file).size === 0;
    if (empty && !f.follow) throw new ConfigError(`${file} is empty: no trace events to read`);

    const pr = await probe(traceChunks(file, kind, declList), decls);
    const found = pr.reader.stats.lines.trace + pr.reader.stats.lines.syscall;
    if (!f.follow && found === 0) throw notATrace(file, pr);
    if (f.follow && pr.binary) throw notATrace(file, pr);
    let version: TraceVersion | null = wanted === 'auto' ? pr.detection.version : wanted;
    let versionFrom = wanted === 'auto' ? `detected: ${pr.detection.reason}` : 'given by --qemu-version';
    if (version === null && found > 0) {
      version = '10.0';
      versionFrom = `assumed: ${pr.detection.reason}; pass --qemu-version to choose`;
      note(`the QEMU version could not be told from the events (${pr.detection.reason}); reading it as 10.0`);
    }

    const out = new Out();
    const chrome =
      format === 'chrome'
        ? new ChromeTraceOfLog(`QEMU ${version ?? '?'} (trace of ${file})`, (l) => out.line(l))
        : null;
    const listener: ((ev: TraceStageEvent) => void) | undefined =
      format === 'text'
        ? (ev) => out.line(traceTextLine(ev))
        : format === 'jsonl'
          ? (ev) => out.line(traceJsonLine(ev))
          : chrome
            ? (ev) => chrome.event(ev)
            : undefined;
    const onRequest = chrome ? (r: RequestRecord): void => chrome.request(r) : undefined;
    const reader = new TraceReader(version, { decls, listener, onRequest });
    reader.seedThreads(pr.reader);

    const report = (): string => {
      const rep = traceReport(reader.stats, {
        file,
        version: version ?? 'unknown',
        versionFrom,
        timestamps: reader.parser.baseSec >= 0,
        threads: reader.rebuild.threadList(),
      });
      return statsFormat === 'json' ? JSON.stringify(rep) : traceReportText(rep);
    };
    const finish = async (): Promise<void> => {
      reader.end();
      chrome?.finish();
      await out.flush();
      if (f.stats) {
        const text = report() + '\n';
        if (format === 'none' || (format === 'text' && statsFormat === 'text')) process.stdout.write(text);
        else process.stderr.write(text);
      }
      const st = reader.stats;
      if (st.malformed.count)
        note(
          `${st.malformed.count} malformed line(s) skipped: ${st.malformed.first.map((m) => `line ${m.line}: ${JSON.stringify(m.text.slice(0, 60))}`).join('; ')}`,
        );
      if (reader.parser.baseSec < 0 && st.lines.trace > 0)
        note(
          'the log has no timestamps (QEMU ran without -msg timestamp=on): events keep their order, latencies are unknown',
        );
    };

    if (f.follow) return await follow(file, reader, out, finish, f.stats === true);

    for await (const chunk of traceChunks(file, kind, declList)) {
      reader.push(chunk);
      if (out.pending > 1 << 16) await out.flush();
      if (out.closed) break;
    }
    await finish();
    return 0;
  } catch (e) {
    if (e instanceof TraceInputError) throw new ConfigError(e.message);
    throw e;
  }
}

/** tail -f: read what is there, then poll for more until Ctrl-C, a removal or a truncation. */
async function follow(
  file: string,
  reader: TraceReader,
  out: Out,
  finish: () => Promise<void>,
  stats: boolean,
): Promise<number> {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK_BYTES);
  let pos = 0;
  let stop = false;
  let waitingNoted = false;
  let lastSummary = 0;
  const onSigint = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  let code = 0;
  try {
    while (!stop) {
      let n: number;
      while ((n = readSync(fd, buf, 0, buf.length, pos)) > 0) {
        reader.push(buf.subarray(0, n));
        pos += n;
        if (out.pending) await out.flush();
        if (stop) break;
      }
      if (!waitingNoted) {
        note(
          pos === 0
            ? `${file} is empty; waiting for QEMU to write to it (Ctrl-C to stop)`
            : `following ${file} (Ctrl-C to stop)`,
        );
        waitingNoted = true;
      }
      if (reader.lineNo > 0 && reader.stats.lines.trace + reader.stats.lines.syscall === 0 && pos > 1 << 16)
        throw new ConfigError(`${file} is not a QEMU trace: ${reader.lineNo} lines and no trace event among them`);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        process.stderr.write(`qemu-io-explorer: ${file} was removed while being followed; stopping\n`);
        code = 1;
        break;
      }
      if (size < pos || fstatSync(fd).size < pos) {
        note(`${file} shrank from ${pos} to ${size} bytes (truncated or rotated); reading it again from the start`);
        pos = 0;
      }
      const now = Date.now();
      if (stats && now - lastSummary > 2000 && reader.stats.completed > 0) {
        lastSummary = now;
        const st = reader.stats;
        process.stderr.write(
          `qemu-io-explorer: ${st.completed} requests completed, ${st.inFlight.current} in flight, ` +
            `total p50 ${st.stage('total', ['read', 'write', 'flush', 'other']).p50_us ?? '–'} µs\n`,
        );
      }
      if (!stop) await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    closeSync(fd);
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
  await finish();
  return code;
}
