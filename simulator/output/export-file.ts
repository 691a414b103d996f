// The file a timeline range is exported to (a Chrome trace for Perfetto), for a simulation and
// for a replayed log alike: bounded in size, written in blocks rather than held whole.

import { closeSync, openSync, writeSync } from 'node:fs';

/** The most events one export writes (a few hundred MB of JSON). */
export const EXPORT_EVENTS = 5_000_000;
const BLOCK_CHARS = 1 << 20;

/** Refuses a range of events [first, last] larger than an export takes. */
export function checkExportSize(first: number, last: number): void {
  if (last - first > EXPORT_EVENTS)
    throw new RangeError(
      `the range holds about ${last - first} events; at most ${EXPORT_EVENTS} are exported at once (choose a shorter range)`,
    );
}

/** Writes the lines `fill` hands out to `path`, a block at a time; returns what `fill` returns. */
export function writeLines<T>(path: string, fill: (line: (text: string) => void) => T): T {
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (buf.length) writeSync(fd, buf.join('\n') + '\n');
    buf = [];
    size = 0;
  };
  try {
    const result = fill((text) => {
      buf.push(text);
      size += text.length;
      if (size > BLOCK_CHARS) flush();
    });
    flush();
    return result;
  } finally {
    closeSync(fd);
  }
}
