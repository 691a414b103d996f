// --stats: the rebuilt log's figures as one JSON object (the documented shape) and as text.

import type { ThreadRole } from './rebuild';
import { OPS, STAGES, StageFigures, StageName, TraceStats } from './stats';

export interface TraceReport {
  file: string;
  qemu_version: string;
  version_from: string;
  timestamps: boolean;
  lines: { total: number; trace_events: number; syscalls: number; other: number; blank: number; malformed: number };
  requests: {
    seen: number;
    completed: number;
    read: number;
    write: number;
    flush: number;
    other: number;
    errors: number;
  };
  by_op: Record<'read' | 'write' | 'flush', Record<StageName, StageFigures>>;
  all: Record<StageName, StageFigures>;
  slowest: {
    id: number;
    op: string;
    sector: number;
    bytes: number;
    thread: string;
    merged: number;
    split_us: Record<StageName, number | null>;
  }[];
  merges: { batches: number; requests: number; largest: number };
  interrupts: {
    events: number;
    raised: number;
    suppressed: number;
    without_request: number;
    per_completion: number | null;
  };
  in_flight: { max: number; bin_us: number; bins: { start_us: number; max: number; mean: number }[] };
  threads: { tid: number; name: string; role: ThreadRole; events: number }[];
  syscalls: { placed: number; pool_jobs_matched: number; skipped: number };
  unknown_events: Record<string, number>;
  anomalies: {
    malformed_lines: { count: number; first: { line: number; text: string }[] };
    timestamps_backwards: { count: number; same_thread: number; first: { line: number; text: string }[] };
    completed_never_started: number;
    never_completed: { count: number; first: { id: number; op: string; sector: number; stage: string }[] };
    negative_durations: number;
  };
}

const perStage = (st: TraceStats, ops: readonly (typeof OPS)[number][]): Record<StageName, StageFigures> =>
  Object.fromEntries(STAGES.map((s) => [s, st.stage(s, ops)])) as Record<StageName, StageFigures>;

export function traceReport(
  st: TraceStats,
  meta: { file: string; version: string; versionFrom: string; timestamps: boolean; threads: TraceReport['threads'] },
): TraceReport {
  const completions = st.completed;
  return {
    file: meta.file,
    qemu_version: meta.version,
    version_from: meta.versionFrom,
    timestamps: meta.timestamps,
    lines: {
      total: st.lines.total,
      trace_events: st.lines.trace,
      syscalls: st.lines.syscall,
      other: st.lines.other,
      blank: st.lines.blank,
      malformed: st.malformed.count,
    },
    requests: { seen: st.requests, completed: completions, ...st.byOp, errors: st.errors },
    by_op: { read: perStage(st, ['read']), write: perStage(st, ['write']), flush: perStage(st, ['flush']) },
    all: perStage(st, OPS),
    slowest: st.slowest.map((r) => ({
      id: r.id,
      op: r.op,
      sector: r.sector,
      bytes: r.bytes,
      thread: r.thread,
      merged: r.merged,
      split_us: Object.fromEntries(
        STAGES.map((s, i) => [s, Number.isNaN(r.split[i]) ? null : Math.round(r.split[i]) / 1000]),
      ) as Record<StageName, number | null>,
    })),
    merges: { ...st.merges },
    interrupts: {
      events: st.interrupts.events,
      raised: st.interrupts.raised,
      suppressed: st.interrupts.suppressed,
      without_request: st.interrupts.withoutRequest,
      per_completion: completions ? Math.round((st.interrupts.events / completions) * 1000) / 1000 : null,
    },
    in_flight: { max: st.inFlight.peak, bin_us: st.inFlight.binNs / 1000, bins: st.inFlight.bins() },
    threads: meta.threads,
    syscalls: {
      placed: st.syscalls.placed,
      pool_jobs_matched: st.syscalls.poolJobsMatched,
      skipped: st.syscalls.skipped,
    },
    unknown_events: Object.fromEntries(st.unknownEvents),
    anomalies: {
      malformed_lines: { count: st.malformed.count, first: st.malformed.first },
      timestamps_backwards: {
        count: st.backwards.count,
        same_thread: st.backwards.sameThread,
        first: st.backwards.first,
      },
      completed_never_started: st.completedNeverStarted,
      never_completed: { count: st.neverCompleted.length, first: st.neverCompleted.slice(0, 5) },
      negative_durations: st.negativeDurations,
    },
  };
}

const num = (v: number | null, w = 9): string => (v === null ? '–' : v.toFixed(v >= 1000 ? 0 : 1)).padStart(w);

