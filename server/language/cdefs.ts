// Finds function *definitions* of given names in C source text, without a parser. It relies on
// the layout QEMU (and Linux) use for definitions: the declaration starts in column 0
// (`static int coroutine_fn raw_co_pwritev(...)` or a return type on one line and the name in
// column 0 of the next), the identifier right before the first `(` of that line is the name, and
// after the matching `)` the next thing that is not whitespace or a comment is `{`.
// That rejects prototypes (`;`), calls (indented, or not followed by `{`), macro invocations at
// file scope, and text in comments and string literals, which are skipped. Pure: no I/O.

import { isIdentPart, isIdentStart } from '../../common/identifiers';

export interface CDefinition {
  readonly name: string;
  /** Zero-based line of the name. */
  readonly line: number;
  /** Zero-based UTF-16 column of the name. */
  readonly character: number;
}

/** How far after the `(` we look for the `)` and the `{` (a parameter list is never this long). */
const MAX_DECL_SPAN = 8000;

export function findCDefinitions(text: string, names: ReadonlySet<string>): CDefinition[] {
  const out: CDefinition[] = [];
  const n = text.length;
  let inBlock = false;
  let continuation = false; // previous line was a preprocessor line ending in a backslash
  let line = 0;
  let ls = 0;
  while (ls <= n) {
    let nl = text.indexOf('\n', ls);
    if (nl < 0) nl = n;
    let le = nl;
    if (le > ls && text.charCodeAt(le - 1) === 13) le--;
    if (inBlock) {
      const close = text.indexOf('*/', ls);
      if (close >= 0 && close + 2 <= le) inBlock = commentStateAfter(text, close + 2, le);
    } else if (continuation) {
      continuation = le > ls && text.charCodeAt(le - 1) === 92;
      inBlock = commentStateAfter(text, ls, le);
    } else if (ls < le) {
      const c0 = text.charCodeAt(ls);
      if (c0 === 35 /* # */) {
        continuation = text.charCodeAt(le - 1) === 92;
        inBlock = commentStateAfter(text, ls, le);
      } else if (isIdentStart(c0)) {
        const found = candidate(text, ls, le, names);
        if (found) out.push({ name: found.name, line, character: found.start - ls });
        inBlock = commentStateAfter(text, ls, le);
      } else {
        const slash = text.indexOf('/*', ls);
        if (slash >= 0 && slash < le) inBlock = commentStateAfter(text, ls, le);
      }
    }
    line++;
    ls = nl + 1;
  }
  return out;
}

/** Scans [from, to) of one line; true when it ends inside an unterminated block comment. */
function commentStateAfter(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39) {
      i = skipQuoted(text, i, to);
    } else if (c === 47 && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) return false;
      if (d === 42) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0 || close + 2 > to) return true;
        i = close + 2;
      } else i++;
    } else i++;
  }
  return false;
}

function skipQuoted(text: string, i: number, to: number): number {
  const q = text.charCodeAt(i);
  i++;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === q) return i + 1;
    else i++;
  }
  return to;
}

/** The identifier before the first `(` of a column-0 line, if it is a wanted name being defined. */
function candidate(
  text: string,
  ls: number,
  le: number,
  names: ReadonlySet<string>,
): { name: string; start: number } | undefined {
  let i = ls;
  let lastStart = -1;
  let lastEnd = -1;
  while (i < le) {
    const c = text.charCodeAt(i);
    if (isIdentPart(c)) {
      const s = i;
      while (i < le && isIdentPart(text.charCodeAt(i))) i++;
      lastStart = s;
      lastEnd = i;
      continue;
    }
    if (c === 40 /* ( */) {
      if (lastStart < 0 || !isIdentStart(text.charCodeAt(lastStart))) return undefined;
      const name = text.slice(lastStart, lastEnd);
      if (!names.has(name)) return undefined;
      return opensBody(text, i) ? { name, start: lastStart } : undefined;
    }
    if (c === 32 || c === 9 || c === 42 /* * */) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      // a /* comment */ inside the declaration
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close >= le) return undefined;
      i = close + 2;
      continue;
    }
    // `=`, `;`, `{`, `"`, `//` …: not a function declaration line.
    return undefined;
  }
  return undefined;
}

/** From the `(` at `open`: true if the parameter list is followed by a function body. */
function opensBody(text: string, open: number): boolean {
  const limit = Math.min(text.length, open + MAX_DECL_SPAN);
  let depth = 0;
  let i = open;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      depth--;
      if (depth === 0) {
        i++;
        break;
      }
    } else if (c === 59 || c === 123 || c === 125)
      return false; // ; { } inside a parameter list
    else if (c === 34 || c === 39) {
      i = skipQuoted(text, i, limit);
      continue;
    } else if (c === 47) {
      const j = skipComment(text, i, limit);
      if (j !== i) {
        i = j;
        continue;
      }
    }
    i++;
  }
  if (depth !== 0) return false;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    if (c === 47) {
      const j = skipComment(text, i, limit);
      if (j !== i) {
        i = j;
        continue;
      }
    }
    return c === 123;
  }
  return false;
}

/** If a comment starts at `i`, the index after it; else `i`. */
function skipComment(text: string, i: number, limit: number): number {
  const d = text.charCodeAt(i + 1);
  if (d === 47) {
    const nl = text.indexOf('\n', i + 2);
    return nl < 0 ? limit : Math.min(limit, nl + 1);
  }
  if (d === 42) {
    const close = text.indexOf('*/', i + 2);
    return close < 0 ? limit : Math.min(limit, close + 2);
  }
  return i;
}
