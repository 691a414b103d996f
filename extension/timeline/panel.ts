// The "QEMU I/O Timeline" panel: a webview that follows the active `qemu-io` debug session. It
// forwards the webview's queries to the adapter's `qemuIo/timeline` request (so the webview only
// ever holds the range it shows), its clicks to `qemuIo/timelineGoTo` (VS Code then follows the
// stop like any other), its export to `qemuIo/timelineExport`, and tells it where each stop is.

import * as vscode from 'vscode';
import { TIMELINE_REQUESTS } from '../../common/timeline';
import type { TimelineResponse } from '../../server/debug/timeline-protocol';
import { DEBUG_TYPE, STAGE_EVENT, TIMELINE_PANEL } from '../../common/ids';
import type { Log } from '../output';
import { timelineHtml } from './html';
import type { FromWebview, ToWebview } from './messages';

export class TimelinePanel implements vscode.Disposable {
  private static current: TimelinePanel | undefined;
  private session: vscode.DebugSession | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, log: Log): TimelinePanel {
    const openedAt = Date.now();
    if (TimelinePanel.current) {
      TimelinePanel.current.panel.reveal();
      return TimelinePanel.current;
    }
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_PANEL,
      'QEMU I/O Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      // kept when hidden: a stop can open its source over the panel (when no other group shows
      // that document), and the panel must not lose its range and data for that
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    TimelinePanel.current = new TimelinePanel(panel, dist, log, openedAt);
    return TimelinePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    dist: vscode.Uri,
    private readonly log: Log,
    openedAt: number,
  ) {
    const web = panel.webview;
    web.html = timelineHtml(
      web.cspSource,
      web.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.js')).toString(),
      web.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.css')).toString(),
      openedAt,
    );
    this.session = ours(vscode.debug.activeDebugSession);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      web.onDidReceiveMessage((m: FromWebview) => void this.receive(m)),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (!ours(s) || s === this.session) return;
        this.session = s;
        this.post({ type: 'session', name: s!.name });
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s !== this.session) return;
        this.session = ours(vscode.debug.activeDebugSession);
        this.post({ type: 'session', name: this.session?.name ?? null });
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.event !== STAGE_EVENT || !ours(e.session)) return;
        if (e.session !== this.session) {
          this.session = e.session;
          this.post({ type: 'session', name: e.session.name });
        }
        const b = e.body as { event?: unknown; timeNs?: unknown; threadId?: unknown };
        if (typeof b.event === 'number' && typeof b.timeNs === 'number' && typeof b.threadId === 'number')
          this.post({ type: 'position', position: { event: b.event, timeNs: b.timeNs, threadId: b.threadId } });
      }),
    );
  }

  private post(m: ToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async receive(m: FromWebview): Promise<void> {
    const session = this.session;
    switch (m.type) {
      case 'ready':
        return this.post({ type: 'session', name: session?.name ?? null });
      case 'query': {
        if (!session) return this.post({ type: 'error', id: m.id, message: 'No QEMU I/O debug session' });
        const t0 = performance.now();
        try {
          const body = (await session.customRequest(TIMELINE_REQUESTS.timeline, {
            fromNs: m.fromNs,
            toNs: m.toNs,
            bins: m.bins,
          })) as TimelineResponse;
          this.post({ type: 'data', id: m.id, body, ms: performance.now() - t0 });
        } catch (e) {
          this.post({ type: 'error', id: m.id, message: (e as Error).message });
        }
        return;
      }
      case 'goto':
        if (!session) return;
        try {
          await session.customRequest(
            TIMELINE_REQUESTS.goTo,
            m.event !== undefined ? { event: m.event } : { timeNs: m.timeNs },
          );
        } catch (e) {
          void vscode.window.showWarningMessage(`QEMU I/O Timeline: ${(e as Error).message}`);
        }
        return;
      case 'export':
        return this.export(m.fromNs, m.toNs);
    }
  }

  private async export(fromNs: number, toNs: number): Promise<void> {
    const session = this.session;
    if (!session) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `qemu-io-${Math.round(fromNs)}-${Math.round(toNs)}ns.json`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { 'Chrome trace (Perfetto)': ['json'] },
      title: 'Export the visible range to Perfetto',
    });
    if (!target) return;
    try {
      const r = (await session.customRequest(TIMELINE_REQUESTS.export, { path: target.fsPath, fromNs, toNs })) as {
        events: number;
      };
      this.log.info(`timeline: exported ${r.events} events to ${target.fsPath}`);
      void vscode.window.showInformationMessage(
        `Wrote ${r.events.toLocaleString('en-US')} stage events to ${target.fsPath}. Open it in ui.perfetto.dev or chrome://tracing.`,
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`QEMU I/O Timeline: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    if (TimelinePanel.current === this) TimelinePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function ours(s: vscode.DebugSession | undefined): vscode.DebugSession | undefined {
  return s?.type === DEBUG_TYPE ? s : undefined;
}
