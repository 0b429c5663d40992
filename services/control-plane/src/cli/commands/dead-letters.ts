import type { Command } from 'commander';
import type { DeadLetter, Redrive } from '@manifold/proto';
import { printRecord, printTable, type Io } from '../output';
import { printExchange } from '../print-exchange';
import type { Runner } from '../program';
import { MAX_PAGE_SIZE, MAX_REDRIVES_LISTED } from '../../operations/dead-letters/redrives';
import { parseLimit, parseRate, parseTime, waitForRun } from './run-options';

const deadLetterRow = (d: DeadLetter) => ({
  id: d.id,
  failed_at: d.failedAt ?? null,
  reason: d.reason,
  message_id: d.messageId,
  type: d.eventName ? `${d.eventType} ${d.eventName}` : d.eventType,
  attempts: d.attempts,
  status: d.lastResponse ? (d.lastResponse.error ? d.lastResponse.error : d.lastResponse.status) : '',
  redrive: d.redriveId,
});

export const redriveRow = (r: Redrive) => ({
  id: r.id,
  destination: r.destinationName,
  status: r.status,
  requested_by: r.requestedBy,
  requested_at: r.requestedAt ?? null,
  finished_at: r.finishedAt ?? null,
  what: r.all ? `all${r.reason ? ` ${r.reason}` : ''}` : `${r.ids.length} chosen`,
  matched: r.matched,
  sent: r.sent,
  skipped: r.skipped,
  delivered: r.outcomes?.delivered ?? 0,
  failed: r.outcomes?.failed ?? 0,
  filtered: r.outcomes?.filtered ?? 0,
  retrying: r.outcomes?.retrying ?? 0,
  rate_per_second: r.ratePerSecond,
  stopped_by: r.stoppedBy,
  error: r.error,
});

interface ListOptions {
  reason?: string;
  from?: string;
  to?: string;
  redriven?: boolean;
  limit?: string;
  page?: string;
}

interface RedriveOptions {
  all?: boolean;
  reason?: string;
  from?: string;
  to?: string;
  rate?: string;
  wait?: boolean;
}

