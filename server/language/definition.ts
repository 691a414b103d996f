// Go to definition, and the link targets hover and document links use.
// Order of preference for a name:
//   1. its definition(s) in the user's QEMU checkout (qemuSource.ts), ranked so the file the
//      catalog names wins (QEMU's two static raw_co_pwritev give two locations);
//   2. its place in the I/O path document (docIndex.ts).
// System calls and guest-driver functions are not in a QEMU tree, so they go to the document.

import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Catalog, FunctionEntry } from '../../simulator/catalog';
import type { DocIndex } from './docIndex';
import type { QemuSourceIndex } from './qemuSource';

export interface Target {
  readonly uri: string;
  /** Zero-based. */
  readonly line: number;
  readonly character: number;
  readonly length: number;
}

/** A link into a file at a (zero-based) line that VS Code and most clients understand. */
export function lineLink(uri: string, line: number): string {
  return `${uri}#L${line + 1}`;
}

export interface SourceRef {
  /** `block/linux-aio.c:393`, or a plain description when there is no QEMU location. */
  readonly label: string;
  /** Link into the checkout, when one is configured and readable. */
  readonly uri?: string;
  /** The line in the checkout, when the scan found it somewhere else than the catalog's line. */
  readonly checkoutLine?: number;
}

export class Definitions {
  constructor(
    private readonly catalog: Catalog,
    private readonly qemu: QemuSourceIndex,
    private readonly doc: DocIndex,
  ) {}

  /** Fresh definition targets for a name (may read files); [] when nothing is known. */
  async locate(name: string, isCancelled: () => boolean): Promise<Target[]> {
    if (!this.catalog.has(name)) return [];
    if (this.qemu.usable && this.inQemuTree(name)) {
      const defs = await this.qemu.definitions(name, isCancelled);
      if (defs.length > 0) {
        return defs.map((d) => ({
          uri: pathToFileURL(d.path).href,
          line: d.line,
          character: d.character,
          length: name.length,
        }));
      }
    }
    await this.doc.ready();
    const d = this.doc.lookup(name);
    return d ? [{ uri: d.uri, line: d.line, character: d.character, length: d.length }] : [];
  }

  /** Best link target for a name from what is known now (no waiting): for hovers and links. */
  targetNow(name: string): string | undefined {
    if (this.qemu.usable && this.inQemuTree(name)) {
      const defs = this.qemu.definitionsNow(name);
      if (defs.length > 0) return lineLink(pathToFileURL(defs[0].path).href, defs[0].line);
      const f = this.catalog.byName(name);
      if (f?.file && f.line && f.origin === 'qemu') return this.checkoutUri(f.file, f.line);
    }
    return this.docTarget(name);
  }

  /** Where the document describes a name (for "read more" links). */
  docTarget(name: string): string | undefined {
    const d = this.doc.lookup(name);
    return d ? lineLink(d.uri, d.line) : undefined;
  }

  /** The QEMU `file:line` of one catalog entry, linked into the checkout when there is one. */
  source(f: FunctionEntry): SourceRef | undefined {
    if (f.origin !== 'qemu' || !f.file) return undefined;
    const label = f.line ? `${f.file}:${f.line}` : f.file;
    if (!this.qemu.usable) return { label };
    const found = this.qemu.definitionsNow(f.name).find((d) => d.rel === f.file);
    if (found) {
      return {
        label,
        uri: lineLink(pathToFileURL(found.path).href, found.line),
        checkoutLine: f.line && found.line + 1 !== f.line ? found.line + 1 : undefined,
      };
    }
    return { label, uri: this.checkoutUri(f.file, f.line) };
  }

  /** URI of a file (relative to the checkout root) at a one-based line, or of the file when `line` is 0 or absent. */
  private checkoutUri(file: string, line: number | undefined): string {
    const uri = pathToFileURL(join(this.qemu.root!, file)).href;
    return line ? lineLink(uri, line - 1) : uri;
  }

  private inQemuTree(name: string): boolean {
    return this.catalog.allNamed(name).some((f) => f.origin === 'qemu');
  }
}
