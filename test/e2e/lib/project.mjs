// What the end-to-end tests expect, read from the project itself rather than copied into the test:
// command and view ids (common/ids.ts), command titles (package.json), launch configuration
// names (examples/.vscode/launch.json) and the QEMU function catalog (simulator/catalog, bundled on
// the fly with the project's own esbuild), so that renaming a title or rewording a summary does not
// silently turn a check into a check of something else.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileSync, mkdirSync } from 'node:fs';

export async function loadProject(root, scratch) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  // ---- ids.ts: `key: 'value'` pairs of the COMMANDS object and the view id ----
  const ids = readFileSync(join(root, 'common', 'ids.ts'), 'utf8');
  const block = /export const COMMANDS = \{([\s\S]*?)\}/.exec(ids)?.[1] ?? '';
  const commandIds = Object.fromEntries([...block.matchAll(/(\w+):\s*'([^']+)'/g)].map((m) => [m[1], m[2]]));
  const viewId = /export const VIEW_ID = '([^']+)'/.exec(ids)?.[1];
  if (!viewId || !commandIds.showTree) throw new Error('common/ids.ts: VIEW_ID or COMMANDS.showTree not found');

  // ---- package.json: "Category: Title" as the command palette lists it; the view's name ----
  const contributed = (id) => {
    const c = pkg.contributes.commands.find((x) => x.command === id);
    if (!c) throw new Error(`package.json contributes no command ${id}`);
    return c;
  };
  const view = Object.values(pkg.contributes.views)
    .flat()
    .find((v) => v.id === viewId);
  if (!view) throw new Error(`package.json contributes no view ${viewId}`);
  // title: as the command palette lists it ("Category: Title"); shortTitle: as menus show it
  const command = (key) => {
    const id = commandIds[key];
    if (!id) throw new Error(`common/ids.ts: COMMANDS has no ${key}`);
    const c = contributed(id);
    return { id, title: c.category ? `${c.category}: ${c.title}` : c.title, shortTitle: c.title };
  };

  // ---- launch configurations of the example workspace ----
  const launch = JSON.parse(readFileSync(join(root, 'examples', '.vscode', 'launch.json'), 'utf8'));
  const launchNamed = (fragment) => {
    const c = launch.configurations.find((x) => x.name.includes(fragment));
    if (!c) throw new Error(`examples/.vscode/launch.json has no configuration named like "${fragment}"`);
    return c;
  };

  // ---- the catalog, bundled from its TypeScript source ----
  const require = createRequire(join(root, 'package.json'));
  const esbuild = require('esbuild');
  const out = join(scratch, 'catalog.mjs');
  mkdirSync(scratch, { recursive: true });
  const built = await esbuild.build({
    entryPoints: [join(root, 'simulator', 'catalog', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  await esbuild.stop(); // its service process would outlive the driver
  writeFileSync(out, built.outputFiles[0].text);
  const { getCatalog } = await import(pathToFileURL(out).href);
  const catalog = getCatalog();
  const fn = (name) => {
    const f = catalog.byName(name);
    if (!f) throw new Error(`the catalog has no function ${name}`);
    const stage = catalog.stage(f.stage);
    const group = catalog.groups.find((g) => g.id === stage.group);
    return { name, summary: f.summary, stageLabel: stage.label, groupLabel: group.label, group };
  };

  return {
    version: pkg.version,
    extensionId: `${pkg.publisher}.${pkg.name}`,
    viewId,
    viewName: view.name,
    command,
    launchNamed,
    groupLabels: catalog.groups.map((g) => g.label),
    functionsOfGroup: (groupId) =>
      catalog.functions.filter((f) => catalog.stage(f.stage)?.group === groupId).map((f) => f.name),
    fn,
    /** A function of another catalog version (a replay reads 7.2 or 10.0 names): its group's label, or undefined. */
    functionIn: (version, name) => {
      const c = getCatalog(version);
      const f = c.byName(name);
      const group = f && c.groups.find((g) => g.id === c.stage(f.stage)?.group);
      return f ? { name, groupLabel: group?.label } : undefined;
    },
  };
}
