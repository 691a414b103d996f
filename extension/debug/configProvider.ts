// The `qemu-io` debug configuration provider: F5 without a launch.json starts the default scenario;
// unset fields come from the settings; paths become absolute. The dynamic provider lists the
// ready-made scenarios in Run and Debug's "select and start" picker; there the trace sessions ask
// for the log in a file dialog instead of expecting `qemu-trace.log` in the folder.

import * as vscode from 'vscode';
import { readConfig } from '../config';
import { DEBUG_TYPE } from '../../common/ids';
import { launchConfiguration, SCENARIOS } from '../scenarios';
import { pickTraceFile } from '../traceLogs';
import { completeConfiguration, withDefaults } from './launchDefaults';

/** Marks a dynamic configuration whose trace log is picked when it starts (never reaches the adapter). */
const PICK_TRACE = '__qemuIoPickTraceFile';

export class QemuIoConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config[PICK_TRACE]) {
      const traceFile = await pickTraceFile();
      if (!traceFile) return undefined; // cancelled: no session
      const { [PICK_TRACE]: _, ...rest } = config;
      config = { ...rest, traceFile } as vscode.DebugConfiguration;
    }
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
    return SCENARIOS.map((s) => {
      const c = launchConfiguration(s) as vscode.DebugConfiguration;
      if (c.traceFile === undefined) return c;
      const { traceFile: _, ...rest } = c;
      return { ...rest, name: `${s.label}…`, [PICK_TRACE]: true };
    });
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
