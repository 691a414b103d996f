// The debug configuration provider's logic without VS Code: defaults for F5 without launch.json,
// settings for unset fields, absolute paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { resolveUserPath } from '../../common/settings';
import { completeConfiguration, withDefaults } from '../../extension/debug/launchDefaults';
import { validateLaunch } from '../../server/debug/launch-config';
import { DEFAULT_SCENARIO } from '../../extension/scenarios';

const noSettings = { qemuSource: '', document: '', trace: false };

test('F5 without a launch.json starts the default scenario (4 KiB write, aio=threads)', () => {
  const c = withDefaults({});
  assert.equal(c.type, 'qemu-io');
  assert.equal(c.request, 'launch');
  assert.equal(c.name, DEFAULT_SCENARIO.name);
  assert.equal(c.aio, 'threads');
  assert.deepEqual(c.workload, { rw: 'write', bs: '4k', requests: 1 });
  validateLaunch(c);
  // a configuration from launch.json is left as it is (type/request/name filled only when absent)
  const mine = { type: 'qemu-io', request: 'launch', name: 'mine', aio: 'native' };
  assert.deepEqual(withDefaults(mine), mine);
});

test("settings fill unset fields; the configuration's own fields win", () => {
  const settings = { qemuSource: '/src/qemu', document: '', trace: true };
  assert.deepEqual(completeConfiguration({ type: 'qemu-io' }, { settings }), {
    type: 'qemu-io',
    trace: true,
    qemuSource: '/src/qemu',
  });
  assert.deepEqual(completeConfiguration({ trace: false, qemuSource: '/other' }, { settings }), {
    trace: false,
    qemuSource: '/other',
  });
  assert.deepEqual(completeConfiguration({}, { settings: noSettings }), {});
});

test('paths become absolute: ${workspaceFolder}, ~, relative to the folder; the fio job file too', () => {
  const ctx = {
    settings: { qemuSource: '${workspaceFolder}/qemu', document: '~/notes/path.md', trace: false },
    workspaceFolder: '/w',
  };
  const c = completeConfiguration({ workload: 'jobs/randread.fio' }, ctx);
  assert.equal(c.qemuSource, '/w/qemu');
  assert.equal(c.document, `${homedir()}/notes/path.md`);
  assert.equal(c.workload, '/w/jobs/randread.fio');
  // an object workload is not a path
  assert.deepEqual(
    completeConfiguration({ workload: { rw: 'read' } }, { settings: noSettings, workspaceFolder: '/w' }).workload,
    { rw: 'read' },
  );
  // an empty path field is dropped rather than sent
  assert.equal('document' in completeConfiguration({ document: '  ' }, { settings: noSettings }), false);
});

test('a trace session: its log made absolute (an empty one kept for the adapter to refuse); the 4.1.0 checkout setting is not given to it', () => {
  const ctx = { settings: { qemuSource: '/src/qemu-4.1.0', document: '', trace: true }, workspaceFolder: '/w' };
  const replay = completeConfiguration({ request: 'launch', traceFile: '${workspaceFolder}/qemu-trace.log' }, ctx);
  assert.equal(replay.traceFile, '/w/qemu-trace.log');
  assert.equal(replay.qemuSource, undefined);
  assert.equal(replay.trace, true);
  assert.equal(completeConfiguration({ traceFile: 'logs/run.log' }, ctx).traceFile, '/w/logs/run.log');
  assert.equal(completeConfiguration({ traceFile: '' }, ctx).traceFile, '');
  // its own checkout (of the traced version) is kept and resolved
  assert.equal(completeConfiguration({ traceFile: '/t.log', qemuSource: 'qemu-10.0' }, ctx).qemuSource, '/w/qemu-10.0');
  validateLaunch(replay);
  validateLaunch({ ...completeConfiguration({ request: 'attach', traceFile: 'x.log' }, ctx) }, 'attach');
});

test('resolveUserPath', () => {
  assert.equal(resolveUserPath('', '/w'), undefined);
  assert.equal(resolveUserPath('/abs/x', '/w'), '/abs/x');
  assert.equal(resolveUserPath('rel/x', '/w'), '/w/rel/x');
  assert.equal(resolveUserPath('~', '/w'), homedir());
  assert.equal(resolveUserPath('${userHome}/q', '/w'), `${homedir()}/q`);
  // nothing to expand ${workspaceFolder} with: left for the adapter to report
  assert.equal(resolveUserPath('${workspaceFolder}/q', undefined), '${workspaceFolder}/q');
});
