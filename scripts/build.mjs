// Bundles each entry point into dist/ with esbuild; with --tests also bundles every
// test/**/*.test.ts into out/test/ so Node's built-in runner can execute them.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entries = [
  { in: 'simulator/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'server/debug/main.ts', out: 'dist/debugAdapter.js' },
  { in: 'server/language/main.ts', out: 'dist/languageServer.js' },
  { in: 'extension/main.ts', out: 'dist/extension.js' },
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['vscode'],
};

async function buildEntries() {
  await Promise.all(
    entries
      .filter((e) => existsSync(join(root, e.in)))
      .map((e) =>
        build({
          ...common,
          entryPoints: [join(root, e.in)],
          outfile: join(root, e.out),
          minifySyntax: true,
          banner: e.banner ? { js: e.banner } : undefined,
        }),
      ),
  );
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

async function buildTests() {
  const outdir = join(root, 'out/test');
  rmSync(outdir, { recursive: true, force: true });
  const tests = findTests(join(root, 'test'));
  await build({
    ...common,
    entryPoints: tests,
    outdir,
    outbase: join(root, 'test'),
    external: ['vscode', '@vscode/debugadapter-testsupport', 'eslint'],
  });
  return tests.map((t) => relative(root, t));
}

await buildEntries();
if (process.argv.includes('--tests')) await buildTests();
