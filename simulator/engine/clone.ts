// Copying the simulation state for checkpoints. The state is plain data whose only shared
// references are the stacks a thread or coroutine executes (restored afterwards by the
// relink hooks), so a straight recursive copy — no identity map — does, and stacks are
// copied only up to their depth (frames above it are leftovers kept for reuse).

import type { SimState } from './machine';

function copy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(k, copy(x));
    return out;
  }
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.frames) && typeof o.depth === 'number') {
    // a Stack
    const frames = o.frames as Record<string, number>[];
    const out = new Array(o.depth);
    for (let i = 0; i < (o.depth as number); i++) out[i] = { ...frames[i] };
    return { frames: out, depth: o.depth };
  }
  const out: Record<string, unknown> = {};
  for (const k in o) out[k] = copy(o[k]);
  return out;
}

export function cloneState(s: SimState, relink: readonly ((s: SimState) => void)[]): SimState {
  const c = copy(s) as SimState;
  for (const t of c.threads) if (t.co < 0) t.stack = t.native;
  for (const fix of relink) fix(c);
  return c;
}
