// Definitions of the catalog's functions in the user's QEMU checkout (setting `qemuSource`).
// The tree is scanned once in the background (C sources and headers, see SKIP_DIRS), every
// definition of a catalog name is kept with the file's mtime and size, and the index is kept
// fresh two ways: files named in `workspace/didChangeWatchedFiles` are rescanned, and every
// definition that is about to be returned has its file's timestamp checked first (a changed
// file is rescanned; a name that has vanished from a changed file triggers an incremental
// re-walk that only re-reads files whose timestamps changed).
// Problems with the root (missing, unreadable, not a directory, no QEMU definitions in it) are
// passed to `report` with a stable key, so the server can show each one once.

import { promises as fsp, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { findCDefinitions, type CDefinition } from './cdefs';

export interface SourceDefinition {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the root, with forward slashes. */
  readonly rel: string;
  readonly line: number;
  readonly character: number;
}

interface FileEntry {
  readonly rel: string;
  readonly mtimeMs: number;
  readonly size: number;
  readonly defs: readonly CDefinition[];
}

export type IndexState = 'off' | 'scanning' | 'ready' | 'failed';

/** Directory names never descended into (besides hidden ones and build*: build trees, firmware, non-C parts). */
const SKIP_DIRS = new Set(['node_modules', 'roms', 'pc-bios', 'docs', 'po', 'python', 'scripts']);
const MAX_FILE_BYTES = 4 << 20;
const MAX_FILES = 100_000;
/** QEMU's tree has about 1,000 directories; a root with far more (`/`, a home) is not a checkout. */
const MAX_DIRS = 20_000;
/** Longest a definition request waits for the first scan before answering from what is known. */
const SCAN_WAIT_MS = 2000;
const CONCURRENCY = 16;
/** Minimum time between two incremental re-walks triggered by lookups. */
const REWALK_INTERVAL_MS = 5000;

export interface QemuSourceOptions {
  /** Names to index (the catalog's function names). */
  readonly names: ReadonlySet<string>;
  /** For each name, the files (relative to a QEMU root) the catalog places it in. */
  readonly expectedFiles: (name: string) => readonly string[];
  /** Called for problems worth telling the user; `key` identifies the problem for de-duplication. */
  readonly report: (key: string, message: string) => void;
  /** Called whenever the set of known definitions changes. */
  readonly onDidChange?: () => void;
  readonly log?: (message: string) => void;
}

export class QemuSourceIndex {
  private rootPath: string | null = null;
  private generation = 0;
  private files = new Map<string, FileEntry>();
  private byName = new Map<string, Set<string>>();
  private status: IndexState = 'off';
  private scanning: Promise<void> = Promise.resolve();
  private lastWalk = 0;
  private rewalking: Promise<void> | undefined;

  constructor(private readonly opts: QemuSourceOptions) {}

  get root(): string | null {
    return this.rootPath;
  }

  get state(): IndexState {
    return this.status;
  }

  /** Points the index at a new root (or none); an unchanged root keeps the index. */
  setRoot(root: string | null): void {
    if (root === this.rootPath) return;
    this.rootPath = root;
    this.generation++;
    this.files = new Map();
    this.byName = new Map();
    if (!root) {
      this.status = 'off';
      this.scanning = Promise.resolve();
      this.opts.onDidChange?.();
      return;
    }
    this.status = 'scanning';
    const gen = this.generation;
    this.scanning = this.fullScan(root, gen).catch((e) => {
      if (gen === this.generation) this.fail(root, e);
    });
  }

  /** True when the root is set and was found readable (hover may link into it). */
  get usable(): boolean {
    return this.rootPath !== null && this.status !== 'failed';
  }

  /**
   * Ranked definitions of `name` from what is indexed now (no I/O): those in the file the catalog
   * names first, then other files, then `tests/` and `stubs/` (which hold stand-ins).
   */
  definitionsNow(name: string): SourceDefinition[] {
    const paths = this.byName.get(name);
    if (!paths || !this.rootPath) return [];
    const expected = this.opts.expectedFiles(name);
    const all: Array<SourceDefinition & { rank: number }> = [];
    for (const p of paths) {
      const f = this.files.get(p);
      if (!f) continue;
      const rank = expected.includes(f.rel)
        ? 0
        : /(^|\/)(tests|stubs)\//.test(f.rel)
          ? 3
          : f.rel.endsWith('.h')
            ? 2
            : 1;
      for (const d of f.defs) {
        if (d.name === name) all.push({ name, path: p, rel: f.rel, line: d.line, character: d.character, rank });
      }
    }
    if (all.length === 0) return [];
    const best = Math.min(...all.map((d) => d.rank));
    return all
      .filter((d) => d.rank === best)
      .sort((a, b) => a.rel.localeCompare(b.rel) || a.line - b.line)
      .map(({ rank: _rank, ...d }) => d);
  }

  /**
   * Definitions of `name`, fresh: waits for the first scan when needed (but first tries the file
   * the catalog names, so a definition request during the initial scan is answered at once) and
   * checks the timestamps of the files it returns. `isCancelled` is polled between steps.
   */
  async definitions(name: string, isCancelled: () => boolean = () => false): Promise<SourceDefinition[]> {
    const root = this.rootPath;
    if (!root || !this.opts.names.has(name)) return [];
    const gen = this.generation;
    if (this.status === 'scanning') {
      const expected = this.opts.expectedFiles(name);
      for (const rel of expected) await this.scanFile(join(root, rel), gen);
      const now = this.definitionsNow(name);
      if (now.some((d) => expected.includes(d.rel))) return now;
      // a big tree takes long to scan: answer from what is known rather than keep the client waiting
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.scanning, new Promise((r) => (timer = setTimeout(r, SCAN_WAIT_MS)))]);
      clearTimeout(timer);
      if (isCancelled() || gen !== this.generation) return [];
      if (this.status === 'scanning') return this.definitionsNow(name);
    }
    if (this.status === 'failed') return [];
    let defs = this.definitionsNow(name);
    let changed = false;
    for (const p of new Set(defs.map((d) => d.path))) {
      if (await this.scanFile(p, gen)) changed = true;
    }
    if (isCancelled() || gen !== this.generation) return [];
    if (changed) defs = this.definitionsNow(name);
    if (defs.length === 0 && changed) {
      await this.rewalk(gen);
      defs = this.definitionsNow(name);
    } else if (defs.length === 0) {
      // Perhaps a new file or a file we have not seen change: a cheap, throttled re-walk.
      if (Date.now() - this.lastWalk > REWALK_INTERVAL_MS) {
        await this.rewalk(gen);
        defs = this.definitionsNow(name);
      }
    }
    return defs;
  }

  /** Notification that files changed on disk (from the client's file watcher). */
  async filesChanged(changes: ReadonlyArray<{ path: string; deleted: boolean }>): Promise<void> {
    const root = this.rootPath;
    if (!root || this.status === 'failed') return;
    const gen = this.generation;
    const prefix = root.endsWith(sep) ? root : root + sep;
    for (const c of changes) {
      if (!c.path.startsWith(prefix) || !/\.[ch]$/.test(c.path)) continue;
      if (c.deleted) {
        if (this.files.has(c.path)) {
          this.removeFile(c.path);
          this.opts.onDidChange?.();
        }
      } else {
        await this.scanFile(c.path, gen, true);
      }
    }
  }

  // ── scanning ──

  private async fullScan(root: string, gen: number): Promise<void> {
    const t0 = Date.now();
    let st;
    try {
      st = await fsp.stat(root);
    } catch (e) {
      this.fail(root, e);
      return;
    }
    if (!st.isDirectory()) {
      this.fail(root, new Error('not a directory'));
      return;
    }
    const files = await this.walk(root, gen, true);
    if (gen !== this.generation) return;
    await this.readAll(files, gen);
    if (gen !== this.generation) return;
    this.status = 'ready';
    this.lastWalk = Date.now();
    this.opts.log?.(
      `QEMU source ${root}: ${files.length} C files, ${this.byName.size} catalog functions defined (${Date.now() - t0} ms)`,
    );
    if (this.byName.size === 0) {
      this.opts.report(
        `empty:${root}`,
        `QEMU I/O Explorer: found no definitions of the I/O path's functions under "${root}" ` +
          `(qemuIoExplorer.qemuSource; ${files.length} C files scanned). Is it a QEMU source tree? ` +
          'Go to definition uses the I/O path document instead.',
      );
    }
    this.opts.onDidChange?.();
  }

  private fail(root: string, e: unknown): void {
    this.status = 'failed';
    const code = (e as NodeJS.ErrnoException)?.code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code
            ? code
            : ((e as Error)?.message ?? String(e));
    this.opts.report(
      `unreadable:${root}`,
      `QEMU I/O Explorer: cannot read the QEMU source root "${root}" (qemuIoExplorer.qemuSource): ${why}. ` +
        'Go to definition uses the I/O path document instead; hover keeps working from the catalog.',
    );
    this.opts.onDidChange?.();
  }

  /** Every C file under `root` (iterative, no symlinked directories). */
  private async walk(root: string, gen: number, strict: boolean): Promise<string[]> {
    const out: string[] = [];
    const stack = [root];
    let dirs = 0;
    while (stack.length > 0 && out.length < MAX_FILES) {
      if (++dirs > MAX_DIRS) {
        this.opts.report(
          `huge:${root}`,
          `QEMU I/O Explorer: "${root}" (qemuIoExplorer.qemuSource) has more than ${MAX_DIRS} directories; ` +
            'only those were searched for definitions. Is it a QEMU source tree?',
        );
        break;
      }
      const dir = stack.pop()!;
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (dir === root && strict) throw e;
        continue;
      }
      if (gen !== this.generation) return out;
      for (const d of entries) {
        const name = d.name;
        if (d.isDirectory()) {
          if (name.startsWith('.') || name.startsWith('build') || SKIP_DIRS.has(name)) continue;
          stack.push(join(dir, name));
        } else if (d.isFile() && (name.endsWith('.c') || name.endsWith('.h'))) {
          out.push(join(dir, name));
        }
      }
    }
    return out;
  }

  private async readAll(paths: readonly string[], gen: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length && gen === this.generation) {
        const p = paths[next++];
        await this.scanFile(p, gen);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  /**
   * Reads and indexes one file (unless it is already indexed with the same timestamp). True if its
   * definitions changed: it is new, was dropped, or now defines other names or at other places.
   */
  private async scanFile(path: string, gen: number, force = false): Promise<boolean> {
    let st;
    try {
      st = await fsp.stat(path);
    } catch {
      if (gen === this.generation && this.files.has(path)) {
        this.removeFile(path);
        return true;
      }
      return false;
    }
    const old = this.files.get(path);
    if (!force && old && old.mtimeMs === st.mtimeMs && old.size === st.size) return false;
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return false;
    let text: string;
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch {
      return false;
    }
    if (gen !== this.generation || !this.rootPath) return false;
    const defs = findCDefinitions(text, this.opts.names);
    const rel = relative(this.rootPath, path).split(sep).join('/');
    const before = old?.defs;
    this.removeFile(path);
    this.files.set(path, { rel, mtimeMs: st.mtimeMs, size: st.size, defs });
    for (const d of defs) {
      let set = this.byName.get(d.name);
      if (!set) this.byName.set(d.name, (set = new Set()));
      set.add(path);
    }
    const changed = !sameDefs(before, defs);
    if (changed && this.status !== 'scanning') this.opts.onDidChange?.();
    return changed || !old;
  }

  /** Incremental re-walk: new files are read, changed ones re-read, vanished ones dropped. */
  private rewalk(gen: number): Promise<void> {
    if (this.rewalking) return this.rewalking;
    const root = this.rootPath;
    if (!root) return Promise.resolve();
    this.lastWalk = Date.now();
    this.rewalking = (async () => {
      const paths = await this.walk(root, gen, false);
      if (gen !== this.generation) return;
      const seen = new Set(paths);
      for (const p of [...this.files.keys()]) if (!seen.has(p)) this.removeFile(p);
      await this.readAll(paths, gen);
    })().finally(() => {
      this.rewalking = undefined;
    });
    return this.rewalking;
  }

  private removeFile(path: string): void {
    const old = this.files.get(path);
    if (!old) return;
    this.files.delete(path);
    for (const d of old.defs) {
      const set = this.byName.get(d.name);
      if (!set) continue;
      set.delete(path);
      if (set.size === 0) this.byName.delete(d.name);
    }
  }
}

function sameDefs(a: readonly CDefinition[] | undefined, b: readonly CDefinition[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].line !== b[i].line || a[i].character !== b[i].character) return false;
  }
  return true;
}
