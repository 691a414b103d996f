// The server's settings, from two sources so any LSP client can configure it:
//   1. `initializationOptions` of the initialize request — either flat
//      `{ qemuSource, document, … }`, nested `{ qemuIoExplorer: { … } }`, or dotted
//      `{ "qemuIoExplorer.qemuSource": … }`;
//   2. `workspace/configuration` for the section `qemuIoExplorer` (pulled after `initialized` and on
//      every `workspace/didChangeConfiguration`), or, for clients without that request, the
//      `settings` object pushed in didChangeConfiguration.
// Later sources win, but only with a meaningful value: an empty string or null from the editor's
// settings (an unset setting with an empty default) does not erase a value given at initialize.

import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

export const SECTION = 'qemuIoExplorer';

export interface Settings {
  /** Root of a QEMU source checkout (absolute after normalisation), or null. */
  readonly qemuSource: string | null;
  /** The I/O path document used when there is no checkout (absolute), or null for the bundled one. */
  readonly document: string | null;
  /** Code lenses on/off. */
  readonly codeLens: boolean;
  /** Document links on/off. */
  readonly documentLinks: boolean;
  /** Language ids that get code lenses and document links (hover and definition work everywhere). */
  readonly linkLanguages: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = {
  qemuSource: null,
  document: null,
  codeLens: true,
  documentLinks: true,
  linkLanguages: ['markdown', 'plaintext'],
};

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `qemuIoExplorer` part of a settings-like object, in any of the accepted shapes. */
export function extractSection(raw: unknown): Raw {
  if (!isObject(raw)) return {};
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(SECTION + '.')) out[k.slice(SECTION.length + 1)] = v;
    else if (k !== SECTION) out[k] = v;
  }
  const nested = raw[SECTION];
  if (isObject(nested)) Object.assign(out, nested);
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Overlays the meaningful values of `raw` (one source) on `base`. */
export function mergeSettings(base: Settings, raw: unknown): Settings {
  const r = extractSection(raw);
  const langs = Array.isArray(r.linkLanguages) && r.linkLanguages.every((x) => typeof x === 'string')
    ? (r.linkLanguages as string[]) : undefined;
  return {
    qemuSource: str(r.qemuSource) ?? base.qemuSource,
    document: str(r.document) ?? base.document,
    codeLens: typeof r.codeLens === 'boolean' ? r.codeLens : base.codeLens,
    documentLinks: typeof r.documentLinks === 'boolean' ? r.documentLinks : base.documentLinks,
    linkLanguages: langs ?? base.linkLanguages,
  };
}

/**
 * Expands `~` and `${workspaceFolder}`, and resolves a relative path against the first workspace
 * folder (or the server's working directory when there is none).
 */
export function normalisePath(p: string | null, workspaceFolder: string | undefined): string | null {
  if (!p) return null;
  let s = p;
  if (workspaceFolder) s = s.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (s === '~') s = homedir();
  else if (s.startsWith('~/')) s = resolve(homedir(), s.slice(2));
  if (!isAbsolute(s)) s = resolve(workspaceFolder ?? process.cwd(), s);
  return s;
}

export function settingsEqual(a: Settings, b: Settings): boolean {
  return a.qemuSource === b.qemuSource && a.document === b.document && a.codeLens === b.codeLens
    && a.documentLinks === b.documentLinks && a.linkLanguages.join('\0') === b.linkLanguages.join('\0');
}
