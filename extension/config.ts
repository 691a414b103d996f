// The extension's settings (`qemuIoExplorer.*`), read in one place.

import * as vscode from 'vscode';
import type { ExplorerSettings } from './debug/launchDefaults';
import { resolveUserPath } from './debug/launchDefaults';
import { SETTINGS, SETTINGS_SECTION } from './ids';

export type AdapterMode = 'inline' | 'external';

export interface Config extends ExplorerSettings {
  readonly adapterMode: AdapterMode;
  readonly traceDapTraffic: boolean;
}

export function readConfig(scope?: vscode.ConfigurationScope): Config {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return {
    qemuSource: c.get<string>(SETTINGS.qemuSource, '') ?? '',
    document: c.get<string>(SETTINGS.document, '') ?? '',
    trace: c.get<boolean>(SETTINGS.trace, false) ?? false,
    adapterMode: c.get<string>(SETTINGS.adapterMode, 'inline') === 'external' ? 'external' : 'inline',
    traceDapTraffic: c.get<boolean>(SETTINGS.traceDapTraffic, false) ?? false,
  };
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
