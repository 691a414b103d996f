// Builds the extension's lazily loaded bundles next to dist/extension.js (which scripts/build.mjs
// builds from extension/main.ts): keeping the language client library and the inline debug
// adapter (with the simulator) out of dist/extension.js keeps activation fast. Part of `npm run build`.
import { build } from 'esbuild';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const chunks = [
  { in: 'extension/chunks/languageClient.ts', out: 'dist/extension-languageClient.js' },
  { in: 'extension/chunks/debugSession.ts', out: 'dist/extension-debugSession.js' },
];

await Promise.all(
  chunks.map((c) =>
    build({
      entryPoints: [join(root, c.in)],
      outfile: join(root, c.out),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      minifySyntax: true,
      logLevel: 'warning',
      external: ['vscode'],
    }),
  ),
);
