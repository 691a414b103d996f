// Where the path changed after 4.1.0: the dated changes a later catalog records for a function
// (under its 4.1.0 name or any later one) and for the trace events it fires — or for a trace
// event itself — each as a "Since X.Y" line, "In X.Y" for a change of that version itself. The I/O
// path document (its generated lines: scripts/gen-doc.mjs), hover and the stage tree show them.

import { getCatalog, type CatalogVersion } from './index';
import { releaseIndex, releaseOf } from './releases';
import type { ChangeNote } from './types';
import { lookupEvent, lookupFunction } from './versions';

export interface PathChange {
  /** "Since 7.0", or "In 10.0" for a change of the version asked about. */
  readonly label: string;
  readonly since: string;
  /** What changed in a few words: "renamed `x`", "removed", "changed", "trace event `a` renamed `b`". */
  readonly what: string;
  /** What changed and why, in the project's own words (the names of the change in backticks). */
  readonly text: string;
}

/** How `name` (a function or trace event of any catalog version) changed from 4.1.0 to `version`, oldest first. */
export function pathChanges(name: string, version: CatalogVersion = '10.0'): PathChange[] {
  const at = lookupFunction(name);
  const base = at.find((v) => v.version === '4.1.0')?.entry;
  const later = at.find((v) => v.version === version)?.entry;
  const isFunction = at.some((v) => v.entry);
  const names = new Set(at.flatMap((v) => (v.name ? [v.name] : [])));
  const events = new Set(isFunction ? [...(base?.traceEvents ?? []), ...(later?.traceEvents ?? [])] : [name]);
  for (const e of [...events]) for (const v of lookupEvent(e).versions) if (v.name) events.add(v.name);
  const notes = (getCatalog(version).data.changes ?? []).filter(
    (c) =>
      releaseIndex(c.since) > 0 && // a 4.1 fact the base catalog left out is no change
      (c.kind === 'function'
        ? c.names.some((n) => names.has(n)) && !(c.op === 'add' && base) // an added namesake is another function
        : c.names.some((n) => events.has(n))),
  );
  const until = releaseOf(version);
  const seen = new Set<string>();
  return notes
    .filter((c) => !seen.has(c.since + c.why + c.names.join()) && seen.add(c.since + c.why + c.names.join()))
    .sort((a, b) => releaseIndex(a.since) - releaseIndex(b.since))
    .map((c) => {
      const what = whatChanged(c);
      return {
        label: `${c.since === until ? 'In' : 'Since'} ${c.since}`,
        since: c.since,
        what,
        text: what === 'changed' ? c.why : `${what}: ${c.why}`,
      };
    });
}

function whatChanged(c: ChangeNote): string {
  const [a, b] = c.names.map((n) => `\`${n}\``);
  if (c.kind === 'function') return { add: 'new', remove: 'removed', rename: `renamed ${b}`, change: 'changed' }[c.op];
  return {
    add: `new trace event ${a}`,
    remove: `trace event ${a} removed`,
    rename: `trace event ${a} renamed ${b}`,
    change: `trace event ${a} changed`,
  }[c.op];
}
