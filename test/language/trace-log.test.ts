// Trace logs in the language server, over real LSP: a real QEMU 10.0 and 7.2 log (whatever the
// client calls its language), hover on event names read as the detected version and naming the
// event in the other versions, "Replay from this line" lenses, no links; the same text as Markdown
// is not a log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodeLensRequest,
  DocumentLinkRequest,
  HoverRequest,
  type CodeLens,
  type Hover,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { COMMANDS, QEMU_TRACE_LANGUAGE } from '../../common/ids';
import { positionOf, ROOT, serverForTests } from './lspClient';

const fixture = (v: string, f: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'traces', v, f), 'utf8');
const log10 = fixture('10.0', 'threads.10.0.log');
const log72 = fixture('7.2', 'threads.log');

const server = serverForTests();

async function hover(uri: string, text: string, needle: string, delta = 0): Promise<string | undefined> {
  const h = (await server().conn.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: positionOf(text, needle, delta),
  })) as Hover | null;
  return h ? (h.contents as MarkupContent).value : undefined;
}
const lenses = async (uri: string) =>
  (await server().conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
const links = async (uri: string) => server().conn.sendRequest(DocumentLinkRequest.type, { textDocument: { uri } });

test('a 10.0 log as plain text: hover reads it as QEMU 10.0 and names the event in 4.1.0 and 7.2', async () => {
  const uri = 'file:///logs/threads.10.0.log';
  server().open(uri, 'plaintext', log10);
  const v = (await hover(uri, log10, ':thread_pool_submit_aio', 5))!;
  assert.ok(v, 'a hover');
  assert.match(v, /^\*\*`thread_pool_submit_aio`\*\* — QEMU trace event \(`util\/trace-events`\) · QEMU 10\.0/);
  assert.match(v, /`thread_pool_submit_aio\(void \*pool, void \*req, void \*opaque\)`/);
  assert.match(v, /\*\*In other versions:\*\* QEMU 4\.1\.0, 7\.2: `thread_pool_submit`/);
  assert.match(v, /renamed from `thread_pool_submit`/);
  assert.match(v, /\*\*This log:\*\* read as QEMU 10\.0 — the events fit QEMU 10\.0 or newer/);
  // an event with one name everywhere says so; the hover's range is the event name
  const notify = (await hover(uri, log10, ':virtio_queue_notify', 3))!;
  assert.match(notify, /QEMU 4\.1\.0, 7\.2: the same name/);
  // arguments and the prefix are not event names
  assert.equal(await hover(uri, log10, 'vdev 0x', 2), undefined);
  assert.equal(await hover(uri, log10, '29603@', 2), undefined);
});

test('a 7.2 log (language id `log`): the same event is thread_pool_submit, renamed in 10.0', async () => {
  const uri = 'file:///logs/threads.log';
  server().open(uri, 'log', log72);
  const v = (await hover(uri, log72, ':thread_pool_submit ', 5))!;
  assert.match(v, /^\*\*`thread_pool_submit`\*\* — QEMU trace event .* · QEMU 7\.2/);
  assert.match(v, /QEMU 10\.0: `thread_pool_submit_aio`/);
  assert.match(v, /until 10\.0, which renamed it `thread_pool_submit_aio`/);
  assert.match(v, /read as QEMU 7\.2/);
});

test('"Replay from this line" lenses on each kick of the guest, nothing else; no document links in a log', async () => {
  const uri = 'file:///logs/lenses.10.0.log';
  server().open(uri, 'plaintext', log10);
  const ls = await lenses(uri);
  const lines = log10.split('\n');
  const kicks = lines.flatMap((l, i) => (l.includes(':virtio_queue_notify ') ? [i] : []));
  assert.equal(kicks.length, 245);
  assert.deepEqual(
    ls.map((l) => l.range.start.line),
    kicks,
  );
  for (const l of ls) {
    assert.equal(l.command!.command, COMMANDS.replayFromLine);
    assert.deepEqual(l.command!.arguments, [uri, l.range.start.line]);
    assert.equal(
      lines[l.range.start.line].slice(l.range.start.character, l.range.end.character),
      'virtio_queue_notify',
    );
  }
  assert.deepEqual(await links(uri), []);
});

test('the language id decides first: a log opened as Markdown is prose; `qemu-trace` needs no timestamps', async () => {
  const md = 'file:///logs/quoted.md';
  server().open(md, 'markdown', log72);
  assert.equal((await lenses(md)).filter((l) => l.command!.command === COMMANDS.replayFromLine).length, 0);
  assert.ok(((await links(md)) as unknown[]).length > 0, 'prose gets links');

  const bare =
    'virtio_queue_notify vdev 0x1 n 0 vq 0x2\nvirtqueue_pop vq 0x2 elem 0x3 in_num 1 out_num 2\nluring_unplug_fn s 0x4\n';
  const uri = 'file:///logs/bare.trace';
  server().open(uri, QEMU_TRACE_LANGUAGE, bare);
  assert.deepEqual(
    (await lenses(uri)).map((l) => l.range.start.line),
    [0],
  );
  // luring_unplug_fn exists from 8.1 only: the log is read as 10.0
  assert.match((await hover(uri, bare, 'virtqueue_pop', 2))!, /read as QEMU 10\.0/);
  // a name no release declares, on an event line, is said to be unknown
  const odd = '1@1.000001:virtqueue_pop vq 0x1\n1@1.000002:my_own_event x 1\n';
  server().open('file:///logs/odd.log', QEMU_TRACE_LANGUAGE, odd);
  assert.match(
    (await hover('file:///logs/odd.log', odd, 'my_own_event', 2))!,
    /not a trace event of the virtio-blk path/,
  );
});

test('in any document, an event of a later release gets the version-aware hover', async () => {
  const uri = 'file:///notes/io_uring.md';
  const text = 'After 8.1, luring_unplug_fn fires from the deferred callback.\n';
  server().open(uri, 'markdown', text);
  const v = (await hover(uri, text, 'luring_unplug_fn', 3))!;
  assert.match(v, /QEMU trace event \(`block\/trace-events`\) · QEMU 10\.0/);
  assert.match(v, /QEMU 4\.1\.0: not declared · QEMU 7\.2: `luring_io_unplug` \(a different event in its place\)/);
  assert.doesNotMatch(v, /This log/);
});
