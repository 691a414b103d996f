// The language server's settings — its part of common/settings.ts — from two sources so any LSP
// client can configure it:
//   1. `initializationOptions` of the initialize request — either flat
//      `{ qemuSource, document, … }`, nested `{ qemuIoExplorer: { … } }`, or dotted
//      `{ "qemuIoExplorer.qemuSource": … }`;
//   2. `workspace/configuration` for the section `qemuIoExplorer` (pulled after `initialized` and on
//      every `workspace/didChangeConfiguration`), or, for clients without that request, the
//      `settings` object pushed in didChangeConfiguration.
// Later sources win, but only with a meaningful value: an empty string or null from the editor's
// settings (an unset setting with an empty default) does not erase a value given at initialize.

import { resolveUserPath, SETTING_DEFAULTS, SETTINGS_SECTION as SECTION, settingValue } from '../../common/settings';

/** The settings the server uses. */
const SERVER_SETTINGS = [
  'qemuSource',
  'document',
  'codeLens',
  'codeLensMentions',
  'documentLinks',
  'linkLanguages',
] as const;

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
  qemuSource: SETTING_DEFAULTS.qemuSource || null,
  document: SETTING_DEFAULTS.document || null,
  codeLens: SETTING_DEFAULTS.codeLens,
  codeLensMentions: SETTING_DEFAULTS.codeLensMentions,
  documentLinks: SETTING_DEFAULTS.documentLinks,
  linkLanguages: SETTING_DEFAULTS.linkLanguages,
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

/** A meaningful value of the setting (strings trimmed, and not empty), or undefined. */
function valueOf(name: (typeof SERVER_SETTINGS)[number], v: unknown): unknown {
  const value = settingValue(name, v);
  return typeof value === 'string' ? value.trim() || undefined : value;
}

/** Overlays the meaningful values of `raw` (one source) on `base`. */
export function mergeSettings(base: Settings, raw: unknown): Settings {
  const r = extractSection(raw);
  const out: Record<string, unknown> = { ...base };
  for (const name of SERVER_SETTINGS) out[name] = valueOf(name, r[name]) ?? base[name];
  return out as unknown as Settings;
}

/** A setting's path made absolute by `resolveUserPath` (the first workspace folder as base), or null. */
export function normalisePath(p: string | null, workspaceFolder: string | undefined): string | null {
  return resolveUserPath(p ?? undefined, workspaceFolder) ?? null;
}

export function settingsEqual(a: Settings, b: Settings): boolean {
  return SERVER_SETTINGS.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}
