// The bytes of a trace log, read by offset (a step back re-reads a little of it, so nothing is
// kept in memory). Followed while QEMU writes it, the log may also be truncated (its bytes are
// gone: that part can no longer be re-read) or rotated (the old file stays readable through the
// descriptor held open; the new one is read after it). Either way the reading goes on in a new
// segment, and offsets are counted over all segments, one after the other.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { fileKind, openFailure } from '../../common/userFile';

export class LogFileError extends Error {}

/** Part of the log before a truncation: its bytes are gone. */
export class LostLogError extends Error {}

interface Segment {
  fd: number;
  /** Offset (over all segments) of its first byte. */
  base: number;
  /** Bytes known to be there (grows while followed). */
  size: number;
  /** Truncated while followed: what was read of it can no longer be read again. */
  lost: boolean;
  ino: number;
}

/** Opens a regular file without blocking on a FIFO; a LogFileError says what the path is instead. */
export function openRegular(path: string): { fd: number; size: number; ino: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new LogFileError(`cannot read ${path}: ${openFailure(e)}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new LogFileError(`cannot read ${path}: it is ${fileKind(st)}, not a trace log file`);
  }
  return { fd, size: st.size, ino: st.ino };
}

export class LogFile {
  private readonly segments: Segment[] = [];

  /** `follow`: the file grows while read (else its size at opening is all there is). */
  constructor(
    readonly path: string,
    readonly follow: boolean,
  ) {
    const { fd, size, ino } = openRegular(path);
    this.segments.push({ fd, base: 0, size, lost: false, ino });
  }

  /** Bytes known so far, over all segments. */
  get end(): number {
    const last = this.segments[this.segments.length - 1];
    return last.base + last.size;
  }

  /** A segment (after a truncation or a rotation) begins at `offset`. */
  startsSegment(offset: number): boolean {
    return offset > 0 && this.segments.some((s) => s.base === offset);
  }

  /** Up to `max` bytes from `offset` (not beyond its segment); empty at the end of what is known. */
  read(offset: number, max: number): Buffer {
    const seg = this.segmentAt(offset);
    if (!seg) return Buffer.alloc(0);
    if (seg.lost)
      throw new LostLogError(
        `${this.path} was truncated while followed: the part before it can no longer be read again`,
      );
    const want = Math.min(max, seg.base + seg.size - offset);
    if (want <= 0) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(want);
    const n = readSync(seg.fd, buf, 0, want, offset - seg.base);
    return n === want ? buf : buf.subarray(0, n);
  }

  private segmentAt(offset: number): Segment | undefined {
    const segs = this.segments;
    for (let i = segs.length - 1; i >= 0; i--) {
      const s = segs[i];
      if (offset >= s.base) return offset < s.base + s.size || i === segs.length - 1 ? s : segs[i + 1];
    }
    return undefined;
  }

  /**
   * While followed: take in what QEMU wrote since the last look. Returns what changed besides
   * growth (a truncation, a rotation, a removal), as sentences for the user.
   */
  poll(): string[] {
    if (!this.follow) return [];
    const notes: string[] = [];
    const cur = this.segments[this.segments.length - 1];
    let pathIno = -1;
    try {
      pathIno = statSync(this.path).ino;
    } catch {
      // removed: keep reading what the descriptor still shows
    }
    const size = fstatSync(cur.fd).size;
    if (pathIno >= 0 && pathIno !== cur.ino) {
      // rotated: the old file keeps what it has, the new one is read after it
      cur.size = Math.max(cur.size, size);
      try {
        const { fd, size: newSize, ino } = openRegular(this.path);
        this.segments.push({ fd, base: cur.base + cur.size, size: newSize, lost: false, ino });
        notes.push(`${this.path} was replaced (rotated): following the new file from its start`);
      } catch (e) {
        notes.push((e as Error).message);
      }
    } else if (size < cur.size) {
      // truncated in place: its old bytes are gone
      cur.lost = true;
      const seg: Segment = { fd: cur.fd, base: cur.base + cur.size, size, lost: false, ino: cur.ino };
      this.segments.push(seg);
      notes.push(
        `${this.path} was truncated (${cur.size} → ${size} bytes): following it from its new start; events before this point can no longer be re-read`,
      );
    } else cur.size = size;
    return notes;
  }

  close(): void {
    const fds = new Set(this.segments.map((s) => s.fd));
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
