import type { Command } from 'commander';
import type { DeliveryBucket, DeliveryErrorSample, WarehouseLoad, WarehouseStatus } from '@manifold/proto';
import { CliError } from '../connection';
import { printRecord, printTable, type Io } from '../output';
import { printExchange } from '../print-exchange';
import type { Runner } from '../program';

const RANGES = ['hour', 'day', 'week'] as const;
const RANGE_WORDS: Record<string, string> = {
  hour: 'last hour, by minute',
  day: 'last 24 hours, by hour',
  week: 'last 7 days, by day (UTC)',
};

/** A time to the second, in UTC. */
const second = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

const counts = (b: DeliveryBucket | undefined) => ({
  delivered: b?.delivered ?? 0,
  retrying: b?.retrying ?? 0,
  failed: b?.failed ?? 0,
  filtered: b?.filtered ?? 0,
  dropped: b?.dropped ?? 0,
  attempts: b?.attempts ?? 0,
  p50_ms: b?.latency?.p50Ms ?? 0,
  p95_ms: b?.latency?.p95Ms ?? 0,
  p99_ms: b?.latency?.p99Ms ?? 0,
});

/** `destinations delivery` and `destinations errors`: what happened to a destination's events, and why. */
export function deliveryCommands(cmd: Command, run: Runner, io: Io): void {
  cmd
    .command('delivery <workspace> <name>')
    .description(
      'events delivered, retrying, failed, filtered and dropped per minute, hour or day; reasons; latency; latest errors',
    )
    .option('--range <range>', 'hour (by minute), day (by hour) or week (by day)', 'day')
    .action((workspace: string, destination: string, o: { range: string }) =>
      run(async (c, g) => {
        if (!(RANGES as readonly string[]).includes(o.range)) throw new CliError('--range is hour, day or week');
        const v = await c.destinations.getDeliveryView({ workspace, destination, range: o.range });
        if (g.json) return printRecord(io, v, true);
        io.stdout(`Delivery, ${RANGE_WORDS[v.range] ?? v.range}, to ${second(v.to)}\n`);
        printRecord(io, counts(v.totals));
        io.stdout('\n');
        printTable(
          io,
          v.buckets
            .filter((b) => Object.values(counts(b)).some((n) => n > 0))
            .map((b) => ({ start: second(b.start), ...counts(b) })),
          ['start', 'delivered', 'retrying', 'failed', 'filtered', 'dropped', 'attempts', 'p50_ms', 'p95_ms', 'p99_ms'],
        );
        if (v.reasons.length > 0) {
          io.stdout('\n');
          printTable(
            io,
            v.reasons.map((r) => ({ ...r, last_seen: second(r.lastSeen) })),
            ['outcome', 'reason', 'events', 'attempts', 'last_seen'],
          );
        }
        if (v.latestErrors.length > 0) {
          io.stdout('\nLatest error of each reason:\n');
          for (const sample of v.latestErrors) printSample(io, sample);
        }
      }),
    );
  cmd
    .command('errors <workspace> <name>')
    .description('the latest failed or retried attempts with their request and answer (secrets masked)')
    .option('--reason <reason>', 'only this reason, e.g. http_400 or ECONNREFUSED')
    .option('--limit <n>', 'at most this many (up to 100)', '20')
    .action((workspace: string, destination: string, o: { reason?: string; limit: string }) =>
      run(async (c, g) => {
        const { samples } = await c.destinations.listDeliveryErrors({
          workspace,
          destination,
          reason: o.reason ?? '',
          limit: Number(o.limit) || 20,
        });
        if (g.json) return io.stdout(`${JSON.stringify(samples, null, 2)}\n`);
        if (samples.length === 0) return io.stdout('(none)\n');
        for (const sample of samples) printSample(io, sample);
      }),
    );
}

function printSample(io: Io, s: DeliveryErrorSample): void {
  const event = s.eventName ? `${s.eventType} "${s.eventName}"` : s.eventType;
  io.stdout(`\n${second(s.at)}  ${s.outcome} ${s.reason}  attempt ${s.attempt}  ${event}  messageId ${s.messageId}\n`);
  if (s.message) io.stdout(`  ${s.message}\n`);
  printExchange(io, s.request, s.response);
}

const loadRow = (l: WarehouseLoad) => ({
  started_at: second(l.startedAt),
  duration_s: Math.round(l.durationMs / 100) / 10,
  status: l.status,
  source_id: l.sourceId,
  events: l.events,
  rows: l.rows.map((t) => `${t.table}=${t.rows}`),
  errors: l.errors,
  notices: l.notices,
});

const statusRow = (w: WarehouseStatus) => ({
  name: w.name,
  kind: w.kind,
  status: w.enabled ? 'enabled' : 'disabled',
  last_sync: w.lastSync ? `${w.lastSync.status} ${second(w.lastSync.startedAt)}` : 'never',
  duration_s: w.lastSync ? Math.round(w.lastSync.durationMs / 100) / 10 : null,
  rows: w.lastSync ? w.lastSync.rows.reduce((sum, t) => sum + t.rows, 0) : null,
  next_sync: second(w.nextSyncAt),
  sync_requested:
    w.syncRequestedAt && (!w.syncStartedAt || w.syncStartedAt < w.syncRequestedAt) ? second(w.syncRequestedAt) : '',
  pending_events: w.pendingEvents,
  id: w.warehouseId,
});

/** `warehouses status`, `sync` and `history`. */
export function warehouseSyncCommands(cmd: Command, run: Runner, io: Io): void {
  cmd
    .command('status <workspace>')
    .description("each warehouse's last sync (status, time, duration, rows) and next scheduled sync")
    .action((workspace: string) =>
      run(async (c, g) => {
        const { warehouses } = await c.destinations.listWarehouseStatus({ workspace });
        printTable(
          io,
          warehouses.map(statusRow),
          ['name', 'status', 'last_sync', 'duration_s', 'rows', 'next_sync', 'sync_requested', 'pending_events'],
          g.json,
        );
      }),
    );
  cmd
    .command('sync <workspace> <name>')
    .description('load what is waiting now instead of at the next interval')
    .action((workspace: string, destination: string) =>
      run(async (c, g) => {
        const w = await c.destinations.syncWarehouse({ workspace, destination });
        if (g.json) return printRecord(io, statusRow(w), true);
        io.stdout(
          `sync of ${w.name} requested at ${second(w.syncRequestedAt)}; its loaders start it as soon as they see it\n`,
        );
      }),
    );
  cmd
    .command('history <workspace> <name>')
    .alias('loads')
    .description('load history, newest first, with errors and notices in words')
    .option('--limit <n>', 'at most this many loads', '50')
    .action((workspace: string, destination: string, o: { limit: string }) =>
      run(async (c, g) => {
        const r = await c.destinations.listWarehouseLoads({ workspace, destination, limit: Number(o.limit) || 50 });
        const rows = r.loads.map(loadRow);
        if (g.json) return printTable(io, rows, [], true);
        if (rows.length === 0) return io.stdout('(none)\n');
        printTable(io, rows, ['started_at', 'duration_s', 'status', 'events', 'rows']);
        for (const l of rows.filter((x) => x.errors.length > 0 || x.notices.length > 0)) {
          io.stdout(`\n${l.started_at} ${l.status}\n`);
          for (const e of l.errors) io.stdout(`  error: ${e}\n`);
          for (const n of l.notices) io.stdout(`  notice: ${n}\n`);
        }
      }),
    );
}
