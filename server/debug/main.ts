// dist/debugAdapter.js: the debug adapter on stdio, or with --server=PORT a TCP server on
// 127.0.0.1 giving each connection its own session (for nvim-dap and other DAP clients).

import { createServer } from 'node:net';
import { QemuIoDebugSession } from './session';

// A bug that escapes a handler must not end every session of the process: say it on stderr (the
// client's log; the fuzzers count any stderr line as a failure) and keep serving.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (e: unknown) => {
    const err = e as Error;
    process.stderr.write(`qemu-io-explorer debug adapter: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.QEMU_IO_EXPLORER_DEBUG) process.stderr.write(`${err?.stack}\n`);
  });

const portArg = process.argv
  .slice(2)
  .map((a) => /^--server=(\d{1,5})$/.exec(a))
  .find((m) => m !== null);

if (portArg) {
  const port = Number(portArg[1]);
  const server = createServer((socket) => {
    // a response goes out in a few writes: without this, each step waits for a delayed ACK (~40 ms)
    socket.setNoDelay(true);
    const session = new QemuIoDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  server.on('error', (e) => {
    process.stderr.write(`qemu-io-explorer debug adapter: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
    process.exit(2);
  });
  server.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    process.stderr.write(
      `qemu-io-explorer debug adapter listening on 127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`,
    );
  });
} else {
  const session = new QemuIoDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}
