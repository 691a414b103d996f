// Fidelity: the simulator against real QEMU, request by request. Each shared real log is
// replayed — its own requests (--workload-from-trace) with the settings and -trace events of
// its command line (*.cmd.txt) — and every request's sequence of trace-event names in the
// simulation's `--format qemu-trace` output is compared with the same request's in the log.
// Both logs are read by the same two readers: the trace library (which requests, merged how)
// and the independent per-request extraction of test/helpers/request-sequences.ts.
//
// What may differ, and nothing else:
// - what QEMU changed between the modelled version and the logged one, as the catalogs date it
//   (an event renamed or removed on the way, one added after the model's version): derived
//   from simulator/catalog, never listed here;
// - the EXCEPTIONS below, each a difference that comes from the guest's timing, by name.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CatalogVersion, ChangeNote, getCatalog } from '../../simulator/catalog';
import { lookupEvent } from '../../simulator/catalog/versions';
import { releaseIndex, releaseOf } from '../../simulator/catalog/releases';
import { buildScenario } from '../../simulator/config/build';
import { readTraceWorkload } from '../../simulator/config/trace-workload';
import { LineBuffer } from '../../simulator/output/line-buffer';
import { qemuTraceSink } from '../../simulator/output/qemu-trace';
import { onlyEnabled } from '../../simulator/output/trace-filter';
import { Simulator } from '../../simulator/simulator';
import { TraceReader } from '../../simulator/trace/reader';
import type { RequestRecord } from '../../simulator/trace/rebuild';
import { requestSequences } from '../helpers/request-sequences';

const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'traces');

interface Config {
  name: string;
  /** The QEMU version the simulation runs, and the one that wrote the log. */
  model: CatalogVersion;
  logged: CatalogVersion;
  log: string;
  cmd: string;
}

const CONFIGS: Config[] = [
  ...['threads', 'native', 'iothread-native'].map((c): Config => ({
    name: `${c}.7.2`,
    model: '4.1.0',
    logged: '7.2',
    log: `7.2/${c}.log`,
    cmd: `7.2/${c}.cmd.txt`,
  })),
  ...['threads', 'native', 'iothread-native', 'io_uring'].map((c): Config => ({
    name: `${c}.10.0`,
    model: '10.0',
    logged: '10.0',
    log: `10.0/${c}.10.0.log`,
    cmd: `10.0/${c}.10.0.cmd.txt`,
  })),
];

// ---- the allowed differences --------------------------------------------------------------

/** The events of the interrupt: whether they fire for a completion is the guest's timing. */
const INTERRUPT = new Set(['virtio_notify', 'virtio_notify_irqfd', 'virtio_notify_irqfd_deferred_fn']);

interface Exception {
  name: string;
  why: string;
  /** Does it account for the whole difference between the two sequences? */
  explains(logged: readonly string[], simulated: readonly string[]): boolean;
}

const EXCEPTIONS: Exception[] = [
  {
    name: 'interrupt suppression',
    why:
      'whether a completion interrupts the guest depends on the used_event the guest last published ' +
      '(EVENT_IDX): the real guest, slow under TCG, was still reaping earlier completions or had ' +
      'already re-armed when this one came, the simulated guest the other way round; everything ' +
      'else the request did is the same',
    explains: (a, b) => same(without(a, INTERRUPT), without(b, INTERRUPT)),
  },
];

const without = (seq: readonly string[], drop: ReadonlySet<string>): string[] => seq.filter((e) => !drop.has(e));
const same = (a: readonly string[], b: readonly string[]): boolean => a.join(' ') === b.join(' ');

interface Rename {
  to: string | null;
  notes: readonly ChangeNote[];
}

/**
 * How each event of the model's version reads in the logged version, from the catalogs' dated
 * changes: renamed (to the new name), removed (null), or the same; and the logged events that
 * came after the model's version (dropped from the log's sequences).
 */
