// Entry point of dist/languageServer.js. Transport: `--stdio` (also the default when no transport
// argument is given), `--node-ipc` (when started by vscode-languageclient with TransportKind.ipc),
// or `--socket=<port>` / `--pipe=<name>`, all handled by vscode-languageserver.

import { createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';

const TRANSPORT = /^--(stdio|node-ipc|socket|pipe)(=|$)/;
const explicit = process.argv.slice(2).some((a) => TRANSPORT.test(a));
const connection = explicit ? createConnection() : createConnection(process.stdin, process.stdout);
startServer(connection, { bundleDir: __dirname });
