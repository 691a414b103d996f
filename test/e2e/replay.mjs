// End-to-end checks of a real QEMU trace in the editor (issue 13), run by drive.mjs after its own
// checks: open examples/qemu-trace.log (a real QEMU 10.0.2 log), see it recognised and its event
// names explained for its version, set a breakpoint in its gutter, replay it, stop on that line's
// event, step back — and see the QEMU I/O Path tree follow each stop into 10.0's functions. The
// log's lines and what to expect are read from the log itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from './lib/ui.mjs';

/** The event on a line of the log (`tid@sec.usec:event args`). */
const eventOf = (line) => /^\d+@\d+\.\d+:(\w+)/.exec(line)?.[1];

export async function replayChecks({ check, page, wb, project, lists, root }) {
  const CONFIG = project.launchNamed('replay qemu-trace.log').name;
  const FILE = 'qemu-trace.log';
  const lines = readFileSync(join(root, 'examples', FILE), 'utf8').split('\n');
  // the breakpoint: the second request's submission to the thread pool (a 4 KiB read of sector 0)
  const submits = lines.flatMap((l, i) => (eventOf(l) === 'thread_pool_submit_aio' ? [i + 1] : []));
  const BP_LINE = submits[1];
  const HOVER_EVENT = 'thread_pool_submit_aio';

  /** The stage tree's marked function (◀ thread · req …): its label and description. */
  const marked = async () =>
    (await wb.collectRows(lists.tree())).find((r) => r.level === 2 && r.description.startsWith('◀'));

  /** The stopped thread's top frame in CALL STACK. */
  const topFrame = async () => {
    const cs = lists.callStack();
    const thread = await wb.findRow(
      cs,
      (r) => r.level === 1 && r.aria.startsWith('Thread ') && !/ (Paused|Running)$/.test(r.aria),
      { timeout: 5_000, what: 'the stopped thread' },
    );
    const top = await wb.findRow(cs, (r) => r.index === thread.info.index + 1, {
      timeout: 5_000,
      what: 'its top frame',
    });
    const name = /^Stack Frame (.+?)(?: \[[^\]]+\])?, line/.exec(top.info.aria)?.[1];
    return { thread: thread.info.aria.replace(/^Thread /, ''), name, aria: top.info.aria };
  };

  /** Waits until the tree marks the function CALL STACK has on top of the stopped thread (not `not`). */
  const treeFollows = async (not) => {
    let last = {};
    try {
      return await poll(
        async () => {
          const top = await topFrame();
          const m = await marked();
          last = { top: top.name, thread: top.thread, tree: m && `${m.label} ${m.description}` };
          if (!top.name || top.name === not || !m || m.label !== top.name) return null;
          if (!m.description.startsWith(`◀ ${top.thread.split(' ')[0]}`)) return null;
          return { fn: top.name, thread: top.thread, description: m.description };
        },
        { timeout: 30_000, interval: 200, what: 'the tree to mark the function on top of the stopped thread' },
      );
    } catch (e) {
      throw new Error(`${e.message}; last seen: ${JSON.stringify(last)}`, { cause: e });
    }
  };

  await check(
    'ra',
    `${FILE} opens as a QEMU Trace Log; hovering ${HOVER_EVENT} reads it as QEMU 10.0`,
    ['0'],
    async () => {
      await wb.runCommand('Debug: Remove All Breakpoints', {
        id: 'workbench.debug.viewlet.action.removeAllBreakpoints',
      });
      await wb.runCommand('Go to File...', { id: 'workbench.action.quickOpen' });
      await page.keyboard.type(FILE);
      await wb.pick(FILE, { timeout: 30_000 }).catch(async () => {
        await page.keyboard.press('Enter'); // the file list shows a path after the name
        await wb.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
      });
      await poll(async () => ((await wb.activeTab().getAttribute('aria-label')) ?? '').startsWith(FILE), {
        timeout: 30_000,
        what: `${FILE} in the active tab`,
      });
      const mode = await poll(
        async () => {
          const t = (await page.locator('[id="status.editor.mode"]').innerText({ timeout: 2_000 })).trim();
          return t === 'QEMU Trace Log' ? t : null;
        },
        { timeout: 30_000, what: 'the status bar to name the language QEMU Trace Log' },
      );
      // the language server may still be starting: hover until its version-aware hover comes
      const want = [
        'QEMU 10.0',
        'In other versions: QEMU 4.1.0, 7.2: thread_pool_submit',
        'This log: read as QEMU 10.0',
      ];
      const text = await poll(
        async () => {
          await wb.park();
          const box = await wb.wordBox(new RegExp(`:${HOVER_EVENT} `), HOVER_EVENT);
          if (!box) return null;
          await page.mouse.move(box.x + box.width / 2 - 4, box.y + box.height / 2);
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
          return poll(
            async () => {
              const t = await wb.hoverText();
              return want.every((w) => t.includes(w)) ? t : null;
            },
            { timeout: 6_000, interval: 150, what: 'the hover' },
          ).catch(() => null);
        },
        { timeout: 90_000, interval: 100, what: `a hover on ${HOVER_EVENT} saying ${want.join(' / ')}` },
      );
      await wb.park();
      return `status bar: ${mode}; hover: "${text.slice(0, 160)}…"`;
    },
  );

  let stop;
  await check(
    'rb',
    `a breakpoint on line ${BP_LINE} of ${FILE} (${eventOf(lines[BP_LINE - 1])}): the replay stops there, the tree marks the function`,
    ['ra'],
    async () => {
      await wb.runCommand('Go to Line/Column...', { id: 'workbench.action.gotoLine' });
      await page.keyboard.type(String(BP_LINE));
      await page.keyboard.press('Enter');
      await poll(async () => (await wb.cursor()).line === BP_LINE, { what: `the cursor on line ${BP_LINE}` });
      await wb.runCommand('Debug: Toggle Breakpoint', { id: 'editor.debug.action.toggleBreakpoint' });
      await wb.expandPane('Breakpoints');
      await wb.findRow(lists.breakpoints(), (r) => r.aria.includes(FILE) && r.aria.includes(String(BP_LINE)), {
        timeout: 15_000,
        what: `the breakpoint on ${FILE}:${BP_LINE} in BREAKPOINTS`,
      });
      await wb.runCommand('Debug: Select and Start Debugging', { id: 'workbench.action.debug.selectandstart' });
      await wb.pick(CONFIG);
      await wb.debugToolbar().waitFor({ state: 'visible', timeout: 60_000 });
      await wb.expandPane('Call Stack');
      await wb.expandPane(project.viewName);
      // stopped on entry, then on to the breakpoint
      await poll(async () => /\bentry\b/i.test((await topFrame().catch(() => ({ thread: '' }))).thread), {
        timeout: 60_000,
        what: 'the replay to stop on entry',
      });
      await wb.clickDebugAction('Continue');
      await poll(async () => /breakpoint/i.test((await topFrame().catch(() => ({ thread: '' }))).thread), {
        timeout: 60_000,
        what: 'the replay to stop on a breakpoint',
      });
      stop = await treeFollows();
      const header = (await wb.pane(project.viewName).locator('> .pane-header').innerText()).replace(/\s+/g, ' ');
      if (!header.includes('QEMU 10.0')) throw new Error(`the tree's header says "${header}", not QEMU 10.0`);
      return `${stop.thread}: top frame ${stop.fn}; tree: ${stop.fn} "${stop.description}"; header "${header}"`;
    },
  );

  await check('rc', 'step back: the replay goes to the event before, and the tree follows it', ['rb'], async () => {
    await wb.clickDebugAction('Step Back');
    const back = await treeFollows(stop.fn);
    const errors = await wb.errorToasts();
    if (errors.length) throw new Error(`error notifications: ${errors.join(' | ')}`);
    return `${stop.fn} → ${back.fn} on ${back.thread}; tree: ${back.fn} "${back.description}"`;
  });

  await check('rd', 'stopping the replay: the tree lists 4.1.0 again', ['rb'], async () => {
    await wb.clickDebugAction('Stop');
    await wb.debugToolbar().waitFor({ state: 'hidden', timeout: 30_000 });
    await wb.runCommand('Debug: Remove All Breakpoints', { id: 'workbench.debug.viewlet.action.removeAllBreakpoints' });
    const header = await poll(
      async () => {
        const h = (await wb.pane(project.viewName).locator('> .pane-header').innerText()).replace(/\s+/g, ' ');
        return h.includes('QEMU 10.0') ? null : h;
      },
      { timeout: 15_000, what: 'the tree header to drop QEMU 10.0' },
    );
    return `header "${header}"`;
  });
}
