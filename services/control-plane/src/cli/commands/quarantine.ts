import type { Command } from 'commander';
import type { QuarantineReplay } from '@manifold/proto';
import { CliError } from '../connection';
import { printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { MAX_RUNS_LISTED } from '../../operations/runs/run-records';
import { notCancelled, parseLimit, parseRate, parseTime, unfinished, waitForRun } from './run-options';

const row = (r: QuarantineReplay) => ({
  id: r.id,
  source: r.sourceName,
  event: r.eventName || '(every event)',
  status: r.status,
  plan: r.planId ? `${r.planId} v${r.planVersion}` : '(none)',
  requested_by: r.requestedBy,
  requested_at: r.requestedAt ?? null,
  from: r.from ?? null,
  to: r.to ?? null,
  progress: `${Math.round(r.progress * 100)}%`,
  scanned: `${r.scanned}/${r.total}`,
  matched: r.matched,
  released: r.released,
  still_blocked: r.stillBlocked,
  rate_per_second: r.ratePerSecond,
  finished_at: r.finishedAt ?? null,
  cancelled_by: r.cancelledBy,
  error: r.error,
});

/**
 * `manifold plans replay-quarantine ...` and `manifold plans quarantine-replays ...`: a source's
 * blocked events checked again against its plan as it is now; those that pass go to the events topic.
 */
export function quarantineCommands(plans: Command, run: Runner, io: Io): void {
  plans
    .command('replay-quarantine <workspace> <source>')
    .description(
      "check a source's quarantined (blocked) events again against its current plan and send on those that " +
        'pass, with their own messageIds (run twice, nothing is delivered twice); the rest stay quarantined',
    )
    .option('--from <time>', 'quarantined from (ISO-8601, or how long ago: 90m, 2h, 1d); default: the oldest kept')
    .option('--to <time>', 'quarantined before (default: now)')
    .option('--event <name>', 'only track events of this name')
    .option('--rate <n>', 'events per second at most, 1 to 100000 (default 500)')
    .option('--wait', 'wait until it is done, printing its progress (exit code 1 when it is cancelled or fails)')
    .action(
      (
        workspace: string,
        source: string,
        o: { from?: string; to?: string; event?: string; rate?: string; wait?: boolean },
      ) =>
        run(async (c, g) => {
          const now = Date.now();
          const from = o.from === undefined ? undefined : parseTime(o.from, '--from', now);
          const to = o.to === undefined ? undefined : parseTime(o.to, '--to', now);
          // --to defaults to now: a --from after it is said so here, not as the control plane's `to`.
          if (from && from >= (to ?? new Date(now))) {
            throw new CliError(to ? '--from must be before --to' : '--from must be before --to (default: now)');
          }
          const started = await c.trackingPlans.startQuarantineReplay({
            workspace,
            source,
            from,
            to,
            eventName: o.event ?? '',
            ratePerSecond: parseRate(o.rate),
          });
          const result = o.wait
            ? await waitForRun(
                () => c.trackingPlans.getQuarantineReplay({ workspace, id: started.id }),
                (r) =>
                  !g.json &&
                  io.stdout(
                    `${r.status}: ${Math.round(r.progress * 100)}% read, ${r.released} released, ${r.stillBlocked} still blocked\n`,
                  ),
              )
            : started;
          printRecord(io, row(result), g.json);
          const stopped = o.wait ? unfinished('quarantine replay', result) : undefined;
          if (stopped) throw stopped;
        }),
    );
  const runs = plans.command('quarantine-replays').description('quarantine replays: list, show, cancel');
  runs
    .command('list <workspace>')
    .option('--limit <n>', 'at most this many, newest first', '20')
    .action((workspace: string, o: { limit?: string }) =>
      run(async (c, g) => {
        const { replays } = await c.trackingPlans.listQuarantineReplays({
          workspace,
          limit: parseLimit(o.limit, 20, MAX_RUNS_LISTED),
        });
        printTable(
          io,
          replays.map(row),
          ['id', 'source', 'event', 'status', 'requested_by', 'progress', 'released', 'still_blocked'],
          g.json,
        );
      }),
    );
  runs
    .command('show <workspace> <id>')
    .action((workspace: string, id: string) =>
      run(async (c, g) => printRecord(io, row(await c.trackingPlans.getQuarantineReplay({ workspace, id })), g.json)),
    );
  runs
    .command('cancel <workspace> <id>')
    .description('stop it after the events in hand; what it released stays released')
    .action((workspace: string, id: string) =>
      run(async (c, g) => {
        const r = await c.trackingPlans.cancelQuarantineReplay({ workspace, id });
        printRecord(io, row(r), g.json);
        const note = notCancelled('quarantine replay', r);
        if (note) io.stderr(note);
      }),
    );
}
