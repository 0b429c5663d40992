import type { Command } from 'commander';
import type { Source, WriteKey } from '@manifold/proto';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { collect, pageRequest, type ListOptions } from './list-options';

const row = (s: Source) => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  status: s.enabled ? 'enabled' : 'disabled',
  enabled: s.enabled,
  environment: s.environment,
  type: s.type,
  category: s.category,
  destinations: s.destinationNames,
  write_key: s.writeKeys[0]?.key ?? null,
  write_keys: s.writeKeys.map(writeKey),
  auto_disable_exempt: s.autoDisableExempt,
  created_at: s.createdAt ?? null,
  created_by: s.createdBy,
});

const writeKey = (k: WriteKey) => ({ key: k.key, created_at: k.createdAt ?? null, expires_at: k.expiresAt ?? null });

export function sourceCommands(program: Command, run: Runner, io: Io): void {
  const src = program.command('sources').alias('source').description('create, list, update and delete sources');
  src
    .command('create <workspace> <slug>')
    .description('create a source and print its write key')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--type <type>', 'javascript, node, python, go, ios, android, http, ...')
    .requiredOption('--category <category>', 'website, server, mobile, cloud app, warehouse')
    .option('--env <environment>', 'environment label', 'prod')
    .action((workspace: string, slug: string, o: { name: string; type: string; category: string; env: string }) =>
      run(async (c, g) => {
        const s = await c.sources.createSource({
          workspace,
          slug,
          name: o.name,
          type: o.type,
          category: o.category,
          environment: o.env,
        });
        printRecord(io, row(s), g.json);
      }),
    );
  src
    .command('list <workspace>')
    .option(
      '--sort <field[:desc]>',
      'sort by status, environment, destinations, type, category, created_at, created_by, name',
      collect,
    )
    .option('--filter <field=v1,v2>', 'keep rows whose field is one of the values', collect)
    .action((workspace: string, o: ListOptions) =>
      run(async (c, g) => {
        const r = await c.sources.listSources({ workspace, page: pageRequest(o) });
        printTable(
          io,
          r.sources.map(row),
          ['slug', 'name', 'status', 'environment', 'type', 'category', 'destinations', 'write_key'],
          g.json,
        );
      }),
    );
  src
    .command('get <workspace> <source>')
    .action((workspace: string, source: string) =>
      run(async (c, g) => printRecord(io, row(await c.sources.getSource({ workspace, source })), g.json)),
    );
  src
    .command('update <workspace> <source>')
    .option('--name <name>')
    .option('--slug <slug>')
    .option('--env <environment>')
    .option('--category <category>')
    .option('--enable')
    .option('--disable')
    .option('--reason <why>', 'recorded with a status change', '')
    .action(
      (
        workspace: string,
        source: string,
        o: {
          name?: string;
          slug?: string;
          env?: string;
          category?: string;
          enable?: boolean;
          disable?: boolean;
          reason: string;
        },
      ) =>
        run(async (c, g) => {
          const enabled = o.enable ? true : o.disable ? false : undefined;
          const s = await c.sources.updateSource({
            workspace,
            source,
            name: o.name,
            slug: o.slug,
            environment: o.env,
            category: o.category,
            enabled,
            reason: o.reason,
          });
          printRecord(io, row(s), g.json);
        }),
    );
  src
    .command('rotate-key <workspace> <source>')
    .description('issue a new write key; the old one keeps working for the grace period')
    .option('--grace <seconds>', 'seconds the old key keeps working (0 = 24 h, -1 = none)', '0')
    .action((workspace: string, source: string, o: { grace: string }) =>
      run(async (c, g) => {
        const s = await c.sources.rotateWriteKey({ workspace, source, gracePeriodSeconds: Number(o.grace) });
        printTable(
          io,
          s.writeKeys.map(writeKey),
          ['key', { name: 'expires_at', cell: (k) => k.expires_at ?? 'never' }],
          g.json,
        );
      }),
    );
  src.command('delete <workspace> <source>').action((workspace: string, source: string) =>
    run(async (c, g) => {
      await c.sources.deleteSource({ workspace, source });
      printDone(io, `deleted source ${source}`, { deleted: 'source', workspace, source }, g.json);
    }),
  );
}
