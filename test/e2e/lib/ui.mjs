// Workbench helpers for the end-to-end tests: the command palette, quick picks, view panes, the
// virtualised lists VS Code draws trees and lists with, hovers, context menus and the status bar.
// Every wait is on UI state, with a deadline; the only loops are short polls (see poll()).

let slowness = 1;

/**
 * How much slower than usual this workbench is (1 to 4, from how long the first load took): the
 * deadlines of waits for the workbench itself (10 s and more) stretch by it, so a cold first load
 * — code-server compiling, the extension host starting on a busy machine — is not a failure.
 */
export function setSlowness(factor) {
  slowness = Math.min(4, Math.max(1, factor));
  return slowness;
}

/** A wait's deadline on this workbench: long waits stretch with its slowness. */
export function deadlineFor(ms) {
  return ms >= 10_000 ? Math.round(ms * slowness) : ms;
}

/** Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (then throws `what`). */
export async function poll(fn, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
  timeout = deadlineFor(timeout);
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${String(last.message ?? last).split('\n')[0]})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, interval));
  }
}

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

export class Workbench {
  constructor(page, log = () => {}) {
    this.page = page;
    this.log = log;
  }

  /** The texts of the error notifications on screen (toasts with the error icon). */
  async errorToasts() {
    return this.page
      .locator('.notifications-toasts .notification-toast')
      .evaluateAll((els) =>
        els
          .filter((el) => el.querySelector('.notification-list-item-icon.codicon-error'))
          .map((el) =>
            (el.querySelector('.notification-list-item-message')?.textContent ?? el.textContent ?? '').trim(),
          ),
      );
  }

  // ---- panes and lists ---------------------------------------------------------------------

  /** A view pane by the title in its header ("Call Stack", "QEMU I/O Path"; a view's description may follow). */
  pane(title) {
    return this.page.locator(`.pane:has(> .pane-header[aria-label^="${title}"])`);
  }

