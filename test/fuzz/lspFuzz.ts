// A seeded LSP fuzzer: random sessions against the bundled language server over stdio —
// initialize with valid and hostile settings (documents that are FIFOs, devices, directories),
// documents opened, edited (with ranges in and out of bounds) and closed, hover, definition,
// code lenses and links at any position, configuration changes, file events, cancellations,
// unknown methods and mutated params. It checks, as the DAP fuzzer does, that
//   - every request is answered within a time limit (else a hang),
//   - the server never exits unasked (else a crash),
//   - every message is well-formed JSON-RPC and every result has its LSP shape,
//   - no error or message carries a stack trace, and no handler failed unexpectedly.

import Ajv from 'ajv';
import { ChildProcess, spawn } from 'node:child_process';
import { catalog } from '../../simulator/catalog';
import { frame, FrameSplitter } from '../helpers/frames';
import { ensureBuilt, SERVER } from '../language/lspClient';
import { countProblem, emptyFigures, FuzzFigures, Problem, RunOptions, runSessions, STACK } from './figures';
import { FuzzFiles } from './files';
import { hostileValue, mutate, Rng } from './random';

export interface LspFuzzOptions extends RunOptions {
  /** Requests and notifications per session after initialize, at most. */
  requestsPerSession?: number;
  /** Time limit for a response. */
  responseMs?: number;
  files: FuzzFiles;
}

// ---- shapes ---------------------------------------------------------------------------------

const uinteger = { type: 'integer', minimum: 0 };
const position = {
  type: 'object',
  required: ['line', 'character'],
  properties: { line: uinteger, character: uinteger },
};
const range = { type: 'object', required: ['start', 'end'], properties: { start: position, end: position } };
const location = { type: 'object', required: ['uri', 'range'], properties: { uri: { type: 'string' }, range } };
const locationLink = {
  type: 'object',
  required: ['targetUri', 'targetRange', 'targetSelectionRange'],
  properties: {
    originSelectionRange: range,
    targetUri: { type: 'string' },
    targetRange: range,
    targetSelectionRange: range,
  },
};
/** A result that may be null, or a list of `item`. */
const nullOrListOf = (item: object): object => ({ anyOf: [{ type: 'null' }, { type: 'array', items: item }] });
const RESULTS: Record<string, object> = {
  initialize: {
    type: 'object',
    required: ['capabilities'],
    properties: { capabilities: { type: 'object' }, serverInfo: { type: 'object', required: ['name'] } },
  },
  shutdown: { type: 'null' },
  'textDocument/hover': {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        required: ['contents'],
        properties: {
          contents: {
            type: 'object',
            required: ['kind', 'value'],
            properties: { kind: { enum: ['markdown', 'plaintext'] }, value: { type: 'string' } },
          },
          range,
        },
      },
    ],
  },
  'textDocument/definition': {
    anyOf: [{ type: 'null' }, location, { type: 'array', items: location }, { type: 'array', items: locationLink }],
  },
  'textDocument/codeLens': nullOrListOf({
    type: 'object',
    required: ['range'],
    properties: {
      range,
      command: {
        type: 'object',
        required: ['title', 'command'],
        properties: { title: { type: 'string' }, command: { type: 'string' }, arguments: { type: 'array' } },
      },
    },
  }),
  'textDocument/documentLink': nullOrListOf({
    type: 'object',
    required: ['range'],
    properties: { range, target: { type: 'string' }, tooltip: { type: 'string' } },
  }),
};
const ENVELOPE = {
  type: 'object',
  required: ['jsonrpc'],
  properties: {
    jsonrpc: { const: '2.0' },
    id: { type: ['integer', 'string', 'null'] },
    method: { type: 'string' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'integer' }, message: { type: 'string' } },
    },
  },
};
const MESSAGE_PARAMS = {
  type: 'object',
  required: ['type', 'message'],
  properties: { type: { type: 'integer', minimum: 1, maximum: 5 }, message: { type: 'string' } },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const envelope = ajv.compile(ENVELOPE);
const messageParams = ajv.compile(MESSAGE_PARAMS);
const results = Object.fromEntries(Object.entries(RESULTS).map(([m, s]) => [m, ajv.compile(s)]));

// ---- the wire -------------------------------------------------------------------------------

interface RpcMessage {
  jsonrpc?: unknown;
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

class TimeoutError extends Error {}

class LspWire {
  readonly messages: RpcMessage[] = [];
  readonly proc: ChildProcess;
  stderr = '';
  exited = false;
  private id = 1;
  private readonly frames = new FrameSplitter();
  private readonly pending = new Map<number, { resolve: (m: RpcMessage) => void; reject: (e: Error) => void }>();
  /** Answers the server's own requests (workspace/configuration, registrations). */
  answer: (m: RpcMessage) => unknown = () => null;

  constructor() {
    ensureBuilt();
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      for (const m of this.frames.push(d) as RpcMessage[]) this.receive(m);
    });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.stdin!.on('error', () => undefined);
    this.proc.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error('the server exited'));
      this.pending.clear();
    });
  }

  private receive(m: RpcMessage): void {
    if (process.env.FUZZ_TRACE) process.stderr.write(`← ${JSON.stringify(m).slice(0, 300)}\n`);
    this.messages.push(m);
    if (m.method !== undefined && m.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: m.id, result: this.answer(m) });
    } else if (typeof m.id === 'number' && this.pending.has(m.id)) {
      this.pending.get(m.id)!.resolve(m);
      this.pending.delete(m.id);
    }
  }

  send(msg: unknown): void {
    if (process.env.FUZZ_TRACE) process.stderr.write(`→ ${JSON.stringify(msg).slice(0, 300)}\n`);
    if (!this.exited) this.proc.stdin!.write(frame(msg));
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<RpcMessage> {
    const id = this.id++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill();
    const stuck = setTimeout(() => this.proc.kill('SIGKILL'), 1000);
    await gone;
    clearTimeout(stuck);
  }
}

