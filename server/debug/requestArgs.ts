// The arguments each DAP request may carry, as far as this adapter reads them (types as the DAP
// specification gives them), checked before any handler runs: a wrong argument gets a one-line
// error naming it instead of a TypeError deep in a handler. Requests this adapter does not
// implement are refused by name rather than answered with an empty success.

import { TIMELINE_REQUESTS } from '../../common/timeline';
import { checkFields, Fields, isObject, typeName } from '../shapes';

const THREAD: Fields = { threadId: 'integer', singleThread: 'boolean?', granularity: 'string?' };
const SOURCE_BREAKPOINT: Fields = {
  line: 'integer',
  column: 'integer?',
  condition: 'string?',
  hitCondition: 'string?',
  logMessage: 'string?',
};
const FUNCTION_BREAKPOINT: Fields = { name: 'string', condition: 'string?', hitCondition: 'string?' };

/** Requests handled here and their arguments; `null`: arguments are checked by the handler (launch). */
export const REQUEST_ARGS: Record<string, Fields | null> = {
  initialize: {
    adapterID: 'string?',
    clientID: 'string?',
    linesStartAt1: 'boolean?',
    columnsStartAt1: 'boolean?',
    pathFormat: 'string?',
  },
  launch: null,
  attach: null,
  configurationDone: {},
  disconnect: { restart: 'boolean?', terminateDebuggee: 'boolean?', suspendDebuggee: 'boolean?' },
  terminate: { restart: 'boolean?' },
  restart: { arguments: 'object?' },
  cancel: { requestId: 'integer?', progressId: 'string?' },
  setBreakpoints: {
    source: { path: 'string?', name: 'string?', sourceReference: 'integer?' },
    breakpoints: { list: SOURCE_BREAKPOINT, optional: true },
    lines: 'integer[]?',
    sourceModified: 'boolean?',
  },
  setFunctionBreakpoints: { breakpoints: { list: FUNCTION_BREAKPOINT } },
  setExceptionBreakpoints: { filters: 'string[]', filterOptions: 'object[]?', exceptionOptions: 'object[]?' },
  exceptionInfo: { threadId: 'integer' },
  continue: THREAD,
  next: THREAD,
  stepIn: { ...THREAD, targetId: 'integer?' },
  stepOut: THREAD,
  stepBack: THREAD,
  reverseContinue: THREAD,
  gotoTargets: {
    source: { path: 'string?', name: 'string?', sourceReference: 'integer?' },
    line: 'integer',
    column: 'integer?',
  },
  goto: { threadId: 'integer', targetId: 'integer' },
  pause: { threadId: 'integer' },
  threads: {},
  stackTrace: { threadId: 'integer', startFrame: 'integer?', levels: 'integer?', format: 'object?' },
  scopes: { frameId: 'integer' },
  variables: {
    variablesReference: 'integer',
    filter: 'string?',
    start: 'integer?',
    count: 'integer?',
    format: 'object?',
  },
  evaluate: { expression: 'string', frameId: 'integer?', context: 'string?', format: 'object?' },
  source: { source: 'object?', sourceReference: 'integer' },
  // the timeline's custom requests check their own arguments (server/debug/timeline.ts)
  [TIMELINE_REQUESTS.timeline]: null,
  [TIMELINE_REQUESTS.goTo]: null,
  [TIMELINE_REQUESTS.export]: null,
};

/** What the requests DAP defines but this adapter does not implement are refused with. */
export const UNSUPPORTED: Record<string, string> = {
  setVariable: 'variables cannot be changed: they show the simulation, which only runs forward or back',
  setExpression: 'expressions cannot be assigned: the simulation only runs forward or back',
  restartFrame: 'restartFrame is not supported (step back instead)',
  stepInTargets: 'stepInTargets is not supported',
  completions: 'completions are not supported',
  loadedSources: 'loadedSources is not supported',
  terminateThreads: 'threads cannot be terminated one by one',
  dataBreakpointInfo: 'data breakpoints are not supported',
  setDataBreakpoints: 'data breakpoints are not supported',
  setInstructionBreakpoints: 'instruction breakpoints are not supported',
  breakpointLocations: 'breakpointLocations is not supported',
  readMemory: 'there is no memory to read: the simulation models the I/O path, not guest memory',
  writeMemory: 'there is no memory to write: the simulation models the I/O path, not guest memory',
  disassemble: 'there is no code to disassemble: the simulation models the I/O path, not instructions',
  modules: 'modules are not supported',
  runInTerminal: 'runInTerminal is a reverse request, sent by adapters to clients',
};

/**
 * What is wrong with a request's arguments, as one line naming the argument, or null. Requests
 * not in the table (unknown or unsupported) are the caller's business.
 */
export function checkRequestArgs(command: string, args: unknown): string | null {
  const fields = REQUEST_ARGS[command];
  if (fields === undefined) return null;
  if (args !== undefined && args !== null && !isObject(args))
    return `${command}: arguments must be an object, not ${typeName(args)}`;
  if (fields === null) return null;
  const problem = checkFields('', fields, (args ?? {}) as Record<string, unknown>);
  return problem ? `${command}: ${problem}` : null;
}