  async expandPane(title) {
    const header = this.pane(title).locator('> .pane-header');
    await header.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') {
      await header.click();
      await this.park();
    }
    await poll(async () => (await header.getAttribute('aria-expanded')) === 'true', {
      what: `the ${title} pane to expand`,
    });
  }

  async collapsePane(title) {
    const header = this.pane(title).locator('> .pane-header');
    await header.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'true') {
      await header.click();
      await this.park();
    }
    await poll(async () => (await header.getAttribute('aria-expanded')) === 'false', {
      what: `the ${title} pane to collapse`,
    });
  }

  /** The rows of a list or tree that are drawn right now (lists draw only what is in view). */
  async rows(list) {
    return list.locator('.monaco-list-rows > .monaco-list-row').evaluateAll((els) =>
      els
        .map((el) => {
          const name = el.querySelector('.label-name');
          const desc = el.querySelector('.label-description');
          const level = el.getAttribute('aria-level');
          return {
            index: Number(el.getAttribute('data-index')),
            level: level === null ? null : Number(level),
            expanded: el.getAttribute('aria-expanded'),
            selected: el.classList.contains('selected'),
            focused: el.classList.contains('focused'),
            aria: el.getAttribute('aria-label') ?? '',
            label: name ? name.textContent.replace(/\s+/g, ' ').trim() : '',
            id: el.querySelector('[data-quick-input-id]')?.getAttribute('data-quick-input-id') ?? null,
            description: desc ? desc.textContent.replace(/\s+/g, ' ').trim() : '',
            text: el.textContent.replace(/\s+/g, ' ').trim(),
            value: el.querySelector('.value')?.textContent.replace(/\s+/g, ' ').trim() ?? null,
          };
        })
        .sort((a, b) => a.index - b.index),
    );
  }

  row(list, index) {
    return list.locator(`.monaco-list-rows > .monaco-list-row[data-index="${index}"]`);
  }

  /**
   * Scrolls a list by `dy` pixels with a wheel event sent to the list itself (with the real mouse the
   * pointer would rest on a row, whose hover tooltip then catches the next wheel events), and waits
   * until the list has drawn the new position — or stays put, at its top or bottom.
   */
  async scrollList(list, dy) {
    const position = () =>
      list
        .locator('.monaco-list-rows')
        .first()
        .evaluate((el) => el.style.top, undefined, { timeout: 1_000 });
    const before = await position().catch(() => null);
    await list
      .locator('.monaco-scrollable-element')
      .first()
      .evaluate((el, d) => {
        el.dispatchEvent(new WheelEvent('wheel', { deltaY: d, deltaMode: 0, bubbles: true, cancelable: true }));
      }, dy);
    await poll(async () => (await position()) !== before, {
      timeout: 1_000,
      interval: 30,
      what: 'the list to scroll',
    }).catch(() => {});
  }

  /**
   * Finds the first row matching `pred` (a predicate over rows() entries), scrolling the list when it is
   * not drawn: first the rows in view, then from the top down. Polls until `timeout` (lists fill in
   * asynchronously). Returns { info, locator }.
   */
  async findRow(list, pred, { timeout = 15_000, what = 'a row' } = {}) {
    return poll(
      async () => {
        let rows = await this.rows(list);
        let hit = rows.find(pred);
        if (hit) return { info: hit, locator: this.row(list, hit.index) };
        if (!rows.length) return null;
        // not in view: from the top, a page at a time, until the drawn rows stop changing
        await this.scrollList(list, -100_000);
        await this.settled(list);
        for (let i = 0; i < 100; i++) {
          rows = await this.rows(list);
          hit = rows.find(pred);
          if (hit) return { info: hit, locator: this.row(list, hit.index) };
          const before = rows.map((r) => r.index).join(',');
          const box = await list.boundingBox({ timeout: 1_000 });
          await this.scrollList(list, Math.max(22, (box?.height ?? 200) - 44));
          const after = await this.settled(list);
          if (after === before) return null;
        }
        return null;
      },
      { timeout, interval: 250, what },
    );
  }

  /** Every row of a list, scrolling it from the top to the bottom (rows are drawn only in view). */
  async collectRows(list) {
    const seen = new Map();
    await this.scrollList(list, -100_000);
    await this.settled(list);
    for (let i = 0; i < 200; i++) {
      const rows = await this.rows(list);
      for (const r of rows) seen.set(r.index, r);
      const before = rows.map((r) => r.index).join(',');
      const box = await list.boundingBox({ timeout: 1_000 });
      await this.scrollList(list, Math.max(22, (box?.height ?? 200) - 44));
      if ((await this.settled(list)) === before) break;
    }
    return [...seen.values()].sort((a, b) => a.index - b.index);
  }

  /** Waits until the drawn rows stop changing between two animation frames; returns their indices. */
  async settled(list) {
    let prev = null;
    return poll(
      async () => {
        const now = (await this.rows(list)).map((r) => r.index).join(',');
        const same = now === prev;
        prev = now;
        return same ? now || ' ' : null;
      },
      { timeout: 3_000, interval: 50, what: 'the list to settle' },
    ).then((s) => s.trim());
  }

  /** Scrolls so that a found row is fully inside the list's box. */
  /** Scrolls so that a found row is fully inside the list's box, below the tree's sticky header rows. */
  async bringIntoView(list, locator) {
    await poll(
      async () => {
        const lb = await list.boundingBox({ timeout: 1_000 });
        const rb = await locator.boundingBox({ timeout: 1_000 });
        if (!lb || !rb) return false;
        const sticky = await list
          .locator('.monaco-tree-sticky-container')
          .first()
          .boundingBox({ timeout: 200 })
          .catch(() => null);
        const top = lb.y + (sticky?.height ?? 0);
        if (rb.y >= top && rb.y + rb.height <= lb.y + lb.height) return true;
        await this.scrollList(list, rb.y < top ? rb.y - top - 4 : rb.y + rb.height - (lb.y + lb.height) + 4);
        return false;
      },
      { timeout: 5_000, interval: 100, what: 'the row to scroll into view' },
    );
  }

  /**
   * Expands the row `pred` finds (a tree node) by clicking its twistie, and waits until it shows as
   * expanded. Clicking toggles, so it clicks only while the row shows collapsed, and again only if a click did not take within 3 s
   * (a click can land while the list is still redrawing).
   */
  async expandRow(list, pred, { timeout = 30_000, what = 'a row' } = {}) {
    let clicked = 0;
    let clicks = 0;
    return poll(
      async () => {
        const found = await this.findRow(list, pred, { timeout: 5_000, what });
        if (found.info.expanded === 'true') return found;
        if (Date.now() - clicked > 3_000) {
          if (clicks++) this.log(`${what}: still collapsed 3 s after a click; clicking it again`);
          await this.bringIntoView(list, found.locator);
          await found.locator.locator('.monaco-tl-twistie').click(); // some trees (CALL STACK) expand only there
          await this.park();
          clicked = Date.now();
        }
        return null;
      },
      { timeout, interval: 100, what: `${what} to expand` },
    );
  }

  /** Clicks a row found with findRow(), first scrolling it clear of the list's edges and sticky rows. */
  async clickRow(list, found, options = {}) {
    await this.bringIntoView(list, found.locator);
    await found.locator.click(options);
    if (options.button !== 'right') await this.park();
  }

  /**
   * Moves the mouse to an empty part of the title bar: left on a row or a button, it opens a hover
   * tooltip that covers its neighbours.
   */
  async park() {
    const size = this.page.viewportSize();
    await this.page.mouse.move(Math.round(size.width * 0.8), 12);
  }

  // ---- command palette and quick picks -----------------------------------------------------

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  async closeQuickInput() {
    if (await this.quickInput().isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /**
   * Runs a command from the command palette (F1), picking the row whose title is exactly `title`
   * (plain Enter would run whichever fuzzy match is on top) and, when `id` is given, whose command id
   * is `id`. An extension's commands appear only once the workbench has registered its
   * contributions, so this retries until `timeout`.
   */
  async runCommand(title, { id, timeout = 60_000 } = {}) {
    const deadline = Date.now() + deadlineFor(timeout);
    const list = this.quickInput().locator('.quick-input-list .monaco-list');
    for (;;) {
      await this.closeQuickInput();
      await this.page.keyboard.press('F1');
      const input = this.quickInput().locator('input');
      const opened = await input.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (!opened) {
        if (Date.now() > deadline) throw new Error(`the command palette did not open (F1) to run ${title}`);
        this.log('palette: F1 did not open it; trying again');
        continue;
      }
      await input.fill(`>${title}`);
      const row = await poll(
        async () => {
          const hit = (await this.rows(list)).find((r) => r.label === title && (!id || r.id === id));
          return hit ? this.row(list, hit.index) : null;
        },
        { timeout: Math.min(5_000, Math.max(500, deadline - Date.now())), what: `"${title}" in the palette` },
      ).catch(() => null);
      if (row) {
        await row.click();
        await this.park();
        // the palette closes, or gives way to the command's own quick pick
        await poll(async () => !(await this.quickInput().isVisible()) || (await input.inputValue()) !== `>${title}`, {
          timeout: 10_000,
          what: `the palette to run "${title}"`,
        });
        return;
      }
      if (Date.now() > deadline) throw new Error(`command not found in the palette: ${title}${id ? ` (${id})` : ''}`);
      this.log(`palette: "${title}" not listed yet; trying again`);
    }
  }

  /** In an open quick pick, picks the item whose label is exactly `label`. */
  async pick(label, { timeout = 15_000 } = {}) {
    const list = this.quickInput().locator('.quick-input-list .monaco-list');
    const found = await this.findRow(list, (r) => r.label === label, { timeout, what: `"${label}" in the quick pick` });
    await this.clickRow(list, found);
    await this.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
  }

  // ---- editors, hovers, menus, status bar --------------------------------------------------

  activeTab() {
    return this.page.locator('.editor-group-container.active .tabs-container .tab.active');
  }

  activeEditor() {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** "Ln 450, Col 21 (15 selected)" → { line: 450, column: 21, selected: 15 }. */
  async cursor() {
    const text = squash(await this.page.locator('[id="status.editor.selection"]').innerText({ timeout: 5_000 }));
    const m = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]), selected: m[3] ? Number(m[3]) : 0, text } : { text };
  }

  /** The screen box of `word` inside the first drawn editor line whose text matches `lineRe`. */
  async wordBox(lineRe, word) {
    const line = this.activeEditor().locator('.view-line').filter({ hasText: lineRe }).first();
    await line.waitFor({ state: 'visible', timeout: 10_000 });
    return line.evaluate((el, w) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let text = '';
      const nodes = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        nodes.push([n, text.length]);
        text += n.data;
      }
      const at = text.indexOf(w);
      if (at < 0) return null;
      const range = document.createRange();
      const locate = (pos) => {
        for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i][1] <= pos) return [nodes[i][0], pos - nodes[i][1]];
        return [nodes[0][0], 0];
      };
      range.setStart(...locate(at));
      range.setEnd(...locate(at + w.length));
      const b = range.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    }, word);
  }

  /** The text of the visible hover widget(s). */
  async hoverText() {
    const texts = await this.page.locator('.monaco-hover:visible').allInnerTexts();
    return squash(texts.join(' '));
  }

  /**
   * Opens the context menu of a found row and runs its item `item`: the item is pointed at (which
   * focuses it) and run with Enter, as the menu does not take a click that comes right after it opened.
   */
  async contextMenu(list, found, item) {
    await this.clickRow(list, found, { button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    const entry = menu.locator('.action-item', { has: this.page.locator('.action-label', { hasText: item }) }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await poll(
      async () => {
        await entry.hover();
        return (await entry.getAttribute('class')).includes('focused');
      },
      { timeout: 5_000, what: `"${item}" to be focused in the menu` },
    );
    await this.page.keyboard.press('Enter');
    const closed = await menu
      .first()
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
    await this.park();
    if (!closed) {
      await this.page.keyboard.press('Escape');
      throw new Error(`the context menu did not close after "${item}"`);
    }
  }

  // ---- debugging ---------------------------------------------------------------------------

  debugToolbar() {
    return this.page.locator('.debug-toolbar');
  }

  /** A debug toolbar button by its title ("Continue", "Step Over", "Step Back", "Stop"). */
  debugAction(title) {
    return this.debugToolbar().locator(`.action-label[aria-label^="${title}"]`);
  }

  /** Clicks a toolbar button once it is enabled (it is disabled while the debuggee runs). */
  async clickDebugAction(title, { timeout = 30_000 } = {}) {
    const button = this.debugAction(title);
    await poll(
      async () => (await button.count()) > 0 && !(await button.first().getAttribute('class')).includes('disabled'),
      { timeout, what: `the "${title}" button to be enabled` },
    );
    await button.first().click();
    await this.park();
  }
}

/**
 * What the screen says that may explain a failure: the visible notifications (an error from the
 * extension, "Extension host terminated unexpectedly", …) and the status bar's progress.
 */
export async function screenState(page) {
  return page
    .evaluate(() => {
      const text = (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
      const notes = [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')].map(text);
      const progress = [
        ...document.querySelectorAll('.statusbar-item .codicon-loading, .statusbar-item .codicon-sync~span'),
      ]
        .map((el) => text(el.closest('.statusbar-item') ?? el))
        .filter(Boolean);
      const parts = [];
      if (notes.length) parts.push(`notifications: ${notes.map((n) => JSON.stringify(n.slice(0, 160))).join('; ')}`);
      if (progress.length) parts.push(`status bar busy: ${progress.join('; ')}`);
      return parts.join(' | ');
    })
    .catch(() => '');
}
