// The packaged extension: `vsce package` (as `npm run package` runs it) gives a VSIX holding exactly
// the intended files; its bundled debug adapter answers `initialize` over stdio; its
// dist/extension.js loads and activates (against a stand-in vscode module).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { extractZip, packageVsix, readZip } from '../../scripts/vsix.mjs';
import { root } from './root';

/** What the VSIX must hold: nothing more, nothing less. Written out here, not derived from .vscodeignore. */
const EXPECTED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/extension-languageClient.js',
  'extension/dist/extension-debugSession.js',
  'extension/dist/debugAdapter.js',
  'extension/dist/languageServer.js',
  'extension/dist/timeline.js',
  'extension/dist/timeline.css',
  'extension/docs/qemu-io-path.md',
  'extension/media/icon.png',
  'extension/media/qemu-trace.tmLanguage.json',
  'extension/media/walkthrough/document.md',
  'extension/media/walkthrough/tree.md',
  'extension/media/walkthrough/session.md',
];

let tmp = '';
let vsix = '';
let files = new Map<string, Buffer>();

before(() => {
  // dist/ as `npm run build` leaves it (`npm test` has just built it; rebuilding it here would race
  // with other test files running the adapter)
  for (const f of [
    'extension.js',
    'extension-languageClient.js',
    'extension-debugSession.js',
    'debugAdapter.js',
    'languageServer.js',
  ])
    assert.ok(existsSync(join(root, 'dist', f)), `dist/${f}: run npm run build`);
  tmp = mkdtempSync(join(tmpdir(), 'qemu-io-vsix-test-'));
  vsix = packageVsix(root, join(tmp, 'test.vsix'));
  files = readZip(readFileSync(vsix));
  extractZip(readFileSync(vsix), join(tmp, 'unpacked'));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the VSIX holds exactly the intended files, and stays under 1 MB', () => {
  assert.deepEqual([...files.keys()].sort(), [...EXPECTED].sort());
  const size = statSync(vsix).size;
  assert.ok(size <= 1024 * 1024, `${size} bytes`);
  const manifest = JSON.parse(files.get('extension/package.json')!.toString('utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes, pkg.contributes);
  assert.equal(manifest.main, './dist/extension.js');
  assert.equal(
    files.get('extension/docs/qemu-io-path.md')!.toString('utf8'),
    readFileSync(join(root, 'docs', 'qemu-io-path.md'), 'utf8'),
  );
});

/** Sends one DAP request over stdio and waits for its response. */
function dapRequest(
  adapter: string,
  command: string,
  args: object,
): Promise<{ response: DebugProtocol.Response; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [adapter], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = Buffer.alloc(0);
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no ${command} response in 10 s; stderr: ${stderr}`));
    }, 10_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString('ascii'));
        if (!m) return reject(new Error(`bad header: ${buf.subarray(0, end)}`));
        const len = Number(m[1]);
        if (buf.length < end + 4 + len) return;
        const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString('utf8'));
        buf = buf.subarray(end + 4 + len);
        if (msg.type === 'response' && msg.request_seq === 1) {
          clearTimeout(timer);
          child.kill();
          resolve({ response: msg, stderr });
          return;
        }
      }
    });
    const body = JSON.stringify({ seq: 1, type: 'request', command, arguments: args });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

test('the packed debug adapter answers initialize over stdio', async () => {
  const adapter = join(tmp, 'unpacked', 'extension', 'dist', 'debugAdapter.js');
  const { response } = await dapRequest(adapter, 'initialize', {
    clientID: 'vsix-test',
    adapterID: 'qemu-io',
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: 'path',
  });
  assert.equal(response.command, 'initialize');
  assert.equal(response.success, true);
  assert.equal(response.body.supportsFunctionBreakpoints, true);
  assert.equal(response.body.supportsConfigurationDoneRequest, true);
});

test('the packed extension loads and activates (stand-in vscode module), its lazy bundles load', () => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'package.mjs'), '--measure', join(tmp, 'unpacked', 'extension')],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const k of ['requireMs', 'activateMs', 'clientMs', 'sessionMs']) assert.equal(typeof m[k], 'number', k);
  assert.equal(typeof m.reportedMs, 'number', 'activate() returns its own timing');
});
