import type { Command } from 'commander';
import type { TestDestinationResponse } from '@manifold/proto';
import { CliError } from '../connection';
import type { Io } from '../output';
import { printExchange } from '../print-exchange';
import { readDocument } from '../read-document';
import type { Runner } from '../program';
import { mappingsFile } from './mappings';

/** The event file: one JSON (or YAML) object, e.g. an event copied from the debugger. */
async function eventFile(path: string): Promise<Record<string, unknown>> {
  const parsed = await readDocument(path);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`${path} must hold one event (a JSON object)`);
  }
  return parsed as Record<string, unknown>;
}

/** The tester's answer for a person: each mapping, its payload or errors, its requests; then what was sent. */
function printTestResult(io: Io, r: TestDestinationResponse, sent: boolean): void {
  if (r.filteredReason) io.stdout(`not sent: ${r.filteredReason}: ${r.filteredMessage}\n`);
  for (const m of r.mappings) {
    const state = !m.matched ? 'no match' : m.enabled ? 'matched' : 'matched, disabled (not sent)';
    io.stdout(`[${m.index}] ${m.name} (${m.action}): ${state}\n`);
    if (!m.matched) continue;
    for (const e of m.errors) io.stdout(`  error ${e.path}: ${e.message}\n`);
    if (m.payload) io.stdout(`  payload ${JSON.stringify(m.payload)}\n`);
    for (const request of m.requests) printExchange(io, request, undefined);
  }
  for (const n of r.notices) io.stdout(`notice ${n.path ? `${n.path}: ` : ''}${n.message}\n`);
  if (!sent) return;
  io.stdout(r.sent.length === 0 ? 'sent nothing\n' : `sent ${r.sent.length} request(s):\n`);
  for (const s of r.sent) {
    io.stdout(`[${s.mappingIndex}] ${s.outcome}${s.reason ? `: ${s.reason}` : ''}\n`);
    printExchange(io, s.request, s.response ?? { status: 0, headers: {}, bodyExcerpt: '', error: s.error });
  }
}

const TEST_DEADLINE_MS = 60_000;

/** `destinations test`: the mapping tester. */
export function destinationTestCommand(destinations: Command, run: Runner, io: Io): void {
  destinations
    .command('test <workspace> <name>')
    .description(
      'try an event on the mappings: matches, payloads, errors, the exact requests (secrets masked); --send sends them',
    )
    .requiredOption('-e, --event <path>', 'a Spec event as JSON (or YAML)')
    .option('-m, --mappings <path>', 'unsaved mappings to try instead of the saved ones (as `mappings set -f` takes)')
    .option('--send', "send the requests with the destination's real settings; print the answers")
    .action((workspace: string, destination: string, o: { event: string; mappings?: string; send?: boolean }) =>
      run(async (c, g) => {
        const event = await eventFile(o.event);
        const mappings = o.mappings === undefined ? undefined : await mappingsFile(o.mappings);
        const result = await c.destinations.testDestination(
          {
            workspace,
            destination,
            event,
            mappings: mappings ?? [],
            draft: mappings !== undefined,
            send: o.send ?? false,
          },
          // A send waits for the destination: up to 10 s a request, flows several requests long.
          { deadlineMs: TEST_DEADLINE_MS },
        );
        if (g.json) return io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        printTestResult(io, result, o.send ?? false);
      }),
    );
}
