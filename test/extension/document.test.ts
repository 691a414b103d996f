// docs/qemu-io-path.md keeps the promise its header makes (frames, hover, definition and the stage
// tree's fallback rely on it): every catalog function has a "### `name`" heading, and the first line
// naming a function as a whole identifier is that heading.
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
