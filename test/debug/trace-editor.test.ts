// What a trace session sends the editor (docs/extension.md, "What a trace session sends the
// editor"), over the real protocol: the example log (examples/qemu-trace.log, real QEMU 10.0.2
// output) replayed with a line breakpoint in it, then a step back. The e2e checks the same in VS Code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { frames, launch, open, resume, root, scopeVars, Session } from '../helpers/dap';

const LOG = join(root, 'examples', 'qemu-trace.log');
const lines = readFileSync(LOG, 'utf8').split('\n');
/** 1-based lines of the log carrying `event`. */
const linesOf = (event: string) =>
  lines.flatMap((l, i) => (new RegExp(`^\\d+@[\\d.]+:${event} `).test(l) ? [i + 1] : []));

describe('a replay of the example log, as the editor sees it', () => {
  let s: Session;
  /** The qemuIo/stage event that follows the next stop. */
  const stopAndStage = async (send: () => Promise<unknown>) => {
    const staged = s.dc.waitForEvent('qemuIo/stage');
    const stop = await resume(s, send);
    return { stop, stage: (await staged).body as Record<string, unknown> };
  };
  // the second submission to the thread pool: a breakpoint there must not stop on the first
  const BP_LINE = linesOf('thread_pool_submit_aio')[1];

  before(async () => {
    s = await open();
  });
  after(async () => s.close());

  test('the first stop names the version the log was read as', async () => {
    const staged = s.dc.waitForEvent('qemuIo/stage');
    const stop = await launch(s, { traceFile: LOG, stopOnEntry: true }, async (dc) => {
      const res = await dc.setBreakpointsRequest({ source: { path: LOG }, breakpoints: [{ line: BP_LINE }] });
      assert.deepEqual(
        res.body.breakpoints.map((b) => [b.verified, b.line]),
        [[true, BP_LINE]],
      );
    });
    assert.equal(stop.body.reason, 'entry');
    // VS Code folds deemphasized frames into "Show N More Stack Frames": never the one stopped in
    const top = (await frames(s, stop.body.threadId!))[0];
    assert.equal(top.presentationHint, undefined);
    assert.notEqual(top.source?.presentationHint, 'deemphasize', `${top.name}: its source is deemphasized`);
    const stage = (await staged).body;
    assert.equal(stage.qemuVersion, '10.0');
    assert.equal(stage.thread, 'main-loop');
  });

  let atBreakpoint: Record<string, unknown>;
  test('a breakpoint on a line of the log stops on that line, named in 10.0', async () => {
    const { stop, stage } = await stopAndStage(() => s.dc.continueRequest({ threadId: 1 }));
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal(stop.body.hitBreakpointIds?.length, 1);
    const top = (await frames(s, stop.body.threadId!))[0] as DebugProtocol.StackFrame;
    assert.equal(top.name, 'thread_pool_submit_aio');
    const ev = await scopeVars(s, top.id, /^Event$/);
    assert.equal(Number(ev.line), BP_LINE);
    assert.equal(stage.line, BP_LINE);
    assert.equal(stage.function, 'thread_pool_submit_aio');
    assert.equal(stage.qemuVersion, '10.0');
    atBreakpoint = stage;
  });

  test('step back: the stage event follows to the event before', async () => {
    const { stop, stage } = await stopAndStage(() => s.dc.stepBackRequest({ threadId: 1 }));
    assert.equal(stop.body.reason, 'step');
    assert.ok(
      (stage.event as number) < (atBreakpoint.event as number),
      `event ${stage.event} is before ${atBreakpoint.event}`,
    );
    assert.notEqual(stage.function, atBreakpoint.function);
    assert.equal(stage.qemuVersion, '10.0');
  });
});

describe('"Replay from this line": gotoTargets and goto on the replayed log', () => {
  let s: Session;
  before(async () => {
    s = await open();
    await launch(s, { traceFile: LOG, stopOnEntry: true });
  });
  after(async () => s.close());

  /** goto line `line` of the log; the line of the event it stopped on. */
  const goTo = async (line: number) => {
    const t = await s.dc.customRequest('gotoTargets', { source: { path: LOG }, line });
    const targets = (t.body as DebugProtocol.GotoTargetsResponse['body']).targets;
    assert.equal(targets.length, 1);
    const stop = await resume(s, () => s.dc.customRequest('goto', { threadId: 1, targetId: targets[0].id }));
    assert.equal(stop.body.reason, 'goto');
    const top = (await frames(s, stop.body.threadId!))[0] as DebugProtocol.StackFrame;
    return Number((await scopeVars(s, top.id, /^Event$/)).line);
  };

  test('forward to a line with an event, then back to an earlier one', async () => {
    const [first, second] = linesOf('thread_pool_submit_aio');
    assert.equal(await goTo(second), second);
    assert.equal(await goTo(first), first);
  });

  test("the log named by a URI (VS Code sends custom requests' paths so) is the same log", async () => {
    for (const uri of [`vscode-local:${LOG}`, `file://${LOG}`]) {
      const t = await s.dc.customRequest('gotoTargets', { source: { path: uri }, line: 1 });
      assert.equal((t.body as DebugProtocol.GotoTargetsResponse['body']).targets.length, 1, uri);
    }
  });

  test('a target names the event of its line once read; a goto past the end stops at the end, then none', async () => {
    const targets = async (line: number) =>
      (
        (await s.dc.customRequest('gotoTargets', { source: { path: LOG }, line }))
          .body as DebugProtocol.GotoTargetsResponse['body']
      ).targets;
    const line = linesOf('virtio_blk_rw_complete')[2];
    assert.equal(await goTo(line), line);
    assert.deepEqual(
      (await targets(line)).map((t) => [t.label, t.line]),
      [[`virtio_blk_rw_complete (line ${line})`, line]],
    );
    const past = lines.length + 10;
    const [ahead] = await targets(past);
    assert.equal(ahead.label, `line ${past} (not read yet)`);
    const end = await resume(s, () => s.dc.customRequest('goto', { threadId: 1, targetId: ahead.id }));
    assert.match(String(end.body.text ?? end.body.description), /end/i);
    assert.deepEqual(await targets(past), []);
  });

  test('refused where there is nothing to go to, with what is expected', async () => {
    await assert.rejects(
      s.dc.customRequest('gotoTargets', { source: { path: '/elsewhere/other.log' }, line: 3 }),
      /"\/elsewhere\/other\.log" is not the replayed log ".*qemu-trace\.log"/,
    );
    await assert.rejects(
      s.dc.customRequest('gotoTargets', { source: { path: LOG }, line: 0 }),
      /a log line number starts at 1/,
    );
    const sim = await open();
    try {
      await launch(sim, { stopOnEntry: true });
      await assert.rejects(
        sim.dc.customRequest('gotoTargets', { source: { path: LOG }, line: 3 }),
        /a simulation has no lines to go to/,
      );
    } finally {
      await sim.close();
    }
  });
});
