// Registers everything the `qemu-io` debugger needs in VS Code — the adapter factory, the
// configuration providers, the tracker — and feeds the stage tree from the session: the adapter's
// `qemuIo/stage` events, runs, session ends, and the thread the user focuses.

import * as vscode from 'vscode';
import { CATALOG_VERSIONS, getCatalog } from '../../simulator/catalog';
import { DEBUG_TYPE, STAGE_EVENT } from '../../common/ids';
import type { Log } from '../output';
import { QemuIoAdapterFactory } from './adapterFactory';
import { registerConfigurationProviders } from './configProvider';
import { parseFrameName } from '../../common/frame-name';
import { parseStageEvent, StageState } from './stageState';
import { QemuIoTrackerFactory } from './tracker';

export interface DebugWiring extends vscode.Disposable {
  readonly stages: StageState;
  /** Called after every change of `stages`. */
  onStagesChanged(listener: () => void): vscode.Disposable;
}

export function registerDebugger(extensionUri: vscode.Uri, log: Log): DebugWiring {
  const stages = new StageState();
  const changed = new vscode.EventEmitter<void>();
  const fire = () => changed.fire();

  const isOurs = (s: vscode.DebugSession | undefined): s is vscode.DebugSession => s?.type === DEBUG_TYPE;

  /** The focused thread did not report the stop: read its top frame to find its stage. */
  const lookUpFocusedThread = async () => {
    const pending = stages.pendingLookup();
    const session = vscode.debug.activeStackItem?.session;
    if (!pending || !session || session.id !== pending.sessionId) return;
    try {
      const r = (await session.customRequest('stackTrace', {
        threadId: pending.threadId,
        startFrame: 0,
        levels: 1,
      })) as { stackFrames?: { name: string }[] };
      const top = r.stackFrames?.[0] ? parseFrameName(r.stackFrames[0].name) : undefined;
      const version = stages.versionOf(session.id);
      const catalog = getCatalog(CATALOG_VERSIONS.includes(version) ? version : undefined);
      const entry = top ? catalog.byName(top.qualifier ? `${top.name}@${top.qualifier}` : top.name) : undefined;
      const thread = (
        (await session.customRequest('threads')) as { threads?: { id: number; name: string }[] }
      ).threads?.find((t) => t.id === pending.threadId);
      stages.setThreadStage(session.id, {
        threadId: pending.threadId,
        thread: thread?.name ?? `thread ${pending.threadId}`,
        function: entry?.name ?? '',
        stage: entry?.stage,
        group: entry ? catalog.stage(entry.stage)?.group : undefined,
        requestIds: [],
      });
      fire();
    } catch {
      // the session moved on or ended; the next stop will tell
    }
  };

  const disposables = vscode.Disposable.from(
    changed,
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new QemuIoAdapterFactory(extensionUri, log)),
    vscode.debug.registerDebugAdapterTrackerFactory(
      DEBUG_TYPE,
      new QemuIoTrackerFactory(log, {
        onRunning: (session) => {
          stages.onRunning(session.id);
          fire();
        },
      }),
    ),
    registerConfigurationProviders(),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (!isOurs(e.session) || e.event !== STAGE_EVENT) return;
      const body = parseStageEvent(e.body);
      if (!body) return log.warn(`ignoring a malformed ${STAGE_EVENT} event: ${JSON.stringify(e.body)}`);
      stages.onStage(e.session.id, body);
      fire();
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (!stages.hasSession(s.id)) return;
      stages.onEnded(s.id);
      fire();
    }),
    vscode.debug.onDidChangeActiveStackItem((item) => {
      if (!item || !isOurs(item.session)) return;
      stages.setFocus(item.session.id, item.threadId);
      fire();
      void lookUpFocusedThread();
    }),
  );

  return { stages, onStagesChanged: (listener) => changed.event(listener), dispose: () => disposables.dispose() };
}
