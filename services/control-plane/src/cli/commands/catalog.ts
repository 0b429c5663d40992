import type { Command } from 'commander';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';

export function catalogCommands(program: Command, run: Runner, io: Io): void {
  const catalog = program.command('catalog').description('destination types you can add');
  catalog
    .command('list')
    .option('--search <text>', 'match name, id or description')
    .option('--category <category>')
    .action((o: { search?: string; category?: string }) =>
      run(async (c, g) => {
        const r = await c.catalog.listCatalog({ search: o.search ?? '', category: o.category ?? '' });
        printTable(
          io,
          r.entries.map((e) => ({ id: e.id, name: e.name, categories: e.categories, calls: e.supportedCallTypes })),
          ['id', 'name', 'categories', 'calls'],
          g.json,
        );
      }),
    );
  catalog
    .command('get <id>')
    .action((id: string) =>
      run(async (c, g) => printRecord(io, { ...(await c.catalog.getCatalogEntry({ id })) }, g.json)),
    );
  catalog
    .command('request <workspace> <name>')
    .description('ask for an integration Manifold does not have yet')
    .option('--website <url>', '', '')
    .option('--use-case <text>', '', '')
    .action((workspace: string, name: string, o: { website: string; useCase: string }) =>
      run(async (c, g) => {
        const request = await c.catalog.createIntegrationRequest({
          workspace,
          name,
          website: o.website,
          useCase: o.useCase,
        });
        printDone(io, `requested ${name}`, request, g.json);
      }),
    );
}
