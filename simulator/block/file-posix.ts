// block/file-posix.c: the protocol node over the image file. raw_co_prw picks the backend:
// io_uring with aio=io_uring (5.0+), Linux AIO when the file is opened O_DIRECT and aio=native,
// the thread pool otherwise. A flush goes to the pool in 4.1.0; from 9.1 it is an io_uring or
// Linux AIO entry when those are in use. From 10.0 the node takes FUA: with the thread pool a FUA
// write is followed by a flush here. The handle_aiocb_* functions are what a pool worker runs:
// plain blocking pread/pwrite system calls.

import { currentCtx } from '../aio/aio-context';
import { deviceResult, deviceSubmit, IoOp } from '../backends/device';
import { freeHostIo, hostIo, newHostIo } from '../backends/host-io';
import { luring_co_submit } from '../backends/io-uring';
import { laio_co_submit, laio_io_plug, laio_io_unplug } from '../backends/linux-aio';
import { aio_get_thread_pool, thread_pool_submit_co } from '../backends/thread-pool';
import { FnName } from '../catalog';
import { AioMode } from '../config/scenario';
import { Machine } from '../engine/machine';
import { ENTRY, Wait, World } from '../engine/types';
import { step } from '../step';
import { bdrvReq, BDRV_REQ_FUA } from './io';

export interface FilePosixState {
  aio: AioMode;
  /** Opened with O_DIRECT (cache=none/directsync, cache.direct=on). */
  direct: boolean;
  /** A failed fdatasync poisons the page cache: every later flush fails (4.1.0's rule). */
  pageCacheInconsistent: boolean;
  /** Timer kind: a worker's blocking system call returned. */
  syscallDone: number;
}

declare module '../engine/types' {
  interface World {
    filePosix: FilePosixState;
  }
}

export function initFilePosix(w: World, aio: AioMode, direct: boolean): void {
  w.filePosix = { aio, direct, pageCacheInconsistent: false, syscallDone: -1 };
}

/** aio_get_linux_aio(ctx): the context's LinuxAioState id. */
export const aio_get_linux_aio = step(
  'aio_get_linux_aio',
  { args: ['ctx: ctx'] },
  ({ ctx }) =>
    (m, t, f) =>
      m.ret(t, m.s.w.laio.byCtx[f[ctx]]),
);

/**
 * raw_thread_pool_submit(bs, func, arg): thread_pool_submit_co on the pool of the node's context
 * (8.1+: thread_pool_submit_co finds the running thread's pool itself).
 */
export const raw_thread_pool_submit = step(
  'raw_thread_pool_submit',
  { args: ['bs: node', 'func: fn', 'arg: hostio'], at: ['got_pool', 'done'] },
  ({ func, arg }, at) =>
    (m, t, f) => {
      switch (f.pc) {
        case ENTRY:
          if (m.s.w.qemu.backendsPerThread) {
            f.pc = at.done;
            return m.call(t, thread_pool_submit_co, f.req, -1, f[func], f[arg]);
          }
          f.pc = at.got_pool;
          return m.call(t, aio_get_thread_pool, f.req, m.s.w.block.ctx);
        case at.got_pool:
          f.pc = at.done;
          return m.call(t, thread_pool_submit_co, f.req, f.ret, f[func], f[arg]);
        default:
          return m.ret(t, f.ret);
      }
    },
);

/**
 * raw_co_prw(bs, req, type): describe the request for a backend (`acb`). aio=io_uring goes to
 * io_uring; an O_DIRECT file with aio=native to Linux AIO (which, from 8.1, finds its state
 * itself); everything else to the thread pool, where a FUA write (10.0) is followed by a flush.
 */
