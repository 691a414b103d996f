// package.json's contribution against the code: the generated debugger attributes must equal the
// typed launch configuration (fails on drift), the snippets must be valid scenarios, and every id
// the extension uses must be declared (and the other way round).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachSchema, launchSchema, scenarioInputFrom, validateLaunch } from '../../server/debug/launch-config';
import { buildScenario } from '../../simulator/config/build';
import { COMMANDS, CONTEXT, DEBUG_TYPE, DOCUMENT_LANGUAGES, VIEW_ID } from '../../common/ids';
import {
  configurationContribution,
  restrictedConfigurations,
  settingKey,
  SettingName,
  settingValue,
} from '../../common/settings';
import {
  configurationSnippets,
  initialConfigurations,
  launchConfiguration,
  SCENARIOS,
  TRACE_FILE,
} from '../../extension/scenarios';
import { looksLikeQemuTrace } from '../../common/trace-line';
import { DEFAULT_SETTINGS } from '../../server/language/settings';
import { root } from './root';

/* eslint-disable @typescript-eslint/no-explicit-any */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const debuggerContribution = contributes.debuggers.find((d: any) => d.type === DEBUG_TYPE);

/** JSON with // comments (VS Code's settings and launch files). */
function readJsonc(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, ''));
}

test('configurationAttributes.launch/attach are exactly launchSchema()/attachSchema() (regenerate with `npm run build`)', () => {
  assert.ok(debuggerContribution, 'a qemu-io debugger contribution');
  assert.deepEqual(debuggerContribution.configurationAttributes, { launch: launchSchema(), attach: attachSchema() });
});

test('initialConfigurations and configurationSnippets are generated from extension/scenarios.ts', () => {
  assert.deepEqual(debuggerContribution.initialConfigurations, initialConfigurations());
  assert.deepEqual(debuggerContribution.configurationSnippets, configurationSnippets());
});

test('contributes.configuration and the untrusted-workspace restrictions are generated from common/settings.ts', () => {
  assert.deepEqual(contributes.configuration, configurationContribution());
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedConfigurations());
  // the paths that would make the extension read files elsewhere, and how the adapter runs, stay restricted
  assert.deepEqual(restrictedConfigurations(), [
    'qemuIoExplorer.qemuSource',
    'qemuIoExplorer.document',
    'qemuIoExplorer.adapterMode',
  ]);
  // values are read by the table's types: anything else falls back to the default
  assert.equal(settingValue('adapterMode', 'external'), 'external');
  assert.equal(settingValue('adapterMode', 'sideways'), undefined);
  assert.equal(settingValue('codeLens', 'false'), undefined);
  assert.deepEqual(settingValue('linkLanguages', ['c']), ['c']);
  assert.equal(settingValue('linkLanguages', ['c', 1]), undefined);
});

test('scripts/gen-manifest.mjs --check agrees that package.json is up to date', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-manifest.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
});

/** A snippet body as VS Code inserts it: `^"\${…}"` strings become `${…}` (see snippetBody). */
function inserted(body: Record<string, unknown>): any {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [
      k,
      typeof v === 'string' && v.startsWith('^"') ? JSON.parse(v.slice(1).replaceAll('\\$', '$')) : v,
    ]),
  );
}

/** A trace session's configuration is valid: the fields fit a replay (launch) or a follow (attach). */
function validTrace(c: any): void {
  assert.ok(typeof c.traceFile === 'string' && c.traceFile.length > 0, c.name);
  assert.doesNotThrow(() => validateLaunch(c, c.request), c.name);
}

