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
  // "Replay from this line": the fourth kick of the guest (the 64 KiB read)
  const kicks = lines.flatMap((l, i) => (eventOf(l) === 'virtio_queue_notify' ? [i + 1] : []));
  const KICK_LINE = kicks[3];
  const LENS = 'Replay from this line';

  /**
   * The stopped thread and its top frame in CALL STACK (the function name; a qualifier and
   * "(inferred)" dropped). With one thread VS Code shows no thread row: the frames are at the top,
   * the stop's description is in the pane's header, and the thread is named by VARIABLES' "Thread
   * <name>" scope (the adapter's).
   */
  const topFrame = async () => {
    const rows = await wb.collectRows(lists.callStack());
    const threads = rows.filter((r) => r.aria.startsWith('Thread '));
    let state, top, thread;
    if (threads.length) {
      const stopped = threads.find((r) => !/ (Paused|Running)$/.test(r.aria));
      if (!stopped) throw new Error(`no stopped thread among ${threads.map((r) => r.aria).join(' | ')}`);
      thread = stopped.aria.replace(/^Thread /, '').split(' ')[0];
      state = stopped.aria;
      top = rows.find((r) => r.index === stopped.index + 1);
    } else {
      state = await wb.pane('Call Stack').locator('> .pane-header').innerText({ timeout: 2_000 });
      top = rows.find((r) => r.aria.startsWith('Stack Frame '));
      const scopes = await wb.collectRows(lists.variables());
      thread = scopes.find((r) => r.level === 1 && r.text.startsWith('Thread '))?.text.replace(/^Thread /, '');
    }
    const name = /^Stack Frame ([A-Za-z_]\w*)/.exec(top?.aria ?? '')?.[1];
    return { thread: thread ?? '', state: state.replace(/\s+/g, ' '), name, aria: top?.aria };
  };

  /** Waits for a stop whose CALL STACK state (the thread's, or the header's) matches `re`. */
  const stoppedOn = (re, what) =>
    poll(async () => re.test((await topFrame().catch(() => ({ state: '' }))).state), { timeout: 60_000, what });

  /** Ends every debug session still running (one a failed check left behind would confuse the next). */
  const stopSessions = async () => {
    for (let i = 0; i < 5 && (await wb.debugToolbar().isVisible()); i++) {
      await wb.clickDebugAction('Stop');
      await poll(async () => !(await wb.debugToolbar().isVisible()), {
        timeout: 30_000,
        what: 'the session to end',
      }).catch(() => {});
    }
  };

  /** Opens the log with Go to File… (a debug stop may have put a generated page in front of it). */
  const openLog = async () => {
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
  };

  /** The log line of the event the replay stands at (VARIABLES, scope Event, `line`); null until shown. */
  const eventLine = async () => {
    const rows = await wb.collectRows(lists.variables());
    const scope = rows.find((r) => r.level === 1 && r.text.startsWith('Event'));
    if (!scope) return null;
    if (scope.expanded !== 'true') {
      await wb.clickRow(lists.variables(), { locator: wb.row(lists.variables(), scope.index) });
      return null;
    }
    const line = rows.find((r) => r.level === 2 && /^line\s*[=:]/.test(r.text));
    return line ? Number(line.text.replace(/^line\s*[=:]\s*/, '')) : null;
  };

  /**
   * The QEMU version the tree lists, from the start of its header's description ("QEMU 10.0 · …";
   * none: 4.1.0). Only the start: the rest names the active editor, which may be a generated page
   * called "<function> (QEMU 10.0)".
   */
  const treeVersion = async () => {
    const el = wb.pane(project.viewName).locator('> .pane-header .description').first();
    const d = (await el.count()) ? await el.innerText({ timeout: 2_000 }) : '';
    return /^QEMU (\d+\.\d+(?:\.\d+)?)(?: ·|$)/.exec(d.trim())?.[1] ?? '4.1.0';
  };

  /**
   * Waits until the tree marks where the stopped thread is: the function on top of its stack
   * (◀ thread), or, when the version the tree lists has no such function, its group (● thread);
   * somewhere else than `not` (the previous stop's function).
   */
  const treeFollows = async (not) => {
    let last = {};
    try {
      return await poll(
        async () => {
          const top = await topFrame();
          const version = await treeVersion();
          const rows = await wb.collectRows(lists.tree());
          const fnRow = rows.find((r) => r.level === 2 && r.description.startsWith('◀'));
          const groupRow = rows.find((r) => r.level === 1 && r.description.startsWith('●'));
          const who = top.thread;
          last = { top: top.name, thread: top.thread, version, fn: fnRow?.label, group: groupRow?.label };
          if (!top.name || !top.thread || top.name === not) return null;
          if (project.functionIn(version, top.name)) {
            if (fnRow?.label !== top.name || !fnRow.description.startsWith(`◀ ${who}`)) return null;
            return { fn: top.name, thread: top.thread, version, marked: `${fnRow.label} "${fnRow.description}"` };
          }
          // the tree lists a version without that function: its group is marked
          const group = project.functionIn('10.0', top.name)?.groupLabel;
          if (!groupRow || groupRow.label !== group || !groupRow.description.startsWith(`● ${who}`)) return null;
          return { fn: top.name, thread: top.thread, version, marked: `its group ${group} "${groupRow.description}"` };
        },
        { timeout: 30_000, interval: 200, what: 'the tree to mark where the stopped thread is' },
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
      await wb.runCommand('Remove All Breakpoints', { id: 'workbench.debug.viewlet.action.removeAllBreakpoints' });
      await openLog();
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
          const box = await wb.wordBox(new RegExp(`:${HOVER_EVENT}\\b`), HOVER_EVENT);
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
      await page.keyboard.press('F9'); // Debug: Toggle Breakpoint, in the editor the cursor is in
      await wb.expandPane('Breakpoints');
      await wb.findRow(lists.breakpoints(), (r) => r.aria.includes(FILE) && r.aria.includes(String(BP_LINE)), {
        timeout: 15_000,
        what: `the breakpoint on ${FILE}:${BP_LINE} in BREAKPOINTS`,
      });
      await wb.runCommand('Debug: Select and Start Debugging', { id: 'workbench.action.debug.selectandstart' });
      await wb.pick(CONFIG);
      await wb.debugToolbar().waitFor({ state: 'visible', timeout: 60_000 });
      await wb.expandPane('Call Stack');
      await wb.expandPane('Variables');
      await wb.expandPane(project.viewName);
      // stopped on entry, then on to the breakpoint
      await stoppedOn(/\bentry\b/i, 'the replay to stop on entry');
      await wb.clickDebugAction('Continue');
      await stoppedOn(/breakpoint/i, 'the replay to stop on a breakpoint');
      stop = await treeFollows();
      const at = await poll(async () => ((await eventLine()) === BP_LINE ? BP_LINE : null), {
        timeout: 15_000,
        what: `VARIABLES, Event: line ${BP_LINE}`,
      });
      // the log is QEMU 10.0's: the tree lists 10.0's path (qemuVersion in qemuIo/stage)
      if (stop.version !== '10.0') throw new Error(`the tree lists QEMU ${stop.version}'s path, not 10.0's`);
      return `${stop.thread} at line ${at} (VARIABLES, Event): top frame ${stop.fn}; the tree (QEMU ${stop.version}) marks ${stop.marked}`;
    },
  );

  await check('rc', 'step back: the replay goes to the event before, and the tree follows it', ['rb'], async () => {
    await wb.clickDebugAction('Step Back');
    const back = await treeFollows(stop.fn);
    const errors = await wb.errorToasts();
    if (errors.length) throw new Error(`error notifications: ${errors.join(' | ')}`);
    return `${stop.fn} → ${back.fn} on ${back.thread}; the tree (QEMU ${back.version}) marks ${back.marked}`;
  });

  await check('rd', "stopping the replay: the tree lists 4.1.0's path again, nothing marked", ['rb'], async () => {
    await wb.clickDebugAction('Stop');
    await wb.debugToolbar().waitFor({ state: 'hidden', timeout: 30_000 });
    await wb.runCommand('Remove All Breakpoints', { id: 'workbench.debug.viewlet.action.removeAllBreakpoints' });
    await poll(async () => (await treeVersion()) === '4.1.0', {
      timeout: 15_000,
      what: "the tree to list 4.1.0's path",
    });
    const marked = await poll(
      async () => {
        const m = (await wb.collectRows(lists.tree())).filter((r) => /^[◀●]/.test(r.description));
        return m.length === 0 ? [] : null;
      },
      { timeout: 15_000, what: 'no row of the tree to be marked' },
    );
    return `the tree lists QEMU 4.1.0's path, ${marked.length} row(s) marked`;
  });

  await check(
    're',
    `the "${LENS}" lens above line ${KICK_LINE} (a kick) replays the log from that line`,
    ['ra'],
    async () => {
      await stopSessions();
      await wb.runCommand('Remove All Breakpoints', { id: 'workbench.debug.viewlet.action.removeAllBreakpoints' });
      await openLog();
      await wb.runCommand('Go to Line/Column...', { id: 'workbench.action.gotoLine' });
      await page.keyboard.type(String(KICK_LINE));
      await page.keyboard.press('Enter');
      // the lens drawn just above the line (its timestamp makes the line unique)
      const stamp = /@(\d+\.\d+):/.exec(lines[KICK_LINE - 1])[1];
      const lens = await poll(
        async () =>
          wb.activeEditor().evaluate(
            (ed, { stamp, title }) => {
              const line = [...ed.querySelectorAll('.view-lines .view-line')].find((l) =>
                l.textContent.includes(stamp),
              );
              if (!line) return null;
              const top = line.getBoundingClientRect().y;
              const above = [...ed.querySelectorAll('.codelens-decoration a')]
                .filter((a) => a.textContent.includes(title))
                .map((a) => ({ a, b: a.getBoundingClientRect() }))
                .filter(({ b }) => b.y < top && top - b.y < 40);
              if (!above.length) return null;
              const { b } = above[0];
              return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
            },
            { stamp, title: LENS },
          ),
        { timeout: 60_000, what: `the "${LENS}" lens above line ${KICK_LINE}` },
      );
      await page.mouse.click(lens.x, lens.y);
      await wb.debugToolbar().waitFor({ state: 'visible', timeout: 60_000 });
      // the replay goes to that line's event (the Event scope says which line); a warning that it
      // cannot is a failure
      const warned = () =>
        page
          .locator('.notifications-toasts .notification-toast')
          .evaluateAll((els) =>
            els
              .filter((el) => el.querySelector('.codicon-warning'))
              .map((el) => el.querySelector('.notification-list-item-message')?.textContent ?? ''),
          );
      await wb.expandPane('Variables');
      const outcome = await poll(
        async () => {
          const w = (await warned()).find((t) => t.includes(`line ${KICK_LINE}`));
          if (w) return { warning: w };
          const n = await eventLine();
          return n === KICK_LINE ? { line: n } : null;
        },
        {
          timeout: 60_000,
          interval: 300,
          what: `the replay at line ${KICK_LINE}, or a warning that it cannot go there`,
        },
      );
      await wb.clickDebugAction('Stop');
      await wb.debugToolbar().waitFor({ state: 'hidden', timeout: 30_000 });
      if (outcome.warning) throw new Error(`the replay did not go to line ${KICK_LINE}: "${outcome.warning}"`);
      return `a replay started and went to line ${outcome.line} (VARIABLES, Event: line ${outcome.line})`;
    },
  );
}
