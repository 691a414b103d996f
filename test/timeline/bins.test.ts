// The timeline's binning: spans split over bins, adaptive grids doubling, re-binning keeping
// sums, and request occupancy per bin.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAt, addSpan, BinGrid, foldPairs, resample } from '../../simulator/timeline/bins';
import { Occupancy } from '../../simulator/timeline/requests';

const close = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('a span is shared among the bins it overlaps; the part outside the grid is dropped', () => {
  const g = new BinGrid(100, 10, 5, false); // bins [100,110) … [140,150)
  const a = new Float64Array(5);
  addSpan(a, 1, 0, g, 95, 123); // 5 ns before the grid are dropped
  assert.deepEqual([...a], [10, 10, 3, 0, 0]);
  addSpan(a, 1, 0, g, 141, 141.5, 4); // weight: a level of 4 for 0.5 ns
  assert.deepEqual([...a], [10, 10, 3, 0, 2]);
  addSpan(a, 1, 0, g, 145, 400);
  assert.deepEqual([...a], [10, 10, 3, 0, 7]);
  addAt(a, 1, 0, g, 150, 1); // the end is outside
  addAt(a, 1, 0, g, 99.9, 1);
  assert.deepEqual([...a], [10, 10, 3, 0, 7]);
});

test('an adaptive grid doubles until a time fits; folding adds pairs of bins', () => {
  const g = new BinGrid(0, 10, 4, true);
  assert.equal(g.doublingsFor(39), 0);
  assert.equal(g.doublingsFor(40), 1);
  assert.equal(g.doublingsFor(159), 2);
  assert.equal(new BinGrid(0, 10, 4, false).doublingsFor(1000), 0);
  const a = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // stride 2: columns [1,3,5,7] and [2,4,6,8]
  foldPairs(a, 2);
  assert.deepEqual([...a], [4, 6, 12, 14, 0, 0, 0, 0]);
});

test('re-binning keeps the total and shares a bin in proportion to the overlap', () => {
  const g = new BinGrid(0, 10, 4, false);
  const a = Float64Array.from([10, 20, 30, 40]);
  const whole = resample(a, 1, 0, g, 0, 40, 2);
  assert.deepEqual([...whole], [30, 70]);
  const fine = resample(a, 1, 0, g, 5, 15, 4); // half of bin 0 then half of bin 1, in quarters
  [2.5, 2.5, 5, 5].forEach((v, i) => close(fine[i], v));
  const outside = resample(a, 1, 0, g, 40, 80, 2);
  assert.deepEqual([...outside], [0, 0]);
});

test('occupancy: the average number of intervals covering each bin', () => {
  const g = new BinGrid(0, 10, 4, false);
  const o = new Occupancy(g);
  o.add(5, 35); // half of bin 0, bins 1 and 2 whole, half of bin 3
  o.add(12, 14); // a fifth of bin 1
  o.add(-100, 1000); // everything
  const avg = o.averages();
  [1.5, 2.2, 2, 1.5].forEach((v, i) => close(avg[i], v));
});
