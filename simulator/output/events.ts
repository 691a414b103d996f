// Stage events as text lines (per thread, indented by call depth) and as JSON lines.

import { StageEventRecord } from '../simulator';

export const MARK: Record<StageEventRecord['phase'], string> = { enter: '→', exit: '←', yield: '⟂', resume: '↻' };

export function formatTime(ns: number): string {
  return `${(ns / 1000).toFixed(3).padStart(12)} µs`;
}

export function textLine(ev: StageEventRecord): string {
  const co = ev.coroutine === null ? '      ' : `co#${String(ev.coroutine).padEnd(3)}`;
  const reqs = ev.requests.length ? `  req ${ev.requests.join(',')}` : '';
  const indent = '  '.repeat(Math.max(0, Math.min(ev.depth - 1, 40)));
  return `${formatTime(ev.time_ns)}  ${ev.thread.padEnd(10)} ${co} ${indent}${MARK[ev.phase]} ${ev.function}${reqs}`;
}

/** The six fields every stage event has, in their documented order. */
export function stageFields(
  ev: Pick<StageEventRecord, 'thread' | 'coroutine' | 'function' | 'phase' | 'requests'> & { time_ns: number | null },
) {
  return {
    time_ns: ev.time_ns,
    thread: ev.thread,
    coroutine: ev.coroutine,
    function: ev.function,
    phase: ev.phase,
    requests: ev.requests,
  };
}

export function jsonLine(ev: StageEventRecord): string {
  return JSON.stringify(stageFields(ev));
}
