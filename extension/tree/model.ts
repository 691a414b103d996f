// The stage tree's model, free of VS Code: the catalog's groups (in the catalog's order) → their
// functions → where each function's name occurs, in the active document or, when the active
// document does not name it, in the project's I/O path document. Group and function nodes live as
// long as the model (the tree view refreshes and reveals them by identity); occurrence nodes are
// recomputed whenever a text changes.

import { Catalog, fnKey, FunctionEntry, pathChanges, PathChange, StageGroupId } from '../../simulator/catalog';
import { findFunctionOccurrences, FunctionOccurrence } from '../../common/occurrences';

/** A text the tree looks into. */
export interface TextSource {
  /** Identifies the document (a URI string); passed back in occurrence nodes. */
  readonly uri: string;
  /** Short name to show (a file name). */
  readonly name: string;
  readonly text: string;
}

export type SourceKind = 'active' | 'project';

export interface GroupNode {
  readonly kind: 'group';
  readonly id: StageGroupId;
  readonly label: string;
  readonly description: string;
  readonly functions: readonly FunctionNode[];
}

export interface FunctionNode {
  readonly kind: 'function';
  /** Catalog key: the name, or name@qualifier for QEMU's duplicated static names. */
  readonly key: string;
  readonly name: string;
  readonly qualifier?: string;
  readonly entry: FunctionEntry;
  readonly stageLabel: string;
  readonly group: GroupNode;
}

export interface OccurrenceNode {
  readonly kind: 'occurrence';
  /** Stable for a given text: `occ:<key>:<source>:<offset>`. */
  readonly id: string;
  readonly fn: FunctionNode;
  readonly source: SourceKind;
  readonly uri: string;
  readonly documentName: string;
  /** Zero-based line and UTF-16 column, as VS Code positions. */
  readonly line: number;
  readonly character: number;
  readonly length: number;
  /** The line's text, trimmed and shortened around the name. */
  readonly preview: string;
  /** Where the name is in `preview`: [start, end). */
  readonly highlight: readonly [number, number];
}

export type StageTreeNode = GroupNode | FunctionNode | OccurrenceNode;

/** Where a function's occurrences come from. */
export interface OccurrenceSummary {
  readonly source: SourceKind;
  readonly documentName: string;
  readonly count: number;
}

const PREVIEW_MAX = 90;
const PREVIEW_LEAD = 30;

/** A text scanned once for every catalog name. */
class ScannedText {
  readonly byName = new Map<string, FunctionOccurrence[]>();
  /** All occurrences in text order. */
  readonly all: readonly FunctionOccurrence[];

  constructor(
    readonly source: TextSource,
    names: ReadonlySet<string>,
  ) {
    this.all = findFunctionOccurrences(source.text, names);
    for (const o of this.all) {
      const list = this.byName.get(o.name);
      if (list) list.push(o);
      else this.byName.set(o.name, [o]);
    }
  }

  /** The occurrence whose name spans (line, character), cursor just after the name included. */
  at(line: number, character: number): FunctionOccurrence | undefined {
    const all = this.all;
    let lo = 0;
    let hi = all.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = all[mid];
      if (o.line < line || (o.line === line && o.character + o.length < character)) lo = mid + 1;
      else if (o.line > line || o.character > character) hi = mid - 1;
      else return o;
    }
    return undefined;
  }

  /** The occurrence's line, whitespace collapsed, shortened around the name on long lines. */
  preview(o: FunctionOccurrence): { text: string; highlight: [number, number] } {
    const text = this.source.text;
    const lineStart = o.offset - o.character;
    let end = o.offset + o.length;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const from = end - lineStart <= PREVIEW_MAX ? lineStart : Math.max(lineStart, o.offset - PREVIEW_LEAD);
    const to = Math.min(end, Math.max(o.offset + o.length, from + PREVIEW_MAX));
    let pre = text.slice(from, o.offset).replace(/\s+/g, ' ').trimStart();
    let post = text
      .slice(o.offset + o.length, to)
      .replace(/\s+/g, ' ')
      .trimEnd();
    if (from > lineStart) pre = '…' + pre;
    if (to < end) post += '…';
    return { text: pre + o.name + post, highlight: [pre.length, pre.length + o.length] };
  }
}

export class StageTreeModel {
  readonly groups: readonly GroupNode[];
  /** Only the functions the active document names (and the groups holding them). */
  namedOnly = false;
  private readonly byName = new Map<string, FunctionNode[]>();
  private readonly byKey = new Map<string, FunctionNode>();
  private readonly names: ReadonlySet<string>;
  private active: ScannedText | undefined;
  private readonly changed = new Map<string, readonly PathChange[]>();
  private project: ScannedText | undefined;

