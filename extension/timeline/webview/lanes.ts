// The timeline's lanes on a canvas: drawing them (bins zoomed out, exact spans zoomed in, the
// axis, the cursor, the hovered and selected spans, the labels) and finding what is at a point
// (the tooltip's text, where a click sends the debugger). Everything it needs is in a Scene.

import type { TimelinePosition, TimelineResponse } from '../../../server/debug/timeline-protocol';
import type { Theme } from './theme';
import { formatNs, ticks, TimeView } from './view';

export const AXIS_H = 22;
export const LABEL_W = 128;

export type LaneKind = 'thread' | 'coroutines' | 'requests' | 'inflight' | 'kicks' | 'interrupts';
export interface Lane {
  kind: LaneKind;
  label: string;
  y: number;
  h: number;
  thread?: number;
}

/** Something under the pointer or chosen with the keyboard: where it is, what it says, where it goes. */
export interface Hit {
  lane: number;
  start: number;
  end: number;
  text: string;
  /** The event the debugger goes to (-1: the first event at `start`). */
  seq: number;
}

/** What the lanes show, handed in by the page. */
export interface Scene {
  data: TimelineResponse | null;
  view: TimeView;
  lanes: Lane[];
  position: TimelinePosition | null;
  theme: Theme;
  hover: Hit | null;
  selected: Hit | null;
  focusLane: number;
  /** The lanes have keyboard focus (the focused lane is outlined). */
  focused: boolean;
  sessionName: string | null;
  /** Set by `paint`: where the cursor was drawn (px in the lane area). */
  cursorX?: number;
}

/** Width of the lane area (the canvas less the labels). */
export function laneWidth(canvas: HTMLCanvasElement): number {
  return Math.max(50, canvas.clientWidth - LABEL_W);
}

/** Draws the whole canvas: axis, lanes, cursor, outlines, labels. */
export function paint(sc: Scene, canvas: HTMLCanvasElement): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = sc.theme.bg;
  g.fillRect(0, 0, w, h);
  g.font = sc.theme.font;
  g.textBaseline = 'middle';
  if (!sc.data) {
    g.fillStyle = sc.theme.dim;
    g.fillText(sc.sessionName ? 'Loading…' : 'No QEMU I/O debug session', 12, 40);
    return;
  }
  const lw = laneWidth(canvas);
  g.save();
  g.translate(LABEL_W, 0);
  g.beginPath();
  g.rect(0, 0, lw, h);
  g.clip();
  drawAxis(sc, g, lw, h);
  sc.lanes.forEach((lane, i) => drawLane(sc, g, lane, i, lw));
  drawCursor(sc, g, lw, h);
  for (const hit of [sc.hover, sc.selected])
    if (hit) outline(sc, g, hit, lw, hit === sc.selected ? sc.theme.focus : sc.theme.fg);
  g.restore();
  // labels
  sc.lanes.forEach((lane, i) => {
    g.fillStyle = i === sc.focusLane && sc.focused ? sc.theme.focus : sc.theme.fg;
    g.textAlign = 'left';
    g.fillText(lane.label, 6, lane.y + lane.h / 2, LABEL_W - 10);
  });
}

function drawAxis(sc: Scene, g: CanvasRenderingContext2D, lw: number, h: number): void {
  g.strokeStyle = sc.theme.grid;
  g.fillStyle = sc.theme.dim;
  g.textAlign = 'center';
  g.lineWidth = 1;
  for (const t of ticks(sc.view.from, sc.view.to, lw)) {
    const x = Math.round(sc.view.x(t, lw)) + 0.5;
    g.beginPath();
    g.moveTo(x, AXIS_H - 4);
    g.lineTo(x, h);
    g.stroke();
    g.fillText(formatNs(t), x, AXIS_H / 2);
  }
  // the end of what has run
  if (sc.data && !sc.data.extent.complete) {
    const x = sc.view.x(sc.data.extent.endNs, lw);
    g.fillStyle = sc.theme.grid;
    g.fillRect(x, AXIS_H, lw - x, h);
  }
}

/** x range on screen of [t0, t1] (in sc.data coordinates, drawn in the current sc.view). */
function xs(sc: Scene, t0: number, t1: number, lw: number): [number, number] {
  const a = sc.view.x(t0, lw);
  const b = sc.view.x(t1, lw);
  return [a, Math.max(b - a, 0.75)];
}

function drawBins(
  sc: Scene,
  g: CanvasRenderingContext2D,
  values: number[],
  y: number,
  h: number,
  lw: number,
  max: number,
  colour: (i: number) => string | null,
): void {
  if (!sc.data) return;
  const n = values.length;
  const bw = (sc.data.toNs - sc.data.fromNs) / n;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v > 0)) continue;
    const c = colour(i);
    if (!c) continue;
    const [x, wx] = xs(sc, sc.data.fromNs + i * bw, sc.data.fromNs + (i + 1) * bw, lw);
    if (x + wx < 0 || x > lw) continue;
    const bh = Math.max(1, Math.min(1, v / max) * h);
    g.fillStyle = c;
    g.fillRect(x, y + h - bh, wx, bh);
  }
}

