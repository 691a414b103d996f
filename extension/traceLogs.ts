// QEMU trace logs in VS Code: a `.log` or plain-text file whose first lines are QEMU trace lines
// becomes a `qemu-trace` document (highlighting, gutter breakpoints, the language server's trace
// features — which also sniff on their own, for other editors); "Open Trace…" replays a log picked
// in a file dialog; "Replay from this line" replays a log and moves the session to a line with the
// standard DAP gotoTargets/goto requests (docs/extension.md, "What a trace session sends").

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { DEBUG_TYPE, QEMU_TRACE_LANGUAGE, STAGE_EVENT } from '../common/ids';
import { looksLikeQemuTrace, SNIFF_CHARS } from '../common/trace-line';
import type { Log } from './output';
import { replayConfiguration } from './scenarios';

/** Languages VS Code gives a trace log it does not recognise by name. */
const SNIFFED_LANGUAGES = new Set(['log', 'plaintext']);
const SNIFFED_SCHEMES = new Set(['file', 'untitled']);
/** Logs larger than this are replayed without being opened in an editor (VS Code would not highlight them anyway). */
const MAX_OPEN_BYTES = 20 * 1024 * 1024;
/** The launch field (ignored by the adapter: `__` fields are the client's) that asks for a goto after the first stop. */
const GOTO_LINE = '__qemuIoGotoLine';

export const TRACE_FILE_FILTERS: Record<string, string[]> = {
  'QEMU trace logs': ['log', 'txt', 'gz', 'zst', QEMU_TRACE_LANGUAGE],
  'All files': ['*'],
};

/** Gives `qemu-trace` to documents that look like trace logs, once per document (a user's own choice stays). */
export function watchTraceLogs(log: Log): vscode.Disposable {
  const seen = new Set<string>();
  const consider = (d: vscode.TextDocument) => {
    const key = d.uri.toString();
    if (!SNIFFED_LANGUAGES.has(d.languageId) || !SNIFFED_SCHEMES.has(d.uri.scheme) || seen.has(key)) return;
    seen.add(key);
    const head = d.getText(new vscode.Range(0, 0, d.positionAt(SNIFF_CHARS).line + 1, 0));
    if (!looksLikeQemuTrace(head)) return;
    vscode.languages.setTextDocumentLanguage(d, QEMU_TRACE_LANGUAGE).then(
      () => log.info(`${basename(d.uri.path)} looks like a QEMU trace log: opened as ${QEMU_TRACE_LANGUAGE}`),
      (e: Error) => log.warn(`could not set ${basename(d.uri.path)}'s language: ${e.message}`),
    );
  };
  vscode.workspace.textDocuments.forEach(consider);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(consider),
    vscode.workspace.onDidCloseTextDocument((d) => {
      // a change of language closes and at once reopens the document: forget it only once it is
      // really gone, so a user who sets it back to plain text keeps that choice
      const key = d.uri.toString();
      setTimeout(() => {
        if (!vscode.workspace.textDocuments.some((x) => x.uri.toString() === key)) seen.delete(key);
      }, 1000);
    }),
  );
}

/** The trace log a user picks in a file dialog (undefined when cancelled). */
export async function pickTraceFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFolders: false,
    filters: TRACE_FILE_FILTERS,
    openLabel: 'Replay',
    title: 'QEMU I/O: a QEMU trace log to replay',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0]?.fsPath;
}

/** Starts a replay of `traceFile` (opening it beside, when small enough); with `line` (zero-based), moved there at the first stop. */
export async function replayTrace(traceFile: string, log: Log, line?: number): Promise<boolean> {
  const uri = vscode.Uri.file(traceFile);
  try {
    const st = await vscode.workspace.fs.stat(uri);
    if (st.size <= MAX_OPEN_BYTES && !/\.(gz|zst)$/.test(traceFile))
      await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: line !== undefined });
  } catch (e) {
    // the adapter says what is wrong with the file, in the launch error
    log.debug(`not opening ${traceFile}: ${(e as Error).message}`);
  }
  const name = `QEMU I/O: replay ${basename(traceFile)}${line !== undefined ? ` from line ${line + 1}` : ''}`;
  const config: vscode.DebugConfiguration = { ...replayConfiguration(traceFile, name) };
  if (line !== undefined) config[GOTO_LINE] = line + 1;
  return vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], config);
}

/**
 * Moves a session started with GOTO_LINE to that line of its trace at its first stop: gotoTargets
 * on the trace file, then goto to the target (DAP's "jump to cursor", which any client can send).
 */
export function gotoOnFirstStop(log: Log): vscode.Disposable {
  const pending = new Map<string, { file: string; line: number }>();
  return vscode.Disposable.from(
    vscode.debug.onDidStartDebugSession((s) => {
      const line = s.configuration[GOTO_LINE];
      if (s.type === DEBUG_TYPE && typeof line === 'number' && typeof s.configuration.traceFile === 'string')
        pending.set(s.id, { file: s.configuration.traceFile, line });
    }),
    vscode.debug.onDidTerminateDebugSession((s) => pending.delete(s.id)),
    vscode.debug.onDidReceiveDebugSessionCustomEvent(async (e) => {
      const want = e.event === STAGE_EVENT ? pending.get(e.session.id) : undefined;
      if (!want) return;
      pending.delete(e.session.id);
      const threadId = (e.body as { threadId?: unknown } | undefined)?.threadId;
      try {
        const r = (await e.session.customRequest('gotoTargets', {
          source: { path: want.file, name: basename(want.file) },
          line: want.line,
        })) as { targets?: { id: number; label?: string }[] };
        const target = r.targets?.[0];
        if (!target) {
          void vscode.window.showWarningMessage(
            `QEMU I/O: line ${want.line} of ${basename(want.file)} has no event to replay from; the replay stays at its first event.`,
          );
          return;
        }
        await e.session.customRequest('goto', {
          threadId: typeof threadId === 'number' ? threadId : 1,
          targetId: target.id,
        });
      } catch (err) {
        log.warn(`replay from line ${want.line}: ${(err as Error).message}`);
        void vscode.window.showWarningMessage(
          `QEMU I/O: the replay could not move to line ${want.line} (${(err as Error).message}); it stays at its first event.`,
        );
      }
    }),
  );
}

/** The trace file and zero-based line "Replay from this line" acts on: its arguments, else the active editor's cursor. */
export function lineToReplay(uriArg?: unknown, lineArg?: unknown): { file: string; line: number } | string {
  const editor = vscode.window.activeTextEditor;
  const uri =
    typeof uriArg === 'string'
      ? vscode.Uri.parse(uriArg)
      : uriArg instanceof vscode.Uri
        ? uriArg
        : editor?.document.uri;
  if (!uri) return 'open a QEMU trace log and put the cursor on a line';
  if (uri.scheme !== 'file') return `${basename(uri.path)} is not a file on disk: save it first`;
  const line =
    typeof lineArg === 'number' && Number.isInteger(lineArg) && lineArg >= 0
      ? lineArg
      : editor && editor.document.uri.toString() === uri.toString()
        ? editor.selection.active.line
        : 0;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) return `${basename(uri.path)} has unsaved changes; a replay reads the file on disk: save it first`;
  return { file: uri.fsPath, line };
}
