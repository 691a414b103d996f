// Where each function is described in the project's I/O path document (docs/qemu-io-path.md, or
// the file named by the `document` setting). The document promises that the first line naming a
// function it documents is that function's `### \`name\`` heading; for the few names it only
// mentions, we take the first mention that reads as code (in backticks, followed by `(`, or inside
// a fenced block such as a call tree) rather than a prose word like "read".
// The file is re-read when its modification time changes (checked at most once a second).

import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { findFunctionOccurrences } from '../../common/occurrences';

export interface DocLocation {
  readonly uri: string;
  readonly line: number;
  readonly character: number;
  readonly length: number;
  /** True when the line is the function's own heading. */
  readonly heading: boolean;
}

const CHECK_INTERVAL_MS = 1000;

export class DocIndex {
  private path: string | null = null;
  private uri = '';
  private mtimeMs = -1;
  private size = -1;
  private lastCheck = 0;
  private map = new Map<string, DocLocation>();
  private failed = false;

  constructor(
    private readonly names: ReadonlySet<string>,
    private readonly report: (key: string, message: string) => void,
    private readonly onDidChange?: () => void,
  ) {}

  setPath(path: string): void {
    if (path === this.path) return;
    this.path = path;
    this.uri = pathToFileURL(path).href;
    this.mtimeMs = -1;
    this.size = -1;
    this.lastCheck = 0;
    this.map = new Map();
    this.failed = false; // read lazily, at the first lookup
  }

  lookup(name: string): DocLocation | undefined {
    this.refresh();
    return this.map.get(name);
  }

  private refresh(): void {
    const path = this.path;
    if (!path) return;
    const now = Date.now();
    if (now - this.lastCheck < CHECK_INTERVAL_MS) return;
    this.lastCheck = now;
    let text: string;
    try {
      const st = statSync(path);
      if (st.mtimeMs === this.mtimeMs && st.size === this.size) return;
      text = readFileSync(path, 'utf8');
      this.mtimeMs = st.mtimeMs;
      this.size = st.size;
    } catch (e) {
      if (!this.failed) {
        this.failed = true;
        this.map = new Map();
        this.report(
          `doc:${path}`,
          `QEMU I/O Explorer: cannot read the I/O path document "${path}" (qemuIoExplorer.document): ` +
            `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Go to definition has no fallback target.`,
        );
        this.onDidChange?.();
      }
      return;
    }
    this.failed = false;
    this.map = indexDocument(text, this.names, this.uri);
    this.onDidChange?.();
  }
}

/** name → its heading, or its first code-like mention. Exported for tests. */
export function indexDocument(text: string, names: ReadonlySet<string>, uri: string): Map<string, DocLocation> {
  const map = new Map<string, DocLocation>();
  const occ = findFunctionOccurrences(text, names);
  if (occ.length === 0) return map;
  // Which lines are inside fenced code blocks, computed only up to the last occurrence. Lines end
  // at `\n`, `\r\n` or a lone `\r`, as in findFunctionOccurrences.
  const fenced = new Set<number>();
  let inFence = false;
  let line = 0;
  let pos = 0;
  const lastLine = occ[occ.length - 1].line;
  while (line <= lastLine && pos <= text.length) {
    const end = lineEnd(text, pos);
    const l = text.slice(pos, Math.min(end, pos + 8)).trimStart();
    if (l.startsWith('```') || l.startsWith('~~~')) inFence = !inFence;
    else if (inFence) fenced.add(line);
    line++;
    pos = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }
  const headingPrefix = '### `';
  for (const o of occ) {
    if (map.has(o.name) && map.get(o.name)!.heading) continue;
    const ls = o.offset - o.character;
    const lineText = text.slice(ls, lineEnd(text, ls));
    const heading = lineText === `${headingPrefix}${o.name}\``;
    if (heading) {
      map.set(o.name, { uri, line: o.line, character: o.character, length: o.length, heading: true });
      continue;
    }
    if (map.has(o.name)) continue;
    const before = o.character > 0 ? lineText.charCodeAt(o.character - 1) : 0;
    const after = lineText.charCodeAt(o.character + o.length);
    const codeLike = fenced.has(o.line) || before === 96 /* ` */ || after === 40; /* ( */
    if (codeLike) map.set(o.name, { uri, line: o.line, character: o.character, length: o.length, heading: false });
  }
  return map;
}

/** Offset of the line break (`\n` or `\r`) that ends the line starting at `from`, or text.length. */
function lineEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}
