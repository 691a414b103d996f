// Takes a scenario's settings from the QEMU command line a user really runs: the -drive (or
// -blockdev), -device virtio-blk-pci and -object iothread options. Options that have
// nothing to do with the block path (-m, -smp, -netdev, ...) are ignored and listed; an
// unknown key inside one of the options we read is an error, as QEMU would make it, and so is
// an option the simulated QEMU version does not have yet (or any more).

import type { ModelledVersion } from '../version';
import { readBlkdebugConfig } from './blkdebug';
import { ConfigError, excerpt, shortText } from './errors';
import {
  AioMode,
  BlkdebugRule,
  CACHE_MODES,
  CacheFlags,
  cacheFlags,
  CacheMode,
  ERROR_POLICIES,
  ErrorPolicy,
} from './scenario';
import { parseBool, parseDuration, parseInteger } from './units';

export interface QemuSettings {
  aio?: AioMode;
  /** file.driver=blkdebug: the rules of its file.config (none without one). */
  blkdebug?: BlkdebugRule[];
  /** aio-max-batch of the iothread and of the drive (0: the default). */
  iothreadMaxBatch?: number;
  driveMaxBatch?: number;
  cache?: CacheFlags;
  iothread?: boolean;
  werror?: ErrorPolicy;
  rerror?: ErrorPolicy;
  requestMerging?: boolean;
  ioeventfd?: boolean;
  eventIdx?: boolean;
  queueSize?: number;
  pollMaxNs?: number;
  /** The -trace event patterns, in order (`name*`, or `-name*` to disable); none: -trace not given. */
  traceEvents?: string[];
  /** Options we did not read, for the user to know. */
  ignored: string[];
}

/** Split like a POSIX shell: quotes and backslashes; line continuations are whitespace. */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) {
        cur += text[++i];
        inWord = true;
      }
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new ConfigError(`QEMU command line: unterminated ${quote} quote`, 'qemu');
  if (inWord) out.push(cur);
  return out;
}

/** QEMU's option syntax: `a=b,c=d`, where `,,` is a literal comma; a first bare word is the driver/type. */
export function parseOptList(text: string, implied: string | null): { head: string | null; opts: Map<string, string> } {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ',') {
      if (text[i + 1] === ',') {
        cur += ',';
        i++;
      } else {
        items.push(cur);
        cur = '';
      }
    } else cur += text[i];
  }
  items.push(cur);
  const opts = new Map<string, string>();
  let head: string | null = null;
  items.forEach((item, i) => {
    if (item === '') return;
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (i === 0 && implied !== null) head = item;
      else opts.set(item, 'on');
    } else opts.set(item.slice(0, eq), item.slice(eq + 1));
  });
  return { head, opts };
}

const DRIVE_KEYS = new Set([
  'file',
  'format',
  'if',
  'id',
  'cache',
  'aio',
  'cache.direct',
  'cache.no-flush',
  'cache.writeback',
  'werror',
  'rerror',
  'media',
  'readonly',
  'discard',
  'detect-zeroes',
  'node-name',
  'serial',
  'index',
  'bus',
  'unit',
  'snapshot',
  'auto-read-only',
  'file.locking',
  'locking',
  'copy-on-read',
  'aio-max-batch',
  // blkdebug between the format and the image: file.driver=blkdebug,file.config=...,file.image.*
  'file.driver',
  'file.config',
  'file.image.driver',
  'file.image.filename',
  'file.image.aio',
  'file.image.aio-max-batch',
  'file.image.locking',
]);
const DEVICE_KEYS = new Set([
  'drive',
  'iothread',
  'request-merging',
  'num-queues',
  'queue-size',
  'ioeventfd',
  'event_idx',
  'id',
  'bus',
  'addr',
  'scsi',
  'config-wce',
  'write-cache',
  'logical_block_size',
  'physical_block_size',
  'serial',
  'bootindex',
  'disable-legacy',
  'disable-modern',
  'vectors',
  'indirect_desc',
  'seg-max-adjust',
  'discard',
  'write-zeroes',
  'min_io_size',
  'opt_io_size',
  'werror',
  'rerror',
  'multifunction',
  'rombar',
  'romfile',
  'iothread-vq-mapping',
]);
const IOTHREAD_KEYS = new Set([
  'id',
  'poll-max-ns',
  'poll-grow',
  'poll-shrink',
  'aio-max-batch',
  'thread-pool-min',
  'thread-pool-max',
]);

