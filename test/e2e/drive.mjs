// End-to-end checks of QEMU I/O Explorer in a real VS Code: code-server's workbench in headless
// Chromium, driven with playwright-core the way a person would use it — the command palette, the
// QEMU I/O Path tree and its context menu, hovers, Run and Debug, the debug toolbar, CALL STACK,
// VARIABLES, the Debug Console and the Settings editor. Started by scripts/e2e.sh (`npm run
// test:e2e`), which installs everything, packages the VSIX, starts code-server and stops it again.
//
// Environment (set by scripts/e2e.sh):
//   E2E_URL         the workbench URL (code-server serving examples/)
//   E2E_OUT         where screenshots, results.json and the browser log go (artifacts/e2e)
//   E2E_SCRATCH     a scratch folder (the browser profile, the bundled catalog)
//   E2E_CS_SID      code-server's session id: the adapter and language server processes are in it
//   E2E_PLAYWRIGHT  the playwright-core package folder (installed under .cache/e2e)
//   E2E_USER_SETTINGS  the profile's user settings.json (to see the Settings editor's write land)
//   E2E_CHROMIUM    the browser (default /usr/bin/chromium)
//
// Every wait is on UI state with a deadline (generous: a cold code-server on 2 cores is slow); no
// fixed sleeps. Each check prints PASS or FAIL with what it saw and leaves a screenshot; a check
// whose prerequisite failed is reported as failed without running. results.json gets every result.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAdapter, isLanguageServer, sessionProcesses } from './lib/processes.mjs';
import { loadProject } from './lib/project.mjs';
import { poll, screenState, setSlowness, Workbench } from './lib/ui.mjs';
import { replayChecks } from './replay.mjs';
import { timelineChecks } from './timeline.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set (run this through scripts/e2e.sh: npm run test:e2e)`);
  return v;
};
const URL = env('E2E_URL');
const OUT = env('E2E_OUT');
const SCRATCH = env('E2E_SCRATCH');
const CS_SID = Number(env('E2E_CS_SID'));
const USER_SETTINGS = env('E2E_USER_SETTINGS');
// E2E_ONLY=0,1a,r: run only the checks whose key starts with one of these (while working on a few;
// the others are left out, not failed — a full run is what counts)
const ONLY = process.env.E2E_ONLY?.split(',').filter(Boolean);
const { chromium } = createRequire(join(env('E2E_PLAYWRIGHT'), 'package.json'))('playwright-core');

mkdirSync(OUT, { recursive: true });
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const log = (msg) => console.log(`[${elapsed()}] ${msg}`);

// ---- the check runner ------------------------------------------------------------------------

const results = [];
const notes = [];
const passed = new Set();

/** Something seen that is worth knowing but is not what a check asks for. */
function note(key, text) {
  notes.push({ key, text });
  log(`NOTE [${key}] ${text}`);
}
let page;

function saveResults() {
  writeFileSync(
    join(OUT, 'results.json'),
    JSON.stringify({ results, notes, seconds: (Date.now() - t0) / 1000 }, null, 2) + '\n',
  );
}

