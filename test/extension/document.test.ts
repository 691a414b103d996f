// docs/qemu-io-path.md keeps the promise its header makes (frames, hover, definition and the stage
// tree's fallback rely on it): every catalog function has a "### `name`" heading, and the first line
// naming a function as a whole identifier is that heading.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../../simulator/catalog';
import { findFunctionOccurrences } from '../../common/occurrences';
import { root } from './root';

const text = readFileSync(join(root, 'docs', 'qemu-io-path.md'), 'utf8');
const lines = text.split('\n');
const names = new Set(catalog.functions.map((f) => f.name));

test('every catalog function has its own heading, once', () => {
  for (const name of names) {
    const headings = lines.filter((l) => l === `### \`${name}\``).length;
    assert.equal(headings, 1, `${name}: ${headings} headings`);
  }
});

test("each function's first whole-identifier occurrence is its heading", () => {
  const first = new Map<string, number>();
  for (const o of findFunctionOccurrences(text, names)) if (!first.has(o.name)) first.set(o.name, o.line);
  const wrong = [...names]
    .filter((n) => lines[first.get(n) ?? -1] !== `### \`${n}\``)
    .map((n) => `${n} first at line ${(first.get(n) ?? -2) + 1}: ${lines[first.get(n) ?? 0].slice(0, 60)}`);
  assert.deepEqual(wrong, []);
});

test('the "Since X.Y" / "In 10.0" lines are what the catalogs say (scripts/gen-doc.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-doc.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // where the path changed: a rename in 7.0, a change of 10.0 itself
  const entry = (name: string) => text.slice(text.indexOf(`### \`${name}\``)).split('\n### ')[0];
  assert.match(
    entry('virtio_queue_host_notifier_aio_read'),
    /^\*Since 7\.0:\* renamed `virtio_queue_host_notifier_read`/m,
  );
  assert.match(entry('raw_co_prw'), /^\*In 10\.0:\* FUA support in file-posix/m);
  assert.match(entry('blk_io_plug'), /^\*Since 8\.2:\* renamed `defer_call_begin`/m);
  assert.doesNotMatch(entry('virtio_blk_handle_request'), /\*Since|\*In 10/);
});
