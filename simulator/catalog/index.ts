// The catalog: the single source of truth for the path's functions. Each version is a data
// file; this module indexes one into small integer ids, which the simulator uses on its hot
// path and everyone else turns back into names, docs and source locations.

import { applyDelta, type VersionDelta } from './delta';
import { CATALOG_4_1_0 } from './qemu-4.1.0';
import { DELTA_7_2 } from './qemu-7.2';
import { DELTA_10_0 } from './qemu-10.0';
import type { CatalogData, ChangeNote, FunctionEntry, StageDef, StageGroupDef, TraceEventDecl } from './types';

export * from './types';
export type { VersionDelta } from './delta';
// names across versions and version detection, for the language server (which may import only this module)
export { eventLifetimes, lookupEvent, type EventLifetime, type EventLookup } from './versions';
export { detectQemuVersion, type VersionDetection } from './detect';
export { RELEASE_NAMES } from './releases';

type Entry = (typeof CATALOG_4_1_0)['functions'][number];
type KeyOf<E> = E extends { readonly name: infer N extends string; readonly qualifier: infer Q extends string }
  ? `${N}@${Q}`
  : E extends { readonly name: infer N extends string }
    ? N
    : never;
/** A function's unique key: its name, or `name@qualifier` for the few duplicated names. */
export type FnName = KeyOf<Entry>;

export function fnKey(f: FunctionEntry): string {
  return f.qualifier ? `${f.name}@${f.qualifier}` : f.name;
}

