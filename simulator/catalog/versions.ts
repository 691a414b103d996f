// Names across QEMU versions: which releases declare a trace event, what it is called in each
// catalog version, and the same for path functions. Everything here is derived from the deltas
// (and the later-release event changes), so each rename or removal is written down once.

import type { EventChange, FunctionChange } from './delta';
import { CATALOG_VERSIONS, DELTAS, getCatalog, type Catalog, type CatalogVersion } from './index';
import { EVENT_CHANGES_AFTER_10_0 } from './later-releases';
import { RELEASE_NAMES, releaseIndex, releaseOf, type Release } from './releases';
import type { FunctionEntry, TraceEventDecl } from './types';

/** The releases of QEMU that declare a trace event. */
export interface EventLifetime {
  readonly name: string;
  /** First release that declares it; '4.1' with `beforeFirst` when it is older than 4.1. */
  readonly from: Release;
  readonly beforeFirst: boolean;
  /** First release that no longer declares it (absent: still declared in 10.2). */
  readonly until?: Release;
  /** Older release series whose stable updates declare it too. */
  readonly backportedTo?: readonly string[];
  /** The event it replaced, and the one that replaced it (with the release of each rename). */
  readonly previous?: { readonly name: string; readonly since: Release; readonly replaced: boolean };
  readonly next?: { readonly name: string; readonly since: Release; readonly replaced: boolean };
}

type Mut<T> = { -readonly [K in keyof T]: T[K] };

let lifetimes: Map<string, EventLifetime> | undefined;

/** Every trace event of the path declared by some release from 4.1 to 10.2, with its lifetime. */
export function eventLifetimes(): ReadonlyMap<string, EventLifetime> {
  if (lifetimes) return lifetimes;
  const map = new Map<string, Mut<EventLifetime>>();
  for (const e of getCatalog('4.1.0').data.traceEvents)
    map.set(e.name, { name: e.name, from: '4.1', beforeFirst: true });
  const changes: EventChange[] = [...DELTAS.flatMap((d) => d.events), ...EVENT_CHANGES_AFTER_10_0];
  changes.sort((a, b) => releaseIndex(a.since) - releaseIndex(b.since));
  for (const c of changes) {
    const since = c.since as Release;
    if ('add' in c) {
      map.set(c.add.name, {
        name: c.add.name,
        from: since,
        beforeFirst: c.catalogued === true,
        ...(c.backportedTo ? { backportedTo: c.backportedTo } : {}),
      });
    } else if ('remove' in c) {
      map.get(c.remove)!.until = since;
    } else if ('rename' in c) {
      const replaced = c.replaced === true;
      map.get(c.rename)!.until = since;
      map.get(c.rename)!.next = { name: c.to, since, replaced };
      map.set(c.to, { name: c.to, from: since, beforeFirst: false, previous: { name: c.rename, since, replaced } });
    }
  }
  lifetimes = map;
  return map;
}

/** The inclusive release range in which `life` is declared, as indices into RELEASES. */
export function declaredRange(life: EventLifetime): { lo: number; hi: number } {
  const backports = (life.backportedTo ?? []).map(releaseIndex).filter((i) => i >= 0);
  const lo = life.beforeFirst ? 0 : Math.min(releaseIndex(life.from), ...backports);
  const hi = life.until ? releaseIndex(life.until) - 1 : RELEASE_NAMES.length - 1;
  return { lo, hi };
}

/** The catalog version closest to a release (`8.2`, `10.0.2`): the release itself if catalogued, else the nearest, newer on a tie. */
export function nearestCatalog(release: string): CatalogVersion | undefined {
  const r = releaseOf(release);
  if (!r) return undefined;
  const at = releaseIndex(r);
  let best: CatalogVersion | undefined;
  let bestDist = Infinity;
  for (const v of CATALOG_VERSIONS as readonly CatalogVersion[]) {
    const d = Math.abs(releaseIndex(releaseOf(v)!) - at);
    if (d <= bestDist) [best, bestDist] = [v, d];
  }
  return best;
}

export interface EventInVersion {
  readonly version: CatalogVersion;
  /** The name the event has in that version (differs after a rename), or undefined when it has none. */
  readonly name?: string;
  /** True when `name` is the same event under another name but a different one replaced it (other arguments). */
  readonly replaced?: boolean;
  readonly decl?: TraceEventDecl;
  readonly firedBy: ReturnType<Catalog['firedBy']>;
}

export interface EventLookup {
  readonly name: string;
  /** Declared by some release from 4.1 to 10.2. An unknown event is still worth keeping and showing as unknown. */
  readonly known: boolean;
  readonly lifetime?: EventLifetime;
  readonly versions: readonly EventInVersion[];
}

/** What an event name is in each catalog version: its declaration, the function that fires it, and its other names. */
export function lookupEvent(name: string): EventLookup {
  const life = eventLifetimes().get(name);
  const chain = life ? renameChain(life) : [];
  const versions = (CATALOG_VERSIONS as readonly CatalogVersion[]).map((version): EventInVersion => {
    const c = getCatalog(version);
    const hit = chain.find((n) => c.traceEvent(n.name));
    if (!hit) return { version, firedBy: [] };
    return {
      version,
      name: hit.name,
      ...(hit.replaced ? { replaced: true } : {}),
      decl: c.traceEvent(hit.name),
      firedBy: c.firedBy(hit.name),
    };
  });
  return { name, known: life !== undefined, ...(life ? { lifetime: life } : {}), versions };
}

/** `life` and the events it was renamed from or to, each flagged when a rename along the way was a replacement. */
function renameChain(life: EventLifetime): Array<{ name: string; replaced: boolean }> {
  const all = eventLifetimes();
  const out = [{ name: life.name, replaced: false }];
  let replaced = false;
  for (let p = life.previous; p; p = all.get(p.name)?.previous) {
    replaced ||= p.replaced;
    out.push({ name: p.name, replaced });
  }
  replaced = false;
  for (let n = life.next; n; n = all.get(n.name)?.next) {
    replaced ||= n.replaced;
    out.push({ name: n.name, replaced });
  }
  return out;
}

export interface FunctionInVersion {
  readonly version: CatalogVersion;
  /** Its name in that version, when the path has it there. */
  readonly name?: string;
  readonly entry?: FunctionEntry;
}

/** A path function in each catalog version, following renames in both directions. */
export function lookupFunction(name: string): readonly FunctionInVersion[] {
  const renames = DELTAS.flatMap((d) => d.functions).filter(
    (c): c is Extract<FunctionChange, { rename: string }> => 'rename' in c,
  );
  const names = new Set([name]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of renames) {
      const [a, b] = [r.rename.split('@')[0], r.to];
      if (names.has(a) !== names.has(b)) {
        names.add(a).add(b);
        grew = true;
      }
    }
  }
  return (CATALOG_VERSIONS as readonly CatalogVersion[]).map((version) => {
    const c = getCatalog(version);
    const found = [...names].find((n) => c.has(n));
    return found ? { version, name: found, entry: c.byName(found) } : { version };
  });
}
