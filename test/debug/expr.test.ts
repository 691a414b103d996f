import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Expression, ExprError, HitCondition, Template } from '../../server/debug/expr/evaluate';

const scope = {
  req: { id: 7, sector: 2048, bytes: 4096, op: 'write', is_write: true, merged_with: [8, 9] },
  thread: 'iothread0',
  co: null,
  pool: () => ({ cur_threads: 64, queued: 3 }),
};
const ev = (src: string) => new Expression(src).evaluate(scope);
const fails = (src: string, pattern: RegExp) =>
  assert.throws(
    () => ev(src),
    (e: unknown) => e instanceof ExprError && pattern.test((e as Error).message),
  );

describe('expressions', () => {
  test('arithmetic, comparison, logic, strings, sizes', () => {
    assert.equal(ev('req.sector * 512 + 4k'), 2048 * 512 + 4096);
    assert.equal(ev('req.sector >= 2048 && req.is_write'), true);
    assert.equal(ev('thread == "iothread0" ? "io" : "main"'), 'io');
    assert.equal(ev('!req.is_write || co === null'), true);
    assert.equal(ev('"req " + req.id'), 'req 7');
    assert.equal(ev('len(req.merged_with) + req.merged_with[1]'), 11);
    assert.equal(ev('hex(req.bytes)'), '0x1000');
    assert.equal(ev('pool.cur_threads == 64'), true, 'lazy values are computed when read');
    assert.equal(ev('contains(req.merged_with, 8) && startsWith(thread, "io")'), true);
  });
  test('errors name the problem and the column', () => {
    fails('req.sector >', /expected a value, found end of expression at column 13/);
    fails('req.sectr', /req has no field "sectr" \(fields: id, sector/);
    fails('request.id', /unknown name "request"/);
    fails('req.sector > "a"', /cannot compare 2048 > "a"/);
    fails('req.id +', /expected a value/);
    fails('1 2', /unexpected text after the expression, found "2" at column 3/);
    fails('"open', /unterminated string/);
    fails('a = 1', /unexpected "=" at column 3/);
  });
  test('nothing reaches JavaScript: no prototypes, no globals, no calls but built-ins', () => {
    fails('req.constructor', /"constructor" is not accessible/);
    fails('req.__proto__', /"__proto__" is not accessible/);
    fails('req["constructor"]', /"constructor" is not accessible/);
    fails('process', /unknown name "process"/);
    fails('globalThis', /unknown name "globalThis"/);
    fails('eval("1")', /unknown function "eval"/);
    fails('req.bytes.toString()', /only built-in functions can be called/);
  });
  test('log message templates and hit conditions', () => {
    assert.equal(new Template('req {req.id} at {req.sector} on {thread}').render(scope), 'req 7 at 2048 on iothread0');
    assert.match(new Template('bad {req.nope}').render(scope), /bad <req has no field "nope"/);
    const h = new HitCondition('>= 3');
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => h.matches(n)),
      [false, false, true, true],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => new HitCondition('% 2').matches(n)),
      [false, true, false, true],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => new HitCondition('2').matches(n)),
      [false, true, false],
    );
    assert.throws(() => new HitCondition('often'), /should be N, >= N/);
  });
});
