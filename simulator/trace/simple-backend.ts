// QEMU's `simple` trace backend (trace-<pid> files), read with the trace-events-all file of the
// QEMU that wrote them. The layout, as QEMU's scripts/simpletrace.py reads it (log version 4;
// all words in the host's byte order, little-endian here):
//   header   u64 ~0, u64 magic 0xf2b177cb0aa429b4, u64 version
//   records  u64 type: 0 = mapping (u64 event id, u32 length, name bytes),
//                      1 = event (u64 id, u64 timestamp ns, u32 record length, u32 pid, arguments)
//            each argument is a u64 word, or for strings a u32 length and the bytes; event id
//            ~0-1 says records were dropped (one u64: how many).
// Records carry the process id, not a thread id, so every event lands on one thread.
// Each record becomes the line QEMU's log backend would have printed, so the same reader
// handles both: `pid@sec.nsec:event args`.

import type { TraceEventDecl } from '../catalog';

export const SIMPLE_MAGIC = 0xf2b177cb0aa429b4n;
const HEADER_ID = 0xffffffffffffffffn;
const DROPPED_ID = 0xfffffffffffffffen;

export class SimpleTraceError extends Error {}

export function isSimpleTrace(head: Buffer): boolean {
  return head.length >= 16 && head.readBigUInt64LE(0) === HEADER_ID && head.readBigUInt64LE(8) === SIMPLE_MAGIC;
}

const isString = (type: string): boolean => /\bchar\s*\*/.test(type);

/** printf of one u64 word for a conversion, as the log backend would print that argument. */
function formatWord(conv: string, lengthMod: string, w: bigint): string {
  const bits = lengthMod.includes('l') || lengthMod.includes('z') || lengthMod.includes('j') ? 64 : 32;
  switch (conv) {
    case 'p':
      return w === 0n ? '(nil)' : `0x${w.toString(16)}`;
    case 'd':
    case 'i':
      return BigInt.asIntN(bits, w).toString();
    case 'u':
      return BigInt.asUintN(bits, w).toString();
    case 'x':
      return BigInt.asUintN(bits, w).toString(16);
    case 'X':
      return BigInt.asUintN(bits, w).toString(16).toUpperCase();
    case 'c':
      return String.fromCharCode(Number(w & 0xffn));
    default:
      return w.toString();
  }
}

function render(decl: TraceEventDecl, values: (bigint | string)[]): string {
  let i = 0;
  return decl.format.replace(/%([-+ #0-9.]*)([hlLqjzt]*)([diouxXcsp%])/g, (_m, _flags, len: string, conv: string) => {
    if (conv === '%') return '%';
    const v = values[i++];
    if (v === undefined) return '';
    return typeof v === 'string' ? v : formatWord(conv, len, v);
  });
}

/** Decodes a whole simple-backend file into log-backend lines (newline-terminated, latin1). */
export class SimpleTraceDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private readonly names = new Map<bigint, string>();
  private readonly decls: Map<string, TraceEventDecl>;
  dropped = 0;

  constructor(decls: readonly TraceEventDecl[]) {
    this.decls = new Map(decls.map((d) => [d.name, d]));
  }

  /** Feed bytes; returns the text of every record completed so far. */
  push(chunk: Buffer): string {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    let p = 0;
    const b = this.buf;
    if (!this.headerRead) {
      if (b.length < 24) return '';
      if (!isSimpleTrace(b)) throw new SimpleTraceError('not a simple-backend trace (the header magic is missing)');
      const version = b.readBigUInt64LE(16);
      if (version !== 4n)
        throw new SimpleTraceError(`simple-backend log version ${version} (this reader knows version 4)`);
      this.headerRead = true;
      p = 24;
    }
    for (;;) {
      if (b.length - p < 8) break;
      const type = b.readBigUInt64LE(p);
      if (type === 0n) {
        if (b.length - p < 20) break;
        const len = b.readUInt32LE(p + 16);
        if (b.length - p < 20 + len) break;
        this.names.set(b.readBigUInt64LE(p + 8), b.toString('utf8', p + 20, p + 20 + len));
        p += 20 + len;
        continue;
      }
      if (type !== 1n) throw new SimpleTraceError(`unknown record type ${type} at byte ${p}`);
      if (b.length - p < 32) break;
      const id = b.readBigUInt64LE(p + 8);
      const ts = b.readBigUInt64LE(p + 16);
      const recLen = b.readUInt32LE(p + 24);
      const pid = b.readUInt32LE(p + 28);
      if (recLen < 24) throw new SimpleTraceError(`record of ${recLen} bytes at byte ${p}`);
      if (b.length - p < 8 + recLen) break;
      const body = p + 32;
      p += 8 + recLen;
      if (id === DROPPED_ID) {
        this.dropped += Number(b.readBigUInt64LE(body));
        continue;
      }
      const name = this.names.get(id);
      if (name === undefined) throw new SimpleTraceError(`event id ${id} has no mapping record before it`);
      const decl = this.decls.get(name);
      const sec = ts / 1_000_000_000n;
      const stamp = `${pid}@${sec}.${String(ts % 1_000_000_000n).padStart(9, '0')}:${name}`;
      if (!decl) {
        out.push(stamp);
        continue;
      }
      const values: (bigint | string)[] = [];
      let q = body;
      for (const a of decl.args) {
        if (isString(a.type)) {
          const len = b.readUInt32LE(q);
          values.push(b.toString('latin1', q + 4, q + 4 + len));
          q += 4 + len;
        } else {
          values.push(b.readBigUInt64LE(q));
          q += 8;
        }
      }
      out.push(`${stamp} ${render(decl, values)}`);
    }
    this.buf = b.subarray(p);
    return out.length ? out.join('\n') + '\n' : '';
  }

  /** Bytes left over at the end: a record cut short. */
  get leftover(): number {
    return this.buf.length;
  }
}
