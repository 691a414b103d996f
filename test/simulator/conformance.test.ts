// The catalog's call graph against the model: over a spread of scenarios, every call the model
// makes is an edge of the catalog of the version it runs (the caller's `calls` names the callee),
// and every call it makes through a pointer (Machine.callIndirect) is one the catalog marks
// indirect. Trace replay and the other QEMU versions lean on those edges. Each version's spread
// reaches every function the model runs in that version.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScenario, ScenarioInput } from '../../simulator/config/build';
import { Phase } from '../../simulator/engine/types';
import { stepsOf } from '../../simulator/model';
import { Simulator } from '../../simulator/simulator';
import { ModelledVersion } from '../../simulator/version';
import { SPREAD, SPREAD_10_0 } from '../helpers/scenarios';

function conformance(version: ModelledVersion, spread: readonly (readonly [string, ScenarioInput])[]): void {
  const missing = new Map<string, Set<string>>();
  const note = (edge: string, scenario: string) => missing.set(edge, (missing.get(edge) ?? new Set()).add(scenario));
  let calls = 0;
  const entered = new Set<number>();
  for (const [name, input] of spread) {
    const sim = new Simulator(buildScenario(input).scenario);
    assert.equal(sim.scenario.qemuVersion, version, name);
    const catalog = sim.catalog;
    const m = sim.m;
    let indirect = false;
    const callIndirect = m.callIndirect.bind(m);
    m.callIndirect = (...args) => {
      indirect = true;
      callIndirect(...args);
      indirect = false;
    };
    m.listener = (ev) => {
      if (ev.phase !== Phase.enter) return;
      entered.add(ev.fn);
      const t = m.s.threads[ev.thread];
      // the caller is the frame below; a coroutine's first frame is entered from the thread's stack
      const below =
        ev.depth >= 2
          ? t.stack.frames[ev.depth - 2]
          : t.stack !== t.native
            ? t.native.frames[t.native.depth - 1]
            : null;
      const byPointer = indirect;
      indirect = false;
      if (!catalog.entry(ev.fn)) note(`${catalog.key(ev.fn)} (not a function of QEMU ${version})`, name);
      if (!below) return;
      calls++;
      const caller = catalog.entry(below.fn);
      // a call names its callee, or `name@qualifier` when the name is shared
      const callee = [catalog.name(ev.fn), catalog.key(ev.fn)];
      const edge = `${catalog.key(below.fn)} → ${catalog.key(ev.fn)}`;
      if (!callee.some((c) => caller?.calls.includes(c))) note(edge, name);
      else if (byPointer && !callee.some((c) => caller?.indirectCalls?.includes(c)))
        note(`${edge} (through a pointer, not marked indirect)`, name);
    };
    sim.run(5_000_000);
    assert.equal(sim.stats().requests.duplicates, 0, name);
  }
  const report = [...missing].map(([edge, where]) => `${edge} (in ${[...where][0]} and ${where.size - 1} more)`);
  assert.deepEqual(report, [], `calls the QEMU ${version} catalog does not list:\n${report.join('\n')}`);
  assert.ok(calls > 100_000, `only ${calls} calls`);
  // the spread reaches every function the model runs in this version
  const unreached = stepsOf(version).flatMap((s) => (s && !entered.has(s.id) ? [s.key] : []));
  assert.deepEqual(unreached, []);
}

test('4.1.0: every call the model makes is a call edge of the catalog, marked indirect when made through a pointer', () =>
  conformance('4.1.0', SPREAD));

test('10.0: every call the model makes is a call edge of the 10.0 catalog, marked indirect when made through a pointer', () =>
  conformance('10.0', SPREAD_10_0));
