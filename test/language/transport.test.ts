// Transports and client capabilities: --node-ipc, stdio without a flag, plain-text-only hover
// clients and LocationLink definitions.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  DefinitionRequest,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  type Hover,
  type LocationLink,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { DOC_URI, SERVER, ensureBuilt, startServer } from './lspClient';

before(() => ensureBuilt());

async function roundTrip(conn: MessageConnection): Promise<string> {
  await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification(InitializedNotification.type, {});
  await conn.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri: 'file:///t/ipc.c', languageId: 'c', version: 1, text: 'aio_co_wake(co);' },
  });
  const h = (await conn.sendRequest(HoverRequest.type, {
    textDocument: { uri: 'file:///t/ipc.c' },
    position: { line: 0, character: 2 },
  })) as Hover;
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  return (h.contents as MarkupContent).value;
}

test('--node-ipc transport', async () => {
  const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  const exited = new Promise((r) => child.once('exit', r));
  assert.match(await roundTrip(conn), /\*\*`aio_co_wake`\*\*/);
  await exited;
  conn.dispose();
});

test('stdio is the default when no transport flag is given', async () => {
  const child = spawn(process.execPath, [SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.listen();
  const exited = new Promise((r) => child.once('exit', r));
  assert.match(await roundTrip(conn), /\*\*`aio_co_wake`\*\*/);
  assert.equal(await exited, 0);
  conn.dispose();
});

test('plain-text-only hover clients get plain text; linkSupport clients get LocationLinks', async () => {
  const s = await startServer({
    capabilities: { textDocument: { hover: { contentFormat: ['plaintext'] }, definition: { linkSupport: true } } },
  });
  try {
    s.open('file:///t/p.txt', 'plaintext', 'see aio_co_wake here');
    const h = (await s.conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///t/p.txt' },
      position: { line: 0, character: 6 },
    })) as Hover;
    const c = h.contents as MarkupContent;
    assert.equal(c.kind, 'plaintext');
    assert.ok(c.value.startsWith('aio_co_wake'), c.value);
    assert.ok(!/\]\(|\*\*|`/.test(c.value), c.value);
    const d = (await s.conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: 'file:///t/p.txt' },
      position: { line: 0, character: 6 },
    })) as LocationLink[];
    assert.equal(d.length, 1);
    assert.equal(d[0].targetUri, DOC_URI);
    assert.deepEqual(d[0].originSelectionRange, { start: { line: 0, character: 4 }, end: { line: 0, character: 15 } });
  } finally {
    await s.close();
  }
});
