// Every identifier the extension shares with its manifest (package.json), the language server
// (its code lens commands) and end-to-end tests: view, command, context-key and output-channel
// names. The settings are typed in settings.ts.

export const DEBUG_TYPE = 'qemu-io';
export const OUTPUT_CHANNEL = 'QEMU I/O Explorer';

/** The "QEMU I/O Path" tree in the Run and Debug container. */
export const VIEW_ID = 'qemuIoExplorer.stages';

export const COMMANDS = {
  openDocument: 'qemuIoExplorer.openDocument',
  showTree: 'qemuIoExplorer.showTree',
  startFirstSession: 'qemuIoExplorer.startFirstSession',
  startScenario: 'qemuIoExplorer.startScenario',
  toggleFunctionBreakpoint: 'qemuIoExplorer.toggleFunctionBreakpoint',
  addFunctionBreakpoint: 'qemuIoExplorer.addFunctionBreakpoint',
  removeFunctionBreakpoint: 'qemuIoExplorer.removeFunctionBreakpoint',
  revealInTree: 'qemuIoExplorer.revealInTree',
  showOutput: 'qemuIoExplorer.showOutput',
  treeRefresh: 'qemuIoExplorer.tree.refresh',
  treeShowNamedOnly: 'qemuIoExplorer.tree.showNamedOnly',
  treeShowAll: 'qemuIoExplorer.tree.showAll',
  treeOpenOccurrence: 'qemuIoExplorer.tree.openOccurrence',
  openTimeline: 'qemuIoExplorer.openTimeline',
  openTrace: 'qemuIoExplorer.openTrace',
  replayFromLine: 'qemuIoExplorer.replayFromLine',
} as const;

/** The "QEMU I/O Timeline" webview panel's view type. */
export const TIMELINE_PANEL = 'qemuIoExplorer.timeline';

/** Context keys the manifest's `when` clauses read. */
export const CONTEXT = {
  /** True when the tree lists only the functions the active document names. */
  namedOnly: 'qemuIoExplorer.namedOnly',
} as const;

/** Tree item context values (`viewItem == …` in the manifest's menus). */
export const TREE_ITEM = {
  group: 'group',
  function: 'function',
  functionWithBreakpoint: 'function-breakpoint',
  occurrence: 'occurrence',
} as const;

/** The custom DAP event the adapter sends on every stop. */
export const STAGE_EVENT = 'qemuIo/stage';

/** The language of QEMU trace logs (`-trace … -D file`), contributed by the extension. */
export const QEMU_TRACE_LANGUAGE = 'qemu-trace';

/** Languages the language server serves and breakpoints may be set in. */
export const DOCUMENT_LANGUAGES = ['markdown', 'plaintext', 'c', QEMU_TRACE_LANGUAGE] as const;
