// The timeline webview's page: a strict Content-Security-Policy (no inline code, no eval, the one
// script by nonce, styles and scripts only from the extension's dist/), theme colours through
// VS Code's CSS variables (the stylesheet), and a layout every control of which is reachable by
// keyboard.

import { randomBytes } from 'node:crypto';

/** `openedAt`: when the panel was asked for (ms since the epoch): the page reports how long it took to show the run. */
export function timelineHtml(cspSource: string, script: string, style: string, openedAt = Date.now()): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>QEMU I/O Timeline</title>
</head>
<body data-opened-at="${openedAt}">
<header class="toolbar" role="toolbar" aria-label="Timeline">
  <button id="whole" title="Show the whole run (Home)">Whole run</button>
  <button id="zoom-in" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button id="zoom-out" title="Zoom out (−)" aria-label="Zoom out">−</button>
  <button id="to-cursor" title="Center on where the debugger is (C)">Go to cursor</button>
  <button id="export" title="Write the visible range as a Chrome trace to open in Perfetto">Export to Perfetto…</button>
  <span id="range" class="range"></span>
  <span id="status" class="status" role="status"></span>
</header>
<main>
  <div id="lanes-wrap" class="lanes-wrap">
    <canvas id="lanes" tabindex="0" role="application" aria-roledescription="timeline"
      aria-label="Timeline lanes. Arrows pan, plus and minus zoom, Home shows the whole run, up and down choose a lane, brackets choose a span in it, Enter makes the debugger go there."></canvas>
    <div id="tooltip" class="tooltip" role="tooltip" hidden></div>
  </div>
  <aside class="side" aria-label="Latency split">
    <h2>Latency split <span id="latency-scope" class="dim"></span></h2>
    <table id="latency"><thead><tr><th scope="col">Stage</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">mean</th></tr></thead><tbody></tbody></table>
    <h2>Total latency</h2>
    <canvas id="histogram" role="img" aria-label="Histogram of request latencies"></canvas>
    <h2>Legend</h2>
    <ul id="legend" class="legend"></ul>
  </aside>
</main>
<div id="live" class="sr-only" aria-live="polite"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
