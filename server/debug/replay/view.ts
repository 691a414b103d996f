// What a replay shows of its log at an event, as plain data: the request an event or frame works
// for (its stages so far), the event itself (its line, its arguments by their trace-events
// names), a thread, a coroutine, the statistics so far; and the names breakpoint conditions,
// log messages and watch expressions read (docs/expressions.md, "Replaying a trace").

import { argsRecord, ERRNO_NAMES, frameFn, Plain } from '../../../simulator';
import type { Pass, RecEvent, Recording, RequestRecord } from '../../../simulator';
import type { Scope, Value } from '../expr/evaluate';

type Rec = { [k: string]: Plain };

const us = (ns: number | null | undefined): number | null =>
  ns === null || ns === undefined || ns < 0 || Number.isNaN(ns) ? null : Math.round(ns) / 1000;

/** The names scope of a replay reserves; an event argument spelled the same is under `args` only. */
const RESERVED = new Set([
  'req',
  'requests',
  'event',
  'fn',
  'phase',
  'traced',
  'thread',
  'tid',
  'co',
  'time_ns',
  'time_us',
  'line',
  'events',
  'hits',
  'args',
  'read',
  'write',
  'flush',
]);

/** The request's stage marks as the rebuild keeps them (in flight) or reported them (decided). */
type StageMarks = { stage: string; time_ns: number | null; line: number }[];

function requestRecord(
  id: number,
  op: string,
  sector: number,
  nsectors: number,
  status: number,
  stages: StageMarks,
  mergedWith: number[],
  coroutine: number | null,
  thread: string,
  nowNs: number | null,
  decided: 'raised' | 'suppressed' | null,
): Rec {
  const marks = stages.map((m) => ({ stage: m.stage, time_us: us(m.time_ns), line: m.line }));
  // the time spent in each stage so far: from each mark to the next (the last one: to now)
  const spent: Rec = {};
  for (let i = 0; i < stages.length; i++) {
    const from = stages[i].time_ns;
    const to = i + 1 < stages.length ? stages[i + 1].time_ns : decided ? null : nowNs;
    const d = from !== null && to !== null ? to - from : null;
    if (d !== null) spent[stages[i].stage] = ((spent[stages[i].stage] as number | undefined) ?? 0) + d / 1000;
  }
  const start = stages.find((m) => m.stage === 'kick')?.time_ns ?? stages[0]?.time_ns ?? null;
  const end = decided ? (stages[stages.length - 1]?.time_ns ?? null) : nowNs;
  return {
    summary: `request ${id}: ${op}${sector >= 0 ? ` sector ${sector}` : ''}${nsectors ? ` (${nsectors * 512} bytes)` : ''}`,
    id,
    op,
    is_read: op === 'read',
    is_write: op === 'write',
    is_flush: op === 'flush',
    sector: sector >= 0 ? sector : null,
    nsectors,
    bytes: nsectors * 512,
    offset: sector >= 0 ? sector * 512 : null,
    stage: stages.length ? stages[stages.length - 1].stage : 'pop',
    status: status === 0 ? 'ok' : status < 0 ? (ERRNO_NAMES[-status] ?? `errno ${-status}`) : `status ${status}`,
    failed: status !== 0,
    interrupt: decided,
    total_us: start !== null && end !== null ? us(end - start) : null,
    stage_us: spent,
    merged_with: mergedWith,
    coroutine,
    thread,
    marks,
  };
}

/** A request at the view's event: in flight (the rebuild's record) or decided on this line. */
export function requestAt(pass: Pass, id: number, nowNs: number | null): Rec | null {
  const live = pass.state.reqs.get(id);
  if (live) {
    const co = live.co >= 0 ? pass.state.cos.get(live.co) : undefined;
    return requestRecord(
      id,
      live.op,
      live.sector,
      live.nsectors,
      live.status,
      live.stages,
      co ? co.reqs.filter((r) => r !== id) : [],
      live.co >= 0 ? live.co : null,
      pass.reader.rebuild.threadName(live.tid),
      nowNs,
      null,
    );
  }
  const done: RequestRecord | undefined = pass.doneNow.find((r) => r.id === id);
  if (!done) return null;
  return requestRecord(
    id,
    done.op,
    done.sector,
    done.nsectors,
    done.status,
    done.stages,
    [],
    done.coroutine,
    done.thread,
    nowNs,
    done.irq,
  );
}

/** The arguments of an event's line by their trace-events names (null when it has none or they do not parse). */
export function eventArgs(rec: Recording, pass: Pass, e: RecEvent): Record<string, number | string> | null {
  if (!e.ev.event || !e.ev.traced) return null;
  const decl = rec.catalog.traceEvent(e.ev.event);
  const info = pass.reader.table.get(e.ev.event);
  if (!decl || !info.format) return null;
  const text = (pass.lineText(e) ?? rec.lineText(e)).replace(/\r$/, '');
  // the arguments follow the event's name (after the `tid@time:` or merged-file prefix)
  const at = text.indexOf(e.ev.event);
  if (at < 0) return null;
  let start = at + e.ev.event.length;
  if (text.charCodeAt(start) === 32) start++;
  return argsRecord(
    info.format,
    decl.args.map((a) => a.name),
    text,
    start,
    text.length,
  );
}

