import type { Command } from 'commander';
import type { ReverseEtlConnection, ReverseEtlModel, ReverseEtlRun } from '@manifold/proto';
import { CliError } from '../connection';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { readDocument } from '../read-document';
import { parseRate } from './run-options';

const modelRow = (m: ReverseEtlModel) => ({
  id: m.id,
  name: m.name,
  warehouse_id: m.warehouseId,
  identifier_column: m.identifierColumn,
  schedule: m.schedule?.cron
    ? `cron ${m.schedule.cron}`
    : m.schedule?.intervalSeconds
      ? `every ${m.schedule.intervalSeconds}s`
      : 'manual',
  enabled: m.enabled,
  start_from_now: m.startFromNow,
  run_requested_at: m.runRequestedAt ?? null,
  created_by: m.createdBy,
  sql: m.sql,
});

const connectionRow = (c: ReverseEtlConnection) => ({
  id: c.id,
  destination_id: c.destinationId,
  change_kinds: c.changeKinds.join(','),
  action: c.action,
  rows_per_second: c.rowsPerSecond,
  enabled: c.enabled,
  mapping_id: c.mappingId,
  fields: c.fields ?? {},
});

const runRow = (r: ReverseEtlRun) => ({
  id: r.id,
  trigger: r.trigger,
  status: r.status,
  phase: r.phase,
  started_at: r.startedAt ?? null,
  duration_ms: r.durationMs,
  added: `${r.published?.added ?? 0}/${r.counts?.added ?? 0}`,
  updated: `${r.published?.updated ?? 0}/${r.counts?.updated ?? 0}`,
  deleted: `${r.published?.deleted ?? 0}/${r.counts?.deleted ?? 0}`,
  error: r.errorCode ? `${r.errorCode}: ${r.errorMessage}` : '',
  last_attempt_error: r.lastAttemptError,
  // Deliveries' outcomes, each as added/updated/deleted.
  delivered: perKind(r.deliveries?.delivered),
  failed: perKind(r.deliveries?.failed),
  dead_lettered: perKind(r.deliveries?.deadLettered),
  filtered: perKind(r.deliveries?.filtered),
  expected_deliveries: r.expectedDeliveries,
  missing: r.missingDeliveries,
  failed_rows: r.failedRows.map((f) => ({
    key: f.key,
    change_kind: f.changeKind,
    destination: f.destinationName || f.destinationId,
    destination_id: f.destinationId,
    outcome: f.outcome,
    reason: f.reason,
    message: f.message,
  })),
});

/** added/updated/deleted */
function perKind(counts: { added: number; updated: number; deleted: number } | undefined): string {
  return `${counts?.added ?? 0}/${counts?.updated ?? 0}/${counts?.deleted ?? 0}`;
}

interface ModelOptions {
  warehouse: string;
  sql: string;
  identifier: string;
  every?: string;
  cron?: string;
  startFromNow?: boolean;
  disabled?: boolean;
}

function schedule(o: { every?: string; cron?: string }): { intervalSeconds: number; cron: string } {
  if (o.every !== undefined && o.cron !== undefined) throw new CliError('give --every or --cron, not both');
  const seconds = o.every === undefined ? 0 : Number(o.every);
  if (!Number.isInteger(seconds) || seconds < 0) throw new CliError('--every must be a whole number of seconds');
  return { intervalSeconds: seconds, cron: o.cron ?? '' };
}

/** A preview's rows as a table: every column any shown row has, in the order they first appear. */
function printPreview(io: Io, preview: { rows: Array<Record<string, unknown>>; rowCount: number }, json?: boolean) {
  if (json) return io.stdout(`${JSON.stringify({ rows: preview.rows, rowCount: preview.rowCount }, null, 2)}\n`);
  const columns = [...new Set(preview.rows.flatMap((row) => Object.keys(row)))];
  // Cells as JSON (a null reads null, an object its JSON), so what is printed is what a run sends.
  printTable(
    io,
    preview.rows,
    columns.map((name) => ({ name, cell: (row: Record<string, unknown>) => JSON.stringify(row[name] ?? null) })),
  );
  io.stdout(`${preview.rowCount} ${preview.rowCount === 1 ? 'row' : 'rows'} in all, ${preview.rows.length} shown\n`);
}

