// How the debug adapter names a stack frame of a QEMU function, and how the extension reads it
// back: `name`, or `name [qualifier]` for the static functions QEMU defines twice
// (`raw_co_pwritev [file-posix]`), followed by ` (inferred)` in a replayed trace for a function
// the trace does not show but its call path implies. Label frames (`coroutine #7 · …`) are not
// function frames.

export interface FrameName {
  readonly name: string;
  readonly qualifier?: string;
  /** Implied by the call path of a traced function, not seen in the trace. */
  readonly inferred?: boolean;
}

const INFERRED = ' (inferred)';

export function formatFrameName(f: FrameName, inferred = f.inferred === true): string {
  return `${f.qualifier ? `${f.name} [${f.qualifier}]` : f.name}${inferred ? INFERRED : ''}`;
}

/** The function a frame name stands for, or undefined for label frames and anything else. */
export function parseFrameName(text: string): FrameName | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?: \[([^\]]+)\])?( \(inferred\))?$/.exec(text.trim());
  if (!m) return undefined;
  return { name: m[1], ...(m[2] ? { qualifier: m[2] } : {}), ...(m[3] ? { inferred: true } : {}) };
}
