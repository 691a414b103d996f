// Hover text for a QEMU trace event name, aware of versions: the declaration and the function that
// fires it in the version the document is read as (a trace log's detected version; elsewhere the
// oldest catalog that declares the name), and what the event is called — or whether it exists — in
// the other catalogued versions, with the releases that changed it. All of it comes from the
// catalogs and their deltas (simulator/catalog/versions.ts).

import type {
  CatalogVersion,
  ChangeNote,
  EventLookup,
  TraceEventDecl,
  VersionDetection,
} from '../../simulator/catalog';
import type * as CatalogModule from '../../simulator/catalog';

export interface EventHoverContext {
  /** The catalog version the document is read as. */
  readonly version?: CatalogVersion;
  /** How a trace log's version was found (shown in the hover). */
  readonly detection?: VersionDetection;
}

/** Renders a function name as Markdown (linked when the name has a target). */
export type NameLink = (name: string) => string;

/** What the hover reads of the catalogs (the module, loaded after initialize). */
export type Catalogs = Pick<typeof CatalogModule, 'getCatalog' | 'lookupEvent' | 'CATALOG_VERSIONS' | 'RELEASE_NAMES'>;

export class EventHover {
  constructor(
    private readonly catalogs: Catalogs,
    private readonly nameLink: NameLink,
  ) {}

  /** Markdown for event `name`, or undefined when no catalog knows it (and it is not on a trace log's event position). */
  markdown(name: string, ctx: EventHoverContext = {}): string | undefined {
    const look = this.catalogs.lookupEvent(name);
    const declaring = look.versions.filter((v) => v.name === name && v.decl);
    if (!look.known && declaring.length === 0)
      return ctx.detection ? this.unknownEvent(name, ctx.detection) : undefined;
    const version = ctx.version ?? declaring[0]?.version ?? look.versions.find((v) => v.decl)!.version;
    const here = look.versions.find((v) => v.version === version);
    const declaredHere = here?.name === name;
    const shown = declaredHere ? here : (declaring[declaring.length - 1] ?? look.versions.find((v) => v.decl));
    const decl = shown?.decl;

    const out: string[] = [];
    const file = decl ? ` (\`${decl.file}\`)` : '';
    out.push(
      `**\`${name}\`** — QEMU trace event${file} · QEMU ${version}` +
        (declaredHere
          ? ''
          : ` — *not declared by QEMU ${version}*${shown ? `; shown as in QEMU ${shown.version}` : ''}`),
    );
    if (decl) out.push(traceSignature(decl));
    const firedBy = shown?.firedBy ?? [];
    if (firedBy.length > 0)
      out.push(
        `**Fired by:** ${firedBy.map((f) => `${this.nameLink(f.name)}${f.file ? ` (\`${f.file}${f.line ? `:${f.line}` : ''}\`)` : ''}`).join(' · ')}`,
      );
    if (decl?.notes) out.push(`*Note:* ${esc(decl.notes)}`);
    const others = this.otherVersions(look, version);
    if (others) out.push(others);
    if (look.lifetime) out.push(`**Releases:** ${this.releasesText(look.lifetime)}`);
    const why = this.changes(look);
    if (why.length > 0) out.push(`**Changes:**\n${why.map((w) => `- ${w}`).join('\n')}`);
    if (ctx.detection) out.push(`**This log:** read as QEMU ${ctx.detection.catalog} — ${esc(ctx.detection.reason)}.`);
    out.push(`Enable it with \`-trace ${name}\`; the log backend prints the event name followed by the format.`);
    return out.join('\n\n');
  }

  /** What the event is called in the catalogued versions other than `version`. */
  private otherVersions(look: EventLookup, version: string): string | undefined {
    const groups = new Map<string, string[]>();
    for (const v of look.versions) {
      if (v.version === version) continue;
      const key =
        v.name === undefined
          ? 'not declared'
          : v.name === look.name
            ? 'the same name'
            : `\`${v.name}\`${v.replaced ? ' (a different event in its place)' : ''}`;
      groups.set(key, [...(groups.get(key) ?? []), v.version]);
    }
    if (groups.size === 0) return undefined;
    const parts = [...groups].map(([what, vs]) => `QEMU ${vs.join(', ')}: ${what}`);
    return `**In other versions:** ${parts.join(' · ')}`;
  }

  /** Why the event (under any of its names) changed, as the newest catalog records it. */
  private changes(look: EventLookup): string[] {
    const names = new Set([look.name, ...look.versions.flatMap((v) => (v.name ? [v.name] : []))]);
    const newest = this.catalogs.getCatalog(this.catalogs.CATALOG_VERSIONS[this.catalogs.CATALOG_VERSIONS.length - 1]);
    const seen = new Set<string>();
    const out: ChangeNote[] = [];
    for (const n of names) {
      for (const c of newest.changesOf(n)) {
        const key = `${c.since}:${c.why}`;
        if (c.kind !== 'event' || seen.has(key)) continue;
        seen.add(key);
        out.push(c);
      }
    }
    const order = (v: string) => v.split('.').reduce((n, part) => n * 100 + Number(part), 0);
    return out.sort((a, b) => order(a.since) - order(b.since)).map((c) => `${c.since}: ${esc(c.why)}`);
  }

  private releasesText(life: NonNullable<EventLookup['lifetime']>): string {
    const [first, last] = this.range();
    const from = life.beforeFirst ? `QEMU ${first} (or earlier)` : `QEMU ${life.from}`;
    const prev = life.previous
      ? ` (${life.previous.replaced ? 'replacing' : 'renamed from'} \`${life.previous.name}\`)`
      : '';
    const back = life.backportedTo?.length
      ? `, backported to ${life.backportedTo.map((r) => `${r}.x`).join(', ')}`
      : '';
    const to = life.next
      ? `until ${life.next.since}, which ${life.next.replaced ? 'replaced it with' : 'renamed it'} \`${life.next.name}\``
      : life.until
        ? `until ${life.until}, which removed it`
        : `to ${last}, the newest release known here`;
    return `declared from ${from}${prev}${back} ${to}.`;
  }

  private unknownEvent(name: string, detection: VersionDetection): string {
    const [first, last] = this.range();
    return [
      `**\`${name}\`** — not a trace event of the virtio-blk path in any QEMU release from ${first} to ${last} known here.`,
      `A replay keeps its lines and shows it as unknown. This log is read as QEMU ${detection.catalog} — ${esc(detection.reason)}.`,
    ].join('\n\n');
  }

  /** The first and last QEMU releases the catalogs follow names through. */
  private range(): [string, string] {
    const r = this.catalogs.RELEASE_NAMES;
    return [r[0], r[r.length - 1]];
  }
}

export function traceSignature(t: TraceEventDecl): string {
  const args = t.args.map((a) => `${a.type}${a.type.endsWith('*') ? '' : ' '}${a.name}`).join(', ');
  return `\`${t.name}(${args})\` → \`"${t.format}"\``;
}

/** Backslash-escapes the Markdown punctuation that could change rendering of prose. */
export function esc(s: string): string {
  return s.replace(/[\\`*[\]<>|#]/g, (c) => `\\${c}`);
}