/**
 * Options of the block path that exist only from one release on (or only until one): a QEMU of
 * another version refuses them, and so does the simulator, naming the version.
 */
const LIFETIMES: Record<string, { since?: string; until?: string; what: string }> = {
  'aio=io_uring': { since: '5.0', what: 'aio=io_uring' },
  'device:seg-max-adjust': { since: '5.0', what: 'the virtio-blk option seg-max-adjust' },
  'device:scsi': { until: '9.1', what: 'the virtio-blk option scsi' },
  'device:iothread-vq-mapping': { since: '9.0', what: 'the virtio-blk option iothread-vq-mapping' },
  'iothread:aio-max-batch': { since: '6.1', what: 'the iothread option aio-max-batch' },
  'iothread:thread-pool-min': { since: '7.1', what: 'the iothread option thread-pool-min' },
  'iothread:thread-pool-max': { since: '7.1', what: 'the iothread option thread-pool-max' },
  'drive:aio-max-batch': { since: '6.2', what: 'the drive option aio-max-batch' },
};

/** Refuses an option the simulated version does not have. */
function checkVersion(key: string, version: ModelledVersion): void {
  const life = LIFETIMES[key];
  if (!life) return;
  const at = (r: string) => r.split('.').map(Number);
  const [vMaj, vMin] = at(version);
  const before = (r: string) => vMaj < at(r)[0] || (vMaj === at(r)[0] && vMin < at(r)[1]);
  if (life.since && before(life.since))
    throw new ConfigError(
      `QEMU command line: ${life.what} is not available in QEMU ${version} (it came in ${life.since}); choose qemuVersion 10.0`,
      'qemu',
    );
  if (life.until && !before(life.until))
    throw new ConfigError(
      `QEMU command line: ${life.what} is not available in QEMU ${version} (removed in ${life.until}); choose qemuVersion 4.1.0`,
      'qemu',
    );
}

/** Options the simulated version has but the model does not. */
const NOT_MODELLED: Record<string, string> = {
  'device:iothread-vq-mapping': 'one virtqueue in one AioContext',
  'iothread:thread-pool-min': "the pool keeps QEMU's defaults (0 to 64 workers)",
  'iothread:thread-pool-max': "the pool keeps QEMU's defaults (0 to 64 workers)",
};

function checkModelled(key: string, option: string): void {
  const why = NOT_MODELLED[key];
  if (why) throw new ConfigError(`QEMU command line: ${option} is not modelled (${why})`, 'qemu');
}
const BLOCKDEV_KEYS = new Set([
  'driver',
  'node-name',
  'filename',
  'file',
  'aio',
  'cache.direct',
  'cache.no-flush',
  'read-only',
  'auto-read-only',
  'discard',
  'detect-zeroes',
  'locking',
  'cache',
]);

function checkKeys(opts: Map<string, string>, allowed: Set<string>, where: string): void {
  for (const key of opts.keys()) {
    if (!allowed.has(key))
      throw new ConfigError(
        `QEMU command line: ${where} has no option ${excerpt(key, 40)} (or it is not modelled)`,
        'qemu',
      );
  }
}

function policy(value: string, what: string, read: boolean): ErrorPolicy {
  if (!(ERROR_POLICIES as readonly string[]).includes(value) || (read && value === 'enospc')) {
    const allowed = read ? 'report, ignore, stop' : ERROR_POLICIES.join(', ');
    throw new ConfigError(`QEMU command line: ${what}=${shortText(value, 40)} is not one of ${allowed}`, 'qemu');
  }
  return value as ErrorPolicy;
}

