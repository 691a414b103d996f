// The bundled language server over real LSP on stdio: hover, definition (document fallback),
// links, lenses, cancellation, large and odd inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CancellationTokenSource,
  CodeLensRequest,
  DefinitionRequest,
  DocumentLinkRequest,
  HoverRequest,
  LSPErrorCodes,
  ResponseError,
  type CodeLens,
  type DocumentLink,
  type Hover,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { catalog } from '../../simulator/catalog';
import { DOC_PATH, DOC_URI, positionOf, serverForTests } from './lspClient';

const docLines = readFileSync(DOC_PATH, 'utf8').split('\n');
const headingLine = (name: string): number => docLines.indexOf(`### \`${name}\``);

const server = serverForTests();

async function hover(uri: string, text: string, needle: string, delta = 0, nth = 0): Promise<Hover | null> {
  return server().conn.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: positionOf(text, needle, delta, nth),
  });
}
const md = (h: Hover | null): string => (h?.contents as MarkupContent).value;

test('initialize advertises hover, definition, code lens and document links; answers fast', () => {
  const c = server().init.capabilities;
  assert.equal(c.hoverProvider, true);
  assert.equal(c.definitionProvider, true);
  assert.ok(c.codeLensProvider);
  assert.ok(c.documentLinkProvider);
  // timing figures are `npm run bench`'s (lsp.*); here generous bounds against pathological slowdowns
  assert.ok(server().initMs < 20_000, `initialize took ${server().initMs} ms`);
});

test('hover in markdown: summary, stage and group, thread, coroutine facts, source, callers and callees as links', async () => {
  const uri = 'file:///notes/a.md';
  const text = '# Notes\n\nThe request enters `blk_aio_preadv()` from submit_requests.\n';
  server().open(uri, 'markdown', text);
  const h = await hover(uri, text, 'blk_aio_preadv', 3);
  assert.ok(h);
  const v = md(h);
  const f = catalog.byName('blk_aio_preadv')!;
  const stage = catalog.stage(f.stage)!;
  const group = catalog.groups.find((g) => g.id === stage.group)!;
  assert.equal((h.contents as MarkupContent).kind, 'markdown');
  assert.match(v, /\*\*`blk_aio_preadv`\*\*/);
  assert.ok(v.includes(`**Stage:** ${stage.label} · *${group.label}*`), v);
  assert.ok(v.includes('main-loop thread, or the IOThread'), v);
  assert.ok(v.includes('plain code, never on a coroutine stack; never yields'), v);
  assert.ok(v.includes(`\`${f.file}:${f.line}\``), v);
  // the summary, with catalog names set as code
  assert.ok(v.includes(f.summary.split(';')[0].replace('blk_aio_prwv', '`blk_aio_prwv`')), v);
  // callers / callees link to the function's place in the document
  assert.ok(v.includes(`**Called by:** [\`submit_requests\`](${DOC_URI}#L${headingLine('submit_requests') + 1})`), v);
  assert.ok(v.includes(`**Calls:** [\`blk_aio_prwv\`](${DOC_URI}#L${headingLine('blk_aio_prwv') + 1})`), v);
  const p = positionOf(text, 'blk_aio_preadv');
  assert.deepEqual(h.range, { start: p, end: { line: p.line, character: p.character + 14 } });
  // hovering the other name in the same line
  const h2 = await hover(uri, text, 'submit_requests', 5);
  assert.match(md(h2), /\*\*`submit_requests`\*\*/);
});

test('hover in plain text: a coroutine function that yields', async () => {
  const uri = 'file:///notes/b.txt';
  const text = 'laio_co_submit yields right after io_submit.\n';
  server().open(uri, 'plaintext', text);
  const v = md(await hover(uri, text, 'laio_co_submit', 0));
  assert.ok(v.includes('runs in a coroutine; may yield (calls `qemu_coroutine_yield` itself)'), v);
  assert.ok(v.includes('Linux AIO submit'), v);
  const sys = md(await hover(uri, text, 'io_submit', 2));
  assert.ok(sys.includes('host system call'), sys);
  assert.ok(sys.includes('man7.org/linux/man-pages/man2/io_submit.2.html'), sys);
  assert.ok(sys.includes('**Called by:**'), sys);
});

