// How the debug adapter names a stack frame of a QEMU function, and how the extension reads it
// back: `name`, or `name [qualifier]` for the static functions QEMU defines twice
// (`raw_co_pwritev [file-posix]`). Label frames (`coroutine #7 · …`) are not function frames.

export interface FrameName {
  readonly name: string;
  readonly qualifier?: string;
}

export function formatFrameName(f: FrameName): string {
  return f.qualifier ? `${f.name} [${f.qualifier}]` : f.name;
}

/** The function a frame name stands for, or undefined for label frames and anything else. */
export function parseFrameName(text: string): FrameName | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?: \[([^\]]+)\])?$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] ? { name: m[1], qualifier: m[2] } : { name: m[1] };
}