  constructor(catalog: Pick<Catalog, 'groups' | 'stages' | 'functions'>) {
    const stageLabel = new Map(catalog.stages.map((s) => [s.id, s.label]));
    const stageGroup = new Map(catalog.stages.map((s) => [s.id, s.group]));
    this.groups = catalog.groups.map((g) => {
      const functions: FunctionNode[] = [];
      const group: GroupNode = { kind: 'group', id: g.id, label: g.label, description: g.description, functions };
      for (const f of catalog.functions) {
        if (stageGroup.get(f.stage) !== g.id) continue;
        const node: FunctionNode = {
          kind: 'function',
          key: fnKey(f),
          name: f.name,
          qualifier: f.qualifier,
          entry: f,
          stageLabel: stageLabel.get(f.stage) ?? f.stage,
          group,
        };
        functions.push(node);
        this.byKey.set(node.key, node);
        const same = this.byName.get(f.name);
        if (same) same.push(node);
        else this.byName.set(f.name, [node]);
      }
      return group;
    });
    this.names = new Set(this.byName.keys());
  }

  get activeSource(): TextSource | undefined {
    return this.active?.source;
  }

  get projectSource(): TextSource | undefined {
    return this.project?.source;
  }

  /** Whether the active document names any catalog function. */
  activeNamesAny(): boolean {
    return (this.active?.all.length ?? 0) > 0;
  }

  /** Sets (or clears) the active document. */
  setActive(source: TextSource | undefined): void {
    this.active = source ? new ScannedText(source, this.names) : undefined;
  }

  /** Sets (or clears) the project's I/O path document, the fallback. */
  setProject(source: TextSource | undefined): void {
    this.project = source ? new ScannedText(source, this.names) : undefined;
  }

  /** Top-level nodes: the groups, in the catalog's order. */
  roots(): GroupNode[] {
    return this.groups.filter((g) => this.functionsOf(g).length > 0);
  }

  functionsOf(group: GroupNode): FunctionNode[] {
    if (!this.namedOnly) return [...group.functions];
    return group.functions.filter((f) => this.active?.byName.has(f.name));
  }

  children(node?: StageTreeNode): StageTreeNode[] {
    if (!node) return this.roots();
    if (node.kind === 'group') return this.functionsOf(node);
    if (node.kind === 'function') return this.occurrencesOf(node);
    return [];
  }

  parentOf(node: StageTreeNode): StageTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    if (node.kind === 'function') return node.group;
    return node.fn;
  }

  /** Which text a function's occurrences come from, and how many there are. */
  summary(fn: FunctionNode): OccurrenceSummary | undefined {
    const pick = this.textFor(fn);
    if (!pick) return undefined;
    return { source: pick.kind, documentName: pick.text.source.name, count: pick.list.length };
  }

  occurrencesOf(fn: FunctionNode): OccurrenceNode[] {
    const pick = this.textFor(fn);
    if (!pick) return [];
    const { kind, text, list } = pick;
    return list.map((o) => {
      const p = text.preview(o);
      return {
        kind: 'occurrence',
        id: `occ:${fn.key}:${kind}:${o.offset}`,
        fn,
        source: kind,
        uri: text.source.uri,
        documentName: text.source.name,
        line: o.line,
        character: o.character,
        length: o.length,
        preview: p.text,
        highlight: p.highlight,
      };
    });
  }

  /** The function whose name is under a cursor in the active document. */
  functionAt(line: number, character: number): FunctionNode | undefined {
    const o = this.active?.at(line, character);
    return o ? this.byName.get(o.name)?.[0] : undefined;
  }

  /** A function by key (`name@qualifier`) or by name (the first with that name). */
  findFunction(nameOrKey: string): FunctionNode | undefined {
    return this.byKey.get(nameOrKey) ?? this.byName.get(nameOrKey)?.[0];
  }

  /** Every function written `name` (two for QEMU's duplicated static names). */
  functionsNamed(name: string): readonly FunctionNode[] {
    return this.byName.get(name) ?? [];
  }

  /** The function a stop reports: its name, told apart by stage for duplicated names. */
  functionForStage(name: string, stage?: string): FunctionNode | undefined {
    const same = this.byName.get(name);
    if (!same) return undefined;
    return same.find((f) => f.entry.stage === stage) ?? same[0];
  }

  /** Where QEMU changed the function after 4.1.0 ("Since 7.0", "In 10.0"), from the catalogs' dated changes. */
  changes(fn: FunctionNode): readonly PathChange[] {
    let c = this.changed.get(fn.key);
    if (!c) this.changed.set(fn.key, (c = pathChanges(fn.name)));
    return c;
  }

  group(id: string): GroupNode | undefined {
    return this.groups.find((g) => g.id === id);
  }

  private textFor(fn: FunctionNode): { kind: SourceKind; text: ScannedText; list: FunctionOccurrence[] } | undefined {
    const a = this.active?.byName.get(fn.name);
    if (a && this.active) return { kind: 'active', text: this.active, list: a };
    const p = this.project?.byName.get(fn.name);
    if (p && this.project) return { kind: 'project', text: this.project, list: p };
    return undefined;
  }
}
