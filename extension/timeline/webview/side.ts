// The side panel: the latency split of the requests completed in the visible range (a table, so
// screen readers read it), a histogram of their total latency, and the colour legend.

import type { LatencySplit, TimelineResponse } from '../../../server/debug/timeline-protocol';
import type { Theme } from './theme';
import { formatNs } from './view';

export function renderLatency(
  table: HTMLTableElement,
  scope: HTMLElement,
  l: LatencySplit | undefined,
  theme: Theme,
): void {
  const body = table.tBodies[0];
  body.replaceChildren();
  scope.textContent = l ? `(${l.requests.toLocaleString('en-US')} requests completed in view)` : '';
  if (!l) return;
  const row = (cells: string[], colour?: string): void => {
    const tr = body.insertRow();
    cells.forEach((c, i) => {
      const td = i === 0 ? document.createElement('th') : document.createElement('td');
      if (i === 0) td.setAttribute('scope', 'row');
      if (i === 0 && colour) {
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = colour;
        td.append(sw);
      }
      td.append(c);
      tr.append(td);
    });
  };
  l.stages.forEach((s, i) =>
    row(
      [s.name, s.count ? formatNs(s.p50) : '–', s.count ? formatNs(s.p99) : '–', s.count ? formatNs(s.mean) : '–'],
      theme.stage[i],
    ),
  );
  row(['total', formatNs(l.total.p50), formatNs(l.total.p99), formatNs(l.total.mean)]);
}

export function renderHistogram(canvas: HTMLCanvasElement, l: LatencySplit | undefined, theme: Theme): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const hist = l?.histogram;
  if (!hist || hist.counts.length === 0) {
    canvas.setAttribute('aria-label', 'Histogram of request latencies: no request completed in view');
    return;
  }
  const max = Math.max(...hist.counts);
  const bw = w / hist.counts.length;
  const base = h - 14;
  g.fillStyle = theme.stage[2];
  hist.counts.forEach((c, i) => {
    const bh = (c / max) * (base - 2);
    g.fillRect(i * bw + 0.5, base - bh, Math.max(1, bw - 1), bh);
  });
  g.fillStyle = theme.dim;
  g.font = theme.font;
  g.textBaseline = 'top';
  g.textAlign = 'left';
  g.fillText(formatNs(hist.edges[0]), 0, base + 2);
  g.textAlign = 'right';
  g.fillText(formatNs(hist.edges[hist.edges.length - 1]), w, base + 2);
  const peak = hist.counts.indexOf(max);
  canvas.setAttribute(
    'aria-label',
    `Histogram of request latencies from ${formatNs(hist.edges[0])} to ${formatNs(hist.edges[hist.edges.length - 1])}; most between ${formatNs(hist.edges[peak])} and ${formatNs(hist.edges[peak + 1])}`,
  );
}

export function renderLegend(list: HTMLElement, data: TimelineResponse, theme: Theme): void {
  list.replaceChildren();
  const item = (label: string, colour: string): void => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = colour;
    li.append(sw, label);
    list.append(li);
  };
  for (const g of data.groups) item(g.label, theme.group(g.id));
  data.stages.forEach((s, i) => item(`request: ${s}`, theme.stage[i]));
  item('request: in flight at the end of the run so far', theme.stage[5]);
}
