// The timeline webview's view arithmetic: zooming about a point, panning, staying inside the run,
// ticks and time labels.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNs, MIN_SPAN_NS, ticks, TimeView } from '../../extension/timeline/webview/view';

test('zoom keeps the time under the pointer in place; pan and zoom stay inside the run', () => {
  const v = new TimeView(1_000_000);
  assert.deepEqual([v.from, v.to], [0, 1_000_000]);
  v.zoom(0.5, 250_000); // a quarter of the way across stays a quarter of the way across
  assert.deepEqual([v.from, v.to], [125_000, 625_000]);
  assert.equal(v.x(250_000, 1000), 250);
  assert.equal(v.time(250, 1000), 250_000);
  v.pan(-1); // back by a whole span: stops at 0
  assert.deepEqual([v.from, v.to], [0, 500_000]);
  v.pan(5);
  assert.deepEqual([v.from, v.to], [500_000, 1_000_000]);
  v.zoom(10);
  assert.ok(v.isWhole());
  for (let i = 0; i < 100; i++) v.zoom(0.1, 400_000);
  assert.equal(v.span, MIN_SPAN_NS);
  assert.ok(v.from <= 400_000 && v.to >= 400_000);
  v.center(999_999);
  assert.equal(v.to, 1_000_000);
});

test('ticks fall on 1-2-5 steps at least the given distance apart; times read in their unit', () => {
  const t = ticks(0, 1_000_000, 1000, 90);
  assert.deepEqual(t.slice(0, 3), [0, 100_000, 200_000]);
  const u = ticks(1234, 1334, 500, 100);
  assert.deepEqual(u, [1240, 1260, 1280, 1300, 1320]);
  assert.deepEqual(ticks(5, 5, 100), []);
  assert.equal(formatNs(850), '850 ns');
  assert.equal(formatNs(12_345), '12.3 µs');
  assert.equal(formatNs(4_560_000), '4.56 ms');
  assert.equal(formatNs(1_234_000_000), '1.234 s');
  assert.equal(formatNs(2_000), '2 µs');
});
