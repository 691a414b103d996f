// A seeded DAP fuzzer: random sessions against the bundled adapter, over stdio (a process per
// session) and TCP (one --server process for all): launch configurations valid and hostile,
// breakpoints, stepping both ways, frames, scopes, paged variables, expressions, requests with
// mutated arguments, unknown and unsupported commands, broken frames. It checks that
//   - every request is answered within a time limit (else a hang),
//   - the adapter never exits or drops the connection unasked (else a crash),
//   - every message it sends validates against the DAP schema,
//   - no error text or output carries a stack trace, and no handler failed ('internal error').

import { readFileSync } from 'node:fs';
import { catalog } from '../../simulator/catalog';
import { documentPath } from '../helpers/dap';
import { schemaProblem } from '../helpers/dapSchema';
import { AdapterServer, Message, startServer, TimeoutError, Wire } from '../helpers/dapWire';
import { countProblem, emptyFigures, FuzzFigures, Problem, RunOptions, runSessions, STACK } from './figures';
import { FuzzFiles } from './files';
import { hostileValue, mutate, Rng } from './random';

export interface DapFuzzOptions extends RunOptions {
  /** Share of sessions over TCP. */
  tcpShare?: number;
  /** Requests per session after the launch, at most. */
  requestsPerSession?: number;
  /** Time limit for a response. */
  responseMs?: number;
  files: FuzzFiles;
}

const FUNCTIONS = catalog.functions.map((f) => f.name);
const DOC_LINES = readFileSync(documentPath, 'utf8').split('\n').length;

const EXPRESSIONS = [
  'req.sector',
  'req ? req.sector : -1',
  'thread',
  'len(requests)',
  'hex(req.id)',
  'vq.avail_idx + 1',
  'guest.inflight',
  'locals',
  'pool',
  'laio',
  'thread_info',
  'fn == "laio_co_submit"',
  'time_us > 100 && !vm.running',
  'min(1, 2, 3)',
  'contains(thread, "io")',
  'requests[0]',
  'locals["acb"]',
  'constructor',
  '__proto__',
  'req.constructor',
  'process.exit(1)',
  'this',
  'eval("1")',
  '"unterminated',
  '1 +',
  '',
  '   ',
  '{',
  '1/0',
  '0x',
];

type Resume = 'continue' | 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'reverseContinue';

class Session {
  readonly figures = emptyFigures();
  private threads: number[] = [1];
  private frames: number[] = [];
  private refs: number[] = [];
  private ended = false;

  constructor(
    private readonly r: Rng,
    private readonly w: Wire,
    private readonly opts: DapFuzzOptions,
    private readonly name: string,
  ) {}

  private problem(kind: Problem, text: string): void {
    countProblem(this.figures, kind, this.name, text);
  }

  /** Sends a request; a missing answer is a hang, a closed adapter a crash. */
  async request(command: string, args?: unknown): Promise<Message | null> {
    this.figures.requests++;
    try {
      return await this.w.request(command, args, this.opts.responseMs ?? 10_000);
    } catch (e) {
      if (e instanceof TimeoutError)
        this.problem('hangs', `${command} ${JSON.stringify(args)?.slice(0, 200)}: ${e.message}`);
      else if (!this.ended)
        this.problem('crashes', `${command} ${JSON.stringify(args)?.slice(0, 200)}: ${(e as Error).message}`);
      throw e;
    }
  }

  private args<T>(valid: T): T | unknown {
    return this.r.chance(0.15) ? mutate(this.r, valid) : valid;
  }

  private remember(m: Message | null): void {
    const b = m?.success ? m.body : undefined;
    if (!b) return;
    if (Array.isArray(b.threads)) this.threads = (b.threads as { id: number }[]).map((t) => t.id);
    if (Array.isArray(b.stackFrames)) this.frames = (b.stackFrames as { id: number }[]).map((f) => f.id);
    for (const list of [b.scopes, b.variables])
      if (Array.isArray(list))
        for (const v of list as { variablesReference?: number }[])
          if (v.variablesReference) this.refs.push(v.variablesReference);
    if (typeof b.variablesReference === 'number' && b.variablesReference > 0) this.refs.push(b.variablesReference);
    if (this.refs.length > 200) this.refs = this.refs.slice(-100);
  }

