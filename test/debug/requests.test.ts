// Requests as a careless or hostile client sends them: every one is answered, quickly, with a
// one-line error naming the argument when it is wrong, never a stack trace; paging arguments
// are clamped; what is not supported is refused. And what nvim-dap needs to show everything.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STACK } from '../fuzz/figures';
import { launchOn, Message, Wire } from '../helpers/dapWire';

function assertOneLineError(r: Message, names: RegExp): void {
  assert.equal(r.success, false, `refused: ${JSON.stringify(r)}`);
  const text = `${r.message ?? ''} ${JSON.stringify(r.body ?? {})}`;
  assert.doesNotMatch(text, STACK, `no stack trace: ${text}`);
  assert.doesNotMatch(r.message ?? '', /\n/, 'one line');
  assert.match(r.message ?? '', names);
}

describe('requests with bad arguments, during a session', () => {
  let w: Wire;
  before(async () => {
    w = Wire.stdio();
    await launchOn(w, { aio: 'threads', workload: { rw: 'randwrite', iodepth: 64, requests: 200 } });
    // stop with requests in flight, so the QEMU scope has long lists
    await w.request('setFunctionBreakpoints', {
      breakpoints: [{ name: 'thread_pool_submit_aio', hitCondition: '40' }],
    });
    const at = w.messages.length;
    await w.request('continue', { threadId: 1 });
    await w.event('stopped', 5000, at);
  });
  after(() => w.close());

  const CASES: [string, unknown, RegExp][] = [
    ['setFunctionBreakpoints', { breakpoints: 'x' }, /"breakpoints" must be a list/],
    ['setFunctionBreakpoints', { breakpoints: [{ name: 7 }] }, /"breakpoints\[0\]\.name" must be a string/],
    ['setFunctionBreakpoints', null, /"breakpoints" is missing/],
    ['setBreakpoints', { source: null }, /"source" must be an object/],
    ['setBreakpoints', { source: { path: '/x.md' }, breakpoints: [{ line: 'a' }] }, /"breakpoints\[0\]\.line"/],
    ['setExceptionBreakpoints', { filters: 'ioError' }, /"filters" must be a list/],
    ['stackTrace', { threadId: 'a' }, /"threadId" must be a whole number/],
    ['scopes', {}, /"frameId" is missing/],
    ['variables', { variablesReference: '1' }, /"variablesReference" must be a whole number/],
    ['evaluate', { expression: 5 }, /"expression" must be a string/],
    ['evaluate', {}, /"expression" is missing/],
    ['next', { threadId: null }, /"threadId"/],
    ['stepIn', { threadId: 'x' }, /"threadId" must be a whole number/],
    ['continue', 'x', /arguments must be an object/],
    ['exceptionInfo', { threadId: [] }, /"threadId"/],
  ];
  for (const [command, args, names] of CASES) {
    test(`${command} ${JSON.stringify(args)}`, async () => {
      const r = await w.request(command, args, 3000);
      assertOneLineError(r, names);
      assert.equal(w.exit, null, 'the adapter is still running');
    });
  }

  test('variables: a negative start is clamped (no bogus [-1], no endless loop)', async () => {
    const list = await someList(w);
    const one = await w.request('variables', { variablesReference: list, start: -1 }, 3000);
    assert.equal(one.success, true);
    const names = (one.body!.variables as { name: string }[]).map((v) => v.name);
    assert.equal(names[0], '[0]');
    const far = await w.request('variables', { variablesReference: list, start: -1e9, count: 2 }, 3000);
    assert.deepEqual(
      (far.body!.variables as { name: string }[]).map((v) => v.name),
      ['[0]', '[1]'],
    );
    const huge = await w.request('variables', { variablesReference: list, start: 1e12, count: 1e12 }, 3000);
    assert.deepEqual(huge.body!.variables, []);
  });

  test('stackTrace: negative startFrame and levels are clamped', async () => {
    const all = await w.request('stackTrace', { threadId: 1 }, 3000);
    const frames = all.body!.stackFrames as { name: string }[];
    const neg = await w.request('stackTrace', { threadId: 1, startFrame: -3, levels: -1 }, 3000);
    assert.deepEqual(
      (neg.body!.stackFrames as { name: string }[]).map((f) => f.name),
      frames.map((f) => f.name),
    );
  });

  test('an expression nested 10,000 deep is refused by a depth limit', async () => {
    const deep = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    const r = await w.request('evaluate', { expression: deep, context: 'repl' }, 3000);
    assertOneLineError(r, /nested too deeply/);
    const neg = await w.request('evaluate', { expression: '-'.repeat(10_000) + '1', context: 'repl' }, 3000);
    assertOneLineError(neg, /nested too deeply/);
  });

  test('source and setVariable are refused, not answered with success and no body', async () => {
    assertOneLineError(await w.request('source', { sourceReference: 1 }, 3000), /source/);
    assertOneLineError(
      await w.request('setVariable', { variablesReference: 1, name: 'x', value: '1' }, 3000),
      /not supported|cannot be changed/,
    );
  });

  test('an unknown command is refused by name', async () => {
    assertOneLineError(await w.request('frobnicate', {}, 3000), /frobnicate/);
  });
});

