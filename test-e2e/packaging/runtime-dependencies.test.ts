// Every package a service or library imports at run time must be among its `dependencies`:
// images install production dependencies only (deploy/docker), so a package reachable in the
// workspace only as a devDependency works in every test and then fails the container at start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
/** Folders of test and benchmark code, which never ship. */
const NOT_SHIPPED = new Set(['node_modules', 'dist', 'testing', 'test-support', 'bench', 'web']);
/** Libraries that only tests use: they are no service's runtime dependency. */
const TEST_ONLY = new Set(['@manifold/emulators', '@manifold/testing']);

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!NOT_SHIPPED.has(entry.name)) files.push(...sourceFiles(path));
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/** Packages a file loads when it runs (type-only imports are erased). */
function runtimeImports(source: string): string[] {
  const names: string[] = [];
  const statements = /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'|require\('([^']+)'\)/g;
  for (const match of source.matchAll(statements)) {
    const specifier = match[1] ?? match[2] ?? '';
    if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    if (!builtinModules.includes(name)) names.push(name);
  }
  return names;
}

const packages = ['services', 'libs'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name))
    .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))),
);

it.each(packages.map((dir) => [relative(root, dir), dir]))('%s declares what it imports at run time', (_name, dir) => {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  if (TEST_ONLY.has(manifest.name)) return;
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const missing = sourceFiles(join(dir, 'src')).flatMap((file) =>
    runtimeImports(readFileSync(file, 'utf8'))
      .filter((name) => !declared.has(name))
      .map((name) => `${name} (${relative(dir, file)})`),
  );
  expect(missing).toEqual([]);
});
