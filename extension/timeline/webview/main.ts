// The timeline webview (bundled to dist/timeline.js): canvas lanes over simulated time — a lane per
// QEMU thread, coroutines running and parked, requests by stage, requests in flight, kicks and
// interrupts — with a cursor where the debugger stands. It asks the panel for the range it shows
// at one bin per pixel and draws what comes back; zoomed out that is bins, zoomed in exact spans.
// Wheel or +/− zooms, drag or arrows pans, a click makes the debugger go there.

import type { TimelinePosition, TimelineResponse } from '../../../server/debug/timeline-protocol';
import type { FromWebview, ToWebview } from '../messages';
import { renderHistogram, renderLatency, renderLegend } from './side';
import { readTheme, Theme } from './theme';
import { formatNs, ticks, TimeView } from './view';
import './timeline.css';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void };
const vscode = acquireVsCodeApi();
const post = (m: FromWebview): void => vscode.postMessage(m);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('lanes');
const wrap = $<HTMLDivElement>('lanes-wrap');
const tooltip = $<HTMLDivElement>('tooltip');
const status = $<HTMLSpanElement>('status');
const rangeLabel = $<HTMLSpanElement>('range');
const live = $<HTMLDivElement>('live');
const stats = document.body.dataset;

const AXIS_H = 22;
const LABEL_W = 128;

type LaneKind = 'thread' | 'coroutines' | 'requests' | 'inflight' | 'kicks' | 'interrupts';
interface Lane {
  kind: LaneKind;
  label: string;
  y: number;
  h: number;
  thread?: number;
}

/** Something under the pointer or chosen with the keyboard: where it is, what it says, where it goes. */
interface Hit {
  lane: number;
  start: number;
  end: number;
  text: string;
  /** The event the debugger goes to (-1: the first event at `start`). */
  seq: number;
}

let theme: Theme = readTheme();
const view = new TimeView();
let data: TimelineResponse | null = null;
let lanes: Lane[] = [];
let position: TimelinePosition | null = null;
let sessionName: string | null = null;
let hover: Hit | null = null;
let selected: Hit | null = null;
let focusLane = 0;
let queryId = 0;
let queryTimer: ReturnType<typeof setTimeout> | undefined;
let frames = 0;
let gotoAt = 0;
const opened = performance.now();

// ---- data ----------------------------------------------------------------------------------

function laneWidth(): number {
  return Math.max(50, canvas.clientWidth - LABEL_W);
}

/** Ask for the visible range, one bin per pixel (soon: a burst of wheel events asks once). */
function requestData(delay = 60): void {
  clearTimeout(queryTimer);
  queryTimer = setTimeout(() => {
    const whole = data === null;
    post({
      type: 'query',
      id: ++queryId,
      fromNs: whole ? undefined : view.from,
      toNs: whole ? undefined : view.to,
      bins: Math.round(laneWidth()),
    });
    stats.state = 'loading';
  }, delay);
}

