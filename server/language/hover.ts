// Hover text for a QEMU I/O path name, as Markdown. Built once per name and cached; the cache is
// dropped whenever link targets may have changed (settings, a finished checkout scan, a changed
// document). Everything here is rendered from the catalog; the checkout only supplies links.

import type { Catalog, FunctionEntry, PathChange, ThreadKind } from '../../simulator/catalog';
import type { Definitions } from './definition';
import { esc, EventHover, traceSignature, type Catalogs } from './eventHover';

const THREAD_TEXT: Record<ThreadKind, string> = {
  vcpu: 'a vCPU thread',
  'main-loop': 'the main-loop thread (holding the BQL)',
  iothread: 'the IOThread',
  'main-loop-or-iothread': 'the main-loop thread, or the IOThread when the device has one',
  'pool-worker': 'a thread-pool worker',
  any: 'whichever thread calls it',
  kernel: 'the host kernel (no QEMU thread)',
};

/** Section of the man pages that documents each system call or wrapper in the catalog. */
const MAN_PAGES: Record<string, string> = {
  eventfd: 'eventfd.2',
  eventfd_read: 'eventfd.2',
  eventfd_write: 'eventfd.2',
  ppoll: 'poll.2',
  epoll_wait: 'epoll_wait.2',
  read: 'read.2',
  write: 'write.2',
  io_setup: 'io_setup.2',
  io_submit: 'io_submit.2',
  io_getevents: 'io_getevents.2',
  pread: 'pread.2',
  pwrite: 'pwrite.2',
  pread64: 'pread.2',
  pwrite64: 'pwrite.2',
  preadv: 'readv.2',
  pwritev: 'readv.2',
  fdatasync: 'fdatasync.2',
};

/** Catalog names that are also ordinary English words: left as prose in summaries. */
const PROSE_WORDS = new Set(['read', 'write']);

/** Longest caller/callee list shown before "and N more". */
const MAX_LISTED = 12;

export class HoverProvider {
  private cache = new Map<string, string>();
  /** Trace events, of every catalogued version. */
  readonly events: EventHover;

