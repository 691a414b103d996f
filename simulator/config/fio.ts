// Takes the workload from a fio job file: one job (plus [global]), the options that shape
// the I/O pattern. Options about the guest's files and reporting are accepted and listed as
// not used, with why; anything else is an error naming the line. Errors quote at most a short,
// printable part of a line: the file may be anything a user pointed at.

import { ConfigError, shortText } from './errors';
import { RW_MODES, RwMode, Workload } from './scenario';
import { parseDuration, parseInteger, parseSize } from './units';

export interface FioSettings {
  workload: Partial<Workload>;
  seed?: number;
  name: string;
  /** A note naming the options read but not used, and why; empty when there are none. */
  ignored: string;
}

const RW_ALIASES: Record<string, RwMode> = {
  read: 'read',
  write: 'write',
  randread: 'randread',
  randwrite: 'randwrite',
  randrw: 'randrw',
  rw: 'rw',
  readwrite: 'rw',
};

/** Accepted but not used, because they matter to fio in the guest, not to the path QEMU sees. */
const IGNORED_BECAUSE: [string, string[]][] = [
  [
    'how fio submits inside the guest: the simulated guest always submits asynchronously, straight to the disk',
    [
      'ioengine',
      'direct',
      'buffered',
      'thread',
      'iodepth_batch_complete',
      'iodepth_batch_complete_min',
      'iodepth_batch_complete_max',
      'iodepth_low',
    ],
  ],
  [
    'which file fio uses inside the guest: the simulated guest uses the whole disk',
    ['filename', 'name', 'invalidate', 'allow_mounted_write'],
  ],
  [
    'the data fio writes or checks: the simulator moves no data',
    ['verify', 'refill_buffers', 'zero_buffers', 'scramble_buffers', 'randrepeat', 'norandommap'],
  ],
  [
    "fio's own reporting and timing",
    [
      'group_reporting',
      'time_based',
      'ramp_time',
      'output-format',
      'lat_percentiles',
      'clat_percentiles',
      'percentile_list',
      'log_avg_msec',
      'write_bw_log',
      'write_lat_log',
      'write_iops_log',
      'stonewall',
      'description',
      'startdelay',
      'exitall',
      'unified_rw_reporting',
      'disable_lat',
      'disable_clat',
      'disable_slat',
    ],
  ],
];
const IGNORED = new Map(IGNORED_BECAUSE.flatMap(([why, keys]) => keys.map((k) => [k, why] as const)));

/** An option name or value as an error may show it: short and printable (the file may not be a fio job). */
function keyText(key: string): string {
  return shortText(key, 32);
}

export function parseFioJob(text: string, name = 'fio job'): FioSettings {
  const source = shortText(name, 200);
  const sections: { name: string; line: number; opts: [string, string, number][] }[] = [];
  let current: (typeof sections)[number] | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/[;#].*$/, '').trim();
    if (!line) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      current = { name: sec[1].trim(), line: i + 1, opts: [] };
      sections.push(current);
      return;
    }
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!current)
      throw new ConfigError(
        `${source}:${i + 1}: option "${keyText(key)}" comes before any [section] (is this a fio job file?)`,
        'fio',
      );
    const value = eq < 0 ? '1' : line.slice(eq + 1).trim();
    current.opts.push([key, value, i + 1]);
  });
  const jobs = sections.filter((s) => s.name !== 'global');
  if (jobs.length === 0) throw new ConfigError(`${source}: no job section (only [global] or nothing)`, 'fio');
  if (jobs.length > 1) {
    throw new ConfigError(
      `${source}:${jobs[1].line}: a second job [${keyText(jobs[1].name)}]; the simulator runs one job at a time`,
      'fio',
    );
  }
  const res: FioSettings = { workload: {}, name: jobs[0].name, ignored: '' };
  const ignored = new Map<string, string[]>();
  const wl = res.workload;
  for (const sec of [...sections.filter((s) => s.name === 'global'), jobs[0]]) {
    for (const [key, value, line] of sec.opts) {
      const what = `${source}:${line}: ${keyText(key)}`;
      switch (key) {
        case 'rw':
        case 'readwrite': {
          const mode = RW_ALIASES[value.split(':')[0]];
          if (!mode) throw new ConfigError(`${what}=${keyText(value)} is not one of ${RW_MODES.join(', ')}`, 'fio');
          wl.rw = mode;
          break;
        }
        case 'rwmixread':
          wl.rwmixread = parseInteger(value, what, 0, 100);
          break;
        case 'rwmixwrite':
          wl.rwmixread = 100 - parseInteger(value, what, 0, 100);
          break;
        case 'bs':
        case 'blocksize':
          wl.bs = parseSize(value, what);
          break;
        case 'iodepth':
          wl.iodepth = parseInteger(value, what, 1, 1024);
          break;
        case 'iodepth_batch':
        case 'iodepth_batch_submit':
          wl.batch = parseInteger(value, what, 1, 1024);
          break;
        case 'number_ios':
          wl.requests = parseInteger(value, what, 1);
          break;
        case 'size':
          wl.size = parseSize(value, what);
          break;
        case 'offset':
          wl.offset = parseSize(value, what);
          break;
        case 'runtime':
          wl.runtimeNs = parseDuration(value, what, 's');
          break;
        case 'fsync':
        case 'fdatasync':
          wl.flushEvery = parseInteger(value, what, 0);
          break;
        case 'thinktime':
          wl.thinktimeNs = parseDuration(value, what, 'us');
          break;
        case 'thinktime_blocks':
          wl.thinktimeBlocks = parseInteger(value, what, 1);
          break;
        case 'randseed':
          res.seed = parseInteger(value, what, 0, 2 ** 32 - 1);
          break;
        case 'numjobs':
          if (parseInteger(value, what, 1) !== 1)
            throw new ConfigError(`${what}=${keyText(value)}: only one job is simulated`, 'fio');
          break;
        default: {
          const why = IGNORED.get(key);
          if (!why) throw new ConfigError(`${what}: unknown or unmodelled fio option`, 'fio');
          const keys = ignored.get(why) ?? [];
          if (!keys.includes(key)) keys.push(key);
          ignored.set(why, keys);
        }
      }
    }
  }
  if (ignored.size)
    res.ignored = `${source}: options not used by the simulator: ${[...ignored]
      .map(([why, keys]) => `${keys.join(', ')} (${why})`)
      .join('; ')}`;
  // fio transfers `size` bytes when neither a count nor a runtime bounds the job
  if (wl.requests === undefined && wl.runtimeNs === undefined && wl.size !== undefined) {
    wl.requests = Math.max(1, Math.floor(wl.size / (wl.bs ?? 4096)));
  }
  return res;
}