function slug(s) {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

async function check(key, name, needs, fn) {
  if (ONLY && !ONLY.some((k) => key.startsWith(k))) return false;
  const n = String(results.length + 1).padStart(2, '0');
  const started = Date.now();
  const missing = needs.filter((k) => !passed.has(k));
  const browserErrors = browserLog.length;
  let ok = false;
  let detail;
  let cause;
  if (missing.length) {
    // say why, not only which: the failure at the root shows in every check it stopped
    cause = results.find((r) => r.key === missing[0])?.cause;
    detail = `not run: needs ${missing.join(', ')}${cause ? ` — ${cause}` : ''}`;
  } else {
    try {
      detail = (await fn()) ?? '';
      ok = true;
    } catch (e) {
      const full = String(e?.stack ?? e?.message ?? e);
      // what the workbench showed when it failed, and what the page logged meanwhile
      const screen = page ? await screenState(page) : '';
      const pageErrors = browserLog.slice(browserErrors, browserErrors + 5).map((l) => l.split('\n')[0].slice(0, 300));
      appendFileSync(
        join(OUT, 'errors.log'),
        `---- [${key}] ${name}\n${full}\n${screen ? `screen: ${screen}\n` : ''}${pageErrors.map((l) => `browser: ${l}\n`).join('')}`,
      );
      detail = String(e?.message ?? e).split('\n')[0] + (screen ? ` [${screen}]` : '') + ' (details: errors.log)';
      cause = `${key} failed: ${detail}`;
    }
  }
  const shot = `${n}-${key}-${slug(name)}${ok ? '' : '-FAILED'}.png`;
  if (!missing.length && page) await page.screenshot({ path: join(OUT, shot) }).catch(() => {});
  const ms = Date.now() - started;
  results.push({ n: Number(n), key, name, ok, detail, cause, ms, screenshot: missing.length ? null : shot });
  if (ok) passed.add(key);
  saveResults();
  log(`${ok ? 'PASS' : 'FAIL'} [${key}] ${name}${detail ? ` — ${detail}` : ''} (${(ms / 1000).toFixed(1)} s)`);
  return ok;
}

// ---- what the checks share ---------------------------------------------------------------------

const project = await loadProject(ROOT, SCRATCH);
const SHOW_TREE = project.command('showTree');
const TOGGLE_BP = project.command('toggleFunctionBreakpoint');
const CONFIG = project.launchNamed('4 KiB write (aio=threads)').name;
const HOVER_FN = project.fn('blk_aio_pwritev');
const BP_FN = 'thread_pool_submit_aio';
const BP_GROUP = project.fn(BP_FN).groupLabel;
const LABEL_ENTRY = 'blk_aio_write_entry';
const TRACE_LINE = /^(\d+)@(\d+\.\d+):([a-z_][a-z0-9_]*)\b(.*)$/; // pid@seconds:event args, as QEMU's log backend prints

const frameOf = (row) => {
  const m = /^Stack Frame (.+), line (\d+), (.+)$/.exec(row.aria);
  return m ? { name: m[1], line: Number(m[2]), source: m[3], index: row.index } : null;
};

let wb;
const lists = {
  tree: () => wb.pane(project.viewName).locator('.monaco-list').first(),
  callStack: () => wb.pane('Call Stack').locator('.monaco-list').first(),
  variables: () => wb.pane('Variables').locator('.monaco-list').first(),
  breakpoints: () => wb.pane('Breakpoints').locator('.monaco-list').first(),
  repl: () => page.locator('.repl .monaco-list').first(),
};

/**
 * Where the session is stopped, as a person reads it: the stopped thread in CALL STACK (the one whose
 * state is not plain "Paused"), and in the editor the line carrying the top-of-stack decoration —
 * its number in the gutter, the function its heading names, the tab's document and the cursor line.
 * (CALL STACK's own top row is not enough: VS Code folds a run of "subtle" frames into a "Show N
 * More Stack Frames" row, and the current frame can be one of them.)
 */
async function currentStop() {
  const thread = await wb.findRow(
    lists.callStack(),
    (r) => r.level === 1 && r.aria.startsWith('Thread ') && !/ Paused$/.test(r.aria),
    { timeout: 3_000, what: 'the stopped thread' },
  );
  const at = await wb.activeEditor().evaluate(
    (ed) => {
      const deco = ed.querySelector('.debug-top-stack-frame-line, .debug-focused-stack-frame-line');
      if (!deco) return null;
      const y = deco.getBoundingClientRect().y;
      const near = (el) => Math.abs(el.getBoundingClientRect().y - y) < 2;
      const num = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].find(near);
      const text = [...ed.querySelectorAll('.view-lines .view-line')].find(near);
      return { line: Number(num?.textContent), text: (text?.textContent ?? '').replace(/\s+/g, ' ').trim() };
    },
    undefined,
    { timeout: 2_000 },
  );
  if (!at || !at.line) throw new Error('no line of the editor carries the top-of-stack decoration');
  const cursor = await wb.cursor();
  const tab = (await wb.activeTab().getAttribute('aria-label', { timeout: 1_000 })) ?? '';
  const name = /`([A-Za-z_]\w*)`/.exec(at.text)?.[1] ?? at.text;
  return {
    name,
    line: at.line,
    source: tab.replace(/,.*$/, ''),
    cursorLine: cursor.line,
    tab,
    thread: thread.info.aria.replace(/^Thread /, ''),
  };
}