function versionChanges(model: CatalogVersion, logged: CatalogVersion) {
  const renames = new Map<string, Rename>();
  const later = new Map<string, Rename>();
  const loggedCat = getCatalog(logged);
  const modelRelease = releaseIndex(releaseOf(model)!);
  const modelName = (name: string): Rename => {
    let r = renames.get(name);
    if (!r) {
      const at = lookupEvent(name).versions.find((v) => v.version === logged)!;
      const to = at.name ?? null;
      r = { to, notes: to === name ? [] : loggedCat.changesOf(name).filter((n) => n.kind === 'event') };
      renames.set(name, r);
    }
    return r;
  };
  const loggedName = (name: string): Rename => {
    let r = later.get(name);
    if (!r) {
      const life = lookupEvent(name).lifetime;
      const added = life && !life.beforeFirst && releaseIndex(life.from) > modelRelease && !life.previous;
      r = { to: added ? null : name, notes: added ? loggedCat.changesOf(name).filter((n) => n.kind === 'event') : [] };
      later.set(name, r);
    }
    return r;
  };
  return {
    /** The simulated sequence as the logged version would print it. */
    simulated: (seq: readonly string[]) => seq.map((e) => modelName(e).to).filter((e): e is string => e !== null),
    /** The logged sequence without what the model's version did not have yet. */
    logged: (seq: readonly string[]) => seq.map((e) => loggedName(e).to).filter((e): e is string => e !== null),
    /** What was applied, for the report, and any change with no dated note behind it. */
    applied: () => [...renames, ...later].filter(([name, r]) => r.to !== name).map(([name, r]) => ({ name, ...r })),
  };
}

// ---- running --------------------------------------------------------------------------------

async function simulateLog(c: Config): Promise<string> {
  const log = join(dir, c.log);
  const { workload } = await readTraceWorkload(log, 'fidelity');
  const { scenario } = buildScenario({
    qemu: readFileSync(join(dir, c.cmd), 'utf8'),
    qemuVersion: c.model,
    traceWorkload: workload,
  });
  assert.equal(scenario.qemuVersion, c.model);
  const sim = new Simulator(scenario);
  const out = new LineBuffer();
  sim.m.tracer = onlyEnabled(scenario.traceEvents, qemuTraceSink(sim.m, out));
  sim.run(20_000_000);
  assert.ok(sim.done, `${c.name}: the replay ran to its end`);
  return out.takeString();
}

/** The trace library's requests, in the order QEMU popped them. */
function readRequests(text: string): RequestRecord[] {
  const out: RequestRecord[] = [];
  const reader = new TraceReader(null, { onRequest: (r) => out.push(r) });
  reader.push(Buffer.from(text, 'latin1'));
  reader.end();
  const pop = (r: RequestRecord): number => r.stages.find((s) => s.stage === 'pop')!.line;
  return out.sort((a, b) => pop(a) - pop(b));
}

const keyOf = (r: { op: string; sector: number; nsectors: number }): string =>
  r.op === 'flush' ? 'flush' : `${r.op} ${r.sector}+${r.nsectors}`;

/** Requests by identity: op, sector, size and occurrence (`write 0+8 #1`). */
function byIdentity<T extends { op: string; sector: number; nsectors: number }>(list: T[]): Map<string, T> {
  const seen = new Map<string, number>();
  const out = new Map<string, T>();
  for (const r of list) {
    const k = keyOf(r);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    out.set(`${k} #${n}`, r);
  }
  return out;
}