function receive(m: ToWebview): void {
  switch (m.type) {
    case 'session':
      sessionName = m.name;
      data = null;
      selected = null;
      position = null;
      for (const k of ['complete', 'events', 'detail', 'positionEvent', 'cursorX', 'lastGotoMs']) delete stats[k];
      if (m.name) requestData(0);
      else {
        stats.state = 'empty';
        status.textContent = 'No QEMU I/O debug session: start one (F5) and the timeline follows it.';
      }
      return invalidate();
    case 'data': {
      if (m.id !== queryId) return;
      const first = data === null;
      const wasWhole = first || view.isWhole();
      data = m.body;
      view.end = Math.max(1, data.extent.endNs);
      if (wasWhole) view.whole();
      if (m.body.position) {
        position = m.body.position;
        stats.positionEvent = String(position.event);
      }
      layout();
      stats.queryMs = m.ms.toFixed(1);
      stats.events = String(data.extent.events);
      stats.complete = String(data.extent.complete);
      stats.detail = String(!!data.detail);
      stats.state = 'ready';
      status.textContent = describe(data, m.ms);
      renderLatency($('latency'), $('latency-scope'), data.latency, theme);
      renderHistogram($('histogram'), data.latency, theme);
      renderLegend($('legend'), data, theme);
      if (first) {
        draw();
        stats.firstPaintMs = (performance.now() - opened).toFixed(0);
      }
      // the range shown may have moved on while this was on its way
      if (Math.abs(data.fromNs - view.from) > view.span / 100 || Math.abs(data.toNs - view.to) > view.span / 100)
        requestData();
      return invalidate();
    }
    case 'error':
      if (m.id === queryId) {
        status.textContent = m.message;
        stats.state = 'error';
      }
      return;
    case 'position': {
      position = m.position;
      if (gotoAt) {
        stats.lastGotoMs = (performance.now() - gotoAt).toFixed(0);
        gotoAt = 0;
      }
      stats.positionEvent = String(position.event);
      // nothing yet (the session was running), or the run went visibly past what we hold: ask
      // again (stepping within what has run only moves the cursor: no query, no cost to the step)
      if (!data || position.timeNs > data.extent.endNs + view.span / 200) requestData(0);
      announce(`Debugger at ${formatNs(position.timeNs)}, event ${position.event}`);
      return invalidate();
    }
  }
}

function describe(d: TimelineResponse, ms: number): string {
  const detail = d.detail ? 'exact spans' : d.resolution === 'replayed' ? 'replayed bins' : 'recorded bins';
  const run = d.extent.complete ? 'whole run' : 'run so far';
  return `${detail}, ${formatNs(d.binNs)} per pixel · ${run}: ${formatNs(d.extent.endNs)}, ${d.extent.events.toLocaleString('en-US')} events · ${ms.toFixed(0)} ms`;
}

function layout(): void {
  if (!data) return;
  const out: Lane[] = [];
  let y = AXIS_H;
  const add = (kind: LaneKind, label: string, h: number, thread?: number): void => {
    out.push({ kind, label, y, h, thread });
    y += h + 3;
  };
  for (const t of data.threads ?? []) add('thread', t.name, 22, t.thread);
  add('coroutines', 'coroutines', 48);
  add('requests', 'requests', 96);
  add('inflight', 'in flight', 34);
  add('kicks', 'kicks', 26);
  add('interrupts', 'interrupts', 26);
  lanes = out;
  focusLane = Math.min(focusLane, lanes.length - 1);
  canvas.style.height = `${y + 4}px`;
}

// ---- drawing -------------------------------------------------------------------------------

let drawPending = false;
function invalidate(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

let drawTotalMs = 0;
function draw(): void {
  const t0 = performance.now();
  paint();
  frames++;
  drawTotalMs += performance.now() - t0;
  stats.frames = String(frames);
  stats.drawTotalMs = drawTotalMs.toFixed(1);
  if (data && !stats.shownMs) stats.shownMs = String(Date.now() - Number(document.body.dataset.openedAt));
}

function paint(): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = theme.bg;
  g.fillRect(0, 0, w, h);
  g.font = theme.font;
  g.textBaseline = 'middle';
  rangeLabel.textContent = `${formatNs(view.from)} – ${formatNs(view.to)} (${formatNs(view.span)})`;
  if (!data) {
    g.fillStyle = theme.dim;
    g.fillText(sessionName ? 'Loading…' : 'No QEMU I/O debug session', 12, 40);
    return;
  }
  const lw = laneWidth();
  g.save();
  g.translate(LABEL_W, 0);
  g.beginPath();
  g.rect(0, 0, lw, h);
  g.clip();
  drawAxis(g, lw, h);
  lanes.forEach((lane, i) => drawLane(g, lane, i, lw));
  drawCursor(g, lw, h);
  for (const hit of [hover, selected]) if (hit) outline(g, hit, lw, hit === selected ? theme.focus : theme.fg);
  g.restore();
  // labels
  lanes.forEach((lane, i) => {
    g.fillStyle = i === focusLane && document.activeElement === canvas ? theme.focus : theme.fg;
    g.textAlign = 'left';
    g.fillText(lane.label, 6, lane.y + lane.h / 2, LABEL_W - 10);
  });
}

