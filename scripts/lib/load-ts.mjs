// Loads the project's TypeScript in a build script: bundles an entry's exports with esbuild and
// evaluates the bundle as a CommonJS module (the bundle is our own code, built just now).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

/** The exports of `contents`, a TypeScript module resolved from the project's root. */
export async function loadTs(contents, name) {
  const bundle = await build({
    stdin: { contents, resolveDir: root, sourcefile: `${name}.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', '__filename', '__dirname', bundle.outputFiles[0].text)(
    mod,
    mod.exports,
    createRequire(join(root, 'package.json')),
    join(root, `${name}.js`),
    root,
  );
  return mod.exports;
}