test('hover in C: chains, casts and calls; trace events with argument lists', async () => {
  const uri = 'file:///src/x.c';
  const text = [
    'static void f(ThreadPool *pool)',
    '{',
    '    acb->common.cb = blk_aio_complete;',
    '    s->bh = aio_bh_new(ctx, (QEMUBHFunc *)thread_pool_completion_bh, pool);',
    '    thread_pool_submit_aio(pool, func, arg, cb, opaque);',
    '}',
  ].join('\n');
  server().open(uri, 'c', text);
  assert.match(md(await hover(uri, text, 'blk_aio_complete', 4)), /\*\*`blk_aio_complete`\*\*/);
  assert.match(md(await hover(uri, text, 'thread_pool_completion_bh', 0)), /\*\*`thread_pool_completion_bh`\*\*/);
  const v = md(await hover(uri, text, 'thread_pool_submit_aio', 10));
  const t = catalog.traceEvent('thread_pool_submit')!;
  const sig = `thread_pool_submit(${t.args.map((a) => `${a.type}${a.type.endsWith('*') ? '' : ' '}${a.name}`).join(', ')})`;
  assert.ok(v.includes(sig), v);
  assert.ok(v.includes(t.format), v);
});

test('no hover on identifiers that are not QEMU path names, nor on punctuation or whitespace', async () => {
  const uri = 'file:///src/y.c';
  const text = 'int my_aio_poll(void) { printf("x"); return aio_poll2 + AIO_POLL + 0x1aio_poll; }  \n';
  server().open(uri, 'c', text);
  for (const [needle, d] of [
    ['my_aio_poll', 4],
    ['printf', 1],
    ['aio_poll2', 3],
    ['AIO_POLL', 2],
    ['0x1aio_poll', 5],
    ['{', 0],
    ['  \n', 1],
  ] as const) {
    assert.equal(await hover(uri, text, needle, d), null, needle);
  }
});

test('names glued to CJK text', async () => {
  const uri = 'file:///notes/zh.md';
  const text = '请求先到blk_aio_preadv二次提交，再经过laio_co_submit进入内核。\n';
  server().open(uri, 'markdown', text);
  for (let d = 0; d < 'blk_aio_preadv'.length; d++) {
    assert.match(md(await hover(uri, text, 'blk_aio_preadv', d)), /\*\*`blk_aio_preadv`\*\*/);
  }
  assert.match(md(await hover(uri, text, 'laio_co_submit', 13)), /\*\*`laio_co_submit`\*\*/);
  assert.equal(await hover(uri, text, '二次', 1), null);
  assert.equal(await hover(uri, text, '请求', 0), null);
});

test('duplicated static names show both entries; syscalls and guest functions say where they are', async () => {
  const uri = 'file:///notes/dup.md';
  const text =
    'raw_co_pwritev, pwrite, virtio_queue_rq, qemu_coroutine_entered, g_main_context_dispatch, virtio_blk_rw_complete\n';
  server().open(uri, 'markdown', text);
  const dup = md(await hover(uri, text, 'raw_co_pwritev'));
  const entries = catalog.allNamed('raw_co_pwritev');
  assert.equal(entries.length, 2);
  for (const e of entries) assert.ok(dup.includes(`\`${e.file}:${e.line}\``), dup);
  assert.equal(dup.split('\n---\n').length, 2);
  const pw = md(await hover(uri, text, ' pwrite', 1));
  assert.ok(pw.includes('host system call') && pw.includes('issued by a thread-pool worker'), pw);
  assert.ok(pw.includes('`handle_aiocb_rw_linear`'), pw);
  const guest = md(await hover(uri, text, 'virtio_queue_rq'));
  assert.ok(guest.includes('guest Linux driver') && guest.includes('drivers/block/virtio_blk.c'), guest);
  assert.ok(md(await hover(uri, text, 'qemu_coroutine_entered')).includes('util/qemu-coroutine.c'));
  assert.ok(md(await hover(uri, text, 'g_main_context_dispatch')).includes('glib'));
  // a name that is both a function and a trace event: the function, with its event
  assert.ok(md(await hover(uri, text, 'virtio_blk_rw_complete')).includes('**Trace events**'));
});

