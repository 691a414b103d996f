// What the debug configuration provider does to a launch configuration, without VS Code: fill the
// default scenario when there is no launch.json, take unset fields from the user's settings, and
// turn every path into an absolute one (the adapter may run in another working directory).

import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { DEBUG_TYPE } from '../ids';
import { DEFAULT_SCENARIO, launchConfiguration } from '../scenarios';

export interface ExplorerSettings {
  /** `qemuIoExplorer.qemuSource` as written (may hold ~ or ${workspaceFolder}), '' when unset. */
  readonly qemuSource: string;
  /** `qemuIoExplorer.document` as written, '' when unset. */
  readonly document: string;
  /** `qemuIoExplorer.trace`. */
  readonly trace: boolean;
}

export interface LaunchContext {
  readonly settings: ExplorerSettings;
  /** Path of the workspace folder the session belongs to, if any. */
  readonly workspaceFolder?: string;
}

type Config = Record<string, unknown>;

/**
 * Expands `~`, `${workspaceFolder}` and `${userHome}` and makes a path absolute (relative paths are
 * taken from the workspace folder). Returns undefined for an empty value. Paths that still name a
 * variable we cannot expand (`${workspaceFolder}` without a folder) are returned unchanged, so the
 * adapter reports them.
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

/** True for the empty configuration VS Code passes when there is no launch.json. */
export function isEmptyConfiguration(config: Config): boolean {
  return !config.type && !config.request && !config.name;
}

/** `resolveDebugConfiguration`: the default scenario for an empty configuration. */
export function withDefaults(config: Config): Config {
  if (isEmptyConfiguration(config)) return { ...launchConfiguration(DEFAULT_SCENARIO) };
  return { ...config, type: config.type ?? DEBUG_TYPE, request: config.request ?? 'launch', name: config.name ?? DEFAULT_SCENARIO.name };
}

/**
 * `resolveDebugConfigurationWithSubstitutedVariables`: settings for unset fields, absolute paths.
 * Fields already in the configuration win over settings.
 */
export function completeConfiguration(config: Config, ctx: LaunchContext): Config {
  const out: Config = { ...config };
  const folder = ctx.workspaceFolder;
  if (out.trace === undefined && ctx.settings.trace) out.trace = true;
  if (out.qemuSource === undefined && ctx.settings.qemuSource.trim()) out.qemuSource = ctx.settings.qemuSource;
  if (out.document === undefined && ctx.settings.document.trim()) out.document = ctx.settings.document;
  for (const key of ['qemuSource', 'document'] as const) {
    if (typeof out[key] === 'string') {
      const p = resolveUserPath(out[key] as string, folder);
      if (p === undefined) delete out[key];
      else out[key] = p;
    }
  }
  // a fio job file given as the workload
  if (typeof out.workload === 'string') out.workload = resolveUserPath(out.workload, folder) ?? out.workload;
  return out;
}
