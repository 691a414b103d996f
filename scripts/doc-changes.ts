// The generated parts of docs/qemu-io-path.md: where the path changed after 4.1.0, from the
// catalogs' dated changes (pathChanges). Each function entry of the Function reference ends with a
// paragraph of "*Since X.Y:*" / "*In 10.0:*" lines. The document promises that a function's first
// mention is its heading, so a change whose reason names a function described further on shows
// only what changed in the entry, and its reason goes to a generated list at the end of section 7.
// scripts/gen-doc.mjs writes the result; test/extension/document.test.ts checks it is current.

import { findFunctionOccurrences } from '../common/occurrences';
import { CATALOG_VERSIONS, getCatalog, pathChanges, type PathChange } from '../simulator/catalog';

const CHANGE_LINE = /^\*(Since|In) \d+\.\d+:\* /;
const LIST_START = '<!-- generated from the catalogs: the reasons the entries above leave out -->';
const LIST_END = '<!-- end of the generated list -->';
const HEADING = /^### `(\w+)`$/;

/** Every name some catalog version knows (functions and trace events), for code style in reasons. */
function knownNames(): Set<string> {
  const out = new Set<string>();
  for (const v of CATALOG_VERSIONS) {
    const c = getCatalog(v);
    for (const f of c.functions) out.add(f.name);
    for (const e of c.data.traceEvents) out.add(e.name);
  }
  return out;
}

/** A reason as Markdown: QEMU names (those with an underscore) in code style, once. */
function asMarkdown(text: string, known: ReadonlySet<string>): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/\b[A-Za-z_]\w*\b/g, (w) => (w.includes('_') && known.has(w) ? `\`${w}\`` : w)),
    )
    .join('');
}

/** `text` with its generated parts as the catalogs say they are now. */
export function withPathChanges(text: string): string {
  const known = knownNames();
  // drop what an earlier run generated
  let lines = text.split('\n');
  const start = lines.indexOf(LIST_START);
  const end = lines.indexOf(LIST_END);
  if (start >= 0 && end > start) lines.splice(start - 1, end - start + 2);
  lines = lines.filter((l, i) => !(CHANGE_LINE.test(l) || (l === '' && CHANGE_LINE.test(lines[i + 1] ?? ''))));

  const reference = lines.indexOf('## Function reference');
  const narrative = lines.findIndex((l, i) => i > reference && l.startsWith('## '));
  const headingOf = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = HEADING.exec(l);
    if (m && i > reference && i < narrative) headingOf.set(m[1], i);
  });
  const documented = new Set(headingOf.keys());
  const leftOut: string[] = [];
  const out: string[] = [];
  let current: string | null = null;
  const flush = (): void => {
    if (current === null) return;
    const at = headingOf.get(current)!;
    const changes = pathChanges(current);
    if (!changes.length) return;
    while (out[out.length - 1] === '') out.pop();
    const entry = changes.map((c: PathChange) => {
      const text = asMarkdown(c.text, known);
      const ahead = findFunctionOccurrences(text, documented).some((o) => headingOf.get(o.name)! > at);
      if (!ahead) return `*${c.label}:* ${text}`;
      leftOut.push(`- \`${current}\`, ${c.label.toLowerCase()}: ${text}`);
      return `*${c.label}:* ${c.what} (described at the end of section 7)`;
    });
    out.push('', entry.join('\\\n'), '');
  };
  lines.forEach((l, i) => {
    const m = HEADING.exec(l);
    if ((m || l.startsWith('## ') || l.startsWith('### ')) && i > reference) {
      flush();
      current = m && i < narrative ? m[1] : null;
    }
    out.push(l);
  });
  flush();
  while (out[out.length - 1] === '') out.pop();
  if (leftOut.length)
    out.push(
      '',
      LIST_START,
      'Changes whose reasons name functions described after the entry they belong to:',
      '',
      ...leftOut,
      LIST_END,
    );
  return out.join('\n') + '\n';
}
