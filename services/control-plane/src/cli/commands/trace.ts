import type { Command } from 'commander';
import type { EventTrace, TraceStep } from '@manifold/proto';
import { printRecord, type Io } from '../output';
import { printExchange } from '../print-exchange';
import type { Runner } from '../program';

const time = (d: Date | undefined): string => (d ? d.toISOString() : '');

function stepLine(step: TraceStep): string {
  const what = [step.outcome, step.reason].filter(Boolean).join(' ');
  const attempt = step.attempt > 0 ? ` (attempt ${step.attempt})` : '';
  const run = step.runId ? ` [${step.runId}]` : '';
  const mapping = step.mappingName ? ` mapping "${step.mappingName}"` : '';
  const request = step.request ? `  ${step.request.method} ${step.request.url}` : '';
  const answer = step.response
    ? step.response.error
      ? ` → no answer: ${step.response.error}`
      : ` → ${step.response.status} in ${step.durationMs} ms`
    : '';
  return `  ${time(step.at)}  ${what}${attempt}${run}${mapping}${request}${answer}${step.message && !step.request ? `: ${step.message}` : ''}`;
}

/** `manifold trace <workspace> <messageId>`: everything Manifold did with one event. */
export function traceCommands(program: Command, run: Runner, io: Io): void {
  program
    .command('trace <workspace> <messageId>')
    .description('what every connected destination and warehouse did with one event (kept 7 days by default)')
    .option('--bodies', 'also print each request and answer (credentials masked)')
    .action((workspace: string, messageId: string, o: { bodies?: boolean }) =>
      run(async (c, g) => {
        const trace: EventTrace = await c.traces.getEventTrace({ workspace, messageId });
        if (g.json) return printRecord(io, trace, true);
        if (!trace.found) {
          io.stdout(
            `no trace of ${messageId}: no destination recorded it in the last ${Math.round(trace.retentionMs / 86_400_000)} days\n`,
          );
          return;
        }
        io.stdout(
          `${trace.messageId}: ${trace.eventType}${trace.eventName ? ` "${trace.eventName}"` : ''} from ${trace.sourceName || trace.sourceId}\n` +
            `received ${time(trace.receivedAt)}, ${trace.topic} partition ${trace.partition} offset ${trace.offset}\n`,
        );
        for (const d of trace.destinations) {
          io.stdout(`\n${d.name} (${d.type}): ${d.outcome}\n`);
          for (const step of d.steps) {
            io.stdout(`${stepLine(step)}\n`);
            if (o.bodies) printExchange(io, step.request, step.response, '      ');
          }
        }
        for (const w of trace.warehouses) {
          const load = w.loadId
            ? `load ${w.loadId} (${w.loadStatus}, ${time(w.loadStartedAt)} to ${time(w.loadFinishedAt)}) into ${w.schema}`
            : 'no load has taken it yet';
          io.stdout(`\n${w.name} (warehouse): ${w.status}, ${load}\n`);
          for (const error of w.errors) io.stdout(`  ${error}\n`);
        }
      }),
    );
}
