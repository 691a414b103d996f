// Breakpoints on a replayed trace. A function breakpoint names a trace event of the log's QEMU
// version (it stops on that event) or one of its functions (it stops where the function is
// entered, traced or inferred on the way to a traced one); a line breakpoint is on a line of
// the log itself, or on a function's line in the I/O path document or a QEMU source. Names of
// another version are refused with the name this version uses. Conditions read the event's
// arguments by their trace-events names and the request (view.ts). The "I/O error" filter stops
// on a failed completion, "VM stopped" when the log shows the VM stop.

import { resolve } from 'node:path';
import { ERRNO_NAMES, lookupEvent } from '../../../simulator';
import type { Pass, RecEvent, Recording } from '../../../simulator';
import { BreakpointBook, Bp, BreakpointSpec, functionIdsOf, ResolvedBreakpoint } from '../breakpoints';
import type { Stop } from '../execution';
import type { SourceMap } from '../sources';
import { eventArgs, eventScope } from './view';

/** A breakpoint and what it is on: an event name, a line of the log, or (neither) its functions. */
interface Entry {
  bp: Bp;
  event?: string;
  logLine?: number;
}

export class ReplayBreakpoints extends BreakpointBook {
  private functionBps: Entry[] = [];
  private lineBps = new Map<string, Entry[]>();
  private byEvent = new Map<string, Bp[]>();
  private byFn = new Map<number, Bp[]>();
  private byLine = new Map<number, Bp[]>();
  private readonly logPath: string;

  constructor(
    private readonly rec: Recording,
    private readonly sources: SourceMap,
    logPath: string,
  ) {
    super();
    this.logPath = resolve(logPath);
  }

  private get version(): string {
    return `QEMU ${this.rec.version}`;
  }

  /** What a breakpoint name means in this version: an event, functions, or why neither. */
  private resolveName(spec: string): { event: string } | { fns: number[] } | string {
    const name = spec.trim();
    const c = this.rec.catalog;
    if (c.traceEvent(name)) return { event: name };
    const ids = functionIdsOf(c, name);
    if (typeof ids === 'string') return ids;
    if (ids !== null) return { fns: ids };
    // a name of another version: say what this one calls it
    const other = lookupEvent(name);
    const here = other.versions.find((v) => v.version === this.rec.version);
    if (other.known && here?.name && here.name !== name)
      return `"${name}" is not an event of ${this.version}; there it is called ${here.name}`;
    if (other.known)
      return `"${name}" is not an event of ${this.version} (${other.versions
        .filter((v) => v.name)
        .map((v) => `QEMU ${v.version}`)
        .join(', ')} ${other.versions.some((v) => v.name) ? 'declare it' : 'nothing declares it'})`;
    const near = this.suggest(name);
    return `unknown event or function "${name}" in ${this.version}${near.length ? ` — did you mean ${near.join(', ')}?` : ''}`;
  }

  /** The closest event and function names of this version. */
  private suggest(name: string): string[] {
    const c = this.rec.catalog;
    const events = c.data.traceEvents.map((e) => e.name);
    const near = [...c.suggest(name, 3)];
    const d = (a: string): number => {
      let same = 0;
      while (same < a.length && same < name.length && a[same] === name[same]) same++;
      return same;
    };
    for (const e of [...events].sort((a, b) => d(b) - d(a)).slice(0, 2))
      if (d(e) >= 4 && !near.includes(e)) near.push(e);
    return near.slice(0, 4);
  }

  setFunctionBreakpoints(list: ({ name: string } & BreakpointSpec)[]): ResolvedBreakpoint[] {
    this.functionBps = [];
    const out = list.map((b): ResolvedBreakpoint => {
      const id = this.newId();
      const what = this.resolveName(b.name);
      if (typeof what === 'string') return { id, verified: false, message: what };
      const bp = this.compile(id, 'function', b.name.trim(), 'event' in what ? [] : what.fns, b);
      if (typeof bp === 'string') return { id, verified: false, message: bp };
      this.functionBps.push({ bp, event: 'event' in what ? what.event : undefined });
      return {
        id,
        verified: true,
        message: 'event' in what ? `stops on each ${what.event} event` : `stops where ${b.name.trim()} is entered`,
      };
    });
    this.reindex();
    return out;
  }

