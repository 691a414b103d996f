// Go to definition into a QEMU checkout: a small QEMU-like tree in a temp dir, configured through
// initializationOptions or workspace/configuration; refresh on change; an unreadable root is
// reported once and hover keeps working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  HoverRequest,
  MessageType,
  type Hover,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { catalog } from '../../simulator/catalog';
import { DOC_PATH, DOC_URI, ensureBuilt, positionOf, startServer, waitFor, type Session } from './lspClient';

let root: string;
const uriOf = (rel: string): string => pathToFileURL(join(root, rel)).href;

function write(rel: string, lines: string[]): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, lines.join('\n'));
}

// A QEMU-like tree: each definition at a known (zero-based) line, plus decoys.
const POOL = [
  '/* Thread pool, test copy. thread_pool_submit_co(pool) { is only mentioned here */', // 0
  '#include "qemu/osdep.h"', // 1
  '', // 2
  'BlockAIOCB *thread_pool_submit_aio(ThreadPool *pool, ThreadPoolFunc *func,', // 3  def
  '                                   void *arg, BlockCompletionFunc *cb, void *opaque)',
  '{',
  '    return NULL;',
  '}',
  '',
  'int coroutine_fn thread_pool_submit_co(ThreadPool *pool, ThreadPoolFunc *func,', // 9  def
  '                                       void *arg)',
  '{',
  '    thread_pool_submit_aio(pool, func, arg, NULL, NULL);', // 12 call
  '    qemu_coroutine_yield();',
  '    return 0;',
  '}',
];

before(() => {
  ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'qemu-tree-'));
  write('util/thread-pool.c', POOL);
  write('include/block/thread-pool.h', [
    '#ifndef THREAD_POOL_H',
    'int coroutine_fn thread_pool_submit_co(ThreadPool *pool, ThreadPoolFunc *func, void *arg);', // prototype
    '#endif',
  ]);
  write('block/raw-format.c', [
    '#include "qemu/osdep.h"',
    'static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, uint64_t offset,', // 1
    '                                      uint64_t bytes, QEMUIOVector *qiov, int flags)',
    '{',
    '    return bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);',
    '}',
  ]);
  write('block/file-posix.c', [
    '#include "qemu/osdep.h"',
    '',
    '',
    'static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, uint64_t offset,', // 3
    '                                      uint64_t bytes, QEMUIOVector *qiov, int flags)',
    '{',
    '    return raw_co_prw(bs, offset, bytes, qiov, QEMU_AIO_WRITE);',
    '}',
  ]);
  write('cpus.c', ['int vm_stop(RunState state)', '{', '    return do_vm_stop(state, true);', '}']); // 0
  write('stubs/vm-stop.c', ['int vm_stop(RunState state)', '{', '    abort();', '}']); // stand-in
  write('tests/test-thread-pool.c', ['static void aio_notify(void *p)', '{', '}']); // test-only
  write('util/async.c', ['', 'void aio_notify(AioContext *ctx)', '{', '}']); // 1
  write('roms/skipme/x.c', ['void aio_poll(void)', '{', '}']); // skipped dir
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

async function definition(s: Session, uri: string, text: string, needle: string): Promise<Location[]> {
  return ((await s.conn.sendRequest(DefinitionRequest.type, {
    textDocument: { uri },
    position: positionOf(text, needle, 1),
  })) ?? []) as Location[];
}

const at = (rel: string, line: number, character: number, name: string): Location => ({
  uri: uriOf(rel),
  range: { start: { line, character }, end: { line, character: character + name.length } },
});

test('definition into the QEMU checkout (initializationOptions): exact locations, ranked, duplicates both', async () => {
  const s = await startServer({ initializationOptions: { qemuSource: root } });
  try {
    const uri = 'file:///src/caller.c';
    const text =
      'x = thread_pool_submit_co(p); raw_co_pwritev(bs); vm_stop(s); aio_notify(c); aio_poll(c); pwrite(fd);\n';
    s.open(uri, 'c', text);
    assert.deepEqual(await definition(s, uri, text, 'thread_pool_submit_co'), [
      at('util/thread-pool.c', 9, 17, 'thread_pool_submit_co'),
    ]);
    assert.deepEqual(await definition(s, uri, text, 'raw_co_pwritev'), [
      at('block/file-posix.c', 3, 24, 'raw_co_pwritev'),
      at('block/raw-format.c', 1, 24, 'raw_co_pwritev'),
    ]);
    assert.deepEqual(await definition(s, uri, text, 'vm_stop'), [at('cpus.c', 0, 4, 'vm_stop')]);
    assert.deepEqual(await definition(s, uri, text, 'aio_notify'), [at('util/async.c', 1, 5, 'aio_notify')]);
    // aio_poll is only "defined" under roms/ (not scanned): fall back to the document
    const poll = await definition(s, uri, text, 'aio_poll');
    assert.equal(poll.length, 1);
    assert.equal(poll[0].uri, DOC_URI);
    // a system call is never in the QEMU tree: the document
    const pw = await definition(s, uri, text, ' pwrite(');
    assert.equal(pw[0].uri, DOC_URI);
    const docLines = readFileSync(DOC_PATH, 'utf8').split('\n');
    assert.equal(docLines[pw[0].range.start.line], '### `pwrite`');

    // hover links into the checkout (after the scan), at the line found there
    const h = (await s.conn.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: positionOf(text, 'thread_pool_submit_co', 2),
    })) as Hover;
    const v = (h.contents as MarkupContent).value;
    const f = catalog.byName('thread_pool_submit_co')!;
    assert.ok(
      v.includes(`[\`${f.file}:${f.line}\`](${uriOf('util/thread-pool.c')}#L10) (line 10 in your checkout)`),
      v,
    );
    assert.ok(v.includes(`[\`thread_pool_submit_aio\`](${uriOf('util/thread-pool.c')}#L4)`), v);
    assert.equal(s.messages.length, 0, JSON.stringify(s.messages));
  } finally {
    await s.close();
  }
});

