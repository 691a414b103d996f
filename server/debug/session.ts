// The Debug Adapter Protocol session: translates between DAP and what it debugs — a
// simulation of QEMU 4.1.0 or a real QEMU's trace log, replayed or followed — through one
// interface (debuggee.ts), with breakpoints, sources and the variable tree. It is a plain
// DebugSession: LoggingDebugSession serialises every message a second time for its logger,
// even unused. QEMU threads are DAP threads; a thread's stack shows the coroutine running on
// it, set apart by a label frame, on top of its own frames; parked coroutines are shown as the
// frames of one pseudo-thread, the way QEMU's gdb helper `qemu bt` walks them. One class serves
// stdio, TCP and inline use.

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
import { buildScenario, ConfigError, excerpt, getCatalog, readFioFile, readTraceWorkload } from '../../simulator';
import { openTrace, TraceOpenError } from '../../simulator';
import { readUserFile, UserFileError } from '../../common/userFile';
import { BreakpointBook, EXCEPTION_FILTERS } from './breakpoints';
import { Debuggee, FrameSource, PARKED_THREAD, PARKED_THREAD_NAME } from './debuggee';
import { Stop } from './execution';
import { Expression, ExprError, show, Value } from './expr/evaluate';
import {
  launchErrorFrom,
  LaunchConfig,
  LaunchError,
  scenarioInputFrom,
  SessionMode,
  sessionMode,
  validateLaunch,
} from './launch-config';
import { FrameReader } from './framing';
import { SourcePages } from './pages';
import { ReplayDebuggee } from './replay/debuggee';
import { checkRequestArgs, REQUEST_ARGS, UNSUPPORTED } from './requestArgs';
import { SimulationDebuggee } from './simulation';
import { SourceMap } from './sources';
import { handleTimelineRequest } from './timeline';
import { VariableStore } from './variables';

export { PARKED_THREAD };

/** Longest error text sent to a client. */
const MAX_ERROR_CHARS = 500;

const MAX_OUTPUT_LINES_PER_STOP = 2000;
/** The shipped document is 60 KiB; a user's may be bigger, but not without bound. */
const MAX_DOCUMENT_BYTES = 16 << 20;

function defaultDocument(): string {
  // the bundle lives in dist/; the document ships beside it in docs/
  return resolve(__dirname, '..', 'docs', 'qemu-io-path.md');
}

export class QemuIoDebugSession extends DebugSession {
  private target: Debuggee | null = null;
  private sources: SourceMap | null = null;
  private pages: SourcePages | null = null;
  private config: LaunchConfig = {};
  private mode: SessionMode = 'simulate';
  /** The trace log a replay or follow reads, as launched (absolute), and its real path. */
  private traceFile: { path: string; real: string } | null = null;
  private configured: Promise<void>;
  private markConfigured!: () => void;
  private frames = new Map<number, object>();
  private nextFrameId = 1;
  private variables = new VariableStore();
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

