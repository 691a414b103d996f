// Read-only pages for frames that have no file to point at: a function the I/O path document
// does not name and no QEMU checkout shows, or an event fired off the path. A frame's source
// then carries a `sourceReference` and the client fetches the page with the `source` request,
// so no frame ever links to nothing. The text is the catalog's entry for that QEMU version.

import { fnKey, lookupEvent } from '../../simulator';
import type { Catalog, FunctionEntry } from '../../simulator';
import type { FrameSource } from './debuggee';

export class SourcePages {
  private readonly refs = new Map<string, number>();
  private readonly texts: string[] = [];

  constructor(private readonly catalog: Catalog) {}

  /** The page for a frame's source: its name and `sourceReference` (1-based), made once per session. */
  reference(at: NonNullable<FrameSource>): { name: string; ref: number } | null {
    const f = 'fn' in at ? this.catalog.entry(at.fn) : undefined;
    if ('fn' in at && !f) return null;
    const key = f ? `fn:${fnKey(f)}` : `page:${(at as { page: string }).page}`;
    const name = `${f ? f.name : (at as { page: string }).page} (QEMU ${this.catalog.version})`;
    let ref = this.refs.get(key);
    if (ref === undefined) {
      this.texts.push(f ? this.functionPage(f) : this.namePage((at as { page: string }).page));
      ref = this.texts.length;
      this.refs.set(key, ref);
    }
    return { name, ref };
  }

  content(ref: number): string | undefined {
    return Number.isInteger(ref) && ref >= 1 ? this.texts[ref - 1] : undefined;
  }

  private get version(): string {
    return `QEMU ${this.catalog.version}`;
  }

  private functionPage(f: FunctionEntry): string {
    const c = this.catalog;
    const stage = c.stage(f.stage);
    const lines = [
      `# ${f.name}${f.qualifier ? ` [${f.qualifier}]` : ''} — ${this.version}`,
      '',
      f.summary,
      '',
      `- Stage: ${stage?.label ?? f.stage}`,
      `- Thread: ${f.thread}${f.runsIn !== 'plain' ? `, runs in a coroutine${f.runsIn === 'either' ? ' or not' : ''}` : ''}`,
      `- Source: ${f.file ? `${f.file}${f.line ? `:${f.line}` : ''} (at ${this.version})` : 'not in the catalog'}`,
    ];
    if (f.calls.length) lines.push(`- Calls: ${f.calls.join(', ')}`);
    const callers = c.callersOf(f.name);
    if (callers.length) lines.push(`- Called by: ${callers.join(', ')}`);
    if (f.traceEvents.length) lines.push(`- Trace events: ${f.traceEvents.join(', ')}`);
    if (f.notes) lines.push('', f.notes);
    const changes = c.changesOf(f.name);
    if (changes.length) lines.push('', 'Since QEMU 4.1.0:', ...changes.map((ch) => `- ${ch.since}: ${ch.why}`));
    lines.push('', this.footer());
    return lines.join('\n');
  }

  private namePage(name: string): string {
    const decl = this.catalog.traceEvent(name);
    const lines = [`# ${name} — ${this.version}`, ''];
    if (decl) {
      lines.push(
        `A trace event declared in ${decl.file}: \`${name}(${decl.args.map((a) => `${a.type} ${a.name}`).join(', ')})\`, printed as \`${decl.format}\`.`,
      );
      if (decl.emitter)
        lines.push(
          '',
          `Fired by ${decl.emitter.name} (${decl.emitter.file}${decl.emitter.line ? `:${decl.emitter.line}` : ''}), off the virtio-blk path this catalog follows.`,
        );
      if (decl.notes) lines.push('', decl.notes);
    } else {
      const other = lookupEvent(name).versions.filter((v) => v.decl);
      lines.push(
        other.length
          ? `Not an event of ${this.version}; ${other.map((v) => `QEMU ${v.version} calls it ${v.name}`).join(', ')}.`
          : `Not an event or function the catalogs know: the log names it, nothing more is known about it.`,
      );
    }
    lines.push('', this.footer());
    return lines.join('\n');
  }

  private footer(): string {
    return `_Generated from the project's catalog of ${this.version}. Set "qemuSource" to a QEMU checkout of that version to open its files instead._`;
  }
}