/** The reference of some list variable in the QEMU scope of the top frame. */
async function someList(w: Wire): Promise<number> {
  const st = await w.request('stackTrace', { threadId: 1 });
  const frameId = (st.body!.stackFrames as { id: number }[])[0].id;
  const scopes = (await w.request('scopes', { frameId })).body!.scopes as {
    name: string;
    variablesReference: number;
  }[];
  const qemu = scopes.find((s) => s.name === 'QEMU')!;
  const vars = (await w.request('variables', { variablesReference: qemu.variablesReference })).body!.variables as {
    name: string;
    value: string;
    variablesReference: number;
  }[];
  const stack = [...vars];
  while (stack.length) {
    const v = stack.shift()!;
    if (v.variablesReference && /^Array\(\d\d+\)/.test(v.value)) return v.variablesReference;
    if (v.variablesReference) {
      const kids = (await w.request('variables', { variablesReference: v.variablesReference })).body!.variables;
      stack.push(...(kids as typeof vars));
    }
  }
  throw new Error('no list in the QEMU scope');
}

describe('before and around launch', () => {
  test('initialize without pathFormat is accepted (DAP defaults it to "path")', async () => {
    const w = Wire.stdio();
    try {
      const r = await w.request('initialize', { adapterID: 'qemu-io' }, 3000);
      assert.equal(r.success, true, r.message);
    } finally {
      await w.close();
    }
  });

  test('a wrong threadId never produces a stopped event with threadId null', async () => {
    const w = Wire.stdio();
    try {
      await launchOn(w, {});
      const from = w.messages.length;
      await w.request('stepBack', { threadId: 'x' }, 3000);
      await w.request('threads', undefined, 3000);
      const stops = w.messages.slice(from).filter((m) => m.event === 'stopped');
      assert.ok(
        stops.every((m) => typeof m.body?.threadId === 'number'),
        JSON.stringify(stops),
      );
    } finally {
      await w.close();
    }
  });

  test('an error quoting "{_stack}" from the client is not mistaken for the library\'s stack answer', async () => {
    const w = Wire.stdio();
    try {
      const r = await w.request('initialize', { adapterID: 'qemu-io', pathFormat: '{_stack}' }, 3000);
      assertOneLineError(r, /pathFormat "\(_stack\)" is not supported/);
    } finally {
      await w.close();
    }
  });

  test('a bad function breakpoint before launch is refused and does not fail the launch', async () => {
    const w = Wire.stdio();
    try {
      await w.request('initialize', { adapterID: 'qemu-io' }, 3000);
      const bad = await w.request('setFunctionBreakpoints', { breakpoints: [1, 2, 3] }, 3000);
      assertOneLineError(bad, /"breakpoints\[0\]" must be an object/);
      const launched = w.request('launch', { type: 'qemu-io', request: 'launch', name: 't' }, 10_000);
      await w.event('initialized', 10_000);
      await w.request('configurationDone', undefined, 3000);
      const r = await launched;
      assert.equal(r.success, true, r.message);
    } finally {
      await w.close();
    }
  });

  test('launch with arguments that are not an object is refused by name', async () => {
    const w = Wire.stdio();
    try {
      await w.request('initialize', { adapterID: 'qemu-io' }, 3000);
      assertOneLineError(await w.request('launch', 'garbage', 3000), /arguments must be an object/);
      assertOneLineError(await w.request('restart', {}, 3000), /not launched/);
    } finally {
      await w.close();
    }
  });
});

describe('what nvim-dap needs', () => {
  test('the parked-coroutines pseudo-thread is announced with thread events and keeps its name', async () => {
    const w = Wire.stdio();
    try {
      const from = w.messages.length;
      await launchOn(w, { aio: 'threads', workload: { rw: 'write', iodepth: 2, requests: 4 } });
      // run to the end, looking at the threads at every stop on the way
      const names = new Set<string>();
      for (let i = 0; i < 400; i++) {
        const threads = (await w.request('threads')).body!.threads as { id: number; name: string }[];
        for (const t of threads) if (t.id === 100_000) names.add(t.name);
        const at = w.messages.length;
        await w.request('stepIn', { threadId: 1 });
        const next = await w.wait((m) => m.event === 'stopped' || m.event === 'terminated', 5000, 'a stop', at);
        if (next.event === 'terminated') break;
      }
      assert.deepEqual([...names], ['parked coroutines'], 'one stable name');
      const parkedEvents = w.messages
        .slice(from)
        .filter((m) => m.event === 'thread' && m.body!.threadId === 100_000)
        .map((m) => m.body!.reason);
      assert.ok(parkedEvents.length >= 2, `started and exited: ${parkedEvents.join(', ')}`);
      assert.equal(parkedEvents[0], 'started');
      for (let i = 1; i < parkedEvents.length; i++) assert.notEqual(parkedEvents[i], parkedEvents[i - 1]);
    } finally {
      await w.close();
    }
  });

  test('label frames carry the source of the coroutine’s entry function', async () => {
    const w = Wire.stdio();
    try {
      await launchOn(w, { aio: 'threads' });
      await w.request('setFunctionBreakpoints', { breakpoints: [{ name: 'thread_pool_submit_aio' }] });
      const at = w.messages.length;
      await w.request('continue', { threadId: 1 });
      const stop = await w.event('stopped', 5000, at);
      assert.equal(stop.body!.reason, 'function breakpoint');
      const frames = (await w.request('stackTrace', { threadId: stop.body!.threadId })).body!.stackFrames as {
        name: string;
        line: number;
        presentationHint?: string;
        source?: { path: string };
      }[];
      const label = frames.find((f) => f.presentationHint === 'label');
      assert.ok(label, 'a label frame');
      assert.ok(label.source?.path, `label frame has a source: ${JSON.stringify(label)}`);
      assert.ok(label.line > 0);
      const parked = (await w.request('stackTrace', { threadId: 100_000 })).body!.stackFrames as typeof frames;
      for (const f of parked.filter((x) => x.presentationHint === 'label')) assert.ok(f.source?.path && f.line > 0);
    } finally {
      await w.close();
    }
  });
});
