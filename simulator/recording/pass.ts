// One reading of a trace log, event by event: the trace library's reader (parse + rebuild) fed
// one line at a time from the file, the stage events it emits queued and taken one by one, and
// the call stack of each context (a thread's own stack, each coroutine's) kept up to the event
// taken last. Its whole state can be saved and restored, so a recording keeps a few saved states
// and re-reads from the nearest one instead of keeping the events.

import { Checkpoint, TraceReader } from '../trace/reader';
import type { RebuildState, RequestRecord, TraceStageEvent } from '../trace/rebuild';
import type { TraceVersion } from '../trace/versions';
import { CallPaths, PackedFrame, PathOp } from './call-paths';
import { LogFile } from './log-file';

/** A stage event of the log as a recording shows it. */
export interface RecEvent {
  /** Its number in the log's event sequence, from 0. */
  readonly seq: number;
  readonly ev: TraceStageEvent;
  /** Byte offset and length of the log line it comes from. */
  readonly offset: number;
  readonly length: number;
  /** The first event of its line (a line may yield a few: an interrupt decides several requests). */
  readonly first: boolean;
  /** Filled when the event is taken: the traced function (a CallPaths id). */
  fn: number;
  /** The coroutine whose stack it is on, or -1 for its thread's own stack. */
  co: number;
  /** Frames on that stack after it, and the index of the first frame it added. */
  depth: number;
  added: number;
}

export interface PassContext {
  readonly file: LogFile;
  readonly paths: CallPaths;
  readonly version: TraceVersion;
  /** Functions that may fire the event, as CallPaths ids (first: the catalog's first choice). */
  firers(ev: TraceStageEvent): readonly number[];
  /** The function never runs on a coroutine's stack. */
  plain(fn: number): boolean;
  /** Every event taken, by any pass (the same event always has the same thread). */
  taken(seq: number, tid: number): void;
}

export interface PassHooks {
  /** Before a new line is read with nothing queued (a recording saves its state there). */
  beforeLine?(pass: Pass): void;
  /** A request's interrupt was decided; `seq` is the next event's number. */
  request?(r: RequestRecord, seq: number): void;
  /** Something about the log the user should know (a line cut short). */
  note?(text: string): void;
}

/** A pass's whole state (with `queue` empty when saved at a line boundary). */
export interface PassState {
  reader: Checkpoint;
  native: [number, PackedFrame[]][];
  cos: [number, PackedFrame[]][];
  emitted: number;
  cur: RecEvent | null;
  queue: RecEvent[];
  doneNow: RequestRecord[];
  finished: boolean;
}

const QEMU_AIO_COROUTINE_ENTER = 'qemu_aio_coroutine_enter';
const MIN_CHUNK = 16 << 10;
const MAX_CHUNK = 1 << 20;
/** The untraced pool-worker lane of the rebuild. */
const POOL_LANE_TID = -2;

export class Pass {
  reader: TraceReader;
  /** The last event taken (null before the first). */
  cur: RecEvent | null = null;
  /** Events emitted so far (the next one gets this number). */
  emitted = 0;
  /** The log ended and the rebuild was told (a replay; a followed log never ends). */
  finished = false;
  /** Requests whose interrupt was decided on the line of the last event taken. */
  doneNow: RequestRecord[] = [];
  readonly native = new Map<number, PackedFrame[]>();
  readonly cos = new Map<number, PackedFrame[]>();
  private queue: RecEvent[] = [];
  private qHead = 0;
  private buf = '';
  private bufStart = 0;
  private pos = 0;
  private chunk = MIN_CHUNK;
  private lineOffset = 0;
  private lineLength = 0;
  private lineEvents = 0;

  constructor(
    private readonly ctx: PassContext,
    private readonly hooks: PassHooks,
    seed?: TraceReader,
  ) {
    this.reader = this.newReader();
    if (seed) this.reader.seedThreads(seed);
  }

  private newReader(): TraceReader {
    const r = new TraceReader(this.ctx.version);
    r.rebuild.listener = (ev) => {
      this.queue.push({
        seq: this.emitted++,
        ev,
        offset: this.lineOffset,
        length: this.lineLength,
        first: this.lineEvents++ === 0,
        fn: -1,
        co: -1,
        depth: 0,
        added: 0,
      });
    };
    r.rebuild.onRequest = (rr) => {
      this.doneNow.push(rr);
      this.hooks.request?.(rr, this.emitted);
    };
    return r;
  }

  /** Byte offset of the next line to read. */
  get offset(): number {
    return this.bufStart + this.pos;
  }

  get queued(): number {
    return this.queue.length - this.qHead;
  }

  /** The next event (its stacks applied), or null: nothing more yet (a followed log) or the end. */
  take(): RecEvent | null {
    while (this.qHead >= this.queue.length) {
      if (this.queue.length) {
        this.queue = [];
        this.qHead = 0;
      }
      if (this.finished) return null;
      this.hooks.beforeLine?.(this);
      if (!this.readLine()) return null;
    }
    const e = this.queue[this.qHead++];
    this.apply(e);
    this.cur = e;
    this.ctx.taken(e.seq, e.ev.tid);
    return e;
  }

