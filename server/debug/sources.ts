// Where a function is shown: the line naming it in the I/O path document, or its definition
// in the user's QEMU checkout (found by scanning the file the catalog names). And the
// reverse, for line breakpoints: which path function a document or source line is about.
// Files are read asynchronously, before they are needed (load, loadSource): the lookups that
// answer requests never touch the disk.

import { join, normalize, resolve } from 'node:path';
import { Catalog, catalog as reference, excerpt } from '../../simulator';
import { readUserFile, UserFileError } from '../../common/userFile';

/** QEMU's biggest C files are a few hundred KiB (the language server's index uses the same cap). */
const MAX_SOURCE_BYTES = 4 << 20;

export interface Location {
  path: string;
  /** 1-based. */
  line: number;
}

/** A C function definition found in a source file: its name and the lines it spans (1-based). */
interface Definition {
  name: string;
  line: number;
  end: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Function definitions in C text: a name followed by `(` whose declaration is followed by a `{` body. */
function scanDefinitions(text: string): Definition[] {
  const lines = text.split('\n');
  const out: Definition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!/^[A-Za-z_]/.test(l) || (/^(typedef|struct|static\s+const|#)/.test(l) && !/\(/.test(l))) continue;
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(l);
    if (!m || ['if', 'while', 'for', 'switch', 'return', 'sizeof'].includes(m[1])) continue;
    // find the opening brace of a body before any ';' (a prototype ends with ';')
    let j = i;
    let body = -1;
    for (; j < Math.min(lines.length, i + 12); j++) {
      const s = j === i ? l.slice(m.index) : lines[j];
      if (/;\s*$/.test(s) && !/\{/.test(s)) break;
      if (/^\{/.test(lines[j]) || (j === i && /\)\s*\{\s*$/.test(l))) {
        body = j;
        break;
      }
    }
    if (body < 0) continue;
    let end = body;
    while (end < lines.length && !/^\}/.test(lines[end])) end++;
    out.push({ name: m[1], line: i + 1, end: end + 1 });
    i = end;
  }
  return out;
}

export class SourceMap {
  private readonly docLines: string[] = [];
  /** Line (1-based) of each function name's first occurrence in the document. */
  private readonly docLine = new Map<string, number>();
  readonly documentPath: string | undefined;
  /** Definitions in each C file read so far, or why it could not be read; by normalised path. */
  private readonly defs = new Map<string, Definition[] | string>();

  /** `document`: the I/O path document's path and text, already read. */
  constructor(
    private readonly catalog: Catalog,
    document: { path: string; text: string } | undefined,
    readonly qemuSource: string | undefined,
  ) {
    this.documentPath = document?.path;
    if (document) {
      this.docLines = document.text.split('\n');
      this.docLines.forEach((text, i) => {
        for (const name of this.namesOn(text)) if (!this.docLine.has(name)) this.docLine.set(name, i + 1);
      });
    }
  }

  /** Reads the checkout's files the catalog names, so frames can point into them. */
  async loadCheckout(): Promise<void> {
    const root = this.qemuSource;
    if (!root) return;
    const files = new Set(this.catalog.functions.flatMap((f) => (f.origin === 'qemu' && f.file ? [f.file] : [])));
    await Promise.all([...files].map((f) => this.loadSource(join(root, f))));
  }

  /** Reads a C file's function definitions, once (line breakpoints in it need them). */
  async loadSource(path: string): Promise<void> {
    const p = normalize(resolve(path));
    if (this.defs.has(p)) return;
    let d: Definition[] | string;
    try {
      d = scanDefinitions(await readUserFile(p, MAX_SOURCE_BYTES));
    } catch (e) {
      if (!(e instanceof UserFileError)) throw e;
      d = e.message;
    }
    this.defs.set(p, d);
  }

  /** The catalog function names a line names as whole identifiers, in order. */
  private *namesOn(text: string): Generator<string> {
    for (const m of text.matchAll(IDENT)) {
      const before = m.index === 0 ? '' : text[m.index - 1];
      if (this.catalog.has(m[0]) && !/[A-Za-z0-9_]/.test(before)) yield m[0];
    }
  }

  /** Where to show function `fnId`. */
  locate(fnId: number): Location | null {
    const f = this.catalog.entry(fnId);
    if (!f) return null;
    if (this.qemuSource && f.file && f.origin === 'qemu') {
      const path = join(this.qemuSource, f.file);
      const defs = this.definitionsIn(path);
      if (typeof defs !== 'string') {
        const same = defs.filter((d) => d.name === f.name);
        if (same.length) {
          const best = same.reduce((a, b) =>
            Math.abs(b.line - (f.line ?? 0)) < Math.abs(a.line - (f.line ?? 0)) ? b : a,
          );
          return { path, line: best.line };
        }
        if (f.line) return { path, line: f.line };
      }
    }
    // the document describes 4.1.0: a function a later version renamed is under its 4.1.0 name
    const line = this.docLine.get(f.name) ?? this.docLine.get(reference.name(fnId));
    return line && this.documentPath ? { path: this.documentPath, line } : null;
  }

  /** What loadSource found in a file (a string says why it could not be read). */
  private definitionsIn(path: string): Definition[] | string {
    return this.defs.get(normalize(resolve(path))) ?? 'it was not read';
  }

  /** Reads what line breakpoints in `path` need (a C file's definitions). */
  async loadFor(path: string): Promise<void> {
    const p = normalize(resolve(path));
    if (/\.[ch]$/.test(p) && !(this.documentPath && p === normalize(resolve(this.documentPath))))
      await this.loadSource(p);
  }

  /**
   * The function a line breakpoint at `path:line` is about, and the line to show it at.
   * Document: the first function named on the line or within the next few lines.
   * C source: the catalog function whose definition contains the line.
   */
  resolveLine(path: string, line: number): { fnName: string; line: number } | { error: string } {
    const p = normalize(resolve(path));
    if (this.documentPath && p === normalize(resolve(this.documentPath))) return this.resolveDocumentLine(line);
    if (/\.[ch]$/.test(p)) return this.resolveSourceLine(p, line);
    return { error: 'breakpoints can be set in the I/O path document or in QEMU C sources' };
  }

  private resolveDocumentLine(line: number): { fnName: string; line: number } | { error: string } {
    for (let l = line; l < Math.min(this.docLines.length, line + 8) + 1; l++) {
      for (const fnName of this.namesOn(this.docLines[l - 1] ?? '')) return { fnName, line: l };
    }
    return { error: 'no QEMU path function is named on this line or the next ones' };
  }

  private resolveSourceLine(path: string, line: number): { fnName: string; line: number } | { error: string } {
    const defs = this.definitionsIn(path);
    if (typeof defs === 'string') return { error: `cannot read ${excerpt(path, 200)}: ${defs}` };
    const def = defs.find((d) => d.line <= line && line <= d.end);
    if (!def) return { error: 'this line is not inside a function definition' };
    if (!this.catalog.has(def.name)) return { error: `${def.name} is not a function on the simulated I/O path` };
    return { fnName: def.name, line: def.line };
  }
}
