// DAP step latency: `next` → stopped → stackTrace + scopes + variables, over stdio, with 64
// workers and ~1000 requests in flight; beside the same round trip against a minimal adapter
// that does no work (the floor on this machine). And the time of a reverse step after 1M events,
// and of a pause during a long continue.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';
import { fmt, measure, pct, root, startFloor } from './floor';

if (process.env.QIE_MINIMAL_ADAPTER !== '1') void main();

async function main(): Promise<void> {
  const adapter = join(root(), 'dist', 'debugAdapter.js');

  const floor = await startFloor();

  // the real adapter at ~1000 requests in flight with 64 workers
  const dc = new DebugClient(process.execPath, adapter, 'qemu-io');
  dc.defaultTimeout = 120_000;
  await dc.start();
  await dc.initializeRequest();
  const first = dc.waitForEvent('stopped');
  const launched = dc.launchRequest({
    aio: 'threads',
    queueSize: 1024,
    stopOnEntry: false,
    workload: { rw: 'randread', iodepth: 1000, batch: 64, requests: 1_000_000 },
  } as DebugProtocol.LaunchRequestArguments);
  await dc.waitForEvent('initialized');
  await dc.setFunctionBreakpointsRequest({
    breakpoints: [{ name: 'thread_pool_completion_bh', hitCondition: '>= 400' }],
  });
  await dc.configurationDoneRequest();
  await launched;
  const stop = (await first) as DebugProtocol.StoppedEvent;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const state = await dc.evaluateRequest({
    expression: '"in flight " + guest.inflight + ", workers " + pool.cur_threads',
    context: 'repl',
  });
  // warm both up, then measure them in alternating blocks so both see the same machine load
  const stepFloor = (c: DebugClient) => c.nextRequest({ threadId: 1 });
  const stepReal = (c: DebugClient) => c.nextRequest({ threadId: stop.body.threadId! });
  await measure(floor, 40, stepFloor);
  await measure(dc, 40, stepReal);
  const floorTimes: number[] = [];
  const times: number[] = [];
  for (let block = 0; block < 9; block++) {
    floorTimes.push(...(await measure(floor, 40, stepFloor)));
    times.push(...(await measure(dc, 40, stepReal)));
  }
  await floor.stop();
  console.log(`dap.step: ${state.body.result}`);
  console.log(
    `dap.step_ms p50 ${fmt(pct(times, 0.5))} p99 ${fmt(pct(times, 0.99))}  (next → stopped → stackTrace + scopes + variables, ${times.length} steps)`,
  );
  console.log(
    `dap.floor_ms p50 ${fmt(pct(floorTimes, 0.5))} p99 ${fmt(pct(floorTimes, 0.99))}  (same round trip, adapter doing no work)`,
  );
  console.log(`dap.step_vs_floor p50 ${(pct(times, 0.5) / pct(floorTimes, 0.5)).toFixed(2)}x  (target ≤ 1.5x)`);
  await dc.stop();

  // reverse step after 1M events
  const rc = new DebugClient(process.execPath, adapter, 'qemu-io');
  rc.defaultTimeout = 120_000;
  await rc.start();
  await rc.initializeRequest();
  const at = rc.waitForEvent('stopped');
  const l2 = rc.launchRequest({
    aio: 'native',
    cache: 'none',
    stopOnEntry: false,
    workload: { rw: 'randread', iodepth: 32, requests: 100_000 },
  } as DebugProtocol.LaunchRequestArguments);
  await rc.waitForEvent('initialized');
  // ~125 stage events per request: the 8000th completion is past 1M events
  await rc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'virtio_blk_req_complete', hitCondition: '8000' }] });
  await rc.configurationDoneRequest();
  await l2;
  const s2 = (await at) as DebugProtocol.StoppedEvent;
  await rc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const at1M = await rc.evaluateRequest({ expression: '"" + events + " " + time_us', context: 'repl' });
  const [events, timeUs] = at1M.body.result.replace(/"/g, '').split(' ').map(Number);
  if (!(events >= 1_000_000)) throw new Error(`reverse step measured after only ${events} events`);
  const back: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const stopped = rc.waitForEvent('stopped');
    await rc.stepBackRequest({ threadId: s2.body.threadId! });
    await stopped;
    back.push(performance.now() - t0);
  }
  console.log(
    `dap.reverse_step_ms p50 ${fmt(pct(back, 0.5))} p99 ${fmt(pct(back, 0.99))}  (step back, after ${events} events; simulated time ${timeUs.toFixed(0)} µs; target p50 ≤ 10 ms)`,
  );
  await rc.stop();

  // pause during a long continue: from the request to the stopped event (a session with work
  // for all ten pauses: 2M requests never reach the end)
  const pc = new DebugClient(process.execPath, adapter, 'qemu-io');
  pc.defaultTimeout = 120_000;
  await pc.start();
  await pc.initializeRequest();
  const entered = pc.waitForEvent('stopped');
  const l3 = pc.launchRequest({
    aio: 'native',
    cache: 'none',
    workload: { rw: 'randread', iodepth: 32, requests: 2_000_000 },
  } as DebugProtocol.LaunchRequestArguments);
  await pc.waitForEvent('initialized');
  await pc.configurationDoneRequest();
  await l3;
  const s3 = (await entered) as DebugProtocol.StoppedEvent;
  const pauses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const stopped = pc.waitForEvent('stopped');
    await pc.continueRequest({ threadId: s3.body.threadId! });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await pc.pauseRequest({ threadId: s3.body.threadId! });
    await stopped;
    pauses.push(performance.now() - t0);
  }
  console.log(
    `dap.pause_ms p50 ${fmt(pct(pauses, 0.5))} max ${fmt(Math.max(...pauses))}  (pause during a continue → stopped; target ≤ 100 ms)`,
  );
  await pc.stop();
}
