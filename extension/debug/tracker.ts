// A DebugAdapterTracker on every `qemu-io` session: tells the stage tree when a session runs again
// (its highlighted stage is then stale) and, with `qemuIoExplorer.traceDapTraffic`, writes every
// DAP message both ways to the output channel for troubleshooting.

import * as vscode from 'vscode';
import { readConfig } from '../config';
import type { Log } from '../output';

/** Requests after which the adapter runs the simulation (and later sends `stopped`). */
const RUNS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restart', 'goto']);
const MAX_TRACE = 4000;

export interface TrackerEvents {
  onRunning(session: vscode.DebugSession): void;
}

function brief(message: unknown): string {
  const s = JSON.stringify(message);
  return s.length > MAX_TRACE ? `${s.slice(0, MAX_TRACE)}… (${s.length} chars)` : s;
}

export class QemuIoTrackerFactory implements vscode.DebugAdapterTrackerFactory {
  constructor(
    private readonly log: Log,
    private readonly events: TrackerEvents,
  ) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const log = this.log;
    const events = this.events;
    const tag = `[${session.name}]`;
    // read once per session: switching tracing on applies to the next session
    const trace = readConfig(session.workspaceFolder?.uri).traceDapTraffic;
    let stopping = false;
    return {
      onWillStartSession: () => {
        if (trace) log.info(`${tag} DAP session starting`);
      },
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (trace) log.info(`${tag} → ${brief(m)}`);
        if (m.type === 'request' && m.command && RUNS.has(m.command)) events.onRunning(session);
      },
      onDidSendMessage: (m: unknown) => {
        if (trace) log.info(`${tag} ← ${brief(m)}`);
      },
      // a closed pipe while the session ends is expected (an external adapter exits on disconnect)
      onError: (e: Error) => (stopping ? log.debug : log.error).call(log, `${tag} debug adapter error: ${e.message}`),
      onExit: (code: number | undefined, signal: string | undefined) => {
        if (code || signal) log.warn(`${tag} debug adapter exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
      },
      onWillStopSession: () => {
        stopping = true;
        if (trace) log.info(`${tag} DAP session stopping`);
      },
    };
  }
}