function drawLane(sc: Scene, g: CanvasRenderingContext2D, lane: Lane, index: number, lw: number): void {
  if (!sc.data) return;
  const { y, h } = lane;
  if (index === sc.focusLane && sc.focused) {
    g.strokeStyle = sc.theme.focus;
    g.strokeRect(0.5, y - 1.5, lw - 1, h + 2);
  }
  const d = sc.data.detail;
  switch (lane.kind) {
    case 'thread': {
      if (d) {
        g.fillStyle = sc.theme.grid;
        for (const wt of d.waits) {
          if (wt.thread !== lane.thread) continue;
          const [x, wx] = xs(sc, wt.start, wt.end, lw);
          g.fillRect(x, y + h / 2 - 1, wx, 2);
        }
        for (const s of byDepth(sc.data, lane.thread!)) {
          const [x, wx] = xs(sc, s.start, s.end, lw);
          if (x + wx < 0 || x > lw) continue;
          const fn = d.functions[s.fn];
          g.fillStyle = sc.theme.group(sc.data.groups[fn?.group ?? 0]?.id ?? '');
          g.fillRect(x, y + 1, wx, h - 2);
          if (sc.theme.contrast) {
            g.strokeStyle = sc.theme.contrast;
            g.strokeRect(x, y + 1, wx, h - 2);
          }
          if (wx > 40) {
            g.fillStyle = sc.theme.bg;
            g.textAlign = 'left';
            g.fillText(fn?.name ?? '', Math.max(x, 0) + 3, y + h / 2, wx - 6);
          }
        }
      } else {
        const t = sc.data.threads?.find((x) => x.thread === lane.thread);
        if (t)
          drawBins(sc, g, t.busy, y, h, lw, 1, (i) =>
            t.group[i] >= 0 ? sc.theme.group(sc.data!.groups[t.group[i]].id) : null,
          );
      }
      return;
    }
    case 'coroutines': {
      if (d && d.coroutines.length) {
        const rows = coRows(sc.data);
        const rh = Math.max(1, Math.min(8, h / rows.size));
        for (const c of d.coroutines) {
          const [x, wx] = xs(sc, c.start, c.end, lw);
          if (x + wx < 0 || x > lw) continue;
          g.fillStyle = c.state === 'running' ? sc.theme.group('blk') : sc.theme.stage[5];
          g.fillRect(x, y + rows.get(c.co)! * rh, wx, Math.max(1, rh - 1));
        }
      } else if (sc.data.coroutines) {
        const all = sc.data.coroutines.running.map((r, i) => r + sc.data!.coroutines!.parked[i]);
        const max = Math.max(1, ...all);
        drawBins(sc, g, all, y, h, lw, max, () => sc.theme.stage[5]);
        drawBins(sc, g, sc.data.coroutines.running, y, h, lw, max, () => sc.theme.group('blk'));
      }
      return;
    }
    case 'requests': {
      const r = sc.data.requests;
      if (!r) return;
      if (r.spans) {
        const rows = Math.max(1, ...r.spans.map((s) => s.row + 1));
        const rh = Math.max(1, Math.min(10, h / rows));
        const end = sc.data.extent.endNs;
        for (const s of r.spans) {
          const top = y + s.row * rh;
          let t = s.marks[0];
          for (let k = 1; k <= 5; k++) {
            if (s.marks[k] < 0) continue;
            const [x, wx] = xs(sc, t, s.marks[k], lw);
            g.fillStyle = sc.theme.stage[k - 1];
            g.fillRect(x, top, wx, Math.max(1, rh - 1));
            t = s.marks[k];
          }
          if (s.marks[5] < 0) {
            const [x, wx] = xs(sc, t, end, lw);
            g.fillStyle = sc.theme.stage[5];
            g.fillRect(x, top, wx, Math.max(1, rh - 1));
          }
        }
      } else {
        // stacked: how many requests are in each stage per bin
        const n = r.byStage[0].length;
        const totals = Array.from({ length: n }, (_, i) => r.byStage.reduce((a, c) => a + c[i], 0));
        const max = Math.max(1e-9, ...totals);
        const bw = (sc.data.toNs - sc.data.fromNs) / n;
        for (let i = 0; i < n; i++) {
          const [x, wx] = xs(sc, sc.data.fromNs + i * bw, sc.data.fromNs + (i + 1) * bw, lw);
          if (x + wx < 0 || x > lw) continue;
          let base = y + h;
          for (let k = 0; k < r.byStage.length; k++) {
            const bh = (r.byStage[k][i] / max) * h;
            if (bh <= 0) continue;
            g.fillStyle = sc.theme.stage[k];
            g.fillRect(x, base - bh, wx, bh);
            base -= bh;
          }
        }
      }
      return;
    }
    default: {
      const c = sc.data.counters;
      if (!c) return;
      const values = c[lane.kind as 'inflight' | 'kicks' | 'interrupts'];
      const max = Math.max(1e-9, ...values);
      const colour =
        lane.kind === 'inflight' ? sc.theme.stage[2] : lane.kind === 'kicks' ? sc.theme.stage[0] : sc.theme.stage[3];
      drawBins(sc, g, values, y, h, lw, max, () => colour);
      g.fillStyle = sc.theme.dim;
      g.textAlign = 'right';
      g.fillText(
        `max ${max < 10 ? max.toFixed(1) : Math.round(max)}${lane.kind === 'inflight' ? '' : ' per px'}`,
        lw - 4,
        y + 7,
      );
    }
  }
}

