// Bundled on its own (dist/extension-debugSession.js by scripts/build.mjs) and loaded when
// the first inline debug session starts: the debug adapter and the whole simulator.
export { QemuIoDebugSession } from '../../server/debug/session';