// ---- sessions -------------------------------------------------------------------------------

const NAMES = catalog.functions.map((f) => f.name);
const WORDS = ['the', 'request', 'coroutine', 'yields', 'read', 'write', 'aio', 'poll', '→', '二', '😀', 'x_y'];
const URIS = [
  'file:///fuzz/a.md',
  'file:///fuzz/b.txt',
  'file:///fuzz/c.c',
  'untitled:Untitled-1',
  'file:///fuzz/%E4%BA%8C.md',
  'x',
  '',
  'file:///',
];

function text(r: Rng): string {
  const parts: string[] = [];
  for (let i = r.int(0, 300); i > 0; i--) {
    parts.push(
      r.weighted<string>([
        [r.pick(NAMES), 6],
        [r.pick(WORDS), 6],
        [' ', 8],
        ['\n', 3],
        ['\r\n', 1],
        ['\r', 0.3],
        [`\n### \`${r.pick(NAMES)}\`\n`, 1],
        ['\n```\n', 0.5],
        ['\n---\n', 0.3],
        [`${r.pick(NAMES)}(`, 2],
        ['`', 1],
        ['x'.repeat(r.int(1, 5000)), 0.2],
        [String.fromCharCode(r.int(0, 0xffff)), 0.5],
      ]),
    );
  }
  return parts.join('');
}

class LspSession {
  readonly figures = emptyFigures();
  private readonly open = new Map<string, { version: number; lines: number }>();
  private ended = false;

  constructor(
    private readonly r: Rng,
    private readonly w: LspWire,
    private readonly opts: LspFuzzOptions,
    private readonly name: string,
  ) {
    w.answer = (m) => {
      if (m.method === 'workspace/configuration') {
        const items = (m.params as { items?: unknown[] } | undefined)?.items ?? [];
        return items.map(() => (this.r.chance(0.8) ? this.settings() : hostileValue(this.r)));
      }
      return null;
    };
  }

  private problem(kind: Problem, text: string): void {
    countProblem(this.figures, kind, this.name, text);
  }