/** `manifold dead-letters ...` and `manifold redrives ...`: browse dead letters, send them again. */
export function deadLetterCommands(program: Command, run: Runner, io: Io): void {
  const cmd = program
    .command('dead-letters')
    .alias('dlq')
    .description("browse a destination's dead letters and redrive them (send them again, each once)");
  cmd
    .command('list <workspace> <destination>')
    .description('dead letters not yet redriven, newest first')
    .option('--reason <reason>', 'only this reason (REJECTED, RETRIES_EXHAUSTED, INVALID_SETTINGS, TRANSLATION_ERROR)')
    .option('--from <time>', 'failed at or after (ISO-8601, or how long ago: 90m, 2h, 1d)')
    .option('--to <time>', 'failed at or before')
    .option('--redriven', 'also those a redrive has sent again')
    .option('--limit <n>', 'at most this many', '50')
    .option('--page <token>', 'the next page (as the previous list said)')
    .action((workspace: string, destination: string, o: ListOptions) =>
      run(async (c, g) => {
        const page = await c.deadLetters.listDeadLetters({
          workspace,
          destination,
          reason: o.reason ?? '',
          ...(o.from ? { failedFrom: parseTime(o.from, '--from') } : {}),
          ...(o.to ? { failedTo: parseTime(o.to, '--to') } : {}),
          includeRedriven: o.redriven ?? false,
          pageSize: parseLimit(o.limit, 50, MAX_PAGE_SIZE),
          pageToken: o.page ?? '',
        });
        if (g.json) return printRecord(io, page, true);
        printTable(io, page.deadLetters.map(deadLetterRow), [
          'id',
          'failed_at',
          'reason',
          'message_id',
          'type',
          'attempts',
          'status',
          'redrive',
        ]);
        const waiting = page.waitingByReason.map((r) => `${r.reason} ${r.count}`).join(', ') || 'none';
        io.stdout(`${page.totalCount} matching; waiting for a redrive: ${waiting}\n`);
        if (page.nextPageToken) io.stdout(`more: --page ${page.nextPageToken}\n`);
      }),
    );
  cmd
    .command('show <workspace> <destination> <id>')
    .description('one dead letter: the last request and answer (credentials masked), and the event')
    .action((workspace: string, destination: string, id: string) =>
      run(async (c, g) => {
        const d = await c.deadLetters.getDeadLetter({ workspace, destination, id });
        if (g.json) return printRecord(io, d, true);
        printRecord(io, { ...deadLetterRow(d), message: d.message, first_attempt_at: d.firstAttemptAt ?? null });
        if (d.lastRequest || d.lastResponse) {
          io.stdout('\nlast request and answer:\n');
          printExchange(io, d.lastRequest, d.lastResponse);
        }
        io.stdout(`\nevent:\n${JSON.stringify(JSON.parse(d.eventJson || '{}'), null, 2)}\n`);
      }),
    );
  cmd
    .command('redrive <workspace> <destination> [ids...]')
    .description(
      'send dead letters again through the normal delivery path, with their messageIds: the ids given, or --all (with --reason, --from, --to)',
    )
    .option('--all', 'every dead letter not yet redriven that matches --reason, --from and --to')
    .option('--reason <reason>', 'with --all: only this reason')
    .option('--from <time>', 'with --all: failed at or after')
    .option('--to <time>', 'with --all: failed at or before')
    .option('--rate <n>', 'events per second at most (default 100)')
    .option('--wait', 'wait until it is done, printing its progress')
    .action((workspace: string, destination: string, ids: string[], o: RedriveOptions) =>
      run(async (c, g) => {
        const started = await c.deadLetters.startRedrive({
          workspace,
          destination,
          ids,
          all: o.all ?? false,
          reason: o.reason ?? '',
          ...(o.from ? { failedFrom: parseTime(o.from, '--from') } : {}),
          ...(o.to ? { failedTo: parseTime(o.to, '--to') } : {}),
          ratePerSecond: parseRate(o.rate),
        });
        const result = o.wait
          ? await waitForRun(
              () => c.deadLetters.getRedrive({ workspace, id: started.id }),
              (r) => !g.json && io.stdout(`${r.status}: ${r.sent} sent of ${r.matched} taken, ${r.skipped} skipped\n`),
            )
          : started;
        printRecord(io, redriveRow(result), g.json);
      }),
    );

  const redrives = program
    .command('redrives')
    .alias('redrive')
    .description('redrives: who sent which dead letters again, when, how many');
  redrives
    .command('list <workspace>')
    .option('--destination <destination>', "only this destination's")
    .option('--limit <n>', 'at most this many, newest first', '20')
    .action((workspace: string, o: { destination?: string; limit?: string }) =>
      run(async (c, g) => {
        const { redrives: list } = await c.deadLetters.listRedrives({
          workspace,
          destination: o.destination ?? '',
          limit: parseLimit(o.limit, 20, MAX_REDRIVES_LISTED),
        });
        printTable(
          io,
          list.map(redriveRow),
          [
            'id',
            'destination',
            'status',
            'requested_by',
            'requested_at',
            'what',
            'sent',
            'skipped',
            'delivered',
            'failed',
          ],
          g.json,
        );
      }),
    );
  redrives.command('show <workspace> <id>').action((workspace: string, id: string) =>
    run(async (c, g) => {
      const r = await c.deadLetters.getRedrive({ workspace, id });
      printRecord(io, redriveRow(r), g.json);
    }),
  );
  redrives
    .command('stop <workspace> <id>')
    .description('stop a running redrive after the events in hand; what it sent stays sent')
    .action((workspace: string, id: string) =>
      run(async (c, g) => {
        const r = await c.deadLetters.stopRedrive({ workspace, id });
        printRecord(io, redriveRow(r), g.json);
      }),
    );
}
