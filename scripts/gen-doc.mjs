// Writes the generated parts of docs/qemu-io-path.md: each function entry's "Since X.Y" / "In
// 10.0" lines, from the catalogs' dated changes (scripts/doc-changes.ts). `npm run build` runs
// it; with --check it changes nothing and exits 1 when the document is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTs, root } from './lib/load-ts.mjs';

const { withPathChanges } = await loadTs("export { withPathChanges } from './scripts/doc-changes';", 'gen-doc-entry');
const file = join(root, 'docs', 'qemu-io-path.md');
const before = readFileSync(file, 'utf8');
const after = withPathChanges(before);
if (after === before) process.exit(0);
if (process.argv.includes('--check')) {
  console.error('gen-doc: the generated parts of docs/qemu-io-path.md are out of date; run `npm run build`');
  process.exit(1);
}
writeFileSync(file, after);
console.log('gen-doc: updated the generated parts of docs/qemu-io-path.md');