test('the index refreshes: timestamp check on lookup, and workspace/didChangeWatchedFiles', async () => {
  const s = await startServer({ initializationOptions: { qemuIoExplorer: { qemuSource: root } } });
  try {
    const uri = 'file:///src/caller2.c';
    const text = 'thread_pool_submit_co(p); vm_stop(x);\n';
    s.open(uri, 'c', text);
    assert.deepEqual(await definition(s, uri, text, 'thread_pool_submit_co'), [
      at('util/thread-pool.c', 9, 17, 'thread_pool_submit_co'),
    ]);
    // the file changes on disk (three lines added on top); no notification: the timestamp check sees it
    write('util/thread-pool.c', ['// a', '// b', '// c', ...POOL]);
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'util/thread-pool.c'), future, future);
    assert.deepEqual(await definition(s, uri, text, 'thread_pool_submit_co'), [
      at('util/thread-pool.c', 12, 17, 'thread_pool_submit_co'),
    ]);

    // vm_stop moves from cpus.c to a new file; the client reports both changes
    write('cpus.c', ['/* moved */']);
    write('softmmu/cpus.c', ['', '', 'int vm_stop(RunState state)', '{', '}']);
    await s.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [
        { uri: uriOf('cpus.c'), type: FileChangeType.Changed },
        { uri: uriOf('softmmu/cpus.c'), type: FileChangeType.Created },
      ],
    });
    let got: Location[] = [];
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      got = await definition(s, uri, text, 'vm_stop');
      if (got[0]?.uri === uriOf('softmmu/cpus.c')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(got, [at('softmmu/cpus.c', 2, 4, 'vm_stop')]);
  } finally {
    write('util/thread-pool.c', POOL);
    write('cpus.c', ['int vm_stop(RunState state)', '{', '    return do_vm_stop(state, true);', '}']);
    rmSync(join(root, 'softmmu'), { recursive: true, force: true });
    await s.close();
  }
});

test('settings through workspace/configuration (no initializationOptions)', async () => {
  const s = await startServer({ configuration: { qemuSource: root, document: '' } });
  try {
    await waitFor(() => s.configRequests.length > 0, 3000, 'workspace/configuration');
    const uri = 'file:///notes/cfg.md';
    const text = 'thread_pool_submit_co\n';
    s.open(uri, 'markdown', text);
    let got: Location[] = [];
    const end = Date.now() + 3000;
    while (Date.now() < end && got[0]?.uri !== uriOf('util/thread-pool.c')) {
      got = await definition(s, uri, text, 'thread_pool_submit_co');
    }
    assert.deepEqual(got, [at('util/thread-pool.c', 9, 17, 'thread_pool_submit_co')]);
    // the setting is removed: back to the document after didChangeConfiguration
    s.configuration = { qemuSource: '' };
    await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await waitFor(() => s.configRequests.length > 1, 3000, 'second workspace/configuration');
    await new Promise((r) => setTimeout(r, 50));
    // an empty value falls back to what initialize gave (here: nothing), so: the document
    got = await definition(s, uri, text, 'thread_pool_submit_co');
    assert.deepEqual(
      got.map((l) => l.uri),
      [DOC_URI],
    );
  } finally {
    await s.close();
  }
});

test('a missing QEMU root is reported once, as a warning; hover works and definition falls back to the document', async () => {
  const missing = join(root, 'does-not-exist');
  const s = await startServer({
    initializationOptions: { qemuSource: missing },
    configuration: { qemuSource: missing },
  });
  try {
    const uri = 'file:///notes/missing.md';
    const text = 'laio_co_submit\n';
    s.open(uri, 'markdown', text);
    await waitFor(() => s.messages.length > 0, 3000, 'showMessage');
    for (let i = 0; i < 3; i++) {
      const h = (await s.conn.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: 0, character: 3 },
      })) as Hover;
      assert.match((h.contents as MarkupContent).value, /`block\/linux-aio\.c:\d+`/);
      const d = await definition(s, uri, text, 'laio_co_submit');
      assert.equal(d[0].uri, DOC_URI);
      await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
    await waitFor(() => s.configRequests.length >= 4, 3000, 'configuration pulls');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.messages.length, 1, JSON.stringify(s.messages));
    assert.equal(s.messages[0].type, MessageType.Warning);
    assert.ok(s.messages[0].message.includes(missing));
    assert.match(s.messages[0].message, /does not exist/);
  } finally {
    await s.close();
  }
});

test('a root with no QEMU definitions is reported once; a file as root too', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'not-qemu-'));
  writeFileSync(join(empty, 'hello.c'), 'int main(void)\n{\n    return 0;\n}\n');
  const s = await startServer({ initializationOptions: { qemuSource: empty } });
  try {
    await waitFor(() => s.messages.length > 0, 3000, 'showMessage');
    assert.match(s.messages[0].message, /no definitions/);
    await s.conn.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { qemuIoExplorer: { qemuSource: join(empty, 'hello.c') } },
    });
    await waitFor(() => s.messages.length > 1, 3000, 'second showMessage');
    assert.match(s.messages[1].message, /not a directory/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.messages.length, 2);
  } finally {
    await s.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
