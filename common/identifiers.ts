// ASCII identifiers in arbitrary text. A QEMU function name is matched only as a whole run of
// [A-Za-z0-9_] that does not start with a digit. Every other character — punctuation, spaces,
// `->`, backticks, and every non-ASCII character (CJK, accented letters, emoji) — ends a run, so
// `blk_aio_preadv二`, `（aio_poll）`, `s->bh.cb` and `name()` all expose the bare name.
// Positions are UTF-16 code-unit offsets, which is what JavaScript strings and LSP's default
// position encoding both use.

/** 1 for [A-Za-z0-9_], 2 additionally for a possible first character ([A-Za-z_]). */
export const IDENT_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) t[c] = 1; // 0-9
  for (let c = 65; c <= 90; c++) t[c] = 3; // A-Z
  for (let c = 97; c <= 122; c++) t[c] = 3; // a-z
  t[95] = 3; // _
  return t;
})();

export function isIdentPart(code: number): boolean {
  return code < 128 && IDENT_CLASS[code] !== 0;
}

export function isIdentStart(code: number): boolean {
  return code < 128 && (IDENT_CLASS[code] & 2) !== 0;
}

export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * The identifier under `offset` (or ending right before it, like an editor cursor placed after
 * a word), or undefined. Runs longer than `maxLength` are rejected without being walked to their
 * end, so a hover in a megabyte of `aaaa…` costs O(maxLength), not O(line).
 */
export function identifierAt(text: string, offset: number, maxLength = 256): Span | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  let at = offset;
  if (at >= text.length || !isIdentPart(text.charCodeAt(at))) {
    at = offset - 1;
    if (at < 0 || !isIdentPart(text.charCodeAt(at))) return undefined;
  }
  let start = at;
  const leftLimit = Math.max(0, at - maxLength);
  while (start > leftLimit && isIdentPart(text.charCodeAt(start - 1))) start--;
  if (start === leftLimit && start > 0 && isIdentPart(text.charCodeAt(start - 1))) return undefined;
  let end = at + 1;
  const rightLimit = Math.min(text.length, start + maxLength + 1);
  while (end < rightLimit && isIdentPart(text.charCodeAt(end))) end++;
  if (end - start > maxLength) return undefined;
  if (!isIdentStart(text.charCodeAt(start))) return undefined; // 0x1f, 64bit: not identifiers
  return { start, end };
}
