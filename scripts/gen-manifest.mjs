// Writes the generated parts of package.json:
//   the `qemu-io` debugger's configurationAttributes.launch/attach ← launchSchema()/attachSchema() of
//                                     server/debug/launch-config.ts (the launch configuration is typed once, there)
//   its initialConfigurations, configurationSnippets ← extension/scenarios.ts
//   contributes.configuration, capabilities.untrustedWorkspaces.restrictedConfigurations
//                                   ← common/settings.ts (the settings are typed once, there)
// Never edit those by hand; `npm run build` runs this first. With --check it changes nothing and
// exits 1 when package.json is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTs, root } from './lib/load-ts.mjs';

const check = process.argv.includes('--check');

const exports = await loadTs(
  [
    "export { attachSchema, launchSchema } from './server/debug/launch-config';",
    "export { configurationSnippets, initialConfigurations } from './extension/scenarios';",
    "export { DEBUG_TYPE } from './common/ids';",
    "export { configurationContribution, restrictedConfigurations } from './common/settings';",
  ].join('\n'),
  'gen-manifest-entry',
);
const {
  attachSchema,
  launchSchema,
  configurationSnippets,
  initialConfigurations,
  DEBUG_TYPE,
  configurationContribution,
  restrictedConfigurations,
} = exports;

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
