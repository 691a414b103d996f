// blkdebug's rules: from its config file (file.config=, the format QEMU's -readconfig reads:
// `[inject-error]` sections of `key = "value"` lines), or from --fault specs when the drive has a
// blkdebug node. Only inject-error rules are modelled; set-state and suspend rules are refused.

import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import {
  BLKDEBUG_EVENTS,
  BLKDEBUG_IO_TYPES,
  BlkdebugEvent,
  BlkdebugIoType,
  BlkdebugRule,
  ERRNO,
  FaultRule,
} from './scenario';

const KEYS = ['event', 'iotype', 'errno', 'sector', 'once', 'immediately', 'state'];

function bool(v: string, what: string): boolean {
  if (['on', 'yes', 'true'].includes(v)) return true;
  if (['off', 'no', 'false'].includes(v)) return false;
  throw new ConfigError(`${what}: "${v}" is not on or off`, 'blkdebug');
}

/** One [inject-error] section's options as a rule. */
function ruleOf(opts: Map<string, string>, where: string): BlkdebugRule {
  const event = opts.get('event');
  if (event === undefined) throw new ConfigError(`${where}: an inject-error rule needs an event`, 'blkdebug');
  if (!(BLKDEBUG_EVENTS as readonly string[]).includes(event)) {
    throw new ConfigError(
      `${where}: blkdebug event "${event}" is not one the model announces (${BLKDEBUG_EVENTS.join(', ')})`,
      'blkdebug',
    );
  }
  if ((opts.get('state') ?? '0') !== '0')
    throw new ConfigError(`${where}: rules for a blkdebug state are not modelled (no set-state)`, 'blkdebug');
  const iotype = opts.get('iotype');
  if (iotype !== undefined && !(BLKDEBUG_IO_TYPES as readonly string[]).includes(iotype))
    throw new ConfigError(`${where}: iotype "${iotype}" is not one of ${BLKDEBUG_IO_TYPES.join(', ')}`, 'blkdebug');
  const errno = Number(opts.get('errno') ?? ERRNO.EIO);
  if (!Number.isInteger(errno) || errno < 1 || errno > 4095)
    throw new ConfigError(`${where}: errno "${opts.get('errno')}" is not an errno number (5 is EIO)`, 'blkdebug');
  const sector = Number(opts.get('sector') ?? -1);
  if (!Number.isInteger(sector) || sector < -1)
    throw new ConfigError(`${where}: sector "${opts.get('sector')}" is not a sector number`, 'blkdebug');
  return {
    event: event as BlkdebugEvent,
    iotypes: iotype === undefined ? BLKDEBUG_IO_TYPES.filter((t) => t !== 'block-status') : [iotype as BlkdebugIoType],
    errno,
    offset: sector < 0 ? -1 : sector * 512,
    once: bool(opts.get('once') ?? 'off', `${where}: once`),
    immediately: bool(opts.get('immediately') ?? 'off', `${where}: immediately`),
  };
}

/** The rules of a blkdebug config file's text. */
export function parseBlkdebugConfig(text: string, file: string): BlkdebugRule[] {
  const rules: BlkdebugRule[] = [];
  let section: { name: string; line: number; opts: Map<string, string> } | null = null;
  const close = (): void => {
    if (section) rules.push(ruleOf(section.opts, `${file}:${section.line}`));
    section = null;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `${file}:${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const head = /^\[\s*([\w-]+)(?:\s+"[^"]*")?\s*\]$/.exec(line);
    if (head) {
      close();
      if (head[1] !== 'inject-error') {
        throw new ConfigError(`${where}: [${head[1]}] rules are not modelled (only [inject-error])`, 'blkdebug');
      }
      section = { name: head[1], line: i + 1, opts: new Map() };
      return;
    }
    const kv = /^([\w-]+)\s*=\s*"([^"]*)"$/.exec(line);
    if (!kv) throw new ConfigError(`${where}: expected key = "value" or a [section], got "${line}"`, 'blkdebug');
    if (!section) throw new ConfigError(`${where}: "${kv[1]}" comes before any [inject-error] section`, 'blkdebug');
    if (!KEYS.includes(kv[1]))
      throw new ConfigError(`${where}: inject-error has no option "${kv[1]}" (known: ${KEYS.join(', ')})`, 'blkdebug');
    (section as { opts: Map<string, string> }).opts.set(kv[1], kv[2]);
  });
  close();
  return rules;
}

export function readBlkdebugConfig(path: string): BlkdebugRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `blkdebug config ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      'blkdebug',
    );
  }
  return parseBlkdebugConfig(text, path);
}

/**
 * A --fault spec as the blkdebug rule that injects the same error at blkdebug's layer: armed by the
 * read/write announcement (flush_to_disk for a flush), one sector or any, once or every time.
 */
export function blkdebugRuleOfFault(f: FaultRule, spec: string): BlkdebugRule {
  const what = `fault "${spec}" with blkdebug`;
  if (f.nth > 0)
    throw new ConfigError(`${what}: blkdebug cannot fail the n-th request (#N); give a sector or *`, 'faults');
  if (f.sectors && f.sectors[0] !== f.sectors[1])
    throw new ConfigError(`${what}: a blkdebug rule matches one sector, not a range`, 'faults');
  if (f.times !== 1 && f.times !== Infinity)
    throw new ConfigError(`${what}: a blkdebug rule fires once or always, not ${f.times} times`, 'faults');
  const iotypes: BlkdebugIoType[] = f.op === 'any' ? ['read', 'write', 'flush'] : [f.op];
  const event: BlkdebugEvent = f.op === 'read' ? 'read_aio' : f.op === 'flush' ? 'flush_to_disk' : 'write_aio';
  if (f.op === 'any')
    throw new ConfigError(`${what}: give read, write or flush (each is armed by its own blkdebug event)`, 'faults');
  return {
    event,
    iotypes,
    errno: f.errno,
    offset: f.sectors ? f.sectors[0] * 512 : -1,
    once: f.times === 1,
    immediately: false,
  };
}
