// Files a client names — the launch `document` and `workload` (fio job), a C source a line
// breakpoint is set in, the language server's `document` setting — may be FIFOs, devices,
// directories, binary or private files. Each gets a prompt error naming the field and what the
// path is; nothing blocks, nothing grows without end, no line of the file is echoed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HoverRequest } from 'vscode-languageserver-protocol';
import { launchOn, Message, Wire } from './helpers/dapWire';
import { ensureBuilt as ensureServerBuilt, startServer, waitFor } from './language/lspClient';

const dir = mkdtempSync(join(tmpdir(), 'qemu-io-files-'));
const fifo = join(dir, 'pipe.fio');
const fifoC = join(dir, 'pipe.c');
const secret = join(dir, 'secret.env');
const binary = join(dir, 'blob.fio');

before(() => {
  for (const p of [fifo, fifoC]) assert.equal(spawnSync('mkfifo', [p]).status, 0, `mkfifo ${p}`);
  writeFileSync(secret, 'SECRET_TOKEN=hunter2-do-not-print\nrw=write\n');
  writeFileSync(binary, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
});

/** Launches with `config` on a fresh adapter; returns the launch response. */
async function launchWith(config: Record<string, unknown>): Promise<{ r: Message; alive: boolean }> {
  const w = Wire.stdio();
  try {
    await w.request('initialize', { adapterID: 'qemu-io' }, 3000);
    const r = await w.request('launch', { type: 'qemu-io', request: 'launch', name: 'f', ...config }, 3000);
    const alive = (await w.request('threads', undefined, 3000)).success === true;
    return { r, alive };
  } finally {
    await w.close();
  }
}

describe('launch fields naming special files', () => {
  const CASES: [string, Record<string, unknown>, RegExp][] = [
    ['document is a FIFO', { document: fifo }, /"document".*FIFO/],
    ['document is /dev/zero', { document: '/dev/zero' }, /"document".*character device/],
    ['document is a directory', { document: '/' }, /"document".*directory/],
    ['workload is a FIFO', { workload: fifo }, /"workload".*FIFO/],
    ['workload is /dev/zero', { workload: '/dev/zero' }, /"workload".*character device/],
    ['workload is a directory', { workload: dir }, /"workload".*directory/],
    ['workload is a binary file', { workload: binary }, /"workload".*binary/],
  ];
  for (const [what, config, pattern] of CASES) {
    test(what, async () => {
      const { r, alive } = await launchWith(config);
      assert.equal(r.success, false);
      assert.match(r.message!, pattern);
      assert.ok(alive, 'the adapter still answers');
    });
  }

  test('a private text file as workload: the error names the file and line, not its contents', async () => {
    const { r } = await launchWith({ workload: secret });
    assert.equal(r.success, false);
    assert.match(r.message!, /secret\.env:1/);
    assert.doesNotMatch(r.message!, /hunter2/);
  });

  test('a binary file as workload: no raw bytes in the error', async () => {
    const { r } = await launchWith({ workload: binary });
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.message!, /[\u0000-\u001f\u007f-\u009f]/);
  });

  test('a line breakpoint in a FIFO named like a C file is answered, unverified', async () => {
    const w = Wire.stdio();
    try {
      await launchOn(w, {});
      const r = await w.request('setBreakpoints', { source: { path: fifoC }, breakpoints: [{ line: 3 }] }, 3000);
      assert.equal(r.success, true);
      const bp = (r.body!.breakpoints as { verified: boolean; message: string }[])[0];
      assert.equal(bp.verified, false);
      assert.match(bp.message, /FIFO/);
    } finally {
      await w.close();
    }
  });
});

describe('the language server document setting naming special files', () => {
  before(() => ensureServerBuilt());
  const sessions: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of sessions) await s.close();
  });

  for (const [what, path, pattern] of [
    ['a FIFO', fifo, /FIFO/],
    ['/dev/zero', '/dev/zero', /character device/],
    ['a directory', dir, /directory/],
  ] as const) {
    test(`${what}: hover still answers and the user is told`, async () => {
      const s = await startServer({ initializationOptions: { document: path } });
      sessions.push(s);
      s.open('file:///t/a.md', 'markdown', 'laio_co_submit and aio_co_wake');
      const hover = s.conn.sendRequest(HoverRequest.type, {
        textDocument: { uri: 'file:///t/a.md' },
        position: { line: 0, character: 3 },
      });
      const answered = await Promise.race([
        hover.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 3000)),
      ]);
      assert.ok(answered, 'hover answered within 3 s');
      await waitFor(() => s.messages.length > 0, 3000, 'a warning');
      assert.match(s.messages[0].message, /qemuIoExplorer\.document/);
      assert.match(s.messages[0].message, pattern);
    });
  }
});