export const raw_co_prw = step(
  'raw_co_prw',
  { args: ['bs: node', 'req: breq', 'type: op'], locals: ['acb: hostio'], at: ['got_laio', 'done', 'flushed'] },
  ({ bs, req, type, acb }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      const fp = w.filePosix;
      switch (f.pc) {
        case ENTRY: {
          const r = bdrvReq(m, f[req]);
          f[acb] = newHostIo(w, f[type], r.offset, r.bytes, r.niov, fp.direct, f.req);
          f.pc = at.done;
          if (fp.aio === 'io_uring') return m.call(t, luring_co_submit, f.req, f[acb]);
          if (fp.direct && fp.aio === 'native') {
            if (w.qemu.backendsPerThread) return m.call(t, laio_co_submit, f.req, -1, f[acb]);
            f.pc = at.got_laio;
            return m.call(t, aio_get_linux_aio, f.req, w.block.ctx);
          }
          return m.call(t, raw_thread_pool_submit, f.req, f[bs], handle_aiocb_rw.id, f[acb]);
        }
        case at.got_laio:
          f.pc = at.done;
          return m.call(t, laio_co_submit, f.req, f.ret, f[acb]);
        case at.done:
          if (f.ret === 0 && fp.aio === 'threads' && bdrvReq(m, f[req]).flags & BDRV_REQ_FUA) {
            f.pc = at.flushed;
            return m.call(t, raw_co_flush_to_disk, f.req, f[bs]);
          }
        // fallthrough
        default:
          freeHostIo(w, f[acb]);
          return m.ret(t, f.ret);
      }
    },
);

/** raw_co_pwritev / raw_co_preadv of file-posix (bs, req) → raw_co_prw with the request's type. */
function filePosixRw(key: FnName, op: number) {
  return step(key, { args: ['bs: node', 'req: breq'], at: ['done'] }, ({ bs, req }, at) => (m, t, f) => {
    if (f.pc !== ENTRY) return m.ret(t, f.ret);
    f.pc = at.done;
    return m.call(t, raw_co_prw, f.req, f[bs], f[req], op);
  });
}

export const raw_co_pwritev = filePosixRw('raw_co_pwritev@file-posix', IoOp.write);
export const raw_co_preadv = filePosixRw('raw_co_preadv@file-posix', IoOp.read);

/**
 * raw_co_flush_to_disk(bs): an fdatasync job (`acb`) for the pool; from 9.1 an io_uring fsync
 * with aio=io_uring, a Linux AIO fdsync with aio=native.
 */
export const raw_co_flush_to_disk = step(
  'raw_co_flush_to_disk',
  { args: ['bs: node'], locals: ['acb: hostio'], at: ['done'] },
  ({ bs, acb }, at) =>
    (m, t, f) => {
      const w = m.s.w;
      if (f.pc === ENTRY) {
        f[acb] = newHostIo(w, IoOp.flush, 0, 0, 0, w.filePosix.direct, f.req);
        f.pc = at.done;
        if (w.filePosix.aio === 'io_uring') return m.call(t, luring_co_submit, f.req, f[acb]);
        if (w.qemu.laioFdsync && w.filePosix.aio === 'native' && w.filePosix.direct)
          return m.call(t, laio_co_submit, f.req, -1, f[acb]);
        return m.call(t, raw_thread_pool_submit, f.req, f[bs], handle_aiocb_flush.id, f[acb]);
      }
      freeHostIo(w, f[acb]);
      return m.ret(t, f.ret);
    },
);

/** raw_aio_plug / raw_aio_unplug (bs): only Linux AIO batches. */
function plugHook(key: FnName, plug: boolean) {
  return step(key, { args: ['bs: node'], at: ['done'] }, (_, at) => (m, t, f) => {
    const w = m.s.w;
    if (f.pc === ENTRY && w.filePosix.aio === 'native' && w.filePosix.direct) {
      f.pc = at.done;
      return m.call(t, plug ? laio_io_plug : laio_io_unplug, f.req, w.laio.byCtx[currentCtx(t)]);
    }
    return m.ret(t);
  });
}

export const raw_aio_plug = plugHook('raw_aio_plug', true);
export const raw_aio_unplug = plugHook('raw_aio_unplug', false);

