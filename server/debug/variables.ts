// DAP's variablesReference handles over plain data. Objects expand into their fields, lists
// into their items — paged through `indexedVariables` when they are long (the requests in
// flight, a pool's queue).

import { DebugProtocol } from '@vscode/debugprotocol';
import { Plain } from '../../simulator';

type Entry = Plain | (() => Plain);

const PAGE_OVER = 50;

export class VariableStore {
  private entries: Entry[] = [];

  clear(): void {
    this.entries = [];
  }

  add(v: Plain): number {
    this.entries.push(v);
    return this.entries.length;
  }

  /** Computed on first expansion (the QEMU scope builds a whole snapshot). */
  addLazy(fn: () => Plain): number {
    this.entries.push(fn);
    return this.entries.length;
  }

  private get(ref: number): Plain | undefined {
    const e = this.entries[ref - 1];
    if (typeof e === 'function') {
      const v = e();
      this.entries[ref - 1] = v;
      return v;
    }
    return e;
  }

  children(ref: number, filter?: 'indexed' | 'named', start = 0, count = 0): DebugProtocol.Variable[] {
    const v = this.get(ref);
    if (v === undefined || v === null || typeof v !== 'object') return [];
    if (Array.isArray(v)) {
      if (filter === 'named') return [];
      // clients page with any numbers: clamp them to the list
      const from = Math.min(Math.max(0, start), v.length);
      const end = count > 0 ? Math.min(v.length, from + count) : v.length;
      const out: DebugProtocol.Variable[] = [];
      for (let i = from; i < end; i++) out.push(this.variable(`[${i}]`, v[i]));
      return out;
    }
    if (filter === 'indexed') return [];
    return Object.entries(v)
      .filter(([k]) => k !== 'summary')
      .map(([k, x]) => this.variable(k, x));
  }

  private variable(name: string, v: Plain): DebugProtocol.Variable {
    const expandable =
      v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
    const out: DebugProtocol.Variable = { name, value: summarize(v), variablesReference: expandable ? this.add(v) : 0 };
    if (Array.isArray(v) && v.length > PAGE_OVER) out.indexedVariables = v.length;
    return out;
  }
}

function summarize(v: Plain): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.length <= 8 && v.every((x) => x === null || typeof x !== 'object'))
      return `[${v.map((x) => summarize(x)).join(', ')}]`;
    return `Array(${v.length})`;
  }
  if (typeof v.summary === 'string') return v.summary;
  const keys = Object.keys(v);
  return `{${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}}`;
}
