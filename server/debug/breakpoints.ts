// Breakpoints on stages: function breakpoints by QEMU function name, line breakpoints in the
// I/O path document or QEMU sources (resolved to the function there), with conditions, hit
// conditions and log messages in the safe expression language, plus the "I/O error" and
// "VM stopped" exception filters. What every session shares is here (BreakpointBook: ids,
// compiling, hit counts, logpoints, the filters); a simulation's breakpoints match when their
// function is entered (Breakpoints), a trace replay's on its events (replay/breakpoints.ts).

import {
  Catalog,
  CATALOG_VERSIONS,
  getCatalog,
  IO_OP_NAMES,
  IoOp,
  Phase,
  Simulator,
  StageEvent,
} from '../../simulator';
import { Stop, StopPolicy } from './execution';
import { Expression, ExprError, HitCondition, Scope, Template } from './expr/evaluate';
import { eventScope } from './scope';
import { SourceMap } from './sources';

export interface BreakpointSpec {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface ResolvedBreakpoint {
  id: number;
  verified: boolean;
  message?: string;
  /** For line breakpoints: where it was moved to. */
  line?: number;
}

export interface Bp {
  id: number;
  fnIds: number[];
  label: string;
  condition: Expression | null;
  hit: HitCondition | null;
  log: Template | null;
  hits: number;
  kind: 'function' | 'line';
  /** The condition failed to evaluate once already (reported once, then treated as false). */
  warned: boolean;
}

export const EXCEPTION_FILTERS = [
  {
    filter: 'ioError',
    label: 'I/O error',
    description: 'Stop when a request fails and virtio-blk applies werror/rerror.',
    default: false,
  },
  {
    filter: 'vmStop',
    label: 'VM stopped',
    description: 'Stop when the main loop stops the VM (werror/rerror=stop).',
    default: true,
  },
] as const;

/** What a session asks of its breakpoints, whatever it debugs. */
export abstract class BreakpointBook {
  private nextId = 1;
  protected exceptions = new Set<string>(['vmStop']);
  /** Output from logpoints, drained by the session. */
  readonly logs: string[] = [];

  abstract setFunctionBreakpoints(list: ({ name: string } & BreakpointSpec)[]): ResolvedBreakpoint[];
  abstract setLineBreakpoints(path: string, list: ({ line: number } & BreakpointSpec)[]): ResolvedBreakpoint[];
  /** Hit counts by function name, for the tree view. */
  abstract hitCounts(): Record<string, number>;

  setExceptionFilters(filters: string[]): void {
    this.exceptions = new Set(filters);
  }

  protected newId(): number {
    return this.nextId++;
  }

  protected compile(id: number, kind: Bp['kind'], label: string, fnIds: number[], spec: BreakpointSpec): Bp | string {
    const parse = <T>(what: string, text: string | undefined, make: (s: string) => T): T | null | string => {
      if (!text?.trim()) return null;
      try {
        return make(text);
      } catch (e) {
        if (e instanceof ExprError) return `bad ${what}: ${e.message}`;
        throw e;
      }
    };
    const condition = parse('condition', spec.condition, (s) => new Expression(s));
    const hit = parse('hit condition', spec.hitCondition, (s) => new HitCondition(s));
    const log = parse('log message', spec.logMessage, (s) => new Template(s));
    for (const part of [condition, hit, log]) if (typeof part === 'string') return part;
    return {
      id,
      kind,
      label,
      fnIds,
      hits: 0,
      warned: false,
      condition: condition as Expression | null,
      hit: hit as HitCondition | null,
      log: log as Template | null,
    };
  }

