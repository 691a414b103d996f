import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildScenario, readFioFile } from '../../simulator/config/build';
import { ConfigError } from '../../simulator/config/errors';
import { parseFault } from '../../simulator/config/faults';
import { parseFioJob } from '../../simulator/config/fio';
import { parseQemuCommandLine, shellSplit } from '../../simulator/config/qemu-cmdline';
import { parseDuration, parseSize } from '../../simulator/config/units';

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && pattern.test(e.message));

describe('sizes and durations', () => {
  test('accept 4096, 4k, 1M, 2G and 500us, 10ms, 2s', () => {
    assert.equal(parseSize('4096', 'bs'), 4096);
    assert.equal(parseSize('4k', 'bs'), 4096);
    assert.equal(parseSize('1M', 'bs'), 1048576);
    assert.equal(parseSize('2GiB', 'size'), 2 * 1024 ** 3);
    assert.equal(parseDuration('500us', 'x'), 500_000);
    assert.equal(parseDuration('10ms', 'x'), 10_000_000);
    assert.equal(parseDuration('2', 'x', 's'), 2e9);
  });
  test('name the bad value', () => {
    rejects(() => parseSize('4q', '--bs'), /--bs: "4q" is not a size/);
    rejects(() => parseDuration('fast', '--runtime'), /--runtime: "fast" is not a duration/);
  });
});

describe('QEMU command-line fragments', () => {
  test('a real -drive/-device/-object line sets aio, cache, iothread and error policies', () => {
    const q = parseQemuCommandLine(`qemu-system-x86_64 -enable-kvm -m 4G -smp 4 \\
      -object iothread,id=io0,poll-max-ns=65536 \\
      -drive if=none,id=d0,file=/var/lib/disk.img,format=raw,aio=native,cache=none,werror=stop,rerror=report \\
      -device virtio-blk-pci,drive=d0,iothread=io0,request-merging=off,queue-size=256`);
    assert.equal(q.aio, 'native');
    assert.deepEqual(q.cache, { direct: true, writeback: true, noFlush: false });
    assert.equal(q.iothread, true);
    assert.equal(q.pollMaxNs, 65536);
    assert.equal(q.werror, 'stop');
    assert.equal(q.rerror, 'report');
    assert.equal(q.requestMerging, false);
    assert.equal(q.queueSize, 256);
    assert.deepEqual(q.ignored, ['-enable-kvm', '-m', '-smp']);
  });
  test('cache.direct=on and -blockdev are understood', () => {
    const q = parseQemuCommandLine(
      '-blockdev driver=file,node-name=f0,filename=d.img,aio=native,cache.direct=on -blockdev driver=raw,node-name=d0,file=f0 -device virtio-blk-pci,drive=d0',
    );
    assert.equal(q.aio, 'native');
    assert.equal(q.cache?.direct, true);
  });
  test('quotes and doubled commas', () => {
    assert.deepEqual(shellSplit(`-drive 'file=a b.img,,x' "-m" 1G`), ['-drive', 'file=a b.img,,x', '-m', '1G']);
  });
  test('errors name the option', () => {
    rejects(
      () => parseQemuCommandLine('-drive id=d0,bogus=1 -device virtio-blk-pci,drive=d0'),
      /-drive has no option "bogus"/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0,format=qcow2 -device virtio-blk-pci,drive=d0'),
      /format qcow2 is not modelled/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0 -device virtio-blk-pci,drive=d0,num-queues=4'),
      /num-queues=4 is not supported/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0 -device virtio-blk-pci,drive=d1'),
      /drive=d1, but no -drive id=d1/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0 -device virtio-blk-pci,drive=d0,iothread=io9'),
      /no -object iothread,id=io9/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0,aio=io_uring -device virtio-blk-pci,drive=d0'),
      /aio=io_uring is not available in QEMU 4.1.0 \(it came in 5.0\); choose qemuVersion 10.0/,
    );
    rejects(
      () => parseQemuCommandLine('-drive id=d0,rerror=enospc -device virtio-blk-pci,drive=d0'),
      /rerror=enospc is not one of report, ignore, stop/,
    );
    rejects(() => parseQemuCommandLine('-drive "id=d0'), /unterminated/);
  });
  test('aio=native without O_DIRECT is refused with the reason', () => {
    rejects(
      () => buildScenario({ qemu: '-drive id=d0,aio=native -device virtio-blk-pci,drive=d0' }),
      /aio=native requires cache.direct=on/,
    );
  });
});

