// The arguments each DAP request may carry, as far as this adapter reads them (types as the DAP
// specification gives them), checked before any handler runs: a wrong argument gets a one-line
// error naming it instead of a TypeError deep in a handler. Requests this adapter does not
// implement are refused by name rather than answered with an empty success.

/** `?` marks an optional field; `[]` a list of that shape. */
type Type = 'string' | 'integer' | 'boolean' | 'object' | 'any';
type Shape = `${Type}` | `${Type}?` | `${Type}[]` | `${Type}[]?` | Fields | { list: Fields; optional?: true };
interface Fields {
  [name: string]: Shape;
}

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
};

/** What the requests DAP defines but this adapter does not implement are refused with. */
export const UNSUPPORTED: Record<string, string> = {
  attach: 'attach is not supported: a qemu-io session launches its own simulation (use "request": "launch")',
  source: 'there is no source to fetch by reference: every frame points at a file on disk',
  setVariable: 'variables cannot be changed: they show the simulation, which only runs forward or back',
  setExpression: 'expressions cannot be assigned: the simulation only runs forward or back',
  restartFrame: 'restartFrame is not supported (step back instead)',
  goto: 'goto is not supported (step back or reverse-continue instead)',
  gotoTargets: 'gotoTargets is not supported',
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

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const WANT: Record<Type, string> = {
  string: 'a string',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  any: 'a value',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkType(path: string, t: Type, v: unknown): string | null {
  const ok =
    t === 'any' ||
    (t === 'string' && typeof v === 'string') ||
    (t === 'integer' && Number.isSafeInteger(v)) ||
    (t === 'boolean' && typeof v === 'boolean') ||
    (t === 'object' && isObject(v));
  return ok ? null : `"${path}" must be ${WANT[t]}, not ${typeName(v)}`;
}

function checkFields(prefix: string, fields: Fields, obj: Record<string, unknown>): string | null {
  for (const [name, shape] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const v = Object.hasOwn(obj, name) ? obj[name] : undefined;
    const problem = checkShape(path, shape, v);
    if (problem) return problem;
  }
  return null;
}

function checkShape(path: string, shape: Shape, v: unknown): string | null {
  if (typeof shape === 'string') {
    const optional = shape.endsWith('?');
    const base = optional ? shape.slice(0, -1) : shape;
    if (v === undefined) return optional ? null : `"${path}" is missing`;
    if (!base.endsWith('[]')) return checkType(path, base as Type, v);
    if (!Array.isArray(v)) return `"${path}" must be a list, not ${typeName(v)}`;
    for (let i = 0; i < v.length; i++) {
      const p = checkType(`${path}[${i}]`, base.slice(0, -2) as Type, v[i]);
      if (p) return p;
    }
    return null;
  }
  if ('list' in shape && typeof shape.list === 'object' && !Array.isArray(shape.list)) {
    const s = shape as { list: Fields; optional?: true };
    if (v === undefined) return s.optional ? null : `"${path}" is missing`;
    if (!Array.isArray(v)) return `"${path}" must be a list, not ${typeName(v)}`;
    for (let i = 0; i < v.length; i++) {
      if (!isObject(v[i])) return `"${path}[${i}]" must be an object, not ${typeName(v[i])}`;
      const p = checkFields(`${path}[${i}]`, s.list, v[i] as Record<string, unknown>);
      if (p) return p;
    }
    return null;
  }
  if (v === undefined) return `"${path}" is missing`;
  if (!isObject(v)) return `"${path}" must be an object, not ${typeName(v)}`;
  return checkFields(path, shape as Fields, v);
}

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