  private someId(ids: number[]): number {
    return ids.length && this.r.chance(0.85) ? this.r.pick(ids) : this.r.pick([0, -1, 99_999, 100_000, 2 ** 31]);
  }

  /** A trace session's configuration (replay or follow), sometimes with a field it refuses. */
  traceConfig(): Record<string, unknown> {
    const r = this.r;
    const c: Record<string, unknown> = { traceFile: r.pick(this.opts.files.tracePaths) };
    if (r.chance(0.3)) c.qemuVersion = r.pick(['auto', '7.2', '10.0', '4.1.0']);
    if (r.chance(0.3)) c.stopOnEntry = r.chance(0.5);
    if (r.chance(0.2)) c.trace = r.chance(0.5);
    if (r.chance(0.05)) c.iodepth = 4;
    return r.chance(0.1) ? (mutate(r, c) as Record<string, unknown>) : c;
  }

  launchConfig(): Record<string, unknown> {
    const r = this.r;
    const f = this.opts.files;
    const c: Record<string, unknown> = {};
    if (r.chance(0.5)) c.aio = r.pick(['threads', 'native', 'native', 'io_uring']);
    if (c.aio === 'native' || r.chance(0.3)) c.cache = r.pick(['none', 'directsync', 'writeback', 'unsafe']);
    if (r.chance(0.3)) c.iothread = r.chance(0.5);
    if (r.chance(0.1)) c.workload = r.pick(f.workloadPaths);
    else
      c.workload = {
        rw: r.pick(['read', 'write', 'randread', 'randwrite', 'randrw', 'rw']),
        bs: r.pick(['4k', 4096, 512, '64k', 1536, '1M']),
        iodepth: r.int(1, 16),
        requests: r.int(1, 40),
        ...(r.chance(0.3) ? { flushEvery: r.int(0, 3) } : {}),
      };
    if (r.chance(0.25)) c.faults = [r.pick(['write:0-2047:EIO', 'read:#3:EIO', 'flush:*:EIO:1', 'write:*:ENOSPC:2'])];
    if (r.chance(0.25)) c.werror = r.pick(['report', 'ignore', 'stop', 'enospc']);
    if (r.chance(0.15)) c.rerror = r.pick(['report', 'ignore', 'stop']);
    if (r.chance(0.1)) c.document = r.pick(f.documentPaths);
    if (r.chance(0.05)) c.qemuSource = r.pick(f.directoryPaths);
    if (r.chance(0.05))
      c.qemu = r.pick([
        '-drive id=d0,aio=native,cache=none -device virtio-blk-pci,drive=d0',
        '-object iothread,id=io0 -drive id=d0 -device virtio-blk-pci,drive=d0,iothread=io0',
        'garbage',
      ]);
    if (r.chance(0.3)) c.trace = r.chance(0.5);
    if (r.chance(0.2)) c.stopOnEntry = r.chance(0.3);
    c.seed = r.int(0, 2 ** 32 - 1);
    return r.chance(0.15) ? (mutate(r, c) as Record<string, unknown>) : c;
  }

  async resume(kind: Resume): Promise<void> {
    const from = this.w.messages.length;
    const threadId = this.someId(this.threads);
    const r = await this.request(kind, this.args({ threadId }));
    if (!r?.success || this.r.chance(0.3)) return;
    const stopOrEnd = (m: Message) => m.type === 'event' && (m.event === 'stopped' || m.event === 'terminated');
    try {
      await this.w.wait(stopOrEnd, 2000, 'a stop', from);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      // a long run: pause it, and it must stop
      await this.request('pause', { threadId: 1 });
      await this.w.wait(stopOrEnd, this.opts.responseMs ?? 10_000, 'a stop after pause', from).catch((e2) => {
        if (e2 instanceof TimeoutError) this.problem('hangs', `${kind}: no stop within the time limit after a pause`);
        else throw e2;
      });
    }
  }