  /** Read and rebuild one line; false when there is none (yet). */
  private readLine(): boolean {
    for (;;) {
      const nl = this.buf.indexOf('\n', this.pos);
      if (nl >= 0) {
        const start = this.pos;
        this.line(start, nl);
        this.pos = nl + 1;
        return true;
      }
      const at = this.bufStart + this.buf.length;
      const more = this.ctx.file.read(at, this.chunk);
      if (this.chunk < MAX_CHUNK) this.chunk *= 2;
      if (more.length === 0) {
        if (this.ctx.file.follow) return false;
        // the end of a replayed log: its last line may lack a newline
        const rest = this.buf.length - this.pos;
        this.doneNow = [];
        this.lineEvents = 0;
        if (rest > 0) {
          this.lineOffset = this.bufStart + this.pos;
          this.lineLength = rest;
          this.reader.lastLine(this.buf.slice(this.pos), this.lineOffset);
          this.pos = this.buf.length;
        }
        this.reader.rebuild.finish();
        this.finished = true;
        return this.queue.length > this.qHead;
      }
      let carry = this.buf.slice(this.pos);
      if (carry.length && this.ctx.file.startsSegment(at)) {
        this.hooks.note?.(`a line cut short where the log was truncated or rotated was dropped: ${carry.slice(0, 80)}`);
        carry = '';
      }
      this.buf = carry + more.toString('latin1');
      this.bufStart = at - carry.length;
      this.pos = 0;
    }
  }

  private line(start: number, end: number): void {
    this.doneNow = [];
    this.lineEvents = 0;
    this.lineOffset = this.bufStart + start;
    this.lineLength = end - start;
    this.reader.lineAt(this.buf, start, end, this.lineOffset);
  }

  /** Put the event on its context's stack. */
  private apply(e: RecEvent): void {
    const { paths } = this.ctx;
    const ev = e.ev;
    const firers = this.ctx.firers(ev);
    const onThread = ev.coroutine === null || this.ctx.plain(firers[0]);
    let stack: PackedFrame[];
    let base: number;
    if (onThread) {
      stack = this.native.get(ev.tid) ?? [];
      this.native.set(ev.tid, stack);
      base = paths.base(ev.tid === POOL_LANE_TID ? 'pool-worker' : this.reader.rebuild.threadRole(ev.tid));
    } else {
      stack = this.cos.get(ev.coroutine!) ?? [];
      this.cos.set(ev.coroutine!, stack);
      base = paths.coroutineBase;
    }
    const op = this.opOf(ev);
    const fn = paths.choose(firers, stack, base, op);
    e.fn = fn;
    e.co = onThread ? -1 : ev.coroutine!;
    e.added = paths.enter(stack, fn, base, op);
    if (!ev.traced) stack[stack.length - 1] &= ~1;
    e.depth = stack.length;
    if (ev.coroutine !== null && onThread && paths.names[fn] === QEMU_AIO_COROUTINE_ENTER) {
      const co = ev.coroutine;
      if (ev.phase === 'exit') this.cos.delete(co);
      else if (!this.cos.has(co)) {
        // a new coroutine: the trampoline, then the entry of the request it serves
        const frames: PackedFrame[] = [];
        if (paths.coroutineBase >= 0) frames.push(paths.coroutineBase << 1);
        const r = ev.requests.length ? this.reader.rebuild.s.reqs.get(ev.requests[0]) : undefined;
        const entry = r ? paths.entry(r.op) : -1;
        if (entry >= 0) frames.push(entry << 1);
        this.cos.set(co, frames);
      }
    }
  }

  /** The operation of the request the event works for, when the rebuild knows it. */
  private opOf(ev: TraceStageEvent): PathOp {
    if (ev.requests.length === 0) return '';
    const op = this.reader.rebuild.s.reqs.get(ev.requests[0])?.op;
    return op === 'read' || op === 'write' || op === 'flush' ? op : '';
  }

  // ---- saving and restoring ---------------------------------------------------------------

  save(): PassState {
    const live = this.reader.rebuild.s.cos;
    // stacks of coroutines the rebuild forgot (entered again while running) go with it
    for (const id of this.cos.keys()) if (!live.has(id)) this.cos.delete(id);
    return {
      reader: {
        line: this.reader.lineNo,
        offset: this.offset,
        baseSec: this.reader.parser.baseSec,
        state: this.reader.rebuild.snapshot(),
      },
      native: [...this.native].map(([k, v]) => [k, v.slice()]),
      cos: [...this.cos].map(([k, v]) => [k, v.slice()]),
      emitted: this.emitted,
      cur: this.cur,
      queue: this.queue.slice(this.qHead),
      doneNow: this.doneNow.slice(),
      finished: this.finished,
    };
  }

  /** Continue from a saved state; `fresh` starts a new reader (its statistics would count twice). */
  restore(st: PassState, fresh = false): void {
    if (fresh) this.reader = this.newReader();
    this.reader.restore(st.reader);
    this.native.clear();
    for (const [k, v] of st.native) this.native.set(k, v.slice());
    this.cos.clear();
    for (const [k, v] of st.cos) this.cos.set(k, v.slice());
    this.emitted = st.emitted;
    this.cur = st.cur;
    this.queue = st.queue.slice();
    this.qHead = 0;
    this.doneNow = st.doneNow.slice();
    this.finished = st.finished;
    if (st.reader.offset < this.bufStart || st.reader.offset > this.bufStart + this.buf.length) {
      this.buf = '';
      this.bufStart = st.reader.offset;
      this.pos = 0;
      this.chunk = MIN_CHUNK;
    } else this.pos = st.reader.offset - this.bufStart;
  }

  /** A copy standing where this one stands (sharing the text read; strings do not change). */
  fork(hooks: PassHooks): Pass {
    const p = new Pass(this.ctx, hooks);
    p.buf = this.buf;
    p.bufStart = this.bufStart;
    p.restore(this.save());
    return p;
  }

  /** The text of an event's line while it is still in the text read (null: read it from the file). */
  lineText(e: RecEvent): string | null {
    const from = e.offset - this.bufStart;
    return from >= 0 && from + e.length <= this.buf.length ? this.buf.slice(from, from + e.length) : null;
  }

  /** The rebuild state (read-only for views). */
  get state(): RebuildState {
    return this.reader.rebuild.s;
  }
}