function drawAxis(g: CanvasRenderingContext2D, lw: number, h: number): void {
  g.strokeStyle = theme.grid;
  g.fillStyle = theme.dim;
  g.textAlign = 'center';
  g.lineWidth = 1;
  for (const t of ticks(view.from, view.to, lw)) {
    const x = Math.round(view.x(t, lw)) + 0.5;
    g.beginPath();
    g.moveTo(x, AXIS_H - 4);
    g.lineTo(x, h);
    g.stroke();
    g.fillText(formatNs(t), x, AXIS_H / 2);
  }
  // the end of what has run
  if (data && !data.extent.complete) {
    const x = view.x(data.extent.endNs, lw);
    g.fillStyle = theme.grid;
    g.fillRect(x, AXIS_H, lw - x, h);
  }
}

/** x range on screen of [t0, t1] (in data coordinates, drawn in the current view). */
function xs(t0: number, t1: number, lw: number): [number, number] {
  const a = view.x(t0, lw);
  const b = view.x(t1, lw);
  return [a, Math.max(b - a, 0.75)];
}

function drawBins(
  g: CanvasRenderingContext2D,
  values: number[],
  y: number,
  h: number,
  lw: number,
  max: number,
  colour: (i: number) => string | null,
): void {
  if (!data) return;
  const n = values.length;
  const bw = (data.toNs - data.fromNs) / n;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v > 0)) continue;
    const c = colour(i);
    if (!c) continue;
    const [x, wx] = xs(data.fromNs + i * bw, data.fromNs + (i + 1) * bw, lw);
    if (x + wx < 0 || x > lw) continue;
    const bh = Math.max(1, Math.min(1, v / max) * h);
    g.fillStyle = c;
    g.fillRect(x, y + h - bh, wx, bh);
  }
}

