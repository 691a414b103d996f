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
import { SETTINGS_SECTION as SECTION } from '../../extension/ids';

export interface Settings {
  /** Root of a QEMU source checkout (absolute after normalisation), or null. */
  readonly qemuSource: string | null;
  /** The I/O path document used when there is no checkout (absolute), or null for the bundled one. */
  readonly document: string | null;
  /** Code lenses on/off. */
  readonly codeLens: boolean;
  /** Lenses also on the first mention of each function per section, not only on headings naming one. */
  readonly codeLensMentions: boolean;
  /** Document links on/off. */
  readonly documentLinks: boolean;
  /** Language ids that get code lenses and document links (hover and definition work everywhere). */
  readonly linkLanguages: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = {
  qemuSource: null,
  document: null,
  codeLens: true,
  codeLensMentions: false,
  documentLinks: true,
  // `text`: what Neovim and eglot call .txt files
  linkLanguages: ['markdown', 'plaintext', 'text'],
};

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `qemuIoExplorer` part of a settings-like object, in any of the accepted shapes. */
function extractSection(raw: unknown): Raw {
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
  const langs =
    Array.isArray(r.linkLanguages) && r.linkLanguages.every((x) => typeof x === 'string')
      ? (r.linkLanguages as string[])
      : undefined;
  return {
    qemuSource: str(r.qemuSource) ?? base.qemuSource,
    document: str(r.document) ?? base.document,
    codeLens: typeof r.codeLens === 'boolean' ? r.codeLens : base.codeLens,
    codeLensMentions: typeof r.codeLensMentions === 'boolean' ? r.codeLensMentions : base.codeLensMentions,
    documentLinks: typeof r.documentLinks === 'boolean' ? r.documentLinks : base.documentLinks,
    linkLanguages: langs ?? base.linkLanguages,
  };
}

/**
 * Expands `~`, `${workspaceFolder}` and `${userHome}` and makes a path absolute (relative paths are
 * taken from the workspace folder). Returns undefined for an empty value. Paths that still name a
 * variable we cannot expand (`${workspaceFolder}` without a folder) are returned unchanged, so the
 * adapter reports them. Shared with the extension (extension/debug/launchDefaults.ts, config.ts).
 */
export function resolveUserPath(p: string | undefined, workspaceFolder?: string): string | undefined {
  if (typeof p !== 'string' || p.trim() === '') return undefined;
  let s = p.trim().replace(/\$\{userHome\}/g, homedir());
  if (workspaceFolder) s = s.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (s === '~') s = homedir();
  else if (s.startsWith('~/')) s = resolve(homedir(), s.slice(2));
  if (s.includes('${')) return s;
  if (!isAbsolute(s)) s = resolve(workspaceFolder ?? process.cwd(), s);
  return s;
}

/** A setting's path made absolute by `resolveUserPath` (the first workspace folder as base), or null. */
export function normalisePath(p: string | null, workspaceFolder: string | undefined): string | null {
  return resolveUserPath(p ?? undefined, workspaceFolder) ?? null;
}

export function settingsEqual(a: Settings, b: Settings): boolean {
  return (
    a.qemuSource === b.qemuSource &&
    a.document === b.document &&
    a.codeLens === b.codeLens &&
    a.codeLensMentions === b.codeLensMentions &&
    a.documentLinks === b.documentLinks &&
    a.linkLanguages.join('\0') === b.linkLanguages.join('\0')
  );
}