// ---- what a pool worker runs ---------------------------------------------------------------

/**
 * A blocking system call on a worker (host io `aiocb`): the thread sleeps until the host has
 * done the I/O (`dev_io`). Returns bytes transferred or -errno.
 */
function blockingSyscall(key: FnName) {
  return step(
    key,
    { args: ['aiocb: hostio'], locals: ['dev_io: int'], at: ['returned'] },
    ({ aiocb, dev_io }, at) =>
      (m, t, f) => {
        const w = m.s.w;
        const io = hostIo(w, f[aiocb]);
        if (f.pc === ENTRY) {
          f[dev_io] = deviceSubmit(m, io.op, io.offset, io.bytes, io.direct, io.req, w.filePosix.syscallDone, t.id);
          f.pc = at.returned;
          return m.block(t, Wait.syscall);
        }
        const r = deviceResult(m, f[dev_io]);
        return m.ret(t, r < 0 ? r : io.bytes);
      },
  );
}

export const pread = blockingSyscall('pread');
export const pwrite = blockingSyscall('pwrite');
export const preadv = blockingSyscall('preadv');
export const pwritev = blockingSyscall('pwritev');
export const fdatasync = blockingSyscall('fdatasync');

/** handle_aiocb_rw_linear / _vector (aiocb): pwrite/pread or pwritev/preadv. */
function rwVia(key: FnName, read: typeof pread, write: typeof pwrite) {
  return step(key, { args: ['aiocb: hostio'], at: ['done'] }, ({ aiocb }, at) => (m, t, f) => {
    if (f.pc !== ENTRY) return m.ret(t, f.ret);
    f.pc = at.done;
    return m.call(t, hostIo(m.s.w, f[aiocb]).op === IoOp.write ? write : read, f.req, f[aiocb]);
  });
}

export const handle_aiocb_rw_linear = rwVia('handle_aiocb_rw_linear', pread, pwrite);
export const handle_aiocb_rw_vector = rwVia('handle_aiocb_rw_vector', preadv, pwritev);

/** handle_aiocb_rw(aiocb): one iovec → linear, several → vectored; a short write is -EINVAL. */
export const handle_aiocb_rw = step(
  'handle_aiocb_rw',
  { args: ['aiocb: hostio'], at: ['done'] },
  ({ aiocb }, at) =>
    (m, t, f) => {
      const io = hostIo(m.s.w, f[aiocb]);
      if (f.pc === ENTRY) {
        f.pc = at.done;
        return m.call(t, io.niov === 1 ? handle_aiocb_rw_linear : handle_aiocb_rw_vector, f.req, f[aiocb]);
      }
      const n = f.ret;
      if (n === io.bytes) return m.ret(t, 0);
      if (n >= 0) return m.ret(t, io.op === IoOp.write ? -22 : 0);
      return m.ret(t, n);
    },
);

/** handle_aiocb_flush(aiocb): fdatasync, unless an earlier failure poisoned the cache. */
export const handle_aiocb_flush = step(
  'handle_aiocb_flush',
  { args: ['aiocb: hostio'], at: ['synced'] },
  ({ aiocb }, at) =>
    (m, t, f) => {
      const fp = m.s.w.filePosix;
      if (f.pc === ENTRY) {
        if (fp.pageCacheInconsistent) return m.ret(t, -5);
        f.pc = at.synced;
        return m.call(t, fdatasync, f.req, f[aiocb]);
      }
      if (f.ret < 0) fp.pageCacheInconsistent = true;
      return m.ret(t, f.ret < 0 ? f.ret : 0);
    },
);

function syscallReturns(m: Machine, threadId: number): void {
  m.wake(m.s.threads[threadId], m.s.now);
}

export function registerFilePosixTimers(m: Machine): void {
  m.s.w.filePosix.syscallDone = m.addTimer(syscallReturns);
}