let depthCache: {
  data: TimelineResponse;
  byThread: Map<number, NonNullable<TimelineResponse['detail']>['slices']>;
} | null = null;
/** A thread's slices, shallow first, so the innermost call is drawn on top. */
function byDepth(data: TimelineResponse | null, thread: number): NonNullable<TimelineResponse['detail']>['slices'] {
  if (!data?.detail) return [];
  if (depthCache?.data !== data) {
    const byThread = new Map<number, NonNullable<TimelineResponse['detail']>['slices']>();
    for (const s of data.detail.slices) {
      let a = byThread.get(s.thread);
      if (!a) byThread.set(s.thread, (a = []));
      a.push(s);
    }
    for (const a of byThread.values()) a.sort((p, q) => p.depth - q.depth || p.start - q.start);
    depthCache = { data, byThread };
  }
  return depthCache.byThread.get(thread) ?? [];
}

let coRowCache: { data: TimelineResponse; rows: Map<number, number> } | null = null;
function coRows(data: TimelineResponse | null): Map<number, number> {
  if (coRowCache?.data === data) return coRowCache.rows;
  const rows = new Map<number, number>();
  for (const c of data?.detail?.coroutines ?? []) if (!rows.has(c.co)) rows.set(c.co, rows.size);
  coRowCache = { data: data!, rows };
  return rows;
}

function drawCursor(sc: Scene, g: CanvasRenderingContext2D, lw: number, h: number): void {
  if (!sc.position) return;
  const x = Math.round(sc.view.x(sc.position.timeNs, lw)) + 0.5;
  sc.cursorX = x;
  if (x < 0 || x > lw) return;
  g.strokeStyle = sc.theme.cursor;
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(x, AXIS_H - 6);
  g.lineTo(x, h);
  g.stroke();
  g.lineWidth = 1;
  const lane = sc.lanes.find((l) => l.kind === 'thread' && l.thread === sc.position!.threadId);
  if (lane) {
    g.fillStyle = sc.theme.cursor;
    g.beginPath();
    g.moveTo(x - 5, lane.y);
    g.lineTo(x + 5, lane.y);
    g.lineTo(x, lane.y + 6);
    g.fill();
  }
}

function outline(sc: Scene, g: CanvasRenderingContext2D, hit: Hit, lw: number, colour: string): void {
  const lane = sc.lanes[hit.lane];
  if (!lane) return;
  const [x, wx] = xs(sc, hit.start, hit.end, lw);
  g.strokeStyle = colour;
  g.lineWidth = 2;
  g.strokeRect(x - 1, lane.y - 1, wx + 2, lane.h + 2);
  g.lineWidth = 1;
}

// ---- what is where -------------------------------------------------------------------------