export class Catalog {
  readonly version: string;
  /** The version's functions, in path order. A function's id is `ids[i]`, not `i` (see FunctionIds). */
  readonly functions: readonly FunctionEntry[];
  /** Id of each of `functions`. */
  readonly ids: readonly number[];
  readonly stages: readonly StageDef[];
  readonly groups: readonly StageGroupDef[];
  private readonly byId: FunctionEntry[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly idsByName = new Map<string, number[]>();
  private readonly traces = new Map<string, TraceEventDecl>();
  private readonly stageById = new Map<string, StageDef>();
  private readonly callers = new Map<string, string[]>();
  private readonly firing = new Map<string, FunctionEntry[]>();

  constructor(
    readonly data: CatalogData,
    ids: readonly number[] = data.functions.map((_, i) => i),
  ) {
    this.version = data.version;
    this.functions = data.functions;
    this.ids = ids;
    this.stages = data.stages;
    this.groups = data.groups;
    data.functions.forEach((f, i) => {
      const key = fnKey(f);
      const id = ids[i];
      if (this.keyIds.has(key)) throw new Error(`catalog ${data.version}: duplicate function ${key}`);
      if (this.byId[id]) throw new Error(`catalog ${data.version}: ${key} and ${fnKey(this.byId[id])} share id ${id}`);
      this.keyIds.set(key, id);
      this.byId[id] = f;
      const same = this.idsByName.get(f.name) ?? [];
      same.push(id);
      this.idsByName.set(f.name, same);
    });
    for (const t of data.traceEvents) this.traces.set(t.name, t);
    for (const s of data.stages) this.stageById.set(s.id, s);
    for (const f of data.functions) {
      // A call names a function, or `name@qualifier` when the name is shared: index both spellings.
      for (const callee of f.calls) {
        for (const name of new Set([callee, callee.split('@')[0]])) {
          const list = this.callers.get(name) ?? [];
          if (!list.includes(f.name)) list.push(f.name);
          this.callers.set(name, list);
        }
      }
      for (const e of f.traceEvents) this.firing.set(e, [...(this.firing.get(e) ?? []), f]);
    }
  }

  get size(): number {
    return this.functions.length;
  }

  /** The function with id `id`, or undefined when this version has none (ids are shared by all versions). */
  entry(id: number): FunctionEntry | undefined {
    return this.byId[id];
  }

  /** Id of a function key (`name` or `name@qualifier`), or -1. */
  idOf(key: string): number {
    return this.keyIds.get(key) ?? -1;
  }

  /** Ids of every function written `name` (two for QEMU's duplicated static names). */
  idsOf(name: string): readonly number[] {
    return this.idsByName.get(name) ?? (this.keyIds.has(name) ? [this.keyIds.get(name)!] : []);
  }

  has(name: string): boolean {
    return this.idsByName.has(name) || this.keyIds.has(name);
  }

  /** The first function written `name` (or with that key). */
  byName(name: string): FunctionEntry | undefined {
    const id = this.keyIds.get(name) ?? this.idsByName.get(name)?.[0];
    return id === undefined ? undefined : this.byId[id];
  }

  /** Every function written `name`. */
  allNamed(name: string): FunctionEntry[] {
    return this.idsOf(name).map((i) => this.byId[i]);
  }

  name(id: number): string {
    return this.byId[id]?.name ?? `#${id}`;
  }

  key(id: number): string {
    const f = this.byId[id];
    return f ? fnKey(f) : `#${id}`;
  }

  traceEvent(name: string): TraceEventDecl | undefined {
    return this.traces.get(name);
  }

  stage(id: string): StageDef | undefined {
    return this.stageById.get(id);
  }

  /** Functions of the catalog that call `name`. */
  callersOf(name: string): readonly string[] {
    return this.callers.get(name) ?? [];
  }

  /** Catalog functions that fire trace event `name` (empty for an event fired off the path: see firedBy). */
  emittersOf(name: string): readonly FunctionEntry[] {
    return this.firing.get(name) ?? [];
  }

  /**
   * Where trace event `name` comes from at this version: the catalog functions that fire it, else the
   * off-path function its declaration names; empty for an undeclared event or one no code fires.
   */
  firedBy(name: string): ReadonlyArray<{ name: string; file?: string; line?: number; entry?: FunctionEntry }> {
    const fns = this.emittersOf(name);
    if (fns.length) return fns.map((f) => ({ name: f.name, file: f.file, line: f.line, entry: f }));
    const e = this.traces.get(name)?.emitter;
    return e ? [{ ...e }] : [];
  }

  /** How a function or event name changed between 4.1.0 and this version, oldest first (empty for 4.1.0). */
  changesOf(name: string): readonly ChangeNote[] {
    return (this.data.changes ?? []).filter((c) => c.names.includes(name));
  }

  /** Known names closest to `name` (for "did you mean" messages). */
  suggest(name: string, max = 3): string[] {
    const names = [...this.idsByName.keys()];
    const scored = names.map((n) => ({ n, d: editDistance(name, n) }));
    scored.sort((x, y) => x.d - y.d || x.n.localeCompare(y.n));
    const limit = Math.max(3, Math.floor(name.length / 2));
    return scored
      .filter((s) => s.d <= limit)
      .slice(0, max)
      .map((s) => s.n);
  }
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Each later version is the catalog of its delta's base plus the delta (4.1.0 → 7.2 → 10.0). */
export const DELTAS: readonly VersionDelta[] = [DELTA_7_2, DELTA_10_0];

export const CATALOG_VERSIONS = ['4.1.0', ...DELTAS.map((d) => d.version)] as readonly string[];
export type CatalogVersion = '4.1.0' | '7.2' | '10.0';

const loaded = new Map<string, Catalog>();

/**
 * Function ids are shared by all versions: 4.1.0's functions are 0..n-1, and each later version's
 * new functions get the next free ids, in version order. A function keeps its id in every version
 * that has it, renamed or not (the delta's lineage says which function each one was), so the model's
 * steps and a run's stage events name the same function in whichever version's catalog reads them.
 */
let nextId = 0;

function build(version: string): Catalog {
  if (version === '4.1.0') {
    const c = new Catalog(CATALOG_4_1_0);
    nextId = Math.max(nextId, c.size);
    return c;
  }
  const delta = DELTAS.find((d) => d.version === version);
  if (!delta) throw new Error(`unknown QEMU version "${version}" (known: ${CATALOG_VERSIONS.join(', ')})`);
  const base = getCatalog(delta.base);
  const data = applyDelta(base.data, delta);
  const ids = data.functions.map((_, i) => {
    const from = data.lineage?.[i];
    return from ? base.idOf(from) : nextId++;
  });
  return new Catalog(data, ids);
}

export function getCatalog(version = '4.1.0'): Catalog {
  let c = loaded.get(version);
  if (!c) {
    c = build(version);
    loaded.set(version, c);
  }
  return c;
}

/** The reference version the model is written against. */
export const catalog = getCatalog('4.1.0');

/** Function ids by name, for the model: `Fn.laio_co_submit`. */
export const Fn = Object.fromEntries(catalog.functions.map((f, i) => [fnKey(f), i])) as Record<FnName, number>;

/**
 * The id of a function key in the first version that has it (4.1.0 first): how a step of a function
 * that only later versions have finds its id. Throws on a key no version has.
 */
export function fnId(key: string): number {
  for (const v of CATALOG_VERSIONS) {
    const id = getCatalog(v).idOf(key);
    if (id >= 0) return id;
  }
  throw new Error(`no QEMU version has a function ${key}`);
}

/** How many function ids the versions use together: the size of a table indexed by id. */
export function functionIdCount(): number {
  for (const v of CATALOG_VERSIONS) getCatalog(v);
  return nextId;
}
export { pathChanges } from './path-changes';
export type { PathChange } from './path-changes';
