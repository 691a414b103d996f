// A later QEMU version's catalog is an earlier catalog plus a delta: the functions and trace events
// that were added, removed, renamed or changed, each with the release that did it, and where every
// function of the new version lives (file:line move with every release, so they are listed whole).
// applyDelta checks each entry against what it changes: a delta that names a missing function, event
// or call edge is an error, never silently ignored.

import { releaseIndex, RELEASE_NAMES, releaseOf } from './releases';
import type {
  CatalogData,
  ChangeNote,
  FunctionEntry,
  StageDef,
  StageGroupDef,
  TraceArg,
  TraceEventDecl,
} from './types';

/** A function as a delta adds it: everything but its location, which comes from the version's locations. */
export type FunctionDraft = Omit<FunctionEntry, 'file' | 'line'>;

/** The fields most added functions share: QEMU code that never runs in a coroutine. */
export const PLAIN_QEMU = { origin: 'qemu', runsIn: 'plain', yields: false, directYield: false } as const;

/** Field changes to a function; list fields can be replaced whole or edited edge by edge. */
export interface FunctionPatch {
  readonly calls?: readonly string[];
  readonly addCalls?: readonly string[];
  readonly removeCalls?: readonly string[];
  readonly indirectCalls?: readonly string[];
  /** New call edges made through a pointer (added to both `calls` and `indirectCalls`). */
  readonly addIndirectCalls?: readonly string[];
  readonly addTraceEvents?: readonly string[];
  readonly removeTraceEvents?: readonly string[];
  readonly stage?: FunctionEntry['stage'];
  readonly thread?: FunctionEntry['thread'];
  readonly altThreads?: FunctionEntry['altThreads'];
  readonly runsIn?: FunctionEntry['runsIn'];
  readonly yields?: boolean;
  readonly directYield?: boolean;
  readonly summary?: string;
  readonly notes?: string;
  /** Give the function a qualifier (when another function of the same name joins); callers follow. */
  readonly qualifier?: string;
}

interface When {
  /** First release whose release commit has the change (see releases.ts). */
  readonly since: string;
  /** What changed and why it matters here, in the project's own words. */
  readonly why: string;
  /**
   * A fact already true at the base release that the base catalog did not record (since ≤ base);
   * `since` is then the base release.
   */
  readonly catalogued?: boolean;
}

export type FunctionChange =
  | (When & {
      readonly add: FunctionDraft;
      /** Insert after this function key (default: before the system calls that end the list). */
      readonly after?: string;
    })
  | (When & { readonly remove: string })
  | (When & { readonly rename: string; readonly to: string; readonly patch?: FunctionPatch })
  | (When & { readonly change: string; readonly patch: FunctionPatch });

export type EventChange =
  | (When & {
      readonly add: TraceEventDecl;
      /** Earlier release series whose stable updates also declare it (e.g. ['7.2'] for a 7.2.x backport). */
      readonly backportedTo?: readonly string[];
    })
  | (When & { readonly remove: string })
  | (When & {
      readonly rename: string;
      readonly to: string;
      /** A different event took its place (other arguments or meaning), not a plain rename. */
      readonly replaced?: boolean;
      readonly args?: readonly TraceArg[];
      readonly format?: string;
    })
  | (When & {
      readonly change: string;
      readonly args?: readonly TraceArg[];
      readonly format?: string;
      readonly file?: string;
    });

export interface VersionDelta {
  readonly version: string;
  /** The catalog version this delta applies to. */
  readonly base: string;
  readonly releaseCommit: string;
  readonly groups?: ReadonlyArray<{ readonly after: string; readonly group: StageGroupDef }>;
  readonly stages?: ReadonlyArray<{ readonly after: string; readonly stage: StageDef }>;
  /** Stage labels that read differently in this version (the mechanism was replaced). */
  readonly relabel?: ReadonlyArray<{ readonly id: StageDef['id']; readonly label: string }>;
  readonly events: readonly EventChange[];
  readonly functions: readonly FunctionChange[];
  /**
   * Events no catalog function fires, with the function that does at this version: [function, file, line].
   * Like locations, given whole per version because lines move.
   */
  readonly emitters?: Readonly<Record<string, readonly [string, string, number?]>>;
  /** Every QEMU function of the version: [file, line of its name]; the line is left out when not verified. */
  readonly locations: Readonly<Record<string, readonly [string, number?]>>;
}

