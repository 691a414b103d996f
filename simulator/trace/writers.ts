// Rebuilt stage events as text, JSON lines and a Chrome/Perfetto trace (threads with their
// coroutine runs and events; each request an async span split into its stages).

import { formatTime, PHASE_MARK, stageFields } from '../output/events';
import type { RequestRecord, TraceStageEvent } from './rebuild';
import { STAGES } from './stats';

export function traceTextLine(ev: TraceStageEvent): string {
  const time = ev.time_ns === null ? `${`line ${ev.line}`.padStart(15)}` : formatTime(ev.time_ns);
  const co = ev.coroutine === null ? '      ' : `co#${String(ev.coroutine).padEnd(3)}`;
  const reqs = ev.requests.length ? `  req ${ev.requests.join(',')}` : '';
  const how = ev.traced ? (ev.event && ev.event !== ev.function ? `  [${ev.event}]` : '') : '  (inferred)';
  return `${time}  ${ev.thread.padEnd(12)} ${co} ${PHASE_MARK[ev.phase]} ${ev.function}${reqs}${how}`;
}

/** The simulator's six fields, then whether it was traced, the event and its log line. */
export function traceJsonLine(ev: TraceStageEvent): string {
  return JSON.stringify({ ...stageFields(ev), traced: ev.traced, event: ev.event, line: ev.line });
}

const us = (ns: number): number => ns / 1000;

export class ChromeTraceOfLog {
  private first = true;
  private readonly tids = new Map<number, number>();
  /** Open coroutine slices per chrome tid. */
  private readonly open = new Map<number, number>();
  private lastNs = 0;

  constructor(
    title: string,
    private readonly line: (text: string) => void,
  ) {
    this.line('{"displayTimeUnit":"ns","otherData":{"generator":"qemu-io-explorer trace"},"traceEvents":[');
    this.emit({ ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: title } });
  }

  event(ev: TraceStageEvent): void {
    if (ev.time_ns === null) return;
    this.lastNs = Math.max(this.lastNs, ev.time_ns);
    const tid = this.tidOf(ev);
    const ts = us(ev.time_ns);
    const args = { event: ev.event, line: ev.line, requests: ev.requests, traced: ev.traced };
    const coroutineSwitch = ev.event === 'qemu_aio_coroutine_enter' || ev.event === 'qemu_coroutine_yield';
    if (coroutineSwitch || ev.event === 'qemu_coroutine_terminate') {
      if ((ev.phase === 'yield' || ev.phase === 'exit') && (this.open.get(tid) ?? 0) > 0) {
        this.open.set(tid, this.open.get(tid)! - 1);
        this.emit({ ph: 'E', ts, pid: 1, tid });
      }
      if (ev.phase === 'enter' || ev.phase === 'resume') {
        this.open.set(tid, (this.open.get(tid) ?? 0) + 1);
        const name = `coroutine #${ev.coroutine ?? '?'}`;
        this.emit({ ph: 'B', name, cat: 'coroutine', ts, pid: 1, tid, args });
      }
      return;
    }
    this.emit({ ph: 'i', s: 't', name: ev.function, cat: ev.traced ? 'traced' : 'inferred', ts, pid: 1, tid, args });
  }

  /** A request's async span from its kick (or pop) to its interrupt, split into its stages. */
  request(r: RequestRecord): void {
    const at = (stage: string): number | null => r.stages.find((s) => s.stage === stage)?.time_ns ?? null;
    const start = at('kick') ?? at('pop');
    const end = at('irq') ?? at('irq-suppressed');
    if (start === null || end === null) return;
    const name = `req ${r.id} ${r.op}${r.sector >= 0 ? ` ${r.nsectors * 512}@${r.sector}` : ''}`;
    const id = `req${r.id}`;
    const args = { thread: r.thread, merged: r.merged, irq: r.irq, status: r.status };
    this.emit({ ph: 'b', name, cat: 'request', id, ts: us(start), pid: 1, tid: 0, args });
    let t = start;
    STAGES.slice(0, -1).forEach((stage, i) => {
      const d = r.split[i];
      if (Number.isNaN(d)) return;
      if (stage === 'kick_to_pop') t = start;
      this.emit({ ph: 'b', name: stage, cat: 'request', id, ts: us(t), pid: 1, tid: 0 });
      this.emit({ ph: 'e', name: stage, cat: 'request', id, ts: us(t + d), pid: 1, tid: 0 });
      t += d;
    });
    this.emit({ ph: 'e', name, cat: 'request', id, ts: us(end), pid: 1, tid: 0 });
  }

  finish(): void {
    const ts = us(this.lastNs);
    for (const [tid, n] of this.open) for (let i = 0; i < n; i++) this.emit({ ph: 'E', ts, pid: 1, tid });
    this.line(']}');
  }

  private tidOf(ev: TraceStageEvent): number {
    let tid = this.tids.get(ev.tid);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(ev.tid, tid);
      this.emit({ ph: 'M', name: 'thread_name', pid: 1, tid, args: { name: ev.thread } });
      this.emit({ ph: 'M', name: 'thread_sort_index', pid: 1, tid, args: { sort_index: tid } });
    }
    return tid;
  }

  private emit(e: Record<string, unknown>): void {
    this.line((this.first ? '' : ',') + JSON.stringify(e));
    this.first = false;
  }
}
