// Code lenses and document links for prose documents (markdown and plain text by default; the
// `linkLanguages` setting changes the list). C sources get hover and definition only: there a lens
// over every call would bury the code.
//
// Lenses — policy: a pair ("Break on this stage (name)" → qemuIoExplorer.toggleFunctionBreakpoint,
// "Show in I/O path tree" → qemuIoExplorer.revealInTree, both with the function name as the single
// argument) above the first function named on a heading (ATX `#` or setext); with the
// `codeLensMentions` setting also above the FIRST mention of each function in each section, where
// a section runs from one heading (or thematic break) to the next. At most one pair per line (a
// second function first mentioned on the same line gets its pair at its next mention in the
// section, if any); none inside fenced code blocks (call trees would be split apart); at most
// MAX_LENS_PAIRS pairs per document. In the I/O path document this puts one pair on each
// function's heading (with mentions: also one per function per narrative section, ~800 lenses,
// which read as a wall of lenses).
//
// Links — every mention of a function (up to MAX_LINKS per document) links to its definition: the
// QEMU checkout when configured, else the function's place in the I/O path document. A mention that
// is itself the link target (a function's own heading in the document) gets no link.

import { COMMANDS } from '../../common/ids';
import { lineLink } from './definition';
import type { FunctionOccurrence } from '../../common/occurrences';
import { inFence, type Analysis } from './documentScan';
import type { ReplayStart } from './traceLog';

export const BREAK_COMMAND = COMMANDS.toggleFunctionBreakpoint;
export const REVEAL_COMMAND = COMMANDS.revealInTree;
export const MAX_LENS_PAIRS = 500;
export const MAX_LINKS = 5000;

/** The mentions that get a lens pair, in text order: on headings, and with `mentions` in prose. */
export function planLenses(a: Analysis, mentions = false, maxPairs = MAX_LENS_PAIRS): FunctionOccurrence[] {
  const { occurrences, structure } = a;
  const starts = structure.sectionStarts;
  // headings are section starts that name something (a thematic break names nothing)
  const onHeading = (line: number): boolean => starts[si - 1] === line;
  const out: FunctionOccurrence[] = [];
  let si = 0; // number of section starts at or before the current line
  let seen = new Set<string>();
  let lastLine = -1;
  for (const o of occurrences) {
    let s = si;
    while (s < starts.length && starts[s] <= o.line) s++;
    if (s !== si) {
      si = s;
      seen = new Set();
    }
    if (o.line === lastLine || seen.has(o.name)) continue;
    if (!mentions && !onHeading(o.line)) continue;
    if (inFence(structure.fences, o.line)) continue;
    seen.add(o.name);
    lastLine = o.line;
    out.push(o);
    if (out.length >= maxPairs) break;
  }
  return out;
}

export interface LensOut {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly command: { title: string; command: string; arguments: unknown[] };
}

export function lensesFor(spots: readonly FunctionOccurrence[]): LensOut[] {
  const out: LensOut[] = [];
  for (const o of spots) {
    const range = {
      start: { line: o.line, character: o.character },
      end: { line: o.line, character: o.character + o.length },
    };
    out.push({
      range,
      command: { title: `Break on this stage (${o.name})`, command: BREAK_COMMAND, arguments: [o.name] },
    });
    out.push({ range, command: { title: 'Show in I/O path tree', command: REVEAL_COMMAND, arguments: [o.name] } });
  }
  return out;
}

export interface LinkOut {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly target: string;
  readonly tooltip: string;
}

/**
 * Links for every mention. `target(name)` gives a URI with a `#L<line>` fragment (or undefined);
 * `tooltip(name)` a short description. Self-links (target = this document at this line) are left out.
 */
export function linksFor(
  a: Analysis,
  documentUri: string,
  target: (name: string) => string | undefined,
  tooltip: (name: string) => string,
  maxLinks = MAX_LINKS,
): LinkOut[] {
  const out: LinkOut[] = [];
  const targets = new Map<string, string | undefined>();
  const tips = new Map<string, string>();
  for (const o of a.occurrences) {
    let t = targets.get(o.name);
    if (!targets.has(o.name)) targets.set(o.name, (t = target(o.name)));
    if (!t) continue;
    if (t === lineLink(documentUri, o.line)) continue;
    let tip = tips.get(o.name);
    if (tip === undefined) tips.set(o.name, (tip = tooltip(o.name)));
    out.push({
      range: {
        start: { line: o.line, character: o.character },
        end: { line: o.line, character: o.character + o.length },
      },
      target: t,
      tooltip: tip,
    });
    if (out.length >= maxLinks) break;
  }
  return out;
}

export const REPLAY_COMMAND = COMMANDS.replayFromLine;

/** "Replay from this line" on the lines a replay of a trace log can start from (traceLog.ts). */
export function replayLenses(uri: string, starts: readonly ReplayStart[]): LensOut[] {
  return starts.map((s) => ({
    range: { start: { line: s.line, character: s.start }, end: { line: s.line, character: s.end } },
    command: { title: 'Replay from this line', command: REPLAY_COMMAND, arguments: [uri, s.line] },
  }));
}
