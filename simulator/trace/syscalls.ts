// An strace line's pieces the rebuild uses: whether it starts or resumes a call, its top-level
// arguments (quoted strings and brackets kept whole), its result and its duration.

export interface SyscallLine {
  /** `<... name resumed>`: the end of a call an earlier `<unfinished ...>` line began. */
  resumed: boolean;
  unfinished: boolean;
  args: string[];
  /** The return value, NaN when not shown (unfinished) or not a number. */
  ret: number;
  /** `<0.000404>` at the end, in ns; NaN when absent. */
  durationNs: number;
}

export function readSyscall(text: string, start: number, end: number): SyscallLine {
  const resumed = text.startsWith('<...', start);
  let p = resumed ? text.indexOf('>', start) + 1 : start;
  const args: string[] = [];
  let depth = 0;
  let argStart = p;
  let closed = false;
  for (; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c === 34 /* " */) {
      for (p++; p < end && text.charCodeAt(p) !== 34; p++) if (text.charCodeAt(p) === 92) p++;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) depth--;
    else if (c === 41 /* ) */) {
      if (depth === 0) {
        closed = true;
        break;
      }
      depth--;
    } else if (c === 44 /* , */ && depth === 0) {
      args.push(text.slice(argStart, p).trim());
      argStart = p + 1;
    }
  }
  const tail = text.slice(argStart, closed ? p : end).trim();
  const unfinished = tail.endsWith('<unfinished ...>');
  const lastArg = unfinished ? tail.slice(0, -'<unfinished ...>'.length).trim() : tail;
  if (lastArg !== '') args.push(lastArg);
  let ret = NaN;
  let durationNs = NaN;
  if (closed) {
    const rest = text.slice(p + 1, end);
    const eq = rest.indexOf('= ');
    if (eq >= 0) ret = parseInt(rest.slice(eq + 2), 10);
    const lt = rest.lastIndexOf('<');
    if (lt >= 0 && rest.endsWith('>')) durationNs = Math.round(parseFloat(rest.slice(lt + 1, -1)) * 1e9);
  }
  return { resumed, unfinished, args, ret, durationNs };
}

/** The direction a data syscall moves, or null for others. */
export function syscallOp(name: string): 'read' | 'write' | 'flush' | null {
  if (name.startsWith('pread') || name === 'preadv' || name === 'preadv2') return 'read';
  if (name.startsWith('pwrite') || name === 'pwritev' || name === 'pwritev2') return 'write';
  if (name === 'fdatasync' || name === 'fsync') return 'flush';
  return null;
}

/** The file offset a positioned read/write names (its fourth argument), NaN when not shown. */
export function syscallOffset(s: SyscallLine): number {
  return s.args.length >= 4 ? Number(s.args[3]) : NaN;
}