test("the snippets cover the issue's scenarios, and each is a valid launch that builds a scenario", () => {
  const configs = configurationSnippets().map((s) => inserted(s.body));
  // the inserted snippet is the scenario's configuration, variables and all
  assert.deepEqual(configs, SCENARIOS.map(launchConfiguration));
  const has = (p: (c: any) => boolean, what: string) => assert.ok(configs.some(p), what);
  has(
    (c) => c.aio === 'threads' && c.workload?.rw === 'write' && c.workload?.bs === '4k' && !c.iothread,
    '4 KiB write aio=threads',
  );
  has((c) => c.aio === 'native' && c.cache === 'none' && !c.iothread, 'the same with aio=native, cache=none');
  has((c) => c.iothread === true, 'with an iothread');
  has(
    (c) => c.workload?.rw === 'randread' && c.workload?.iodepth === 32 && c.workload?.bs === '4k',
    '4 KiB randread QD32',
  );
  has(
    (c) => c.werror === 'stop' && c.faults?.some((f: string) => f.startsWith('write:')),
    'a failing write with werror=stop',
  );
  has((c) => typeof c.qemu === 'string' && c.qemu.includes('-drive'), 'paste your QEMU command line');
  has((c) => c.request === 'launch' && c.traceFile === TRACE_FILE, 'replay a QEMU trace');
  has((c) => c.request === 'attach' && c.traceFile === TRACE_FILE, 'follow a QEMU trace');
  for (const c of configs) {
    assert.equal(c.type, DEBUG_TYPE);
    if (c.traceFile !== undefined) {
      validTrace(c);
      continue;
    }
    assert.equal(c.request, 'launch');
    const input = scenarioInputFrom(validateLaunch(c));
    assert.doesNotThrow(() => buildScenario(input), c.name);
  }
  // snippet syntax: a variable is kept for launch time, escaped
  const replay = configurationSnippets().find((s) => s.body.request === 'launch' && s.body.traceFile)!;
  assert.equal(replay.body.traceFile, '^"\\${workspaceFolder}/qemu-trace.log"');
  assert.equal(new Set(SCENARIOS.map((s) => s.id)).size, SCENARIOS.length, 'scenario ids are unique');
  assert.equal(new Set(configs.map((c) => c.name)).size, configs.length, 'configuration names are unique');
});

test("sizes and durations may be bare numbers (in the field's base unit) or strings with a unit", () => {
  const asNumbers = scenarioInputFrom(
    validateLaunch({
      workload: { bs: 4096, offset: 1048576, size: 67108864, runtime: 2, thinktime: 50 },
      device: { readLatency: 80000, bandwidth: 3e9 },
    }),
  );
  const asStrings = scenarioInputFrom(
    validateLaunch({
      workload: { bs: '4k', offset: '1M', size: '64M', runtime: '2s', thinktime: '50us' },
      device: { readLatency: '80us', bandwidth: '3000000000' },
    }),
  );
  assert.deepEqual(asNumbers, asStrings);
  assert.equal(asNumbers.workload?.bs, 4096);
  assert.equal(asNumbers.workload?.runtimeNs, 2e9);
  assert.equal(asNumbers.device?.readLatencyNs, 80_000);
  assert.throws(
    () => validateLaunch({ workload: { bs: -4096 } }),
    /"workload.bs" is -4096; expected a number, or a string with a unit/,
  );
  assert.throws(
    () => scenarioInputFrom(validateLaunch({ workload: { bs: 4096.5 } })),
    /workload.bs: "4096.5" is not a whole number of bytes/,
  );
});