  /**
   * The breakpoints `bps` of one event: conditions, hit counts and logpoints, and the stop they
   * make (or null). `scope` gives the names an expression reads at a hit count. `counting` is
   * false while replaying for reverse execution (hits and logs are not counted twice).
   */
  protected match(bps: readonly Bp[], scope: (hits: number) => Scope, counting: boolean, thread: number): Stop | null {
    let stop: Stop | null = null;
    for (const bp of bps) {
      // only conditions and logpoints read the event's fields: plain breakpoints build no scope
      const names = bp.condition || bp.log ? scope(bp.hits + 1) : null;
      if (bp.condition) {
        try {
          if (!bp.condition.test(names!)) continue;
        } catch (e) {
          // reported once, then the breakpoint simply does not match where it cannot be evaluated
          if (counting && !bp.warned) {
            bp.warned = true;
            this.logs.push(
              `breakpoint ${bp.label}: condition "${bp.condition.source}" cannot be evaluated here: ${(e as Error).message} (treated as false)`,
            );
          }
          continue;
        }
      }
      const hits = counting ? ++bp.hits : bp.hits;
      if (bp.hit && counting && !bp.hit.matches(hits)) continue;
      if (bp.log) {
        if (counting) this.logs.push(bp.log.render(names!));
        continue;
      }
      stop = stop ?? {
        kind: bp.kind === 'function' ? 'function breakpoint' : 'breakpoint',
        thread,
        description: `Breakpoint: ${bp.label}`,
        breakpoints: [],
      };
      stop.breakpoints.push(bp.id);
    }
    return stop;
  }
}

export class Breakpoints extends BreakpointBook implements StopPolicy {
  private functionBps: Bp[] = [];
  private lineBps = new Map<string, Bp[]>();
  private byFn: (Bp[] | undefined)[] = [];
  private readonly modelled: ReadonlySet<number>;
  private readonly errorFn: number;
  private readonly vmStopFn: number;

  constructor(
    private readonly catalog: Catalog,
    private readonly sources: SourceMap,
    modelled: ReadonlySet<number>,
  ) {
    super();
    this.modelled = modelled;
    this.errorFn = catalog.idOf('virtio_blk_handle_rw_error');
    this.vmStopFn = catalog.idOf('vm_stop');
  }

  /** Function ids a breakpoint name means (see functionIdsOf), or why there are none. */
  private idsFor(spec: string): number[] | string {
    const name = spec.trim();
    const ids = functionIdsOf(this.catalog, name);
    if (ids !== null) return ids;
    // a function of another QEMU version: say what the simulated one calls it, if it has it
    for (const v of CATALOG_VERSIONS) {
      const other = getCatalog(v).idsOf(name);
      if (!other.length || v === this.catalog.version) continue;
      const here = other.filter((i) => this.catalog.entry(i));
      const version = `QEMU ${this.catalog.version}`;
      if (here.length) return `${name} is called ${this.catalog.name(here[0])} in ${version}`;
      return `${name} is a function of QEMU ${v}; ${version} does not have it`;
    }
    const near = this.catalog.suggest(name);
    return `unknown QEMU function "${name}"${near.length ? ` — did you mean ${near.join(', ')}?` : ''}`;
  }

  private unreachable(fnIds: number[]): boolean {
    return fnIds.every((i) => !this.modelled.has(i));
  }

  setFunctionBreakpoints(list: ({ name: string } & BreakpointSpec)[]): ResolvedBreakpoint[] {
    this.functionBps = [];
    const out = list.map((b): ResolvedBreakpoint => {
      const id = this.newId();
      const ids = this.idsFor(b.name);
      if (typeof ids === 'string') return { id, verified: false, message: ids };
      if (this.unreachable(ids)) {
        return {
          id,
          verified: false,
          message: `${b.name} is in the catalog but the simulated path never calls it (a helper, or outside this model)`,
        };
      }
      const bp = this.compile(id, 'function', b.name, ids, b);
      if (typeof bp === 'string') return { id, verified: false, message: bp };
      this.functionBps.push(bp);
      return { id, verified: true };
    });
    this.reindex();
    return out;
  }