export function traceReportText(r: TraceReport): string {
  const out: string[] = [];
  const rq = r.requests;
  out.push(`QEMU ${r.qemu_version} trace (${r.version_from}): ${r.file}`);
  out.push(
    `lines               ${r.lines.total}: ${r.lines.trace_events} trace events, ${r.lines.syscalls} syscalls, ` +
      `${r.lines.other} other lines skipped, ${r.lines.malformed} malformed`,
  );
  out.push(
    `requests            ${rq.completed} completed of ${rq.seen} seen: ${rq.read} read, ${rq.write} write, ${rq.flush} flush` +
      `${rq.other ? `, ${rq.other} other` : ''}; ${rq.errors} with errors`,
  );
  out.push(`threads             ${r.threads.map((t) => `${t.name} (tid ${t.tid}, ${t.events} events)`).join(', ')}`);
  if (!r.timestamps)
    out.push('latency             unknown: the log has no timestamps (run QEMU with -msg timestamp=on)');
  else {
    out.push(
      `latency (µs)        ${'count'.padStart(7)}${['p50', 'p90', 'p99', 'max'].map((h) => h.padStart(9)).join('')}`,
    );
    for (const s of STAGES) {
      const rows: [string, StageFigures][] = [
        ...(['read', 'write', 'flush'] as const).map((op) => [op, r.by_op[op][s]] as [string, StageFigures]),
        ['all', r.all[s]],
      ];
      out.push(`  ${s}`);
      for (const [op, f] of rows) {
        if (f.count === 0 && op !== 'all') continue;
        out.push(
          `    ${op.padEnd(16)}${String(f.count).padStart(7)}${num(f.p50_us)}${num(f.p90_us)}${num(f.p99_us)}${num(f.max_us)}`,
        );
      }
    }
    if (r.slowest.length) {
      out.push(`slowest requests (µs: ${STAGES.join(' / ')})`);
      for (const s of r.slowest)
        out.push(
          `  #${String(s.id).padEnd(6)} ${s.op.padEnd(5)} ${String(s.bytes).padStart(7)} B @ sector ${String(s.sector).padEnd(9)} ` +
            `${s.thread.padEnd(12)} ${STAGES.map((x) => num(s.split_us[x], 0)).join(' / ')}${s.merged > 1 ? `  (merged ×${s.merged})` : ''}`,
        );
    }
  }
  out.push(
    `merges              ${r.merges.batches} merged batch(es) of ${r.merges.requests} requests (largest ${r.merges.largest})`,
  );
  const irq = r.interrupts;
  out.push(
    `interrupts          ${irq.events} for ${rq.completed} completions (${irq.per_completion ?? '–'} per completion): ` +
      `${irq.raised} raised after a completion, ${irq.suppressed} completions without one${irq.without_request ? `, ${irq.without_request} not after a completion` : ''}`,
  );
  if (r.timestamps && r.in_flight.bins.length) {
    out.push(`in flight           max ${r.in_flight.max} (pop → req_complete); per ${r.in_flight.bin_us} µs: max/mean`);
    const busy = r.in_flight.bins.filter((b) => b.max > 0);
    const shown = busy.length > 24 ? busy.filter((_b, i) => i % Math.ceil(busy.length / 24) === 0) : busy;
    for (const b of shown) out.push(`  ${num(b.start_us, 12)} µs  ${String(b.max).padStart(3)} / ${b.mean.toFixed(2)}`);
  }
  if (r.syscalls.placed)
    out.push(`syscalls            ${r.syscalls.placed} placed, ${r.syscalls.pool_jobs_matched} matched to a pool job`);
  const unknown = Object.entries(r.unknown_events);
  if (unknown.length) out.push(`unknown events      ${unknown.map(([n, c]) => `${n} ×${c}`).join(', ')}`);
  const a = r.anomalies;
  const notes: string[] = [];
  if (a.malformed_lines.count)
    notes.push(
      `${a.malformed_lines.count} malformed line(s) skipped, first at ${a.malformed_lines.first.map((m) => `line ${m.line}`).join(', ')}`,
    );
  if (a.timestamps_backwards.count)
    notes.push(
      `${a.timestamps_backwards.count} timestamp(s) going backwards (${a.timestamps_backwards.same_thread} on the same thread), first at ${a.timestamps_backwards.first.map((m) => `line ${m.line}`).join(', ')}`,
    );
  if (a.completed_never_started)
    notes.push(
      `${a.completed_never_started} completion(s) of requests the log never showed start (it begins mid-flight)`,
    );
  if (a.never_completed.count)
    notes.push(
      `${a.never_completed.count} request(s) never completed (the log ends mid-flight): ${a.never_completed.first.map((q) => `#${q.id} ${q.op} in ${q.stage}`).join(', ')}`,
    );
  if (a.negative_durations) notes.push(`${a.negative_durations} stage duration(s) below zero left out (clock steps)`);
  for (const n of notes) out.push(`anomaly             ${n}`);
  return out.join('\n');
}
