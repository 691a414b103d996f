// `qemu-io-explorer trace`, run as a user runs it: every input shape a user pastes (with and
// without timestamps, mixed into stderr, gzip, zstd, QEMU's simple backend), the output
// formats, --stats JSON, bad input, and --follow on a log that is still being written.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fx = join(root, 'test', 'fixtures', 'traces');
const tmp = mkdtempSync(join(tmpdir(), 'qemu-io-trace-'));
const THREADS = join(fx, '7.2', 'threads.log');

function trace(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'trace', ...args], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function statsOf(...args: string[]) {
  const r = trace(...args, '--format', 'none', '--stats', '--stats-format', 'json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

/** Requests as (op, sector) plus the total split, what every shape of the same log must give. */
const summary = (s: { requests: object; all: object; by_op: object }) => ({ requests: s.requests, by_op: s.by_op });

before(() => {
  if (existsSync(cli)) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  assert.equal(r.status, 0, 'build');
});

describe('trace: input shapes', () => {
  const base = statsOf(THREADS);

  test('--stats-format json: the documented stage names and fields, per op and for all', () => {
    const stages = ['kick_to_pop', 'pop_to_submit', 'backend', 'reenter_to_notify', 'total'];
    const fields = ['count', 'p50_us', 'p90_us', 'p99_us', 'max_us'];
    for (const where of [base.by_op.read, base.by_op.write, base.by_op.flush, base.all]) {
      assert.deepEqual(Object.keys(where), stages);
      for (const s of stages) assert.deepEqual(Object.keys(where[s]), fields);
    }
    assert.equal(base.qemu_version, '7.2');
    assert.equal(base.requests.completed, 44);
    assert.equal(base.all.total.count, 44);
    assert.equal(base.slowest.length, 10);
    assert.ok(base.slowest[0].split_us.total >= base.slowest[9].split_us.total);
    assert.deepEqual(base.merges, { batches: 2, requests: 20, largest: 16 });
    assert.equal(base.interrupts.events, 25);
    assert.equal(base.interrupts.per_completion, Math.round((25 / 44) * 1000) / 1000);
    assert.ok(base.in_flight.max >= 16 && base.in_flight.bins.length > 0);
  });

  test('gzip and zstd logs read the same as the plain one', () => {
    const gz = join(tmp, 'threads.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(THREADS)));
    assert.deepEqual(summary(statsOf(gz)), summary(base));
    assert.deepEqual(summary(statsOf(join(fx, '7.2', 'threads.log.zst'))), summary(base));
  });

  test('mixed into stderr with console lines and warnings: other lines counted and skipped, bad lines reported', () => {
    const lines = readFileSync(THREADS, 'utf8').split('\n');
    const mixed = [
      'qemu-system-x86_64: -drive if=none: warning: some warning',
      ...lines.slice(0, 30),
      '[    1.234567] virtio_blk virtio1: [vda] 131072 512-byte logical blocks',
      '23595@1795610380.7400:virtqueue_pop vq 0x7f7ad1e27010 elem 0xzz in_num 1 out_num 2',
      ...lines.slice(30),
    ].join('\n');
    const f = join(tmp, 'mixed.txt');
    writeFileSync(f, mixed);
    const s = statsOf(f);
    assert.deepEqual(summary(s), summary(base));
    assert.equal(s.lines.other, 2);
    assert.equal(s.anomalies.malformed_lines.count, 1);
    assert.equal(s.anomalies.malformed_lines.first[0].line, 33);
    const r = trace(f, '--format', 'none');
    assert.match(
      r.err,
      /1 malformed line\(s\) skipped: line 33: "23595@1795610380.7400:virtqueue_pop vq 0x7f7ad1e27010 elem 0/,
    );
  });

  test('without -msg timestamp=on: the same requests, in order only, and it says so', () => {
    const f = join(tmp, 'untimed.log');
    writeFileSync(f, readFileSync(THREADS, 'utf8').replace(/^\d+@[\d.]+:/gm, ''));
    const s = statsOf(f);
    assert.equal(s.timestamps, false);
    assert.deepEqual(s.requests, base.requests);
    assert.equal(s.all.total.count, 0);
    assert.equal(s.interrupts.raised, base.interrupts.raised);
    const r = trace(f, '--format', 'jsonl');
    const first = JSON.parse(r.out.split('\n')[0]);
    assert.equal(first.time_ns, null);
    assert.match(r.err, /no timestamps/);
    assert.match(trace(f, '--format', 'none', '--stats').out, /latency\s+unknown: the log has no timestamps/);
  });

  test('raw strace -f -ttt lines mixed with the trace are placed on their threads', () => {
    const lines = readFileSync(THREADS, 'utf8').split('\n');
    const f = join(tmp, 'strace-mixed.txt');
    writeFileSync(
      f,
      [
        ...lines.slice(0, 9), // through thread_pool_submit
        '[pid 23615] 1795610380.735480 pwrite64(11</tmp/disk.raw>, "\\0\\0"..., 4096, 0) = 4096 <0.000300>',
        '23595 1795610380.735495 ppoll([{fd=3, events=POLLIN}], 1, NULL, NULL, 8 <unfinished ...>',
        '[pid 23615] 1795610380.735600 +++ exited with 0 +++',
        ...lines.slice(9),
      ].join('\n'),
    );
    const r = trace(f, '--format', 'jsonl');
    assert.equal(r.code, 0, r.err);
    const evs = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const pw = evs.filter((e) => e.function === 'pwrite64');
    assert.deepEqual(
      pw.map((e) => [e.phase, e.thread, e.traced]),
      [
        ['enter', 'worker-1', true],
        ['exit', 'worker-1', true],
      ],
    );
    assert.ok(evs.some((e) => e.function === 'ppoll' && e.thread === 'main-loop'));
    const s = statsOf(f);
    assert.deepEqual(
      s.syscalls,
      { placed: 2, pool_jobs_matched: 1, skipped: 1 },
      'the exit line is counted and skipped',
    );
  });

  test("QEMU's simple backend: a binary trace (written here from the format's description) decodes to the same requests", () => {
    const f = join(tmp, 'trace-23595');
    writeFileSync(
      f,
      encodeSimple(readFileSync(THREADS, 'utf8'), readFileSync(join(fx, '7.2', 'trace-events-all'), 'utf8')),
    );
    const s = statsOf(f, '--trace-events', join(fx, '7.2', 'trace-events-all'));
    assert.deepEqual(s.requests, base.requests);
    assert.deepEqual(s.by_op.write.total, base.by_op.write.total);
    assert.equal(s.threads.length, 1, 'the simple backend records the pid, not the thread');
    const r = trace(f);
    assert.equal(r.code, 2);
    assert.match(r.err, /simple-backend binary trace: pass --trace-events FILE/);
    const broken = join(tmp, 'trace-broken');
    writeFileSync(broken, readFileSync(f).subarray(0, 24 + 8 + 32)); // the header, then a record cut short
    const b = trace(broken, '--trace-events', join(fx, '7.2', 'trace-events-all'));
    assert.equal(b.code, 2, b.err);
    assert.match(b.err, /trace-broken: /);
  });
});

/**
 * A simple-backend file from a log, per the layout QEMU's scripts/simpletrace.py reads:
 * header (u64 ~0, u64 magic, u64 version 4), then per event a mapping record the first time
 * (u64 0, u64 id, u32 length, name) and an event record (u64 1, u64 id, u64 ns, u32 length of
 * the record after its type word, u32 pid, one u64 per argument or u32 length + bytes for strings).
 */
function encodeSimple(log: string, traceEvents: string): Buffer {
  const decls = new Map<string, { types: string[]; convs: string[]; re: RegExp }>();
  for (const line of traceEvents.split('\n')) {
    const m = /^(\w+)\((.*?)\) "(.*)$/.exec(line.trim());
    if (!m) continue;
    const fmt = m[3]
      .replace(/"\s*PRI([dux])64\s*"?/g, (_x, c: string) => `l${c}`)
      .replace(/"$/, '')
      .replace(/" "/g, '');
    const convs = [...fmt.matchAll(/%[lz]?([diuxsp])/g)].map((c) => c[1]);
    const pattern = fmt
      .replace(/[()]/g, '\\$&')
      .replace(/%p/g, '(0x[0-9a-f]+|\\(nil\\))')
      .replace(/%[lz]?[di]/g, '(-?\\d+)')
      .replace(/%[lz]?u/g, '(\\d+)')
      .replace(/%[lz]?x/g, '([0-9a-f]+)')
      .replace(/%s/g, '(.*?)');
    decls.set(m[1], { types: m[2].split(',').map((a) => a.trim()), convs, re: new RegExp(`^${pattern}$`) });
  }
  const parts: Buffer[] = [];
  const u64 = (v: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, v));
    return b;
  };
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  parts.push(u64(~0n), u64(0xf2b177cb0aa429b4n), u64(4n));
  const ids = new Map<string, bigint>();
  for (const line of log.split('\n')) {
    const m = /^(\d+)@(\d+)\.(\d+):(\w+) ?(.*)$/.exec(line);
    if (!m) continue;
    const name = m[4];
    const d = decls.get(name)!;
    const vals = d.re.exec(m[5])!.slice(1);
    if (!ids.has(name)) {
      ids.set(name, BigInt(ids.size));
      parts.push(u64(0n), u64(ids.get(name)!), u32(name.length), Buffer.from(name));
    }
    const args = vals.map((v, i) => {
      if (d.convs[i] === 's') return Buffer.concat([u32(v.length), Buffer.from(v)]);
      if (d.convs[i] === 'p') return u64(v === '(nil)' ? 0n : BigInt(v));
      return u64(d.convs[i] === 'x' ? BigInt(`0x${v}`) : BigInt(v));
    });
    const body = Buffer.concat(args);
    const ns = BigInt(m[2]) * 1_000_000_000n + BigInt(m[3]) * 1000n;
    parts.push(u64(1n), u64(ids.get(name)!), u64(ns), u32(24 + body.length), u32(23595), body);
  }
  return Buffer.concat(parts);
}

describe('trace: output formats', () => {
  test('--format jsonl: the simulator fields, then traced, event and line', () => {
    const r = trace(join(fx, '10.0', 'io_uring.10.0.log'), '--format', 'jsonl');
    assert.equal(r.code, 0, r.err);
    const evs = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of evs.slice(0, 200))
      assert.deepEqual(Object.keys(e), [
        'time_ns',
        'thread',
        'coroutine',
        'function',
        'phase',
        'requests',
        'traced',
        'event',
        'line',
      ]);
    assert.ok(evs.some((e) => e.phase === 'yield' && typeof e.coroutine === 'number' && e.requests.length === 1));
    assert.ok(evs.some((e) => e.phase === 'resume'));
    assert.ok(
      evs.some((e) => !e.traced && e.function === 'virtio_should_notify'),
      'suppressed interrupts are inferred',
    );
    assert.ok(evs.some((e) => e.event === 'luring_co_submit' && e.requests.length > 0));
  });

  test('--format chrome: threads, coroutine slices and each request as an async span split by stage', () => {
    const r = trace(THREADS, '--format', 'chrome');
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    const evs = doc.traceEvents as { ph: string; name: string; cat?: string; id?: string; args?: { name?: string } }[];
    const threads = evs.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    assert.deepEqual(threads.sort(), ['main-loop', 'pool workers (not traced)', 'vcpu0']);
    const spans = evs.filter((e) => e.ph === 'b' && e.cat === 'request' && e.name.startsWith('req '));
    assert.equal(spans.length, 44);
    const stages = new Set(evs.filter((e) => e.ph === 'b' && e.id === 'req1').map((e) => e.name));
    for (const s of ['kick_to_pop', 'pop_to_submit', 'backend', 'reenter_to_notify']) assert.ok(stages.has(s), s);
    const B = evs.filter((e) => e.ph === 'B').length;
    const E = evs.filter((e) => e.ph === 'E').length;
    assert.equal(B, E, 'coroutine slices close');
  });

  test('--format text lists events per thread with coroutine and requests', () => {
    const r = trace(THREADS);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /main-loop\s+co#1\s+⟂ qemu_coroutine_yield\s+req 1/);
    assert.match(r.out, /pool workers \(not traced\)\s+→ worker_thread\s+req 1\s+\(inferred\)/);
  });
});

describe('trace: bad input', () => {
  const bad = (file: string, ...args: string[]): string => {
    const r = trace(file, ...args);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.doesNotMatch(r.err, /\n\s+at /);
    return r.err;
  };

  test('not a trace, binary garbage, empty, missing, a directory, a bad flag', () => {
    const junk = join(tmp, 'junk.txt');
    writeFileSync(junk, 'hello world\nsecond line\n');
    assert.match(
      bad(junk),
      /junk.txt is not a QEMU trace: expected lines like "<tid>@<sec>\.<usec>:<event> <args>".*"hello world", "second line"/,
    );
    const bin = join(tmp, 'garbage.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 4096 }, (_v, i) => (i * 7919) % 256)));
    assert.match(bad(bin), /binary data, not a QEMU trace/);
    const empty = join(tmp, 'empty.log');
    writeFileSync(empty, '');
    assert.match(bad(empty), /empty\.log is empty/);
    assert.match(bad(join(tmp, 'nope.log')), /cannot read .*nope\.log: no such file/);
    assert.match(bad(tmp), /it is a directory/);
    assert.match(
      bad(THREADS, '--qemu-version', '8.1'),
      /--qemu-version 8\.1: expected one of auto, 4\.1\.0, 7\.2, 10\.0/,
    );
    assert.match(bad(THREADS, '--stats-format', 'json'), /--stats-format needs --stats/);
    const corrupt = join(tmp, 'corrupt.log.gz');
    writeFileSync(corrupt, Buffer.concat([gzipSync(readFileSync(THREADS)).subarray(0, 200), Buffer.alloc(64, 7)]));
    assert.match(bad(corrupt), /gzip data is corrupt/);
  });

  test('a log that starts and ends mid-flight: reported, not dropped', () => {
    const lines = readFileSync(THREADS, 'utf8').split('\n');
    const f = join(tmp, 'cut.log');
    writeFileSync(f, lines.slice(8, 566).join('\n'));
    const s = statsOf(f);
    assert.ok(s.anomalies.completed_never_started >= 1);
    assert.ok(s.anomalies.never_completed.count >= 1);
    assert.equal(s.requests.completed + s.anomalies.never_completed.count, s.requests.seen);
  });

  test('--qemu-version overrides the detection', () => {
    assert.equal(statsOf(THREADS, '--qemu-version', '10.0').qemu_version, '10.0');
    assert.match(statsOf(THREADS).version_from, /^detected: the events fit QEMU 6\.0–8\.1, which includes 7\.2/);
  });
});

describe('trace --follow', () => {
  test('a 0-byte log that grows: events as they come; its removal ends the run with a message', async () => {
    const f = join(tmp, 'growing.log');
    writeFileSync(f, '');
    const child = spawn(process.execPath, [cli, 'trace', f, '--follow', '--format', 'jsonl'], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(cond(), `${what}; stdout: ${out.slice(0, 200)} stderr: ${err}`);
    };
    await until(() => /waiting for QEMU to write/.test(err), 'says it waits');
    const lines = readFileSync(THREADS, 'utf8').split('\n');
    appendFileSync(f, lines.slice(0, 20).join('\n') + '\n');
    await until(() => out.includes('"virtio_blk_handle_write"'), 'the first lines come out');
    appendFileSync(f, lines.slice(20, 40).join('\n') + '\n');
    await until(() => out.includes('"line":40'), 'appended lines come out');
    rmSync(f);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 1);
    assert.match(err, /growing\.log was removed while being followed; stopping/);
  });

  test('Ctrl-C ends it and prints the statistics', async () => {
    const f = join(tmp, 'live.log');
    writeFileSync(f, readFileSync(THREADS));
    const child = spawn(process.execPath, [cli, 'trace', f, '--follow', '--format', 'none', '--stats'], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    for (let i = 0; i < 200 && !/following .*live\.log/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(err, /following .*live\.log \(Ctrl-C to stop\)/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0);
    assert.match(out, /requests\s+44 completed of 44 seen/);
  });
});
