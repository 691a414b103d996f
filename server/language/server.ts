// Wires the language features to an LSP connection: document sync, hover, definition, code lenses,
// document links, settings and file watching. Transport selection lives in main.ts.
//
// Start-up: the initialize response needs nothing but static capabilities, so the catalog and the
// indexes ("the core") are built lazily — at the `initialized` notification, or by the first request
// that needs them — which keeps the time until the client has a connection low.

import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Disposable,
  type Hover,
  type InitializeResult,
  type Location,
  type LocationLink,
  type MarkupKind,
  type Position,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SETTINGS_SECTION } from '../../common/settings';
import type { Catalog } from '../../simulator/catalog';
import { Definitions, type Target } from './definition';
import { DocIndex } from './docIndex';
import { DocumentScanner } from './documentScan';
import type { EventHover } from './eventHover';
import { HoverProvider } from './hover';
import { identifierAt } from '../../common/identifiers';
import { lensesFor, linksFor, planLenses } from './links';
import { INVALID_NOTIFICATION, INVALID_REQUEST, type Invalid } from './params';
import { QemuSourceIndex } from './qemuSource';
import { DEFAULT_SETTINGS, mergeSettings, normalisePath, settingsEqual, type Settings } from './settings';
import { TraceLogs, type TraceLog } from './traceLog';
import { replayLenses } from './links';

export interface ServerOptions {
  /** Directory of the server bundle; the default document is `<bundleDir>/../docs/qemu-io-path.md`. */
  readonly bundleDir: string;
  /** QEMU version whose catalog to serve (default 4.1.0). */
  readonly version?: string;
}

const DEFAULT_DOCUMENT_RELATIVE = '../docs/qemu-io-path.md';

interface Core {
  readonly catalog: Catalog;
  readonly functionNames: ReadonlySet<string>;
  readonly traceNames: ReadonlySet<string>;
  readonly maxNameLength: number;
  readonly qemu: QemuSourceIndex;
  readonly doc: DocIndex;
  readonly defs: Definitions;
  readonly hover: HoverProvider;
  readonly events: EventHover;
  readonly scanner: DocumentScanner;
  readonly traceLogs: TraceLogs;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const documents = new TextDocuments(TextDocument);
  const reported = new Set<string>();
  let initialized = false;
  const pendingReports: string[] = [];
  // window/showMessage (a notification), not showWarningMessage, which sends showMessageRequest.
  const warn = (message: string): void => {
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  };
  const report = (key: string, message: string): void => {
    if (reported.has(key)) return;
    reported.add(key);
    if (initialized) warn(message);
    else pendingReports.push(message);
  };
  const log = (m: string): void => connection.console.log(m);

  let settings: Settings = DEFAULT_SETTINGS;
  let initSettings: Settings = DEFAULT_SETTINGS;
  let workspaceFolder: string | undefined;
  let caps: ClientCapabilities = {};
  let hoverFormat: MarkupKind = 'markdown';
  let watcher: Promise<Disposable> | undefined;
  let watchedRoot: string | null = null;

