// The "QEMU I/O Path" tree view: VS Code's side of the stage tree. It feeds the model the active
// editor's text and the project's document, shows function breakpoints, follows the cursor onto
// function names, and highlights the stage and function a stopped session is in. It lists the path
// of the focused session's QEMU version (a replay of a 10.0 log: 10.0's functions), else 4.1.0's.

import * as vscode from 'vscode';
import { CATALOG_VERSIONS, getCatalog } from '../../simulator/catalog';
import { functionBreakpointNames } from '../breakpoints';
import { DEFAULT_CATALOG_VERSION, StageState } from '../debug/stageState';
import { projectDocument, readDocument } from '../document';
import { COMMANDS, CONTEXT, TREE_ITEM, VIEW_ID } from '../../common/ids';
import type { Log } from '../output';
import { FunctionNode, GroupNode, OccurrenceNode, StageTreeModel, StageTreeNode, TextSource } from './model';

/** Documents we do not look into: panels and internal views, not texts a user brought. */
const IGNORED_SCHEMES = new Set(['output', 'vscode-settings', 'walkThroughSnippet', 'comment', 'vscode-scm', 'git']);
const MAX_SCAN_CHARS = 20_000_000;
const EDIT_DELAY_MS = 150;
const REFRESH_DELAY_MS = 30;

function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}

