// Files the fuzzers name in launch configurations, breakpoints and settings: a good fio job and
// C file, and what must be refused without blocking — FIFOs, a device, directories, a missing
// path, a private text file, binary data.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentPath, root } from '../helpers/dap';

export interface FuzzFiles {
  dir: string;
  workloadPaths: string[];
  documentPaths: string[];
  directoryPaths: string[];
  sourcePaths: string[];
  /** Real QEMU logs (7.2, 10.0, an strace merge), and what a trace session must refuse. */
  tracePaths: string[];
  remove(): void;
}

export function makeFuzzFiles(): FuzzFiles {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-io-fuzz-'));
  const p = (name: string): string => join(dir, name);
  writeFileSync(p('job.fio'), '[job]\nrw=randwrite\nbs=4k\niodepth=4\nnumber_ios=8\nioengine=libaio\n');
  writeFileSync(p('secret.env'), 'SECRET_TOKEN=hunter2\n');
  writeFileSync(p('blob.bin'), Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff)));
  writeFileSync(p('io.c'), 'static int laio_co_submit(void)\n{\n    return 0;\n}\n');
  for (const f of ['pipe', 'pipe.c']) spawnSync('mkfifo', [p(f)]);
  const missing = p('missing');
  return {
    dir,
    workloadPaths: [p('job.fio'), p('pipe'), '/dev/zero', dir, missing, p('secret.env'), p('blob.bin')],
    documentPaths: [documentPath, p('pipe'), '/dev/zero', '/', missing, p('secret.env'), p('blob.bin')],
    directoryPaths: [dir, '/', missing, p('pipe')],
    sourcePaths: [p('io.c'), p('pipe.c'), `${missing}.c`, '/dev/zero'],
    tracePaths: [
      ...['7.2/threads.log', '10.0/iothread-native.10.0.log', '10.0/threads.10.0.with-syscalls.txt'].map((f) =>
        join(root, 'test', 'fixtures', 'traces', f),
      ),
      p('pipe'),
      '/dev/zero',
      dir,
      missing,
      p('secret.env'),
      p('blob.bin'),
    ],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
