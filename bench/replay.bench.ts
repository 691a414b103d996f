// Replaying and following a real QEMU trace over DAP. A ≥ 1 GiB log is made from the shared 10.0
// aio=threads log repeated with its times shifted (so time keeps going forward), in a temp dir
// deleted afterwards. Figures: the first stop after launch; step (next) and step back round trips
// (→ stopped → stackTrace + scopes + variables) beside the same round trip against an adapter
// that does no work, in alternating blocks, near the start and ~5M events in; the adapter's peak
// memory after reading the whole log; and how many appended lines per second a followed log is
// read at. Targets: first stop ≤ 2 s, step and step back p50 ≤ 1.5× the floor, ≤ 300 MB,
// ≥ 200k lines/s.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, measure, pct, root, startFloor } from './floor';

if (process.env.QIE_MINIMAL_ADAPTER !== '1') void main();

const SOURCE = join(root(), 'test', 'fixtures', 'traces', '10.0', 'threads.10.0.log');

/** The source log's lines split at their time: `tid@`, whole seconds (relative), the rest after them. */
function template(): { tid: string[]; sec: number[]; rest: string[]; span: number } {
  const lines = readFileSync(SOURCE, 'latin1').split('\n').filter(Boolean);
  const tid: string[] = [];
  const sec: number[] = [];
  const rest: string[] = [];
  let base = -1;
  for (const l of lines) {
    const at = l.indexOf('@');
    const dot = l.indexOf('.', at);
    const s = Number(l.slice(at + 1, dot));
    if (base < 0) base = s;
    tid.push(l.slice(0, at + 1));
    sec.push(s - base);
    rest.push(l.slice(dot));
  }
  return { tid, sec, rest, span: sec[sec.length - 1] + 1 };
}

/** `copies` of the log one after the other, each later by the log's length in seconds. */
function* copiesOf(t: ReturnType<typeof template>, from: number, copies: number): Generator<string> {
  for (let k = from; k < from + copies; k++) {
    const base = 1_800_000_000 + k * t.span;
    let out = '';
    for (let i = 0; i < t.tid.length; i++) out += `${t.tid[i]}${base + t.sec[i]}${t.rest[i]}\n`;
    yield out;
  }
}

async function makeLog(file: string, bytes: number): Promise<{ lines: number; copies: number }> {
  const t = template();
  const out = createWriteStream(file);
  let written = 0;
  let copies = 0;
  for (const text of copiesOf(t, 0, Number.MAX_SAFE_INTEGER)) {
    if (!out.write(text)) await once(out, 'drain');
    written += text.length;
    copies++;
    if (written >= bytes) break;
  }
  out.end();
  await once(out, 'finish');
  return { lines: copies * t.tid.length, copies };
}

