// What a fuzz run counts, and the loop both fuzzers run their sessions in: a session per index,
// seeded from (seed, index) so any one replays alone, until a count or a time, a few at a time.

export interface FuzzFigures {
  sessions: number;
  requests: number;
  crashes: number;
  hangs: number;
  schemaFailures: number;
  stackTraces: number;
  internalErrors: number;
  /** The first problems found, with the seed and session to replay them. */
  problems: string[];
}

export type Problem = keyof Omit<FuzzFigures, 'problems' | 'sessions' | 'requests'>;

export function emptyFigures(): FuzzFigures {
  return {
    sessions: 0,
    requests: 0,
    crashes: 0,
    hangs: 0,
    schemaFailures: 0,
    stackTraces: 0,
    internalErrors: 0,
    problems: [],
  };
}

const MAX_PROBLEMS = 20;

/** Counts a problem, keeping its text while there are few. */
export function countProblem(f: FuzzFigures, kind: Problem, label: string, text: string): void {
  f[kind]++;
  if (f.problems.length < MAX_PROBLEMS) f.problems.push(`${label}: ${kind}: ${text.slice(0, 400)}`);
}

/** A stack frame (`at f (file:1:2)`) or an install path in text meant for a client. */
export const STACK = /\bat .*:\d+:\d+|\.js:\d+|node_modules\/|\/dist\/|\/out\//;

export interface RunOptions {
  seed: number;
  /** Index of the first session (to replay one: its seed, its index, sessions 1). */
  first?: number;
  /** Stop after this many sessions... */
  sessions?: number;
  /** ...or at this time (Date.now()), whichever comes first. */
  until?: number;
  /** Sessions run at once. */
  parallel?: number;
  log?: (line: string) => void;
}

/** Runs `session(index)` for each index in turn on `parallel` workers; returns the sum. */
export async function runSessions(
  opts: RunOptions,
  session: (index: number) => Promise<FuzzFigures & { label: string }>,
): Promise<FuzzFigures> {
  const total = emptyFigures();
  const first = opts.first ?? 0;
  let next = first;
  const more = (): boolean =>
    (opts.sessions === undefined || next < first + opts.sessions) &&
    (opts.until === undefined || Date.now() < opts.until);
  const worker = async (): Promise<void> => {
    while (more()) {
      const f = await session(next++);
      for (const k of Object.keys(total) as (keyof FuzzFigures)[]) {
        if (k === 'problems') total.problems.push(...f.problems.slice(0, MAX_PROBLEMS - total.problems.length));
        else total[k] += f[k];
      }
      total.sessions++;
      opts.log?.(`${f.label}: ${f.requests} requests`);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 1 }, worker));
  return total;
}
