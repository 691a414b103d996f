// The stage tree's model without VS Code: the catalog's groups in order → their functions → where a
// text names them, with the fallback to the project's I/O path document, CJK-glued names, the
// cursor lookup and the "named only" filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, fnKey, getCatalog } from '../../simulator/catalog';
import { FunctionNode, OccurrenceNode, StageTreeModel } from '../../extension/tree/model';
import { root } from './root';

const PROJECT_DOC = readFileSync(join(root, 'docs', 'qemu-io-path.md'), 'utf8');
const project = { uri: 'file:///ext/docs/qemu-io-path.md', name: 'qemu-io-path.md', text: PROJECT_DOC };

function model(): StageTreeModel {
  const m = new StageTreeModel(catalog);
  m.setProject(project);
  return m;
}

function fn(m: StageTreeModel, name: string): FunctionNode {
  const f = m.findFunction(name);
  assert.ok(f, `no node for ${name}`);
  return f;
}

test("top level: every catalog group, with the catalog's labels, in the catalog's order", () => {
  const m = model();
  assert.deepEqual(
    m.roots().map((g) => g.label),
    catalog.groups.map((g) => g.label),
  );
  // the seven stages the issue names are among them, in path order
  const labels = m.roots().map((g) => g.label);
  const wanted = [
    'Poll & dispatch',
    'virtio-blk',
    'Block backend & coroutine',
    'Block driver',
    'Linux AIO',
    'Thread pool',
    'Completion',
  ];
  assert.deepEqual(
    labels.filter((l) => wanted.includes(l)),
    wanted,
  );
});

test("every catalog function sits exactly once under its stage's group, in catalog order", () => {
  const m = model();
  const seen = m.roots().flatMap((g) => m.children(g) as FunctionNode[]);
  assert.deepEqual(seen.map((f) => f.key).sort(), catalog.functions.map(fnKey).sort());
  for (const g of m.roots()) {
    for (const f of m.children(g) as FunctionNode[]) {
      assert.equal(catalog.stage(f.entry.stage)?.group, g.id, `${f.key} under ${g.id}`);
      assert.equal(m.parentOf(f), g);
    }
    const keys = (m.children(g) as FunctionNode[]).map((f) => catalog.idOf(f.key));
    assert.deepEqual(
      keys,
      [...keys].sort((a, b) => a - b),
      `${g.id} keeps catalog order`,
    );
  }
});

test('occurrences come from the active document, with UTF-16 positions and a highlighted preview', () => {
  const m = model();
  const text = [
    '# notes',
    'The kick wakes `aio_poll`, then virtio_blk_handle_vq pops the request.',
    '',
    'aio_poll again; not my_aio_poll or aio_poll2.',
  ].join('\n');
  m.setActive({ uri: 'file:///w/notes.md', name: 'notes.md', text });
  const occ = m.occurrencesOf(fn(m, 'aio_poll'));
  assert.deepEqual(
    occ.map((o) => [o.source, o.line, o.character, o.length]),
    [
      ['active', 1, 16, 8],
      ['active', 3, 0, 8],
    ],
  );
  assert.equal(occ[0].uri, 'file:///w/notes.md');
  assert.equal(occ[0].preview, 'The kick wakes `aio_poll`, then virtio_blk_handle_vq pops the request.');
  assert.equal(occ[0].preview.slice(...occ[0].highlight), 'aio_poll');
  assert.equal(m.parentOf(occ[0]), fn(m, 'aio_poll'));
  assert.deepEqual(m.summary(fn(m, 'aio_poll')), { source: 'active', documentName: 'notes.md', count: 2 });
  // ids are stable for the same text
  assert.deepEqual(
    m.occurrencesOf(fn(m, 'aio_poll')).map((o) => o.id),
    occ.map((o) => o.id),
  );
});

test('a Chinese write-up: names glued to CJK text are found, at the right columns', () => {
  const m = model();
  const text = [
    '# 笔记',
    'iothread在aio_poll里轮询，然后virtio_blk_handle_vq取出请求。',
    'blk_aio_pwritev调用blk_aio_prwv创建协程（qemu_coroutine_create），最后qemu_coroutine_yield让出。',
  ].join('\n');
  m.setActive({ uri: 'untitled:zh', name: '笔记.md', text });
  const lines = text.split('\n');
  for (const name of [
    'aio_poll',
    'virtio_blk_handle_vq',
    'blk_aio_pwritev',
    'blk_aio_prwv',
    'qemu_coroutine_create',
    'qemu_coroutine_yield',
  ]) {
    const occ = m.occurrencesOf(fn(m, name));
    assert.equal(occ.length, 1, name);
    const o = occ[0];
    assert.equal(o.source, 'active', name);
    assert.equal(lines[o.line].slice(o.character, o.character + o.length), name);
    assert.equal(o.preview.slice(...o.highlight), name);
  }
  // the cursor anywhere on a glued name (or right after it) finds it
  const line = lines.indexOf(lines.find((l) => l.includes('blk_aio_prwv'))!);
  const col = lines[line].indexOf('blk_aio_prwv');
  assert.equal(m.functionAt(line, col)?.name, 'blk_aio_prwv');
  assert.equal(m.functionAt(line, col + 5)?.name, 'blk_aio_prwv');
  assert.equal(m.functionAt(line, col + 'blk_aio_prwv'.length)?.name, 'blk_aio_prwv');
  assert.equal(m.functionAt(line, col - 1)?.name, undefined, 'the CJK character before it');
  assert.equal(m.functionAt(0, 2), undefined);
});