  let core: Core | undefined;
  function getCore(): Core {
    if (core) return core;
    // Loaded here rather than at the top so its data is evaluated after initialize is answered.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const catalogs = require('../../simulator/catalog') as typeof import('../../simulator/catalog');
    const catalog = catalogs.getCatalog(options.version ?? '4.1.0');
    const functionNames: ReadonlySet<string> = new Set(catalog.functions.map((f) => f.name));
    // events of every version: a later release's event gets its hover in any document too
    const lifetimes = catalogs.eventLifetimes();
    const traceNames: ReadonlySet<string> = new Set([
      ...catalog.data.traceEvents.map((t) => t.name),
      ...lifetimes.keys(),
    ]);
    let maxNameLength = 0;
    for (const n of functionNames) maxNameLength = Math.max(maxNameLength, n.length);
    for (const n of traceNames) maxNameLength = Math.max(maxNameLength, n.length);
    // eslint-disable-next-line prefer-const -- invalidate() closes over it before it is built
    let hover: HoverProvider | undefined;
    const invalidate = (): void => hover?.invalidate();
    const qemu = new QemuSourceIndex({
      names: functionNames,
      expectedFiles: (name) => catalog.allNamed(name).flatMap((f) => (f.origin === 'qemu' && f.file ? [f.file] : [])),
      report,
      onDidChange: invalidate,
      log,
    });
    const doc = new DocIndex(functionNames, report, invalidate);
    const defs = new Definitions(catalog, qemu, doc);
    hover = new HoverProvider(catalog, defs, catalogs, catalogs.pathChanges);
    core = {
      catalog,
      functionNames,
      traceNames,
      maxNameLength,
      qemu,
      doc,
      defs,
      hover,
      events: hover.events,
      scanner: new DocumentScanner(functionNames),
      traceLogs: new TraceLogs({ isKnownEvent: (n) => lifetimes.has(n), detect: catalogs.detectQemuVersion }),
    };
    applyToCore(core);
    return core;
  }

  /** Points the indexes at the current settings. */
  function applyToCore(c: Core): void {
    c.qemu.setRoot(settings.qemuSource);
    c.doc.setPath(settings.document ?? resolve(options.bundleDir, DEFAULT_DOCUMENT_RELATIVE));
  }

  /** `s` with its paths made absolute against the workspace folder. */
  function normalised(s: Settings): Settings {
    return {
      ...s,
      qemuSource: normalisePath(s.qemuSource, workspaceFolder),
      document: normalisePath(s.document, workspaceFolder),
    };
  }

  function applySettings(next: Settings): void {
    const n = normalised(next);
    const changed = !settingsEqual(n, settings);
    settings = n;
    const c = getCore();
    applyToCore(c);
    if (changed) c.hover.invalidate();
    if (initialized) updateWatcher();
  }

