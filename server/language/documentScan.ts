// Per-document analysis shared by document links and code lenses: where the catalog's names occur
// and how the text is divided into sections. Large texts are processed in slices with a yield to
// the event loop in between, so a `$/cancelRequest` (or a newer edit) is seen mid-way, and results
// are cached per (uri, version) so links and lenses of one version are computed once.

import { OccurrenceScanner, type FunctionOccurrence } from '../../common/occurrences';

/** Characters processed between two yields to the event loop. */
const SLICE = 1 << 20;
/**
 * Mentions kept per document. Links stop at 5000 and lenses at 500 pairs anyway; the cap keeps a
 * pathological document (tens of MB of names) from holding hundreds of thousands of objects.
 */
export const MAX_OCCURRENCES = 100_000;

export interface Structure {
  /** Sorted zero-based lines that start a new section (headings, setext underlines, rules). */
  readonly sectionStarts: readonly number[];
  /** Sorted [first, last] line pairs of fenced code blocks (fence lines included). */
  readonly fences: ReadonlyArray<readonly [number, number]>;
}

export interface Analysis {
  readonly occurrences: readonly FunctionOccurrence[];
  readonly structure: Structure;
}

export type IsCancelled = () => boolean;

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class DocumentScanner {
  private readonly cache = new Map<string, { version: number; analysis: Analysis }>();

  constructor(private readonly names: ReadonlySet<string>) {}

  /** Analysis of a document version, or undefined if cancelled before it was complete. */
  async analyse(uri: string, version: number, text: string, isCancelled: IsCancelled): Promise<Analysis | undefined> {
    const hit = this.cache.get(uri);
    if (hit && hit.version === version) return hit.analysis;
    const scanner = new OccurrenceScanner(text, this.names, { limit: MAX_OCCURRENCES });
    while (!scanner.step(SLICE)) {
      await yieldToLoop();
      if (isCancelled()) return undefined;
    }
    const structure = await analyseStructure(text, isCancelled);
    if (!structure) return undefined;
    const analysis = { occurrences: scanner.results, structure };
    this.cache.set(uri, { version, analysis });
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

/**
 * Sections: ATX headings (`# …` to `###### …`, up to three spaces of indent), setext underlines
 * and thematic breaks (a line of three or more `=`, `-`, `*` or `_`), outside fenced code blocks
 * (``` or ~~~). The same rules serve plain text, where such lines are the usual way to title parts
 * of notes.
 */
export async function analyseStructure(text: string, isCancelled: IsCancelled): Promise<Structure | undefined> {
  const sectionStarts: number[] = [];
  const fences: Array<[number, number]> = [];
  let fenceStart = -1;
  let fenceChar = 0;
  let line = 0;
  let pos = 0;
  let nextYield = SLICE;
  let nextCr = text.indexOf('\r');
  let prevParagraph = false;
  const n = text.length;
  while (pos <= n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    // A lone \r also ends a line (as in LSP); rare, so only split when one is inside this line.
    if (nextCr >= 0 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    while (nextCr >= 0 && nextCr < nl - 1) {
      classify(pos, nextCr);
      line++;
      pos = nextCr + 1;
      nextCr = text.indexOf('\r', pos);
    }
    classify(pos, nl);
    line++;
    pos = nl + 1;
    if (pos > nextYield) {
      nextYield = pos + SLICE;
      await yieldToLoop();
      if (isCancelled()) return undefined;
    }
  }
  if (fenceStart >= 0) fences.push([fenceStart, line - 1]);
  return { sectionStarts, fences };

  function classify(start: number, end: number): void {
    // Only a paragraph line can be titled by a setext underline below it.
    prevParagraph = classifyLine(start, end) && !isBlank(start, end);
  }

  function isBlank(start: number, end: number): boolean {
    for (let j = start; j < end; j++) {
      const d = text.charCodeAt(j);
      if (d !== 32 && d !== 9 && d !== 13) return false;
    }
    return true;
  }

  /** Records fences and section starts; returns true for an ordinary (paragraph) line. */
  function classifyLine(start: number, end: number): boolean {
    let i = start;
    while (i < end && i - start < 4 && text.charCodeAt(i) === 32) i++;
    if (i - start > 3 || i >= end) return fenceStart < 0;
    const c = text.charCodeAt(i);
    if (c === 96 || c === 126) {
      // ` ~
      if (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c) {
        if (fenceStart < 0) {
          fenceStart = line;
          fenceChar = c;
        } else if (c === fenceChar) {
          fences.push([fenceStart, line]);
          fenceStart = -1;
        }
        return false;
      }
      return fenceStart < 0;
    }
    if (fenceStart >= 0) return false;
    if (c === 35) {
      // #
      let j = i;
      while (j < end && text.charCodeAt(j) === 35) j++;
      const level = j - i;
      if (
        level <= 6 &&
        (j >= end || text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)
      ) {
        sectionStarts.push(line);
        return false;
      }
      return true;
    }
    if (c === 61 || c === 45 || c === 42 || c === 95) {
      // = - * _
      let count = 0;
      for (let j = i; j < end; j++) {
        const d = text.charCodeAt(j);
        if (d === c) count++;
        else if (d !== 32 && d !== 9 && d !== 13) return true;
      }
      // A setext underline (= or -) titles the paragraph line above it; otherwise a line of
      // three or more is a thematic break that starts a section where it stands.
      if ((c === 61 || c === 45) && prevParagraph && line > 0) sectionStarts.push(line - 1);
      else if (count >= 3) sectionStarts.push(line);
      else return true;
      return false;
    }
    return true;
  }
}

/** Binary search: is `line` inside one of the sorted fence ranges? */
export function inFence(fences: Structure['fences'], line: number): boolean {
  let lo = 0;
  let hi = fences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = fences[mid];
    if (line < a) hi = mid - 1;
    else if (line > b) lo = mid + 1;
    else return true;
  }
  return false;
}
