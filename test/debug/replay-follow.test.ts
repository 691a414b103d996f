// Following a QEMU trace log while it is written (attach): lines appended while the session
// runs appear as events, a breakpoint stops the view while reading goes on (the Debug Console
// says how many events wait), continue catches up, pause stops at the front, and a log
// truncated or rotated under the session is followed on with a note. Also the I/O error filter
// on a failed completion in a replayed log.

import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { launch, open, resume, Session } from '../helpers/dap';
import { consoleText, eventScope, linesMatching, scopesOf, TRACES } from '../helpers/replay';

const dir = mkdtempSync(join(tmpdir(), 'replay-follow-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = join(TRACES, '7.2/threads.log');
const LINES = readFileSync(SOURCE, 'latin1').split('\n').filter(Boolean);
const chunk = (from: number, to: number): string => LINES.slice(from, to).join('\n') + '\n';

/** Poll until `ok()` (the session's messages arrive asynchronously). */
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function attach(s: Session, file: string, bps: DebugProtocol.FunctionBreakpoint[]): Promise<void> {
  await s.dc.initializeRequest({
    adapterID: 'qemu-io',
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: 'path',
  });
  const attached = s.dc.attachRequest({
    type: 'qemu-io',
    request: 'attach',
    name: 'follow',
    traceFile: file,
    qemuVersion: '7.2',
  } as DebugProtocol.AttachRequestArguments);
  await s.dc.waitForEvent('initialized');
  await s.dc.setFunctionBreakpointsRequest({ breakpoints: bps });
  await s.dc.configurationDoneRequest();
  await attached;
}

const stops = (s: Session) => s.events('stopped') as DebugProtocol.StoppedEvent[];

test('follow: appended lines are read while the session runs; a breakpoint stops the view, reading goes on, continue catches up, pause', async () => {
  const file = join(dir, 'live.log');
  writeFileSync(file, chunk(0, 10));
  const reads = linesMatching(SOURCE, /virtio_blk_handle_read /);
  assert.ok(reads[0] > 10 && reads[1] < 300);
  const s = await open();
  try {
    await attach(s, file, [{ name: 'virtio_blk_handle_read' }]);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(stops(s).length, 0, 'nothing to stop at yet: the session waits for QEMU');
    const threads = (await s.dc.threadsRequest()).body.threads.map((t) => t.name);
    assert.ok(threads.includes('main-loop'), threads.join(', '));

    appendFileSync(file, chunk(10, 300));
    await until('the first read', () => stops(s).length === 1);
    const first = stops(s)[0];
    assert.equal(first.body.reason, 'function breakpoint');
    assert.equal((await eventScope(s, first.body.threadId!)).line, String(reads[0]));

    // stopped: QEMU goes on writing, the adapter reads on and says how much waits
    appendFileSync(file, chunk(300, LINES.length));
    await until('the waiting note', () =>
      /following: \d+ event\(s\) logged since this stop are waiting/.test(consoleText(s)),
    );
    const waiting = Number(/following: (\d+) event\(s\) logged since this stop/.exec(consoleText(s))![1]);
    assert.ok(waiting > 100, `${waiting} waiting`);
    // the view did not move
    assert.equal((await eventScope(s, first.body.threadId!)).line, String(reads[0]));
    const stats = (
      await scopesOf(s, (await s.dc.stackTraceRequest({ threadId: first.body.threadId! })).body.stackFrames[0].id)
    ).Statistics;
    assert.ok(Number(stats.waiting_events) > 100, `Statistics.waiting_events ${String(stats.waiting_events)}`);

    // continue catches up through the breakpoints: the next read, then the one after
    const second = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
    assert.equal((await eventScope(s, second.body.threadId!)).line, String(reads[1]));
    // and back: stepping back works on what was followed
    const back = await resume(s, () => s.dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal((await eventScope(s, back.body.threadId!)).line, String(reads[0]));

    // without breakpoints, continue reads to the front and waits there; pause stops at the last event
    await s.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const n = stops(s).length;
    await s.dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(stops(s).length, n, 'a followed log does not end: continue waits for more');
    const paused = await resume(s, () => s.dc.pauseRequest({ threadId: 1 }));
    assert.equal(paused.body.reason, 'pause');
    const last = linesMatching(SOURCE, /./).length;
    const at = await eventScope(s, paused.body.threadId!);
    assert.ok(Number(at.line) >= last - 3, `paused at line ${at.line} of ${last}`);
  } finally {
    await s.close();
  }
});

test('follow: a log truncated (also mid-line) or rotated under the session is followed on, with a note', async () => {
  const file = join(dir, 'rotating.log');
  writeFileSync(file, chunk(0, 20));
  const s = await open();
  try {
    await attach(s, file, [{ name: 'virtio_blk_handle_write', condition: 'sector == 2048 || sector == 8192' }]);
    await new Promise((r) => setTimeout(r, 200));

    // copytruncate: the file is emptied under the session, QEMU writes on from its start; the
    // first thing written is half a line
    truncateSync(file, 0);
    const at2048 = linesMatching(SOURCE, /virtio_blk_handle_write .*sector 2048 /)[0];
    const half = LINES[at2048 - 1].slice(0, 40);
    appendFileSync(file, chunk(20, at2048 - 1) + half);
    await until('the truncation note', () => /was truncated/.test(consoleText(s)));
    assert.equal(stops(s).length, 0, 'half a line is not an event yet');
    appendFileSync(file, LINES[at2048 - 1].slice(40) + '\n' + chunk(at2048, at2048 + 5));
    await until('the write to sector 2048', () => stops(s).length === 1);
    const hit = stops(s)[0];
    const ev = await eventScope(s, hit.body.threadId!);
    assert.equal(ev.text, LINES[at2048 - 1]);

    // logrotate: the file is moved away and a new one started
    const later = linesMatching(SOURCE, /virtio_blk_handle_write .*sector 8192 /)[0];
    assert.ok(later > at2048 + 5);
    renameSync(file, `${file}.1`);
    writeFileSync(file, chunk(at2048 + 5, later + 2));
    const second = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
    assert.match(consoleText(s), /was replaced \(rotated\): following the new file from its start/);
    assert.equal((await eventScope(s, second.body.threadId!)).text, LINES[later - 1]);
  } finally {
    await s.close();
  }
});

test('the I/O error filter stops on a failed completion in a replayed log', async () => {
  // a real log with one completion turned into EIO
  const text = readFileSync(SOURCE, 'latin1').split('\n');
  const at = text.findIndex((l, i) => i > 50 && /virtio_blk_rw_complete .* ret 0$/.test(l));
  text[at] = text[at].replace(/ret 0$/, 'ret -5');
  const file = join(dir, 'eio.log');
  writeFileSync(file, text.join('\n'));
  const s = await open();
  try {
    await launch(s, { traceFile: file, stopOnEntry: false }, (dc) =>
      dc.setExceptionBreakpointsRequest({ filters: ['ioError'] }),
    );
    const stop = stops(s)[0];
    assert.equal(stop.body.reason, 'exception');
    assert.match(
      stop.body.text ?? '',
      new RegExp(`Request \\d+ \\((read|write), sector \\d+\\) failed: EIO \\(-5\\), line ${at + 1} of the log`),
    );
    const info = await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    assert.equal(info.body.exceptionId, 'ioError');
    assert.equal((await eventScope(s, stop.body.threadId!)).line, String(at + 1));
    const end = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
    assert.equal(end.body.text, 'end of the trace');
  } finally {
    await s.close();
  }
});
