// Writes the generated parts of package.json:
//   the `qemu-io` debugger's configurationAttributes.launch/attach ← launchSchema()/attachSchema() of
//                                     server/debug/launch-config.ts (the launch configuration is typed once, there)
//   its initialConfigurations, configurationSnippets ← extension/scenarios.ts
//   contributes.configuration, capabilities.untrustedWorkspaces.restrictedConfigurations
//                                   ← common/settings.ts (the settings are typed once, there)
// Never edit those by hand; `npm run build` runs this first. With --check it changes nothing and
// exits 1 when package.json is out of date.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');

const bundle = await build({
  stdin: {
    contents: [
      "export { attachSchema, launchSchema } from './server/debug/launch-config';",
      "export { configurationSnippets, initialConfigurations } from './extension/scenarios';",
      "export { DEBUG_TYPE } from './common/ids';",
      "export { configurationContribution, restrictedConfigurations } from './common/settings';",
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'gen-manifest-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  logLevel: 'warning',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', '__filename', '__dirname', bundle.outputFiles[0].text)(
  mod,
  mod.exports,
  createRequire(join(root, 'package.json')),
  join(root, 'gen-manifest-entry.js'),
  root,
);
const {
  attachSchema,
  launchSchema,
  configurationSnippets,
  initialConfigurations,
  DEBUG_TYPE,
  configurationContribution,
  restrictedConfigurations,
} = mod.exports;

const file = join(root, 'package.json');
const before = readFileSync(file, 'utf8');
const pkg = JSON.parse(before);
const dbg = pkg.contributes?.debuggers?.find((d) => d.type === DEBUG_TYPE);
if (!dbg) {
  console.error(`gen-manifest: package.json has no contributes.debuggers entry of type "${DEBUG_TYPE}"`);
  process.exit(1);
}
dbg.configurationAttributes = { launch: launchSchema(), attach: attachSchema() };
dbg.initialConfigurations = initialConfigurations();
dbg.configurationSnippets = configurationSnippets();
pkg.contributes.configuration = configurationContribution();
pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedConfigurations();
const after = JSON.stringify(pkg, null, 2) + '\n';

if (after === before) process.exit(0);
if (check) {
  console.error("gen-manifest: package.json's generated parts are out of date; run `npm run build`");
  process.exit(1);
}
writeFileSync(file, after);
console.log('gen-manifest: updated the generated parts of package.json');
