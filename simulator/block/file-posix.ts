// block/file-posix.c: the protocol node over the image file. raw_co_prw picks the backend:
// Linux AIO when the file is opened O_DIRECT and aio=native, the thread pool otherwise (and
// for every flush). The handle_aiocb_* functions are what a pool worker runs: plain
// blocking pread/pwrite system calls.

import { Fn } from '../catalog';
import { currentCtx } from '../aio/aio-context';
import { deviceResult, deviceSubmit, IoOp } from '../backends/device';
import { freeHostIo, hostIo, newHostIo } from '../backends/host-io';
import { Machine, Step, Wait, World } from '../engine/machine';
import { bdrvReq } from './io';

export interface FilePosixState {
  aio: 'threads' | 'native';
  /** Opened with O_DIRECT (cache=none/directsync, cache.direct=on). */
  direct: boolean;
  /** A failed fdatasync poisons the page cache: every later flush fails (4.1.0's rule). */
  pageCacheInconsistent: boolean;
  /** Timer kind: a worker's blocking system call returned. */
  syscallDone: number;
}

declare module '../engine/machine' {
  interface World {
    filePosix: FilePosixState;
  }
}

export function initFilePosix(w: World, aio: 'threads' | 'native', direct: boolean): void {
  w.filePosix = { aio, direct, pageCacheInconsistent: false, syscallDone: -1 };
}

/** raw_co_pwritev / raw_co_preadv of file-posix (node = a, request = b). */
function filePosixRw(op: number): Step {
  return (m, t, f) => {
    if (f.pc === 0) {
      f.pc = 1;
      return m.call(t, Fn.raw_co_prw, f.req, f.a, f.b, op);
    }
    return m.ret(t, f.ret);
  };
}

/**
 * raw_co_prw(node = a, request = b, type = c). Locals: c becomes the host io. An O_DIRECT
 * file with aio=native goes to Linux AIO; everything else to the thread pool.
 */
const raw_co_prw: Step = (m, t, f) => {
  const w = m.s.w;
  const fp = w.filePosix;
  switch (f.pc) {
    case 0: {
      const r = bdrvReq(m, f.b);
      f.c = newHostIo(w, f.c, r.offset, r.bytes, r.niov, fp.direct, f.req);
      if (fp.direct && fp.aio === 'native') {
        f.pc = 1;
        return m.call(t, Fn.aio_get_linux_aio, f.req, w.block.ctx);
      }
      f.pc = 2;
      return m.call(t, Fn.raw_thread_pool_submit, f.req, f.a, Fn.handle_aiocb_rw, f.c);
    }
    case 1:
      f.pc = 2;
      return m.call(t, Fn.laio_co_submit, f.req, f.ret, f.c);
    default:
      freeHostIo(w, f.c);
      return m.ret(t, f.ret);
  }
};

/** aio_get_linux_aio(ctx = a): the context's LinuxAioState id. */
const aio_get_linux_aio: Step = (m, t, f) => m.ret(t, m.s.w.laio.byCtx[f.a]);

/** raw_thread_pool_submit(node = a, func = b, host io = c): the pool of the node's context. */
const raw_thread_pool_submit: Step = (m, t, f) => {
  switch (f.pc) {
    case 0:
      f.pc = 1;
      return m.call(t, Fn.aio_get_thread_pool, f.req, m.s.w.block.ctx);
    case 1:
      f.pc = 2;
      return m.call(t, Fn.thread_pool_submit_co, f.req, f.ret, f.b, f.c);
    default:
      return m.ret(t, f.ret);
  }
};

/** raw_co_flush_to_disk(node = a): an fdatasync job for the pool. Locals: c = host io. */
const raw_co_flush_to_disk: Step = (m, t, f) => {
  const w = m.s.w;
  if (f.pc === 0) {
    f.c = newHostIo(w, IoOp.flush, 0, 0, 0, w.filePosix.direct, f.req);
    f.pc = 1;
    return m.call(t, Fn.raw_thread_pool_submit, f.req, f.a, Fn.handle_aiocb_flush, f.c);
  }
  freeHostIo(w, f.c);
  return m.ret(t, f.ret);
};

