// What a backend is asked to do for one driver request: QEMU's RawPosixAIOData / qemu_laiocb
// view of it (type, offset, length, number of iovecs). file-posix creates one per request it
// hands to Linux AIO or the thread pool, and frees it when the backend returned.

import { World } from '../engine/types';
import { IoOp } from './device';

export interface HostIo {
  id: number;
  op: number;
  offset: number;
  bytes: number;
  niov: number;
  /** O_DIRECT file descriptor. */
  direct: boolean;
  req: number;
}

export interface HostIoState {
  ios: HostIo[];
  free: number[];
}

declare module '../engine/types' {
  interface World {
    hostio: HostIoState;
  }
}

export function initHostIo(w: World): void {
  w.hostio = { ios: [], free: [] };
}

export function newHostIo(
  w: World,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  direct: boolean,
  req: number,
): number {
  const hs = w.hostio;
  const id = hs.free.length > 0 ? hs.free.pop()! : hs.ios.length;
  hs.ios[id] = newHostIoRecord(id, op, offset, bytes, niov, direct, req);
  return id;
}

function newHostIoRecord(
  id: number,
  op: number,
  offset: number,
  bytes: number,
  niov: number,
  direct: boolean,
  req: number,
): HostIo {
  return { id, op, offset, bytes, niov, direct, req };
}

export function copyHostIoState(hs: HostIoState): HostIoState {
  return {
    ios: hs.ios.map((h) => newHostIoRecord(h.id, h.op, h.offset, h.bytes, h.niov, h.direct, h.req)),
    free: [...hs.free],
  };
}

export function hostIo(w: World, id: number): HostIo {
  return w.hostio.ios[id];
}

export function freeHostIo(w: World, id: number): void {
  w.hostio.free.push(id);
}

export { IoOp };