/** The adapter on stdio (as the floor is), and its process id for its peak memory. */
async function startAdapter(): Promise<{ pid: number; dc: DebugClient }> {
  const dc = new DebugClient(process.execPath, join(root(), 'dist', 'debugAdapter.js'), 'qemu-io');
  dc.defaultTimeout = 600_000;
  await dc.start();
  await dc.initializeRequest({ adapterID: 'qemu-io', pathFormat: 'path' });
  const proc = (dc as unknown as { _adapterProcess: ChildProcess })._adapterProcess;
  return { pid: proc.pid!, dc };
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function blocks(
  floor: DebugClient,
  dc: DebugClient,
  send: (c: DebugClient) => Promise<unknown>,
): Promise<{ real: number[]; base: number[] }> {
  const stepFloor = (c: DebugClient): Promise<unknown> => c.nextRequest({ threadId: 1 });
  // warm-up: the first steps after a launch run in V8's baseline tiers (about twice as slow)
  await measure(floor, 100, stepFloor);
  await measure(dc, 100, send);
  const real: number[] = [];
  const base: number[] = [];
  for (let b = 0; b < 9; b++) {
    base.push(...(await measure(floor, 40, stepFloor)));
    real.push(...(await measure(dc, 40, send)));
  }
  return { real, base };
}

function report(name: string, what: string, r: { real: number[]; base: number[] }): void {
  const ratio = pct(r.real, 0.5) / pct(r.base, 0.5);
  console.log(
    `replay.${name}_ms p50 ${fmt(pct(r.real, 0.5))} p99 ${fmt(pct(r.real, 0.99))} vs floor p50 ${fmt(pct(r.base, 0.5))}: ${ratio.toFixed(2)}x  (${what}, ${r.real.length} round trips; target ≤ 1.5x)`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-io-replay-bench-'));
  const floor = await startFloor();
  try {
    const big = join(dir, 'big.log');
    const t0 = performance.now();
    const made = await makeLog(big, Number(process.env.QIE_REPLAY_BENCH_BYTES ?? 2 ** 30));
    const size = statSync(big).size;
    console.log(
      `replay: made a ${fmt(size / 2 ** 20, 0)} MiB log (${made.copies} copies of the shared 10.0 threads log, ${made.lines.toLocaleString('en-US')} lines) in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );

    const { pid, dc } = await startAdapter();
    try {
      const launchedAt = performance.now();
      const first = dc.waitForEvent('stopped');
      const launched = dc.launchRequest({
        type: 'qemu-io',
        request: 'launch',
        name: 'bench',
        traceFile: big,
        stopOnEntry: true,
      } as DebugProtocol.LaunchRequestArguments);
      await dc.waitForEvent('initialized');
      await dc.configurationDoneRequest();
      await launched;
      await first;
      console.log(
        `replay.first_stop_ms ${fmt(performance.now() - launchedAt, 0)}  (launch → first stopped event on the ${fmt(size / 2 ** 20, 0)} MiB log; target ≤ 2000)`,
      );

      const next = (c: DebugClient): Promise<unknown> => c.nextRequest({ threadId: 1 });
      const back = (c: DebugClient): Promise<unknown> => c.stepBackRequest({ threadId: 1 });
      report('step', 'next near the start', await blocks(floor, dc, next));
      report('step_back', 'step back near the start', await blocks(floor, dc, back));

      // ~5M events in: a continue to the 300,000th completion
      await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'virtio_blk_req_complete', hitCondition: '300000' }],
      });
      const c0 = performance.now();
      const deep = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await deep;
      const ms = performance.now() - c0;
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      const at = (await dc.evaluateRequest({ expression: '"" + events', context: 'repl' })).body.result.replace(
        /"/g,
        '',
      );
      console.log(
        `replay.continue: ${Number(at).toLocaleString('en-US')} events in ${fmt(ms / 1000, 2)} s = ${fmt(Number(at) / ms / 1000, 2)} M events/s (a continue to a breakpoint's 300,000th hit)`,
      );
      report('step_deep', `next, ${Number(at).toLocaleString('en-US')} events in`, await blocks(floor, dc, next));
      report(
        'step_back_deep',
        `step back, ${Number(at).toLocaleString('en-US')} events in`,
        await blocks(floor, dc, back),
      );

      // the whole log, then the peak memory
      const end = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await end;
      const rss = peakRssMiB(pid);
      console.log(
        `replay.peak_rss_mib ${fmt(rss, 0)}  (the adapter after reading the whole ${fmt(size / 2 ** 20, 0)} MiB log and stepping in it; target ≤ 300 MB = 286 MiB)`,
      );
    } finally {
      await dc.stop();
    }
    rmSync(big);

    // following: lines appended as fast as they are written, until a marker line at the end
    const { dc: fc } = await startAdapter();
    try {
      const log = join(dir, 'followed.log');
      writeFileSync(log, '');
      const attached = fc.attachRequest({
        type: 'qemu-io',
        request: 'attach',
        name: 'bench',
        traceFile: log,
        qemuVersion: '10.0',
      } as DebugProtocol.AttachRequestArguments);
      await fc.waitForEvent('initialized');
      await fc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'virtio_blk_handle_read', condition: 'sector == 987654321' }],
      });
      await fc.configurationDoneRequest();
      await attached;
      const t = template();
      const copies = 400;
      const stopped = fc.waitForEvent('stopped');
      const w0 = performance.now();
      for (const text of copiesOf(t, 0, copies)) appendFileSync(log, text);
      const marker = `${t.tid[0]}${1_800_000_000 + copies * t.span}.000001:virtio_blk_handle_read vdev 0x1 req 0x2 sector 987654321 nsectors 8\n`;
      appendFileSync(log, marker);
      const written = performance.now() - w0;
      await stopped;
      const total = performance.now() - w0;
      const lines = copies * t.tid.length + 1;
      console.log(
        `replay.follow_lines_per_s ${Math.round(lines / (total / 1000)).toLocaleString('en-US')}  (${lines.toLocaleString('en-US')} lines appended in ${fmt(written, 0)} ms, read through to the breakpoint on the last one in ${fmt(total, 0)} ms; target ≥ 200,000)`,
      );
    } finally {
      await fc.stop();
    }
  } finally {
    await floor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
