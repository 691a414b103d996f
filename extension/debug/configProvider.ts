// The `qemu-io` debug configuration provider: F5 without a launch.json starts the default scenario;
// unset fields come from the settings; paths become absolute. The dynamic provider lists the
// ready-made scenarios in Run and Debug's "select and start" picker.

import * as vscode from 'vscode';
import { readConfig } from '../config';
import { DEBUG_TYPE } from '../../common/ids';
import { launchConfiguration, SCENARIOS } from '../scenarios';
import { completeConfiguration, withDefaults } from './launchDefaults';

export class QemuIoConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration {
    return withDefaults(config) as vscode.DebugConfiguration;
  }

  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration {
    const workspaceFolder = (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
    return completeConfiguration(config, {
      settings: readConfig(folder?.uri),
      workspaceFolder,
    }) as vscode.DebugConfiguration;
  }
}

export class QemuIoDynamicConfigurations implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return SCENARIOS.map((s) => launchConfiguration(s) as vscode.DebugConfiguration);
  }
}

export function registerConfigurationProviders(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new QemuIoConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new QemuIoDynamicConfigurations(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  );
}
