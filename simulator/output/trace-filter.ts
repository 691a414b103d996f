// Which trace events a QEMU command line enables: `-trace [enable=]PATTERN` in order, each a glob
// (`*`, `?`) that enables the events it matches, or disables them with a leading `-`; the last
// pattern that matches decides. Without -trace the simulator prints every event it fires.

import type { TraceSink } from '../engine/types';

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Is an event enabled by `patterns` (null: no -trace given, every event is)? */
export function traceEventFilter(patterns: readonly string[] | null): (name: string) => boolean {
  if (patterns === null) return () => true;
  const rules = patterns.map((p) => ({ on: !p.startsWith('-'), re: globToRegExp(p.replace(/^-/, '')) }));
  const decided = new Map<string, boolean>();
  return (name) => {
    let on = decided.get(name);
    if (on === undefined) {
      on = false;
      for (const r of rules) if (r.re.test(name)) on = r.on;
      decided.set(name, on);
    }
    return on;
  };
}

/** `sink`, passed only the events the patterns enable. */
export function onlyEnabled(patterns: readonly string[] | null, sink: TraceSink): TraceSink {
  if (patterns === null) return sink;
  const enabled = traceEventFilter(patterns);
  return (t, event, args) => {
    if (enabled(event)) sink(t, event, args);
  };
}
