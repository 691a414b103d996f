// The combinations the simulated QEMU version (or the model) refuses, with messages that say why. Each error
// carries the scenario field it is about (ConfigError.field), so a front end can name its own
// flag or launch field; the messages themselves use words, not internal names.

import { isModelled, MODELLED_VERSIONS, profileOf } from '../version';
import { ConfigError } from './errors';
import { AIO_MODES, DeviceModel, ERROR_POLICIES, RW_MODES, Scenario, TraceWorkload } from './scenario';

const DEVICE_WORDS: Record<keyof DeviceModel, string> = {
  queueDepth: 'device queue depth',
  readLatencyNs: 'device read latency',
  writeLatencyNs: 'device write latency',
  flushLatencyNs: 'device flush latency',
  bandwidthBytesPerSec: 'device bandwidth',
  jitter: 'device jitter',
  pageCacheBytesPerSec: 'page-cache bandwidth',
};

export function validateScenario(sc: Scenario): Scenario {
  const fail = (field: string, msg: string): never => {
    throw new ConfigError(msg, field);
  };
  const wl = sc.workload;
  if (!isModelled(sc.qemuVersion))
    fail(
      'qemuVersion',
      `QEMU version "${sc.qemuVersion}" is not modelled (available: ${MODELLED_VERSIONS.join(', ')})`,
    );
  const v = sc.qemuVersion;
  if (!Number.isSafeInteger(sc.diskBytes) || sc.diskBytes < 512 || sc.diskBytes % 512 !== 0)
    fail('diskBytes', `disk size ${sc.diskBytes} must be a positive multiple of 512 bytes`);
  if (!AIO_MODES.includes(sc.aio)) fail('aio', `aio "${sc.aio}" is not one of ${AIO_MODES.join(', ')}`);
  if (sc.aio === 'io_uring' && !profileOf(v).ioUring)
    fail('aio', `aio=io_uring is not available in QEMU ${v} (io_uring came in 5.0); choose qemuVersion 10.0`);
  if (sc.aio === 'native' && !sc.cache.direct) {
    fail(
      'aio',
      `aio=native requires cache.direct=on (cache=none or cache=directsync): QEMU ${v} refuses to open the image otherwise`,
    );
  }
  if ((sc.aioMaxBatch.iothread || sc.aioMaxBatch.drive) && !profileOf(v).laioMaxBatch)
    fail('aioMaxBatch', `aio-max-batch is not in QEMU ${v} (it came in 6.1); choose qemuVersion 10.0`);
  if (sc.aioMaxBatch.iothread && !sc.iothread)
    fail('aioMaxBatch', "aio-max-batch of an iothread needs the drive's device to use the iothread");
  if (!ERROR_POLICIES.includes(sc.werror))
    fail('werror', `werror "${sc.werror}" is not one of ${ERROR_POLICIES.join(', ')}`);
  if (!['report', 'ignore', 'stop'].includes(sc.rerror))
    fail('rerror', `rerror "${sc.rerror}" is not one of report, ignore, stop (enospc is a write-only policy)`);
  if (sc.iothread && !sc.ioeventfd)
    fail('ioeventfd', 'ioeventfd=off cannot be combined with an iothread (QEMU requires ioeventfd for iothread=)');
  if (!RW_MODES.includes(wl.rw)) fail('rw', `rw "${wl.rw}" is not one of ${RW_MODES.join(', ')}`);
  if (!Number.isInteger(wl.bs) || wl.bs < 512 || wl.bs % 512 !== 0)
    fail('bs', `bs ${wl.bs} must be a positive multiple of 512 bytes`);
  if (wl.bs > 64 * 1024 * 1024) fail('bs', `bs ${wl.bs} is larger than the 64 MiB the model accepts`);
  if (
    !Number.isInteger(sc.queueSize) ||
    sc.queueSize < 2 ||
    sc.queueSize > 1024 ||
    (sc.queueSize & (sc.queueSize - 1)) !== 0
  ) {
    fail('queueSize', `queue-size ${sc.queueSize} must be a power of two from 2 to 1024`);
  }
  if (!Number.isInteger(wl.iodepth) || wl.iodepth < 1) fail('iodepth', `iodepth ${wl.iodepth} must be at least 1`);
  if (wl.iodepth > sc.queueSize) {
    fail(
      'iodepth',
      `iodepth ${wl.iodepth} exceeds the virtqueue's queue-size ${sc.queueSize}: the guest cannot have more requests in the ring`,
    );
  }
  if (!Number.isInteger(wl.batch) || wl.batch < 1 || wl.batch > wl.iodepth)
    fail('batch', `batch ${wl.batch} must be between 1 and iodepth (${wl.iodepth})`);
  if (!(wl.requests >= 1)) fail('requests', `requests ${wl.requests} must be at least 1`);
  if (!(wl.runtimeNs >= 0)) fail('runtime', `runtime ${wl.runtimeNs} must not be negative`);
  if (!Number.isInteger(wl.rwmixread) || wl.rwmixread < 0 || wl.rwmixread > 100)
    fail('rwmixread', `rwmixread ${wl.rwmixread} must be 0..100`);
  if (wl.offset % 512 !== 0 || wl.offset < 0)
    fail('offset', `offset ${wl.offset} must be a non-negative multiple of 512`);
  if (wl.offset >= sc.diskBytes) fail('offset', `offset ${wl.offset} is past the end of the ${sc.diskBytes}-byte disk`);
  const region = wl.size > 0 ? wl.size : sc.diskBytes - wl.offset;
  if (wl.offset + region > sc.diskBytes)
    fail('size', `offset + size (${wl.offset + region}) is past the end of the ${sc.diskBytes}-byte disk`);
  if (region < wl.bs) fail('size', `the region (${region} bytes) is smaller than one request (bs ${wl.bs})`);
  if (!Number.isInteger(wl.flushEvery) || wl.flushEvery < 0)
    fail('flushEvery', `flushEvery ${wl.flushEvery} must be 0 or more`);
  if (!(wl.thinktimeNs >= 0)) fail('thinktime', `thinktime ${wl.thinktimeNs} must not be negative`);
  if (!Number.isInteger(wl.thinktimeBlocks) || wl.thinktimeBlocks < 1)
    fail('thinktimeBlocks', `thinktime_blocks ${wl.thinktimeBlocks} must be at least 1`);
  if (![512, 1024, 2048, 4096].includes(sc.hostBlockSize))
    fail('hostBlockSize', `host block size ${sc.hostBlockSize} must be 512, 1024, 2048 or 4096`);
  if (!Number.isInteger(sc.seed) || sc.seed < 0 || sc.seed > 0xffffffff)
    fail('seed', `seed ${sc.seed} must be an integer from 0 to 4294967295`);
  if (!(sc.pollMaxNs >= 0)) fail('pollMaxNs', `poll-max-ns ${sc.pollMaxNs} must not be negative`);
  const d = sc.device;
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`device.${k}`, `${DEVICE_WORDS[k as keyof DeviceModel] ?? k} ${v} must not be negative`);
  }
  if (d.queueDepth < 1 || !Number.isInteger(d.queueDepth))
    fail('device.queueDepth', `device queue depth ${d.queueDepth} must be a whole number ≥ 1`);
  if (d.bandwidthBytesPerSec <= 0) fail('device.bandwidthBytesPerSec', 'device bandwidth must be more than 0 bytes/s');
  if (d.pageCacheBytesPerSec <= 0)
    fail('device.pageCacheBytesPerSec', 'page-cache bandwidth must be more than 0 bytes/s');
  if (d.jitter >= 1) fail('device.jitter', `device jitter ${d.jitter} must be below 1`);
  if (wl.fromTrace) validateTrace(wl.fromTrace, sc, fail);
  if (!Number.isInteger(sc.maxResumes) || sc.maxResumes < 0)
    fail('maxResumes', `maxResumes ${sc.maxResumes} must be 0 or more`);
  return sc;
}

/** A trace's requests must fit the simulated disk, the model's request size and the ring. */
function validateTrace(trace: TraceWorkload, sc: Scenario, fail: (field: string, msg: string) => never): void {
  const where = `the workload from trace ${trace.file}`;
  let n = 0;
  for (const kick of trace.kicks) {
    if (kick.requests.length > sc.queueSize)
      fail(
        'workload.fromTrace',
        `${where}: a kick with ${kick.requests.length} requests does not fit the virtqueue's queue-size ${sc.queueSize}`,
      );
    for (const r of kick.requests) {
      n++;
      if (r.op === 'flush') continue;
      const what = `${where}: request ${n} (${r.op} of ${r.bytes} bytes at sector ${r.sector})`;
      if (r.bytes > 64 * 1024 * 1024) fail('workload.fromTrace', `${what} is larger than the 64 MiB the model accepts`);
      if (r.sector * 512 + r.bytes > sc.diskBytes)
        fail(
          'workload.fromTrace',
          `${what} ends past the end of the ${sc.diskBytes}-byte disk (give a larger disk size)`,
        );
    }
  }
}