  private settings(): Record<string, unknown> {
    const r = this.r;
    const f = this.opts.files;
    const s: Record<string, unknown> = {};
    if (r.chance(0.4)) s.document = r.pick(f.documentPaths);
    if (r.chance(0.2)) s.qemuSource = r.pick(f.directoryPaths);
    if (r.chance(0.3)) s.codeLens = r.chance(0.5);
    if (r.chance(0.3)) s.codeLensMentions = r.chance(0.5);
    if (r.chance(0.2)) s.documentLinks = r.chance(0.5);
    if (r.chance(0.2)) s.linkLanguages = r.pick([['markdown'], ['text', 'c'], []]);
    const shaped = r.pick([
      s,
      { qemuIoExplorer: s },
      Object.fromEntries(Object.entries(s).map(([k, v]) => [`qemuIoExplorer.${k}`, v])),
    ]);
    return r.chance(0.15) ? (mutate(r, shaped) as Record<string, unknown>) : shaped;
  }

  async request(method: string, params: unknown): Promise<void> {
    this.figures.requests++;
    let m: RpcMessage;
    try {
      m = await this.w.request(method, params, this.opts.responseMs ?? 10_000);
    } catch (e) {
      if (e instanceof TimeoutError)
        this.problem('hangs', `${method} ${JSON.stringify(params)?.slice(0, 200)}: ${e.message}`);
      else if (!this.ended) this.problem('crashes', `${method}: ${(e as Error).message}`);
      throw e;
    }
    if (m.error) return;
    const check = results[method];
    if (check && !check(m.result))
      this.problem(
        'schemaFailures',
        `${method} result: ${ajv.errorsText(check.errors)} in ${JSON.stringify(m.result)?.slice(0, 200)}`,
      );
  }

  private params<T>(valid: T): T | unknown {
    return this.r.chance(0.15) ? mutate(this.r, valid) : valid;
  }

  private position(uri: string): { line: number; character: number } {
    const d = this.open.get(uri);
    if (this.r.chance(0.1)) return { line: this.r.pick([-1, 2 ** 31, 1e9]), character: this.r.pick([-1, 0, 2 ** 31]) };
    return { line: this.r.int(0, (d?.lines ?? 3) + 2), character: this.r.int(0, 120) };
  }

  private uri(): string {
    return this.open.size && this.r.chance(0.8) ? this.r.pick([...this.open.keys()]) : this.r.pick(URIS);
  }

  async step(): Promise<void> {
    const r = this.r;
    const what = r.weighted<string>([
      ['open', 4],
      ['change', 4],
      ['close', 1],
      ['hover', 10],
      ['definition', 6],
      ['codeLens', 4],
      ['documentLink', 4],
      ['configuration', 1],
      ['watched', 1],
      ['cancel', 1],
      ['unknown', 1],
      ['malformed', 1],
    ]);
    switch (what) {
      case 'open': {
        const uri = r.pick(URIS);
        const t = text(r);
        this.open.set(uri, { version: 1, lines: t.split('\n').length });
        this.w.notify(
          'textDocument/didOpen',
          this.params({
            textDocument: {
              uri,
              languageId: r.pick(['markdown', 'plaintext', 'text', 'c', 'rust', '']),
              version: 1,
              text: t,
            },
          }),
        );
        return;
      }
      case 'change': {
        const uri = this.uri();
        const d = this.open.get(uri) ?? { version: 0, lines: 1 };
        d.version++;
        const t = text(r);
        const change = r.chance(0.3)
          ? { text: t }
          : { range: { start: this.position(uri), end: this.position(uri) }, text: t };
        this.w.notify(
          'textDocument/didChange',
          this.params({
            textDocument: { uri, version: r.chance(0.9) ? d.version : r.int(-3, 3) },
            contentChanges: [change],
          }),
        );
        d.lines += t.split('\n').length;
        return;
      }
      case 'close': {
        const uri = this.uri();
        this.open.delete(uri);
        this.w.notify('textDocument/didClose', this.params({ textDocument: { uri } }));
        return;
      }
      case 'hover':
      case 'definition': {
        const uri = this.uri();
        return this.request(
          `textDocument/${what}`,
          this.params({ textDocument: { uri }, position: this.position(uri) }),
        );
      }
      case 'codeLens':
      case 'documentLink':
        return this.request(`textDocument/${what}`, this.params({ textDocument: { uri: this.uri() } }));
      case 'configuration':
        this.w.notify('workspace/didChangeConfiguration', this.params({ settings: this.settings() }));
        return;
      case 'watched':
        this.w.notify(
          'workspace/didChangeWatchedFiles',
          this.params({ changes: [{ uri: r.pick([...URIS, 'file:///fuzz/x.c']), type: r.int(0, 4) }] }),
        );
        return;
      case 'cancel':
        this.w.notify('$/cancelRequest', this.params({ id: r.int(0, 40) }));
        return;
      case 'unknown':
        if (r.chance(0.5))
          return this.request(r.pick(['frobnicate', 'textDocument/rename', '$/x', '']), hostileValue(r));
        this.w.notify(r.pick(['frobnicate', '$/setTrace', 'exit_', '']), hostileValue(r));
        return;
      default:
        // well-framed, badly formed JSON-RPC
        this.figures.requests++;
        this.w.send(
          r.pick<unknown>([
            { jsonrpc: '1.0', id: 9999, method: 'textDocument/hover' },
            { jsonrpc: '2.0', id: 9998 },
            { jsonrpc: '2.0', id: {}, method: 'shutdown' },
            { jsonrpc: '2.0', method: 42 },
            null,
            [1, 2],
            'text',
          ]),
        );
        return;
    }
  }

