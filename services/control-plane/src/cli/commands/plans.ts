import type { Command } from 'commander';
import type { TrackingPlan } from '@manifold/proto';
import { stringify } from 'yaml';
import { CliError } from '../connection';
import { printDone, printRecord, printTable, type Io } from '../output';
import type { Runner } from '../program';
import { readDocument } from '../read-document';
import { quarantineCommands } from './quarantine';
import { parseTime } from './run-options';

const planRow = (p: TrackingPlan) => ({
  id: p.id,
  name: p.name,
  version: p.version,
  source_ids: p.sourceIds.join(','),
  saved_at: p.savedAt ?? null,
  rules: p.rules ?? {},
});

/** `manifold plans ...`: tracking plans (libs/tracking-plans/README.md), versioned. */
export function planCommands(program: Command, run: Runner, io: Io): void {
  const cmd = program
    .command('plans')
    .alias('plan')
    .description('tracking plans: a JSON Schema per event, held to at ingestion');
  cmd
    .command('save <workspace> <name>')
    .description('save a new plan, or (with --id) the next version of one')
    .requiredOption('--rules <file>', 'events, identifyTraits, groupTraits, pageProperties, policies: JSON or YAML')
    .option('--id <plan>', 'the plan to save a new version of')
    .option('--sources <ids>', "comma-separated source ids held to the plan (with --id, left out: the plan's own)")
    .action((workspace: string, name: string, o: { rules: string; id?: string; sources?: string }) =>
      run(async (c, g) => {
        const rules = await readDocument(o.rules);
        if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
          throw new CliError(`${o.rules} must hold an object: events, policies, ...`);
        }
        // A new version without --sources keeps the plan's sources (a save holds the sources it names).
        const sourceIds =
          o.sources !== undefined
            ? o.sources.split(',').filter(Boolean)
            : o.id
              ? (await c.trackingPlans.getTrackingPlan({ id: o.id, version: 0 })).sourceIds
              : [];
        const saved = await c.trackingPlans.saveTrackingPlan({
          workspaceId: workspace,
          id: o.id ?? '',
          name,
          sourceIds,
          rules: rules as Record<string, unknown>,
        });
        printRecord(io, planRow(saved), g.json);
      }),
    );
  cmd.command('list <workspace>').action((workspace: string) =>
    run(async (c, g) => {
      const { plans } = await c.trackingPlans.listTrackingPlans({ workspaceId: workspace });
      printTable(io, plans.map(planRow), ['id', 'name', 'version', 'source_ids', 'saved_at'], g.json);
    }),
  );
  cmd
    .command('delete <workspace> <plan>')
    .description('delete a plan (id or name) and all its versions; its sources are held to no plan from then on')
    .action((workspace: string, plan: string) =>
      run(async (c, g) => {
        const { plans } = await c.trackingPlans.listTrackingPlans({ workspaceId: workspace });
        const found = plans.find((p) => p.id === plan) ?? plans.find((p) => p.name === plan);
        if (!found) throw new CliError(`no tracking plan ${plan} in ${workspace}`);
        const { releasedSourceIds } = await c.trackingPlans.deleteTrackingPlan({
          workspaceId: workspace,
          id: found.id,
        });
        const released =
          releasedSourceIds.length > 0 ? `; sources no longer held: ${releasedSourceIds.join(', ')}` : '';
        printDone(
          io,
          `deleted tracking plan ${found.name}${released}`,
          { deleted: 'tracking plan', workspace, id: found.id, released_source_ids: releasedSourceIds },
          g.json,
        );
      }),
    );
  cmd
    .command('show <plan>')
    .option('--version <n>', 'a version (default: the latest)')
    .action((id: string, o: { version?: string }) =>
      run(async (c, g) => {
        const plan = await c.trackingPlans.getTrackingPlan({ id, version: Number(o.version ?? 0) });
        printRecord(io, planRow(plan), g.json);
      }),
    );
  cmd
    .command('generate <workspace> <source>')
    .description(
      'print a starting plan (YAML) from the property paths and types ingestion observed on the ' +
        "source's events in the last days; save it with `plans save`",
    )
    .option('--days <n>', 'days of observations (1 to 30)', '7')
    .action((workspace: string, source: string, o: { days: string }) =>
      run(async (c) => {
        const generated = await c.trackingPlans.generateTrackingPlan({ workspace, source, days: Number(o.days) });
        if (generated.eventsObserved === 0) io.stderr(`no events of ${source} observed in the last ${o.days} days\n`);
        if (generated.eventsCut > 0 || generated.pathsCut > 0) {
          io.stderr(
            `incomplete: ${generated.eventsCut} events of kinds and ${generated.pathsCut} property paths beyond ` +
              "ingestion's bounds were not observed\n",
          );
        }
        io.stdout(stringify(generated.rules ?? {}));
      }),
    );
  cmd
    .command('violations <workspace>')
    .description("violations per event, rule and property path (a plan's or a source's), with a sample each")
    .option('--plan <id>', "the plan's violations (every version and source)")
    .option('--source <source>', "one source's violations (id or slug)")
    .option('--since <time>', 'ISO-8601 or how long ago (90m, 2h, 7d)', '24h')
    .action((workspace: string, o: { plan?: string; source?: string; since: string }) =>
      run(async (c, g) => {
        const found = await c.trackingPlans.listPlanViolations({
          workspace,
          planId: o.plan ?? '',
          sourceId: o.source ?? '',
          from: parseTime(o.since, '--since'),
        });
        const rows = found.groups.map((v) => ({
          event: v.eventName || v.eventType,
          rule: v.rule,
          path: v.path,
          outcome: v.outcome,
          count: v.count,
          sample: v.samples[0] ? `${v.samples[0].messageId}: ${v.samples[0].message}` : '',
        }));
        printTable(io, rows, ['event', 'rule', 'path', 'outcome', 'count', 'sample'], g.json);
      }),
    );
  cmd
    .command('diff <plan> <from> <to>')
    .description('what changed between two versions')
    .action((id: string, from: string, to: string) =>
      run(async (c, g) => {
        const { changes } = await c.trackingPlans.diffTrackingPlan({
          id,
          fromVersion: Number(from),
          toVersion: Number(to),
        });
        const rows = changes.map((ch) => ({ change: ch.change, path: ch.path, before: ch.before, after: ch.after }));
        printTable(io, rows, ['change', 'path', 'before', 'after'], g.json);
      }),
    );
  quarantineCommands(cmd, run, io);
}