/** `manifold models ...`: Reverse ETL models (warehouse queries as sources), their connections and runs. */
export function modelCommands(program: Command, run: Runner, io: Io): void {
  const cmd = program
    .command('models')
    .alias('model')
    .description("Reverse ETL: warehouse queries whose rows' changes are sent to destinations");
  cmd
    .command('create <workspace> <name>')
    .requiredOption('--warehouse <warehouse>', 'the warehouse the query runs in (id or name)')
    .requiredOption('--sql <sql>', 'one SQL statement')
    .requiredOption('--identifier <column>', 'the column that identifies a row from one run to the next')
    .option('--every <seconds>', 'run every so many seconds (at least 60)')
    .option('--cron <expression>', 'run on a five-field cron expression, in UTC')
    .option('--start-from-now', 'the first run sends nothing, only takes the result as it is')
    .option('--disabled', 'create it disabled')
    .action((workspace: string, name: string, o: ModelOptions) =>
      run(async (c, g) => {
        const created = await c.reverseEtl.createModel({
          workspace,
          name,
          warehouse: o.warehouse,
          sql: o.sql,
          identifierColumn: o.identifier,
          schedule: schedule(o),
          enabled: !o.disabled,
          startFromNow: o.startFromNow === true,
        });
        printRecord(io, modelRow(created), g.json);
      }),
    );
  cmd.command('list <workspace>').action((workspace: string) =>
    run(async (c, g) => {
      const { models } = await c.reverseEtl.listModels({ workspace });
      printTable(io, models.map(modelRow), ['id', 'name', 'schedule', 'enabled', 'identifier_column'], g.json);
    }),
  );
  cmd
    .command('show <workspace> <model>')
    .action((workspace: string, model: string) =>
      run(async (c, g) => printRecord(io, modelRow(await c.reverseEtl.getModel({ workspace, model })), g.json)),
    );
  cmd
    .command('connect <workspace> <model> <destination>')
    .description("send the model's changes of some kinds to a destination instance, running one of its actions")
    .requiredOption('--kinds <kinds>', 'comma-separated: added, updated, deleted')
    .requiredOption('--action <action>', "the destination's action (see `manifold catalog show <type>`)")
    .option(
      '--fields <file>',
      "the action's field mapping, JSON or YAML (the row's columns are $.properties.*); without it, each field named as a column (first_name = firstName) is mapped from it",
    )
    .option('--rate <n>', 'row changes per second at most (default 100)')
    .option('--disabled', 'create it disabled')
    .action(
      (
        workspace: string,
        model: string,
        destination: string,
        o: { kinds: string; action: string; fields?: string; rate?: string; disabled?: boolean },
      ) =>
        run(async (c, g) => {
          const fields = o.fields === undefined ? {} : await readDocument(o.fields);
          if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
            throw new CliError(`${o.fields} must hold an object: field → value or directive`);
          }
          const connection = await c.reverseEtl.createConnection({
            workspace,
            model,
            destination,
            changeKinds: o.kinds.split(',').map((k) => k.trim()),
            action: o.action,
            fields: fields as Record<string, unknown>,
            enabled: !o.disabled,
            rowsPerSecond: parseRate(o.rate),
          });
          printRecord(io, connectionRow(connection), g.json);
        }),
    );
  cmd.command('connections <workspace> <model>').action((workspace: string, model: string) =>
    run(async (c, g) => {
      const { connections } = await c.reverseEtl.listConnections({ workspace, model });
      printTable(
        io,
        connections.map(connectionRow),
        ['id', 'destination_id', 'change_kinds', 'action', 'rows_per_second', 'enabled'],
        g.json,
      );
    }),
  );
  cmd
    .command('run <workspace> <model>')
    .description('run it now (a warehouse loader starts the run at its next check)')
    .action((workspace: string, model: string) =>
      run(async (c, g) => printRecord(io, modelRow(await c.reverseEtl.runModelNow({ workspace, model })), g.json)),
    );
  cmd
    .command('reset <workspace> <model>')
    .description('forget its last result and run it: every row is added (the way on after its columns changed)')
    .action((workspace: string, model: string) =>
      run(async (c, g) => printRecord(io, modelRow(await c.reverseEtl.resetModel({ workspace, model })), g.json)),
    );
  cmd
    .command('preview <workspace> [model]')
    .description("a model's query (or --sql in --warehouse) run in its warehouse: the first rows and the row count")
    .option('--sql <sql>', 'a draft query instead of the saved one')
    .option('--warehouse <warehouse>', "the warehouse a draft runs in (id or name; default: the model's)")
    .option('--limit <n>', 'rows shown, at most 50', '50')
    .action((workspace: string, model: string | undefined, o: { sql?: string; warehouse?: string; limit: string }) =>
      run(async (c, g) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new CliError('--limit must be 1 to 50');
        const saved = model === undefined ? undefined : await c.reverseEtl.getModel({ workspace, model });
        const sql = o.sql ?? saved?.sql;
        const warehouse = o.warehouse ?? saved?.warehouseId;
        if (sql === undefined || warehouse === undefined) {
          throw new CliError('name a model, or give --sql and --warehouse for a draft');
        }
        printPreview(io, await c.reverseEtl.previewModel({ workspace, warehouse, sql, limit }), g.json);
      }),
    );
  cmd
    .command('disconnect <workspace> <model> <connection>')
    .description(
      "stop sending to a destination: the connection's id, or the destination (id or name) when one connection goes there",
    )
    .action((workspace: string, model: string, key: string) =>
      run(async (c, g) => {
        const { connections } = await c.reverseEtl.listConnections({ workspace, model });
        let connection = connections.find((x) => x.id === key);
        if (!connection) {
          const destination = await c.destinations.getDestination({ workspace, destination: key });
          const there = connections.filter((x) => x.destinationId === destination.id);
          if (there.length === 0) throw new CliError(`${model} has no connection to ${destination.name}`);
          if (there.length > 1) {
            throw new CliError(
              `${model} has ${there.length} connections to ${destination.name}: name one by its id (${there.map((x) => x.id).join(', ')})`,
            );
          }
          connection = there[0]!;
        }
        await c.reverseEtl.deleteConnection({ workspace, model, connection: connection.id });
        printDone(
          io,
          `disconnected ${connection.id} (${connection.action} on ${connection.destinationId})`,
          { disconnected: 'connection', workspace, model, id: connection.id, destinationId: connection.destinationId },
          g.json,
        );
      }),
    );
  cmd
    .command('delete <workspace> <model>')
    .description('delete it with its connections, its runs and its tables in the warehouse')
    .action((workspace: string, model: string) =>
      run(async (c, g) => {
        const found = await c.reverseEtl.getModel({ workspace, model });
        const { canceledRunId } = await c.reverseEtl.deleteModel({ workspace, model: found.id });
        printDone(
          io,
          `deleted model ${found.name} (${found.id})${canceledRunId ? `; its run ${canceledRunId} was canceled` : ''}`,
          { deleted: 'model', workspace, id: found.id, name: found.name, ...(canceledRunId ? { canceledRunId } : {}) },
          g.json,
        );
      }),
    );
  cmd
    .command('runs <workspace> <model>')
    .description(
      'its runs, latest first: published/found per change kind, the deliveries per outcome ' +
        '(added/updated/deleted), the failed rows with their reasons, and why a run failed',
    )
    .option('--limit <n>', 'at most this many', '20')
    .action((workspace: string, model: string, o: { limit?: string }) =>
      run(async (c, g) => {
        const { runs } = await c.reverseEtl.listRuns({ workspace, model, limit: Number(o.limit ?? 20) });
        const rows = runs.map(runRow);
        printTable(
          io,
          rows,
          [
            'id',
            'trigger',
            'status',
            'started_at',
            'duration_ms',
            'added',
            'updated',
            'deleted',
            'delivered',
            'failed',
            'dead_lettered',
            'missing',
            'error',
          ],
          g.json,
        );
        if (g.json) return;
        for (const row of rows.filter((r) => r.failed_rows.length > 0)) {
          io.stdout(`\nfailed rows of run ${row.id}:\n`);
          printTable(io, row.failed_rows, [
            'key',
            'change_kind',
            'destination',
            'destination_id',
            'outcome',
            'reason',
            'message',
          ]);
        }
      }),
    );
}