  async run(): Promise<void> {
    const r = this.r;
    if (r.chance(0.05)) await this.request('textDocument/hover', {}).catch(() => undefined);
    const capabilities = r.pick([
      {},
      { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
      {
        workspace: {
          configuration: r.chance(0.5),
          didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: r.chance(0.5) },
        },
        textDocument: {
          hover: { contentFormat: [r.pick(['plaintext', 'markdown'])] },
          definition: { linkSupport: r.chance(0.5) },
        },
      },
    ]);
    await this.request(
      'initialize',
      this.params({
        processId: r.chance(0.9) ? process.pid : null,
        rootUri: r.pick([null, 'file:///fuzz', 'x']),
        capabilities,
        initializationOptions: r.chance(0.7) ? this.settings() : undefined,
      }),
    );
    this.w.notify('initialized', {});
    const n = r.int(1, this.opts.requestsPerSession ?? 30);
    for (let i = 0; i < n && !this.w.exited; i++) await this.step();
  }

  async finish(): Promise<void> {
    if (this.w.exited && this.figures.crashes === 0) this.problem('crashes', 'the server exited unasked');
    this.ended = true;
    if (!this.w.exited && this.r.chance(0.8)) {
      await this.w.request('shutdown', null, this.opts.responseMs ?? 10_000).catch(() => undefined);
      this.w.notify('exit');
    }
    for (const m of this.w.messages) {
      if (!(envelope as (x: unknown) => boolean)(m))
        this.problem(
          'schemaFailures',
          `not JSON-RPC: ${ajv.errorsText(envelope.errors)} in ${JSON.stringify(m).slice(0, 200)}`,
        );
      if ((m.method === 'window/showMessage' || m.method === 'window/logMessage') && !messageParams(m.params))
        this.problem('schemaFailures', `${m.method}: ${JSON.stringify(m.params).slice(0, 200)}`);
      const text = m.error
        ? m.error.message
        : m.method?.startsWith('window/')
          ? String((m.params as { message?: unknown })?.message ?? '')
          : '';
      if (STACK.test(text)) this.problem('stackTraces', text);
      if (/failed with message|failed unexpectedly|internal error/i.test(text)) this.problem('internalErrors', text);
    }
    const err = this.w.stderr.trim();
    if (err) this.problem('internalErrors', `stderr: ${err}`);
  }
}

export function fuzzLsp(opts: LspFuzzOptions): Promise<FuzzFigures> {
  return runSessions(opts, async (index) => {
    const r = new Rng(opts.seed * 100_019 + index + 7);
    const label = `lsp seed ${opts.seed} session ${index}`;
    const w = new LspWire();
    const s = new LspSession(r, w, opts, label);
    try {
      await s.run();
    } catch {
      // counted where it happened
    }
    await s.finish();
    await w.close();
    return { ...s.figures, label };
  });
}
