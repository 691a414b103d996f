// Hover says where QEMU changed a function or trace event after 4.1.0: a "Since X.Y" / "In 10.0"
// line per dated change of the catalogs, over real LSP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol';
import { ensureBuilt, positionOf, startServer, type Session } from './lspClient';

let s: Session | undefined;
const server = async (): Promise<Session> => (s ??= (ensureBuilt(), await startServer()));
after(() => s?.close());

async function hoverText(text: string, needle: string): Promise<string> {
  const uri = `file:///notes/${needle}.md`;
  const lsp = await server();
  lsp.open(uri, 'markdown', text);
  const h = await lsp.conn.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: positionOf(text, needle, 2),
  });
  assert.ok(h, needle);
  return (h.contents as MarkupContent).value;
}

test('a function renamed in 7.0, one 10.0 changed, one unchanged', async () => {
  const renamed = await hoverText(
    'the kick lands in virtio_queue_host_notifier_aio_read\n',
    'virtio_queue_host_notifier_aio_read',
  );
  assert.match(renamed, /\*\*Since 7\.0:\*\* renamed `virtio_queue_host_notifier_read`: /);
  const prw = await hoverText('then raw_co_prw\n', 'raw_co_prw');
  assert.match(prw, /\*\*Since 5\.0:\*\* aio=io\\?_uring/);
  assert.match(prw, /\*\*In 10\.0:\*\* FUA support in file-posix/);
  // one line each, in release order
  const labels = [...prw.matchAll(/\*\*(Since|In) (\d+\.\d+):\*\*/g)].map((m) => Number(m[2]));
  assert.deepEqual(
    labels,
    [...labels].sort((a, b) => a - b),
  );
  const same = await hoverText('virtio_blk_handle_request parses it\n', 'virtio_blk_handle_request');
  assert.doesNotMatch(same, /\*\*(Since|In) \d/);
});

test('a trace event renamed in 6.0', async () => {
  const v = await hoverText('the event bdrv_co_pwritev fires twice\n', 'bdrv_co_pwritev');
  assert.match(v, /\*\*Since 6\.0:\*\* trace event `bdrv_co_pwritev` renamed `bdrv_co_pwritev_part`/);
});