  setLineBreakpoints(path: string, list: ({ line: number } & BreakpointSpec)[]): ResolvedBreakpoint[] {
    const bps: Bp[] = [];
    const out = list.map((b): ResolvedBreakpoint => {
      const id = this.newId();
      const r = this.sources.resolveLine(path, b.line);
      if ('error' in r) return { id, verified: false, message: r.error };
      let ids = this.catalog.idsOf(r.fnName).slice();
      // a C file says which of QEMU's duplicated static functions it means
      if (/\.[ch]$/.test(path) && ids.length > 1) {
        const exact = ids.filter(
          (i) => this.catalog.entry(i)?.file !== undefined && path.endsWith(this.catalog.entry(i)!.file!),
        );
        if (exact.length) ids = exact;
      }
      if (this.unreachable(ids))
        return { id, verified: false, line: r.line, message: `${r.fnName} is not called on the simulated path` };
      const bp = this.compile(id, 'line', `${r.fnName} (line ${r.line})`, ids, b);
      if (typeof bp === 'string') return { id, verified: false, line: r.line, message: bp };
      bps.push(bp);
      return { id, verified: true, line: r.line, message: `stops when ${r.fnName} is entered` };
    });
    this.lineBps.set(path, bps);
    this.reindex();
    return out;
  }

  private all(): Bp[] {
    return [...this.functionBps, ...[...this.lineBps.values()].flat()];
  }

  private reindex(): void {
    this.byFn = [];
    for (const bp of this.all()) {
      for (const id of bp.fnIds) (this.byFn[id] ??= []).push(bp);
    }
  }

  /** Hit counts by breakpoint label, for the tree view. */
  hitCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const bp of this.all()) {
      const name = this.catalog.name(bp.fnIds[0]);
      out[name] = (out[name] ?? 0) + bp.hits;
    }
    return out;
  }

  /** StopPolicy: does this event stop a run? `counting` is false while replaying for reverse execution. */
  check(ev: StageEvent, sim: Simulator, counting: boolean): Stop | null {
    if (ev.phase !== Phase.enter) return null;
    if (ev.fn === this.errorFn && this.exceptions.has('ioError')) {
      return {
        kind: 'exception',
        thread: ev.thread,
        description: 'I/O error',
        breakpoints: [],
        exception: { filter: 'ioError', text: this.errorText(sim, ev) },
      };
    }
    if (ev.fn === this.vmStopFn && this.exceptions.has('vmStop')) {
      return {
        kind: 'exception',
        thread: ev.thread,
        description: 'VM stopped',
        breakpoints: [],
        exception: {
          filter: 'vmStop',
          text: 'The main loop is stopping the VM (RUN_STATE_IO_ERROR) after a request failed under werror/rerror=stop.',
        },
      };
    }
    const bps = this.byFn[ev.fn];
    if (bps === undefined) return null;
    return this.match(bps, (hits) => eventScope(sim, ev, hits), counting, ev.thread);
  }

  private errorText(sim: Simulator, ev: StageEvent): string {
    const r = ev.req >= 0 ? sim.m.s.w.vblk.reqs.get(ev.req) : undefined;
    const w = sim.m.s.w.blk;
    if (!r) return 'A request failed.';
    return `Request ${r.id} (${IO_OP_NAMES[r.op]}, sector ${r.sector}) failed; policy ${r.op === IoOp.read ? `rerror=${w.rerror}` : `werror=${w.werror}`}.`;
  }
}

/**
 * The functions of `c` a breakpoint name means — `name` (every function so named),
 * `name@qualifier`, or `file.c:name` — a string saying why a file-qualified name matches none,
 * or null when it is no function name of `c` (the caller says what else it may be).
 */
export function functionIdsOf(c: Catalog, name: string): number[] | string | null {
  const fileQualified = /^(.+\.[ch]):([A-Za-z_]\w*)$/.exec(name);
  if (fileQualified) {
    const ids = c.idsOf(fileQualified[2]).filter((i) => c.entry(i)?.file?.endsWith(fileQualified[1]));
    return ids.length ? ids : `no function ${fileQualified[2]} in ${fileQualified[1]} of QEMU ${c.version}`;
  }
  const byKey = c.idOf(name);
  if (byKey >= 0 && name.includes('@')) return [byKey];
  const ids = c.idsOf(name);
  return ids.length ? [...ids] : null;
}
