// npm run fuzz -- --seconds N [--seed S] [--parallel P]: the long fuzz run. The DAP fuzzer and
// the LSP fuzzer share the time; each prints its figures; the exit code is 1 when anything was
// found (crashes, hangs, schema failures, stack traces, internal errors). FUZZ_TRACE=1 prints the
// LSP messages of a replayed session.

import { parseArgs } from 'node:util';
import { fuzzDap } from './dapFuzz';
import { FuzzFigures } from './figures';
import { makeFuzzFiles } from './files';
import { fuzzLsp } from './lspFuzz';

function report(what: string, f: FuzzFigures, seconds: number): boolean {
  console.log(
    `fuzz.${what}: ${f.sessions} sessions, ${f.requests} requests in ${seconds.toFixed(0)} s — ` +
      `${f.crashes} crashes, ${f.hangs} hangs, ${f.schemaFailures} schema failures, ` +
      `${f.stackTraces} stack traces, ${f.internalErrors} internal errors`,
  );
  for (const p of f.problems) console.log(`  ${p}`);
  return f.crashes + f.hangs + f.schemaFailures + f.stackTraces + f.internalErrors === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      parallel: { type: 'string', default: '2' },
      only: { type: 'string' },
      first: { type: 'string', default: '0' },
      sessions: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const seed = Number(values.seed);
  const parallel = Number(values.parallel);
  // replaying one session: --seed S --first N --sessions 1 (the figures name seed and session)
  const first = Number(values.first);
  const sessions = values.sessions === undefined ? undefined : Number(values.sessions);
  if (!(seconds > 0) || !Number.isInteger(seed) || !(parallel >= 1)) {
    console.error(
      'usage: npm run fuzz -- --seconds N [--seed S] [--parallel P] [--only dap|lsp] [--first I --sessions K]',
    );
    process.exit(2);
  }
  console.log(`fuzz: seed ${seed}, ${seconds} s, ${parallel} session(s) at a time`);
  const files = makeFuzzFiles();
  let ok = true;
  try {
    const share = values.only ? 1 : 0.5;
    if (values.only !== 'lsp') {
      const t0 = Date.now();
      const f = await fuzzDap({ seed, until: t0 + seconds * share * 1000, parallel, files, first, sessions });
      ok = report('dap', f, (Date.now() - t0) / 1000) && ok;
    }
    if (values.only !== 'dap') {
      const t0 = Date.now();
      const f = await fuzzLsp({ seed, until: t0 + seconds * share * 1000, parallel, files, first, sessions });
      ok = report('lsp', f, (Date.now() - t0) / 1000) && ok;
    }
  } finally {
    files.remove();
  }
  process.exitCode = ok ? 0 : 1;
}

void main();