  async step(): Promise<void> {
    const r = this.r;
    const what = r.weighted<string>([
      ['threads', 8],
      ['stackTrace', 10],
      ['scopes', 8],
      ['variables', 10],
      ['evaluate', 8],
      ['next', 6],
      ['stepIn', 6],
      ['stepOut', 4],
      ['stepBack', 5],
      ['reverseContinue', 2],
      ['continue', 4],
      ['pause', 2],
      ['setFunctionBreakpoints', 4],
      ['setBreakpoints', 3],
      ['setExceptionBreakpoints', 2],
      ['exceptionInfo', 2],
      ['unsupported', 1],
      ['restart', 1],
      ['cancel', 1],
      ['unknown', 1],
      ['badFrame', 1],
      ['again', 1],
    ]);
    switch (what) {
      case 'threads':
        return this.remember(await this.request('threads', r.chance(0.1) ? hostileValue(r) : undefined));
      case 'stackTrace': {
        const args = { threadId: this.someId(this.threads) } as Record<string, unknown>;
        if (r.chance(0.3)) args.startFrame = r.int(-5, 30);
        if (r.chance(0.3)) args.levels = r.int(-5, 30);
        return this.remember(await this.request('stackTrace', this.args(args)));
      }
      case 'scopes':
        return this.remember(await this.request('scopes', this.args({ frameId: this.someId(this.frames) })));
      case 'variables': {
        const args = { variablesReference: this.someId(this.refs) } as Record<string, unknown>;
        if (r.chance(0.4)) args.start = r.pick([0, 1, 5, 50, -1, -1_000_000, 1e12]);
        if (r.chance(0.4)) args.count = r.pick([0, 1, 10, 100, -5, 1e12]);
        if (r.chance(0.2)) args.filter = r.pick(['indexed', 'named', 'bogus']);
        return this.remember(await this.request('variables', this.args(args)));
      }
      case 'evaluate': {
        const expression = r.chance(0.8)
          ? r.pick(EXPRESSIONS)
          : r.pick(['(', '-', '!', '[', 'a.']).repeat(r.int(1, 400)) + '1';
        const args = { expression, context: r.pick(['repl', 'watch', 'hover', 'clipboard']) } as Record<
          string,
          unknown
        >;
        if (this.frames.length && r.chance(0.6)) args.frameId = this.someId(this.frames);
        return this.remember(await this.request('evaluate', this.args(args)));
      }
      case 'next':
      case 'stepIn':
      case 'stepOut':
      case 'stepBack':
      case 'reverseContinue':
      case 'continue':
        return this.resume(what);
      case 'pause':
        return void (await this.request('pause', this.args({ threadId: this.someId(this.threads) })));
      case 'setFunctionBreakpoints': {
        const breakpoints = Array.from({ length: r.int(0, 4) }, () => {
          const b: Record<string, unknown> = { name: r.chance(0.8) ? r.pick(FUNCTIONS) : String(hostileValue(r)) };
          if (r.chance(0.2)) b.condition = r.pick(EXPRESSIONS);
          if (r.chance(0.2)) b.hitCondition = r.pick(['2', '>= 3', '% 2', '% 0', 'x']);
          return b;
        });
        return void (await this.request('setFunctionBreakpoints', this.args({ breakpoints })));
      }
      case 'setBreakpoints': {
        const path = r.chance(0.7) ? documentPath : r.pick(this.opts.files.sourcePaths);
        const breakpoints = Array.from({ length: r.int(0, 3) }, () => {
          const b: Record<string, unknown> = { line: r.int(-2, DOC_LINES + 5) };
          if (r.chance(0.2)) b.logMessage = r.pick(['on {thread}', '{req.sector', '{(((}', 'plain']);
          if (r.chance(0.1)) b.condition = r.pick(EXPRESSIONS);
          return b;
        });
        return void (await this.request('setBreakpoints', this.args({ source: { path }, breakpoints })));
      }
      case 'setExceptionBreakpoints':
        return void (await this.request(
          'setExceptionBreakpoints',
          this.args({ filters: r.pick([[], ['ioError'], ['vmStop'], ['ioError', 'vmStop'], ['bogus']]) }),
        ));
      case 'exceptionInfo':
        return void (await this.request('exceptionInfo', this.args({ threadId: this.someId(this.threads) })));
      case 'unsupported':
        return void (await this.request(
          r.pick(['source', 'setVariable', 'attach', 'goto', 'readMemory', 'disassemble', 'completions']),
          hostileValue(r),
        ));
      case 'restart':
        return void (await this.request('restart', this.args({})));
      case 'cancel':
        return void (await this.request('cancel', this.args({ requestId: r.int(0, 50) })));
      case 'unknown':
        return void (await this.request(r.pick(['frobnicate', '', 'constructor', '__proto__', 'x'.repeat(500)]), {}));
      case 'badFrame':
        this.w.raw(
          r.pick([
            'Content-Length: abc\r\n\r\n{}',
            'Content-Length: -5\r\n\r\n{}',
            'Content-Length: 4\r\n\r\nnull',
            'Content-Length: 2\r\n\r\n42',
            'Content-Length: 9\r\n\r\n{"seq":1}',
            'garbage outside a frame\r\n',
            `Content-Length: 300\r\n\r\n{"seq":999,"type":"request","command":"threads"}`,
          ]),
        );
        // the next request must still be answered
        return this.remember(await this.request('threads'));
      default:
        // lifecycle requests out of order
        return void (await this.request(r.pick(['launch', 'initialize', 'configurationDone']), this.args({})));
    }
  }