test('a function the active document does not name falls back to the project document', () => {
  const m = model();
  m.setActive({ uri: 'file:///w/notes.md', name: 'notes.md', text: 'only aio_poll here' });
  const occ = m.occurrencesOf(fn(m, 'laio_co_submit'));
  assert.ok(occ.length >= 1);
  assert.ok(occ.every((o) => o.source === 'project' && o.uri === project.uri && o.documentName === 'qemu-io-path.md'));
  // its first occurrence in the document is its own heading
  assert.equal(occ[0].preview, '### `laio_co_submit`');
  assert.deepEqual(m.summary(fn(m, 'laio_co_submit')), {
    source: 'project',
    documentName: 'qemu-io-path.md',
    count: occ.length,
  });
  // no active document at all: everything from the project document
  m.setActive(undefined);
  assert.equal(m.occurrencesOf(fn(m, 'aio_poll'))[0].source, 'project');
  assert.equal(m.functionAt(0, 0), undefined);
});

test('a function named nowhere has no occurrences (and no summary)', () => {
  const m = new StageTreeModel(catalog);
  m.setProject({ uri: 'p', name: 'p.md', text: 'nothing to see' });
  assert.deepEqual(m.occurrencesOf(fn(m, 'aio_poll')), []);
  assert.equal(m.summary(fn(m, 'aio_poll')), undefined);
  assert.equal(m.activeNamesAny(), false);
});

test('"named only": just the functions (and groups) the active document names', () => {
  const m = model();
  m.namedOnly = true;
  m.setActive({ uri: 'a', name: 'a.md', text: 'aio_poll then laio_co_submit then ioq_submit' });
  assert.deepEqual(
    m.roots().map((g) => g.id),
    ['poll', 'laio'],
  );
  assert.deepEqual(
    m.roots().map((g) => (m.children(g) as FunctionNode[]).map((f) => f.name)),
    [['aio_poll'], ['laio_co_submit', 'ioq_submit']],
  );
  m.setActive({ uri: 'b', name: 'b.md', text: 'no names' });
  assert.deepEqual(m.roots(), []);
  m.namedOnly = false;
  assert.equal(m.roots().length, catalog.groups.length);
});

test("QEMU's duplicated static names: two nodes, one name, told apart by stage", () => {
  const m = model();
  const both = m.functionsNamed('raw_co_pwritev');
  assert.deepEqual(
    both.map((f) => f.key),
    ['raw_co_pwritev@raw-format', 'raw_co_pwritev@file-posix'],
  );
  assert.equal(m.findFunction('raw_co_pwritev'), both[0]);
  assert.equal(m.findFunction('raw_co_pwritev@file-posix'), both[1]);
  assert.equal(m.functionForStage('raw_co_pwritev', 'raw'), both[1]);
  assert.equal(m.functionForStage('raw_co_pwritev', 'raw-format'), both[0]);
  assert.equal(m.functionForStage('no_such_function', 'raw'), undefined);
  m.setActive({ uri: 'a', name: 'a.md', text: 'raw_co_pwritev' });
  assert.equal((m.occurrencesOf(both[0])[0] as OccurrenceNode).line, 0);
  assert.equal((m.occurrencesOf(both[1])[0] as OccurrenceNode).line, 0);
});

test('previews of long lines keep the name in view', () => {
  const m = model();
  const text = `${'x '.repeat(200)}bdrv_co_pwritev${' y'.repeat(200)}`;
  m.setActive({ uri: 'a', name: 'a.md', text });
  const o = m.occurrencesOf(fn(m, 'bdrv_co_pwritev'))[0];
  assert.ok(o.preview.length <= 100, o.preview);
  assert.ok(o.preview.startsWith('…') && o.preview.endsWith('…'));
  assert.equal(o.preview.slice(...o.highlight), 'bdrv_co_pwritev');
});

// How fast: `npm run bench` (tree.scan_2mb_ms); here a generous bound against a pathological slowdown.
test('scanning the project document and a large text stays fast', () => {
  const m = new StageTreeModel(catalog);
  const big = PROJECT_DOC.repeat(20); // ≈ 2 MB
  const t0 = performance.now();
  m.setActive({ uri: 'big', name: 'big.md', text: big });
  for (const g of m.roots()) for (const f of m.children(g)) m.children(f);
  const ms = performance.now() - t0;
  assert.ok(ms < 20_000, `${ms.toFixed(0)} ms`);
});

test("another version's tree: a 10.0 replay's stops are found among 10.0's functions", () => {
  const m = new StageTreeModel(getCatalog('10.0'));
  m.setProject(project);
  // bdrv_co_pwritev_part is 10.0's generic write (6.0 and later), not in 4.1.0's tree
  assert.equal(model().functionForStage('bdrv_co_pwritev_part', 'bdrv'), undefined);
  const f = m.functionForStage('bdrv_co_pwritev_part', 'bdrv');
  assert.ok(f);
  assert.equal(f.entry.stage, 'bdrv');
  assert.ok(m.roots().some((g) => g.id === f.group.id));
  // the names both versions share are there too
  assert.ok(m.findFunction('virtio_blk_handle_vq'));
});

test('a function QEMU changed after 4.1.0 carries its "Since X.Y" / "In 10.0" lines, oldest first', () => {
  const m = model();
  const renamed = m.changes(fn(m, 'virtio_queue_notify_aio_vq'));
  assert.deepEqual(
    renamed.map((c) => c.label),
    ['Since 7.0'],
  );
  assert.match(renamed[0].text, /^renamed `virtio_queue_notify_vq`: /);
  const pool = m.changes(fn(m, 'thread_pool_completion_bh')).map((c) => c.label);
  assert.deepEqual(pool, ['Since 8.1', 'Since 8.2', 'In 10.0']);
  assert.deepEqual(m.changes(fn(m, 'virtio_blk_handle_request')), []);
});
