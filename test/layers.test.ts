// The layers of ARCHITECTURE.md are enforced by eslint.config.mjs (no-restricted-imports per
// folder), so a wrong-way import fails `npm run lint` and `npm test`. Here the rules are run on
// deliberately wrong imports — each must be rejected — and on the allowed ones.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from './extension/root';

const WRONG: readonly (readonly [file: string, source: string])[] = [
  ['common/x.ts', '../simulator/catalog'],
  ['common/x.ts', '../server/language/settings'],
  ['common/x.ts', 'vscode'],
  ['simulator/x.ts', '../server/debug/session'],
  ['simulator/block/x.ts', '../../extension/tree/model'],
  ['simulator/x.ts', '@vscode/debugadapter'],
  ['simulator/engine/x.ts', '../catalog'],
  ['server/debug/x.ts', '../../simulator/virtio/virtqueue'],
  ['server/debug/x.ts', '../../simulator/catalog/qemu-4.1.0'],
  ['server/debug/expr/x.ts', '../../../simulator/engine/types'],
  ['server/debug/x.ts', '../language/hover'],
  ['server/language/x.ts', '../../extension/tree/model'],
  ['server/language/x.ts', '../debug/session'],
  ['extension/x.ts', '../server/debug/launch-config'],
  ['extension/debug/x.ts', '../../simulator'],
  ['extension/tree/x.ts', '../../simulator/engine/machine'],
];

const RIGHT: readonly (readonly [file: string, source: string])[] = [
  ['common/x.ts', './identifiers'],
  ['simulator/x.ts', '../common/frame-name'],
  ['simulator/engine/x.ts', './types'],
  ['server/debug/x.ts', '../../simulator'],
  ['server/language/x.ts', '../../simulator/catalog'],
  ['server/language/x.ts', '../../common/settings'],
  ['extension/x.ts', '../simulator/catalog'],
  ['extension/x.ts', '../common/ids'],
  ['extension/chunks/x.ts', '../../server/debug/session'],
];

test('an import that runs the wrong way between layers is a lint error; the allowed ones are not', async () => {
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: root });
  const errors = async (file: string, text: string) =>
    (await eslint.lintText(text, { filePath: join(root, file) }))[0].messages
      .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
      .map((m) => m.message);
  for (const [file, source] of WRONG) {
    const found = await errors(file, `import { x } from '${source}';\nexport const y = x;\n`);
    assert.equal(found.length, 1, `${file}: import '${source}' must be rejected`);
  }
  for (const [file, source] of RIGHT) {
    assert.deepEqual(
      await errors(file, `import { x } from '${source}';\nexport const y = x;\n`),
      [],
      `${file}: '${source}'`,
    );
  }
  // the extension may name a server type (erased at build time), not import server code
  assert.deepEqual(
    await errors('extension/x.ts', "import type { X } from '../server/debug/launch-config';\nexport type Y = X;\n"),
    [],
  );
});
