import type { Command } from 'commander';
import type { Replay } from '@manifold/proto';
import { CliError } from '../connection';
import { printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { MAX_RUNS_LISTED } from '../../operations/runs/run-records';
import { notCancelled, parseLimit, parseRate, parseTime, unfinished, waitForRun } from './run-options';

const replayRow = (r: Replay) => ({
  id: r.id,
  source: r.sourceName,
  destination: r.destinationName,
  status: r.status,
  requested_by: r.requestedBy,
  requested_at: r.requestedAt ?? null,
  from: r.from ?? null,
  to: r.to ?? null,
  progress: `${Math.round(r.progress * 100)}%`,
  scanned: `${r.scanned}/${r.total}`,
  sent: r.sent,
  sent_by_type: Object.fromEntries(r.sentByType.map((t) => [t.eventType, t.count])),
  first_message_id: r.firstMessageId,
  last_message_id: r.lastMessageId,
  delivered: r.outcomes?.delivered ?? 0,
  duplicates_and_filtered: r.outcomes?.filtered ?? 0,
  failed: r.outcomes?.failed ?? 0,
  retrying: r.outcomes?.retrying ?? 0,
  rate_per_second: r.ratePerSecond,
  retained_from: r.retainedFrom ?? null,
  finished_at: r.finishedAt ?? null,
  cancelled_by: r.cancelledBy,
  error: r.error,
});

/** `manifold replays ...`: send a time range of a source's events again to one destination or warehouse. */
export function replayCommands(program: Command, run: Runner, io: Io): void {
  const cmd = program
    .command('replays')
    .alias('replay')
    .description(
      "send a time range of a source's events again to one destination or warehouse (while Kafka holds them)",
    );
  cmd
    .command('start <workspace> <source> <destination>')
    .description('messageIds the destination received in the last 24 hours are not delivered again')
    .requiredOption('--from <time>', 'events received from (ISO-8601, or how long ago: 90m, 2h, 1d)')
    .requiredOption('--to <time>', 'events received before')
    .option('--rate <n>', 'events per second at most, 1 to 100000 (default 500)')
    .option('--wait', 'wait until it is done, printing its progress (exit code 1 when it is cancelled or fails)')
    .action(
      (
        workspace: string,
        source: string,
        destination: string,
        o: { from: string; to: string; rate?: string; wait?: boolean },
      ) =>
        run(async (c, g) => {
          const now = Date.now();
          const from = parseTime(o.from, '--from', now);
          const to = parseTime(o.to, '--to', now);
          if (from >= to) throw new CliError('--from must be before --to');
          const started = await c.replays.startReplay({
            workspace,
            source,
            destination,
            from,
            to,
            ratePerSecond: parseRate(o.rate),
          });
          const result = o.wait
            ? await waitForRun(
                () => c.replays.getReplay({ workspace, id: started.id }),
                (r) => !g.json && io.stdout(`${r.status}: ${Math.round(r.progress * 100)}% read, ${r.sent} sent\n`),
              )
            : started;
          printRecord(io, replayRow(result), g.json);
          const stopped = o.wait ? unfinished('replay', result) : undefined;
          if (stopped) throw stopped;
        }),
    );
  cmd
    .command('list <workspace>')
    .option('--limit <n>', 'at most this many, newest first', '20')
    .action((workspace: string, o: { limit?: string }) =>
      run(async (c, g) => {
        const { replays } = await c.replays.listReplays({ workspace, limit: parseLimit(o.limit, 20, MAX_RUNS_LISTED) });
        printTable(
          io,
          replays.map(replayRow),
          ['id', 'source', 'destination', 'status', 'requested_by', 'from', 'to', 'progress', 'sent', 'delivered'],
          g.json,
        );
      }),
    );
  cmd
    .command('show <workspace> <id>')
    .description('progress, and the report of what was sent and what the deliveries came to')
    .action((workspace: string, id: string) =>
      run(async (c, g) => {
        const r = await c.replays.getReplay({ workspace, id });
        printRecord(io, replayRow(r), g.json);
      }),
    );
  cmd
    .command('cancel <workspace> <id>')
    .description('stop a running replay after the events in hand; what it sent stays sent')
    .action((workspace: string, id: string) =>
      run(async (c, g) => {
        const r = await c.replays.cancelReplay({ workspace, id });
        printRecord(io, replayRow(r), g.json);
        const note = notCancelled('replay', r);
        if (note) io.stderr(note);
      }),
    );
}
