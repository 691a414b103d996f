// npm run fuzz -- --seconds N: bundles the fuzzers (test/fuzz/) and runs the long fuzz run
// against the built adapter and language server (dist/). The short fixed-seed run is part of
// npm test (test/fuzz/fuzz.test.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'out/fuzz/main.js');
await build({
  entryPoints: [join(root, 'test/fuzz/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: ['vscode'],
});
const r = spawnSync(process.execPath, [out, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exitCode = r.status ?? 1;
