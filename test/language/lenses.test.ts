// Code lenses ("Break on this stage" | "Show in I/O path tree"). By default only on headings that
// name a function: on the I/O path document a lens above every mention read as a wall of lenses
// (about 820). The `codeLensMentions` setting adds the first mention of each function in each
// section. Neovim and eglot send languageId `text` for .txt files: it is served like plaintext.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CodeLensRequest, DocumentLinkRequest, type CodeLens, type DocumentLink } from 'vscode-languageserver-protocol';
import { DOC_PATH, DOC_URI, ensureBuilt, startServer, type Session } from './lspClient';

const NOTES = [
  '# Submission in `virtio_blk_handle_vq`',
  'virtio_blk_handle_vq pops requests; blk_aio_pwritev starts each one.',
  'Again virtio_blk_handle_vq, and blk_aio_pwritev.',
  '```',
  'aio_poll → aio_dispatch_handlers',
  '```',
  'Completion',
  '----------',
  'virtio_blk_handle_vq is not here, virtio_blk_rw_complete is.',
  '## blk_aio_pwritev and blk_aio_preadv',
].join('\n');

async function lenses(s: Session, uri: string): Promise<[string, string, number, number][]> {
  const got = (await s.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
  return got.map((l) => [
    l.command!.command,
    l.command!.arguments![0] as string,
    l.range.start.line,
    l.range.start.character,
  ]);
}

before(() => ensureBuilt());

describe('by default: lenses on headings only', () => {
  let s: Session;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('a note: lenses on the headings that name functions, none on prose mentions', async () => {
    s.open('file:///notes/lens.md', 'markdown', NOTES);
    assert.deepEqual(await lenses(s, 'file:///notes/lens.md'), [
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'virtio_blk_handle_vq', 0, 17],
      ['qemuIoExplorer.revealInTree', 'virtio_blk_handle_vq', 0, 17],
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'blk_aio_pwritev', 9, 3],
      ['qemuIoExplorer.revealInTree', 'blk_aio_pwritev', 9, 3],
    ]);
  });

  test('the I/O path document: one pair per function heading, nothing else', async () => {
    const text = readFileSync(DOC_PATH, 'utf8');
    const lines = text.split('\n');
    s.open(DOC_URI, 'markdown', text);
    const got = await lenses(s, DOC_URI);
    assert.ok(got.length > 0);
    for (const [, name, line] of got)
      assert.equal(lines[line], `### \`${name}\``, `lens on line ${line + 1}: ${lines[line]}`);
    const headings = lines.filter((l) => /^### `\w+`$/.test(l)).length;
    assert.equal(got.length, 2 * headings);
  });

  test('languageId "text" (Neovim, eglot) gets lenses and links like plaintext', async () => {
    s.open('file:///notes/n.txt', 'text', NOTES);
    assert.equal((await lenses(s, 'file:///notes/n.txt')).length, 4);
    const links = (await s.conn.sendRequest(DocumentLinkRequest.type, {
      textDocument: { uri: 'file:///notes/n.txt' },
    })) as DocumentLink[];
    assert.ok(links.length >= 8);
  });

  test('C sources get no lenses', async () => {
    s.open('file:///src/lens.c', 'c', 'void f(void) { aio_poll(ctx, true); }\n');
    assert.deepEqual(await lenses(s, 'file:///src/lens.c'), []);
  });
});

describe('with codeLensMentions: the first mention of each function in each section too', () => {
  let s: Session;
  before(async () => {
    s = await startServer({ initializationOptions: { codeLensMentions: true } });
  });
  after(() => s.close());

  test('one pair per function per section, one pair per line, none in fenced code', async () => {
    s.open('file:///notes/lens.md', 'markdown', NOTES);
    assert.deepEqual(await lenses(s, 'file:///notes/lens.md'), [
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'virtio_blk_handle_vq', 0, 17],
      ['qemuIoExplorer.revealInTree', 'virtio_blk_handle_vq', 0, 17],
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'blk_aio_pwritev', 1, 36],
      ['qemuIoExplorer.revealInTree', 'blk_aio_pwritev', 1, 36],
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'virtio_blk_handle_vq', 8, 0],
      ['qemuIoExplorer.revealInTree', 'virtio_blk_handle_vq', 8, 0],
      ['qemuIoExplorer.toggleFunctionBreakpoint', 'blk_aio_pwritev', 9, 3],
      ['qemuIoExplorer.revealInTree', 'blk_aio_pwritev', 9, 3],
    ]);
    const titles = (
      (await s.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: 'file:///notes/lens.md' } })) as CodeLens[]
    ).map((l) => l.command!.title);
    assert.ok(titles.filter((_, i) => i % 2 === 0).every((t) => t.startsWith('Break on this stage')));
    assert.ok(titles.filter((_, i) => i % 2 === 1).every((t) => t === 'Show in I/O path tree'));
  });

  test('the I/O path document gets many more lenses than with headings only', async () => {
    const text = readFileSync(DOC_PATH, 'utf8');
    s.open(DOC_URI, 'markdown', text);
    const got = await lenses(s, DOC_URI);
    const headings = text.split('\n').filter((l) => /^### `\w+`$/.test(l)).length;
    assert.ok(got.length > 3 * headings, `${got.length} lenses for ${headings} headings`);
  });
});
