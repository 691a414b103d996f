// npm run bench: bundles each bench/*.bench.ts and runs it in its own Node process (so peak
// RSS figures are its own), in name order. Each prints its figures; this prints them all.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
await build({
  entryPoints: benches.map((b) => join(root, 'bench', b)),
  outdir: join(root, 'out/bench'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: ['vscode'],
});
let failed = 0;
for (const b of benches) {
  const js = join(root, 'out/bench', b.replace(/\.ts$/, '.js'));
  console.log(`\n=== ${b.replace('.bench.ts', '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', js], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
