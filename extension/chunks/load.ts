// Loads one of the extension's lazily loaded bundles (extension/chunks/*.ts), which
// scripts/build.mjs writes next to dist/extension.js. The path is computed at run time so
// that esbuild leaves the require alone instead of inlining the chunk into dist/extension.js.

import { join } from 'node:path';

export const CHUNKS = {
  languageClient: 'extension-languageClient.js',
  debugSession: 'extension-debugSession.js',
} as const;

export function loadChunk<T>(file: (typeof CHUNKS)[keyof typeof CHUNKS]): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(__dirname, file)) as T;
}