  async run(): Promise<void> {
    const r = this.r;
    const w = this.w;
    if (r.chance(0.95)) await this.request('initialize', this.args({ adapterID: 'qemu-io', pathFormat: 'path' }));
    if (r.chance(0.9)) {
      // a simulation, a replay of a real log, or following one
      const kind = r.weighted<'sim' | 'replay' | 'follow'>([
        ['sim', 6],
        ['replay', 3],
        ['follow', 1],
      ]);
      const request = kind === 'follow' ? 'attach' : 'launch';
      const launched = this.request(request, {
        type: 'qemu-io',
        request,
        name: 'fuzz',
        ...(kind === 'sim' ? this.launchConfig() : this.traceConfig()),
      });
      const ok = await Promise.race([
        w.event('initialized', this.opts.responseMs ?? 10_000).then(() => true),
        launched.then((m) => m?.success === true),
      ]).catch(() => false);
      if (ok) {
        if (r.chance(0.5)) await this.request('setFunctionBreakpoints', { breakpoints: [{ name: r.pick(FUNCTIONS) }] });
        await this.request('configurationDone');
        await launched;
      }
    }
    const n = r.int(1, this.opts.requestsPerSession ?? 25);
    for (let i = 0; i < n && !w.exit; i++) await this.step();
  }

  /** Disconnects (or just goes away), then checks everything the adapter sent. */
  async finish(stderr: () => string): Promise<void> {
    this.ended = true;
    if (!this.w.exit && this.r.chance(0.8))
      await this.w.request('disconnect', {}, this.opts.responseMs ?? 10_000).catch(() => undefined);
    for (const m of this.w.messages) {
      const p = schemaProblem(m);
      if (p) this.problem('schemaFailures', p);
      const text =
        m.type === 'response' && m.success === false
          ? `${m.message ?? ''} ${JSON.stringify(m.body ?? {})}`
          : m.event === 'output'
            ? String(m.body?.output ?? '')
            : '';
      if (STACK.test(text)) this.problem('stackTraces', text);
      if (/internal error/i.test(text)) this.problem('internalErrors', text);
    }
    const err = stderr().trim();
    if (err) this.problem('internalErrors', `stderr: ${err}`);
  }
}

/** Runs sessions until the count or the time is reached; returns the figures. */
export async function fuzzDap(opts: DapFuzzOptions): Promise<FuzzFigures> {
  const server: AdapterServer = await startServer();
  let total: FuzzFigures;
  try {
    total = await runSessions(opts, async (index) => {
      const r = new Rng(opts.seed * 100_003 + index);
      const tcp = r.chance(opts.tcpShare ?? 0.7);
      const label = `dap seed ${opts.seed} session ${index} (${tcp ? 'tcp' : 'stdio'})`;
      const w = tcp ? await Wire.tcp(server.port) : Wire.stdio();
      const s = new Session(r, w, opts, label);
      try {
        await s.run();
      } catch {
        // counted where it happened
      }
      await s.finish(() => (tcp ? '' : w.stderr));
      await w.close();
      return { ...s.figures, label };
    });
  } finally {
    server.proc.kill();
  }
  // the server must have outlived every session, and said nothing on the way
  if (server.proc.exitCode !== null || (server.proc.signalCode !== null && server.proc.signalCode !== 'SIGTERM'))
    countProblem(total, 'crashes', 'dap --server', `the adapter exited: ${server.stderr()}`);
  const err = server
    .stderr()
    .replace(/.*listening on.*\n?/, '')
    .trim();
  if (err) countProblem(total, 'internalErrors', 'dap --server', `stderr: ${err}`);
  return total;
}
