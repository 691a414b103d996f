// Type-only shim, like server/language/lsp-modules.d.ts: vscode-languageclient 11 publishes
// 'vscode-languageclient/node' only through package.json "exports", which the project's tsconfig
// (moduleResolution "node") does not read. esbuild reads "exports" and needs no help.
declare module 'vscode-languageclient/node' { export * from 'vscode-languageclient/lib/node/main'; }
