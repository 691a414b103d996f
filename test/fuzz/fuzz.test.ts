// The fuzzers' short run, part of npm test: fixed seeds, a bounded number of sessions. Every
// request answered in time, no crash, every message valid, no stack trace, no internal error.
// The long run: npm run fuzz -- --seconds N (a failing session replays with its seed and index:
// --seed S --first I --sessions 1).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fuzzDap } from './dapFuzz';
import { FuzzFigures } from './figures';
import { makeFuzzFiles } from './files';
import { fuzzLsp } from './lspFuzz';

const files = makeFuzzFiles();
after(() => files.remove());

function assertClean(f: FuzzFigures, minSessions: number): void {
  assert.deepEqual(f.problems, []);
  assert.equal(f.crashes + f.hangs + f.schemaFailures + f.stackTraces + f.internalErrors, 0);
  assert.ok(f.sessions >= minSessions && f.requests > f.sessions, `${f.sessions} sessions, ${f.requests} requests`);
}

for (const seed of [1, 2]) {
  test(`DAP fuzzer, seed ${seed}: 12 sessions over stdio and TCP`, async (t) => {
    const f = await fuzzDap({ seed, sessions: 12, parallel: 2, files, tcpShare: 0.6 });
    t.diagnostic(`${f.sessions} sessions, ${f.requests} requests`);
    assertClean(f, 12);
  });
}

test('LSP fuzzer, seed 1: 12 sessions', async (t) => {
  const f = await fuzzLsp({ seed: 1, sessions: 12, parallel: 2, files });
  t.diagnostic(`${f.sessions} sessions, ${f.requests} requests`);
  assertClean(f, 12);
});
