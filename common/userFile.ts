// Reading a text file a user or a client names (a fio job, the I/O path document, a C source a
// breakpoint is set in): asynchronously, opened without blocking (opening a FIFO for reading
// waits for a writer forever), and only when it is a regular file under a size cap (/dev/zero
// never ends). Failures say what the path is instead of an errno code.

import { constants, promises as fsp, type Stats } from 'node:fs';

export class UserFileError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UserFileError';
  }
}

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a part of the path is not a directory)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/** Why a path could not be opened, in words (the trace readers say the same). */
export function openFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return ERRNO[code] ?? `cannot be opened (${code || (e as Error).message})`;
}

/** What a path that is not a regular file is: 'a directory', 'a FIFO (named pipe)', … */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

function whatItIs(st: Stats): string {
  return st.isDirectory() ? 'a directory, not a file' : `${fileKind(st)}, not a regular file`;
}

function sizeText(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** The text of a regular file of at most `maxBytes`; a UserFileError says why not. */
export async function readUserFile(path: string, maxBytes: number): Promise<string> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserFileError(openFailure(e));
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UserFileError(whatItIs(st));
    const tooBig = (n: number) => new UserFileError(`${sizeText(n)}, over the ${sizeText(maxBytes)} limit`);
    if (st.size > maxBytes) throw tooBig(st.size);
    const data = await fh.readFile();
    if (data.length > maxBytes) throw tooBig(data.length);
    if (data.includes(0)) throw new UserFileError('binary data, not text');
    return data.toString('utf8');
  } catch (e) {
    if (e instanceof UserFileError) throw e;
    throw new UserFileError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
