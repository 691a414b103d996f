// Where each function is described in the project's I/O path document (docs/qemu-io-path.md, or
// the file named by the `document` setting). The document promises that the first line naming a
// function it documents is that function's `### \`name\`` heading; for the few names it only
// mentions, we take the first mention that reads as code (in backticks, followed by `(`, or inside
// a fenced block such as a call tree) rather than a prose word like "read".
// The file is re-read when its modification time changes (checked at most once a second), in the
// background: lookups answer from what was read, and never wait on the disk (a FIFO or a device
// named by the setting is refused by readUserFile, not waited on).

import { promises as fsp } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { findFunctionOccurrences } from '../../common/occurrences';
import { readUserFile, UserFileError } from '../../common/userFile';

export interface DocLocation {
  readonly uri: string;
  readonly line: number;
  readonly character: number;
  readonly length: number;
  /** True when the line is the function's own heading. */
  readonly heading: boolean;
}

const CHECK_INTERVAL_MS = 1000;
/** The shipped document is 60 KiB; a user's may be bigger, but not without bound. */
const MAX_DOCUMENT_BYTES = 16 << 20;

export class DocIndex {
  private path: string | null = null;
  private uri = '';
  private mtimeMs = -1;
  private size = -1;
  private lastCheck = 0;
  private map = new Map<string, DocLocation>();
  private failed = false;
  private loading: Promise<void> | null = null;

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
    this.failed = false;
    this.refresh();
  }

  /** From what was read so far (a due re-check starts in the background). */
  lookup(name: string): DocLocation | undefined {
    this.refresh();
    return this.map.get(name);
  }

  /** Waits for a read in progress, if any (for answers that should see the document). */
  async ready(): Promise<void> {
    this.refresh();
    await this.loading;
  }

  private refresh(): void {
    const path = this.path;
    if (!path || this.loading) return;
    const now = Date.now();
    if (now - this.lastCheck < CHECK_INTERVAL_MS) return;
    this.lastCheck = now;
    this.loading = this.reload(path).finally(() => (this.loading = null));
  }

  private async reload(path: string): Promise<void> {
    let text: string;
    let st;
    try {
      st = await fsp.stat(path);
      if (st.mtimeMs === this.mtimeMs && st.size === this.size) return;
      text = await readUserFile(path, MAX_DOCUMENT_BYTES);
    } catch (e) {
      if (path !== this.path || this.failed) return;
      this.failed = true;
      this.map = new Map();
      const why =
        e instanceof UserFileError
          ? e.message
          : (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'no such file'
            : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
      this.report(
        `doc:${path}`,
        `QEMU I/O Explorer: cannot read the I/O path document "${path}" (qemuIoExplorer.document): ${why}. ` +
          'Go to definition has no fallback target.',
      );
      this.onDidChange?.();
      return;
    }
    if (path !== this.path) return;
    this.mtimeMs = st.mtimeMs;
    this.size = st.size;
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