  private get breakpoints(): BreakpointBook | null {
    return this.target?.breakpoints ?? null;
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
      supportsGotoTargetsRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsCancelRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ ...f })),
    };
    this.sendResponse(response);
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): Promise<void> {
    return this.startSession(response, args as Record<string, unknown>, 'launch');
  }

  /** Follows a trace log while QEMU writes it (`traceFile` is required). */
  protected override attachRequest(
    response: DebugProtocol.AttachResponse,
    args: DebugProtocol.AttachRequestArguments,
  ): Promise<void> {
    return this.startSession(response, args as Record<string, unknown>, 'attach');
  }

  private async startSession(
    response: DebugProtocol.Response,
    args: Record<string, unknown>,
    request: 'launch' | 'attach',
  ): Promise<void> {
    if (this.launched) return this.fail(response, new Error(`${request}: this session is already started`), 1001);
    this.launched = true;
    try {
      const config = validateLaunch(args, request);
      this.config = config;
      this.mode = sessionMode(config, request);
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
          `${request} configuration: "qemuSource" is ${excerpt(config.qemuSource)}, which is not a directory`,
        );
      }
      const docPath = config.document ? resolve(config.document) : defaultDocument();
      const document = await readUserFile(docPath, MAX_DOCUMENT_BYTES).then(
        (text) => ({ path: docPath, text }),
        (e: unknown) => {
          if (!(e instanceof UserFileError) || !config.document) return undefined;
          throw new LaunchError(
            'document',
            `${request} configuration: "document" is ${excerpt(config.document)}: ${e.message}`,
          );
        },
      );
      const hooks = {
        threadsChanged: (started: number[], exited: number[]) => {
          for (const id of started) this.sendEvent(new ThreadEvent('started', id));
          for (const id of exited) this.sendEvent(new ThreadEvent('exited', id));
        },
        output: (lines: string[], category?: 'stdout' | 'console' | 'stderr') => this.output(lines, category),
      };
      const notes: string[] = [];
      if (this.mode === 'simulate') {
        const input = scenarioInputFrom(config);
        if (input.fioFile !== undefined)
          input.fioText = await readFioFile(input.fioFile, 'launch configuration: "workload"');
        const traced =
          input.traceFile !== undefined
            ? await readTraceWorkload(input.traceFile, 'launch configuration: "workload.fromTrace"')
            : null;
        const built = namedForLaunch(config, () => buildScenario({ ...input, traceWorkload: traced?.workload }));
        notes.push(...[...(traced?.notes ?? []), ...built.notes].map((n) => `note: ${n}`));
        // names, sources and breakpoints are those of the QEMU version simulated
        this.sources = new SourceMap(getCatalog(built.scenario.qemuVersion), document, qemuSource);
        await this.sources.loadCheckout();
        for (const a of this.pendingLineBps) await this.sources.loadFor(a.source.path!);
        this.target = new SimulationDebuggee(
          built.scenario,
          this.sources,
          config.trace === true,
          MAX_OUTPUT_LINES_PER_STOP,
          hooks,
        );
      } else {
        const file = resolve(config.traceFile!);
        this.traceFile = { path: file, real: await fsp.realpath(file).catch(() => file) };
        const opened = await openTrace(file, {
          version: !config.qemuVersion || config.qemuVersion === 'auto' ? 'auto' : config.qemuVersion,
          follow: this.mode === 'follow',
        }).catch((e: unknown) => {
          throw e instanceof TraceOpenError ? new LaunchError('traceFile', `${request}: ${e.message}`) : e;
        });
        this.sources = new SourceMap(opened.recording.catalog, document, qemuSource);
        await this.sources.loadCheckout();
        for (const a of this.pendingLineBps) await this.sources.loadFor(a.source.path!);
        const replay = new ReplayDebuggee(opened, this.sources, {
          follow: this.mode === 'follow',
          trace: config.trace === true,
          maxOutput: MAX_OUTPUT_LINES_PER_STOP,
          hooks,
        });
        this.target = replay;
        notes.push(...replay.startLines());
      }
      this.pages = new SourcePages(this.target.catalog);
      this.applyPendingBreakpoints();
      this.sendResponse(response);
      if (notes.length) this.output(notes, 'console');
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
    if (!this.target) return this.fail(response, new Error('nothing to restart: the session was not launched'), 1002);
    this.target.pause();
    await this.current;
    try {
      this.target.restart();
    } catch (e) {
      return this.fail(response, e, 1002);
    }
    this.sendResponse(response);
    await this.begin();
  }

  /** Run from the beginning: to the entry stop, or (stopOnEntry false) to the first breakpoint. */
  private begin(): Promise<void> {
    const target = this.target!;
    const stopOnEntry = this.config.stopOnEntry ?? this.mode !== 'follow';
    return this.run(() => target.begin(stopOnEntry));
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.target?.pause();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
    request?: DebugProtocol.Request,
  ): void {
    this.target?.pause();
    this.target?.dispose();
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
    void this.run(() => this.target!.resume());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    if (!this.stepping(response, args.threadId)) return;
    this.sendResponse(response);
    void this.run(() => this.target!.next(args.threadId));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    if (!this.stepping(response, args.threadId)) return;
    this.sendResponse(response);
    void this.run(() => this.target!.stepIn(args.threadId));
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    if (!this.stepping(response, args.threadId)) return;
    this.sendResponse(response);
    void this.run(() => this.target!.stepOut(args.threadId));
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    if (!this.stepping(response, args.threadId)) return;
    this.sendResponse(response);
    void this.run(() => this.target!.stepBack(args.threadId), true);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    if (!this.idle(response)) return;
    this.sendResponse(response);
    void this.run(() => this.target!.reverseContinue(), true);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.target?.pause();
    this.sendResponse(response);
  }

  /** A replay can go to any line of its log (jump to cursor, "Replay from this line"). */
  protected override async gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): Promise<void> {
    if (!this.ready(response)) return;
    const log = this.traceFile;
    if (!log || !this.target!.logLineTarget)
      return this.fail(
        response,
        new Error('gotoTargets: a simulation has no lines to go to (replay a trace log)'),
        1011,
      );
    const asked = args.source.path !== undefined ? resolve(pathOfSource(args.source.path)) : undefined;
    // the same file by another name (a symlink) too; the disk is asked only then, asynchronously
    const same =
      asked === log.path ||
      asked === log.real ||
      (asked && (await fsp.realpath(asked).catch(() => asked))) === log.real;
    if (!same)
      return this.fail(
        response,
        new Error(
          `gotoTargets: ${excerpt(args.source.path ?? args.source.name ?? '(no path)')} is not the replayed log ${excerpt(log.path)}`,
        ),
        1011,
      );
    if (args.line < 1) return this.fail(response, new Error('gotoTargets: a log line number starts at 1'), 1011);
    // the target's id is the line asked for: goto finds its event again (the view may move between)
    const t = this.target!.logLineTarget(args.line);
    response.body = { targets: t ? [{ id: args.line, label: t.label, line: t.line }] : [] };
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    if (!this.idle(response)) return;
    const seek = this.target!.seekLogLine?.bind(this.target);
    if (!seek) return this.fail(response, new Error('goto: a simulation has no lines to go to'), 1011);
    this.sendResponse(response);
    void this.run(() => seek(args.targetId), true);
  }

  /** False (and the request refused) before launch: there is nothing to run yet. */
  private ready(response: DebugProtocol.Response): boolean {
    if (this.target) return true;
    this.fail(response, new Error(`${response.command}: the session was not launched`), 1008);
    return false;
  }

  /** ready(), and not already running: a second continue or step waits for a stop (or a pause). */
  private idle(response: DebugProtocol.Response): boolean {
    if (!this.ready(response)) return false;
    if (!this.current) return true;
    const what = this.mode === 'simulate' ? 'the simulation' : 'the replay';
    this.fail(response, new Error(`${response.command}: ${what} is running; pause it first`), 1015);
    return false;
  }

  /** idle(), and the thread to step exists (the pseudo-thread steps the current event's thread). */
  private stepping(response: DebugProtocol.Response, dapId: number): boolean {
    if (!this.idle(response)) return false;
    if (this.target!.hasThread(dapId)) return true;
    this.fail(response, new Error(`${response.command}: "threadId" ${dapId} is not a thread of this session`), 1009);
    return false;
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
    const target = this.target;
    if (!target) return;
    if (!backward && target.finished) {
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.frames.clear();
    this.variables.clear();
    let stop: Stop;
    try {
      stop = await what();
    } catch (e) {
      this.output([`internal error: ${(e as Error).message}`], 'stderr');
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.flushLogs();
    const lines = target.stopLines(stop);
    if (lines.length) this.output(lines, 'console');
    this.lastStop = stop;
    const reason = stop.kind === 'end' ? 'step' : stop.kind;
    const ev = new StoppedEvent(reason, stop.thread > 0 ? stop.thread : undefined) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    ev.body.allThreadsStopped = true;
    if (stop.kind === 'end') ev.body.text = stop.text ?? 'end of simulation';
    if (stop.exception) ev.body.text = stop.exception.text;
    if (stop.breakpoints.length) ev.body.hitBreakpointIds = stop.breakpoints;
    this.announceParked();
    this.sendEvent(ev);
    if (stop.thread > 0) this.sendStageEvent(stop.thread);
  }

  /** Thread events for the parked-coroutines pseudo-thread (nvim-dap re-reads threads only after one). */
  private announceParked(): void {
    const shown = (this.target?.parkedCount() ?? 0) > 0;
    if (shown === this.parkedShown) return;
    this.parkedShown = shown;
    this.sendEvent(new ThreadEvent(shown ? 'started' : 'exited', PARKED_THREAD));
  }

  private sendStageEvent(thread: number): void {
    const target = this.target!;
    this.sendEvent(
      new Event('qemuIo/stage', {
        threadId: thread,
        ...target.stage(thread),
        hitCounts: this.breakpoints?.hitCounts() ?? {},
        // the catalog the names belong to: the editor's tree lists that version's path
        qemuVersion: target.catalog.version,
      }),
    );
  }

  /** Logpoint lines (output() sends them first). */
  private flushLogs(): void {
    this.output([]);
  }

  private output(lines: string[], category: 'stdout' | 'console' | 'stderr' = 'stdout'): void {
    const logs = this.breakpoints?.logs.splice(0) ?? [];
    if (logs.length) this.sendEvent(new OutputEvent(logs.join('\n') + '\n', 'console'));
    if (lines.length) this.sendEvent(new OutputEvent(lines.join('\n') + '\n', category));
  }

  // ---- threads and frames ------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const target = this.target;
    const threads = target ? target.threads().map((t) => new Thread(t.id, t.name)) : [];
    if ((target?.parkedCount() ?? 0) > 0) threads.push(new Thread(PARKED_THREAD, PARKED_THREAD_NAME));
    response.body = { threads };
    this.sendResponse(response);
  }

  /** A DAP source for a frame: the function's file or document line, else a generated page. */
  private sourceOf(at: FrameSource): { source: Source; line: number } | null {
    if (!at) return null;
    const loc = 'fn' in at ? this.sources!.locate(at.fn) : null;
    if (loc)
      return { source: new Source(basename(loc.path), loc.path), line: this.convertDebuggerLineToClient(loc.line) };
    const page = this.pages!.reference(at);
    if (!page) return null;
    const src = new Source(page.name);
    // not 'deemphasize' (DAP: "not available"): VS Code folds such frames away, the stopped one too
    (src as DebugProtocol.Source).sourceReference = page.ref;
    return { source: src, line: this.convertDebuggerLineToClient(1) };
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    if (!this.ready(response)) return;
    const all = this.target!.stack(args.threadId).map((f) => {
      const id = this.nextFrameId++;
      this.frames.set(id, f.ref);
      const at = this.sourceOf(f.source);
      const sf: DebugProtocol.StackFrame = new StackFrame(id, f.name, at?.source, at ? at.line : 0, at ? 1 : 0);
      if (f.hint) sf.presentationHint = f.hint;
      return sf;
    });
    const start = Math.max(0, args.startFrame ?? 0);
    const levels = args.levels && args.levels > 0 ? args.levels : all.length;
    response.body = { stackFrames: all.slice(start, start + levels), totalFrames: all.length };
    this.sendResponse(response);
  }

  /** A generated page (a function or event no file or document line shows): read-only text. */
  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const ref = args.source?.sourceReference ?? args.sourceReference;
    const page = this.pages?.content(ref);
    if (page === undefined)
      return this.fail(
        response,
        new Error(`source: no page with sourceReference ${ref}; files on disk are read by their path`),
        1017,
      );
    response.body = { content: page, mimeType: 'text/markdown' };
    this.sendResponse(response);
  }

  // ---- variables ---------------------------------------------------------------------------

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const ref = this.frames.get(args.frameId);
    const target = this.target;
    if (!ref || !target) {
      // A frame of an earlier stop: a client that asks after the next step began (VS Code does,
      // when steps come fast) gets no scopes rather than an error in the user's face.
      if (target && Number.isInteger(args.frameId) && args.frameId > 0 && args.frameId < this.nextFrameId) {
        response.body = { scopes: [] };
        return this.sendResponse(response);
      }
      return this.fail(response, new Error(`unknown frame ${args.frameId}`), 1004);
    }
    const scopes = target.scopes(ref).map((sc) => {
      const v = sc.value;
      const handle = typeof v === 'function' ? this.variables.addLazy(v) : this.variables.add(v);
      return new Scope(sc.name, handle, sc.expensive === true);
    });
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
    const target = this.target!;
    const text = args.expression.trim();
    // hovering a function name in the document or a source: say what it is and where the run is
    const fn = target.catalog.byName(text);
    if (fn && args.context === 'hover') {
      response.body = {
        result: `${fn.name} — ${target.catalog.stage(fn.stage)?.label ?? fn.stage}; ${fn.summary}`,
        variablesReference: 0,
      };
      return this.sendResponse(response);
    }
    const ref = args.frameId !== undefined ? this.frames.get(args.frameId) : undefined;
    try {
      const expr = new Expression(text);
      const v: Value = expr.evaluate(target.expressionScope(ref ?? null));
      const isObj = v !== null && typeof v === 'object';
      response.body = {
        result: typeof v === 'string' ? v : show(v),
        variablesReference: isObj ? this.variables.add(v as never) : 0,
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
      debuggee: () => this.target,
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

/**
 * A source path as a file path: VS Code sends the `source.path` of a custom request as a URI
 * (`vscode-local:/…` in code-server), other clients a plain path (a Windows drive is not a scheme).
 */
function pathOfSource(path: string): string {
  if (!/^[a-z][a-z0-9+.-]+:/i.test(path)) return path;
  try {
    return decodeURIComponent(new URL(path).pathname);
  } catch {
    return path;
  }
}
