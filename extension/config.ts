// The extension's settings (`qemuIoExplorer.*`), read in one place.

import * as vscode from 'vscode';
import {
  resolveUserPath,
  SETTING_DEFAULTS,
  SettingName,
  SETTINGS,
  SETTINGS_SECTION,
  settingValue,
  SettingValues,
} from '../common/settings';

export type Config = SettingValues;
export type AdapterMode = Config['adapterMode'];

/** Every setting (common/settings.ts), a wrong type or unknown value read as its default. */
export function readConfig(scope?: vscode.ConfigurationScope): Config {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[])
    out[name] = settingValue(name, c.get<unknown>(name)) ?? SETTING_DEFAULTS[name];
  return out as Config;
}

/** The first workspace folder's path, used to resolve relative paths in settings. */
export function firstFolderPath(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** A path setting made absolute (or undefined when unset). */
export function settingPath(value: string): string | undefined {
  return resolveUserPath(value, firstFolderPath());
}

/** Calls `listener` when any of our settings changes. */
export function onConfigChange(listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTINGS_SECTION)) listener(e);
  });
}
