// kafkajs must run this package's modules, not its own: the pnpm patch on kafkajs points each of
// its modules at the one here (pnpm-workspace.yaml). A kafkajs reinstalled without the patch, or a
// module added here without its line in the patch, fails this test.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { requireFromKafkajs } from './kafkajs-modules';

function modulesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modulesOf(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

describe('kafkajs loads @manifold/kafkajs-protocol', () => {
  const requireHere = createRequire(__filename);
  const modules = modulesOf(__dirname).map((file) => path.relative(__dirname, file).replace(/\.js$/, ''));

  it('has the protocol modules', () => {
    expect(modules.length).toBeGreaterThan(0);
  });

  it.each(modules)('kafkajs/src/%s is this package’s module', (module) => {
    expect(requireFromKafkajs(`./src/${module}`)).toBe(requireHere(`./${module}`));
  });
});