const keyOf = (f: { name: string; qualifier?: string }): string => (f.qualifier ? `${f.name}@${f.qualifier}` : f.name);

function describe(c: FunctionChange | EventChange): string {
  if ('add' in c) return `add ${c.add.name}`;
  if ('remove' in c) return `remove ${c.remove}`;
  if ('rename' in c) return `rename ${c.rename} → ${c.to}`;
  return `change ${c.change}`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The catalog of `delta.version`, built from `base` (the catalog of `delta.base`). Throws on any entry that does not apply. */
export function applyDelta(base: CatalogData, delta: VersionDelta): CatalogData {
  const fail = (msg: string): never => {
    throw new Error(`catalog ${delta.version}: ${msg}`);
  };
  if (base.version !== delta.base) fail(`delta is for base ${delta.base}, got ${base.version}`);
  const baseRel = releaseOf(delta.base);
  const rel = releaseOf(delta.version);
  if (!baseRel || !rel) return fail(`unknown release for ${delta.base} or ${delta.version}`);
  const lo = releaseIndex(baseRel);
  const hi = releaseIndex(rel);

  const functions: Mutable<FunctionEntry>[] = base.functions.map((f) => ({ ...f }) as Mutable<FunctionEntry>);
  // Which base function each entry is (renames keep it), so a function keeps its id across versions.
  const origin = new Map<FunctionEntry, string>(functions.map((f) => [f, keyOf(f)]));
  const events = new Map<string, Mutable<TraceEventDecl>>(
    base.traceEvents.map((e) => [e.name, { ...e } as Mutable<TraceEventDecl>]),
  );
  const notes: ChangeNote[] = [...(base.changes ?? [])];
  const find = (key: string, c: FunctionChange): Mutable<FunctionEntry> =>
    functions.find((f) => keyOf(f) === key) ?? fail(`${describe(c)} (since ${c.since}): no function ${key}`);

  // One timeline: by release, events before functions within a release, file order otherwise.
  type Step = { kind: 'event'; c: EventChange } | { kind: 'function'; c: FunctionChange };
  const steps: Step[] = [
    ...delta.events.map((c) => ({ kind: 'event' as const, c })),
    ...delta.functions.map((c) => ({ kind: 'function' as const, c })),
  ];
  for (const s of steps) {
    const at = releaseIndex(s.c.since);
    if (at < 0) fail(`${describe(s.c)}: unknown release "${s.c.since}" (known: ${RELEASE_NAMES.join(', ')})`);
    const catalogued = s.c.catalogued === true;
    if (at > hi || (at <= lo && !catalogued))
      fail(`${describe(s.c)}: since ${s.c.since} is outside ${delta.base}..${delta.version}`);
    if (!s.c.why.trim()) fail(`${describe(s.c)}: no reason given`);
  }
  const order = (s: Step) => releaseIndex(s.c.since) * 2 + (s.kind === 'event' ? 0 : 1);
  steps.sort((a, b) => order(a) - order(b));

  for (const s of steps) {
    if (s.kind === 'event') applyEvent(s.c);
    else applyFunction(s.c);
  }

  function applyEvent(c: EventChange): void {
    const where = `${describe(c)} (since ${c.since})`;
    const note = (op: ChangeNote['op'], names: string[]) =>
      notes.push({ since: c.since, names, kind: 'event', op, why: c.why });
    if ('add' in c) {
      if (events.has(c.add.name)) fail(`${where}: event already declared`);
      events.set(c.add.name, { ...c.add } as Mutable<TraceEventDecl>);
      note('add', [c.add.name]);
    } else if ('remove' in c) {
      if (!events.delete(c.remove)) fail(`${where}: no event ${c.remove}`);
      // The event is gone from the trace-events files, so no function fires it any more.
      for (const f of functions) f.traceEvents = f.traceEvents.filter((e) => e !== c.remove);
      note('remove', [c.remove]);
    } else if ('rename' in c) {
      const old = events.get(c.rename) ?? fail(`${where}: no event ${c.rename}`);
      if (events.has(c.to)) fail(`${where}: ${c.to} already declared`);
      events.delete(c.rename);
      events.set(c.to, { ...old, name: c.to, args: c.args ?? old.args, format: c.format ?? old.format });
      for (const f of functions) f.traceEvents = f.traceEvents.map((e) => (e === c.rename ? c.to : e));
      note('rename', [c.rename, c.to]);
    } else {
      const old = events.get(c.change) ?? fail(`${where}: no event ${c.change}`);
      if (!c.args && !c.format && !c.file) fail(`${where}: changes nothing`);
      events.set(c.change, {
        ...old,
        args: c.args ?? old.args,
        format: c.format ?? old.format,
        file: c.file ?? old.file,
      });
      note('change', [c.change]);
    }
  }

  function applyFunction(c: FunctionChange): void {
    const where = `${describe(c)} (since ${c.since})`;
    const note = (op: ChangeNote['op'], names: string[]) =>
      notes.push({ since: c.since, names, kind: 'function', op, why: c.why });
    if ('add' in c) {
      const key = keyOf(c.add);
      if (functions.some((f) => keyOf(f) === key)) fail(`${where}: function already listed`);
      const entry = { ...c.add } as Mutable<FunctionEntry>;
      let at = c.after
        ? functions.findIndex((f) => keyOf(f) === c.after) + 1
        : functions.findIndex((f) => f.origin === 'syscall');
      if (c.after && at === 0) fail(`${where}: no function ${c.after} to insert after`);
      if (at < 0) at = functions.length;
      functions.splice(at, 0, entry);
      note('add', [c.add.name]);
    } else if ('remove' in c) {
      const f = find(c.remove, c);
      functions.splice(functions.indexOf(f), 1);
      note('remove', [f.name]);
    } else if ('rename' in c) {
      const f = find(c.rename, c);
      if (functions.some((g) => keyOf(g) === c.to)) fail(`${where}: ${c.to} already listed`);
      const oldName = f.name;
      const from = keyOf(f);
      f.name = c.to;
      delete f.qualifier;
      renameCallee(from, c.to);
      if (c.patch) patch(f, c.patch, where);
      note('rename', [oldName, c.to]);
    } else {
      const f = find(c.change, c);
      patch(f, c.patch, where);
      note('change', [f.name]);
    }
  }

  function renameCallee(from: string, to: string): void {
    for (const g of functions) {
      g.calls = g.calls.map((n) => (n === from ? to : n));
      if (g.indirectCalls) g.indirectCalls = g.indirectCalls.map((n) => (n === from ? to : n));
    }
  }

  function patch(f: Mutable<FunctionEntry>, p: FunctionPatch, where: string): void {
    const {
      calls,
      addCalls,
      removeCalls,
      indirectCalls,
      addIndirectCalls,
      addTraceEvents,
      removeTraceEvents,
      qualifier,
      ...fields
    } = p;
    if (qualifier !== undefined) {
      const from = keyOf(f);
      f.qualifier = qualifier;
      const to = keyOf(f);
      if (functions.some((g) => g !== f && keyOf(g) === to)) fail(`${where}: ${to} already listed`);
      renameCallee(from, to);
    }
    if (calls) {
      f.calls = [...calls];
      // an edge that is gone is gone whole: it cannot stay marked indirect
      if (f.indirectCalls && !indirectCalls) f.indirectCalls = f.indirectCalls.filter((n) => calls.includes(n));
    }
    for (const n of removeCalls ?? []) {
      if (!f.calls.includes(n)) fail(`${where}: ${keyOf(f)} has no call edge to ${n}`);
      f.calls = f.calls.filter((x) => x !== n);
      if (f.indirectCalls) f.indirectCalls = f.indirectCalls.filter((x) => x !== n);
    }
    for (const n of addCalls ?? []) {
      if (f.calls.includes(n)) fail(`${where}: ${keyOf(f)} already calls ${n}`);
      f.calls = [...f.calls, n];
    }
    if (indirectCalls) f.indirectCalls = [...indirectCalls];
    for (const n of addIndirectCalls ?? []) {
      if (f.indirectCalls?.includes(n)) fail(`${where}: ${keyOf(f)} already calls ${n} through a pointer`);
      if (!f.calls.includes(n)) f.calls = [...f.calls, n];
      f.indirectCalls = [...(f.indirectCalls ?? []), n];
    }
    for (const e of removeTraceEvents ?? []) {
      if (!f.traceEvents.includes(e)) fail(`${where}: ${keyOf(f)} does not fire ${e}`);
      f.traceEvents = f.traceEvents.filter((x) => x !== e);
    }
    for (const e of addTraceEvents ?? []) {
      if (!events.has(e)) fail(`${where}: ${keyOf(f)} would fire undeclared event ${e}`);
      if (f.traceEvents.includes(e)) fail(`${where}: ${keyOf(f)} already fires ${e}`);
      f.traceEvents = [...f.traceEvents, e];
    }
    Object.assign(f, fields);
  }

  // Locations: every QEMU function of the version, and nothing else.
  const keys = new Set(functions.map(keyOf));
  for (const k of Object.keys(delta.locations)) if (!keys.has(k)) fail(`location given for unknown function ${k}`);
  for (const f of functions) {
    if (f.origin !== 'qemu') continue;
    const loc = delta.locations[keyOf(f)] ?? fail(`no location for ${keyOf(f)}`);
    f.file = loc[0];
    if (loc[1] === undefined) delete f.line;
    else f.line = loc[1];
  }

  // Off-path emitters: replaced whole, like locations.
  const fired = new Set(functions.flatMap((f) => f.traceEvents));
  for (const e of events.values()) delete e.emitter;
  for (const [name, [fn, file, line]] of Object.entries(delta.emitters ?? {})) {
    const e = events.get(name) ?? fail(`emitter given for undeclared event ${name}`);
    if (fired.has(name)) fail(`emitter given for ${name}, which a catalog function fires`);
    e.emitter = line === undefined ? { name: fn, file } : { name: fn, file, line };
  }

  const groups = insertAfter(base.groups, delta.groups ?? [], (g) => g.id, 'group', fail);
  const stages = insertAfter(base.stages, delta.stages ?? [], (s) => s.id, 'stage', fail).map((s) => {
    const r = delta.relabel?.find((x) => x.id === s.id);
    return r ? { ...s, label: r.label } : s;
  });
  for (const r of delta.relabel ?? []) if (!stages.some((s) => s.id === r.id)) fail(`relabel of unknown stage ${r.id}`);
  return {
    version: delta.version,
    releaseCommit: delta.releaseCommit,
    groups,
    stages,
    functions,
    traceEvents: [...events.values()],
    changes: notes,
    lineage: functions.map((f) => origin.get(f) ?? null),
  };
}

function insertAfter<T>(
  list: readonly T[],
  adds: ReadonlyArray<{ readonly after: string } & Record<string, unknown>>,
  id: (t: T) => string,
  what: 'group' | 'stage',
  fail: (msg: string) => never,
): T[] {
  const out = [...list];
  for (const a of adds) {
    const item = a[what] as T;
    if (out.some((x) => id(x) === id(item))) fail(`${what} ${id(item)} already exists`);
    const at = out.findIndex((x) => id(x) === a.after);
    if (at < 0) fail(`no ${what} ${a.after} to insert ${id(item)} after`);
    out.splice(at + 1, 0, item);
  }
  return out;
}
