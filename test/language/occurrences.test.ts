// Unit tests of the language server's pure pieces: identifier matching, findFunctionOccurrences
// (shared with the extension's tree view), the C definition finder, document sections and the
// lens policy, and the document index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { catalog } from '../../simulator/catalog';
import { findFunctionOccurrences, OccurrenceScanner } from '../../common/occurrences';
import { identifierAt } from '../../common/identifiers';
import { findCDefinitions } from '../../server/language/cdefs';
import { analyseStructure, DocumentScanner } from '../../server/language/documentScan';
import { planLenses, lensesFor, BREAK_COMMAND, REVEAL_COMMAND } from '../../server/language/links';
import { indexDocument } from '../../server/language/docIndex';
import { mergeSettings, DEFAULT_SETTINGS, normalisePath } from '../../server/language/settings';
import { ROOT } from './lspClient';

const NAMES: ReadonlySet<string> = new Set(catalog.functions.map((f) => f.name));

test('findFunctionOccurrences: names in calls, backticks, chains, CJK text; positions are UTF-16 columns', () => {
  const text = [
    'call `aio_poll()` then aio_notify二', // 0
    '  acb->common.cb = blk_aio_complete;', // 1
    '调用blk_aio_preadv二次，然后（laio_co_submit）', // 2
    'not my_aio_poll, aio_poll2, AIO_POLL or 0xaio_poll', // 3
    '😀 qemu_coroutine_yield', // 4 (emoji = 2 UTF-16 units)
  ].join('\n');
  const occ = findFunctionOccurrences(text, NAMES);
  assert.deepEqual(
    occ.map((o) => [o.name, o.line, o.character, o.length]),
    [
      ['aio_poll', 0, 6, 8],
      ['aio_notify', 0, 23, 10],
      ['blk_aio_complete', 1, 19, 16],
      ['blk_aio_preadv', 2, 2, 14],
      ['laio_co_submit', 2, 22, 14],
      ['qemu_coroutine_yield', 4, 3, 20],
    ],
  );
  for (const o of occ) assert.equal(text.slice(o.offset, o.offset + o.length), o.name);
});

test('findFunctionOccurrences agrees with TextDocument positions for \\n, \\r\\n and lone \\r', () => {
  const text = 'aio_poll\r\nx aio_notify\ry qemu_bh_schedule\n\n\r\n  aio_bh_poll';
  const doc = TextDocument.create('file:///x', 'plaintext', 1, text);
  const occ = findFunctionOccurrences(text, NAMES);
  assert.equal(occ.length, 4);
  for (const o of occ) assert.deepEqual(doc.positionAt(o.offset), { line: o.line, character: o.character });
  assert.deepEqual(
    occ.map((o) => o.line),
    [0, 1, 2, 5],
  );
});

test('findFunctionOccurrences: limit, empty name set, no names, binary-looking text', () => {
  const text = 'aio_poll aio_poll aio_poll';
  assert.equal(findFunctionOccurrences(text, NAMES, { limit: 2 }).length, 2);
  assert.deepEqual(findFunctionOccurrences(text, new Set()), []);
  assert.deepEqual(findFunctionOccurrences('plain English words only\n'.repeat(100), NAMES), []);
  let bin = '';
  for (let i = 0; i < 5000; i++) bin += String.fromCharCode((i * 7919) % 65536);
  bin += '\0aio_poll\0\uFFFD';
  const occ = findFunctionOccurrences(bin, NAMES);
  assert.ok(occ.some((o) => o.name === 'aio_poll' && o.offset === bin.indexOf('\0aio_poll') + 1));
});

test('OccurrenceScanner in small slices gives the same result as one pass (names straddling slices)', () => {
  const text = 'xx blk_aio_preadv\nqemu_coroutine_enter(co);\r\n  laio_co_submit二\rthread_pool_submit_co\n'.repeat(50);
  const whole = findFunctionOccurrences(text, NAMES);
  for (const slice of [1, 3, 7, 64]) {
    const s = new OccurrenceScanner(text, NAMES);
    let steps = 0;
    while (!s.step(slice)) steps++;
    assert.ok(steps > 1);
    assert.deepEqual(s.results, whole);
  }
});

test('identifierAt: inside, at the end, digits, CJK neighbours, overlong runs', () => {
  const t = '二blk_aio_preadv二 0x1f a_b ' + 'a'.repeat(1000);
  const s = t.indexOf('blk');
  assert.deepEqual(identifierAt(t, s), { start: s, end: s + 14 });
  assert.deepEqual(identifierAt(t, s + 13), { start: s, end: s + 14 });
  assert.deepEqual(identifierAt(t, s + 14), { start: s, end: s + 14 }); // cursor right after
  assert.equal(identifierAt(t, 0), undefined); // on the CJK character before
  assert.equal(identifierAt(t, t.indexOf('0x1f') + 1), undefined); // starts with a digit
  assert.equal(identifierAt(t, t.length - 3, 64), undefined); // 1000-char run, limit 64
  assert.equal(identifierAt(t, t.indexOf(' 0x') + 0), undefined); // on a space after a CJK character
  assert.deepEqual(identifierAt(t, t.indexOf('a_b') + 1), { start: t.indexOf('a_b'), end: t.indexOf('a_b') + 3 });
});

