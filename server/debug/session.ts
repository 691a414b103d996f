// The Debug Adapter Protocol session: translates between DAP and the simulator (through
// Execution, Breakpoints, SourceMap and the variable tree). It is a plain DebugSession:
// LoggingDebugSession serialises every message a second time for its logger, even unused.
// QEMU threads are DAP threads; a thread's stack shows the coroutine running on it, set apart
// by a label frame, on top of its own frames; parked coroutines are shown as the frames of
// one pseudo-thread, the way QEMU's gdb helper `qemu bt` walks them. One class serves stdio,
// TCP and inline use.

import {
  DebugSession,
  Event,
  InitializedEvent,
  OutputEvent,
  Response,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { promises as fsp } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatFrameName } from '../../common/frame-name';
import {
  buildScenario,
  Catalog,
  catalog as reference,
  ConfigError,
  excerpt,
  Frame,
  getCatalog,
  frameLocals,
  mergeChain,
  modelledFunctions,
  Plain,
  qemuTraceLine,
  readFioFile,
  readTraceWorkload,
  requestInfo,
  Stack,
  statsText,
  threadInfo,
} from '../../simulator';
import { readUserFile, UserFileError } from '../../common/userFile';
import { Breakpoints, EXCEPTION_FILTERS } from './breakpoints';
import { Execution, Stop } from './execution';
import { Expression, ExprError, show, Value } from './expr/evaluate';
import { launchErrorFrom, LaunchConfig, LaunchError, scenarioInputFrom, validateLaunch } from './launch-config';
import { FrameReader } from './framing';
import { checkRequestArgs, REQUEST_ARGS, UNSUPPORTED } from './requestArgs';
import { frameScope } from './scope';
import { SourceMap } from './sources';
import { handleTimelineRequest } from './timeline';
import { VariableStore } from './variables';

/** DAP thread id and name of the pseudo-thread listing parked coroutines (stable, for nvim-dap). */
export const PARKED_THREAD = 100_000;
const PARKED_THREAD_NAME = 'parked coroutines';
/** Longest error text sent to a client. */
const MAX_ERROR_CHARS = 500;

const MAX_OUTPUT_LINES_PER_STOP = 2000;
/** The shipped document is 60 KiB; a user's may be bigger, but not without bound. */
const MAX_DOCUMENT_BYTES = 16 << 20;

interface FrameRef {
  thread: number;
  frame: Frame | null;
  fnId: number;
  req: number;
  coroutine: number | null;
}

function defaultDocument(): string {
  // the bundle lives in dist/; the document ships beside it in docs/
  return resolve(__dirname, '..', 'docs', 'qemu-io-path.md');
}

