// Bundles each entry point into dist/ with esbuild; with --tests also bundles every
// test/**/*.test.ts into out/test/ so Node's built-in runner can execute them; with --watch keeps
// rebuilding dist/ as sources change (`npm run watch`, the preLaunchTask of .vscode/launch.json,
// whose problem matcher reads the "[watch] build …" lines).
import { build, context } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entries = [
  { in: 'simulator/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'server/debug/main.ts', out: 'dist/debugAdapter.js' },
  { in: 'server/language/main.ts', out: 'dist/languageServer.js' },
  { in: 'extension/main.ts', out: 'dist/extension.js' },
  // loaded after activation (extension/chunks/load.ts), so dist/extension.js stays small
  { in: 'extension/chunks/languageClient.ts', out: 'dist/extension-languageClient.js' },
  { in: 'extension/chunks/debugSession.ts', out: 'dist/extension-debugSession.js' },
  // the timeline webview's script (and the stylesheet it imports): a browser bundle, no Node
  {
    in: 'extension/timeline/webview/main.ts',
    out: 'dist/timeline.js',
    options: { platform: 'browser', target: 'chrome120', format: 'iife', minify: true },
  },
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
          ...e.options,
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

/** Prints the lines .vscode/tasks.json's background problem matcher waits for: one pair per rebuild. */
function announcer() {
  let active = 0;
  let errors = 0;
  return {
    name: 'announce',
    setup(b) {
      b.onStart(() => {
        if (active++ === 0) console.log('[watch] build started');
      });
      b.onEnd((r) => {
        errors += r.errors.length;
        if (--active > 0) return;
        console.log(`[watch] build finished (${errors} errors)`);
        errors = 0;
      });
    },
  };
}

async function watchEntries() {
  const announce = announcer();
  const contexts = await Promise.all(
    entries.map((e) =>
      context({
        ...common,
        entryPoints: [join(root, e.in)],
        outfile: join(root, e.out),
        banner: e.banner ? { js: e.banner } : undefined,
        ...e.options,
        plugins: [announce],
      }),
    ),
  );
  // start them together, so the first build is announced once
  await Promise.all(contexts.map((c) => c.watch()));
}

if (process.argv.includes('--watch')) await watchEntries();
else {
  await buildEntries();
  if (process.argv.includes('--tests')) await buildTests();
}
