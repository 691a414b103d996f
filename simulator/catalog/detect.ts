// Which QEMU produced a trace log, from the names of the events in it. Each name declared by only
// some releases bounds the range (thread_pool_submit_aio: 10.0 or later); a few patterns that need
// two names narrow it further. The result is the release range the evidence allows, the catalog to
// read the log with, and the lines of evidence, so a user can check the choice or override it.

import { CATALOG_VERSIONS, type CatalogVersion } from './index';
import { RELEASE_NAMES, releaseIndex, releaseOf, type Release } from './releases';
import { declaredRange, eventLifetimes, nearestCatalog, type EventLifetime } from './versions';

export interface VersionEvidence {
  /** The event names this line rests on. */
  readonly events: readonly string[];
  /** The inclusive release range it allows. */
  readonly from: Release;
  readonly to: Release;
  /** `name`: a name only some releases declare; `pattern`: how two events relate (weaker, see text). */
  readonly kind: 'name' | 'pattern';
  readonly text: string;
}

export interface VersionDetection {
  /** The inclusive release range the evidence allows. */
  readonly from: Release;
  readonly to: Release;
  /** The catalog to read the log with, and why. */
  readonly catalog: CatalogVersion;
  readonly reason: string;
  /** The evidence used, strongest first. */
  readonly evidence: readonly VersionEvidence[];
  /** Evidence left out because it contradicts the rest (e.g. two logs of different QEMUs concatenated). */
  readonly conflicts: readonly VersionEvidence[];
  /** Names no release from 4.1 to 10.2 declares on this path: keep their lines, show them as unknown. */
  readonly unknown: readonly string[];
}

const LAST = RELEASE_NAMES.length - 1;

/** Detects the QEMU release range and the catalog version to use from the event names of a log (any order, repeats allowed). */
export function detectQemuVersion(eventNames: Iterable<string>): VersionDetection {
  const names = new Set(eventNames);
  const lives = eventLifetimes();
  const unknown = [...names].filter((n) => !lives.has(n)).sort();

  const byName = [...names]
    .map((n) => lives.get(n))
    .filter((l): l is EventLifetime => l !== undefined)
    .map(nameEvidence)
    .filter((e): e is VersionEvidence => e !== undefined);
  const { kept, dropped } = consistent(byName);
  let lo = Math.max(0, ...kept.map((e) => releaseIndex(e.from)));
  let hi = Math.min(LAST, ...kept.map((e) => releaseIndex(e.to)));

  // Patterns only narrow a range the names allow; one that would empty it is reported as a conflict.
  const conflicts = [...dropped];
  const used = [...kept];
  for (const p of patternEvidence(names)) {
    const [plo, phi] = [releaseIndex(p.from), releaseIndex(p.to)];
    if (Math.max(lo, plo) > Math.min(hi, phi)) conflicts.push(p);
    else {
      [lo, hi] = [Math.max(lo, plo), Math.min(hi, phi)];
      used.push(p);
    }
  }
  used.sort((a, b) => width(a) - width(b) || a.text.localeCompare(b.text));
  const from = RELEASE_NAMES[lo];
  const to = RELEASE_NAMES[hi];
  const { catalog, reason } = chooseCatalog(lo, hi, used.length > 0);
  return { from, to, catalog, reason, evidence: used, conflicts, unknown };
}

function nameEvidence(life: EventLifetime): VersionEvidence | undefined {
  const { lo, hi } = declaredRange(life);
  if (lo === 0 && hi === LAST) return undefined;
  const parts: string[] = [];
  if (lo > 0)
    parts.push(
      life.previous
        ? `renamed from ${life.previous.name} in ${life.previous.since}`
        : `declared since ${RELEASE_NAMES[lo]}${life.backportedTo ? ` (from ${life.from}, backported to ${life.backportedTo.join(', ')}.x)` : ''}`,
    );
  if (hi < LAST)
    parts.push(
      life.next
        ? `${life.next.replaced ? 'replaced by' : 'renamed'} ${life.next.name} in ${life.next.since}`
        : `removed in ${life.until}`,
    );
  return {
    events: [life.name],
    from: RELEASE_NAMES[lo],
    to: RELEASE_NAMES[hi],
    kind: 'name',
    text: `${life.name}: ${parts.join('; ')} → ${span(lo, hi)}`,
  };
}

