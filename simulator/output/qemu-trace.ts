// The trace-event lines the simulated QEMU version prints with `-trace` and the log backend
// (`tid@sec.usec:name args`), in that version's formats, for the events the model fires. Pointers are made up but
// stable: one address per object, reused when QEMU would reuse the object. Each event's
// format is compiled once and lines are written as bytes (the CLI prints hundreds of
// thousands of lines a second).

import { Machine } from '../engine/machine';
import { SimThread, TraceArg, TraceSink } from '../engine/types';
import { LineBuffer, utf8 } from './line-buffer';
import type { Catalog } from '../catalog';
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

/** The made-up address of object `value` of a kind (-1: none; a coroutine -1: the thread's leader). */
function address(kind: Kind, value: number, t: SimThread): number {
  if (kind === 'co' && value < 0) return 0x7f3ad3767d88 - t.id * 0x800000;
  if (value < 0) return -1;
  const [base, stride] = BASE[kind];
  return base + (kind === 'vreq' ? value % 1024 : value) * stride;
}

const CONVERSION = /%(-?\d*)(ll|l|z|hh|h)?([diuxXsp%])/g;
const NIL = utf8('(nil)');
const HEX_PREFIX = utf8('0x');

/** How one argument is printed: a made-up pointer (%p of a pointer type), or a printf conversion. */
type Op = { pointer: Kind } | { conv: string };

/** An event compiled once: `texts[0] op[0] texts[1] … texts[n]`, with `<name> ` before it. */
interface CompiledEvent {
  name: Buffer;
  texts: Buffer[];
  ops: Op[];
}

/** Per catalog: each version has its own formats. */
const compiledBy = new WeakMap<Catalog, Map<string, CompiledEvent | null>>();

function compiledEvent(catalog: Catalog, event: string): CompiledEvent | null {
  let compiled = compiledBy.get(catalog);
  if (!compiled) compiledBy.set(catalog, (compiled = new Map()));
  let c = compiled.get(event);
  if (c !== undefined) return c;
  const decl = catalog.traceEvent(event);
  c = null;
  if (decl) {
    const texts: Buffer[] = [];
    const ops: Op[] = [];
    let last = 0;
    let pending = '';
    for (const m of decl.format.matchAll(CONVERSION)) {
      pending += decl.format.slice(last, m.index);
      last = m.index + m[0].length;
      if (m[3] === '%') {
        pending += '%';
        continue;
      }
      const a = decl.args[ops.length];
      const isPointer = a !== undefined && a.type.includes('*') && a.type !== 'const char *';
      texts.push(utf8(pending));
      ops.push(isPointer ? { pointer: OVERRIDES[event]?.[a.name] ?? BY_NAME[a.name] ?? 'acb' } : { conv: m[3] });
      pending = '';
    }
    texts.push(utf8(pending + decl.format.slice(last)));
    c = { name: utf8(`${event} `), texts, ops };
  }
  compiled.set(event, c);
  return c;
}

/** One printf conversion of QEMU's trace formats (d, i, u, x, X, s, p), widths ignored. */
function convert(out: LineBuffer, conv: string, v: string | number): void {
  const n = Number(v);
  switch (conv) {
    case 'x':
      return out.hex(n >>> 0);
    case 'X':
      return out.text((n >>> 0).toString(16).toUpperCase());
    case 's':
    case 'p':
      return out.text(String(v));
    case 'u':
      return Number.isSafeInteger(Math.trunc(n))
        ? out.uint(Math.max(0, Math.trunc(n)))
        : out.text(String(Math.max(0, Math.trunc(n))));
    default:
      return Number.isSafeInteger(Math.trunc(n)) ? out.int(Math.trunc(n)) : out.text(String(Math.trunc(n)));
  }
}

/** Writes one trace line, `tid@sec.usec:name args`, to `out`. */
export function writeQemuTrace(
  out: LineBuffer,
  m: Machine,
  t: SimThread,
  event: string,
  args: readonly TraceArg[],
): void {
  const ns = m.s.now;
  out.uint(t.tid);
  out.byte(64); // @
  out.uint(Math.floor(ns / 1e9));
  out.byte(46); // .
  out.padded(Math.floor((ns % 1e9) / 1e3), 6);
  out.byte(58); // :
  const c = compiledEvent(catalogOf(m), event);
  if (!c) {
    out.text(`${event} ${args.join(' ')}\n`);
    return;
  }
  out.bytes(c.name);
  out.bytes(c.texts[0]);
  for (let i = 0; i < c.ops.length; i++) {
    const op = c.ops[i];
    const v = args[i];
    if ('pointer' in op && typeof v === 'number') {
      const p = address(op.pointer, v, t);
      if (p < 0) out.bytes(NIL);
      else {
        out.bytes(HEX_PREFIX);
        out.hex(p);
      }
    } else convert(out, 'conv' in op ? op.conv : 'p', typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? 0));
    out.bytes(c.texts[i + 1]);
  }
  out.byte(10);
}

const one = new LineBuffer();

/** One trace line as a string (the debugger's console, tests). */
export function qemuTraceLine(m: Machine, t: SimThread, event: string, args: readonly TraceArg[]): string {
  writeQemuTrace(one, m, t, event, args);
  return one.takeString().slice(0, -1);
}

/** A tracer that writes each line to `out`. */
export function qemuTraceSink(m: Machine, out: LineBuffer): TraceSink {
  return (t, event, args) => writeQemuTrace(out, m, t, event, args);
}