test('examples/: launch.json holds every snippet, each of its configurations is valid; settings open Run and Debug', () => {
  const examples = join(root, 'examples');
  const launch = readJsonc(join(examples, '.vscode', 'launch.json'));
  for (const s of configurationSnippets()) {
    assert.deepEqual(
      launch.configurations.find((c: any) => c.name === s.body.name),
      inserted(s.body),
      String(s.body.name),
    );
  }
  for (const c of launch.configurations) {
    const resolved = JSON.parse(JSON.stringify(c).replaceAll('${workspaceFolder}', examples));
    if (typeof resolved.workload === 'string') assert.ok(existsSync(resolved.workload), resolved.workload);
    if (resolved.traceFile !== undefined) {
      // the example trace is there, and is a real QEMU trace log
      validTrace(resolved);
      assert.ok(looksLikeQemuTrace(readFileSync(resolved.traceFile, 'utf8')), resolved.traceFile);
      continue;
    }
    const input = scenarioInputFrom(validateLaunch(resolved));
    if (input.fioFile) input.fioText = readFileSync(input.fioFile, 'utf8');
    assert.doesNotThrow(() => buildScenario(input), c.name);
  }
  const settings = readJsonc(join(examples, '.vscode', 'settings.json'));
  assert.equal(settings['debug.openDebug'], 'openOnSessionStart');
  const notes = readFileSync(join(examples, 'notes.md'), 'utf8');
  assert.match(notes, /virtio_blk_handle_vq/);
  assert.ok(existsSync(join(examples, 'randwrite-qd8.fio')));
});

test('commands: ids.ts and the manifest declare the same set; every reference names a declared command', () => {
  const declared = new Set<string>(contributes.commands.map((c: any) => c.command));
  assert.deepEqual([...declared].sort(), Object.values(COMMANDS).sort());
  for (const c of contributes.commands) assert.ok(c.title && c.category === 'QEMU I/O', c.command);
  for (const [where, items] of Object.entries(contributes.menus) as [string, any[]][]) {
    for (const i of items) assert.ok(declared.has(i.command), `${where}: ${i.command}`);
  }
  const links = JSON.stringify([contributes.viewsWelcome, contributes.walkthroughs]).match(/command:[A-Za-z.]+/g) ?? [];
  assert.ok(links.length >= 5);
  for (const l of links) assert.ok(declared.has(l.slice('command:'.length)), l);
  // the language server's code lenses call these two
  assert.ok(declared.has('qemuIoExplorer.toggleFunctionBreakpoint') && declared.has('qemuIoExplorer.revealInTree'));
});

test('view, walkthrough, settings, breakpoints, activation and workspace trust are declared', () => {
  assert.deepEqual(
    contributes.views.debug.map((v: any) => [v.id, v.name]),
    [[VIEW_ID, 'QEMU I/O Path']],
  );
  assert.ok(contributes.viewsWelcome.every((w: any) => w.view === VIEW_ID));
  assert.ok(contributes.viewsWelcome.some((w: any) => w.when === CONTEXT.namedOnly));
  const steps = contributes.walkthroughs[0].steps;
  assert.deepEqual(
    steps.map((s: any) => s.id),
    ['openDocument', 'showTree', 'startSession'],
  );
  for (const s of steps) assert.ok(existsSync(join(root, s.media.markdown)), s.media.markdown);
  assert.deepEqual(contributes.configuration.properties['qemuIoExplorer.adapterMode'].enum, ['inline', 'external']);
  assert.deepEqual(
    contributes.breakpoints.map((b: any) => b.language),
    [...DOCUMENT_LANGUAGES],
  );
  for (const l of DOCUMENT_LANGUAGES) assert.ok(pkg.activationEvents.includes(`onLanguage:${l}`), l);
  assert.ok(pkg.activationEvents.includes(`onDebugResolve:${DEBUG_TYPE}`));
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.deepEqual(trust.restrictedConfigurations, [
    'qemuIoExplorer.qemuSource',
    'qemuIoExplorer.document',
    'qemuIoExplorer.adapterMode',
  ]);
  assert.match(trust.description, /never code/);
  assert.match(trust.description, /adapterMode/);
  // the simulator, the adapter and the language server read local files
  const virtual = pkg.capabilities.virtualWorkspaces;
  assert.equal(virtual.supported, 'limited');
  assert.match(virtual.description, /local files/);
  // every setting the language server reads is declared, with the server's default
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    const prop = contributes.configuration.properties[settingKey(key as SettingName)];
    assert.ok(prop, key);
    assert.deepEqual(prop.default, value ?? '', key);
  }
  assert.deepEqual(pkg.extensionKind, ['workspace']);
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(existsSync(join(root, pkg.icon)));
});
