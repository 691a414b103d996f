// The params of each LSP message this server handles, as far as it (and vscode-languageserver,
// which reads some before any handler: workDoneToken, the client's capabilities, document sync)
// reads them, checked as messages arrive (checkedReader): a request with wrong params is
// answered InvalidParams naming the field, a notification with wrong params is ignored with a
// logged warning naming it — never a TypeError in a handler or in the library.

import type { Message, MessageReader } from 'vscode-jsonrpc';
import { checkFields, Fields, isObject, typeName } from '../shapes';

const POSITION: Fields = { line: 'uinteger', character: 'uinteger' };
const RANGE: Fields = { start: POSITION, end: POSITION };
const DOCUMENT: Fields = { textDocument: { uri: 'string' } };

export const PARAMS: Record<string, Fields> = {
  initialize: {
    processId: 'integer|null?',
    capabilities: 'object',
    initializationOptions: 'any?',
    rootUri: 'string|null?',
    rootPath: 'string|null?',
  },
  'textDocument/didOpen': { textDocument: { uri: 'string', languageId: 'string', version: 'integer', text: 'string' } },
  'textDocument/didChange': {
    textDocument: { uri: 'string', version: 'integer' },
    contentChanges: { list: { text: 'string', range: 'object?', rangeLength: 'uinteger?' } },
  },
  'textDocument/didClose': DOCUMENT,
  'textDocument/didSave': DOCUMENT,
  'textDocument/willSave': DOCUMENT,
  'textDocument/willSaveWaitUntil': DOCUMENT,
  'textDocument/hover': { ...DOCUMENT, position: POSITION },
  'textDocument/definition': { ...DOCUMENT, position: POSITION },
  'textDocument/codeLens': DOCUMENT,
  'textDocument/documentLink': DOCUMENT,
  'workspace/didChangeConfiguration': { settings: 'any?' },
  // handled by vscode-languageserver / vscode-jsonrpc themselves
  '$/setTrace': { value: 'string' },
  '$/cancelRequest': { id: 'integer|string' },
  'window/workDoneProgress/cancel': { token: 'integer|string' },
  'workspace/didChangeWatchedFiles': { changes: { list: { uri: 'string', type: 'integer' } } },
};

/** What is wrong with a message's params, as one line naming the field; or null. */
export function checkParams(method: string, params: unknown): string | null {
  const fields = PARAMS[method];
  if (!fields) return null;
  if (params === undefined) return `${method}: params are missing`;
  if (!isObject(params)) return `${method}: params must be an object, not ${typeName(params)}`;
  let problem = checkFields('', fields, params);
  // a change without a range replaces the whole text; one with a range needs a whole range
  if (!problem && method === 'textDocument/didChange')
    (params.contentChanges as { range?: Record<string, unknown> }[]).forEach((c, i) => {
      if (!problem && c.range !== undefined) problem = checkFields(`contentChanges[${i}].range`, RANGE, c.range);
    });
  return problem ? `${method}: ${problem}` : null;
}

/** Where a message whose params did not fit goes instead (server.ts answers or logs it). */
export const INVALID_REQUEST = '$/qemuIoExplorer/invalidParams';
export const INVALID_NOTIFICATION = '$/qemuIoExplorer/ignoredNotification';
export interface Invalid {
  problem: string;
}

/** `inner`, with each request and notification whose params do not fit turned into an Invalid one. */
export function checkedReader(inner: MessageReader): MessageReader {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    dispose: () => inner.dispose(),
    listen: (callback) =>
      inner.listen((msg: Message) => {
        const m = msg as { method?: unknown; params?: unknown; id?: unknown };
        const problem = typeof m.method === 'string' ? checkParams(m.method, m.params) : null;
        if (!problem) return callback(msg);
        const params: Invalid = { problem };
        callback({ ...msg, method: m.id === undefined ? INVALID_NOTIFICATION : INVALID_REQUEST, params } as Message);
      }),
  };
}
