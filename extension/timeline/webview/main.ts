// The timeline webview (bundled to dist/timeline.js): canvas lanes over simulated time — a lane per
// QEMU thread, coroutines running and parked, requests by stage, requests in flight, kicks and
// interrupts — with a cursor where the debugger stands. It asks the panel for the range it shows
// at one bin per pixel and draws what comes back; zoomed out that is bins, zoomed in exact spans.
// Wheel or +/− zooms, drag or arrows pans, a click makes the debugger go there.

import type { TimelinePosition, TimelineResponse } from '../../../server/debug/timeline-protocol';
import type { FromWebview, ToWebview } from '../messages';
import { AXIS_H, Hit, hitAt, LABEL_W, Lane, laneAt, LaneKind, laneWidth, paint, Scene } from './lanes';
import { renderHistogram, renderLatency, renderLegend } from './side';
import { readTheme, Theme } from './theme';
import { formatNs, TimeView } from './view';
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

/** The state the lanes are drawn from. */
function scene(): Scene {
  return {
    data,
    view,
    lanes,
    position,
    theme,
    hover,
    selected,
    focusLane,
    focused: document.activeElement === canvas,
    sessionName,
  };
}

// ---- data ----------------------------------------------------------------------------------

/** The lane area's width now. */
const width = (): number => laneWidth(canvas);

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
      bins: Math.round(width()),
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
  const sc = scene();
  paint(sc, canvas);
  if (sc.cursorX !== undefined) stats.cursorX = String(sc.cursorX);
  rangeLabel.textContent = `${formatNs(view.from)} – ${formatNs(view.to)} (${formatNs(view.span)})`;
  frames++;
  drawTotalMs += performance.now() - t0;
  stats.frames = String(frames);
  stats.drawTotalMs = drawTotalMs.toFixed(1);
  if (data && !stats.shownMs) stats.shownMs = String(Date.now() - Number(document.body.dataset.openedAt));
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
    const lw = width();
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
  const lw = width();
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
  const i = laneAt(lanes, e.offsetY);
  const x = e.offsetX - LABEL_W;
  hover = i >= 0 && x >= 0 ? hitAt(scene(), i, view.time(x, lw), e.offsetY) : null;
  showTooltip(hover, e.offsetX, e.offsetY);
  invalidate();
});
canvas.addEventListener('pointerup', (e) => {
  const d = drag;
  drag = null;
  if (!d || d.moved) return;
  const x = e.offsetX - LABEL_W;
  if (x < 0 || !data) return;
  const t = view.time(x, width());
  const i = laneAt(lanes, e.offsetY);
  const hit = i >= 0 ? hitAt(scene(), i, t, e.offsetY) : null;
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
  const lw = width();
  const from = selected && selected.lane === focusLane ? (dir > 0 ? selected.end : selected.start) : view.from;
  const px = view.span / lw;
  // walk pixel by pixel (in the lane's own units: spans or bins) to the next thing there
  for (let t = from + dir * px * 0.5, n = 0; n < lw * 4 && t >= 0 && t <= view.end; t += dir * px, n++) {
    const h = hitAt(scene(), focusLane, t, lanes[focusLane].y + 1);
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
