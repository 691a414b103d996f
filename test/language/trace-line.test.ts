// The editor's trace-line recogniser (common/trace-line.ts) against the trace reader's own line
// parser (simulator/trace/lines.ts) on every shared real log, line by line, plus odd lines; and
// the sniffer that decides a document is a trace log.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { looksLikeQemuTrace, traceEventOnLine } from '../../common/trace-line';
import { LineKind, LineParser, ParsedLine } from '../../simulator/trace/lines';
import { eventLifetimes } from '../../simulator/catalog';
import { root } from '../extension/root';

const fixtures = join(root, 'test', 'fixtures', 'traces');
const logs = ['7.2', '10.0'].flatMap((v) =>
  readdirSync(join(fixtures, v))
    .filter((f) => /\.(log|txt)$/.test(f) && !f.endsWith('.cmd.txt')) // the command lines beside the logs are not traces
    .map((f) => join(fixtures, v, f)),
);
const known = (n: string) => eventLifetimes().has(n);

/** What each recogniser says of a line: the event name, or null. */
function both(line: string, bare: boolean): [string | null, string | null] {
  const parser = new LineParser(bare ? known : () => false);
  const out = new ParsedLine();
  const kind = parser.parse(line, 0, line.length, out);
  const reader = kind === LineKind.trace ? out.name : null;
  const span = traceEventOnLine(line, 0, line.length, bare ? known : undefined);
  return [reader, span ? line.slice(span.nameStart, span.nameEnd) : null];
}

test('on every line of the shared real logs, the editor finds the event the trace reader finds', () => {
  let events = 0;
  for (const file of logs) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      const [reader, editor] = both(line, false);
      assert.equal(editor, reader, `${file}:${i + 1}: ${line}`);
      if (editor) events++;
    }
  }
  assert.ok(events > 20_000, `${events} events`);
});

test('odd lines: both recognisers agree; bare lines need a known event name', () => {
  const odd = [
    '29603@1796410648.191252:virtio_queue_notify vdev 0x1 n 0 vq 0x2',
    '29603@1796410648.191252:virtio_queue_notify',
    '29603@1796410648.191252:virtio_queue_notify\r',
    '29603@1796410648.1912521234:virtio_queue_notify x', // ten fraction digits
    '29603@1796410648:virtio_queue_notify x',
    '29603@1796410648.191252:',
    '29603@1796410648.191252:virtio-queue x',
    '29603@1796410648.191252 virtio_queue_notify',
    '1796410648.191252 29603 [qemu-system-x86] T virtqueue_pop vq 0x1',
    '1796410648.191252 29603 T virtqueue_pop vq 0x1',
    '1796410648.191252 29603 [CPU 0/TCG] S write(3, "x", 1) = 1',
    '1796410648.191252 29603 [unterminated T virtqueue_pop',
    '29639 1796410648.191252 pwrite64(12, "", 4096, 0) = 4096',
    'virtio_queue_notify vdev 0x1 n 0 vq 0x2',
    'not_an_event at all',
    'qemu-system-x86_64: warning: something',
    '',
    '   ',
  ];
  for (const line of odd) {
    for (const bare of [false, true]) {
      const [reader, editor] = both(line, bare);
      assert.equal(editor, reader, `${JSON.stringify(line)} (bare ${bare})`);
    }
  }
  assert.equal(both('virtio_queue_notify vdev 0x1', true)[1], 'virtio_queue_notify');
  assert.equal(both('virtio_queue_notify vdev 0x1', false)[1], null);
});

test('the sniffer: every real log is a trace; prose quoting a few lines, the I/O path document and the notes are not', () => {
  for (const file of logs) assert.ok(looksLikeQemuTrace(readFileSync(file, 'utf8')), file);
  // mixed with QEMU's stderr: still a trace while a quarter of the lines are events
  const mixed = [
    'qemu: warning: x',
    'guest console line',
    'another',
    '1@1.5:virtqueue_pop vq 0x1',
    '1@1.6:virtqueue_pop vq 0x1',
  ];
  assert.ok(looksLikeQemuTrace(mixed.join('\n')));
  assert.ok(
    !looksLikeQemuTrace(['a', 'b', 'c', 'd', 'e', 'f', 'g', '1@1.5:virtqueue_pop', '1@1.6:virtqueue_pop'].join('\n')),
  );
  assert.ok(!looksLikeQemuTrace('1@1.5:virtqueue_pop vq 0x1\n'), 'one line is a quote');
  for (const f of ['docs/qemu-io-path.md', 'README.md', 'examples/notes.md'])
    assert.ok(!looksLikeQemuTrace(readFileSync(join(root, f), 'utf8')), f);
  assert.ok(!looksLikeQemuTrace(''));
});
