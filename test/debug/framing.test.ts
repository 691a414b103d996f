// Broken frames on the wire, in stdio and --server modes: the adapter reports each one, picks up
// again at the next Content-Length header, and keeps answering. (@vscode/debugadapter's reader
// exited on a body that is not JSON and lost sync for good on `Content-Length: abc`.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdapterServer, startServer, Wire } from '../helpers/dapWire';

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const threads = JSON.stringify({ seq: 90, type: 'request', command: 'threads' });

const BAD_FRAMES: [string, string][] = [
  ['a body shorter than its Content-Length', `Content-Length: 200\r\n\r\n${threads}`],
  ['a body that is not JSON', frame('{"seq": 1, "type": "request", "command": "thr')],
  ['a body that is null', frame('null')],
  ['a body that is a number', frame('42')],
  ['a request without a seq', frame('{"type":"request","command":"threads"}')],
  ['Content-Length: abc', `Content-Length: abc\r\n\r\n${threads}`],
  ['Content-Length: -5', `Content-Length: -5\r\n\r\n${threads}`],
  ['a header without Content-Length', `Content-Type: application/json\r\n\r\n${threads}`],
  ['bytes outside any frame', 'hello adapter\r\n'],
  ['a Content-Length over the limit', `Content-Length: 999999999999\r\n\r\n${threads}`],
];

for (const mode of ['stdio', 'server'] as const) {
  describe(`broken frames over ${mode}`, () => {
    let server: AdapterServer | null = null;
    let w: Wire;
    before(async () => {
      if (mode === 'server') server = await startServer();
      w = mode === 'server' ? await Wire.tcp(server!.port) : Wire.stdio();
      assert.equal((await w.request('initialize', { adapterID: 'qemu-io' })).success, true);
    });
    after(async () => {
      await w.close();
      server?.proc.kill();
    });

    for (const [what, bytes] of BAD_FRAMES) {
      test(`${what}: reported, and the next request is answered`, async () => {
        const from = w.messages.length;
        w.raw(bytes);
        const r = await w.request('threads', undefined, 3000);
        assert.equal(r.success, true);
        const notes = w.messages.slice(from).filter((m) => m.event === 'output');
        assert.ok(
          notes.some((m) => /ignored/.test(String(m.body!.output))),
          `the bad frame is reported: ${JSON.stringify(notes)}`,
        );
        assert.equal(w.exit, null, 'still connected');
      });
    }

    test('a frame split into single bytes is read whole', async () => {
      const body = JSON.stringify({ seq: 7, type: 'request', command: 'threads' });
      const bytes = frame(body);
      const answered = w.wait((m) => m.type === 'response' && m.request_seq === 7, 3000);
      for (const ch of bytes) w.raw(ch);
      assert.equal((await answered).success, true);
    });

    if (mode === 'server')
      test('the server still accepts new sessions', async () => {
        const w2 = await Wire.tcp(server!.port);
        try {
          assert.equal((await w2.request('initialize', { adapterID: 'qemu-io' }, 3000)).success, true);
        } finally {
          await w2.close();
        }
      });
  });
}
