// Opening a trace log for a debug session: is it a readable regular file, a trace at all, of
// which QEMU version — each refusal one line naming the file and what was found there. The
// beginning of the log (at most 4 MiB) is read once to tell the version and the threads' roles;
// a compressed log is decompressed into a temporary file first (a replay seeks in it).

import { closeSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHead, sourceKind, traceChunks, TraceInputError } from '../trace/input';
import { probe, Probe } from '../trace/reader';
import { TRACE_VERSIONS, TraceVersion } from '../trace/versions';
import { LogFile, LogFileError, openRegular } from './log-file';
import { Recording } from './recording';

export class TraceOpenError extends Error {}

export interface OpenOptions {
  /** 'auto': detected from the events. */
  version: 'auto' | TraceVersion;
  /** Follow the log while QEMU writes it (else replay what is there). */
  follow: boolean;
}

export interface OpenedTrace {
  recording: Recording;
  version: TraceVersion;
  /** How the version was chosen, in a sentence. */
  versionFrom: string;
  /** Things to tell the user at the start (no timestamps, ...). */
  notes: string[];
  /** Removes the temporary copy of a compressed log. */
  dispose(): void;
}

function shown(lines: string[]): string {
  return lines.map((l) => JSON.stringify(l.length > 60 ? `${l.slice(0, 60)}…` : l)).join(', ');
}

export async function openTrace(path: string, opts: OpenOptions): Promise<OpenedTrace> {
  let tempDir: string | null = null;
  const dispose = (): void => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    tempDir = null;
  };
  try {
    let head: Buffer;
    try {
      closeSync(openRegular(path).fd);
      head = readHead(path);
    } catch (e) {
      if (e instanceof LogFileError || e instanceof TraceInputError) throw new TraceOpenError(e.message);
      throw e;
    }
    const kind = sourceKind(path, head);
    if (kind === 'simple')
      throw new TraceOpenError(
        `${path} is a QEMU simple-backend binary trace; the debugger reads the log backend's text (run QEMU with -trace ...,backend log or -D FILE with the log backend)`,
      );
    if (kind !== 'log' && opts.follow)
      throw new TraceOpenError(`${path} is ${kind} data: only a plain log can be followed while QEMU writes it`);
    let logPath = path;
    if (kind !== 'log') {
      tempDir = mkdtempSync(join(tmpdir(), 'qemu-io-replay-'));
      logPath = join(tempDir, 'trace.log');
      const out = createWriteStream(logPath);
      try {
        for await (const chunk of traceChunks(path, kind)) if (!out.write(chunk)) await once(out, 'drain');
      } catch (e) {
        out.destroy();
        throw new TraceOpenError(e instanceof TraceInputError ? e.message : `${path}: ${(e as Error).message}`);
      }
      out.end();
      await once(out, 'finish');
    }
    const file = new LogFile(logPath, opts.follow);
    let pr: Probe;
    try {
      pr = await probe(traceChunks(logPath, 'log'));
    } catch (e) {
      file.close();
      throw e;
    }
    const found = pr.reader.stats.lines.trace + pr.reader.stats.lines.syscall;
    const problem = ((): string | null => {
      if (pr.binary)
        return `${path} is binary data, not a QEMU trace: expected the log backend's text lines ("<tid>@<sec>.<usec>:<event> <args>")`;
      if (file.end === 0)
        return opts.follow && opts.version !== 'auto'
          ? null
          : opts.follow
            ? `${path} is empty, so its QEMU version cannot be told yet: set "qemuVersion" (${TRACE_VERSIONS.join(', ')}) to follow it from its first line`
            : `${path} is empty: no trace events to replay`;
      if (found === 0)
        return `${path} is not a QEMU trace: expected lines like "<tid>@<sec>.<usec>:<event> <args>" (QEMU's log trace backend); its first lines are ${shown(pr.firstLines)}`;
      if (opts.version === 'auto' && pr.detection.version === null)
        return `${path}: the QEMU version cannot be told from its events (${pr.detection.reason}; ${found} trace line(s) read): set "qemuVersion" (${TRACE_VERSIONS.join(', ')})`;
      return null;
    })();
    if (problem) {
      file.close();
      throw new TraceOpenError(problem);
    }
    const version: TraceVersion = opts.version === 'auto' ? pr.detection.version! : opts.version;
    const versionFrom =
      opts.version === 'auto' ? `detected: ${pr.detection.reason}` : 'given by the "qemuVersion" field';
    const notes: string[] = [];
    if (found > 0 && pr.reader.parser.baseSec < 0)
      notes.push(
        'the log has no timestamps (QEMU ran without -msg timestamp=on): events keep their order, times and latencies are unknown',
      );
    if (kind !== 'log') notes.push(`${path} was decompressed into a temporary file for the session`);
    return { recording: new Recording(file, version, pr.reader), version, versionFrom, notes, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
