// Checks the catalogs' file:line and trace-event facts against QEMU's own history. Needs a QEMU git
// directory holding the release commits (any full clone or mirror); skipped without one:
//   QEMU_GIT=/path/to/qemu.git node --test out/test/catalog-source.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CATALOG_VERSIONS, DELTAS, getCatalog, fnKey, type Catalog } from '../simulator/catalog/index';
import { EVENT_CHANGES_AFTER_10_0 } from '../simulator/catalog/later-releases';
import { RELEASES } from '../simulator/catalog/releases';

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

// ── The dates of the deltas: each change is absent at the release before and present at its release ──

const RELEASE_LIST = RELEASES.map(([r]) => r as string);
const commitOf = (release: string) => RELEASES[RELEASE_LIST.indexOf(release)][1];
const before = (release: string) => RELEASE_LIST[RELEASE_LIST.indexOf(release) - 1];

const declarations = new Map<string, Map<string, string>>();
/** name → declaration line, over every trace-events file of a release. */
function declared(release: string): Map<string, string> {
  let map = declarations.get(release);
  if (!map) {
    map = new Map();
    const out = execFileSync(
      'git',
      ['-C', GIT!, 'grep', '-h', '-E', '^[a-z_0-9]+\\(', commitOf(release), '--', '*trace-events'],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    for (const l of out.split('\n')) map.set(l.slice(0, l.indexOf('(')), l);
    declarations.set(release, map);
  }
  return map;
}

test('every trace-event change of the deltas happened in the release it names', { skip }, () => {
  const problems: string[] = [];
  for (const c of [...DELTAS.flatMap((d) => d.events), ...EVENT_CHANGES_AFTER_10_0]) {
    const [was, is] = [declared(before(c.since) ?? c.since), declared(c.since)];
    const name = 'add' in c ? c.add.name : 'remove' in c ? c.remove : 'rename' in c ? c.rename : c.change;
    const ok =
      'add' in c
        ? is.has(name) && (c.catalogued === true || !was.has(name))
        : 'remove' in c
          ? was.has(name) && !is.has(name)
          : 'rename' in c
            ? was.has(name) && !is.has(name) && is.has(c.to) && !was.has(c.to)
            : was.get(name) !== is.get(name) || declaredFile(before(c.since), name) !== declaredFile(c.since, name);
    if (!ok) problems.push(`${c.since}: ${name}`);
  }
  assert.deepEqual(problems, []);
});

function declaredFile(release: string, name: string): string {
  const out = execFileSync(
    'git',
    ['-C', GIT!, 'grep', '-l', '-E', `^${name}\\(`, commitOf(release), '--', '*trace-events'],
    { encoding: 'utf8' },
  );
  return out.trim();
}

const sites = new Map<string, Array<{ file: string; line: number }>>();
/** Where C function `name` is defined (not just declared) at `release`, in files named like one of `files`. */
function definitionSites(
  release: string,
  name: string,
  files: readonly string[],
): Array<{ file: string; line: number }> {
  const paths = [...new Set(files.map((f) => f.split('/').pop()!))].flatMap((b) => [b, `*/${b}`]);
  const key = `${release}:${name}:${paths}`;
  if (!sites.has(key)) {
    let out: string;
    try {
      const pattern = `^([A-Za-z_].*[ *])?${name} *\\(`;
      out = execFileSync('git', ['-C', GIT!, 'grep', '-n', '-E', pattern, commitOf(release), '--', ...paths], {
        encoding: 'utf8',
      });
    } catch {
      out = ''; // git grep exits 1 when nothing matches
    }
    sites.set(
      key,
      out.split('\n').flatMap((hit) => {
        const [, file, ln, ...rest] = hit.split(':');
        const text = rest.join(':');
        return file && !/;\s*$/.test(text) && !/^\s/.test(text) ? [{ file, line: Number(ln) }] : [];
      }),
    );
  }
  return sites.get(key)!;
}

const defined = (release: string, name: string, files: readonly string[]): boolean =>
  definitionSites(release, name, files).length > 0;

// Function changes whose names do not switch in the release they are dated at, and why that is right.
const FUNCTION_DATE_EXCEPTIONS: Record<string, string> = {
  'rename blk_co_pwritev':
    'blk_co_pwritev stays as an API wrapper; the path switched to blk_do_pwritev_part in 5.0 (renamed blk_co_do_ in 6.2)',
  'rename blk_co_preadv': 'the same for reads (blk_do_preadv 5.0, blk_co_do_preadv 6.2, _part 7.1)',
  'rename blk_co_flush': 'the same for flush (blk_do_flush 5.0, blk_co_do_flush 6.2)',
  'rename virtio_queue_host_notifier_aio_read':
    'the main-loop handler already existed; 7.0 made it the AioContext handler',
  'rename virtio_queue_notify_aio_vq': 'virtio_queue_notify_vq already existed; 7.0 made it the only path',
  'rename qemu_sem_post': 'qemu_cond_signal already existed; 7.1 made the pool use it',
  'rename qemu_sem_timedwait': 'qemu_cond_timedwait_impl is older; 7.1 made the pool use it',
  'rename bdrv_flush_co_entry': 'generated at build time from 5.2, so not in the tree',
};

// Files a function lived in only between two catalog versions, so no location table names them.
const INTERIM_FILES: Record<string, readonly string[]> = {
  kvm_vcpu_thread_fn: ['accel/kvm/kvm-cpus.c'],
  blk_io_plug: ['block/plug.c'],
  blk_io_unplug: ['block/plug.c'],
  blk_io_plug_call: ['block/plug.c'],
};

test('every function added, removed or renamed by a delta changed in the release it names', { skip }, () => {
  const problems: string[] = [];
  for (const d of DELTAS) {
    const base = getCatalog(d.base);
    // The files a name may live in: the delta's version, the base, or any version that has it.
    // A qualified key names one file; a plain name may have moved between versions.
    const files = (key: string) =>
      key.includes('@')
        ? everywhere(key)
        : [...base.allNamed(key).map((f) => f.file), ...everywhere(key), ...(INTERIM_FILES[key] ?? [])].filter(
            (f): f is string => !!f,
          );
    for (const c of d.functions) {
      if (c.catalogued) continue;
      const [was, is] = [before(c.since), c.since];
      let id: string;
      let ok: boolean;
      if ('add' in c) {
        if (c.add.origin !== 'qemu') continue;
        const key = c.add.qualifier ? `${c.add.name}@${c.add.qualifier}` : c.add.name;
        id = `add ${key}`;
        ok = !defined(was, c.add.name, files(key)) && defined(is, c.add.name, files(key));
      } else if ('remove' in c) {
        id = `remove ${c.remove}`;
        ok = defined(was, c.remove, files(c.remove)) && !defined(is, c.remove, files(c.remove));
      } else if ('rename' in c) {
        const from = c.rename.split('@')[0];
        const where = [...files(c.rename), ...files(c.to)];
        id = `rename ${from}`;
        ok =
          defined(was, from, where) &&
          !defined(is, from, where) &&
          !defined(was, c.to, where) &&
          defined(is, c.to, where);
      } else continue;
      if (!ok && !FUNCTION_DATE_EXCEPTIONS[id]) problems.push(`${c.since}: ${id}`);
      if (ok && FUNCTION_DATE_EXCEPTIONS[id]) problems.push(`${c.since}: ${id} needs no exception`);
    }
  }
  assert.deepEqual(problems, []);
});

/** Every file a function key has in any version's locations or catalog. */
function everywhere(key: string): string[] {
  return [
    ...DELTAS.map((d) => d.locations[key]?.[0]),
    ...CATALOG_VERSIONS.map((v) => getCatalog(v).byName(key)?.file),
  ].filter((f): f is string => !!f);
}

/** The body of function `name` at `release`, looked up in files named like `files`; undefined when not found. */
function bodyAt(release: string, name: string, files: readonly string[]): string | undefined {
  const site = definitionSites(release, name, files)[0];
  return site && body(lines(commitOf(release), site.file)!, site.line);
}

// Call-edge changes that cannot be seen as a name in the function's own text, and why.
const EDGE_DATE_EXCEPTIONS: Record<string, string> = {
  'blk_set_aio_context -bdrv_child_try_set_aio_context':
    'reached through blk_do_set_aio_context, which moved to the change-context API in 7.2 (f8be48adf0)',
  'aio_bh_poll -notify_guest_bh': 'a bottom half, run through a pointer; the BH itself is gone in 8.2 (073458da56)',
  'bdrv_flush -bdrv_coroutine_enter':
    'bdrv_flush is generated at build time; its generator switched in 8.0 (0582fb8293)',
  'bdrv_flush +aio_co_enter': 'the same generated code',
};

test('every call edge a delta adds or removes changed in the release it names', { skip }, () => {
  const problems: string[] = [];
  for (const d of DELTAS) {
    const base = getCatalog(d.base);
    for (const c of d.functions) {
      if (!('change' in c) || c.catalogued) continue;
      const { addCalls = [], removeCalls = [] } = c.patch;
      if (!addCalls.length && !removeCalls.length) continue;
      const name = c.change.split('@')[0];
      // The function may have had another name at the release before (renamed in the same delta).
      const names = [
        name,
        ...d.functions.filter((r) => 'rename' in r && r.to === name).map((r) => ('rename' in r ? r.rename : '')),
      ];
      const files = names.flatMap((n) => [
        ...base.allNamed(n).map((f) => f.file),
        ...everywhere(n),
        ...(INTERIM_FILES[n] ?? []),
      ]);
      const find = (release: string) =>
        names.map((n) => bodyAt(release, n, files as string[])).find((b) => b !== undefined);
      const [was, is] = [find(before(c.since)), find(c.since)];
      const generated = d.locations[c.change]?.[1] === undefined && d.locations[c.change] !== undefined;
      if ((was === undefined || is === undefined) && !generated) {
        problems.push(`${c.since}: ${c.change} not found`);
        continue;
      }
      const indirect = new Set([
        ...(c.patch.indirectCalls ?? []),
        ...(getCatalog(d.version).byName(name)?.indirectCalls ?? []),
      ]);
      const has = (text: string, callee: string) => new RegExp(`\\b${callee.split('@')[0]}\\b`).test(text);
      for (const n of addCalls) {
        const id = `${c.change} +${n}`;
        if (indirect.has(n) || EDGE_DATE_EXCEPTIONS[id]) continue;
        if (was === undefined || is === undefined || has(was, n) || !has(is, n)) problems.push(`${c.since}: ${id}`);
      }
      for (const n of removeCalls) {
        const id = `${c.change} -${n}`;
        if (EDGE_DATE_EXCEPTIONS[id]) continue;
        if (was === undefined || is === undefined || !has(was, n) || has(is, n)) problems.push(`${c.since}: ${id}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