describe('fio job files', () => {
  test('read the workload options', () => {
    const f = parseFioJob(`; a comment
[global]
ioengine=libaio
direct=1
bs=4k
[randread-qd32]
rw=randread
iodepth=32
iodepth_batch_submit=8
number_ios=1000
fsync=0
randseed=99
`);
    assert.deepEqual(f.workload, { bs: 4096, rw: 'randread', iodepth: 32, batch: 8, requests: 1000, flushEvery: 0 });
    assert.equal(f.seed, 99);
  });
  test('size bounds the job when no count or runtime is given', () => {
    assert.equal(parseFioJob('[j]\nrw=write\nbs=64k\nsize=1M\n').workload.requests, 16);
  });
  test('errors name the line', () => {
    rejects(
      () => parseFioJob('[j]\nrw=write\nzonemode=zbd\n', 'job.fio'),
      /job.fio:3: zonemode: unknown or unmodelled fio option/,
    );
    rejects(() => parseFioJob('[a]\nrw=read\n[b]\nrw=write\n', 'job.fio'), /job.fio:3: a second job \[b\]/);
    rejects(() => parseFioJob('bs=4k\n', 'job.fio'), /job.fio:1: option "bs" comes before any \[section\]/);
    rejects(() => parseFioJob('[j]\nrw=sideways\n', 'job.fio'), /rw=sideways is not one of/);
  });
});

describe('faults', () => {
  test('ranges, n-th request and counts', () => {
    assert.deepEqual(parseFault('write:0-2047:EIO'), {
      op: 'write',
      sectors: [0, 2047],
      nth: 0,
      errno: 5,
      times: Infinity,
    });
    assert.deepEqual(parseFault('read:#3:ENOSPC'), { op: 'read', sectors: null, nth: 3, errno: 28, times: 1 });
    assert.deepEqual(parseFault('flush:*:EIO:2'), { op: 'flush', sectors: null, nth: 0, errno: 5, times: 2 });
  });
  test('bad specs are named', () => {
    rejects(() => parseFault('trim:*:EIO'), /op "trim" is not one of/);
    rejects(() => parseFault('write:9-1:EIO'), /sector range 9-1 is empty/);
    rejects(() => parseFault('write:*:EPERM'), /errno "EPERM" is not EIO or ENOSPC/);
    rejects(() => parseFault('write'), /expected op:sectors:errno/);
  });
});

describe('scenario validation', () => {
  test('impossible combinations are refused with the field named', () => {
    rejects(() => buildScenario({ workload: { bs: 1000 } }), /bs 1000 must be a positive multiple of 512/);
    rejects(() => buildScenario({ workload: { iodepth: 200 } }), /iodepth 200 exceeds the virtqueue's queue-size 128/);
    rejects(
      () => buildScenario({ iothread: true, ioeventfd: false }),
      /ioeventfd=off cannot be combined with an iothread/,
    );
    rejects(() => buildScenario({ workload: { offset: 2 ** 40 } }), /past the end/);
  });
  test('a fio job file that is not there is named', async () => {
    await assert.rejects(
      readFioFile('/nonexistent/job.fio', '--fio'),
      /--fio: fio job file "\/nonexistent\/job.fio": no such file/,
    );
  });
  test('precedence: defaults < --qemu < fio < flags', () => {
    const { scenario } = buildScenario({
      qemu: '-drive id=d0,cache=none,aio=native -device virtio-blk-pci,drive=d0',
      fioText: '[j]\nrw=randread\nbs=8k\niodepth=4\nnumber_ios=10\n',
      workload: { iodepth: 2 },
    });
    assert.equal(scenario.aio, 'native');
    assert.equal(scenario.workload.rw, 'randread');
    assert.equal(scenario.workload.bs, 8192);
    assert.equal(scenario.workload.iodepth, 2);
    assert.equal(scenario.workload.requests, 10);
  });
});
