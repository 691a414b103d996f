// The seam between the trace reader and the version catalogs (simulator/catalog): which QEMU
// versions a trace can be read as, each event's declaration (arguments and format) in that
// version, the function that fires it, and which version a set of event names points to.

import { CATALOG_VERSIONS, CatalogVersion, getCatalog, TraceEventDecl } from '../catalog';
import { detectQemuVersion } from '../catalog/detect';

export const TRACE_VERSIONS = CATALOG_VERSIONS as readonly CatalogVersion[];
export type TraceVersion = CatalogVersion;

export interface VersionEvents {
  readonly version: TraceVersion;
  decl(name: string): TraceEventDecl | undefined;
  /** The QEMU function that fires the event (the event's own name when the catalog does not say). */
  functionOf(name: string): string;
}

const cache = new Map<TraceVersion, VersionEvents>();

export function versionEvents(version: TraceVersion): VersionEvents {
  let v = cache.get(version);
  if (!v) {
    const cat = getCatalog(version);
    v = { version, decl: (n) => cat.traceEvent(n), functionOf: (n) => cat.firedBy(n)[0]?.name ?? n };
    cache.set(version, v);
  }
  return v;
}

/** The declaration of `name` in `version`, else in the nearest version that has it. */
export function declFor(version: TraceVersion | null, name: string): TraceEventDecl | undefined {
  if (version) {
    const d = versionEvents(version).decl(name);
    if (d) return d;
  }
  for (let i = TRACE_VERSIONS.length - 1; i >= 0; i--) {
    const d = versionEvents(TRACE_VERSIONS[i]).decl(name);
    if (d) return d;
  }
  return undefined;
}

export interface Detection {
  version: TraceVersion | null;
  /** The evidence that decided, or why nothing did. */
  reason: string;
}

/** The catalog the events point to (the catalogs' detection: release ranges from event lifetimes). */
export function detectVersion(names: ReadonlySet<string>): Detection {
  const known = [...names].filter((n) => declFor(null, n));
  if (known.length === 0) return { version: null, reason: 'no event of the virtio-blk path was seen' };
  const d = detectQemuVersion(known);
  return { version: d.catalog, reason: d.reason };
}