  function updateWatcher(): void {
    const root = settings.qemuSource;
    if (root === watchedRoot) return;
    watchedRoot = root;
    const old = watcher;
    watcher = undefined;
    void old?.then(
      (d) => d.dispose(),
      () => undefined,
    );
    const ws = caps.workspace?.didChangeWatchedFiles;
    if (!root || !ws?.dynamicRegistration) return;
    const globPattern = ws.relativePatternSupport
      ? { baseUri: pathToFileURL(root).href, pattern: '**/*.{c,h}' }
      : `${root.replace(/\\/g, '/')}/**/*.{c,h}`;
    const w = connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern }] });
    w.catch(() => undefined);
    watcher = w;
  }

  async function pullConfiguration(): Promise<void> {
    if (!caps.workspace?.configuration) return;
    try {
      const [raw] = await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }]);
      applySettings(mergeSettings(initSettings, raw));
    } catch (e) {
      log(`workspace/configuration failed: ${(e as Error).message}`);
    }
  }

  connection.onInitialize((params): InitializeResult => {
    caps = params.capabilities ?? {};
    const formats = caps.textDocument?.hover?.contentFormat;
    hoverFormat =
      !Array.isArray(formats) || formats.length === 0 || formats.includes('markdown') ? 'markdown' : 'plaintext';
    const folder = Array.isArray(params.workspaceFolders)
      ? (params.workspaceFolders[0] as { uri?: unknown })?.uri
      : undefined;
    const folderUri = typeof folder === 'string' ? folder : (params.rootUri ?? undefined);
    workspaceFolder = (folderUri && filePath(folderUri)) ?? params.rootPath ?? undefined;
    initSettings = mergeSettings(DEFAULT_SETTINGS, params.initializationOptions);
    settings = normalised(initSettings);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        codeLensProvider: { resolveProvider: false },
        documentLinkProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'qemu-io-explorer-language-server', version: options.version ?? '4.1.0' },
    };
  });

  connection.onInitialized(() => {
    initialized = true;
    for (const m of pendingReports.splice(0)) warn(m);
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION })
        .catch(() => undefined);
    }
    getCore();
    updateWatcher();
    void pullConfiguration();
  });

  connection.onDidChangeConfiguration((change) => {
    if (caps.workspace?.configuration) void pullConfiguration();
    else {
      const raw = (change.settings as Record<string, unknown> | null) ?? {};
      applySettings(mergeSettings(settings, raw));
    }
  });

  connection.onDidChangeWatchedFiles((params) => {
    const changes = params.changes.flatMap((c) => {
      const path = filePath(c.uri);
      return path ? [{ path, deleted: c.type === FileChangeType.Deleted }] : [];
    });
    void getCore().qemu.filesChanged(changes);
  });

  documents.onDidClose((e) => {
    core?.scanner.forget(e.document.uri);
    core?.traceLogs.forget(e.document.uri);
  });

  /** The document's trace log (null: not one; undefined: cancelled). */
  function traceLog(c: Core, d: TextDocument, token: CancellationToken): Promise<TraceLog | null | undefined> {
    return c.traceLogs.analyse(d.uri, d.version, d.languageId, d.getText(), () => token.isCancellationRequested);
  }

  /** Hover on the event name of a trace log's line: read as the version the log's events fit. */
  function traceHover(c: Core, d: TextDocument, log: TraceLog, position: Position): Hover | null {
    if (position.line >= d.lineCount) return null;
    const text = d.getText();
    const lineStart = d.offsetAt({ line: position.line, character: 0 });
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const hit = c.traceLogs.eventAt(text, lineStart, lineEnd, d.offsetAt(position) - lineStart);
    if (!hit) return null;
    const md = c.events.markdown(hit.name, { version: log.detection.catalog, detection: log.detection });
    if (md === undefined) return null;
    return {
      contents: { kind: hoverFormat, value: hoverFormat === 'markdown' ? md : markdownToPlain(md) },
      range: { start: d.positionAt(hit.nameStart), end: d.positionAt(hit.nameEnd) },
    };
  }

  /** The catalog name under the cursor, with its range. */
  function nameAt(
    c: Core,
    uri: string,
    position: Position,
  ): { name: string; doc: TextDocument; start: number; end: number } | undefined {
    const d = documents.get(uri);
    if (!d) return undefined;
    const text = d.getText();
    const span = identifierAt(text, d.offsetAt(position), c.maxNameLength);
    if (!span) return undefined;
    const name = text.slice(span.start, span.end);
    if (!c.functionNames.has(name) && !c.traceNames.has(name)) return undefined;
    return { name, doc: d, start: span.start, end: span.end };
  }

  const cancelled = (): ResponseError<void> => new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');

  connection.onHover(async (params, token): Promise<Hover | null | ResponseError<void>> => {
    if (token.isCancellationRequested) return cancelled();
    const c = getCore();
    await c.doc.ready();
    const d = documents.get(params.textDocument.uri);
    if (d) {
      const log = await traceLog(c, d, token);
      if (log === undefined) return cancelled();
      const h = log && traceHover(c, d, log, params.position);
      if (h) return h;
    }
    const hit = nameAt(c, params.textDocument.uri, params.position);
    if (!hit) return null;
    const md = c.hover.markdown(hit.name);
    if (md === undefined) return null;
    return {
      contents: { kind: hoverFormat, value: hoverFormat === 'markdown' ? md : markdownToPlain(md) },
      range: { start: hit.doc.positionAt(hit.start), end: hit.doc.positionAt(hit.end) },
    };
  });

  connection.onDefinition(async (params, token): Promise<Location[] | LocationLink[] | null | ResponseError<void>> => {
    if (token.isCancellationRequested) return cancelled();
    const c = getCore();
    const hit = nameAt(c, params.textDocument.uri, params.position);
    if (!hit || !c.functionNames.has(hit.name)) return null;
    const targets = await c.defs.locate(hit.name, () => token.isCancellationRequested);
    if (token.isCancellationRequested) return cancelled();
    if (targets.length === 0) return null;
    const range = (t: Target) => ({
      start: { line: t.line, character: t.character },
      end: { line: t.line, character: t.character + t.length },
    });
    if (caps.textDocument?.definition?.linkSupport) {
      const origin = { start: hit.doc.positionAt(hit.start), end: hit.doc.positionAt(hit.end) };
      return targets.map((t) => ({
        originSelectionRange: origin,
        targetUri: t.uri,
        targetRange: range(t),
        targetSelectionRange: range(t),
      }));
    }
    return targets.map((t) => ({ uri: t.uri, range: range(t) }));
  });

  /** null: not a document we decorate; undefined: cancelled. */
  async function analyse(c: Core, uri: string, token: CancellationToken) {
    const d = documents.get(uri);
    if (!d || !settings.linkLanguages.includes(d.languageId)) return null;
    const a = await c.scanner.analyse(uri, d.version, d.getText(), () => token.isCancellationRequested);
    return a ?? undefined;
  }

  connection.onCodeLens(async (params, token) => {
    if (token.isCancellationRequested) return cancelled();
    if (!settings.codeLens) return [];
    const c = getCore();
    const d = documents.get(params.textDocument.uri);
    const log = d ? await traceLog(c, d, token) : null;
    if (log === undefined || token.isCancellationRequested) return cancelled();
    if (log) return replayLenses(d!.uri, log.starts);
    const a = await analyse(c, params.textDocument.uri, token);
    if (a === undefined || token.isCancellationRequested) return cancelled();
    if (a === null) return [];
    return lensesFor(planLenses(a, settings.codeLensMentions));
  });

  connection.onDocumentLinks(async (params, token) => {
    if (token.isCancellationRequested) return cancelled();
    if (!settings.documentLinks) return [];
    const c = getCore();
    await c.doc.ready();
    // a trace log names the same few events thousands of times: hover explains them, links would be noise
    const d = documents.get(params.textDocument.uri);
    const log = d ? await traceLog(c, d, token) : null;
    if (log === undefined || token.isCancellationRequested) return cancelled();
    if (log) return [];
    const a = await analyse(c, params.textDocument.uri, token);
    if (a === undefined || token.isCancellationRequested) return cancelled();
    if (a === null) return [];
    return linksFor(
      a,
      canonicalUri(params.textDocument.uri),
      (n) => c.defs.targetNow(n),
      (n) => tooltipFor(c, n),
    );
  });

  function tooltipFor(c: Core, name: string): string {
    const f = c.catalog.byName(name);
    const stage = f ? c.catalog.stage(f.stage) : undefined;
    const where =
      c.qemu.usable && f?.origin === 'qemu'
        ? 'its definition in the QEMU checkout'
        : 'its entry in the I/O path document';
    return `${name}${stage ? ` (${stage.label})` : ''}: open ${where}`;
  }

  // messages whose params did not fit (params.ts): answered or logged, naming the field
  connection.onRequest(INVALID_REQUEST, (p: Invalid) => new ResponseError(ErrorCodes.InvalidParams, p.problem));
  connection.onNotification(INVALID_NOTIFICATION, (p: Invalid) => connection.console.warn(`ignored ${p.problem}`));

  documents.listen(connection);
  connection.listen();
}

/** The path of a file: URI, or undefined (another scheme, or a file URI this system cannot name). */
function filePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** file: URIs re-encoded the way pathToFileURL writes them, so link targets compare equal. */
function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return pathToFileURL(fileURLToPath(uri)).href;
  } catch {
    return uri;
  }
}

/** Rough Markdown → plain text for clients that only render plain hovers. */
function markdownToPlain(md: string): string {
  return md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\([\\`*[\]<>|#])/g, '$1')
    .replace(/\*\*|`/g, '')
    .replace(/(^|\s)\*([^*]+)\*/g, '$1$2')
    .replace(/\n---\n/g, '\n————\n');
}
