// What the debug configuration provider does to a launch configuration, without VS Code: fill the
// default scenario when there is no launch.json, take unset fields from the user's settings, and
// turn every path into an absolute one (the adapter may run in another working directory).

import { DEBUG_TYPE } from '../../common/ids';
import { resolveUserPath, SettingValues } from '../../common/settings';
import { DEFAULT_SCENARIO, launchConfiguration } from '../scenarios';

/** The settings a launch configuration takes unset fields from (paths as written, '' when unset). */
export type ExplorerSettings = Pick<SettingValues, 'qemuSource' | 'document' | 'trace'>;

export interface LaunchContext {
  readonly settings: ExplorerSettings;
  /** Path of the workspace folder the session belongs to, if any. */
  readonly workspaceFolder?: string;
}

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
 * Fields already in the configuration win over settings. The `qemuSource` setting is a QEMU 4.1.0
 * checkout, so it is not given to a trace session (which reads 7.2 or 10.0 as often): a trace
 * session takes a checkout of its own version from its own `qemuSource` field.
 */
export function completeConfiguration(config: Config, ctx: LaunchContext): Config {
  const out: Config = { ...config };
  const folder = ctx.workspaceFolder;
  const traced = out.traceFile !== undefined;
  if (out.trace === undefined && ctx.settings.trace) out.trace = true;
  if (!traced && out.qemuSource === undefined && ctx.settings.qemuSource.trim())
    out.qemuSource = ctx.settings.qemuSource;
  if (out.document === undefined && ctx.settings.document.trim()) out.document = ctx.settings.document;
  for (const key of ['qemuSource', 'document'] as const) {
    if (typeof out[key] === 'string') {
      const p = resolveUserPath(out[key] as string, folder);
      if (p === undefined) delete out[key];
      else out[key] = p;
    }
  }
  // a fio job file given as the workload, the trace log (an empty one stays, for the adapter to refuse)
  if (typeof out.workload === 'string') out.workload = resolveUserPath(out.workload, folder) ?? out.workload;
  if (typeof out.traceFile === 'string') out.traceFile = resolveUserPath(out.traceFile, folder) ?? out.traceFile;
  return out;
}