export function parseQemuCommandLine(text: string, version: ModelledVersion = '4.1.0'): QemuSettings {
  const argv = shellSplit(text);
  const res: QemuSettings = { ignored: [] };
  const drives: { id: string | null; opts: Map<string, string> }[] = [];
  const blockdevs: Map<string, string>[] = [];
  const iothreads = new Map<string, Map<string, string>>();
  let device: Map<string, string> | null = null;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (i === 0 && !arg.startsWith('-')) continue; // the program name
    if (!arg.startsWith('-'))
      throw new ConfigError(`QEMU command line: unexpected ${excerpt(arg, 40)} (not an option)`, 'qemu');
    const name = arg.replace(/^--?/, '');
    const takesValue = ![
      'enable-kvm',
      'nographic',
      'nodefaults',
      'no-reboot',
      'daemonize',
      'S',
      'snapshot',
      'no-shutdown',
    ].includes(name);
    const value = takesValue ? argv[++i] : undefined;
    if (takesValue && value === undefined)
      throw new ConfigError(`QEMU command line: ${shortText(arg, 40)} needs a value`, 'qemu');
    switch (name) {
      case 'drive': {
        const { opts } = parseOptList(value!, null);
        checkKeys(opts, DRIVE_KEYS, '-drive');
        for (const k of opts.keys()) checkVersion(`drive:${k}`, version);
        drives.push({ id: opts.get('id') ?? null, opts });
        break;
      }
      case 'blockdev': {
        const { opts } = parseOptList(value!, null);
        checkKeys(opts, BLOCKDEV_KEYS, '-blockdev');
        blockdevs.push(opts);
        break;
      }
      case 'device': {
        const { head, opts } = parseOptList(value!, 'driver');
        const driver = head ?? opts.get('driver') ?? '';
        opts.delete('driver');
        if (driver === 'virtio-blk-pci' || driver === 'virtio-blk') {
          if (device)
            throw new ConfigError(
              'QEMU command line: more than one virtio-blk device; the simulator models one',
              'qemu',
            );
          checkKeys(opts, DEVICE_KEYS, `-device ${driver}`);
          for (const k of opts.keys()) {
            checkVersion(`device:${k}`, version);
            checkModelled(`device:${k}`, `-device ${driver} option ${k}`);
          }
          device = opts;
        } else res.ignored.push(`-device ${driver}`);
        break;
      }
      case 'object': {
        const { head, opts } = parseOptList(value!, 'type');
        const type = head ?? opts.get('qom-type') ?? '';
        opts.delete('qom-type');
        if (type === 'iothread') {
          checkKeys(opts, IOTHREAD_KEYS, '-object iothread');
          for (const k of opts.keys()) {
            checkVersion(`iothread:${k}`, version);
            checkModelled(`iothread:${k}`, `-object iothread option ${k}`);
          }
          const id = opts.get('id');
          if (!id) throw new ConfigError('QEMU command line: -object iothread needs an id=', 'qemu');
          iothreads.set(id, opts);
        } else res.ignored.push(`-object ${type}`);
        break;
      }
      case 'trace': {
        // -trace [enable=]PATTERN picks the events the log prints; events=FILE and file=FILE we do not read
        const { head, opts } = parseOptList(value!, 'enable');
        const pattern = head ?? opts.get('enable');
        if (pattern !== undefined) (res.traceEvents ??= []).push(pattern);
        else res.ignored.push(`${arg} ${value}`);
        break;
      }
      default:
        res.ignored.push(arg);
    }
  }

  if (drives.length === 0 && blockdevs.length === 0 && device === null && iothreads.size === 0) {
    const skipped =
      argv.length > 0 && !argv[0].startsWith('-') ? ` (took ${excerpt(argv[0], 40)} for the program name)` : '';
    throw new ConfigError(
      `QEMU command line: nothing to take settings from: no -drive, -blockdev, -device virtio-blk-pci or -object iothread${skipped}${res.ignored.length ? `; not used: ${shortText(res.ignored.join(' '), 80)}` : ''}`,
      'qemu',
    );
  }
  applyDrive(res, drives, blockdevs, device, version);
  if (device) applyDevice(res, device, iothreads);
  else if (drives.some((d) => d.opts.get('if') === 'virtio')) res.iothread = false;
  else if (drives.length > 0 || blockdevs.length > 0) {
    throw new ConfigError(
      'QEMU command line: no virtio-blk device (add -device virtio-blk-pci,drive=<id> or use if=virtio)',
      'qemu',
    );
  }
  return res;
}

