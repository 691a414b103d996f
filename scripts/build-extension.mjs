// Builds the extension's lazily loaded bundles next to dist/extension.js (which scripts/build.mjs
// builds from extension/main.ts), and the timeline webview's browser bundle: keeping the language client library and the inline debug
// adapter (with the simulator) out of dist/extension.js keeps activation fast. Part of `npm run build`.
import { build } from 'esbuild';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const chunks = [
  { in: 'extension/chunks/languageClient.ts', out: 'dist/extension-languageClient.js' },
  { in: 'extension/chunks/debugSession.ts', out: 'dist/extension-debugSession.js' },
];

// the timeline webview's script (and the stylesheet it imports): a browser bundle, no Node
const webview = build({
  entryPoints: [join(root, 'extension/timeline/webview/main.ts')],
  outfile: join(root, 'dist/timeline.js'),
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

await Promise.all([
  webview,
  ...chunks.map((c) =>
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
]);
