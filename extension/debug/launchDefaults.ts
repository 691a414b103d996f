// What the debug configuration provider does to a launch configuration, without VS Code: fill the
// default scenario when there is no launch.json, take unset fields from the user's settings, and
// turn every path into an absolute one (the adapter may run in another working directory).

import { resolveUserPath } from '../../server/language/settings';
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

// The path rule is shared with the language server; re-exported for config.ts and the tests.
export { resolveUserPath };

type Config = Record<string, unknown>;

/** True for the empty configuration VS Code passes when there is no launch.json. */
export function isEmptyConfiguration(config: Config): boolean {
  return !config.type && !config.request && !config.name;
}

/** `resolveDebugConfiguration`: the default scenario for an empty configuration. */
export function withDefaults(config: Config): Config {
  if (isEmptyConfiguration(config)) return { ...launchConfiguration(DEFAULT_SCENARIO) };
  return {
    ...config,
    type: config.type ?? DEBUG_TYPE,
    request: config.request ?? 'launch',
    name: config.name ?? DEFAULT_SCENARIO.name,
  };
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