function applyDrive(
  res: QemuSettings,
  drives: { id: string | null; opts: Map<string, string> }[],
  blockdevs: Map<string, string>[],
  device: Map<string, string> | null,
  version: ModelledVersion,
): void {
  let opts: Map<string, string> | undefined;
  if (device?.has('drive')) {
    const id = device.get('drive')!;
    opts = drives.find((d) => d.id === id)?.opts ?? blockdevs.find((b) => b.get('node-name') === id);
    if (!opts)
      throw new ConfigError(
        `QEMU command line: -device virtio-blk-pci refers to drive=${shortText(id, 40)}, but no -drive id=${shortText(id, 40)} or -blockdev node-name=${shortText(id, 40)} is given`,
        'qemu',
      );
  } else {
    if (drives.length > 1)
      throw new ConfigError('QEMU command line: several -drive options; the simulator models one disk', 'qemu');
    opts = drives[0]?.opts;
  }
  if (!opts) return;
  // -blockdev driver=raw,file=<file node>: read the protocol node's options too
  const fileNode =
    opts.get('driver') === 'raw' ? blockdevs.find((b) => b.get('node-name') === opts!.get('file')) : undefined;
  const all = new Map([...(fileNode ?? new Map<string, string>()), ...opts]);
  const fmt = all.get('format') ?? (all.get('driver') === 'file' ? 'raw' : all.get('driver')) ?? 'raw';
  if (fmt !== 'raw')
    throw new ConfigError(
      `QEMU command line: format ${shortText(fmt, 40)} is not modelled (only raw: BlockBackend → raw → file-posix)`,
      'qemu',
    );
  let cache: CacheFlags = cacheFlags('writeback');
  if (all.has('cache')) {
    const mode = all.get('cache')!;
    if (!(CACHE_MODES as readonly string[]).includes(mode)) {
      throw new ConfigError(
        `QEMU command line: cache=${shortText(mode, 40)} is not one of ${CACHE_MODES.join(', ')}`,
        'qemu',
      );
    }
    cache = cacheFlags(mode as CacheMode);
  }
  if (all.has('cache.direct')) cache = { ...cache, direct: parseBool(all.get('cache.direct')!, 'cache.direct') };
  if (all.has('cache.no-flush')) cache = { ...cache, noFlush: parseBool(all.get('cache.no-flush')!, 'cache.no-flush') };
  if (all.has('cache.writeback'))
    cache = { ...cache, writeback: parseBool(all.get('cache.writeback')!, 'cache.writeback') };
  res.cache = cache;
  // with blkdebug in between, the protocol node's options are file.image.*
  const blkdebug = all.get('file.driver');
  if (blkdebug !== undefined && blkdebug !== 'blkdebug')
    throw new ConfigError(
      `QEMU command line: file.driver=${shortText(blkdebug, 40)} is not modelled (file-posix, or blkdebug)`,
      'qemu',
    );
  const image = (k: string) => (blkdebug ? all.get(`file.image.${k}`) : all.get(k));
  if (blkdebug) {
    if (all.has('aio'))
      throw new ConfigError('QEMU command line: with file.driver=blkdebug, aio= belongs to file.image.aio', 'qemu');
    const config = all.get('file.config');
    res.blkdebug = config ? readBlkdebugConfig(config) : [];
  } else {
    for (const k of ['file.config', 'file.image.driver', 'file.image.filename', 'file.image.aio']) {
      if (all.has(k)) throw new ConfigError(`QEMU command line: ${k} needs file.driver=blkdebug`, 'qemu');
    }
  }
  const aio = image('aio');
  if (aio !== undefined) {
    if (aio !== 'threads' && aio !== 'native' && aio !== 'io_uring')
      throw new ConfigError(
        `QEMU command line: aio=${shortText(aio, 40)} is not one of threads, native, io_uring`,
        'qemu',
      );
    checkVersion(`aio=${aio}`, version);
    res.aio = aio;
  }
  const batch = image('aio-max-batch');
  if (batch !== undefined) res.driveMaxBatch = parseInteger(batch, 'aio-max-batch', 0, 1 << 30);
  if (all.has('werror')) res.werror = policy(all.get('werror')!, 'werror', false);
  if (all.has('rerror')) res.rerror = policy(all.get('rerror')!, 'rerror', true);
}

