// Lint: typescript-eslint's recommended rules (no type information, so it stays fast).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
);
