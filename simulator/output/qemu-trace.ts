// The trace-event lines the simulated QEMU version prints with `-trace` and the log backend
// (`tid@sec.usec:name args`), in that version's formats, for the events the model fires.
// Pointers are made up but stable: one address per object, reused when QEMU would reuse it.

import { Machine } from '../engine/machine';
import { SimThread, TraceSink } from '../engine/types';
import { catalogOf } from '../version';

type Kind =
  | 'vdev'
  | 'vq'
  | 'vreq'
  | 'ctx'
  | 'co'
  | 'acb'
  | 'blk'
  | 'bs'
  | 'mutex'
  | 'mrb'
  | 'dataplane'
  | 'pool'
  | 'poolElem'
  | 'hostio'
  | 'luring'
  | 'luringcb';

const BY_NAME: Record<string, Kind> = {
  vdev: 'vdev',
  vq: 'vq',
  elem: 'vreq',
  req: 'vreq',
  ctx: 'ctx',
  co: 'co',
  from: 'co',
  to: 'co',
  self: 'co',
  opaque: 'acb',
  blk: 'blk',
  bs: 'bs',
  mutex: 'mutex',
  mrb: 'mrb',
  s: 'dataplane',
  pool: 'pool',
};
const POOL_JOB: Record<string, Kind> = { req: 'poolElem', opaque: 'hostio' };
const LURING: Record<string, Kind> = { s: 'luring', luringcb: 'luringcb', aiocb: 'luringcb' };
const OVERRIDES: Record<string, Record<string, Kind>> = {
  thread_pool_submit: POOL_JOB,
  thread_pool_complete: POOL_JOB,
  thread_pool_submit_aio: POOL_JOB,
  thread_pool_complete_aio: POOL_JOB,
  luring_co_submit: LURING,
  luring_do_submit: LURING,
  luring_unplug_fn: LURING,
  luring_io_uring_submit: LURING,
  luring_process_completion: LURING,
};
const BASE: Record<Kind, [number, number]> = {
  vdev: [0x55d0c369c9b0, 0],
  vq: [0x7f3ad1e27010, 0x80],
  vreq: [0x55d0c389be30, 0x140],
  ctx: [0x55d0c2960bd0, 0xb0a60],
  co: [0x55d0c387a820, 0x110],
  acb: [0x55d0c2b8d4c0, 0x60],
  blk: [0x55d0c2b99f10, 0],
  bs: [0x55d0c2b9c700, 0x7340],
  mutex: [0x55d0c2b9c8a8, 0x7340],
  mrb: [0x7f3ad0dfe6c0, 0],
  dataplane: [0x55d0c39a4f80, 0],
  pool: [0x55d0c2a6ed00, 0x200],
  poolElem: [0x55d0c3885000, 0x70],
  hostio: [0x7f3ad01ff7e0, 0x1000],
  luring: [0x55d0c3a52b20, 0],
  luringcb: [0x7f3ad03fe590, 0x1000],
};

function pointer(kind: Kind, value: number, t: SimThread): string {
  if (kind === 'co' && value < 0) return hex(0x7f3ad3767d88 - t.id * 0x800000); // the thread's leader coroutine
  if (value < 0) return '(nil)';
  const [base, stride] = BASE[kind];
  const slot = kind === 'vreq' ? value % 1024 : value;
  return hex(base + slot * stride);
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** printf for the conversions QEMU's trace formats use. */
export function formatTrace(fmt: string, values: (string | number)[]): string {
  let i = 0;
  return fmt.replace(/%(-?\d*)(ll|l|z|hh|h)?([diuxXsp%])/g, (_m, _w, _len, conv: string) => {
    if (conv === '%') return '%';
    const v = values[i++];
    switch (conv) {
      case 'x':
        return (Number(v) >>> 0).toString(16);
      case 'X':
        return (Number(v) >>> 0).toString(16).toUpperCase();
      case 's':
      case 'p':
        return String(v);
      case 'u':
        return String(Math.max(0, Math.trunc(Number(v))));
      default:
        return String(Math.trunc(Number(v)));
    }
  });
}

export function qemuTraceLine(
  m: Machine,
  t: SimThread,
  event: string,
  args: readonly (number | string | boolean)[],
): string {
  const decl = catalogOf(m).traceEvent(event);
  const ns = m.s.now;
  const stamp = `${t.tid}@${Math.floor(ns / 1e9)}.${String(Math.floor((ns % 1e9) / 1e3)).padStart(6, '0')}`;
  if (!decl) return `${stamp}:${event} ${args.join(' ')}`;
  const values = decl.args.map((a, i) => {
    const v = args[i];
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (a.type.includes('*') && a.type !== 'const char *' && typeof v === 'number') {
      return pointer(OVERRIDES[event]?.[a.name] ?? BY_NAME[a.name] ?? 'acb', v, t);
    }
    return v ?? 0;
  });
  return `${stamp}:${event} ${formatTrace(decl.format, values)}`;
}

/** A tracer that hands each formatted line to `write`. */
export function qemuTraceSink(m: Machine, write: (line: string) => void): TraceSink {
  return (t, event, args) => write(qemuTraceLine(m, t, event, args));
}
