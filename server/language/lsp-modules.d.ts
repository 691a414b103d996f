// Type-only shim. The vscode-languageserver 11 / vscode-languageserver-protocol 3.18 / vscode-jsonrpc 10
// packages publish their entry points only through package.json "exports", which the project's
// tsconfig ("moduleResolution": "node", i.e. node10) does not read, so `tsc` cannot find them
// (esbuild, which bundles the code, reads "exports" and needs no help). These ambient declarations
// point each public entry point at the file "exports" names for it. They change no runtime
// behaviour and become redundant once tsconfig uses "moduleResolution": "bundler" or "node16".
declare module 'vscode-jsonrpc' { export * from 'vscode-jsonrpc/lib/common/api'; }
declare module 'vscode-jsonrpc/node' { export * from 'vscode-jsonrpc/lib/node/main'; }
declare module 'vscode-languageserver-protocol' { export * from 'vscode-languageserver-protocol/lib/common/api'; }
declare module 'vscode-languageserver-protocol/node' { export * from 'vscode-languageserver-protocol/lib/node/main'; }
declare module 'vscode-languageserver' { export * from 'vscode-languageserver/lib/common/api'; }
declare module 'vscode-languageserver/node' { export * from 'vscode-languageserver/lib/node/main'; }