test('a trace event name that is not a function gets the event declaration', async () => {
  const uri = 'file:///notes/trace.txt';
  const text = '12345@1.0:thread_pool_submit pool 0x55 req 0x56 opaque 0x57\n';
  server().open(uri, 'plaintext', text);
  const v = md(await hover(uri, text, 'thread_pool_submit', 2));
  assert.ok(v.includes('QEMU trace event') && v.includes('`thread_pool_submit_aio`'), v);
});

test('definition without a QEMU checkout goes to the function heading in the I/O path document', async () => {
  const uri = 'file:///notes/def.md';
  const text = 'See laio_co_submit and raw_co_pwritev, then pwrite.\n';
  server().open(uri, 'markdown', text);
  for (const name of ['laio_co_submit', 'raw_co_pwritev', 'pwrite']) {
    const locs = (await server().conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: positionOf(text, ` ${name}`, 2),
    })) as Location[];
    assert.equal(locs.length, 1, name);
    assert.equal(locs[0].uri, DOC_URI);
    const line = headingLine(name);
    assert.ok(line > 0);
    assert.deepEqual(locs[0].range, { start: { line, character: 5 }, end: { line, character: 5 + name.length } });
  }
  const none = await server().conn.sendRequest(DefinitionRequest.type, {
    textDocument: { uri },
    position: positionOf(text, 'See', 1),
  });
  assert.equal(none, null);
});

test('document links: every mention links to the document line of its function', async () => {
  const uri = 'file:///notes/links.md';
  const text = 'First qemu_coroutine_yield, then aio_co_wake二, then qemu_coroutine_yield again. Not aio_poll_x.\n';
  server().open(uri, 'markdown', text);
  const links = (await server().conn.sendRequest(DocumentLinkRequest.type, {
    textDocument: { uri },
  })) as DocumentLink[];
  assert.deepEqual(
    links.map((l) => [l.range.start.character, l.range.end.character, l.target]),
    [
      [6, 26, `${DOC_URI}#L${headingLine('qemu_coroutine_yield') + 1}`],
      [33, 44, `${DOC_URI}#L${headingLine('aio_co_wake') + 1}`],
      [52, 72, `${DOC_URI}#L${headingLine('qemu_coroutine_yield') + 1}`],
    ],
  );
  assert.match(links[0].tooltip!, /qemu_coroutine_yield/);
});

test('the I/O path document itself: lenses on headings, no self-links', async () => {
  const text = readFileSync(DOC_PATH, 'utf8');
  server().open(DOC_URI, 'markdown', text);
  const lenses = (await server().conn.sendRequest(CodeLensRequest.type, {
    textDocument: { uri: DOC_URI },
  })) as CodeLens[];
  const h = headingLine('laio_co_submit');
  assert.ok(lenses.some((l) => l.range.start.line === h && l.command!.arguments![0] === 'laio_co_submit'));
  const perLine = new Map<number, number>();
  for (const l of lenses) perLine.set(l.range.start.line, (perLine.get(l.range.start.line) ?? 0) + 1);
  assert.ok([...perLine.values()].every((n) => n === 2));
  const links = (await server().conn.sendRequest(DocumentLinkRequest.type, {
    textDocument: { uri: DOC_URI },
  })) as DocumentLink[];
  assert.ok(links.length > 100);
  assert.ok(!links.some((l) => l.target === `${DOC_URI}#L${l.range.start.line + 1}`), 'no link points at its own line');
});

