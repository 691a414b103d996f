// A workload read from a real QEMU trace (`--workload-from-trace FILE`, launch `workload:
// {"fromTrace": FILE}`): the guest requests the log shows — op, sector, size — in the order
// QEMU popped them, grouped by the kick (virtio_queue_notify) each came in, with how many
// completions the log shows before each kick and the time between kicks. Read with the trace
// library (simulator/trace), so it takes whatever `qemu-io-explorer trace` takes: a log, the
// log mixed into stderr, strace-merged, .gz or .zst.

import { promises as fsp, type Stats } from 'node:fs';
import { readHead, sourceKind, traceChunks, TraceInputError } from '../trace/input';
import { TraceReader } from '../trace/reader';
import type { StageMark } from '../trace/rebuild';
import { ConfigError } from './errors';
import { TraceKick, TraceRequest, TraceWorkload } from './scenario';

export interface ReadTraceWorkload {
  workload: TraceWorkload;
  /** Worth telling the user: what was replayed, what was left out. */
  notes: string[];
}

interface Seen {
  op: string;
  sector: number;
  nsectors: number;
  stages: readonly { stage: StageMark; time_ns: number | null; line: number }[];
}

function notAFile(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The requests of the trace at `path`. `field` names where the path came from
 * (`--workload-from-trace`, `"workload.fromTrace"`); every error says it.
 */
export async function readTraceWorkload(path: string, field: string): Promise<ReadTraceWorkload> {
  const fail = (why: string): never => {
    throw new ConfigError(`${field} ${JSON.stringify(path)}: ${why}`, 'workload.fromTrace');
  };
  if (path === '') fail('expected the path of a QEMU trace log');
  // stat, not open: opening a FIFO for reading would wait for a writer for ever
  const st = await fsp
    .stat(path)
    .catch((e: NodeJS.ErrnoException) =>
      fail(
        e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : `cannot read it (${e.code})`,
      ),
    );
  if (!st.isFile()) fail(`${notAFile(st)}, not a trace log`);
  if (st.size === 0) fail('the file is empty: no trace events to replay');

  const seen: Seen[] = [];
  const reader = new TraceReader(null, { onRequest: (r) => seen.push(r) });
  try {
    const kind = sourceKind(path, readHead(path));
    if (kind === 'simple')
      fail(
        "a simple-backend binary trace, whose requests cannot be read without its QEMU's trace-events-all: " +
          'capture with the log backend (-trace ... -D FILE)',
      );
    for await (const chunk of traceChunks(path, kind)) reader.push(chunk);
  } catch (e) {
    if (e instanceof TraceInputError) fail(e.message.replace(`${path}: `, ''));
    throw e;
  }
  reader.end();
  if (reader.stats.lines.trace === 0)
    fail(
      'not a QEMU trace: no trace-event lines in it (expected the log backend\'s "<tid>@<sec>.<usec>:<event> <args>" lines)',
    );
  // requests the log never shows complete were still issued by the guest
  for (const r of reader.rebuild.s.reqs.values()) seen.push(r);
  return fromRequests(path, seen, fail);
}

const popOf = (r: Seen) => r.stages.find((s) => s.stage === 'pop')!;

function fromRequests(path: string, seen: Seen[], fail: (why: string) => never): ReadTraceWorkload {
  seen.sort((a, b) => popOf(a).line - popOf(b).line);
  const replayed = seen.filter((r) => r.op === 'flush' || ((r.op === 'read' || r.op === 'write') && r.nsectors > 0));
  if (replayed.length === 0)
    fail(
      seen.length
        ? `none of its ${seen.length} guest requests is a read, a write or a flush`
        : 'no guest requests in it (no virtqueue_pop: trace with -trace enable=virtqueue_* -trace enable=virtio_blk_*)',
    );
  const completions = replayed
    .map((r) => r.stages.find((s) => s.stage === 'complete')?.line ?? Infinity)
    .sort((a, b) => a - b);
  const kicks: TraceKick[] = [];
  let kickLine = -1;
  let lastNs: number | null = null;
  let done = 0;
  let timed = true;
  for (const r of replayed) {
    const kick = r.stages.find((s) => s.stage === 'kick');
    const req: TraceRequest =
      r.op === 'flush'
        ? { op: 'flush', sector: 0, bytes: 0 }
        : { op: r.op as 'read' | 'write', sector: r.sector, bytes: r.nsectors * 512 };
    if (kick && kick.line === kickLine) {
      (kicks[kicks.length - 1].requests as TraceRequest[]).push(req);
      continue;
    }
    // a new kick (or a request popped without one, by polling or after a completion: a kick of its own)
    const at = kick ?? popOf(r);
    kickLine = kick ? kick.line : -1;
    while (done < completions.length && completions[done] < at.line) done++;
    if (at.time_ns === null) timed = false;
    const gapNs = at.time_ns !== null && lastNs !== null ? Math.max(0, at.time_ns - lastNs) : 0;
    lastNs = at.time_ns;
    kicks.push({ requests: [req], after: done, gapNs });
  }
  const notes = [`replaying ${replayed.length} requests in ${kicks.length} kicks from ${path}`];
  const left = seen.length - replayed.length;
  if (left > 0) notes.push(`${left} request(s) of other types (not a read, write or flush) are left out`);
  if (!timed) notes.push('the trace has no timestamps: each kick follows the one before without the gap the log had');
  return { workload: { file: path, kicks, requests: replayed.length }, notes };
}