export class QemuIoDebugSession extends DebugSession {
  private exec: Execution | null = null;
  private breakpoints: Breakpoints | null = null;
  private sources: SourceMap | null = null;
  /** The catalog of the QEMU version the session simulates. */
  private catalog: Catalog = reference;
  private config: LaunchConfig = {};
  private configured: Promise<void>;
  private markConfigured!: () => void;
  private frames = new Map<number, FrameRef>();
  private nextFrameId = 1;
  private variables = new VariableStore();
  private outputBudget = MAX_OUTPUT_LINES_PER_STOP;
  private outputDropped = 0;
  private lastStop: Stop | null = null;
  private pendingFunctionBps: DebugProtocol.SetFunctionBreakpointsArguments | null = null;
  private pendingLineBps: DebugProtocol.SetBreakpointsArguments[] = [];
  private pendingExceptionFilters: string[] | null = null;
  private launched = false;
  /** Line breakpoints whose files are still being read; later requests wait for them, in order. */
  private settled: Promise<void> = Promise.resolve();
  /** The current run (continue, step, ...), while one goes on. */
  private current: Promise<void> | null = null;
  /** Whether the client was told the parked-coroutines pseudo-thread exists. */
  private parkedShown = false;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configured = new Promise((r) => (this.markConfigured = r));
  }

  // ---- transport and dispatch --------------------------------------------------------------

  /** Reads frames with our own reader (framing.ts): a bad frame is reported, never fatal. */
  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(new PassThrough(), outStream);
    const reader = new FrameReader();
    inStream.on('data', (data: Buffer) => {
      for (const f of reader.push(data)) {
        if (f.problem) this.badFrame(f.problem);
        if ('message' in f) this.receive(f.message);
      }
    });
    inStream.on('close', () => this.emit('close'));
    inStream.on('error', (e: Error) => this.emit('error', e));
    inStream.resume();
  }

  private receive(msg: unknown): void {
    const m = msg as { type?: unknown; seq?: unknown; command?: unknown };
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
      return this.badFrame(`a message that is ${msg === null ? 'null' : `not an object (${typeof msg})`}`);
    if (m.type === 'response') return this.handleMessage(msg as DebugProtocol.ProtocolMessage);
    if (m.type !== 'request' || !Number.isSafeInteger(m.seq))
      return this.badFrame('a message that is not a request with a whole-number "seq"');
    this.handleMessage(msg as DebugProtocol.ProtocolMessage);
  }

  private badFrame(problem: string): void {
    this.sendEvent(new OutputEvent(`qemu-io debug adapter: ignored ${problem}\n`, 'console'));
  }

  /** Every request's arguments are checked before its handler runs; unsupported ones are refused. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request);
    const command = request.command;
    if (typeof command !== 'string') return this.fail(response, new Error('a request without a "command"'), 1010);
    if (Object.hasOwn(UNSUPPORTED, command)) return this.fail(response, new Error(UNSUPPORTED[command]), 1011);
    if (!Object.hasOwn(REQUEST_ARGS, command))
      return this.fail(response, new Error(`unknown request ${JSON.stringify(command.slice(0, 60))}`), 1012);
    const problem = checkRequestArgs(command, request.arguments);
    if (problem) return this.fail(response, new Error(problem), 1013);
    if (command === 'initialize') {
      // DAP's default pathFormat is "path"; the library refuses a missing one
      const args = { ...(request.arguments as DebugProtocol.InitializeRequestArguments) };
      args.pathFormat ??= 'path';
      if (args.pathFormat !== 'path')
        return this.fail(
          response,
          new Error(
            `initialize: pathFormat ${JSON.stringify(args.pathFormat.slice(0, 20))} is not supported (only "path")`,
          ),
          1014,
        );
      request = { ...request, arguments: args };
    }
    if (request.arguments === null) request = { ...request, arguments: undefined };
    super.dispatchRequest(request);
  }

  /**
   * All errors go out as one line without a stack: also the library's answer to an exception in
   * a handler, which would otherwise carry the stack with install paths.
   */
  override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
    variables?: Record<string, unknown>,
  ): void {
    const msg = typeof codeOrMessage === 'number' ? { id: codeOrMessage, format: format ?? '' } : codeOrMessage;
    let text = msg.format;
    // the library's catch-all answers an exception with exactly this format
    if (text === '{_stack}' && variables && '_exception' in variables)
      text = `internal error in ${response.command}: ${String(variables._exception)}`;
    super.sendErrorResponse(response, { id: msg.id, format: clientText(text), showUser: msg.showUser });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsCancelRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ ...f })),
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): Promise<void> {
    if (this.launched) return this.fail(response, new Error('launch: this session is already launched'), 1001);
    this.launched = true;
    try {
      const config = validateLaunch(args as Record<string, unknown>);
      this.config = config;
      // every file is read here, asynchronously and checked: nothing a request does touches the disk
      const qemuSource = config.qemuSource ? resolve(config.qemuSource) : undefined;
      if (
        qemuSource &&
        !(await fsp.stat(qemuSource).then(
          (st) => st.isDirectory(),
          () => false,
        ))
      ) {
        throw new LaunchError(
          'qemuSource',
          `launch configuration: "qemuSource" is ${excerpt(config.qemuSource)}, which is not a directory`,
        );
      }
      const docPath = config.document ? resolve(config.document) : defaultDocument();
      const document = await readUserFile(docPath, MAX_DOCUMENT_BYTES).then(
        (text) => ({ path: docPath, text }),
        (e: unknown) => {
          if (!(e instanceof UserFileError) || !config.document) return undefined;
          throw new LaunchError(
            'document',
            `launch configuration: "document" is ${excerpt(config.document)}: ${e.message}`,
          );
        },
      );
      const input = scenarioInputFrom(config);
      if (input.fioFile !== undefined)
        input.fioText = await readFioFile(input.fioFile, 'launch configuration: "workload"');
      const traced =
        input.traceFile !== undefined
          ? await readTraceWorkload(input.traceFile, 'launch configuration: "workload.fromTrace"')
          : null;
      const { scenario, notes } = namedForLaunch(config, () =>
        buildScenario({ ...input, traceWorkload: traced?.workload }),
      );
      notes.unshift(...(traced?.notes ?? []));
      // names, sources and breakpoints are those of the QEMU version simulated
      this.catalog = getCatalog(scenario.qemuVersion);
      this.sources = new SourceMap(this.catalog, document, qemuSource);
      await this.sources.loadCheckout();
      for (const args of this.pendingLineBps) await this.sources.loadFor(args.source.path!);
      this.breakpoints = new Breakpoints(this.catalog, this.sources, modelledFunctions(scenario.qemuVersion));
      this.exec = new Execution(scenario, this.breakpoints, {
        threadsChanged: (started, exited) => {
          for (const id of started) this.sendEvent(new ThreadEvent('started', id + 1));
          for (const id of exited) this.sendEvent(new ThreadEvent('exited', id + 1));
        },
        output: (lines) => this.output(lines),
      });
      this.installTracer();
      this.applyPendingBreakpoints();
      this.sendResponse(response);
      for (const n of notes) this.output([`note: ${n}`], 'console');
      this.sendEvent(new InitializedEvent());
      await this.configured;
      await this.begin();
    } catch (e) {
      this.fail(response, e, 1001);
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    // after the breakpoints sent before it are in place
    void this.settled.then(() => {
      this.sendResponse(response);
      this.markConfigured();
    });
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse): Promise<void> {
    if (!this.exec) return this.fail(response, new Error('nothing to restart: the session was not launched'), 1002);
    this.exec.pause();
    await this.current;
    try {
      this.exec.restart();
      this.installTracer();
    } catch (e) {
      return this.fail(response, e, 1002);
    }
    this.sendResponse(response);
    await this.begin();
  }

  /** Run from the beginning: to the entry stop, or (stopOnEntry false) to the first breakpoint. */
  private begin(): Promise<void> {
    const exec = this.exec!;
    if (this.config.stopOnEntry === false) return this.run(() => exec.forward(null));
    return this.run(() =>
      exec.forward(() => ({ kind: 'entry', thread: 0, description: 'Entry', breakpoints: [] }), { breakpoints: false }),
    );
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.exec?.pause();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
    request?: DebugProtocol.Request,
  ): void {
    this.exec?.pause();
    super.disconnectRequest(response, args, request);
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse): void {
    // requests are answered synchronously or stop at the next slice; nothing stays cancellable
    this.sendResponse(response);
  }

  // ---- breakpoints -------------------------------------------------------------------------

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    if (!this.breakpoints) {
      this.pendingFunctionBps = args;
      response.body = {
        breakpoints: args.breakpoints.map(() => ({
          verified: false,
          message: 'pending until the session is launched',
        })),
      };
      return this.sendResponse(response);
    }
    const res = this.breakpoints.setFunctionBreakpoints(args.breakpoints);
    response.body = { breakpoints: res.map((r) => ({ id: r.id, verified: r.verified, message: r.message })) };
    this.sendResponse(response);
  }

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const path = args.source.path;
    const list = (args.breakpoints ?? []).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) }));
    if (!path) {
      response.body = { breakpoints: list.map(() => ({ verified: false, message: 'breakpoints need a file path' })) };
      return this.sendResponse(response);
    }
    if (!this.breakpoints) {
      this.pendingLineBps.push(args);
      response.body = {
        breakpoints: list.map(() => ({ verified: false, message: 'pending until the session is launched' })),
      };
      return this.sendResponse(response);
    }
    const bps = this.breakpoints;
    // a C file is read first (asynchronously); requests after this one wait for it
    this.settled = this.settled.then(async () => {
      try {
        await this.sources!.loadFor(path);
      } catch (e) {
        return this.fail(response, e, 1016);
      }
      const res = bps.setLineBreakpoints(path, list);
      response.body = {
        breakpoints: res.map((r, i) => ({
          id: r.id,
          verified: r.verified,
          message: r.message,
          line: this.convertDebuggerLineToClient(r.line ?? list[i].line),
          source: args.source,
        })),
      };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    if (this.breakpoints) this.breakpoints.setExceptionFilters(args.filters);
    else this.pendingExceptionFilters = args.filters;
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  private applyPendingBreakpoints(): void {
    const bps = this.breakpoints!;
    if (this.pendingExceptionFilters) bps.setExceptionFilters(this.pendingExceptionFilters);
    if (this.pendingFunctionBps) {
      const res = bps.setFunctionBreakpoints(this.pendingFunctionBps.breakpoints);
      for (const r of res) this.sendEvent(new Event('breakpoint', { reason: 'changed', breakpoint: { ...r } }));
    }
    for (const args of this.pendingLineBps)
      bps.setLineBreakpoints(
        args.source.path!,
        (args.breakpoints ?? []).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) })),
      );
    this.pendingFunctionBps = null;
    this.pendingLineBps = [];
    this.pendingExceptionFilters = null;
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.lastStop?.exception;
    response.body = {
      exceptionId: ex?.filter ?? 'none',
      description: ex?.text ?? 'No exception at this stop.',
      breakMode: 'always',
    };
    this.sendResponse(response);
  }

  // ---- execution ---------------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    if (!this.idle(response)) return;
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    void this.run(() => this.exec!.forward(null));
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    const thread = this.simThread(response, args.threadId);
    if (thread === null) return;
    this.sendResponse(response);
    void this.run(() => this.exec!.next(thread));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const thread = this.simThread(response, args.threadId);
    if (thread === null) return;
    this.sendResponse(response);
    void this.run(() => this.exec!.stepIn(thread));
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    const thread = this.simThread(response, args.threadId);
    if (thread === null) return;
    this.sendResponse(response);
    void this.run(() => this.exec!.stepOut(thread));
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    const thread = this.simThread(response, args.threadId);
    if (thread === null) return;
    this.sendResponse(response);
    void this.run(() => this.exec!.stepBack(thread), true);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    if (!this.idle(response)) return;
    this.sendResponse(response);
    void this.run(() => this.exec!.reverseContinue(), true);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.exec?.pause();
    this.sendResponse(response);
  }

  /** False (and the request refused) before launch: there is nothing to run yet. */
  private ready(response: DebugProtocol.Response): boolean {
    if (this.exec) return true;
    this.fail(response, new Error(`${response.command}: the session was not launched`), 1008);
    return false;
  }

  /** ready(), and not already running: a second continue or step waits for a stop (or a pause). */
  private idle(response: DebugProtocol.Response): boolean {
    if (!this.ready(response)) return false;
    if (!this.current) return true;
    this.fail(response, new Error(`${response.command}: the simulation is running; pause it first`), 1015);
    return false;
  }

  /**
   * A DAP thread id to the simulator's (the pseudo-thread steps the focused real thread), or
   * null after refusing the request for a thread that does not exist.
   */
  private simThread(response: DebugProtocol.Response, dapId: number): number | null {
    if (!this.idle(response)) return null;
    const exec = this.exec!;
    if (dapId === PARKED_THREAD) return exec.position?.thread ?? 0;
    if (exec.sim.m.s.threads[dapId - 1]) return dapId - 1;
    this.fail(response, new Error(`${response.command}: "threadId" ${dapId} is not a thread of this session`), 1009);
    return null;
  }

  /** Run something that ends in a stop, then report it. At the end, going on ends the session. */
  private run(what: () => Promise<Stop>, backward = false): Promise<void> {
    const run = this.settled.then(() => this.runNow(what, backward));
    const current = run.finally(() => {
      if (this.current === current) this.current = null;
    });
    this.current = current;
    return current;
  }

  private async runNow(what: () => Promise<Stop>, backward: boolean): Promise<void> {
    const exec = this.exec;
    if (!exec) return;
    if (!backward && exec.finished) {
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.frames.clear();
    this.variables.clear();
    this.outputBudget = MAX_OUTPUT_LINES_PER_STOP;
    this.outputDropped = 0;
    let stop: Stop;
    try {
      stop = await what();
    } catch (e) {
      this.output([`internal error: ${(e as Error).message}`], 'stderr');
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.flushLogs();
    if (this.outputDropped > 0)
      this.output(
        [`… ${this.outputDropped} more trace line(s) not shown (the CLI's --format qemu-trace prints them all)`],
        'console',
      );
    this.lastStop = stop;
    const reason = stop.kind === 'end' ? 'step' : stop.kind;
    const ev = new StoppedEvent(reason, stop.thread + 1) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    ev.body.allThreadsStopped = true;
    if (stop.kind === 'end') ev.body.text = 'end of simulation';
    if (stop.exception) ev.body.text = stop.exception.text;
    if (stop.breakpoints.length) ev.body.hitBreakpointIds = stop.breakpoints;
    if (stop.kind === 'end') {
      this.output(
        [
          statsText(stop.stats ?? exec.sim.stats()),
          `${stop.description}. Step back or reverse-continue to look around; continue ends the session.`,
        ],
        'console',
      );
    }
    this.announceParked();
    this.sendEvent(ev);
    this.sendStageEvent(stop.thread);
  }

  /** Thread events for the parked-coroutines pseudo-thread (nvim-dap re-reads threads only after one). */
  private announceParked(): void {
    const shown = (this.exec?.sim.parkedCount() ?? 0) > 0;
    if (shown === this.parkedShown) return;
    this.parkedShown = shown;
    this.sendEvent(new ThreadEvent(shown ? 'started' : 'exited', PARKED_THREAD));
  }

  private sendStageEvent(thread: number): void {
    const exec = this.exec!;
    const stack = exec.sim.stack(thread);
    const top = stack[0];
    const f = top ? this.catalog.entry(top.fnId) : undefined;
    this.sendEvent(
      new Event('qemuIo/stage', {
        threadId: thread + 1,
        thread: exec.sim.m.s.threads[thread]?.name ?? '',
        function: f?.name ?? '',
        stage: f?.stage ?? '',
        group: f ? (this.catalog.stage(f.stage)?.group ?? '') : '',
        requestIds: top && top.req >= 0 ? mergeChain(exec.sim.m.s.w, top.req) : [],
        hitCounts: this.breakpoints?.hitCounts() ?? {},
        event: exec.position?.seq ?? -1,
        timeNs: exec.position?.time ?? 0,
      }),
    );
  }

  private installTracer(): void {
    const exec = this.exec!;
    const m = exec.sim.m;
    m.tracer = this.config.trace
      ? (t, event, args) => {
          if (this.outputBudget > 0) {
            this.outputBudget--;
            exec.pendingOutput.push(qemuTraceLine(m, t, event, args));
          } else this.outputDropped++;
        }
      : null;
  }

  /** Logpoint lines (output() sends them first), then trace lines. */
  private flushLogs(): void {
    this.output(this.exec?.pendingOutput.splice(0) ?? []);
  }

  private output(lines: string[], category: 'stdout' | 'console' | 'stderr' = 'stdout'): void {
    const logs = this.breakpoints?.logs.splice(0) ?? [];
    if (logs.length) this.sendEvent(new OutputEvent(logs.join('\n') + '\n', 'console'));
    if (lines.length) this.sendEvent(new OutputEvent(lines.join('\n') + '\n', category));
  }

  // ---- threads and frames ------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const sim = this.exec?.sim;
    const threads = sim ? sim.threads().map((t) => new Thread(t.id + 1, t.name)) : [];
    const parked = sim?.parkedCount() ?? 0;
    if (parked > 0) threads.push(new Thread(PARKED_THREAD, PARKED_THREAD_NAME));
    response.body = { threads };
    this.sendResponse(response);
  }

  /** A frame; `at` is the function whose source it shows (a label frame: the coroutine's entry). */
  private frameFor(ref: FrameRef, name: string, hint?: 'label' | 'subtle', at = ref.fnId): DebugProtocol.StackFrame {
    const id = this.nextFrameId++;
    this.frames.set(id, ref);
    const loc = at >= 0 ? this.sources!.locate(at) : null;
    const sf: DebugProtocol.StackFrame = new StackFrame(
      id,
      name,
      loc ? new Source(basename(loc.path), loc.path) : undefined,
      loc ? this.convertDebuggerLineToClient(loc.line) : 0,
      loc ? 1 : 0,
    );
    if (hint) sf.presentationHint = hint;
    return sf;
  }

  /** Plumbing is subtle — except the frame a thread is stopped in, which VS Code must focus. */
  private hint(fnId: number, isTop: boolean): 'subtle' | undefined {
    return !isTop && this.catalog.entry(fnId)!.plumbing ? 'subtle' : undefined;
  }

  private displayName(fnId: number): string {
    return formatFrameName(this.catalog.entry(fnId)!);
  }

  /** A stack's frames, innermost first; with `topAware`, the thread's very first frame is never subtle. */
  private pushFrames(
    all: DebugProtocol.StackFrame[],
    thread: number,
    stack: Stack,
    coroutine: number | null,
    topAware: boolean,
  ): void {
    for (let i = stack.depth - 1; i >= 0; i--) {
      const f = stack.frames[i];
      all.push(
        this.frameFor(
          { thread, frame: f, fnId: f.fn, req: f.req, coroutine },
          this.displayName(f.fn),
          this.hint(f.fn, topAware && all.length === 0),
        ),
      );
    }
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    if (!this.ready(response)) return;
    const sim = this.exec!.sim;
    const all: DebugProtocol.StackFrame[] = [];
    if (args.threadId === PARKED_THREAD) {
      for (const co of sim.parkedCoroutines()) {
        const top = co.frames[0];
        const where = top
          ? `${co.state} in ${co.frames.find((f) => f.name !== 'qemu_coroutine_yield')?.name ?? top.name}`
          : co.state;
        const live = sim.m.s.w.co.live.get(co.id)!;
        all.push(
          this.frameFor(
            { thread: co.thread, frame: null, fnId: -1, req: co.req, coroutine: co.id },
            `coroutine #${co.id} · ${co.entry} — ${where}${co.req >= 0 ? ` (request ${co.req})` : ''}`,
            'label',
            live.entry,
          ),
        );
        this.pushFrames(all, co.thread, live.stack, co.id, false);
      }
    } else {
      const thread = args.threadId - 1;
      const t = sim.m.s.threads[thread];
      if (t) {
        if (t.co >= 0) {
          const co = sim.m.s.w.co.live.get(t.co)!;
          this.pushFrames(all, thread, co.stack, co.id, true);
          all.push(
            this.frameFor(
              { thread, frame: null, fnId: -1, req: co.req, coroutine: co.id },
              `coroutine #${co.id} · ${this.catalog.name(co.entry)}`,
              'label',
              co.entry,
            ),
          );
        }
        this.pushFrames(all, thread, t.native, null, true);
      }
    }
    const start = Math.max(0, args.startFrame ?? 0);
    const levels = args.levels && args.levels > 0 ? args.levels : all.length;
    response.body = { stackFrames: all.slice(start, start + levels), totalFrames: all.length };
    this.sendResponse(response);
  }

  // ---- variables ---------------------------------------------------------------------------

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const ref = this.frames.get(args.frameId);
    const sim = this.exec?.sim;
    if (!ref || !sim) {
      // A frame of an earlier stop: a client that asks after the next step began (VS Code does,
      // when steps come fast) gets no scopes rather than an error in the user's face.
      if (sim && Number.isInteger(args.frameId) && args.frameId > 0 && args.frameId < this.nextFrameId) {
        response.body = { scopes: [] };
        return this.sendResponse(response);
      }
      return this.fail(response, new Error(`unknown frame ${args.frameId}`), 1004);
    }
    const scopes: DebugProtocol.Scope[] = [];
    const req = ref.req >= 0 ? requestInfo(sim.m, ref.req) : null;
    if (req) scopes.push(new Scope(`Request ${ref.req}`, this.variables.add(req), false));
    if (ref.frame) scopes.push(new Scope('Locals', this.variables.add(frameLocals(sim.m, ref.frame)), false));
    if (ref.coroutine !== null) {
      const co = sim.coroutine(ref.coroutine);
      if (co)
        scopes.push(
          new Scope(
            `Coroutine #${co.id}`,
            this.variables.add({
              id: co.id,
              state: co.state,
              entry: co.entry,
              request: co.req,
              thread: sim.m.s.threads[co.thread]?.name ?? null,
              yielded_at_ns: co.yieldedAt >= 0 ? co.yieldedAt : null,
              backtrace: co.frames.map((f) => f.name),
            }),
            false,
          ),
        );
    }
    const t = sim.m.s.threads[ref.thread];
    if (t) scopes.push(new Scope(`Thread ${t.name}`, this.variables.add(threadInfo(sim.m, t)), false));
    const qemu = new Scope(
      'QEMU',
      this.variables.addLazy(() => ({
        version: sim.scenario.qemuVersion,
        ...(sim.snapshot() as unknown as { [k: string]: Plain }),
        statistics: sim.stats() as unknown as Plain,
      })),
      true,
    );
    scopes.push(qemu);
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    response.body = {
      variables: this.variables.children(args.variablesReference, args.filter, args.start, args.count),
    };
    this.sendResponse(response);
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    if (!this.ready(response)) return;
    const sim = this.exec!.sim;
    const text = args.expression.trim();
    // hovering a function name in the document or a source: say what it is and where the run is
    const fn = this.catalog.byName(text);
    if (fn && args.context === 'hover') {
      response.body = {
        result: `${fn.name} — ${this.catalog.stage(fn.stage)?.label ?? fn.stage}; ${fn.summary}`,
        variablesReference: 0,
      };
      return this.sendResponse(response);
    }
    const ref = args.frameId !== undefined ? this.frames.get(args.frameId) : undefined;
    const thread = ref?.thread ?? this.exec!.position?.thread ?? 0;
    try {
      const expr = new Expression(text);
      const scope = frameScope(
        sim,
        thread,
        ref && ref.frame ? { fnId: ref.fnId, req: ref.req, coroutine: ref.coroutine, raw: ref.frame } : null,
      );
      const v: Value = expr.evaluate(scope);
      const isObj = v !== null && typeof v === 'object';
      response.body = {
        result: typeof v === 'string' ? v : show(v),
        variablesReference: isObj ? this.variables.add(v as Plain) : 0,
        indexedVariables: Array.isArray(v) ? v.length : undefined,
      };
      this.sendResponse(response);
    } catch (e) {
      if (e instanceof ExprError) {
        if (args.context === 'hover') return this.fail(response, e, 1006, false);
        return this.fail(
          response,
          new Error(`${e.message} — see docs/expressions.md for the names and operators`),
          1006,
        );
      }
      this.fail(response, e, 1007);
    }
  }

  // the timeline's requests (server/debug/timeline.ts)
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    const host = {
      exec: () => this.exec,
      run: (what: () => Promise<Stop>) => void this.run(what, true),
      respond: (r: DebugProtocol.Response) => this.sendResponse(r),
      fail: (r: DebugProtocol.Response, e: unknown, id: number) => this.fail(r, e, id),
    };
    if (!handleTimelineRequest(host, command, response, args)) super.customRequest(command, response, args);
  }

  // ---- errors ------------------------------------------------------------------------------

  private fail(response: DebugProtocol.Response, e: unknown, id: number, showUser = true): void {
    const message = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, { id, format: message, showUser });
  }
}

/** Runs `build`, naming the launch field a scenario error is about. */
function namedForLaunch<T>(c: LaunchConfig, build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw e instanceof ConfigError ? launchErrorFrom(e, c) : e;
  }
}

/**
 * Error text as a client may see it: the first line, cut short, and without braces (DAP
 * clients format `{name}` as a variable).
 */
function clientText(message: string): string {
  const line = message.split('\n', 1)[0];
  const cut = line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS)}…` : line;
  return cut.replace(/[{}]/g, (b) => (b === '{' ? '(' : ')'));
}
