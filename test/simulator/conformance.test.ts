// The catalog's call graph against the model: over a spread of scenarios, every call the model
// makes is an edge of the catalog (the caller's `calls` names the callee), and every call it makes
// through a pointer (Machine.callIndirect) is one the catalog marks indirect. Trace replay and
// other QEMU versions lean on those edges.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog } from '../../simulator/catalog';
import { buildScenario } from '../../simulator/config/build';
import { Phase } from '../../simulator/engine/types';
import { stepsOf } from '../../simulator/model';
import { Simulator } from '../../simulator/simulator';
import { SPREAD } from '../helpers/scenarios';

test('every call the model makes is a call edge of the catalog, marked indirect when made through a pointer', () => {
  const missing = new Map<string, Set<string>>();
  const note = (edge: string, scenario: string) => missing.set(edge, (missing.get(edge) ?? new Set()).add(scenario));
  let calls = 0;
  const entered = new Set<number>();
  for (const [name, input] of SPREAD) {
    const sim = new Simulator(buildScenario(input).scenario);
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
      if (!below) return;
      calls++;
      const caller = catalog.entry(below.fn)!;
      const callee = catalog.name(ev.fn);
      const edge = `${catalog.key(below.fn)} → ${catalog.key(ev.fn)}`;
      if (!caller.calls.includes(callee)) note(edge, name);
      else if (byPointer && !caller.indirectCalls?.includes(callee))
        note(`${edge} (through a pointer, not marked indirect)`, name);
    };
    sim.run(5_000_000);
    assert.equal(sim.stats().requests.duplicates, 0, name);
  }
  const report = [...missing].map(([edge, where]) => `${edge} (in ${[...where][0]} and ${where.size - 1} more)`);
  assert.deepEqual(report, [], `calls the catalog does not list:\n${report.join('\n')}`);
  assert.ok(calls > 100_000, `only ${calls} calls`);
  // the spread reaches every function the model has
  const unreached = stepsOf('4.1.0').flatMap((s) => (s && !entered.has(s.id) ? [s.key] : []));
  assert.deepEqual(unreached, []);
});
