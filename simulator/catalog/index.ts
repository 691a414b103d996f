// The catalog: the single source of truth for the path's functions. Each version is a data
// file; this module indexes one into small integer ids, which the simulator uses on its hot
// path and everyone else turns back into names, docs and source locations.

import { CATALOG_4_1_0 } from './qemu-4.1.0';
import type { CatalogData, FunctionEntry, StageDef, StageGroupDef, TraceEventDecl } from './types';

export * from './types';

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
  readonly functions: readonly FunctionEntry[];
  readonly stages: readonly StageDef[];
  readonly groups: readonly StageGroupDef[];
  private readonly ids = new Map<string, number>();
  private readonly idsByName = new Map<string, number[]>();
  private readonly traces = new Map<string, TraceEventDecl>();
  private readonly stageById = new Map<string, StageDef>();
  private readonly callers = new Map<string, string[]>();

  constructor(readonly data: CatalogData) {
    this.version = data.version;
    this.functions = data.functions;
    this.stages = data.stages;
    this.groups = data.groups;
    data.functions.forEach((f, i) => {
      const key = fnKey(f);
      if (this.ids.has(key)) throw new Error(`catalog ${data.version}: duplicate function ${key}`);
      this.ids.set(key, i);
      const same = this.idsByName.get(f.name) ?? [];
      same.push(i);
      this.idsByName.set(f.name, same);
    });
    for (const t of data.traceEvents) this.traces.set(t.name, t);
    for (const s of data.stages) this.stageById.set(s.id, s);
    for (const f of data.functions) {
      for (const callee of f.calls) {
        const list = this.callers.get(callee) ?? [];
        if (!list.includes(f.name)) list.push(f.name);
        this.callers.set(callee, list);
      }
    }
  }

  get size(): number {
    return this.functions.length;
  }

  /** Id of a function key (`name` or `name@qualifier`), or -1. */
  idOf(key: string): number {
    return this.ids.get(key) ?? -1;
  }

  /** Ids of every function written `name` (two for QEMU's duplicated static names). */
  idsOf(name: string): readonly number[] {
    return this.idsByName.get(name) ?? (this.ids.has(name) ? [this.ids.get(name)!] : []);
  }

  has(name: string): boolean {
    return this.idsByName.has(name) || this.ids.has(name);
  }

  /** The first function written `name` (or with that key). */
  byName(name: string): FunctionEntry | undefined {
    const id = this.ids.get(name) ?? this.idsByName.get(name)?.[0];
    return id === undefined ? undefined : this.functions[id];
  }

  /** Every function written `name`. */
  allNamed(name: string): FunctionEntry[] {
    return this.idsOf(name).map((i) => this.functions[i]);
  }

  name(id: number): string {
    return this.functions[id]?.name ?? `#${id}`;
  }

  key(id: number): string {
    const f = this.functions[id];
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

const VERSIONS: Record<string, CatalogData> = { '4.1.0': CATALOG_4_1_0 };
const loaded = new Map<string, Catalog>();

export const CATALOG_VERSIONS: readonly string[] = Object.keys(VERSIONS);

export function getCatalog(version = '4.1.0'): Catalog {
  let c = loaded.get(version);
  if (!c) {
    const data = VERSIONS[version];
    if (!data) throw new Error(`unknown QEMU version "${version}" (known: ${CATALOG_VERSIONS.join(', ')})`);
    c = new Catalog(data);
    loaded.set(version, c);
  }
  return c;
}

/** The reference version the model is written against. */
export const catalog = getCatalog('4.1.0');

/** Function ids by name, for the model: `Fn.laio_co_submit`. */
export const Fn = Object.fromEntries(catalog.functions.map((f, i) => [fnKey(f), i])) as Record<FnName, number>;