function applyDevice(res: QemuSettings, dev: Map<string, string>, iothreads: Map<string, Map<string, string>>): void {
  const nq = dev.get('num-queues');
  if (nq !== undefined && parseInteger(nq, 'num-queues', 1, 1024) !== 1) {
    throw new ConfigError(
      `QEMU command line: num-queues=${shortText(nq, 40)} is not supported by the simulator (it models one virtqueue)`,
      'qemu',
    );
  }
  if (dev.has('iothread')) {
    const id = dev.get('iothread')!;
    const obj = iothreads.get(id);
    if (!obj)
      throw new ConfigError(
        `QEMU command line: iothread=${shortText(id, 40)} but there is no -object iothread,id=${shortText(id, 40)}`,
        'qemu',
      );
    res.iothread = true;
    if (obj.has('poll-max-ns')) res.pollMaxNs = parseDuration(obj.get('poll-max-ns')!, 'poll-max-ns');
    if (obj.has('aio-max-batch'))
      res.iothreadMaxBatch = parseInteger(obj.get('aio-max-batch')!, 'aio-max-batch', 0, 1 << 30);
    for (const k of ['poll-grow', 'poll-shrink']) {
      if (obj.has(k) && obj.get(k) !== '0')
        throw new ConfigError(`QEMU command line: ${k}=${obj.get(k)} is not modelled (only the default 0)`, 'qemu');
    }
  } else res.iothread = false;
  if (dev.has('request-merging')) res.requestMerging = parseBool(dev.get('request-merging')!, 'request-merging');
  if (dev.has('ioeventfd')) res.ioeventfd = parseBool(dev.get('ioeventfd')!, 'ioeventfd');
  if (dev.has('event_idx')) res.eventIdx = parseBool(dev.get('event_idx')!, 'event_idx');
  if (dev.has('queue-size')) {
    const q = parseInteger(dev.get('queue-size')!, 'queue-size', 2, 1024);
    if ((q & (q - 1)) !== 0) throw new ConfigError(`QEMU command line: queue-size=${q} must be a power of two`, 'qemu');
    res.queueSize = q;
  }
  if (dev.has('write-cache') && dev.get('write-cache') !== 'auto') {
    const wce = parseBool(dev.get('write-cache')!, 'write-cache');
    res.cache = { ...(res.cache ?? cacheFlags('writeback')), writeback: wce };
  }
  for (const k of ['werror', 'rerror']) {
    if (dev.has(k)) {
      if (k === 'werror') res.werror = policy(dev.get(k)!, k, false);
      else res.rerror = policy(dev.get(k)!, k, true);
    }
  }
  if (res.iothread && res.ioeventfd === false) {
    throw new ConfigError(
      'QEMU command line: ioeventfd=off cannot be used with iothread= (QEMU requires ioeventfd for an iothread)',
      'qemu',
    );
  }
}