test('findCDefinitions: QEMU layouts; prototypes, calls, comments and strings are not definitions', () => {
  const c = [
    '/*', // 0
    'thread_pool_submit_co(pool) {  <- inside a comment', // 1
    ' */', // 2
    '#include "qemu/osdep.h"', // 3
    'int coroutine_fn thread_pool_submit_co(ThreadPool *pool,', // 4  prototype
    '                                       ThreadPoolFunc *func);',
    'static const char *s = "aio_poll(x) {";', // 6
    'Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque)', // 7 definition
    '{',
    '    return qemu_coroutine_new();', // 9  call
    '}',
    '',
    'void coroutine_fn', // 12
    'qemu_coroutine_yield(void)', // 13 definition, name in column 0
    '{',
    '    aio_poll(ctx, true);', // 15
    '}',
    'int coroutine_fn thread_pool_submit_co(ThreadPool *pool, ThreadPoolFunc *func, /* the job */', // 17 definition
    '                                       void *arg) /* returns its result */',
    '{',
    '    return 0;',
    '}',
    '#define aio_notify(x) do { } while (0)', // 22 macro
    'type_init(aio_bh_poll)', // 23 file-scope macro use
    'static void virtio_blk_handle_vq(VirtIOBlock *s, VirtQueue *vq) { }', // 24 one-line definition
  ].join('\r\n');
  const defs = findCDefinitions(c, NAMES);
  assert.deepEqual(
    defs.map((d) => [d.name, d.line, d.character]),
    [
      ['qemu_coroutine_create', 7, 11],
      ['qemu_coroutine_yield', 13, 0],
      ['thread_pool_submit_co', 17, 17],
      ['virtio_blk_handle_vq', 24, 12],
    ],
  );
});

test('analyseStructure: ATX and setext headings and rules start sections; fences are ranges; # inside fences is code', async () => {
  const text = ['# A', 'x', 'Title', '=====', 'y', '```c', '#include <x.h>', '```', '---', 'z'].join('\n');
  const s = await analyseStructure(text, () => false);
  assert.ok(s);
  assert.deepEqual(s.sectionStarts, [0, 2, 8]);
  assert.deepEqual(s.fences, [[5, 7]]);
});

test('planLenses: first mention per section, one pair per line, none in fences, capped', async () => {
  const text = [
    '# One',
    'aio_poll and aio_notify on one line', // 1: aio_poll gets the pair, aio_notify waits
    'aio_poll again, aio_notify again', // 2: aio_notify
    '```',
    'qemu_bh_schedule in a fence', // 4: skipped
    '```',
    'qemu_bh_schedule', // 6
    '## Two',
    'aio_poll', // 8: new section
  ].join('\n');
  const scanner = new DocumentScanner(NAMES);
  const a = await scanner.analyse('u', 1, text, () => false);
  assert.ok(a);
  const spots = planLenses(a, true);
  assert.deepEqual(
    spots.map((o) => [o.name, o.line]),
    [
      ['aio_poll', 1],
      ['aio_notify', 2],
      ['qemu_bh_schedule', 6],
      ['aio_poll', 8],
    ],
  );
  assert.equal(planLenses(a, true, 2).length, 2);
  const lenses = lensesFor(spots.slice(0, 1));
  assert.deepEqual(
    lenses.map((l) => [l.command.command, l.command.arguments, l.range.start.line, l.range.start.character]),
    [
      [BREAK_COMMAND, ['aio_poll'], 1, 0],
      [REVEAL_COMMAND, ['aio_poll'], 1, 0],
    ],
  );
  assert.match(lenses[0].command.title, /^Break on this stage/);
  assert.equal(lenses[1].command.title, 'Show in I/O path tree');
});

test('indexDocument: every function with a heading in the I/O path document maps to that heading', () => {
  const text = readFileSync(join(ROOT, 'docs', 'qemu-io-path.md'), 'utf8');
  const lines = text.split('\n');
  const map = indexDocument(text, NAMES, 'file:///doc.md');
  let headings = 0;
  for (const name of NAMES) {
    const h = lines.indexOf(`### \`${name}\``);
    const loc = map.get(name);
    if (h >= 0) {
      headings++;
      assert.equal(loc?.line, h, name);
      assert.equal(loc?.character, 5);
      assert.equal(loc?.heading, true);
    } else if (loc) {
      const l = lines[loc.line];
      assert.equal(l.slice(loc.character, loc.character + name.length), name);
    }
  }
  assert.ok(headings > 100, `only ${headings} headings found`);
  // a prose word is not taken as the place of the `read` system call
  const r = map.get('read');
  assert.ok(r, 'read is indexed');
  assert.notEqual(lines[r.line].slice(0, 20), '**How to read it.**');
});

test('settings: initializationOptions shapes, empty values do not override, path normalisation', () => {
  const a = mergeSettings(DEFAULT_SETTINGS, { qemuSource: '/q', codeLens: false });
  const b = mergeSettings(DEFAULT_SETTINGS, { qemuIoExplorer: { qemuSource: '/q', codeLens: false } });
  const c = mergeSettings(DEFAULT_SETTINGS, { 'qemuIoExplorer.qemuSource': '/q', 'qemuIoExplorer.codeLens': false });
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  assert.equal(mergeSettings(a, { qemuSource: '', document: null }).qemuSource, '/q');
  assert.equal(normalisePath('src/qemu', '/ws'), '/ws/src/qemu');
  assert.equal(normalisePath('${workspaceFolder}/q', '/ws'), '/ws/q');
});