for (const c of CONFIGS) {
  describe(`fidelity ${c.name} (QEMU ${c.model} model against the ${c.logged} log)`, () => {
    const loggedText = readFileSync(join(dir, c.log), 'latin1');
    const logged = requestSequences(loggedText);
    let simulatedText = '';
    let simulated: ReturnType<typeof requestSequences>;

    test('the replay issues the log’s requests; both readers agree on them, merges included', async () => {
      simulatedText = await simulateLog(c);
      simulated = requestSequences(simulatedText);
      for (const [side, text, seqs] of [
        ['log', loggedText, logged],
        ['simulation', simulatedText, simulated],
      ] as const) {
        const records = byIdentity(readRequests(text).map((r) => ({ ...r, op: r.op === 'other' ? 'flush' : r.op })));
        const extracted = byIdentity(seqs.requests);
        assert.deepEqual([...records.keys()].sort(), [...extracted.keys()].sort(), `${side}: the same requests`);
        // the library's merges are the extraction's virtio_blk_submit_multireq
        for (const [k, r] of records)
          assert.equal(r.merged > 1, extracted.get(k)!.events.includes('virtio_blk_submit_multireq'), `${side} ${k}`);
      }
      const realMerges = byIdentity(readRequests(loggedText));
      const simMerges = byIdentity(readRequests(simulatedText));
      assert.deepEqual([...simMerges.keys()], [...realMerges.keys()], 'popped in the same order');
      for (const [k, r] of realMerges) assert.equal(simMerges.get(k)!.merged, r.merged, `${k}: merged with as many`);
    });

    test('every request: the same trace events as in the log, but for the named exceptions', (t) => {
      assert.ok(simulated, 'the replay ran');
      const changes = versionChanges(c.model, c.logged);
      const sim = byIdentity(simulated.requests);
      const counts = new Map<string, number>();
      const unexplained: string[] = [];
      let identical = 0;
      for (const [k, r] of byIdentity(logged.requests)) {
        const want = changes.logged(r.events);
        const got = changes.simulated(sim.get(k)!.events);
        if (same(want, got)) {
          identical++;
          continue;
        }
        const ex = EXCEPTIONS.find((e) => e.explains(want, got));
        if (ex) {
          counts.set(ex.name, (counts.get(ex.name) ?? 0) + 1);
          t.diagnostic(`${c.name} ${k} (log line ${r.popLine}): ${ex.name}: ${describeDiff(want, got)}`);
        } else
          unexplained.push(
            `${k} (log line ${r.popLine}):\n  log:        ${want.join(' ')}\n  simulation: ${got.join(' ')}`,
          );
      }
      const total = logged.requests.length;
      const exceptions = [...counts.values()].reduce((a, b) => a + b, 0);
      t.diagnostic(
        `${c.name}: ${identical}/${total} requests identical, ${exceptions} exceptions` +
          (exceptions ? ` (${[...counts].map(([n, k]) => `${n}: ${k}`).join(', ')})` : ''),
      );
      for (const a of changes.applied())
        t.diagnostic(
          `${c.model} → ${c.logged}: ${a.name} ${a.to ? `→ ${a.to}` : 'left out'} (${a.notes.map((n) => `${n.since}: ${n.why}`).join('; ')})`,
        );
      assert.deepEqual(unexplained, [], `${unexplained.length} request(s) differ beyond the exceptions`);
      assert.equal(identical + exceptions, total);
    });

    test('every version difference applied is one the catalogs date', () => {
      const changes = versionChanges(c.model, c.logged);
      changes.simulated(simulated.requests.flatMap((r) => r.events));
      changes.logged(logged.requests.flatMap((r) => r.events));
      for (const a of changes.applied()) assert.ok(a.notes.length > 0, `${a.name}: no dated change explains it`);
    });
  });
}

/** The events one side has and the other does not, e.g. "+virtio_notify_irqfd in the log". */
function describeDiff(logged: readonly string[], simulated: readonly string[]): string {
  const count = (seq: readonly string[]) =>
    seq.reduce((m, e) => m.set(e, (m.get(e) ?? 0) + 1), new Map<string, number>());
  const a = count(logged);
  const b = count(simulated);
  const parts: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const d = (a.get(name) ?? 0) - (b.get(name) ?? 0);
    if (d > 0) parts.push(`${name} only in the log`);
    if (d < 0) parts.push(`${name} only in the simulation`);
  }
  return parts.join(', ');
}