/** The span (or bin) of lane `index` at time `t`, if any. */
export function hitAt(sc: Scene, index: number, t: number, yIn?: number): Hit | null {
  const lane = sc.lanes[index];
  if (!lane || !sc.data) return null;
  const d = sc.data.detail;
  const binNs = (sc.data.toNs - sc.data.fromNs) / sc.data.bins;
  const bin = Math.floor((t - sc.data.fromNs) / binNs);
  const binHit = (text: string): Hit => ({
    lane: index,
    start: sc.data!.fromNs + bin * binNs,
    end: sc.data!.fromNs + (bin + 1) * binNs,
    text,
    seq: -1,
  });
  switch (lane.kind) {
    case 'thread': {
      if (d) {
        const slices = byDepth(sc.data, lane.thread!);
        for (let i = slices.length - 1; i >= 0; i--) {
          const s = slices[i];
          if (s.start <= t && t <= s.end) {
            const fn = d.functions[s.fn];
            return {
              lane: index,
              start: s.start,
              end: s.end,
              seq: s.seq,
              text: `${lane.label}: ${fn?.name} · ${formatNs(s.end - s.start)}${s.co >= 0 ? ` · coroutine #${s.co}` : ''}\n${sc.data.groups[fn?.group ?? 0]?.label} · from ${formatNs(s.start)}${s.seq >= 0 ? ` (event ${s.seq})` : ' (began earlier)'}`,
            };
          }
        }
        const wt = d.waits.find((x) => x.thread === lane.thread && x.start <= t && t <= x.end);
        if (wt)
          return {
            lane: index,
            start: wt.start,
            end: wt.end,
            seq: -1,
            text: `${lane.label}: waiting in ${d.functions[wt.fn]?.name} · ${formatNs(wt.end - wt.start)}`,
          };
        return null;
      }
      const th = sc.data.threads?.find((x) => x.thread === lane.thread);
      if (!th || bin < 0 || bin >= th.busy.length) return null;
      const gi = th.group[bin];
      return binHit(
        `${lane.label}: ran ${Math.round(th.busy[bin] * 100)}% of ${formatNs(binNs)}${gi >= 0 ? `, mostly ${sc.data.groups[gi].label}` : ''}`,
      );
    }
    case 'coroutines': {
      if (d && d.coroutines.length && yIn !== undefined) {
        const rows = coRows(sc.data);
        const rh = Math.max(1, Math.min(8, lane.h / rows.size));
        const row = Math.floor((yIn - lane.y) / rh);
        const c = d.coroutines.find((x) => rows.get(x.co) === row && x.start <= t && t <= x.end);
        if (!c) return null;
        const where = d.functions[c.fn]?.name;
        return {
          lane: index,
          start: c.start,
          end: c.end,
          seq: c.seq,
          text: `coroutine #${c.co} ${c.state === 'running' ? `running (${where})` : `parked in ${where}`} · ${formatNs(c.end - c.start)}`,
        };
      }
      const c = sc.data.coroutines;
      if (!c || bin < 0 || bin >= c.running.length) return null;
      return binHit(`coroutines: ${c.running[bin].toFixed(2)} running, ${c.parked[bin].toFixed(2)} parked (average)`);
    }
    case 'requests': {
      const r = sc.data.requests;
      if (!r) return null;
      if (r.spans && yIn !== undefined) {
        const rows = Math.max(1, ...r.spans.map((s) => s.row + 1));
        const rh = Math.max(1, Math.min(10, lane.h / rows));
        const row = Math.floor((yIn - lane.y) / rh);
        const s = r.spans.find(
          (x) => x.row === row && x.marks[0] <= t && t <= (x.marks[5] >= 0 ? x.marks[5] : sc.data!.extent.endNs),
        );
        if (!s) return null;
        let k = 0;
        while (k < 5 && s.marks[k + 1] >= 0 && s.marks[k + 1] < t) k++;
        const parts = sc.data.stages
          .map((name, i) =>
            s.marks[i + 1] >= 0 && s.marks[i] >= 0 ? `${name} ${formatNs(s.marks[i + 1] - s.marks[i])}` : null,
          )
          .filter(Boolean);
        const stageStart = s.marks[k];
        return {
          lane: index,
          start: s.marks[0],
          end: s.marks[5] >= 0 ? s.marks[5] : sc.data.extent.endNs,
          seq: -1,
          // a click goes to the start of the stage under the pointer
          text: `request ${s.id} (${s.op}${s.failed ? ', failed' : ''})${s.marks[5] < 0 ? ' in flight' : ` · ${formatNs(s.marks[5] - s.marks[0])}`}\n${parts.join('\n')}\nclick: go to “${sc.data.stages[Math.min(k, 4)]}” at ${formatNs(stageStart)}`,
          stageStart,
        } as Hit & { stageStart: number };
      }
      if (bin < 0 || bin >= r.byStage[0].length) return null;
      return binHit(
        [
          'requests (average in each stage):',
          ...sc.data.stages.map((s, i) => `${s}: ${r.byStage[i][bin].toFixed(2)}`),
          `in flight at the end: ${r.byStage[5][bin].toFixed(2)}`,
        ].join('\n'),
      );
    }
    default: {
      const c = sc.data.counters;
      if (!c || bin < 0 || bin >= c.kicks.length) return null;
      const v = c[lane.kind as 'inflight' | 'kicks' | 'interrupts'][bin];
      return binHit(
        lane.kind === 'inflight'
          ? `requests in flight: ${v.toFixed(2)} (average)`
          : `${lane.kind}: ${v.toFixed(0)} in ${formatNs(binNs)}`,
      );
    }
  }
}

export function laneAt(lanes: Lane[], y: number): number {
  return lanes.findIndex((l) => y >= l.y && y <= l.y + l.h);
}
