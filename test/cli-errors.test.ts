// The command line's bad inputs, as a table: each one exits with code 2 and prints exactly one
// line on stderr naming the problem (the flag, the field or the file), nothing on stdout, no
// stack trace, no long echo of the input, no raw bytes; nothing hangs.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'qemu-io-cli-'));
const fifo = join(dir, 'job.fio');
const secret = join(dir, 'secret.env');
const binary = join(dir, 'blob.fio');
const ignoredJob = join(dir, 'libaio.fio');

before(() => {
  if (!existsSync(cli)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build');
  }
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  writeFileSync(secret, 'SECRET_TOKEN=hunter2-do-not-print\n');
  writeFileSync(binary, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  writeFileSync(ignoredJob, '[job]\nioengine=libaio\ndirect=1\nverify=md5\nrw=randread\nnumber_ios=4\n');
});

interface Result {
  code: number | null;
  out: string;
  err: string;
  timedOut: boolean;
}

function run(args: string[], timeoutMs = 10_000): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut: signal === 'SIGKILL' });
    });
  });
}

const long = 'x'.repeat(120_000);

/** [arguments after `simulate` (or a whole command line), what the one line must say]. */
const CASES: [string[], RegExp][] = [
  [['--fio', fifo], /--fio: fio job file ".*job\.fio": a FIFO/],
  [['--fio', '/dev/zero'], /--fio: fio job file "\/dev\/zero": a character device/],
  [['--fio', '/'], /--fio: fio job file "\/": a directory/],
  [['--fio', join(dir, 'missing.fio')], /--fio: fio job file ".*missing\.fio": no such file/],
  [['--fio', secret], /secret\.env:1: option "SECRET_TOKEN" comes before any \[section\]/],
  [['--fio', binary], /--fio: fio job file ".*blob\.fio": binary data/],
  [['--qemu', 'garbage'], /QEMU command line: nothing to take settings from.*"garbage" for the program name/],
  [['--qemu', 'qemu-system-x86_64 -m 4G'], /nothing to take settings from.*not used: -m/],
  [['--qemu', '-drive id=d0,bogus=1 -device virtio-blk-pci,drive=d0'], /-drive has no option "bogus"/],
  [['--qemu', '-drive "id=d0'], /unterminated " quote/],
  [['--disk-size', '0'], /--disk-size 0: disk size 0 must be a positive multiple of 512/],
  [['--device-bandwidth', '0'], /--device-bandwidth 0: device bandwidth must be more than 0/],
  [['--bs', long], /--bs: "x{20,40}… is not a size/],
  [['--bs', '4q'], /--bs: "4q" is not a size/],
  [['--bs', '\u0001\u0002'], /--bs: "\\u0001\\u0002" is not a size/],
  [['--bs', '1000'], /--bs 1000: bs 1000 must be a positive multiple of 512/],
  [['--iodepth', '0'], /--iodepth: 0 is out of range/],
  [['--iodepth', '200'], /--iodepth 200: iodepth 200 exceeds the virtqueue's queue-size 128/],
  [['--rw', 'sideways'], /--rw sideways: expected one of read, write/],
  [['--aio', 'io_uring'], /--aio io_uring: aio=io_uring is not available in QEMU 4.1.0 \(io_uring came in 5.0\)/],
  [['--aio', 'native'], /--aio native: aio=native requires cache.direct=on/],
  [['--format', 'xml'], /--format xml: expected one of text, jsonl/],
  [['--fault', 'write:all:EIO'], /sector range "all"/],
  [['--seed', '-1'], /--seed: -1 is out of range/],
  [['--queue-size', '100'], /--queue-size 100: queue-size 100 must be a power of two/],
  [['--host-block-size', '1000'], /--host-block-size 1000: host block size 1000 must be 512/],
  [['--rwmixread', '101'], /--rwmixread: 101 is out of range/],
  [['--runtime', 'soon'], /--runtime: "soon" is not a duration/],
  [['--max-events', '0'], /--max-events: 0 is out of range/],
  [['--request-merging', 'maybe'], /--request-merging: "maybe" is not on\/off/],
  [['--bogus'], /unknown option "--bogus" \(see: qemu-io-explorer simulate --help\)/],
  [['--bogus' + long], /unknown option "--bogusx{20,40}…/],
  [['extra'], /unexpected argument "extra"/],
  [['--offset', '1T'], /--offset 1T: offset \d+ is past the end/],
];

// concurrently: each case is a Node process that spends most of its time starting
describe('qemu-io-explorer simulate: bad input', { concurrency: 4 }, () => {
  for (const [args, says] of CASES) {
    const label = args.map((a) => (a.length > 40 ? `${a.slice(0, 12)}…(${a.length})` : JSON.stringify(a))).join(' ');
    test(label, async () => {
      const r = await run(['simulate', ...args]);
      assert.equal(r.timedOut, false, 'finished within 10 s');
      assert.equal(r.code, 2, `exit code 2; stderr: ${r.err.slice(0, 300)}`);
      assert.equal(r.out, '', 'nothing on stdout');
      const lines = r.err.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `one line: ${JSON.stringify(r.err.slice(0, 500))}`);
      assert.match(lines[0], /^qemu-io-explorer: error: /);
      assert.match(lines[0], says);
      assert.ok(lines[0].length <= 500, `short: ${lines[0].length} chars`);
      assert.doesNotMatch(lines[0], /hunter2|\n\s+at |\.js:\d+/);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(lines[0], /[\u0000-\u0008\u000b-\u001f\u007f]/);
    });
  }

  test('an unknown command', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^qemu-io-explorer: error: unknown command "frobnicate"/);
  });

  test('fio options read but not used are named, with why, in a note', async () => {
    const r = await run(['simulate', '--fio', ignoredJob, '--format', 'none']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /note: .*libaio\.fio: options not used by the simulator: ioengine, direct \(how fio submits/);
    assert.match(r.err, /verify \(the data fio writes or checks/);
  });
});
