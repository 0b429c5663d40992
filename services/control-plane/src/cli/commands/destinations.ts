import type { Command } from 'commander';
import type { Destination } from '@manifold/proto';
import { parseAssignments, printDone, printRecord, printTable, type Io } from '../output';
import { CliError } from '../connection';
import type { Runner } from '../program';
import { deliveryCommands, warehouseSyncCommands } from './delivery';
import { collect, pageRequest, type ListOptions } from './list-options';
import { mappingCommands } from './mappings';
import { destinationTestCommand } from './destination-test';

const row = (d: Destination) => ({
  id: d.id,
  name: d.name,
  status: d.enabled ? 'enabled' : 'disabled',
  enabled: d.enabled,
  type: d.type,
  catalog_id: d.catalogId,
  category: d.categories,
  sources: d.sourceNames,
  ...(d.warehouse ? { sync_interval_seconds: d.syncIntervalSeconds } : {}),
  // Types that connect with OAuth: not_connected, connected, or reconnect_needed with the provider's reason.
  ...(d.oauth
    ? { connection: d.oauth.state, ...(d.oauth.problem ? { connection_problem: d.oauth.problem } : {}) }
    : {}),
  settings: d.settings ?? {},
  created_at: d.createdAt ?? null,
  created_by: d.createdBy,
});

interface CreateOptions {
  set?: string[];
  settings?: string;
  source?: string[];
  disabled?: boolean;
}

function settingsFrom(o: { set?: string[]; settings?: string }): Record<string, unknown> {
  return { ...parseSettingsJson(o.settings), ...parseAssignments(o.set ?? []) };
}

/** `--settings` as an object. The error never quotes the text: it may hold secrets. */
function parseSettingsJson(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('--settings is not valid JSON (expected an object such as {"key": "value"})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('--settings must be a JSON object such as {"key": "value"}');
  }
  return parsed as Record<string, unknown>;
}

/** `destinations` and `warehouses` share everything but the catalog filter and the interval. */
function resourceCommands(program: Command, run: Runner, io: Io, kind: 'destinations' | 'warehouses'): void {
  const warehouse = kind === 'warehouses';
  const cmd = program.command(kind).alias(warehouse ? 'warehouse' : 'destination');
  cmd.description(
    warehouse
      ? 'warehouses: destinations loaded in bulk on an interval'
      : 'create, list, update and delete destinations',
  );
  const create = cmd
    .command('create <workspace> <name>')
    .requiredOption(
      warehouse ? '--kind <id>' : '--catalog <id>',
      warehouse ? 'postgres or duckdb' : 'catalog entry id, e.g. mixpanel',
    )
    .option('--set <key=value>', 'a setting (repeatable)', collect)
    .option('--settings <json>', 'settings as a JSON object')
    .option('--source <source>', 'connect a source (repeatable)', collect)
    .option('--disabled', 'create it disabled');
  if (warehouse) create.option('--interval <seconds>', 'sync interval', '3600');
  create.action(
    (workspace: string, name: string, o: CreateOptions & { catalog?: string; kind?: string; interval?: string }) =>
      run(async (c, g) => {
        const d = await c.destinations.createDestination({
          workspace,
          name,
          catalogId: o.catalog ?? o.kind ?? '',
          settings: settingsFrom(o),
          sources: o.source ?? [],
          enabled: !o.disabled,
          syncIntervalSeconds: o.interval ? Number(o.interval) : 0,
        });
        printRecord(io, row(d), g.json);
      }),
  );
  cmd
    .command('list <workspace>')
    .option('--sort <field[:desc]>', 'sort by status, created_at, type, sources, category, name', collect)
    .option('--filter <field=v1,v2>', 'keep rows whose field is one of the values', collect)
    .action((workspace: string, o: ListOptions) =>
      run(async (c, g) => {
        const page = pageRequest(o);
        if (warehouse) page.filters.push({ field: 'warehouse', values: ['warehouse'] });
        const r = await c.destinations.listDestinations({ workspace, page });
        printTable(io, r.destinations.map(row), ['name', 'status', 'type', 'category', 'sources', 'id'], g.json);
      }),
    );
  cmd
    .command('get <workspace> <name>')
    .action((workspace: string, destination: string) =>
      run(async (c, g) =>
        printRecord(io, row(await c.destinations.getDestination({ workspace, destination })), g.json),
      ),
    );
  const update = cmd
    .command('update <workspace> <name>')
    .option('--rename <name>')
    .option('--set <key=value>', 'change a setting (repeatable); key=null removes it', collect)
    .option('--settings <json>', 'settings to merge, as a JSON object')
    .option('--enable')
    .option('--disable')
    .option('--reason <why>', 'recorded with a status change', '');
  if (warehouse) update.option('--interval <seconds>', 'sync interval');
  update.action(
    (
      workspace: string,
      destination: string,
      o: {
        rename?: string;
        set?: string[];
        settings?: string;
        enable?: boolean;
        disable?: boolean;
        reason: string;
        interval?: string;
      },
    ) =>
      run(async (c, g) => {
        const settings = o.set || o.settings ? settingsFrom(o) : undefined;
        const d = await c.destinations.updateDestination({
          workspace,
          destination,
          name: o.rename,
          settings,
          enabled: o.enable ? true : o.disable ? false : undefined,
          syncIntervalSeconds: o.interval ? Number(o.interval) : undefined,
          reason: o.reason,
        });
        printRecord(io, row(d), g.json);
      }),
  );
  cmd.command('delete <workspace> <name>').action((workspace: string, destination: string) =>
    run(async (c, g) => {
      await c.destinations.deleteDestination({ workspace, destination });
      const what = warehouse ? 'warehouse' : 'destination';
      printDone(io, `deleted ${what} ${destination}`, { deleted: what, workspace, name: destination }, g.json);
    }),
  );
  for (const [verb, connect] of [
    ['connect', true],
    ['disconnect', false],
  ] as const) {
    cmd
      .command(`${verb} <workspace> <source> <name>`)
      .action((workspace: string, source: string, destination: string) =>
        run(async (c, g) => {
          const request = { workspace, source, destination };
          const d = connect
            ? await c.destinations.connectSource(request)
            : await c.destinations.disconnectSource(request);
          printDone(io, `${destination} sources: ${d.sourceNames.join(', ') || '(none)'}`, row(d), g.json);
        }),
      );
  }
  if (warehouse) {
    warehouseSyncCommands(cmd, run, io);
  } else {
    cmd
      .command('stats <workspace> <name>')
      .description('delivery stats, last 24 hours')
      .action((workspace: string, destination: string) =>
        run(async (c, g) =>
          printRecord(io, { ...(await c.destinations.getDeliveryStats({ workspace, destination })) }, g.json),
        ),
      );
    deliveryCommands(cmd, run, io);
    mappingCommands(cmd, run, io);
    destinationTestCommand(cmd, run, io);
  }
}

export function destinationCommands(program: Command, run: Runner, io: Io): void {
  resourceCommands(program, run, io, 'destinations');
  resourceCommands(program, run, io, 'warehouses');
}
