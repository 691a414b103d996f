// Which stage each debug session's threads are in, from the adapter's `qemuIo/stage` events (one per
// stop, for the thread that stopped) and from looking at a thread's top frame when the user focuses
// another thread; and which QEMU version's catalog a session's names belong to (a replay of a 10.0
// log stops in 10.0's functions). Free of VS Code, so the tree view's highlighting logic can be
// unit-tested.

export interface StageEventBody {
  readonly threadId: number;
  readonly thread: string;
  readonly function: string;
  readonly stage: string;
  readonly group: string;
  readonly requestIds: readonly number[];
  readonly hitCounts: Readonly<Record<string, number>>;
  /** The catalog version the session's function, stage and group names belong to (absent: 4.1.0). */
  readonly qemuVersion?: string;
}

/** The version of a session that does not say (a simulation: the modelled QEMU). */
export const DEFAULT_CATALOG_VERSION = '4.1.0';

/** Where one thread is, as the tree shows it. */
export interface ThreadStage {
  readonly threadId: number;
  readonly thread: string;
  /** Function name ('' when the thread is idle or outside the catalog). */
  readonly function: string;
  /** Catalog stage id, when known (tells QEMU's two `raw_co_pwritev` apart). */
  readonly stage?: string;
  /** Catalog group id, when known. */
  readonly group?: string;
  readonly requestIds: readonly number[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** The event's body if it has the agreed shape (fields we can do without may be missing). */
export function parseStageEvent(body: unknown): StageEventBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (!isNum(b.threadId) || !isStr(b.function)) return undefined;
  const hits: Record<string, number> = {};
  if (typeof b.hitCounts === 'object' && b.hitCounts !== null) {
    for (const [k, v] of Object.entries(b.hitCounts)) if (isNum(v)) hits[k] = v;
  }
  return {
    threadId: b.threadId,
    thread: isStr(b.thread) ? b.thread : `thread ${b.threadId}`,
    function: b.function,
    stage: isStr(b.stage) ? b.stage : '',
    group: isStr(b.group) ? b.group : '',
    requestIds: Array.isArray(b.requestIds) ? b.requestIds.filter(isNum) : [],
    hitCounts: hits,
    ...(isStr(b.qemuVersion) && b.qemuVersion ? { qemuVersion: b.qemuVersion } : {}),
  };
}

interface SessionStages {
  /** Known stage of each thread at the current stop. */
  readonly threads: Map<number, ThreadStage>;
  /** The thread the last stop was reported for. */
  stoppedThread: number | undefined;
  hitCounts: Readonly<Record<string, number>>;
  running: boolean;
  version: string;
}

export class StageState {
  private readonly sessions = new Map<string, SessionStages>();
  private focusSession: string | undefined;
  private focusThread: number | undefined;

  /** A `qemuIo/stage` event: the session stopped on this thread. */
  onStage(sessionId: string, body: StageEventBody): void {
    const s = this.session(sessionId);
    s.threads.clear();
    s.threads.set(body.threadId, {
      threadId: body.threadId,
      thread: body.thread,
      function: body.function,
      stage: body.stage || undefined,
      group: body.group || undefined,
      requestIds: body.requestIds,
    });
    s.stoppedThread = body.threadId;
    s.hitCounts = body.hitCounts;
    s.running = false;
    s.version = body.qemuVersion ?? DEFAULT_CATALOG_VERSION;
    if (this.focusSession === undefined) this.focusSession = sessionId;
    // a new stop focuses its thread, as VS Code does
    if (this.focusSession === sessionId) this.focusThread = body.threadId;
  }

  /** The session runs again (continue, step): what we knew about its threads is stale. */
  onRunning(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    s.running = true;
    s.threads.clear();
  }

  onEnded(sessionId: string): void {
    this.sessions.delete(sessionId);
    if (this.focusSession === sessionId) {
      this.focusSession = undefined;
      this.focusThread = undefined;
    }
  }

  /** The user focused a session/thread (VS Code's active stack item). */
  setFocus(sessionId: string | undefined, threadId: number | undefined): void {
    this.focusSession = sessionId;
    this.focusThread = threadId;
  }

  /** What a stack lookup found on a thread that did not report the stop. */
  setThreadStage(sessionId: string, stage: ThreadStage): void {
    const s = this.sessions.get(sessionId);
    if (!s || s.running) return;
    s.threads.set(stage.threadId, stage);
  }

  /** The focused thread's stage while its session is stopped. */
  current(): ThreadStage | undefined {
    const s = this.focusSession !== undefined ? this.sessions.get(this.focusSession) : undefined;
    if (!s || s.running) return undefined;
    const thread = this.focusThread ?? s.stoppedThread;
    return thread === undefined ? undefined : s.threads.get(thread);
  }

  /** A focused thread whose stage we do not know yet (look at its top frame). */
  pendingLookup(): { sessionId: string; threadId: number } | undefined {
    const s = this.focusSession !== undefined ? this.sessions.get(this.focusSession) : undefined;
    if (!s || s.running || this.focusThread === undefined || s.threads.has(this.focusThread)) return undefined;
    return { sessionId: this.focusSession!, threadId: this.focusThread };
  }

  /** Breakpoint hit counts of the focused session (function name → hits). */
  hitCounts(): Readonly<Record<string, number>> {
    const s = this.focusSession !== undefined ? this.sessions.get(this.focusSession) : undefined;
    return s?.hitCounts ?? {};
  }

  /** The catalog version of the focused session (from its last stop), undefined when none is focused. */
  catalogVersion(): string | undefined {
    return this.focusSession !== undefined ? this.sessions.get(this.focusSession)?.version : undefined;
  }

  /** The catalog version of a session (from its last stop). */
  versionOf(sessionId: string): string {
    return this.sessions.get(sessionId)?.version ?? DEFAULT_CATALOG_VERSION;
  }

  hasSession(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  private session(id: string): SessionStages {
    let s = this.sessions.get(id);
    if (!s) {
      s = {
        threads: new Map(),
        stoppedThread: undefined,
        hitCounts: {},
        running: false,
        version: DEFAULT_CATALOG_VERSION,
      };
      this.sessions.set(id, s);
    }
    return s;
  }
}