  constructor(
    private readonly catalog: Catalog,
    private readonly defs: Definitions,
    catalogs: Catalogs,
    /** Where the path changed after 4.1.0 (the catalogs' pathChanges; passed in, as the catalog loads late). */
    private readonly pathChanges: (name: string) => readonly PathChange[] = () => [],
  ) {
    this.events = new EventHover(catalogs, (n) => this.nameLink(n));
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** Markdown for `name`, or undefined when it is neither a function of the catalog nor a trace event of any version. */
  markdown(name: string): string | undefined {
    let md = this.cache.get(name);
    if (md !== undefined) return md;
    const fns = this.catalog.allNamed(name);
    if (fns.length > 0) md = fns.map((f) => this.functionMarkdown(f, fns.length > 1)).join('\n\n---\n\n');
    else {
      md = this.events.markdown(name);
      const changed = this.changes(name);
      if (md !== undefined && changed) md += `\n\n${changed}`;
    }
    if (md === undefined) return undefined;
    this.cache.set(name, md);
    return md;
  }

  private functionMarkdown(f: FunctionEntry, duplicated: boolean): string {
    const c = this.catalog;
    const stage = c.stage(f.stage);
    const group = stage ? c.groups.find((g) => g.id === stage.group) : undefined;
    const out: string[] = [];
    const where = f.qualifier ? ` (${f.file ?? f.qualifier})` : '';
    const kind =
      f.origin === 'syscall'
        ? ' — host system call'
        : f.origin === 'guest'
          ? ' — guest Linux driver'
          : f.origin === 'glib'
            ? ' — glib'
            : '';
    out.push(`**\`${f.name}\`**${where}${kind} · QEMU ${c.version} I/O path`);
    if (duplicated && f.qualifier) {
      out.push(
        `*One of ${c.allNamed(f.name).length} static functions named \`${f.name}\`; this is the ${f.qualifier} one.*`,
      );
    }
    out.push(this.prose(f.summary));
    if (f.notes) out.push(`*Note:* ${this.prose(f.notes)}`);
    const changed = this.changes(f.name);
    if (changed) out.push(changed);

    const facts: string[] = [];
    if (stage) facts.push(`**Stage:** ${esc(stage.label)}${group ? ` · *${esc(group.label)}*` : ''}`);
    facts.push(`**Thread:** ${this.threadText(f)}`);
    facts.push(`**Coroutine:** ${coroutineText(f)}`);
    const src = this.sourceLine(f);
    if (src) facts.push(src);
    out.push(facts.map((x) => `- ${x}`).join('\n'));

    const callers = c.callersOf(f.name);
    if (callers.length > 0) out.push(`**Called by:** ${this.nameList(callers)}`);
    if (f.calls.length > 0) out.push(`**Calls:** ${this.nameList(f.calls)}`);

    if (f.traceEvents.length > 0) {
      const lines = f.traceEvents.map((n) => {
        const t = c.traceEvent(n);
        return t ? `- ${traceSignature(t)}` : `- \`${n}\``;
      });
      out.push(`**Trace events** (enable with \`-trace <name>\`):\n${lines.join('\n')}`);
    }
    const doc = this.defs.docTarget(f.name);
    if (doc) out.push(`[Read more in the I/O path document](${doc})`);
    return out.join('\n\n');
  }

  /** Where the path changed after 4.1.0 for a name, one "Since X.Y" / "In 10.0" line each (from the catalogs). */
  private changes(name: string): string | undefined {
    const lines = this.pathChanges(name).map((p) => {
      // the change's own names (in backticks) stay code; the rest is prose
      const text = p.text
        .split(/`([^`]*)`/)
        .map((part, i) => (i % 2 ? `\`${part}\`` : this.prose(part)))
        .join('');
      return `**${p.label}:** ${text}`;
    });
    return lines.length ? lines.join('  \n') : undefined;
  }

  private threadText(f: FunctionEntry): string {
    if (f.origin === 'guest') return 'the guest kernel, on a guest vCPU (not QEMU code)';
    let t = THREAD_TEXT[f.thread] ?? f.thread;
    if (f.origin === 'syscall') t = `issued by ${t}`;
    if (f.altThreads && f.altThreads.length > 0)
      t += `; also ${f.altThreads.map((a) => THREAD_TEXT[a] ?? a).join(', ')}`;
    return t;
  }

  private sourceLine(f: FunctionEntry): string | undefined {
    if (f.origin === 'syscall') {
      const page = MAN_PAGES[f.name];
      const man = page
        ? ` — [${page.replace('.', '(')})](https://man7.org/linux/man-pages/man${page.slice(-1)}/${page}.html)`
        : '';
      return `**Source:** host kernel / C library, not QEMU${man}`;
    }
    if (f.origin === 'guest') return `**Source:** Linux \`${f.file ?? '?'}\` (depends on the guest kernel)`;
    if (f.origin === 'glib') return `**Source:** glib${f.file ? ` \`${f.file}\`` : ''}`;
    const s = this.defs.source(f);
    if (!s) return undefined;
    const label = `\`${s.label}\``;
    const linked = s.uri ? `[${label}](${s.uri})` : label;
    const moved = s.checkoutLine ? ` (line ${s.checkoutLine} in your checkout)` : '';
    return `**Source (QEMU ${this.catalog.version}):** ${linked}${moved}`;
  }

  private nameList(names: readonly string[]): string {
    const shown = names.slice(0, MAX_LISTED).map((n) => this.nameLink(n));
    const more = names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : '';
    return shown.join(' · ') + more;
  }

  nameLink(name: string): string {
    if (!this.catalog.has(name)) return `\`${name}\``;
    const target = this.defs.targetNow(name);
    return target ? `[\`${name}\`](${target})` : `\`${name}\``;
  }

  /** Escapes prose and sets the catalog's names in code style. */
  private prose(text: string): string {
    return esc(text).replace(/[A-Za-z_][A-Za-z0-9_]*/g, (w) =>
      !PROSE_WORDS.has(w) && (this.catalog.has(w) || this.catalog.traceEvent(w)) ? `\`${w}\`` : w,
    );
  }
}

function coroutineText(f: FunctionEntry): string {
  const runs =
    f.runsIn === 'coroutine'
      ? 'runs in a coroutine'
      : f.runsIn === 'either'
        ? 'runs in a coroutine or in plain code'
        : 'plain code, never on a coroutine stack';
  const y =
    f.name === 'qemu_coroutine_yield'
      ? 'this is the yield point itself'
      : f.directYield
        ? 'may yield (calls `qemu_coroutine_yield` itself)'
        : f.yields
          ? 'may yield (through a callee)'
          : 'never yields';
  return f.origin === 'syscall' || f.origin === 'guest'
    ? f.runsIn === 'either'
      ? 'may be issued from a coroutine; never yields'
      : 'n/a'
    : `${runs}; ${y}`;
}
