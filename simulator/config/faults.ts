// --fault op:sectors:errno[:times] — e.g. write:0-2047:EIO, read:#3:EIO, flush:*:EIO:1.

import { ConfigError } from './errors';
import { ERRNO, FaultOp, FaultRule } from './scenario';

const OPS: readonly FaultOp[] = ['read', 'write', 'flush', 'any'];

export function parseFault(spec: string): FaultRule {
  const what = `fault "${spec}"`;
  const parts = spec.split(':');
  if (parts.length < 3 || parts.length > 4) {
    throw new ConfigError(`${what}: expected op:sectors:errno[:times], e.g. write:0-2047:EIO or read:#3:EIO`, 'faults');
  }
  const [op, range, errnoText, timesText] = parts;
  if (!(OPS as readonly string[]).includes(op))
    throw new ConfigError(`${what}: op "${op}" is not one of ${OPS.join(', ')}`, 'faults');
  let sectors: [number, number] | null = null;
  let nth = 0;
  if (range.startsWith('#')) {
    nth = Number(range.slice(1));
    if (!Number.isInteger(nth) || nth < 1)
      throw new ConfigError(`${what}: "${range}" should be #N with N ≥ 1 (the N-th request)`, 'faults');
  } else if (range !== '*' && range !== '') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m)
      throw new ConfigError(`${what}: sector range "${range}" should be LO-HI, a single sector, * or #N`, 'faults');
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new ConfigError(`${what}: sector range ${lo}-${hi} is empty`, 'faults');
    sectors = [lo, hi];
  }
  const upper = errnoText.toUpperCase();
  const errno =
    upper === 'EIO' || upper === '5' ? ERRNO.EIO : upper === 'ENOSPC' || upper === '28' ? ERRNO.ENOSPC : NaN;
  if (Number.isNaN(errno)) throw new ConfigError(`${what}: errno "${errnoText}" is not EIO or ENOSPC`, 'faults');
  let times = nth > 0 ? 1 : Infinity;
  if (timesText !== undefined) {
    if (timesText === 'always') times = Infinity;
    else if (/^\d+$/.test(timesText) && Number(timesText) >= 1) times = Number(timesText);
    else throw new ConfigError(`${what}: times "${timesText}" should be a count ≥ 1 or "always"`, 'faults');
  }
  return { op: op as FaultOp, sectors, nth, errno, times };
}
