// Checks the catalogs' file:line and trace-event facts against QEMU's own history. Needs a QEMU git
// directory holding the release commits (any full clone or mirror); skipped without one:
//   QEMU_GIT=/path/to/qemu.git node --test out/test/catalog-source.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CATALOG_VERSIONS, getCatalog, fnKey, type Catalog } from '../simulator/catalog/index';

const GIT = process.env.QEMU_GIT;
const skip = GIT ? false : 'set QEMU_GIT to a QEMU git directory to check the catalogs against the source';

const files = new Map<string, string[] | null>();
function lines(commit: string, file: string): string[] | null {
  const key = `${commit}:${file}`;
  if (!files.has(key)) {
    try {
      const text = execFileSync('git', ['-C', GIT!, 'show', key], { encoding: 'utf8', maxBuffer: 64 << 20 });
      files.set(key, text.split('\n'));
    } catch {
      files.set(key, null);
    }
  }
  return files.get(key)!;
}

/** The function starting at `line` (1-based) up to its closing brace at column 0. */
function body(src: string[], line: number): string {
  const out: string[] = [];
  for (let i = line - 1; i < src.length; i++) {
    out.push(src[i]);
    if (i > line - 1 && src[i].startsWith('}')) break;
  }
  return out.join('\n');
}

const PRI: Record<string, string> = { PRId64: 'ld', PRIi64: 'li', PRIu64: 'lu', PRIx64: 'lx', PRIX64: 'lX' };
/** The log backend's format of a trace-events line: the quoted pieces joined, PRI macros as on x86-64. */
function expand(raw: string): string {
  return [...raw.matchAll(/"((?:[^"\\]|\\.)*)"|(PRI\w+)/g)].map((m) => m[1] ?? PRI[m[2]] ?? `?${m[2]}`).join('');
}

function check(c: Catalog): string[] {
  const problems: string[] = [];
  const commit = c.data.releaseCommit;
  for (const f of c.functions) {
    if (f.origin !== 'qemu' || f.line === undefined) continue;
    const src = lines(commit, f.file!);
    const at = src?.[f.line - 1] ?? '';
    if (!new RegExp(`(^|[\\s*])${f.name}\\s*\\(`).test(at) || /^\s/.test(at) || /;\s*$/.test(at))
      problems.push(`${fnKey(f)}: ${f.file}:${f.line} is "${at.trim()}"`);
  }
  for (const e of c.data.traceEvents) {
    const src = lines(commit, e.file);
    const decl = src?.find((l) => l.startsWith(`${e.name}(`));
    if (!decl) {
      problems.push(`${e.name}: not declared in ${e.file}`);
      continue;
    }
    const m = /^\w+\((.*?)\)\s*(".*)$/.exec(decl)!;
    const args =
      m[1] === 'void'
        ? ''
        : m[1]
            .replace(/\s*\*\s*/g, ' *')
            .replace(/\s+/g, ' ')
            .trim();
    const ours = e.args
      .map((a) => `${a.type.replace(/\s*\*$/, ' *')}${a.type.endsWith('*') ? '' : ' '}${a.name}`)
      .join(', ');
    if (args !== ours) problems.push(`${e.name}: arguments "${args}" ≠ "${ours}"`);
    if (expand(m[2]) !== e.format) problems.push(`${e.name}: format "${expand(m[2])}" ≠ "${e.format}"`);
    if (e.emitter?.line) {
      const s = lines(commit, e.emitter.file);
      if (!s || !body(s, e.emitter.line).includes(`trace_${e.name}(`))
        problems.push(`${e.name}: ${e.emitter.name} at ${e.emitter.file}:${e.emitter.line} does not fire it`);
    }
  }
  // Each event a catalog function fires is traced in its body or in a function it calls.
  for (const f of c.functions) {
    if (f.origin !== 'qemu' || !f.line || !f.traceEvents.length) continue;
    const own = body(lines(commit, f.file!)!, f.line);
    for (const ev of f.traceEvents) {
      if (own.includes(`trace_${ev}(`)) continue;
      const sites = execFileSync('git', ['-C', GIT!, 'grep', '-n', '-F', `trace_${ev}(`, commit, '--', '*.c'], {
        encoding: 'utf8',
      });
      const callees = new Set(f.calls.map((n) => n.split('@')[0]));
      const viaCallee = sites.split('\n').some((hit) => {
        const [, file, ln] = hit.split(':');
        const src = file ? lines(commit, file) : null;
        for (let i = Number(ln) - 1; src && i >= 0; i--) {
          const d = /^(?:[A-Za-z_][\w\s*]*?[\s*])?([A-Za-z_]\w*)\s*\(/.exec(src[i]);
          if (d && !/;\s*$/.test(src[i])) return callees.has(d[1]);
        }
        return false;
      });
      if (!viaCallee) problems.push(`${fnKey(f)}: fires ${ev}, but neither it nor a callee traces it`);
    }
  }
  return problems;
}

for (const version of CATALOG_VERSIONS) {
  test(
    `QEMU ${version}: every file:line names its function and every event matches its trace-events line`,
    { skip },
    () => {
      assert.deepEqual(check(getCatalog(version)), []);
    },
  );
}
