// Bundled on its own (dist/extension-languageClient.js by scripts/build.mjs) and loaded
// after activation: the language client library is most of the extension's code.
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
