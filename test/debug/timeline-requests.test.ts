// The timeline's custom requests over real DAP: binned data for a range, going to an event or a
// time (a `stopped` event with reason goto, the stack then at that event), the Perfetto export,
// and bad arguments answered with an error naming the argument.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DebugProtocol } from '@vscode/debugprotocol';
import { frames, launch, open, resume } from '../helpers/dap';

const CONFIG = { aio: 'native', cache: 'none', workload: { rw: 'randread', iodepth: 16, requests: 200 } };

test('qemuIo/timeline, qemuIo/timelineGoTo and qemuIo/timelineExport over DAP', async () => {
  const s = await open();
  const dir = mkdtempSync(join(tmpdir(), 'qie-timeline-'));
  try {
    await launch(s, CONFIG);
    const end = await resume(s, () => s.dc.continueRequest({ threadId: 1 }));
    assert.match(end.body.description ?? '', /Simulation finished/);
    const whole = (await s.dc.customRequest('qemuIo/timeline', { bins: 400 })).body;
    assert.equal(whole.bins, 400);
    assert.equal(whole.extent.complete, true);
    assert.ok(whole.threads.some((t: { name: string; thread: number }) => t.name === 'main-loop' && t.thread === 1));
    assert.equal(whole.latency.requests, 200);
    assert.equal(whole.position.event, whole.extent.events - 1);

    // a short window: exact slices; clicking one goes to its enter event
    const mid = whole.toNs / 2;
    const zoom = (await s.dc.customRequest('qemuIo/timeline', { fromNs: mid, toNs: mid + 30_000, bins: 300 })).body;
    assert.equal(zoom.resolution, 'replayed');
    const slice = zoom.detail.slices.find(
      (x: { seq: number; fn: number }) => x.seq >= 0 && zoom.detail.functions[x.fn].name === 'laio_co_submit',
    );
    assert.ok(slice, 'a laio_co_submit slice in the window');
    let staged = s.dc.waitForEvent('qemuIo/stage');
    const stopped = (await resume(s, () =>
      s.dc.customRequest('qemuIo/timelineGoTo', { event: slice.seq }),
    )) as DebugProtocol.StoppedEvent;
    assert.equal(stopped.body.reason, 'goto');
    assert.equal(stopped.body.threadId, slice.thread);
    assert.equal((await frames(s, slice.thread))[0].name, 'laio_co_submit');
    const stage = await staged;
    assert.equal(stage.body.event, slice.seq);
    assert.equal(Math.round(stage.body.timeNs), slice.start); // spans come rounded to the ns

    // going to a time, back to the start
    staged = s.dc.waitForEvent('qemuIo/stage');
    const atStart = await resume(s, () => s.dc.customRequest('qemuIo/timelineGoTo', { timeNs: 0 }));
    assert.equal(atStart.body.reason, 'goto');
    assert.equal((await staged).body.event, 0);

    // export the window: a Chrome trace whose slices balance on each thread
    const path = join(dir, 'window.json');
    const exp = (await s.dc.customRequest('qemuIo/timelineExport', { path, fromNs: mid, toNs: mid + 30_000 })).body;
    assert.ok(exp.events > 100);
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: { ph: string; tid: number }[] };
    const depth = new Map<number, number>();
    for (const e of trace.traceEvents) {
      if (e.ph === 'B') depth.set(e.tid, (depth.get(e.tid) ?? 0) + 1);
      if (e.ph === 'E') {
        depth.set(e.tid, (depth.get(e.tid) ?? 0) - 1);
        assert.ok(depth.get(e.tid)! >= 0, `an E without a B on tid ${e.tid}`);
      }
    }
    assert.ok([...depth.values()].every((d) => d === 0));

    // bad arguments: one line naming the argument
    const bad: [string, unknown, RegExp][] = [
      ['qemuIo/timeline', { bins: 0 }, /"bins" is 0; expected a whole number from 1 to 10000/],
      ['qemuIo/timeline', { fromNs: 10, toNs: 5 }, /"toNs" \(5\) must be greater than "fromNs" \(10\)/],
      ['qemuIo/timeline', { lanes: ['threads', 'nope'] }, /"lanes" is \["threads","nope"\]; expected a list of/],
      ['qemuIo/timeline', { form: 1 }, /unknown argument "form"/],
      ['qemuIo/timeline', { fromNs: 'soon' }, /"fromNs" is "soon"/],
      ['qemuIo/timelineGoTo', {}, /give exactly one of "event"/],
      ['qemuIo/timelineGoTo', { event: 1.5 }, /"event" is 1.5/],
      ['qemuIo/timelineExport', { path: 'relative.json' }, /"path" is "relative.json"; expected an absolute file path/],
      ['qemuIo/timelineExport', { path: join(dir, 'no', 'such', 'x.json') }, /the folder .* does not exist/],
    ];
    for (const [command, args, want] of bad) {
      await assert.rejects(s.dc.customRequest(command, args), (e: Error) => {
        assert.match(e.message, want);
        assert.doesNotMatch(e.message, /\n\s+at /, 'no stack trace');
        return true;
      });
    }
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