/** Waits for the session to stop somewhere `accept` likes, with the cursor on that decorated line. */
async function waitForStop(accept, what, timeout = 30_000) {
  let last = null;
  try {
    return await poll(
      async () => {
        const s = await currentStop().catch((e) => ({ error: e.message }));
        last = s;
        if (!s || s.error || / Running$/.test(s.thread) || !accept(s)) return null;
        return s.cursorLine === s.line ? s : null;
      },
      { timeout, interval: 150, what },
    );
  } catch (e) {
    throw new Error(`${e.message}; last seen: ${JSON.stringify(last)}`, { cause: e });
  }
}

const fmt = (s) => `${s.name} (${s.source}:${s.line})`;

async function threadRows() {
  return (await wb.collectRows(lists.callStack())).filter((r) => r.aria.startsWith('Thread '));
}

// ---- the browser -------------------------------------------------------------------------------

const profile = join(SCRATCH, 'chromium-profile');
rmSync(profile, { recursive: true, force: true });
const browserLog = [];
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env('E2E_CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  viewport: { width: 1600, height: 1200 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
page = context.pages()[0] ?? (await context.newPage());
page.on('pageerror', (e) => browserLog.push(`[page error] ${e.message}`));
page.on('console', (m) => {
  if (m.type() === 'error') browserLog.push(`[console error] ${m.text()}`);
});
wb = new Workbench(page, log);
if (ONLY) note('driver', `E2E_ONLY=${ONLY.join(',')}: only those checks run`);

try {
  // 0 ---------------------------------------------------------------------------------------------
  await check('0', 'the workbench opens examples/ (the explorer lists notes.md)', [], async () => {
    const t = Date.now();
    await page.goto(URL, { timeout: 240_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 240_000 });
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.md' })
      .first()
      .waitFor({ timeout: 240_000 });
    // a slow first load (a cold code-server, the machine busy) stretches every later deadline
    const seconds = (Date.now() - t) / 1000;
    const factor = setSlowness(seconds / 15);
    return `loaded in ${seconds.toFixed(1)} s${factor > 1 ? `; deadlines stretched ×${factor.toFixed(1)}` : ''}`;
  });

  // 1 ---------------------------------------------------------------------------------------------
  await check(
    '1a',
    `"${project.viewName}" tree lists the ${project.groupLabels.length} stage groups in path order`,
    ['0'],
    async () => {
      await wb.runCommand(SHOW_TREE.title, { id: SHOW_TREE.id, timeout: 90_000 });
      await wb.expandPane(project.viewName);
      await wb.collapsePane('Watch'); // not used here: more room for the tree and CALL STACK
      const groups = await poll(
        async () => {
          const rows = (await wb.collectRows(lists.tree())).filter((r) => r.level === 1).map((r) => r.label);
          return rows.length >= project.groupLabels.length ? rows : null;
        },
        { timeout: 60_000, what: 'the stage groups' },
      );
      if (JSON.stringify(groups) !== JSON.stringify(project.groupLabels))
        throw new Error(`groups ${JSON.stringify(groups)}, expected ${JSON.stringify(project.groupLabels)}`);
      return groups.join(' · ');
    },
  );

  let occurrence;
  await check('1b', `expanding "${HOVER_FN.groupLabel}" lists its functions`, ['1a'], async () => {
    const tree = lists.tree();
    await wb.expandRow(tree, (r) => r.level === 1 && r.label === HOVER_FN.groupLabel, {
      what: `the group ${HOVER_FN.groupLabel}`,
    });
    const expected = project.functionsOfGroup(HOVER_FN.group.id);
    const names = await poll(
      async () => {
        const rows = await wb.collectRows(tree);
        const at = rows.findIndex((r) => r.level === 1 && r.label === HOVER_FN.groupLabel);
        if (at < 0 || rows[at].expanded !== 'true') return null;
        const kids = [];
        for (const r of rows.slice(at + 1)) {
          if (r.level === 1) break;
          if (r.level === 2) kids.push(r.label);
        }
        return kids.length >= expected.length ? kids : null;
      },
      { timeout: 30_000, what: `the functions of ${HOVER_FN.groupLabel}` },
    );
    if (JSON.stringify(names) !== JSON.stringify(expected))
      throw new Error(`functions ${JSON.stringify(names)}, expected ${JSON.stringify(expected)}`);
    return names.join(', ');
  });

  await check('1c', `clicking an occurrence of ${HOVER_FN.name} opens the document at that line`, ['1b'], async () => {
    const tree = lists.tree();
    const fnRow = await wb.expandRow(tree, (r) => r.level === 2 && r.label === HOVER_FN.name, { what: HOVER_FN.name });
    const occ = await wb.findRow(
      tree,
      (r) => r.level === 3 && r.index > fnRow.info.index && /:\d+$/.test(r.description),
      { timeout: 30_000, what: `an occurrence of ${HOVER_FN.name}` },
    );
    const m = /^(.+):(\d+)$/.exec(occ.info.description);
    occurrence = { file: m[1], line: Number(m[2]), preview: occ.info.label };
    await wb.clickRow(tree, occ);
    const at = await poll(
      async () => {
        const tab =
          (await wb
            .activeTab()
            .getAttribute('aria-label')
            .catch(() => null)) ?? '';
        const c = await wb.cursor().catch(() => ({}));
        return tab.startsWith(occurrence.file) && c.line === occurrence.line ? { tab, ...c } : null;
      },
      { timeout: 30_000, what: `${occurrence.file} open at line ${occurrence.line}` },
    );
    if (at.selected !== HOVER_FN.name.length) throw new Error(`cursor at ${at.text}: the name is not selected`);
    return `"${occurrence.preview}" → ${occurrence.file} open at ${at.text}`;
  });

  // 2 ---------------------------------------------------------------------------------------------
  await check(
    '2',
    `hovering ${HOVER_FN.name} in the I/O path document shows its summary and stage`,
    ['1c'],
    async () => {
      const editor = wb.activeEditor();
      const stage = `Stage: ${HOVER_FN.stageLabel} · ${HOVER_FN.groupLabel}`;
      const summary = HOVER_FN.summary.replace(/\s+/g, ' ');
      // the name on the drawn line the cursor is on (the occurrence just opened), in one look at the DOM
      const word = () =>
        editor.evaluate((ed, w) => {
          const cursor = ed.querySelector('.cursors-layer .cursor');
          const c = cursor?.getBoundingClientRect();
          if (!c) return null;
          const mid = c.y + c.height / 2;
          for (const line of ed.querySelectorAll('.view-lines .view-line')) {
            const b = line.getBoundingClientRect();
            if (mid < b.y || mid >= b.y + b.height) continue;
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const i = n.data.indexOf(w);
              if (i < 0) continue;
              const r = document.createRange();
              r.setStart(n, i);
              r.setEnd(n, i + w.length);
              const q = r.getBoundingClientRect();
              return { x: q.x, y: q.y, width: q.width, height: q.height };
            }
          }
          return null;
        }, HOVER_FN.name);
      const edBox = await editor.boundingBox({ timeout: 5_000 });
      // the language server may still be starting: hover again until its hover comes (or 90 s pass)
      let tries = 0;
      const text = await poll(
        async () => {
          tries++;
          await page.mouse.move(edBox.x + edBox.width - 40, edBox.y + edBox.height - 40);
          await page
            .locator('.monaco-hover:visible')
            .first()
            .waitFor({ state: 'hidden', timeout: 5_000 })
            .catch(() => {});
          // where the name is now: code lenses arriving from the language server move the lines down
          const box = await poll(word, { timeout: 10_000, what: `${HOVER_FN.name} drawn on the cursor's line` });
          await page.mouse.move(box.x + box.width / 2 - 4, box.y + box.height / 2);
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
          return poll(
            async () => {
              const t = await wb.hoverText();
              return t.includes(summary) && t.includes(stage) ? t : null;
            },
            { timeout: 6_000, interval: 150, what: 'the hover' },
          ).catch(() => null);
        },
        { timeout: 90_000, interval: 100, what: `a hover with the summary and "${stage}"` },
      );
      return `"${summary}" and "${stage}" (hover ${tries > 1 ? `after ${tries} tries` : 'at once'}; ${text.length} chars)`;
    },
  );
  await wb.park();

  // 3 ---------------------------------------------------------------------------------------------
  let adapterPid;
  await check('3', `starting "${CONFIG}" stops on entry; CALL STACK lists the main-loop thread`, ['0'], async () => {
    await wb.runCommand('Debug: Select and Start Debugging', {
      id: 'workbench.action.debug.selectandstart',
      timeout: 60_000,
    });
    await wb.pick(CONFIG);
    await wb.debugToolbar().waitFor({ state: 'visible', timeout: 60_000 });
    await wb.expandPane('Call Stack');
    const cs = lists.callStack();
    await wb.findRow(cs, (r) => /^Thread main-loop\b/.test(r.aria), { timeout: 60_000, what: 'the main-loop thread' });
    const state = await poll(
      async () => {
        const { info } = await wb.findRow(cs, (r) => /^Thread main-loop\b/.test(r.aria), { timeout: 5_000 });
        return /\bentry\b/i.test(info.aria) ? info.aria : null;
      },
      { timeout: 30_000, what: 'main-loop paused on entry' },
    );
    // What VS Code focuses at entry. It skips "subtle" frames when it picks the frame to show for a
    // stop that is not a breakpoint or a step, and main_loop, main-loop's only frame at entry, is
    // subtle: no frame is focused, no editor shows the line, VARIABLES stays empty. Noted, not failed
    // (what this check asks for is there); the adapter change that fixes it is in the e2e report.
    const decorated = await page
      .locator('.debug-top-stack-frame-line')
      .first()
      .waitFor({ timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
    if (!decorated)
      note(
        '3',
        'at the stop on entry VS Code focuses no frame (main-loop stays collapsed, no editor line, VARIABLES empty): its only frame, main_loop, has presentationHint "subtle"',
      );
    await wb.expandRow(cs, (r) => /^Thread main-loop\b/.test(r.aria), { what: 'the main-loop thread' });
    const frame = await wb.findRow(cs, (r) => /^Stack Frame main_loop, line \d+/.test(r.aria), {
      timeout: 30_000,
      what: 'the main_loop frame',
    });
    const threads = (await threadRows()).map((r) => r.aria.replace(/^Thread /, ''));
    const adapters = sessionProcesses(CS_SID).filter(isAdapter);
    if (adapters.length !== 1) throw new Error(`expected one external debug adapter process, found ${adapters.length}`);
    adapterPid = adapters[0].pid;
    return `"${state}", frame ${frameOf(frame.info) ? fmt(frameOf(frame.info)) : frame.info.aria}; threads: ${threads.join(' | ')}; adapter pid ${adapterPid}`;
  });

  // 4 ---------------------------------------------------------------------------------------------
  await check(
    '4a',
    `a function breakpoint on ${BP_FN}, added from the tree's context menu, is listed and verified`,
    ['3'],
    async () => {
      await wb.expandPane(project.viewName);
      const tree = lists.tree();
      await wb.expandRow(tree, (r) => r.level === 1 && r.label === BP_GROUP, { what: `the group ${BP_GROUP}` });
      const fn = await wb.findRow(tree, (r) => r.level === 2 && r.label === BP_FN, { timeout: 30_000, what: BP_FN });
      await wb.contextMenu(tree, fn, TOGGLE_BP.shortTitle);
      await wb.expandPane('Breakpoints');
      const bp = await wb.findRow(lists.breakpoints(), (r) => r.aria.startsWith(`${BP_FN}, Function Breakpoint`), {
        timeout: 30_000,
        what: `${BP_FN} in BREAKPOINTS`,
      });
      const verified = await poll(
        async () => {
          const icon = await wb
            .row(lists.breakpoints(), bp.info.index)
            .locator('.codicon[class*="debug-breakpoint"]')
            .first()
            .getAttribute('class');
          return icon && !icon.includes('unverified') ? icon : null;
        },
        { timeout: 30_000, what: 'the breakpoint to be verified' },
      );
      return `BREAKPOINTS: "${bp.info.aria}" (${verified.match(/codicon-debug-breakpoint[\w-]*/)?.[0]})`;
    },
  );

  let atBreakpoint;
  await check('4b', `continue: the session stops on the breakpoint in ${BP_FN}`, ['4a'], async () => {
    await wb.clickDebugAction('Continue');
    // the editor shows the new line a moment before CALL STACK redraws the thread: wait for both
    atBreakpoint = await waitForStop(
      (s) => s.name === BP_FN && /^main-loop .*breakpoint/i.test(s.thread),
      `main-loop paused on a breakpoint in ${BP_FN}`,
      60_000,
    );
    // the same frame on top of main-loop's stack in CALL STACK
    const cs = lists.callStack();
    let seen = '';
    const f = await poll(
      async () => {
        const thread = await wb.findRow(cs, (r) => /^Thread main-loop\b/.test(r.aria), { timeout: 3_000 });
        const top = await wb.findRow(cs, (r) => r.index === thread.info.index + 1, {
          timeout: 3_000,
          what: 'the top frame',
        });
        seen = top.info.aria;
        const frame = frameOf(top.info);
        return frame && frame.name === BP_FN && frame.line === atBreakpoint.line ? frame : null;
      },
      { timeout: 15_000, what: `${BP_FN} on top of main-loop's stack in CALL STACK` },
    ).catch((e) => {
      throw new Error(`${e.message}; top row: "${seen}"`);
    });
    atBreakpoint.index = f.index;
    return `"${atBreakpoint.thread}"; top frame ${fmt(f)}; editor at line ${atBreakpoint.cursorLine} of ${atBreakpoint.source}, decorated as the top of the stack`;
  });

  await check(
    '4c',
    `CALL STACK shows the coroutine label frame "coroutine #N · ${LABEL_ENTRY}" below the current frame`,
    ['4b'],
    async () => {
      const cs = lists.callStack();
      const label = await wb.findRow(
        cs,
        (r) => new RegExp(`^Stack Frame coroutine #\\d+ · ${LABEL_ENTRY}\\b`).test(r.aria),
        { timeout: 30_000, what: 'the coroutine label frame' },
      );
      await wb.bringIntoView(cs, label.locator);
      const rows = await wb.collectRows(cs);
      const between = rows.filter((r) => r.index > atBreakpoint.index && r.index < label.info.index);
      if (!(label.info.index > atBreakpoint.index))
        throw new Error(`label frame at row ${label.info.index}, current frame at row ${atBreakpoint.index}`);
      if (between.some((r) => r.aria.startsWith('Thread ')))
        throw new Error('the label frame belongs to another thread');
      const name = /^Stack Frame (.+?), line/.exec(label.info.aria)?.[1];
      return `"${name}" at row ${label.info.index}, ${between.length} frame(s) below the current frame ${atBreakpoint.name} (row ${atBreakpoint.index})`;
    },
  );

  let request;
  await check('4d', 'VARIABLES shows the request: its sector, 8 sectors, 4096 bytes', ['4b'], async () => {
    await wb.expandPane('Variables');
    const vars = lists.variables();
    const scope = await wb.expandRow(vars, (r) => r.level === 1 && /^Request \d+$/.test(r.text), {
      timeout: 30_000,
      what: 'the Request scope',
    });
    const value = async (name) => {
      const { info } = await wb.findRow(vars, (r) => r.level === 2 && new RegExp(`^${name}\\s*[=:]\\s*`).test(r.text), {
        timeout: 15_000,
        what: `${name} in ${scope.info.text}`,
      });
      return info.text.replace(new RegExp(`^${name}\\s*[=:]\\s*`), '');
    };
    request = {
      scope: scope.info.text,
      sector: await value('sector'),
      nsectors: await value('nsectors'),
      bytes: await value('bytes'),
      op: await value('op'),
    };
    if (!/^\d+$/.test(request.sector)) throw new Error(`sector is "${request.sector}"`);
    if (request.nsectors !== '8' || request.bytes !== '4096' || request.op !== 'write')
      throw new Error(`request ${JSON.stringify(request)}: not one 4 KiB write`);
    return `${request.scope}: op=${request.op} sector=${request.sector} nsectors=${request.nsectors} bytes=${request.bytes}`;
  });

  // 5 ---------------------------------------------------------------------------------------------
  const path = [];
  await check('5a', 'step over three times: the current line in the document moves each time', ['4b'], async () => {
    path.push(atBreakpoint);
    for (let i = 1; i <= 3; i++) {
      const prev = path[path.length - 1];
      await wb.clickDebugAction('Step Over');
      const s = await waitForStop(
        (x) => x.line !== prev.line || x.name !== prev.name,
        `step over ${i} to stop somewhere else than ${fmt(prev)}`,
      );
      if (s.line === prev.line) throw new Error(`step ${i}: still at line ${s.line}`);
      path.push(s);
    }
    return path.map((s) => `${s.name}:${s.line}`).join(' → ');
  });

  await check(
    '5b',
    'step back three times returns through the same lines to the breakpoint, with no error notification',
    ['5a'],
    async () => {
      const back = [path[path.length - 1]];
      for (let i = path.length - 2; i >= 0; i--) {
        const want = path[i];
        await wb.clickDebugAction('Step Back');
        back.push(await waitForStop((x) => x.name === want.name && x.line === want.line, `step back to ${fmt(want)}`));
      }
      // stepping fast must not put errors in the user's face (stale frames once did: "unknown frame N")
      const errors = await wb.errorToasts();
      if (errors.length) throw new Error(`error notifications while stepping: ${errors.join(' | ')}`);
      return back.map((s) => `${s.name}:${s.line}`).join(' → ');
    },
  );

  await check('4e', 'a worker-N thread appears in CALL STACK after stepping', ['4b'], async () => {
    const before = (await threadRows()).map((r) => r.aria);
    if (before.some((a) => /^Thread worker-\d+/.test(a)))
      throw new Error(`a worker is already there: ${before.join(' | ')}`);
    let prev = await currentStop();
    for (let i = 1; i <= 10; i++) {
      await wb.clickDebugAction('Step Over');
      const from = prev;
      prev = await waitForStop(
        (x) => x.line !== from.line || x.name !== from.name,
        `step ${i} to stop somewhere else than ${fmt(from)}`,
      );
      const workers = (await threadRows()).filter((r) => /^Thread worker-\d+/.test(r.aria));
      if (workers.length)
        return `${workers.map((r) => r.aria.replace(/^Thread /, '').replace(/ .*/, '')).join(', ')} after ${i} step(s) over (now in ${fmt(prev)})`;
    }
    throw new Error('no worker-N thread after 10 steps over');
  });

  // 6 ---------------------------------------------------------------------------------------------
  await check(
    '6a',
    "the Debug Console shows QEMU trace-event lines, the request's among them",
    ['3', '4d'],
    async () => {
      const repl = lists.repl();
      if (!(await repl.isVisible()))
        await page.locator('.part.panel .composite-bar .action-label[aria-label^="Debug Console"]').click();
      await repl.waitFor({ state: 'visible', timeout: 15_000 });
      const lines = await poll(
        async () => {
          const rows = await wb.collectRows(repl);
          const trace = rows.map((r) => TRACE_LINE.exec(r.value ?? r.text)).filter(Boolean);
          return trace.length >= 5 ? trace : null;
        },
        { timeout: 30_000, what: 'trace-event lines' },
      );
      const events = [...new Set(lines.map((m) => m[3]))];
      if (!events.includes('thread_pool_submit'))
        throw new Error(`no thread_pool_submit line among ${events.join(', ')}`);
      const w = lines.find((m) => m[3] === 'virtio_blk_handle_write');
      if (!w) throw new Error('no virtio_blk_handle_write line');
      if (!new RegExp(`\\bsector ${request.sector} nsectors ${request.nsectors}\\b`).test(w[4]))
        throw new Error(`"${w[0]}" does not name sector ${request.sector}, ${request.nsectors} sectors`);
      return `${lines.length} lines, events ${events.slice(0, 6).join(', ')}…; e.g. "${lines.find((m) => m[3] === 'virtio_blk_handle_write')?.[0] ?? lines[0][0]}"`;
    },
  );

  await check('6b', 'stopping the session ends it and the external debug adapter process exits', ['3'], async () => {
    const ls = sessionProcesses(CS_SID).filter(isLanguageServer);
    await wb.clickDebugAction('Stop');
    await wb.debugToolbar().waitFor({ state: 'hidden', timeout: 30_000 });
    await poll(async () => !sessionProcesses(CS_SID).some((p) => p.pid === adapterPid), {
      timeout: 15_000,
      what: `the adapter (pid ${adapterPid}) to exit`,
    });
    const left = sessionProcesses(CS_SID).filter(isAdapter);
    if (left.length) throw new Error(`adapter process(es) left: ${left.map((p) => p.pid).join(', ')}`);
    const lsNow = sessionProcesses(CS_SID).filter(isLanguageServer);
    return `adapter pid ${adapterPid} gone; language server ${lsNow.map((p) => p.pid).join(', ') || '(none)'} still serving the editor (was ${ls.map((p) => p.pid).join(', ')})`;
  });

  // 7 ---------------------------------------------------------------------------------------------
  await check(
    '7',
    'with adapterMode "inline" (set in the Settings editor) a session starts and stops adding no process',
    ['6b'],
    async () => {
      await wb.runCommand('Preferences: Open User Settings', { id: 'workbench.action.openGlobalSettings' });
      const search = page.locator('.settings-editor .settings-header .suggest-input-container').first();
      await search.waitFor({ timeout: 30_000 });
      await search.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('qemuIoExplorer.adapterMode');
      const select = page.locator(
        '.settings-editor .setting-item-contents[data-key="qemuIoExplorer.adapterMode"] select',
      );
      await select.waitFor({ timeout: 30_000 });
      if ((await select.inputValue()) !== 'external')
        throw new Error(`the setting shows "${await select.inputValue()}", expected "external" from the profile`);
      await select.click();
      await page
        .locator('.monaco-select-box-dropdown-container.visible .monaco-list-row:has(.option-text:text-is("inline"))')
        .first()
        .click();
      await poll(async () => (await select.inputValue()) === 'inline', { what: 'the select to show inline' });
      // the Settings editor writes the user settings file a moment later: wait for that write (the
      // extension host gets the change right after it), then close the editor (a modal one here)
      await poll(() => !/"qemuIoExplorer\.adapterMode"\s*:\s*"external"/.test(readFileSync(USER_SETTINGS, 'utf8')), {
        timeout: 15_000,
        what: 'settings.json to be written',
      });
      const closeModal = page.locator('.action-label[aria-label^="Close Modal Editor"]');
      if (await closeModal.isVisible()) await closeModal.click();
      else await page.keyboard.press('Escape');
      await page.locator('.settings-editor').first().waitFor({ state: 'hidden', timeout: 10_000 });
      const before = sessionProcesses(CS_SID)
        .map((p) => p.pid)
        .sort();
      await wb.runCommand('Debug: Select and Start Debugging', { id: 'workbench.action.debug.selectandstart' });
      await wb.pick(CONFIG);
      await wb.debugToolbar().waitFor({ state: 'visible', timeout: 60_000 });
      await poll(
        async () => {
          const { info } = await wb.findRow(lists.callStack(), (r) => /^Thread main-loop\b/.test(r.aria), {
            timeout: 5_000,
          });
          return /\bentry\b/i.test(info.aria);
        },
        { timeout: 30_000, what: 'main-loop paused on entry' },
      );
      const during = sessionProcesses(CS_SID);
      const added = during.filter((p) => !before.includes(p.pid));
      if (added.some(isAdapter))
        throw new Error(
          `an adapter process runs in inline mode: ${added
            .filter(isAdapter)
            .map((p) => p.args)
            .join('; ')}`,
        );
      await wb.clickDebugAction('Stop');
      await wb.debugToolbar().waitFor({ state: 'hidden', timeout: 30_000 });
      const after = await poll(
        () => {
          const now = sessionProcesses(CS_SID)
            .map((p) => p.pid)
            .sort();
          return now.every((pid) => before.includes(pid)) ? now : null;
        },
        { timeout: 15_000, what: 'no process beyond those before the session' },
      );
      // what the extension says about the session it just ran
      await wb.runCommand(project.command('showOutput').title, { id: project.command('showOutput').id });
      const said = await poll(
        async () => {
          const lines = await page.locator('.part.panel .monaco-editor .view-line').allTextContents();
          const modes = lines
            .map((l) => /session ".*": (inline|external) debug adapter/.exec(l.replace(/\u00a0/g, ' '))?.[1])
            .filter(Boolean);
          return modes.length >= 2 ? modes : null;
        },
        { timeout: 15_000, what: 'the output channel to list both sessions' },
      );
      if (said[said.length - 1] !== 'inline')
        throw new Error(`the output channel says the last session used the ${said[said.length - 1]} adapter`);
      return `output channel: sessions ${said.join(', ')}; ${added.length} process(es) came and went during the session, ${after.length} in code-server's session before and after`;
    },
  );

  // r -------------------------------------------------------------------------------------------
  await replayChecks({ check, page, wb, project, lists, note, root: ROOT });

  // t -------------------------------------------------------------------------------------------
  await timelineChecks({ check, page, wb, project, lists, log, note, out: OUT });
} catch (e) {
  log(`driver error: ${e?.stack ?? e}`);
  results.push({
    n: results.length + 1,
    key: 'driver',
    name: 'the driver ran to the end',
    ok: false,
    detail: String(e?.message ?? e),
  });
  await page?.screenshot({ path: join(OUT, '99-driver-error.png') }).catch(() => {});
} finally {
  writeFileSync(join(OUT, 'browser.log'), browserLog.join('\n') + '\n');
  await context.close().catch((e) => log(`closing the browser: ${e.message}`));
  rmSync(profile, { recursive: true, force: true });
}

saveResults();
const failed = results.filter((r) => !r.ok).length;
log(`driver: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