  setLineBreakpoints(path: string, list: ({ line: number } & BreakpointSpec)[]): ResolvedBreakpoint[] {
    const bps: Entry[] = [];
    const inLog = resolve(path) === this.logPath;
    const out = list.map((b): ResolvedBreakpoint => {
      const id = this.newId();
      if (inLog) {
        if (b.line < 1) return { id, verified: false, message: 'a log line number starts at 1' };
        const bp = this.compile(id, 'line', `log line ${b.line}`, [], b);
        if (typeof bp === 'string') return { id, verified: false, line: b.line, message: bp };
        bps.push({ bp, logLine: b.line });
        return { id, verified: true, line: b.line, message: `stops on the event(s) of line ${b.line} of the log` };
      }
      const r = this.sources.resolveLine(path, b.line);
      if ('error' in r) return { id, verified: false, message: r.error };
      const what = this.resolveName(r.fnName);
      if (typeof what === 'string' || 'event' in what)
        return { id, verified: false, line: r.line, message: `${r.fnName} is not a function of ${this.version}` };
      const bp = this.compile(id, 'line', `${r.fnName} (line ${r.line})`, what.fns, b);
      if (typeof bp === 'string') return { id, verified: false, line: r.line, message: bp };
      bps.push({ bp });
      return { id, verified: true, line: r.line, message: `stops where ${r.fnName} is entered` };
    });
    this.lineBps.set(resolve(path), bps);
    this.reindex();
    return out;
  }

  private reindex(): void {
    this.byEvent.clear();
    this.byFn.clear();
    this.byLine.clear();
    const add = <K>(m: Map<K, Bp[]>, k: K, bp: Bp): void => void (m.get(k) ?? m.set(k, []).get(k)!).push(bp);
    for (const { bp, event, logLine } of this.all()) {
      if (event !== undefined) add(this.byEvent, event, bp);
      else if (logLine !== undefined) add(this.byLine, logLine, bp);
      else for (const fn of bp.fnIds) add(this.byFn, fn, bp);
    }
  }

  private all(): Entry[] {
    return [...this.functionBps, ...[...this.lineBps.values()].flat()];
  }

  hitCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { bp, event, logLine } of this.all()) {
      const name = event ?? (logLine !== undefined ? bp.label : this.rec.catalog.name(bp.fnIds[0]));
      out[name] = (out[name] ?? 0) + bp.hits;
    }
    return out;
  }

  /** Does event `e` (seen from `pass`) stop a run? `counting` is false while searching back. */
  check(e: RecEvent, pass: Pass, counting: boolean): Stop | null {
    const ev = e.ev;
    const thread = this.rec.idOf(ev.tid);
    if (this.exceptions.size && ev.traced) {
      const x = this.exception(e, pass, thread);
      if (x) return x;
    }
    let bps: Bp[] = [];
    const byEvent = ev.event ? this.byEvent.get(ev.event) : undefined;
    if (byEvent) bps = byEvent;
    if (this.byFn.size) {
      const stack = e.co >= 0 ? pass.cos.get(e.co) : pass.native.get(ev.tid);
      if (stack)
        for (let i = e.added; i < stack.length; i++) {
          const hit = this.byFn.get(stack[i] >> 1);
          if (hit) bps = bps.concat(hit);
        }
    }
    if (this.byLine.size && ev.traced) {
      // a line's first event only (a line can yield more)
      const hit = this.byLine.get(ev.line);
      if (hit && e.first) bps = bps.concat(hit);
    }
    if (bps.length === 0) return null;
    return this.match(bps, (hits) => eventScope(this.rec, pass, e, hits), counting, thread);
  }

  private exception(e: RecEvent, pass: Pass, thread: number): Stop | null {
    const name = e.ev.event;
    if (this.exceptions.has('ioError') && (name === 'virtio_blk_rw_complete' || name === 'virtio_blk_req_complete')) {
      const args = eventArgs(this.rec, pass, e);
      const ret = Number(args?.ret ?? 0);
      const status = Number(args?.status ?? 0);
      const id = e.ev.requests[0];
      const r = id !== undefined ? (pass.state.reqs.get(id) ?? pass.doneNow.find((x) => x.id === id)) : undefined;
      // a failed read or write shows first as a negative ret; a request failing without it (a flush) as its status
      const failed = name === 'virtio_blk_rw_complete' ? ret < 0 : status !== 0 && (r?.status ?? status) > 0;
      if (failed) {
        const err = ret < 0 ? `${ERRNO_NAMES[-ret] ?? `errno ${-ret}`} (${ret})` : `status ${status}`;
        const what = r ? `Request ${id} (${r.op}${r.sector >= 0 ? `, sector ${r.sector}` : ''})` : 'A request';
        return {
          kind: 'exception',
          thread,
          description: 'I/O error',
          breakpoints: [],
          exception: { filter: 'ioError', text: `${what} failed: ${err}, line ${e.ev.line} of the log.` },
        };
      }
    }
    if (this.exceptions.has('vmStop') && name === 'vm_state_notify') {
      const args = eventArgs(this.rec, pass, e);
      if (args && Number(args.running) === 0)
        return {
          kind: 'exception',
          thread,
          description: 'VM stopped',
          breakpoints: [],
          exception: {
            filter: 'vmStop',
            text: `The VM stopped (reason ${args.reason ?? '?'}), line ${e.ev.line} of the log.`,
          },
        };
    }
    return null;
  }
}
