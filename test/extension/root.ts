// The project root: the nearest folder above the (bundled) test holding a package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  throw new Error(`no package.json above ${dir}`);
}

export const root = findRoot(__dirname);