function drawLane(g: CanvasRenderingContext2D, lane: Lane, index: number, lw: number): void {
  if (!data) return;
  const { y, h } = lane;
  if (index === focusLane && document.activeElement === canvas) {
    g.strokeStyle = theme.focus;
    g.strokeRect(0.5, y - 1.5, lw - 1, h + 2);
  }
  const d = data.detail;
  switch (lane.kind) {
    case 'thread': {
      if (d) {
        g.fillStyle = theme.grid;
        for (const wt of d.waits) {
          if (wt.thread !== lane.thread) continue;
          const [x, wx] = xs(wt.start, wt.end, lw);
          g.fillRect(x, y + h / 2 - 1, wx, 2);
        }
        for (const s of byDepth(lane.thread!)) {
          const [x, wx] = xs(s.start, s.end, lw);
          if (x + wx < 0 || x > lw) continue;
          const fn = d.functions[s.fn];
          g.fillStyle = theme.group(data.groups[fn?.group ?? 0]?.id ?? '');
          g.fillRect(x, y + 1, wx, h - 2);
          if (theme.contrast) {
            g.strokeStyle = theme.contrast;
            g.strokeRect(x, y + 1, wx, h - 2);
          }
          if (wx > 40) {
            g.fillStyle = theme.bg;
            g.textAlign = 'left';
            g.fillText(fn?.name ?? '', Math.max(x, 0) + 3, y + h / 2, wx - 6);
          }
        }
      } else {
        const t = data.threads?.find((x) => x.thread === lane.thread);
        if (t)
          drawBins(g, t.busy, y, h, lw, 1, (i) => (t.group[i] >= 0 ? theme.group(data!.groups[t.group[i]].id) : null));
      }
      return;
    }
    case 'coroutines': {
      if (d && d.coroutines.length) {
        const rows = coRows();
        const rh = Math.max(1, Math.min(8, h / rows.size));
        for (const c of d.coroutines) {
          const [x, wx] = xs(c.start, c.end, lw);
          if (x + wx < 0 || x > lw) continue;
          g.fillStyle = c.state === 'running' ? theme.group('blk') : theme.stage[5];
          g.fillRect(x, y + rows.get(c.co)! * rh, wx, Math.max(1, rh - 1));
        }
      } else if (data.coroutines) {
        const all = data.coroutines.running.map((r, i) => r + data!.coroutines!.parked[i]);
        const max = Math.max(1, ...all);
        drawBins(g, all, y, h, lw, max, () => theme.stage[5]);
        drawBins(g, data.coroutines.running, y, h, lw, max, () => theme.group('blk'));
      }
      return;
    }
    case 'requests': {
      const r = data.requests;
      if (!r) return;
      if (r.spans) {
        const rows = Math.max(1, ...r.spans.map((s) => s.row + 1));
        const rh = Math.max(1, Math.min(10, h / rows));
        const end = data.extent.endNs;
        for (const s of r.spans) {
          const top = y + s.row * rh;
          let t = s.marks[0];
          for (let k = 1; k <= 5; k++) {
            if (s.marks[k] < 0) continue;
            const [x, wx] = xs(t, s.marks[k], lw);
            g.fillStyle = theme.stage[k - 1];
            g.fillRect(x, top, wx, Math.max(1, rh - 1));
            t = s.marks[k];
          }
          if (s.marks[5] < 0) {
            const [x, wx] = xs(t, end, lw);
            g.fillStyle = theme.stage[5];
            g.fillRect(x, top, wx, Math.max(1, rh - 1));
          }
        }
      } else {
        // stacked: how many requests are in each stage per bin
        const n = r.byStage[0].length;
        const totals = Array.from({ length: n }, (_, i) => r.byStage.reduce((a, c) => a + c[i], 0));
        const max = Math.max(1e-9, ...totals);
        const bw = (data.toNs - data.fromNs) / n;
        for (let i = 0; i < n; i++) {
          const [x, wx] = xs(data.fromNs + i * bw, data.fromNs + (i + 1) * bw, lw);
          if (x + wx < 0 || x > lw) continue;
          let base = y + h;
          for (let k = 0; k < r.byStage.length; k++) {
            const bh = (r.byStage[k][i] / max) * h;
            if (bh <= 0) continue;
            g.fillStyle = theme.stage[k];
            g.fillRect(x, base - bh, wx, bh);
            base -= bh;
          }
        }
      }
      return;
    }
    default: {
      const c = data.counters;
      if (!c) return;
      const values = c[lane.kind as 'inflight' | 'kicks' | 'interrupts'];
      const max = Math.max(1e-9, ...values);
      const colour =
        lane.kind === 'inflight' ? theme.stage[2] : lane.kind === 'kicks' ? theme.stage[0] : theme.stage[3];
      drawBins(g, values, y, h, lw, max, () => colour);
      g.fillStyle = theme.dim;
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
function byDepth(thread: number): NonNullable<TimelineResponse['detail']>['slices'] {
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
function coRows(): Map<number, number> {
  if (coRowCache?.data === data) return coRowCache.rows;
  const rows = new Map<number, number>();
  for (const c of data?.detail?.coroutines ?? []) if (!rows.has(c.co)) rows.set(c.co, rows.size);
  coRowCache = { data: data!, rows };
  return rows;
}

function drawCursor(g: CanvasRenderingContext2D, lw: number, h: number): void {
  if (!position) return;
  const x = Math.round(view.x(position.timeNs, lw)) + 0.5;
  stats.cursorX = String(x);
  if (x < 0 || x > lw) return;
  g.strokeStyle = theme.cursor;
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(x, AXIS_H - 6);
  g.lineTo(x, h);
  g.stroke();
  g.lineWidth = 1;
  const lane = lanes.find((l) => l.kind === 'thread' && l.thread === position!.threadId);
  if (lane) {
    g.fillStyle = theme.cursor;
    g.beginPath();
    g.moveTo(x - 5, lane.y);
    g.lineTo(x + 5, lane.y);
    g.lineTo(x, lane.y + 6);
    g.fill();
  }
}

function outline(g: CanvasRenderingContext2D, hit: Hit, lw: number, colour: string): void {
  const lane = lanes[hit.lane];
  if (!lane) return;
  const [x, wx] = xs(hit.start, hit.end, lw);
  g.strokeStyle = colour;
  g.lineWidth = 2;
  g.strokeRect(x - 1, lane.y - 1, wx + 2, lane.h + 2);
  g.lineWidth = 1;
}

// ---- what is where -------------------------------------------------------------------------

/** The span (or bin) of lane `index` at time `t`, if any. */
function hitAt(index: number, t: number, yIn?: number): Hit | null {
  const lane = lanes[index];
  if (!lane || !data) return null;
  const d = data.detail;
  const binNs = (data.toNs - data.fromNs) / data.bins;
  const bin = Math.floor((t - data.fromNs) / binNs);
  const binHit = (text: string): Hit => ({
    lane: index,
    start: data!.fromNs + bin * binNs,
    end: data!.fromNs + (bin + 1) * binNs,
    text,
    seq: -1,
  });
  switch (lane.kind) {
    case 'thread': {
      if (d) {
        const slices = byDepth(lane.thread!);
        for (let i = slices.length - 1; i >= 0; i--) {
          const s = slices[i];
          if (s.start <= t && t <= s.end) {
            const fn = d.functions[s.fn];
            return {
              lane: index,
              start: s.start,
              end: s.end,
              seq: s.seq,
              text: `${lane.label}: ${fn?.name} · ${formatNs(s.end - s.start)}${s.co >= 0 ? ` · coroutine #${s.co}` : ''}\n${data.groups[fn?.group ?? 0]?.label} · from ${formatNs(s.start)}${s.seq >= 0 ? ` (event ${s.seq})` : ' (began earlier)'}`,
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
      const th = data.threads?.find((x) => x.thread === lane.thread);
      if (!th || bin < 0 || bin >= th.busy.length) return null;
      const gi = th.group[bin];
      return binHit(
        `${lane.label}: ran ${Math.round(th.busy[bin] * 100)}% of ${formatNs(binNs)}${gi >= 0 ? `, mostly ${data.groups[gi].label}` : ''}`,
      );
    }
    case 'coroutines': {
      if (d && d.coroutines.length && yIn !== undefined) {
        const rows = coRows();
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
      const c = data.coroutines;
      if (!c || bin < 0 || bin >= c.running.length) return null;
      return binHit(`coroutines: ${c.running[bin].toFixed(2)} running, ${c.parked[bin].toFixed(2)} parked (average)`);
    }
    case 'requests': {
      const r = data.requests;
      if (!r) return null;
      if (r.spans && yIn !== undefined) {
        const rows = Math.max(1, ...r.spans.map((s) => s.row + 1));
        const rh = Math.max(1, Math.min(10, lane.h / rows));
        const row = Math.floor((yIn - lane.y) / rh);
        const s = r.spans.find(
          (x) => x.row === row && x.marks[0] <= t && t <= (x.marks[5] >= 0 ? x.marks[5] : data!.extent.endNs),
        );
        if (!s) return null;
        let k = 0;
        while (k < 5 && s.marks[k + 1] >= 0 && s.marks[k + 1] < t) k++;
        const parts = data.stages
          .map((name, i) =>
            s.marks[i + 1] >= 0 && s.marks[i] >= 0 ? `${name} ${formatNs(s.marks[i + 1] - s.marks[i])}` : null,
          )
          .filter(Boolean);
        const stageStart = s.marks[k];
        return {
          lane: index,
          start: s.marks[0],
          end: s.marks[5] >= 0 ? s.marks[5] : data.extent.endNs,
          seq: -1,
          // a click goes to the start of the stage under the pointer
          text: `request ${s.id} (${s.op}${s.failed ? ', failed' : ''})${s.marks[5] < 0 ? ' in flight' : ` · ${formatNs(s.marks[5] - s.marks[0])}`}\n${parts.join('\n')}\nclick: go to “${data.stages[Math.min(k, 4)]}” at ${formatNs(stageStart)}`,
          stageStart,
        } as Hit & { stageStart: number };
      }
      if (bin < 0 || bin >= r.byStage[0].length) return null;
      return binHit(
        [
          'requests (average in each stage):',
          ...data.stages.map((s, i) => `${s}: ${r.byStage[i][bin].toFixed(2)}`),
          `in flight at the end: ${r.byStage[5][bin].toFixed(2)}`,
        ].join('\n'),
      );
    }
    default: {
      const c = data.counters;
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

function laneAt(y: number): number {
  return lanes.findIndex((l) => y >= l.y && y <= l.y + l.h);
}

/** Send the debugger to a hit (its event, or the first event at its time) or to a time. */
function goTo(hit: Hit | null, t: number): void {
  gotoAt = performance.now();
  const stage = (hit as (Hit & { stageStart?: number }) | null)?.stageStart;
  if (hit && hit.seq >= 0) post({ type: 'goto', event: hit.seq });
  else
    post({
      type: 'goto',
      timeNs: Math.max(
        0,
        Math.round(stage ?? (hit && hit.seq < 0 && lanes[hit.lane]?.kind === 'thread' && data?.detail ? hit.start : t)),
      ),
    });
  announce(hit ? `Going to ${hit.text.split('\n')[0]}` : `Going to ${formatNs(t)}`);
}

function announce(text: string): void {
  live.textContent = text;
}

function showTooltip(hit: Hit | null, px: number, py: number): void {
  if (!hit) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = hit.text;
  tooltip.hidden = false;
  const r = wrap.getBoundingClientRect();
  const x = Math.min(px + 14, r.width - tooltip.offsetWidth - 4);
  tooltip.style.left = `${Math.max(0, x)}px`;
  tooltip.style.top = `${py + 16 + wrap.scrollTop}px`;
}

// ---- input ---------------------------------------------------------------------------------

function changed(): void {
  invalidate();
  requestData();
}

canvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const lw = laneWidth();
    const x = e.offsetX - LABEL_W;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) view.pan((e.deltaX || e.deltaY) / lw);
    else view.zoom(Math.exp(e.deltaY / 300), view.time(Math.max(0, x), lw));
    hover = null;
    tooltip.hidden = true;
    changed();
  },
  { passive: false },
);

let drag: { x: number; from: number; to: number; moved: boolean } | null = null;
canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  drag = { x: e.offsetX, from: view.from, to: view.to, moved: false };
});
canvas.addEventListener('pointermove', (e) => {
  const lw = laneWidth();
  if (drag) {
    const dx = e.offsetX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (drag.moved) {
      const dt = (dx / lw) * (drag.to - drag.from);
      view.set(drag.from - dt, drag.to - dt);
      tooltip.hidden = true;
      return changed();
    }
  }
  const i = laneAt(e.offsetY);
  const x = e.offsetX - LABEL_W;
  hover = i >= 0 && x >= 0 ? hitAt(i, view.time(x, lw), e.offsetY) : null;
  showTooltip(hover, e.offsetX, e.offsetY);
  invalidate();
});
canvas.addEventListener('pointerup', (e) => {
  const d = drag;
  drag = null;
  if (!d || d.moved) return;
  const x = e.offsetX - LABEL_W;
  if (x < 0 || !data) return;
  const t = view.time(x, laneWidth());
  const i = laneAt(e.offsetY);
  const hit = i >= 0 ? hitAt(i, t, e.offsetY) : null;
  if (i >= 0) focusLane = i;
  selected = hit;
  goTo(hit, t);
  invalidate();
});
canvas.addEventListener('pointerleave', () => {
  hover = null;
  tooltip.hidden = true;
  invalidate();
});
canvas.addEventListener('focus', invalidate);
canvas.addEventListener('blur', invalidate);

/** Spans of the focused lane in time order (bins when zoomed out): what [ and ] step through. */
function stepSelection(dir: 1 | -1): void {
  if (!data) return;
  const lw = laneWidth();
  const from = selected && selected.lane === focusLane ? (dir > 0 ? selected.end : selected.start) : view.from;
  const px = view.span / lw;
  // walk pixel by pixel (in the lane's own units: spans or bins) to the next thing there
  for (let t = from + dir * px * 0.5, n = 0; n < lw * 4 && t >= 0 && t <= view.end; t += dir * px, n++) {
    const h = hitAt(focusLane, t, lanes[focusLane].y + 1);
    if (h && (!selected || h.start !== selected.start || h.lane !== selected.lane)) {
      selected = h;
      if (h.start < view.from || h.end > view.to) view.center((h.start + h.end) / 2);
      announce(h.text.replace(/\n/g, '. '));
      return changed();
    }
  }
  announce('Nothing further in this lane in view');
}

/** The keyboard zooms about the cursor when it is in view (the mouse zooms about the pointer). */
function keyboardAnchor(): number | undefined {
  return position && position.timeNs >= view.from && position.timeNs <= view.to ? position.timeNs : undefined;
}

canvas.addEventListener('keydown', (e) => {
  const k = e.key;
  let handled = true;
  if (k === 'ArrowLeft') view.pan(-0.1);
  else if (k === 'ArrowRight') view.pan(0.1);
  else if (k === '+' || k === '=') view.zoom(0.5, keyboardAnchor());
  else if (k === '-' || k === '_') view.zoom(2, keyboardAnchor());
  else if (k === 'Home' || k === '0') view.whole();
  else if (k === 'ArrowUp' || k === 'ArrowDown') {
    focusLane = Math.max(0, Math.min(lanes.length - 1, focusLane + (k === 'ArrowUp' ? -1 : 1)));
    selected = null;
    announce(`Lane ${lanes[focusLane]?.label}`);
  } else if (k === ']') return stepSelection(1);
  else if (k === '[') return stepSelection(-1);
  else if (k === 'Enter' && selected) goTo(selected, selected.start);
  else if (k === 'c' || k === 'C') {
    if (position) view.center(position.timeNs);
  } else handled = false;
  if (handled) {
    e.preventDefault();
    changed();
  }
});

$('whole').addEventListener('click', () => {
  view.whole();
  changed();
});
$('zoom-in').addEventListener('click', () => {
  view.zoom(0.5);
  changed();
});
$('zoom-out').addEventListener('click', () => {
  view.zoom(2);
  changed();
});
$('to-cursor').addEventListener('click', () => {
  if (position) view.center(position.timeNs);
  changed();
});
$('export').addEventListener('click', () => post({ type: 'export', fromNs: view.from, toNs: view.to }));

new ResizeObserver(() => {
  if (data) layout();
  changed();
}).observe(wrap);
// VS Code changes the body's classes (and the CSS variables) with the theme
new MutationObserver(() => {
  theme = readTheme();
  if (data) {
    renderLatency($('latency'), $('latency-scope'), data.latency, theme);
    renderHistogram($('histogram'), data.latency, theme);
    renderLegend($('legend'), data, theme);
  }
  invalidate();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (e: MessageEvent<ToWebview>) => receive(e.data));
stats.state = 'empty';
post({ type: 'ready' });
