// Bundled on its own (dist/extension-languageClient.js by scripts/build-extension.mjs) and loaded
// after activation: the language client library is most of the extension's code.
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
