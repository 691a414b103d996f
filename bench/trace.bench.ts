// Trace reading speed and memory: the real QEMU logs of test/fixtures/traces concatenated to
// ≥ 1 GiB in a temp dir (deleted afterwards), read by the library's parse + rebuild (what
// `trace --format none --stats` does, with a checkpoint every 65,536 lines as a seek index
// would keep) against the floor: a bare Node line split of the same file (read stream, latin1
// text, split on '\n', count). Alternating blocks in one run; the rebuild's peak RSS is measured
// in a child process of its own. Targets: ≥ 1.5M lines/s, ≤ 3× the floor, ≤ 300 MB.

import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { CHUNK_BYTES } from '../simulator/trace/input';
import { TraceReader } from '../simulator/trace/reader';

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const TARGET_BYTES = 1 << 30;

async function makeLog(dir: string): Promise<string> {
  const fx = join(__dirname, '..', '..', 'test', 'fixtures', 'traces');
  const logs = readdirSync(fx)
    .flatMap((v) => readdirSync(join(fx, v)).map((f) => join(fx, v, f)))
    .filter((f) => f.endsWith('.log') || f.endsWith('.with-syscalls.txt'))
    .map((f) => readFileSync(f));
  const file = join(dir, 'big.log');
  const out = createWriteStream(file);
  let bytes = 0;
  while (bytes < TARGET_BYTES) {
    for (const l of logs) {
      if (!out.write(l)) await once(out, 'drain');
      bytes += l.length;
    }
  }
  out.end();
  await once(out, 'finish');
  return file;
}

/** The floor: read, decode, split into lines, nothing else. */
async function floor(file: string): Promise<number> {
  let lines = 0;
  let chars = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    const text = carry + chunk.toString('latin1');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      chars += line.length;
      lines++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (chars < 0) throw new Error('unreachable');
  return lines;
}

async function rebuild(file: string): Promise<{ lines: number; requests: number }> {
  const reader = new TraceReader('10.0', { checkpointEvery: 65536 });
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>)
    reader.push(chunk);
  reader.end();
  return { lines: reader.lineNo, requests: reader.stats.completed };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (mode === 'rebuild') {
    const r = await rebuild(file);
    process.stdout.write(JSON.stringify({ ...r, maxRssKiB: process.resourceUsage().maxRSS }));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qemu-io-trace-bench-'));
  try {
    const [big, genS] = await timed(() => makeLog(dir));
    const size = statSync(big).size;
    console.log(`trace: generated ${fmt(size / 2 ** 20)} MiB of concatenated real logs in ${fmt(genS, 1)} s`);
    const floors: number[] = [];
    const rebuilds: number[] = [];
    let lines = 0;
    let requests = 0;
    for (let round = 0; round < 2; round++) {
      const [n, fs] = await timed(() => floor(big));
      floors.push(fs);
      const [r, rs] = await timed(() => rebuild(big));
      rebuilds.push(rs);
      if (n !== r.lines) throw new Error(`line counts differ: floor ${n}, rebuild ${r.lines}`);
      lines = n;
      requests = r.requests;
    }
    const f = Math.min(...floors);
    const b = Math.min(...rebuilds);
    console.log(
      `trace: ${fmt(lines)} lines, ${fmt(requests)} requests rebuilt; best of 2 alternating rounds: ` +
        `floor (line split) ${fmt(f, 2)} s = ${fmt(lines / f / 1e6, 2)} M lines/s; ` +
        `parse + rebuild ${fmt(b, 2)} s = ${fmt(lines / b / 1e6, 2)} M lines/s (${fmt(b / f, 2)}× the floor; targets ≥ 1.5 M lines/s, ≤ 3×)`,
    );
    const child = spawnSync(process.execPath, [__filename, 'rebuild', big], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const c = JSON.parse(child.stdout) as { maxRssKiB: number; lines: number };
    console.log(
      `trace: parse + rebuild in a process of its own: peak RSS ${fmt(c.maxRssKiB / 1024, 1)} MiB over ${fmt(size / 2 ** 20)} MiB (target ≤ 300 MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
