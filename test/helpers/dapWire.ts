// A bare DAP client on the wire: frames and parses Content-Length messages itself, so tests and
// the fuzzer can send anything (hostile arguments, broken frames) to the bundled adapter over
// stdio or TCP, and notice when it stops answering or exits.

import { ChildProcess, spawn } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { adapter, ensureBuilt } from './dap';
import { frame, FrameSplitter } from './frames';

export interface Message {
  seq: number;
  type: string;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
  [k: string]: unknown;
}

export class TimeoutError extends Error {}

/** A server-mode adapter process (`--server=0`) and the port it listens on. */
export interface AdapterServer {
  proc: ChildProcess;
  port: number;
  stderr(): string;
}

export async function startServer(): Promise<AdapterServer> {
  ensureBuilt();
  const proc = spawn(process.execPath, [adapter, '--server=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`adapter server exited (${code}): ${err}`)));
  });
  return { proc, port, stderr: () => err };
}

export class Wire {
  readonly messages: Message[] = [];
  /** Set when the adapter process exits (stdio) or the connection closes (TCP). */
  exit: { code: number | null; signal: string | null } | null = null;
  stderr = '';
  private seq = 1;
  private readonly frames = new FrameSplitter();
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private closedWaiters: (() => void)[] = [];

  private constructor(
    private readonly out: Writable,
    input: Readable,
    private readonly proc: ChildProcess | null,
    private readonly socket: Socket | null,
  ) {
    input.on('data', (d: Buffer) => this.data(d));
    out.on('error', () => undefined);
  }

  static stdio(args: string[] = []): Wire {
    ensureBuilt();
    const proc = spawn(process.execPath, [adapter, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const w = new Wire(proc.stdin!, proc.stdout!, proc, null);
    proc.stderr!.on('data', (d: Buffer) => (w.stderr += d.toString()));
    proc.on('exit', (code, signal) => w.closed({ code, signal }));
    return w;
  }

  static async tcp(port: number): Promise<Wire> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const w = new Wire(socket, socket, null, socket);
    socket.on('error', () => undefined);
    socket.on('close', () => w.closed({ code: null, signal: null }));
    return w;
  }

  private closed(how: { code: number | null; signal: string | null }): void {
    this.exit ??= how;
    for (const c of this.closedWaiters.splice(0)) c();
  }

  /** Writes raw bytes (for broken frames). */
  raw(bytes: string | Buffer): void {
    if (!this.exit) this.out.write(bytes);
  }

  /** Frames and sends one message, returning its seq. */
  post(msg: Record<string, unknown>): number {
    const seq = this.seq++;
    this.raw(frame({ seq, type: 'request', ...msg }));
    return seq;
  }

  /** Sends a request and waits for its response (rejects with TimeoutError, or when the adapter goes away). */
  request(command: string, args?: unknown, timeoutMs = 5000): Promise<Message> {
    const msg: Record<string, unknown> = { command };
    if (args !== undefined) msg.arguments = args;
    const seq = this.post(msg);
    return this.wait((m) => m.type === 'response' && m.request_seq === seq, timeoutMs, `response to ${command}`);
  }

  /** Waits for a message (including one already received after `from`, an index into messages). */
  wait(match: (m: Message) => boolean, timeoutMs = 5000, what = 'a message', from?: number): Promise<Message> {
    if (from !== undefined) {
      const had = this.messages.slice(from).find(match);
      if (had) return Promise.resolve(had);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: Message) => done(() => resolve(m)) };
      const timer = setTimeout(
        () => done(() => reject(new TimeoutError(`no ${what} within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const gone = (): void => done(() => reject(new Error(`the adapter went away waiting for ${what}`)));
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.closedWaiters = this.closedWaiters.filter((c) => c !== gone);
        f();
      };
      if (this.exit) return gone();
      this.waiters.push(waiter);
      this.closedWaiters.push(gone);
    });
  }

  event(name: string, timeoutMs = 5000, from?: number): Promise<Message> {
    return this.wait((m) => m.type === 'event' && m.event === name, timeoutMs, `${name} event`, from);
  }

  private data(d: Buffer): void {
    for (const msg of this.frames.push(d) as Message[]) {
      this.messages.push(msg);
      for (const w of [...this.waiters]) if (w.match(msg)) w.resolve(msg);
    }
  }

  /** Closes the connection (TCP) or ends and kills the process (stdio), waiting for it to go. */
  async close(): Promise<void> {
    if (this.socket) this.socket.destroy();
    if (this.proc && !this.exit) {
      const gone = new Promise<void>((r) => this.closedWaiters.push(r));
      this.proc.kill();
      // an adapter stuck in a synchronous call cannot run its SIGTERM handler
      const stuck = setTimeout(() => this.proc!.kill('SIGKILL'), 1000);
      await gone;
      clearTimeout(stuck);
    }
  }
}

/** initialize → launch → configurationDone, waiting for the first stop. */
export async function launchOn(w: Wire, config: Record<string, unknown>, timeoutMs = 10_000): Promise<Message> {
  const from = w.messages.length;
  const init = await w.request('initialize', { adapterID: 'qemu-io', pathFormat: 'path' });
  if (!init.success) throw new Error(`initialize failed: ${init.message}`);
  const launched = w.request('launch', { type: 'qemu-io', request: 'launch', name: 't', ...config }, timeoutMs);
  await Promise.race([
    w.event('initialized', timeoutMs, from),
    launched.then((r) => {
      if (!r.success) throw new Error(`launch failed: ${r.message}`);
    }),
  ]);
  const stopped = w.event('stopped', timeoutMs, from);
  await w.request('configurationDone');
  const r = await launched;
  if (!r.success) throw new Error(`launch failed: ${r.message}`);
  return stopped;
}