/** Two-event patterns, each stated with the assumption it rests on. */
function patternEvidence(names: ReadonlySet<string>): VersionEvidence[] {
  const out: VersionEvidence[] = [];
  if (names.has('virtio_notify_irqfd') && !names.has('virtio_notify_irqfd_deferred_fn'))
    out.push({
      events: ['virtio_notify_irqfd', 'virtio_notify_irqfd_deferred_fn'],
      from: '4.1',
      to: '8.1',
      kind: 'pattern',
      text: 'virtio_notify_irqfd without virtio_notify_irqfd_deferred_fn: from 8.2 every irqfd notification is followed by the deferred write event (assuming both were enabled, as `virtio_notify*` does) → 8.1 or older',
    });
  if (names.has('virtio_blk_req_complete') && names.has('virtio_notify') && !names.has('virtio_notify_irqfd'))
    out.push({
      events: ['virtio_blk_req_complete', 'virtio_notify', 'virtio_notify_irqfd'],
      from: '9.0',
      to: RELEASE_NAMES[LAST],
      kind: 'pattern',
      text: 'virtio-blk completions raise virtio_notify and never virtio_notify_irqfd: before 9.0 they use the irqfd whenever ioeventfd is on (the default, TCG included) → 9.0 or newer, unless the device had ioeventfd=off',
    });
  return out;
}

/** The evidence that agrees with the most other evidence: the releases allowed by the largest number of lines. */
function consistent(evidence: VersionEvidence[]): { kept: VersionEvidence[]; dropped: VersionEvidence[] } {
  const votes = RELEASE_NAMES.map(
    (_, i) => evidence.filter((e) => releaseIndex(e.from) <= i && i <= releaseIndex(e.to)).length,
  );
  const best = Math.max(...votes);
  if (best === evidence.length) return { kept: evidence, dropped: [] };
  const top = votes.map((v, i) => (v === best ? i : -1)).filter((i) => i >= 0);
  const [lo, hi] = [top[0], top[top.length - 1]];
  const fits = (e: VersionEvidence) => releaseIndex(e.from) <= lo && hi <= releaseIndex(e.to);
  return { kept: evidence.filter(fits), dropped: evidence.filter((e) => !fits(e)) };
}

function chooseCatalog(lo: number, hi: number, anyEvidence: boolean): { catalog: CatalogVersion; reason: string } {
  const inRange = (CATALOG_VERSIONS as readonly CatalogVersion[]).filter((v) => {
    const i = releaseIndex(releaseOf(v)!);
    return lo <= i && i <= hi;
  });
  const range = span(lo, hi);
  if (!anyEvidence) {
    const catalog = inRange[inRange.length - 1] ?? '10.0';
    return {
      catalog,
      reason: `no event in the log is specific to a release, so any QEMU from ${range} fits; using the newest catalog, ${catalog} (set the version to override)`,
    };
  }
  if (inRange.length === 1)
    return { catalog: inRange[0], reason: `the events fit ${range}, which includes ${inRange[0]}` };
  if (inRange.length > 1) {
    const catalog = inRange[inRange.length - 1];
    return {
      catalog,
      reason: `the events fit ${range}, which includes ${inRange.join(' and ')}; using the newest, ${catalog} (set the version to override)`,
    };
  }
  const mid = RELEASE_NAMES[hi];
  const near = [nearestCatalog(RELEASE_NAMES[lo])!, nearestCatalog(mid)!];
  const dist = (v: CatalogVersion) => {
    const i = releaseIndex(releaseOf(v)!);
    return i < lo ? lo - i : i - hi;
  };
  const catalog = near.sort(
    (a, b) => dist(a) - dist(b) || releaseIndex(releaseOf(b)!) - releaseIndex(releaseOf(a)!),
  )[0];
  return {
    catalog,
    reason: `the events fit ${range}, for which there is no catalog; using the nearest, ${catalog} (names and call paths may differ)`,
  };
}

function span(lo: number, hi: number): string {
  if (lo === hi) return `QEMU ${RELEASE_NAMES[lo]}`;
  if (lo === 0) return `QEMU ${RELEASE_NAMES[hi]} or older`;
  if (hi === LAST) return `QEMU ${RELEASE_NAMES[lo]} or newer`;
  return `QEMU ${RELEASE_NAMES[lo]}–${RELEASE_NAMES[hi]}`;
}

function width(e: VersionEvidence): number {
  return releaseIndex(e.to) - releaseIndex(e.from);
}
