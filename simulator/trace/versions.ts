// The seam between the trace reader and the version catalogs: which QEMU versions a trace can
// be read as, each event's declaration (arguments and format) in that version, the function
// that emits it, and which version a set of event names points to.
//
// INTERIM: 7.2 and 10.0 come from interim-events.ts until the `catalogs` branch provides
// getCatalog('7.2') / getCatalog('10.0') with emitting functions and version detection; then
// this file reads those and interim-events.ts goes.

import { getCatalog, TraceEventDecl } from '../catalog';
import { ADDED_IN_10_0, REMOVED_IN_10_0, TRACE_EVENTS_7_2 } from './interim-events';
import { parseTraceEventsFile } from './trace-events';

export const TRACE_VERSIONS = ['4.1.0', '7.2', '10.0'] as const;
export type TraceVersion = (typeof TRACE_VERSIONS)[number];

export interface VersionEvents {
  readonly version: TraceVersion;
  decl(name: string): TraceEventDecl | undefined;
  /** The QEMU function that fires the event (the event's own name when the catalog does not say). */
  functionOf(name: string): string;
}

const cache = new Map<TraceVersion, VersionEvents>();

function fromCatalog(): VersionEvents {
  const cat = getCatalog('4.1.0');
  const fn = new Map<string, string>();
  for (const f of cat.functions) for (const e of f.traceEvents) if (!fn.has(e)) fn.set(e, f.name);
  return { version: '4.1.0', decl: (n) => cat.traceEvent(n), functionOf: (n) => fn.get(n) ?? n };
}

function fromInterim(version: TraceVersion): VersionEvents {
  const decls = new Map(parseTraceEventsFile(TRACE_EVENTS_7_2).map((d) => [d.name, d]));
  if (version === '10.0') {
    for (const name of REMOVED_IN_10_0) decls.delete(name);
    for (const d of parseTraceEventsFile(ADDED_IN_10_0)) decls.set(d.name, d);
  }
  const older = versionEvents('4.1.0');
  return { version, decl: (n) => decls.get(n), functionOf: (n) => older.functionOf(n) };
}

export function versionEvents(version: TraceVersion): VersionEvents {
  let v = cache.get(version);
  if (!v) {
    v = version === '4.1.0' ? fromCatalog() : fromInterim(version);
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

/**
 * Events whose presence tells the version apart, first match wins. Each is a change on this path
 * (see ../shared/qemu/versions.md): the `_aio` thread-pool names and the defer_call-era
 * luring_unplug_fn and deferred irqfd are 10.0; the `_part` bdrv events arrived in 4.2 and the
 * dataplane start/stop events left in 9.0; 4.1.0 traces bdrv_co_pwritev itself.
 */
const FINGERPRINTS: readonly [string, TraceVersion][] = [
  ['thread_pool_submit_aio', '10.0'],
  ['thread_pool_complete_aio', '10.0'],
  ['luring_unplug_fn', '10.0'],
  ['virtio_notify_irqfd_deferred_fn', '10.0'],
  ['virtio_blk_data_plane_start', '7.2'],
  ['virtio_blk_data_plane_stop', '7.2'],
  ['luring_io_plug', '7.2'],
  ['luring_io_unplug', '7.2'],
  ['bdrv_co_pwritev', '4.1.0'],
  ['bdrv_co_preadv', '4.1.0'],
];

/** Events that rule a version out (the event did not exist there). */
const ABSENT_IN: Record<string, readonly TraceVersion[]> = {
  bdrv_co_pwritev_part: ['4.1.0'],
  bdrv_co_preadv_part: ['4.1.0'],
  thread_pool_submit: ['10.0'],
  thread_pool_complete: ['10.0'],
};

export interface Detection {
  version: TraceVersion | null;
  /** The event that decided, or why nothing did. */
  reason: string;
}

/**
 * The version the events point to. `irqWithoutIothread` is set when virtio_notify completed a
 * virtio-blk request: 9.0+ calls it outside iothreads, 7.2 always went through the irqfd.
 */
export function detectVersion(names: ReadonlySet<string>, irqWithoutIothread = false): Detection {
  for (const [name, version] of FINGERPRINTS) {
    if (names.has(name)) return { version, reason: `it has ${name}` };
  }
  const possible = new Set<TraceVersion>(TRACE_VERSIONS);
  for (const name of names) for (const v of ABSENT_IN[name] ?? []) possible.delete(v);
  if (irqWithoutIothread) for (const v of ['7.2', '4.1.0'] as const) possible.delete(v);
  if (possible.size === 1) {
    const [version] = possible;
    return { version, reason: 'only it has every event seen' };
  }
  return { version: null, reason: `the events seen fit ${[...possible].join(', ')}` };
}
