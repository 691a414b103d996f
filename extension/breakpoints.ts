// Function breakpoints on QEMU functions (stages), as VS Code's own FunctionBreakpoint objects: they
// show in the BREAKPOINTS view and reach every qemu-io session as setFunctionBreakpoints.

import * as vscode from 'vscode';

export function functionBreakpoints(name: string): vscode.FunctionBreakpoint[] {
  return vscode.debug.breakpoints.filter(
    (b): b is vscode.FunctionBreakpoint => b instanceof vscode.FunctionBreakpoint && b.functionName === name,
  );
}

export function hasFunctionBreakpoint(name: string): boolean {
  return functionBreakpoints(name).length > 0;
}

/** Names that have a function breakpoint. */
export function functionBreakpointNames(): Set<string> {
  const out = new Set<string>();
  for (const b of vscode.debug.breakpoints) if (b instanceof vscode.FunctionBreakpoint) out.add(b.functionName);
  return out;
}

export function addFunctionBreakpoint(name: string): void {
  if (!hasFunctionBreakpoint(name)) vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint(name)]);
}

export function removeFunctionBreakpoint(name: string): void {
  const existing = functionBreakpoints(name);
  if (existing.length) vscode.debug.removeBreakpoints(existing);
}

/** Adds the breakpoint, or removes it when there is one; returns whether one is set now. */
export function toggleFunctionBreakpoint(name: string): boolean {
  const existing = functionBreakpoints(name);
  if (existing.length) {
    vscode.debug.removeBreakpoints(existing);
    return false;
  }
  vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint(name)]);
  return true;
}
