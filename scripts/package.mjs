// `npm run package` (after `npm run build`): builds the VSIX with vsce into artifacts/, lists what it
// holds, and prints two figures — its size (target ≤ 1 MB) and the extension's activation time
// (target ≤ 50 ms).
//
// Activation time, measured without VS Code: the VSIX is unpacked, then a fresh Node process loads
// the packed dist/extension.js (require: reading, compiling and running the bundle's top level)
// and calls activate() against a stand-in `vscode` module whose API calls do nothing. That is the
// work our code does when VS Code activates it; VS Code's own bookkeeping around it is not included.
// The median of several fresh processes is reported. Inside a real VS Code the extension logs its
// own activate() time to its output channel ("activated in … ms"); `npm start` prints that line.
//
//   node scripts/package.mjs                 build artifacts/<name>-<version>.vsix and report
//   node scripts/package.mjs --measure DIR   (internal) one activation in this process, as JSON
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { extractZip, packageVsix, readZip } from './vsix.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const SIZE_TARGET = 1024 * 1024;
const ACTIVATION_TARGET_MS = 50;
const RUNS = 7;

// ---- a stand-in for the `vscode` module --------------------------------------------------------

function fakeVscode() {
  const disposable = () => ({ dispose() {} });
  const event = () => () => disposable();
  // anything not modelled below: callable, constructible, every property is itself
  const anything = new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' || typeof p === 'symbol' ? undefined : p === 'dispose' ? () => {} : anything),
    apply: () => anything,
    construct: () => anything,
  });
  const soft = (obj) =>
    new Proxy(obj, { get: (t, p) => (p in t ? t[p] : typeof p === 'symbol' || p === 'then' ? undefined : anything) });
  class EventEmitter {
    constructor() {
      this.event = event();
    }
    fire() {}
    dispose() {}
  }
  class Disposable {
    constructor(fn) {
      this.fn = fn;
    }
    dispose() {
      this.fn?.();
    }
    static from(...d) {
      return new Disposable(() => d.forEach((x) => x.dispose()));
    }
  }
  class Uri {
    constructor(path) {
      this.scheme = 'file';
      this.path = path;
      this.fsPath = path;
    }
    static file(p) {
      return new Uri(p);
    }
    static parse(s) {
      return new Uri(s.replace(/^file:\/\//, ''));
    }
    static joinPath(u, ...parts) {
      return new Uri(join(u.fsPath, ...parts));
    }
    toString() {
      return `file://${this.path}`;
    }
  }
  const config = { get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => {} };
  const log = soft({
    name: 'log',
    info() {},
    warn() {},
    error() {},
    debug() {},
    trace() {},
    append() {},
    appendLine() {},
    show() {},
    dispose() {},
  });
  return soft({
    EventEmitter,
    Disposable,
    Uri,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    ExtensionKind: { 1: 'UI', 2: 'Workspace', UI: 1, Workspace: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    TextEditorSelectionChangeKind: { Keyboard: 1, Mouse: 2, Command: 3 },
    window: soft({
      createOutputChannel: () => log,
      createTreeView: () =>
        soft({ visible: false, selection: [], onDidChangeVisibility: event(), reveal: async () => {}, dispose() {} }),
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: event(),
      onDidChangeTextEditorSelection: event(),
    }),
    workspace: soft({
      getConfiguration: () => config,
      workspaceFolders: undefined,
      textDocuments: [],
      onDidChangeTextDocument: event(),
      onDidCloseTextDocument: event(),
      onDidChangeConfiguration: event(),
    }),
    debug: soft({
      breakpoints: [],
      activeStackItem: undefined,
      registerDebugAdapterDescriptorFactory: disposable,
      registerDebugAdapterTrackerFactory: disposable,
      registerDebugConfigurationProvider: disposable,
      onDidReceiveDebugSessionCustomEvent: event(),
      onDidTerminateDebugSession: event(),
      onDidChangeActiveStackItem: event(),
      onDidChangeBreakpoints: event(),
    }),
    commands: soft({ registerCommand: disposable, executeCommand: async () => undefined }),
  });
}

/** Child mode: load and activate the unpacked extension once; print timings as JSON. */
async function measureOnce(extDir) {
  const vscode = fakeVscode();
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  Module._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
  const pkg = JSON.parse(readFileSync(join(extDir, 'package.json'), 'utf8'));
  const main = join(extDir, pkg.main);
  const req = createRequire(main);
  const t0 = performance.now();
  const ext = req(main);
  const t1 = performance.now();
  const context = {
    subscriptions: [],
    extensionUri: vscode.Uri.file(extDir),
    extensionPath: extDir,
    extensionMode: 1,
    extension: { id: 'qemu-io-explorer.qemu-io-explorer', packageJSON: pkg, extensionKind: 2 },
    asAbsolutePath: (p) => join(extDir, p),
  };
  const result = await ext.activate(context);
  const t2 = performance.now();
  // what comes later: the language client library (just after activation), the inline adapter (first session)
  req(join(extDir, 'dist', 'extension-languageClient.js'));
  const t3 = performance.now();
  req(join(extDir, 'dist', 'extension-debugSession.js'));
  const t4 = performance.now();
  process.stdout.write(
    JSON.stringify({
      requireMs: t1 - t0,
      activateMs: t2 - t1,
      reportedMs: result?.activationMs,
      clientMs: t3 - t2,
      sessionMs: t4 - t3,
    }) + '\n',
  );
  process.exit(0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function kib(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}

async function main() {
  const vsix = packageVsix(root);
  const buf = readFileSync(vsix);
  const files = readZip(buf);
  console.log(`\nVSIX ${relative(root, vsix)}: ${files.size} files`);
  for (const [name, data] of [...files].sort(([a], [b]) => a.localeCompare(b)))
    console.log(`  ${name.padEnd(48)} ${kib(data.length).padStart(11)}`);

  const dir = mkdtempSync(join(tmpdir(), 'qemu-io-vsix-'));
  let runs;
  try {
    extractZip(buf, dir);
    const ext = join(dir, 'extension');
    runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--measure', ext], {
        encoding: 'utf8',
      });
      const line = r.stdout.trim().split('\n').pop();
      if (r.status !== 0 || !line?.startsWith('{'))
        throw new Error(`activation measurement failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      runs.push(JSON.parse(line));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const size = statSync(vsix).size;
  const load = median(runs.map((r) => r.requireMs));
  const act = median(runs.map((r) => r.activateMs));
  const total = median(runs.map((r) => r.requireMs + r.activateMs));
  const ok = (v, target) => (v <= target ? 'within' : 'OVER');
  console.log('');
  console.log(`VSIX size:        ${kib(size)} (${size} bytes) — ${ok(size, SIZE_TARGET)} the 1 MB target`);
  console.log(
    `activation time:  ${total.toFixed(1)} ms = load ${load.toFixed(1)} ms + activate() ${act.toFixed(1)} ms — ${ok(total, ACTIVATION_TARGET_MS)} the ${ACTIVATION_TARGET_MS} ms target`,
  );
  console.log(
    `                  (median of ${RUNS} fresh Node ${process.version} processes loading the packed dist/extension.js`,
  );
  console.log(
    '                   against a stand-in vscode module; in VS Code see the output channel\'s "activated in" line)',
  );
  console.log(
    `loaded later:     language client ${median(runs.map((r) => r.clientMs)).toFixed(1)} ms (just after activation), inline debug adapter ${median(runs.map((r) => r.sessionMs)).toFixed(1)} ms (first session)`,
  );
}

const measure = process.argv.indexOf('--measure');
if (measure >= 0) await measureOnce(process.argv[measure + 1]);
else
  await main().catch((e) => {
    console.error(`package: ${e.message}`);
    process.exit(1);
  });