/** raw_aio_plug / raw_aio_unplug (node = a): only Linux AIO batches. */
function plugHook(laioFn: number): Step {
  return (m, t, f) => {
    const w = m.s.w;
    if (f.pc === 0 && w.filePosix.aio === 'native' && w.filePosix.direct) {
      f.pc = 1;
      return m.call(t, laioFn, f.req, w.laio.byCtx[currentCtx(t)]);
    }
    return m.ret(t);
  };
}

// ---- what a pool worker runs ---------------------------------------------------------------

/** handle_aiocb_rw(host io = a): one iovec → linear, several → vectored; a short write is -EINVAL. */
const handle_aiocb_rw: Step = (m, t, f) => {
  const io = hostIo(m.s.w, f.a);
  if (f.pc === 0) {
    f.pc = 1;
    return m.call(t, io.niov === 1 ? Fn.handle_aiocb_rw_linear : Fn.handle_aiocb_rw_vector, f.req, f.a);
  }
  const n = f.ret;
  if (n === io.bytes) return m.ret(t, 0);
  if (n >= 0) return m.ret(t, io.op === IoOp.write ? -22 : 0);
  return m.ret(t, n);
};

/** handle_aiocb_rw_linear / _vector (host io = a): pwrite/pread or pwritev/preadv. */
function rwVia(readFn: number, writeFn: number): Step {
  return (m, t, f) => {
    if (f.pc === 0) {
      const io = hostIo(m.s.w, f.a);
      f.pc = 1;
      return m.call(t, io.op === IoOp.write ? writeFn : readFn, f.req, f.a);
    }
    return m.ret(t, f.ret);
  };
}

/** handle_aiocb_flush(host io = a): fdatasync, unless an earlier failure poisoned the cache. */
const handle_aiocb_flush: Step = (m, t, f) => {
  const fp = m.s.w.filePosix;
  if (f.pc === 0) {
    if (fp.pageCacheInconsistent) return m.ret(t, -5);
    f.pc = 1;
    return m.call(t, Fn.fdatasync, f.req, f.a);
  }
  if (f.ret < 0) fp.pageCacheInconsistent = true;
  return m.ret(t, f.ret < 0 ? f.ret : 0);
};

/**
 * A blocking system call on a worker (host io = a): the thread sleeps until the host has
 * done the I/O. Returns bytes transferred or -errno. Locals: c = device io.
 */
const blockingSyscall: Step = (m, t, f) => {
  const w = m.s.w;
  const io = hostIo(w, f.a);
  if (f.pc === 0) {
    f.c = deviceSubmit(m, io.op, io.offset, io.bytes, io.direct, io.req, w.filePosix.syscallDone, t.id);
    f.pc = 1;
    return m.block(t, Wait.syscall);
  }
  const r = deviceResult(m, f.c);
  return m.ret(t, r < 0 ? r : io.bytes);
};

function syscallReturns(m: Machine, threadId: number): void {
  m.wake(m.s.threads[threadId], m.s.now);
}

export function registerFilePosix(m: Machine): void {
  const steps = m.steps;
  m.s.w.filePosix.syscallDone = m.addTimer(syscallReturns);
  steps[Fn['raw_co_pwritev@file-posix']] = filePosixRw(IoOp.write);
  steps[Fn['raw_co_preadv@file-posix']] = filePosixRw(IoOp.read);
  steps[Fn.raw_co_prw] = raw_co_prw;
  steps[Fn.aio_get_linux_aio] = aio_get_linux_aio;
  steps[Fn.raw_thread_pool_submit] = raw_thread_pool_submit;
  steps[Fn.raw_co_flush_to_disk] = raw_co_flush_to_disk;
  steps[Fn.raw_aio_plug] = plugHook(Fn.laio_io_plug);
  steps[Fn.raw_aio_unplug] = plugHook(Fn.laio_io_unplug);
  steps[Fn.handle_aiocb_rw] = handle_aiocb_rw;
  steps[Fn.handle_aiocb_rw_linear] = rwVia(Fn.pread, Fn.pwrite);
  steps[Fn.handle_aiocb_rw_vector] = rwVia(Fn.preadv, Fn.pwritev);
  steps[Fn.handle_aiocb_flush] = handle_aiocb_flush;
  for (const fn of [Fn.pread, Fn.pwrite, Fn.preadv, Fn.pwritev, Fn.fdatasync]) steps[fn] = blockingSyscall;
}
