// Lint: typescript-eslint's recommended rules (no type information, so it stays fast), and the
// layers of ARCHITECTURE.md: an import that runs the wrong way fails `npm run lint` (and so
// `npm test`; test/layers.test.ts proves each rule rejects one).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A forbidden import: `regex` is matched against the import's specifier. */
const forbid = (regex, message, extra = {}) => ({ regex, message, ...extra });

const EDITOR = forbid(
  '^(vscode|vscode-[a-z-]+|@vscode/[a-z-]+)(/.*)?$',
  'common/ and simulator/ know nothing of VS Code, DAP or LSP.',
);
const SIMULATOR = forbid('(^|/)simulator(/|$)', 'common/ is shared by all and imports nothing of the project.');
const SERVER = forbid('(^|/)server(/|$)', 'Only the extension (its chunks) and tests may depend on server/.');
const EXTENSION = forbid('(^|/)extension(/|$)', 'Nothing depends on the extension; shared names live in common/.');
const SIMULATOR_INSIDE = forbid(
  '(^|/)simulator/(?!catalog$).+',
  "Import the simulator from its public module, simulator/index.ts ('…/simulator'), or the catalog from '…/simulator/catalog'.",
);

/** One rule per folder: later blocks replace earlier ones for the files they match. */
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.cache/', 'artifacts/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-fallthrough': ['error', { commentPattern: 'fall ?through' }],
    },
  },
  // The timeline webview runs in the browser.
  { files: ['extension/timeline/webview/**'], languageOptions: { globals: globals.browser } },
  // The e2e scripts pass some functions to the browser page (page.evaluate).
  { files: ['test/e2e/**'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },

  // ---- layers (ARCHITECTURE.md) ----------------------------------------------------------------
  layer(['common/**'], [SIMULATOR, SERVER, EXTENSION, EDITOR]),
  layer(['simulator/**'], [SERVER, EXTENSION, EDITOR]),
  // the engine knows nothing of QEMU: it imports only itself
  layer(
    ['simulator/engine/**'],
    [forbid('^\\.\\./', 'simulator/engine/ imports only simulator/engine/ (the model builds on it, not the reverse).')],
  ),
  layer(
    ['server/debug/**'],
    [
      EXTENSION,
      SIMULATOR_INSIDE,
      forbid('^(\\.\\./)+language(/|$)', 'The debug adapter and the language server are separate programs.'),
    ],
  ),
  layer(
    ['server/language/**'],
    [
      EXTENSION,
      SIMULATOR_INSIDE,
      forbid('^(\\.\\./)+debug(/|$)', 'The debug adapter and the language server are separate programs.'),
    ],
  ),
  // the extension reads the catalog; the servers it embeds are loaded as chunks (extension/chunks/)
  layer(
    ['extension/**'],
    [
      { ...SERVER, allowTypeImports: true },
      forbid(
        '(^|/)simulator(/(?!catalog$).*)?$',
        'The extension reads the catalog (…/simulator/catalog); it runs the simulator only through the debug adapter.',
      ),
    ],
    ['extension/chunks/**'],
  ),
  layer(['extension/chunks/**'], [SIMULATOR_INSIDE]),
);
