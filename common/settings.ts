// The extension's settings (`qemuIoExplorer.*`), typed once here: their type, default, description
// and whether an untrusted workspace may set them. scripts/gen-manifest.mjs writes package.json's
// contributes.configuration and capabilities.untrustedWorkspaces.restrictedConfigurations from this
// table (test/extension/manifest.test.ts checks they match); the extension reads the values with
// these defaults (extension/config.ts) and the language server takes its part of them
// (server/language/settings.ts). Free of VS Code, like everything in common/.

import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

export const SETTINGS_SECTION = 'qemuIoExplorer';

interface SettingBase {
  /** Markdown shown in the Settings editor. */
  readonly description: string;
  /**
   * May an untrusted workspace set it? When not, VS Code ignores its workspace value in Restricted
   * Mode (the user's own value still applies): for paths that would make the extension read files
   * elsewhere on the machine.
   */
  readonly untrusted: boolean;
}

export type SettingSpec =
  | (SettingBase & { readonly type: 'string'; readonly default: string })
  | (SettingBase & {
      readonly type: 'string';
      readonly enum: readonly string[];
      readonly enumDescriptions: readonly string[];
      readonly default: string;
    })
  | (SettingBase & { readonly type: 'boolean'; readonly default: boolean })
  | (SettingBase & { readonly type: 'array'; readonly items: 'string'; readonly default: readonly string[] });

/** Every setting, in the order the Settings editor lists them. */
export const SETTINGS = {
  qemuSource: {
    type: 'string',
    default: '',
    untrusted: false,
    description:
      'Root of a QEMU 4.1.0 source checkout. When set, hover, go to definition, stack frames and line breakpoints use its C files; otherwise they use the I/O path document. `~` and `${workspaceFolder}` are expanded; a relative path is taken from the workspace folder. Ignored in workspace settings of an untrusted workspace.',
  },
  document: {
    type: 'string',
    default: '',
    untrusted: false,
    description:
      'The I/O path document that stack frames, hover and the stage tree point into. Empty: the `docs/qemu-io-path.md` shipped with the extension. `~` and `${workspaceFolder}` are expanded. Ignored in workspace settings of an untrusted workspace.',
  },
  trace: {
    type: 'boolean',
    default: false,
    untrusted: true,
    description:
      "Print the QEMU trace-event line of every stage (what QEMU 4.1.0 prints with `-trace`) in the Debug Console. A launch configuration's own `trace` field wins.",
  },
  adapterMode: {
    type: 'string',
    enum: ['inline', 'external'],
    enumDescriptions: [
      'Run the debug adapter inside the extension host (fastest).',
      'Run the debug adapter as a separate Node process (`dist/debugAdapter.js` over stdio), isolated from the extension host.',
    ],
    default: 'inline',
    untrusted: false,
    description: 'Where the `qemu-io` debug adapter runs. Applies to the next session.',
  },
  traceDapTraffic: {
    type: 'boolean',
    default: false,
    untrusted: true,
    description:
      'Write every Debug Adapter Protocol message of `qemu-io` sessions to the **QEMU I/O Explorer** output channel, for troubleshooting. Applies to the next session.',
  },
  codeLens: {
    type: 'boolean',
    default: true,
    untrusted: true,
    description:
      'Show "Break on this stage" and "Show in I/O path tree" code lenses on headings that name a function in Markdown and plain text (see `#qemuIoExplorer.codeLensMentions#` for more).',
  },
  codeLensMentions: {
    type: 'boolean',
    default: false,
    untrusted: true,
    description:
      'Also show the code lenses above the first mention of each function in each section, not only on headings. Off by default: on the I/O path document that is hundreds of lenses; mentions keep hover, links and the tree either way.',
  },
  documentLinks: {
    type: 'boolean',
    default: true,
    untrusted: true,
    description: 'Turn function names in Markdown and plain text into links to their definition.',
  },
  linkLanguages: {
    type: 'array',
    items: 'string',
    // `text`: what Neovim and eglot call .txt files
    default: ['markdown', 'plaintext', 'text'],
    untrusted: true,
    description:
      'Language ids that get code lenses and document links (hover and go to definition work in Markdown, plain text and C regardless). `text` is what Neovim and Emacs eglot call plain text.',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'boolean' }
      ? boolean
      : readonly string[];

/** The value type of each setting. */
export type SettingValues = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

export const SETTING_DEFAULTS = Object.fromEntries(
  Object.entries(SETTINGS).map(([k, s]) => [k, s.default]),
) as unknown as SettingValues;

/** `v` if it is a value setting `name` can take (its type; one of its enum values), else undefined. */
export function settingValue<K extends SettingName>(name: K, v: unknown): SettingValues[K] | undefined {
  const spec: SettingSpec = SETTINGS[name];
  const ok =
    spec.type === 'array'
      ? Array.isArray(v) && v.every((x) => typeof x === 'string')
      : typeof v === spec.type && (!('enum' in spec) || spec.enum.includes(v as string));
  return ok ? (v as SettingValues[K]) : undefined;
}

/** `qemuIoExplorer.<name>`. */
export function settingKey(name: SettingName): string {
  return `${SETTINGS_SECTION}.${name}`;
}

/** package.json's contributes.configuration. */
export function configurationContribution() {
  const properties: Record<string, unknown> = {};
  Object.entries(SETTINGS).forEach(([name, s]: [string, SettingSpec], i) => {
    properties[settingKey(name as SettingName)] = {
      type: s.type,
      ...(s.type === 'array' ? { items: { type: s.items } } : {}),
      ...('enum' in s ? { enum: s.enum, enumDescriptions: s.enumDescriptions } : {}),
      default: s.default,
      order: i + 1,
      markdownDescription: s.description,
    };
  });
  return { title: 'QEMU I/O Explorer', properties };
}

/** package.json's capabilities.untrustedWorkspaces.restrictedConfigurations. */
export function restrictedConfigurations(): string[] {
  return Object.entries(SETTINGS)
    .filter(([, s]) => !s.untrusted)
    .map(([name]) => settingKey(name as SettingName));
}

/**
 * Expands `~`, `${workspaceFolder}` and `${userHome}` and makes a path setting absolute (relative
 * paths are taken from the workspace folder). Returns undefined for an empty value. Paths that still
 * name a variable we cannot expand (`${workspaceFolder}` without a folder) are returned unchanged,
 * so the adapter reports them.
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