/** The Event scope: the log line, where it is, what it says. */
export function eventInfo(rec: Recording, pass: Pass, e: RecEvent): Rec {
  const ev = e.ev;
  const args = eventArgs(rec, pass, e);
  const decl = ev.event ? rec.catalog.traceEvent(ev.event) : undefined;
  const shown: Rec = {};
  if (args && decl)
    decl.args.forEach((a, i) => {
      const v = args[a.name] ?? args[`arg${i}`];
      shown[a.name] = typeof v === 'number' && a.type.includes('*') ? `0x${v.toString(16)}` : (v ?? null);
    });
  return {
    summary: ev.traced
      ? `${ev.event || ev.function} (line ${ev.line})`
      : `${ev.function} (inferred from line ${ev.line})`,
    event: ev.event || null,
    function: rec.paths.names[e.fn] ?? ev.function,
    phase: ev.phase,
    traced: ev.traced,
    seq: e.seq,
    line: ev.line,
    text: ev.traced ? (pass.lineText(e) ?? rec.lineText(e)) : null,
    time_us: us(ev.time_ns),
    thread: ev.thread,
    tid: ev.tid,
    coroutine: ev.coroutine,
    requests: ev.requests,
    args: shown,
  };
}

export function threadInfo(pass: Pass, tid: number): Rec {
  const t = pass.state.threads.get(tid);
  const rb = pass.reader.rebuild;
  const running = t?.coStack.length ? t.coStack[t.coStack.length - 1] : null;
  return {
    name: rb.threadName(tid),
    tid: tid >= 0 ? tid : null,
    role: tid === -2 ? 'pool workers (not traced): jobs between submit and complete' : rb.threadRole(tid),
    events: t?.evidence.events ?? 0,
    coroutine: running,
    coroutines_entered: t ? t.coStack.slice() : [],
    handled_waiting: t ? t.handled.length : 0,
    completions_waiting_for_irq: t ? t.notifyPending.slice() : [],
    stack_depth: (pass.native.get(tid) ?? []).length,
    last_time_us: t ? us(t.lastNs) : null,
    jobs_out: tid === -2 ? pass.state.poolLaneBusy : null,
  };
}

export function coroutineInfo(rec: Recording, pass: Pass, co: number): Rec | null {
  const c = pass.state.cos.get(co);
  if (!c) return null;
  const frames = (pass.cos.get(co) ?? []).map((f) => rec.paths.names[frameFn(f)]);
  return {
    id: co,
    pointer: `0x${c.ptr.toString(16)}`,
    state: c.running ? 'running' : 'parked',
    thread: pass.reader.rebuild.threadName(c.tid),
    requests: c.reqs.slice(),
    backtrace: frames.reverse(),
  };
}

/** The Statistics scope: `trace --stats` of what was decided up to the view's event. */
export function statistics(rec: Recording, pass: Pass): Rec {
  const at = pass.cur ? pass.cur.seq : -1;
  const f = rec.requests.figuresAt(at);
  return {
    summary: `${f.completed} request(s) completed, ${pass.state.reqs.size} in flight`,
    events: at + 1,
    log_line: pass.reader.lineNo,
    completed: f.completed,
    errors: f.errors,
    in_flight: pass.state.reqs.size,
    by_op: f.by_op,
    split_us: f.split as unknown as Plain,
    // following: events read beyond the view (a replay's read-ahead is no news to the user)
    ...(rec.file.follow ? { waiting_events: rec.waiting } : {}),
  };
}

/** The names a condition, log message or watch expression reads at event `e`. */
export function eventScope(rec: Recording, pass: Pass, e: RecEvent, hits: number): Scope {
  const ev = e.ev;
  let args: Record<string, number | string> | null | undefined;
  const argsOf = (): Record<string, number | string> | null =>
    args === undefined ? (args = eventArgs(rec, pass, e)) : args;
  const scope: Scope = {
    event: ev.event || null,
    fn: rec.paths.names[e.fn] ?? ev.function,
    phase: ev.phase,
    traced: ev.traced,
    thread: ev.thread,
    tid: ev.tid,
    co: ev.coroutine,
    time_ns: ev.time_ns,
    time_us: us(ev.time_ns),
    line: ev.line,
    events: e.seq + 1,
    hits,
    requests: ev.requests,
    req: () => (ev.requests.length ? (requestAt(pass, ev.requests[0], ev.time_ns) as Value) : null),
    args: () => (argsOf() as Value) ?? null,
    // `req.op == write` reads as written
    read: 'read',
    write: 'write',
    flush: 'flush',
  };
  const decl = ev.event ? rec.catalog.traceEvent(ev.event) : undefined;
  for (const a of decl?.args ?? [])
    if (!RESERVED.has(a.name)) scope[a.name] = () => (argsOf()?.[a.name] as Value) ?? null;
  return scope;
}
