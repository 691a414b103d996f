// Where the bytes come from: a log file as is, gzip- or zstd-compressed (by extension), or a
// simple-backend binary file decoded into log lines. Every source is read as a stream of
// chunks, so a log of any size passes through in constant memory.

import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import type { TraceEventDecl } from '../catalog';
import { isSimpleTrace, SimpleTraceDecoder, SimpleTraceError } from './simple-backend';

export type SourceKind = 'log' | 'gzip' | 'zstd' | 'simple';

export class TraceInputError extends Error {}

export const CHUNK_BYTES = 1 << 20;

export function sourceKind(path: string, head: Buffer): SourceKind {
  if (/\.gz$/i.test(path)) return 'gzip';
  if (/\.(zst|zstd)$/i.test(path)) return 'zstd';
  if (isSimpleTrace(head)) return 'simple';
  return 'log';
}

/** The first bytes of a file (for telling its kind), or an error naming the problem. */
export function readHead(path: string, bytes = 64): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : (err.code ?? err.message);
    throw new TraceInputError(`cannot read ${path}: ${why}`);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TraceInputError(`cannot read ${path}: ${err.code === 'EISDIR' ? 'it is a directory' : err.message}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The decompressed (or decoded) bytes of a trace file, chunk by chunk. Simple-backend files
 * need the declarations of their events (`decls`).
 */
export async function* traceChunks(
  path: string,
  kind: SourceKind,
  decls?: readonly TraceEventDecl[],
): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (kind === 'log') {
    yield* raw as AsyncIterable<Buffer>;
    return;
  }
  if (kind === 'gzip') {
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    raw.pipe(gunzip);
    raw.on('error', (e) => gunzip.destroy(e));
    try {
      yield* gunzip as AsyncIterable<Buffer>;
    } catch (e) {
      throw new TraceInputError(`${path}: gzip data is corrupt (${(e as Error).message})`);
    }
    return;
  }
  if (kind === 'zstd') {
    let out: Buffer[] = [];
    const z = new Decompress((data) => out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        z.push(chunk);
        if (out.length) {
          yield* out;
          out = [];
        }
      }
      z.push(new Uint8Array(0), true);
    } catch (e) {
      throw new TraceInputError(`${path}: zstd data is corrupt or cut short (${(e as Error).message})`);
    }
    yield* out;
    return;
  }
  if (!decls)
    throw new TraceInputError(
      `${path} is a QEMU simple-backend binary trace: pass --trace-events FILE (the trace-events-all of the QEMU that wrote it)`,
    );
  const dec = new SimpleTraceDecoder(decls);
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = dec.push(chunk);
    } catch (e) {
      if (e instanceof SimpleTraceError) throw new TraceInputError(`${path}: ${e.message}`);
      throw e;
    }
    if (text) yield Buffer.from(text, 'latin1');
  }
  if (dec.leftover) throw new TraceInputError(`${path}: the last ${dec.leftover} bytes are a record cut short`);
}