test('cancellation: a cancelled code lens request on a huge document answers RequestCancelled; the server keeps serving', async () => {
  const uri = 'file:///notes/huge.md';
  const line = 'Some prose about blk_aio_pwritev and qemu_coroutine_yield with filler words here.\n';
  const text = '# blk_aio_pwritev\n' + line.repeat(400_000); // ~33 MB
  server().open(uri, 'markdown', text);
  // the document is in (a hover answers), so the lens request below is cancelled while it runs
  const h0 = await server().conn.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 1, character: 20 },
  });
  assert.match(md(h0), /blk_aio_pwritev/);
  const src = new CancellationTokenSource();
  const p = server().conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } }, src.token);
  setTimeout(() => src.cancel(), 5);
  await assert.rejects(p, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
  // a hover in the same document still works, fast
  const t0 = performance.now();
  const h = await server().conn.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 399_999, character: 20 },
  });
  assert.match(md(h), /blk_aio_pwritev/);
  assert.ok(performance.now() - t0 < 10_000);
  // a request that is already cancelled when it arrives is not computed either
  const src2 = new CancellationTokenSource();
  src2.cancel();
  await assert.rejects(
    server().conn.sendRequest(DocumentLinkRequest.type, { textDocument: { uri } }, src2.token),
    (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled,
  );
  // and an uncancelled request completes, capped
  const lenses = (await server().conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
  assert.equal(lenses.length, 2); // one pair, on the one heading
});

test('large C file, a very long line, binary-looking text and text with no names: no errors, fast', async () => {
  const names = catalog.functions.map((f) => f.name);
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) lines.push(`    ret = ${names[i % names.length]}(s->ctx, req, &qiov); /* ${i} */`);
  const big = lines.join('\n');
  server().open('file:///src/big.c', 'c', big);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    const ln = (i * 499) % 100_000;
    const h = await server().conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///src/big.c' },
      position: { line: ln, character: 12 },
    });
    assert.ok(md(h).includes(`\`${names[ln % names.length]}\``));
  }
  assert.ok(performance.now() - t0 < 20_000, 'hovers on a 100k-line file');

  const long = 'x'.repeat(2_000_000) + ' aio_notify ' + 'y'.repeat(1_000_000);
  server().open('file:///notes/long.txt', 'plaintext', long);
  const h = await server().conn.sendRequest(HoverRequest.type, {
    textDocument: { uri: 'file:///notes/long.txt' },
    position: { line: 0, character: 2_000_003 },
  });
  assert.match(md(h), /aio_notify/);
  assert.equal(
    await server().conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///notes/long.txt' },
      position: { line: 0, character: 1_000_000 },
    }),
    null,
  );
  const ll = (await server().conn.sendRequest(DocumentLinkRequest.type, {
    textDocument: { uri: 'file:///notes/long.txt' },
  })) as DocumentLink[];
  assert.equal(ll.length, 1);

  let bin = '';
  for (let i = 0; i < 200_000; i++) bin += String.fromCharCode((i * 2654435761) % 0xd7ff);
  server().open('file:///notes/bin.txt', 'plaintext', bin);
  await server().conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: 'file:///notes/bin.txt' } });
  await server().conn.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: 'file:///notes/bin.txt' } });
  for (let c = 0; c < 2000; c += 97) {
    await server().conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///notes/bin.txt' },
      position: { line: 0, character: c },
    });
  }

  const prose = 'Nothing to see here, only ordinary words.\n'.repeat(50_000);
  server().open('file:///notes/prose.md', 'markdown', prose);
  assert.deepEqual(
    await server().conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: 'file:///notes/prose.md' } }),
    [],
  );
  assert.deepEqual(
    await server().conn.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: 'file:///notes/prose.md' } }),
    [],
  );
  assert.equal(server().proc.exitCode, null, 'server still running');
});

test('requests for unknown documents and positions past the end answer null', async () => {
  assert.equal(
    await server().conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: 'file:///nope.md' },
      position: { line: 0, character: 0 },
    }),
    null,
  );
  server().open('file:///notes/short.md', 'markdown', 'aio_poll');
  assert.match(
    md(
      await server().conn.sendRequest(HoverRequest.type, {
        textDocument: { uri: 'file:///notes/short.md' },
        position: { line: 9, character: 99 },
      }),
    ),
    /aio_poll/,
  );
});
