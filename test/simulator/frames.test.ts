// Frame layouts: every step is a const named after its QEMU function, declares its arguments and
// locals once, and never writes an argument; the Locals view shows exactly what a step declares.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOG_VERSIONS, getCatalog } from '../../simulator/catalog';
import { buildScenario } from '../../simulator/config/build';
import { Frame, SLOTS } from '../../simulator/engine/types';
import { frameLocals } from '../../simulator/inspect';
import { isStep, STEP_DEFS, STEP_MODULES, stepsOf } from '../../simulator/model';
import { Simulator } from '../../simulator/simulator';
import { MODELLED_VERSIONS } from '../../simulator/version';
import { SPREAD, SPREAD_10_0 } from '../helpers/scenarios';

describe('steps', () => {
  test("every step is exported under its QEMU function's name, once, and is that function in some version", () => {
    const seen = new Map<string, string>();
    for (const mod of STEP_MODULES) {
      for (const [exported, v] of Object.entries(mod)) {
        if (!isStep(v)) continue;
        assert.equal(exported, v.key.split('@')[0], `${v.key} is exported as ${exported}`);
        assert.ok(
          CATALOG_VERSIONS.some((c) => getCatalog(c).key(v.id) === v.key),
          `${v.key}: no catalog names id ${v.id} so`,
        );
        assert.ok(!seen.has(v.key), `${v.key} is defined twice`);
        seen.set(v.key, exported);
      }
    }
    assert.equal(seen.size, STEP_DEFS.length);
    assert.ok(seen.size > 150, `only ${seen.size} steps`);
  });

  test('each version runs one step per function it has, named as in that version or an earlier one', () => {
    for (const version of MODELLED_VERSIONS) {
      const c = getCatalog(version);
      stepsOf(version).forEach((s, id) => {
        if (!s) return;
        assert.ok(c.entry(id), `${version}: ${s.key} runs, but QEMU ${version} has no such function`);
      });
    }
  });

  test('layouts: arguments first, at most 3, all names distinct, at most 4 slots', () => {
    for (const s of STEP_DEFS) {
      const all = [...s.args, ...s.locals];
      assert.ok(s.args.length <= 3 && all.length <= SLOTS.length, s.key);
      assert.deepEqual(
        all.map((x) => x.slot),
        SLOTS.slice(0, all.length),
        `${s.key}: slots in declaration order`,
      );
      assert.equal(new Set(all.map((x) => x.name)).size, all.length, `${s.key}: names`);
      assert.equal(new Set(s.at).size, s.at.length, `${s.key}: resume points`);
    }
  });
});

describe('frames at run time', () => {
  test('no step writes an argument slot it declared, over a spread of scenarios', () => {
    const written = new Set<string>();
    let checked = 0;
    for (const [, input] of [...SPREAD, ...SPREAD_10_0]) {
      const sim = new Simulator(buildScenario(input).scenario);
      const m = sim.m;
      const steps = stepsOf(sim.scenario.qemuVersion);
      m.steps.forEach((run, id) => {
        const args = steps[id]?.args;
        if (!args?.length) return;
        m.steps[id] = (mm, t, f: Frame) => {
          const before = args.map((a) => f[a.slot]);
          run(mm, t, f);
          checked++;
          args.forEach((a, i) => {
            if (f[a.slot] !== before[i] && f.fn === id) written.add(`${sim.catalog.key(id)}.${a.name}`);
          });
        };
      });
      sim.run(5_000_000);
      assert.equal(sim.stats().requests.duplicates, 0);
    }
    assert.deepEqual([...written], []);
    assert.ok(checked > 100_000, `only ${checked} steps checked`);
  });

  test('the Locals view names exactly the declared arguments and locals, and where the frame resumes', () => {
    for (const [, input] of [SPREAD[0], SPREAD_10_0[0]]) locals(new Simulator(buildScenario(input).scenario));
  });
});

function locals(sim: Simulator): void {
  const steps = stepsOf(sim.scenario.qemuVersion);
  const shown = new Set<number>();
  sim.listener = (ev) => {
    if (ev.phase !== 0) return;
    const t = sim.m.s.threads[ev.thread];
    for (let i = 0; i < t.stack.depth; i++) {
      const f = t.stack.frames[i];
      if (shown.has(f.fn)) continue;
      shown.add(f.fn);
      const def = steps[f.fn]!;
      const locals = frameLocals(sim.m, f);
      const names = Object.keys(locals).filter((k) => k !== 'request' && k !== 'resumes_at');
      assert.deepEqual(
        names,
        [...def.args, ...def.locals].map((s) => s.name),
        def.key,
      );
      assert.ok(
        f.pc === 0 ? locals.resumes_at === 'entry' : def.at.includes(String(locals.resumes_at)),
        `${def.key} resumes at ${locals.resumes_at}`,
      );
    }
  };
  sim.run(200_000);
  assert.ok(shown.size > 60, `only ${shown.size} functions seen`);
}
