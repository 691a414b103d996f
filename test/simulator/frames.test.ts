// Frame layouts: every step is a const named after its QEMU function, declares its arguments and
// locals once, and never writes an argument; the Locals view shows exactly what a step declares.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalog } from '../../simulator/catalog';
import { buildScenario } from '../../simulator/config/build';
import { Frame, SLOTS } from '../../simulator/engine/types';
import { frameLocals } from '../../simulator/inspect';
import { isStep, STEP_MODULES, stepsOf } from '../../simulator/model';

const STEPS = stepsOf('4.1.0');
import { Simulator } from '../../simulator/simulator';
import { SPREAD } from '../helpers/scenarios';

describe('steps', () => {
  test("every step is exported under its QEMU function's name, once", () => {
    const seen = new Map<number, string>();
    for (const mod of STEP_MODULES) {
      for (const [exported, v] of Object.entries(mod)) {
        if (!isStep(v)) continue;
        assert.equal(exported, catalog.name(v.id), `${v.key} is exported as ${exported}`);
        assert.equal(catalog.key(v.id), v.key);
        assert.ok(!seen.has(v.id), `${v.key} is defined twice`);
        seen.set(v.id, exported);
      }
    }
    assert.equal(seen.size, STEPS.filter(Boolean).length);
    assert.ok(seen.size > 150, `only ${seen.size} steps`);
  });

  test('layouts: arguments first, at most 3, all names distinct, at most 4 slots', () => {
    for (const s of STEPS) {
      if (!s) continue;
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
    for (const [, input] of SPREAD) {
      const sim = new Simulator(buildScenario(input).scenario);
      const m = sim.m;
      m.steps.forEach((run, id) => {
        const args = STEPS[id]?.args;
        if (!args?.length) return;
        m.steps[id] = (mm, t, f: Frame) => {
          const before = args.map((a) => f[a.slot]);
          run(mm, t, f);
          checked++;
          args.forEach((a, i) => {
            if (f[a.slot] !== before[i] && f.fn === id) written.add(`${catalog.key(id)}.${a.name}`);
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
    const sim = new Simulator(buildScenario(SPREAD[0][1]).scenario);
    const shown = new Set<number>();
    sim.listener = (ev) => {
      if (ev.phase !== 0) return;
      const t = sim.m.s.threads[ev.thread];
      for (let i = 0; i < t.stack.depth; i++) {
        const f = t.stack.frames[i];
        if (shown.has(f.fn)) continue;
        shown.add(f.fn);
        const def = STEPS[f.fn]!;
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
  });
});
