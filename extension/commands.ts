// The extension's commands (ids in common/ids.ts, titles in package.json).

import * as vscode from 'vscode';
import { identifierAt } from '../common/identifiers';
import { CATALOG_VERSIONS, eventLifetimes, getCatalog } from '../simulator/catalog';
import { addFunctionBreakpoint, removeFunctionBreakpoint, toggleFunctionBreakpoint } from './breakpoints';
import { openDocument } from './document';
import { COMMANDS, VIEW_ID } from '../common/ids';
import type { Log } from './output';
import { DEFAULT_SCENARIO, launchConfiguration, SCENARIOS } from './scenarios';
import { TimelinePanel } from './timeline/panel';
import { lineToReplay, pickTraceFile, replayTrace } from './traceLogs';
import type { StageTreeNode } from './tree/model';
import type { StageTreeProvider } from './tree/provider';

/** A command argument naming a function: a name, or a tree node (context menus pass the node). */
type FunctionArg = string | StageTreeNode | undefined;

function nameOf(arg: FunctionArg): string | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (arg?.kind === 'function') return arg.name;
  if (arg?.kind === 'occurrence') return arg.fn.name;
  return undefined;
}

let maxNameLength: number | undefined;

/**
 * A name a breakpoint can stop on: a function of any catalogued QEMU version (a replay of a 10.0
 * log breaks on 10.0's names), or a trace event of any release (a replay breaks on event names).
 */
function knownName(name: string): boolean {
  return CATALOG_VERSIONS.some((v) => getCatalog(v).has(name)) || eventLifetimes().has(name);
}

/** The function or event name under the cursor, if any (the language server's identifier rule). */
function nameAtCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  maxNameLength ??= Math.max(
    ...CATALOG_VERSIONS.flatMap((v) => getCatalog(v).functions.map((f) => f.name.length)),
    ...[...eventLifetimes().keys()].map((n) => n.length),
  );
  const doc = editor.document;
  const text = doc.getText();
  const span = identifierAt(text, doc.offsetAt(editor.selection.active), maxNameLength);
  const word = span ? text.slice(span.start, span.end) : undefined;
  return word && knownName(word) ? word : undefined;
}

/** The name to act on: the argument, the word at the cursor, or one picked from the catalog. */
async function resolveName(arg: FunctionArg, placeHolder: string): Promise<string | undefined> {
  const given = nameOf(arg) ?? nameAtCursor();
  if (given) return given;
  const catalog = getCatalog();
  const pick = await vscode.window.showQuickPick(
    [...new Set(catalog.functions.map((f) => f.name))].map((name) => {
      const f = catalog.byName(name)!;
      return { label: name, description: catalog.stage(f.stage)?.label, detail: f.summary };
    }),
    { placeHolder, matchOnDescription: true },
  );
  return pick?.label;
}

function unknownName(name: string): void {
  const near = getCatalog().suggest(name);
  void vscode.window.showWarningMessage(
    `"${name}" is not a function of the QEMU I/O path${near.length ? ` — did you mean ${near.join(', ')}?` : '.'}`,
  );
}

async function startSession(config: vscode.DebugConfiguration): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return vscode.debug.startDebugging(folder, config);
}

export function registerCommands(extensionUri: vscode.Uri, tree: StageTreeProvider, log: Log): vscode.Disposable {
  const register = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
  return vscode.Disposable.from(
    register(COMMANDS.openDocument, async () => {
      await openDocument(extensionUri);
    }),

    register(COMMANDS.showTree, async () => {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    }),

    register(COMMANDS.startFirstSession, () =>
      startSession(launchConfiguration(DEFAULT_SCENARIO) as vscode.DebugConfiguration),
    ),

    register(COMMANDS.startScenario, async (id?: string) => {
      const s =
        SCENARIOS.find((x) => x.id === id) ??
        (
          await vscode.window.showQuickPick(
            SCENARIOS.map((x) => ({ label: x.name, detail: x.description, scenario: x })),
            { placeHolder: 'Scenario to simulate' },
          )
        )?.scenario;
      return s ? startSession(launchConfiguration(s) as vscode.DebugConfiguration) : false;
    }),

    register(COMMANDS.toggleFunctionBreakpoint, async (arg?: FunctionArg) => {
      const name = await resolveName(arg, 'Function to break on');
      if (!name) return;
      if (!knownName(name)) return unknownName(name);
      const on = toggleFunctionBreakpoint(name);
      log.info(`function breakpoint ${on ? 'added on' : 'removed from'} ${name}`);
    }),

    register(COMMANDS.addFunctionBreakpoint, (arg?: FunctionArg) => {
      const name = nameOf(arg);
      if (name) addFunctionBreakpoint(name);
    }),

    register(COMMANDS.removeFunctionBreakpoint, (arg?: FunctionArg) => {
      const name = nameOf(arg);
      if (name) removeFunctionBreakpoint(name);
    }),

    register(COMMANDS.revealInTree, async (arg?: FunctionArg) => {
      const name = await resolveName(arg, 'Function to show in the I/O path tree');
      if (!name) return;
      if (!(await tree.revealFunction(name))) unknownName(name);
    }),

    register(COMMANDS.showOutput, () => log.show(true)),

    register(COMMANDS.openTimeline, () => void TimelinePanel.show(extensionUri, log)),

    register(COMMANDS.openTrace, async (arg?: vscode.Uri) => {
      const file = arg instanceof vscode.Uri && arg.scheme === 'file' ? arg.fsPath : await pickTraceFile();
      return file ? replayTrace(file, log) : false;
    }),

    register(COMMANDS.replayFromLine, async (uri?: unknown, line?: unknown) => {
      const at = lineToReplay(uri, line);
      if (typeof at === 'string') {
        void vscode.window.showWarningMessage(`QEMU I/O: Replay from This Line: ${at}.`);
        return false;
      }
      return replayTrace(at.file, log, at.line);
    }),

    register(COMMANDS.treeRefresh, () => tree.refresh()),
    register(COMMANDS.treeShowNamedOnly, () => tree.setNamedOnly(true)),
    register(COMMANDS.treeShowAll, () => tree.setNamedOnly(false)),

    register(COMMANDS.treeOpenOccurrence, async (uri: string, line: number, character: number, length: number) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const range = new vscode.Range(line, character, line, character + length);
      const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
      await vscode.window.showTextDocument(doc, {
        selection: range,
        preserveFocus: false,
        preview: true,
        viewColumn: visible?.viewColumn,
      });
    }),
  );
}
