// Entry point of dist/languageServer.js. Transport: `--stdio` (also the default when no transport
// argument is given), `--node-ipc` (when started by vscode-languageclient with TransportKind.ipc),
// or `--socket=<port>` / `--pipe=<name>` (also as two arguments). The transport is chosen here,
// not by vscode-languageserver, so every message passes params.ts's check on its way in.

import {
  createConnection,
  createServerPipeTransport,
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { format } from 'node:util';
import { checkedReader } from './params';
import { startServer } from './server';

function transport(argv: string[]): [MessageReader, MessageWriter] {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[i + 1];
    if (flag === '--node-ipc') return [new IPCMessageReader(process), new IPCMessageWriter(process)];
    if (flag === '--socket') return createServerSocketTransport(Number(value));
    if (flag === '--pipe') return createServerPipeTransport(value);
    if (flag === '--stdio') break;
  }
  // stdio: the client closing our input ends the server, as vscode-languageserver does for
  // streams; stdout carries the protocol, so stray console output goes to stderr
  process.stdin.on('close', () => process.exit(0));
  for (const k of ['log', 'info', 'debug'] as const)
    console[k] = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);
  return [new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)];
}

const [reader, writer] = transport(process.argv.slice(2));
startServer(createConnection(checkedReader(reader), writer), { bundleDir: __dirname });
