// Shared by scripts/package.mjs and test/extension/vsix.test.ts: where the VSIX goes, how it is
// built (vsce 3.9.2, offline, no dependency scan: everything the extension runs is bundled in
// dist/), and a small reader for its zip container.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

// (No import.meta here: the tests bundle this file to CommonJS. Callers pass the project root.)

/** <root>/artifacts/<name>-<version>.vsix */
export function vsixPath(root, dir = join(root, 'artifacts')) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return join(dir, `${pkg.name}-${pkg.version}.vsix`);
}

/** Runs `vsce package` in `root`; returns the VSIX path. Throws with vsce's output when it fails. */
export function packageVsix(root, out = vsixPath(root)) {
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run `npm ci`');
  mkdirSync(dirname(out), { recursive: true });
  const r = spawnSync(
    process.execPath,
    // README's relative links (docs/…) stay relative: the project has no public repository URL to prefix
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return out;
}

/** The entries of a zip file: name → uncompressed bytes (stored and deflated entries). */
export function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + compressed);
    if (method === 0) files.set(name, Buffer.from(data));
    else if (method === 8) files.set(name, inflateRawSync(data));
    else throw new Error(`${name}: unsupported zip compression method ${method}`);
  }
  return files;
}

/** Writes a zip's entries under `dir`. */
export function extractZip(buf, dir) {
  for (const [name, data] of readZip(buf)) {
    const to = join(dir, name);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, data);
  }
}