export class StageTreeProvider implements vscode.TreeDataProvider<StageTreeNode>, vscode.Disposable {
  readonly view: vscode.TreeView<StageTreeNode>;
  private readonly changed = new vscode.EventEmitter<StageTreeNode | StageTreeNode[] | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private modelInstance: StageTreeModel | undefined;
  /** The catalog version the model lists. */
  private modelVersion = DEFAULT_CATALOG_VERSION;
  /** The I/O path document's text, kept for a model built for another version. */
  private projectSource: TextSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private activeDoc: vscode.TextDocument | undefined;
  private activeVersion = -1;
  private projectUri: vscode.Uri | undefined;
  private projectLoad: Promise<void> | undefined;
  private breakpointNames: Set<string> | undefined;
  private editTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private current: { fn?: FunctionNode; group?: GroupNode; thread: string; requestIds: readonly number[] } | undefined;
  private shownHits: Readonly<Record<string, number>> = {};

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly stages: StageState,
    private readonly log: Log,
  ) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.window.onDidChangeActiveTextEditor((e) => this.onActiveEditor(e)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.debug.onDidChangeBreakpoints(() => {
        this.breakpointNames = undefined;
        this.scheduleRefresh();
      }),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void this.revealCurrent();
      }),
    );
    this.setActiveDocument(vscode.window.activeTextEditor?.document);
    void vscode.commands.executeCommand('setContext', CONTEXT.namedOnly, false);
  }

  /** The model, built on first use (the catalog is only indexed when someone looks). */
  get model(): StageTreeModel {
    if (!this.modelInstance) {
      this.modelInstance = new StageTreeModel(getCatalog(this.modelVersion));
      if (this.activeDoc) this.modelInstance.setActive(this.sourceOf(this.activeDoc));
      this.activeVersion = this.activeDoc?.version ?? -1;
      if (this.projectSource) this.modelInstance.setProject(this.projectSource);
    }
    return this.modelInstance;
  }

  /** Lists another version's path (the focused session's); false when it already does or the version is unknown. */
  private useVersion(version: string): boolean {
    if (version === this.modelVersion || !CATALOG_VERSIONS.includes(version)) return false;
    const namedOnly = this.modelInstance?.namedOnly ?? false;
    this.modelVersion = version;
    this.modelInstance = undefined;
    this.model.namedOnly = namedOnly;
    this.current = undefined;
    this.shownHits = {};
    this.log.info(`stage tree: listing the QEMU ${version} I/O path`);
    this.updateTitle();
    this.changed.fire();
    return true;
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  async getChildren(node?: StageTreeNode): Promise<StageTreeNode[]> {
    await this.ensureProject();
    return this.model.children(node);
  }

  getParent(node: StageTreeNode): StageTreeNode | undefined {
    return this.model.parentOf(node);
  }

  getTreeItem(node: StageTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group':
        return this.groupItem(node);
      case 'function':
        return this.functionItem(node);
      case 'occurrence':
        return this.occurrenceItem(node);
    }
  }

  private groupItem(g: GroupNode): vscode.TreeItem {
    const item = new vscode.TreeItem(g.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `group:${g.id}`;
    item.contextValue = TREE_ITEM.group;
    item.tooltip = g.description;
    const here = this.current?.group === g;
    item.iconPath = here
      ? new vscode.ThemeIcon(
          'debug-stackframe',
          new vscode.ThemeColor('debugIcon.breakpointCurrentStackframeForeground'),
        )
      : new vscode.ThemeIcon('layers');
    const named = this.model.functionsOf(g).length;
    item.description = here ? `● ${this.current!.thread}` : this.model.namedOnly ? `${named}` : undefined;
    return item;
  }

  private functionItem(f: FunctionNode): vscode.TreeItem {
    const summary = this.model.summary(f);
    const item = new vscode.TreeItem(
      f.name,
      summary ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `fn:${f.key}`;
    const bp = this.hasBreakpoint(f.name);
    item.contextValue = bp ? TREE_ITEM.functionWithBreakpoint : TREE_ITEM.function;
    const here = this.current?.fn === f;
    const hits = this.stages.hitCounts()[f.name];
    const parts: string[] = [];
    if (here)
      parts.push(
        `◀ ${this.current!.thread}${this.current!.requestIds.length ? ` · req ${this.current!.requestIds.join(',')}` : ''}`,
      );
    if (hits) parts.push(`hit ${hits}×`);
    if (f.qualifier) parts.push(`[${f.qualifier}]`);
    if (summary) parts.push(summary.source === 'active' ? `${summary.count}× here` : `${summary.documentName}`);
    const changes = this.model.changes(f);
    if (changes.length) parts.push(changes[0].label.toLowerCase());
    item.description = parts.join(' · ');
    if (here)
      item.iconPath = new vscode.ThemeIcon(
        'debug-stackframe-focused',
        new vscode.ThemeColor('debugIcon.breakpointCurrentStackframeForeground'),
      );
    else if (bp)
      item.iconPath = new vscode.ThemeIcon(
        'debug-breakpoint-function',
        new vscode.ThemeColor('debugIcon.breakpointForeground'),
      );
    else item.iconPath = new vscode.ThemeIcon('symbol-function');
    const e = f.entry;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${f.name}**${f.qualifier ? ` (${f.qualifier})` : ''} — ${f.stageLabel}\n\n`);
    md.appendText(e.summary);
    md.appendMarkdown(`\n\n*Thread:* ${e.thread} · *Runs in:* ${e.runsIn}${e.yields ? ' · can yield' : ''}`);
    if (e.file) md.appendMarkdown(` · *Source:* \`${e.file}${e.line ? `:${e.line}` : ''}\``);
    for (const c of changes) {
      md.appendMarkdown(`\n\n**${c.label}:** `);
      md.appendText(c.text);
    }
    if (bp) md.appendMarkdown('\n\n$(debug-breakpoint-function) function breakpoint set');
    if (hits) md.appendMarkdown(`\n\nhit ${hits} time${hits === 1 ? '' : 's'} in this session`);
    md.supportThemeIcons = true;
    item.tooltip = md;
    return item;
  }

  private occurrenceItem(o: OccurrenceNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      { label: o.preview, highlights: [[o.highlight[0], o.highlight[1]]] },
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = o.id;
    item.contextValue = TREE_ITEM.occurrence;
    item.description = o.source === 'active' ? `line ${o.line + 1}` : `${o.documentName}:${o.line + 1}`;
    item.tooltip = `${o.documentName}, line ${o.line + 1}, column ${o.character + 1}`;
    item.command = {
      command: COMMANDS.treeOpenOccurrence,
      title: 'Reveal',
      arguments: [o.uri, o.line, o.character, o.length],
    };
    return item;
  }

  private hasBreakpoint(name: string): boolean {
    this.breakpointNames ??= functionBreakpointNames();
    return this.breakpointNames.has(name);
  }

  // ---- the texts -----------------------------------------------------------------------------

  private sourceOf(doc: vscode.TextDocument): TextSource | undefined {
    const text = doc.getText();
    if (text.length > MAX_SCAN_CHARS) {
      this.log.warn(`stage tree: ${doc.uri.toString()} is ${text.length} characters; not scanned`);
      return undefined;
    }
    return { uri: doc.uri.toString(), name: fileName(doc.uri), text };
  }

  private setActiveDocument(doc: vscode.TextDocument | undefined): void {
    this.activeDoc = doc;
    this.activeVersion = doc?.version ?? -1;
    if (this.modelInstance) this.modelInstance.setActive(doc ? this.sourceOf(doc) : undefined);
    this.updateTitle();
  }

  /** Makes sure the model has the active document's latest text (before a cursor lookup). */
  private syncActive(): void {
    if (this.activeDoc && this.activeDoc.version !== this.activeVersion) {
      clearTimeout(this.editTimer);
      this.setActiveDocument(this.activeDoc);
      this.scheduleRefresh();
    }
  }

  private onActiveEditor(editor: vscode.TextEditor | undefined): void {
    // focus moving to a panel or to this view leaves no active editor: keep the last document
    if (!editor || IGNORED_SCHEMES.has(editor.document.uri.scheme)) return;
    if (editor.document === this.activeDoc) return;
    clearTimeout(this.editTimer);
    this.setActiveDocument(editor.document);
    this.scheduleRefresh(0);
  }

  private onEdit(doc: vscode.TextDocument): void {
    const isActive = doc === this.activeDoc;
    const isProject = this.projectUri !== undefined && doc.uri.toString() === this.projectUri.toString();
    if (!isActive && !isProject) return;
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => {
      if (isActive) this.setActiveDocument(doc);
      if (isProject) {
        this.projectSource = this.sourceOf(doc);
        this.modelInstance?.setProject(this.projectSource);
      }
      this.scheduleRefresh(0);
    }, EDIT_DELAY_MS);
  }

  private onClose(doc: vscode.TextDocument): void {
    if (doc !== this.activeDoc) return;
    this.setActiveDocument(undefined);
    this.scheduleRefresh();
  }

  private ensureProject(): Promise<void> {
    this.projectLoad ??= this.loadProject();
    return this.projectLoad;
  }

  private async loadProject(): Promise<void> {
    const uri = projectDocument(this.extensionUri);
    this.projectUri = uri;
    try {
      const text = await readDocument(uri);
      this.projectSource = { uri: uri.toString(), name: fileName(uri), text };
    } catch (e) {
      this.log.warn(`stage tree: cannot read the I/O path document ${uri.fsPath}: ${(e as Error).message}`);
      this.projectSource = undefined;
    }
    this.model.setProject(this.projectSource);
    this.updateTitle();
  }

  /** The document setting changed: read the project's document again. */
  reloadProject(): void {
    this.projectLoad = undefined;
    void this.ensureProject().then(() => this.scheduleRefresh(0));
  }

  private updateTitle(): void {
    const m = this.modelInstance;
    const active = m?.activeSource;
    const version = this.modelVersion === DEFAULT_CATALOG_VERSION ? undefined : `QEMU ${this.modelVersion}`;
    this.view.description = [version, active?.name].filter(Boolean).join(' · ') || undefined;
    this.view.message =
      m && active && !m.namedOnly && !m.activeNamesAny()
        ? `${active.name} names no QEMU function: occurrences are from ${m.projectSource?.name ?? 'the I/O path document'}.`
        : undefined;
  }

  // ---- refreshing, revealing -----------------------------------------------------------------

  refresh(): void {
    this.breakpointNames = undefined;
    this.reloadProject();
  }

  private scheduleRefresh(delay = REFRESH_DELAY_MS): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.updateTitle();
      this.changed.fire();
    }, delay);
  }

  setNamedOnly(on: boolean): void {
    this.model.namedOnly = on;
    void vscode.commands.executeCommand('setContext', CONTEXT.namedOnly, on);
    this.scheduleRefresh(0);
  }

  /** Selects a function's node (command and code lens "Show in I/O path tree"). */
  async revealFunction(
    name: string,
    options: { focus: boolean; expand: boolean } = { focus: true, expand: true },
  ): Promise<boolean> {
    const fn = this.model.findFunction(name);
    if (!fn) return false;
    await this.ensureProject();
    if (this.model.namedOnly && !this.model.functionsOf(fn.group).includes(fn)) this.setNamedOnly(false);
    await this.view.reveal(fn, {
      select: true,
      focus: options.focus,
      expand: options.expand && this.model.summary(fn) !== undefined,
    });
    return true;
  }

  /** The cursor moved: select the node of the function name under it. */
  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    if (!this.view.visible || e.textEditor.document !== this.activeDoc) return;
    if (
      e.kind !== vscode.TextEditorSelectionChangeKind.Keyboard &&
      e.kind !== vscode.TextEditorSelectionChangeKind.Mouse
    )
      return;
    this.syncActive();
    const pos = e.selections[0]?.active;
    if (!pos) return;
    const fn = this.model.functionAt(pos.line, pos.character);
    if (!fn || this.view.selection[0] === fn) return;
    this.view
      .reveal(fn, { select: true, focus: false, expand: false })
      .then(undefined, (e: Error) => this.log.warn(`stage tree: cannot reveal ${fn.key}: ${e.message}`));
  }

  // ---- the debug session's position ----------------------------------------------------------

  /** The stage state changed (a stop, a run, a focus change, a session's end). */
  stagesChanged(): void {
    this.useVersion(this.stages.catalogVersion() ?? DEFAULT_CATALOG_VERSION);
    const cur = this.stages.current();
    const fn = cur?.function ? this.model.functionForStage(cur.function, cur.stage) : undefined;
    const group = fn?.group ?? (cur?.group ? this.model.group(cur.group) : undefined);
    const prev = this.current;
    this.current = cur ? { fn, group, thread: cur.thread, requestIds: cur.requestIds } : undefined;
    // refresh only the nodes whose look changed: a full refresh would race with the reveal below
    const nodes = new Set<StageTreeNode>();
    for (const n of [prev?.fn, prev?.group, fn, group]) if (n) nodes.add(n);
    const hits = this.stages.hitCounts();
    for (const name of new Set([...Object.keys(hits), ...Object.keys(this.shownHits)])) {
      if (hits[name] !== this.shownHits[name]) for (const f of this.model.functionsNamed(name)) nodes.add(f);
    }
    this.shownHits = hits;
    const refresh = () => {
      if (nodes.size) this.changed.fire([...nodes]);
    };
    if (fn && fn !== prev?.fn) void this.revealCurrent().then(refresh);
    else refresh();
  }

  /** Scrolls the current function into view (without selecting it) when the tree is visible. */
  private async revealCurrent(): Promise<void> {
    const fn = this.current?.fn;
    if (!fn || !this.view.visible) return;
    if (this.model.namedOnly && !this.model.functionsOf(fn.group).includes(fn)) return;
    await this.view
      .reveal(fn, { select: false, focus: false, expand: false })
      .then(undefined, (e: Error) => this.log.warn(`stage tree: cannot reveal ${fn.key}: ${e.message}`));
  }
}
